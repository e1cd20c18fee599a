"""The `switchboard` command: the console by default, subcommands for scripts.

One module per command group registers its arguments and handlers (`common.py` holds
the context, output and confirmation helpers they share, `handlers.py` the list, show,
delete and preview shapes they repeat); a handler turns arguments into
a call on the engine, a use case or a backend and prints the result, as text or `--json`.
Exit codes: 0 success, 2 usage error, 3 the provider rejected some or all of a request,
130 interrupted (Ctrl-C), 143 terminated (SIGTERM; a running job pauses as on Ctrl-C),
141 the reader of the output went away (`| head`), 1 anything else. Every error is one line
on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, TextIO

from backends.errors import InvalidInput, ProviderError, SwitchboardError
from tui.files import file_problem
from tui.paths import config_dir

if TYPE_CHECKING:
    from tui.workspace import Workspace

log = logging.getLogger("switchboard.cli")

# Every command and the module (tui.cli.<module>) that registers and runs it, in the order
# `--help` lists them, with the help line `--help` shows. Only the module of the command
# being run is imported: `switchboard --help` and `account list` start without loading
# every command's dependencies (the console's Textual, the sandbox's starlette and
# uvicorn). tests/tui/test_cli_imports.py checks this table against the modules.
COMMANDS: dict[str, tuple[str, str]] = {
    "sandbox": ("sandbox", "the built-in provider emulators"),
    "receive": ("receive", "receive delivery notifications into the journal until Ctrl-C"),
    "account": ("accounts", "manage provider accounts"),
    "sms": ("messaging", "send SMS and look them up"),
    "otp": ("messaging", "generate and check one-time codes"),
    "whatsapp": ("messaging", "WhatsApp conversations"),
    "mail": ("sending", "send email"),
    "voice": ("sending", "voice calls"),
    "landing": ("sending", "landing-page SMS"),
    "scheduled": ("sending", "messages waiting for their send date"),
    "contacts": ("contacts", "address-book contacts"),
    "groups": ("contacts", "contact groups"),
    "blacklist": ("blacklist", "recipients never sent to, per channel"),
    "validation": ("validation", "email validation jobs"),
    "templates": ("templates", "HTML templates (legacy editor, or --v2 for current)"),
    "forms": ("forms", "web forms"),
    "campaigns": ("reports", "list campaigns and their sendings' totals"),
    "report": ("reports", "per-recipient reports of a sending (CSV)"),
    "certificate": ("reports", "download a certified message's certificate"),
    "shorten": ("reports", "short links (https://sms.tl/...) for long URLs"),
    "image": ("reports", "images hosted by the provider"),
    "coverage": ("reports", "SMS prices per country, or per network of one"),
    "survey": ("surveys", "send surveys (e.g. Xebo collectors)"),
    "request": ("surveys", "document/information requests (e.g. Collect)"),
    "survey-batch": ("eightbyeight", "SMS surveys in batches (e.g. 8x8 SMS Engage)"),
    "users": ("xerochat", "platform users (admin)"),
    "packages": ("xerochat", "subscription packages (admin)"),
    "subscribers": ("xerochat", "bot subscribers"),
    "labels": ("xerochat", "subscriber labels of a bot page"),
    "flows": ("xerochat", "flow campaigns and their answers"),
    "jobs": ("jobs", "send jobs in the journal: list, inspect, resume, watch, export"),
    "settings": ("settings", "the console's preferences (refresh interval, ...)"),
    "completion": ("shell", "print a shell completion script (bash, zsh, fish)"),
}
MODULES = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))
# Top-level options that take a value: the word after them is not the command.
_VALUED = ("--config-dir",)


def _words(argv: Sequence[str]) -> Iterator[str]:
    """The words of a command line that are not the value of a top-level option."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _VALUED:
            skip = True
        else:
            yield word


def command_of(argv: Sequence[str]) -> str | None:
    """The command `argv` runs (its first word that is one), or None (the console)."""
    for word in _words(argv):
        if word in COMMANDS:
            return word
        if not word.startswith("-"):
            return None  # not a command: argparse says so
    return None


