"""Logging to a file in the data dir; secrets never reach it (see backends.http)."""

from __future__ import annotations

import logging
from pathlib import Path

from tui.paths import data_dir

_handler: logging.Handler | None = None
_path: Path | None = None


def log_path() -> Path:
    """Where the log file is."""
    return data_dir() / "switchboard.log"


def setup(*, verbose: bool = False) -> None:
    """Send the app's log records to the log file of the current data dir."""
    global _handler, _path
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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    _handler, _path = handler, path
