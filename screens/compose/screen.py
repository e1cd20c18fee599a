"""Compose and send: one form for every channel the active account offers.

Every send goes through the send engine: a journaled job (SMS, landing SMS, email, voice,
WhatsApp template) with live progress, resumable and exportable from the Jobs screen.
SMS and landing SMS carry the preflight's prices per country, so the cost so far shows
while they send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea
from textual.worker import Worker, WorkerState

from backends.models.send import VOICE_GENDERS, VOICE_LANGUAGES, WhatsAppLocation
from screens.compose.form import (
    BY_KEY,
    CHANNELS,
    Channel,
    Draft,
    counter,
    offered,
    parse_send_time,
    preview,
    send_request,
    split_values,
    validate,
)
from screens.widgets.common import BaseScreen, count_confirm, sb_app
from screens.widgets.progress import SendProgress, follow
from tui.dates import utc_label
from tui.engine.journal import Journal, default_path
from tui.engine.ratelimit import RateLimiter
from tui.engine.recipients import (
    Kind,
    RecipientsError,
    peek_csv,
)
from tui.engine.sender import JobControl, run_job
from tui.usecases import send as send_usecase
from tui.usecases.send import SMS_LIKE, Stage

PREFLIGHT_HINT = "Press Preflight (Ctrl+T) to check recipients and cost before sending."
SOURCES = (("Typed", "typed"), ("Contact group", "group"), ("CSV file", "csv"))
SOURCE_HINTS = {
    "typed": "Recipients, separated by commas",
    "group": "Contact group (name or id)",
    "csv": "CSV file with a header (a to/phone/email column; the others are variables)",
}
RECIPIENT_PLACEHOLDERS = {
    "phone": "34666555444, 34666555445",
    "email": "ana@example.com, luis@example.com",
}
# What a CSV without a recognisable recipient column should do, in this screen's words.
COLUMN_HINT = "type its name in the CSV column field"
# No provider price list for these channels: the cost is known only from the reports.
NO_PRICES = "cost: the provider publishes no prices for {label}"


class ComposeScreen(BaseScreen):
    """Compose a message on any channel the account offers, preflight it and send it."""

    BUSY_WORK: ClassVar[dict[str, str]] = {"send": "a send"}

    TITLE = "Compose"
    CSS_PATH = "compose.tcss"
    # Typing starts in the recipients (see _account_changed), not in the scrolling form.
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send"),
        Binding("ctrl+t", "check", "Preflight"),
        Binding("ctrl+b", "pause", "Pause send"),
    ]

    # Engine settings for jobs: the engine's own defaults (batches of 500, 4 requests at
    # once, no rate ceiling until the provider answers 429).
    BATCH_SIZE = 500
    CONCURRENCY = 4
    RATE_LIMIT: float | None = None

    @dataclass
    class Prepared(Message):
        """Recipients loaded and preflighted; `send` when the operator asked to send."""

        account: str
        draft: Draft
        prepared: send_usecase.Prepared
        send: bool

    @dataclass
    class Peeked(Message):
        """The first rows of a CSV file, for the preview."""

        path: str
        rows: list[tuple[str, dict[str, str] | None]]

    @dataclass
    class JobStarted(Message):
        """A job was journaled and starts sending."""

        job_id: int
        label: str
        total: int
        journal_path: Path
        job_control: JobControl
        cost_note: str

    def __init__(self) -> None:
        super().__init__()
        self.channel: Channel = CHANNELS[0]
        self.sample: list[tuple[str, dict[str, str] | None]] = []
        self.sending = False

    # --- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static("", id="compose-unsupported", classes="notice")
        with Horizontal(id="compose-body"):
            with Vertical(id="compose-left"):
                with VerticalScroll(id="compose-form", classes="form panel"):
                    yield from self._compose_recipients()
                    yield from self._compose_message()
                    yield from self._compose_options()
                yield Static("", id="form-error", classes="error-text")
                with Horizontal(classes="button-row"):
                    yield Button("Preflight", id="check")
                    yield Button("Send…", variant="primary", id="send")
            with VerticalScroll(id="compose-side"):
                with Vertical(classes="panel"):
                    yield Label("Preview", classes="section-title")
                    yield Static("", id="preview")
                with Vertical(classes="panel"):
                    yield Label("Preflight", classes="section-title")
                    yield Static(PREFLIGHT_HINT, id="preflight")
                yield SendProgress(id="progress")
        yield from self.compose_footer()

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
            yield Input(placeholder="MyCompany", id="sender")
        with Vertical(classes="field ch-email"):
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("From address")
                    yield Input(placeholder="news@example.com", id="from-email")
                with Vertical():
                    yield Label("From name")
                    yield Input(id="from-name")
            yield Label("Reply-to address")
            yield Input(placeholder="support@example.com", id="reply-to")
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
            yield Label("Template id", id="template-label")
            yield Input(type="integer", id="template-id")
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
            yield Input(placeholder="https://example.com/message.mp3", id="audio-url")
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
                yield Input(placeholder="39.9251", id="wa-lat")
                yield Input(placeholder="-0.1057", id="wa-long")
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

    # --- account and channel --------------------------------------------------------------
    def on_mount(self) -> None:
        self.watch(sb_app(self), "active_account", self._account_changed, init=False)
        self._account_changed(sb_app(self).active_account)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Send and preflight from the palette; pause and export while they apply."""
        yield SystemCommand("Send", "Preflight, confirm and send (Ctrl+S)", self.action_send)
        yield SystemCommand("Preflight", "Check recipients and cost (Ctrl+T)", self.action_check)
        progress = self.query_one(SendProgress)
        if self.sending and progress.control is not None:
            yield SystemCommand(
                "Pause send", "Stop after the requests in flight", self.action_pause
            )
        if progress.job_id is not None:
            yield SystemCommand(
                "Export results", "Write every recipient's outcome as CSV", progress.export
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Pause shows only while a send runs."""
        if action == "pause" and not self.sending:
            return False
        return super().check_action(action, parameters)

    def _account_changed(self, name: str | None) -> None:
        notice = self.query_one("#compose-unsupported", Static)
        channels: list[Channel] = []
        if name is None:
            notice.update("No account yet: add one on the Accounts screen (F2).")
        else:
            from backends.registry import backend_class

            cls = backend_class(sb_app(self).workspace.account(name).provider)
            channels = offered(cls)
            from screens.surveys.screen import FORMS

            elsewhere = (
                " Its sends are on the Surveys screen (F10)."
                if any(cls.supports(cap) for cap, _ in FORMS)
                else ""
            )
            notice.update(
                ""
                if channels
                else f"{cls.label} does not offer sending from this screen: SMS sending is not "
                f"available, nor landing SMS, email, voice or WhatsApp templates.{elsewhere}"
            )
        notice.display = not channels
        self.set_offered(bool(channels))
        self.query_one("#compose-body").display = bool(channels)
        if channels:
            select: Select[str] = self.query_one("#channel", Select)
            keep = self.channel if self.channel in channels else channels[0]
            select.set_options([(c.label, c.key) for c in channels])
            select.value = keep.key
            self._show_channel(keep)
            if self.focused is None:
                self.query_one("#recipients", Input).focus()

    @on(Select.Changed, "#channel")
    def _channel_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._show_channel(BY_KEY[event.value])

    def _show_channel(self, channel: Channel) -> None:
        self.channel = channel
        for widget in self.query(".field"):
            widget.display = widget.has_class(f"ch-{channel.key}")
        sender = "WhatsApp business number" if channel.key == "whatsapp" else "Sender (from)"
        self.query_one("#sender-label", Label).update(sender)
        template = "WhatsApp template id" if channel.key == "whatsapp" else "Template id"
        self.query_one("#template-label", Label).update(template)
        self.query_one("#recipients", Input).placeholder = RECIPIENT_PLACEHOLDERS[channel.kind]
        self._refresh_counter()
        self._recipients_changed()

    @on(Select.Changed, "#source")
    def _source_changed(self, event: Select.Changed) -> None:
        source = str(event.value)
        self.query_one("#recipients-label", Label).update(SOURCE_HINTS[source])
        self.query_one("#column-field").display = source == "csv"
        self.sample = []
        self._recipients_changed()

    # --- live feedback ------------------------------------------------------------------
    @on(TextArea.Changed, "#message")
    @on(Checkbox.Changed, "#trans")
    def _message_changed(self) -> None:
        self._refresh_counter()
        self._refresh_preview()

    @on(TextArea.Changed, "#html")
    @on(Input.Changed, "#wa-header")
    @on(Input.Changed, "#wa-body")
    @on(Input.Changed, "#wa-cta")
    @on(Input.Changed, "#audio-url")
    def _body_changed(self) -> None:
        self._refresh_preview()

    def _refresh_counter(self) -> None:
        if self.channel.key not in SMS_LIKE:
            return
        text = self.query_one("#message", TextArea).text
        self.query_one("#counter", Static).update(
            counter(
                text,
                landing=self.channel.key == "landing",
                trans=self.query_one("#trans", Checkbox).value,
            )
        )

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

    @on(Input.Changed, "#recipients")
    @on(Input.Changed, "#to-column")
    def _recipients_changed(self) -> None:
        source = self.query_one("#source", Select).value
        value = self.query_one("#recipients", Input).value
        if source == "typed":
            self.sample = [(to, None) for to in split_values(value)[:3]]
        elif source == "csv" and value.strip():
            column = self.query_one("#to-column", Input).value.strip() or None
            self.peek(value.strip(), self.channel.kind, column)
        self._refresh_preview()

    @work(group="peek", exclusive=True, exit_on_error=False)
    async def peek(self, path: str, kind: Kind, column: str | None) -> None:
        """Read a CSV file's first rows for the preview (quietly: it may be half typed)."""
        try:
            rows = await asyncio.to_thread(
                peek_csv, Path(path).expanduser(), to_column=column, kind=kind
            )
        except RecipientsError:  # it says what is wrong; the field may be half typed
            rows = []
        self.post_message(self.Peeked(path, rows))

    @on(Peeked)
    def _peeked(self, event: Peeked) -> None:
        if event.path == self.query_one("#recipients", Input).value.strip():
            self.sample = event.rows
            self._refresh_preview()

    @on(Input.Changed, "#schedule")
    @on(Input.Changed, "#expires")
    def _date_changed(self, event: Input.Changed) -> None:
        line = self.query_one(f"#{event.input.id}-utc", Static)
        try:
            moment = parse_send_time(event.value, now=datetime.now().astimezone())
        except ValueError as exc:
            line.update(str(exc))
            line.add_class("error-text")
            return
        line.remove_class("error-text")
        line.update(f"sent as {utc_label(moment)}" if moment else "")

    # --- the draft ------------------------------------------------------------------------
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

    def action_check(self) -> None:
        """Load the recipients and show the preflight, without sending."""
        self._start_prepare(send=False)

    @on(Button.Pressed, "#check")
    def _check_pressed(self) -> None:
        self.action_check()

    def action_send(self) -> None:
        """Preflight, then confirm, then send."""
        self._start_prepare(send=True)

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        self.action_send()

    def action_pause(self) -> None:
        """Pause the running job."""
        self.query_one(SendProgress).pause()

    def _start_prepare(self, *, send: bool) -> None:
        error = self.query_one("#form-error", Static)
        account = sb_app(self).active_account
        if account is None or not self.query_one("#compose-body").display:
            return
        if send and self.sending:
            error.update("A send is running: wait for it, or pause it first.")
            return
        try:
            draft = self._draft()
        except ValueError as exc:
            text = str(exc)
            error.update(text[:1].upper() + text[1:] + ".")
            return
        error.update("")
        self.query_one("#preflight", Static).update("Loading recipients…")
        self.prepare(account, draft, send=send)

    # --- preflight and confirmation ------------------------------------------------------
    @work(group="prepare", exclusive=True, exit_on_error=False)
    async def prepare(self, account: str, draft: Draft, *, send: bool) -> None:
        """The send use case's checks: recipients, the request, for SMS parts, cost and
        balance, and (to send) the first request through the provider's rules."""
        backend = await sb_app(self).backend(account)
        request = send_request(account, draft, column_hint=COLUMN_HINT)
        prepared = await send_usecase.prepare(backend, request, check_first=send)
        refusal = prepared.refusal
        if refusal is not None and refusal.stage is Stage.TEMPLATE:
            text = refusal.reason
            self.query_one("#preflight", Static).update(f"Cannot send: {text}.")
            self.query_one("#form-error", Static).update(text[:1].upper() + text[1:] + ".")
            return
        if refusal is not None:
            self.query_one("#preflight", Static).update(prepared.text)
            self.query_one("#form-error", Static).update(f"Cannot send: {refusal.reason}.")
            return
        self.post_message(self.Prepared(account, draft, prepared, send))

    @on(Prepared)
    def _prepared(self, event: Prepared) -> None:
        prepared = event.prepared
        self.query_one("#preflight", Static).update(prepared.text)
        self.sample = [(r.to, r.vars) for r in prepared.sendable[:3]]
        self._refresh_preview()
        if not event.send:
            return
        count = len(prepared.sendable)
        if not count:
            self.query_one("#form-error", Static).update("Nobody to send to: see the preflight.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(event.draft, prepared)

        question = prepared.question(detailed=True)
        self.app.push_screen(count_confirm(count, question, "Send"), answered)

    # --- sending --------------------------------------------------------------------------
    def _set_sending(self, sending: bool) -> None:
        self.sending = sending
        self.query_one("#send", Button).disabled = sending
        self.refresh_bindings()

    def _send(self, draft: Draft, prepared: send_usecase.Prepared) -> None:
        self._set_sending(True)
        label = draft.channel.label
        total = len(prepared.sendable)
        self.query_one(SendProgress).begin(f"Sending {label} to {total}…", total)
        # Only SMS and landing SMS have a preflight with prices (the provider's SMS list).
        note = "" if prepared.pricing is not None else NO_PRICES.format(label=label)
        self.send_job(prepared, note)

    @work(group="send", exit_on_error=False)
    async def send_job(self, prepared: send_usecase.Prepared, cost_note: str) -> None:
        """Journal the job and run it through the engine, posting throttled progress."""
        account = prepared.request.account
        backend = await sb_app(self).backend(account)
        path = default_path()
        journal = await asyncio.to_thread(Journal, path)
        try:
            # In a thread: 100,000 rows take a while to journal.
            job_id = await asyncio.to_thread(
                send_usecase.create_job, journal, prepared, backend.provider
            )
            control = JobControl()
            label = prepared.request.label
            total = len(prepared.sendable)
            self.post_message(self.JobStarted(job_id, label, total, path, control, cost_note))
            updates = run_job(
                journal,
                job_id,
                backend,
                batch_size=self.BATCH_SIZE,
                concurrency=self.CONCURRENCY,
                limiter=RateLimiter(self.RATE_LIMIT) if self.RATE_LIMIT else None,
                control=control,
            )
            await follow(updates, self)
        finally:
            # Closing checkpoints the WAL (megabytes after a big job): not on the UI loop.
            await asyncio.to_thread(journal.close)

    @on(JobStarted)
    def _job_started(self, event: JobStarted) -> None:
        self.query_one(SendProgress).begin(
            f"Job {event.job_id}: sending {event.label} to {event.total}…",
            event.total,
            job_id=event.job_id,
            journal_path=event.journal_path,
            control=event.job_control,
            cost_note=event.cost_note,
        )

    @on(SendProgress.Progressed)
    def _progressed(self, event: SendProgress.Progressed) -> None:
        self.query_one(SendProgress).show_update(event)

    @on(Worker.StateChanged)
    def _send_ended(self, event: Worker.StateChanged) -> None:
        if self.query_one(SendProgress).send_ended(event, "The send"):
            self._set_sending(False)
        if event.worker.group == "prepare" and event.state == WorkerState.ERROR:
            self.query_one("#preflight", Static).update("The preflight failed: see the error.")
