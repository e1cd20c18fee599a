"""`switchboard jobs list|show|resume|watch|export`: the send journal from the command line."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson

from tui.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REJECTED,
    Context,
    add_rate_args,
    limiter_of,
    resumable,
    say_not_done,
    table,
)
from tui.engine.channels import CHANNEL_LABELS, job_summary
from tui.engine.delivery import Funnel
from tui.engine.delivery_poll import DeliveryUpdate
from tui.engine.export import export_job, write_job_csv
from tui.engine.journal import Journal, sandbox_path
from tui.engine.journal_rows import Job, JobStatus, State, Totals
from tui.engine.pricing import Pricing, cost_text, spent
from tui.engine.sender import Progress, resume
from tui.usecases.delivery import watch_job
from tui.usecases.jobs import JobResult, shown_status, status_line

# Text progress is coalesced to a couple of lines a second, like the console's.
PROGRESS_INTERVAL = 0.5


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the jobs command."""
    p = sub.add_parser(
        "jobs", help="send jobs in the journal: list, inspect, resume, watch, export"
    )
    ps = p.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)

    def action(name: str, helptext: str) -> argparse.ArgumentParser:
        a: argparse.ArgumentParser = ps.add_parser(name, parents=[common], help=helptext)
        which = a.add_mutually_exclusive_group()
        which.add_argument("--journal", type=Path, help="journal file (default: in the data dir)")
        which.add_argument(
            "--sandbox", action="store_true", help="the journal of the console's sandbox accounts"
        )
        return a

    action("list", "every job with its totals").set_defaults(handler=cmd_list)
    show = action("show", "one job: template, totals, reasons")
    show.add_argument("id", type=int)
    show.set_defaults(handler=cmd_show)
    res = action("resume", "carry on a paused or interrupted job")
    res.add_argument("id", type=int)
    res.add_argument(
        "--resend-unknown",
        action="store_true",
        help="also send recipients whose outcome is unknown (they may receive it twice)",
    )
    res.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    res.add_argument(
        "--batch-size",
        type=int,
        help="recipients per request (default: the channel's own, 500 for most)",
    )
    res.add_argument("--concurrency", type=int, default=4)
    add_rate_args(res)
    res.set_defaults(handler=cmd_resume)
    watch = action("watch", "follow a job's delivery states until all are final (Ctrl-C stops)")
    watch.add_argument("id", type=int)
    watch.add_argument(
        "--rate", type=float, metavar="RPS", help="status requests per second (default 2)"
    )
    watch.set_defaults(handler=cmd_watch)
    exp = action("export", "every recipient's outcome as CSV")
    exp.add_argument("id", type=int)
    exp.add_argument("--output", "-o", required=True, help="CSV file ('-': standard output)")
    exp.add_argument("--state", choices=[s.value for s in State], help="only this state")
    exp.set_defaults(handler=cmd_export)


def open_journal(args: argparse.Namespace) -> Journal:
    """The journal named by --journal, the sandbox's (--sandbox), or the default one."""
    if getattr(args, "sandbox", False):
        return Journal(sandbox_path())
    return Journal(getattr(args, "journal", None))


def _shown_message(job: Job) -> dict[str, Any]:
    """The job's message as printed: attachments by name and type, not megabytes of
    base64."""
    message = dict(job.message)
    request = message.get("request")
    if isinstance(request, dict) and "attachments" in request:
        message["request"] = {
            **request,
            "attachments": [
                {"name": a["name"], "content_type": a["content_type"]}
                for a in request["attachments"]
            ],
        }
    return message


def _job_json(job: Job, totals: Totals, interrupted: bool) -> dict[str, Any]:
    """A job as the one result shape (tui.usecases.jobs) with what the journal adds; a job
    left RUNNING by a dead process says "interrupted" and how to resume it."""
    data = JobResult.of(job.id, job.status, job.pause_reason, totals).to_json()
    if interrupted:
        data["status"], data["reason"] = shown_status(job, interrupted)
    return data | {
        "created_at": job.created_at.isoformat(),
        "account": job.account,
        "provider": job.provider,
        "channel": job.channel,
        "pid": job.pid,
        "message": _shown_message(job),
    }


