"""The one CSV writer: formula-safe, for every export and results file; flow answers' rows.

Exports carry text typed by strangers (answers, contact names, message texts, reasons), so
every cell goes through `cell`. The CLI and the console write the same rows through the
same writer, so a cell is neutralised the same way wherever it is saved: `--results`,
`jobs export`, the console's job, contacts and report exports, the CLI's report files.

The rule is OWASP's (a ' before a cell starting with = + - @ tab or CR) with one choice of
ours: a plain signed number ("-1", "+34600111333") is left as it is, since a spreadsheet
reads it as that number and nothing runs. A phone written "+34 600 111 333" is prefixed;
our own reader (tui.csvin) drops that apostrophe again, so an export imports as it was.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import TextIO

from backends.xerochat.models import QuestionSummary

# Cells a spreadsheet would run as a formula (OWASP CSV injection); answers are typed by
# anyone who talks to the bot.
_RISKY = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading ' before what would be a formula.

    Plain signed numbers are left alone, so counts and "-1" stay numbers.
    """
    text = value if type(value) is str else str(value)
    # The first character decides almost every cell: a set lookup, no regex (an export
    # of 100,000 recipients writes 900,000 cells).
    if text[:1] not in _RISKY:
        return text
    return text if _NUMBER.match(text) else "'" + text


class SafeCsv:
    """A CSV writer that writes a header, then rows with every cell through `cell`: the one
    writer of every export and results file (jobs, contacts, events, flow answers)."""

    def __init__(self, target: TextIO, header: Sequence[str]) -> None:
        self._writer = csv.writer(target)
        self._writer.writerow(header)
        self.rows = 0

    def write(self, rows: Iterable[Sequence[object]]) -> None:
        """Write rows, formula-safe."""
        for row in rows:
            self._writer.writerow(map(cell, row))
            self.rows += 1

    def write_neutralised(self, rows: Iterable[Sequence[object]]) -> None:
        """Write rows whose caller already passed through `cell` every cell that can hold
        someone else's text (a journal export: its other cells are our own numbers, states,
        times and JSON objects, which cannot start a formula)."""
        before = self.rows
        for n, row in enumerate(rows, 1):
            self._writer.writerow(row)
            self.rows = before + n


def write_csv(target: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a header and rows (formula-safe) and return how many rows."""
    out = SafeCsv(target, header)
    out.write(rows)
    return out.rows


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> tuple[str, int]:
    """The CSV `write_csv` would write, as text (to write atomically), and its row count."""
    buffer = io.StringIO(newline="")
    count = write_csv(buffer, header, rows)
    return buffer.getvalue(), count


def share(count: int, responses: int) -> str:
    """A count as a percentage of a question's responses."""
    return f"{100.0 * count / responses:.1f}%" if responses else "0.0%"


def count_rows(
    summary: Sequence[QuestionSummary], *, shares: bool = False
) -> tuple[list[str], list[tuple[object, ...]]]:
    """Header and one row per (question, answer), with each answer's share if asked.

    A question nobody answered still gets a row, with no answer and a count of 0, so the
    file lists every question of the flow.
    """
    header = ["question_id", "question", "answer", "count"]
    rows: list[tuple[object, ...]] = []
    for q in summary:
        counts = [(c.answer, c.count) for c in q.counts] or [("", 0)]
        for answer, n in counts:
            row: tuple[object, ...] = (q.question_id, q.question, answer, n)
            rows.append((*row, share(n, q.responses)) if shares else row)
    return ([*header, "share"] if shares else header), rows
