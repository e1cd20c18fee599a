"""Issue 13 point 13, the smaller faults: what a send says of a provider's long Retry-After,
the mark on recipients re-sent after an unknown outcome, dates that do not exist."""

from __future__ import annotations

from pathlib import Path

from backends.sandbox.core import SandboxServer
from backends.sandbox.faults import FaultProfile
from tests.tui.test_sender import backend_for, drain, new_job, numbers, rich_app
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
