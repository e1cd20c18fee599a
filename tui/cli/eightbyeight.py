"""`switchboard survey-batch send`: SMS surveys (8x8 SMS Engage) through the send engine.

Recipients come from `--to` or a CSV file; the send is validated here first (ids,
`{{url:}}`, lengths), and `--dry-run` stops there without a secret. Then it is a journaled
job like `sms send`: split into batches of at most 10,000 messages, each recipient's
QUEUED/REJECTED outcome recorded, progress printed, resumable with `switchboard jobs resume`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from backends.capabilities import SurveyBatchApi
from backends.eightbyeight.rules import ENCODINGS, MAX_MESSAGES
from tui.cli.common import (
    EXIT_OK,
    Context,
    HeldContext,
    UsageError,
    add_account_arg,
    add_yes_arg,
    reads_stdin,
    require,
    resumable,
    table,
)
from tui.cli.jobs import follow
from tui.engine.journal import Journal, default_path
from tui.engine.survey_batch import MESSAGE_FIELDS
from tui.usecases.survey_batch import (
    BatchInput,
    NoRecipients,
    batch_question,
    batch_results,
    create_batch,
    prepare_batch,
    run_batch,
)
from tui.usecases.surveys import SurveyRefused


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
        + " columns; other columns are template variables ('-': standard input)",
    )
    reads_stdin(send, "csv")
    send.add_argument(
        "--country",
        help="two-letter country of numbers in national format (no leading 0): --to "
        "numbers and CSV rows without a country column value",
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


def _pairs(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--var expects KEY=VALUE, got {item!r}")
        out[key] = value
    return out


def batch_input(args: argparse.Namespace, survey_id: str, sub_account: str) -> BatchInput:
    """The send the command line describes, as the use case takes it."""
    return BatchInput(
        survey_id=survey_id,
        sub_account_id=sub_account,
        numbers=args.to,
        country=args.country,
        variables=_pairs(args.var),
        csv=args.csv,
        template_body=args.template,
        source=args.source,
        encoding=args.encoding,
        scheduled=args.scheduled or "",
        expiry=args.expiry or "",
        dlr_url=args.dlr_url,
        client_batch_id=args.client_batch_id,
    )


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
    require(ctx, args.account, SurveyBatchApi)
    options = ctx.workspace.account(args.account).options
    survey_id = args.survey or options.get("survey_id", "")
    if not survey_id:
        raise UsageError("give --survey (the account has no default survey_id)")
    sub_account = args.subaccount or options.get("subaccount_id", "")
    if not sub_account:
        raise UsageError("give --subaccount (the account has no subaccount_id)")
    try:
        # Each number once, as the console's form and `sms send` do.
        send = prepare_batch(batch_input(args, survey_id, sub_account))
    except NoRecipients:
        raise UsageError("give recipients with --to or --csv") from None
    except SurveyRefused as exc:
        raise UsageError(str(exc)) from None
    if send.repeated:
        print(f"switchboard: {send.repeated} repeated number(s) left out", file=ctx.err)
    count = len(send.messages)
    if args.dry_run:
        ctx.emit(
            {
                "valid": True,
                "messages": count,
                "batches": send.batches,
                "survey_id": survey_id,
                "subaccount_id": sub_account,
            },
            lambda: ctx.print(f"OK: {count} message(s) for survey {survey_id}; nothing sent."),
        )
        return EXIT_OK
    ctx.confirm(batch_question(send), assume_yes=args.yes, count=count, destructive=False)
    backend = await ctx.workspace.open(args.account)
    async with backend:
        with Journal(default_path()) as journal:
            job_id = await create_batch(journal, args.account, backend, send)
            # With --json, the job summary and the recipients' results are one document.
            held = HeldContext.of(ctx)
            with resumable(ctx, job_id):
                code = await follow(held, run_batch(journal, job_id, backend))
            summary: dict[str, Any] = dict(held.held[-1]) if held.held else {"job": job_id}
            if not args.counts_only:
                results = batch_results(journal, job_id)
                total = journal.totals(job_id).total
                summary["recipients"] = results
                summary["recipients_omitted"] = total - len(results)
                show_recipients(ctx, job_id, results, total)
            if ctx.json:
                ctx.emit(summary, lambda: None)
            for state, reason, n in journal.reasons(job_id):
                print(f"switchboard: {n} {state.value.lower()}: {reason}", file=ctx.err)
    return code
