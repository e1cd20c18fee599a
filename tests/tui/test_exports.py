"""One atomic write and one formula-safe CSV writer for every export and results file."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import pytest

from screens.widgets.progress import write_export
from tests.tui.test_cli_jobs import account  # noqa: F401  (fixture: 360nrs account "demo")
from tui.cli import run
from tui.engine.delivery import DeliveryState, Report
from tui.engine.export import EXPORT_COLUMNS, write_job_csv
from tui.engine.journal import Journal, default_path
from tui.engine.journal_rows import Outcome, State
from tui.engine.sms_job import create_sms_job
from tui.files import atomic_text, write_atomic

FORMULA = "=1+cmd|A0"
DLR_AT = "2026-01-01T10:00:00+00:00"


def leftovers(directory: Path, target: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.startswith(f".{target.name}")]


def test_write_atomic_replaces_the_file_whole_text_or_bytes(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    write_atomic(target, "café\r\n")
    assert target.read_bytes() == "café\r\n".encode()
    write_atomic(target, b"\x00\x01", mode=0o600, fsync=True)
    assert target.read_bytes() == b"\x00\x01"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert leftovers(tmp_path, target) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("good", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_text(target) as fh:
        fh.write("half a")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "good"
    assert leftovers(tmp_path, target) == []
    with pytest.raises(TypeError):
        write_atomic(target, 42)  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == "good"
    assert leftovers(tmp_path, target) == []


def test_the_console_and_cli_job_exports_are_formula_safe_and_the_same(
    isolated_dirs: Path, tmp_path: Path
) -> None:
    # A recipient value typed into a CSV by someone else; a spreadsheet must not run it.
    with Journal() as journal:
        job_id = create_sms_job(
            journal, "demo", "360nrs", "T", "Hi", [(FORMULA, None), ("34600000001", None)]
        )
    console = tmp_path / "console.csv"
    assert write_export(console, default_path(), job_id) == 2
    cli_file = tmp_path / "cli.csv"
    assert run(["jobs", "export", str(job_id), "--output", str(cli_file)], out=io.StringIO()) == 0
    assert console.read_bytes() == cli_file.read_bytes()
    rows = list(csv.reader(console.open(encoding="utf-8", newline="")))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert [r[1] for r in rows[1:]] == ["'" + FORMULA, "34600000001"]


def test_every_export_cell_as_the_journal_holds_it_and_the_providers_words_neutralised(
    tmp_path: Path,
) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal:
        job_id = journal.create_job(
            account="a", provider="360nrs", channel="sms", message={},
            recipients=[("34600000001", {"name": "Ana", "n": "=2"}), ("34600000002", None)],
        )  # fmt: skip
        claimed = journal.claim_batch(job_id, 2)
        journal.record_results(
            job_id,
            [
                Outcome(claimed[0].seq, "", State.ACCEPTED, None, "@id", 2),
                Outcome(claimed[1].seq, "", State.REJECTED, "-bad +number", None),
            ],
        )
        journal.resend_unknown(job_id)  # none unknown: nothing marked resent
        journal.record_deliveries(job_id, [Report("@id", DeliveryState.DELIVRD, DLR_AT)])
        out = io.StringIO()
        assert write_job_csv(out, journal, job_id) == 2
        times = [r.updated_at for r in journal.recipients(job_id)]
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [
        list(EXPORT_COLUMNS),
        ["0", "34600000001", "ACCEPTED", "", "'@id", "2", times[0],
         '{"name":"Ana","n":"=2"}', "", "DELIVRD", DLR_AT, ""],
        ["1", "34600000002", "REJECTED", "'-bad +number", "", "", times[1], "", "", "", "", ""],
    ]  # fmt: skip


@pytest.mark.usefixtures("account")
def test_the_results_file_is_formula_safe_for_rows_never_sent(tmp_path: Path) -> None:
    source = tmp_path / "r.csv"
    source.write_text(f"name,mobile\nAna,34600000001\nEve,{FORMULA}\n", encoding="utf-8")
    results = tmp_path / "results.csv"
    args = ["sms", "send", "-a", "demo", "--from", "T", "--csv", str(source), "--message", "Hi"]
    code = run([*args, "--yes", "--results", str(results)], out=io.StringIO())
    assert code == 3  # one row was invalid
    rows = list(csv.DictReader(results.open(encoding="utf-8", newline="")))
    assert [(r["to"], r["state"]) for r in rows] == [
        ("34600000001", "ACCEPTED"),
        ("'" + FORMULA, "INVALID"),
    ]
    assert leftovers(tmp_path, results) == []
