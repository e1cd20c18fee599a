"""The Contacts screen (contacts and groups tabs) driven through Pilot against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from textual.widgets import DataTable, Input, Static, TabbedContent, TextArea

from screens.contacts.forms import ContactModal, TextPromptModal
from screens.contacts.screen import ContactsScreen
from screens.widgets.common import ConfirmModal
from tests.screens.conftest import SIZE, settle
from tui.app import SwitchboardApp

CONTACTS = "/api/rest/contacts"
GROUPS = "/api/rest/groups"


def text(app: SwitchboardApp, selector: str) -> str:
    """The plain text a Static shows."""
    return str(app.screen.query_one(selector, Static).render())


def table(app: SwitchboardApp, selector: str) -> DataTable[Any]:
    """A table of the screen."""
    return app.screen.query_one(selector, DataTable)


def column(app: SwitchboardApp, selector: str, index: int) -> list[str]:
    """One column of a table, top to bottom."""
    t = table(app, selector)
    return [str(t.get_row_at(i)[index]) for i in range(t.row_count)]


async def open_contacts(pilot: Any) -> ContactsScreen:
    await settle(pilot)
    await pilot.press("f5")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ContactsScreen)
    return screen


async def show_tab(pilot: Any, tab: str) -> None:
    pilot.app.screen.query_one(TabbedContent).active = tab
    await settle(pilot)


async def fill_contact(pilot: Any, **fields: str) -> None:
    """Fill the open contact dialog (values set directly) and save it."""
    modal = pilot.app.screen
    assert isinstance(modal, ContactModal)
    for name, value in fields.items():
        if name == "custom":
            modal.query_one("#cf-custom", TextArea).text = value
        else:
            modal.query_one(f"#cf-{name}", Input).value = value
    # Ctrl+S: a button ignores a second click within its 0.2 s press effect.
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_first_page_filters_and_paging_reach_the_emulator(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        state = nrs.state.nrs
        total = len(state.contacts)
        assert table(app, "#contacts-table").row_count == 50
        assert text(app, "#contacts-status") == f"Page 1 of 3 · {total} contacts"
        first = nrs.state.log.matching("GET", CONTACTS)[-1]
        assert first.query["page"] == ["1"] and first.query["limit"] == ["50"]

        # ] / [ (or PgDn / PgUp) on the table move between server-side pages.
        table(app, "#contacts-table").focus()
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert nrs.state.log.matching("GET", CONTACTS)[-1].query["page"] == ["2"]
        assert text(app, "#contacts-status").startswith("Page 2 of 3")
        ids_page_2 = column(app, "#contacts-table", 0)
        expected = sorted(state.contacts)[50:100]
        assert ids_page_2 == [str(i) for i in expected]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert text(app, "#contacts-status").startswith("Page 1 of 3")
        await pilot.press("pageup")  # no page 0: nothing is asked
        await settle(pilot)
        assert nrs.state.log.matching("GET", CONTACTS)[-1].query["page"] == ["1"]

        # A country filter is applied by the server, from page 1.
        spain = [c for c in state.contacts.values() if c.country_iso == "ES"]
        app.screen.query_one("#f-country", Input).value = "es"
        app.screen.query_one("#f-country", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        sent = nrs.state.log.matching("GET", CONTACTS)[-1]
        assert sent.query["countryIso"] == ["ES"] and sent.query["page"] == ["1"]
        assert set(column(app, "#contacts-table", 5)) == {"ES"}
        assert text(app, "#contacts-status").endswith(f"· {len(spain)} contacts")

        # The detail line shows the custom fields of the contact under the cursor.
        t = table(app, "#contacts-table")
        t.focus()
        t.move_cursor(row=1)
        await pilot.pause()
        shown = state.contacts[int(str(t.get_row_at(1)[0]))]
        fields = " · ".join(f"{f.key}={f.value}" for f in shown.custom_fields)
        assert text(app, "#contact-detail") == (
            f"Contact {shown.id} custom fields: {fields}"
            if fields
            else f"Contact {shown.id} has no custom fields."
        )

        # A whole number typed with a "+" is asked of the provider's phone filter, as the
        # provider stores it.
        await pilot.click("#c-clear")
        await settle(pilot)
        app.screen.query_one("#f-text", Input).value = f"+{shown.phone}"
        await pilot.click("#c-search")
        await settle(pilot)
        assert nrs.state.log.matching("GET", CONTACTS)[-1].query["phone"] == [shown.phone]
        assert column(app, "#contacts-table", 0) == [str(shown.id)]

        # A whole email is asked of the provider's email filter: exactly one contact.
        one = next(c for c in state.contacts.values() if c.email)
        await pilot.click("#c-clear")
        await settle(pilot)
        app.screen.query_one("#f-text", Input).value = one.email
        await pilot.click("#c-search")
        await settle(pilot)
        sent = nrs.state.log.matching("GET", CONTACTS)[-1]
        assert sent.query["email"] == [one.email] and "countryIso" not in sent.query
        assert column(app, "#contacts-table", 0) == [str(one.id)]
        assert text(app, "#contacts-status") == "1 contact found by the provider's email filter"


async def test_create_edit_and_delete_a_contact(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        before = set(state.contacts)

        # Bad input stays in the dialog with an inline message, and nothing is sent.
        await pilot.click("#c-new")
        await pilot.pause()
        await fill_contact(pilot, name="Ana")
        assert isinstance(app.screen, ContactModal)
        assert text(app, "#cf-error") == "give an email, a mobile phone or a landline"
        await fill_contact(
            pilot,
            email="ana.new@example.com",
            phone="34600111222",
            country="es",
            groups="Customers, Brand new",
            custom="plan=gold\nsince=2024-05-01:date",
        )
        assert isinstance(app.screen, ContactsScreen)
        (new_id,) = set(state.contacts) - before
        created = state.contacts[new_id]
        assert (created.name, created.email, created.country_iso) == (
            "Ana",
            "ana.new@example.com",
            "ES",
        )
        assert {f.key: (f.value, f.type) for f in created.custom_fields} == {
            "plan": ("gold", "string"),
            "since": ("2024-05-01", "date"),
        }
        names = {state.groups[g].name for g in created.group_ids}
        assert names == {"Customers", "Brand new"}
        post = nrs.state.log.matching("POST", CONTACTS)[-1].json()
        assert post["groupsNames"] == ["Customers", "Brand new"]

        # Edit: find it, open it with Enter, change the surname and one custom field.
        app.screen.query_one("#f-text", Input).value = "ana.new@example.com"
        await pilot.click("#c-search")
        await settle(pilot)
        table(app, "#contacts-table").focus()
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ContactModal)
        assert modal.query_one("#cf-phone", Input).value == "34600111222"
        assert "plan=gold" in modal.query_one("#cf-custom", TextArea).text
        await fill_contact(pilot, surname="García", custom="plan=platinum\nsince=2024-05-01:date")
        put = nrs.state.log.matching("PUT", f"{CONTACTS}/{new_id}")[-1].json()
        # Only the changed custom field is sent; the groups stay as they were.
        assert put["customFields"] == [{"key": "plan", "type": "string", "value": "platinum"}]
        assert put["surname"] == "García"
        assert sorted(put["groupsNames"]) == ["Brand new", "Customers"]
        assert state.contacts[new_id].surname == "García"
        assert column(app, "#contacts-table", 2) == ["García"]

        # Delete asks first; Cancel keeps the contact.
        table(app, "#contacts-table").focus()
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert new_id in state.contacts
        assert not nrs.state.log.matching("DELETE", f"{CONTACTS}/{new_id}")
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert new_id not in state.contacts
        assert table(app, "#contacts-table").row_count == 0
        # The search runs again: the email filter finds nobody, nor does reading them all.
        n = len(state.contacts)
        assert text(app, "#contacts-status") == f"0 contacts found · searched {n} of {n}"


async def test_a_refused_contact_keeps_the_dialog_and_shows_why(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        before = set(state.contacts)
        await pilot.click("#c-new")
        await pilot.pause()
        await fill_contact(pilot, name="Eva", phone="34600111222", country="ESP", groups="VIP")
        # 360nrs's rules refused it before sending ("countryIso ... Two-letter ISO code"):
        # the dialog stays, with what was typed and the reason.
        modal = app.screen
        assert isinstance(modal, ContactModal)
        assert text(app, "#cf-error") == (
            "Invalid input: 360nrs: The country iso must be 2 characters."
        )
        assert modal.query_one("#cf-name", Input).value == "Eva"
        assert modal.query_one("#cf-country", Input).value == "ESP"
        assert not modal.query_one("#cf-save").disabled
        assert set(state.contacts) == before
        # Corrected, the same dialog saves and closes.
        await fill_contact(pilot, country="es")
        assert isinstance(app.screen, ContactsScreen)
        (new_id,) = set(state.contacts) - before
        assert (state.contacts[new_id].name, state.contacts[new_id].country_iso) == ("Eva", "ES")
        assert len(nrs.state.log.matching("POST", CONTACTS)) == 1


async def test_editing_clears_emptied_fields_and_removes_deleted_custom_fields(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    target = next(
        c
        for c in sorted(state.contacts.values(), key=lambda c: c.id)
        if c.phone and c.email and c.surname and c.name and len(c.custom_fields) >= 2
    )
    gone, kept = target.custom_fields[0], target.custom_fields[1:]
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        app.screen.query_one("#f-text", Input).value = target.phone or ""
        await pilot.click("#c-search")
        await settle(pilot)
        table(app, "#contacts-table").focus()
        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ContactModal)
        assert "Delete a line to remove that field." in [
            str(w.render()) for w in modal.query(".hint")
        ]
        lines = modal.query_one("#cf-custom", TextArea).text.splitlines()
        await fill_contact(pilot, surname="", email=" ", name="", custom="\n".join(lines[1:]))
        assert isinstance(app.screen, ContactsScreen)
        put = nrs.state.log.matching("PUT", f"{CONTACTS}/{target.id}")[-1].json()
        assert (put["surname"], put["email"], put["name"]) == (None, None, None)
        assert put["customFields"] == [{"key": gone.key, "value": None}]
        assert (target.surname, target.email, target.name) == (None, None, None)
        assert target.custom_fields == kept
        assert column(app, "#contacts-table", 2) == [""]
        assert column(app, "#contacts-table", 4) == [""]


async def test_groups_crud_with_member_counts(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await show_tab(pilot, "tab-groups")
        members = {
            str(g.id): sum(1 for c in state.contacts.values() if g.id in c.group_ids)
            for g in state.groups.values()
        }
        assert column(app, "#groups-table", 1) == [g.name for g in state.groups.values()]
        counts = column(app, "#groups-table", 2)
        assert dict(zip(column(app, "#groups-table", 0), map(int, counts), strict=True)) == members
        assert all(n > 0 for n in members.values())
        # Counted from the contacts listing (the reference's /groups has no sizes).
        counting = [
            r for r in nrs.state.log.matching("GET", CONTACTS) if r.query["limit"] == ["1000"]
        ]
        assert len(counting) == 1 and "groups" in counting[0].query["include"][0].split(",")
        # The tab takes the focus: its keys work at once.
        assert app.focused is table(app, "#groups-table")
        # Counted once per account: showing the tab again reads nothing; r counts again.
        await show_tab(pilot, "tab-contacts")
        await show_tab(pilot, "tab-groups")
        assert (
            len(
                [r for r in nrs.state.log.matching("GET", CONTACTS) if r.query["limit"] == ["1000"]]
            )
            == 1
        )
        await pilot.press("r")
        await settle(pilot)
        assert (
            len(
                [r for r in nrs.state.log.matching("GET", CONTACTS) if r.query["limit"] == ["1000"]]
            )
            == 2
        )
        assert column(app, "#groups-table", 2) == counts

        await pilot.click("#g-new")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptModal)
        app.screen.query_one("#prompt-value", Input).value = "Spring fair"
        await pilot.press("enter")
        await settle(pilot)
        created = next(g for g in state.groups.values() if g.name == "Spring fair")
        assert nrs.state.log.matching("POST", GROUPS)[-1].json() == {"name": "Spring fair"}
        row = table(app, "#groups-table").get_row(str(created.id))
        assert list(row) == [str(created.id), "Spring fair", "0"]

        t = table(app, "#groups-table")
        t.focus()
        t.move_cursor(row=t.get_row_index(str(created.id)))
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#prompt-value", Input).value = "Autumn fair"
        await pilot.click("#prompt-ok")
        await settle(pilot)
        assert state.groups[created.id].name == "Autumn fair"
        assert table(app, "#groups-table").get_row(str(created.id))[1] == "Autumn fair"

        t = table(app, "#groups-table")
        t.focus()
        t.move_cursor(row=t.get_row_index(str(created.id)))
        await pilot.press("delete")
        await pilot.pause()
        await pilot.click("#no")
        await settle(pilot)
        assert created.id in state.groups
        await pilot.press("delete")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert created.id not in state.groups
        assert nrs.state.log.matching("DELETE", f"{GROUPS}/{created.id}")
        assert str(created.id) not in table(app, "#groups-table").rows


async def test_a_360nrs_phone_without_a_country_is_refused_inline(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await pilot.click("#c-new")
        await pilot.pause()
        await fill_contact(pilot, name="Eva", phone="34600111222", groups="VIP")
        # Said before the request, not as the provider's HTTP 422.
        assert isinstance(app.screen, ContactModal)
        assert text(app, "#cf-error") == (
            "360nrs needs a country (two-letter ISO code, e.g. ES) with a phone number"
        )
        assert not nrs.state.log.matching("POST", CONTACTS)


async def test_member_counts_are_counted_again_after_a_contact_is_created(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    vip = next(g for g in state.groups.values() if g.name == "VIP")
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await show_tab(pilot, "tab-groups")
        before = int(table(app, "#groups-table").get_row(str(vip.id))[2])
        await show_tab(pilot, "tab-contacts")
        await pilot.click("#c-new")
        await pilot.pause()
        await fill_contact(pilot, email="new.vip@example.com", groups="VIP")
        assert isinstance(app.screen, ContactsScreen)
        await show_tab(pilot, "tab-groups")
        assert table(app, "#groups-table").get_row(str(vip.id))[2] == str(before + 1)