async def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    """List every job, newest first."""
    with open_journal(args) as journal:
        rows = journal.overview()
    shown = [(job, t, *shown_status(job, interrupted)) for job, t, interrupted in rows]
    ctx.emit_list(
        [_job_json(job, totals, interrupted) for job, totals, interrupted in rows],
        lambda: table(
            ctx,
            ("ID", "CREATED", "ACCOUNT", "STATUS", "TOTAL", "OK", "REJ", "UNK", "PEND", "REASON"),
            [
                (
                    job.id,
                    job.created_at.strftime("%Y-%m-%d %H:%M"),
                    job.account,
                    status,
                    t.total,
                    t.accepted,
                    t.rejected,
                    t.unknown,
                    t.pending + t.sending,
                    reason,
                )
                for job, t, status, reason in shown
            ],
        ),
    )
    return EXIT_OK


async def cmd_show(ctx: Context, args: argparse.Namespace) -> int:
    """One job in detail."""
    with open_journal(args) as journal:
        job = journal.job(args.id)
        totals = journal.totals(job.id)
        reasons = journal.reasons(job.id)
        meter = spent(journal, job.id, Pricing.of(job))
        interrupted = journal.interrupted(job.id)
        resent = journal.resent(job.id)
        funnel = journal.delivery_funnel(job.id)
        events = journal.event_counts(job.id)
    data = _job_json(job, totals, interrupted)
    data["resent"] = resent
    data["delivery"] = funnel.to_json()
    # Event notifications that are not about delivery (opened, clicked...), by type.
    data["events"] = events
    data["reasons"] = [{"state": s.value, "reason": r, "count": n} for s, r, n in reasons]
    if meter is not None:
        data["cost"] = {
            "so_far": round(meter.cost, 6),
            "currency": meter.pricing.currency,
            "unpriced": meter.unpriced,
            "estimate": True,
        }

    def show() -> None:
        label = CHANNEL_LABELS.get(job.channel, job.channel)
        ctx.print(f"Job {job.id}: {label} via {job.account} ({job.provider})")
        ctx.print(f"  created  {job.created_at:%Y-%m-%d %H:%M:%S %Z}")
        ctx.print(f"  status   {status_line(job, interrupted)}")
        ctx.print(f"  sends    {job_summary(job)}")
        message = _shown_message(job)
        options = dict(message.get("options") or message.get("request") or {})
        if "attachments" in options:
            options["attachments"] = [a["name"] for a in options["attachments"]]
        if options:
            ctx.print(f"  options  {orjson.dumps(options).decode()}")
        ctx.print(_totals_line(totals))
        if funnel.accepted:
            ctx.print(_funnel_line(funnel))
        if events:
            ctx.print("  events   " + ", ".join(f"{kind} {n}" for kind, n in events.items()))
        if meter is not None:
            ctx.print(f"  {cost_text(meter.cost, meter.pricing.currency, meter.unpriced)}")
        if reasons:
            ctx.print("Reasons:")
            table(ctx, ("STATE", "COUNT", "REASON"), [(s.value, n, r) for s, r, n in reasons])
        if resent:
            ctx.print(
                f"{resent} recipients were sent it again after an unknown outcome: they may "
                "have received it twice (`resent` in `jobs export`)."
            )
        if totals.unknown:
            ctx.print(
                f"{totals.unknown} recipients have an unknown outcome: check the provider's "
                f"reports, then `switchboard jobs resume {job.id} --resend-unknown` if needed."
            )

    ctx.emit(data, show)
    return EXIT_OK


BAR_WIDTH = 24


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """A text bar such as `[#########...............]  37%`."""
    share = done / total if total else 1.0
    filled = round(share * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%}"


