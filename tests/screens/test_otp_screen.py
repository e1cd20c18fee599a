"""The OTP screen driven through Pilot, against the sandbox emulator."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Static

import screens.otp.screen
from screens.otp.screen import OtpScreen
from screens.widgets.common import ErrorModal
from tests.screens.conftest import SIZE, FakeClock, settle, type_into
from tui.app import SwitchboardApp

RECIPIENT = "34666555444"
GENERATE = "/api/rest/otp/generate"
CHECK = "/api/rest/otp/check"


def text(app: SwitchboardApp, selector: str) -> str:
    """The plain text a Static shows."""
    return str(app.screen.query_one(selector, Static).render())


def stored_code(sandbox_app: Starlette, recipient: str = RECIPIENT, app_id: str = "") -> str:
    """The code the emulator holds for a recipient (what the SMS would have carried)."""
    return str(sandbox_app.state.nrs.otps[(recipient, app_id)].code)


async def open_otp(pilot: Any) -> OtpScreen:
    await settle(pilot)
    await pilot.press("f3")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, OtpScreen)
    return screen


async def generate(
    pilot: Any, *, length: str = "", validity: str = "", click: bool = False
) -> None:
    """Fill the form (values set directly) and generate with Ctrl+G or the button."""
    screen = pilot.app.screen
    screen.query_one("#recipient", Input).value = RECIPIENT
    screen.query_one("#length", Input).value = length
    screen.query_one("#validity", Input).value = validity
    # A button ignores a second click within its 0.2 s press effect, so repeats use the key.
    if click:
        await pilot.click("#generate")
    else:
        await pilot.press("ctrl+g")
    await settle(pilot)


async def check(pilot: Any, code: str, *, typed: bool = False) -> None:
    """Enter a code in the check field (typed key by key, or set) and submit it with Enter."""
    if typed:
        await type_into(pilot, "#check-code", code)
    else:
        field = pilot.app.screen.query_one("#check-code", Input)
        field.value = code
        field.focus()
    await pilot.press("enter")
    await settle(pilot)


@pytest.fixture
def app(make_app: Callable[..., SwitchboardApp], add_account: Callable[..., Any]) -> SwitchboardApp:
    add_account("main")
    return make_app()


async def test_generate_shows_the_code_the_provider_stored(
    app: SwitchboardApp, sandbox_app: Starlette
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_otp(pilot)
        assert text(app, "#otp-code") == "—"
        app.screen.query_one("#recipient", Input).value = RECIPIENT
        await type_into(pilot, "#length", "6")
        await pilot.press("enter")  # Enter in any form field generates
        await settle(pilot)

        code = stored_code(sandbox_app)
        assert len(code) == 6 and code.isdigit()
        assert text(app, "#otp-code") == code
        assert text(app, "#otp-details") == f"for {RECIPIENT}"
        assert text(app, "#otp-attempts") == "attempts left: 3 of 3"
        # Default validity is 60 s: the countdown starts at 1:00 (or 0:59 on a slow run).
        assert re.fullmatch(r"expires in (1:00|0:5\d)", text(app, "#otp-countdown"))
        assert text(app, "#otp-form-error") == ""

        sent = sandbox_app.state.log.matching("POST", GENERATE)
        assert len(sent) == 1
        # Only what the operator typed is sent; the provider's defaults do the rest.
        assert sent[0].json() == {"recipient": RECIPIENT, "length": 6}
        # Focus moves to the check field, ready for the code the user received.
        assert app.focused is app.screen.query_one("#check-code", Input)


async def test_check_wrong_then_right_code(app: SwitchboardApp, sandbox_app: Starlette) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_otp(pilot)
        await generate(pilot, length="6")
        code = stored_code(sandbox_app)
        wrong = "000000" if code != "000000" else "111111"

        await check(pilot, wrong, typed=True)
        assert text(app, "#check-result") == "✘ Invalid code"
        assert app.screen.query_one("#check-result").has_class("invalid")
        assert text(app, "#otp-attempts") == "attempts left: 2 of 3"
        assert app.screen.query_one("#check-code", Input).value == ""

        await check(pilot, code)
        assert text(app, "#check-result") == f"✔ Valid ({code})"
        assert app.screen.query_one("#check-result").has_class("valid")
        # The code is consumed: no attempts left are shown as if it were still live.
        assert text(app, "#otp-attempts") == ""
        assert text(app, "#otp-countdown") == "used (checked valid)"

        checks = [r.json() for r in sandbox_app.state.log.matching("POST", CHECK)]
        assert checks == [
            {"recipient": RECIPIENT, "code": wrong},
            {"recipient": RECIPIENT, "code": code},
        ]
        assert sandbox_app.state.nrs.otps[(RECIPIENT, "")].consumed


async def test_invalid_form_values_are_refused_without_a_request(
    app: SwitchboardApp, sandbox_app: Starlette
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_otp(pilot)
        before = len(sandbox_app.state.log)

        await generate(pilot, length="2")
        assert text(app, "#otp-form-error") == "Length must be between 3 and 10."
        assert text(app, "#otp-code") == "—"

        await generate(pilot, validity="601")
        assert text(app, "#otp-form-error") == "Validity must be between 30 and 600."

        app.screen.query_one("#recipient", Input).value = ""
        await pilot.click("#generate")
        await pilot.pause()
        assert text(app, "#otp-form-error") == "Enter a phone number or an email."

        # Checking with nothing typed is refused locally too.
        await pilot.click("#check")
        await pilot.pause()
        assert text(app, "#check-result") == "Enter a recipient and a code to check."

        assert len(sandbox_app.state.log) == before


async def test_a_code_checked_after_its_validity_is_expired(
    app: SwitchboardApp, sandbox_app: Starlette, sandbox_clock: FakeClock
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_otp(pilot)
        await generate(pilot, validity="30")
        code = stored_code(sandbox_app)

        sandbox_clock.advance(31)
        await check(pilot, code)
        assert text(app, "#check-result") == "✘ Expired"
        assert text(app, "#otp-attempts") == "attempts left: 2 of 3"


async def test_the_countdown_follows_the_clock_and_ends_expired(
    app: SwitchboardApp, sandbox_app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    # Only the screen's clock is replaced; Textual's timers keep real time.
    monkeypatch.setattr(screens.otp.screen, "time", SimpleNamespace(monotonic=lambda: now[0]))

    async with app.run_test(size=SIZE) as pilot:
        await open_otp(pilot)
        await generate(pilot, validity="45", click=True)
        countdown = app.screen.query_one("#otp-countdown")
        assert text(app, "#otp-countdown") == "expires in 0:45"
        assert sandbox_app.state.log.matching("POST", GENERATE)[-1].json() == {
            "recipient": RECIPIENT,
            "maxSecondsValidity": 45,
        }

        now[0] += 20
        # The screen ticks once a second (real time); one tick is enough to see it follow.
        for _ in range(30):
            if text(app, "#otp-countdown") != "expires in 0:45":
                break
            await asyncio.sleep(0.05)
        assert text(app, "#otp-countdown") == "expires in 0:25"
        assert not countdown.has_class("expired")

        screen = app.screen
        assert isinstance(screen, OtpScreen)
        now[0] += 30
        screen._tick()  # the next tick, without waiting another second for it
        assert text(app, "#otp-countdown") == "expired"
        assert countdown.has_class("expired")


async def test_a_provider_refusal_shows_an_error_modal_not_a_crash(
    app: SwitchboardApp, sandbox_app: Starlette
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_otp(pilot)
        app.screen.query_one("#reject-pending", Checkbox).value = True
        await generate(pilot)
        first = stored_code(sandbox_app)
        await generate(pilot)  # a code is still pending: the provider refuses

        assert app.is_running
        modal = app.screen
        assert isinstance(modal, ErrorModal)
        assert modal.title_text.startswith("Request refused (HTTP 422")
        assert "pending code" in modal.message
        assert stored_code(sandbox_app) == first
        sent = sandbox_app.state.log.matching("POST", GENERATE)
        assert [r.json().get("rejectIfPendingCode") for r in sent] == [True, True]

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OtpScreen)
        assert text(app, "#otp-code") == first


async def test_without_an_account_the_screen_says_where_to_add_one(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_otp(pilot)
        notice = app.screen.query_one("#otp-unsupported")
        assert notice.display
        assert "add one on the Accounts screen (F2)" in text(app, "#otp-unsupported")
        assert not app.screen.query_one("#otp-body").display


async def test_quick_otp_at_80x24_takes_three_keys_besides_the_number_and_the_code(
    app: SwitchboardApp, sandbox_app: Starlette
) -> None:
    """Issue 12 point 7: F3, Enter to generate, Enter to check; everything is on screen."""
    keys = 0

    async def press(*pressed: str) -> None:
        nonlocal keys
        keys += len(pressed)
        await pilot.press(*pressed)

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press("f3")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OtpScreen)
        # Nothing needed for the task is cut or off-screen at 80x24.
        for label in screen.query(Label):
            shown = str(label.render())
            assert label.content_region.width >= len(shown), shown
            parent = label.parent
            assert isinstance(parent, Widget)
            assert parent.content_region.contains_region(label.content_region), shown
        for selector in ("#recipient", "#generate", "#check-code", "#check", "#check-result"):
            widget = screen.query_one(selector)
            assert widget.region.area and screen.region.contains_region(widget.region), selector

        # The focused one-line field keeps its line for the text (no focus border over it).
        assert app.focused is screen.query_one("#recipient", Input)
        assert screen.query_one("#recipient", Input).content_region.height == 1
        await pilot.press(*RECIPIENT)  # typing the number (not counted)
        await press("enter")
        await settle(pilot)
        code = stored_code(sandbox_app)
        assert text(app, "#otp-code") == code
        assert app.focused is screen.query_one("#check-code", Input)
        assert screen.query_one("#check-code", Input).content_region.height == 1
        await pilot.press(*code)  # typing the code (not counted)
        await press("enter")
        await settle(pilot)

        assert text(app, "#check-result") == f"✔ Valid ({code})"
        assert keys == 3 <= 10


async def test_a_code_checked_valid_shows_used_not_a_live_countdown(
    app: SwitchboardApp, sandbox_app: Starlette
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_otp(pilot)
        await generate(pilot)
        assert text(app, "#otp-countdown").startswith("expires in")
        await check(pilot, stored_code(sandbox_app))

        assert text(app, "#otp-countdown") == "used (checked valid)"
        assert text(app, "#otp-attempts") == ""
        screen._tick()  # a later tick leaves it used
        assert text(app, "#otp-countdown") == "used (checked valid)"

        await generate(pilot)  # a new code is live again
        assert text(app, "#otp-countdown").startswith("expires in")
        assert text(app, "#otp-attempts") == "attempts left: 3 of 3"
