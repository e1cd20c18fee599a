"""`switchboard receive`: the delivery- and event-notification receiver in the foreground."""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from pathlib import Path
from typing import Any

from backends.errors import ConfigError
from backends.sandbox.core import SandboxServer
from tui.cli.common import EXIT_OK, Context, UsageError
from tui.engine.delivery_url import BASE_URL_OPTION
from tui.engine.journal import Journal
from tui.engine.receiver import Receiver
from tui.receiver_process import DEFAULT_LISTEN, split_listen


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the receive command."""
    p = sub.add_parser(
        "receive",
        parents=[common],
        help="receive delivery notifications into the journal until Ctrl-C",
        description=(
            "Listen for the delivery notifications of jobs sent from an account whose "
            f"`{BASE_URL_OPTION}` option is the public URL that reaches this address "
            "(your proxy or tunnel), and for the account's event notifications (POSTs to "
            "the URL `switchboard account event-url NAME` prints, set at the provider)."
        ),
    )
    p.add_argument(
        "--listen", default=DEFAULT_LISTEN, metavar="HOST:PORT", help="address to listen on"
    )
    p.add_argument("--journal", type=Path, help="journal file (default: in the data dir)")
    p.add_argument(
        "--parent-watch",
        action="store_true",
        help="also stop when standard input closes (how the console stops the receiver it "
        "started, even when the console itself is killed)",
    )
    p.set_defaults(handler=cmd_receive)


def parse_listen(text: str) -> tuple[str, int]:
    """HOST:PORT as (host, port); UsageError when it is not one."""
    try:
        return split_listen(text)
    except ConfigError as exc:
        raise UsageError(f"--listen {exc.message}") from None


def _stop_at_end_of_input(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Wait (in a thread) for standard input to close, then set `stop`.

    Nothing is ever written to it: only its end matters, which comes when the process
    holding the other end (the console) exits or closes it, however it ends."""
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except (AttributeError, OSError, ValueError):
        pass  # no usable standard input: it cannot tell anything more
    loop.call_soon_threadsafe(stop.set)


async def cmd_receive(ctx: Context, args: argparse.Namespace) -> int:
    """Serve the receiver until Ctrl-C; what was received is written before it stops."""
    host, port = parse_listen(args.listen)
    with Journal(args.journal) as journal:
        receiver = Receiver(journal)
        server = SandboxServer(receiver.app, host=host, port=port, lifespan=True)
        try:
            server.start()
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        try:
            ctx.emit(
                {"listening": server.url, "route": "/dlr/<token>", "events": "/events/<token>"},
                lambda: ctx.print(
                    f"Receiving delivery notifications on {server.url}/dlr/<token> and event "
                    f"notifications on {server.url}/events/<token>; the account's "
                    f"{BASE_URL_OPTION} option must reach it (`switchboard account event-url "
                    "NAME` gives the event URL to set at the provider). Ctrl-C stops."
                ),
            )
            ctx.out.flush()
            stop = asyncio.Event()
            if args.parent_watch:
                loop = asyncio.get_running_loop()
                watcher = threading.Thread(
                    target=_stop_at_end_of_input, args=(loop, stop), daemon=True
                )
                watcher.start()
            # Awaited, so Ctrl-C (asyncio.run cancels this task) ends it at once.
            await stop.wait()
        finally:
            server.stop()
            ctx.print(
                f"Stopped: {receiver.written} reports written, {receiver.refused} refused."
                + _events_line(receiver)
            )
    return EXIT_OK


def _events_line(receiver: Receiver) -> str:
    """What became of the event notifications that were not delivery reports, if any came."""
    if not (receiver.events_written or receiver.ignored):
        return ""
    return (
        f" {receiver.events_written} other events written, {receiver.ignored} without an id "
        "(sent from the website) ignored."
    )
