"""`switchboard receive`: the delivery- and event-notification receiver in the foreground."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from backends.sandbox.core import SandboxServer
from tui.cli.common import EXIT_OK, Context, UsageError
from tui.engine.delivery_url import BASE_URL_OPTION
from tui.engine.journal import Journal
from tui.engine.receiver import Receiver


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
        "--listen", default="127.0.0.1:8765", metavar="HOST:PORT", help="address to listen on"
    )
    p.add_argument("--journal", type=Path, help="journal file (default: in the data dir)")
    p.set_defaults(handler=cmd_receive)


def parse_listen(text: str) -> tuple[str, int]:
    """HOST:PORT as (host, port); UsageError when it is not one."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(f"--listen expects HOST:PORT (such as 127.0.0.1:8765), got {text!r}")
    return host.strip("[]"), int(port)


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
            # Awaited, so Ctrl-C (asyncio.run cancels this task) ends it at once.
            await asyncio.Event().wait()
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
