"""What the Surveys screen's three send forms share: CSV reading, inline errors, confirmation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.containers import VerticalScroll
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from screens.widgets.common import WorkerErrors, count_confirm
from tui.engine.recipients import csv_rows


def read_csv(path_text: str) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file with a header (`csv_rows`), or ValueError."""
    path = Path(path_text).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None
    try:
        return csv_rows(text)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


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

    def sending_done(self) -> None:
        """Re-enable the form after a send ended (override)."""

    @on(Worker.StateChanged)
    def _worker_ended(self, event: Worker.StateChanged) -> None:
        # The failure itself goes to the error modal (WorkerErrors).
        ended = (WorkerState.ERROR, WorkerState.CANCELLED, WorkerState.SUCCESS)
        if event.state in ended and event.worker.group != "surveys-prepare":
            self.sending_done()
