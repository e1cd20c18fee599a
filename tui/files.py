"""The one way Switchboard writes a file: whole or not at all.

Every file the application writes for a user (config, exports, results, reports,
certificates) goes through here, so a crash, a full disk or a failed export never leaves
half a file under the name the user chose, and never replaces a good file with a broken one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


@contextmanager
def _temp_beside(path: Path) -> Iterator[tuple[int, Path]]:
    # Beside the target so that the final rename stays on one file system (atomic);
    # mkstemp creates it readable by its owner only, which exports of contacts and
    # journals should be anyway.
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        yield fd, Path(tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text(path: Path, *, fsync: bool = False) -> Iterator[TextIO]:
    """A UTF-8 text file to write into (newlines as written, CSV-ready); it replaces `path`
    only when the block ends without an exception, otherwise `path` is left as it was."""
    with _temp_beside(path) as (fd, tmp):
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
    cut); `mode` sets its permissions before it appears under its name.
    """
    with _temp_beside(path) as (fd, tmp):
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
