"""Contacts CSV import (mapping, progress, results) and export, against the sandbox."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import Checkbox, Input, ProgressBar, Select

from backends.models.common import Contact, ContactInput, CustomField, GroupRef
from screens.contacts.forms import TextPromptModal
from screens.contacts.io import ImportModal
from screens.contacts.screen import ContactsScreen
from screens.widgets.common import ConfirmModal
from tests.screens.conftest import SIZE, settle
from tests.screens.test_contacts_by_id import form
from tests.screens.test_contacts_screen import open_contacts, table, text
from tui.app import SwitchboardApp
from tui.usecases.contacts_io import (
    EXPORT_HEADER,
    IMPORT_FIELDS,
    export_row,
    guess_column,
    iter_rows,
    read_csv_head,
    row_input,
)

CONTACTS = "/api/rest/contacts"


async def open_import(pilot: Any, path: Path) -> ImportModal:
    await pilot.click("#c-import")
    await pilot.pause()
    modal = pilot.app.screen
    assert isinstance(modal, ImportModal)
    modal.query_one("#imp-path", Input).value = str(path)
    modal.query_one("#imp-path", Input).focus()
    await pilot.press("enter")
    await pilot.pause()
    return modal


async def test_import_maps_columns_and_reports_each_failed_row(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    tmp_path: Path,
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    source = tmp_path / "people.csv"
    source.write_text(
        "Mail;Mobile;Pais;First name;Colour\n"
        "lia@example.com;34611000001;es;Lia;green\n"
        ";;;Nobody;red\n"
        "bad-email;;;Bad;blue\n"
        "tom@example.com;34611000002;GB;Tom;\n",
        encoding="utf-8",
    )
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        before = set(state.contacts)
        modal = await open_import(pilot, source)
        assert text(app, "#imp-error") == ""
        preview = table(app, "#imp-preview")
        assert [str(c.label) for c in preview.columns.values()] == [
            "Mail",
            "Mobile",
            "Pais",
            "First name",
            "Colour",
        ]
        assert preview.row_count == 4
        # Common column names are recognised; the others are mapped by hand.
        guessed = {
            f: modal.query_one(f"#map-{f}", Select).value for f in ("email", "phone", "name")
        }
        assert guessed == {"email": 0, "phone": 1, "name": 3}
        assert modal.query_one("#map-country", Select).is_blank()
        modal.query_one("#map-country", Select).value = 2

        # Without a group the import is refused inline.
        await pilot.click("#imp-start")
        await pilot.pause()
        assert text(app, "#imp-error") == "Give at least one group for the imported contacts."
        modal.query_one("#imp-groups", Input).value = "Fair 2025"
        await pilot.press("ctrl+s")
        await settle(pilot)

        bar = modal.query_one("#imp-progress", ProgressBar)
        assert (bar.progress, bar.total) == (4, 4)
        assert text(app, "#imp-summary") == "Finished: 4 of 4 rows, 2 created, 2 failed"
        failures = table(app, "#imp-failures")
        assert [tuple(map(str, failures.get_row_at(i))) for i in range(2)] == [
            ("3", "give an email, a mobile phone or a landline"),
            ("4", "The email must be a valid email address."),
        ]
        new = [state.contacts[i] for i in sorted(set(state.contacts) - before)]
        assert [(c.email, c.phone, c.country_iso, c.name) for c in new] == [
            ("lia@example.com", "34611000001", "ES", "Lia"),
            ("tom@example.com", "34611000002", "GB", "Tom"),
        ]
        # The unmapped column became a custom field (empty cells are left out).
        assert [(f.key, f.value) for f in new[0].custom_fields] == [("Colour", "green")]
        assert new[1].custom_fields == []
        assert {state.groups[g].name for c in new for g in c.group_ids} == {"Fair 2025"}
        posts = nrs.state.log.matching("POST", CONTACTS)
        assert len(posts) == 3  # the row without any address never left
        await pilot.click("#imp-close")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)


async def test_import_of_a_bad_file_says_why_inline(
    sandbox_console: Callable[..., SwitchboardApp], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("email\nsí@example.com\n".encode("latin-1"))
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        modal = await open_import(pilot, tmp_path / "missing.csv")
        assert text(app, "#imp-error") == f"{tmp_path / 'missing.csv'} is not a file."
        assert not modal.query_one("#imp-mapping").display
        assert modal.query_one("#imp-start").disabled
        for path, message in (
            (empty, f"{empty} is empty: the first line must name the columns."),
            (latin, f"{latin} is not UTF-8 text: save it as CSV UTF-8."),
        ):
            modal.query_one("#imp-path", Input).value = str(path)
            await pilot.click("#imp-load")
            await pilot.pause()
            assert text(app, "#imp-error") == message
        # A file whose columns map to no address is refused before any request.
        names = tmp_path / "names.csv"
        names.write_text("first,last\nAna,Ruiz\n", encoding="utf-8")
        modal.query_one("#imp-path", Input).value = str(names)
        await pilot.click("#imp-load")
        await pilot.pause()
        modal.query_one("#imp-custom", Checkbox).value = False
        await pilot.click("#imp-start")
        await pilot.pause()
        assert text(app, "#imp-error") == "Map a column to Email, Mobile phone or Landline."


async def export_country(pilot: Any, country: str, target: Path) -> None:
    """Filter the contacts by country and export them all to `target`."""
    pilot.app.screen.query_one("#f-country", Input).value = country
    await pilot.click("#c-search")
    await settle(pilot)
    await pilot.click("#c-export")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TextPromptModal)
    pilot.app.screen.query_one("#prompt-value", Input).value = str(target)
    await pilot.press("enter")
    await settle(pilot)


async def test_export_writes_every_page_of_the_filter_and_asks_before_replacing(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    tmp_path: Path,
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    target = tmp_path / "es.csv"
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await export_country(pilot, "ES", target)

        spain = sorted(c.id for c in state.contacts.values() if c.country_iso == "ES")
        with target.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert [int(r["id"]) for r in rows] == spain
        assert {r["countryIso"] for r in rows} == {"ES"}
        first = state.contacts[spain[0]]
        assert rows[0]["email"] == (first.email or "")
        groups = "|".join(state.groups[g].name for g in first.group_ids)
        assert rows[0]["groups"] == groups
        exports = [
            r for r in nrs.state.log.matching("GET", CONTACTS) if r.query.get("limit") == ["1000"]
        ]
        assert exports and all(r.query["countryIso"] == ["ES"] for r in exports)
        assert text(app, "#contacts-status") == f"Exported {len(spain)} contacts to {target}"
        bar = app.screen.query_one("#export-progress", ProgressBar)
        assert (bar.progress, bar.total) == (len(spain), len(spain))

        # Exporting again to the same file asks; Cancel leaves the file untouched.
        target.write_text("keep me", encoding="utf-8")
        await pilot.click("#c-export")
        await pilot.pause()
        app.screen.query_one("#prompt-value", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert target.read_text(encoding="utf-8") == "keep me"
        # Confirmed, the file is replaced by the export.
        await pilot.click("#c-export")
        await pilot.pause()
        app.screen.query_one("#prompt-value", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert target.read_text(encoding="utf-8").startswith(",".join(EXPORT_HEADER))
        # No temp file left beside it.
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(f".{target.name}")]


def test_export_row_reads_back_as_the_same_contact() -> None:
    contact = Contact(
        id=7,
        email="ana@example.com",
        phone="34600111222",
        country="ES",
        name="Ana",
        surname="Ruiz",
        groups=(GroupRef(1, "Sales, North"), GroupRef(2, "VIP"), GroupRef(9, "2024")),
        custom_fields=(
            CustomField("since", "2024-05-01", "date"),
            CustomField("ltv", "12.5", "decimal"),
            CustomField("note", "a=b; c"),
            CustomField("odd", "ends:date"),
        ),
    )
    row = list(export_row(contact))
    header = tuple(EXPORT_HEADER)
    mapping = {
        field: index
        for field, _, aliases in IMPORT_FIELDS
        if (index := guess_column(header, aliases)) is not None
    }
    # The contact id is nobody's External id; groups and custom fields are recognised.
    assert "external_id" not in mapping
    assert (mapping["groups"], mapping["custom_fields"]) == (7, 8)
    data = row_input(row, mapping, {}, ((), ()))
    assert data == ContactInput(
        email="ana@example.com",
        phone="34600111222",
        country="ES",
        name="Ana",
        surname="Ruiz",
        # A group named with digits only goes by its id (a name like that reads as one).
        group_ids=(9,),
        group_names=("Sales, North", "VIP"),
        custom_fields=contact.custom_fields,
    )
    # Without a group in the row or for every row, the row is refused with its reason.
    row[7] = ""
    with pytest.raises(ValueError, match="give at least one group"):
        row_input(row, mapping, {}, ((), ()))


async def test_reimporting_an_export_keeps_groups_and_typed_custom_fields(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    tmp_path: Path,
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    target = tmp_path / "gb.csv"
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await export_country(pilot, "GB", target)
        originals = sorted(
            (c for c in state.contacts.values() if c.country_iso == "GB"), key=lambda c: c.id
        )
        assert any(f.type != "string" for c in originals for f in c.custom_fields)
        before = set(state.contacts)

        modal = await open_import(pilot, target)
        # 360nrs contacts have no external id to write: the import offers none.
        assert not modal.query("#map-external_id")
        await pilot.press("ctrl+s")  # no extra group: each row's groups column is enough
        await settle(pilot)
        n = len(originals)
        assert text(app, "#imp-summary") == f"Finished: {n} of {n} rows, {n} created, 0 failed"
        copies = [state.contacts[i] for i in sorted(set(state.contacts) - before)]

        def shape(c: Any) -> tuple[Any, ...]:
            fields = sorted((f.key, f.value, f.type) for f in c.custom_fields)
            groups = sorted(state.groups[g].name for g in c.group_ids)
            # (No external id: 360nrs never shows it, so no export can carry it.)
            return (c.email, c.phone, c.country_iso, c.name, c.surname, groups, fields)

        assert [shape(c) for c in copies] == [shape(c) for c in originals]
        assert all(c.external_id is None for c in copies)


async def test_import_offers_only_what_xerochat_contacts_hold(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    tmp_path: Path,
) -> None:
    xc: Starlette = provider_apps["xerochat"]
    source = tmp_path / "xero.csv"
    source.write_text(
        "email,phone,landline,country,name,external_id,groups,Colour\n"
        "nia@example.com,34600111222,911000111,ES,Nia,x1,67,green\n"
        "two@example.com,,,,Two,,67|68,red\n"
        "named@example.com,,,,Named,,Customers,blue\n",
        encoding="utf-8",
    )
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        modal = await open_import(pilot, source)
        # No landline, country, external id or custom fields: XeroChat refuses them.
        assert [s.id for s in modal.query(Select)] == [
            "map-email",
            "map-phone",
            "map-name",
            "map-surname",
            "map-groups",
        ]
        assert not modal.query_one("#imp-custom", Checkbox).display
        # Groups for every row by name, or more than one, are refused inline.
        for given, message in (
            ("Customers", "XeroChat contacts have no group names: give groups by id"),
            ("67, 68", "a XeroChat contact belongs to exactly one group"),
        ):
            modal.query_one("#imp-groups", Input).value = given
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert text(app, "#imp-error") == message
        modal.query_one("#imp-groups", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text(app, "#imp-summary") == "Finished: 3 of 3 rows, 1 created, 2 failed"
        failures = table(app, "#imp-failures")
        assert [tuple(map(str, failures.get_row_at(i))) for i in range(2)] == [
            ("3", "a XeroChat contact belongs to exactly one group"),
            ("4", "XeroChat contacts have no group names: give groups by id"),
        ]
        # Only the good row was sent, without the columns XeroChat does not store.
        (post,) = xc.state.log.matching("POST", "/api/create_contact")
        sent = form(post)
        assert (sent["email"], sent["contact_type_id"]) == ("nia@example.com", "67")
        assert not any("green" in v or "911000111" in v for v in sent.values())


async def test_import_refuses_a_360nrs_phone_without_a_country_before_sending_it(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    tmp_path: Path,
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    source = tmp_path / "phones.csv"
    source.write_text(
        "email,phone,country\nana@example.com,34600111333,\nbea@example.com,34600111444,ES\n",
        encoding="utf-8",
    )
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        modal = await open_import(pilot, source)
        modal.query_one("#imp-groups", Input).value = "VIP"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text(app, "#imp-summary") == "Finished: 2 of 2 rows, 1 created, 1 failed"
        failures = table(app, "#imp-failures")
        assert [tuple(map(str, failures.get_row_at(0)))] == [
            ("2", "360nrs needs a country (two-letter ISO code, e.g. ES) with a phone number")
        ]
        posts = nrs.state.log.matching("POST", CONTACTS)
        assert [p.json()["phone"] for p in posts] == ["34600111444"]


def test_iter_rows_names_the_line_of_a_bad_byte_or_bad_csv_after_the_head(
    tmp_path: Path,
) -> None:
    rows = "".join(f"bulk{i:05}@example.com\n" for i in range(4000))  # past 64 KB
    latin = tmp_path / "late-latin.csv"
    latin.write_bytes(
        b"email\n" + rows.encode() + "s\u00ed@example.com\nz@example.com\n".encode("latin-1")
    )
    source = read_csv_head(latin)  # the head is fine
    with pytest.raises(ValueError) as bad:
        list(iter_rows(source))
    assert str(bad.value) == f"{latin} line 4002: not UTF-8 text (save it as CSV UTF-8)"

    huge = tmp_path / "huge.csv"
    big = "x" * 200_000  # beyond the csv module's field limit
    huge.write_text(f"email,note\n{rows}z@example.com,{big}\n", encoding="utf-8")
    with pytest.raises(ValueError) as bad:
        list(iter_rows(read_csv_head(huge)))
    assert str(bad.value) == f"{huge} line 4002: field larger than field limit (131072)"


async def test_a_bad_byte_late_in_the_file_stops_the_import_with_its_line(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    tmp_path: Path,
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    rows = "".join(f"late{i:05}@example.com\n" for i in range(4000))
    source = tmp_path / "late.csv"
    source.write_bytes(b"email\n" + rows.encode() + b"\xff@example.com\n")
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        modal = await open_import(pilot, source)
        assert text(app, "#imp-error") == ""
        modal.query_one("#imp-groups", Input).value = "Late"
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Said in the dialog (no "Unexpected error" modal); found before any request.
        assert app.screen is modal
        assert text(app, "#imp-summary") == (
            f"Stopped: {source} line 4002: not UTF-8 text (save it as CSV UTF-8). "
            "0 created, 0 failed"
        )
        assert not nrs.state.log.matching("POST", CONTACTS)
