"""Segment counting against the 360nrs reference (POST /sms, POST /landingsms, Annexes)."""

from __future__ import annotations

import random

import pytest

from tui.engine import segments
from tui.engine.segments import (
    GSM_BASIC,
    GSM_EXTENDED,
    GSM_PT_BASIC,
    GSM_PT_EXTENDED,
    MAX_PARTS_LANDING,
    MAX_PARTS_SMS,
    TRANS,
    count,
)

# Typed from the reference's Annex, row by row as the annex prints them (row 0x0 across the
# columns 0x00..0x70, then row 0x1, ...), independently of the code-ordered tables in the
# module, so a transposed or mistyped entry there makes the comparison fail.
# ESC (row 0xB, column 0x10) is omitted: it is not a character; LF/CR/SP are \n, \r, " ".
ANNEX_GSM_BASIC_ROWS = (
    "@Δ 0¡P¿p",
    "£_!1AQaq",
    '$Φ"2BRbr',
    "¥Γ#3CScs",
    "èΛ¤4DTdt",
    "éΩ%5EUeu",
    "ùΠ&6FVfv",
    "ìΨ'7GWgw",
    "òΣ(8HXhx",
    "ÇΘ)9IYiy",
    "\nΞ*:JZjz",
    "Ø+;KÄkä",
    "øÆ,<LÖlö",
    "\ræ-=MÑmñ",
    "Åß.>NÜnü",
    "åÉ/?O§oà",
)
# "These characters occupy two positions"; FF is the form feed, CR2 and SS2 have no text form.
ANNEX_GSM_EXTENDED = "|^€{}\f[~]\\"

ANNEX_GSM_PT_BASIC_ROWS = (
    "@Δ 0ÍP~p",
    "£_!1AQaq",
    '$ª"2BRbr',
    "¥Ç#3CScs",
    "êÀº4DTdt",
    "é∞%5EUeu",
    "ú^&6FVfv",
    "í\\'7GWgw",
    "ó€(8HXhx",
    "çÓ)9IYiy",
    "\n|*:JZjz",
    "Ô+;KÃkã",
    "ôÂ,<LÕlõ",
    "\râ-=MÚm`",
    "ÁÊ.>NÜnü",
    "áÉ/?O§oà",
)
ANNEX_GSM_PT_EXTENDED_ROWS = (
    "|",
    "ÀÂ",
    "Φ",
    "Γ",
    "^",
    "êΩÚ€ú",
    "Π",
    "Ψ",
    "Σ{",
    "çΘ}Íí",
    "\f",
    "ÔÃã",
    "ô[Õõ",
    "~",
    "Á]",
    "áÊ\\Óóâ",
)

# POST /sms `trans`, typed from the reference.
REFERENCE_TRANS = {
    "á": "a", "í": "i", "ó": "o", "ú": "u", "ç": "Ç", "Á": "A", "Í": "I", "Ó": "O",
    "Ú": "U", "À": "A", "È": "E", "Ì": "I", "Ò": "O", "Ù": "U", "º": "", "ª": "",
    "Õ": "O", "õ": "o", "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u", "Â": "A",
    "Ê": "E", "Î": "I", "Ô": "O", "Û": "U", "ã": "a", "Ã": "A",
}  # fmt: skip


# --- character tables -------------------------------------------------------------------


def test_gsm_basic_table_matches_annex_literal() -> None:
    annex = "".join(ANNEX_GSM_BASIC_ROWS)
    assert len(annex) == 127 == len(set(annex))
    assert set(annex) == GSM_BASIC


def test_gsm_extended_table_matches_annex_literal() -> None:
    assert set(ANNEX_GSM_EXTENDED) == GSM_EXTENDED
    assert not GSM_EXTENDED & GSM_BASIC


def test_gsm_pt_tables_match_annex_literal() -> None:
    annex = "".join(ANNEX_GSM_PT_BASIC_ROWS)
    assert len(annex) == 127 == len(set(annex))
    assert set(annex) == GSM_PT_BASIC
    ext = "".join(ANNEX_GSM_PT_EXTENDED_ROWS)
    assert len(ext) == 37 == len(set(ext))
    assert set(ext) == GSM_PT_EXTENDED


@pytest.mark.parametrize("char", sorted(GSM_BASIC | set("".join(ANNEX_GSM_BASIC_ROWS))))
def test_every_gsm_basic_char_is_one_septet(char: str) -> None:
    info = count(char * 10)
    assert (info.encoding, info.units, info.ucs2_chars) == ("gsm", 10, ())


