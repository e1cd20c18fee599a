"""Text followed at once by Tab (a paste, tmux send-keys "abc\\tdef"): the Tab moves focus
before the keys after it are handled, in Compose and in the New contact dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.widgets import Input, TextArea

from screens.compose.screen import ComposeScreen
from screens.contacts.forms import ContactModal
from tests.screens.conftest import SIZE, settle
from tui.app import SwitchboardApp


def burst(app: SwitchboardApp, keys: str) -> None:
    """Post keys as a terminal delivers one read: all queued before any is handled (Pilot's
    press waits for the app to go idle after each key, which hides the fault)."""
    for character in keys:
        key = {"\t": "tab", "\x1b[Z": "shift+tab"}.get(character, character)
        app.post_message(events.Key(key, character))


async def test_compose_text_then_tab_moves_on_with_the_rest_typed_in_the_next_field(
    sandbox_console: Callable[..., SwitchboardApp],
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        recipients = screen.query_one("#recipients", Input)
        recipients.value = ""
        recipients.focus()
        await pilot.pause()

        burst(app, "34600111222\tACME\tHi")
        await settle(pilot)

        assert recipients.value == "34600111222"
        assert screen.query_one("#sender", Input).value == "ACME"
        # The message (a TextArea whose Tab moves focus) takes the rest.
        assert screen.query_one("#message", TextArea).text == "Hi"
        assert app.focused is screen.query_one("#message", TextArea)


async def test_new_contact_text_then_tab_fills_one_field_each(
    make_app: Callable[..., SwitchboardApp], add_account: Callable[..., Any]
) -> None:
    add_account("main")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        app.screen.query_one("#contacts-table").focus()
        await pilot.press("n")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ContactModal)
        modal.query_one("#cf-name", Input).focus()
        await pilot.pause()

        burst(app, "Laura\tGarcia\tlaura@example.com")
        await settle(pilot)

        assert modal.query_one("#cf-name", Input).value == "Laura"
        assert modal.query_one("#cf-surname", Input).value == "Garcia"
        assert modal.query_one("#cf-email", Input).value == "laura@example.com"
