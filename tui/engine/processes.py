"""Whether a process that recorded itself (pid and start time) is still running: how the
send journal tells a job running elsewhere from one left behind by a process that died;
and how a sending process answers SIGTERM (like Ctrl-C: the job pauses, resumable)."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Awaitable
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")


def process_started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid apart."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    fields = stat[stat.rfind(b")") + 2 :].split()
    if fields[0] in (b"Z", b"X"):
        return "dead"  # a zombie has exited; its parent just has not reaped it yet
    return fields[19].decode()


def process_alive(pid: int, started: str | None = None) -> bool:
    """Whether `pid` is still the process that recorded `started`."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    now_started = process_started(pid)
    if now_started == "dead":
        return False
    return started is None or now_started is None or now_started == started


async def sigterm_as_sigint(work: Awaitable[T], received: list[int] | None = None) -> T:
    """Await `work` (the main task of `asyncio.run`) with SIGTERM taking SIGINT's path.

    `asyncio.run` answers SIGINT by cancelling its main task and then raising
    KeyboardInterrupt: a running job stops claiming, records what was in flight as UNKNOWN
    and is left PAUSED ("interrupted"), resumable. SIGTERM's default is to die on the spot,
    leaving the job RUNNING with rows SENDING; here it calls the same handler. The signals
    received are appended to `received` (the caller's exit code tells them apart).
    """
    on_sigint = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(on_sigint):
        return await work  # signal handlers can only be set from the main thread

    def handler(signum: int, frame: FrameType | None) -> Any:
        if received is not None:
            received.append(signum)
        return on_sigint(signum, frame)

    previous_term = signal.signal(signal.SIGTERM, handler)
    previous_int = signal.signal(signal.SIGINT, handler)
    try:
        return await work
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
