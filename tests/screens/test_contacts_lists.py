"""The Blacklist and Email validation tabs of the Contacts screen, against the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import Input, Select, SelectionList

import screens.contacts.validation
from screens.widgets.common import ConfirmModal, ErrorModal
from tests.screens.conftest import SIZE, FakeClock, settle
from tests.screens.test_contacts_screen import column, open_contacts, show_tab, table, text
from tests.screens.test_conversations_refresh import Outage
from tui.app import SwitchboardApp

BLACKLIST = "/api/rest/v2/blacklist"
VALIDATIONS = "/api/rest/validation/emails"


async def test_blacklist_by_type_add_and_remove(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    lists = nrs.state.nrs.lists
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await show_tab(pilot, "tab-blacklist")
        assert sorted(column(app, "#blacklist-table", 0)) == sorted(lists.blacklist["sms"])
        assert text(app, "#bl-status").endswith("· 4 blacklisted")

        app.screen.query_one("#bl-kind", Select).value = "mailing"
        await settle(pilot)
        assert nrs.state.log.matching("GET", f"{BLACKLIST}/mailing")
        t = table(app, "#blacklist-table")
        shown = {str(r[0]): (str(r[1]), str(r[2])) for r in map(t.get_row_at, range(t.row_count))}
        assert shown == {
            e.recipient: ("yes" if e.is_definitive else "", e.campaign_name or "")
            for e in lists.blacklist["mailing"].values()
        }
        assert shown["unsubscribed@example.com"] == ("", "Newsletter")

        # A phone number is not an email: refused inline, nothing sent.
        app.screen.query_one("#bl-new", Input).value = "34600000000"
        await pilot.click("#bl-add")
        await pilot.pause()
        assert text(app, "#bl-error") == "The email blacklist takes email addresses."
        assert not nrs.state.log.matching("PUT")

        app.screen.query_one("#bl-new", Input).value = "Stop@Example.com"
        app.screen.query_one("#bl-new", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        put = nrs.state.log.matching("PUT", f"{BLACKLIST}/mailing")[-1]
        assert put.json() == {"recipient": "Stop@Example.com"}
        assert "stop@example.com" in lists.blacklist["mailing"]
        assert "stop@example.com" in column(app, "#blacklist-table", 0)

        # Remove asks first; "No" keeps the entry.
        t = table(app, "#blacklist-table")
        t.focus()
        t.move_cursor(row=column(app, "#blacklist-table", 0).index("stop@example.com"))
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.click("#no")
        await settle(pilot)
        assert "stop@example.com" in lists.blacklist["mailing"]
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        delete = nrs.state.log.matching("DELETE", f"{BLACKLIST}/mailing")[-1]
        assert delete.json() == {"recipient": "stop@example.com"}
        assert "stop@example.com" not in lists.blacklist["mailing"]
        assert "stop@example.com" not in column(app, "#blacklist-table", 0)

        # The recipient filter is applied by the server.
        app.screen.query_one("#bl-kind", Select).value = "sms"
        await settle(pilot)
        app.screen.query_one("#bl-filter", Input).value = "99000000004"
        app.screen.query_one("#bl-filter", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert nrs.state.log.matching("GET", f"{BLACKLIST}/sms")[-1].query["recipient"] == [
            "99000000004"
        ]
        assert column(app, "#blacklist-table", 0) == ["99000000004"]


async def wait_for(predicate: Callable[[], bool], seconds: float = 3.0) -> None:
    """Poll a condition the screen's own timer makes true."""
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_validation_start_poll_and_result(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    sandbox_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(screens.contacts.validation, "POLL_SECONDS", 0.1)
    nrs: Starlette = provider_apps["360nrs"]
    lists = nrs.state.nrs.lists
    emails_csv = tmp_path / "emails.csv"
    emails_csv.write_text("name,email\nAna,ana@example.com\nInfo,info@example.net\n")
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await show_tab(pilot, "tab-validation")
        assert column(app, "#validations-table", 0) == ["1", "2"]
        groups = app.screen.query_one("#val-groups", SelectionList)
        assert groups.option_count == len(nrs.state.nrs.groups)
        # Sizes as counted from the contacts (the provider's groups have none).
        sizes = {
            g.name: sum(1 for c in nrs.state.nrs.contacts.values() if g.id in c.group_ids)
            for g in nrs.state.nrs.groups.values()
        }
        labels = [str(groups.get_option_at_index(i).prompt) for i in range(groups.option_count)]
        assert labels == [f"{name} ({n} contacts)" for name, n in sizes.items()]

        # Nothing to validate: said inline.
        await pilot.click("#val-start")
        await pilot.pause()
        assert text(app, "#val-error") == "Type at least one email, load a CSV, or choose a group."

        app.screen.query_one("#val-emails", Input).value = "x@example.com, ana@example.com"
        app.screen.query_one("#val-csv", Input).value = str(emails_csv)
        await pilot.click("#val-load")
        await pilot.pause()
        assert app.screen.query_one("#val-emails", Input).value == (
            "x@example.com, ana@example.com, info@example.net"
        )
        staff = next(g.id for g in nrs.state.nrs.groups.values() if g.name == "Staff")
        groups.select(staff)
        app.screen.query_one("#val-emails", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        body = nrs.state.log.matching("POST", VALIDATIONS)[-1].json()
        assert body == {
            "groupsIds": [staff],
            "emails": ["x@example.com", "ana@example.com", "info@example.net"],
        }
        job = lists.validations[3]
        assert column(app, "#validations-table", 0)[-1] == "3"
        assert column(app, "#validations-table", 1)[-1] == "pending"

        # Asking for the result of a running job is answered inline, without a request.
        await pilot.click("#val-view")
        await pilot.pause()
        assert text(app, "#val-error") == (
            "Validation 3 is pending: its result comes when it finishes."
        )

        # The provider's clock moves; the screen's poll picks the new status up by itself.
        sandbox_clock.advance(60)
        await wait_for(lambda: column(app, "#validations-table", 1)[-1] == "finished")
        assert column(app, "#validations-table", 2)[-1] == f"{job.total}/{job.total}"

        table(app, "#validations-table").focus()
        await pilot.press("enter")
        await settle(pilot)
        result = table(app, "#val-result")
        rows = [tuple(map(str, result.get_row_at(i))) for i in range(result.row_count)]
        assert rows == [(e, job.verdicts[e]) for e in job.emails]
        assert nrs.state.log.matching("GET", f"{VALIDATIONS}/3/result")
        assert text(app, "#val-summary").startswith("Validation 3: ")


async def test_a_failed_validation_poll_is_a_status_line_never_a_modal(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 12 point 1: the poll of running validations fails into a status line with the
    time of the last success (a modal every 2 s would stack over what is typed)."""
    monkeypatch.setattr(screens.contacts.validation, "POLL_SECONDS", 0.1)
    outage = Outage(provider_apps["360nrs"])
    provider_apps["360nrs"] = outage
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await show_tab(pilot, "tab-validation")
        app.screen.query_one("#val-emails", Input).value = "ana@example.com"
        app.screen.query_one("#val-emails", Input).focus()
        await pilot.press("enter")  # a running validation: the poll starts
        await settle(pilot)
        assert text(app, "#val-poll-status") == ""
        outage.down = True
        await asyncio.sleep(0.5)
        await settle(pilot)
        assert not [s for s in app.screen_stack if isinstance(s, ErrorModal)]
        status = text(app, "#val-poll-status")
        assert status.startswith("Refresh failed ") and "503" in status
        assert "; last success " in status
        outage.down = False
        await asyncio.sleep(0.5)
        await settle(pilot)
        assert text(app, "#val-poll-status") == ""
