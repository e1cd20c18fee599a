"""Snapshots of the Contacts screen: the contacts tab with data, and the groups tab."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import TabbedContent

from tests.screens.conftest import SIZE, settle
from tui.app import SwitchboardApp


async def open_contacts(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("f5")
    await settle(pilot)


def test_contacts_tab(snap_compare: Any, sandbox_console: Callable[..., SwitchboardApp]) -> None:
    assert snap_compare(sandbox_console(), terminal_size=SIZE, run_before=open_contacts)


def test_groups_tab(snap_compare: Any, sandbox_console: Callable[..., SwitchboardApp]) -> None:
    async def open_groups(pilot: Any) -> None:
        await open_contacts(pilot)
        pilot.app.screen.query_one(TabbedContent).active = "tab-groups"
        await settle(pilot)

    assert snap_compare(sandbox_console(), terminal_size=SIZE, run_before=open_groups)
