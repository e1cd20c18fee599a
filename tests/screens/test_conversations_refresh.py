"""Conversations' periodic refresh (issue 12 point 1): a failed background refresh is a
status line with the time of the last success (never a modal or a notification), cleared by
the next success; Ctrl+F turns auto-refresh off and on; a bad interval in config.toml is
said, not silently replaced."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send
from textual.widgets import Select, Static

import screens.conversations.view
import tui.usecases.conversations as chats
from screens.conversations.screen import ConversationsScreen
from screens.widgets.common import ErrorModal, clock
from tests.screens.conftest import SIZE, FakeClock, settle
from tui.app import SwitchboardApp
from tui.config import ConfigStore

LIST = "/api/rest/whatsapp/conversations"
TICK = 1  # the refresh interval of these tests, scaled down from 5 s


class Outage:
    """In front of the 360nrs emulator: while `down`, every request gets the provider's
    503, as an overloaded provider answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.down = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.down and scope["type"] == "http":
            body = b'{"error":{"code":503,"description":"Service temporarily unavailable"}}'
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


@pytest.fixture(autouse=True)
def fast_refresh(monkeypatch: pytest.MonkeyPatch, sandbox_clock: FakeClock) -> None:
    monkeypatch.setattr(screens.conversations.view, "utc_now", sandbox_clock)
    monkeypatch.setattr(chats, "REFRESH_INTERVALS", (TICK, 5, 10, 30, 60))
    monkeypatch.setattr(chats, "DEFAULT_REFRESH", TICK)


@pytest.fixture
def outage(provider_apps: dict[str, Any]) -> Outage:
    front = Outage(provider_apps["360nrs"])
    provider_apps["360nrs"] = front
    return front


async def open_screen(pilot: Any) -> ConversationsScreen:
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ConversationsScreen)
    return screen


def line(screen: ConversationsScreen) -> Static:
    return screen.query_one("#refresh-status", Static)


async def test_a_failed_background_refresh_is_a_status_line_never_a_modal(
    sandbox_console: Callable[..., SwitchboardApp],
    outage: Outage,
    sandbox_clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="switchboard")
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        assert not line(screen).display
        good = sandbox_clock.now
        outage.down = True
        sandbox_clock.advance(15)
        await asyncio.sleep(TICK * 2.5)
        await settle(pilot)
        assert not [s for s in app.screen_stack if isinstance(s, ErrorModal)]
        assert not app._notifications
        assert line(screen).display
        text = str(line(screen).render())
        assert text.startswith(f"Refresh failed {clock(sandbox_clock.now)}: ")
        assert "503" in text and "Service temporarily unavailable" in text
        assert text.endswith(f"; last success {clock(good)}")
        shown = [r.getMessage() for r in caplog.records if r.getMessage().startswith("shown:")]
        assert any("Refresh failed" in m and "503" in m for m in shown)

        outage.down = False
        await asyncio.sleep(TICK * 1.5)
        await settle(pilot)
        assert not line(screen).display
        assert not [s for s in app.screen_stack if isinstance(s, ErrorModal)]


async def test_ctrl_f_stops_and_restarts_auto_refresh(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    config_dir: Path,
) -> None:
    log = provider_apps["360nrs"].state.log
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        assert screen.refresh_timer is not None
        # Offered in the footer (and so in the help, which lists what the footer shows).
        assert screen.active_bindings["ctrl+f"].binding.description == "Auto-refresh on/off"
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert screen.refresh_timer is None
        assert screen.query_one("#interval", Select).value == chats.REFRESH_OFF
        assert "auto-refresh off" in str(screen.query_one("#list-status").render())
        before = len(log.matching("GET", LIST))
        await asyncio.sleep(TICK * 2.5)
        await settle(pilot)
        assert len(log.matching("GET", LIST)) == before
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert screen.query_one("#interval", Select).value == TICK
        assert screen.refresh_timer is not None
        await asyncio.sleep(TICK * 1.5)
        await settle(pilot)
        assert len(log.matching("GET", LIST)) > before
    assert ConfigStore(config_dir).setting(chats.REFRESH_SETTING) == TICK


async def test_auto_refresh_off_in_config(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    config_dir: Path,
) -> None:
    ConfigStore(config_dir).set_setting(chats.REFRESH_SETTING, "off")
    log = provider_apps["360nrs"].state.log
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        assert screen.refresh_timer is None
        before = len(log.matching("GET", LIST))
        await asyncio.sleep(TICK * 1.5)
        assert len(log.matching("GET", LIST)) == before


async def test_a_bad_interval_in_config_is_said_on_the_screen(
    sandbox_console: Callable[..., SwitchboardApp],
    config_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="switchboard")
    ConfigStore(config_dir).set_setting(chats.REFRESH_SETTING, 3)
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        text = str(line(screen).render())
        assert line(screen).display
        assert "conversations_refresh_seconds = 3 is not a refresh interval" in text
        assert screen.query_one("#interval", Select).value == TICK
        assert screen.refresh_timer is not None
    assert any("is not a refresh interval" in r.getMessage() for r in caplog.records)


def test_refresh_setting_values() -> None:
    assert chats.refresh_seconds(10) == 10
    assert chats.refresh_seconds("30") == 30
    assert chats.refresh_seconds("off") == chats.REFRESH_OFF
    assert chats.refresh_seconds(0) == chats.REFRESH_OFF
    for bad in (3, "fast", True, -5, 2.5):
        with pytest.raises(chats.ConfigError, match="use 1, 5, 10, 30, 60"):
            chats.refresh_seconds(bad)
