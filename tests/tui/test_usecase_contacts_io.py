"""The contacts import and export use case (tui.usecases.contacts_io) against the sandboxes."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from backends.base import Connection
from backends.models.common import ContactFilter
from backends.nrs360.client import Nrs360Backend
from backends.sandbox import xerochat
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from backends.sandbox.nrs360 import create_app as create_nrs
from backends.xerochat.client import XeroChatBackend
from tui.usecases.contacts import ContactRefused, ContactRules
from tui.usecases.contacts_io import (
    CANCELLED,
    EXPORT_HEADER,
    ImportProgress,
    ImportRequest,
    ImportResult,
    RowStatus,
    export_contacts,
    import_contacts,
    read_csv_head,
)

CONTACTS = "/api/rest/contacts"


@pytest.fixture
def nrs_app() -> Starlette:
    return create_nrs()


@pytest.fixture
async def nrs(nrs_app: Starlette) -> AsyncIterator[Nrs360Backend]:
    backend = Nrs360Backend(
        Connection("http://sandbox/api/rest", DEMO_USERNAME, DEMO_PASSWORD),
        transport=httpx.ASGITransport(app=nrs_app),
    )
    async with backend:
        yield backend


def request_for(path: Path, text: str, groups: tuple[str, ...] = ("Fair",)) -> ImportRequest:
    path.write_text(text, encoding="utf-8")
    rules = ContactRules.of(Nrs360Backend)
    return ImportRequest.guessed(read_csv_head(path), rules, ((), groups))


def outcomes(result: ImportResult) -> list[tuple[int, str, str | None]]:
    return [(r.line, r.status.value, r.reason) for r in result.rows]


async def test_export_then_import_is_the_same_contacts(
    nrs: Nrs360Backend, nrs_app: Starlette, tmp_path: Path
) -> None:
    state = nrs_app.state.nrs
    target = tmp_path / "gb.csv"
    seen: list[int] = []
    done = await export_contacts(
        nrs, target, ContactFilter(country="GB"), progress=lambda p: seen.append(p.done)
    )
    originals = sorted(
        (c for c in state.contacts.values() if c.country_iso == "GB"), key=lambda c: c.id
    )
    assert (done.done, done.total, done.finished) == (len(originals), len(originals), True)
    assert seen and seen[-1] == len(originals)
    with target.open(encoding="utf-8", newline="") as f:
        assert tuple(next(csv.reader(f))) == EXPORT_HEADER
    before = set(state.contacts)

    source = read_csv_head(target)
    request = ImportRequest.guessed(source, ContactRules.of(Nrs360Backend))
    request.check()  # each row's groups column is enough
    progress: list[ImportProgress] = []
    result = await import_contacts(request, nrs, progress=progress.append)
    n = len(originals)
    assert result.summary() == f"Finished: {n} of {n} rows, {n} created, 0 failed"
    assert progress[-1] == ImportProgress(n, n, n, 0)
    copies = [state.contacts[i] for i in sorted(set(state.contacts) - before)]
    assert [r.contact_id for r in result.rows] == [c.id for c in copies]

    def shape(c: object) -> tuple[object, ...]:
        fields = sorted((f.key, f.value, f.type) for f in c.custom_fields)  # type: ignore[attr-defined]
        groups = sorted(state.groups[g].name for g in c.group_ids)  # type: ignore[attr-defined]
        return (c.email, c.phone, c.country_iso, c.name, c.surname, groups, fields)  # type: ignore[attr-defined]

    assert [shape(c) for c in copies] == [shape(c) for c in originals]


async def test_duplicate_and_bad_rows_are_said_with_their_lines(
    nrs: Nrs360Backend, nrs_app: Starlette, tmp_path: Path
) -> None:
    request = request_for(
        tmp_path / "people.csv",
        "email;phone;country;name\n"
        "ana@example.com;+34 600 111 333;ES;Ana\n"
        ";;;Nobody\n"
        "ana@example.com;34600111333;es;Ana\n"
        "bad-email;;;Bad\n"
        "bea@example.com;600 111 444;ES;Bea\n",
    )
    result = await import_contacts(request, nrs)
    assert outcomes(result) == [
        (2, "created", None),
        (3, "refused", "give an email, a mobile phone or a landline"),
        # The same contact once its number is normalised: merged, not created twice.
        (4, "merged", "the same contact as line 2"),
        (5, "rejected", "The email must be a valid email address."),
        (6, "created", None),
    ]
    assert result.summary() == (
        "Finished: 5 of 5 rows, 2 created, 1 duplicate row merged, 2 failed"
    )
    # A formatted number is sent normalised, a national one read in the row's country.
    posts = nrs_app.state.log.matching("POST", CONTACTS)
    assert [p.json().get("phone") for p in posts] == ["34600111333", None, "34600111444"]
    assert result.to_json()["rows"][2] == {
        "line": 4,
        "status": "merged",
        "id": None,
        "reason": "the same contact as line 2",
    }


async def test_a_dry_run_checks_every_row_and_sends_nothing(
    nrs: Nrs360Backend, nrs_app: Starlette, tmp_path: Path
) -> None:
    request = request_for(
        tmp_path / "dry.csv",
        "email,phone,country\na@example.com,34600111333,\nb@example.com,34600111444,ES\n"
        "b@example.com,+34 600 111 444,ES\n",
    )
    result = await import_contacts(request, nrs, dry_run=True)
    assert [(r.line, r.status) for r in result.rows] == [
        (2, RowStatus.REFUSED),
        (3, RowStatus.VALID),
        (4, RowStatus.MERGED),
    ]
    assert result.summary() == "Checked: 3 of 3 rows, 1 valid, 1 duplicate row merged, 1 failed"
    assert not nrs_app.state.log.matching("POST", CONTACTS)


async def test_groups_the_provider_refuses(tmp_path: Path) -> None:
    rules = ContactRules.of(XeroChatBackend)
    source = tmp_path / "xero.csv"
    source.write_text("email,groups\nnia@example.com,67\ntwo@example.com,Customers\n")
    head = read_csv_head(source)
    # For every row: said once, before any row is read.
    for groups, message in (
        (((), ("Customers",)), "XeroChat contacts have no group names: give groups by id"),
        (((67, 68), ()), "a XeroChat contact belongs to exactly one group"),
    ):
        with pytest.raises(ContactRefused, match=message):
            ImportRequest.guessed(head, rules, groups).check()
    # In a row: that row is refused with its line, without a request.
    app = xerochat.create_app()
    backend = XeroChatBackend(
        Connection("http://sandbox/api", secret=xerochat.DEMO_API_KEY),
        transport=httpx.ASGITransport(app=app),
    )
    async with backend:
        result = await import_contacts(ImportRequest.guessed(head, rules), backend)
    assert outcomes(result) == [
        (2, "created", None),
        (3, "refused", "XeroChat contacts have no group names: give groups by id"),
    ]
    assert len(app.state.log.matching("POST", "/api/create_contact")) == 1


async def test_a_bad_line_stops_before_any_contact_and_a_cancel_says_what_was_done(
    nrs: Nrs360Backend, nrs_app: Starlette, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    # Past the 64 KB the head is read from, so only the import meets it.
    good = "".join(f"late{i:05}@example.com\n" for i in range(4000))
    bad.write_bytes(b"email\n" + good.encode() + b"\xff@example.com\n")
    request = ImportRequest.guessed(
        read_csv_head(bad), ContactRules.of(Nrs360Backend), ((), ("X",))
    )
    result = await import_contacts(request, nrs)
    assert result.stopped == f"{bad} line 4002: not UTF-8 text (save it as CSV UTF-8)"
    assert (result.rows, result.created) == ([], 0)
    assert not nrs_app.state.log.matching("POST", CONTACTS)

    rows = "".join(f"p{i}@example.com\n" for i in range(50))
    request = request_for(tmp_path / "many.csv", "email\n" + rows)
    kept = ImportResult()
    started = asyncio.Event()

    def progress(p: ImportProgress) -> None:
        if p.done == 3:
            started.set()

    task = asyncio.create_task(import_contacts(request, nrs, progress=progress, result=kept))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert kept.stopped == CANCELLED
    assert 3 <= kept.created < 50
    assert kept.summary() == f"Stopped: cancelled. {kept.created} created, 0 failed"
    assert len(nrs_app.state.log.matching("POST", CONTACTS)) >= kept.created
