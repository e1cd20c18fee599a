"""The Contacts screen on providers without contact listings (XeroChat) or without contacts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from textual.widgets import Input, Label, TabbedContent

from backends.nrs360.client import Nrs360Backend
from backends.xerochat.client import XeroChatBackend
from screens.contacts.forms import ContactModal
from screens.contacts.screen import ContactsScreen
from screens.widgets.common import ConfirmModal
from tests.screens.conftest import SIZE, settle
from tests.screens.test_contacts_screen import (
    column,
    fill_contact,
    open_contacts,
    show_tab,
    table,
    text,
)
from tui.app import SwitchboardApp
from tui.sandbox import SPECS
from tui.usecases.contacts import ContactRules

XEROCHAT_KEY = next(s.secret for s in SPECS if s.provider == "xerochat")


def form(request: Any) -> dict[str, str]:
    """A recorded form POST's fields."""
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


def screen_text(app: SwitchboardApp) -> str:
    """Everything the screen shows, as plain text."""
    return "\n".join(str(w.render()) for w in app.screen.query("*") if w.display)


async def test_xerochat_contacts_by_id_create_edit_delete(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    xc: Starlette = provider_apps["xerochat"]
    state = xc.state.xerochat
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        tabs = app.screen.query_one(TabbedContent)
        assert [p.id for p in tabs.query("TabPane")] == ["tab-contacts", "tab-groups"]
        assert text(app, "#contacts-notice") == (
            "XeroChat does not offer contact and group listings, blacklists or email validation."
        )
        assert not app.screen.query("#c-export") and not app.screen.query("#c-next")
        # Typing goes to the id to open, the first thing this mode needs.
        assert app.focused is app.screen.query_one("#c-open-id", Input)

        # Open a seeded contact by id.
        app.screen.query_one("#c-open-id", Input).value = "233"
        await pilot.click("#c-open")
        await settle(pilot)
        seeded = state.contacts[233]
        assert column(app, "#contacts-table", 0) == ["233"]
        assert text(app, "#contact-detail").startswith("Contact 233 ")
        assert column(app, "#contacts-table", 1) == [seeded.first_name]
        # A documented GET: its fields in the query string.
        opened = xc.state.log.matching("GET", "/api/get_contact")[-1]
        assert parse_qs(opened.query_string)["contact_id"] == ["233"]

        # Create into one group (by id). The dialog offers only what XeroChat stores.
        await pilot.click("#c-new")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ContactModal)
        inputs = [w.id for w in modal.query(Input)]
        assert inputs == ["cf-name", "cf-surname", "cf-email", "cf-phone", "cf-groups"]
        assert not modal.query("#cf-custom")
        assert "Group id" in [str(w.render()) for w in modal.query(Label)]
        await fill_contact(pilot, name="Nia", email="nia@example.com", groups="67, 68")
        assert text(app, "#cf-error") == "a XeroChat contact belongs to exactly one group"
        await fill_contact(pilot, groups="Customers")
        assert text(app, "#cf-error") == "XeroChat contacts have no group names: give groups by id"
        assert not xc.state.log.matching("POST", "/api/create_contact")
        await fill_contact(
            pilot, name="Nia", surname="Okafor", email="nia@example.com", groups="67"
        )
        sent = form(xc.state.log.matching("POST", "/api/create_contact")[-1])
        assert sent["contact_type_id"] == "67" and sent["email"] == "nia@example.com"
        new = max(state.contacts)
        assert (state.contacts[new].first_name, state.contacts[new].email) == (
            "Nia",
            "nia@example.com",
        )
        assert column(app, "#contacts-table", 0) == ["233", str(new)]

        # Edit: the group cannot change on this provider, so it is shown but not sent.
        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ContactModal)
        assert modal.query_one("#cf-groups", Input).disabled
        await fill_contact(pilot, surname="Okafor-Reyes")
        update = form(xc.state.log.matching("POST", f"/api/update_contact/{new}")[-1])
        assert update["last_name"] == "Okafor-Reyes" and "contact_type_id" not in update
        assert state.contacts[new].last_name == "Okafor-Reyes"
        assert column(app, "#contacts-table", 2)[-1] == "Okafor-Reyes"

        # What XeroChat cannot do is said in the dialog, which stays open: clearing a
        # field (refused before sending) and changing an email once set (the provider).
        await pilot.press("e")
        await settle(pilot)
        await fill_contact(pilot, surname="")
        assert isinstance(app.screen, ContactModal)
        assert text(app, "#cf-error") == (
            "Invalid input: XeroChat cannot clear a contact's last name: it keeps the old value"
        )
        await fill_contact(pilot, surname="Okafor-Reyes", email="other@example.com")
        assert isinstance(app.screen, ContactModal)
        assert text(app, "#cf-error") == (
            "Request refused (HTTP 200): The email can not be changed once it has been added"
        )
        assert app.screen.query_one("#cf-email", Input).value == "other@example.com"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert state.contacts[new].email == "nia@example.com"

        # Delete, confirmed.
        table(app, "#contacts-table").focus()
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.click("#yes")
        await settle(pilot)
        assert state.contacts[new].deleted
        assert column(app, "#contacts-table", 0) == ["233"]

        # The api_key never shows anywhere on the screen.
        assert XEROCHAT_KEY not in screen_text(app)
        assert all(form(r)["api_key"] == XEROCHAT_KEY for r in xc.state.log.matching("POST"))


