"""`switchboard sandbox serve`: the emulators in the foreground."""

from __future__ import annotations

import argparse
import threading
from typing import Any

from tui import sandbox
from tui.cli.common import EXIT_OK, Context


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the sandbox command."""
    p = sub.add_parser("sandbox", help="the built-in provider emulators")
    ps = p.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    serve = ps.add_parser("serve", parents=[common], help="run the sandbox until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8360, help="first port (0: any free port)")
    serve.set_defaults(handler=cmd_serve)


async def cmd_serve(ctx: Context, args: argparse.Namespace) -> int:
    """Run the emulators and print how to connect to them."""
    running = sandbox.start(args.host, args.port)
    try:

        def show() -> None:
            for s in running:
                ctx.print(
                    f"{s.spec.provider} sandbox: {s.base_url}\n"
                    f"  demo credentials: username {s.spec.username!r}, "
                    f"secret {s.spec.secret!r} (sandbox only)\n"
                    f"  switchboard account add {s.spec.account_name} "
                    f"--provider {s.spec.provider} --base-url {s.base_url} "
                    f"--username {s.spec.username}"
                )

        ctx.emit(
            [
                {
                    "provider": s.spec.provider,
                    "base_url": s.base_url,
                    "username": s.spec.username,
                    "secret": s.spec.secret,
                }
                for s in running
            ],
            show,
        )
        ctx.print("Press Ctrl-C to stop.")
        ctx.out.flush()
        # Sleep in a thread-friendly way so Ctrl-C (KeyboardInterrupt) ends the command.
        stop = threading.Event()
        while not stop.wait(3600):
            pass
    finally:
        sandbox.stop(running)
    return EXIT_OK
