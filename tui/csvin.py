"""The one CSV reader: recipients for a send, the contacts import and survey lists read
their files through `read_rows`, so a broken file is refused the same way everywhere.

One stray `"` opens a quoted field that runs on, newlines and all, to the next quote or
to the end of the file: thousands of rows become one cell (a 516-part message once).
Nothing is swallowed silently. A row is refused, with its line, when:

- a field is longer than MAX_FIELD characters (no recipient, name or variable is);
- a quoted field spans lines that look like rows of the file (as many separators as the
  header has, or any line at all in a one-column file) and no other row has a field
  with a newline, or it holds more than MAX_ROWLIKE such lines. A file whose cells often
  hold newlines (addresses) keeps them.

The checks cost little per row (the issue-14 benchmark reads 100,000 rows): one join of
the row's cells, and a look inside only at rows that span lines or are that long. Reading
100,000 four-column rows took 0.09-0.10 s before the checks and 0.15-0.19 s with them (2
busy shared cores), against about 12 s there for validating their numbers.

Cells our own writer neutralised (tui.csvout: a leading ' before = + - @ tab or CR) are
read back without the apostrophe, so an export imports as what it holds ("'+34 600..."
is "+34 600..."). A cell really starting with ' then one of those is read without it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Final

# Separators a spreadsheet may export with (Excel in Spanish locales writes ';').
DELIMITERS: Final = ",;\t"
MAX_FIELD: Final = 2000
MAX_ROWLIKE: Final = 10
_NEUTRALISED: Final = frozenset("=+-@\t\r")
QUOTE_HINT: Final = 'an unbalanced quote (") joins the lines after it; fix the quote'


class CsvProblem(ValueError):
    """A CSV file that cannot be read as it is, with the line to look at."""

    def __init__(self, line: int, text: str) -> None:
        super().__init__(f"line {line}: {text}")
        self.line = line


def sniff_delimiter(sample: str) -> str:
    """The separator of a CSV file from its first lines: comma, semicolon or tab."""
    first = sample.split("\n", 1)[0]
    # The header names the columns, so the separator is one of the header's characters.
    candidates = "".join(d for d in DELIMITERS if d in first)
    if len(candidates) <= 1:
        return candidates or ","  # none: one column, nothing to tell
    try:
        return csv.Sniffer().sniff(sample, delimiters=candidates).delimiter
    except csv.Error:
        # The Sniffer gives up on irregular files; the header line is the best witness.
        return max(candidates, key=first.count)


def plain(cell: str) -> str:
    """A cell without the apostrophe tui.csvout.cell put before a would-be formula."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in _NEUTRALISED and cell[1:2] else cell


def _rowlike(field: str, width: int, delimiter: str) -> int:
    """How many of a multi-line field's continuation lines look like rows of the file."""
    lines = field.split("\n")[1:]
    if width <= 1:
        return sum(1 for line in lines if line.strip())
    return sum(1 for line in lines if line.count(delimiter) >= width - 1)


def read_rows(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, fields) of every row, the header and blank rows included.

    CsvProblem for a malformed file (see the module docstring); UnicodeDecodeError from
    the file is left to the caller, who knows its name.
    """
    reader = csv.reader(lines, delimiter=delimiter)
    width = 0
    end = 0
    suspect: CsvProblem | None = None
    multiline = 0
    try:
        for fields in reader:
            start, end = end + 1, reader.line_num
            # One C-level join a row serves both cheap tests: a row this short has no long
            # field, and a row without an apostrophe has no neutralised cell.
            joined = delimiter.join(fields)
            if end != start or len(joined) > MAX_FIELD:
                found = _check(fields, start, end, width or len(fields), delimiter)
                multiline += end != start
                if found is not None and suspect is None:
                    suspect = found
            if not width:
                width = len(fields)
            if "'" in joined:
                fields = [plain(f) for f in fields]
            yield start, fields
    except csv.Error as exc:
        start = end + 1  # the row being read when the csv module gave up
        if reader.line_num > start:
            where = f"lines {start}-{reader.line_num}"
            raise CsvProblem(
                start, f"a field over {where} is too long ({exc}): {QUOTE_HINT}"
            ) from None
        raise CsvProblem(reader.line_num, str(exc)) from None
    if suspect is not None and multiline == 1:
        raise suspect


def _check(
    fields: list[str], start: int, end: int, width: int, delimiter: str
) -> CsvProblem | None:
    """A problem to refuse at once (raised), one to refuse if no other row spans lines
    (returned), or None."""
    for field in fields:
        if len(field) > MAX_FIELD:
            where = f" over lines {start}-{end}" if end != start else ""
            raise CsvProblem(start, f"a field of {len(field):,} characters{where}: {QUOTE_HINT}")
        if "\n" not in field:
            continue
        rows = _rowlike(field, width, delimiter)
        if rows > MAX_ROWLIKE:
            raise CsvProblem(start, f"a field holds {rows} lines that look like rows: {QUOTE_HINT}")
        if rows:
            return CsvProblem(
                start, f"a field over lines {start}-{end} holds what look like rows: {QUOTE_HINT}"
            )
    return None


def csv_table(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a provider CSV, exactly as received (comma or semicolon): a
    report is shown and saved whole, so none of `read_rows`' limits apply."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    # Some exports use semicolons; the header tells which (it has no quoted commas).
    delimiter = ";" if ";" in first and "," not in first else ","
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
    if not rows:
        return [], []
    return rows[0], rows[1:]
