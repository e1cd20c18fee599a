"""Compose and send: one form for every channel the active account offers.

Every send goes through the send engine: a journaled job (SMS, landing SMS, email, voice,
WhatsApp template) with live progress, resumable and exportable from the Jobs screen.
SMS and landing SMS carry the preflight's prices per country, so the cost so far shows
while they send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from screens.compose.fields import (
    PREFLIGHT_HINT,
    RECIPIENT_PLACEHOLDERS,
    SOURCE_HINTS,
    TEMPLATE_LABELS,
    TEMPLATE_TITLES,
)
from screens.compose.form import (
    BY_KEY,
    CHANNELS,
    Channel,
    counter,
    offered,
    parse_send_time,
    split_values,
)
from screens.compose.sending import ComposeSending
from screens.widgets.common import no_account_text, sb_app
from screens.widgets.funnel import DeliveryFunnel
from screens.widgets.keys import std_key
from screens.widgets.picker import Picker
from screens.widgets.progress import SendProgress
from tui.dates import utc_label
from tui.engine.recipients import (
    Kind,
    RecipientsError,
    peek_csv,
)
from tui.usecases.send import SMS_LIKE


class ComposeScreen(ComposeSending):
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
        std_key("watch", "watch_delivery", form=True),
    ]

    @dataclass
    class Peeked(Message):
        """The first rows of a CSV file, for the preview."""

        path: str
        rows: list[tuple[str, dict[str, str] | None]]

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
                yield DeliveryFunnel(key="Ctrl+N", id="delivery-funnel")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.start_keeping()
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
        if self.query_one(DeliveryFunnel).job_id is not None:
            yield SystemCommand(
                "Watch delivery",
                "Poll the sent job's delivery states, or stop (Ctrl+N)",
                self.action_watch_delivery,
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Pause shows only while a send runs, watching once a send has a job."""
        if action == "pause" and not self.sending:
            return False
        # (Asked before the screen is composed too: no funnel yet, nothing to watch.)
        if action == "watch_delivery" and all(f.job_id is None for f in self.query(DeliveryFunnel)):
            return False
        return super().check_action(action, parameters)

    def _account_changed(self, name: str | None) -> None:
        notice = self.query_one("#compose-unsupported", Static)
        channels: list[Channel] = []
        if name is None:
            notice.update(no_account_text(self))
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
        self.forget_run()  # a preflight or results of another account
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
        old, self.channel = self.channel, channel
        if channel is not old:
            self.keep_channel(old, channel)
        for widget in self.query(".field"):
            widget.display = widget.has_class(f"ch-{channel.key}")
        sender = "WhatsApp business number" if channel.key == "whatsapp" else "Sender (from)"
        self.query_one("#sender-label", Label).update(sender)
        if channel.key in TEMPLATE_LABELS:
            self.query_one("#template-label", Label).update(TEMPLATE_LABELS[channel.key])
            self.query_one("#template-id", Picker).pick_title = TEMPLATE_TITLES[channel.key]
        self._recipients_placeholder()
        self._refresh_counter()
        self._recipients_changed()

    @on(Select.Changed, "#source")
    def _source_changed(self, event: Select.Changed) -> None:
        source = str(event.value)
        self.query_one("#recipients-label", Label).update(SOURCE_HINTS[source])
        self.query_one("#column-field").display = source == "csv"
        changed = self.keep_source(source)
        self._recipients_placeholder()
        self._recipients_changed()
        if changed and event.select.has_focus:
            # Chosen from the list: what comes next is typing the recipients themselves.
            self.query_one("#recipients", Input).focus()

    def _recipients_placeholder(self) -> None:
        source = self._source
        key = self.channel.kind if source == "typed" else source
        self.query_one("#recipients", Input).placeholder = RECIPIENT_PLACEHOLDERS[key]

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

    @on(Input.Changed, "#recipients")
    @on(Input.Changed, "#to-column")
    def _recipients_changed(self) -> None:
        self.forget_run()  # whom a preflight and results were for changed
        source = self.query_one("#source", Select).value
        value = self.query_one("#recipients", Input).value
        self.sample = []  # a CSV's rows come from `peek`, a group's from a preflight
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
