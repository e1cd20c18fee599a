"""Reports' campaign roll-up (issue 12 point 8): a campaign sent in batches is one row
with its batches added up (g), opened to its batches with Enter."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.applications import Starlette
from textual.widgets import DataTable, Static

from backends.capabilities import CampaignsApi
from backends.models.common import SmsRequest
from backends.sandbox.nrs360 import create_app
from tests.screens.conftest import SIZE, FakeClock, settle
from tests.screens.test_reports_screen import highlight, open_reports, sending_id_of, table_rows
from tui.app import SwitchboardApp

BATCHES = (("34600000001", "34600000002", "34600000003"), ("34600000004", "34600000005"))


@pytest.fixture
def sandbox_app(sandbox_clock: FakeClock) -> Starlette:
    """The emulator with its two past campaigns (Spring sale SMS, November newsletter)."""
    return create_app(clock=sandbox_clock, history=True)


def text(app: SwitchboardApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_a_campaign_sent_in_batches_rolls_up_into_one_row(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_clock: FakeClock
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        backend = await app.backend()
        for to in BATCHES:
            await backend.send_sms(
                SmsRequest(to=to, sender="Shop", message="Sale!", campaign_name="Batched")
            )
        sandbox_clock.advance(3600)
        (batched,) = [
            c
            for c in await backend.capability(CampaignsApi).campaigns(name="Batched")
            if c.name == "Batched"
        ]
        ids = sorted(str(s.id) for s in batched.sendings)
        cost = sum(s.cost or 0.0 for s in batched.sendings)
        sent = sum(s.events.sent for s in batched.sendings)
        await pilot.press("r")
        await settle(pilot)
        table = app.screen.query_one("#campaigns-table", DataTable)
        table.focus()
        # One row per sending: the campaign's name on each batch.
        assert [r[0] for r in table_rows(app, "#campaigns-table")].count("Batched") == 2

        await pilot.press("g")
        await settle(pilot)
        rows = table_rows(app, "#campaigns-table")
        assert [r[0] for r in rows] == ["Spring sale", "November newsletter", "▸ Batched"]
        assert rows[2][1:6] == ["2 batches", "sms", "OPENED", "5/5", f"{cost:.2f} EUR"]

        table.move_cursor(row=2)
        await pilot.pause()
        assert text(app, "#sending-title").startswith("Batched · 2 batches added up · sms")
        chart = text(app, "#sending-chart").splitlines()
        assert chart[0].split("│")[1].split()[0] == str(sent)

        await pilot.press("enter")
        await settle(pilot)
        rows = table_rows(app, "#campaigns-table")
        assert [r[0] for r in rows[2:]] == ["▾ Batched", "  └ batch", "  └ batch"]
        assert [r[1] for r in rows[3:]] == ids
        assert table.cursor_row == 2  # still on the campaign
        await pilot.press("down")
        # A batch is a sending: its own chart and reports.
        assert text(app, "#sending-title").startswith(f"Batched · sending {ids[0]}")

        await pilot.press("up", "enter")
        await settle(pilot)
        assert len(table_rows(app, "#campaigns-table")) == 3
        await pilot.press("g")
        await settle(pilot)
        assert len(table_rows(app, "#campaigns-table")) == 4


async def test_event_columns_fit_every_loaded_row_not_the_first_ones(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette
) -> None:
    """Issue 12 saw the events column cut to its first rows' width ("deliv"): every
    column is as wide as its widest loaded cell, wherever that row is."""
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        await highlight(pilot, sending_id_of(sandbox_app, "Spring sale"))
        await pilot.press("v")
        await settle(pilot)
        table = app.screen.query_one("#events-table", DataTable)
        at = [str(c.label) for c in table.ordered_columns].index("event")
        column = table.ordered_columns[at]
        events = [str(table.get_row_at(i)[at]) for i in range(table.row_count)]
    widest = max(events, key=len)
    # The widest event comes after rows that are all narrower: the case that was cut.
    assert len(events[0]) < len(widest)
    assert column.get_render_width(table) - 2 * table.cell_padding >= len(widest)
