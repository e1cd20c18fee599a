"""Document request form (Capability.DOCUMENT_REQUESTS, e.g. Collect): portal URL and status.

Error statuses come back as ProviderError whose message the backend already maps from the
reference's table (400, 401, 403, 404, 429, 500, 503); the error modal shows it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

from backends.models.surveys import DocumentRequest, SentRequest
from screens.surveys.common import SendPane
from screens.widgets.common import sb_app
from screens.widgets.picker import Picker
from tui.dates import utc_label
from tui.usecases.recent_ids import Choice, IdKind, choices, remember
from tui.usecases.surveys import RequestForm, document_request, request_question, send_request

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
                    yield Label("Campaign id (↓ pick)")
                    yield Picker(
                        placeholder="campaign id",
                        id="collect-campaign",
                        title="Collect campaigns (no list in the API: used before)",
                        loader=self._campaign_choices,
                    )
                with Vertical():
                    yield Label("Existing contact id (or a new contact below)")
                    yield Input(placeholder="e.g. WmTjsFknzHdmfs3Ra", id="collect-contact-id")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("New contact email")
                    yield Input(placeholder="e.g. jane@example.com", id="collect-email")
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
                    yield Input(placeholder="e.g. idCard, proofOfAddress", id="collect-items")
                with Vertical():
                    yield Label("Sample: item id")
                    yield Input(placeholder="e.g. idCard", id="collect-sample-item")
                with Vertical():
                    yield Label("Sample: file URL")
                    yield Input(placeholder="e.g. https://…/example.pdf", id="collect-sample-url")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("Due date (ISO 8601, local time)")
                    yield Input(placeholder="e.g. 2025-03-31T18:00:00Z", id="collect-due")
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
        """The request the form describes, or SurveyRefused saying what to fix."""
        send_message = self.query_one("#collect-send-msg", Select).value
        form = RequestForm(
            campaign=self.value("#collect-campaign"),
            contact_id=self.value("#collect-contact-id"),
            email=self.value("#collect-email"),
            first_name=self.value("#collect-first"),
            last_name=self.value("#collect-last"),
            company=self.value("#collect-company"),
            contact_data=parse_json_object(self.value("#collect-contact-data"), "Contact data"),
            items=tuple(i.strip() for i in self.value("#collect-items").split(",") if i.strip()),
            data=parse_json_object(self.value("#collect-data"), "Request data"),
            sample_item=self.value("#collect-sample-item"),
            sample_url=self.value("#collect-sample-url"),
            due=self.value("#collect-due"),
            created_by=self.value("#collect-created-by"),
            assigned_to=self.value("#collect-assigned-to"),
            send_message=None if send_message == "default" else send_message == "yes",
        )
        return document_request(form)

    @on(Button.Pressed, "#collect-send")
    @on(Input.Submitted)
    def action_send(self) -> None:
        """Validate the form, confirm, then send."""
        try:
            request = self.build()
        except ValueError as exc:
            self.error(str(exc)[:1].upper() + str(exc)[1:])
            return
        self.error("")
        self.confirm(1, request_question(request), lambda: self._start(request))

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

    async def _campaign_choices(self) -> list[Choice]:
        account = sb_app(self).active_account or ""
        return await asyncio.to_thread(choices, account, IdKind.COLLECT_CAMPAIGN)

    @work(group="surveys-collect", exit_on_error=False)
    async def send(self, request: DocumentRequest) -> None:
        """Create the request on the active account."""
        account = sb_app(self).active_account or ""
        backend = await sb_app(self).backend(account)
        sent = await send_request(backend, request)
        # Collect created it: the campaign id works on this account, offered first next time.
        await asyncio.to_thread(remember, account, IdKind.COLLECT_CAMPAIGN, request.campaign_id)
        self.post_message(self.Sent(sent))

    @on(Sent)
    def _sent(self, event: Sent) -> None:
        r = event.request
        due = f" · due {utc_label(r.due_date)}" if r.due_date else ""
        notes = f"\nProvider notes: {'; '.join(r.errors)}" if r.errors else ""
        self.query_one("#collect-status", Static).update(
            f"Request {r.id}: {r.status or 'created'}{due}{notes}"
        )
        self.query_one("#collect-portal", Static).update(f"Portal URL: {r.portal_url}")
