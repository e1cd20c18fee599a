"""What every command shares: the context, output in text or JSON, exit codes."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import enum
import getpass
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from tui.usecases.confirm import CONFIRM_ABOVE, DELETE_ALL_PHRASE, Need, needed
from tui.workspace import Workspace

if TYPE_CHECKING:
    from backends.base import Backend

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3


class UsageError(Exception):
    """A command was called wrongly; exit code 2."""


@dataclass
class Context:
    """What a command handler gets besides its arguments."""

    workspace: Workspace
    json: bool
    out: TextIO
    err: TextIO
    config_dir: Path
    interactive: bool

    def emit(self, data: Any, text: Callable[[], None]) -> None:
        """Print `data` as JSON with --json, else call `text` to print it for people."""
        if self.json:
            self.out.write(orjson.dumps(jsonable(data), option=orjson.OPT_INDENT_2).decode())
            self.out.write("\n")
        else:
            text()

    def print(self, *parts: object) -> None:
        """A line for people (suppressed with --json)."""
        if not self.json:
            print(*parts, file=self.out)

    def confirm(
        self,
        question: str,
        *,
        assume_yes: bool,
        count: int | None = 1,
        destructive: bool = True,
        every: str = DELETE_ALL_PHRASE,
    ) -> None:
        """Ask what the confirmation policy (tui.usecases.confirm) needs before an action
        on `count` targets (None: all of them); UsageError if not confirmed."""
        policy = needed(count, destructive=destructive, assume_yes=assume_yes, every=every)
        if policy.need is Need.NOTHING:
            return
        if not self.interactive:
            raise UsageError(f"{question} Refusing without --yes (not a terminal).")
        prompt = "[y/N]" if policy.need is Need.ASK else f"Type {policy.phrase} to confirm:"
        try:
            answer = input(f"{question} {prompt} ")
        except EOFError:
            # Ctrl-D answers nothing: declined, like N (on a line of its own).
            print(file=self.err)
            answer = ""
        if not policy.accepts(answer):
            raise UsageError("cancelled")

    def read_secret(self, prompt: str, *, from_stdin: bool) -> str:
        """A secret from standard input or a hidden prompt; never echoed."""
        if from_stdin:
            secret = sys.stdin.readline().rstrip("\r\n")
        elif self.interactive:
            try:
                secret = getpass.getpass(prompt)
            except EOFError:
                print(file=self.err)
                raise UsageError("cancelled") from None
        else:
            raise UsageError("no terminal to prompt for the secret: use --secret-stdin")
        if not secret:
            raise UsageError("the secret is empty")
        return secret


def jsonable(obj: Any) -> Any:
    """Dataclasses, enums and datetimes as plain JSON values."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return out
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


def table(ctx: Context, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Print rows as an aligned text table."""
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    ctx.print(line.rstrip())
    for row in cells:
        ctx.print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    if not cells:
        ctx.print("(none)")


def check_writable(path: Path, force: bool) -> None:
    """UsageError when `path` exists and --force was not given (checked before any request)."""
    if path.exists() and not force:
        raise UsageError(f"{path} exists; use --force to overwrite it")
    if path.is_dir():
        raise UsageError(f"{path} is a directory")


async def with_backend(ctx: Context, name: str, fn: Callable[[Backend], Awaitable[int]]) -> int:
    """Open an account's backend, run `fn`, and close it."""
    backend = await ctx.workspace.open(name)
    async with backend:
        return await fn(backend)


Handler = Callable[[Context, argparse.Namespace], Awaitable[int]]


def require(ctx: Context, account: str, api: type[Any]) -> None:
    """UsageError when the account's provider does not offer the capability interface
    `api` (e.g. SurveysApi): checked before anything is journaled or sent (a job for it
    could never be sent)."""
    from backends.registry import backend_class  # every backend: only when a command needs one

    cls = backend_class(ctx.workspace.account(account).provider)
    if not cls.supports(api.offers):
        raise UsageError(f"{cls.label} accounts cannot send {api.what}")


# Where a parser lists its text options that must not be blank (dest -> flag).
TEXT_OPTIONS = "text_options"


def add_text_arg(parser: argparse._ActionsContainer, *flags: str, **kwargs: Any) -> None:
    """An option whose text, when given, must not be empty or only spaces: `check_texts`
    refuses it before the command does anything (exit 2), where a provider would refuse
    it only after the preflight."""
    action = parser.add_argument(*flags, **kwargs)
    texts = {**(parser.get_default(TEXT_OPTIONS) or {}), action.dest: flags[0]}
    parser.set_defaults(**{TEXT_OPTIONS: texts})


def check_texts(args: argparse.Namespace) -> None:
    """UsageError naming the first text option (`add_text_arg`) given empty or blank."""
    for dest, flag in (getattr(args, TEXT_OPTIONS, None) or {}).items():
        value = getattr(args, dest, None)
        if isinstance(value, str) and not value.strip():
            raise UsageError(f"{flag} is empty")


def add_account_arg(parser: argparse.ArgumentParser) -> None:
    """The -a/--account option most commands take."""
    parser.add_argument("-a", "--account", required=True, help="account name")


def add_yes_arg(parser: argparse.ArgumentParser) -> None:
    """--yes: skip the confirmation a bulk send needs (tui.usecases.confirm), for scripts."""
    parser.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help=f"do not ask for confirmation (asked above {CONFIRM_ABOVE} recipients)",
    )


def say_not_done(ctx: Context, job_id: int, status: str, reason: str | None) -> None:
    """Tell the operator a job stopped before the end, and how to carry on."""
    print(
        f"switchboard: job {job_id} {status.lower()}: {reason}; "
        f"resume it with `switchboard jobs resume {job_id}`",
        file=ctx.err,
    )


@contextmanager
def resumable(ctx: Context, job_id: int) -> Iterator[None]:
    """Around a job's run: interrupted (Ctrl-C, SIGTERM), the job is paused (the engine
    records what was in flight); say how to carry on before the interruption goes up."""
    try:
        yield
    except (asyncio.CancelledError, KeyboardInterrupt):
        say_not_done(ctx, job_id, "paused", "interrupted")
        raise


@dataclass
class HeldContext(Context):
    """A context that keeps what is emitted as JSON instead of printing it, for a command
    that prints one document with more added (a job's summary and its recipients)."""

    held: list[Any] = dataclasses.field(default_factory=list)

    @classmethod
    def of(cls, ctx: Context) -> HeldContext:
        """A holding copy of `ctx`."""
        return cls(**{f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)})

    def emit(self, data: Any, text: Callable[[], None]) -> None:
        if self.json:
            self.held.append(data)
        else:
            text()
