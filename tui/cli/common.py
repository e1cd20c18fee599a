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
    from tui.engine.ratelimit import RateLimiter

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

    def emit_list(
        self, items: Sequence[Any], text: Callable[[], None], *, total: int | None = None
    ) -> None:
        """A list command's output: with --json, `items` in the one envelope (`listing`)."""
        self.emit(listing(items, total=total), text)

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


def listing(items: Sequence[Any], *, total: int | None = None) -> dict[str, Any]:
    """The JSON envelope of every list command: the shape of one page of a paged listing
    (`backends.models.common.Page`), here a single page holding every item. `total` is
    the provider's count when it says there are more than it returned."""
    count = len(items)
    return {
        "items": list(items),
        "page": 1,
        "per_page": count,
        "total": count if total is None else total,
        "total_pages": 1,
    }


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
    # Widths in terminal cells, not characters: a CJK name or an emoji takes two cells.
    from rich.cells import cell_len

    def pad(text: str, width: int) -> str:
        return text + " " * (width - cell_len(text))

    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [cell_len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], cell_len(c))
    line = "  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True))
    ctx.print(line.rstrip())
    for row in cells:
        ctx.print("  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
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


# Where a parser names its file option that may be '-' (standard input).
STDIN_OPTION = "stdin_option"


def reads_stdin(parser: argparse.ArgumentParser, dest: str) -> None:
    """The file option `dest` of `parser` takes '-' for standard input (`stdin_as_file`)."""
    parser.set_defaults(**{STDIN_OPTION: dest})


@contextmanager
def stdin_as_file(args: argparse.Namespace) -> Iterator[None]:
    """While the command runs, a file option given as '-' names a private copy of standard
    input: the readers behind it take a file (they look at its start to tell the separator,
    then read it again), which a pipe cannot give twice."""
    dest = getattr(args, STDIN_OPTION, None)
    value = getattr(args, dest, None) if dest else None
    if value is None or str(value) != "-":
        yield
        return
    assert dest is not None
    import tempfile  # only for '-'

    stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
    data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    # mkdtemp: a directory only its owner can enter; the numbers in it are removed after.
    with tempfile.TemporaryDirectory(prefix="switchboard-") as directory:
        path = Path(directory) / "standard-input.csv"
        path.write_bytes(data)
        setattr(args, dest, path if isinstance(value, Path) else str(path))
        try:
            yield
        finally:
            setattr(args, dest, value)


def add_account_arg(parser: argparse.ArgumentParser) -> None:
    """The -a/--account option most commands take; without it, the default account
    (`switchboard account use NAME`) is used (`resolve_account`)."""
    parser.add_argument(
        "-a", "--account", help="account name (default: the one `switchboard account use` set)"
    )
    parser.set_defaults(**{NEEDS_ACCOUNT: True})


NEEDS_ACCOUNT = "needs_account"


def resolve_account(ctx: Context, args: argparse.Namespace) -> None:
    """Fill in the default account where a command needs one and -a was not given;
    UsageError saying how to choose one when there is no default."""
    if not getattr(args, NEEDS_ACCOUNT, False) or args.account is not None:
        return
    args.account = ctx.workspace.default_account()
    if args.account is None:
        raise UsageError(
            "no account given: add -a NAME, or choose a default with "
            "`switchboard account use NAME` (`switchboard account list` shows the names)"
        )


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


def _positive(text: str) -> float:
    """A positive finite number (argparse names the option on refusal)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"not a positive number: {text!r}")
    return value


def add_rate_args(parser: argparse.ArgumentParser) -> None:
    """--rate and --burst: the provider's request limit, when the operator knows it."""
    parser.add_argument(
        "--rate", type=_positive, metavar="RPS", help="requests per second the provider allows"
    )
    parser.add_argument(
        "--burst",
        type=_positive,
        metavar="N",
        help="requests the provider takes at once before --rate applies (default 1)",
    )


def limiter_of(args: argparse.Namespace) -> RateLimiter | None:
    """The send's rate limiter from --rate/--burst (None: learnt from the provider's 429s)."""
    if args.burst is not None and args.rate is None:
        raise UsageError("--burst goes with --rate")
    if args.rate is None:
        return None
    from tui.engine.ratelimit import RateLimiter

    return RateLimiter(args.rate, burst=args.burst or 1.0, stated=True)