def lists_commands(argv: Sequence[str]) -> bool:
    """Whether a command line with no command word needs the commands listed: for help
    (-h, --help or a prefix of it, -h among short options: -vh) or for a word argparse
    takes for a command, which it then names as no command of the list."""
    for word in _words(argv):
        if word in ("-", "--") or not word.startswith("-"):
            return True
        if word.startswith("--"):
            if len(word) > 2 and "--help".startswith(word.partition("=")[0]):
                return True
        elif "h" in word[1:]:
            return True
    return False


def build_parser(
    modules: Sequence[str] = MODULES, *, listed: bool = True
) -> argparse.ArgumentParser:
    """The argument parser, with the full arguments of the commands of `modules` (every
    module by default); the other commands are listed with their help line only if
    `listed` (a parser costs argparse about 1 ms: a command being run skips them)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    common.add_argument("--config-dir", default=argparse.SUPPRESS, help="directory of config.toml")
    # On every command, so it may follow the subcommand too (where people add it).
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="debug logging, to stderr as well as the log file",
    )
    parser = argparse.ArgumentParser(
        prog="switchboard",
        description="Terminal console for messaging and survey campaigns.",
        parents=[common],
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start the built-in sandbox and open the console on it",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    registered: set[str] = set()
    for name, (module, helptext) in COMMANDS.items():
        if module not in modules:
            if listed:
                sub.add_parser(name, help=helptext)
        elif module not in registered:
            registered.add(module)
            import_module(f"tui.cli.{module}").register(sub, common)
    return parser


# The script this package installs: the distribution that declares it is ours, whatever
# the distribution is called on the package index (its name may change).
ENTRY_POINT = "tui.cli:main"


def installed_version() -> str:
    """The version of the installed distribution that provides the `switchboard` command."""
    # Imported here: only --version pays for reading the installed metadata.
    from importlib.metadata import entry_points

    for ep in entry_points(group="console_scripts", name="switchboard"):
        if ep.value == ENTRY_POINT and ep.dist is not None:
            return ep.dist.version
    return "unknown (not installed: run from a source tree)"


class _Version(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"switchboard {installed_version()}")  # stdout, as argparse's own version does
        parser.exit()


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (also used by the console script)."""
    code = run(argv, out=out)
    if argv is None:
        try:
            sys.stdout.flush()  # what is still buffered, while a closed pipe can be told
        except BrokenPipeError:
            code = _pipe_closed()
        sys.exit(code)
    return code


def _pipe_closed() -> int:
    """A reader that went away (`switchboard ... | head -2`) ends the command as SIGPIPE
    ends any Unix tool: quietly, with the shell's status for it (141). Stdout is pointed at
    /dev/null: the interpreter's last flush would fail again, loudly."""
    import contextlib
    import os
    import signal

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 128 + signal.SIGPIPE


