"""Where Switchboard keeps its files (XDG via platformdirs, overridable for tests), and
their permissions.

The data directory holds the journal (numbers, variables, message texts) and the log: it
is the owner's only (0700), and so are the files Switchboard keeps there (0600); what was
created looser by an older version is tightened when opened. Files the user names (exports,
results) keep the user's umask: they are the user's to share.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

import platformdirs

APP_NAME = "switchboard"


def config_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The config directory: --config-dir, then SWITCHBOARD_CONFIG_DIR, then the user's."""
    chosen = override or os.environ.get("SWITCHBOARD_CONFIG_DIR")
    return Path(chosen) if chosen else Path(platformdirs.user_config_dir(APP_NAME))


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory (journal, logs): SWITCHBOARD_DATA_DIR or the user's."""
    chosen = override or os.environ.get("SWITCHBOARD_DATA_DIR")
    return Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME))


PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def _tighten(path: Path, mode: int) -> None:
    """chmod `path` to `mode` when it allows more (only what we own can be changed)."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & ~mode:
            path.chmod(current & mode)
    except (FileNotFoundError, PermissionError):
        pass  # gone, or not ours (a shared directory): nothing to tighten


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner can enter: created 0700, tightened if looser."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    _tighten(path, PRIVATE_DIR)
    return path


def private_file(path: Path, *, create: bool = False) -> None:
    """`path` readable by its owner only: created 0600 (with `create`), tightened if looser.

    An existing file is never opened here: closing any descriptor of a file drops every
    POSIX lock this process holds on it, SQLite's included. A second journal connection in
    the process (the Jobs screen's reader beside a send) then left the first without its
    shared lock; another process closing the journal took it for the last user and deleted
    the WAL, and the first connection's later commits went to the deleted file, seen by no
    one else and lost if the process died (https://www.sqlite.org/howtocorrupt.html 2.2).
    """
    if create and not path.exists():
        with contextlib.suppress(FileExistsError):  # created meanwhile: not opened either
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
    _tighten(path, PRIVATE_FILE)


def private_data_dir() -> Path:
    """The data directory, created 0700 or tightened to it."""
    return private_dir(data_dir())
