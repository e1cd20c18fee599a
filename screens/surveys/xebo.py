"""Survey send form (Capability.SURVEYS, e.g. Xebo): SMS, email or WhatsApp invitations."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from backends.models.surveys import SurveyMedium
from screens.surveys.common import SendPane, split_entries
from screens.widgets.common import sb_app
from tui.engine.journal_rows import JobStatus, State
from tui.engine.sender import Progress
from tui.usecases.surveys import (
    ContactsInput,
    NoContacts,
    SurveyContacts,
    SurveyRefused,
    create_survey,
    read_contacts,
    run_survey,
    survey_question,
)

MEDIUM_LABELS = {
    SurveyMedium.SMS: "SMS",
    SurveyMedium.EMAIL: "Email",
    SurveyMedium.WHATSAPP: "WhatsApp",
}
# Contacts listed under the counts: the ones not accepted, as far as this many.
RESULT_ROWS = 500


def progress_line(p: Progress) -> str:
    """The counts line: how the job stands and, once it stopped, why."""
    t = p.totals
    line = f"Accepted: {t.accepted} · Rejected: {t.rejected} · Unknown: {t.unknown}"
    if t.pending or t.sending:
        line += f" · Pending: {t.pending + t.sending}"
    line += f" · Job {p.job_id} {p.status.value.lower()}"
    if p.status is not JobStatus.RUNNING and p.status is not JobStatus.DONE:
        done = t.accepted + t.rejected + t.unknown
        line = ("Not sent. " if not done else "") + line
        # The engine's reason says what to fix; the Jobs screen resumes the job.
        line += f"\n{p.reason or 'Stopped.'}"
    return line


class XeboPane(SendPane):
    """Send a survey to contacts as a journaled job; counts and the contacts not accepted."""

    BUSY_WORK: ClassVar[dict[str, str]] = {"surveys-xebo": "a survey send"}

    ERROR_ID = "xebo-error"

    @dataclass
    class Progressed(Message):
        """A coalesced engine update of the survey job."""

        progress: Progress

    def compose(self) -> ComposeResult:
        with Vertical(classes="form panel"):
            yield Label("Send a survey", classes="section-title")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("Channel")
                    yield Select(
                        [(label, m) for m, label in MEDIUM_LABELS.items()],
                        value=SurveyMedium.SMS,
                        allow_blank=False,
                        id="xebo-medium",
                    )
                with Vertical():
                    yield Label("CSV file (email, mobile; other columns = respondent fields)")
                    yield Input(placeholder="contacts.csv", id="xebo-csv")
            yield Label("Recipients (mobile numbers or emails, comma-separated)")
            yield Input(placeholder="e.g. +34666555444, +34666555445", id="xebo-to")
            yield Static("", id="xebo-error", classes="error-text")
            with Horizontal(classes="button-row"):
                yield Button("Send survey", variant="primary", id="xebo-send")
        with Vertical(classes="panel", id="xebo-result"):
            yield Label("Result", classes="section-title")
            yield Static("Nothing sent yet.", id="xebo-counts")
            yield DataTable(id="xebo-rejected", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#xebo-rejected", DataTable).add_columns("Contact", "Reason")

    @on(Button.Pressed, "#xebo-send")
    @on(Input.Submitted, "#xebo-to, #xebo-csv")
    def action_send(self) -> None:
        """Validate the form, confirm, then send."""
        medium = self.query_one("#xebo-medium", Select).value
        assert isinstance(medium, SurveyMedium)
        csv_path = self.value("#xebo-csv")
        given = ContactsInput(
            medium, split_entries(self.value("#xebo-to")), file=Path(csv_path) if csv_path else None
        )
        self.prepare(given)

    @work(group="surveys-prepare", exclusive=True, exit_on_error=False)
    async def prepare(self, given: ContactsInput) -> None:
        """Read the contacts in a thread (a big CSV would freeze the form), then confirm."""
        try:
            found = await asyncio.to_thread(read_contacts, given)
        except NoContacts:
            self.error("Type at least one address or give a CSV file.")
            return
        except SurveyRefused as exc:
            self.error(str(exc))
            return
        self.error("")
        self.confirm(len(found.contacts), survey_question(found), lambda: self._start(found))

    def _start(self, found: SurveyContacts) -> None:
        self.query_one("#xebo-send", Button).disabled = True
        self.query_one("#xebo-counts", Static).update("Sending…")
        self.query_one("#xebo-rejected", DataTable).clear()
        self.send(found)

    def sending_done(self) -> None:
        self.query_one("#xebo-send", Button).disabled = False
        counts = self.query_one("#xebo-counts", Static)
        if str(counts.content) == "Sending…":
            counts.update("Not sent.")

    @work(group="surveys-xebo", exit_on_error=False)
    async def send(self, found: SurveyContacts) -> None:
        """Journal the survey job and send it on the active account."""
        await self.send_job(
            lambda journal, account, backend: create_survey(journal, account, backend, found),
            run_survey,
            lambda progress: self.post_message(self.Progressed(progress)),
        )

    @on(Progressed)
    def _progressed(self, event: Progressed) -> None:
        p = event.progress
        self.query_one("#xebo-counts", Static).update(progress_line(p))
        table = self.query_one("#xebo-rejected", DataTable)
        for o in p.results:
            if o.state is not State.ACCEPTED and table.row_count < RESULT_ROWS:
                table.add_row(o.to, o.reason or o.state.value)
        if p.error is not None:
            # Paused by the provider's refusal (401/402/403): its code in the error dialog.
            sb_app(self).show_error(p.error)
