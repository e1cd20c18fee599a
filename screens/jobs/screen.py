"""Jobs: the send journal. Past and running jobs, their totals, details, resume and export.

Journal reads run in a thread (a job's recipients can number 100,000). A job resumes on
its own account, which may not be the active one, after a confirmation that says how many
recipients it will send to and what that should cost (the count typed above 100, as in
Compose); re-sending recipients whose outcome is UNKNOWN is a separate, confirmed choice,
never the default.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Label, Static
from textual.worker import Worker

from screens.widgets.common import BaseScreen, count_confirm, sb_app
from screens.widgets.funnel import DeliveryFunnel
from screens.widgets.keys import std_key
from screens.widgets.progress import SendProgress, follow
from tui.engine.channels import CHANNEL_LABELS, job_summary, sms_text
from tui.engine.journal import SANDBOX_JOURNAL_NAME, Journal
from tui.engine.journal_rows import Job, JobStatus, Outcome, RecipientRow, State, Totals
from tui.engine.pricing import Estimate, Pricing, cost_text, estimate, spent
from tui.engine.sender import JobControl, resume
from tui.usecases.jobs import shown_status, status_line

RECENT_RECIPIENTS = 8
NO_JOB_PRICES = "cost: no prices were journaled with this job"


@dataclass(frozen=True)
class JobDetail:
    """What the details panel shows for one job."""

    job: Job
    totals: Totals
    reasons: list[tuple[State, str, int]]
    recent: list[RecipientRow]
    cost: str  # the cost so far, or why there is none
    interrupted: bool = False


@dataclass(frozen=True)
class Plan:
    """What resuming a job would send, for its confirmation."""

    job: Job
    resend_unknown: bool
    estimate: Estimate
    priced: bool


def load_jobs(path: Path) -> list[tuple[Job, Totals, bool]]:
    """Every job with its totals and whether it was interrupted, newest first."""
    with Journal(path) as journal:
        return journal.overview()


def spent_text(journal: Journal, job: Job) -> str:
    """The cost of what the job's accepted recipients were sent, from its journaled prices."""
    meter = spent(journal, job.id, Pricing.of(job))
    if meter is None:
        return NO_JOB_PRICES
    return cost_text(meter.cost, meter.pricing.currency, meter.unpriced)


def load_detail(path: Path, job_id: int) -> JobDetail:
    """One job's totals, reasons, cost and most recently updated recipients."""
    with Journal(path) as journal:
        job = journal.job(job_id)
        recent = journal.latest(job_id, RECENT_RECIPIENTS)
        return JobDetail(
            job,
            journal.totals(job_id),
            journal.reasons(job_id),
            recent,
            spent_text(journal, job),
            journal.interrupted(job_id),
        )


def load_plan(path: Path, job_id: int, resend_unknown: bool) -> Plan:
    """How many recipients a resume sends to and their estimated cost (parts per text)."""
    states = [State.PENDING]
    if resend_unknown:
        # In-flight rows become UNKNOWN on recovery; re-sending takes them with the rest.
        states += [State.SENDING, State.UNKNOWN]
    with Journal(path) as journal:
        job = journal.job(job_id)
        pricing = Pricing.of(job)
        rows = ((r.vars, r.country) for st in states for r in journal.recipients(job_id, st))
        sms = sms_text(job)
        if pricing is None:
            # Nothing to price: the count is enough, without reading every row.
            t = journal.totals(job_id)
            counted = t.pending + (t.sending + t.unknown if resend_unknown else 0)
            got = Estimate(recipients=counted)
        elif sms is None:
            got = estimate(rows, pricing)
        else:
            text, max_parts, trans, encoding = sms
            got = estimate(
                rows, pricing, text=text, max_parts=max_parts, trans=trans, encoding=encoding
            )
    return Plan(job, resend_unknown, got, pricing is not None)


