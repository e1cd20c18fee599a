"""Placeholders are hints, never values (issue 12, point 5): an example that could be
typed as it is ("MyCompany", "34666555444", "jane@example.com") says "e.g." so nobody
takes the dim text for a filled-in value."""

from __future__ import annotations

import re
from pathlib import Path

SCREENS = Path(__file__).resolve().parents[2] / "screens"
PLACEHOLDER = re.compile(r'placeholder=\s*"([^"]*)"')


def looks_like_a_value(text: str) -> bool:
    """An address, a URL, a number or date, or one mixed-case token such as an id."""
    if "@" in text or "://" in text or re.match(r"[+\-\d]", text):
        return True
    # Camel case marks an id or a name written as code, not a word of a sentence.
    return bool(re.fullmatch(r"[A-Za-z0-9]+", text) and re.search(r"[a-z].*[A-Z]|[A-Z]{2}", text))


def test_example_values_in_placeholders_say_eg() -> None:
    found = [
        f"{path.relative_to(SCREENS)}: {text}"
        for path in sorted(SCREENS.rglob("*.py"))
        for text in PLACEHOLDER.findall(path.read_text(encoding="utf-8"))
        if looks_like_a_value(text) and not text.startswith("e.g. ")
    ]
    assert found == []


def test_the_rule_sees_the_examples_it_is_for() -> None:
    for value in ("MyCompany", "34666555444", "+34 600", "-0.1057", "a@b.c", "https://x",
                  "WmTjsFknzHdmfs3Ra", "idCard"):  # fmt: skip
        assert looks_like_a_value(value), value
    for hint in ("(none)", "code", "phone or email", "e.g. laura", "/path/to/a.csv", "never",
                 "Address", "Place name"):  # fmt: skip
        assert not looks_like_a_value(hint), hint
