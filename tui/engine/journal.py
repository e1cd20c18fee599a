"""The send journal: every job and every recipient's outcome, in SQLite, before and after sending.

A recipient moves PENDING -> SENDING -> ACCEPTED | REJECTED | UNKNOWN. SENDING is committed
before the request leaves, so a process killed mid-request leaves SENDING rows behind;
`recover` turns those into UNKNOWN (never re-sent automatically) and the PENDING ones stay
resumable. Only `resend_unknown`, an explicit operator choice, puts UNKNOWN rows back.

What it stores is typed in `journal_rows.py`, its file's schema in `journal_db.py`.
One connection in autocommit mode with explicit transactions: each batch is one commit
(a FULL commit costs about 0.3 ms; a row about 2 µs), never one per recipient.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

import orjson

from backends.errors import SwitchboardError
from tui.engine.journal_counts import apply, moved, recount
from tui.engine.journal_db import connect, integrity_problem, storage_problem, transaction
from tui.engine.journal_delivery import DeliveryJournal
from tui.engine.journal_reads import RecipientReads
from tui.engine.journal_rows import (
    Claimed,
    Job,
    JobRecipient,
    JobStatus,
    Outcome,
    State,
    Totals,
    job_row,
    recipient_params,
    totals_of,
)
from tui.engine.processes import process_alive, process_started
from tui.paths import PRIVATE_DIR, data_dir, private_data_dir

P = ParamSpec("P")
T = TypeVar("T")
JOURNAL_NAME = "journal.sqlite3"
# The console's sandbox accounts journal apart, so practice sends never mix with the jobs of
# real accounts (nor are resumed, exported or counted with them).
SANDBOX_JOURNAL_NAME = "sandbox-journal.sqlite3"
# (journal file, job id) of the runs active in this process: a RUNNING job carrying our own
# pid is either one of these or left over from a run that was cancelled here.
_ACTIVE: set[tuple[str, int]] = set()
PENDING, SENDING = State.PENDING.value, State.SENDING.value
# Outcomes per UPDATE ... FROM (VALUES ...): 5 parameters each stays under the 999 bound
# parameters older SQLite builds allow.
_RECORD_CHUNK = 199


class JournalError(SwitchboardError):
    """A journal operation was refused (unknown job, job busy elsewhere)."""

    title = "Send journal"


def default_path() -> Path:
    """The journal file in the data directory."""
    return data_dir() / JOURNAL_NAME


def sandbox_path() -> Path:
    """The journal of the console's sandbox accounts, beside the real one."""
    return data_dir() / SANDBOX_JOURNAL_NAME


