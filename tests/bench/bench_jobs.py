"""Benchmark: the send journal with 1,000,000 recipients of history (issue 14).

Run with `python -m tests.bench.bench_jobs` (or under `make bench`). It builds the history
itself through the journal (ten jobs of 100,000 recipients, created with executemany and
finished by one UPDATE per job, as fast as SQLite takes them), then measures, as the median
of RUNS, in this process once its modules are loaded:

- `switchboard jobs list` (the CLI command, parsing and printing included) and the Jobs
  screen's loaders (its list, and the newest job's detail): target < 50 ms each;
- `switchboard jobs export` of a 100,000-recipient job against a minimal sqlite3 + csv
  dump of the same rows, interleaved: target <= 1.5x.

The machine may be shared: say so when quoting these figures.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median

from tests.bench.verdict import Verdict

RUNS = 3
JOBS = 10


def build_history(path: Path, jobs: int, per_job: int) -> list[int]:
    """`jobs` finished SMS jobs of `per_job` recipients each (a tenth rejected); their ids.

    Each job is created empty by the journal, then its recipients are inserted with their
    outcomes by one executemany (the journal's triggers keep its counters as they would)."""
    from tui.engine.journal import Journal
    from tui.engine.journal_rows import JobStatus

    ids = []
    now = "2026-01-01T00:00:00.000+00:00"
    with Journal(path) as journal:
        for j in range(jobs):
            job_id = journal.create_job(
                account="bench",
                provider="360nrs",
                channel="sms",
                message={"sender": "BENCH", "message": "Hi {name}", "options": {}},
                recipients=(),
            )
            rows = (
                (job_id, i, f"+346{j:02d}{i:06d}", f'{{"name":"N{i}"}}', "ES")
                + (("REJECTED", "bad", None) if i % 10 == 9 else ("ACCEPTED", None, f"id{i}"))
                + (1, now)
                for i in range(per_job)
            )  # fmt: skip
            with journal._db:
                journal._db.execute("BEGIN")
                journal._db.executemany(
                    'INSERT INTO recipients (job_id, seq, "to", vars, country, state, reason,'
                    " provider_id, parts, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
            journal.stop(job_id, JobStatus.DONE)
            ids.append(job_id)
    return ids


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def minimal_dump(path: Path, job_id: int, out: Path) -> None:
    """The floor: the same rows and columns straight from sqlite3 into csv.writer."""
    db = sqlite3.connect(path)
    try:
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(
                (
                    "seq",
                    "to",
                    "state",
                    "reason",
                    "provider_id",
                    "parts",
                    "updated_at",
                    "vars",
                    "resent",
                )
            )
            writer.writerows(
                db.execute(
                    'SELECT seq, "to", state, reason, provider_id, parts, updated_at, vars,'
                    " resent FROM recipients WHERE job_id = ? ORDER BY seq",
                    (job_id,),
                )
            )
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    """Build the history, measure, print every target's verdict and the table."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_jobs", description=__doc__)
    p.add_argument("--recipients", type=int, default=1_000_000, help="history size")
    p.add_argument("--runs", type=int, default=RUNS)
    args = p.parse_args(argv)
    verdict = Verdict("bench_jobs")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SWITCHBOARD_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["SWITCHBOARD_CONFIG_DIR"] = str(Path(tmp) / "config")
        path = Path(tmp) / "journal.sqlite3"
        started = time.perf_counter()
        ids = build_history(path, JOBS, args.recipients // JOBS)
        built = time.perf_counter() - started
        print(
            f"History of {args.recipients:,} recipients in {len(ids)} jobs built in {built:.1f} s"
        )
        print(f"Median of {args.runs} runs:", flush=True)

        from screens.jobs.screen import load_detail, load_jobs
        from tui.cli import run

        def jobs_list() -> None:
            out = io.StringIO()
            assert run(["jobs", "list", "--journal", str(path)], out=out) == 0
            assert f"{ids[-1]}" in out.getvalue()

        jobs_list()  # loads the command's modules: what is measured is the command's work
        load_detail(path, ids[-1])
        listed = median(timed(jobs_list) for _ in range(args.runs))
        screen = median(timed(lambda: load_jobs(path)) for _ in range(args.runs))
        detail = median(timed(lambda: load_detail(path, ids[-1])) for _ in range(args.runs))
        verdict.bound(f"jobs list, {args.recipients:,} recipients", listed, 0.050)
        verdict.bound("Jobs screen list", screen, 0.050)
        verdict.bound("Jobs screen detail (newest job)", detail, 0.050)

        ours: list[float] = []
        floor: list[float] = []
        export = Path(tmp) / "export.csv"
        dump = Path(tmp) / "dump.csv"
        argv_export = ["jobs", "export", str(ids[0]), "-o", str(export), "--journal", str(path)]
        for _ in range(args.runs):
            floor.append(timed(lambda: minimal_dump(path, ids[0], dump)))
            ours.append(timed(lambda: run(argv_export, out=io.StringIO())))
        rows = sum(1 for _ in export.open(encoding="utf-8")) - 1
        assert rows == args.recipients // JOBS, rows
        verdict.ratio(
            f"jobs export, {rows:,} recipients",
            median(ours),
            median(floor),
            1.5,
            peer_name="sqlite3+csv dump",
        )
    return verdict.finish()


if __name__ == "__main__":
    sys.exit(main())
