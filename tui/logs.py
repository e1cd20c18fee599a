"""Logging to a file in the data dir; secrets never reach it (see backends.scrub).

The log is the owner's only (0600, in the 0700 data directory). A log that cannot be
written (a full disk, a read-only medium) never prints a traceback over the user's
screen: the failure is remembered, and `where` then says the log is unavailable and why,
instead of pointing at a file that holds nothing.
"""

from __future__ import annotations

import errno
import logging
import sys
from pathlib import Path

from backends.scrub import ScrubFilter
from tui.paths import data_dir, private_data_dir, private_file

_handler: logging.Handler | None = None
_path: Path | None = None
# Why the log file could not be opened or written, once it could not.
_failure: str | None = None


class _QuietFileHandler(logging.FileHandler):
    """A FileHandler whose write errors are remembered, not printed with a traceback."""

    def handleError(self, record: logging.LogRecord) -> None:
        global _failure
        exc = sys.exc_info()[1]
        _failure = _reason(exc) if exc is not None else "it could not be written"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "the disk is full"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def where() -> str:
    """Where to read more about an error: the log file, or why there is none to read."""
    path = log_path()
    if _failure is not None:
        return f"the log {path} could not be written: {_failure}"
    return f"see {path}"


def log_path() -> Path:
    """Where the log file is."""
    return data_dir() / "switchboard.log"


def setup(*, verbose: bool = False) -> None:
    """Send the app's log records to the log file of the current data dir."""
    global _handler, _path, _failure
    # httpx logs full URLs at INFO, which would include a query-string api_key.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    root = logging.getLogger("switchboard")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    path = log_path()
    if _handler is not None and path == _path:
        return
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    _failure = None
    try:
        private_data_dir()
        private_file(path, create=True)
        handler: logging.Handler = _QuietFileHandler(path, encoding="utf-8")
    except OSError as exc:
        _failure = _reason(exc)
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # The last guard: a record (or its traceback) quoting any form of an account's secret
    # is written with *** instead, whoever logged it.
    handler.addFilter(ScrubFilter())
    root.addHandler(handler)
    _handler, _path = handler, path
