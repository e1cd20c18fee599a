"""100,000 contacts in the emulator: the Contacts tab holds one page and pages through them.

How fast that is, against 1,000 contacts, is measured by tests/bench/bench_lists.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from textual.widgets import Input

from backends.sandbox.nrs360.state import Contact
from tests.screens.conftest import SIZE, settle
from tests.screens.test_contacts_screen import open_contacts, table, text
from tui.app import SwitchboardApp

TOTAL = 100_000


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
            await pilot.press("n")
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
