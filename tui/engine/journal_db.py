"""The send journal's SQLite file: its schema, the upgrade of older files, and how a
connection to it is opened, its transactions, its integrity check, and what its storage
errors mean to a person (tui.engine.journal does the rest).

The journal holds numbers, variables and message texts: the file, its -wal and -shm are the
owner's only (0600; SQLite gives the -wal and -shm the database file's mode), and an existing
journal is tightened when opened.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tui.paths import private_file

SCHEMA = """
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
    resent INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
-- The recipients whose outcome came last (the Jobs screen's detail) without sorting a
-- whole job; PENDING and SENDING rows (no outcome yet) are left out, so neither creating a
-- job nor claiming a batch writes to it.
CREATE INDEX IF NOT EXISTS recipients_outcome ON recipients(job_id, updated_at)
    WHERE state NOT IN ('PENDING', 'SENDING');
-- A job's failure reasons counted from the index alone (the detail of a job with 10,000
-- rejected recipients in 2 ms, not 40); only failures are in it.
CREATE INDEX IF NOT EXISTS recipients_failed ON recipients(job_id, state, reason)
    WHERE state IN ('REJECTED', 'UNKNOWN');
"""

# Per-job counters: `jobs list`, the Jobs screen and a job's totals read a few rows instead
# of counting every recipient (0.5 s over 1M recipients). `parts` sums the known parts,
# `unparted` counts recipients without parts (a spend counts those as one each); country ''
# is a recipient without one (primary key columns of a WITHOUT ROWID table cannot be NULL).
# The journal's writers keep them in the transaction that moves the rows
# (tui.engine.journal_counts): triggers did it per row and cost 2 of the 4 CPU-seconds
# that journaling 100,000 recipients took.
COUNTERS = """
CREATE TABLE job_counts (
    job_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    country TEXT NOT NULL,
    n INTEGER NOT NULL,
    parts INTEGER NOT NULL,
    unparted INTEGER NOT NULL,
    PRIMARY KEY (job_id, state, country)
) WITHOUT ROWID;
INSERT INTO job_counts
    SELECT job_id, state, COALESCE(country, ''), COUNT(*), COALESCE(SUM(parts), 0),
        COUNT(*) - COUNT(parts)
    FROM recipients GROUP BY job_id, state, COALESCE(country, '');
"""

# Which recipient carries a provider id: a cache filled in sorted runs (tui.engine.
# journal_ids), not an index on the recipients, whose random keys every commit rewrote.
PROVIDER_IDS = """
CREATE TABLE IF NOT EXISTS provider_ids (
    job_id INTEGER NOT NULL,
    provider_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (job_id, provider_id)
) WITHOUT ROWID
"""
# Delivery reports (tui.engine.journal_delivery), beside the send outcome: one row per
# recipient (part 0) and per part when a report names one. `rank` orders the states so
# that "never back to an earlier state" is one condition of the upsert. The token each
# job's notification URL carries, so the receiver takes reports for that job only; the
# token of each account's event URL, and the events that are not about delivery (opened,
# clicked, bounces, forms), each kept once however often it is notified. Created on open
# like the rest, so an older journal gains them without losing anything.
DELIVERY_SCHEMA = (
    PROVIDER_IDS
    + """;
