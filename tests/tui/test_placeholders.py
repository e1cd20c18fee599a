"""Custom variables, filters and server-generated placeholders (POST /sms, /landingsms)."""

from __future__ import annotations

import pytest

from tui.engine.placeholders import (
    LAND_URL_STANDIN,
    SHORT_URL_STANDIN,
    UNSUB_URL_STANDIN,
    Placeholder,
    Rendered,
    apply_filter,
    check_filters,
    check_local,
    for_counting,
    placeholders,
    render,
)
from tui.engine.segments import count


def test_placeholders_lists_names_filters_spans() -> None:
    text = "Hi {name|capitalize}, code {OTP_CODE} {x.y-z}"
    assert placeholders(text) == [
        Placeholder("name", "capitalize", (3, 20)),
        Placeholder("OTP_CODE", None, (27, 37)),
        Placeholder("x.y-z", None, (38, 45)),
    ]


@pytest.mark.parametrize("text", ["{}", "{ name }", "{a b}", "{name|}", "{|upper}", "{{", "}"])
def test_not_placeholders(text: str) -> None:
    assert placeholders(text) == []
    assert render(text, {"name": "x"}) == Rendered(text, ())


@pytest.mark.parametrize(
    ("value", "filter_name", "expected"),
    [
        # Examples from the reference's "Custom fields filters" table.
        ("My Name", "lower", "my name"),
        ("My Name", "upper", "MY NAME"),
        ("my name", "capitalize", "My name"),
        ("my name", "capitalizeAll", "My Name"),
        ("1234.56", "formatDotComma", "1.234,56"),
        ("1234.56", "formatCommaDot", "1,234.56"),
        ("https://example.com/a/very/long/path?x=1", "shorten", "https://sms.tl/xxxxxx"),
        # Our choices where the reference is silent.
        ("mY nAME", "capitalize", "MY nAME"),  # like PHP ucfirst: the rest is left alone
        ("  ana  maría\tlópez", "capitalizeAll", "  Ana  María\tLópez"),
        ("", "capitalize", ""),
        ("1234", "formatDotComma", "1.234"),  # no decimals invented
        ("1234567.5", "formatDotComma", "1.234.567,5"),
        ("-1234567.125", "formatCommaDot", "-1,234,567.125"),
        (" 12 ", "formatCommaDot", "12"),
        ("+999", "formatDotComma", "999"),
    ],
)
def test_apply_filter(value: str, filter_name: str, expected: str) -> None:
    assert apply_filter(value, filter_name) == expected


def test_short_url_standin_is_the_reference_example() -> None:
    assert SHORT_URL_STANDIN == "https://sms.tl/xxxxxx"
    assert len(SHORT_URL_STANDIN) == 21


@pytest.mark.parametrize("filter_name", ["formatDotComma", "formatCommaDot"])
@pytest.mark.parametrize("value", ["abc", "", "1,234.56", "1.234,56", "12a", "1e3", "1.", ".5"])
def test_number_filters_reject_non_numbers(value: str, filter_name: str) -> None:
    with pytest.raises(ValueError, match=f"filter '{filter_name}' needs a number"):
        apply_filter(value, filter_name)


@pytest.mark.parametrize("value", ["example.com", "ftp://example.com/x", "https://", "http://a b"])
def test_shorten_rejects_invalid_urls(value: str) -> None:
    with pytest.raises(ValueError, match="filter 'shorten' needs an http"):
        apply_filter(value, "shorten")


@pytest.mark.parametrize("filter_name", ["bogus", "Upper", "capitalizeall", ""])
def test_unknown_filter(filter_name: str) -> None:
    with pytest.raises(ValueError, match=f"unknown filter '{filter_name}'; known filters: lower"):
        apply_filter("x", filter_name)


def test_render_unknown_filter_is_an_error_even_if_variable_missing() -> None:
    with pytest.raises(ValueError, match="unknown filter 'bogus'"):
        render("Hi {name|bogus}", {"name": "Ana"})
    with pytest.raises(ValueError, match="unknown filter 'bogus'"):
        render("Hi {name|bogus}", {})


