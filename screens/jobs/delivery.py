"""The Jobs screen's delivery watch: one line that follows a job's delivery funnel.

`start` checks the job can be watched and polls it (tui.usecases.delivery) in a worker;
each round updates the line and posts `Moved`, on which the screen reads the details
(funnel and latest reports) again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.message import Message
from textual.widgets import Static

from backends.errors import SwitchboardError
from screens.widgets.common import sb_app
from tui.engine.delivery_poll import DeliveryUpdate
from tui.engine.journal import Journal
from tui.engine.journal_rows import Job
from tui.usecases.delivery import watch_job, watchable


def watch_line(job_id: int, u: DeliveryUpdate) -> str:
    """The line for a round of a job's watch."""
    if u.funnel.done:
        return f"Job {job_id}: every accepted recipient has a final state."
    if u.expired:
        return f"Job {job_id}: validity over, {u.funnel.waiting} never reported."
    text = f"Watching job {job_id}: {u.funnel.line()}"
    if u.problem:
        text += f" (last check failed: {u.problem})"
    return text


class DeliveryWatch(Static):
    """The watched job's funnel in one line (hidden until a watch starts, jobs.tcss)."""

    @dataclass
    class Moved(Message):
        """A round of the watched job's delivery was journaled."""

        job_id: int

    def start(self, job: Job, journal_path: Path) -> str:
        """Watch `job`; why not (for the error line), or "" when it started."""
        if job.account not in sb_app(self).workspace.accounts():
            return f"Job {job.id} belongs to account {job.account!r}, which is gone."
        why = watchable(job)
        if why is not None:
            return f"Job {job.id}: {why}."
        self.display = True
        self.update(f"Watching job {job.id}…")
        self.follow(job.id, journal_path)
        return ""

    @work(group="jobs-watch", exclusive=True, exit_on_error=False)
    async def follow(self, job_id: int, journal_path: Path) -> None:
        """Poll the job's delivery states until every one is final (or validity ends)."""
        journal = await asyncio.to_thread(Journal, journal_path)
        try:
            async for update in watch_job(journal, job_id, sb_app(self).workspace):
                self.update(watch_line(job_id, update))
                self.post_message(self.Moved(job_id))
        except SwitchboardError as exc:
            self.update(f"Job {job_id}: {exc.message}")
        finally:
            # Closing checkpoints the WAL: not on the UI loop.
            await asyncio.to_thread(journal.close)
