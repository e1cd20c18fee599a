"""The send journal's state machine: claims, outcomes, recovery after a crash, resend."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.engine.journal import Journal, JournalError, default_path
from tui.engine.journal_rows import JobStatus, Outcome, State, Totals
from tui.engine.processes import process_alive


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def make_job(journal: Journal, n: int = 10) -> int:
    return journal.create_job(
        account="acct",
        provider="360nrs",
        channel="sms",
        message={"sender": "TEST", "message": "Hi {name}", "options": {}},
        recipients=[(f"3460000{i:04d}", {"name": f"n{i}"} if i % 2 else None) for i in range(n)],
    )


def states(journal: Journal, job_id: int) -> list[State]:
    return [r.state for r in journal.recipients(job_id)]


def test_default_path_is_in_the_data_dir(isolated_dirs: Path) -> None:
    assert default_path() == isolated_dirs / "data" / "journal.sqlite3"
    with Journal() as j:
        assert j.path == default_path()
        assert j.path.exists()


def test_file_is_wal_with_full_sync(journal: Journal) -> None:
    db = sqlite3.connect(journal.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # synchronous is per connection: check the journal's own.
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    db.close()


def test_new_job_is_paused_not_started_with_everyone_pending(journal: Journal) -> None:
    job_id = make_job(journal)
    job = journal.job(job_id)
    assert (job.status, job.pause_reason, job.account, job.channel) == (
        JobStatus.PAUSED,
        "not started",
        "acct",
        "sms",
    )
    assert job.message["sender"] == "TEST"
    assert journal.totals(job_id) == Totals(pending=10)
    rows = list(journal.recipients(job_id))
    assert [r.seq for r in rows] == list(range(10))
    assert rows[1].vars == {"name": "n1"}
    assert rows[0].vars is None
    assert [j.id for j in journal.jobs()] == [job_id]
    with pytest.raises(JournalError):
        journal.job(job_id + 1)


def test_claim_takes_lowest_pending_first_and_commits(journal: Journal) -> None:
    job_id = make_job(journal)
    first = journal.claim_batch(job_id, 4)
    second = journal.claim_batch(job_id, 4)
    assert [c.seq for c in first] == [0, 1, 2, 3]
    assert [c.seq for c in second] == [4, 5, 6, 7]
    assert first[1].vars == {"name": "n1"}
    # Visible to another connection at once: it was committed before any request left.
    other = Journal(journal.path)
    assert other.totals(job_id) == Totals(pending=2, sending=8)
    other.close()


def test_outcomes_release_and_only_sending_rows_change(journal: Journal) -> None:
    job_id = make_job(journal, 6)
    batch = journal.claim_batch(job_id, 4)
    journal.record_results(
        job_id,
        [
            Outcome(0, batch[0].to, State.ACCEPTED, None, "id-0", 2),
            Outcome(1, batch[1].to, State.REJECTED, "102: No valid recipients"),
            # seq 5 is still PENDING: an outcome for it must not apply.
            Outcome(5, "x", State.ACCEPTED, None, "id-5", 1),
        ],
    )
    journal.mark_unknown(job_id, [2], "read timeout")
    journal.release(job_id, [3])
    assert states(journal, job_id) == [
        State.ACCEPTED,
        State.REJECTED,
        State.UNKNOWN,
        State.PENDING,
        State.PENDING,
        State.PENDING,
    ]
    rows = list(journal.recipients(job_id))
    assert (rows[0].provider_id, rows[0].parts) == ("id-0", 2)
    assert rows[1].reason == "102: No valid recipients"
    assert rows[2].reason == "read timeout"
    assert journal.totals(job_id) == Totals(pending=3, accepted=1, rejected=1, unknown=1, parts=2)


def test_start_refuses_while_rows_are_in_flight(journal: Journal) -> None:
    job_id = make_job(journal)
    journal.start(job_id)
    assert journal.job(job_id).status is JobStatus.RUNNING
    assert journal.job(job_id).pid == os.getpid()
    journal.claim_batch(job_id, 3)
    journal.stop(job_id, JobStatus.PAUSED, "test")
    with pytest.raises(JournalError, match="recover"):
        journal.start(job_id)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _set_runner(journal: Journal, job_id: int, pid: int) -> None:
    journal._db.execute(
        "UPDATE jobs SET status = 'RUNNING', pid = ?, pid_started = NULL WHERE id = ?",
        (pid, job_id),
    )


def test_recover_turns_in_flight_rows_unknown_and_keeps_pending(journal: Journal) -> None:
    job_id = make_job(journal)
    journal.claim_batch(job_id, 3)
    _set_runner(journal, job_id, _dead_pid())
    assert journal.recover(job_id) == 3
    job = journal.job(job_id)
    assert (job.status, job.pause_reason) == (JobStatus.PAUSED, "interrupted")
    assert journal.totals(job_id) == Totals(pending=7, unknown=3)
    unknown = list(journal.recipients(job_id, State.UNKNOWN))
    assert [r.seq for r in unknown] == [0, 1, 2]
    assert "in flight" in (unknown[0].reason or "")
    # Recovering twice changes nothing.
    assert journal.recover(job_id) == 0


def test_recover_refuses_a_job_running_in_a_live_process(journal: Journal) -> None:
    job_id = make_job(journal)
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        _set_runner(journal, job_id, proc.pid)
        with pytest.raises(JournalError, match="running"):
            journal.recover(job_id)
        with pytest.raises(JournalError, match="running"):
            journal.start(job_id)
    finally:
        proc.kill()
        proc.wait()
    journal.recover(job_id)


def test_recover_refuses_a_run_active_in_this_process(journal: Journal) -> None:
    job_id = make_job(journal)
    journal.start(job_id)
    with pytest.raises(JournalError, match="running"):
        journal.recover(job_id)
    with pytest.raises(JournalError, match="running"):
        journal.start(job_id)
    journal.stop(job_id, JobStatus.PAUSED, "x")
    journal.recover(job_id)


def test_a_killed_unreaped_process_counts_as_dead() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    assert process_alive(proc.pid)
    proc.kill()
    # Not waited for yet: a zombie, which os.kill(pid, 0) alone would call alive.
    deadline = time.monotonic() + 5
    while process_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not process_alive(proc.pid)
    proc.wait()
    assert not process_alive(proc.pid)


def test_resend_unknown_is_explicit_and_can_pick_rows(journal: Journal) -> None:
    job_id = make_job(journal)
    batch = journal.claim_batch(job_id, 4)
    journal.mark_unknown(job_id, [c.seq for c in batch], "dropped")
    assert journal.resend_unknown(job_id, [1, 3, 9]) == 2
    assert states(journal, job_id)[:4] == [
        State.UNKNOWN,
        State.PENDING,
        State.UNKNOWN,
        State.PENDING,
    ]
    assert journal.resend_unknown(job_id) == 2
    assert journal.totals(job_id) == Totals(pending=10)
    assert all(r.reason is None for r in journal.recipients(job_id))


def test_recipients_iterates_in_chunks_and_filters(journal: Journal) -> None:
    job_id = make_job(journal, 12_345)
    batch = journal.claim_batch(job_id, 6_000)
    journal.record_results(
        job_id, [Outcome(c.seq, c.to, State.ACCEPTED, None, str(c.seq), 1) for c in batch]
    )
    rows = list(journal.recipients(job_id))
    assert [r.seq for r in rows] == list(range(12_345))
    accepted = list(journal.recipients(job_id, State.ACCEPTED))
    assert len(accepted) == 6_000
    assert accepted[-1].provider_id == "5999"


def test_a_journal_from_before_countries_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE jobs (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, account TEXT NOT
            NULL, provider TEXT NOT NULL, channel TEXT NOT NULL, message TEXT NOT NULL,
            status TEXT NOT NULL, pause_reason TEXT, pid INTEGER, pid_started TEXT);
        CREATE TABLE recipients (job_id INTEGER NOT NULL, seq INTEGER NOT NULL, "to" TEXT NOT
            NULL, vars TEXT, state TEXT NOT NULL, reason TEXT, provider_id TEXT, parts INTEGER,
            updated_at TEXT NOT NULL, PRIMARY KEY (job_id, seq)) WITHOUT ROWID;
        INSERT INTO jobs VALUES (1, '2025-03-01T12:00:00+00:00', 'a', '360nrs', 'sms', '{}',
            'PAUSED', 'not started', NULL, NULL);
        INSERT INTO recipients VALUES (1, 0, '34600000001', NULL, 'PENDING', NULL, NULL, NULL,
            '2025-03-01T12:00:00+00:00');
        """
    )
    db.close()
    with Journal(path) as journal:
        assert journal.claim_batch(1, 10)[0].country is None
        new = journal.create_job(account="a", provider="360nrs", channel="sms", message={},
                                 recipients=[("34600000002", None, "ES")])  # fmt: skip
        assert next(journal.recipients(new)).country == "ES"
        assert journal.claim_batch(new, 1)[0].country == "ES"
        journal.record_results(new, [Outcome(0, "", State.ACCEPTED, parts=2)])
        assert journal.accepted_by_country(new) == {"ES": (1, 2)}
    # Opening it again finds the column there.
    with Journal(path) as journal:
        assert journal.job(1).channel == "sms"


