"""Conversations left open against a server that closes idle connections (issue 12).

The issue's case is a 5 s refresh against uvicorn's 5 s keep-alive timeout for 60 s; here
both are 1 s for 12 s: the same twelve refreshes, each meeting connections the server is
closing at that moment (the ratio, refresh interval = idle timeout, is what makes the race).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

import screens.conversations.view
import tui.usecases.conversations
from backends.sandbox.core import LOOPBACK, SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app
from screens.conversations.screen import ConversationsScreen
from screens.widgets.common import ErrorModal
from tests.screens.conftest import SIZE, FakeClock, settle
from tui.app import SwitchboardApp
from tui.config import Account
from tui.secrets import SecretStore
from tui.workspace import Workspace

pytestmark = pytest.mark.slow

LIST = "/api/rest/whatsapp/conversations"
IDLE_TIMEOUT = 1
REFRESHES = 12


@pytest.fixture
def idle_closing_server(sandbox_clock: FakeClock) -> Iterator[SandboxServer]:
    """The 360nrs emulator on a real socket, closing connections idle for 1 s."""
    server = SandboxServer(create_app(clock=sandbox_clock), timeout_keep_alive=IDLE_TIMEOUT)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def console_on(server_url: str, config_dir: Path, secrets: SecretStore) -> SwitchboardApp:
    """The console with one account on the server, through the production HTTP pool."""
    workspace = Workspace(config_dir, secrets=secrets)
    account = Account(
        name="sandbox-360nrs",
        provider="360nrs",
        base_url=server_url + "/api/rest",
        username=DEMO_USERNAME,
    )
    workspace.add_ephemeral(account, DEMO_PASSWORD)
    app = SwitchboardApp(workspace, start_sandbox=False)
    app.active_account = account.name
    return app


async def test_conversations_open_on_idle_closed_connections_show_no_error(
    idle_closing_server: SandboxServer,
    config_dir: Path,
    secrets: SecretStore,
    sandbox_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(screens.conversations.view, "utc_now", sandbox_clock)
    # Refresh as often as the server's idle timeout, scaled down from 5 s.
    intervals = (IDLE_TIMEOUT, 5, 10, 30, 60)
    monkeypatch.setattr(tui.usecases.conversations, "REFRESH_INTERVALS", intervals)
    monkeypatch.setattr(tui.usecases.conversations, "DEFAULT_REFRESH", IDLE_TIMEOUT)
    caplog.set_level(logging.INFO, logger="switchboard")
    log = idle_closing_server.app.state.log  # type: ignore[attr-defined]
    app = console_on(idle_closing_server.url, config_dir, secrets)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, ConversationsScreen)
        before = len(log.matching("GET", LIST))
        for _ in range(REFRESHES):
            await asyncio.sleep(IDLE_TIMEOUT)
            assert not [s for s in app.screen_stack if isinstance(s, ErrorModal)]
        await settle(pilot)
        refreshes = len(log.matching("GET", LIST)) - before
        assert isinstance(app.screen, ConversationsScreen)
        status = str(app.screen.query_one("#list-status").render())
    assert refreshes >= REFRESHES - 2
    assert "5 conversations" in status
    shown = [r for r in caplog.records if r.getMessage().startswith("shown:")]
    assert not shown


async def test_an_error_shown_in_the_console_is_logged_once(
    config_dir: Path,
    secrets: SecretStore,
    sandbox_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(screens.conversations.view, "utc_now", sandbox_clock)
    # A server that went away: nothing listens on its port any more.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        gone = f"http://{LOOPBACK}:{sock.getsockname()[1]}"
    app = console_on(gone, config_dir, secrets)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        # The workers fail (ConnectFailed after one retry): wait until none is left.
        for _ in range(100):
            await pilot.pause(0.05)
            if not app.workers:
                break
        modals = [s for s in app.screen_stack if isinstance(s, ErrorModal)]
    shown = [r.getMessage() for r in caplog.records if r.getMessage().startswith("shown:")]
    # The list's failure on Conversations (the balance's is in the first area's stack):
    # each error shown is logged, once.
    (modal,) = modals
    assert "whatsapp/conversations" in modal.message
    assert shown.count(f"shown: {modal.title_text}: {modal.message}") == 1
    assert len(shown) == len(set(shown)) == 2
    assert DEMO_PASSWORD not in caplog.text
