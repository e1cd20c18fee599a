"""The send journal: every job and every recipient's outcome, in SQLite, before and after sending.

A recipient moves PENDING -> SENDING -> ACCEPTED | REJECTED | UNKNOWN. SENDING is committed
before the request leaves, so a process killed mid-request leaves SENDING rows behind;
`recover` turns those into UNKNOWN (never re-sent automatically) and the PENDING ones stay
resumable. Only `resend_unknown`, an explicit operator choice, puts UNKNOWN rows back.

One connection in autocommit mode with explicit transactions: each batch is one commit
(a FULL commit costs about 0.3 ms; a row about 2 µs), never one per recipient.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

import orjson

from backends.errors import SwitchboardError
from tui.paths import data_dir

JOURNAL_NAME = "journal.sqlite3"
# (journal file, job id) of the runs active in this process: a RUNNING job carrying our own
# pid is either one of these or left over from a run that was cancelled here.
_ACTIVE: set[tuple[str, int]] = set()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    account TEXT NOT NULL,
    provider TEXT NOT NULL,
    channel TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL,
    pause_reason TEXT,
    pid INTEGER,
    pid_started TEXT
);
CREATE TABLE IF NOT EXISTS recipients (
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    seq INTEGER NOT NULL,
    "to" TEXT NOT NULL,
    vars TEXT,
    state TEXT NOT NULL,
    reason TEXT,
    provider_id TEXT,
    parts INTEGER,
    updated_at TEXT NOT NULL,
    country TEXT,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS recipients_state ON recipients(job_id, state);
"""


class JobStatus(StrEnum):
    """Where a job stands."""

    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    DONE = "DONE"
    FAILED = "FAILED"


class State(StrEnum):
    """Where one recipient stands."""

    PENDING = "PENDING"
    SENDING = "SENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    UNKNOWN = "UNKNOWN"


class JournalError(SwitchboardError):
    """A journal operation was refused (unknown job, job busy elsewhere)."""

    title = "Send journal"


@dataclass(frozen=True)
class Job:
    """One send job: the request template and where it stands."""

    id: int
    created_at: datetime
    account: str
    provider: str
    channel: str
    message: dict[str, Any]
    status: JobStatus
    pause_reason: str | None
    pid: int | None


@dataclass(frozen=True)
class Totals:
    """Recipient counts by state, plus the parts the provider accepted."""

    pending: int = 0
    sending: int = 0
    accepted: int = 0
    rejected: int = 0
    unknown: int = 0
    parts: int = 0

    @property
    def total(self) -> int:
        """Every recipient of the job."""
        return self.pending + self.sending + self.accepted + self.rejected + self.unknown


class Claimed(NamedTuple):
    """A recipient taken for sending."""

    seq: int
    to: str
    vars: dict[str, str] | None
    country: str | None = None  # ISO region of a phone number, when known (for pricing)


class Outcome(NamedTuple):
    """A recipient's final state after a request."""

    seq: int
    to: str
    state: State
    reason: str | None = None
    provider_id: str | None = None
    parts: int | None = None


@dataclass(frozen=True)
class RecipientRow:
    """One recipient as the journal holds it (for export and inspection)."""

    seq: int
    to: str
    vars: dict[str, str] | None
    state: State
    reason: str | None
    provider_id: str | None
    parts: int | None
    updated_at: str
    country: str | None = None


# A job's recipient: (to, variables) or (to, variables, ISO country).
JobRecipient = (
    tuple[str, Mapping[str, str] | None] | tuple[str, Mapping[str, str] | None, str | None]
)


def _row(seq: int, r: JobRecipient) -> tuple[int, str, str | None, str | None]:
    to, v = r[0], r[1]
    country = r[2] if len(r) > 2 else None
    return seq, to, orjson.dumps(dict(v)).decode() if v else None, country


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a journal written by an older version up to this schema."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(recipients)")}
    if "country" not in columns:
        try:
            db.execute("ALTER TABLE recipients ADD COLUMN country TEXT")
        except sqlite3.OperationalError as exc:
            # Another process opening the same old journal may have added it first.
            if "duplicate column" not in str(exc):
                raise


def default_path() -> Path:
    """The journal file in the data directory."""
    return data_dir() / JOURNAL_NAME


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _process_started(pid: int) -> str | None:
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
    now_started = _process_started(pid)
    if now_started == "dead":
        return False
    return started is None or now_started is None or now_started == started


