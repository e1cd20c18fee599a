"""A job's live delivery funnel, written once for Compose (after a send) and Jobs.

What it shows comes from the journal, never only from the poll's answers: reports arrive
both from polling rounds (tui.usecases.delivery.watch_job) and from a receiver writing
the journal from another thread or process. So every refresh is a journal read
(tui.usecases.delivery.read_delivery) in a thread: after each polling round, and every
REFRESH seconds while some accepted recipient is still waiting, watched or not.

The watch itself (the polling rounds, whose journal reads and writes are synchronous)
runs in a thread worker with its own event loop and its own backend client, so neither
its HTTP requests nor its journal work run on the UI loop. It stops at the next wait when
its worker is cancelled (the key again, another job watched, the widget removed).

The table (ReportsTable) shows the latest delivery reports, one row per number, appended
at the bottom like the send's results: a refresh reads the newest LATEST reports, updates
the cells of the rows whose state changed and adds the new ones, at most PER_UPDATE (the
newest: older ones in a burst are skipped for good, so the rows stay in order); past ROWS
rows it keeps the newest LATEST. No rebuild of the table a second, and no more than
PER_UPDATE rows touched, with 200 recipients as with 100,000 (for jobs over BIG accepted
recipients the reports are read every TABLE_EVERY seconds: see there).
"""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label, Static
from textual.worker import Worker, WorkerState, get_current_worker

from backends.errors import SwitchboardError
from screens.widgets.common import WorkerErrors, sb_app
from tui.engine.delivery import FAILED, Delivery, DeliveryState, Funnel
from tui.engine.delivery_poll import DeliveryUpdate
from tui.engine.journal import Journal
from tui.engine.journal_rows import Job
from tui.usecases.delivery import LATEST, DeliveryView, read_delivery, watch_job, watchable

WATCH_GROUP = "delivery-watch"
BAR = 16  # characters of the longest bar in the funnel
# Rows the table adds or updates a refresh at most (the newest): at 2,000 reports a second
# more would cost the UI loop tens of ms a second for lines nobody can read that fast.
PER_UPDATE = 20
ROWS = 2 * LATEST  # rows the table holds at most before it keeps only the newest LATEST

_STYLES = {"delivered": "green", "failed": "red", "expired": "yellow", "waiting": "dim"}

# The funnel polling each (journal, job): Compose and Jobs show the same job, and one watch
# is enough (the other funnel shows its reports from the journal).
_WATCHES: dict[tuple[Path, int], DeliveryFunnel] = {}


def state_style(state: DeliveryState) -> str:
    """The colour of a delivery state in the table."""
    if state is DeliveryState.DELIVRD:
        return "green"
    if state in FAILED:
        return "red"
    if state is DeliveryState.EXPIRED:
        return "yellow"
    return "dim"


def at_label(at: str) -> str:
    """A report's ISO time (UTC) as the table shows it: `HH:MM:SS` (the day is the job's,
    or the next ones: the table must fit the 80-column Compose)."""
    return at[11:19] if len(at) >= 19 else at


