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
    queries: list[str] = []
    journal._db.set_trace_callback(queries.append)
    journal.latest(1, 20)
    journal._db.set_trace_callback(None)
    plan = journal._db.execute("EXPLAIN QUERY PLAN " + queries[-1].replace("?", "1")).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert "recipients_outcome" in details
    assert "TEMP B-TREE" not in details


def test_no_trigger_and_no_index_of_every_state_change(journal: Journal) -> None:
    """The counters are kept per batch by the writers (triggers cost half the journal's
    CPU), and claiming a batch writes to no index (a claim walks the primary key)."""
    schema = journal._db.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    assert not [name for kind, name, _ in schema if kind == "trigger"]
    for kind, name, sql in schema:
        if kind == "index" and sql and " recipients" in sql:
            assert "WHERE" in sql, name  # partial: PENDING and SENDING rows are not in it
            assert "SENDING" in sql or "provider_id IS NOT NULL" in sql or "REJECTED" in sql


def test_a_recipient_put_back_behind_the_claims_is_claimed_again(journal: Journal) -> None:
    job = make_job(journal, 10)
    first = journal.claim_batch(job, 4)
    journal.release(job, [first[1].seq])  # e.g. a request that certainly did not leave
    again = journal.claim_batch(job, 3)
    assert [c.seq for c in again] == [first[1].seq, 4, 5]
    journal.mark_unknown(job, [c.seq for c in (*first, *again)], "timeout")
    rest = journal.claim_batch(job, 10)
    assert [c.seq for c in rest] == [6, 7, 8, 9]
    journal.mark_unknown(job, [c.seq for c in rest], "timeout")
    assert journal.resend_unknown(job, [first[0].seq, 8]) == 2
    assert [c.seq for c in journal.claim_batch(job, 10)] == [first[0].seq, 8]
    assert journal.claim_batch(job, 10) == []
    agree(journal, job)


def test_rows_put_back_by_another_journal_object_are_still_claimed(tmp_path: Path) -> None:
    """A claim that finds nothing after its mark looks once from the start: no recipient
    is left PENDING by a job that says it is done."""
    path = tmp_path / "j.sqlite3"
    with Journal(path) as one, Journal(path) as two:
        job = make_job(one, 6)
        claimed = one.claim_batch(job, 6)
        two.release(job, [claimed[2].seq])
        assert [c.seq for c in one.claim_batch(job, 6)] == [claimed[2].seq]
        agree(one, job)


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


V1 = """
CREATE TABLE job_counts (job_id INTEGER NOT NULL, state TEXT NOT NULL, country TEXT NOT NULL,
    n INTEGER NOT NULL, parts INTEGER NOT NULL, unparted INTEGER NOT NULL,
    PRIMARY KEY (job_id, state, country)) WITHOUT ROWID;
INSERT INTO job_counts VALUES (1, 'ACCEPTED', 'ES', 1, 2, 0), (1, 'ACCEPTED', '', 1, 0, 1),
    (1, 'REJECTED', 'ES', 1, 0, 1), (2, 'PENDING', 'PT', 1, 0, 1);
CREATE INDEX recipients_state ON recipients(job_id, state);
CREATE INDEX recipients_updated ON recipients(job_id, updated_at) WHERE state != 'PENDING';
CREATE INDEX recipients_provider_id ON recipients(job_id, provider_id);
CREATE TRIGGER job_counts_insert AFTER INSERT ON recipients BEGIN
    INSERT INTO job_counts VALUES (new.job_id, new.state, COALESCE(new.country, ''), 1,
        COALESCE(new.parts, 0), new.parts IS NULL)
    ON CONFLICT DO UPDATE SET n = n + 1, parts = parts + excluded.parts,
        unparted = unparted + excluded.unparted;
END;
"""


def test_a_journal_with_counting_triggers_keeps_its_counts_and_loses_the_triggers(
    tmp_path: Path,
) -> None:
    """A journal written by the version whose triggers kept the counters: they are dropped
    (the writers keep the counters now; both at once would count every move twice)."""
    path = tmp_path / "v1.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(OLD + V1)
    db.close()
    with Journal(path) as journal:
        names = {r[0] for r in journal._db.execute("SELECT name FROM sqlite_master")}
        assert not {"job_counts_insert", "recipients_state", "recipients_updated"} & names
        assert "recipients_outcome" in names
        # The provider-id index (random keys, rewritten by every commit) is gone; what it
        # held is in the `provider_ids` cache, and the lookups find it there.
        assert "recipients_provider_id" not in names
        cached = journal._db.execute("SELECT job_id, provider_id, seq FROM provider_ids")
        assert sorted(cached) == [(1, "x", 0), (1, "y", 1)]
        assert journal.has_provider_id(1, "y") and not journal.has_provider_id(2, "y")
        agree(journal, 1, 2)
        job = make_job(journal, 4)
        claimed = journal.claim_batch(job, 3)
        journal.record_results(
            job, [Outcome(c.seq, c.to, State.ACCEPTED, parts=1) for c in claimed]
        )
        agree(journal, 1, 2, job)