def _totals_line(t: Totals) -> str:
    done = t.accepted + t.rejected + t.unknown
    return (
        f"  {progress_bar(done, t.total)}  {t.accepted} accepted, {t.rejected} rejected, "
        f"{t.unknown} unknown, {t.pending + t.sending} pending of {t.total} ({t.parts} parts)"
    )


def _funnel_line(f: Funnel) -> str:
    return f"  {progress_bar(f.accepted - f.waiting, f.accepted)}  {f.line()}"


async def cmd_watch(ctx: Context, args: argparse.Namespace) -> int:
    """Follow a job's delivery states: a line per change, until all are final or Ctrl-C."""
    last: DeliveryUpdate | None = None
    shown = ""
    with open_journal(args) as journal:
        try:
            async for update in watch_job(journal, args.id, ctx.workspace, rate=args.rate):
                last = update
                line = _funnel_line(update.funnel)
                if update.problem:
                    line += f"  (last check failed: {update.problem})"
                if line != shown:
                    ctx.print(line)
                shown = line
        except (asyncio.CancelledError, KeyboardInterrupt):
            # Nothing is lost: the states so far are in the journal, watching again resumes.
            print(
                f"switchboard: stopped watching job {args.id}; "
                f"`switchboard jobs watch {args.id}` carries on",
                file=ctx.err,
            )
            raise
    assert last is not None  # watch_job always yields at least once
    f = last.funnel
    data = {"job": args.id, "delivery": f.to_json(), "expired": last.expired}

    def summary() -> None:
        if last.expired:
            ctx.print(f"The messages' validity is over: {f.waiting} never got a final state.")
        else:
            ctx.print(f"Every accepted recipient of job {args.id} has a final state.")

    ctx.emit(data, summary)
    return EXIT_OK


async def follow(ctx: Context, updates: AsyncIterator[Progress]) -> int:
    """Print coalesced progress of a running job; the exit code from how it ended."""
    last: Progress | None = None
    shown = 0.0
    async for progress in updates:
        last = progress
        now = time.monotonic()
        if progress.status is JobStatus.RUNNING and now - shown >= PROGRESS_INTERVAL:
            shown = now
            ctx.print(_totals_line(progress.totals))
    assert last is not None  # run_job always yields a final update
    t = last.totals
    ctx.emit(
        JobResult.of(last.job_id, last.status, last.reason, t).to_json(),
        lambda: ctx.print(f"Job {last.job_id} {last.status.value}:\n{_totals_line(t)}"),
    )
    if last.status is not JobStatus.DONE:
        say_not_done(ctx, last.job_id, last.status.value, last.reason)
        return EXIT_ERROR
    return EXIT_REJECTED if t.rejected or t.unknown else EXIT_OK


async def cmd_resume(ctx: Context, args: argparse.Namespace) -> int:
    """Recover an interrupted job and send what is still pending."""
    limiter = limiter_of(args)
    with open_journal(args) as journal:
        job = journal.job(args.id)
        unknown = journal.totals(job.id).unknown
        if args.resend_unknown and unknown:
            ctx.confirm(
                f"{unknown} recipients of job {job.id} may already have received the message. "
                "Send it to them again?",
                assume_yes=args.yes,
                count=unknown,
            )
        backend = await ctx.workspace.open(job.account)
        async with backend:
            with resumable(ctx, job.id):
                return await follow(
                    ctx,
                    resume(
                        journal,
                        job.id,
                        backend,
                        resend_unknown=args.resend_unknown,
                        batch_size=args.batch_size,
                        concurrency=args.concurrency,
                        limiter=limiter,
                    ),
                )


async def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    """Write every recipient's outcome to a CSV file."""
    state = State(args.state) if args.state else None
    with open_journal(args) as journal:
        job = journal.job(args.id)
        if args.output == "-":
            count = write_job_csv(ctx.out, journal, job.id, state)
            return EXIT_OK
        path = Path(args.output)
        count = export_job(path, journal, job.id, state)
    ctx.emit(
        {"job": job.id, "output": str(path), "rows": count},
        lambda: ctx.print(f"Wrote {count} recipients of job {job.id} to {path}"),
    )
    return EXIT_OK
