"""The send engine: every send, single or bulk, from the CLI or a screen, goes through here.

A job lives in the journal. `run_job` claims batches of PENDING recipients (committed as
SENDING before the request leaves), sends one request per batch with bounded concurrency
behind a rate limiter, and records each recipient's outcome per DESIGN.md:

- connect failure (the request never left) and 429: the batch goes back to PENDING and is
  retried after a backoff (Retry-After honoured, capped); too many failures in a row pause.
- read timeout, dropped connection, 5xx, malformed 2xx: UNKNOWN, never re-sent
  automatically; the operator decides (`Journal.resend_unknown`).
- 207: applied per recipient; 400/422: the batch is REJECTED with the provider's reason.
- 401/402/403: nothing was sent; the batch goes back to PENDING and the job pauses.

Each job channel (`CHANNELS`: "sms", "landing", "email", "voice", "voice-audio",
"whatsapp", "survey-batch", "survey") builds the request for a batch and maps the answer to
outcomes; the rules above are shared. A job may carry prices (`tui.engine.pricing`): the
engine adds up the cost of what was accepted as results arrive.

Claims and recorded outcomes run in threads, never on the event loop: a claim waits for
the journal's lock while another batch's outcomes are written (~10 ms a batch here), and
four workers back to back froze a screen. Cancelled while either runs, the worker waits
for it before it ends: an answered batch's outcomes are recorded, a claimed batch that was
not sent goes back to PENDING.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import signal
import sys
from collections.abc import (
    AsyncIterator,
    Callable,
    Sequence,
)

import orjson

from backends.base import Backend, Connection
from backends.errors import (
    ConfigError,
    InvalidInput,
    NotSupported,
)
from tui.engine import placeholders, segments
from tui.engine.channels import (
    CHANNEL_TYPES,
    LANDING,
    create_channel_job,
)
from tui.engine.journal import Journal
from tui.engine.journal_rows import Job, JobStatus, Totals
from tui.engine.preflight import plan_message
from tui.engine.pricing import CostMeter, Pricing, spent
from tui.engine.processes import sigterm_as_sigint
from tui.engine.ratelimit import RateLimiter
from tui.engine.results import match_results
from tui.engine.run import (
    DEFAULT_BATCH,
    Channel,
    JobControl,
    JobRun,
    Progress,
    RetryPolicy,
    close_queue,
)
from tui.engine.sms_job import SmsChannel, decode_options, otp_length_of
from tui.engine.survey_batch import CHANNEL as SURVEY_BATCH
from tui.engine.survey_batch import SurveyBatchChannel, create_survey_batch_job
from tui.engine.survey_send import CHANNEL as SURVEY
from tui.engine.survey_send import SurveyChannel

__all__ = [
    "JobControl",
    "Progress",
    "RetryPolicy",
    "create_channel_job",
    "create_survey_batch_job",
    "match_results",
    "resume",
    "run_job",
]

# The engine's channels: the journal's `channel` column names one of these.
CHANNELS: dict[str, Callable[[Job], Channel]] = {
    "sms": SmsChannel,
    **CHANNEL_TYPES,
    SURVEY_BATCH: SurveyBatchChannel,
    SURVEY: SurveyChannel,
}


def _check(job: Job, backend: Backend) -> None:
    if job.channel not in CHANNELS:
        raise NotSupported(f"job {job.id}: the engine cannot send {job.channel!r} jobs yet")
    if job.provider != backend.provider:
        raise ConfigError(f"job {job.id} was created for {job.provider}, not {backend.provider}")


def _with_plan(journal: Journal, job: Job) -> Job:
    """A job journaled before `encoding` and `parts` were resolved at creation, with them
    resolved the same way from its rows (InvalidInput when they cannot be)."""
    if job.channel == "sms":
        options = dict(job.message.get("options") or {})
        if "parts" in options and "encoding" in options:
            return job
        text = str(job.message.get("message", ""))
        limit = segments.MAX_PARTS_SMS
        decoded = decode_options(options)
        otp_length = otp_length_of(decoded)
    elif job.channel == LANDING:
        options = dict(job.message.get("request") or {})
        if "parts" in options and "encoding" in options:
            return job
        text = str(options.get("message", ""))
        limit = segments.MAX_PARTS_LANDING
        otp_length = placeholders.OTP_LENGTH_DEFAULT
    else:
        return job
    try:
        plan = plan_message(
            text,
            (r.vars for r in journal.recipients(job.id)),
            encoding=options.get("encoding"),
            parts=options.get("parts"),
            trans=bool(options.get("trans")),
            max_parts=limit,
            otp_length=otp_length,
        )
    except ValueError as exc:
        raise InvalidInput(f"job {job.id} cannot be sent: {exc}") from None
    options["encoding"], options["parts"] = plan.encoding, plan.parts
    key = "options" if job.channel == "sms" else "request"
    return dataclasses.replace(job, message={**job.message, key: options})


def _starting_point(
    journal: Journal, job_id: int, pricing: Pricing | None
) -> tuple[Totals, CostMeter | None]:
    """The job's counts and, with prices, the cost of what it already sent."""
    return journal.totals(job_id), spent(journal, job_id, pricing)


