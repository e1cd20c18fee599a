"""The Reports screen's Scheduled tab: list by type, reschedule, delete one, delete all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from textual.widgets import Button, DataTable, Input, Select, Static, TabbedContent

from backends.models.common import SmsRequest
from backends.models.send import MailingRequest
from screens.reports.scheduled import RescheduleModal
from screens.reports.screen import ReportsScreen
from screens.widgets.common import ConfirmModal, ErrorModal, TypedConfirmModal
from tests.screens.conftest import SIZE, settle, type_into
from tui.app import SwitchboardApp
from tui.dates import parse_when, utc_label

SCHEDULED = "/api/rest/scheduled"
SMS_TO = ("34666555001", "34666555002", "34666555003")
# The emulator's clock starts at 2025-03-01 12:00 UTC: this is two days later.
WHEN = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def text(app: SwitchboardApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def guids(app: SwitchboardApp) -> list[str]:
    table = app.screen.query_one("#scheduled-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def pending(sandbox_app: Starlette) -> dict[str, datetime]:
    """GUID -> send time of what the emulator still holds."""
    nrs = sandbox_app.state.nrs
    return {item.guid: item.scheduled_at for item in nrs.sending.pending(nrs.now())}


async def open_scheduled(pilot: Any, *, mailing: bool = False) -> None:
    """Schedule three SMS (and one email), then show the Scheduled tab."""
    app = pilot.app
    await settle(pilot)
    backend = await app.backend()
    await backend.send_sms(
        SmsRequest(to=SMS_TO, sender="SHOP", message="Sale tomorrow", schedule_date=WHEN)
    )
    if mailing:
        await backend.send_mailing(
            MailingRequest(
                to=("ana@example.com",),
                sender_email="news@example.com",
                subject="News",
                reply_to="news@example.com",
                body="<p>News</p>",
                schedule_date=WHEN,
            )
        )
    await pilot.press("f7")
    await settle(pilot)
    assert isinstance(app.screen, ReportsScreen)
    app.screen.query_one("#reports-tabs", TabbedContent).active = "scheduled"
    await pilot.pause()
    app.screen.query_one("#scheduled-table", DataTable).focus()
    await pilot.pause()


async def test_lists_by_type_as_the_api_filters(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_scheduled(pilot, mailing=True)
        assert sorted(guids(app)) == sorted(pending(sandbox_app))
        assert len(guids(app)) == 4
        assert text(app, "#scheduled-count") == "4 scheduled"
        table = app.screen.query_one("#scheduled-table", DataTable)
        assert [str(c) for c in table.get_row_at(0)][3] == "2025-03-03 09:00 UTC"

        app.screen.query_one("#scheduled-type", Select).value = "SMS"
        await settle(pilot)
        assert sandbox_app.state.log.matching("GET", SCHEDULED)[-1].query == {"type": ["SMS"]}
        assert len(guids(app)) == 3
        assert {str(table.get_row_at(i)[1]) for i in range(table.row_count)} == {"SMS"}


async def test_reschedule_one_sends_the_utc_time_typed(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_scheduled(pilot)
        first = guids(app)[0]
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RescheduleModal)

        await type_into(pilot, "#when", "tomorrow")
        await pilot.press("enter")
        await pilot.pause()
        assert text(app, "#when-error") == (
            "Not a date-time: 'tomorrow'; type ISO 8601, e.g. 2026-11-24 09:00 (local time) "
            "or 2026-11-24T09:00+01:00."
        )

        # 10:30 at +02:00 is 08:30 UTC, shown before it is sent.
        await type_into(pilot, "#when", "2025-03-05 10:30+02:00")
        assert text(app, "#when-utc") == "Sent as 2025-03-05 08:30 UTC"
        await pilot.press("enter")
        await settle(pilot)

        (put,) = sandbox_app.state.log.matching("PUT", SCHEDULED)
        assert put.json() == {"guid": [int(first)], "scheduleDate": "20250305083000"}
        assert pending(sandbox_app)[first] == datetime(2025, 3, 5, 8, 30, tzinfo=UTC)
        assert text(app, "#scheduled-status") == "Rescheduled 1 scheduled message(s)."
        table = app.screen.query_one("#scheduled-table", DataTable)
        row = table.get_row_at(table.get_row_index(first))
        assert str(row[3]) == "2025-03-05 08:30 UTC"


async def test_delete_one_asks_first_and_cancel_keeps_it(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_scheduled(pilot)
        first = guids(app)[0]

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert sandbox_app.state.log.matching("DELETE", SCHEDULED) == []
        assert first in pending(sandbox_app)
        assert text(app, "#scheduled-status") == f"Kept scheduled message {first}."

        await pilot.click("#delete")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        (delete,) = sandbox_app.state.log.matching("DELETE", SCHEDULED)
        assert delete.json() == {"guid": [int(first)]}
        assert first not in pending(sandbox_app)
        assert len(pending(sandbox_app)) == 2
        assert first not in guids(app) and len(guids(app)) == 2


async def test_delete_all_only_after_the_phrase_is_typed(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_scheduled(pilot)
        await pilot.click("#delete-all")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, TypedConfirmModal)
        assert modal.phrase == "DELETE ALL"
        await type_into(pilot, "#phrase", "delete all")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is modal
        assert modal.query_one("#yes", Button).disabled
        assert sandbox_app.state.log.matching("DELETE", SCHEDULED) == []

        await pilot.press("escape")
        await settle(pilot)
        assert text(app, "#scheduled-status") == "Nothing was deleted."
        assert sandbox_app.state.log.matching("DELETE", SCHEDULED) == []
        assert len(pending(sandbox_app)) == 3

        await pilot.click("#delete-all")
        await pilot.pause()
        await type_into(pilot, "#phrase", "DELETE ALL")
        await pilot.press("enter")
        await settle(pilot)
        (delete,) = sandbox_app.state.log.matching("DELETE", SCHEDULED)
        # No guid at all: the API's "every scheduled message".
        assert delete.json() == {}
        assert pending(sandbox_app) == {}
        assert guids(app) == []
        assert text(app, "#scheduled-status") == "Deleted 3 scheduled message(s)."
        assert app.screen.query_one("#delete-all", Button).disabled


async def test_reschedule_all_of_a_type_needs_its_phrase(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_scheduled(pilot, mailing=True)
        app.screen.query_one("#scheduled-type", Select).value = "SMS"
        await settle(pilot)
        await pilot.click("#reschedule-all")
        await pilot.pause()
        app.screen.query_one("#when", Input).value = "2025-03-04 07:00+00:00"
        await pilot.press("enter")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, TypedConfirmModal)
        assert modal.phrase == "RESCHEDULE ALL"
        assert "EVERY scheduled SMS message to 2025-03-04 07:00 UTC" in modal.question
        await type_into(pilot, "#phrase", "RESCHEDULE ALL")
        await pilot.press("enter")
        await settle(pilot)

        (put,) = sandbox_app.state.log.matching("PUT", SCHEDULED)
        assert put.json() == {"scheduleDate": "20250304070000", "type": "SMS"}
        times = pending(sandbox_app)
        moved = datetime(2025, 3, 4, 7, 0, tzinfo=UTC)
        # The three SMS moved; the email (another type) kept its time.
        assert sorted(times.values()) == [WHEN, moved, moved, moved]


def test_send_time_parsing() -> None:
    assert parse_when("2025-03-05T10:30:00+01:00") == datetime(2025, 3, 5, 9, 30, tzinfo=UTC)
    local = parse_when("2025-03-05 10:30", need_time=True)
    assert local.tzinfo is not None
    assert utc_label(local) == local.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    for bad, message in (("", "enter a date"), ("2025-03-05", "add a time"), ("x", "not a")):
        try:
            parse_when(bad, need_time=True)
        except ValueError as exc:
            assert message in str(exc)
        else:
            raise AssertionError(f"{bad!r} was accepted")


async def test_a_refused_reschedule_shows_the_providers_code(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_scheduled(pilot)
        first = guids(app)[0]
        await pilot.press("e")
        await pilot.pause()
        # Before the emulator's "now" (2025-03-01 12:00 UTC): not a schedule, code 121.
        app.screen.query_one("#when", Input).value = "2025-02-01 09:00+00:00"
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ErrorModal)
        assert "code 121" in modal.title_text
        assert modal.message == "Invalid scheduled date"
        assert pending(sandbox_app)[first] == WHEN
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReportsScreen)
