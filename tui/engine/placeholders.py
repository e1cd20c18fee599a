"""Per-recipient substitution of 360nrs custom variables (`{name}`, `{name|filter}`).

The provider substitutes on its side; we render locally only to count segments and to
preview. Server-generated values (unsubscribe and landing URLs, short URLs, OTP codes) are
replaced by fixed-length stand-ins so the count matches what the provider will send.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

# A variable name is a run of word characters, dots or dashes; anything else between braces
# (spaces, nothing, nested braces) is literal text, which is how the provider leaves it too.
_PLACEHOLDER_RE: Final = re.compile(r"\{([\w.-]+)(?:\|(\w+))?\}")
_NUMBER_RE: Final = re.compile(r"([+-]?)(\d+)(?:\.(\d+))?")
_FIRST_LETTER_RE: Final = re.compile(r"\S")
_WORD_START_RE: Final = re.compile(r"(?<!\S)\S")

# `{url|shorten}` becomes a 360nrs short link; the reference's example result has this form
# (and the shortener endpoint's examples, e.g. https://sms.tl/GFA6Fm, the same length).
SHORT_URL_STANDIN: Final = "https://sms.tl/xxxxxx"
# `{UNSUB_URL}` and `{LAND_URL}` (POST /landingsms) are generated per recipient by the server
# and the reference does not show one. We assume a link on the same short domain with four
# extra characters of headroom (25 in all): erring long only raises the estimate by a
# character or two, while erring short could make the provider reject the text with error 105
# (more parts than allowed).
UNSUB_URL_STANDIN: Final = "https://sms.tl/xxxxxxxxxx"
LAND_URL_STANDIN: Final = UNSUB_URL_STANDIN
# otpConfig.length: "The minimum value is 3 and the maximum is 10. The default value is 4".
OTP_LENGTH_DEFAULT: Final = 4
OTP_LENGTH_RANGE: Final = range(3, 11)
_OTP_DIGITS: Final = "1234567890"
SERVER_GENERATED: Final = frozenset({"UNSUB_URL", "LAND_URL", "OTP_CODE"})


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One `{name}` or `{name|filter}` occurrence in a message."""

    name: str
    filter: str | None
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message with one recipient's variables substituted."""

    text: str  # for counting and preview; missing variables are left as written
    missing: tuple[str, ...]  # unique variable names with no value, in order of appearance


def _capitalize(value: str) -> str:
    # The reference's examples ("my name" -> "My name" / "My Name") match PHP's ucfirst and
    # ucwords, which leave the other letters alone, so we do not lowercase the rest.
    return _FIRST_LETTER_RE.sub(lambda m: m.group().upper(), value, count=1)


def _capitalize_all(value: str) -> str:
    return _WORD_START_RE.sub(lambda m: m.group().upper(), value)


def _number_formatter(thousands: str, decimal: str, name: str) -> Callable[[str], str]:
    def format_number(value: str) -> str:
        match = _NUMBER_RE.fullmatch(value.strip())
        if match is None:
            raise ValueError(f"filter {name!r} needs a number such as 1234.56, got {value!r}")
        sign, whole, fraction = match.groups()
        # Keep the decimals the value has (1234 -> 1.234, 1234.5 -> 1.234,5): the reference
        # does not say the provider rounds or pads, and it only shows 1234.56 -> 1.234,56.
        # Grouped by hand: int() refuses more than 4300 digits with a message of its own.
        # (\d also matches other scripts' digits, which int() read as ASCII ones.)
        digits = "".join(str(unicodedata.decimal(c)) for c in whole).lstrip("0") or "0"
        head = len(digits) % 3 or 3
        groups = [digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))]
        grouped = thousands.join(groups)
        return f"{'-' if sign == '-' else ''}{grouped}{decimal + fraction if fraction else ''}"

    return format_number


def _shorten(value: str) -> str:
    url = value.strip()
    refused = ValueError(f"filter 'shorten' needs an http(s) URL, got {value!r}")
    try:
        parts = urlsplit(url)
    except ValueError:  # "Invalid IPv6 URL" and the like
        raise refused from None
    # "It must be a valid url": the provider's shortener needs an absolute http(s) URL.
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise refused
    return SHORT_URL_STANDIN


