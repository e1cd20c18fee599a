"""Issue 13 point 13, the smaller faults: what a send says of a provider's long Retry-After,
the mark on recipients re-sent after an unknown outcome, dates that do not exist."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends.sandbox.core import SandboxServer
from backends.sandbox.faults import FaultProfile
from tests.tui.conftest import log_of
from tests.tui.test_cli_jobs import cli, cli_json, interrupted_job
from tests.tui.test_sender import backend_for, drain, new_job, numbers, rich_app
from tui.cli import run
from tui.dates import parse_when
from tui.engine.journal import Journal
from tui.engine.journal_rows import JobStatus
from tui.engine.sender import run_job


async def test_a_retry_after_of_99999_s_is_reported_as_asked(tmp_path: Path) -> None:
    # One request per 99999 s: the second batch is told Retry-After: 99999.
    app = rich_app(faults=FaultProfile(rate_limit_rps=1 / 99999, rate_limit_burst=1))
    with Journal(tmp_path / "journal.sqlite3") as journal:
        job_id = new_job(journal, numbers(200))
        with SandboxServer(app) as server:
            async with backend_for(url=server.url + "/api/rest") as backend:
                last = (await drain(run_job(journal, job_id, backend, batch_size=100,
                                            concurrency=1)))[-1]  # fmt: skip
    assert last.status is JobStatus.PAUSED
    assert last.totals.accepted == 100 and last.totals.pending == 100
    assert last.reason is not None
    assert "asked to wait 99999 s, longer than the 60 s a send waits at most" in last.reason
    assert "300 s" not in last.reason


def test_recipients_resent_after_an_unknown_outcome_keep_a_mark(
    account: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tos = [f"346{i:08d}" for i in range(150)]
    job_id = interrupted_job(tos)  # its first 100 were in flight when its process died
    assert cli_json("jobs", "resume", str(job_id))[0] == 3
    code, shown = cli_json("jobs", "show", str(job_id))
    assert shown["resent"] == 0 and shown["totals"]["unknown"] == 100

    code, _ = cli("jobs", "resume", str(job_id), "--resend-unknown", "--yes")
    assert code == 0
    code, shown = cli_json("jobs", "show", str(job_id))
    assert shown["resent"] == 100 and shown["totals"]["accepted"] == 150
    code, text = cli("jobs", "show", str(job_id))
    assert "100 recipients were sent it again after an unknown outcome: they may have " in text
    code, out = cli("jobs", "export", str(job_id), "-o", "-")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["to"] for r in rows if r["resent"] == "yes"} == set(tos[:100])
    assert {r["to"] for r in rows if r["resent"] == ""} == set(tos[100:])
    assert all(r["state"] == "ACCEPTED" for r in rows)


@pytest.fixture
def madrid(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Madrid's: clocks go 02:00 -> 03:00 on 2026-03-29, 03:00 -> 02:00 on
    2026-10-25."""
    monkeypatch.setenv("TZ", "Europe/Madrid")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def schedule(when: str) -> list[str]:
    return ["sms", "send", "-a", "demo", "--from", "ACME", "--to", "34666555444",
            "--message", "Hi", "--schedule", when]  # fmt: skip


def test_a_local_time_the_clocks_skip_is_refused(
    madrid: None, account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(schedule("2026-03-29T02:30")) == 2
    err = capsys.readouterr().err
    assert "2026-03-29T02:30 does not exist in this machine's time zone" in err
    assert len(log_of(nrs_server)) == 0
    # With an offset it is one moment, and so is a time outside the skipped hour.
    assert parse_when("2026-03-29T02:30+01:00").isoformat() == "2026-03-29T02:30:00+01:00"
    assert parse_when("2026-03-29T03:30").isoformat() == "2026-03-29T03:30:00+02:00"


def test_a_local_time_the_clocks_show_twice_asks_for_the_offset(madrid: None) -> None:
    with pytest.raises(ValueError) as refused:
        parse_when("2026-10-25 02:30")
    assert str(refused.value) == (
        "2026-10-25 02:30 happens twice in this machine's time zone (the clocks go back that "
        "day): add the offset of the one you mean, 2026-10-25T02:30+02:00 or "
        "2026-10-25T02:30+01:00"
    )
    assert parse_when("2026-10-25T02:30+01:00").isoformat() == "2026-10-25T02:30:00+01:00"


@pytest.mark.parametrize("when", ["0001-01-01", "0001-01-01T00:00+01:00", "9999-12-31T23:59-05:00"])
def test_a_date_beyond_what_can_be_sent_is_out_of_range(
    when: str, account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(schedule(when)) == 2
    err = capsys.readouterr().err
    assert f"date out of range: {when}" in err and "invalid" not in err
    assert len(log_of(nrs_server)) == 0
