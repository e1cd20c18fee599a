"""The journal under storage faults (issue 13, points 7-9): a full disk, a log that cannot
be written, a damaged file, the owner-only permissions of the data directory, and files
the user names keeping the user's umask.

A full disk is SQLite's own SQLITE_FULL, made real with `PRAGMA max_page_count` on the
journal's connection (a tiny filesystem needs privileges); a damaged journal is a real
file with pages in its middle overwritten.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from backends.sandbox.core import SandboxServer
from tests.tui.test_sender import FAST_RETRY, backend_for, drain, new_job, numbers, rich_app
from tests.tui.test_sender import stored as stored_by_emulator
from tui import logs
from tui.cli import run as cli
from tui.engine.export import export_job
from tui.engine.journal import Journal, JournalError
from tui.engine.journal_db import transaction
from tui.engine.journal_rows import JobStatus, Outcome, State
from tui.engine.sender import run_job
from tui.files import write_atomic


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def fill_the_disk(journal: Journal) -> None:
    """No page more: what SQLite does on a full disk (SQLITE_FULL) from the next growth on.

    The file is compacted first, so its pages have no room left for the outcomes still to
    come (a provider id makes a row longer): the next outcome written meets the full disk,
    however the send's batches happen to be grouped into commits."""
    db = journal._db
    with journal._lock:
        db.execute("VACUUM")
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")


