"""Whether a process that recorded itself (pid and start time) is still running: how the
send journal tells a job running elsewhere from one left behind by a process that died."""

from __future__ import annotations

import os


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
