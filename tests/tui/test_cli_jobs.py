"""`switchboard jobs ...` in-process against a real sandbox socket and the default journal."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from tui.cli import run
from tui.config import Account, ConfigStore
from tui.engine.journal import Journal
from tui.engine.journal_rows import State
from tui.engine.sms_job import create_sms_job


@pytest.fixture
def account(nrs_server: SandboxServer, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    ConfigStore(isolated_dirs / "config").add_account(
        Account(
            name="demo",
            provider="360nrs",
            base_url=nrs_server.url + "/api/rest",
            username=DEMO_USERNAME,
        )
    )
    return "demo"


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = run(list(args), out=out)
    return code, out.getvalue()


def cli_json(*args: str) -> Any:
    code, out = cli(*args, "--json")
    return code, json.loads(out)


def interrupted_job(tos: list[str]) -> int:
    """A job whose process died with its first batch in flight."""
    with Journal() as journal:
        job_id = create_sms_job(
            journal, "demo", "360nrs", "TEST", "Hi {name}", [(to, {"name": to}) for to in tos]
        )
        journal.claim_batch(job_id, 100)
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        journal._db.execute(
            "UPDATE jobs SET status = 'RUNNING', pid = ? WHERE id = ?", (dead.pid, job_id)
        )
    return job_id


def test_list_show_resume_and_export(
    account: str, nrs_server: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tos = [f"346{i:08d}" for i in range(299)] + ["12"]
    job_id = interrupted_job(tos)

    # The journal still says RUNNING, but its process is gone: every listing says so.
    resume = f"resume with: switchboard jobs resume {job_id}"
    code, listed = cli_json("jobs", "list")
    assert code == 0
    assert [
        (j["job"], j["status"], j["reason"], j["totals"]["sending"]) for j in listed["items"]
    ] == [(job_id, "interrupted", resume, 100)]
    code, text = cli("jobs", "list")
    assert code == 0 and "RUNNING" not in text
    assert "interrupted" in text and resume in text
    code, shown = cli_json("jobs", "show", str(job_id))
    assert (shown["status"], shown["reason"]) == ("interrupted", resume)
    code, text = cli("jobs", "show", str(job_id))
    assert f"status   interrupted — {resume}" in text

    # Resume: the 100 in flight at the crash become UNKNOWN and are not sent.
    code, done = cli_json("jobs", "resume", str(job_id))
    assert code == 3  # done, but some recipients are unknown or rejected
    assert done["status"] == "DONE"
    assert done["totals"] == {
        "total": 300,
        "accepted": 199,
        "rejected": 1,
        "unknown": 100,
        "pending": 0,
        "sending": 0,
        "parts": 199,
    }
    sent: Counter[str] = Counter()
    for r in nrs_server.app.state.log.matching("POST", "/api/rest/sms"):  # type: ignore[attr-defined]
        sent.update(r.json()["to"])
    assert sent == Counter(tos[100:])

    code, shown = cli_json("jobs", "show", str(job_id))
    assert code == 0
    assert {(r["state"], r["count"]) for r in shown["reasons"]} == {
        ("UNKNOWN", 100),
        ("REJECTED", 1),
    }
    code, text = cli("jobs", "show", str(job_id))
    assert "--resend-unknown" in text and "102: No valid recipients" in text

    # Re-sending UNKNOWN recipients needs an explicit yes.
    code, _ = cli("jobs", "resume", str(job_id), "--resend-unknown")
    assert code == 2
    assert "--yes" in capsys.readouterr().err
    code, done = cli_json("jobs", "resume", str(job_id), "--resend-unknown", "--yes")
    assert code == 3 and done["totals"]["accepted"] == 299 and done["totals"]["unknown"] == 0

    out = tmp_path / "out.csv"
    code, text = cli("jobs", "export", str(job_id), "--output", str(out))
    assert code == 0 and "Wrote 300 recipients" in text
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["to"] for r in rows] == tos
    assert rows[0]["state"] == State.ACCEPTED and rows[0]["provider_id"]
    assert json.loads(rows[0]["vars"]) == {"name": tos[0]}
    assert rows[-1]["state"] == State.REJECTED and rows[-1]["reason"].startswith("102")
    code, text = cli("jobs", "export", str(job_id), "-o", "-", "--state", "REJECTED")
    assert text.splitlines()[1].startswith("299,12,REJECTED")


def test_paused_job_exits_1_with_the_reason(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    nrs_server.app.state.nrs.balance_cents = 0  # type: ignore[attr-defined]
    with Journal() as journal:
        job_id = create_sms_job(journal, "demo", "360nrs", "TEST", "Hi", [("34600000001", None)])
    code, _ = cli("jobs", "resume", str(job_id))
    assert code == 1
    err = capsys.readouterr().err
    assert "paused" in err and "Not enough credit" in err


def test_unknown_job_is_a_one_line_error(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = cli("jobs", "show", "42")
    assert code == 1
    assert "no job 42" in capsys.readouterr().err


def test_progress_bar() -> None:
    from tui.cli.jobs import progress_bar

    assert progress_bar(0, 10, width=10) == "[..........]   0%"
    assert progress_bar(5, 10, width=10) == "[#####.....]  50%"
    assert progress_bar(10, 10, width=10) == "[##########] 100%"
    assert progress_bar(0, 0, width=4) == "[####] 100%"


def test_jobs_sandbox_reads_the_consoles_sandbox_journal() -> None:
    """Issue 15: the console's sandbox jobs have their own journal; `--sandbox` reads it."""
    from tui.engine.journal import sandbox_path

    with Journal(sandbox_path()) as journal:
        create_sms_job(journal, "sandbox-360nrs", "360nrs", "ACME", "Hi", [("34600000001", None)])
    code, real = cli_json("jobs", "list")
    assert code == 0 and real["items"] == []
    code, practice = cli_json("jobs", "list", "--sandbox")
    assert code == 0 and [j["account"] for j in practice["items"]] == ["sandbox-360nrs"]
    code, _ = cli("jobs", "list", "--sandbox", "--journal", "x.sqlite3")
    assert code == 2