def run(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Parse and dispatch; the exit code."""
    words = sys.argv[1:] if argv is None else list(argv)
    command = command_of(words)
    # A command found: its module alone. None: `--help` and a mistyped command list every
    # command by name (no module loaded); the console parses its own options alone (the
    # list cost its first frame about 4 ms).
    if command:
        parser = build_parser([COMMANDS[command][0]], listed=False)
    else:
        parser = build_parser([], listed=lists_commands(words))
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:
        # argparse exits 0 after --help and 2 (EXIT_USAGE) on a usage error.
        return exc.code if isinstance(exc.code, int) else 2
    # What only a command that runs needs (`--help` and usage errors have returned).
    from tui import logs
    from tui.workspace import Workspace

    out = out or sys.stdout
    directory = config_dir(getattr(args, "config_dir", None))
    verbose = getattr(args, "verbose", False)
    logs.setup(verbose=verbose)

    workspace = Workspace(directory)
    if args.command is None:
        # The commands' shared helpers (tui.cli.common) are imported below, off the
        # console's way to its first frame; here only where it cannot open.
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            # The console needs a terminal both ways: without one it would write escape
            # codes into a file and wait for keys that never come.
            parser.print_usage(sys.stderr)
            print(
                "switchboard: the console needs a terminal; give a COMMAND to run without one",
                file=sys.stderr,
            )
            from tui.cli.common import EXIT_USAGE

            return EXIT_USAGE
        _warn_shared_variables(workspace)
        from tui.interpreter import hold_collections, tune_interpreter

        # The console's GC and GIL settings from here on, and no collection until its
        # first frame is drawn: Textual's import and the first screen allocate much and
        # free little.
        tune_interpreter()
        hold_collections()
        from tui.app import run_console

        try:
            return run_console(workspace, sandbox=args.sandbox)
        except SwitchboardError as exc:
            _error(str(exc))
            from tui.cli.common import EXIT_ERROR

            return EXIT_ERROR
    from tui.cli.common import (
        EXIT_ERROR,
        EXIT_REJECTED,
        EXIT_USAGE,
        Context,
        UsageError,
        check_texts,
        resolve_account,
        stdin_as_file,
    )

    _warn_shared_variables(workspace)
    from tui.interpreter import tune_collections

    tune_collections()
    ctx = Context(
        workspace=workspace,
        json=getattr(args, "json", False),
        out=out,
        err=sys.stderr,
        config_dir=directory,
        interactive=sys.stdin.isatty(),
    )
    import asyncio
    import signal

    from tui.engine.processes import sigterm_as_sigint

    received: list[int] = []
    try:
        check_texts(args)  # before any network or preflight work
        resolve_account(ctx, args)
        with stdin_as_file(args), _debug_to_stderr(verbose):
            code: int = asyncio.run(sigterm_as_sigint(args.handler(ctx, args), received))
        ctx.out.flush()
        return code
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except InvalidInput as exc:
        # A backend refused the input before any request (e.g. two groups for XeroChat):
        # the command was called wrongly. Other ValueErrors stay bugs, reported below.
        _error(exc.message)
        return EXIT_USAGE
    except ProviderError as exc:
        _error(str(exc))
        return EXIT_REJECTED
    except SwitchboardError as exc:
        _error(exc.message)
        return EXIT_ERROR
    except KeyboardInterrupt:
        # Ctrl-C or SIGTERM: a running job was paused and said how to resume it.
        if signal.SIGTERM in received:
            print("switchboard: terminated", file=sys.stderr)
            return 128 + signal.SIGTERM
        print("switchboard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        log.info("output pipe closed by its reader")
        return _pipe_closed() if ctx.out is sys.stdout else 128 + signal.SIGPIPE
    except OSError as exc:
        # A file that cannot be written or read (a full disk, a read-only medium): the
        # cause and the place in one line; the details go to the log if it can take them.
        logging.getLogger("switchboard").warning("file error", exc_info=exc)
        _error(file_problem(exc))
        return EXIT_ERROR
    except Exception as exc:  # a bug: say so in one line, details in the log
        logging.getLogger("switchboard").exception("unexpected error")
        print(
            f"switchboard: unexpected error ({type(exc).__name__}); {logs.where()}",
            file=sys.stderr,
        )
        return EXIT_ERROR


@contextlib.contextmanager
def _debug_to_stderr(verbose: bool) -> Iterator[None]:
    """With -v, a command's log records go to stderr too (scrubbed like the log file's)."""
    if not verbose:
        yield
        return
    from backends.scrub import ScrubFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubFilter())
    root = logging.getLogger("switchboard")
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


def _warn_shared_variables(workspace: Workspace) -> None:
    """Say at start which accounts share a secret variable (none of them reads it)."""
    try:
        warnings = workspace.shared_secret_variables()
    except SwitchboardError:
        return  # a broken config: the command itself reports it
    for text in warnings:
        log.warning("shown: %s", text)
        print(f"switchboard: warning: {text}", file=sys.stderr)


def _error(text: str) -> None:
    """Say on stderr why the command failed, and log it: what a user saw is in the log."""
    from backends.scrub import scrub_known

    text = scrub_known(text)  # whatever raised it, no form of a secret is shown
    log.warning("shown: %s", text)
    print(f"switchboard: {text}", file=sys.stderr)
