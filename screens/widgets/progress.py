"""A send's live progress: bar, totals, a bounded window of recent results, pause, export.

Used by Compose (new sends) and Jobs (resumed sends). The widget never reads the journal
on the UI loop: exports run in a thread. Updates arrive already coalesced by the caller
(a few a second). Recent results go to a RichLog bounded to RECENT lines, at most
PER_UPDATE new lines an update: a DataTable measures every cell it adds and relayouts the
screen, which froze the UI for 100-300 ms an update in the 20,000-recipient benchmark.
Fixed-size lines are updated without a layout pass for the same reason: the totals have
two lines (they wrap in a narrow panel), the cost its own; the reason a job stopped,
which changes once, goes below the title and takes the lines it needs. The log starts
full (RECENT blank lines, newest results at the bottom): a RichLog whose line count grows
changes its virtual size, which relayouts the whole screen (15-95 ms an update on a busy
machine in the UI benchmark); a full one only scrolls. Its lines are LINE cells wide at
least, so a longer id than the last one's does not widen it either.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.message_pump import MessagePump
from textual.widgets import Button, Input, Label, ProgressBar, RichLog, Static
from textual.worker import Worker, WorkerState

from screens.widgets.common import Coalesce, ConfirmModal, WorkerErrors, sb_app
from tui.engine.export import export_job
from tui.engine.journal import Journal
from tui.engine.journal_rows import JobStatus, Outcome, Totals
from tui.engine.pricing import cost_text
from tui.engine.sender import JobControl, Progress

RECENT = 200
ENDED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)
PER_UPDATE = 40
# Cells every results line takes at least: the columns and an id of 38 (a panel at 80
# columns shows them without scrolling sideways).
LINE = 72
HEADER = f"{'To':<16} {'State':<9} {'Parts':>5}  Id / reason"
Row = tuple[str, str, str, str]


def outcome_row(o: Outcome) -> Row:
    """A results-table row for a journaled recipient."""
    detail = o.provider_id or o.reason or ""
    return (o.to, o.state.value, detail, "" if o.parts is None else str(o.parts))


def totals_text(t: Totals) -> str:
    """The live counts (one line in a wide panel, two in a narrow one)."""
    return (
        f"accepted {t.accepted} · rejected {t.rejected} · unknown {t.unknown} · "
        f"pending {t.pending + t.sending} of {t.total}"
    )


def write_export(path: Path, journal_path: Path | None, job_id: int) -> int:
    """Write a journaled job's results atomically (in a thread: it reads the journal)."""
    with Journal(journal_path) as journal:
        return export_job(path, journal, job_id)


