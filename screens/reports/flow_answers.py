"""The Reports tab of flow answers (Capability.FLOWS): answer counts per question, CSV export.

The Reports screen shows the tab only for providers with flows and calls `reload()` when the
account changes. Errors from the provider go to the error modal; bad input shows inline.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from backends.capabilities import FlowsApi
from backends.errors import InvalidInput
from backends.xerochat.models import FlowAnswers, FlowCampaign, QuestionSummary
from screens.reports.common import ReportsPane
from screens.widgets.common import ConfirmModal, sb_app
from tui.csvout import count_rows, csv_text, share
from tui.files import write_atomic


class FlowAnswersPane(ReportsPane):
    """Pick a flow campaign, load its answers, see counts per question, export them."""

    LOADING: ClassVar[dict[str, str]] = {"flow-answers": "#flow-tables"}

    DEFAULT_CSS = """
    FlowAnswersPane { height: 1fr; }
    FlowAnswersPane .field-row { height: auto; }
    FlowAnswersPane #flow-pick > * { margin-right: 1; }
    FlowAnswersPane #flow-tables { height: 1fr; }
    FlowAnswersPane #flow-tables DataTable { height: auto; max-height: 12; margin-bottom: 1; }
    FlowAnswersPane #flow-select { width: 40; }
    FlowAnswersPane #flow-subscriber { width: 30; }
    FlowAnswersPane #flow-export-path { width: 1fr; }
    """

    BINDINGS = [Binding("ctrl+l", "load", "Load answers")]

    @dataclass
    class Campaigns(Message):
        """The account's flow campaigns."""

        campaigns: list[FlowCampaign]

    @dataclass
    class Loaded(Message):
        """A flow's answers, and its questions (answered or not)."""

        answers: FlowAnswers
        subscriber_id: str | None
        questions: tuple[str, ...]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.summary: tuple[QuestionSummary, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="flow-body"):
            with Horizontal(id="flow-pick", classes="field-row"):
                yield Select[int]([], prompt="Flow campaign", id="flow-select")
                yield Input(placeholder="subscriber id (optional)", id="flow-subscriber")
                yield Button("Load answers", variant="primary", id="flow-load")
            yield Static("", id="flow-error", classes="error-text")
            yield Static("Pick a flow campaign and load its answers.", id="flow-status")
            yield VerticalScroll(id="flow-tables")
            with Horizontal(id="flow-export", classes="field-row"):
                yield Input(placeholder="answers.csv", id="flow-export-path")
                yield Button("Export CSV", id="flow-export-csv", disabled=True)

    def reload(self) -> None:
        """Forget the shown answers and fetch the active account's flow campaigns."""
        self._show(())
        self.query_one("#flow-status", Static).update("Pick a flow campaign and load its answers.")
        self.query_one("#flow-select", Select).set_options([])
        self.fetch_campaigns()

    @work(group="flow-answers", exit_on_error=False)
    async def fetch_campaigns(self) -> None:
        """List the flow campaigns."""
        backend = await sb_app(self).backend()
        self.post_message(self.Campaigns(await backend.capability(FlowsApi).flow_campaigns()))

    @on(Campaigns)
    def _campaigns(self, event: Campaigns) -> None:
        options = [(f"{c.name} (#{c.id})", c.id) for c in event.campaigns]
        self.query_one("#flow-select", Select).set_options(options)
        if not options:
            self.query_one("#flow-status", Static).update("This account has no flow campaigns.")

    @on(Button.Pressed, "#flow-load")
    @on(Input.Submitted, "#flow-subscriber")
    def action_load(self) -> None:
        """Load the picked flow's answers."""
        flow_id = self.query_one("#flow-select", Select).value
        if not isinstance(flow_id, int):
            self.query_one("#flow-error", Static).update("Pick a flow campaign first.")
            return
        self.query_one("#flow-error", Static).update("")
        subscriber = self.query_one("#flow-subscriber", Input).value.strip() or None
        self.load(flow_id, subscriber)

    def load(self, flow_id: int, subscriber_id: str | None = None) -> None:
        """Load a flow's answers (all subscribers, or one)."""
        self.query_one("#flow-status", Static).update("Loading…")
        self.fetch_answers(flow_id, subscriber_id)

    @work(group="flow-answers", exit_on_error=False)
    async def fetch_answers(self, flow_id: int, subscriber_id: str | None) -> None:
        """Fetch a flow's answers."""
        backend = await sb_app(self).backend()
        try:
            answers = await backend.capability(FlowsApi).flow_answers(
                flow_id, subscriber_id=subscriber_id
            )
        except InvalidInput as exc:
            # Refused before sending (e.g. a subscriber id that is not a number): bad input.
            self.query_one("#flow-status", Static).update("")
            self.query_one("#flow-error", Static).update(exc.message)
            return
        # After the answers, not beside them: a refused call leaves no request behind.
        flow = await backend.capability(FlowsApi).flow_campaign(flow_id)
        self.post_message(self.Loaded(answers, subscriber_id, flow.questions))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        a = event.answers
        who = f"subscriber {event.subscriber_id}" if event.subscriber_id else "all subscribers"
        self.query_one("#flow-status", Static).update(
            f"{a.flow_name} (#{a.flow_id}) · {who} · {len(a.subscribers)} respondent(s)"
        )
        self._show(a.summary_for(event.questions))

    def _show(self, summary: tuple[QuestionSummary, ...]) -> None:
        self.summary = summary
        tables = self.query_one("#flow-tables", VerticalScroll)
        tables.remove_children()
        for q in summary:
            table: DataTable[str | int] = DataTable(cursor_type="row", classes="flow-question")
            table.add_columns("Answer", "Count", "Share")
            for c in q.counts:
                table.add_row(c.answer, c.count, share(c.count, q.responses))
            if not q.counts:
                table.add_row("(no answers yet)", 0, share(0, 0))
            tables.mount(
                Label(f"{q.question} — {q.responses} response(s)", classes="section-title")
            )
            tables.mount(table)
        self.query_one("#flow-export-csv", Button).disabled = not summary

    @on(Button.Pressed, "#flow-export-csv")
    @on(Input.Submitted, "#flow-export-path")
    def action_export(self) -> None:
        """Export the counts to the CSV path typed (asks before overwriting)."""
        error = self.query_one("#flow-error", Static)
        raw = self.query_one("#flow-export-path", Input).value.strip()
        if not self.summary:
            error.update("Load a flow's answers first.")
            return
        if not raw:
            error.update("Type the CSV file to write.")
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            error.update(f"{path} is a directory.")
            return
        error.update("")
        if path.exists():

            def answered(ok: bool | None) -> None:
                if ok:
                    self._export(path)

            question = f"{path} exists. Overwrite it?"
            self.app.push_screen(ConfirmModal(question, yes_label="Overwrite"), answered)
        else:
            self._export(path)

    @work(group="flow-export", exclusive=True, exit_on_error=False)
    async def _export(self, path: Path) -> None:
        """Write the shown counts with the CLI's formula-safe writer (answers are free text
        typed by customers), in a thread so a slow disk does not freeze the screen, and
        through a temporary file so a failed write never leaves half a CSV behind."""
        data, rows = csv_text(*count_rows(self.summary, shares=True))
        try:
            await asyncio.to_thread(write_atomic, path, data)
        except OSError as exc:
            self.query_one("#flow-error", Static).update(f"Cannot write {path}: {exc.strerror}")
            return
        self.query_one("#flow-status", Static).update(f"Exported {rows} row(s) to {path}")

    def worker_failed(self, error: BaseException) -> None:
        """The failure itself goes to the error modal; "Loading…" goes away."""
        self.query_one("#flow-status", Static).update("")
        super().worker_failed(error)
