"""SMS segment counting for 360nrs: encodings, parts and limits as the reference defines them.

Everything here is pure and cheap: a preflight runs `count` once per distinct rendered text,
possibly for 100,000 recipients, so the common case (plain GSM text) avoids per-character
Python loops and only texts with two-unit characters near a part boundary are walked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Final, Literal

Encoding = Literal["gsm", "gsm-pt", "utf-16"]
ENCODINGS: Final[tuple[Encoding, ...]] = ("gsm", "gsm-pt", "utf-16")
_BY_NAME: Final[Mapping[str, Encoding]] = {name: name for name in ENCODINGS}

# POST /sms: "The maximum number of parts allowed is 15"; POST /landingsms: "... is 8".
MAX_PARTS_SMS: Final = 15
MAX_PARTS_LANDING: Final = 8

# (single message, per part when concatenated), in septets for GSM and UTF-16 code units for
# utf-16, from the `encoding` and `parts` parameters of POST /sms. The reference gives no
# separate limits for gsm-pt; a 3GPP national-language shift header would cost a few septets,
# but the reference describes gsm-pt only as another character table, so we assume the
# provider bills it like gsm (160/153). Change it here if the provider says otherwise.
LIMITS: Final[Mapping[Encoding, tuple[int, int]]] = {
    "gsm": (160, 153),
    "gsm-pt": (160, 153),
    "utf-16": (70, 67),
}

_ESC: Final = "\x1b"

# Annex "GSM character set / GSM basic character set" (3GPP TS 23.038 default alphabet),
# written in code order: one string per annex column (0x00, 0x10, ... 0x70), rows 0x0..0xF.
# LF, CR and SP are "\n", "\r" and " "; ESC (0x1B) introduces the extension table and is not
# itself a character a message can contain. Note 0x09 is capital 'Ç': the annex has no 'ç'.
_GSM_BASIC_CODES: Final = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)

# Annex "GSM extended character set": "These characters occupy two positions" (ESC + code).
# FF (0x0A) is the form feed "\f". CR2 (0x0D) and SS2 (0x1B) are control codes with no text
# character, so no message character maps to them.
_GSM_EXT_CODES: Final[Mapping[int, str]] = {
    0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
    0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€",
}  # fmt: skip

# Annex "GSM-PT character set / GSM-PT basic character set" (the 3GPP Portuguese locking
# shift table), same layout as the GSM basic table above. It drops some GSM characters
# (e.g. 'Λ', 'Ξ', 'ñ', 'ß', '¿') in favour of Portuguese ones, and has both 'ç' and 'Ç'.
_GSM_PT_BASIC_CODES: Final = (
    "@£$¥êéúíóç\nÔô\rÁá"
    "Δ_ªÇÀ∞^\\€Ó|\x1bÂâÊÉ"
    " !\"#º%&'()*+,-./"
    "0123456789:;<=>?"
    "ÍABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÃÕÚÜ§"
    "~abcdefghijklmno"
    "pqrstuvwxyzãõ`üà"
)

# Annex "GSM-PT extended character set" (3GPP Portuguese single shift table), two positions
# each. Many of these are also in the GSM-PT basic table; an encoder uses the one-septet
# basic code for those, so only the rest cost two septets (see _Table below).
_GSM_PT_EXT_CODES: Final[Mapping[int, str]] = {
    0x05: "ê", 0x09: "ç", 0x0A: "\f", 0x0B: "Ô", 0x0C: "ô", 0x0E: "Á", 0x0F: "á",
    0x12: "Φ", 0x13: "Γ", 0x14: "^", 0x15: "Ω", 0x16: "Π", 0x17: "Ψ", 0x18: "Σ", 0x19: "Θ",
    0x1F: "Ê", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~", 0x3E: "]",
    0x40: "|", 0x41: "À", 0x49: "Í", 0x4F: "Ó", 0x55: "Ú", 0x5B: "Ã", 0x5C: "Õ",
    0x61: "Â", 0x65: "€", 0x69: "í", 0x6F: "ó", 0x75: "ú", 0x7B: "ã", 0x7C: "õ", 0x7F: "â",
}  # fmt: skip

# POST /sms `trans`=1 translation table, copied verbatim from the reference (same for
# /landingsms). 'º' and 'ª' are deleted, not replaced.
TRANS: Final[Mapping[str, str]] = {
    "á": "a", "í": "i", "ó": "o", "ú": "u", "ç": "Ç", "Á": "A", "Í": "I", "Ó": "O",
    "Ú": "U", "À": "A", "È": "E", "Ì": "I", "Ò": "O", "Ù": "U", "º": "", "ª": "",
    "Õ": "O", "õ": "o", "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u", "Â": "A",
    "Ê": "E", "Î": "I", "Ô": "O", "Û": "U", "ã": "a", "Ã": "A",
}  # fmt: skip
_TRANS_TABLE: Final = str.maketrans(dict(TRANS))


@dataclass(frozen=True, slots=True)
class _Table:
    """A 7-bit alphabet: one-septet characters and two-septet (escaped) characters."""

    basic: frozenset[str]
    ext: frozenset[str]
    ext_re: re.Pattern[str]

    @classmethod
    def build(cls, basic_codes: str, ext_codes: Mapping[int, str]) -> _Table:
        basic = frozenset(basic_codes) - {_ESC}
        ext = frozenset(ext_codes.values()) - basic
        return cls(basic, ext, re.compile("[" + re.escape("".join(sorted(ext))) + "]"))


GSM_BASIC: Final = frozenset(_GSM_BASIC_CODES) - {_ESC}
GSM_EXTENDED: Final = frozenset(_GSM_EXT_CODES.values())
GSM_PT_BASIC: Final = frozenset(_GSM_PT_BASIC_CODES) - {_ESC}
GSM_PT_EXTENDED: Final = frozenset(_GSM_PT_EXT_CODES.values())

_TABLES: Final[Mapping[str, _Table]] = {
    "gsm": _Table.build(_GSM_BASIC_CODES, _GSM_EXT_CODES),
    "gsm-pt": _Table.build(_GSM_PT_BASIC_CODES, _GSM_PT_EXT_CODES),
}
# Astral characters are one Python character but two UTF-16 code units (a surrogate pair).
_ASTRAL_RE: Final = re.compile("[\U00010000-\U0010ffff]")
_EMPTY: Final[frozenset[str]] = frozenset()


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """How a message text will be encoded and split into billable parts."""

    encoding: Encoding
    characters: int  # code points in `text` (after trans)
    units: int  # septets (escaped chars count 2) or UTF-16 code units
    parts: int  # 0 for an empty text
    per_part: int  # single-message limit if parts <= 1, else the concatenated part limit
    remaining: int  # units still free in the current (last) part
    ucs2_chars: tuple[str, ...]  # unique, in order: characters outside the 7-bit table
    unsupported: tuple[str, ...]  # characters a forced 7-bit encoding cannot carry
    too_long: bool  # parts > max_parts
    text: str  # the text after trans translation


def translate(text: str) -> str:
    """Apply the provider's `trans=1` translation table to text."""
    return text.translate(_TRANS_TABLE)


