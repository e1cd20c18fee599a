"""`/` on any screen: a one-line filter under the current table that hides the rows not
holding the typed text (any case, any cell), says "N of M shown", and gives every row
back, keys and order intact, on Esc.

The table's own screen keeps filling it as before (pages, reloads, cells updated): a
table filled again while the filter is open is read again and filtered again, rows the
screen removed stay removed, and a cell the screen updates in a hidden row is kept for
when the row comes back, so Esc gives back what the screen last put there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label
from textual.widgets.data_table import ColumnKey, RowKey

from screens.widgets.keys import std_key

# How often an open filter looks whether its table was filled again meanwhile.
RESYNC_SECONDS = 0.3


@dataclass(frozen=True)
class _Row:
    """One row as the screen put it in the table."""

    key: str | None
    cells: tuple[Any, ...]
    height: int | None
    label: Text | None

    def holds(self, needle: str) -> bool:
        """Whether any cell's text holds the (case-folded) needle."""
        return any(needle in str(cell).casefold() for cell in self.cells)


def _rows(table: DataTable[Any]) -> list[_Row]:
    return [
        _Row(
            row.key.value,
            tuple(table.get_row(row.key)),
            None if row.auto_height else row.height,
            row.label,
        )
        for row in table.ordered_rows
    ]


class TableFilter(Horizontal):
    """The filter line of one DataTable (mounted right after it by `filter_table`)."""

    DEFAULT_CSS = """
    TableFilter {
        height: 1;
        width: 1fr;
        background: $boost;
    }
    TableFilter > .table-filter-prompt {
        width: auto;
        padding: 0 1;
        color: $accent;
        text-style: bold;
    }
    TableFilter > Input, TableFilter > Input:focus {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0;
    }
    TableFilter > .table-filter-count {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS = [std_key("back", "close", "Clear filter")]

    def __init__(self, table: DataTable[Any]) -> None:
        super().__init__(classes="table-filter")
        self.table = table
        #: Every row the screen put in the table, in its order.
        self.rows = _rows(table)
        #: The rows the table shows now (what the filter last put there).
        self._showing = self.rows

    def compose(self) -> ComposeResult:
        yield Label("Filter /", classes="table-filter-prompt")
        yield Input(placeholder="type to hide the rows without it; Esc shows all")
        yield Label(self._count(), classes="table-filter-count")

    def on_mount(self) -> None:
        self.set_interval(RESYNC_SECONDS, self._resync)
        # The screen updates cells by row key (a balance, a status) and would fail on a
        # row the filter hides: while open, such an update is kept for the hidden row.
        self._table_update_cell = self.table.update_cell
        self.table.update_cell = self._update_cell  # type: ignore[method-assign]

    def on_unmount(self) -> None:
        # The instance's own attribute goes: the class's update_cell is back.
        vars(self.table).pop("update_cell", None)

    def _update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: Any,
        *,
        update_width: bool = False,
    ) -> None:
        key = row_key.value if isinstance(row_key, RowKey) else row_key
        if key in self.table.rows:
            self._table_update_cell(row_key, column_key, value, update_width=update_width)
            self._resync()
            return
        column = list(self.table.columns).index(
            column_key if isinstance(column_key, ColumnKey) else ColumnKey(column_key)
        )
        for index, row in enumerate(self.rows):
            if row.key == key:
                cells = list(row.cells)
                cells[column] = value
                self.rows[index] = replace(row, cells=tuple(cells))
                return
        # Neither shown nor hidden: the table's own error.
        self._table_update_cell(row_key, column_key, value, update_width=update_width)

    @property
    def text(self) -> str:
        """What is typed."""
        return self.query_one(Input).value

    def _count(self) -> str:
        return f"{len(self._showing)} of {len(self.rows)} shown"

    def _resync(self) -> None:
        """Take in what the screen changed in the table since the filter last showed rows,
        and filter again."""
        current = _rows(self.table)
        if current == self._showing:
            return
        shown = {r.key for r in self._showing}
        now = {r.key: r for r in current}
        if set(now) <= shown:
            # Cells updated or rows removed in place: the hidden rows still hold.
            self.rows = [now.get(r.key, r) for r in self.rows if r.key in now or r.key not in shown]
        else:
            # Filled again (a page, a reload): what it holds now is all there is.
            self.rows = current
        self._showing = current
        self.apply(self.text)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._resync()
        self.apply(event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter: on to the rows shown (the filter stays)."""
        event.stop()
        self.table.focus()

    def apply(self, text: str) -> None:
        """Show only the rows holding `text` (all of them for no text)."""
        needle = text.strip().casefold()
        wanted = [r for r in self.rows if r.holds(needle)] if needle else self.rows
        self._show(wanted)

    def _show(self, rows: list[_Row]) -> None:
        if rows == self._showing and self.table.row_count == len(rows):
            self.query_one(".table-filter-count", Label).update(self._count())
            return
        table = self.table
        current = None
        if table.row_count:
            current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        for row in rows:
            table.add_row(*row.cells, height=row.height, key=row.key, label=row.label)
        self._showing = rows
        keys = [r.key for r in rows]
        if current in keys:
            table.move_cursor(row=keys.index(current))
        self.query_one(".table-filter-count", Label).update(self._count())

    def action_close(self) -> None:
        """Give every row back and close the filter."""
        self._resync()
        self._show(self.rows)
        self.table.focus()
        self.remove()


def filterable(screen: Any) -> list[DataTable[Any]]:
    """The screen's tables a person can see and move in (not in a hidden tab, not a
    cursor-less table of keys)."""
    return [
        t
        for t in screen.query(DataTable)
        if t.cursor_type != "none" and all(node.display for node in t.ancestors_with_self)
    ]


class TableFilters:
    """For screens: `/` opens the filter of the focused table (else of the first table in
    view). Mixed into BaseScreen, which binds `/` to it (Textual reads BINDINGS only from
    DOM classes), so every screen with a table has it."""

    BINDINGS: ClassVar[list[BindingType]] = [std_key("filter", "filter_table")]

    def filter_target(self) -> DataTable[Any] | None:
        """The table `/` filters: the focused one, else the first one shown."""
        screen: Any = self
        focused = screen.focused
        if isinstance(focused, DataTable):
            return focused
        if isinstance(focused, Input) and isinstance(focused.parent, TableFilter):
            return focused.parent.table
        return next(iter(filterable(screen)), None)

    def action_filter_table(self) -> None:
        """Open (or go back to) the filter of the current table."""
        table = self.filter_target()
        if table is None or table.parent is None:
            return
        opened = [f for f in table.parent.query_children(TableFilter) if f.table is table]
        if opened:
            opened[0].query_one(Input).focus()
            return
        line = TableFilter(table)
        parent: Any = table.parent
        parent.mount(line, after=table)
        line.call_after_refresh(lambda: line.query_one(Input).focus())
