"""Document request form (Capability.DOCUMENT_REQUESTS, e.g. Collect): portal URL and status.

Error statuses come back as ProviderError whose message the backend already maps from the
reference's table (400, 401, 403, 404, 429, 500, 503); the error modal shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import orjson
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

from backends.capabilities import DocumentRequestsApi
from backends.models_surveys import (
    DocumentRequest,
    NewRequestContact,
    RequestSample,
    SentRequest,
    check_document_request,
)
from screens.surveys.common import SendPane
from screens.widgets.common import sb_app
from tui.dates import parse_optional, utc_label

SEND_MESSAGE = [("Campaign default", "default"), ("Yes", "yes"), ("No", "no")]


def parse_json_object(text: str, what: str) -> dict[str, Any]:
    """A JSON object typed in a field ("" is empty), or ValueError naming the field."""
    if not text:
        return {}
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f'{what} must be a JSON object, e.g. {{"policy": "A-12"}}')
    return value


def parse_due_date(text: str) -> datetime | None:
    """A due date (tui.dates: no offset is local time), or None when blank."""
    try:
        return parse_optional(text)
    except ValueError as exc:
        raise ValueError(f"Due date: {exc}.") from None


class CollectPane(SendPane):
    """Send a document/information request for a campaign to a new or existing contact."""

    BUSY_WORK: ClassVar[dict[str, str]] = {"surveys-collect": "a request send"}

    ERROR_ID = "collect-error"

    @dataclass
    class Sent(Message):
        """The provider created the request."""

        request: SentRequest

    def compose(self) -> ComposeResult:
        with Vertical(classes="form panel"):
            yield Label("Send a document request", classes="section-title")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("Campaign id")
                    yield Input(placeholder="xvr69EYLKXvTkfYuk", id="collect-campaign")
                with Vertical():
                    yield Label("Existing contact id (or a new contact below)")
                    yield Input(placeholder="WmTjsFknzHdmfs3Ra", id="collect-contact-id")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("New contact email")
                    yield Input(placeholder="jane@example.com", id="collect-email")
                with Vertical():
                    yield Label("First name")
                    yield Input(id="collect-first")
                with Vertical():
                    yield Label("Last name")
                    yield Input(id="collect-last")
                with Vertical():
                    yield Label("Company")
                    yield Input(id="collect-company")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("Contact custom data (JSON object)")
                    yield Input(placeholder='{"customerId": "C-1"}', id="collect-contact-data")
                with Vertical():
                    yield Label("Request data (JSON object)")
                    yield Input(placeholder='{"policy": "A-12"}', id="collect-data")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("Items (ids, comma-separated)")
                    yield Input(placeholder="idCard, proofOfAddress", id="collect-items")
                with Vertical():
                    yield Label("Sample: item id")
                    yield Input(placeholder="idCard", id="collect-sample-item")
                with Vertical():
                    yield Label("Sample: file URL")
                    yield Input(placeholder="https://…/example.pdf", id="collect-sample-url")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("Due date (ISO 8601, local time)")
                    yield Input(placeholder="2025-03-31T18:00:00Z", id="collect-due")
                with Vertical():
                    yield Label("Created by (member)")
                    yield Input(id="collect-created-by")
                with Vertical():
                    yield Label("Assigned to (member)")
                    yield Input(id="collect-assigned-to")
                with Vertical():
                    yield Label("Send the campaign's messages")
                    yield Select(
                        SEND_MESSAGE, value="default", allow_blank=False, id="collect-send-msg"
                    )
            yield Static("", id="collect-error", classes="error-text")
            with Horizontal(classes="button-row"):
                yield Button("Send request", variant="primary", id="collect-send")
        with Vertical(classes="panel", id="collect-result"):
            yield Label("Result", classes="section-title")
            yield Static("Nothing sent yet.", id="collect-status")
            yield Static("", id="collect-portal")

    def build(self) -> DocumentRequest:
        """The request the form describes, or ValueError saying what to fix."""
        campaign = self.value("#collect-campaign")
        if not campaign:
            raise ValueError("Enter the campaign id.")
        contact_id = self.value("#collect-contact-id")
        email = self.value("#collect-email")
        new_fields = ("#collect-email", "#collect-first", "#collect-last", "#collect-company")
        contact_data = parse_json_object(self.value("#collect-contact-data"), "Contact data")
        contact: NewRequestContact | str
        if contact_id:
            if any(self.value(f) for f in new_fields) or contact_data:
                raise ValueError("Give an existing contact id or a new contact, not both.")
            contact = contact_id
        elif not email:
            raise ValueError("Enter an existing contact id or the new contact's email.")
        elif "@" not in email:
            raise ValueError(f"{email!r} is not an email address.")
        else:
            contact = NewRequestContact(
                email=email,
                first_name=self.value("#collect-first") or None,
                last_name=self.value("#collect-last") or None,
                company=self.value("#collect-company") or None,
                data=contact_data,
            )
        sample_item, sample_url = (
            self.value("#collect-sample-item"),
            self.value("#collect-sample-url"),
        )
        if bool(sample_item) != bool(sample_url):
            raise ValueError("A sample needs both its item id and its file URL.")
        send_message = self.query_one("#collect-send-msg", Select).value
        items = tuple(i.strip() for i in self.value("#collect-items").split(",") if i.strip())
        request = DocumentRequest(
            campaign_id=campaign,
            contact=contact,
            items=items,
            data=parse_json_object(self.value("#collect-data"), "Request data"),
            sample=RequestSample(sample_item, sample_url) if sample_item else None,
            due_date=parse_due_date(self.value("#collect-due")),
            created_by=self.value("#collect-created-by") or None,
            assigned_to=self.value("#collect-assigned-to") or None,
            send_message=None if send_message == "default" else send_message == "yes",
        )
        # What collect_rules would refuse (an email without a domain, a sample that is no
        # http(s) link) is said here, before any request.
        check_document_request(request)
        return request

    @on(Button.Pressed, "#collect-send")
    @on(Input.Submitted)
    def action_send(self) -> None:
        """Validate the form, confirm, then send."""
        try:
            request = self.build()
        except ValueError as exc:
            self.error(str(exc))
            return
        self.error("")
        who = request.contact if isinstance(request.contact, str) else request.contact.email
        question = f"Send a request for campaign {request.campaign_id} to {who}?"
        self.confirm(1, question, lambda: self._start(request))

    def _start(self, request: DocumentRequest) -> None:
        self.query_one("#collect-send", Button).disabled = True
        self.query_one("#collect-status", Static).update("Sending…")
        self.query_one("#collect-portal", Static).update("")
        self.send(request)

    def sending_done(self) -> None:
        self.query_one("#collect-send", Button).disabled = False
        status = self.query_one("#collect-status", Static)
        if str(status.content) == "Sending…":
            status.update("Not sent.")

    @work(group="surveys-collect", exit_on_error=False)
    async def send(self, request: DocumentRequest) -> None:
        """Create the request on the active account."""
        backend = await sb_app(self).backend()
        self.post_message(
            self.Sent(await backend.capability(DocumentRequestsApi).send_request(request))
        )

    @on(Sent)
    def _sent(self, event: Sent) -> None:
        r = event.request
        due = f" · due {utc_label(r.due_date)}" if r.due_date else ""
        notes = f"\nProvider notes: {'; '.join(r.errors)}" if r.errors else ""
        self.query_one("#collect-status", Static).update(
            f"Request {r.id}: {r.status or 'created'}{due}{notes}"
        )
        self.query_one("#collect-portal", Static).update(f"Portal URL: {r.portal_url}")