def _split(text: str, doubles: re.Pattern[str], cap: int) -> tuple[int, int]:
    """Return (parts, units used in the last part) when two-unit chars must not straddle."""
    parts, used, pos = 1, 0, 0
    # Only the two-unit characters need attention; runs of one-unit characters in between
    # are added arithmetically, so the loop runs once per escaped char/surrogate pair.
    for match in doubles.finditer(text):
        used += match.start() - pos
        if used > cap:
            extra = (used - 1) // cap
            parts += extra
            used -= extra * cap
        if used + 2 > cap:
            # Not enough room for both units: the part ends early, its last unit unused.
            parts += 1
            used = 2
        else:
            used += 2
        pos = match.end()
    used += len(text) - pos
    if used > cap:
        extra = (used - 1) // cap
        parts += extra
        used -= extra * cap
    return parts, used


def count(
    text: str,
    encoding: str | None = None,
    *,
    trans: bool = False,
    max_parts: int = MAX_PARTS_SMS,
) -> SegmentInfo:
    """Count the encoding, units and parts of text; encoding None picks gsm or utf-16."""
    if trans:
        text = text.translate(_TRANS_TABLE)
    forced = None if encoding is None else _BY_NAME.get(encoding)
    if encoding is not None and forced is None:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")
    # utf-16 still checks against the GSM table so ucs2_chars can say why UCS-2 is needed.
    table = _TABLES["gsm" if forced is None or forced == "utf-16" else forced]

    chars = set(text)
    escaped: AbstractSet[str]
    bad: AbstractSet[str]
    if chars <= table.basic:
        escaped, bad = _EMPTY, _EMPTY
    else:
        escaped = table.ext & chars
        bad = chars - table.basic - table.ext

    enc: Encoding = forced or ("utf-16" if bad else "gsm")
    ucs2 = tuple(c for c in dict.fromkeys(text) if c in bad) if bad else ()
    single, concat = LIMITS[enc]
    if enc == "utf-16":
        doubles = _ASTRAL_RE
        astral = () if text.isascii() else [c for c in chars if c > "\uffff"]
        units = len(text) + sum(text.count(c) for c in astral)
        has_doubles = bool(astral)
        unsupported: tuple[str, ...] = ()
    else:
        doubles = table.ext_re
        # Unsupported characters are counted as one septet each: the provider replaces or
        # drops them, and the caller shows them to the operator anyway.
        units = len(text) + sum(text.count(c) for c in escaped)
        has_doubles = bool(escaped)
        unsupported = ucs2

    if units == 0:
        parts, used = 0, 0
    elif units <= single:
        parts, used = 1, units
    elif has_doubles:
        parts, used = _split(text, doubles, concat)
    else:
        parts = -(-units // concat)
        used = units - (parts - 1) * concat
    per_part = single if parts <= 1 else concat
    return SegmentInfo(
        encoding=enc,
        characters=len(text),
        units=units,
        parts=parts,
        per_part=per_part,
        remaining=per_part - used,
        ucs2_chars=ucs2,
        unsupported=unsupported,
        too_long=parts > max_parts,
        text=text,
    )


@dataclass(frozen=True, slots=True)
class Plan:
    """The `encoding` and `parts` one request carries for every recipient of a send."""

    encoding: Encoding
    parts: int  # what the request says: the operator's --parts, else `needed`
    needed: int  # the most parts any recipient's text needs under `encoding`
    max_parts: int


class PlanError(ValueError):
    """The texts cannot be sent as asked: too long, or an encoding that cannot carry them."""


def plan(
    texts: Iterable[str],
    *,
    encoding: str | None = None,
    parts: int | None = None,
    trans: bool = False,
    max_parts: int = MAX_PARTS_SMS,
) -> Plan:
    """The one encoding and parts a request for these rendered texts must carry.

    One request carries one `encoding` for all its recipients: utf-16 when any text needs
    it, else gsm, unless the operator forced one (refused when it cannot carry a text).
    POST /sms `parts`: "This variable is set to 1 by default, so if it is not specified and
    a message over 160 characters for gsm encoding is sent, the message will fail ... If the
    number of parts is less than that required for sending the text, the message will fail
    with error 105. The maximum number of parts allowed is 15" (/landingsms: 8). So `parts`
    is always sent, as the largest need among the texts; an operator's larger value is kept
    ("The server will only use the minimum necessary parts"), a smaller one refused.
    """
    distinct = list(dict.fromkeys(texts))
    forced = None if encoding is None else _BY_NAME.get(encoding)
    if encoding is not None and forced is None:
        raise PlanError(f"unknown encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")
    infos = [count(t, forced, trans=trans, max_parts=max_parts) for t in distinct]
    if forced is not None and forced != "utf-16":
        bad = dict.fromkeys(c for info in infos for c in info.unsupported)
        if bad:
            shown = " ".join(repr(c) for c in list(bad)[:5])
            raise PlanError(
                f"encoding {forced} cannot carry {shown}; use utf-16 or leave the encoding out"
            )
    chosen: Encoding = forced or ("utf-16" if any(i.encoding == "utf-16" for i in infos) else "gsm")
    if forced is None and chosen == "utf-16":
        # GSM texts of a job that needs UCS-2 go as UCS-2 too: recount them that way.
        infos = [
            i if i.encoding == "utf-16" else count(t, "utf-16", trans=trans)
            for i, t in zip(infos, distinct, strict=True)
        ]
    needed = max((i.parts for i in infos), default=0) or 1
    if needed > max_parts:
        raise PlanError(
            f"the text needs {needed} parts in {chosen}; at most {max_parts} are allowed"
        )
    if parts is not None:
        if not 1 <= parts <= max_parts:
            raise PlanError(f"parts must be between 1 and {max_parts}")
        if parts < needed:
            raise PlanError(f"parts {parts} is below the {needed} parts the text needs in {chosen}")
    return Plan(chosen, parts or needed, needed, max_parts)
