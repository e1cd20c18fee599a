"""The Contacts tab's search (issue 12 point 4) and the import's duplicate rows, through
Pilot against the 360nrs sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import Input, ProgressBar

from backends.sandbox.faults import FaultProfile
from backends.sandbox.nrs360 import create_app
from screens.contacts.forms import ContactModal
from screens.contacts.screen import ContactsScreen
from tests.screens.conftest import SIZE, FakeClock, settle
from tests.screens.test_contacts_io import open_import
from tests.screens.test_contacts_screen import column, fill_contact, open_contacts, text
from tests.tui.test_usecase_contacts_search import add_laura, expected
from tui.app import SwitchboardApp

CONTACTS = "/api/rest/contacts"


@pytest.fixture
def sandbox_app(sandbox_clock: FakeClock, request: pytest.FixtureRequest) -> Starlette:
    """The 360nrs emulator, answering after `request.param` ms when a test asks."""
    latency = getattr(request, "param", 0)
    return create_app(clock=sandbox_clock, faults=FaultProfile(latency_ms=latency))


async def search(pilot: Any, typed: str) -> None:
    box = pilot.app.screen.query_one("#f-text", Input)
    box.value = typed
    box.focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_search_finds_any_part_of_a_name_email_or_number(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    laura = add_laura(nrs)
    total = len(nrs.state.nrs.contacts)
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        # `/` puts the cursor in the search box.
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#f-text", Input)

        await search(pilot, "laura")
        ids = {int(i) for i in column(app, "#contacts-table", 0)}
        assert laura in ids and ids == expected(nrs, ("laura",))
        assert text(app, "#contacts-status") == (
            f"{len(ids)} contacts found · searched {total} of {total}"
        )
        # Every match is in the table: no pages to move between.
        assert app.screen.query_one("#c-next").disabled

        await search(pilot, "ortiz@exa")  # part of an email
        assert column(app, "#contacts-table", 0) == [str(laura)]

        await search(pilot, "222 33")  # part of a number, as written
        ids = {int(i) for i in column(app, "#contacts-table", 0)}
        assert laura in ids and ids == expected(nrs, digits="22233")

        await search(pilot, "+34 611 222 333")  # a whole number, formatted
        assert column(app, "#contacts-table", 0) == [str(laura)]
        assert nrs.state.log.matching("GET", CONTACTS)[-1].query["phone"] == ["34611222333"]
        assert text(app, "#contacts-status") == "1 contact found by the provider's phone filter"

        # Clear: the provider's pages again.
        await pilot.click("#c-clear")
        await settle(pilot)
        assert text(app, "#contacts-status").startswith("Page 1 of 3")


# Pages answered after 800 ms: the progress between two pages stays on screen long enough
# to be seen on a loaded machine (at 150 ms a CI run once saw only the finished search).
@pytest.mark.parametrize("sandbox_app", [800], indirect=True)
async def test_search_shows_its_progress_and_esc_stops_it(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("screens.contacts.search.SEARCH_PAGE", 20)
    nrs: Starlette = provider_apps["360nrs"]
    total = len(nrs.state.nrs.contacts)
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        box = app.screen.query_one("#f-text", Input)
        box.value = "a"
        box.focus()
        # Keys as typed, without Pilot's wait for an idle app (a search posts each page).
        app.simulate_key("enter")
        status = ""
        for _ in range(200):  # each page takes 800 ms
            await pilot.pause(0.05)
            status = text(app, "#contacts-status")
            if "searched 20 of" in status:
                break
        assert status.startswith(f"Searching… searched 20 of {total} · ")
        assert status.endswith(" found (Esc stops)")
        bar = app.screen.query_one("#export-progress", ProgressBar)
        assert bar.display and (bar.progress, bar.total) == (20, total)
        # The UI answers while it searches: Esc stops it, the matches so far stay.
        app.simulate_key("escape")
        await pilot.pause(0.4)
        status = text(app, "#contacts-status")
        assert status.startswith("Search stopped: ") and status.endswith(" found so far")
        asked = len(nrs.state.log.matching("GET", CONTACTS))
        await pilot.pause(0.4)
        assert len(nrs.state.log.matching("GET", CONTACTS)) == asked  # no more pages
        assert not bar.display


async def test_import_merges_identical_rows_and_normalises_numbers(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    tmp_path: Path,
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    source = tmp_path / "twice.csv"
    source.write_text(
        "email,phone,country,name\n"
        "eva@example.com,+34 600 999 111,ES,Eva\n"
        "eva@example.com,+34 600 999 111,ES,Eva\n"
        "eva@example.com,600999111,es,Eva\n",
        encoding="utf-8",
    )
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        before = set(state.contacts)
        modal = await open_import(pilot, source)
        modal.query_one("#imp-groups", Input).value = "Fair"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text(app, "#imp-summary") == (
            "Finished: 3 of 3 rows, 1 created, 2 duplicate rows merged, 0 failed"
        )
        new = [state.contacts[i] for i in set(state.contacts) - before]
        assert [(c.email, c.phone) for c in new] == [("eva@example.com", "34600999111")]
        assert not app.screen.query_one("#imp-failures").display


async def test_new_contact_normalises_the_number_and_refuses_the_same_contact_twice(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    person = {"name": "Eva", "email": "eva.twice@example.com", "groups": "Customers"}
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        before = set(state.contacts)
        await pilot.click("#c-new")
        await pilot.pause()
        await fill_contact(pilot, phone="+34 600 999 222", country="ES", **person)
        assert isinstance(app.screen, ContactsScreen)
        (new_id,) = set(state.contacts) - before
        assert state.contacts[new_id].phone == "34600999222"

        # The same person again, the number written another way: refused, nothing sent.
        posts = len(nrs.state.log.matching("POST", CONTACTS))
        await pilot.click("#c-new")
        await pilot.pause()
        await fill_contact(pilot, phone="600 999 222", country="es", **person)
        assert isinstance(app.screen, ContactModal)
        assert text(app, "#cf-error") == (
            f"Contact {new_id} is this same contact already: nothing was created."
        )
        assert len(nrs.state.log.matching("POST", CONTACTS)) == posts
        # Another person with the same email is not the same contact.
        await fill_contact(pilot, name="Eve")
        assert isinstance(app.screen, ContactsScreen)
        assert len(set(state.contacts) - before) == 2