class Journal:
    """The SQLite journal of send jobs (thread-safe; one connection, serialised)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are explicit, so a batch is exactly one commit.
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10.0
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed SENDING row must survive a power cut, or a recipient could
            # be sent twice after a crash.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            _migrate(self._db)
        except (OSError, sqlite3.Error) as exc:
            # Nothing can be sent without a journal: say which file and why, not a traceback.
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise JournalError(f"cannot open the send journal {self.path}: {why}") from exc
        self._key = str(self.path.resolve())

    def close(self) -> None:
        """Close the database."""
        with self._lock:
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
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
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
                    ((job_id, *_row(seq, r), now) for seq, r in enumerate(recipients)),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return job_id

    def job(self, job_id: int) -> Job:
        """One job, or JournalError."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, created_at, account, provider, channel, message, status,"
                " pause_reason, pid FROM jobs WHERE id = ?",
                (job_id,),
            ).fetchone()
        if row is None:
            raise JournalError(f"no job {job_id} in {self.path}")
        return _job(row)

    def jobs(self) -> list[Job]:
        """Every job, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, created_at, account, provider, channel, message, status,"
                " pause_reason, pid FROM jobs ORDER BY id DESC"
            ).fetchall()
        return [_job(r) for r in rows]

    def totals(self, job_id: int) -> Totals:
        """Recipient counts by state."""
        with self._lock:
            rows = self._db.execute(
                "SELECT state, COUNT(*), SUM(parts) FROM recipients WHERE job_id = ?"
                " GROUP BY state",
                (job_id,),
            ).fetchall()
        return _totals({state: (n, parts or 0) for state, n, parts in rows})

    def overview(self) -> list[tuple[Job, Totals, bool]]:
        """Every job, newest first, with its totals and whether it was interrupted.

        Two queries for the whole journal (a listing of hundreds of jobs stays quick)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, created_at, account, provider, channel, message, status,"
                " pause_reason, pid, pid_started FROM jobs ORDER BY id DESC"
            ).fetchall()
            counted = self._db.execute(
                "SELECT job_id, state, COUNT(*), SUM(parts) FROM recipients GROUP BY job_id, state"
            ).fetchall()
        by_job: dict[int, dict[str, tuple[int, int]]] = {}
        for job_id, state, n, parts in counted:
            by_job.setdefault(job_id, {})[state] = (n, parts or 0)
        out = []
        for row in rows:
            job = _job(row[:9])
            live = self._live(job.id, job.status, job.pid, row[9])
            interrupted = job.status is JobStatus.RUNNING and not live
            out.append((job, _totals(by_job.get(job.id, {})), interrupted))
        return out

    def accepted_by_country(self, job_id: int) -> dict[str | None, tuple[int, int]]:
        """(recipients, parts) accepted by recipient country; a message without parts is 1."""
        with self._lock:
            rows = self._db.execute(
                "SELECT country, COUNT(*), SUM(COALESCE(parts, 1)) FROM recipients"
                " WHERE job_id = ? AND state = 'ACCEPTED' GROUP BY country",
                (job_id,),
            ).fetchall()
        return {country: (int(n), int(parts)) for country, n, parts in rows}

    def reasons(self, job_id: int) -> list[tuple[State, str, int]]:
        """(state, reason, count) of rejected and unknown recipients, most frequent first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT state, reason, COUNT(*) AS n FROM recipients WHERE job_id = ?"
                " AND state IN ('REJECTED', 'UNKNOWN') GROUP BY state, reason"
                " ORDER BY n DESC, state, reason",
                (job_id,),
            ).fetchall()
        return [(State(state), reason or "", n) for state, reason, n in rows]

    def start(self, job_id: int) -> None:
        """Mark a job RUNNING in this process; refuses while SENDING rows await `recover`."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._refuse_if_running(job_id)
                if self._count(job_id, State.SENDING):
                    raise JournalError(f"job {job_id} has recipients in flight; recover it first")
                pid = os.getpid()
                self._db.execute(
                    "UPDATE jobs SET status = ?, pause_reason = NULL, pid = ?, pid_started = ?"
                    " WHERE id = ?",
                    (JobStatus.RUNNING, pid, _process_started(pid), job_id),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
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
        with self._lock:
            row = self._db.execute(
                "SELECT status, pid, pid_started FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
        if row is None or row[0] != JobStatus.RUNNING:
            return False
        return not self._live(job_id, *row)

    def stop(self, job_id: int, status: JobStatus, reason: str | None = None) -> None:
        """End this process's run of a job with a status (and a reason when paused)."""
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET status = ?, pause_reason = ? WHERE id = ?",
                (status, reason, job_id),
            )
            _ACTIVE.discard((self._key, job_id))

    def _count(self, job_id: int, state: State) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM recipients WHERE job_id = ? AND state = ?", (job_id, state)
        ).fetchone()
        return int(row[0])

    # --- recipients ------------------------------------------------------------------
    def claim_batch(self, job_id: int, n: int) -> list[Claimed]:
        """Move up to `n` PENDING recipients to SENDING (committed), lowest seq first."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                rows = self._db.execute(
                    "UPDATE recipients SET state = 'SENDING', updated_at = ?"
                    " WHERE job_id = ? AND seq IN (SELECT seq FROM recipients"
                    " WHERE job_id = ? AND state = 'PENDING' ORDER BY seq LIMIT ?)"
                    ' RETURNING seq, "to", vars, country',
                    (_now(), job_id, job_id, n),
                ).fetchall()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        # RETURNING gives no order guarantee; requests keep the journal's order.
        rows.sort()
        return [Claimed(seq, to, orjson.loads(v) if v else None, c) for seq, to, v, c in rows]

    def record_results(self, job_id: int, outcomes: Iterable[Outcome]) -> None:
        """Store the final state of SENDING recipients, one commit for the whole batch."""
        now = _now()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "UPDATE recipients SET state = ?, reason = ?, provider_id = ?, parts = ?,"
                    " updated_at = ? WHERE job_id = ? AND seq = ? AND state = 'SENDING'",
                    (
                        (o.state, o.reason, o.provider_id, o.parts, now, job_id, o.seq)
                        for o in outcomes
                    ),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def mark_unknown(self, job_id: int, seqs: Iterable[int], reason: str) -> None:
        """SENDING recipients whose request may or may not have been processed -> UNKNOWN."""
        self.record_results(job_id, (Outcome(s, "", State.UNKNOWN, reason) for s in seqs))

    def release(self, job_id: int, seqs: Iterable[int]) -> None:
        """SENDING recipients whose request certainly was not processed -> PENDING."""
        now = _now()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "UPDATE recipients SET state = 'PENDING', updated_at = ?"
                    " WHERE job_id = ? AND seq = ? AND state = 'SENDING'",
                    ((now, job_id, s) for s in seqs),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def recover(self, job_id: int) -> int:
        """After a crash: recipients left SENDING become UNKNOWN; how many.

        Refuses (JournalError) while the job runs in a live process, or in this one.
        """
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                status = self._refuse_if_running(job_id)
                cur = self._db.execute(
                    "UPDATE recipients SET state = 'UNKNOWN', updated_at = ?, reason ="
                    " 'interrupted while the request was in flight'"
                    " WHERE job_id = ? AND state = 'SENDING'",
                    (_now(), job_id),
                )
                if status == JobStatus.RUNNING:
                    self._db.execute(
                        "UPDATE jobs SET status = ?, pause_reason = ? WHERE id = ?",
                        (JobStatus.PAUSED, "interrupted", job_id),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return cur.rowcount

    def resend_unknown(self, job_id: int, seqs: Iterable[int] | None = None) -> int:
        """Operator's choice: UNKNOWN recipients (all, or these) back to PENDING; how many."""
        now = _now()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if seqs is None:
                    cur = self._db.execute(
                        "UPDATE recipients SET state = 'PENDING', reason = NULL, updated_at = ?"
                        " WHERE job_id = ? AND state = 'UNKNOWN'",
                        (now, job_id),
                    )
                    count = cur.rowcount
                else:
                    cur = self._db.executemany(
                        "UPDATE recipients SET state = 'PENDING', reason = NULL, updated_at = ?"
                        " WHERE job_id = ? AND seq = ? AND state = 'UNKNOWN'",
                        ((now, job_id, s) for s in seqs),
                    )
                    count = cur.rowcount
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return count

    def recipients(self, job_id: int, state: State | None = None) -> Iterator[RecipientRow]:
        """Every recipient of a job in order (optionally one state), read in chunks."""
        sql = (
            'SELECT seq, "to", vars, state, reason, provider_id, parts, updated_at, country'
            " FROM recipients WHERE job_id = ? AND seq > ?"
        )
        if state is not None:
            sql += " AND state = ?"
        sql += " ORDER BY seq LIMIT 5000"
        last = -1
        while True:
            params: tuple[Any, ...] = (job_id, last) if state is None else (job_id, last, state)
            with self._lock:
                rows = self._db.execute(sql, params).fetchall()
            if not rows:
                return
            yield from map(_recipient_row, rows)
            last = rows[-1][0]

    def latest(self, job_id: int, n: int) -> list[RecipientRow]:
        """The `n` recipients whose outcome came last (newest first), PENDING ones aside."""
        with self._lock:
            rows = self._db.execute(
                'SELECT seq, "to", vars, state, reason, provider_id, parts, updated_at, country'
                " FROM recipients WHERE job_id = ? AND state != 'PENDING'"
                " ORDER BY updated_at DESC, seq DESC LIMIT ?",
                (job_id, n),
            ).fetchall()
        return [_recipient_row(r) for r in rows]


def _recipient_row(row: tuple[Any, ...]) -> RecipientRow:
    seq, to, v, st, reason, pid, parts, updated, country = row
    return RecipientRow(
        seq, to, orjson.loads(v) if v else None, State(st), reason, pid, parts, updated, country
    )


def _totals(counts: Mapping[str, tuple[int, int]]) -> Totals:
    """Totals from (recipients, parts) by state."""
    return Totals(
        pending=counts.get(State.PENDING, (0, 0))[0],
        sending=counts.get(State.SENDING, (0, 0))[0],
        accepted=counts.get(State.ACCEPTED, (0, 0))[0],
        rejected=counts.get(State.REJECTED, (0, 0))[0],
        unknown=counts.get(State.UNKNOWN, (0, 0))[0],
        parts=sum(p for _, p in counts.values()),
    )


def _job(row: tuple[Any, ...]) -> Job:
    job_id, created, account, provider, channel, message, status, reason, pid = row
    return Job(
        id=job_id,
        created_at=datetime.fromisoformat(created),
        account=account,
        provider=provider,
        channel=channel,
        message=orjson.loads(message),
        status=JobStatus(status),
        pause_reason=reason,
        pid=pid,
    )