@pytest.mark.parametrize("char", sorted(GSM_EXTENDED | set(ANNEX_GSM_EXTENDED)))
def test_every_gsm_extended_char_is_two_septets(char: str) -> None:
    info = count(char * 10)
    assert (info.encoding, info.characters, info.units) == ("gsm", 10, 20)


PT_BASIC = sorted(GSM_PT_BASIC | set("".join(ANNEX_GSM_PT_BASIC_ROWS)))
# Extension characters that are also in the GSM-PT basic table are sent with their one-septet
# basic code; only the others cost the escape.
PT_EXT_ONLY = sorted(set("".join(ANNEX_GSM_PT_EXTENDED_ROWS)) - set(PT_BASIC))


@pytest.mark.parametrize("char", PT_BASIC)
def test_every_gsm_pt_basic_char_is_one_septet(char: str) -> None:
    info = count(char * 10, "gsm-pt")
    assert (info.encoding, info.units, info.unsupported) == ("gsm-pt", 10, ())


@pytest.mark.parametrize("char", PT_EXT_ONLY)
def test_every_gsm_pt_extended_only_char_is_two_septets(char: str) -> None:
    info = count(char * 10, "gsm-pt")
    assert (info.encoding, info.units, info.unsupported) == ("gsm-pt", 20, ())


def test_gsm_pt_extended_only_set() -> None:
    assert "".join(PT_EXT_ONLY) == "\f[]{}ΓΘΠΣΦΨΩ"


@pytest.mark.parametrize("char", ["Λ", "Ξ", "ñ", "ß", "¿", "¡", "è", "Ø", "Ä", "¤"])
def test_gsm_chars_missing_from_gsm_pt_are_unsupported(char: str) -> None:
    info = count("a" + char, "gsm-pt")
    assert info.unsupported == (char,)
    assert info.encoding == "gsm-pt"


@pytest.mark.parametrize("char", ["\u00a0", "ç", "á", "`", "\x1b", "\t", "中", "😀", "∞", "ª"])
def test_chars_outside_gsm_force_ucs2(char: str) -> None:
    info = count("ab" + char)
    assert info.encoding == "utf-16"
    assert info.ucs2_chars == (char,)


# --- GSM lengths and parts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "parts", "per_part", "remaining"),
    [
        (0, 0, 160, 160),
        (1, 1, 160, 159),
        (160, 1, 160, 0),
        (161, 2, 153, 145),  # 153 + 8
        (306, 2, 153, 0),
        (307, 3, 153, 152),
    ],
)
def test_plain_gsm(n: int, parts: int, per_part: int, remaining: int) -> None:
    info = count("a" * n)
    assert (info.encoding, info.units, info.parts) == ("gsm", n, parts)
    assert (info.per_part, info.remaining) == (per_part, remaining)


@pytest.mark.parametrize(
    ("n", "units", "parts", "remaining"),
    [
        # ']' is an extension char: 2 septets, never split across parts. A 153-septet part
        # holds 76 of them (152 septets) and leaves 1 septet unused.
        (80, 160, 1, 0),  # 160 septets still fit one 160-septet message
        (81, 162, 2, 143),  # 76 + 5 -> last part uses 10 of 153
        (152, 304, 2, 1),  # 76 + 76 -> last part uses 152 of 153
        (153, 306, 3, 151),  # 76 + 76 + 1: dividing 306 by 153 would wrongly say 2 parts
        (154, 308, 3, 149),  # 76 + 76 + 2 -> last part uses 4 of 153
    ],
)
def test_escape_pairs_never_straddle(n: int, units: int, parts: int, remaining: int) -> None:
    info = count("]" * n)
    assert (info.encoding, info.characters, info.units) == ("gsm", n, units)
    assert (info.parts, info.remaining) == (parts, remaining)


def test_escape_pair_at_part_boundary_starts_new_part() -> None:
    # 152 'a' leave one septet in part 1, so the euro sign (2 septets) opens part 2, which is
    # then full with 151 'a' (2 + 151 = 153); the last 'a' needs part 3. 306 septets in all,
    # which plain division would put in 2 parts.
    info = count("a" * 152 + "€" + "a" * 152)
    assert (info.units, info.parts, info.remaining) == (306, 3, 152)


def test_escape_pair_fitting_single_message() -> None:
    info = count("a" * 158 + "€")
    assert (info.units, info.parts, info.remaining) == (160, 1, 0)
    info = count("a" * 159 + "€")  # 161 septets: 153 + (6 + 2)
    assert (info.units, info.parts, info.remaining) == (161, 2, 145)