def plan_question(plan: Plan) -> str:
    """The resume confirmation's text."""
    job, e = plan.job, plan.estimate
    label = CHANNEL_LABELS.get(job.channel, job.channel)
    who = f"{e.recipients} recipient{'s' if e.recipients != 1 else ''}"
    if plan.priced:
        cost = cost_text(e.cost, e.currency, e.unpriced, so_far=False)
    else:
        cost = "no prices were journaled with it"
    question = f"Resume job {job.id} ({label}, account {job.account}): send to {who}"
    question += f" ({cost})?"
    if plan.resend_unknown:
        question = (
            f"Recipients of job {job.id} whose outcome is unknown may already have received "
            f"the message; they are sent it again.\n\n{question}"
        )
    return question


def detail_text(d: JobDetail) -> str:
    """The details panel as text (the recent recipients go in the results table)."""
    job, t = d.job, d.totals
    label = CHANNEL_LABELS.get(job.channel, job.channel)
    lines = [
        f"Job {job.id} · {label} · account {job.account} ({job.provider})",
        f"Status {status_line(job, d.interrupted)}",
        job_summary(job),
        f"Accepted {t.accepted} · rejected {t.rejected} · unknown {t.unknown} · "
        f"pending {t.pending + t.sending} of {t.total} · {t.parts} parts",
        d.cost[:1].upper() + d.cost[1:],
    ]
    if d.reasons:
        lines.append("Reasons:")
        lines.extend(f"  {n} {s.value.lower()}: {r}" for s, r, n in d.reasons[:5])
    if t.unknown:
        lines.append(
            f"{t.unknown} recipients may or may not have received it: check the provider's "
            "reports before re-sending them."
        )
    return "\n".join(lines)


