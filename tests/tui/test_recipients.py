"""Loading recipients: typed, CSV, contact groups; normalisation, dedupe, blacklist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import phonenumbers
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backends.base import Connection
from backends.emails import normalise_email
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app
from tui.engine import recipients as recipients_module
from tui.engine.phones import _parsed, normalise_phone, plain_digits
from tui.engine.recipients import (
    RecipientsError,
    build,
    csv_rows,
    fetch_blacklist,
    from_csv,
    from_group,
    from_values,
    peek_csv,
    sniff_delimiter,
)


def backend() -> Nrs360Backend:
    app = create_app()
    return Nrs360Backend(
        Connection("http://sandbox/api/rest", DEMO_USERNAME, DEMO_PASSWORD),
        transport=httpx.ASGITransport(app),
    )


def test_phone_normalisation() -> None:
    assert normalise_phone("34666555444") == ("34666555444", "ES")
    assert normalise_phone(" 666 55 54 44 ") == ("34666555444", "ES")
    assert normalise_phone("+33 6 12 34 56 78") == ("33612345678", "FR")
    assert normalise_phone("0033612345678") == ("33612345678", "FR")
    assert normalise_phone("3001234567", "CO") == ("573001234567", "CO")
    assert normalise_phone("573001234567") == ("573001234567", "CO")
    assert isinstance(normalise_phone("34"), str)
    assert normalise_phone("") == "empty"
    assert "not a valid" in str(normalise_phone("+34 123"))


def test_email_validation() -> None:
    assert normalise_email(" Ana@Example.COM ") == "Ana@example.com"
    # An internationalised domain is an address (the old pattern took only ASCII labels).
    assert normalise_email("user@bücher.de") == "user@bücher.de"
    assert normalise_email("User@BÜCHER.de") == "User@bücher.de"
    for bad in (
        "a.@b.com",  # a dot just before the @ (the old pattern took it)
        ".a@b.com",
        "a@b.invalid",  # a reserved domain no mail reaches
        "a@b",
        "a..b@x.com",
        "no-at.example.com",
        "a@-x.com",
        "a b@x.com",
        "x" * 65 + "@x.com",
    ):
        assert normalise_email(bad) is None, bad


def test_typed_dedupe_invalid_and_blacklist() -> None:
    got = from_values(
        ["34666555444", "+34 666 555 444", "34", "34666555333"],
        subs=[{"n": "a"}, {"n": "b"}, {"n": "c"}, {"n": "d"}],
        blacklist=frozenset({"34666555333"}),
    )
    assert [(r.to, r.row, r.vars) for r in got.valid] == [
        ("34666555444", 1, {"n": "a"}),
        ("34666555333", 4, {"n": "d"}),
    ]
    assert got.duplicates == 1
    assert [(i.row, i.value) for i in got.invalid] == [(3, "34")]
    assert got.blacklisted == 1 and [r.to for r in got.sendable] == ["34666555444"]
    with pytest.raises(RecipientsError, match="2 sets of variables for 1"):
        from_values(["34666555444"], subs=[{}, {}])


def test_csv_mapping_and_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "\ufeffName,Mobile,Plan\nAna,666555444,gold\n\nBo,34,silver\nCy,34666555444,x\n"
        'Di,"34 666 555 333",a,extra\nEd,34666555222\n',
        encoding="utf-8",
    )
    got = from_csv(path)  # "Mobile" is picked as the recipient column
    assert [(r.to, r.row, r.vars) for r in got.valid] == [
        ("34666555444", 2, {"Name": "Ana", "Plan": "gold"}),
        ("34666555222", 7, {"Name": "Ed", "Plan": ""}),
    ]
    assert got.duplicates == 1
    assert [(i.row, i.reason.split(":")[0]) for i in got.invalid] == [
        (4, "not a phone number"),
        (6, "4 fields, the header has 3"),
    ]
    emails = tmp_path / "e.csv"
    emails.write_text("who,x\nana@example.com,1\nbad,2\n")
    got = from_csv(emails, to_column="WHO", kind="email")
    assert [r.to for r in got.valid] == ["ana@example.com"] and got.invalid[0].row == 3
    assert got.invalid[0].reason == "not a valid email: An email address must have an @-sign"


@pytest.mark.parametrize(
    ("content", "column", "message"),
    [
        (None, None, "no such file"),
        (b"", None, "expected a header row"),
        (b"a,b\n1,2\n", None, "name one with --to-column"),
        (b"to,b\n1,2\n", "phone", "no column 'phone'; the header has to, b"),
        (b"to,x\n\xff\xfe34,1\n", None, "not UTF-8"),
        (b"to,to\n1,2\n", None, "repeated column names: to"),
    ],
)
def test_csv_errors_are_clear(
    tmp_path: Path, content: bytes | None, column: str | None, message: str
) -> None:
    path = tmp_path / "r.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RecipientsError, match=message.replace("(", r"\(")):
        from_csv(path, to_column=column)


async def test_group_and_blacklist_from_sandbox() -> None:
    async with backend() as b:
        staff = await from_group(b, "staff")
        assert staff.valid and all(r.vars and "name" in r.vars for r in staff.valid)
        page = await b.contacts_page(1, limit=1000, include_details=True)
        expected = {
            c.phone.removeprefix("+")
            for c in page.items
            if c.phone and any(g.name == "Staff" for g in c.groups)
        }
        assert {r.to for r in staff.valid} | {i.value for i in staff.invalid} >= expected
        group_id = next(g.id for c in page.items for g in c.groups if g.name == "Staff")
        by_id = await from_group(b, str(group_id))
        assert [r.to for r in by_id.valid] == [r.to for r in staff.valid]
        with pytest.raises(RecipientsError, match="no contacts in group"):
            await from_group(b, "nobody")
        await b.blacklist_add("sms", "34666000111")
        blacklist = await fetch_blacklist(b)
        assert "34666000111" in blacklist
        got = from_values(["+34 666 000 111"], blacklist=blacklist)
        assert got.blacklisted == 1


def test_a_large_file_is_deduplicated(tmp_path: Path) -> None:
    # Its speed on 100,000 rows is measured by tests/bench/bench_lists.py.
    path = tmp_path / "big.csv"
    with path.open("w") as fh:
        fh.write("to,name\n")
        for i in range(10_000):
            fh.write(f"3466{i % 9_000:07d},N{i}\n")
    got = from_csv(path)
    assert len(got.valid) == 9_000 and got.duplicates == 1_000
    assert got.valid[0].vars["name"] == "N0"
    assert build([]).valid == []


def test_email_send_takes_the_email_column_and_phone_the_phone_one(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("phone,email,name\n34600000001,ana@example.com,Ana\n", encoding="utf-8")
    emails = from_csv(path, kind="email")
    assert [(r.to, r.vars) for r in emails.valid] == [
        ("ana@example.com", {"phone": "34600000001", "name": "Ana"})
    ]
    phones = from_csv(path)
    assert [r.to for r in phones.valid] == ["34600000001"]
    # A file with only an email column is no phone list.
    only = tmp_path / "only.csv"
    only.write_text("email\nana@example.com\n", encoding="utf-8")
    with pytest.raises(RecipientsError, match="which column holds the phone numbers"):
        from_csv(only)


def test_semicolon_separated_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        "telefono;nombre;importe\n34600000001;Ana López;1.234,56\n34600000002;Luis;7\n",
        encoding="utf-8",
    )
    got = from_csv(path, to_column="telefono")
    assert [(r.to, r.vars) for r in got.valid] == [
        ("34600000001", {"nombre": "Ana López", "importe": "1.234,56"}),
        ("34600000002", {"nombre": "Luis", "importe": "7"}),
    ]
    assert sniff_delimiter("to,name\n346,Ana; Luis\n") == ","
    assert sniff_delimiter("to\n346\n") == ","
    assert sniff_delimiter("to\tname\n346\tAna\n") == "\t"
    with pytest.raises(RecipientsError, match="pick one in the form"):
        from_csv(path, column_hint="pick one in the form")


def test_csv_rows_sniffs_the_separator_strips_cells_and_keeps_quoted_newlines() -> None:
    assert csv_rows(' Mobile ; Name \n+346 ; Ana \n+347;"two\nlines"\n') == [
        {"Mobile": "+346", "Name": "Ana"},
        {"Mobile": "+347", "Name": "two\nlines"},
    ]
    assert csv_rows("email\tcity\na@example.com\t\n") == [{"email": "a@example.com", "city": ""}]
    assert csv_rows("email\n") == []
    with pytest.raises(ValueError, match="needs a header line"):
        csv_rows("")
    with pytest.raises(ValueError, match="field larger than field limit"):
        csv_rows('email\n"' + "x" * 200_000)  # a quote never closed


def test_the_preview_reads_a_csv_as_the_send_does(tmp_path: Path) -> None:
    # Semicolons, a BOM, a quoted cell over two lines, a blank line, a short row.
    path = tmp_path / "r.csv"
    path.write_text(
        '\ufeffName;Phone;Note\nAna;34666555444;"two\nlines"\n\nBo;34666555333\nCy;34666555222;x\n',
        encoding="utf-8",
    )
    sent = from_csv(path)
    assert peek_csv(path, limit=2) == [
        ("34666555444", {"Name": "Ana", "Note": "two\nlines"}),
        ("34666555333", {"Name": "Bo", "Note": ""}),
    ]
    assert [r.vars for r in sent.valid[:2]] == [v for _, v in peek_csv(path, limit=2)]
    assert peek_csv(path, to_column="name") == [
        ("Ana", {"Phone": "34666555444", "Note": "two\nlines"}),
        ("Bo", {"Phone": "34666555333", "Note": ""}),
        ("Cy", {"Phone": "34666555222", "Note": "x"}),
    ]
    # What the send refuses, the preview refuses with the same words.
    for broken in (tmp_path / "missing.csv", tmp_path):
        with pytest.raises(RecipientsError):
            peek_csv(broken)
    emails = tmp_path / "e.csv"
    emails.write_text("who;x\nana@example.com;1\n", encoding="utf-8")
    with pytest.raises(RecipientsError, match="which column holds the phone numbers"):
        peek_csv(emails)
    assert peek_csv(emails, kind="email", to_column="WHO") == [("ana@example.com", {"x": "1"})]


# --- the plain-digits shortcut (issue 14) ---------------------------------------------------

# Prefixes that make valid numbers likely: ES mobiles and landlines, with and without the
# country code, other regions' codes, and a few that are never valid.
_PREFIXES = ("6", "7", "8", "9", "346", "347", "349", "34", "3", "39", "351", "52", "5", "1", "")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(_PREFIXES),
    digits=st.text(alphabet="0123456789", min_size=0, max_size=14),
    region=st.sampled_from(("ES", "IT", "MX", "PT", "FR", "CO")),
)
@example(prefix="346", digits="66555444", region="ES")
@example(prefix="6", digits="66555444", region="ES")
@example(prefix="39", digits="3123456789", region="IT")
@example(prefix="52", digits="15512345678", region="MX")
def testplain_digits_read_as_the_full_parse_reads_them(
    prefix: str, digits: str, region: str
) -> None:
    raw = prefix + digits
    fast = plain_digits(raw, region)
    assert fast is None or fast == _parsed(raw, region)
    assert normalise_phone(raw, region) == _parsed(raw, region)


def testplain_digits_take_no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    # The preflight of 100,000 rows: an ES number in either form is read and checked
    # without phonenumbers' parse and check; a national number of a region with a national
    # prefix still takes both, once each.
    calls = {"parse": 0, "valid": 0}
    parse, valid = phonenumbers.parse, phonenumbers.is_valid_number

    def counted_parse(*args: Any, **kwargs: Any) -> Any:
        calls["parse"] += 1
        return parse(*args, **kwargs)

    def counted_valid(*args: Any, **kwargs: Any) -> Any:
        calls["valid"] += 1
        return valid(*args, **kwargs)

    monkeypatch.setattr(phonenumbers, "parse", counted_parse)
    monkeypatch.setattr(phonenumbers, "is_valid_number", counted_valid)
    assert normalise_phone("34666555444") == ("34666555444", "ES")
    assert normalise_phone("666555444") == ("34666555444", "ES")
    assert calls == {"parse": 0, "valid": 0}
    assert normalise_phone("06 12 34 56 78", "FR") == ("33612345678", "FR")
    assert calls == {"parse": 1, "valid": 1}


def test_build_normalises_a_repeated_value_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = recipients_module.normalise_phone

    def counted(text: str, region: str = "ES") -> Any:
        seen.append(text)
        return real(text, region)

    monkeypatch.setattr(recipients_module, "normalise_phone", counted)
    got = build([(1, "+34 666 555 444", None), (2, "+34 666 555 444", None), (3, "bad", None),
                 (4, "bad", None), (5, "+34666555444", None), (6, "666555444", None),
                 (7, "34666555443", None)])  # fmt: skip
    # Plain digits are read without the parse (and not remembered: ~2 us each).
    assert seen == ["+34 666 555 444", "bad", "+34666555444"]
    assert [r.row for r in got.valid] == [1, 7]
    assert got.duplicates == 3
    assert [i.row for i in got.invalid] == [3, 4]