def test_overview_gives_each_jobs_totals_and_interruption_in_two_queries(
    journal: Journal,
) -> None:
    done = make_job(journal, 4)
    journal.record_results(
        done, [Outcome(s.seq, s.to, State.ACCEPTED, parts=2) for s in journal.claim_batch(done, 3)]
    )
    crashed = make_job(journal, 5)
    journal.claim_batch(crashed, 2)
    _set_runner(journal, crashed, _dead_pid())
    running = make_job(journal, 2)
    journal.start(running)
    single = journal.create_job(
        account="acct", provider="360nrs", channel="sms",
        message={"sender": "T", "message": "x", "options": {}}, recipients=[("34600000001", None)],
    )  # fmt: skip
    queries: list[str] = []
    journal._db.set_trace_callback(queries.append)
    listed = journal.overview()
    journal._db.set_trace_callback(None)
    assert len(queries) == 2
    assert [job.id for job, _, _ in listed] == [single, running, crashed, done]
    for job, totals, interrupted in listed:
        assert totals == journal.totals(job.id)
        assert interrupted == journal.interrupted(job.id)
    by_id = {job.id: (totals, interrupted) for job, totals, interrupted in listed}
    assert by_id[done] == (Totals(pending=1, accepted=3, parts=6), False)
    assert by_id[crashed] == (Totals(pending=3, sending=2), True)
    assert by_id[running][1] is False  # running here, in a live process
    journal.stop(running, JobStatus.PAUSED, "x")


