"""Snapshots of the Reports screen: a sending's event chart, coverage searched, flow answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import DataTable, Select, TabbedContent

from backends.sandbox.nrs360 import create_app
from tests.screens.conftest import SIZE, FakeClock, settle, type_into
from tui.app import SwitchboardApp


@pytest.fixture
def sandbox_app(sandbox_clock: FakeClock) -> Starlette:
    """The emulator with its two past campaigns, on the fixed test clock."""
    return create_app(clock=sandbox_clock, history=True)


def test_campaign_chart(snap_compare: Any, sandbox_console: Callable[..., SwitchboardApp]) -> None:
    async def newsletter(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        table = pilot.app.screen.query_one("#campaigns-table", DataTable)
        table.focus()
        await pilot.press("down")  # the November newsletter: opens, clicks and bounces
        await settle(pilot)

    assert snap_compare(sandbox_console(), terminal_size=SIZE, run_before=newsletter)


def test_coverage_search(snap_compare: Any, sandbox_console: Callable[..., SwitchboardApp]) -> None:
    async def searched(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        pilot.app.screen.query_one("#reports-tabs", TabbedContent).active = "coverage"
        # The countries load first: Enter on a table still empty opened no networks once.
        await settle(pilot)
        await type_into(pilot, "#coverage-search", "united")
        await settle(pilot)
        await pilot.press("enter", "enter")  # to the table, then the first country's networks
        await settle(pilot)
        # A DataTable sizes its columns to new rows when it is next idle: under load the
        # picture was taken before that (columns as wide as their headers), 1 run in 6.
        table = pilot.app.screen.query_one("#networks-table", DataTable)
        for _ in range(50):
            if not table._require_update_dimensions:
                break
            await pilot.pause(0.02)
        await pilot.pause()

    assert snap_compare(sandbox_console(), terminal_size=SIZE, run_before=searched)


def test_flow_answers(snap_compare: Any, sandbox_console: Callable[..., SwitchboardApp]) -> None:
    async def loaded(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        pilot.app.screen.query_one("#flow-select", Select).value = 2
        await pilot.click("#flow-load")
        await settle(pilot)

    app = sandbox_console("sandbox-xerochat")
    assert snap_compare(app, terminal_size=SIZE, run_before=loaded)
