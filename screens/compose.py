"""Compose and send: one form for every channel the active account offers.

SMS go through the send engine (a journaled job, resumable from the Jobs screen). The
other channels (landing SMS, email, voice, WhatsApp templates) are not engine jobs yet:
they are sent with one backend call in a worker, as the CLI does, and their per-recipient
answer is shown in the same results widget.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea
from textual.worker import Worker, WorkerState

from backends.base import Backend
from backends.errors import NotSupported
from backends.models import SendResult
from backends.models_send import (
    VOICE_GENDERS,
    VOICE_LANGUAGES,
    LandingRequest,
    MailingRequest,
    VoiceAudioRequest,
    VoiceRequest,
)
from screens.common import BaseScreen, ConfirmModal, TypedConfirmModal, sb_app
from screens.compose_form import (
    BY_KEY,
    CHANNELS,
    SMS_LIKE,
    Channel,
    Draft,
    Request,
    counter,
    direct_request,
    offered,
    parse_when,
    preview,
    split_values,
    utc_label,
    validate,
)
from screens.send_progress import SendProgress, follow
from tui.engine import segments
from tui.engine.journal import Journal, Outcome, default_path
from tui.engine.preflight import Summary, format_summary, price_map, summarise
from tui.engine.ratelimit import RateLimiter
from tui.engine.recipients import (
    TO_COLUMNS,
    Recipient,
    Recipients,
    fetch_blacklist,
    from_csv,
    from_group,
    from_values,
)
from tui.engine.sender import JobControl, Progress, create_sms_job, run_job

PREFLIGHT_HINT = "Press Preflight (Ctrl+R) to check recipients and cost before sending."
# Above this many recipients the operator types the count to confirm.
TYPED_CONFIRM_ABOVE = 100
SOURCES = (("Typed", "typed"), ("Contact group", "group"), ("CSV file", "csv"))
SOURCE_HINTS = {
    "typed": "Recipients, separated by commas",
    "group": "Contact group (name or id)",
    "csv": "CSV file with a header (a to/phone/email column; the others are variables)",
}


def peek_csv(path: Path, limit: int = 3) -> list[tuple[str, dict[str, str] | None]]:
    """The first rows of a CSV file as (recipient, variables), for the preview only."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        names = [n for n in (reader.fieldnames or []) if n]
        folded = {n.strip().casefold(): n for n in names}
        column = next((folded[c] for c in TO_COLUMNS if c in folded), None)
        if column is None:
            return []
        rows: list[tuple[str, dict[str, str] | None]] = []
        for row in reader:
            variables = {k.strip(): v or "" for k, v in row.items() if k and k != column}
            rows.append((row.get(column) or "", variables or None))
            if len(rows) >= limit:
                break
    return rows


class Batch(list[Recipient]):
    """Recipients handed to a worker; a short repr, because Textual's @work puts the repr
    of every argument in the worker's description (20,000 reprs froze the UI ~0.5 s)."""

    def __repr__(self) -> str:
        return f"<{len(self)} recipients>"


async def send_request(backend: Backend, request: Request) -> SendResult:
    """The backend call for a non-engine channel's request."""
    if isinstance(request, LandingRequest):
        return await backend.send_landing(request)
    if isinstance(request, MailingRequest):
        return await backend.send_mailing(request)
    if isinstance(request, VoiceRequest):
        return await backend.send_voice(request)
    if isinstance(request, VoiceAudioRequest):
        return await backend.send_voice_audio(request)
    return await backend.send_whatsapp_template(request)


def counts_text(r: Recipients) -> str:
    """The recipients part of a preflight, for channels without SMS parts."""
    lines = [
        f"Recipients: {len(r.sendable)} to send ({len(r.valid)} valid, {len(r.invalid)} invalid, "
        f"{r.duplicates} duplicates, {r.blacklisted} blacklisted)"
    ]
    lines.extend(f"  row {bad.row}: {bad.value!r}: {bad.reason}" for bad in r.invalid[:10])
    if len(r.invalid) > 10:
        lines.append(f"  ... and {len(r.invalid) - 10} more")
    return "\n".join(lines)


