"""Property-based tests (issue 13): whatever a person feeds the CSV loader, the SMS segment
counter, the placeholder renderer or the config loader, the answer is a result or one of
our clear errors, never an unexpected exception (which the CLI would report as
"unexpected error" and the console as a crash)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backends.errors import ConfigError
from tui.config import ConfigStore
from tui.engine import placeholders, segments
from tui.engine.recipients import RecipientsError, csv_rows, from_csv

# Each test stays within a few seconds on a shared two-core machine.
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Cells made of what breaks CSV readers: separators, quotes, line ends, BOMs, NULs.
CELL = st.text(alphabet=st.sampled_from(list("a1+ ,;\t\"'\r\n\ufeff\x00é€📱=")), max_size=12)
ROWS = st.lists(st.lists(CELL, max_size=5), max_size=8)


def joined(rows: list[list[str]], separator: str) -> str:
    return "\n".join(separator.join(row) for row in rows)


def in_a_file(data: bytes) -> Path:
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as fh:
        fh.write(data)
    return Path(fh.name)


@PROPERTY
@given(
    body=st.one_of(
        st.builds(joined, ROWS, st.sampled_from([",", ";", "\t"])).map(str.encode),
        st.binary(max_size=300),
    ),
    header=st.sampled_from(["phone,name\n", "phone;name\n", "to\tx\n", "", "name\n"]),
    to_column=st.sampled_from([None, "phone", "name", "missing"]),
)
@example(body=b'34600000001,"Ana\n34600000002,Bo\n', header="phone,name\n", to_column=None)
@example(body=b"\xff\xfe\x00", header="", to_column=None)
def test_the_csv_loader_gives_recipients_or_a_recipients_error(
    body: bytes, header: str, to_column: str | None
) -> None:
    path = in_a_file(header.encode() + body)
    try:
        loaded = from_csv(path, to_column=to_column)
    except RecipientsError as exc:
        assert str(exc)  # says what is wrong
    else:
        for r in loaded.sendable:
            assert r.to.isdigit()
        for bad in loaded.invalid:
            assert bad.row >= 2  # a line of the file: the header is line 1
    finally:
        path.unlink()


@PROPERTY
@given(
    text=st.one_of(
        st.builds(joined, ROWS, st.sampled_from([",", ";", "\t"])), st.text(max_size=300)
    )
)
def test_csv_rows_gives_rows_or_a_value_error(text: str) -> None:
    try:
        rows = csv_rows(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert all(isinstance(v, str) for row in rows for v in row.values())


@PROPERTY
@given(
    text=st.text(max_size=2000),
    encoding=st.sampled_from([None, *segments.ENCODINGS]),
    trans=st.booleans(),
)
def test_the_segment_counter_counts_any_text(text: str, encoding: str | None, trans: bool) -> None:
    info = segments.count(text, encoding, trans=trans)
    assert (info.parts == 0) == (info.text == "")
    assert info.units >= info.characters or info.encoding != "gsm"
    assert 0 <= info.remaining <= info.per_part
    try:
        plan = segments.plan([text], encoding=encoding, trans=trans)
    except segments.PlanError as exc:
        assert str(exc)
    else:
        assert plan.encoding in segments.ENCODINGS and 1 <= plan.parts <= segments.MAX_PARTS_SMS


VALUE = st.text(max_size=20) | st.sampled_from(
    ["1234.56", "-0.5", "1e309", "nan", "1_000", "9" * 5000, "http://x.example/a", "http://[::1",
     "https://exa mple.com", "ftp://x", ""]
)  # fmt: skip
VARIABLES = st.dictionaries(
    st.sampled_from(["a", "b", "X", "OTP_CODE", "LAND_URL"]) | st.text(max_size=4),
    VALUE,
    max_size=5,
)
TEMPLATE = st.lists(
    st.sampled_from(list("Hi {}|:abcXYZ_1 ,.\n€📱"))
    | st.sampled_from(
        [
            "{a}",
            "{b|upper}",
            "{X|shorten}",
            "{a|formatDotComma}",
            "{b|formatCommaDot}",
            "{a|capitalizeAll}",
            "{X|nope}",
            "{OTP_CODE}",
            "{LAND_URL}",
            "{a|",
        ]
    ),
    max_size=30,
).map("".join)


@PROPERTY
@given(text=TEMPLATE, variables=VARIABLES, otp_length=st.integers(0, 12))
def test_the_placeholder_renderer_renders_or_says_why_not(
    text: str, variables: dict[str, str], otp_length: int
) -> None:
    try:
        rendered = placeholders.render(text, variables, otp_length=otp_length)
    except ValueError as exc:
        assert "filter" in str(exc) or "OTP length" in str(exc), exc
    else:
        if "{" not in text:
            assert rendered.text == text and rendered.missing == ()
        for name in rendered.missing:
            assert name not in variables
    try:
        counted = placeholders.for_counting(text, otp_length=otp_length)
    except ValueError as exc:
        assert str(exc)
    else:
        assert isinstance(counted, str)


@PROPERTY
@given(value=VALUE, name=st.sampled_from([*placeholders.FILTERS, "nope"]))
@example(value="9" * 5000, name="formatDotComma")  # int() refuses over 4300 digits
@example(value="http://[::1", name="shorten")  # urlsplit: "Invalid IPv6 URL"
def test_every_filter_formats_or_names_itself_in_its_refusal(value: str, name: str) -> None:
    try:
        out = placeholders.apply_filter(value, name)
    except ValueError as exc:
        assert f"filter {name!r}" in str(exc), exc
    else:
        assert isinstance(out, str)


TOML_VALUE = st.recursive(
    st.none().map(lambda _: "")
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
ACCOUNT = st.fixed_dictionaries(
    {},
    optional={
        "provider": st.sampled_from(["360nrs", "xebo", "collect", "8x8", "xerochat", "nope", ""])
        | TOML_VALUE,
        "base_url": st.sampled_from(["https://api.example.com", "ftp://x", ""]) | TOML_VALUE,
        "username": TOML_VALUE,
        "options": TOML_VALUE,
    },
)
CONFIG = st.fixed_dictionaries(
    {},
    optional={
        "accounts": st.dictionaries(st.text(max_size=10), ACCOUNT | TOML_VALUE, max_size=3)
        | TOML_VALUE,
        "settings": TOML_VALUE,
        "other": TOML_VALUE,
    },
)


def load(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        store = ConfigStore(Path(directory))
        store.path.write_bytes(data)
        try:
            config = store.load()
        except ConfigError as exc:
            assert str(exc)
        else:
            for name, account in config.accounts.items():
                assert account.name == name


@PROPERTY
@given(config=CONFIG)
def test_the_config_loader_loads_any_toml_or_says_why_not(config: dict[str, Any]) -> None:
    load(tomli_w.dumps(config).encode())


@PROPERTY
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
@example(data=b"[accounts]\nx = 1\n")
@example(data=b'[accounts.a]\nprovider = "360nrs"\nbase_url = "https://a"\noptions = 3\n')
def test_the_config_loader_reads_any_bytes_or_says_why_not(data: bytes) -> None:
    load(data)