async def test_xerochat_groups_by_id_create_rename_delete(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    xc: Starlette = provider_apps["xerochat"]
    state = xc.state.xerochat
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await show_tab(pilot, "tab-groups")
        app.screen.query_one("#g-open-id", Input).value = "67"
        app.screen.query_one("#g-open-id", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        # No member count from this provider: shown as unknown, not as zero.
        assert [str(c) for c in table(app, "#groups-table").get_row("67")] == [
            "67",
            "Customers",
            "—",
        ]

        await pilot.click("#g-new")
        await pilot.pause()
        app.screen.query_one("#prompt-value", Input).value = "Walk-ins"
        await pilot.press("enter")
        await settle(pilot)
        created = form(xc.state.log.matching("POST", "/api/create_contact_group")[-1])
        assert created["name"] == "Walk-ins"
        gid = max(state.groups)
        assert state.groups[gid].name == "Walk-ins"
        assert column(app, "#groups-table", 1) == ["Customers", "Walk-ins"]

        table(app, "#groups-table").focus()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#prompt-value", Input).value = "Walk-in customers"
        await pilot.press("enter")
        await settle(pilot)
        assert xc.state.log.matching("POST", f"/api/update_contact_group/{gid}")
        assert state.groups[gid].name == "Walk-in customers"

        await pilot.press("delete")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        deleted = form(xc.state.log.matching("POST", "/api/delete_contact_group")[-1])
        assert deleted["contact_type_id"] == str(gid)
        assert state.groups[gid].deleted
        assert column(app, "#groups-table", 0) == ["67"]
        assert XEROCHAT_KEY not in screen_text(app)


async def test_a_provider_without_contacts_shows_a_notice(
    sandbox_console: Callable[..., SwitchboardApp],
) -> None:
    app = sandbox_console("sandbox-8x8")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_contacts(pilot)
        assert text(app, "#contacts-notice") == (
            "8x8 SMS Engage does not offer contacts, contact and group listings, groups, "
            "blacklists or email validation."
        )
        assert not screen.query(TabbedContent)


async def test_switching_account_rebuilds_the_tabs(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_contacts(pilot)
        assert isinstance(screen, ContactsScreen)
        assert len(screen.query("TabPane")) == 4
        assert not screen.query_one("#contacts-notice").display
        palette = ["New contact", "Import contacts", "Export contacts", "New group"]
        assert [c.title for c in screen.palette_commands()] == palette
        app.active_account = "sandbox-xerochat"
        await settle(pilot)
        assert [p.id for p in screen.query("TabPane")] == ["tab-contacts", "tab-groups"]
        assert screen.query("#c-open-id")
        # Nothing that needs a listing is offered: no export, no paging keys.
        assert "Export contacts" not in [c.title for c in screen.palette_commands()]
        table(app, "#contacts-table").focus()
        await pilot.pause()
        footer_keys = {b.binding.description for b in screen.active_bindings.values()}
        assert "Edit" in footer_keys and "Next page" not in footer_keys
        app.active_account = "sandbox-360nrs"
        await settle(pilot)
        assert len(screen.query("TabPane")) == 4
        assert table(app, "#contacts-table").row_count == 50


def test_contact_rules_come_from_the_backend_class() -> None:
    # 360nrs holds every field but an external id (its reference only filters by one).
    # XeroChat declares what its contacts hold.
    nrs = ("name", "surname", "email", "phone", "landline", "country")
    assert ContactRules.of(Nrs360Backend) == ContactRules(
        label="360nrs",
        fields=nrs,
        number_needs_country=True,
        update_replaces=True,
        international_numbers=True,
    )
    rules = ContactRules.of(XeroChatBackend)
    assert rules.fields == ("name", "surname", "email", "phone")
    assert (rules.custom_fields, rules.group_names, rules.one_group) == (False, False, True)
    assert not rules.groups_movable