def test_crlf_is_two_gsm_characters() -> None:
    info = count("line one\r\nline two")
    assert (info.encoding, info.characters, info.units) == ("gsm", 18, 18)
    assert count("\r\n" * 80).parts == 1
    assert count("\r\n" * 80 + "x").parts == 2


# --- UTF-16 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "parts", "per_part", "remaining"),
    [
        (70, 1, 70, 0),
        (71, 2, 67, 63),  # 67 + 4
        (67 * 2, 2, 67, 0),
        (67 * 2 + 1, 3, 67, 66),
    ],
)
def test_utf16_bmp(n: int, parts: int, per_part: int, remaining: int) -> None:
    info = count("中" * n)
    assert (info.encoding, info.units, info.parts) == ("utf-16", n, parts)
    assert (info.per_part, info.remaining) == (per_part, remaining)
    assert info.ucs2_chars == ("中",)


@pytest.mark.parametrize(
    ("text", "units", "parts", "remaining"),
    [
        ("😀" * 35, 70, 1, 0),
        # 67-unit parts hold 33 emoji (66 units) and waste 1: 33 + 3 -> 6 units used.
        ("😀" * 36, 72, 2, 61),
        ("😀" + "a" * 68, 70, 1, 0),
        # Part 1: 66 'a', the emoji cannot take the last unit -> part 2: 2 + 65 = 67; the
        # last 'a' opens part 3. Division (134 / 67) would say 2 parts.
        ("a" * 66 + "😀" + "a" * 66, 134, 3, 66),
        ("a" * 65 + "😀" + "a" * 67, 134, 2, 0),  # the pair fits exactly at the end of part 1
    ],
)
def test_surrogate_pairs_never_straddle(text: str, units: int, parts: int, remaining: int) -> None:
    info = count(text)
    assert (info.encoding, info.units, info.parts, info.remaining) == (
        "utf-16",
        units,
        parts,
        remaining,
    )


def test_astral_char_is_one_character_two_units() -> None:
    info = count("a😀")
    assert (info.characters, info.units) == (2, 3)


def test_nbsp_forces_ucs2_even_with_trans() -> None:
    for trans in (False, True):
        info = count("Hola\u00a0Juan, ¿qué tal?", trans=trans)
        assert info.encoding == "utf-16"
        assert info.ucs2_chars == ("\u00a0",)


def test_ucs2_chars_unique_in_order() -> None:
    assert count("中a😀b中ç😀").ucs2_chars == ("中", "😀", "ç")


def test_forced_utf16_on_gsm_text() -> None:
    info = count("a" * 71, "utf-16")
    assert (info.encoding, info.parts, info.ucs2_chars, info.unsupported) == ("utf-16", 2, (), ())


# --- ç, trans, forced encodings -----------------------------------------------------------


def test_c_cedilla_per_annex() -> None:
    # The GSM annex has capital 'Ç' (0x09) but no lowercase 'ç'; GSM-PT has both.
    assert count("Ç").encoding == "gsm"
    assert count("ç").encoding == "utf-16"
    assert count("ç", "gsm").unsupported == ("ç",)
    pt = count("çÇ", "gsm-pt")
    assert (pt.units, pt.unsupported) == (2, ())
    translated = count("ç", trans=True)
    assert (translated.encoding, translated.text) == ("gsm", "Ç")


def test_forced_gsm_reports_unsupported_instead_of_switching() -> None:
    info = count("Olá 中 mundo", "gsm")
    assert info.encoding == "gsm"
    assert info.unsupported == ("á", "中")
    assert info.units == 11  # each unsupported char counted as one septet


def test_auto_never_picks_gsm_pt() -> None:
    assert count("Ação").encoding == "utf-16"
    assert count("Ação", "gsm-pt").unsupported == ()


def test_trans_table_is_the_reference_table() -> None:
    assert dict(TRANS) == REFERENCE_TRANS


@pytest.mark.parametrize(("src", "dst"), sorted(REFERENCE_TRANS.items()))
def test_trans_translates_each_char(src: str, dst: str) -> None:
    info = count("x" + src + "y", trans=True)
    assert info.text == "x" + dst + "y"
    assert info.encoding == "gsm"
    assert info.units == 2 + len(dst)


def test_trans_leaves_other_chars() -> None:
    text = "éñ€ÇÉ中"
    assert count(text, trans=True).text == text
    assert count("Informação nº 5", trans=True).text == "InformaÇao n 5"
    assert count("Informação", trans=False).text == "Informação"


