"""`switchboard survey-batch send`: SMS surveys (8x8 SMS Engage) through the send engine.

Recipients come from `--to` or a CSV file; the send is validated here first (ids,
`{{url:}}`, lengths), and `--dry-run` stops there without a secret. Then it is a journaled
job like `sms send`: split into batches of at most 10,000 messages, each recipient's
QUEUED/REJECTED outcome recorded, progress printed, resumable with `switchboard jobs resume`.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
from datetime import datetime
from pathlib import Path
from typing import Any

from backends.base import Capability
from backends.eightbyeight import (
    ENCODINGS,
    MAX_MESSAGES,
    SurveyBatch,
    SurveyMessage,
    SurveyTemplate,
)
from backends.registry import backend_class
from tui.cli.common import (
    EXIT_OK,
    Context,
    HeldContext,
    UsageError,
    add_account_arg,
    add_yes_arg,
    table,
)
from tui.cli.jobs import follow
from tui.dates import parse_optional
from tui.engine.journal import Journal, default_path
from tui.engine.journal_rows import Claimed, State
from tui.engine.recipients import csv_rows
from tui.engine.sender import run_job
from tui.engine.survey_batch import (
    MESSAGE_FIELDS,
    SurveyBatchChannel,
    check_job,
    create_survey_batch_job,
    messages_from_rows,
    unique_messages,
)

# Per-recipient lines printed after a send; bigger jobs are summed up (see `jobs export`).
SHOW_ROWS = 1_000


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the survey-batch command."""
    p = sub.add_parser("survey-batch", help="SMS surveys in batches (e.g. 8x8 SMS Engage)")
    ps = p.add_subparsers(dest="survey_batch_command", metavar="ACTION", required=True)
    send = ps.add_parser(
        "send",
        parents=[common],
        help=f"send survey SMS (batches of up to {MAX_MESSAGES:,}) as a journaled job",
    )
    add_account_arg(send)
    send.add_argument("--survey", help="survey id (default: the account's survey_id)")
    send.add_argument("--subaccount", help="subaccount id (default: the account's)")
    send.add_argument(
        "--to",
        action="append",
        default=[],
        metavar="NUMBER",
        # The reference's pattern ^\+{0,1}[1-9]{1}[0-9]{6,14}$: digits only, no leading 0.
        help="7-15 digits, optional leading +, no spaces or leading 0 (repeatable)",
    )
    send.add_argument(
        "--csv",
        type=Path,
        metavar="FILE",
        help="recipients: a destination column, optional "
        + ", ".join(sorted(MESSAGE_FIELDS))
        + " columns; other columns are template variables",
    )
    send.add_argument(
        "--country", help="two-letter country of --to numbers in national format (no leading 0)"
    )
    send.add_argument("--var", action="append", default=[], metavar="KEY=VALUE")
    send.add_argument("--template", help="batch template body; must contain {{url:}}")
    send.add_argument("--source", help="sender id (up to 16 characters)")
    send.add_argument("--encoding", choices=ENCODINGS)
    send.add_argument(
        "--scheduled",
        metavar="ISO-TIME",
        help="e.g. 2025-03-10T09:00+01:00 (no offset: local time)",
    )
    send.add_argument("--expiry", metavar="ISO-TIME")
    send.add_argument("--dlr-url", help="delivery report webhook for this batch")
    send.add_argument("--client-batch-id", help="your reference (up to 20 characters)")
    send.add_argument(
        "--counts-only",
        action="store_true",
        help="print only the totals, not each recipient's result",
    )
    send.add_argument("--dry-run", action="store_true", help="validate the send; send nothing")
    add_yes_arg(send)
    send.set_defaults(handler=cmd_send)