def path_for(*, sandbox: bool) -> Path:
    """The journal an account's jobs go to: the sandbox's own, or the real one."""
    return sandbox_path() if sandbox else default_path()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Journal(DeliveryJournal, RecipientReads):
    """The SQLite journal of send jobs (thread-safe; one connection, serialised)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.RLock()
        try:
            if path is None:
                private_data_dir()
            else:
                # A directory we create is private; one named by the caller stays as it is.
                self.path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
            self._db = connect(self.path)
        except (OSError, sqlite3.Error) as exc:
            # Nothing can be sent without a journal: say which file and why, not a traceback.
            raise JournalError(
                f"cannot open the send journal: {storage_problem(exc, self.path)}"
            ) from exc
        self._key = str(self.path.resolve())
        # Per job, the lowest seq that may still be PENDING: a claim walks the primary key
        # from there instead of keeping an index of states that every move rewrites.
        self._next: dict[int, int] = {}
        self._unindexed = {}
        self._thread: ThreadPoolExecutor | None = None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The connection, serialised; a storage error (full disk, read-only medium, damaged
        file) becomes a JournalError naming its cause and the file."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise JournalError(storage_problem(exc, self.path)) from exc

    def check(self) -> None:
        """JournalError when the file fails SQLite's quick integrity check: nothing may be
        sent into a damaged journal (outcomes could be lost, recipients sent twice)."""
        with self._locked():
            problem = integrity_problem(self._db)
        if problem is not None:
            raise JournalError(
                f"the journal at {self.path} is damaged ({problem}): move it aside (or "
                "restore it from a backup) and try again; nothing was sent"
            )

    def off_loop(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Awaitable[T]:
        """`fn(*args)` in the journal's own thread, awaitable from the event loop.

        One thread, not asyncio.to_thread's pool: the calls take the journal's lock one at
        a time anyway, and each pool thread SQLite allocated in had a malloc arena of its
        own (~4 MB of a 100,000-recipient send's peak)."""
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="journal")
        return asyncio.get_running_loop().run_in_executor(
            self._thread, functools.partial(fn, *args, **kwargs)
        )

    def close(self) -> None:
        """Close the database (after the calls waiting for its thread)."""
        if self._thread is not None:
            self._thread.shutdown()
        with self._locked():
            self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- jobs ------------------------------------------------------------------------
    def create_job(
        self,
        *,
        account: str,
        provider: str,
        channel: str,
        message: Mapping[str, Any],
        recipients: Iterable[JobRecipient],
    ) -> int:
        """Store a job PAUSED ("not started") with its recipients PENDING; its id."""
        now = _now()
        with self._locked(), transaction(self._db):
            cur = self._db.execute(
                "INSERT INTO jobs (created_at, account, provider, channel, message, status,"
                " pause_reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    account,
                    provider,
                    channel,
                    orjson.dumps(message).decode(),
                    JobStatus.PAUSED,
                    "not started",
                ),
            )
            job_id = cur.lastrowid
            assert job_id is not None
            self._db.executemany(
                'INSERT INTO recipients (job_id, seq, "to", vars, country, state, updated_at)'
                " VALUES (?, ?, ?, ?, ?, 'PENDING', ?)",
                (recipient_params(job_id, seq, r, now) for seq, r in enumerate(recipients)),
            )
            recount(self._db, job_id)
        return job_id

    def job(self, job_id: int) -> Job:
        """One job, or JournalError."""
        with self._locked():
            row = self._db.execute(
                "SELECT id, created_at, account, provider, channel, message, status,"
                " pause_reason, pid FROM jobs WHERE id = ?",
                (job_id,),
            ).fetchone()
        if row is None:
            raise JournalError(f"no job {job_id} in {self.path}")
        return job_row(row)

    def jobs(self) -> list[Job]:
        """Every job, newest first."""
        with self._locked():
            rows = self._db.execute(
                "SELECT id, created_at, account, provider, channel, message, status,"
                " pause_reason, pid FROM jobs ORDER BY id DESC"
            ).fetchall()
        return [job_row(r) for r in rows]

    def totals(self, job_id: int) -> Totals:
        """Recipient counts by state."""
        with self._locked():
            rows = self._db.execute(
                "SELECT state, SUM(n), SUM(parts) FROM job_counts WHERE job_id = ? GROUP BY state",
                (job_id,),
            ).fetchall()
        return totals_of({state: (n, parts) for state, n, parts in rows})

    def overview(self) -> list[tuple[Job, Totals, bool]]:
        """Every job, newest first, with its totals and whether it was interrupted.

        Two queries of the jobs and their counters (journal_db.COUNTERS), never of the
        recipients: quick however many recipients the history holds."""
        with self._locked():
            rows = self._db.execute(
                "SELECT id, created_at, account, provider, channel, message, status,"
                " pause_reason, pid, pid_started FROM jobs ORDER BY id DESC"
            ).fetchall()
            counted = self._db.execute(
                "SELECT job_id, state, SUM(n), SUM(parts) FROM job_counts GROUP BY job_id, state"
            ).fetchall()
        by_job: dict[int, dict[str, tuple[int, int]]] = {}
        for job_id, state, n, parts in counted:
            by_job.setdefault(job_id, {})[state] = (n, parts)
        out = []
        for row in rows:
            job = job_row(row[:9])
            live = self._live(job.id, job.status, job.pid, row[9])
            interrupted = job.status is JobStatus.RUNNING and not live
            out.append((job, totals_of(by_job.get(job.id, {})), interrupted))
        return out

    def accepted_by_country(self, job_id: int) -> dict[str | None, tuple[int, int]]:
        """(recipients, parts) accepted by recipient country; a message without parts is 1."""
        with self._locked():
            rows = self._db.execute(
                "SELECT country, n, parts + unparted FROM job_counts"
                " WHERE job_id = ? AND state = 'ACCEPTED' AND n > 0",
                (job_id,),
            ).fetchall()
        return {country or None: (int(n), int(parts)) for country, n, parts in rows}

    def reasons(self, job_id: int) -> list[tuple[State, str, int]]:
        """(state, reason, count) of rejected and unknown recipients, most frequent first."""
        with self._locked():
            rows = self._db.execute(
                "SELECT state, reason, COUNT(*) AS n FROM recipients WHERE job_id = ?"
                " AND state IN ('REJECTED', 'UNKNOWN') GROUP BY state, reason"
                " ORDER BY n DESC, state, reason",
                (job_id,),
            ).fetchall()
        return [(State(state), reason or "", n) for state, reason, n in rows]

    def start(self, job_id: int) -> None:
        """Mark a job RUNNING in this process; refuses while SENDING rows await `recover`."""
        with self._locked():
            with transaction(self._db):
                self._refuse_if_running(job_id)
                if self._counted(job_id, State.SENDING):
                    raise JournalError(f"job {job_id} has recipients in flight; recover it first")
                if self._counted(job_id, State.ACCEPTED):
                    self._catch_up_ids(job_id)  # a killed run may have left some out
                pid = os.getpid()
                self._db.execute(
                    "UPDATE jobs SET status = ?, pause_reason = NULL, pid = ?, pid_started = ?"
                    " WHERE id = ?",
                    (JobStatus.RUNNING, pid, process_started(pid), job_id),
                )
            _ACTIVE.add((self._key, job_id))

    def _refuse_if_running(self, job_id: int) -> JobStatus:
        """The job's status; JournalError if unknown or running in a live process."""
        row = self._db.execute(
            "SELECT status, pid, pid_started FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
        if row is None:
            raise JournalError(f"no job {job_id} in {self.path}")
        status, pid, started = row
        if self._live(job_id, status, pid, started):
            raise JournalError(f"job {job_id} is running (process {pid})")
        return JobStatus(status)

    def _live(self, job_id: int, status: str, pid: int | None, started: str | None) -> bool:
        if status != JobStatus.RUNNING or pid is None:
            return False
        if pid == os.getpid():
            return (self._key, job_id) in _ACTIVE
        return process_alive(pid, started)

    def interrupted(self, job_id: int) -> bool:
        """Whether a job marked RUNNING was left so by a process that is gone (resumable)."""
        with self._locked():
            row = self._db.execute(
                "SELECT status, pid, pid_started FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
        if row is None or row[0] != JobStatus.RUNNING:
            return False
        return not self._live(job_id, *row)

    def stop(self, job_id: int, status: JobStatus, reason: str | None = None) -> None:
        """End this process's run of a job with a status (and a reason when paused)."""
        with self._locked():
            with transaction(self._db):
                self._write_ids(job_id)
                self._db.execute(
                    "UPDATE jobs SET status = ?, pause_reason = ? WHERE id = ?",
                    (status, reason, job_id),
                )
            _ACTIVE.discard((self._key, job_id))

    def _counted(self, job_id: int, state: State) -> int:
        row = self._db.execute(
            "SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE job_id = ? AND state = ?",
            (job_id, state),
        ).fetchone()
        return int(row[0])

    # --- recipients ------------------------------------------------------------------
    def claim_batch(self, job_id: int, n: int) -> list[Claimed]:
        """Move up to `n` PENDING recipients to SENDING (committed), lowest seq first."""
        with self._locked(), transaction(self._db):
            start = self._next.get(job_id, 0)
            rows = self._claim(job_id, start, n)
            if not rows and start:
                # Nothing after the mark: look from the start once, so that a recipient
                # put back behind it by any path is never left unsent.
                rows = self._claim(job_id, 0, n)
            apply(self._db, job_id, moved(((SENDING, c, None) for *_, c in rows), PENDING))
        # RETURNING gives no order guarantee; requests keep the journal's order.
        rows.sort()
        if rows:
            self._next[job_id] = rows[-1][0] + 1
        return [Claimed(seq, to, orjson.loads(v) if v else None, c) for seq, to, v, c in rows]

    def _claim(self, job_id: int, start: int, n: int) -> list[tuple[int, str, str | None, str]]:
        return self._db.execute(
            "UPDATE recipients SET state = 'SENDING', updated_at = ?"
            " WHERE job_id = ? AND seq IN (SELECT seq FROM recipients"
            " WHERE job_id = ? AND seq >= ? AND state = 'PENDING' ORDER BY seq LIMIT ?)"
            ' RETURNING seq, "to", vars, country',
            (_now(), job_id, job_id, start, n),
        ).fetchall()

    def record_results(self, job_id: int, outcomes: Iterable[Outcome]) -> None:
        """Store the final state of SENDING recipients, one commit for the whole batch."""
        now = _now()
        items = list(outcomes)
        with self._locked(), transaction(self._db):
            deltas: dict[tuple[str, str], list[int]] = {}
            for i in range(0, len(items), _RECORD_CHUNK):
                chunk = items[i : i + _RECORD_CHUNK]
                values = ", ".join(["(?, ?, ?, ?, ?)"] * len(chunk))
                # In the order of the placeholders: updated_at, the values, the job.
                params: list[Any] = [now]
                for o in chunk:
                    params += (o.seq, o.state, o.reason, o.provider_id, o.parts)
                params.append(job_id)
                # One statement per chunk; RETURNING says what moved, for the counters.
                done = self._db.execute(
                    "UPDATE recipients SET state = v.column2, reason = v.column3,"
                    " provider_id = v.column4, parts = v.column5, updated_at = ?"
                    f" FROM (VALUES {values}) AS v WHERE recipients.job_id = ?"
                    " AND recipients.seq = v.column1 AND recipients.state = 'SENDING'"
                    " RETURNING recipients.state, recipients.country, recipients.parts",
                    params,
                ).fetchall()
                moved(done, SENDING, deltas)
            apply(self._db, job_id, deltas)
            self._note_ids(job_id, items)

    def mark_unknown(self, job_id: int, seqs: Iterable[int], reason: str) -> None:
        """SENDING recipients whose request may or may not have been processed -> UNKNOWN."""
        self.record_results(job_id, (Outcome(s, "", State.UNKNOWN, reason) for s in seqs))

    def release(self, job_id: int, seqs: Iterable[int]) -> None:
        """SENDING recipients whose request certainly was not processed -> PENDING."""
        now = _now()
        back = list(seqs)
        with self._locked(), transaction(self._db):
            deltas: dict[tuple[str, str], list[int]] = {}
            for i in range(0, len(back), _RECORD_CHUNK):
                chunk = back[i : i + _RECORD_CHUNK]
                marks = ", ".join("?" * len(chunk))
                done = self._db.execute(
                    "UPDATE recipients SET state = 'PENDING', updated_at = ?"
                    f" WHERE job_id = ? AND seq IN ({marks}) AND state = 'SENDING'"
                    " RETURNING state, country, parts",
                    (now, job_id, *chunk),
                ).fetchall()
                moved(done, SENDING, deltas)
            apply(self._db, job_id, deltas)
        if back:
            self._next[job_id] = min(self._next.get(job_id, 0), *back)

    def recover(self, job_id: int) -> int:
        """After a crash: recipients left SENDING become UNKNOWN; how many.

        Refuses (JournalError) while the job runs in a live process, or in this one.
        """
        with self._locked(), transaction(self._db):
            status = self._refuse_if_running(job_id)
            cur = self._db.execute(
                "UPDATE recipients SET state = 'UNKNOWN', updated_at = ?, reason ="
                " 'interrupted while the request was in flight'"
                " WHERE job_id = ? AND state = 'SENDING'",
                (_now(), job_id),
            )
            if cur.rowcount:
                recount(self._db, job_id)
            if status == JobStatus.RUNNING:
                self._db.execute(
                    "UPDATE jobs SET status = ?, pause_reason = ? WHERE id = ?",
                    (JobStatus.PAUSED, "interrupted", job_id),
                )
        return cur.rowcount

    def resend_unknown(self, job_id: int, seqs: Iterable[int] | None = None) -> int:
        """Operator's choice: UNKNOWN recipients (all, or these) back to PENDING; how many.

        They stay marked `resent`: the first request may have reached them too."""
        now = _now()
        with self._locked(), transaction(self._db):
            if seqs is None:
                cur = self._db.execute(
                    "UPDATE recipients SET state = 'PENDING', reason = NULL, parts = NULL,"
                    " resent = 1, updated_at = ? WHERE job_id = ? AND state = 'UNKNOWN'",
                    (now, job_id),
                )
                count = cur.rowcount
            else:
                cur = self._db.executemany(
                    "UPDATE recipients SET state = 'PENDING', reason = NULL, parts = NULL,"
                    " resent = 1, updated_at = ? WHERE job_id = ? AND seq = ?"
                    " AND state = 'UNKNOWN'",
                    ((now, job_id, s) for s in seqs),
                )
                count = cur.rowcount
            if count:
                # A PENDING recipient has no parts (journal_counts.moved counts on it).
                recount(self._db, job_id)
        self._next.pop(job_id, None)
        return count
