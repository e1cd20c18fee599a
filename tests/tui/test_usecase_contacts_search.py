"""The contacts search use case (tui.usecases.contacts.search_contacts) against the
360nrs sandbox: the provider's exact filters where they fit, every page read otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from backends.base import Connection
from backends.models.common import ContactFilter
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from backends.sandbox.nrs360 import create_app as create_nrs
from backends.sandbox.nrs360.state import Contact as Stored
from tests.tui.conftest import demo_cli, demo_cli_json, state_of
from tui.usecases.contacts import SearchProgress, contact_matches, search_contacts

CONTACTS = "/api/rest/contacts"


def add_laura(app: Starlette) -> int:
    """A contact the tests search for, added to the emulator's database."""
    state = app.state.nrs
    now = state.now()
    contact = Stored(
        id=state.new_contact_id(),
        created_at=now,
        updated_at=now,
        email="Laura.Perez.Ortiz@Example.net",
        phone="34611222333",
        country_iso="ES",
        name="Laura",
        surname="Pérez Ortiz",
        group_ids=[next(iter(state.groups))],
    )
    state.contacts[contact.id] = contact
    return contact.id


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


def expected(app: Starlette, words: tuple[str, ...] = (), digits: str = "") -> set[int]:
    """The ids a reader of the whole database finds, by its own reading."""
    found = set()
    for c in app.state.nrs.contacts.values():
        texts = [t.lower() for t in (c.name, c.surname, c.email) if t]
        if any(w in t for w in words for t in texts):
            found.add(c.id)
        if digits and any(digits in n for n in (c.phone, c.landline) if n):
            found.add(c.id)
    return found


async def test_a_part_of_a_name_surname_or_email_is_found_on_every_page(
    nrs: Nrs360Backend, nrs_app: Starlette
) -> None:
    laura = add_laura(nrs_app)
    total = len(nrs_app.state.nrs.contacts)
    seen: list[SearchProgress] = []
    result = await search_contacts(nrs, "LAURA", page_size=40, progress=seen.append)
    assert laura in {c.id for c in result.contacts}
    assert {c.id for c in result.contacts} == expected(nrs_app, ("laura",))
    assert result.exact is None and (result.searched, result.total) == (total, total)
    # One progress a page, the matches so far with it.
    assert [p.searched for p in seen] == [min(40 * i, total) for i in range(1, len(seen) + 1)]
    assert seen[-1].searched == total and seen[-1].matches == result.contacts
    assert seen[0].text().startswith(f"searched 40 of {total:,} · ")
    # No exact filter fits a bare word: the pages are read without one.
    sent = nrs_app.state.log.matching("GET", CONTACTS)
    assert all("email" not in r.query and "phone" not in r.query for r in sent)

    for text in ("ortiz", "pérez ort", "laura pérez", "ortiz@example"):
        found = await search_contacts(nrs, text)
        assert laura in {c.id for c in found.contacts}, text


async def test_part_of_a_number_is_matched_on_its_digits(
    nrs: Nrs360Backend, nrs_app: Starlette
) -> None:
    laura = add_laura(nrs_app)
    result = await search_contacts(nrs, "1222 33")
    assert laura in {c.id for c in result.contacts}
    assert {c.id for c in result.contacts} == expected(nrs_app, digits="122233")
    assert result.summary().endswith(f"searched {result.total} of {result.total}")


async def test_a_whole_formatted_number_or_email_uses_the_providers_exact_filter(
    nrs: Nrs360Backend, nrs_app: Starlette
) -> None:
    laura = add_laura(nrs_app)
    for text in ("+34 611 222 333", "611-222-333", "0034 611222333"):
        result = await search_contacts(nrs, text)
        assert [c.id for c in result.contacts] == [laura], text
        assert result.exact == "phone"
        sent = nrs_app.state.log.matching("GET", CONTACTS)[-1]
        assert sent.query["phone"] == ["34611222333"]
    assert result.summary() == "1 contact found by the provider's phone filter"

    result = await search_contacts(nrs, "Laura.Perez.Ortiz@Example.net")
    assert [c.id for c in result.contacts] == [laura] and result.exact == "email"
    # The provider-side filters still narrow it.
    result = await search_contacts(nrs, "laura", ContactFilter(country="GB"))
    assert laura not in {c.id for c in result.contacts}
    assert nrs_app.state.log.matching("GET", CONTACTS)[-1].query["countryIso"] == ["GB"]


async def test_a_whole_email_the_filter_misses_is_still_looked_for_in_every_contact(
    nrs: Nrs360Backend, nrs_app: Starlette
) -> None:
    laura = add_laura(nrs_app)
    # "a.perez.ortiz@example.net" is no one's email, but part of Laura's.
    result = await search_contacts(nrs, "a.perez.ortiz@example.net")
    assert [c.id for c in result.contacts] == [laura] and result.exact is None
    queries = [r.query for r in nrs_app.state.log.matching("GET", CONTACTS)]
    assert queries[0]["email"] == ["a.perez.ortiz@example.net"]
    assert all("email" not in q for q in queries[1:])
    # The provider's filter is one exact value: another case is found by reading.
    result = await search_contacts(nrs, "laura.perez.ortiz@example.net")
    assert [c.id for c in result.contacts] == [laura] and result.exact is None


async def test_no_text_is_a_clear_message(nrs: Nrs360Backend) -> None:
    with pytest.raises(ValueError, match="Type part of a name, surname, email or number"):
        await search_contacts(nrs, "  ")


def test_matching_reads_names_emails_and_digits() -> None:
    from backends.models.common import Contact

    ana = Contact(id=1, name="Ana", surname="Ruiz", email="ana@x.es", phone="34600111333")
    assert contact_matches(ana, "ANA RU")
    assert contact_matches(ana, "@x.es")
    assert contact_matches(ana, "(600) 111")
    assert not contact_matches(ana, "600 112")
    assert not contact_matches(ana, "bea")


def test_the_cli_lists_what_the_search_finds(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    state = state_of(nrs_server)
    lauras = sorted(
        c.id for c in state.contacts.values() if "laura" in f"{c.name} {c.email}".lower()
    )
    code, out = demo_cli("contacts", "list", "--search", "Laura")
    assert code == 0, out
    assert out.splitlines()[-1] == f"{len(lauras)} contacts found · searched 120 of 120"
    data = demo_cli_json("contacts", "list", "--search", "laura")
    assert sorted(c["id"] for c in data["items"]) == lauras
    capsys.readouterr()
    code, _ = demo_cli("contacts", "list", "--search", " ")
    error = capsys.readouterr().err
    assert code == 2 and error.startswith("switchboard: Type part of a name, surname, email")
