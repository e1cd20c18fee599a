"""Delivery states in the journal: forward only, duplicates and disorder harmless, parts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui.engine.delivery import DeliveryState as D
from tui.engine.delivery import Funnel, Report, combine, from_events, parse_state
from tui.engine.journal import Journal
from tui.engine.journal_rows import Outcome, State


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def accepted_job(journal: Journal, n: int = 4, parts: int = 1) -> int:
    """A job whose n recipients were accepted as ids m0..m{n-1}."""
    job_id = journal.create_job(
        account="acct",
        provider="360nrs",
        channel="sms",
        message={"sender": "TEST", "message": "Hi", "options": {}},
        recipients=[(f"3460000{i:04d}", None) for i in range(n)],
    )
    journal.start(job_id)
    claimed = journal.claim_batch(job_id, n)
    journal.record_results(
        job_id, [Outcome(c.seq, c.to, State.ACCEPTED, None, f"m{c.seq}", parts) for c in claimed]
    )
    return job_id


def test_parse_state_takes_the_references_words_only() -> None:
    assert parse_state("delivrd") is D.DELIVRD
    assert parse_state(" UNDELIV ") is D.UNDELIV
    assert parse_state("DELIVERED") is None


def test_a_later_state_never_goes_back(journal: Journal) -> None:
    job_id = accepted_job(journal)
    journal.record_deliveries(job_id, [Report("m0", D.DELIVRD, "2026-01-01T10:00:05")])
    # Arriving late: ACCEPTD (out of order), a duplicate, and a contradicting final.
    journal.record_deliveries(
        job_id,
        [
            Report("m0", D.ACCEPTD, "2026-01-01T10:00:01"),
            Report("m0", D.DELIVRD, "2026-01-01T10:00:09"),
            Report("m0", D.UNDELIV, "2026-01-01T10:00:10"),
        ],
    )
    d = journal.deliveries(job_id)[0]
    assert (d.state, d.at, d.final) == (D.DELIVRD, "2026-01-01T10:00:05", True)


def test_accepted_then_final_moves_forward(journal: Journal) -> None:
    job_id = accepted_job(journal)
    journal.record_deliveries(job_id, [Report("m1", D.ACCEPTD, "t1")])
    assert journal.deliveries(job_id)[1].state is D.ACCEPTD
    assert "m1" in journal.awaiting_delivery(job_id)
    journal.record_deliveries(job_id, [Report("m1", D.EXPIRED, "t2")])
    assert journal.deliveries(job_id)[1].state is D.EXPIRED
    assert "m1" not in journal.awaiting_delivery(job_id)


def test_unknown_ids_are_returned_and_stored_nowhere(journal: Journal) -> None:
    job_id = accepted_job(journal)
    other = accepted_job(journal)
    unknown = journal.record_deliveries(
        job_id, [Report("nope", D.DELIVRD, "t"), Report("m2", D.DELIVRD, "t")]
    )
    assert unknown == ["nope"]
    assert list(journal.deliveries(job_id)) == [2]
    assert journal.deliveries(other) == {}


def test_funnel_counts_and_failure_reasons(journal: Journal) -> None:
    job_id = accepted_job(journal, n=6)
    journal.record_deliveries(
        job_id,
        [
            Report("m0", D.DELIVRD, "t"),
            Report("m1", D.DELIVRD, "t"),
            Report("m2", D.UNDELIV, "t"),
            Report("m3", D.REJECTD, "t"),
            Report("m4", D.EXPIRED, "t"),
        ],
    )
    f = journal.delivery_funnel(job_id)
    assert (f.accepted, f.delivered, f.failed, f.expired, f.waiting) == (6, 2, 2, 1, 1)
    assert not f.done
    assert f.line() == (
        "6 accepted -> 2 delivered, 2 failed, 1 expired, 1 waiting (REJECTD 1, UNDELIV 1)"
    )
    assert journal.awaiting_delivery(job_id) == ["m5"]


def test_parts_make_the_recipients_state_and_are_kept_when_they_differ(
    journal: Journal,
) -> None:
    job_id = accepted_job(journal, n=1, parts=2)
    journal.record_deliveries(job_id, [Report("m0", D.DELIVRD, "t1", part=1)])
    d = journal.deliveries(job_id)[0]
    assert d.state is D.ACCEPTD  # part 2 is still on its way
    assert d.parts == {1: (D.DELIVRD, "t1")}
    journal.record_deliveries(job_id, [Report("m0", D.UNDELIV, "t2", part=2)])
    d = journal.deliveries(job_id)[0]
    assert (d.state, d.at) == (D.UNDELIV, "t2")
    assert d.parts == {1: (D.DELIVRD, "t1"), 2: (D.UNDELIV, "t2")}


def test_parts_that_agree_are_not_repeated(journal: Journal) -> None:
    job_id = accepted_job(journal, n=1, parts=2)
    journal.record_deliveries(
        job_id, [Report("m0", D.DELIVRD, "t1", part=1), Report("m0", D.DELIVRD, "t2", part=2)]
    )
    d = journal.deliveries(job_id)[0]
    assert (d.state, d.at, d.parts) == (D.DELIVRD, "t2", None)


def test_combine() -> None:
    assert combine({1: D.DELIVRD}, 1) is D.DELIVRD
    assert combine({1: D.DELIVRD}, 2) is D.ACCEPTD
    assert combine({1: D.EXPIRED, 2: D.DELIVRD}, 2) is D.EXPIRED
    # A part numbered beyond what the journal expected still has to arrive as a whole.
    assert combine({3: D.DELIVRD}, 1) is D.ACCEPTD


def test_from_events_takes_the_furthest_state() -> None:
    t = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert from_events([("sent", t), ("delivered", t)]) == (D.DELIVRD, t.isoformat())
    assert from_events([("sent", t)]) == (D.ACCEPTD, t.isoformat())
    assert from_events([("clicked", t)]) is None


def test_funnel_of_nothing_is_done() -> None:
    assert Funnel.of(0, {}).done


def test_an_older_journal_gains_the_delivery_table(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with Journal(path) as j:
        job_id = accepted_job(j)
    db = sqlite3.connect(path)
    db.execute("DROP TABLE deliveries")
    db.commit()
    db.close()
    with Journal(path) as j:
        assert j.totals(job_id).accepted == 4
        j.record_deliveries(job_id, [Report("m0", D.DELIVRD, "t")])
        assert j.deliveries(job_id)[0].state is D.DELIVRD
