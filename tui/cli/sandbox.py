"""`switchboard sandbox serve`: the emulators in the foreground."""

from __future__ import annotations

import argparse
import asyncio
import re
import shlex
from typing import Any

from backends.sandbox.core import SandboxServer
from backends.sandbox.faults import FaultMiddleware, FaultProfile, profile_from_args
from tui import sandbox
from tui.cli.common import EXIT_OK, Context, UsageError

# The emulator that posts event notifications (360nrs's, backends/sandbox/nrs360/events.py).
EVENTS_PROVIDER = "360nrs"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the sandbox command."""
    p = sub.add_parser("sandbox", help="the built-in provider emulators")
    ps = p.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    serve = ps.add_parser("serve", parents=[common], help="run the sandbox until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8360, help="first port (0: any free port)")
    serve.add_argument(
        "--event-url",
        metavar="URL",
        help=(
            "where the 360nrs emulator posts its event notifications (the setting its "
            "dashboard would hold; `switchboard account event-url NAME` prints yours)"
        ),
    )
    faults = serve.add_argument_group("fault injection (every emulator)")
    faults.add_argument("--latency-ms", type=float, help="added to every request")
    faults.add_argument(
        "--rate-limit", type=float, metavar="RPS", help="answer 429 with Retry-After above this"
    )
    faults.add_argument("--error-rate", type=float, metavar="P", help="share of 500/503 answers")
    faults.add_argument(
        "--drop-rate", type=float, metavar="P", help="share of connections dropped after processing"
    )
    faults.add_argument(
        "--slow-rate", type=float, metavar="P", help="share of answers delayed by --slow-seconds"
    )
    faults.add_argument("--slow-seconds", type=float, help="delay of a slow answer (default 5)")
    faults.add_argument("--fault-seed", type=int, help="seed of the fault draws (default 0)")
    serve.set_defaults(handler=cmd_serve)


def _profile(args: argparse.Namespace) -> FaultProfile | None:
    try:
        return profile_from_args(
            latency_ms=args.latency_ms,
            rate_limit_rps=args.rate_limit,
            error_rate=args.error_rate,
            drop_rate=args.drop_rate,
            slow_rate=args.slow_rate,
            slow_seconds=args.slow_seconds,
            seed=args.fault_seed,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _start(
    host: str, port: int, faults: FaultProfile | None, event_url: str | None
) -> list[sandbox.RunningSandbox]:
    """Start the emulators, each behind its own fault layer when faults are asked for; the
    360nrs one posting its events to `event_url`, if given."""
    running: list[sandbox.RunningSandbox] = []
    try:
        for i, spec in enumerate(sandbox.SPECS):
            app = spec.factory()
            if event_url is not None and spec.provider == EVENTS_PROVIDER:
                # The emulator's stand-in for the dashboard (backends/sandbox/nrs360/events.py).
                app.state.events.url = event_url
            if faults is not None:
                # Outermost, so it works for every emulator the same way; nobody reads the
                # request log of a foreground sandbox, so logging faulted requests is moot.
                app = FaultMiddleware(app, profile=faults)
            server = SandboxServer(app, host=host, port=port + i if port else 0)
            server.start()
            running.append(sandbox.RunningSandbox(spec, server))
    except BaseException:
        sandbox.stop(running)
        raise
    return running


def _event_url(text: str | None) -> str | None:
    """--event-url, checked; UsageError when it is not an http(s) URL."""
    if text is None:
        return None
    if not re.match(r"^https?://[^\s/]+", text):
        raise UsageError(f"--event-url expects an http:// or https:// URL, got {text!r}")
    return text


def account_add_line(s: sandbox.RunningSandbox) -> str:
    """The `switchboard account add` command that connects to a running emulator.

    Every account option goes in as `--option KEY=VALUE` (a Xebo account without its
    collector, or an 8x8 one without its subaccount, cannot send); the secret is asked for.
    """
    words = ["switchboard", "account", "add", s.spec.account_name]
    words += ["--provider", s.spec.provider, "--base-url", s.base_url]
    if s.spec.username:
        words += ["--username", s.spec.username]
    for key, value in s.spec.options.items():
        words += ["--option", f"{key}={value}"]
    return shlex.join(words)


async def cmd_serve(ctx: Context, args: argparse.Namespace) -> int:
    """Run the emulators and print how to connect to them."""
    faults = _profile(args)
    event_url = _event_url(args.event_url)
    running = _start(args.host, args.port, faults, event_url)
    try:

        def show() -> None:
            for s in running:
                ctx.print(
                    f"{s.spec.provider} sandbox: {s.base_url}\n"
                    f"  demo credentials: username {s.spec.username!r}, "
                    f"secret {s.spec.secret!r} (sandbox only)\n"
                    f"  {account_add_line(s)}"
                )

        ctx.emit(
            [
                {
                    "provider": s.spec.provider,
                    "base_url": s.base_url,
                    "username": s.spec.username,
                    "secret": s.spec.secret,
                    "options": dict(s.spec.options),
                }
                for s in running
            ],
            show,
        )
        if event_url is not None:
            ctx.print(f"The {EVENTS_PROVIDER} sandbox posts its event notifications to {event_url}")
        if faults is not None:
            ctx.print(f"Injecting faults: {faults}")
        ctx.print("Press Ctrl-C to stop.")
        ctx.out.flush()
        # Wait on the event loop: asyncio.run answers the first Ctrl-C by cancelling this
        # wait (a blocking wait here would keep the loop from seeing it until a second one).
        await asyncio.Event().wait()
    finally:
        sandbox.stop(running)
    return EXIT_OK