FILTERS: Final[Mapping[str, Callable[[str], str]]] = {
    "lower": str.lower,
    "upper": str.upper,
    "capitalize": _capitalize,
    "capitalizeAll": _capitalize_all,
    "formatDotComma": _number_formatter(".", ",", "formatDotComma"),
    "formatCommaDot": _number_formatter(",", ".", "formatCommaDot"),
    "shorten": _shorten,
}


def apply_filter(value: str, filter_name: str) -> str:
    """Apply one custom-field filter to value; raise ValueError if it cannot."""
    func = FILTERS.get(filter_name)
    if func is None:
        known = ", ".join(FILTERS)
        raise ValueError(f"unknown filter {filter_name!r}; known filters: {known}")
    return func(value)


def placeholders(text: str) -> list[Placeholder]:
    """List the placeholders in text, in order."""
    return [Placeholder(m[1], m[2], m.span()) for m in _PLACEHOLDER_RE.finditer(text)]


def _standin(name: str, otp_length: int) -> str | None:
    if name == "OTP_CODE":
        return (_OTP_DIGITS * 2)[:otp_length]
    if name == "UNSUB_URL":
        return UNSUB_URL_STANDIN
    if name == "LAND_URL":
        return LAND_URL_STANDIN
    return None


def render(
    text: str, variables: Mapping[str, str], *, otp_length: int = OTP_LENGTH_DEFAULT
) -> Rendered:
    """Substitute variables into text; unknown names stay as written and are reported."""
    if otp_length not in OTP_LENGTH_RANGE:
        raise ValueError(f"OTP length must be 3 to 10, got {otp_length}")
    if "{" not in text:
        return Rendered(text, ())
    missing: dict[str, None] = {}

    def substitute(match: re.Match[str]) -> str:
        name, filter_name = match[1], match[2]
        if filter_name is not None and filter_name not in FILTERS:
            # A typo in a filter is a template error, whatever the recipient's values.
            apply_filter("", filter_name)
        value = _standin(name, otp_length) if name in SERVER_GENERATED else variables.get(name)
        if value is None:
            missing[name] = None
            return match[0]
        return value if filter_name is None else apply_filter(value, filter_name)

    rendered = _PLACEHOLDER_RE.sub(substitute, text)
    return Rendered(rendered, tuple(missing))


def check_filters(text: str) -> None:
    """ValueError naming the first placeholder whose filter the provider does not know."""
    for p in placeholders(text):
        if p.filter is not None and p.filter not in FILTERS:
            known = ", ".join(FILTERS)
            raise ValueError(
                f"unknown filter {p.filter!r} in {{{p.name}|{p.filter}}}; known filters: {known}"
            )


def check_local(text: str) -> None:
    """ValueError unless every placeholder can be filled in here, from the recipient's values.

    For fields the provider sends as given (WhatsApp template variables): it generates no
    short link, landing or unsubscribe URL and no OTP code there.
    """
    check_filters(text)
    for p in placeholders(text):
        if p.name in SERVER_GENERATED:
            raise ValueError(f"{{{p.name}}} is only filled in by the provider in SMS and email")
        if p.filter == "shorten":
            raise ValueError(f"{{{p.name}|shorten}}: short links are made only in SMS and email")


def for_counting(text: str, *, otp_length: int = OTP_LENGTH_DEFAULT) -> str:
    """The text with what the server generates replaced by stand-ins of its length.

    `{LAND_URL}`, `{UNSUB_URL}`, `{OTP_CODE}` and `{x|shorten}` links are counted as long as
    the provider will make them, whatever the recipient; other variables stay as written.
    """
    if "{" not in text:
        return text

    def substitute(match: re.Match[str]) -> str:
        name, filter_name = match[1], match[2]
        if name in SERVER_GENERATED:
            value = _standin(name, otp_length)
            assert value is not None
            return value
        if filter_name == "shorten":
            return SHORT_URL_STANDIN
        return match[0]

    return _PLACEHOLDER_RE.sub(substitute, text)
