"""100,000 contacts in the emulator: the Contacts tab holds one page and pages through them.

How fast that is, against 1,000 contacts, is measured by tests/bench/bench_lists.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import Input, SelectionList, TabbedContent

from backends.nrs360.client import Nrs360Backend
from backends.sandbox.nrs360.state import Contact
from tests.screens.conftest import SIZE, settle
from tests.screens.test_contacts_screen import column, open_contacts, table, text
from tui.app import SwitchboardApp

TOTAL = 100_000
CONTACTS = "/api/rest/contacts"


def seed_many(nrs: Starlette, total: int = TOTAL) -> None:
    """Grow the emulator's address book to `total` contacts (in its state, no requests)."""
    state = nrs.state.nrs
    now = state.now()
    group = next(iter(state.groups))
    for index in range(len(state.contacts), total):
        contact_id = state.new_contact_id()
        state.contacts[contact_id] = Contact(
            id=contact_id,
            created_at=now,
            updated_at=now,
            email=f"bulk{index}@example.com",
            phone=f"3460{index:07d}",
            country_iso="ES" if index % 2 else "PT",
            name=f"Bulk {index}",
            group_ids=[group],
        )


async def test_100k_contacts_are_paged_with_one_page_in_the_table(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    seed_many(nrs)
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        assert table(app, "#contacts-table").row_count == 50
        assert text(app, "#contacts-status") == f"Page 1 of 2000 · {TOTAL} contacts"

        table(app, "#contacts-table").focus()
        for expected in range(2, 4):
            await pilot.press("pagedown")
            await settle(pilot)
            assert text(app, "#contacts-status").startswith(f"Page {expected} of 2000")
            assert table(app, "#contacts-table").row_count == 50

        # A server-side filter over all 100,000 answers one page too.
        app.screen.query_one("#f-country", Input).value = "PT"
        await pilot.click("#c-search")
        await settle(pilot)
        assert table(app, "#contacts-table").row_count == 50
        portuguese = sum(c.country_iso == "PT" for c in nrs.state.nrs.contacts.values())
        assert text(app, "#contacts-status") == f"Page 1 of 1000 · {portuguese} contacts"
        countries = {str(table(app, "#contacts-table").get_row_at(i)[5]) for i in range(50)}
        assert countries == {"PT"}


async def test_group_members_of_100k_contacts_are_counted_in_the_background(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The count waits before its second page until the test has pressed a key, so "the
    # screen answers keys while counting" does not depend on how fast the machine is.
    go_on = asyncio.Event()
    real_page = Nrs360Backend.contacts_page

    async def held_page(self: Nrs360Backend, page: int = 1, **kw: Any) -> Any:
        if kw.get("limit") == 1000 and page == 2:
            await go_on.wait()
        return await real_page(self, page, **kw)

    monkeypatch.setattr(Nrs360Backend, "contacts_page", held_page)
    nrs: Starlette = provider_apps["360nrs"]
    seed_many(nrs)
    state = nrs.state.nrs
    members = {
        str(g.id): sum(1 for c in state.contacts.values() if g.id in c.group_ids)
        for g in state.groups.values()
    }
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        # Nothing is counted until a tab shows counts.
        counting = [
            r for r in nrs.state.log.matching("GET", CONTACTS) if r.query.get("limit") == ["1000"]
        ]
        assert not counting
        app.screen.query_one(TabbedContent).active = "tab-groups"
        for _ in range(20):  # the count starts, with its progress beside the page
            await pilot.pause()
            if "of 100,000 contacts" in text(app, "#groups-status"):
                break
        status = text(app, "#groups-status")
        assert "counting members…" in status, status
        assert set(column(app, "#groups-table", 2)) == {"counting…"}
        # The screen answers keys meanwhile: the focused table moves its cursor.
        groups = table(app, "#groups-table")
        assert app.focused is groups
        await pilot.press("down")
        assert groups.cursor_row == 1
        assert any(w.name == "count" for w in app.workers if not w.is_finished)
        go_on.set()
        await settle(pilot)
        counted = dict(
            zip(
                column(app, "#groups-table", 0),
                map(int, column(app, "#groups-table", 2)),
                strict=True,
            )
        )
        assert counted == members
        assert text(app, "#groups-status") == "Page 1 of 1 · 5 groups"
        pages = [
            r for r in nrs.state.log.matching("GET", CONTACTS) if r.query.get("limit") == ["1000"]
        ]
        assert [r.query["page"] for r in pages] == [[str(n)] for n in range(1, 101)]
        assert all("groups" in r.query["include"][0].split(",") for r in pages)

        # Kept for the account: the validation tab lists the sizes without counting again.
        app.screen.query_one(TabbedContent).active = "tab-validation"
        await settle(pilot)
        choices = app.screen.query_one("#val-groups", SelectionList)
        first = str(choices.get_option_at_index(0).prompt)
        customers = next(g for g in state.groups.values() if g.name == "Customers")
        assert first == f"Customers ({members[str(customers.id)]} contacts)"
        again = [
            r for r in nrs.state.log.matching("GET", CONTACTS) if r.query.get("limit") == ["1000"]
        ]
        assert len(again) == 100
