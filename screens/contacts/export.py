"""The Contacts tab's CSV export: the file prompt, the export worker and its progress."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.message import Message
from textual.widgets import Button, ProgressBar, Static

from backends.capabilities import ContactsListingApi
from backends.models.common import ContactFilter
from screens.contacts.forms import TextPromptModal, WorkerPane
from screens.widgets.common import Coalesce, ConfirmModal, sb_app
from tui.usecases.contacts_io import ExportProgress, export_contacts


class ContactsExport(WorkerPane):
    """The export half of the Contacts tab (`ContactsPane` is the rest): writes every
    contact of the pane's current filter to a CSV file, with a progress bar."""

    BUSY_WORK: ClassVar[dict[str, str]] = {"contacts-export": "a contacts export"}

    #: The listing's current server-side filter (kept by ContactsPane), what an export writes.
    filters: ContactFilter

    @dataclass
    class Exported(Message):
        """Export progress: `done` of `total` rows written (final when `finished`)."""

        done: int
        total: int
        path: str
        finished: bool

    @on(Button.Pressed, "#c-export")
    def action_export(self) -> None:
        """Write the current filter's contacts to a CSV file."""
        prompt = TextPromptModal("Export contacts", "CSV file to write", "contacts.csv")
        self.app.push_screen(prompt, self._export_to)

    def _export_to(self, raw: str | None) -> None:
        if raw is None:
            return
        path = Path(raw).expanduser()
        if path.is_dir() or not path.parent.is_dir():
            self.query_one("#contacts-status", Static).update(
                f"Cannot write {path}: choose a file in an existing folder."
            )
            return
        if not path.exists():
            self.export(path, self.filters)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.export(path, self.filters)

        question = f"{path} exists. Replace it?"
        self.app.push_screen(ConfirmModal(question, yes_label="Replace"), answered)

    @work(group="contacts-export", exit_on_error=False)
    async def export(self, path: Path, filters: ContactFilter) -> None:
        """Stream every page of the filter's contacts into a CSV file."""
        api = (await sb_app(self).backend()).capability(ContactsListingApi)
        posts = Coalesce()

        def progress(event: ExportProgress) -> None:
            if posts.due():
                self.post_message(self.Exported(event.done, event.total, str(path), False))

        done = await export_contacts(api, path, filters, progress=progress)
        self.post_message(self.Exported(done.done, done.total, str(path), True))

    @on(Exported)
    def _exported(self, event: Exported) -> None:
        bar = self.query_one("#export-progress", ProgressBar)
        bar.display = True
        bar.update(total=max(event.total, 1), progress=event.done)
        status = self.query_one("#contacts-status", Static)
        if event.finished:
            status.update(f"Exported {event.done} contacts to {event.path}")
        else:
            status.update(f"Exporting… {event.done} of {event.total}")
