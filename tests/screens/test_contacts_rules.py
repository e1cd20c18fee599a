"""The contact rules (tui.usecases.contacts) give the CLI, the New contact dialog and the
CSV import the same answer for the same input; "+34 600 111 333" is accepted everywhere."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import DataTable, Input

from backends.base import Backend
from backends.models.common import ContactInput
from backends.nrs360.client import Nrs360Backend
from backends.xerochat.client import XeroChatBackend
from screens.contacts.forms import ContactModal
from tests.screens.conftest import SIZE, settle
from tests.screens.test_contacts_io import open_import
from tests.screens.test_contacts_screen import fill_contact, open_contacts, text
from tui.app import SwitchboardApp
from tui.cli import build_parser
from tui.cli.common import UsageError
from tui.cli.contacts import contact_input
from tui.usecases.contacts import ContactRefused, ContactRules, check_contact
from tui.usecases.contacts_io import IMPORT_FIELDS, row_input

Answer = ContactInput | str
NRS_COUNTRY = "360nrs needs a country (two-letter ISO code, e.g. ES) with a phone number"
# (backend, typed fields, the one answer): groups are names or ids, as each front end
# takes them (--group/--group-id, "a, b" in the dialog, a groups column "a|b").
CASES: list[tuple[type[Backend], dict[str, str], list[str], Answer]] = [
    (Nrs360Backend, {"name": "Ana"}, ["VIP"], "give an email, a mobile phone or a landline"),
    (Nrs360Backend, {"phone": "+34 600 111 333"}, ["VIP"], NRS_COUNTRY),
    (
        Nrs360Backend,
        {"phone": "+34 600 111 333", "country": "es"},
        ["VIP"],
        ContactInput(phone="34600111333", country="ES", group_names=("VIP",)),
    ),
    (
        Nrs360Backend,
        {"phone": "600 111 333", "country": "ES", "name": "Ana"},
        ["VIP", "7"],
        ContactInput(
            phone="34600111333", country="ES", name="Ana", group_ids=(7,), group_names=("VIP",)
        ),
    ),
    (
        Nrs360Backend,
        {"email": "ana@example.com", "phone": "0034 600-111-333", "country": "ES"},
        ["VIP"],
        ContactInput(
            email="ana@example.com", phone="34600111333", country="ES", group_names=("VIP",)
        ),
    ),
    (
        Nrs360Backend,
        {"landline": "91 123 45 67", "country": "ES"},
        ["VIP"],
        ContactInput(landline="911234567", country="ES", group_names=("VIP",)),
    ),
    (
        Nrs360Backend,
        {"email": "ana@example.com"},
        [],
        "give at least one group (a name or an id)",
    ),
    (
        XeroChatBackend,
        {"email": "nia@example.com"},
        ["67", "68"],
        "a XeroChat contact belongs to exactly one group",
    ),
    (
        XeroChatBackend,
        {"email": "nia@example.com"},
        ["Customers"],
        "XeroChat contacts have no group names: give groups by id",
    ),
    (XeroChatBackend, {"name": "Nia"}, ["67"], "give an email or a mobile phone"),
    (
        XeroChatBackend,
        {"phone": "+34 600 111 333"},
        ["67"],
        ContactInput(phone="+34600111333", group_ids=(67,)),
    ),
    (
        XeroChatBackend,
        {"phone": "0123456999"},
        ["67"],
        ContactInput(phone="0123456999", group_ids=(67,)),
    ),
]


def by_cli(backend: type[Backend], fields: dict[str, str], groups: list[str]) -> Answer:
    argv = ["contacts", "create", "-a", "any"]
    for key, value in fields.items():
        argv += [f"--{key.replace('_', '-')}", value]
    for group in groups:
        argv += ["--group-id" if group.isdigit() else "--group", group]
    args: argparse.Namespace = build_parser().parse_args(argv)
    try:
        return contact_input(args, backend)
    except UsageError as exc:
        return str(exc)


def by_import(backend: type[Backend], fields: dict[str, str], groups: list[str]) -> Answer:
    names = [f for f, _, _ in IMPORT_FIELDS if f in (*fields, "groups")]
    row = [fields.get(f, "") if f != "groups" else "|".join(groups) for f in names]
    mapping = {f: i for i, f in enumerate(names)}
    try:
        return row_input(row, mapping, {}, ((), ()), ContactRules.of(backend))
    except ValueError as exc:
        return str(exc)


async def test_the_cli_the_dialog_and_the_import_give_the_same_answer(
    sandbox_console: Callable[..., SwitchboardApp],
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for backend, fields, groups, answer in CASES:
            modal = ContactModal(rules=ContactRules.of(backend))
            await app.push_screen(modal)
            await pilot.pause()
            for key, value in fields.items():
                modal.query_one(f"#cf-{key}", Input).value = value
            modal.query_one("#cf-groups", Input).value = ", ".join(groups)
            try:
                by_dialog: Answer = modal.build()
            except ValueError as exc:
                by_dialog = str(exc)
            modal.dismiss(None)
            await pilot.pause()
            got = (by_cli(backend, fields, groups), by_dialog, by_import(backend, fields, groups))
            assert got == (answer, answer, answer), (backend.label, fields, groups)


async def test_new_contact_and_import_accept_a_formatted_number(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    tmp_path: Path,
) -> None:
    """Issue 12: both refused "+34 600 111 333" (the provider's "phone format is
    invalid"), which Compose normalises; both now send it as Compose would, and an import
    creates a contact once when two rows are the same contact."""
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    source = tmp_path / "people.csv"
    # The third row is the second once its number is normalised: not created twice.
    source.write_text(
        "email,phone,country\n"
        "bea@example.com,+34 600 111 444,es\n"
        "cai@example.com,600 111 555,ES\n"
        "bea@example.com,34600111444,ES\n",
        "utf-8",
    )
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await pilot.click("#c-new")
        await pilot.pause()
        await fill_contact(pilot, name="Ana", phone="+34 600 111 333", country="ES", groups="VIP")
        assert not isinstance(app.screen, ContactModal), text(app, "#cf-error")
        modal = await open_import(pilot, source)
        modal.query_one("#imp-groups", Input).value = "VIP"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text(app, "#imp-summary") == (
            "Finished: 3 of 3 rows, 2 created, 1 duplicate row merged, 0 failed"
        )
        assert not app.screen.query_one("#imp-failures", DataTable).display
    posts = nrs.state.log.matching("POST", "/api/rest/contacts")
    assert [(p.json()["phone"], p.json()["countryIso"]) for p in posts] == [
        ("34600111333", "ES"),
        ("34600111444", "ES"),
        ("34600111555", "ES"),
    ]
    phones = {c.phone for c in state.contacts.values()}
    assert {"34600111333", "34600111444"} <= phones


@pytest.mark.parametrize("update", [False, True])
def test_an_update_needs_a_whole_contact_only_where_the_provider_replaces_it(
    update: bool,
) -> None:
    partial = ContactInput(name="Ana")
    nrs, xc = ContactRules.of(Nrs360Backend), ContactRules.of(XeroChatBackend)
    with pytest.raises(ContactRefused, match="give an email, a mobile phone or a landline"):
        check_contact(partial, nrs, update=update)
    if update:
        assert check_contact(partial, xc, update=True) == partial
        with pytest.raises(ContactRefused, match="give at least one field to change"):
            check_contact(ContactInput(), xc, update=True)
    else:
        with pytest.raises(ContactRefused, match="give an email or a mobile phone"):
            check_contact(partial, xc)
