"""The one way Switchboard writes a file: whole or not at all.

Every file the application writes for a user (config, exports, results, reports,
certificates) goes through here, so a crash, a full disk or a failed export never leaves
half a file under the name the user chose, and never replaces a good file with a broken one.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


def _umask() -> int:
    """The process's umask, read without changing it (os.umask would, for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o077  # unknown: the owner only


@contextmanager
def _temp_beside(path: Path, mode: int | None) -> Iterator[tuple[int, Path]]:
    # Beside the target so that the final rename stays on one file system (atomic).
    # mkstemp makes it the owner's only; a file the user named (an export, a report)
    # then takes the mode any new file of theirs would (their umask): it is theirs to
    # share. Our own private files pass their mode (0600).
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        yield fd, Path(tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text(path: Path, *, fsync: bool = False) -> Iterator[TextIO]:
    """A UTF-8 text file to write into (newlines as written, CSV-ready); it replaces `path`
    only when the block ends without an exception, otherwise `path` is left as it was.
    Its mode is the umask's, as any file the user creates."""
    with _temp_beside(path, None) as (fd, tmp):
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)


def write_atomic(
    path: Path, data: str | bytes, *, fsync: bool = False, mode: int | None = None
) -> None:
    """Write `data` (text as UTF-8) to `path` so that readers never see half of it.

    `fsync` flushes it to disk before the rename (the config, which must survive a power
    cut); `mode` sets its permissions before it holds anything (default: the umask's).
    """
    with _temp_beside(path, mode) as (fd, tmp):
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)


def file_problem(exc: OSError) -> str:
    """One line naming why a file could not be written or read, and where: "the disk is
    full (/path)" rather than an error's class name."""
    name = str(exc.filename) if exc.filename is not None else ""
    if name.endswith(".tmp") and Path(name).name.startswith("."):
        name = str(Path(name).parent)  # our temp file beside the target: its folder says where
    where = f" ({name})" if name else ""
    if exc.errno == errno.ENOSPC:
        return f"the disk is full{where}"
    if exc.errno == errno.EDQUOT:
        return f"the disk quota is used up{where}"
    if exc.errno == errno.EROFS:
        return f"the disk is read-only{where}"
    return f"{(exc.strerror or type(exc).__name__).lower()}{where}"