class JobsScreen(BaseScreen):
    """The send journal."""

    BUSY_WORK: ClassVar[dict[str, str]] = {"send": "a send"}

    TITLE = "Jobs"
    CSS_PATH = "jobs.tcss"

    BINDINGS = [
        Binding("s", "resume", "Resume"),
        Binding("u", "resume_unknown", "Resume + resend unknown"),
        std_key("watch", "watch_delivery"),
        std_key("reload"),
    ]

    @dataclass
    class Loaded(Message):
        """The jobs in the journal."""

        jobs: list[tuple[Job, Totals, bool]]

    @dataclass
    class Planned(Message):
        """What a resume would send, to confirm."""

        plan: Plan

    @dataclass
    class Detailed(Message):
        """One job's details."""

        detail: JobDetail

    @dataclass
    class Resuming(Message):
        """A resumed job starts sending."""

        job_id: int
        total: int
        journal_path: Path
        job_control: JobControl
        cost_note: str

    def __init__(self) -> None:
        super().__init__()
        self.journal_path: Path | None = None
        self.jobs: dict[int, Job] = {}
        self.selected: int | None = None
        self.running: int | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Horizontal(id="jobs-body"):
            with Vertical(id="jobs-left"):
                table: DataTable[str] = DataTable(id="jobs-table", cursor_type="row")
                table.add_columns(
                    "ID", "Account", "Channel", "Created", "Status", "Total", "OK", "Rej",
                    "Unk", "Pend", "Reason",
                )  # fmt: skip
                yield table
                yield Static("", id="jobs-empty", classes="notice")
                yield Static("", id="jobs-journal", classes="notice")
                with Horizontal(classes="button-row"):
                    yield Button("Resume", variant="primary", id="resume")
                    yield Button("Resume + resend unknown", id="resume-unknown")
                    yield Button("Reload", id="reload")
                yield Static("", id="jobs-error", classes="error-text")
            with VerticalScroll(id="jobs-right"):
                with Vertical(classes="panel"):
                    yield Label("Details", classes="section-title")
                    yield Static("Select a job.", id="job-detail")
                # The selected job's delivery (the benchmark drives it by this id).
                yield DeliveryFunnel(id="delivery-funnel")
                yield SendProgress(id="progress")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        # Jobs belong to accounts; a new account may make a job resumable again, and a
        # sandbox account shows the sandbox's own journal.
        self.watch(sb_app(self), "active_account", lambda _: self.action_reload(), init=False)
        self.watch(sb_app(self), "receivers_version", lambda _: self._show_journal(), init=False)
        self.action_reload()

    def on_screen_resume(self) -> None:
        # Compose may have added jobs while this screen was in the background (a reload
        # already under way, after a dialog over this screen, reads them too).
        loading = any(w.group == "jobs-load" and w.is_running for w in self.workers)
        if self.running is None and not loading:
            self.action_reload()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Resume, reload and export from the palette."""
        yield SystemCommand("Resume job", "Resume the selected job (R)", self.action_resume)
        yield SystemCommand("Reload jobs", "Read the journal again (r)", self.action_reload)
        if self.selected is not None:
            yield SystemCommand(
                "Watch delivery",
                "Poll the selected job's delivery states, or stop (w)",
                self.action_watch_delivery,
            )
        progress = self.query_one(SendProgress)
        if progress.job_id is not None:
            yield SystemCommand(
                "Export job results", "Write every recipient's outcome as CSV", progress.export
            )

    # --- listing ------------------------------------------------------------------------
    @on(Button.Pressed, "#reload")
    def action_reload(self) -> None:
        """Read the journal (of the active account's kind) again."""
        self.journal_path = sb_app(self).journal_path()
        self._show_journal()
        self.load(self.journal_path)

    def _show_journal(self) -> None:
        """Which journal is shown, and whether the console receives its delivery reports."""
        if self.journal_path is None:
            return
        which = self.query_one("#jobs-journal", Static)
        sandbox = self.journal_path.name == SANDBOX_JOURNAL_NAME
        receiving = sb_app(self).receiver_status(self.journal_path)
        which.update(
            f"Journal: {self.journal_path.name}"
            + (" (sandbox accounts)" if sandbox else "")
            + (f" · {receiving}" if receiving else "")
        )
        which.tooltip = str(self.journal_path)

    @work(group="jobs-load", exclusive=True, exit_on_error=False)
    async def load(self, path: Path) -> None:
        """Read every job and its totals off the UI loop."""
        self.post_message(self.Loaded(await asyncio.to_thread(load_jobs, path)))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        table: DataTable[str] = self.query_one("#jobs-table", DataTable)
        table.clear()
        self.jobs = {job.id: job for job, _, _ in event.jobs}
        for job, t, interrupted in event.jobs:
            status, reason = shown_status(job, interrupted)
            table.add_row(
                str(job.id), job.account, job.channel, f"{job.created_at:%Y-%m-%d %H:%M}",
                status, str(t.total), str(t.accepted), str(t.rejected),
                str(t.unknown), str(t.pending + t.sending), reason,
                key=str(job.id),
            )  # fmt: skip
        empty = self.query_one("#jobs-empty", Static)
        empty.update(
            "" if event.jobs else "No send jobs yet: what you send from Compose (F4) appears here."
        )
        empty.display = not event.jobs
        if not event.jobs:
            self.query_one(DeliveryFunnel).forget()
        if self.selected in self.jobs:
            table.move_cursor(row=table.get_row_index(str(self.selected)))
        elif event.jobs:
            table.move_cursor(row=0)

    @on(DataTable.RowHighlighted, "#jobs-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is None or self.journal_path is None:
            return
        self.selected = int(event.row_key.value)
        self.detail(self.journal_path, self.selected)

    @work(group="jobs-detail", exclusive=True, exit_on_error=False)
    async def detail(self, path: Path, job_id: int) -> None:
        """Read one job's details off the UI loop."""
        self.post_message(self.Detailed(await asyncio.to_thread(load_detail, path, job_id)))

    @on(Detailed)
    def _detailed(self, event: Detailed) -> None:
        if event.detail.job.id == self.selected:
            d = event.detail
            self.query_one("#job-detail", Static).update(detail_text(d))
            if self.journal_path is not None:
                self.query_one(DeliveryFunnel).show_job(d.job.id, self.journal_path)
            if self.running is None and self.journal_path is not None:
                # Totals, recent results and export of the selected job while nothing runs.
                status, reason = shown_status(d.job, d.interrupted)
                self.query_one(SendProgress).show_job(
                    f"Job {d.job.id} · {status}",
                    d.totals,
                    [
                        Outcome(r.seq, r.to, r.state, r.reason, r.provider_id, r.parts)
                        for r in reversed(d.recent)
                    ],
                    job_id=d.job.id,
                    journal_path=self.journal_path,
                    reason=reason,
                    cost=d.cost,
                )

    # --- delivery -----------------------------------------------------------------------
    def action_watch_delivery(self) -> None:
        """Poll the selected job's delivery states until every one is final, or stop."""
        error = self.query_one("#jobs-error", Static)
        if self.selected not in self.jobs:
            error.update("Select a job first.")
        else:
            error.update(self.query_one(DeliveryFunnel).toggle_watch())

    # --- resume -------------------------------------------------------------------------
    def _resumable(self) -> Job | None:
        error = self.query_one("#jobs-error", Static)
        error.update("")
        job = self.jobs.get(self.selected) if self.selected is not None else None
        if job is None:
            error.update("Select a job first.")
            return None
        if self.running is not None:
            error.update(f"Job {self.running} is running: pause it first.")
            return None
        if job.status is JobStatus.DONE:
            error.update(f"Job {job.id} is done: nothing left to send.")
            return None
        if job.account not in sb_app(self).workspace.accounts():
            error.update(
                f"Job {job.id} belongs to account {job.account!r}, which no longer exists: "
                "add it again on the Accounts screen (F2) to resume."
            )
            return None
        return job

    @on(Button.Pressed, "#resume")
    def action_resume(self) -> None:
        """Resume the selected job, once confirmed; unknown outcomes stay as they are."""
        job = self._resumable()
        if job is not None and self.journal_path is not None:
            self.plan(self.journal_path, job.id, False)

    @on(Button.Pressed, "#resume-unknown")
    def action_resume_unknown(self) -> None:
        """Resume and re-send UNKNOWN recipients, after an explicit confirmation."""
        job = self._resumable()
        if job is not None and self.journal_path is not None:
            self.plan(self.journal_path, job.id, True)

    @work(group="jobs-plan", exclusive=True, exit_on_error=False)
    async def plan(self, path: Path, job_id: int, resend_unknown: bool) -> None:
        """Count what a resume sends and estimate its cost, off the UI loop."""
        plan = await asyncio.to_thread(load_plan, path, job_id, resend_unknown)
        self.post_message(self.Planned(plan))

    @on(Planned)
    def _planned(self, event: Planned) -> None:
        plan = event.plan
        if self._resumable() is None:
            return  # something started meanwhile

        def answered(yes: bool | None) -> None:
            if yes:
                # Running from now: a second resume must not slip in before it starts.
                self.running = plan.job.id
                self.resume_job(plan.job, resend_unknown=plan.resend_unknown)

        question = plan_question(plan)
        label = "Re-send" if plan.resend_unknown else "Resume"
        self.app.push_screen(count_confirm(plan.estimate.recipients, question, label), answered)

    @work(group="send", exit_on_error=False)
    async def resume_job(self, job: Job, *, resend_unknown: bool) -> None:
        """Run the job on its own account through the engine."""
        assert self.journal_path is not None
        path = self.journal_path
        backend = await sb_app(self).backend(job.account)
        journal = await asyncio.to_thread(Journal, path)
        try:
            total = (await asyncio.to_thread(journal.totals, job.id)).total
            control = JobControl()
            note = "" if Pricing.of(job) is not None else NO_JOB_PRICES
            self.post_message(self.Resuming(job.id, total, path, control, note))
            updates = resume(
                journal, job.id, backend, resend_unknown=resend_unknown, control=control
            )
            await follow(updates, self)
        finally:
            # Closing checkpoints the WAL (megabytes after a big job): not on the UI loop.
            await asyncio.to_thread(journal.close)

    @on(Resuming)
    def _resuming(self, event: Resuming) -> None:
        self.running = event.job_id
        self.query_one(SendProgress).begin(
            f"Job {event.job_id}: resuming…",
            event.total,
            job_id=event.job_id,
            journal_path=event.journal_path,
            control=event.job_control,
            cost_note=event.cost_note,
        )

    @on(SendProgress.Progressed)
    def _progressed(self, event: SendProgress.Progressed) -> None:
        self.query_one(SendProgress).show_update(event)

    @on(Worker.StateChanged)
    def _send_ended(self, event: Worker.StateChanged) -> None:
        if self.query_one(SendProgress).send_ended(event, "The resume"):
            self.running = None
            self.action_reload()