def test_render_substitutes_with_filters() -> None:
    variables = {"name": "ana lópez", "total": "1234.5", "url": "https://example.com/p/1"}
    rendered = render(
        "Hola {name|capitalizeAll}, total {total|formatDotComma} EUR: {url|shorten}", variables
    )
    assert rendered == Rendered("Hola Ana López, total 1.234,5 EUR: https://sms.tl/xxxxxx", ())


def test_render_missing_left_as_written_and_reported_once() -> None:
    rendered = render("{name}, {city|upper} {name} {zip}", {"zip": "28001"})
    assert rendered.text == "{name}, {city|upper} {name} 28001"
    assert rendered.missing == ("name", "city")


def test_render_empty_value_is_not_missing() -> None:
    assert render("a{name}b", {"name": ""}) == Rendered("ab", ())


def test_render_without_placeholders_is_identity() -> None:
    assert render("plain text", {}) == Rendered("plain text", ())


@pytest.mark.parametrize(("otp_length", "expected"), [(3, 3), (4, 4), (6, 6), (10, 10)])
def test_otp_code_counts_as_configured_length(otp_length: int, expected: int) -> None:
    rendered = render("Code: {OTP_CODE}", {}, otp_length=otp_length)
    assert rendered.missing == ()
    assert len(rendered.text) == len("Code: ") + expected
    assert rendered.text[len("Code: ") :].isdigit()


def test_otp_code_default_length_is_4() -> None:
    assert len(render("{OTP_CODE}", {}).text) == 4


@pytest.mark.parametrize("otp_length", [0, 2, 11])
def test_otp_length_out_of_range(otp_length: int) -> None:
    with pytest.raises(ValueError, match="OTP length must be 3 to 10"):
        render("{OTP_CODE}", {}, otp_length=otp_length)


def test_unsub_and_land_urls_are_server_generated() -> None:
    assert len(UNSUB_URL_STANDIN) == 25
    assert LAND_URL_STANDIN == UNSUB_URL_STANDIN
    # The server fills these in, so a recipient variable with the same name does not count.
    rendered = render("Baja: {UNSUB_URL} Ver {LAND_URL}", {"UNSUB_URL": "x"})
    assert rendered == Rendered(f"Baja: {UNSUB_URL_STANDIN} Ver {LAND_URL_STANDIN}", ())
    assert count(rendered.text).units == 6 + 25 + 5 + 25


def test_rendered_values_decide_the_encoding() -> None:
    template = "Hola {name}, tu pedido esta listo."
    assert count(render(template, {"name": "Ñoño"}).text).encoding == "gsm"
    assert count(render(template, {"name": "王"}).text).encoding == "utf-16"
    # An unfilled placeholder keeps its braces, which are GSM extension chars (2 septets).
    assert count(render("{name}", {}).text).units == 2 + 4 + 2


def test_check_filters_names_the_typo() -> None:
    check_filters("Hi {name|upper} {plain} {x}")
    with pytest.raises(ValueError, match=r"unknown filter 'foo' in \{name\|foo\}"):
        check_filters("Hi {name|foo}")


def test_check_local_refuses_what_only_the_provider_fills_in() -> None:
    check_local("{name|capitalize} #{order}")
    for text in ("{OTP_CODE}", "{LAND_URL}", "{UNSUB_URL}", "{url|shorten}", "{n|bar}"):
        with pytest.raises(ValueError):
            check_local(text)


def test_for_counting_uses_stand_ins_for_generated_values_only() -> None:
    text = "Hi {name}: {LAND_URL} {url|shorten} {OTP_CODE}"
    assert for_counting(text) == f"Hi {{name}}: {LAND_URL_STANDIN} {SHORT_URL_STANDIN} 1234"
    assert for_counting("no placeholders") == "no placeholders"
