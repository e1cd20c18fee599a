"""OTP: generate a code with its options, check codes, attempts left, live expiry countdown."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Input, Label, Static

from backends.base import Capability
from backends.models.common import Otp, OtpCheck
from screens.widgets.common import BaseScreen, no_account_text, sb_app
from tui.usecases import otp as otp_usecase
from tui.usecases.otp import (
    CheckRequest,
    GenerateRequest,
    OtpRefused,
    checked_check,
    checked_generate,
    whole_number,
)


def seconds_valid(otp: Otp) -> float:
    """How long the code is valid, from the provider's own timestamps when it gave them."""
    if otp.created_at and otp.expires_at:
        return max(0.0, (otp.expires_at - otp.created_at).total_seconds())
    return float(otp.max_seconds_validity)


def format_countdown(seconds: float) -> str:
    """m:ss, or 'expired'."""
    if seconds <= 0:
        return "expired"
    whole = int(seconds + 0.999)
    return f"expires in {whole // 60}:{whole % 60:02d}"


class OtpScreen(BaseScreen):
    """Generate and check one-time codes on the active account."""

    TITLE = "OTP"
    CSS_PATH = "otp.tcss"
    # The recipient is the one field a quick OTP needs: typed at once, Enter generates.
    AUTO_FOCUS = "#recipient"

    BINDINGS = [
        Binding("ctrl+g", "generate", "Generate"),
        Binding("ctrl+t", "check", "Check"),
    ]

    @dataclass
    class Generated(Message):
        """The provider generated a code."""

        otp: Otp
        received: float

    @dataclass
    class Checked(Message):
        """The provider checked a code."""

        result: OtpCheck

    def __init__(self) -> None:
        super().__init__()
        self.otp: Otp | None = None
        # Anchored on our monotonic clock, so a skewed provider clock does not matter.
        self.deadline: float | None = None
        self.attempts_left: int | None = None
        # A code checked valid is consumed: no countdown or attempts are live any more.
        self.used = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        # Compact one-line fields with short labels: the form and the check fit 80x24 whole.
        yield from self.compose_header()
        yield Static("", id="otp-unsupported", classes="notice")
        with Horizontal(id="otp-body"):
            with Vertical(id="otp-form", classes="panel"):
                yield Label("Phone with prefix, or email", classes="otp-label")
                yield Input(placeholder="e.g. 34666555444", id="recipient", compact=True)
                for label, field_id, placeholder in (
                    ("Length 3-10", "length", "4"),
                    ("Attempts 1-10", "max-attempts", "3"),
                    ("Valid s 30-600", "validity", "60"),
                ):
                    with Horizontal(classes="otp-option"):
                        yield Label(label)
                        yield Input(
                            placeholder=placeholder, id=field_id, type="integer", compact=True
                        )
                with Horizontal(classes="otp-option"):
                    yield Label("App id")
                    yield Input(placeholder="(none)", id="app-id", compact=True)
                yield Checkbox("Alphanumeric", id="alpha", compact=True)
                yield Checkbox("Refuse if a code is pending", id="reject-pending", compact=True)
                yield Static("", id="otp-form-error", classes="error-text")
                yield Button("Generate", variant="primary", id="generate")
            with Vertical(id="otp-result", classes="panel"):
                yield Label("Code", classes="otp-label")
                yield Static("—", id="otp-code")
                yield Static("", id="otp-details")
                yield Static("", id="otp-countdown")
                yield Static("", id="otp-attempts")
                yield Label("Check a code", classes="otp-label section-title")
                yield Input(placeholder="code", id="check-code", compact=True)
                yield Checkbox("Case-sensitive", id="case-sensitive", compact=True)
                yield Button("Check", id="check")
                yield Static("", id="check-result")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self._timer = self.set_interval(1.0, self._tick, pause=True)
        self.watch(sb_app(self), "active_account", self._account_changed)

    def _account_changed(self, name: str | None) -> None:
        app = sb_app(self)
        notice = self.query_one("#otp-unsupported", Static)
        supported = False
        if name is None:
            notice.update(no_account_text(self))
        else:
            from backends.registry import backend_class

            cls = backend_class(app.workspace.account(name).provider)
            supported = cls.supports(Capability.OTP)
            notice.update("" if supported else f"{cls.label} does not offer OTP codes.")
        notice.display = not supported
        self.set_offered(supported)
        self.query_one("#otp-body").display = supported

    @on(Button.Pressed, "#generate")
    @on(Input.Submitted, "#otp-form Input")
    def action_generate(self) -> None:
        """Check the form (tui.usecases.otp, as the CLI) and ask the provider for a code."""
        error = self.query_one("#otp-form-error", Static)

        def typed(field_id: str) -> str:
            return self.query_one(f"#{field_id}", Input).value

        try:
            request = checked_generate(
                GenerateRequest(
                    typed("recipient"),
                    length=whole_number("length", typed("length")),
                    max_attempts=whole_number("max attempts", typed("max-attempts")),
                    validity=whole_number("validity", typed("validity")),
                    alpha=self.query_one("#alpha", Checkbox).value,
                    app_id=typed("app-id"),
                    reject_if_pending=self.query_one("#reject-pending", Checkbox).value,
                )
            )
        except OtpRefused as exc:
            error.update(str(exc).capitalize() + ".")
            return
        error.update("")
        self.generate(request)

    @work(group="otp", exit_on_error=False)
    async def generate(self, request: GenerateRequest) -> None:
        """Generate a code on the active account."""
        backend = await sb_app(self).backend()
        otp = await otp_usecase.generate(backend, request)
        self.post_message(self.Generated(otp, time.monotonic()))

    @on(Generated)
    def _generated(self, event: Generated) -> None:
        otp = event.otp
        self.otp = otp
        self.deadline = event.received + seconds_valid(otp)
        self.attempts_left = otp.attempts_left
        self.used = False
        self.query_one("#otp-countdown", Static).remove_class("used")
        self.query_one("#otp-code", Static).update(otp.code)
        app_id = f" · app {otp.app_id}" if otp.app_id else ""
        self.query_one("#otp-details", Static).update(f"for {otp.recipient}{app_id}")
        self.query_one("#check-result", Static).update("")
        self._show_attempts()
        self._tick()
        if self._timer:
            self._timer.resume()
        self.query_one("#check-code", Input).focus()

    def _show_attempts(self) -> None:
        if self.otp is None or self.attempts_left is None or self.used:
            return
        self.query_one("#otp-attempts", Static).update(
            f"attempts left: {self.attempts_left} of {self.otp.max_attempts}"
        )

    def _tick(self) -> None:
        if self.deadline is None or self.used:
            return
        remaining = self.deadline - time.monotonic()
        countdown = self.query_one("#otp-countdown", Static)
        countdown.update(format_countdown(remaining))
        countdown.set_class(remaining <= 0, "expired")
        if remaining <= 0 and self._timer:
            self._timer.pause()

    @on(Button.Pressed, "#check")
    @on(Input.Submitted, "#check-code")
    def action_check(self) -> None:
        """Check the typed code for the recipient of the form."""
        recipient = self.otp.recipient if self.otp else self.query_one("#recipient", Input).value
        app_id = self.otp.app_id if self.otp else self.query_one("#app-id", Input).value
        result = self.query_one("#check-result", Static)
        try:
            request = checked_check(
                CheckRequest(
                    recipient,
                    self.query_one("#check-code", Input).value,
                    app_id,
                    self.query_one("#case-sensitive", Checkbox).value,
                )
            )
        except OtpRefused as exc:
            result.update(str(exc).capitalize() + ".")
            return
        # Cleared so the next attempt is typed fresh; the result line says what was checked.
        self.query_one("#check-code", Input).value = ""
        self.check(request)

    @work(group="otp", exit_on_error=False)
    async def check(self, request: CheckRequest) -> None:
        """Check a code on the active account."""
        backend = await sb_app(self).backend()
        self.post_message(self.Checked(await otp_usecase.check(backend, request)))

    @on(Checked)
    def _checked(self, event: Checked) -> None:
        result = event.result
        widget = self.query_one("#check-result", Static)
        code = result.otp.code if result.valid and result.otp else ""
        widget.update(
            ("✔ " if result.valid else "✘ ") + result.reason + (f" ({code})" if code else "")
        )
        widget.set_class(result.valid, "valid")
        widget.set_class(not result.valid, "invalid")
        if result.otp is not None:
            self.attempts_left = result.otp.attempts_left
            if self.otp is None or self.otp.recipient == result.otp.recipient:
                self.otp = result.otp
                if result.valid:
                    self._mark_used()
            self._show_attempts()

    def _mark_used(self) -> None:
        """The shown code was checked valid: the provider consumed it, so say "used"."""
        self.used = True
        if self._timer:
            self._timer.pause()
        countdown = self.query_one("#otp-countdown", Static)
        countdown.update("used (checked valid)")
        countdown.remove_class("expired")
        countdown.add_class("used")
        self.query_one("#otp-attempts", Static).update("")
