"""The shapes command handlers share: paging options, a listing of one page or of every
page, a one-call action and a confirmed delete, and the files a command reads or writes.

A handler names what differs (the backend call, the table, the wording); the shape
(open the account's backend, call, emit as text or --json, exit code) is written here once.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from backends.base import Backend
from backends.models.common import Page
from tui.cli.common import (
    EXIT_OK,
    Context,
    Handler,
    UsageError,
    add_account_arg,
    table,
    with_backend,
)
from tui.files import write_atomic

T = TypeVar("T")
Rows = Callable[[list[T]], list[tuple[object, ...]]]


def add_command(
    actions: Any, name: str, common: argparse.ArgumentParser, helptext: str
) -> argparse.ArgumentParser:
    """A subcommand taking the common options and -a/--account."""
    p: argparse.ArgumentParser = actions.add_parser(name, parents=[common], help=helptext)
    add_account_arg(p)
    return p


def add_paging(p: argparse.ArgumentParser, *, limit: int | None = 100, every: bool = True) -> None:
    """--page and --limit (None: the provider's default), and --all unless `every` is False."""
    p.add_argument("--page", type=int, default=1)
    if limit is not None:
        p.add_argument("--limit", type=int, default=limit, help="per page (max 1000)")
    else:
        p.add_argument("--limit", type=int, help="per page (the provider's default if unset)")
    if every:
        p.add_argument("--all", action="store_true", help="every page")


def takes_id(
    p: argparse.ArgumentParser, handler: Handler, *, confirm: bool = False, output: str = ""
) -> None:
    """`p` takes the id of what it acts on (with `confirm`, --yes to skip the confirmation;
    with `output`, -o to write that to a file instead of printing it) and runs `handler`."""
    p.add_argument("id", type=int)
    if confirm:
        p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    if output:
        p.add_argument("-o", "--output", type=Path, help=f"write the {output} to this file")
    p.set_defaults(handler=handler)


def page_footer(ctx: Context, page: Page[Any]) -> None:
    """Where a page stands in the whole listing."""
    ctx.print(f"page {page.page} of {page.total_pages}, {page.total} in all")


async def emit_listing(
    ctx: Context,
    args: argparse.Namespace,
    headers: Sequence[str],
    rows: Rows[T],
    *,
    page: Callable[[Backend], Awaitable[Page[T]]],
    every: Callable[[Backend], AsyncIterator[T]] | None = None,
) -> int:
    """List one page (as a table with its footer, or the page as JSON), or with --all every
    item (a table, or a JSON list)."""

    async def run(backend: Backend) -> int:
        if every is not None and args.all:
            items = [item async for item in every(backend)]
            ctx.emit_list(items, lambda: table(ctx, headers, rows(items)))
            return EXIT_OK
        got = await page(backend)

        def show() -> None:
            table(ctx, headers, rows(list(got.items)))
            page_footer(ctx, got)

        ctx.emit(got, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def emit_one(
    ctx: Context,
    account: str,
    call: Callable[[Backend], Awaitable[T]],
    show: Callable[[T], None],
) -> int:
    """Make one backend call and emit its result (`show` prints it for people)."""

    async def run(backend: Backend) -> int:
        result = await call(backend)
        ctx.emit(result, lambda: show(result))
        return EXIT_OK

    return await with_backend(ctx, account, run)


async def delete_one(
    ctx: Context,
    args: argparse.Namespace,
    what: str,
    call: Callable[[Backend], Awaitable[object]],
    *,
    data: dict[str, object] | None = None,
) -> int:
    """Delete `what` args.id after confirmation (--yes skips it); emits `data`, by default
    {"deleted": id}."""
    ctx.confirm(f"Delete {what} {args.id}?", assume_yes=args.yes)

    async def run(backend: Backend) -> int:
        await call(backend)
        result = {"deleted": args.id} if data is None else data
        ctx.emit(result, lambda: ctx.print(f"Deleted {what} {args.id}."))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


def read_text(path: Path, what: str) -> str:
    """A UTF-8 file's text, or UsageError saying why not."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{what} {path} is not UTF-8 text") from None


def write_text(path: Path, text: str) -> None:
    """Write a file whole (atomically), or UsageError saying why not."""
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def emit_text(ctx: Context, output: Path | None, text: str, saved: str, data: object) -> None:
    """Print `text` (a CSV, an HTML page) or, with -o, write it to `output` and print `saved`;
    --json emits `data` either way."""
    if output is not None:
        write_text(output, text)

    def show() -> None:
        if output is None:
            ctx.out.write(text if text.endswith("\n") else text + "\n")
        else:
            ctx.print(saved)

    ctx.emit(data, show)


async def emit_preview(
    ctx: Context,
    args: argparse.Namespace,
    what: str,
    call: Callable[[Backend], Awaitable[str]],
) -> int:
    """Print the HTML preview of `what` args.id, or with -o save it to args.output."""

    async def run(backend: Backend) -> int:
        html = await call(backend)
        emit_text(
            ctx,
            args.output,
            html,
            f"Wrote the {what} preview to {args.output}.",
            {"id": args.id, "html": html, "output": args.output},
        )
        return EXIT_OK

    return await with_backend(ctx, args.account, run)