def test_trans_applies_before_encoding_choice() -> None:
    assert count("Ação", trans=True).encoding == "gsm"


# --- max parts -------------------------------------------------------------------------------


def test_max_parts_constants() -> None:
    assert (MAX_PARTS_SMS, MAX_PARTS_LANDING) == (15, 8)


@pytest.mark.parametrize(
    ("n", "max_parts", "parts", "too_long"),
    [
        (153 * 15, MAX_PARTS_SMS, 15, False),
        (153 * 15 + 1, MAX_PARTS_SMS, 16, True),
        (153 * 8, MAX_PARTS_LANDING, 8, False),
        (153 * 8 + 1, MAX_PARTS_LANDING, 9, True),
    ],
)
def test_too_long(n: int, max_parts: int, parts: int, too_long: bool) -> None:
    info = count("a" * n, max_parts=max_parts)
    assert (info.parts, info.too_long) == (parts, too_long)


def test_default_max_parts_is_sms() -> None:
    assert count("a" * (153 * 15 + 1)).too_long


def test_unknown_encoding() -> None:
    with pytest.raises(ValueError, match="unknown encoding 'ucs2'"):
        count("a", "ucs2")


# --- the fast arithmetic agrees with a plain character walk --------------------------------


def _walk(text: str, encoding: str) -> tuple[int, int, int]:
    """Reference implementation: one character at a time, no shortcuts."""
    if encoding == "utf-16":
        costs = [2 if ord(c) > 0xFFFF else 1 for c in text]
        single, concat = 70, 67
    else:
        ext = GSM_EXTENDED if encoding == "gsm" else GSM_PT_EXTENDED - GSM_PT_BASIC
        costs = [2 if c in ext else 1 for c in text]
        single, concat = 160, 153
    units = sum(costs)
    if units == 0:
        return 0, 0, single
    if units <= single:
        return units, 1, single - units
    parts, used = 1, 0
    for cost in costs:
        if used + cost > concat:
            parts, used = parts + 1, 0
        used += cost
    return units, parts, concat - used


@pytest.mark.parametrize("seed", range(20))
def test_random_texts_match_character_walk(seed: int) -> None:
    rng = random.Random(seed)
    alphabets = {"gsm": "ab ]€{\n", "gsm-pt": "açã[ΩΣ\r", "utf-16": "a中😀ç𝄞"}
    for encoding, alphabet in alphabets.items():
        for _ in range(50):
            text = "".join(rng.choices(alphabet, k=rng.randrange(0, 700)))
            info = count(text, encoding)
            assert (info.units, info.parts, info.remaining) == _walk(text, encoding), text


def test_module_has_no_ui_imports() -> None:
    assert "textual" not in segments.__dict__


# --- the plan one request carries ------------------------------------------------------


def test_plan_takes_utf16_for_all_when_one_text_needs_it() -> None:
    # 100 GSM characters: 1 part alone, 2 parts (67 each) once the job goes as utf-16.
    plan = segments.plan(["a" * 100, "Olá ç"])
    assert (plan.encoding, plan.parts, plan.needed) == ("utf-16", 2, 2)
    assert segments.plan(["a" * 100]).encoding == "gsm"
    assert segments.plan([]).parts == 1  # never below the provider's minimum


def test_plan_keeps_an_operators_choice_that_fits_and_refuses_one_that_does_not() -> None:
    assert segments.plan(["hi"], encoding="utf-16", parts=3) == segments.Plan("utf-16", 3, 1, 15)
    with pytest.raises(segments.PlanError, match="parts 1 is below the 2 parts"):
        segments.plan(["a" * 161], parts=1)
    with pytest.raises(segments.PlanError, match=r"encoding gsm cannot carry 'ç' '😀'"):
        segments.plan(["ç 😀"], encoding="gsm")
    with pytest.raises(segments.PlanError, match="parts must be between 1 and 8"):
        segments.plan(["hi"], parts=9, max_parts=segments.MAX_PARTS_LANDING)
    with pytest.raises(segments.PlanError, match="needs 9 parts in gsm; at most 8"):
        segments.plan(["a" * (8 * 153 + 1)], max_parts=segments.MAX_PARTS_LANDING)


def test_plan_counts_after_trans() -> None:
    # 'ó' becomes 'o' with trans=1, so a forced gsm can carry it.
    assert segments.plan(["Canción"], encoding="gsm", trans=True).encoding == "gsm"
    with pytest.raises(segments.PlanError):
        segments.plan(["Canción"], encoding="gsm")