CREATE TABLE IF NOT EXISTS deliveries (
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    seq INTEGER NOT NULL,
    part INTEGER NOT NULL,
    state TEXT NOT NULL,
    rank INTEGER NOT NULL,
    at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (job_id, seq, part)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS delivery_tokens (
    token TEXT PRIMARY KEY,
    job_id INTEGER NOT NULL UNIQUE REFERENCES jobs(id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_tokens (
    token TEXT PRIMARY KEY,
    account TEXT NOT NULL UNIQUE
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS delivery_events (
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    extra TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (job_id, seq, event, at, extra)
) WITHOUT ROWID;
"""
)
# Event notifications (tui.engine.receiver_events) come per account, so an id is looked up
# across the account's jobs, not in one. The index for that is made with the journal's
# first event token, not on open: a journal whose accounts never use event notifications
# does not pay for it on every accepted recipient.
EVENT_INDEX = (
    "CREATE INDEX IF NOT EXISTS recipients_by_provider_id ON recipients(provider_id)"
    " WHERE provider_id IS NOT NULL"
)


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection to the journal at `path`, its schema created or upgraded."""
    # Created (or tightened) 0600 before SQLite opens it, so its -wal and -shm are too.
    private_file(path, create=True)
    for suffix in ("-wal", "-shm"):
        private_file(path.with_name(path.name + suffix))
    # Autocommit mode: transactions are explicit, so a batch is exactly one commit.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    db.execute("PRAGMA journal_mode=WAL")
    # FULL: a committed SENDING row must survive a power cut, or a recipient could
    # be sent twice after a crash.
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    migrate(db)
    db.executescript(DELIVERY_SCHEMA)
    return db


def migrate(db: sqlite3.Connection) -> None:
    """Bring a journal written by an older version up to this schema."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(recipients)")}
    for name, declared in (("country", "TEXT"), ("resent", "INTEGER NOT NULL DEFAULT 0")):
        if name in columns:
            continue
        try:
            db.execute(f"ALTER TABLE recipients ADD COLUMN {name} {declared}")
        except sqlite3.OperationalError as exc:
            # Another process opening the same old journal may have added it first.
            if "duplicate column" not in str(exc):
                raise
    if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
        upgrade(db)
    if not _has_table(db, "job_counts"):
        # Counted once from the rows already there, in one transaction: another process
        # opening the same journal waits for it, then finds the table.
        with transaction(db):
            if not _has_table(db, "job_counts"):
                for statement in _statements(COUNTERS):
                    db.execute(statement)


# 2: counters kept by the writers, not by triggers; narrower indexes (see SCHEMA).
# 3: provider ids in the `provider_ids` cache, not in an index on the recipients.
SCHEMA_VERSION = 3

# What version 1 had that version 2 drops: per-row triggers and indexes every state change
# wrote to. `recipients_state` served the claim, which now walks the primary key.
_V1_LEFTOVERS = (
    "DROP TRIGGER IF EXISTS job_counts_insert",
    "DROP TRIGGER IF EXISTS job_counts_update",
    "DROP TRIGGER IF EXISTS job_counts_delete",
    "DROP INDEX IF EXISTS recipients_state",
    "DROP INDEX IF EXISTS recipients_updated",
)


def upgrade(db: sqlite3.Connection) -> None:
    """Drop the triggers and indexes of versions 1 and 2 (version 1's counters are exact, so
    they stay), and move the ids the provider-id index held to the `provider_ids` cache."""
    with transaction(db):
        if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return  # another process upgraded it while this one waited
        for statement in _V1_LEFTOVERS:
            db.execute(statement)
        db.execute(PROVIDER_IDS)
        db.execute(
            "INSERT OR IGNORE INTO provider_ids (job_id, provider_id, seq)"
            " SELECT job_id, provider_id, seq FROM recipients WHERE provider_id IS NOT NULL"
            " ORDER BY job_id, provider_id"
        )
        db.execute("DROP INDEX IF EXISTS recipients_provider_id")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return row.fetchone() is not None


def _statements(script: str) -> Iterator[str]:
    """The statements of a script (executescript would commit the open transaction)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One explicit write transaction: committed at the end, rolled back on any error.

    SQLite rolls a transaction back by itself on some errors (a full disk, an I/O error):
    a ROLLBACK then fails with "cannot rollback - no transaction is active", which would
    replace the error that matters. So only a live transaction is rolled back, and a
    failing ROLLBACK never hides the original error.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            with suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise


def integrity_problem(db: sqlite3.Connection) -> str | None:
    """What `PRAGMA quick_check` finds wrong in the journal (None when it is sound).

    0.05-0.08 s on a journal of 100,000 recipients (9 MB; measured on 2 shared cores), so
    it runs once when a send starts (tui.engine.sender.run_job), never per batch.
    """
    rows = [str(r[0]) for r in db.execute("PRAGMA quick_check(3)").fetchall()]
    return None if rows == ["ok"] else "; ".join(rows)


def _primary(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def storage_problem(exc: BaseException, path: Path) -> str:
    """One line naming the cause of a journal's storage error, for a person.

    A full disk, a read-only medium, a damaged file and other I/O failures each say what
    happened and where; anything else keeps SQLite's own words with the file's path.
    """
    text = str(exc).strip() or type(exc).__name__
    code = _primary(exc)
    err = exc.errno if isinstance(exc, OSError) else None
    if code == sqlite3.SQLITE_FULL or err == errno.ENOSPC or "disk is full" in text:
        return f"the disk is full ({path.parent})"
    if code == sqlite3.SQLITE_READONLY or err == errno.EROFS or "readonly" in text:
        return f"the journal {path} cannot be written: read-only file or disk ({text})"
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or damaged(text):
        return (
            f"the journal at {path} is damaged ({text}): move it aside (or restore it from "
            "a backup) and try again"
        )
    if code == sqlite3.SQLITE_IOERR:
        return f"cannot read or write the journal {path} ({text})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"the journal {path}: {exc.strerror}"
    return f"the journal {path}: {text}"


def damaged(text: str) -> bool:
    """Whether SQLite's message says the file is not a sound database."""
    return "malformed" in text or "not a database" in text or "corrupt" in text
