"""Compose keeps no stale state (issue 12 point 6): each channel and each recipient source
keeps its own inputs, a change of what is sent clears the preflight and the last results,
and a confirmed send's progress comes into view with the focus on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Input, RichLog, Select, Static, TextArea

from screens.compose.fields import PREFLIGHT_HINT
from screens.compose.screen import ComposeScreen
from screens.widgets.common import ConfirmModal
from screens.widgets.progress import SendProgress
from tests.screens.conftest import SIZE, settle, type_into
from tests.screens.test_compose_screen import (
    fill_sms,
    numbers,
    open_compose,
    send_and_answer,
    sms_posts,
    text,
    write_csv,
)
from tui.app import SwitchboardApp
from tui.engine.journal import Journal, sandbox_path


@pytest.fixture
def app(sandbox_console: Callable[..., SwitchboardApp]) -> SwitchboardApp:
    return sandbox_console()


def value(app: SwitchboardApp, selector: str) -> str:
    return app.screen.query_one(selector, Input).value


async def choose(pilot: Any, selector: str, choice: str) -> None:
    pilot.app.screen.query_one(selector, Select).value = choice
    await pilot.pause()


async def test_each_source_keeps_its_own_recipients(app: SwitchboardApp, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", [{"phone": "34600000009", "name": "Ana"}])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot)
        screen.query_one("#message", TextArea).text = "Hi {name}"
        screen.query_one("#recipients", Input).value = "34600000001, 34600000002"
        await pilot.pause()

        await choose(pilot, "#source", "csv")
        # The numbers typed are not a file name: the CSV source starts empty, with its hint.
        assert value(app, "#recipients") == ""
        assert "csv" in screen.query_one("#recipients", Input).placeholder
        screen.query_one("#recipients", Input).value = str(path)
        await settle(pilot)
        assert "34600000009: Hi Ana" in text(app, "#preview")

        await choose(pilot, "#source", "group")
        assert value(app, "#recipients") == ""  # the CSV path never becomes a group
        assert "34600000009" not in text(app, "#preview")
        screen.query_one("#recipients", Input).value = "Customers"
        await pilot.pause()

        await choose(pilot, "#source", "typed")
        assert value(app, "#recipients") == "34600000001, 34600000002"
        await choose(pilot, "#source", "csv")
        assert value(app, "#recipients") == str(path)
        await choose(pilot, "#source", "group")
        assert value(app, "#recipients") == "Customers"


async def test_typed_numbers_and_typed_addresses_are_kept_apart(app: SwitchboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot)
        screen.query_one("#recipients", Input).value = "34600000001"
        await choose(pilot, "#channel", "voice")  # numbers too: they stay
        assert value(app, "#recipients") == "34600000001"
        await choose(pilot, "#channel", "email")
        assert value(app, "#recipients") == ""
        screen.query_one("#recipients", Input).value = "ana@example.com"
        await choose(pilot, "#channel", "sms")
        assert value(app, "#recipients") == "34600000001"
        await choose(pilot, "#channel", "email")
        assert value(app, "#recipients") == "ana@example.com"


async def test_each_channel_keeps_its_own_sender_and_fields(app: SwitchboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot)
        await fill_sms(pilot, "34600000001", "Hello {name}", sender="ACME")
        screen.query_one("#trans", Checkbox).value = True
        await pilot.pause()

        await choose(pilot, "#channel", "whatsapp")
        # The SMS sender is not the WhatsApp business number.
        assert str(screen.query_one("#sender-label", Static).render()) == (
            "WhatsApp business number"
        )
        assert value(app, "#sender") == ""
        screen.query_one("#sender", Input).value = "34911222333"
        screen.query_one("#template-id", Input).value = "7"
        await pilot.pause()

        await choose(pilot, "#channel", "landing")  # its own sender, message and options
        assert value(app, "#sender") == ""
        assert screen.query_one("#message", TextArea).text == ""
        assert value(app, "#template-id") == ""
        assert not screen.query_one("#trans", Checkbox).value

        await choose(pilot, "#channel", "sms")
        assert value(app, "#sender") == "ACME"
        assert screen.query_one("#message", TextArea).text == "Hello {name}"
        assert screen.query_one("#trans", Checkbox).value
        assert value(app, "#recipients") == "34600000001"

        await choose(pilot, "#channel", "whatsapp")
        assert value(app, "#sender") == "34911222333"
        assert value(app, "#template-id") == "7"
        draft = screen._draft()
        assert (draft.sender, draft.template_id, draft.message) == ("34911222333", 7, "")


async def test_a_change_of_channel_source_or_recipients_clears_preflight_and_results(
    app: SwitchboardApp, provider_apps: dict[str, Any]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot)
        await fill_sms(pilot, "34600000001, 34600000002", "Hello")
        progress = screen.query_one(SendProgress)

        async def preflighted() -> None:
            await pilot.press("ctrl+t")
            await settle(pilot)
            assert text(app, "#preflight").startswith("Recipients: 2 to send")

        await preflighted()
        await choose(pilot, "#channel", "whatsapp")
        assert text(app, "#preflight") == PREFLIGHT_HINT
        await choose(pilot, "#channel", "sms")

        await preflighted()
        await choose(pilot, "#source", "group")
        assert text(app, "#preflight") == PREFLIGHT_HINT
        await choose(pilot, "#source", "typed")

        await preflighted()
        screen.query_one("#recipients", Input).value = "34600000001"
        await pilot.pause()
        assert text(app, "#preflight") == PREFLIGHT_HINT

        # A finished send's results go with a change of channel too.
        await send_and_answer(pilot, confirm=True)
        assert progress.has_class("active") and progress.job_id is not None
        assert text(app, "#progress-title").endswith("DONE")
        await choose(pilot, "#channel", "landing")
        assert not progress.has_class("active") and progress.job_id is None
        assert text(app, "#preflight") == PREFLIGHT_HINT
        assert len(sms_posts(provider_apps)) == 1


class HeldPrices:
    """The SMS emulator, its answers held while `hold` is set, until the test releases them:
    a preflight in progress, for as long as the test needs."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.hold = False
        self.release = asyncio.Event()
        self.waiting = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.hold:
            self.waiting.set()
            await self.release.wait()
        await self.app(scope, receive, send)


