"""Pieces the Reports tabs share: a view base that reports its workers' failures, tables
whose plain-letter keys only work while they have focus, dates and reading provider CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from textual import on
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from screens.common import sb_app


class ReportsView(Vertical):
    """A part of the Reports screen that runs workers.

    Worker state messages do not bubble, so each view shows its own workers' failures
    in the app's error modal (the provider's code and message).
    """

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            sb_app(self).show_error(event.worker.error)


class ReportsPane(ReportsView):
    """The content of one tab; the screen calls `reload()` when the account changes."""

    def reload(self) -> None:
        """Forget what was shown and load it again from the active account."""
        raise NotImplementedError


class ActionTable(DataTable[str]):
    """A row table whose bindings ask the view around it to act (so letters are safe)."""

    @dataclass
    class Requested(Message):
        """A key on the table asked for an action of the view around it."""

        table: ActionTable
        action: str

        @property
        def control(self) -> ActionTable:
            """The table the key was pressed on (for `@on(..., "#id")`)."""
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def action_request(self, name: str) -> None:
        """Ask the enclosing view to run `name`."""
        self.post_message(self.Requested(self, name))


def parse_day(text: str, *, end: bool = False) -> datetime | None:
    """A filter date typed as YYYY-MM-DD or an ISO datetime; no offset means UTC.

    A bare date covers its whole day: as an end bound it means the next midnight, since
    the provider's `beforeDate` is exclusive.
    """
    text = text.strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if end and len(text) == 10:
        value += timedelta(days=1)
    return value


def csv_table(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a provider CSV, exactly as received (comma or semicolon)."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    # Some exports use semicolons; the header tells which (it has no quoted commas).
    delimiter = ";" if ";" in first and "," not in first else ","
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
    if not rows:
        return [], []
    return rows[0], rows[1:]


def fmt_time(value: datetime | None) -> str:
    """A provider time in UTC, to the minute; blank when unknown."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else ""
