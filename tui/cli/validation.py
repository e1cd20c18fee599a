"""`switchboard validation list|show|result|create|delete`: email validation jobs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from backends.base import Backend
from backends.capabilities import EmailValidationApi
from backends.errors import NotFound, SwitchboardError
from backends.models.lists import EmailValidation
from tui.cli.common import EXIT_OK, Context, UsageError, with_backend
from tui.cli.handlers import (
    add_command,
    add_paging,
    delete_one,
    emit_listing,
    emit_one,
    emit_text,
    read_text,
    takes_id,
)
from tui.dates import fmt_time


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the validation commands."""
    v = sub.add_parser("validation", help="email validation jobs")
    vs = v.add_subparsers(dest="validation_command", metavar="ACTION", required=True)
    ls = add_command(vs, "list", common, "list validation jobs")
    add_paging(ls, limit=None)
    ls.set_defaults(handler=cmd_validation_list)
    takes_id(add_command(vs, "show", common, "show a job's progress"), cmd_validation_show)
    takes_id(
        add_command(vs, "result", common, "per-email verdicts of a finished job (CSV)"),
        cmd_validation_result,
        output="CSV",
    )
    create = add_command(vs, "create", common, "validate emails and/or contact groups")
    create.add_argument("--email", action="append", default=[], help="an email (repeatable)")
    create.add_argument(
        "--emails-file", type=Path, help="a file with one email per line ('#' starts a comment)"
    )
    create.add_argument("--group-id", type=int, action="append", default=[], help="repeatable")
    create.add_argument("--force", action="store_true", help="check already-checked emails again")
    create.add_argument(
        "--allow-risky",
        action="store_true",
        help="do not blacklist risky emails (by default the provider blacklists them)",
    )
    create.add_argument("--notification-url", help="callback URL for progress notifications")
    create.set_defaults(handler=cmd_validation_create)
    takes_id(
        add_command(vs, "delete", common, "delete a validation job"),
        cmd_validation_delete,
        confirm=True,
    )


def read_emails(path: Path) -> list[str]:
    """Emails from a file, one a line; blank lines and # comments skipped."""
    lines = read_text(path, "emails file").splitlines()
    return [s for line in lines if (s := line.split("#", 1)[0].strip())]


VALIDATION_HEADERS = ("ID", "STATUS", "PROCESSED", "VALID", "COST", "CREATED", "FINISHED")


def validation_rows(jobs: list[EmailValidation]) -> list[tuple[object, ...]]:
    """Table rows for validation jobs."""
    return [
        (
            v.id,
            v.status,
            f"{v.processed}/{v.total}",
            v.valid,
            f"{v.cost if v.cost is not None else 0:g} {v.currency}".strip(),
            fmt_time(v.created_at),
            fmt_time(v.finished_at),
        )
        for v in jobs
    ]


def print_validation(ctx: Context, v: EmailValidation) -> None:
    """A validation job, one field per line."""
    for label, value in (
        ("id", v.id),
        ("status", v.status),
        ("processed", f"{v.processed} of {v.total}"),
        ("valid", v.valid),
        ("estimated", f"{v.estimated_cost:g} {v.currency}" if v.estimated_cost is not None else ""),
        ("cost", f"{v.cost:g} {v.currency}" if v.cost is not None else ""),
        ("created", fmt_time(v.created_at)),
        ("updated", fmt_time(v.updated_at)),
        ("finished", fmt_time(v.finished_at)),
        ("result", v.result_url),
        ("error", v.error),
    ):
        if value not in (None, ""):
            ctx.print(f"{label:>10}: {value}")


async def cmd_validation_list(ctx: Context, args: argparse.Namespace) -> int:
    """List validation jobs."""
    return await emit_listing(
        ctx,
        args,
        VALIDATION_HEADERS,
        validation_rows,
        page=lambda backend: backend.capability(EmailValidationApi).validations_list(
            page=args.page, limit=args.limit
        ),
        every=lambda backend: backend.capability(EmailValidationApi).iter_validations(),
    )


async def cmd_validation_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a validation job."""
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(EmailValidationApi).validation(args.id),
        lambda job: print_validation(ctx, job),
    )


async def cmd_validation_result(ctx: Context, args: argparse.Namespace) -> int:
    """Print or save the result CSV of a finished job."""

    async def run(backend: Backend) -> int:
        try:
            result = await backend.capability(EmailValidationApi).validation_result(args.id)
        except NotFound:
            # The result exists only once the job finished; say which case this is.
            job = await backend.capability(EmailValidationApi).validation(args.id)
            raise SwitchboardError(
                f"validation {job.id} is {job.status} ({job.processed} of {job.total} checked);"
                " its result is available once it has finished"
            ) from None
        counts = result.counts()
        summary = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
        emit_text(
            ctx,
            args.output,
            result.csv,
            f"Wrote {len(result.rows)} rows to {args.output} ({summary or 'empty'}).",
            {"rows": result.rows, "counts": counts, "output": args.output},
        )
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_validation_create(ctx: Context, args: argparse.Namespace) -> int:
    """Queue a validation."""
    emails = list(args.email)
    if args.emails_file is not None:
        emails += read_emails(args.emails_file)
    if not emails and not args.group_id:
        raise UsageError("give at least one --email, --emails-file or --group-id")
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(EmailValidationApi).validation_create(
            emails=emails,
            group_ids=args.group_id,
            force=True if args.force else None,
            allow_risky=True if args.allow_risky else None,
            notification_url=args.notification_url,
        ),
        lambda job: ctx.print(
            f"Queued validation {job.id}: {job.total} email(s), status {job.status}, "
            f"estimated {job.estimated_cost or 0:g} {job.currency}".rstrip()
        ),
    )


async def cmd_validation_delete(ctx: Context, args: argparse.Namespace) -> int:
    """Delete a validation job after confirmation."""
    return await delete_one(
        ctx,
        args,
        "validation",
        lambda backend: backend.capability(EmailValidationApi).validation_delete(args.id),
    )
