"""Snapshot of the Conversations screen with an open thread, the clock frozen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import DataTable

import screens.conversations.view
from tests.screens.conftest import SIZE, FakeClock, settle
from tui.app import SwitchboardApp


def test_conversations_with_an_open_session(
    snap_compare: Any,
    sandbox_console: Callable[..., SwitchboardApp],
    sandbox_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The countdown reads the emulator's fake clock, which never moves here.
    monkeypatch.setattr(screens.conversations.view, "utc_now", sandbox_clock)

    async def open_thread(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        pilot.app.screen.query_one("#conversations", DataTable).focus()
        await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(sandbox_console(), terminal_size=SIZE, run_before=open_thread)
