"""The journal's reads of a job's recipients: in order, in chunks, the latest outcomes
(mixed into tui.engine.journal.Journal)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from tui.engine.journal_rows import RecipientRow, State, recipient_row


class RecipientReads:
    """Read-only recipient queries of tui.engine.journal.Journal."""

    # Journal's connection and its serialising, error-translating lock.
    _db: sqlite3.Connection
    _locked: Callable[[], AbstractContextManager[None]]

    def resent(self, job_id: int) -> int:
        """How many recipients were sent the job again after an unknown outcome."""
        with self._locked():
            (n,) = self._db.execute(
                "SELECT COUNT(*) FROM recipients WHERE job_id = ? AND resent", (job_id,)
            ).fetchone()
        return int(n)

    def recipients(self, job_id: int, state: State | None = None) -> Iterator[RecipientRow]:
        """Every recipient of a job in order (optionally one state), read in chunks."""
        columns = 'seq, "to", vars, state, reason, provider_id, parts, updated_at, country, resent'
        return map(recipient_row, self._in_chunks(columns, job_id, state))

    def export_rows(self, job_id: int, state: State | None = None) -> Iterator[tuple[Any, ...]]:
        """Every recipient of a job in order (optionally one state) as the export's cells
        (tui.engine.export.EXPORT_COLUMNS), read in chunks.

        SQLite shapes the cells itself (blanks for NULL, 'yes' for resent, the variables'
        JSON as stored): no RecipientRow, no JSON round trip per row, so an export costs
        little more than the dump of the same rows."""
        columns = (
            "seq, \"to\", state, COALESCE(reason, ''), COALESCE(provider_id, ''),"
            " COALESCE(parts, ''), updated_at, COALESCE(vars, ''),"
            " CASE WHEN resent THEN 'yes' ELSE '' END"
        )
        return self._in_chunks(columns, job_id, state)

    def _in_chunks(
        self, columns: str, job_id: int, state: State | None
    ) -> Iterator[tuple[Any, ...]]:
        """A job's recipient rows (these columns, `seq` first) in order, optionally of one
        state, 5,000 at a time: the lock is held per chunk, never across the caller's work."""
        sql = f"SELECT {columns} FROM recipients WHERE job_id = ? AND seq > ?"
        if state is not None:
            sql += " AND state = ?"
        sql += " ORDER BY seq LIMIT 5000"
        last = -1
        while True:
            params: tuple[Any, ...] = (job_id, last) if state is None else (job_id, last, state)
            with self._locked():
                rows = self._db.execute(sql, params).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def latest(self, job_id: int, n: int) -> list[RecipientRow]:
        """The `n` recipients whose outcome came last (newest first); PENDING and SENDING
        ones (no outcome yet) aside."""
        with self._locked():
            rows = self._db.execute(
                'SELECT seq, "to", vars, state, reason, provider_id, parts, updated_at, country,'
                " resent"
                " FROM recipients WHERE job_id = ? AND state NOT IN ('PENDING', 'SENDING')"
                " ORDER BY updated_at DESC, seq DESC LIMIT ?",
                (job_id, n),
            ).fetchall()
        return [recipient_row(r) for r in rows]
