"""A sending's events CSV in a filterable table with export, and its keystroke report."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from backends.models.reports import KeysReport
from screens.reports.common import ReportsView
from screens.widgets.common import ConfirmModal
from screens.widgets.keys import std_key
from tui.csvout import csv_text
from tui.files import write_atomic

#: Rows put in the table at most: adding rows measures every cell, so a big report is
#: filtered in memory and only a window of it is shown (export still writes every match).
SHOWN_ROWS = 500
ALL_COLUMNS = -1


def matching(rows: list[list[str]], column: int, needle: str) -> list[list[str]]:
    """Rows whose column (or any column) contains `needle`, case-insensitively."""
    needle = needle.strip().casefold()
    if not needle:
        return rows
    if column == ALL_COLUMNS:
        return [r for r in rows if any(needle in cell.casefold() for cell in r)]
    return [r for r in rows if column < len(r) and needle in r[column].casefold()]


class EventsView(ReportsView):
    """The events report of one sending: filter by column, export what matches."""

    BUSY_WORK: ClassVar[dict[str, str]] = {"reports-export": "an export"}

    BINDINGS = [std_key("back")]

    @dataclass
    class Back(Message):
        """The user is done with the report."""

    @dataclass
    class Exported(Message):
        """The matching rows were written to a file."""

        path: Path
        rows: int

    @dataclass
    class ExportFailed(Message):
        """The file could not be written."""

        path: Path
        reason: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sending_id: int | None = None
        self.columns: list[str] = []
        self.rows: list[list[str]] = []
        self.shown: list[list[str]] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filter-row"):
            yield Static("", id="events-title")
            yield Select[int]([], prompt="Any column", id="events-column")
            yield Input(placeholder="filter: column contains…", id="events-filter")
        yield DataTable(id="events-table", zebra_stripes=True, cursor_type="row")
        yield Static("", id="events-count")
        with Horizontal(classes="filter-row"):
            yield Label("Export to")
            yield Input(placeholder="events.csv", id="export-path")
            yield Button("Export CSV", id="export")
            yield Button("Back", id="events-back")
        yield Static("", id="export-result")

    def show_report(self, sending_id: int, columns: list[str], rows: list[list[str]]) -> None:
        """Show a freshly loaded report, unfiltered."""
        self.sending_id = sending_id
        self.columns = columns
        self.rows = rows
        self.query_one("#events-title", Static).update(f"Events of sending {sending_id}")
        select = self.query_one("#events-column", Select)
        select.set_options([(name, index) for index, name in enumerate(columns)])
        self.query_one("#events-filter", Input).value = ""
        self.query_one("#export-path", Input).value = f"sending-{sending_id}-events.csv"
        self._result("")
        table = self.query_one("#events-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*columns)
        self._refilter()
        self.query_one("#events-filter", Input).focus()

    def _column(self) -> int:
        value = self.query_one("#events-column", Select).value
        return value if isinstance(value, int) else ALL_COLUMNS

    @on(Input.Changed, "#events-filter")
    @on(Select.Changed, "#events-column")
    def _refilter(self) -> None:
        needle = self.query_one("#events-filter", Input).value
        self.shown = matching(self.rows, self._column(), needle)
        table = self.query_one("#events-table", DataTable)
        table.clear()
        width = len(self.columns)
        for row in self.shown[:SHOWN_ROWS]:
            # A short row would break the table; the provider's CSV should never have one.
            table.add_row(*(row + [""] * (width - len(row)))[:width])
        count = f"{len(self.shown)} of {len(self.rows)} events match"
        if len(self.shown) > SHOWN_ROWS:
            count += f"; the first {SHOWN_ROWS} are shown, export writes them all"
        self.query_one("#events-count", Static).update(count)

    def _result(self, text: str, *, error: bool = False) -> None:
        result = self.query_one("#export-result", Static)
        result.update(text)
        result.set_class(error, "error-text")

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#export-path")
    def action_export(self) -> None:
        """Write the matching rows to the file named, asking before overwriting one."""
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self._result("Enter a file name to export to.", error=True)
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            self._result(f"{path} is a folder: name a file.", error=True)
            return
        # Formula-safe like every export: event rows carry URLs and texts others typed.
        data, _ = csv_text(self.columns, self.shown)
        rows = len(self.shown)
        if not path.exists():
            self.export(path, data, rows)
            return

        def answered(overwrite: bool | None) -> None:
            if overwrite:
                self.export(path, data, rows)
            else:
                self._result(f"Not exported: {path} was kept.")

        self.app.push_screen(
            ConfirmModal(f"{path} already exists. Overwrite it?", yes_label="Overwrite"),
            answered,
        )

    @work(group="reports-export", exit_on_error=False)
    async def export(self, path: Path, data: str, rows: int) -> None:
        """Write the file off the UI loop."""
        try:
            await asyncio.to_thread(write_atomic, path, data)
        except OSError as exc:
            self.post_message(self.ExportFailed(path, exc.strerror or str(exc)))
            return
        self.post_message(self.Exported(path, rows))

    @on(Exported)
    def _exported(self, event: Exported) -> None:
        self._result(f"Wrote {event.rows} events to {event.path}.")

    @on(ExportFailed)
    def _export_failed(self, event: ExportFailed) -> None:
        self._result(f"Cannot write {event.path}: {event.reason}.", error=True)

    @on(Button.Pressed, "#events-back")
    def action_back(self) -> None:
        """Return to the sending's chart."""
        self.post_message(self.Back())


def key_summary(report: KeysReport) -> str:
    """How often each key was pressed, most pressed first."""
    counts = Counter(press.key for press in report.rows)
    if not counts:
        return "No keys pressed yet."
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return f"{len(report.rows)} key presses · " + " · ".join(f"key {key}: {n}" for key, n in ranked)


class KeysView(ReportsView):
    """The keystroke report of one voice sending."""

    BINDINGS = [std_key("back")]

    def compose(self) -> ComposeResult:
        yield Static("", id="keys-title")
        yield Static("", id="keys-summary")
        yield DataTable(id="keys-table", zebra_stripes=True, cursor_type="row")
        with Horizontal(classes="button-row"):
            yield Button("Back", id="keys-back")

    def show_report(self, sending_id: int, report: KeysReport) -> None:
        """Show a freshly loaded keystroke report."""
        self.query_one("#keys-title", Static).update(f"Keys pressed in sending {sending_id}")
        self.query_one("#keys-summary", Static).update(key_summary(report))
        table = self.query_one("#keys-table", DataTable)
        table.clear(columns=True)
        table.add_columns("Phone", "Key", "Message")
        for press in report.rows[:SHOWN_ROWS]:
            table.add_row(press.phone, press.key, press.message)
        table.focus()

    @on(Button.Pressed, "#keys-back")
    def action_back(self) -> None:
        """Return to the sending's chart."""
        self.post_message(EventsView.Back())
