"""Survey send form (Capability.SURVEYS, e.g. Xebo): SMS, email or WhatsApp invitations."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from backends.capabilities import SurveysApi
from backends.models_surveys import (
    SurveyContact,
    SurveyMedium,
    SurveySend,
    check_contacts,
    contact_from_row,
    unique_contacts,
)
from backends.models_surveys import SurveySendResult as Result
from screens.surveys.common import SendPane, read_csv, split_entries
from screens.widgets.common import sb_app

MEDIUM_LABELS = {
    SurveyMedium.SMS: "SMS",
    SurveyMedium.EMAIL: "Email",
    SurveyMedium.WHATSAPP: "WhatsApp",
}


def contacts_from(medium: SurveyMedium, typed: str, csv_path: str) -> list[SurveyContact]:
    """Contacts from typed addresses and a CSV (email/mobile columns, others custom fields)."""
    key = medium.address_key
    contacts = [
        SurveyContact(email=a.strip()) if key == "email" else SurveyContact(mobile=a.strip())
        for a in split_entries(typed)
    ]
    if csv_path:
        contacts.extend(contact_from_row(row) for row in read_csv(csv_path))
    if not contacts:
        raise ValueError("Type at least one address or give a CSV file.")
    # An email typed for SMS is not a number (it was once sent as a mobile, and every
    # such entry counted as one "repeated address"): the kind must match the medium.
    check_contacts(contacts, medium)
    return contacts


class XeboPane(SendPane):
    """Send a survey to contacts; shows accepted/rejected counts and the rejected list."""

    BUSY_WORK: ClassVar[dict[str, str]] = {"surveys-xebo": "a survey send"}

    ERROR_ID = "xebo-error"

    @dataclass
    class Sent(Message):
        """The provider answered a survey send."""

        result: Result

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
            yield Input(placeholder="+34666555444, +34666555445", id="xebo-to")
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
        self.prepare(medium, self.value("#xebo-to"), self.value("#xebo-csv"))

    @work(group="surveys-prepare", exclusive=True, exit_on_error=False)
    async def prepare(self, medium: SurveyMedium, typed: str, csv_path: str) -> None:
        """Read the contacts in a thread (a big CSV would freeze the form), then confirm."""

        def read() -> tuple[list[SurveyContact], int]:
            return unique_contacts(contacts_from(medium, typed, csv_path), medium)

        try:
            contacts, repeated = await asyncio.to_thread(read)
        except ValueError as exc:
            self.error(str(exc))
            return
        self.error("")
        n = len(contacts)
        question = f"Send the survey by {MEDIUM_LABELS[medium]} to {n} contact(s)?"
        if repeated:
            question += f" ({repeated} repeated address(es) left out.)"
        self.confirm(n, question, lambda: self._start(SurveySend(medium, tuple(contacts))))

    def _start(self, send: SurveySend) -> None:
        self.query_one("#xebo-send", Button).disabled = True
        self.query_one("#xebo-counts", Static).update("Sending…")
        self.send(send)

    def sending_done(self) -> None:
        self.query_one("#xebo-send", Button).disabled = False
        counts = self.query_one("#xebo-counts", Static)
        if str(counts.content) == "Sending…":
            counts.update("Not sent.")

    @work(group="surveys-xebo", exit_on_error=False)
    async def send(self, send: SurveySend) -> None:
        """Send the survey on the active account."""
        backend = await sb_app(self).backend()
        self.post_message(self.Sent(await backend.capability(SurveysApi).send_survey(send)))

    @on(Sent)
    def _sent(self, event: Sent) -> None:
        r = event.result
        message = f" · {r.message}" if r.message else ""
        self.query_one("#xebo-counts", Static).update(
            f"Accepted: {r.accepted} · Rejected: {r.rejected}{message}"
        )
        table = self.query_one("#xebo-rejected", DataTable)
        table.clear()
        for item in r.rejected_list:
            c = item.contact
            who = str(c.get("mobile") or c.get("email") or c)
            table.add_row(who, item.reason)
