"""The send journal's SQLite file: its schema, the upgrade of older files, and how a
connection to it is opened (tui.engine.journal does the rest)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS recipients_state ON recipients(job_id, state);
"""


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection to the journal at `path`, its schema created or upgraded."""
    # Autocommit mode: transactions are explicit, so a batch is exactly one commit.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    db.execute("PRAGMA journal_mode=WAL")
    # FULL: a committed SENDING row must survive a power cut, or a recipient could
    # be sent twice after a crash.
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    migrate(db)
    return db


def migrate(db: sqlite3.Connection) -> None:
    """Bring a journal written by an older version up to this schema."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(recipients)")}
    if "country" not in columns:
        try:
            db.execute("ALTER TABLE recipients ADD COLUMN country TEXT")
        except sqlite3.OperationalError as exc:
            # Another process opening the same old journal may have added it first.
            if "duplicate column" not in str(exc):
                raise
