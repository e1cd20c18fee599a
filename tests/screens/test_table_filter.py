"""`/` filters the table in view on every screen (issue 12 point 3/4): rows without the
typed text are hidden, the filter line says "N of M shown", Esc gives every row back
with its key and order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import DataTable, Input, Label

from backends.sandbox.nrs360 import create_app
from screens.widgets.help import HelpScreen
from screens.widgets.table_filter import TableFilter
from tests.screens.conftest import SIZE, FakeClock, settle
from tests.screens.test_contacts_screen import show_tab
from tui.app import SwitchboardApp


@pytest.fixture
def sandbox_app(sandbox_clock: FakeClock) -> Starlette:
    """The emulator with its past campaigns, for a Reports table with rows."""
    return create_app(clock=sandbox_clock, history=True)


def keys(table: DataTable[Any]) -> list[str | None]:
    return [row.key.value for row in table.ordered_rows]


def rows(table: DataTable[Any]) -> list[tuple[str | None, tuple[str, ...]]]:
    return [(r.key.value, tuple(map(str, table.get_row(r.key)))) for r in table.ordered_rows]


def count(app: SwitchboardApp) -> str:
    return str(app.screen.query_one(".table-filter-count", Label).render())


async def filter_table(pilot: Any, typed: str) -> TableFilter:
    await pilot.press("slash")
    await settle(pilot)
    line = pilot.app.screen.query_one(TableFilter)
    assert pilot.app.focused is line.query_one(Input)
    await pilot.press(*typed)
    await settle(pilot)
    return line


async def test_accounts_rows_are_hidden_counted_and_given_back_on_esc(
    sandbox_console: Callable[..., SwitchboardApp],
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#accounts-table", DataTable)
        before = rows(table)
        assert len(before) == 5
        table.move_cursor(row=4)  # on sandbox-xerochat

        await filter_table(pilot, "XE")  # any case
        assert keys(table) == ["sandbox-xebo", "sandbox-xerochat"]
        assert count(app) == "2 of 5 shown"
        # The cursor stays on the row it was on.
        assert table.cursor_row == 1
        # The screen updating a hidden row's cell is kept for when the row comes back.
        table.update_cell("sandbox-collect", "status", "checked")
        await pilot.press("backspace", "backspace", "z", "z", "z")
        await settle(pilot)
        assert table.row_count == 0 and count(app) == "0 of 5 shown"

        await pilot.press("escape")
        await settle(pilot)
        assert not app.screen.query(TableFilter)
        assert app.focused is table
        after = rows(table)
        assert [k for k, _ in after] == [k for k, _ in before]
        collect = dict(after)["sandbox-collect"]
        assert "checked" in collect
        assert [c for k, c in after if k != "sandbox-collect"] == [
            c for k, c in before if k != "sandbox-collect"
        ]


async def test_reports_campaigns_and_templates_tables_filter(
    sandbox_console: Callable[..., SwitchboardApp],
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        campaigns = app.screen.query_one("#campaigns-table", DataTable)
        total = campaigns.row_count
        assert total >= 2
        campaigns.focus()
        first = str(campaigns.get_row_at(0)[0])
        before = keys(campaigns)
        await filter_table(pilot, first.lower())
        shown = [str(campaigns.get_row_at(i)[0]) for i in range(campaigns.row_count)]
        assert first in shown and len(shown) < total
        assert count(app) == f"{len(shown)} of {total} shown"
        await pilot.press("escape")
        await settle(pilot)
        assert keys(campaigns) == before

        await pilot.press("f8")
        await settle(pilot)
        templates = app.screen.query_one("#templates", DataTable)
        before = keys(templates)
        templates.focus()
        await filter_table(pilot, "invoice")
        assert [str(templates.get_row_at(i)[1]) for i in range(templates.row_count)] == [
            "Invoice available"
        ]
        assert count(app) == f"1 of {len(before)} shown"
        await pilot.press("escape")
        await settle(pilot)
        assert keys(templates) == before


async def test_contacts_groups_tab_filters_and_help_lists_the_key(
    sandbox_console: Callable[..., SwitchboardApp],
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await show_tab(pilot, "tab-groups")
        groups = app.screen.query_one("#groups-table", DataTable)
        groups.focus()
        before = keys(groups)
        await filter_table(pilot, "vip")
        assert [str(groups.get_row_at(i)[1]) for i in range(groups.row_count)] == ["VIP"]
        assert count(app) == f"1 of {len(before)} shown"
        # Enter moves on to the rows shown; `/` goes back to the same filter line.
        await pilot.press("enter")
        assert app.focused is groups
        await pilot.press("slash")
        assert len(app.screen.query(TableFilter)) == 1
        await pilot.press("escape")
        await settle(pilot)
        assert keys(groups) == before

        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert ("/", "Filter") in help_screen.screen_keys
