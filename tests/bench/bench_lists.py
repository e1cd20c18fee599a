"""Benchmark: big lists stay fast: a 100,000-row recipients CSV, and 100,000 contacts paged.

Run with `python -m tests.bench.bench_lists` (not collected by pytest). Each figure comes with
a baseline measured in the same run:

- loading recipients (parse, E.164, dedupe, variables) against a bare `csv.reader` pass
  over the same file (the floor) and a naive loader (DictReader, `phonenumbers.parse` and
  format per row, a set for duplicates);
- the Contacts screen over 100,000 contacts against the same screen over 1,000: opening,
  the next page and a server-side filter should cost about the same, because the table
  only ever holds one page.

The 360nrs sandbox runs in its own process (one per address-book size), so the
console's figures are the console's alone. Targets: recipients load within 3x the naive
loader; paging with 100,000 contacts within 3x of paging with 1,000. Every target's verdict
and the results table are printed (tests/bench/verdict.py); the exit code is 1 if any was
missed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.verdict import Verdict

TARGET_LOAD_RATIO = 3.0
TARGET_PAGE_RATIO = 3.0
SIZE = (140, 45)


def write_csv(path: Path, rows: int) -> None:
    """Spanish mobiles with a tenth of them repeated, and a name column."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        fh.write("to,name\n")
        for i in range(rows):
            fh.write(f"3466{i % (rows * 9 // 10):07d},N{i}\n")


def floor_pass(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.reader(fh))


def naive_load(path: Path) -> int:
    import phonenumbers

    seen: set[str] = set()
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            number = phonenumbers.parse(row["to"], "ES")
            if phonenumbers.is_valid_number(number):
                seen.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return len(seen)


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def bench_load(rows: int) -> dict[str, Any]:
    from tui.engine.recipients import from_csv

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        write_csv(path, rows)
        floor, _ = timed(floor_pass, path)
        naive, naive_valid = timed(naive_load, path)
        ours, got = timed(from_csv, path)
    assert len(got.valid) == naive_valid, (len(got.valid), naive_valid)
    return {"rows": rows, "floor": floor, "naive": naive, "ours": ours, "valid": len(got.valid)}


def serve(total: int) -> None:
    """Run the 360nrs sandbox with `total` contacts on a free loopback port; print the port."""
    import uvicorn

    from backends.sandbox.nrs360 import create_app
    from tests.screens.test_contacts_many import seed_many

    nrs = create_app()
    seed_many(nrs, total)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(nrs, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


def start_sandbox(total: int) -> tuple[subprocess.Popen[str], str]:
    """The sandbox process for `total` contacts and its API base URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bench_lists", "--serve", str(total)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("PORT "):
        server.kill()
        raise RuntimeError(f"the sandbox did not start: {line!r}")
    return server, f"http://127.0.0.1:{int(line.split()[1])}/api/rest"


async def page_timings(total: int, url: str) -> dict[str, float]:
    """Open Contacts over `total` contacts served at `url`, page five times, filter once;
    seconds each."""
    from textual.widgets import DataTable, Input

    from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
    from tui.app import SwitchboardApp
    from tui.config import Account
    from tui.secrets import SecretStore
    from tui.workspace import Workspace

    config = Path(os.environ["SWITCHBOARD_DATA_DIR"]).parent / f"config-{total}"
    config.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(config, secrets=SecretStore(environ={}))
    workspace.add_ephemeral(
        Account(name="bench", provider="360nrs", base_url=url, username=DEMO_USERNAME),
        DEMO_PASSWORD,
    )
    app = SwitchboardApp(workspace, start_sandbox=False)
    app.active_account = "bench"

    async def settle(pilot: Any) -> None:
        for _ in range(20):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            if not pilot.app.workers:
                return

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        started = time.perf_counter()
        await pilot.press("f5")
        await settle(pilot)
        opened = time.perf_counter() - started
        table = app.screen.query_one("#contacts-table", DataTable)
        assert table.row_count == 50, table.row_count
        table.focus()
        pages = []
        for _ in range(5):
            started = time.perf_counter()
            await pilot.press("right_square_bracket")
            await settle(pilot)
            pages.append(time.perf_counter() - started)
        started = time.perf_counter()
        app.screen.query_one("#f-country", Input).value = "PT"
        app.screen.query_one("#c-search").press()  # type: ignore[attr-defined]
        await settle(pilot)
        filtered = time.perf_counter() - started
    return {"open": opened, "page": max(pages), "filter": filtered}


def report_load(verdict: Verdict, r: dict[str, Any]) -> None:
    print(f"Recipients CSV of {r['rows']:,} rows ({r['valid']:,} distinct valid numbers):")
    print(f"  csv.reader pass (floor)   {r['floor']:.2f} s")
    print(f"  naive loader (baseline)   {r['naive']:.2f} s")
    print(f"  from_csv                  {r['ours']:.2f} s")
    verdict.ratio(
        f"recipients CSV load, {r['rows']:,} rows",
        r["ours"],
        r["naive"],
        TARGET_LOAD_RATIO,
        peer_name="naive loader",
    )


def report_pages(
    verdict: Verdict, small: int, big: int, a: dict[str, float], b: dict[str, float]
) -> None:
    print(f"Contacts screen, {big:,} contacts against {small:,} (baseline):")
    for key, name in (("open", "open"), ("page", "next page (max of 5)"), ("filter", "filter")):
        verdict.ratio(
            f"Contacts {name}, {big:,} contacts",
            b[key],
            a[key],
            TARGET_PAGE_RATIO,
            peer_name=f"{small:,} contacts",
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_lists", description=__doc__)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--contacts", type=int, default=100_000)
    p.add_argument("--baseline-contacts", type=int, default=1_000)
    p.add_argument("--serve", type=int, metavar="N", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.serve is not None:
        serve(args.serve)
        return 0
    verdict = Verdict("bench_lists")
    report_load(verdict, bench_load(args.rows))
    with tempfile.TemporaryDirectory() as tmp:
        # The journal and logs go to a throwaway data dir, never the user's.
        os.environ["SWITCHBOARD_DATA_DIR"] = str(Path(tmp) / "data")
        timings = []
        for total in (args.baseline_contacts, args.contacts):
            server, url = start_sandbox(total)
            try:
                timings.append(asyncio.run(page_timings(total, url)))
            finally:
                server.terminate()
                server.wait()
    report_pages(verdict, args.baseline_contacts, args.contacts, *timings)
    return verdict.finish()


if __name__ == "__main__":
    sys.exit(main())