def fill_the_disk_once_sending(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The disk fills once the first outcomes are recorded: the send is under way, with
    requests out whose outcomes then find no room (where it fills does not depend on how
    the journal's pages happen to be laid out). The recipients whose outcomes could not be
    recorded are collected in the set returned."""
    record = journal.record_results
    lost: set[str] = set()

    def record_then_fill(job_id: int, outcomes: Iterable[Outcome]) -> None:
        outcomes = list(outcomes)
        try:
            record(job_id, outcomes)
        except JournalError:
            lost.update(o.to for o in outcomes if o.to)
            raise
        fill_the_disk(journal)

    monkeypatch.setattr(journal, "record_results", record_then_fill)
    return lost


async def test_a_full_disk_keeps_the_real_error_and_every_recipient(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    tos = numbers(600)
    job_id = new_job(journal, tos)
    unrecorded = fill_the_disk_once_sending(journal, monkeypatch)
    app = rich_app()
    server = SandboxServer(app)
    server.start()
    try:
        async with backend_for(url=server.url + "/api/rest") as backend:
            with pytest.raises(JournalError) as caught:
                # One request at a time: outcomes are journaled batch by batch (the engine
                # writes every answered batch waiting in one commit, and four workers could
                # all be answered before the first commit, leaving no write to meet the
                # full disk).
                await drain(
                    run_job(
                        journal, job_id, backend, batch_size=25, concurrency=1,
                        policy=FAST_RETRY,
                    )
                )  # fmt: skip
    finally:
        server.stop()
    where = str(journal.path.parent)
    # The cause, not "cannot rollback - no transaction is active" nor "internal error".
    assert caught.value.message == f"the disk is full ({where})"
    job = journal.job(job_id)
    assert job.status is JobStatus.FAILED
    assert job.pause_reason == f"the disk is full ({where})"
    # Room again: nothing lost, nothing doubled. What was sent and not recorded is UNKNOWN.
    journal._db.execute("PRAGMA max_page_count = 1073741823")
    journal.recover(job_id)
    rows = list(journal.recipients(job_id))
    assert [r.to for r in rows] == tos
    sent = stored_by_emulator(app)
    assert max(sent.values(), default=0) <= 1
    for r in rows:
        assert r.state in (State.PENDING, State.ACCEPTED, State.UNKNOWN)
        if r.state is State.PENDING:
            assert r.to not in sent
        if r.state is State.ACCEPTED:
            assert sent[r.to] == 1
    assert {r.to for r in rows if r.state is State.UNKNOWN} >= set(sent) - {
        r.to for r in rows if r.state is State.ACCEPTED
    }
    # Which write meets the full disk first (an outcome, a claim, a checkpoint) depends on
    # timing; outcomes that found no room are UNKNOWN, never lost.
    assert unrecorded <= {r.to for r in rows if r.state is State.UNKNOWN}


def test_a_transaction_sqlite_already_rolled_back_keeps_its_error(journal: Journal) -> None:
    db = journal._db
    with pytest.raises(ValueError, match="the real error"), transaction(db):
        db.execute("ROLLBACK")  # what SQLite does by itself on SQLITE_FULL or an I/O error
        raise ValueError("the real error")
    assert not db.in_transaction


def test_a_log_that_cannot_be_written_prints_no_traceback(
    isolated_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.setup()
    handler = logging.getLogger("switchboard").handlers[-1]
    assert isinstance(handler, logging.FileHandler)

    class Full(io.StringIO):
        def write(self, s: str) -> int:
            raise OSError(28, "No space left on device")

    handler.stream.close()
    handler.stream = Full()
    try:
        logging.getLogger("switchboard.test").warning("something to keep")
        assert capsys.readouterr().err == ""
        assert logs.where() == f"the log {logs.log_path()} could not be written: the disk is full"
    finally:
        handler.stream = open(logs.log_path(), "a", encoding="utf-8")  # noqa: SIM115
        logs._failure = None


def corrupt(path: Path) -> None:
    """Overwrite pages in the middle of a closed journal file, as a bad disk would."""
    size = path.stat().st_size
    assert size > 40 * 4096
    with path.open("r+b") as fh:
        fh.seek((size // 4096 // 2) * 4096)
        fh.write(os.urandom(8 * 4096))


def damaged_journal(path: Path) -> int:
    """A journal with one big job whose pages are damaged, and a small job to send."""
    with Journal(path) as j:
        new_job(j, numbers(20_000))
        small = new_job(j, numbers(3, start=50_000))
    corrupt(path)
    return small


async def test_nothing_is_sent_into_a_damaged_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    job_id = damaged_journal(path)
    app = rich_app()
    server = SandboxServer(app)
    server.start()
    try:
        with Journal(path) as journal:
            async with backend_for(url=server.url + "/api/rest") as backend:
                with pytest.raises(JournalError) as caught:
                    await drain(run_job(journal, job_id, backend, policy=FAST_RETRY))
    finally:
        server.stop()
    assert caught.value.message.startswith(f"the journal at {path} is damaged (")
    assert "move it aside" in caught.value.message
    assert sum(stored_by_emulator(app).values()) == 0


def test_read_commands_say_the_journal_is_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "journal.sqlite3"
    damaged_journal(path)
    # The damaged pages hold the big job's recipients, which an export reads (a listing
    # reads only the jobs and their counters).
    code = cli(["jobs", "export", "1", "-o", "-", "--journal", str(path)], out=io.StringIO())
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"switchboard: the journal at {path} is damaged (")
    assert "unexpected error" not in err and err.count("\n") == 1


def test_quick_check_is_cheap_on_a_journal_of_100k_recipients(journal: Journal) -> None:
    new_job(journal, numbers(100_000))
    started = time.perf_counter()
    journal.check()
    took = time.perf_counter() - started
    # Measured at 0.05-0.08 s (9 MB file, 2 shared cores); a send start can afford it.
    assert took < 1.0


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_dir_journal_and_log_are_the_owners_only(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0o022)
    try:
        data = Path(os.environ["SWITCHBOARD_DATA_DIR"]) / "fresh"
        monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(data))
        with Journal() as journal:
            new_job(journal, numbers(3))
        logs.setup()
        logging.getLogger("switchboard.test").warning("a line")
        assert mode(data) == 0o700
        for name in ("journal.sqlite3", "journal.sqlite3-wal", "journal.sqlite3-shm"):
            if (data / name).exists():
                assert mode(data / name) == 0o600, name
        assert mode(data / "journal.sqlite3") == 0o600
        assert mode(logs.log_path()) == 0o600
        # Made by an older version: opened, they are tightened.
        data.chmod(0o755)
        for p in data.iterdir():
            p.chmod(0o644)
        with Journal() as journal:
            journal.jobs()
            assert mode(data) == 0o700
            assert {mode(p) for p in data.iterdir() if p.name.startswith("journal")} == {0o600}
        monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(data.parent))
        logs.setup()  # another data dir: a new log file
        monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(data))
        logs.setup()  # back: the old log is opened again, as a new process would
        assert mode(logs.log_path()) == 0o600
    finally:
        os.umask(old)


def test_files_the_user_names_keep_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with Journal(tmp_path / "journal.sqlite3") as journal:
            job_id = new_job(journal, numbers(2))
            export_job(tmp_path / "export.csv", journal, job_id)
        write_atomic(tmp_path / "report.csv", "a,b\n")
        write_atomic(tmp_path / "private.json", "{}", mode=0o600)
        assert mode(tmp_path / "export.csv") == 0o644
        assert mode(tmp_path / "report.csv") == 0o644
        assert mode(tmp_path / "private.json") == 0o600
        os.umask(0o077)
        write_atomic(tmp_path / "report.csv", "a,b\n")
        assert mode(tmp_path / "report.csv") == 0o600
    finally:
        os.umask(old)


def test_a_full_disk_under_an_export_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        job_id = new_job(journal, numbers(2))
    target = tmp_path / "out" / "export.csv"
    target.parent.mkdir()

    def full(*args: object, **kwargs: object) -> tuple[int, str]:
        # What mkstemp meets on a full disk (a small full filesystem needs privileges).
        raise OSError(errno.ENOSPC, "No space left on device", str(target.parent / ".e.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", full)
    argv = ["jobs", "export", str(job_id), "--output", str(target), "--journal", str(path)]
    assert cli(argv, out=io.StringIO()) == 1
    assert capsys.readouterr().err == f"switchboard: the disk is full ({target.parent})\n"
