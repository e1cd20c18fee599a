"""The journal's per-job counters (issue 14): `jobs list`, the Jobs screen and a job's
totals read them instead of counting every recipient, so they must always agree with the
rows, whatever moved them, and an older journal is counted when it is opened."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.engine.journal import Journal
from tui.engine.journal_rows import JobStatus, Outcome, State, Totals, totals_of


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def make_job(journal: Journal, n: int) -> int:
    return journal.create_job(
        account="acct",
        provider="360nrs",
        channel="sms",
        message={"sender": "T", "message": "x", "options": {}},
        recipients=[(f"3460000{i:04d}", None, "ES" if i % 3 else None) for i in range(n)],
    )


def counted(journal: Journal, job_id: int) -> Totals:
    """The totals counted from the rows themselves."""
    rows = journal._db.execute(
        "SELECT state, COUNT(*), COALESCE(SUM(parts), 0) FROM recipients WHERE job_id = ?"
        " GROUP BY state",
        (job_id,),
    ).fetchall()
    return totals_of({state: (n, parts) for state, n, parts in rows})


def counted_by_country(journal: Journal, job_id: int) -> dict[str | None, tuple[int, int]]:
    rows = journal._db.execute(
        "SELECT country, COUNT(*), SUM(COALESCE(parts, 1)) FROM recipients"
        " WHERE job_id = ? AND state = 'ACCEPTED' GROUP BY country",
        (job_id,),
    ).fetchall()
    return {c: (n, p) for c, n, p in rows}


def agree(journal: Journal, *job_ids: int) -> None:
    for job_id in job_ids:
        assert journal.totals(job_id) == counted(journal, job_id)
        assert journal.accepted_by_country(job_id) == counted_by_country(journal, job_id)


def test_counters_follow_every_move_of_a_recipient(journal: Journal) -> None:
    job, other = make_job(journal, 30), make_job(journal, 7)
    agree(journal, job, other)
    claimed = journal.claim_batch(job, 12)
    agree(journal, job, other)
    journal.record_results(
        job,
        [Outcome(c.seq, c.to, State.ACCEPTED, parts=2) for c in claimed[:5]]
        + [Outcome(c.seq, c.to, State.ACCEPTED) for c in claimed[5:7]]  # parts unknown
        + [Outcome(c.seq, c.to, State.REJECTED, "bad") for c in claimed[7:9]],
    )
    journal.mark_unknown(job, [claimed[9].seq], "timeout")
    journal.release(job, [claimed[10].seq])
    agree(journal, job, other)
    # An outcome for a row that is no longer SENDING changes nothing, counters included.
    journal.record_results(job, [Outcome(claimed[0].seq, "", State.REJECTED, "late")])
    agree(journal, job, other)
    assert journal.recover(job) == 1  # claimed[11] was in flight
    agree(journal, job, other)
    assert journal.resend_unknown(job) == 2
    agree(journal, job, other)
    assert journal.totals(job) == Totals(pending=21, accepted=7, rejected=2, parts=10)
    assert journal.totals(other) == Totals(pending=7)


def test_list_and_totals_never_read_the_recipients(journal: Journal) -> None:
    job = make_job(journal, 5)
    journal.record_results(
        job, [Outcome(c.seq, c.to, State.ACCEPTED, parts=1) for c in journal.claim_batch(job, 2)]
    )
    queries: list[str] = []
    journal._db.set_trace_callback(queries.append)
    listed = journal.overview()
    totals = journal.totals(job)
    by_country = journal.accepted_by_country(job)
    journal._db.set_trace_callback(None)
    assert listed[0][1] == totals == Totals(pending=3, accepted=2, parts=2)
    assert by_country == {"ES": (1, 1), None: (1, 1)}
    assert queries and not [q for q in queries if "recipients" in q]


def test_latest_outcomes_come_from_an_index_not_a_sort(journal: Journal) -> None:
    plan = journal._db.execute(
        "EXPLAIN QUERY PLAN SELECT seq FROM recipients WHERE job_id = 1 AND state != 'PENDING'"
        " ORDER BY updated_at DESC, seq DESC LIMIT 20"
    ).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert "recipients_updated" in details
    assert "TEMP B-TREE" not in details


def test_failure_reasons_are_counted_from_an_index_alone(journal: Journal) -> None:
    plan = journal._db.execute(
        "EXPLAIN QUERY PLAN SELECT state, reason, COUNT(*) AS n FROM recipients"
        " WHERE job_id = 1 AND state IN ('REJECTED', 'UNKNOWN') GROUP BY state, reason"
    ).fetchall()
    assert "COVERING INDEX recipients_failed" in " ".join(str(row[-1]) for row in plan)


OLD = """
CREATE TABLE jobs (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, account TEXT NOT NULL,
    provider TEXT NOT NULL, channel TEXT NOT NULL, message TEXT NOT NULL, status TEXT NOT NULL,
    pause_reason TEXT, pid INTEGER, pid_started TEXT);
CREATE TABLE recipients (job_id INTEGER NOT NULL, seq INTEGER NOT NULL, "to" TEXT NOT NULL,
    vars TEXT, state TEXT NOT NULL, reason TEXT, provider_id TEXT, parts INTEGER,
    updated_at TEXT NOT NULL, country TEXT, resent INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, seq)) WITHOUT ROWID;
INSERT INTO jobs VALUES (1, '2025-03-01T12:00:00+00:00', 'a', '360nrs', 'sms', '{}',
    'DONE', NULL, NULL, NULL);
INSERT INTO jobs VALUES (2, '2025-03-02T12:00:00+00:00', 'a', '360nrs', 'sms', '{}',
    'PAUSED', 'not started', NULL, NULL);
INSERT INTO recipients VALUES (1, 0, '34600000001', NULL, 'ACCEPTED', NULL, 'x', 2, 't', 'ES', 0);
INSERT INTO recipients VALUES (1, 1, '34600000002', NULL, 'ACCEPTED', NULL, 'y', NULL, 't', NULL, 0);
INSERT INTO recipients VALUES (1, 2, '34600000003', NULL, 'REJECTED', 'no', NULL, NULL, 't', 'ES', 0);
INSERT INTO recipients VALUES (2, 0, '34600000004', NULL, 'PENDING', NULL, NULL, NULL, 't', 'PT', 0);
"""  # noqa: E501


def test_a_journal_from_before_the_counters_is_counted_once_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(OLD)
    db.close()
    for _ in range(2):  # opening it again neither recounts nor doubles anything
        with Journal(path) as journal:
            listed = {job.id: totals for job, totals, _ in journal.overview()}
            assert listed == {
                1: Totals(accepted=2, rejected=1, parts=2),
                2: Totals(pending=1),
            }
            assert journal.accepted_by_country(1) == {"ES": (1, 2), None: (1, 1)}
            agree(journal, 1, 2)
    with Journal(path) as journal:
        journal.start(2)
        journal.record_results(
            2, [Outcome(c.seq, c.to, State.ACCEPTED, parts=1) for c in journal.claim_batch(2, 5)]
        )
        journal.stop(2, JobStatus.DONE)
        assert journal.totals(2) == Totals(accepted=1, parts=1)
        agree(journal, 1, 2)