async def run_job(
    journal: Journal,
    job_id: int,
    backend: Backend,
    *,
    batch_size: int | None = None,
    concurrency: int = 4,
    limiter: RateLimiter | None = None,
    policy: RetryPolicy | None = None,
    control: JobControl | None = None,
) -> AsyncIterator[Progress]:
    """Send a job's PENDING recipients; yields coalesced progress, the last one final.

    Batches have `batch_size` recipients, else the channel's own size (DEFAULT_BATCH
    when it has none), never more than the provider's limit. The running cost uses the
    prices journaled with the job. Closing the iterator early
    cancels the requests in flight (their recipients become UNKNOWN); use
    `JobControl.pause` to stop gracefully.
    """
    if (batch_size is not None and batch_size < 1) or concurrency < 1:
        raise ValueError("batch_size and concurrency must be at least 1")
    job = journal.job(job_id)
    _check(job, backend)
    # Nothing is sent into a damaged journal: outcomes could be lost, recipients sent twice.
    await journal.off_loop(journal.check)
    job = await journal.off_loop(_with_plan, journal, job)
    channel = CHANNELS[job.channel](job)
    if channel.batch_fixed:
        batch_size = None
    size = batch_size or channel.batch_size or DEFAULT_BATCH
    if channel.max_batch is not None:
        size = min(size, channel.max_batch)
    channel.batch_size = size
    pricing = Pricing.of(job)
    # Counting 100,000 rows takes ~0.1 s: in a thread, before the job is marked running
    # (so a cancellation here leaves nothing to undo).
    totals, meter = await journal.off_loop(_starting_point, journal, job_id, pricing)
    # In a thread (its commit may checkpoint the rows just journaled: seconds on a busy
    # disk, and a screen's loop must not wait). It commits whatever happens to this task:
    # cancelled meanwhile, the job it marked running is marked paused again.
    starting = asyncio.ensure_future(journal.off_loop(journal.start, job_id))
    try:
        await asyncio.shield(starting)
    except asyncio.CancelledError:
        await asyncio.wait([starting])
        if starting.exception() is None:
            journal.stop(job_id, JobStatus.PAUSED, "interrupted")
        raise
    limiter = limiter or RateLimiter()
    # What the preflight just asked of the provider counts against its limit too.
    limiter.account_for(backend.http.sent_at)
    run = JobRun(
        journal,
        job,
        backend,
        channel,
        batch_size=size,
        limiter=limiter,
        policy=policy or RetryPolicy(),
        totals=totals,
        meter=meter,
    )
    if control is not None:
        control._run = run
        if control._reason is not None:
            run.stop(control._reason)
    tasks = [
        asyncio.create_task(run.worker(), name=f"send-job-{job_id}-{i}") for i in range(concurrency)
    ]
    writer = asyncio.create_task(run.writer(), name=f"send-job-{job_id}-writer")
    closer = asyncio.create_task(close_queue(tasks, writer, run))
    ended = False
    try:
        yield run.progress(JobStatus.RUNNING)
        finished = False
        while not finished:
            items = [await run.queue.get()]
            while not run.queue.empty():
                items.append(run.queue.get_nowait())
            # The closer puts None after every worker ended, so it can only come last.
            finished = items[-1] is None
            results = tuple(o for batch in items if batch is not None for o in batch)
            if results:
                yield run.progress(JobStatus.RUNNING, results)
        status = run.final_status()
        # In a thread, as the start; cancelled meanwhile, the status it wrote stands.
        reason = run.reason if status is not JobStatus.DONE else None
        stopping = asyncio.ensure_future(journal.off_loop(journal.stop, job_id, status, reason))
        try:
            await asyncio.shield(stopping)
        except asyncio.CancelledError:
            await asyncio.wait([stopping])
            ended = stopping.exception() is None
            raise
        ended = True
        yield run.progress(status)
        if run.error is not None:
            raise run.error
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # After the workers: what they were answered is journaled before this returns.
        writer.cancel()
        await asyncio.gather(writer, closer, return_exceptions=True)
        if control is not None:
            control._run = None
        if not ended:
            journal.stop(job_id, JobStatus.PAUSED, "interrupted")


