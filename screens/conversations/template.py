"""The dialog that fills an approved WhatsApp template for a closed conversation."""

from __future__ import annotations

import asyncio

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from backends.models.send import (
    WhatsAppLocation,
    WhatsAppTemplateMessage,
    WhatsAppTemplateRequest,
)
from screens.widgets.common import sb_app
from screens.widgets.picker import Picker
from tui.usecases.recent_ids import Choice, IdKind, choices

# Variables are positional lists; "|" rarely appears in a variable's text, unlike commas.
SEPARATOR = "|"


def split_fields(raw: str) -> tuple[str, ...]:
    """Positional variables typed as `a | b | c` (empty input means none)."""
    if not raw.strip():
        return ()
    return tuple(part.strip() for part in raw.split(SEPARATOR))


def build_request(
    sender: str,
    recipient: str,
    *,
    template_id: str,
    header: str = "",
    body: str = "",
    actions: str = "",
    buttons: str = "",
    default_answer: str = "",
    lat: str = "",
    long: str = "",
) -> WhatsAppTemplateRequest:
    """The template send for one recipient, or ValueError saying what to fix."""
    if not template_id.strip().isdigit():
        raise ValueError("The template id must be a whole number.")
    if bool(lat.strip()) != bool(long.strip()):
        raise ValueError("A location needs both latitude and longitude.")
    location = WhatsAppLocation(lat.strip(), long.strip()) if lat.strip() else None
    message = WhatsAppTemplateMessage(
        to=recipient,
        header_fields=split_fields(header),
        body_fields=split_fields(body),
        call_to_action_fields=split_fields(actions),
        default_answer=default_answer.strip() or None,
        button_answers=split_fields(buttons),
        location=location,
    )
    return WhatsAppTemplateRequest(template_id=int(template_id), sender=sender, messages=(message,))


class TemplateSendModal(ModalScreen[WhatsAppTemplateRequest | None]):
    """Ask for an approved template's id and its variables; answers the request to send."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    TemplateSendModal #template-form {
        height: auto;
        max-height: 24;
    }
    """

    FIELDS = (
        ("header", "Header variables (in order, separated by |)"),
        ("body", "Body variables (in order, separated by |)"),
        ("actions", "Call-to-action variables (separated by |)"),
        ("buttons", "Quick-reply button answers (optional, separated by |)"),
        ("default-answer", "Default answer to the customer's first message (optional)"),
    )

    def __init__(self, sender: str, recipient: str) -> None:
        super().__init__(classes="dialog")
        self.sender = sender
        self.recipient = recipient

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body", id="template-dialog"):
            yield Label(f"Send a template to +{self.recipient}", classes="dialog-title")
            yield Static(
                "The 24-hour session is closed: only an approved template can be sent. "
                "The provider publishes no list of approved templates: ↓ offers the ids "
                "sent before from this account; else use the id shown in its dashboard.",
                classes="dialog-message",
            )
            with VerticalScroll(classes="form", id="template-form"):
                yield Label("Template id (↓ pick)")
                yield Picker(
                    placeholder="template id",
                    id="template-id",
                    type="integer",
                    title="WhatsApp templates sent before from this account",
                    loader=self._template_choices,
                )
                for field_id, label in self.FIELDS:
                    yield Label(label)
                    yield Input(id=field_id)
                yield Label("Location (templates with a location header)")
                with Horizontal(classes="field-row"):
                    yield Input(placeholder="latitude", id="lat")
                    yield Input(placeholder="longitude", id="long")
            yield Static("", id="template-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Review and send", variant="primary", id="send")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#template-id", Input).focus()

    async def _template_choices(self) -> list[Choice]:
        account = sb_app(self).active_account or ""
        return await asyncio.to_thread(choices, account, IdKind.WHATSAPP_TEMPLATE)

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    @on(Button.Pressed, "#send")
    @on(Input.Submitted)
    def action_send(self) -> None:
        """Check the fields and answer the request (the caller confirms before sending)."""
        try:
            request = build_request(
                self.sender,
                self.recipient,
                template_id=self._value("template-id"),
                header=self._value("header"),
                body=self._value("body"),
                actions=self._value("actions"),
                buttons=self._value("buttons"),
                default_answer=self._value("default-answer"),
                lat=self._value("lat"),
                long=self._value("long"),
            )
        except ValueError as exc:
            self.query_one("#template-error", Static).update(str(exc))
            return
        self.dismiss(request)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without sending."""
        self.dismiss(None)
