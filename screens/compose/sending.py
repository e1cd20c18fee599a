"""Compose's send: preflight, confirmation and the journaled job with its live progress."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.message import Message
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from screens.compose.fields import COLUMN_HINT, NO_PRICES
from screens.compose.form import (
    Draft,
    send_request,
)
from screens.compose.kept import ComposeInputs, FormState
from screens.widgets.common import count_confirm, sb_app
from screens.widgets.funnel import DeliveryFunnel
from screens.widgets.progress import SendProgress, follow
from tui.engine.journal import Journal
from tui.engine.ratelimit import RateLimiter
from tui.engine.sender import JobControl, run_job
from tui.usecases import send as send_usecase
from tui.usecases.recent_ids import remember_sent, sender_hint
from tui.usecases.send import Stage


class ComposeSending(ComposeInputs):
    """Preflight, confirmation and the journaled send with its live progress (the pipeline
    is tui.usecases.send; this is its rendering)."""

    sending: bool

    # Engine settings for jobs: the engine's own defaults (batches of 500, 4 requests at
    # once, no rate ceiling until the provider answers 429).
    BATCH_SIZE = 500
    CONCURRENCY = 4
    RATE_LIMIT: float | None = None

    @dataclass
    class Prepared(Message):
        """Recipients loaded and preflighted; `send` when the operator asked to send."""

        account: str
        draft: Draft
        prepared: send_usecase.Prepared
        send: bool
        state: FormState  # the form as the preflight began
        warning: str  # said with the preflight and in the confirmation

    @dataclass
    class JobStarted(Message):
        """A job was journaled and starts sending."""

        job_id: int
        label: str
        total: int
        journal_path: Path
        job_control: JobControl
        cost_note: str

    def _start_prepare(self, *, send: bool) -> None:
        error = self.query_one("#form-error", Static)
        account = sb_app(self).active_account
        if account is None or not self.query_one("#compose-body").display:
            return
        if send and self.sending:
            error.update("A send is running: wait for it, or pause it first.")
            return
        try:
            draft = self._draft()
        except ValueError as exc:
            text = str(exc)
            error.update(text[:1].upper() + text[1:] + ".")
            return
        error.update("")
        self.query_one("#preflight", Static).update("Loading recipients…")
        self.prepare(account, draft, self.form_state(), send=send)

    # --- preflight and confirmation ------------------------------------------------------
    @work(group="prepare", exclusive=True, exit_on_error=False)
    async def prepare(self, account: str, draft: Draft, state: FormState, *, send: bool) -> None:
        """The send use case's checks: recipients, the request, for SMS parts, cost and
        balance, and (to send) the first request through the provider's rules."""
        backend = await sb_app(self).backend(account)
        request = send_request(account, draft, column_hint=COLUMN_HINT)
        prepared = await send_usecase.prepare(backend, request, check_first=send)
        if self._stale(state, send=send):
            return
        refusal = prepared.refusal
        if refusal is not None and refusal.stage is Stage.TEMPLATE:
            text = refusal.reason
            self.query_one("#preflight", Static).update(f"Cannot send: {text}.")
            self.query_one("#form-error", Static).update(text[:1].upper() + text[1:] + ".")
            return
        if refusal is not None:
            self.query_one("#preflight", Static).update(prepared.text)
            self.query_one("#form-error", Static).update(f"Cannot send: {refusal.reason}.")
            return
        warning = ""
        if draft.channel.key == "email":
            # 360nrs refuses a sender not validated on its platform only when sending.
            warning = await asyncio.to_thread(sender_hint, account, draft.from_email)
        self.post_message(self.Prepared(account, draft, prepared, send, state, warning))

    def _stale(self, state: FormState, *, send: bool) -> bool:
        """Whether the form changed since this preflight began (then it is dropped: a send
        is only ever confirmed on a preflight of what the form shows)."""
        if state == self.form_state():
            return False
        again = "Send (Ctrl+S)" if send else "Preflight (Ctrl+T)"
        text = f"The form changed while the preflight ran: press {again} again."
        self.query_one("#preflight", Static).update(text)
        return True

    @on(Prepared)
    def _prepared(self, event: Prepared) -> None:
        if self._stale(event.state, send=event.send):
            return
        prepared = event.prepared
        warning = f"\n\n{event.warning}" if event.warning else ""
        self.query_one("#preflight", Static).update(prepared.text + warning)
        self.sample = [(r.to, r.vars) for r in prepared.sendable[:3]]
        self._refresh_preview()
        if not event.send:
            return
        count = len(prepared.sendable)
        if not count:
            self.query_one("#form-error", Static).update("Nobody to send to: see the preflight.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(event.draft, prepared)

        question = prepared.question(detailed=True) + warning
        self.app.push_screen(count_confirm(count, question, "Send"), answered)

    # --- sending --------------------------------------------------------------------------
    def _set_sending(self, sending: bool) -> None:
        self.sending = sending
        self.query_one("#send", Button).disabled = sending
        self.refresh_bindings()

    def _send(self, draft: Draft, prepared: send_usecase.Prepared) -> None:
        self._set_sending(True)
        label = draft.channel.label
        total = len(prepared.sendable)
        self.query_one(DeliveryFunnel).forget()  # the last send's
        self.query_one(SendProgress).begin(f"Sending {label} to {total}…", total)
        # The panel opens below the preview and preflight (off-screen at 80x24): bring it
        # into view, the focus on its results, once it is laid out.
        self.call_after_refresh(self._show_progress)
        # Only SMS and landing SMS have a preflight with prices (the provider's SMS list).
        note = "" if prepared.pricing is not None else NO_PRICES.format(label=label)
        self.send_job(prepared, note)

    def _show_progress(self) -> None:
        progress = self.query_one(SendProgress)
        progress.query_one("#progress-results").focus(scroll_visible=False)
        progress.scroll_visible(top=True, animate=False)

    @work(group="send", exit_on_error=False)
    async def send_job(self, prepared: send_usecase.Prepared, cost_note: str) -> None:
        """Journal the job and run it through the engine, posting throttled progress."""
        account = prepared.request.account
        backend = await sb_app(self).backend(account)
        path = sb_app(self).journal_path(account)
        journal = await asyncio.to_thread(Journal, path)
        try:
            # In a thread: 100,000 rows take a while to journal.
            job_id = await asyncio.to_thread(
                send_usecase.create_job, journal, prepared, backend.provider
            )
            control = JobControl()
            label = prepared.request.label
            total = len(prepared.sendable)
            self.post_message(self.JobStarted(job_id, label, total, path, control, cost_note))
            updates = run_job(
                journal,
                job_id,
                backend,
                batch_size=self.BATCH_SIZE,
                concurrency=self.CONCURRENCY,
                limiter=RateLimiter(self.RATE_LIMIT) if self.RATE_LIMIT else None,
                control=control,
            )
            last = await follow(updates, self)
            if last is not None and last.totals.accepted:
                # The sender or template id worked: its picker offers it first next time.
                await asyncio.to_thread(remember_sent, account, prepared.request.what)
        finally:
            # Closing checkpoints the WAL (megabytes after a big job): not on the UI loop.
            await asyncio.to_thread(journal.close)

    @on(JobStarted)
    def _job_started(self, event: JobStarted) -> None:
        self.query_one(SendProgress).begin(
            f"Job {event.job_id}: sending {event.label} to {event.total}…",
            event.total,
            job_id=event.job_id,
            journal_path=event.journal_path,
            control=event.job_control,
            cost_note=event.cost_note,
        )

    def action_watch_delivery(self) -> None:
        """Poll the sent job's delivery states until every one is final, or stop."""
        said = self.query_one(DeliveryFunnel).toggle_watch()
        self.query_one("#form-error", Static).update(said)

    @on(SendProgress.Progressed)
    def _progressed(self, event: SendProgress.Progressed) -> None:
        self.query_one(SendProgress).show_update(event)

    @on(Worker.StateChanged)
    def _send_ended(self, event: Worker.StateChanged) -> None:
        progress = self.query_one(SendProgress)
        if progress.send_ended(event, "The send"):
            if progress.job_id is not None and progress.journal_path is not None:
                # Its accepted recipients' delivery, watched at once where it can be.
                funnel = self.query_one(DeliveryFunnel)
                funnel.show_job(progress.job_id, progress.journal_path, watch=True)
            self._set_sending(False)
        if event.worker.group == "prepare" and event.state == WorkerState.ERROR:
            self.query_one("#preflight", Static).update("The preflight failed: see the error.")