def _time(value: str | None, option: str) -> datetime | None:
    # tui.dates' rule: no offset is local time, as everywhere else.
    try:
        return parse_optional(value)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _pairs(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--var expects KEY=VALUE, got {item!r}")
        out[key] = value
    return out


def _csv_messages(path: Path) -> list[SurveyMessage]:
    try:
        rows = csv_rows(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from None
    try:
        return messages_from_rows(rows, str(path), lambda text, what: _time(text or None, what))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def build_batch(args: argparse.Namespace, survey_id: str) -> SurveyBatch:
    """The batch the command line describes."""
    scheduled = _time(args.scheduled, "--scheduled")
    expiry = _time(args.expiry, "--expiry")
    template = None
    per_message: dict[str, Any] = {}
    if args.template is not None:
        template = SurveyTemplate(
            template_body=args.template,
            source=args.source,
            encoding=args.encoding,
            scheduled=scheduled,
            expiry=expiry,
            dlr_callback_url=args.dlr_url,
        )
    else:
        # Without a template block, the batch-wide options go on every message.
        per_message = {
            "source": args.source,
            "encoding": args.encoding,
            "scheduled": scheduled,
            "expiry": expiry,
            "dlr_callback_url": args.dlr_url,
        }
    variables = _pairs(args.var)
    messages = [
        SurveyMessage(
            destination=to, country=args.country, template_variables=variables, **per_message
        )
        for to in args.to
    ]
    if args.csv is not None:
        for m in _csv_messages(args.csv):
            extra = {k: v for k, v in per_message.items() if getattr(m, k) is None}
            messages.append(dataclasses.replace(m, **extra))
    if not messages:
        raise UsageError("give recipients with --to or --csv")
    return SurveyBatch(
        survey_id=survey_id,
        messages=tuple(messages),
        template=template,
        client_batch_id=args.client_batch_id,
        sub_account_id=args.subaccount,
    )


def recipient_results(journal: Journal, job_id: int) -> list[dict[str, str | None]]:
    """The first SHOW_ROWS recipients' outcomes, with the clientMessageId each was sent with."""
    channel = SurveyBatchChannel(journal.job(job_id))
    out: list[dict[str, str | None]] = []
    for r in itertools.islice(journal.recipients(job_id), SHOW_ROWS):
        queued = r.state is State.ACCEPTED
        out.append(
            {
                "destination": r.to,
                "status": "QUEUED" if queued else r.state.value,
                "umid": r.provider_id,
                # The recipient's own id, else the one the engine generated (sb<job>-<seq>).
                "clientMessageId": channel.client_id(Claimed(r.seq, r.to, r.vars)),
                "reason": r.reason,
            }
        )
    return out


def show_recipients(
    ctx: Context, job_id: int, results: list[dict[str, str | None]], total: int
) -> None:
    """Each recipient's outcome as a table (the first SHOW_ROWS of `total`)."""
    rows = [
        (
            r["destination"],
            r["status"],
            r["umid"] if r["status"] == "QUEUED" else r["reason"],
            r["clientMessageId"],
        )
        for r in results
    ]
    table(ctx, ("DESTINATION", "STATUS", "UMID / REASON", "CLIENT MESSAGE ID"), rows)
    if total > len(results):
        ctx.print(f"(first {len(results):,} shown: `switchboard jobs export {job_id}` for all)")


async def cmd_send(ctx: Context, args: argparse.Namespace) -> int:
    """Validate, confirm, journal and send survey SMS; exit 3 if anyone was not queued."""
    account = ctx.workspace.account(args.account)
    cls = backend_class(account.provider)
    if not cls.supports(Capability.SURVEY_BATCH):
        # Checked before anything is journaled: the job could never be sent.
        raise UsageError(f"{cls.label} accounts cannot send survey batches")
    options = account.options
    survey_id = args.survey or options.get("survey_id", "")
    if not survey_id:
        raise UsageError("give --survey (the account has no default survey_id)")
    batch = build_batch(args, survey_id)
    sub_account = args.subaccount or options.get("subaccount_id", "")
    if not sub_account:
        raise UsageError("give --subaccount (the account has no subaccount_id)")
    # Each number once, as the console's form and `sms send` do.
    messages, repeated = unique_messages(batch.messages)
    if repeated:
        print(f"switchboard: {repeated} repeated number(s) left out", file=ctx.err)
    try:
        check_job(survey_id, sub_account, messages, batch.template, batch.client_batch_id)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    count = len(messages)
    if args.dry_run:
        ctx.emit(
            {
                "valid": True,
                "messages": count,
                "batches": -(-count // MAX_MESSAGES),
                "survey_id": survey_id,
                "subaccount_id": sub_account,
            },
            lambda: ctx.print(f"OK: {count} message(s) for survey {survey_id}; nothing sent."),
        )
        return EXIT_OK
    ctx.confirm(
        f"Send the survey to {count} recipients?",
        assume_yes=args.yes,
        count=count,
        destructive=False,
    )
    backend = await ctx.workspace.open(args.account)
    async with backend:
        with Journal(default_path()) as journal:
            job_id = create_survey_batch_job(
                journal,
                args.account,
                backend.provider,
                survey_id=survey_id,
                sub_account_id=sub_account,
                messages=messages,
                template=batch.template,
                client_batch_id=batch.client_batch_id,
            )
            # Two requests of 10,000 in flight keep 8x8 busy without piling up memory.
            updates = run_job(journal, job_id, backend, concurrency=2)
            # With --json, the job summary and the recipients' results are one document.
            held = HeldContext.of(ctx)
            code = await follow(held, updates)
            summary: dict[str, Any] = dict(held.held[-1]) if held.held else {"job": job_id}
            if not args.counts_only:
                results = recipient_results(journal, job_id)
                total = journal.totals(job_id).total
                summary["recipients"] = results
                summary["recipients_omitted"] = total - len(results)
                show_recipients(ctx, job_id, results, total)
            if ctx.json:
                ctx.emit(summary, lambda: None)
            for state, reason, n in journal.reasons(job_id):
                print(f"switchboard: {n} {state.value.lower()}: {reason}", file=ctx.err)
    return code