class ComposeScreen(BaseScreen):
    """Compose a message on any channel the account offers, preflight it and send it."""

    TITLE = "Compose"
    CSS_PATH = "compose.tcss"
    # Typing starts in the recipients (see _account_changed), not in the scrolling form.
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send"),
        Binding("ctrl+r", "check", "Preflight"),
        Binding("ctrl+b", "pause", "Pause send"),
    ]

    # Engine settings for SMS jobs: the engine's own defaults (batches of 500, 4 requests
    # at once, no rate ceiling until the provider answers 429).
    BATCH_SIZE = 500
    CONCURRENCY = 4
    RATE_LIMIT: float | None = None

    @dataclass
    class Prepared(Message):
        """Recipients loaded and preflighted; `send` when the operator asked to send."""

        account: str
        draft: Draft
        recipients: Recipients
        summary: Summary | None
        send: bool

    @dataclass
    class Peeked(Message):
        """The first rows of a CSV file, for the preview."""

        path: str
        rows: list[tuple[str, dict[str, str] | None]]

    @dataclass
    class JobStarted(Message):
        """An SMS job was journaled and starts sending."""

        job_id: int
        total: int
        journal_path: Path
        job_control: JobControl
        currency: str

    @dataclass
    class Progressed(Message):
        """A throttled engine update with the results since the last one."""

        progress: Progress
        recent: tuple[Outcome, ...]

    @dataclass
    class DirectSent(Message):
        """A non-engine channel's per-recipient answer."""

        label: str
        result: SendResult

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
        yield Input(placeholder="34666555444, 34666555445", id="recipients")

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
            yield Label("Header variables, separated by ;")
            yield Input(id="wa-header")
            yield Label("Body variables, separated by ;")
            yield Input(id="wa-body")

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
        """Send and preflight from the palette."""
        yield SystemCommand("Send", "Preflight, confirm and send (Ctrl+S)", self.action_send)
        yield SystemCommand("Preflight", "Check recipients and cost (Ctrl+R)", self.action_check)

    def _account_changed(self, name: str | None) -> None:
        notice = self.query_one("#compose-unsupported", Static)
        channels: list[Channel] = []
        if name is None:
            notice.update("No account yet: add one on the Accounts screen (F2).")
        else:
            from backends.registry import backend_class

            cls = backend_class(sb_app(self).workspace.account(name).provider)
            channels = offered(cls)
            from screens.surveys import FORMS

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
        self._refresh_counter()
        self._refresh_preview()

    @on(Select.Changed, "#source")
    def _source_changed(self, event: Select.Changed) -> None:
        source = str(event.value)
        self.query_one("#recipients-label", Label).update(SOURCE_HINTS[source])
        self.sample = []
        self._recipients_changed()

    # --- live feedback ------------------------------------------------------------------
    @on(TextArea.Changed, "#message")
    @on(Checkbox.Changed, "#trans")
    def _message_changed(self) -> None:
        self._refresh_counter()
        self._refresh_preview()

    @on(TextArea.Changed, "#html")
    @on(Input.Changed, "#wa-body")
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
            fields = split_values(self.query_one("#wa-body", Input).value, ";")
            return " · ".join(fields) if fields else ""
        if key == "audio":
            return self.query_one("#audio-url", Input).value
        return self.query_one("#message", TextArea).text

    def _refresh_preview(self) -> None:
        self.query_one("#preview", Static).update(preview(self._preview_template(), self.sample))

    @on(Input.Changed, "#recipients")
    def _recipients_changed(self) -> None:
        source = self.query_one("#source", Select).value
        value = self.query_one("#recipients", Input).value
        if source == "typed":
            self.sample = [(to, None) for to in split_values(value)[:3]]
        elif source == "csv" and value.strip():
            self.peek(value.strip())
        self._refresh_preview()

    @work(group="peek", exclusive=True, exit_on_error=False)
    async def peek(self, path: str) -> None:
        """Read a CSV file's first rows for the preview (quietly: it may be half typed)."""
        try:
            rows = await asyncio.to_thread(peek_csv, Path(path).expanduser())
        except (OSError, UnicodeDecodeError, csv.Error):
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
            moment = parse_when(event.value)
        except ValueError as exc:
            line.update(str(exc))
            line.add_class("error-text")
            return
        line.remove_class("error-text")
        line.update(utc_label(moment) if moment else "")

    # --- the draft ------------------------------------------------------------------------
    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    def _draft(self) -> Draft:
        """The form as a Draft; ValueError for what cannot be sent as typed."""
        template = self._value("#template-id")
        html = self.query_one("#html", TextArea).text
        language = self.query_one("#language", Select).value
        gender = self.query_one("#gender", Select).value
        try:
            schedule = parse_when(self._value("#schedule"))
            expires = parse_when(self._value("#expires"))
        except ValueError as exc:
            raise ValueError(f"date: {exc}") from None
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
            template_id=int(template) if template else None,
            language=language if isinstance(language, str) else "",
            gender=gender if isinstance(gender, str) else "",
            audio_url=self._value("#audio-url"),
            header_fields=split_values(self._value("#wa-header"), ";"),
            body_fields=split_values(self._value("#wa-body"), ";"),
        )
        if draft.channel.key == "whatsapp":
            draft = Draft(**{**draft.__dict__, "schedule": None})
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
        """Pause the running SMS job."""
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
        """Load and check the recipients; for SMS also parts, cost and balance."""
        backend = await sb_app(self).backend(account)
        kind = draft.channel.kind
        # The provider keeps SMS and email blacklists; voice and WhatsApp have none here.
        listed = draft.channel.key in SMS_LIKE or kind == "email"
        blacklist = await fetch_blacklist(backend, kind) if listed else frozenset()
        if draft.source == "csv":
            path = Path(draft.recipients).expanduser()
            recipients = await asyncio.to_thread(from_csv, path, kind=kind, blacklist=blacklist)
        elif draft.source == "group":
            recipients = await from_group(backend, draft.recipients, kind=kind, blacklist=blacklist)
        else:
            values = list(split_values(draft.recipients))
            recipients = from_values(values, kind=kind, blacklist=blacklist)
        summary = (
            await self._summary(backend, draft, recipients) if listed and kind == "phone" else None
        )
        self.post_message(self.Prepared(account, draft, recipients, summary, send))

    async def _summary(self, backend: Backend, draft: Draft, recipients: Recipients) -> Summary:
        try:
            prices = price_map(await backend.coverage_by_country())
        except NotSupported:
            prices = {}
        try:
            balance = (await backend.account()).balance
        except NotSupported:
            balance = None
        limit = (
            segments.MAX_PARTS_LANDING if draft.channel.key == "landing" else segments.MAX_PARTS_SMS
        )
        # Pure CPU over every recipient: off the UI loop.
        return await asyncio.to_thread(
            summarise,
            recipients,
            draft.message,
            prices=prices,
            balance=balance,
            trans=draft.trans,
            max_parts=limit,
            when=draft.schedule,
        )

    @on(Prepared)
    def _prepared(self, event: Prepared) -> None:
        recipients, summary = event.recipients, event.summary
        text = format_summary(summary, recipients) if summary else counts_text(recipients)
        self.query_one("#preflight", Static).update(text)
        self.sample = [(r.to, r.vars) for r in recipients.sendable[:3]]
        self._refresh_preview()
        if not event.send:
            return
        sendable = recipients.sendable
        if not sendable:
            self.query_one("#form-error", Static).update("Nobody to send to: see the preflight.")
            return
        count = len(sendable)
        cost = ""
        if summary is not None and summary.currency:
            cost = f" (estimated {summary.total_cost:.4f} {summary.currency})"
        question = (
            f"Send {event.draft.channel.label} from account {event.account} "
            f"to {count} recipient{'s' if count != 1 else ''}{cost}?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(event.account, event.draft, sendable, summary)

        if count > TYPED_CONFIRM_ABOVE:
            modal: ConfirmModal | TypedConfirmModal = TypedConfirmModal(question, str(count))
        else:
            modal = ConfirmModal(question, yes_label="Send")
        self.app.push_screen(modal, answered)

    # --- sending --------------------------------------------------------------------------
    def _set_sending(self, sending: bool) -> None:
        self.sending = sending
        self.query_one("#send", Button).disabled = sending

    def _send(
        self, account: str, draft: Draft, recipients: list[Recipient], summary: Summary | None
    ) -> None:
        self._set_sending(True)
        sendable = Batch(recipients)
        if draft.channel.key == "sms":
            price = None
            currency = ""
            if summary is not None and summary.parts and not summary.unpriced:
                # An average over the countries: the live cost is an estimate, shown with ≈.
                price = summary.total_cost / summary.parts
                currency = summary.currency
            self.send_job(account, draft, sendable, price, currency)
        else:
            self.query_one(SendProgress).begin(
                f"Sending {draft.channel.label} to {len(sendable)}…", len(sendable)
            )
            self.send_direct(account, draft, sendable)

    @work(group="send", exit_on_error=False)
    async def send_job(
        self,
        account: str,
        draft: Draft,
        sendable: list[Recipient],
        price: float | None,
        currency: str,
    ) -> None:
        """Journal the SMS job and run it through the engine, posting throttled progress."""
        backend = await sb_app(self).backend(account)
        path = default_path()
        journal = await asyncio.to_thread(Journal, path)
        try:
            job_id = await asyncio.to_thread(
                create_sms_job,
                journal,
                account,
                backend.provider,
                draft.sender,
                draft.message,
                ((r.to, r.vars) for r in sendable),
                draft.sms_options(),
            )
            control = JobControl()
            self.post_message(self.JobStarted(job_id, len(sendable), path, control, currency))
            updates = run_job(
                journal,
                job_id,
                backend,
                batch_size=self.BATCH_SIZE,
                concurrency=self.CONCURRENCY,
                limiter=RateLimiter(self.RATE_LIMIT) if self.RATE_LIMIT else None,
                control=control,
                price_per_part=price,
            )
            await follow(updates, lambda p, recent: self.post_message(self.Progressed(p, recent)))
        finally:
            # Closing checkpoints the WAL (megabytes after a big job): not on the UI loop.
            await asyncio.to_thread(journal.close)

    @on(JobStarted)
    def _job_started(self, event: JobStarted) -> None:
        self.query_one(SendProgress).begin(
            f"Job {event.job_id}: sending SMS to {event.total}…",
            event.total,
            job_id=event.job_id,
            journal_path=event.journal_path,
            control=event.job_control,
            currency=event.currency,
        )

    @on(Progressed)
    def _progressed(self, event: Progressed) -> None:
        p = event.progress
        title = None
        if p.status.value != "RUNNING":
            reason = f": {p.reason}" if p.reason else ""
            title = f"Job {p.job_id} {p.status.value}{reason}"
        self.query_one(SendProgress).apply(p, event.recent, title)

    @work(group="send", exit_on_error=False)
    async def send_direct(self, account: str, draft: Draft, sendable: list[Recipient]) -> None:
        """Send a non-engine channel with one backend call."""
        backend = await sb_app(self).backend(account)
        result = await send_request(backend, direct_request(draft, sendable))
        self.post_message(self.DirectSent(draft.channel.label, result))

    @on(DirectSent)
    def _direct_sent(self, event: DirectSent) -> None:
        r = event.result
        self.query_one(SendProgress).show_results(
            r.results, f"{event.label}: {r.accepted} accepted, {r.rejected} rejected"
        )

    @on(Worker.StateChanged)
    def _send_ended(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "send" and event.state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._set_sending(False)
        if event.worker.group == "prepare" and event.state == WorkerState.ERROR:
            self.query_one("#preflight", Static).update("The preflight failed: see the error.")
