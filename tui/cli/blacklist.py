"""`switchboard blacklist list|add|remove`: recipients never sent to, per channel."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from backends.base import Backend
from backends.capabilities import BlacklistApi
from backends.errors import BadRequest, NotFound
from backends.models.lists import BLACKLIST_KINDS, BlacklistEntry
from tui.cli.common import EXIT_OK, EXIT_REJECTED, Context, with_backend
from tui.cli.handlers import add_command, add_paging, emit_listing
from tui.dates import fmt_time

T = TypeVar("T")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the blacklist commands."""
    b = sub.add_parser("blacklist", help="recipients never sent to, per channel")
    bs = b.add_subparsers(dest="blacklist_command", metavar="ACTION", required=True)
    ls = add_command(bs, "list", common, "list a channel's blacklist")
    ls.add_argument("kind", choices=BLACKLIST_KINDS, metavar="TYPE", help="sms, mailing or voice")
    ls.add_argument("--recipient", help="only this phone number or email")
    ls.add_argument("--sending-id", type=int, help="only recipients blacklisted from this sending")
    add_paging(ls)
    ls.set_defaults(handler=cmd_blacklist_list)
    for action, helptext in (("add", "blacklist recipients"), ("remove", "unblacklist recipients")):
        p = add_command(bs, action, common, helptext)
        p.add_argument(
            "kind", choices=BLACKLIST_KINDS, metavar="TYPE", help="sms, mailing or voice"
        )
        p.add_argument("recipients", nargs="+", metavar="RECIPIENT")
        if action == "remove":
            p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        p.set_defaults(handler=cmd_blacklist_add if action == "add" else cmd_blacklist_remove)


BLACKLIST_HEADERS = ("RECIPIENT", "DEFINITIVE", "SENDING", "CAMPAIGN", "SINCE")


def blacklist_rows(entries: list[BlacklistEntry]) -> list[tuple[object, ...]]:
    """Table rows for blacklist entries."""
    return [
        (
            e.recipient,
            "yes" if e.is_definitive else "",
            e.sending_id,
            e.campaign_name,
            fmt_time(e.created_at),
        )
        for e in entries
    ]


async def cmd_blacklist_list(ctx: Context, args: argparse.Namespace) -> int:
    """List a channel's blacklist."""
    filters = {"recipient": args.recipient, "sending_id": args.sending_id}
    return await emit_listing(
        ctx,
        args,
        BLACKLIST_HEADERS,
        blacklist_rows,
        page=lambda backend: backend.capability(BlacklistApi).blacklist_list(
            args.kind, page=args.page, limit=args.limit, **filters
        ),
        every=lambda backend: backend.capability(BlacklistApi).iter_blacklist(args.kind, **filters),
    )


async def _one_by_one(
    ctx: Context,
    args: argparse.Namespace,
    call: Callable[[BlacklistApi, str], Awaitable[T]],
    *,
    key: str,
    done_line: Callable[[T], str],
    refused_line: str,
    missing: str | None = None,
) -> int:
    """Call `call` for each of args.recipients; a refused one (BadRequest, or NotFound with
    the `missing` reason) is reported and the rest still go. Emits {key: [...], "refused":
    [...]}; exit 3 if any was refused."""

    async def run(backend: Backend) -> int:
        api = backend.capability(BlacklistApi)
        done: list[T] = []
        refused: list[dict[str, str]] = []
        for recipient in args.recipients:
            try:
                done.append(await call(api, recipient))
            except NotFound:
                if missing is None:
                    raise
                refused.append({"recipient": recipient, "error": missing})
            except BadRequest as exc:
                refused.append({"recipient": recipient, "error": exc.message})

        def show() -> None:
            for result in done:
                ctx.print(done_line(result))
            for item in refused:
                ctx.print(f"{refused_line} {item['recipient']}: {item['error']}")

        ctx.emit({key: done, "refused": refused}, show)
        return EXIT_REJECTED if refused else EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_blacklist_add(ctx: Context, args: argparse.Namespace) -> int:
    """Blacklist recipients one by one; refused ones are reported, the rest still added."""
    return await _one_by_one(
        ctx,
        args,
        lambda api, recipient: api.blacklist_add(args.kind, recipient),
        key="added",
        done_line=lambda entry: f"Blacklisted {entry.recipient} ({args.kind}).",
        refused_line="Refused",
    )


async def cmd_blacklist_remove(ctx: Context, args: argparse.Namespace) -> int:
    """Remove recipients from a blacklist after confirmation."""
    count = len(args.recipients)
    ctx.confirm(
        f"Remove {count} recipient{'s' if count > 1 else ''} from the {args.kind} blacklist?",
        assume_yes=args.yes,
        count=count,
    )

    async def remove(api: BlacklistApi, recipient: str) -> str:
        await api.blacklist_remove(args.kind, recipient)
        return recipient

    return await _one_by_one(
        ctx,
        args,
        remove,
        key="removed",
        done_line=lambda recipient: f"Removed {recipient} from the {args.kind} blacklist.",
        refused_line="Not removed",
        missing="not on the blacklist",
    )