def test_latest_gives_the_newest_outcomes_first_without_pending_rows(journal: Journal) -> None:
    job_id = make_job(journal, 6)
    first = journal.claim_batch(job_id, 2)
    journal.record_results(job_id, [Outcome(c.seq, c.to, State.ACCEPTED) for c in first])
    time.sleep(0.01)  # a later outcome has a later time
    second = journal.claim_batch(job_id, 2)
    journal.record_results(job_id, [Outcome(c.seq, c.to, State.REJECTED, "x") for c in second])
    latest = journal.latest(job_id, 3)
    assert [r.seq for r in latest] == [3, 2, 1]
    assert [r.state for r in latest] == [State.REJECTED, State.REJECTED, State.ACCEPTED]
    assert len(journal.latest(job_id, 10)) == 4  # the 2 pending rows are not outcomes


def test_a_second_journal_in_the_process_keeps_the_others_commits_visible(
    tmp_path: Path,
) -> None:
    """Opening the journal again in this process (the Jobs screen's reader while a send or
    the receiver writes) must leave the first connection's locks alone: another process
    closing the file then takes it for its last user only when it is."""
    path = tmp_path / "journal.sqlite3"
    count = (
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
        "print(db.execute('SELECT COUNT(*) FROM jobs').fetchone()[0]); db.close()"
    )

    def jobs_seen_elsewhere() -> int:
        done = subprocess.run([sys.executable, "-c", count, str(path)], capture_output=True)
        return int(done.stdout)

    with Journal(path) as writer:
        make_job(writer, 1)
        with Journal(path):
            assert jobs_seen_elsewhere() == 1
            assert path.with_name(path.name + "-wal").exists()  # not deleted under the writer
            make_job(writer, 1)
            assert jobs_seen_elsewhere() == 2  # the writer's commit went to the live WAL
