"""Compose's form: its fields laid out per channel, the preview, and the draft read from them."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from backends.models.send import VOICE_GENDERS, VOICE_LANGUAGES, WhatsAppLocation
from screens.compose.form import (
    CHANNELS,
    Channel,
    Draft,
    parse_send_time,
    preview,
    split_values,
    validate,
)
from screens.widgets.common import BaseScreen, sb_app
from screens.widgets.picker import Picker
from tui.usecases.pick_lists import template_choices
from tui.usecases.recent_ids import Choice, IdKind, choices

PREFLIGHT_HINT = "Press Preflight (Ctrl+T) to check recipients and cost before sending."
SOURCES = (("Typed", "typed"), ("Contact group", "group"), ("CSV file", "csv"))
SOURCE_HINTS = {
    "typed": "Recipients, separated by commas",
    "group": "Contact group (name or id)",
    "csv": "CSV file with a header (a to/phone/email column; the others are variables)",
}
# By the kind of typed recipients, else by source (numbers are no hint for a file path).
RECIPIENT_PLACEHOLDERS = {
    "phone": "34666555444, 34666555445",
    "email": "ana@example.com, luis@example.com",
    "group": "(a contact group's name or id)",
    "csv": "(path of a .csv file)",
}
# What a CSV without a recognisable recipient column should do, in this screen's words.
COLUMN_HINT = "type its name in the CSV column field"
# The template id field serves three channels: its label and its pick list follow.
TEMPLATE_LABELS = {
    "landing": "Template id (↓ pick)",
    "email": "Template id (↓ pick)",
    "whatsapp": "WhatsApp template id (↓ pick)",
}
TEMPLATE_TITLES = {
    "landing": "The account's templates",
    "email": "The account's templates",
    "whatsapp": "WhatsApp templates sent before from this account",
}
# No provider price list for these channels: the cost is known only from the reports.
NO_PRICES = "cost: the provider publishes no prices for {label}"


class ComposeForm(BaseScreen):
    """The fields of every channel, the preview of what recipients get, the draft they make."""

    channel: Channel
    sample: list[tuple[str, dict[str, str] | None]]

    def _compose_recipients(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            with Vertical():
                yield Label("Channel")
                yield Select([(c.label, c.key) for c in CHANNELS], allow_blank=False, id="channel")
            with Vertical():
                yield Label("Recipients from")
                yield Select(SOURCES, value="typed", allow_blank=False, id="source")
        yield Label(SOURCE_HINTS["typed"], id="recipients-label")
        yield Input(placeholder=RECIPIENT_PLACEHOLDERS["phone"], id="recipients")
        with Vertical(id="column-field"):
            yield Label("CSV column with the recipients (empty: to, phone, email...)")
            yield Input(placeholder="(guess from the header)", id="to-column")

    def _compose_message(self) -> ComposeResult:
        with Vertical(classes="field ch-sms ch-landing ch-whatsapp"):
            yield Label("Sender (from)", id="sender-label")
            yield Input(placeholder="e.g. MyCompany", id="sender")
        with Vertical(classes="field ch-email"):
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("From address (↓ pick)")
                    yield Picker(
                        placeholder="e.g. news@example.com",
                        id="from-email",
                        title="Senders that sent email from this account",
                        loader=self._sender_choices,
                    )
                with Vertical():
                    yield Label("From name")
                    yield Input(id="from-name")
            yield Label("Reply-to address")
            yield Input(placeholder="e.g. support@example.com", id="reply-to")
            yield Label("Subject")
            yield Input(id="subject")
        with Vertical(classes="field ch-sms ch-landing ch-voice"):
            yield Label("Message ({name}: a variable; {url|shorten}: a short link)")
            yield TextArea(id="message", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="counter", classes="field ch-sms ch-landing")
        with Vertical(classes="field ch-landing ch-email"):
            yield Label("HTML body (or a template id below)", id="html-label")
            yield TextArea(id="html", soft_wrap=True)
        with Vertical(classes="field ch-landing ch-email ch-whatsapp"):
            yield Label(TEMPLATE_LABELS["landing"], id="template-label")
            yield Picker(type="integer", id="template-id", loader=self._template_choices)
        with Horizontal(classes="field field-row ch-voice"):
            with Vertical():
                yield Label("Language")
                yield Select([(v, v) for v in VOICE_LANGUAGES], value="es_ES", id="language")
            with Vertical():
                yield Label("Voice")
                yield Select(
                    [("Female" if g == "F" else "Male", g) for g in VOICE_GENDERS],
                    value="F",
                    id="gender",
                )
        with Vertical(classes="field ch-audio"):
            yield Label("Audio file URL (mp3 or wav)")
            yield Input(placeholder="e.g. https://example.com/message.mp3", id="audio-url")
        with Vertical(classes="field ch-whatsapp"):
            yield Label("Header variables, separated by ; ({name}: the recipient's)")
            yield Input(id="wa-header")
            yield Label("Body variables, separated by ;")
            yield Input(id="wa-body")
            yield Label("Call-to-action (button URL) variables, separated by ;")
            yield Input(id="wa-cta")
            yield Label("Quick-reply button answers, separated by ;")
            yield Input(id="wa-buttons")
            yield Label("Default answer to the customer's first message")
            yield Input(placeholder="(none)", id="wa-default")
            yield Label("Location (templates with a location): latitude, longitude")
            with Horizontal(classes="field-row"):
                yield Input(placeholder="e.g. 39.9251", id="wa-lat")
                yield Input(placeholder="e.g. -0.1057", id="wa-long")
            with Horizontal(classes="field-row"):
                yield Input(placeholder="Place name", id="wa-loc-name")
                yield Input(placeholder="Address", id="wa-loc-address")

    def _compose_options(self) -> ComposeResult:
        yield Label("Campaign name")
        yield Input(placeholder="(none)", id="campaign")
        with Horizontal(classes="field-row"):
            with Vertical(classes="field ch-sms ch-landing ch-email ch-voice ch-audio"):
                yield Label("Send at (local time, or ISO)")
                yield Input(placeholder="now", id="schedule")
                yield Static("", id="schedule-utc", classes="utc-line")
            with Vertical(classes="field ch-sms ch-landing ch-voice ch-audio"):
                yield Label("Expires at")
                yield Input(placeholder="never", id="expires")
                yield Static("", id="expires-utc", classes="utc-line")
        with Horizontal(classes="field field-row ch-sms ch-landing ch-email"):
            yield Checkbox("Certified", id="certified")
            yield Checkbox("No accents (á→a)", id="trans", classes="field ch-sms ch-landing")
            yield Checkbox("Flash", id="flash", classes="field ch-sms ch-landing")

    # --- pick lists -----------------------------------------------------------------------
    async def _sender_choices(self) -> list[Choice]:
        """Email senders: the reference lists none, so those that sent from the account."""
        account = sb_app(self).active_account or ""
        return await asyncio.to_thread(choices, account, IdKind.EMAIL_SENDER)

    async def _template_choices(self) -> list[Choice]:
        """WhatsApp: the template ids sent before (the reference lists none); landing and
        email: the account's templates (templateV2Id: the current editor's)."""
        account = sb_app(self).active_account or ""
        if self.channel.key == "whatsapp":
            return await asyncio.to_thread(choices, account, IdKind.WHATSAPP_TEMPLATE)
        return await template_choices(await sb_app(self).backend(account), v2=True)

    # --- account and channel --------------------------------------------------------------
    def _preview_template(self) -> str:
        key = self.channel.key
        if key == "email":
            return self.query_one("#html", TextArea).text
        if key == "whatsapp":
            # What each recipient's message carries: the engine fills in the variables.
            parts = [
                " · ".join(split_values(self.query_one(f"#wa-{part}", Input).value, ";"))
                for part in ("header", "body", "cta")
            ]
            return " | ".join(p for p in parts if p)
        if key == "audio":
            return self.query_one("#audio-url", Input).value
        return self.query_one("#message", TextArea).text

    def _refresh_preview(self) -> None:
        self.query_one("#preview", Static).update(preview(self._preview_template(), self.sample))

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    def _location(self) -> WhatsAppLocation | None:
        lat, long = self._value("#wa-lat"), self._value("#wa-long")
        if not lat and not long:
            return None
        if not lat or not long:
            raise ValueError("a location needs both its latitude and its longitude")
        return WhatsAppLocation(
            lat, long, self._value("#wa-loc-name") or None, self._value("#wa-loc-address") or None
        )

    def _template_id(self) -> int | None:
        template = self._value("#template-id")
        if not template:
            return None
        try:
            return int(template)
        except ValueError:
            raise ValueError(f"the template id must be a whole number, not {template!r}") from None

    def _draft(self) -> Draft:
        """The form as a Draft; ValueError for what cannot be sent as typed."""
        html = self.query_one("#html", TextArea).text
        language = self.query_one("#language", Select).value
        gender = self.query_one("#gender", Select).value
        now = datetime.now().astimezone()
        try:
            schedule = parse_send_time(self._value("#schedule"), now=now)
            expires = parse_send_time(self._value("#expires"), now=now)
        except ValueError as exc:
            raise ValueError(f"date: {exc}") from None
        whatsapp = self.channel.key == "whatsapp"
        draft = Draft(
            channel=self.channel,
            source=str(self.query_one("#source", Select).value),
            recipients=self._value("#recipients"),
            sender=self._value("#sender"),
            message=self.query_one("#message", TextArea).text,
            campaign=self._value("#campaign") or None,
            schedule=schedule,
            expires=expires if self.channel.key not in ("email", "whatsapp") else None,
            certified=self.query_one("#certified", Checkbox).value,
            trans=self.query_one("#trans", Checkbox).value,
            flash=self.query_one("#flash", Checkbox).value,
            from_email=self._value("#from-email"),
            from_name=self._value("#from-name") or None,
            reply_to=self._value("#reply-to"),
            subject=self._value("#subject"),
            html=html if html.strip() else None,
            template_id=self._template_id(),
            language=language if isinstance(language, str) else "",
            gender=gender if isinstance(gender, str) else "",
            audio_url=self._value("#audio-url"),
            header_fields=split_values(self._value("#wa-header"), ";"),
            body_fields=split_values(self._value("#wa-body"), ";"),
            cta_fields=split_values(self._value("#wa-cta"), ";"),
            button_answers=split_values(self._value("#wa-buttons"), ";"),
            default_answer=self._value("#wa-default") or None,
            location=self._location() if whatsapp else None,
            to_column=self._value("#to-column") or None,
        )
        if whatsapp:
            draft = replace(draft, schedule=None)
        validate(draft)
        return draft
