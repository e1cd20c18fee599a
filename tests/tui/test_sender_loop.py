"""The send engine keeps journal work off the event loop (issue 14: a screen's loop must
not wait for the journal), and a claim made in a thread never leaves a batch claimed but
unsent, whether the run is cancelled or paused while the claim runs."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.tui.test_sender import backend_for, drain, new_job, numbers, per_recipient, rich_app
from tui.engine.journal import Journal
from tui.engine.journal_rows import Claimed, JobStatus, State
from tui.engine.sender import JobControl, run_job


class WatchedJournal(Journal):
    """A journal that notes the thread of each write a run makes, and can make claims
    slow (a busy disk, or another batch's results holding the lock)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.threads: dict[str, set[int]] = {}
        self.claim_delay = 0.0
        self.claiming = threading.Event()

    def _note(self, what: str) -> None:
        self.threads.setdefault(what, set()).add(threading.get_ident())

    def claim_batch(self, job_id: int, n: int) -> list[Claimed]:
        self._note("claim_batch")
        self.claiming.set()
        time.sleep(self.claim_delay)
        return super().claim_batch(job_id, n)

    def record_results(self, job_id: int, outcomes: Any) -> None:
        self._note("record_results")
        super().record_results(job_id, outcomes)

    def start(self, job_id: int) -> None:
        self._note("start")
        super().start(job_id)

    def stop(self, job_id: int, status: JobStatus, reason: str | None = None) -> None:
        self._note("stop")
        super().stop(job_id, status, reason)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[WatchedJournal]:
    j = WatchedJournal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


async def test_no_journal_write_runs_on_the_loop(journal: WatchedJournal) -> None:
    job_id = new_job(journal, numbers(1_200))
    loop_thread = threading.get_ident()
    async with backend_for(rich_app()) as backend:
        updates = await drain(run_job(journal, job_id, backend, batch_size=500))
    assert updates[-1].status is JobStatus.DONE and updates[-1].totals.accepted == 1_200
    assert set(journal.threads) == {"claim_batch", "record_results", "start", "stop"}
    for what, threads in journal.threads.items():
        assert loop_thread not in threads, what


async def wait_for_claim(journal: WatchedJournal) -> None:
    while not journal.claiming.is_set():
        await asyncio.sleep(0.005)


async def test_cancelled_while_claiming_the_batch_goes_back_unsent(
    journal: WatchedJournal,
) -> None:
    job_id = new_job(journal, numbers(10))
    journal.claim_delay = 0.3
    app = rich_app()
    async with backend_for(app) as backend:
        task = asyncio.ensure_future(drain(run_job(journal, job_id, backend, concurrency=1)))
        await wait_for_claim(journal)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert per_recipient(app.state.log) == {}
    assert {r.state for r in journal.recipients(job_id)} == {State.PENDING}
    assert journal.job(job_id).status is JobStatus.PAUSED


async def test_paused_while_claiming_nothing_more_is_sent(journal: WatchedJournal) -> None:
    job_id = new_job(journal, numbers(10))
    journal.claim_delay = 0.3
    control = JobControl()
    app = rich_app()
    async with backend_for(app) as backend:
        task = asyncio.ensure_future(
            drain(run_job(journal, job_id, backend, concurrency=1, control=control))
        )
        await wait_for_claim(journal)
        control.pause()
        updates = await task
    assert updates[-1].status is JobStatus.PAUSED
    assert per_recipient(app.state.log) == {}
    assert {r.state for r in journal.recipients(job_id)} == {State.PENDING}
