"""The journal's per-job counters (journal_db.COUNTERS), kept by the writers themselves.

Every statement that moves recipients between states adds what it moved here, in the same
transaction, as one upsert per (state, country) rather than per row: the hot paths (claim,
record, release) know exactly what they moved from their guards and RETURNING rows. The
rare, whole-job operations (recover, resend) count the job again (`recount`).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

# (state, country) -> [recipients, known parts, recipients without parts]
Deltas = dict[tuple[str, str], list[int]]

_UPSERT = (
    "INSERT INTO job_counts (job_id, state, country, n, parts, unparted)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n,"
    " parts = parts + excluded.parts, unparted = unparted + excluded.unparted"
)


def moved(
    rows: Iterable[tuple[str, str | None, int | None]], source: str, deltas: Deltas | None = None
) -> Deltas:
    """The counters' change when rows of (new state, country, new parts) left `source`,
    where they had no parts (PENDING and SENDING rows never have any)."""
    out: Deltas = {} if deltas is None else deltas
    # Counter counts the equal rows in C: a batch's 500 rows are a few distinct ones.
    for (state, country, parts), n in Counter(rows).items():
        key = country or ""
        gone = out.setdefault((source, key), [0, 0, 0])
        gone[0] -= n
        gone[2] -= n
        came = out.setdefault((state, key), [0, 0, 0])
        came[0] += n
        if parts is None:
            came[2] += n
        else:
            came[1] += parts * n
    return out


def apply(db: sqlite3.Connection, job_id: int, deltas: Deltas) -> None:
    """Add `deltas` to the job's counters (inside the caller's transaction)."""
    db.executemany(
        _UPSERT,
        [(job_id, state, country, *d) for (state, country), d in deltas.items() if any(d)],
    )


def recount(db: sqlite3.Connection, job_id: int) -> None:
    """Count the job's recipients again (inside the caller's transaction)."""
    db.execute("DELETE FROM job_counts WHERE job_id = ?", (job_id,))
    db.execute(
        "INSERT INTO job_counts SELECT job_id, state, COALESCE(country, ''), COUNT(*),"
        " COALESCE(SUM(parts), 0), COUNT(*) - COUNT(parts) FROM recipients"
        " WHERE job_id = ? GROUP BY state, COALESCE(country, '')",
        (job_id,),
    )
