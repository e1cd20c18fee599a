"""Phone numbers normalised to E.164 digits without the '+' (what 360nrs expects), offline:
plain digits by the region's own patterns (~2 us), anything else by phonenumbers' parse
(~25 us). tui.engine.recipients builds recipient lists with them.
"""

from __future__ import annotations

import functools
import re
from typing import Final

import phonenumbers

DEFAULT_REGION: Final = "ES"
_E164: Final = phonenumbers.PhoneNumberFormat.E164


# A region's numbers as plain_digits checks them: the country code, the possible national
# lengths (and the longest), the international prefix, and one pattern that a valid
# national number matches: the general description's and one of its types' (each with its
# possible lengths), as phonenumbers checks them one by one.
_Desc = tuple[frozenset[int], re.Pattern[str]]
_Rules = tuple[str, frozenset[int], int, re.Pattern[str], re.Pattern[str]]
_TYPES: Final = (
    # Mobile and fixed line first: nearly every number is one of them.
    "mobile", "fixed_line", "premium_rate", "toll_free", "shared_cost", "voip",
    "personal_number", "pager", "uan", "voicemail",
)  # fmt: skip


def _desc(desc: phonenumbers.PhoneNumberDesc | None) -> _Desc | None:
    if desc is None or not desc.national_number_pattern:
        return None
    return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)


def _whole(desc: _Desc) -> str:
    """A description as a regex matching a whole national number: its possible lengths (a
    lookahead; none listed means any) and its pattern to the end."""
    lengths, pattern = desc
    sized = "|".join(rf"\d{{{n}}}" for n in sorted(lengths))
    return (rf"(?=(?:{sized})\Z)" if lengths else "") + rf"(?:{pattern.pattern})\Z"


def _valid_pattern(general: _Desc, types: tuple[_Desc, ...]) -> re.Pattern[str]:
    """One regex for "matches the general description and one of the types": a number is
    checked by one match (~1 us) instead of a match per description."""
    if not types:
        return re.compile(r"(?!)")  # a region without types has no valid number
    either = "|".join(f"(?:{_whole(d)})" for d in types)
    return re.compile(f"(?={_whole(general)})(?:{either})")


@functools.lru_cache(maxsize=64)
def _plain_digits_rules(region: str) -> _Rules | None:
    """What `plain_digits` needs of a region, or None for a region whose numbers may carry
    a national prefix (FR's 0...) or whose country code other regions share (+1): those
    always take the full parse."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.national_prefix_for_parsing is not None or meta.country_code is None:
        return None
    if phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(meta.country_code) != (region,):
        return None
    general = _desc(meta.general_desc)
    if general is None or not general[0] or meta.international_prefix is None:
        return None
    types = tuple(d for d in (_desc(getattr(meta, t)) for t in _TYPES) if d is not None)
    code = str(meta.country_code)
    idd = re.compile(meta.international_prefix)
    return code, general[0], max(general[0]), idd, _valid_pattern(general, types)


def plain_digits(raw: str, region: str) -> tuple[str, str] | None:
    """The valid number that `phonenumbers.parse` and `is_valid_number` would find in a
    string of plain digits, without them, or None (then the full parse decides, and says
    why not).

    A parse of plain digits (no '+', no leading 0, no international prefix) in a region
    without a national prefix reads a national number as it is, and a string longer than
    any national number that starts with the region's country code as that code and the
    rest. Such a number is valid when it matches the region's general description and one
    of its types' (phonenumbers' rule). Parse and check cost ~25 us a number, this ~2; only
    a valid result is taken (tests/tui/test_recipients.py checks it against the parse)."""
    rules = _plain_digits_rules(region)
    if rules is None or not raw.isdigit() or not raw.isascii() or raw[0] == "0":
        return None
    code, lengths, longest, idd, valid = rules
    if len(raw) in lengths:
        national = raw
    elif len(raw) > longest and raw.startswith(code) and raw[len(code) : len(code) + 1] > "0":
        national = raw[len(code) :]
    else:
        return None
    if len(national) < 2 or len(national) > 17 or idd.match(raw):
        return None
    if valid.match(national) is None:
        return None
    return code + national, region


def normalise_phone(text: str, region: str = DEFAULT_REGION) -> tuple[str, str] | str:
    """(E.164 digits, ISO region) for a phone number, or the reason it is not valid.

    360nrs numbers are written in international form without '+' ("34666555444"), but
    people also type national numbers ("666 555 444"). So: '+' or '00' is international;
    otherwise the default region is tried first and, if that is not a valid number, the
    digits are read as international.
    """
    raw = text.strip()
    if raw[:1].isdigit():
        fast = plain_digits(raw, region)
        if fast is not None:
            return fast
    return _parsed(raw, region)


def _parsed(raw: str, region: str) -> tuple[str, str] | str:
    """normalise_phone by the full parse."""
    if not raw:
        return "empty"
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    international = raw.startswith("+")
    try:
        number = phonenumbers.parse(raw, None if international else region)
        # One validity check per parse (the check costs as much as the parse itself).
        valid = phonenumbers.is_valid_number(number)
        if not valid and not international:
            number = phonenumbers.parse("+" + raw, None)
            valid = phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException as exc:
        return f"not a phone number: {exc}"
    if not valid:
        return "not a valid phone number"
    e164: str = phonenumbers.format_number(number, _E164)
    found = phonenumbers.region_code_for_number(number)
    return e164[1:], found or "ZZ"
