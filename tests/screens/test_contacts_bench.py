"""100,000 contacts in the emulator: the Contacts tab holds one page and pages quickly."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from textual.widgets import Input

from backends.sandbox.nrs360.state import Contact
from tests.screens.conftest import SIZE, settle
from tests.screens.test_contacts_screen import open_contacts, table, text
from tui.app import SwitchboardApp

TOTAL = 100_000


def seed_many(nrs: Starlette) -> None:
    """Grow the emulator's address book to TOTAL contacts (in its state, no requests)."""
    state = nrs.state.nrs
    now = state.now()
    group = next(iter(state.groups))
    for index in range(len(state.contacts), TOTAL):
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


async def test_100k_contacts_page_fast_with_one_page_in_the_table(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    seed_many(nrs)
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        start = time.perf_counter()
        await open_contacts(pilot)
        opened = time.perf_counter() - start
        assert table(app, "#contacts-table").row_count == 50
        assert text(app, "#contacts-status") == f"Page 1 of 2000 · {TOTAL} contacts"

        table(app, "#contacts-table").focus()
        timings = []
        for expected in range(2, 7):
            start = time.perf_counter()
            await pilot.press("n")
            await settle(pilot)
            timings.append(time.perf_counter() - start)
            assert text(app, "#contacts-status").startswith(f"Page {expected} of 2000")
            assert table(app, "#contacts-table").row_count == 50

        # A server-side filter over all 100,000 answers one page too.
        start = time.perf_counter()
        app.screen.query_one("#f-country", Input).value = "PT"
        await pilot.click("#c-search")
        await settle(pilot)
        filtered = time.perf_counter() - start
        assert table(app, "#contacts-table").row_count == 50
        assert text(app, "#contacts-status").endswith("contacts")
        print(
            f"\n100k contacts: open {opened:.2f}s, next page max {max(timings) * 1000:.0f} ms, "
            f"filter {filtered * 1000:.0f} ms"
        )
        # Generous bounds for a shared 2-core machine; typical runs are far below.
        assert max(timings) < 2.0
        assert filtered < 3.0
