"""One JSON shape for a job result (tui.usecases.jobs.JobResult): an SMS send, a mail send,
`jobs resume`, `jobs show` and `jobs list` print the same keys with the same meaning
(they were three shapes: flat counts, nested totals, and "id"/"pause_reason")."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from tui.cli import run
from tui.config import Account, ConfigStore
from tui.engine.journal_rows import JobStatus, RecipientRow, State, Totals
from tui.usecases.jobs import JobResult

TOTALS = {"total", "accepted", "rejected", "unknown", "pending", "sending", "parts"}
RESULT = {"to", "state", "accepted", "id", "parts", "reason"}


@pytest.fixture
def account(nrs_server: SandboxServer, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    url = nrs_server.url + "/api/rest"
    account = Account(name="demo", provider="360nrs", base_url=url, username=DEMO_USERNAME)
    ConfigStore(isolated_dirs / "config").add_account(account)
    return "demo"


def cli_json(*args: str) -> Any:
    out = io.StringIO()
    run([*args, "--json"], out=out)
    return json.loads(out.getvalue())


def test_to_json_is_the_one_shape() -> None:
    row = RecipientRow(1, "34600111222", None, State.REJECTED, "102: No valid recipients",
                       None, None, "2026-01-01T00:00:00")  # fmt: skip
    totals = Totals(pending=1, sending=2, accepted=3, rejected=4, unknown=5, parts=6)
    result = JobResult.of(7, JobStatus.PAUSED, "402: no credit", totals, [row])
    assert result.to_json() == {
        "job": 7,
        "status": "PAUSED",
        "reason": "402: no credit",
        "totals": {
            "total": 15,
            "accepted": 3,
            "rejected": 4,
            "unknown": 5,
            "pending": 1,
            "sending": 2,
            "parts": 6,
        },
        "results": [
            {
                "to": "34600111222",
                "state": "REJECTED",
                "accepted": False,
                "id": None,
                "parts": None,
                "reason": "102: No valid recipients",
            },
        ],
    }
    # Without recipient rows there is no "results" key (jobs show/list, a resume's summary).
    assert "results" not in JobResult.of(7, JobStatus.DONE, None, totals).to_json()


def test_every_command_prints_a_job_result_in_the_one_shape(account: str) -> None:
    sms = cli_json("sms", "send", "-a", "demo", "--from", "TEST", "--to", "34666555444",
                   "--message", "Hi")  # fmt: skip
    mail = cli_json("mail", "send", "-a", "demo", "--to", "ana@example.com",
                    "--from-email", "a@example.com", "--reply-to", "a@example.com",
                    "--subject", "S", "--body", "Hello")  # fmt: skip
    resumed = cli_json("jobs", "resume", str(sms["job"]))
    shown = cli_json("jobs", "show", str(mail["job"]))
    listed = cli_json("jobs", "list")["items"]
    for body in (sms, mail, resumed, shown, *listed):
        assert {"job", "status", "reason", "totals"} <= set(body), body
        assert set(body["totals"]) == TOTALS
        assert isinstance(body["job"], int) and body["status"] in {s.value for s in JobStatus}
        assert "id" not in body and "pause_reason" not in body and "accepted" not in body
    assert [set(r) for r in mail["results"]] == [RESULT]
    assert (sms["totals"]["accepted"], mail["totals"]["accepted"]) == (1, 1)
    assert {j["job"] for j in listed} == {sms["job"], mail["job"]}
    assert shown["totals"] == next(j for j in listed if j["job"] == mail["job"])["totals"]
