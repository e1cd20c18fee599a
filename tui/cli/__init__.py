"""The `switchboard` command: the console by default, subcommands for scripts.

One module per command group registers its arguments and handlers (`common.py` holds
the context, output and confirmation helpers they share, `handlers.py` the list, show,
delete and preview shapes they repeat); a handler turns arguments into
a call on the engine, a use case or a backend and prints the result, as text or `--json`.
Exit codes: 0 success, 2 usage error, 3 the provider rejected some or all of a request,
130 interrupted (Ctrl-C), 143 terminated (SIGTERM; a running job pauses as on Ctrl-C),
1 anything else. Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from typing import TextIO

from backends.errors import InvalidInput, ProviderError, SwitchboardError
from backends.scrub import scrub_known
from tui import logs
from tui.cli import (
    accounts,
    blacklist,
    contacts,
    eightbyeight,
    forms,
    jobs,
    messaging,
    reports,
    sandbox,
    sending,
    settings,
    surveys,
    templates,
    validation,
    xerochat,
)
from tui.cli.common import (
    EXIT_ERROR,
    EXIT_REJECTED,
    EXIT_USAGE,
    Context,
    UsageError,
    check_texts,
)
from tui.engine.processes import sigterm_as_sigint
from tui.files import file_problem
from tui.paths import config_dir
from tui.workspace import Workspace

log = logging.getLogger("switchboard.cli")

MODULES = (
    sandbox,
    accounts,
    messaging,
    sending,
    contacts,
    blacklist,
    validation,
    templates,
    forms,
    reports,
    surveys,
    eightbyeight,
    xerochat,
    jobs,
    settings,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    common.add_argument("--config-dir", default=argparse.SUPPRESS, help="directory of config.toml")
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
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in MODULES:
        module.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (also used by the console script)."""
    code = run(argv, out=out)
    if argv is None:
        sys.exit(code)
    return code


def run(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Parse and dispatch; the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    out = out or sys.stdout
    directory = config_dir(getattr(args, "config_dir", None))
    logs.setup(verbose=args.verbose)
    workspace = Workspace(directory)
    _warn_shared_variables(workspace)
    if args.command is None:
        from tui.app import run_console

        try:
            return run_console(workspace, sandbox=args.sandbox)
        except SwitchboardError as exc:
            _error(str(exc))
            return EXIT_ERROR
    ctx = Context(
        workspace=workspace,
        json=getattr(args, "json", False),
        out=out,
        err=sys.stderr,
        config_dir=directory,
        interactive=sys.stdin.isatty(),
    )
    received: list[int] = []
    try:
        check_texts(args)  # before any network or preflight work
        code: int = asyncio.run(sigterm_as_sigint(args.handler(ctx, args), received))
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
    text = scrub_known(text)  # whatever raised it, no form of a secret is shown
    log.warning("shown: %s", text)
    print(f"switchboard: {text}", file=sys.stderr)
