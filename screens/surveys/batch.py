"""Survey batch form (Capability.SURVEY_BATCH, e.g. 8x8 SMS Engage), sent as an engine job.

The send is a journaled job (tui.engine, channel "survey-batch"): batches of at most 10,000
messages, each recipient's QUEUED/REJECTED outcome recorded, resumable from the Jobs screen
or `switchboard jobs resume`. The results table is a bounded window: problems first, then
queued messages, up to RESULT_ROWS rows; the journal holds everyone.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Select, Static

from backends.base import Backend
from backends.eightbyeight.rules import ENCODINGS
from screens.surveys.common import SendPane, split_entries
from screens.widgets.common import sb_app
from screens.widgets.picker import Picker
from tui.dates import utc_label as dates_utc_label
from tui.engine.journal import Journal
from tui.engine.journal_rows import JobStatus, Outcome, State
from tui.engine.sender import JobControl, Progress
from tui.usecases.recent_ids import Choice, IdKind, choices, remember
from tui.usecases.survey_batch import (
    BatchInput,
    BatchSend,
    NoRecipients,
    batch_question,
    batch_time,
    create_batch,
    prepare_batch,
    run_batch,
)
from tui.usecases.surveys import SurveyRefused

RESULT_ROWS = 500
NO_ENCODING = "default"
NO_DEFAULT = "survey id"


def utc_label(moment: datetime | None) -> str:
    """How a time is sent to 8x8 (in UTC), for the line under its field."""
    return f"sent as {dates_utc_label(moment)}" if moment else ""


class BatchPane(SendPane):
    """Send SMS surveys in batches through the send engine, with progress and results."""

    BUSY_WORK: ClassVar[dict[str, str]] = {"surveys-batch": "a survey batch"}

    ERROR_ID = "batch-error"

    @dataclass
    class Started(Message):
        """The job is journaled and sending."""

        job_id: int
        total: int

    @dataclass
    class Progressed(Message):
        """A coalesced engine update."""

        progress: Progress

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.control: JobControl | None = None
        self.job_id: int | None = None
        self.default_survey = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="form panel"):
            yield Label("Send a survey batch", classes="section-title")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("Survey id ↓")
                    yield Picker(
                        placeholder=NO_DEFAULT,
                        id="batch-survey",
                        title="8x8 survey ids (no list in the API: used before first)",
                        loader=self._survey_choices,
                    )
                with Vertical():
                    yield Label("Client batch id (≤ 20 characters)")
                    yield Input(id="batch-client-id", max_length=20)
                with Vertical():
                    yield Label("Source (sender, ≤ 16)")
                    yield Input(id="batch-source", max_length=16)
                with Vertical():
                    yield Label("Encoding")
                    yield Select(
                        [("8x8 default", NO_ENCODING), *((e, e) for e in ENCODINGS)],
                        value=NO_ENCODING,
                        allow_blank=False,
                        id="batch-encoding",
                    )
            yield Label("Message template (must contain {{url:}}; {{name}} = a CSV column)")
            yield Input(
                placeholder="e.g. Hi {{name}}, rate your visit: {{url:}}", id="batch-template"
            )
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("Recipients (numbers, comma-separated)")
                    yield Input(placeholder="e.g. +6598760001, +6598760002", id="batch-to")
                with Vertical():
                    yield Label("Country of typed numbers (e.g. SG)")
                    yield Input(id="batch-country", max_length=2)
                with Vertical():
                    yield Label("CSV (destination, country…; others = variables)")
                    yield Input(placeholder="recipients.csv", id="batch-csv")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("Scheduled (ISO 8601)")
                    yield Input(placeholder="e.g. 2025-03-11T09:30+08:00", id="batch-scheduled")
                    yield Static("", id="batch-scheduled-utc")
                with Vertical():
                    yield Label("Expiry (ISO 8601)")
                    yield Input(placeholder="e.g. 2025-03-12T09:30+08:00", id="batch-expiry")
                    yield Static("", id="batch-expiry-utc")
                with Vertical():
                    yield Label("Delivery report URL")
                    yield Input(placeholder="e.g. https://example.com/dlr", id="batch-dlr")
            yield Static("", id="batch-error", classes="error-text")
            with Horizontal(classes="button-row"):
                yield Button("Send batch", variant="primary", id="batch-send")
                yield Button("Pause", id="batch-pause")
        with Vertical(classes="panel", id="batch-result"):
            yield Label("Progress", classes="section-title")
            yield ProgressBar(id="batch-progress", show_eta=False)
            yield Static("Nothing sent yet.", id="batch-totals")
            yield DataTable(id="batch-results", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#batch-pause", Button).display = False
        table = self.query_one("#batch-results", DataTable)
        table.add_columns("Destination", "Status", "UMID / reason")

    def reset(self, survey_id: str) -> None:
        """Follow a newly active account: its default survey is the hint (and what an
        empty field sends, as `survey-batch send` without --survey), never a value to
        type after."""
        self.default_survey = survey_id
        field = self.query_one("#batch-survey", Picker)
        field.value = ""
        field.placeholder = f"default {survey_id}" if survey_id else NO_DEFAULT

    async def _survey_choices(self) -> list[Choice]:
        account = sb_app(self).active_account or ""
        return await asyncio.to_thread(
            choices, account, IdKind.SURVEY_BATCH, default=self.default_survey
        )

    @on(Input.Changed, "#batch-scheduled, #batch-expiry")
    def _show_utc(self, event: Input.Changed) -> None:
        label = self.query_one(f"#{event.input.id}-utc", Static)
        try:
            label.update(utc_label(batch_time(event.value.strip(), "time")))
        except SurveyRefused:
            label.update("not ISO 8601 yet")

    def build(self) -> BatchInput:
        """The send the form describes (read and checked by prepare_batch)."""
        name = sb_app(self).active_account
        options = sb_app(self).workspace.account(name).options if name else {}
        sub_account = options.get("subaccount_id", "")
        if not sub_account:
            raise SurveyRefused("the account has no subaccount id: set it on the Accounts screen")
        encoding = self.query_one("#batch-encoding", Select).value
        csv_path = self.value("#batch-csv")
        return BatchInput(
            survey_id=self.value("#batch-survey") or self.default_survey,
            sub_account_id=sub_account,
            numbers=split_entries(self.value("#batch-to")),
            country=self.value("#batch-country"),
            csv=Path(csv_path) if csv_path else None,
            template_body=self.query_one("#batch-template", Input).value,
            source=self.value("#batch-source") or None,
            encoding=None if encoding == NO_ENCODING else str(encoding),
            scheduled=self.value("#batch-scheduled"),
            expiry=self.value("#batch-expiry"),
            dlr_url=self.value("#batch-dlr") or None,
            client_batch_id=self.value("#batch-client-id") or None,
        )

    @on(Button.Pressed, "#batch-send")
    @on(Input.Submitted)
    def action_send(self) -> None:
        """Validate the form, confirm, then start the job."""
        if self.control is None:  # else a job is running
            self.prepare()

    @work(group="surveys-prepare", exclusive=True, exit_on_error=False)
    async def prepare(self) -> None:
        """Read and check the send off the UI loop (a CSV of 50,000 rows takes half a
        second), then confirm it."""
        try:
            send = await asyncio.to_thread(prepare_batch, self.build())
        except NoRecipients:
            self.error("Type at least one number or give a CSV file.")
            return
        except SurveyRefused as exc:
            self.error(str(exc)[:1].upper() + str(exc)[1:])
            return
        self.error("")
        self.confirm(len(send.messages), batch_question(send), lambda: self._start(send))

    def _start(self, send: BatchSend) -> None:
        self.control = JobControl()
        self.query_one("#batch-send", Button).disabled = True
        self.query_one("#batch-pause", Button).display = True
        self.query_one("#batch-results", DataTable).clear()
        self.query_one("#batch-totals", Static).update("Starting…")
        self.query_one("#batch-progress", ProgressBar).update(total=len(send.messages), progress=0)
        self.run_send(send, self.control)

    @on(Button.Pressed, "#batch-pause")
    def action_pause(self) -> None:
        """Pause the running job: requests in flight finish, no new ones leave."""
        if self.control is not None:
            self.control.pause()

    def sending_done(self) -> None:
        self.control = None
        self.query_one("#batch-send", Button).disabled = False
        self.query_one("#batch-pause", Button).display = False

    @work(group="surveys-batch", exit_on_error=False)
    async def run_send(self, send: BatchSend, control: JobControl) -> None:
        """Journal the job and send it on the active account."""

        async def create(journal: Journal, account: str, backend: Backend) -> int:
            job_id = await create_batch(journal, account, backend, send)
            self.post_message(self.Started(job_id, len(send.messages)))
            return job_id

        account = sb_app(self).active_account or ""
        last = await self.send_job(
            create,
            lambda journal, job_id, backend: run_batch(journal, job_id, backend, control=control),
            lambda progress: self.post_message(self.Progressed(progress)),
        )
        if last is not None and last.totals.accepted:
            # 8x8 queued messages for it: a survey id that works, offered first next time.
            await asyncio.to_thread(remember, account, IdKind.SURVEY_BATCH, send.survey_id)

    @on(Started)
    def _started(self, event: Started) -> None:
        self.job_id = event.job_id
        self.query_one("#batch-totals", Static).update(f"Job {event.job_id}: sending…")

    @on(Progressed)
    def _progressed(self, event: Progressed) -> None:
        p = event.progress
        t = p.totals
        done = t.accepted + t.rejected + t.unknown
        self.query_one("#batch-progress", ProgressBar).update(total=t.total, progress=done)
        line = (
            f"Job {p.job_id} {p.status.value}: {t.accepted} queued, {t.rejected} rejected, "
            f"{t.unknown} unknown, {t.pending + t.sending} pending (of {t.total})"
        )
        if p.status is not JobStatus.RUNNING and p.reason:
            line += f"\n{p.reason}"
        if p.status is JobStatus.DONE and t.total > RESULT_ROWS:
            line += f"\nAll results: Jobs screen or `switchboard jobs export {p.job_id}`."
        self.query_one("#batch-totals", Static).update(line)
        self._add_rows(p.results)

    def _add_rows(self, results: tuple[Outcome, ...]) -> None:
        table = self.query_one("#batch-results", DataTable)
        room = RESULT_ROWS - table.row_count
        # Problems first: they are what the operator has to act on.
        ordered = sorted(results, key=lambda o: o.state is State.ACCEPTED)
        for o in ordered[: max(room, 0)]:
            queued = o.state is State.ACCEPTED
            status = "QUEUED" if queued else o.state.value
            table.add_row(o.to, status, (o.provider_id if queued else o.reason) or "")
