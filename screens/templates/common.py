"""What the Templates and Forms tabs share: the page size and the table helpers."""

from __future__ import annotations

from datetime import datetime

from textual.coordinate import Coordinate
from textual.widgets import DataTable

# One page is enough to browse; the status line says when the account holds more.
PAGE_LIMIT = 100


def day(moment: datetime | None) -> str:
    """A date for a table cell (empty when the provider gave none)."""
    return moment.strftime("%Y-%m-%d") if moment else ""


def selected_id(table: DataTable[object]) -> int | None:
    """The id (row key) under a table's cursor."""
    if table.row_count == 0:
        return None
    row_key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
    return int(str(row_key.value))
