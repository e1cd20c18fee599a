"""What the Surveys screen's three send forms share: typed entries, inline errors, confirmation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from textual import on
from textual.containers import VerticalScroll
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from backends.base import Backend
from screens.widgets.common import WorkerErrors, count_confirm, sb_app
from tui.engine.journal import Journal
from tui.engine.sender import Progress


def split_entries(text: str) -> list[str]:
    """Typed entries separated by commas, semicolons or spaces."""
    return [e for e in text.replace(";", ",").replace(" ", ",").split(",") if e.strip()]


class SendPane(WorkerErrors, VerticalScroll):
    """A send form: an inline error line, confirmation before sending, worker failures."""

    #: The id of this pane's `.error-text` Static.
    ERROR_ID = ""

    def focus_first_field(self) -> None:
        """Focus the form's first input or choice (the pane is shown)."""
        for widget in self.query("Input, Select"):
            if widget.focusable:
                widget.focus()
                return

    def value(self, selector: str) -> str:
        """An Input's stripped text."""
        return self.query_one(selector, Input).value.strip()

    def error(self, text: str) -> None:
        """Show (or clear, with "") the inline message for bad input."""
        self.query_one(f"#{self.ERROR_ID}", Static).update(text)

    def confirm(self, count: int, question: str, then: Callable[[], None]) -> None:
        """Ask before sending, as the one confirmation policy says (count_confirm)."""

        def answered(ok: bool | None) -> None:
            if ok:
                then()

        self.app.push_screen(count_confirm(count, question, "Send"), answered)

    async def send_job(
        self,
        create: Callable[[Journal, str, Backend], Awaitable[int]],
        run: Callable[[Journal, int, Backend], AsyncIterator[Progress]],
        progressed: Callable[[Progress], object],
    ) -> Progress | None:
        """Journal a job on the active account (`create`: its id) and send it (`run`),
        handing each progress to `progressed`; the last one (None: nothing ran). For a
        worker."""
        app = sb_app(self)
        account = app.active_account
        assert account is not None
        backend = await app.backend(account)
        # Opening and closing the journal (a WAL checkpoint) in threads: on the UI loop
        # each would freeze the screen.
        journal = await asyncio.to_thread(Journal, app.journal_path(account))
        last = None
        try:
            job_id = await create(journal, account, backend)
            async for last in run(journal, job_id, backend):
                progressed(last)
        finally:
            await asyncio.to_thread(journal.close)
        return last

    def sending_done(self) -> None:
        """Re-enable the form after a send ended (override)."""

    @on(Worker.StateChanged)
    def _worker_ended(self, event: Worker.StateChanged) -> None:
        # The failure itself goes to the error modal (WorkerErrors).
        ended = (WorkerState.ERROR, WorkerState.CANCELLED, WorkerState.SUCCESS)
        if event.state in ended and event.worker.group != "surveys-prepare":
            self.sending_done()