async def resume(
    journal: Journal,
    job_id: int,
    backend: Backend,
    *,
    resend_unknown: bool = False,
    batch_size: int | None = None,
    concurrency: int = 4,
    limiter: RateLimiter | None = None,
    policy: RetryPolicy | None = None,
    control: JobControl | None = None,
) -> AsyncIterator[Progress]:
    """Recover a job left by a dead process (in-flight rows -> UNKNOWN) and carry on.

    `resend_unknown` is the operator's explicit choice to send UNKNOWN recipients again.
    """
    # Writes that may wait for another process's lock (up to the busy timeout): in a
    # thread, so a console stays responsive. Nothing is claimed yet at this point.
    await journal.off_loop(journal.recover, job_id)
    if resend_unknown:
        await journal.off_loop(journal.resend_unknown, job_id)
    async for progress in run_job(
        journal,
        job_id,
        backend,
        batch_size=batch_size,
        concurrency=concurrency,
        limiter=limiter,
        policy=policy,
        control=control,
    ):
        yield progress


# --- `python -m tui.engine.sender`: run one journaled job in this process ------------------


async def _main(args: argparse.Namespace) -> int:
    from backends.registry import create_backend

    secret = os.environ.get(args.secret_env, "")
    backend = create_backend(
        args.provider, Connection(args.base_url, username=args.username, secret=secret)
    )
    limiter = RateLimiter(args.rate) if args.rate else None
    last: Progress | None = None
    with Journal(args.journal) as journal:
        async with backend:
            async for progress in resume(
                journal,
                args.job,
                backend,
                resend_unknown=args.resend_unknown,
                batch_size=args.batch_size,
                concurrency=args.concurrency,
                limiter=limiter,
            ):
                last = progress
    assert last is not None
    t = last.totals
    sys.stdout.write(
        orjson.dumps(
            {
                "job": last.job_id,
                "status": last.status,
                "reason": last.reason,
                "accepted": t.accepted,
                "rejected": t.rejected,
                "unknown": t.unknown,
                "pending": t.pending,
            }
        ).decode()
        + "\n"
    )
    return 0 if last.status is JobStatus.DONE else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Resume (or start) a journaled job against a provider URL; for scripts and tests."""
    p = argparse.ArgumentParser(prog="python -m tui.engine.sender", description=main.__doc__)
    p.add_argument("--journal", required=True, help="journal file")
    p.add_argument("--job", type=int, required=True, help="job id")
    p.add_argument("--base-url", required=True)
    p.add_argument("--provider", default="360nrs")
    p.add_argument("--username", default="")
    p.add_argument(
        "--secret-env", default="SWITCHBOARD_SENDER_SECRET", help="variable holding the secret"
    )
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--rate", type=float, help="requests per second")
    p.add_argument("--resend-unknown", action="store_true")
    args = p.parse_args(argv)
    received: list[int] = []
    try:
        # SIGTERM pauses the job like Ctrl-C (tui.engine.processes).
        return asyncio.run(sigterm_as_sigint(_main(args), received))
    except KeyboardInterrupt:
        print(f"job {args.job} paused (interrupted)", file=sys.stderr)
        return 128 + (signal.SIGTERM if signal.SIGTERM in received else signal.SIGINT)


if __name__ == "__main__":
    sys.exit(main())