def funnel_text(f: Funnel) -> Text:
    """The funnel, a line a stage with its count and a bar, then the failures' reasons."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{'accepted':<10}{f.accepted:>7}", style="bold")
    stages = (
        ("delivered", f.delivered),
        ("failed", f.failed),
        ("expired", f.expired),
        ("waiting", f.waiting),
    )
    for label, n in stages:
        text.append(f"\n {label:<9}{n:>7} ")
        filled = round(BAR * n / f.accepted) if f.accepted else 0
        text.append("█" * max(filled, 1 if n else 0), style=_STYLES[label])
    reasons = " · ".join(f"{s.value} {n}" for s, n in f.reasons) or "none"
    text.append(f"\n failures: {reasons}")
    return text


class ReportsTable(DataTable[str | Text]):
    """The latest delivery reports, a row a number (see the module's doc for the bounds)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.shown: dict[str, tuple[DeliveryState, str]] = {}  # in the rows' age order
        # Fixed widths: a new row is not measured against the others, and the three fit
        # Compose's side column at 80 columns.
        self.add_column("To", key="to", width=13)
        self.add_column("State", key="state", width=7)
        self.add_column("At (UTC)", key="at", width=8)

    def reset(self) -> None:
        """No rows (another job)."""
        self.shown.clear()
        self.clear()

    def show(self, latest: tuple[tuple[str, Delivery], ...]) -> None:
        """Update the rows whose state changed and add the new ones at the bottom (at most
        PER_UPDATE, the newest); past ROWS rows, keep the newest LATEST."""
        changed: list[tuple[str, Delivery]] = []
        for to, d in latest:  # newest first
            if self.shown.get(to) == (d.state, d.at):
                break  # shown already: what follows is older (shown, or skipped for good)
            changed.append((to, d))
        added = False
        for to, delivery in reversed(changed[:PER_UPDATE]):
            state, at = delivery.state, delivery.at
            cell = Text(state.value, style=state_style(state))
            if to in self.shown:
                self.update_cell(to, "state", cell)
                self.update_cell(to, "at", at_label(at))
                del self.shown[to]  # (its row stays where it is; it is among the newest)
            else:
                self.add_row(to, cell, at_label(at), key=to)
                added = True
            self.shown[to] = (state, at)
        if len(self.shown) > ROWS:
            # The oldest go all at once: DataTable.remove_row re-indexes every row (about
            # 1 ms a row at 100 rows), a clear and LATEST rows added cost a few ms.
            keep = list(self.shown.items())[-LATEST:]
            self.clear()
            self.shown = dict(keep)
            for to, (state, at) in keep:
                self.add_row(to, Text(state.value, style=state_style(state)), at_label(at), key=to)
        if added and not self.has_focus:
            # Following the newest, unless the operator is reading the rows.
            self.call_after_refresh(self.scroll_end, animate=False)


class DeliveryFunnel(WorkerErrors, Vertical):
    """A job's delivery funnel and latest reports; hidden until `show_job` finds accepted
    recipients (or says why the job's delivery cannot be followed)."""

    #: Seconds between journal reads while some accepted recipient is still waiting.
    REFRESH: ClassVar[float] = 1.0
    #: Above this many accepted recipients the table's reports (a sort of every report
    #: of the job, ~0.1 s of a core at 100,000) are read every TABLE_EVERY seconds only:
    #: every second they took the UI's p99 stall from ~9 to ~40 ms in bench_dlr on a
    #: shared 2-core machine. The funnel's counts stay every second.
    BIG: ClassVar[int] = 10_000
    TABLE_EVERY: ClassVar[float] = 5.0

    DEFAULT_CSS = """
    DeliveryFunnel { height: auto; display: none; }
    DeliveryFunnel.active { display: block; }
    DeliveryFunnel #funnel-status { height: auto; }
    DeliveryFunnel #funnel-counts { height: 6; }
    DeliveryFunnel #funnel-table { height: 9; }
    """

    @dataclass
    class Read(Message):
        """A journal read of the shown job (or why it failed)."""

        job_id: int
        view: DeliveryView | None
        problem: str = ""
        table: bool = True  # whether it read the table's reports

    @dataclass
    class Polled(Message):
        """A polling round of a watch ended (update None: the watch ended; why in `said`)."""

        job_id: int
        worker: Worker[None]
        update: DeliveryUpdate | None
        said: str = ""

    def __init__(self, *, key: str = "w", id: str | None = None) -> None:
        super().__init__(id=id)
        self.key = key  # the watch key as the screen's footer shows it (for the status)
        self.job_id: int | None = None
        self.journal_path: Path | None = None
        self.job: Job | None = None
        self.funnel: Funnel | None = None  # the last funnel shown
        self.watched: int | None = None  # the job being polled, if any
        self._watch: Worker[None] | None = None
        self._auto = False  # start watching once the first read says the job can be
        self._reveal = False  # and scroll into view then (Compose: below the results)
        self._reading = False
        self._again = False
        self._table_at = -float("inf")  # when the table's reports were last read
        self._said = ""  # the watch's last word on the shown job
        self._refused = False  # it ended on why the job cannot be polled (in `_said`)

    def compose(self) -> ComposeResult:
        yield Label("Delivery", classes="section-title")
        yield Static("", id="funnel-status")
        yield Static("", id="funnel-counts")
        yield ReportsTable(id="funnel-table")

    def on_mount(self) -> None:
        self.set_interval(self.REFRESH, self._tick)

    # --- which job --------------------------------------------------------------------
    def show_job(self, job_id: int, journal_path: Path, *, watch: bool = False) -> None:
        """Show a job's delivery (read now, then refreshed); `watch`: start polling it as
        soon as the read says its delivery can be followed."""
        if job_id != self.job_id or journal_path != self.journal_path:
            self.job_id, self.journal_path = job_id, journal_path
            self.job = self.funnel = None
            self._said, self._refused = "", False
            self.query_one(ReportsTable).reset()
        self._auto = self._reveal = watch
        self.refresh_now()

    def forget(self) -> None:
        """Show nothing and stop watching (the job is no longer what the screen is about)."""
        self.stop_watching()
        self.job_id = self.journal_path = self.job = self.funnel = None
        self.query_one(ReportsTable).reset()
        self.remove_class("active")

    # --- reading the journal ----------------------------------------------------------
    def _tick(self) -> None:
        if self.job_id is None or not self.screen.is_current:
            return
        waiting = self.funnel is None or self.funnel.waiting > 0
        if waiting and (self.job is None or watchable(self.job) is None):
            self.refresh_now()

    def refresh_now(self) -> None:
        """Read the shown job's delivery again (once more after a read under way)."""
        if self.job_id is None or self.journal_path is None:
            return
        if self._reading:
            self._again = True
            return
        self._reading = True
        now = time.monotonic()
        big = self.funnel is not None and self.funnel.accepted > self.BIG
        final = self.funnel is not None and self.funnel.done
        table = not big or final or now - self._table_at >= self.TABLE_EVERY
        if table:
            self._table_at = now
        self._read(self.journal_path, self.job_id, LATEST if table else 0)

    @work(group="funnel-read", exit_on_error=False)
    async def _read(self, path: Path, job_id: int, latest: int) -> None:
        """One journal read, in a thread."""
        try:
            view = await asyncio.to_thread(read_delivery, path, job_id, latest)
        except SwitchboardError as exc:
            # Every second: a line, never a dialog.
            self.post_message(self.Read(job_id, None, exc.message))
        else:
            self.post_message(self.Read(job_id, view, table=latest > 0))

    @on(Read)
    def _on_read(self, event: Read) -> None:
        self._reading = False
        if self._again:
            self._again = False
            self.refresh_now()
        if event.job_id != self.job_id:
            return
        if event.view is None:
            self._status(f"Cannot read the journal: {event.problem}", error=True)
            return
        self.job, funnel = event.view.job, event.view.funnel
        why = watchable(self.job)
        self.set_class(bool(funnel.accepted) or why is not None, "active")
        if self._reveal and self.has_class("active"):
            self._reveal = False
            self.call_after_refresh(self.scroll_visible, top=True, animate=False)
        self.query_one("#funnel-counts").display = why is None
        self.query_one("#funnel-table").display = why is None
        if why is not None:
            self._auto = False
            self._status(f"Delivery not followed: {why}.")
            return
        if funnel != self.funnel:
            self.funnel = funnel
            self.query_one("#funnel-counts", Static).update(funnel_text(funnel), layout=False)
        self.query_one(ReportsTable).show(event.view.latest)
        if funnel.done and not event.table:
            self.refresh_now()  # the last reports, for the table (no more ticks)
        if self._auto and funnel.accepted:
            self._auto = False
            if not funnel.done:
                self.start_watching()
        self._show_status()

    # --- watching -----------------------------------------------------------------------
    @property
    def watching(self) -> bool:
        """Whether the shown job's delivery is being polled."""
        return self.watched is not None and self.watched == self.job_id

    def toggle_watch(self) -> str:
        """Start polling the shown job, or stop if it is polled; why not ("" when done)."""
        if self.watching:
            self.stop_watching()
            self._said = "Stopped watching (reports journaled still show)."
            self._show_status()
            return ""
        return self.start_watching()

    def start_watching(self) -> str:
        """Poll the shown job's delivery until every state is final; why not, or ""."""
        job = self.job
        if job is None or self.journal_path is None:
            return "Select a job first." if self.job_id is None else "Reading the job…"
        if job.account not in sb_app(self).workspace.accounts():
            return f"Job {job.id} belongs to account {job.account!r}, which is gone."
        why = watchable(job)
        if why is not None:
            return f"Job {job.id}: {why}."
        other = self._watcher()
        if other is not None:
            return f"Job {job.id} is being watched on {other.screen.title} already."
        self.stop_watching()
        self.watched, self._said, self._refused = job.id, "", False
        self._watch = self._poll(job.id, self.journal_path)
        _WATCHES[(self.journal_path, job.id)] = self
        self.add_class("active")
        self._show_status()
        # Asked for: in view (at 80x24 it is below the details or the results).
        self.scroll_visible(top=True, animate=False)
        return ""

    def stop_watching(self) -> None:
        """Stop polling (the thread stops at its next wait)."""
        if self._watch is not None:
            self._watch.cancel()
        for key, funnel in list(_WATCHES.items()):
            if funnel is self:
                del _WATCHES[key]
        self._watch = self.watched = None

    def _watcher(self) -> DeliveryFunnel | None:
        """The other funnel polling the shown job, if one does."""
        if self.journal_path is None or self.job_id is None:
            return None
        other = _WATCHES.get((self.journal_path, self.job_id))
        return other if other is not self else None

    @work(group=WATCH_GROUP, thread=True, exit_on_error=False)
    async def _poll(self, job_id: int, journal_path: Path) -> None:
        """The polling rounds, in this thread's own event loop (see the module's doc)."""
        worker: Worker[None] = get_current_worker()

        async def sleep(seconds: float) -> None:
            # The worker's cancel cannot reach this loop: look at it while waiting.
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                if worker.cancelled_event.is_set():
                    raise asyncio.CancelledError
                await asyncio.sleep(min(0.2, end - time.monotonic()))

        journal: Journal | None = None
        said = ""
        try:
            journal = Journal(journal_path)
            updates = watch_job(journal, job_id, sb_app(self).workspace, sleep=sleep)
            async with aclosing(updates):
                async for update in updates:
                    if worker.cancelled_event.is_set():
                        break
                    self.post_message(self.Polled(job_id, worker, update))
        except SwitchboardError as exc:
            said = exc.message
        except asyncio.CancelledError:
            pass
        finally:
            if journal is not None:
                journal.close()
            self.post_message(self.Polled(job_id, worker, None, said))

    @on(Polled)
    def _on_polled(self, event: Polled) -> None:
        if event.worker is not self._watch:
            return  # a watch stopped since
        u = event.update
        if u is None:
            self.stop_watching()
            if event.said:
                self._said, self._refused = event.said, True
        elif u.funnel.done:
            self._said = "Every accepted recipient has a final state."
        elif u.expired:
            self._said = f"Validity over: {u.funnel.waiting} never reported."
        else:
            self._said = f"{u.requests} status requests so far"
            if u.problem:
                self._said += f"; the last check failed: {u.problem}"
        if event.job_id == self.job_id:
            self.refresh_now()
            self._show_status()

    def _show_status(self) -> None:
        if self.watching:
            text = f"Watching job {self.job_id} ({self.key} stops): {self._said or 'polling…'}"
        elif self.funnel is not None and self.funnel.accepted and self.funnel.done:
            text = "Every accepted recipient has a final state."
        elif (other := self._watcher()) is not None:
            text = f"Watched on {other.screen.title}: its reports show here as they come."
        elif self._refused:
            text = f"Not polled: {self._said}. Reports a receiver journals show here."
        else:
            elsewhere = f" (job {self.watched} is being watched)" if self.watched else ""
            hint = f"{self.key} watches: polls the provider until every state is final"
            text = f"{self._said} {hint}{elsewhere}." if self._said else f"{hint}{elsewhere}."
        self._status(text)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#funnel-status", Static)
        status.update(text)
        status.set_class(error, "error-text")

    def on_unmount(self) -> None:
        self.stop_watching()

    @on(Worker.StateChanged)
    def _worker_ended(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "funnel-read" and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._reading = False
