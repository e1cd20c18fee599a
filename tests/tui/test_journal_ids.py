"""Provider id -> recipient lookups (tui.engine.journal_ids): the side table is filled in
sorted runs, never per batch, and the lookups find every id whatever it holds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.tui.test_journal_counts import make_job
from tui.engine import journal_ids
from tui.engine.delivery import DeliveryState, Report
from tui.engine.journal import Journal
from tui.engine.journal_rows import JobStatus, Outcome, State


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "j.sqlite3") as j:
        yield j


def send(journal: Journal, job: int, n: int) -> dict[str, int]:
    """Claim and accept n recipients under random ids, as a provider gives them; id -> seq."""
    claimed = journal.claim_batch(job, n)
    ids = {str(uuid.uuid4()): c.seq for c in claimed}
    by_seq = {seq: pid for pid, seq in ids.items()}
    journal.record_results(
        job, [Outcome(c.seq, c.to, State.ACCEPTED, None, by_seq[c.seq], 1) for c in claimed]
    )
    return ids


def cached(journal: Journal, job: int) -> dict[str, int]:
    rows = journal._db.execute(
        "SELECT provider_id, seq FROM provider_ids WHERE job_id = ?", (job,)
    ).fetchall()
    return dict(rows)


def test_ids_are_found_before_and_after_their_sorted_run(journal: Journal) -> None:
    job = make_job(journal, 50)
    journal.start(job)
    ids = send(journal, job, 20)
    # A batch's outcome commit does not write the side table (its random keys are what
    # cost); the lookups find the ids in the rows meanwhile.
    assert cached(journal, job) == {}
    assert all(journal.has_provider_id(job, pid) for pid in ids)
    assert journal._seqs_of(job, sorted(ids)) == {pid: (seq, 1) for pid, seq in ids.items()}
    assert journal.provider_ids(job) == set(ids)
    assert not journal.has_provider_id(job, "not-an-id")
    # The run's end writes them, in one sorted run.
    journal.stop(job, JobStatus.PAUSED, "paused")
    assert cached(journal, job) == ids
    more = send(journal, job, 10)
    assert journal._seqs_of(job, sorted(ids | more)) == {
        pid: (seq, 1) for pid, seq in (ids | more).items()
    }


def test_enough_waiting_ids_are_written_without_waiting_for_the_run_to_end(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_ids, "FLUSH_IDS", 25)
    job = make_job(journal, 60)
    journal.start(job)
    first = send(journal, job, 20)
    assert cached(journal, job) == {}
    second = send(journal, job, 10)  # 30 waiting >= 25: written with this commit
    assert cached(journal, job) == first | second


def test_a_report_for_an_id_not_yet_cached_is_stored(journal: Journal) -> None:
    job = make_job(journal, 5)
    journal.start(job)
    ids = send(journal, job, 5)
    pid = next(iter(ids))
    at = datetime.now(UTC).isoformat()
    unknown = journal.record_deliveries(
        job,
        [Report(pid, DeliveryState.DELIVRD, at), Report("nobody", DeliveryState.DELIVRD, at)],
    )
    assert unknown == ["nobody"]
    assert journal.deliveries(job)[ids[pid]].state is DeliveryState.DELIVRD


def test_an_id_replaced_by_a_resend_no_longer_names_the_recipient(journal: Journal) -> None:
    job = make_job(journal, 3)
    journal.start(job)
    claimed = journal.claim_batch(job, 3)
    journal.record_results(
        job,
        [Outcome(c.seq, c.to, State.UNKNOWN, "timed out", "old-id" if c.seq == 0 else None)
         for c in claimed],
    )  # fmt: skip
    journal.stop(job, JobStatus.PAUSED, "paused")
    assert cached(journal, job) == {"old-id": 0}
    journal.resend_unknown(job, [0])
    journal.start(job)
    (again,) = journal.claim_batch(job, 1)
    journal.record_results(job, [Outcome(again.seq, again.to, State.ACCEPTED, None, "new-id", 1)])
    journal.stop(job, JobStatus.DONE)
    # The cache still holds the old entry; the recipient's row says it is not its id.
    assert cached(journal, job) == {"old-id": 0, "new-id": 0}
    assert journal._seqs_of(job, ["old-id", "new-id"]) == {"new-id": (0, 1)}
    assert not journal.has_provider_id(job, "old-id")


def test_the_ids_of_a_killed_run_are_cached_when_the_job_starts_again(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    killed = Journal(path)
    job = make_job(killed, 10)
    killed.start(job)
    ids = send(killed, job, 4)
    killed._db.close()  # the process dies: no stop, its waiting ids are lost
    with Journal(path) as journal:
        assert cached(journal, job) == {}
        assert journal._seqs_of(job, sorted(ids)) == {p: (s, 1) for p, s in ids.items()}
        journal._db.execute("UPDATE jobs SET pid = NULL WHERE id = ?", (job,))
        journal.start(job)
        assert cached(journal, job) == ids


def test_ids_recorded_since_a_time_come_from_the_outcome_index(journal: Journal) -> None:
    job = make_job(journal, 10)
    journal.start(job)
    before = send(journal, job, 4)
    since = (datetime.now(UTC) - timedelta(milliseconds=1)).isoformat(timespec="milliseconds")
    journal._db.execute(
        "UPDATE recipients SET updated_at = '2000-01-01T00:00:00.000+00:00' WHERE job_id = ?",
        (job,),
    )
    after = send(journal, job, 3)
    assert journal.provider_ids_since(job, since) == set(after)
    assert journal.provider_ids(job) == set(before) | set(after)
    plan = " ".join(
        str(row[-1])
        for row in journal._db.execute("EXPLAIN QUERY PLAN " + journal_ids.IDS_SINCE, (job, since))
    )
    assert "recipients_outcome" in plan
