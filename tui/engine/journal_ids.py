"""Which recipient of a job carries a provider's message id (tui.engine.journal).

Delivery reports name a message by the provider's id. Providers give random ids (360nrs's
sandbox a UUID each), and an index on a random key is written all over: every commit of
500 outcomes rewrote some 400 of its pages, about 1.7 CPU-seconds of a 100,000-recipient
send (journal micro-benchmark: record 1.3 user + 1.2 sys CPU-s with the index on random
ids, 0.8 + 0.1 with sequential ones). So the ids are not indexed where the outcomes are
written: a side table `provider_ids` (job, id -> seq) is filled from the rows, sorted,
once `FLUSH_IDS` ids were recorded (in that outcome's transaction) and at the end of each
run (`stop`). Only the span of seqs waiting is kept in memory, not the ids.

The table is a cache, never the truth: the recipient's row is. A lookup joins the row (an
entry whose recipient was re-sent under a new id matches nothing) and looks for what it
does not find in the job's rows themselves (ids recorded since the last sorted run, or by
a run that was killed; `start` adds those of a killed run).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

from tui.engine.journal_rows import Outcome

# Ids recorded before a sorted run is written: a run touches each page of the side table
# about once, however many ids it holds (100,000 ids: 0.3 CPU-s in runs of 20,000).
FLUSH_IDS = 50_000
# The ids recorded since a time: the condition of the outcome index (journal_db) is
# repeated, so SQLite reads that index, not the job's rows.
IDS_SINCE = (
    "SELECT provider_id FROM recipients WHERE job_id = ? AND updated_at >= ?"
    " AND state NOT IN ('PENDING', 'SENDING') AND provider_id IS NOT NULL"
)
# SQLite's default limit on bound parameters is 999 in older builds: lookups stay below it.
_CHUNK = 500


class ProviderIds:
    """Provider-id lookups of tui.engine.journal.Journal (mixed into it)."""

    # Journal's connection and its serialising, error-translating lock.
    _db: sqlite3.Connection
    _locked: Callable[[], AbstractContextManager[None]]
    # Per job, the span of seqs (lowest, highest, how many) whose ids this process
    # recorded and has not indexed yet.
    _unindexed: dict[int, tuple[int, int, int]]

    def _note_ids(self, job_id: int, outcomes: Sequence[Outcome]) -> None:
        """Note which recipients just got their outcome (inside their transaction); index
        their ids once enough are waiting. Only the span of their seqs is kept: the ids are
        read back from their rows, so none waits in memory."""
        seqs = [o.seq for o in outcomes if o.provider_id is not None]
        if not seqs:
            return
        lo, hi, n = self._unindexed.get(job_id, (seqs[0], seqs[0], 0))
        lo, hi, n = min(lo, *seqs), max(hi, *seqs), n + len(seqs)
        self._unindexed[job_id] = (lo, hi, n)
        if n >= FLUSH_IDS:
            self._write_ids(job_id)

    def _write_ids(self, job_id: int) -> None:
        """The waiting ids, in one sorted run (the caller holds the lock, in a transaction)."""
        span = self._unindexed.pop(job_id, None)
        if span is None:
            return
        lo, hi, _ = span
        # Rows of the span indexed by an earlier run (a span may overlap one) are ignored.
        self._db.execute(
            "INSERT OR IGNORE INTO provider_ids (job_id, provider_id, seq)"
            " SELECT job_id, provider_id, seq FROM recipients WHERE job_id = ?"
            " AND seq BETWEEN ? AND ? AND provider_id IS NOT NULL ORDER BY provider_id",
            (job_id, lo, hi),
        )

    def _catch_up_ids(self, job_id: int) -> None:
        """Index the ids a killed run recorded and never indexed (the caller holds the lock,
        in a transaction)."""
        self._db.execute(
            "INSERT OR IGNORE INTO provider_ids (job_id, provider_id, seq)"
            " SELECT job_id, provider_id, seq FROM recipients"
            " WHERE job_id = ? AND provider_id IS NOT NULL ORDER BY provider_id",
            (job_id,),
        )

    def _seqs_of(self, job_id: int, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Provider id -> (seq, parts) of the job's recipients that carry one of `ids`."""
        found: dict[str, tuple[int, int]] = {}
        for query in (
            # The side table, checked against the recipient's row.
            "SELECT r.seq, r.provider_id, r.parts FROM provider_ids p JOIN recipients r"
            " ON r.job_id = p.job_id AND r.seq = p.seq AND r.provider_id = p.provider_id"
            " WHERE p.job_id = ? AND p.provider_id IN ({})",
            # What it does not hold yet: the job's rows themselves (one pass over them).
            "SELECT seq, provider_id, parts FROM recipients WHERE job_id = ?"
            " AND provider_id IN ({})",
        ):
            missing = [i for i in ids if i not in found]
            for start in range(0, len(missing), _CHUNK):
                chunk = missing[start : start + _CHUNK]
                for seq, pid, parts in self._db.execute(
                    query.format(",".join("?" * len(chunk))), (job_id, *chunk)
                ):
                    found[pid] = (seq, parts or 1)
            if len(found) == len(ids):
                break
        return found

    def provider_ids(self, job_id: int) -> set[str]:
        """Every provider id the job's recipients carry (one pass over its rows)."""
        with self._locked():
            rows = self._db.execute(
                "SELECT provider_id FROM recipients WHERE job_id = ? AND provider_id IS NOT NULL",
                (job_id,),
            ).fetchall()
        return {r[0] for r in rows}

    def provider_ids_since(self, job_id: int, since: str) -> set[str]:
        """The provider ids of the job's recipients whose outcome was recorded at `since`
        or later (from the outcome index: a few rows, not the job's)."""
        with self._locked():
            rows = self._db.execute(IDS_SINCE, (job_id, since)).fetchall()
        return {r[0] for r in rows}

    def has_provider_id(self, job_id: int, provider_id: str) -> bool:
        """Whether a recipient of the job carries this provider id."""
        with self._locked():
            return bool(self._seqs_of(job_id, [provider_id]))
