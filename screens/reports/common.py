"""Pieces the Reports tabs share: a view base that reports its workers' failures, tables
whose plain-letter keys only work while they have focus, dates and reading provider CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from screens.widgets.common import WorkerErrors
from tui.dates import is_date_only, parse_optional


class ReportsView(WorkerErrors, Vertical):
    """A part of the Reports screen that runs workers; their failures show in the app's
    error modal (the provider's code and message).

    While a worker of a group in LOADING runs, the widget it fills shows Textual's loading
    indicator, so a slow provider is not mistaken for an empty table."""

    #: worker group -> selector of the widget that group fills
    LOADING: ClassVar[dict[str, str]] = {}

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show or hide the loading sign of the widget the worker fills, then report errors."""
        group = event.worker.group
        if group in self.LOADING:
            # Exclusive workers: a cancelled one may end after its replacement started.
            running = any(
                w.group == group
                and w.node is self
                and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
                for w in self.app.workers
            )
            self.query_one(self.LOADING[group]).loading = running
        super().on_worker_state_changed(event)


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
    """A filter date typed as YYYY-MM-DD or an ISO datetime (tui.dates: no offset is local
    time), None when blank.

    A bare date covers its whole day: as an end bound it means the next midnight, since
    the provider's `beforeDate` is exclusive.
    """
    value = parse_optional(text)
    if value is not None and end and is_date_only(text):
        # On the naive day, so that a change of summer time still lands on midnight.
        value = (datetime.fromisoformat(text.strip()) + timedelta(days=1)).astimezone()
    return value
