"""Compose's pickers (issue 12 point 5): the WhatsApp template id and the email sender offer
what worked before on the account, the landing/email template id the account's templates,
and an email sender that never sent from the account is warned about before sending."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Input, Static, TextArea

from screens.widgets.common import ConfirmModal
from screens.widgets.picker import PickList
from tests.screens.conftest import SIZE, settle, type_into
from tests.screens.test_compose_screen import open_compose, send_and_answer, text
from tests.screens.test_pickers import offered, pick_status
from tui.app import SwitchboardApp
from tui.usecases.recent_ids import IdKind, recent

UNVERIFIED = "has not sent from this account before"


@pytest.fixture
def app(sandbox_console: Callable[..., SwitchboardApp]) -> SwitchboardApp:
    return sandbox_console()


async def open_picker(pilot: Any, selector: str) -> None:
    """Focus the field and press Down, as the operator does; the list has loaded."""
    pilot.app.screen.query_one(selector, Input).focus()
    await pilot.pause()
    await pilot.press("down")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PickList)


async def test_whatsapp_template_ids_that_sent_are_offered(app: SwitchboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot, "whatsapp")
        assert str(screen.query_one("#template-label").render()).startswith("WhatsApp template id")
        await open_picker(pilot, "#template-id")
        assert "Nothing to offer yet" in pick_status(app)
        await pilot.press("escape")

        screen.query_one("#recipients", Input).value = "34600000001"
        screen.query_one("#sender", Input).value = "34666777555"
        screen.query_one("#template-id", Input).value = "125"
        await type_into(pilot, "#wa-body", "4321")
        await send_and_answer(pilot, confirm=True)
        assert recent("sandbox-360nrs", IdKind.WHATSAPP_TEMPLATE) == ["125"]

        screen.query_one("#template-id", Input).value = ""
        await open_picker(pilot, "#template-id")
        assert offered(app) == ["125  used before on this account"]
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#template-id", Input).value == "125"


async def test_email_senders_are_offered_once_they_sent_and_a_new_one_is_warned(
    app: SwitchboardApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot, "email")
        screen.query_one("#recipients", Input).value = "ana@example.com"
        screen.query_one("#from-email", Input).value = "news@example.com"
        screen.query_one("#reply-to", Input).value = "help@example.com"
        screen.query_one("#subject", Input).value = "Hello"
        screen.query_one("#html", TextArea).text = "<p>Hi</p>"
        await pilot.pause()

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert UNVERIFIED in app.screen.question  # said where the send is decided
        assert UNVERIFIED in str(screen.query_one("#preflight", Static).render())
        await pilot.click("#yes")
        await settle(pilot)
        assert recent("sandbox-360nrs", IdKind.EMAIL_SENDER) == ["news@example.com"]

        await pilot.press("ctrl+t")
        await settle(pilot)
        assert text(app, "#preflight").startswith("Recipients: 1 to send")
        assert UNVERIFIED not in text(app, "#preflight")

        screen.query_one("#from-email", Input).value = ""
        await open_picker(pilot, "#from-email")
        assert offered(app) == ["news@example.com  used before on this account"]
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#from-email", Input).value == "news@example.com"


@pytest.mark.parametrize("channel", ["landing", "email"])
async def test_the_template_id_of_landing_and_email_picks_from_the_accounts_templates(
    app: SwitchboardApp, provider_apps: dict[str, Any], channel: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot, channel)
        await open_picker(pilot, "#template-id")
        lines = offered(app)
        assert lines and all(line.split()[0].isdigit() for line in lines)
        listed = provider_apps["360nrs"].state.log.matching("GET", "/api/rest/v2/templates")
        assert listed  # the current editor's templates: what templateV2Id names
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#template-id", Input).value == lines[0].split()[0]