class SendProgress(WorkerErrors, Vertical):
    """Progress of one send; hidden until `begin`."""

    BUSY_WORK: ClassVar[dict[str, str]] = {"export": "an export"}

    DEFAULT_CSS = """
    SendProgress { height: auto; display: none; }
    SendProgress.active { display: block; }
    SendProgress #progress-results { height: 12; }
    SendProgress #progress-title, SendProgress #progress-cost { height: 1; }
    SendProgress #progress-totals { height: 2; }
    SendProgress #progress-reason { height: auto; }
    SendProgress #progress-header { height: 1; text-style: bold; }
    SendProgress #export-path { width: 1fr; }
    """

    @dataclass
    class Progressed(Message):
        """A coalesced engine update with the results since the last one (from `follow`)."""

        progress: Progress
        recent: tuple[Outcome, ...]

    @dataclass
    class Exported(Message):
        """The results were written to a file."""

        path: Path
        rows: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.job_id: int | None = None
        self.journal_path: Path | None = None
        self.control: JobControl | None = None
        self.cost_note = ""
        self.counted = False  # whether totals were shown since `begin` (else "starting…")

    def compose(self) -> ComposeResult:
        yield Label("Progress", id="progress-title", classes="section-title")
        yield Static("", id="progress-reason")
        yield ProgressBar(id="progress-bar", show_eta=False)
        yield Static("", id="progress-totals")
        yield Static("", id="progress-cost")
        yield Static(HEADER, id="progress-header")
        yield RichLog(id="progress-results", max_lines=RECENT, wrap=False, markup=False)
        with Horizontal(classes="button-row"):
            yield Button("Pause", id="pause", variant="warning")
            yield Input(placeholder="results.csv", id="export-path")
            yield Button("Export CSV", id="export")
        yield Static("", id="export-status")

    # --- feeding ------------------------------------------------------------------------
    def begin(
        self,
        title: str,
        total: int,
        *,
        job_id: int | None = None,
        journal_path: Path | None = None,
        control: JobControl | None = None,
        cost_note: str = "",
        live: bool = True,
    ) -> None:
        """Reset for a new send of `total` recipients; `cost_note` shows when it has no prices.
        A `live` send's log starts full (see the module docstring); a job at rest lists its
        latest results from the top."""
        self.add_class("active")
        self.job_id, self.journal_path, self.control = job_id, journal_path, control
        self.cost_note = cost_note
        self.query_one("#progress-title", Label).update(title)
        self._set_reason("")
        self.query_one("#progress-bar", ProgressBar).update(total=total, progress=0)
        self.query_one("#progress-totals", Static).update("starting…")
        self.counted = False
        self.query_one("#progress-cost", Static).update(cost_note)
        log = self.query_one("#progress-results", RichLog)
        log.clear()
        if live:
            log.write(Text("\n".join([" " * LINE] * RECENT)))
        self.query_one("#export-status", Static).update("")
        self.query_one("#pause", Button).display = control is not None
        self.query_one("#pause", Button).disabled = False

    def show_job(
        self,
        title: str,
        totals: Totals,
        recent: Sequence[Outcome],
        *,
        job_id: int,
        journal_path: Path,
        reason: str | None = None,
        cost: str = "",
    ) -> None:
        """Show a journaled job at rest (not running): its totals, latest results, export."""
        self.begin(
            title, totals.total, job_id=job_id, journal_path=journal_path, cost_note=cost,
            live=False,
        )  # fmt: skip
        self._set_reason(reason or "")
        done = totals.accepted + totals.rejected + totals.unknown
        self.query_one("#progress-bar", ProgressBar).update(total=totals.total, progress=done)
        self.query_one("#progress-totals", Static).update(totals_text(totals))
        self.counted = True
        self._add_rows([outcome_row(o) for o in recent])

    def apply(self, progress: Progress, recent: Sequence[Outcome]) -> None:
        """Show a coalesced engine update and its newest results."""
        t = progress.totals
        self.query_one("#progress-bar", ProgressBar).update(
            total=t.total, progress=t.accepted + t.rejected + t.unknown
        )
        self.query_one("#progress-totals", Static).update(totals_text(t), layout=False)
        self.counted = True
        cost = cost_text(progress.cost, progress.currency, progress.unpriced) or self.cost_note
        self.query_one("#progress-cost", Static).update(cost, layout=False)
        self._add_rows([outcome_row(o) for o in recent[-PER_UPDATE:]])
        if progress.status is not JobStatus.RUNNING:
            title = f"Job {progress.job_id} {progress.status.value}"
            self.query_one("#progress-title", Label).update(title)
            self._set_reason(progress.reason or "", error=progress.status is not JobStatus.DONE)
            self.query_one("#pause", Button).display = False
            self.control = None

    def show_update(self, event: Progressed) -> None:
        """Show an update `follow` posted to the screen, with a dialog if the job paused on
        a provider error. (Posted to the screen, not here: the screen's own messages, such
        as the one that calls `begin`, stay in order with the updates.)"""
        self.apply(event.progress, event.recent)
        if event.progress.error is not None:
            # Paused by the provider (credentials, credit): say so in a dialog with its code.
            sb_app(self).show_error(event.progress.error)

    def send_ended(self, event: Worker.StateChanged, what: str) -> bool:
        """For the screen's Worker.StateChanged: whether its "send" worker just ended.

        A send that did not succeed says so here ("`what` did not finish: why")."""
        if event.worker.group != "send" or event.state not in ENDED:
            return False
        if event.state is not WorkerState.SUCCESS:
            error = event.worker.error
            why = f": {error}" if error is not None else ""
            self.fail(f"{what} did not finish{why}")
        return True

    def fail(self, text: str) -> None:
        """The send stopped on an error (shown in a dialog too): say so here."""
        if not self.has_class("active"):
            self.add_class("active")
        self.query_one("#progress-title", Label).update("Send failed")
        self._set_reason(text, error=True)
        if not self.counted:
            said = "nothing was sent" if self.job_id is None else ""
            self.query_one("#progress-totals", Static).update(said)
        self.query_one("#pause", Button).display = False
        self.control = None

    def _set_reason(self, text: str, *, error: bool = False) -> None:
        reason = self.query_one("#progress-reason", Static)
        reason.update(text)
        reason.display = bool(text)
        reason.set_class(error, "error-text")

    def _add_rows(self, rows: list[Row]) -> None:
        if not rows:
            return
        # One write for an update's lines: RichLog renders and refreshes per write, and
        # 40 one-line writes an update held the loop ~100 ms (issue 14's UI benchmark).
        text = Text()
        for to, state, detail, parts in rows:
            style = "green" if state == "ACCEPTED" else "red" if state == "REJECTED" else "yellow"
            if text:
                text.append("\n")
            text.append(f"{to:<16} ")
            text.append(f"{state:<9}", style=style)
            text.append(f" {parts:>5}  {detail}".ljust(LINE - 26))
        self.query_one("#progress-results", RichLog).write(text)

    # --- actions ------------------------------------------------------------------------
    @on(Button.Pressed, "#pause")
    def pause(self) -> None:
        """Ask the running job to stop after the requests in flight."""
        if self.control is not None:
            self.control.pause()
            self.query_one("#pause", Button).disabled = True
            self.query_one("#progress-totals", Static).update(
                "pausing after the requests in flight…"
            )

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#export-path")
    def export(self) -> None:
        """Export every result to the typed path, asking before overwriting a file."""
        status = self.query_one("#export-status", Static)
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            status.update("Type a file name for the CSV.")
            status.add_class("error-text")
            return
        if self.job_id is None:
            status.update("Nothing to export yet.")
            status.add_class("error-text")
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            status.update(f"{path} is a folder: type a file name, e.g. {path / 'results.csv'}")
            status.add_class("error-text")
            return
        if path.exists():

            def answered(yes: bool | None) -> None:
                if yes:
                    self._write(path)

            self.app.push_screen(ConfirmModal(f"{path} exists. Overwrite it?"), answered)
            return
        self._write(path)

    def _write(self, path: Path) -> None:
        self.query_one("#export-status", Static).update(f"writing {path}…")
        assert self.job_id is not None
        self.write_file(path, self.journal_path, self.job_id)

    @work(group="export", exit_on_error=False)
    async def write_file(self, path: Path, journal_path: Path | None, job_id: int) -> None:
        """Write the CSV off the UI loop."""
        count = await asyncio.to_thread(write_export, path, journal_path, job_id)
        self.post_message(self.Exported(path, count))

    @on(Exported)
    def _exported(self, event: Exported) -> None:
        status = self.query_one("#export-status", Static)
        status.remove_class("error-text")
        status.update(f"Wrote {event.rows} recipients to {event.path}")

    def worker_failed(self, error: BaseException) -> None:
        """A failed export's bad path beside its field; anything else in the error modal."""
        if isinstance(error, OSError):
            # A bad path is bad input: say so beside the field.
            status = self.query_one("#export-status", Static)
            status.update(f"Cannot write the file: {error.strerror or error}")
            status.add_class("error-text")
        else:
            super().worker_failed(error)


# Few enough screen updates that a 100,000-recipient send costs the UI almost nothing.
UPDATE_INTERVAL = 0.25


async def follow(
    updates: AsyncIterator[Progress],
    target: MessagePump,
    interval: float = UPDATE_INTERVAL,
) -> Progress | None:
    """Post engine progress to `target` (the screen) at most every `interval` s, and the
    last one, as SendProgress.Progressed messages.

    Returns the final update.

    Results between two relayed updates are kept in a bounded window: the screen shows
    only the newest RECENT anyway.
    """
    recent: deque[Outcome] = deque(maxlen=RECENT)
    last: Progress | None = None
    posts = Coalesce(interval)
    async for progress in updates:
        last = progress
        recent.extend(progress.results[-RECENT:])
        if posts.due() or progress.status is not JobStatus.RUNNING:
            target.post_message(SendProgress.Progressed(progress, tuple(recent)))
            recent.clear()
    return last