async def test_a_send_is_never_confirmed_on_a_preflight_the_form_changed_under(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    sms_app = provider_apps["360nrs"]
    held = HeldPrices(sms_app)
    provider_apps["360nrs"] = held
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot)
        await fill_sms(pilot, "34600000001", "Hello")
        held.hold = True
        await pilot.press("ctrl+s")
        await asyncio.wait_for(held.waiting.wait(), 5)
        # While the preflight waits for the provider, the message changes.
        screen.query_one("#message", TextArea).text = "Hello again"
        await pilot.pause()
        held.hold = False
        held.release.set()
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmModal)
        assert "form changed while the preflight ran" in text(app, "#preflight")
        assert "Send (Ctrl+S)" in text(app, "#preflight")

        # Asked again, the confirmation is on the form as it is now.
        await send_and_answer(pilot, confirm=True)
        (post,) = sms_app.state.log.matching("POST", "/api/rest/sms")
        assert post.json()["message"] == "Hello again"


async def test_a_channel_change_cancels_a_preflight_in_progress(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    held = HeldPrices(provider_apps["360nrs"])
    provider_apps["360nrs"] = held
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot)
        await fill_sms(pilot, "34600000001", "Hello")
        held.hold = True
        await pilot.press("ctrl+t")
        await asyncio.wait_for(held.waiting.wait(), 5)
        await choose(pilot, "#channel", "voice")
        held.hold = False
        held.release.set()
        await settle(pilot)
        assert text(app, "#preflight") == PREFLIGHT_HINT
        assert screen.channel.key == "voice"


def in_view(app: SwitchboardApp, selector: str) -> bool:
    """Whether a widget is wholly inside the screen and inside every container around it."""
    widget = app.screen.query_one(selector)
    region = widget.region
    node = widget.parent
    while node is not None and node is not app.screen:
        if not node.region.contains_region(region):  # type: ignore[attr-defined]
            return False
        node = node.parent
    return app.screen.region.contains_region(region)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_after_confirming_the_progress_is_in_view_and_focused(
    app: SwitchboardApp,
    provider_apps: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    # A slow send (batches of 10 at 10 a second), so it is still running when looked at.
    monkeypatch.setattr(ComposeScreen, "BATCH_SIZE", 10)
    monkeypatch.setattr(ComposeScreen, "CONCURRENCY", 1)
    monkeypatch.setattr(ComposeScreen, "RATE_LIMIT", 10.0)
    async with app.run_test(size=size) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, ", ".join(numbers(300)), "Hello")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_into(pilot, "#phrase", "300")
        await pilot.press("enter")
        for _ in range(200):
            await pilot.pause(0.02)
            if "accepted" in text(app, "#progress-totals"):
                break
        assert in_view(app, "#progress-title")
        assert in_view(app, "#progress-totals")
        assert app.focused is app.screen.query_one("#progress-results", RichLog)
        # The keys still work from there: pause, then Tab leaves the results.
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert text(app, "#progress-title").startswith("Job 1 PAUSED")
        await pilot.press("tab")
        assert app.focused is not app.screen.query_one("#progress-results", RichLog)
        (job,) = Journal(sandbox_path()).jobs()
        assert job.id == 1


async def test_choosing_a_source_moves_on_to_the_recipients(app: SwitchboardApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compose(pilot)
        assert app.focused is screen.query_one("#recipients", Input)
        await pilot.press("shift+tab", "enter", "down", "down", "enter")
        await pilot.pause()
        assert screen.query_one("#source", Select).value == "csv"
        assert app.focused is screen.query_one("#recipients", Input)


async def test_an_sms_campaign_from_a_csv_takes_12_keys_besides_typing(
    app: SwitchboardApp, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "list.csv",
        [{"phone": "34600000001", "name": "Ana"}, {"phone": "34600000002", "name": "Luis"}],
    )
    keys = 0

    async def press(*names: str) -> None:
        nonlocal keys
        keys += len(names)
        await pilot.press(*names)
        await pilot.pause()

    async def type_text(words: str) -> None:
        # What the operator types (not counted), into whatever has the focus.
        focused = app.focused
        if isinstance(focused, TextArea):
            focused.insert(words)
        else:
            assert isinstance(focused, Input), focused
            focused.insert_text_at_cursor(words)
        await pilot.pause()

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press("f4")
        await press("shift+tab", "enter", "down", "down", "enter")  # source: CSV file
        await type_text(str(path))
        await press("tab", "tab")  # past the CSV column (guessed from the header)
        await type_text("ACME")
        await press("tab")
        await type_text("Hola {name}")
        await press("tab")
        await type_text("Winter")
        await press("ctrl+s")
        await settle(pilot)
        await press("y")
        await settle(pilot)
        assert keys == 12
        (post,) = sms_posts(provider_apps)
        body = post.json()
        assert (body["from"], body["campaignName"], body["message"]) == (
            "ACME",
            "Winter",
            "Hola {name}",
        )
        assert body["to"] == ["34600000001", "34600000002"]
        # The CSV's other columns are the variables the provider fills in.
        assert sorted(sub["name"] for sub in body["sub"]) == ["Ana", "Luis"]
