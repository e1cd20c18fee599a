"""Benchmark: big lists stay fast: a 100,000-row recipients CSV, and 100,000 contacts paged.

Run with `python -m tests.bench.bench_lists` (not collected by pytest). Each figure comes with
a baseline measured in the same run:

- loading recipients (parse, E.164, dedupe, variables) against a bare `csv.reader` pass
  over the same file (the floor) and a naive loader (DictReader, `phonenumbers.parse` and
  format per row, a set for duplicates);
- the Contacts screen over 100,000 contacts against the same screen over 1,000: opening,
  the next page and a server-side filter should cost about the same, because the table
  only ever holds one page.

Targets: recipients load within 3x the naive loader; paging with 100,000 contacts within
3x of paging with 1,000. Figures are printed; the exit code is non-zero only when the
benchmark could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


async def page_timings(total: int) -> dict[str, float]:
    """Open Contacts over `total` contacts, page five times, filter once; seconds each."""
    import httpx
    from textual.widgets import DataTable, Input

    from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app
    from tests.screens.test_contacts_many import seed_many
    from tui.app import SwitchboardApp
    from tui.config import Account
    from tui.secrets import SecretStore
    from tui.workspace import Workspace

    nrs = create_app()
    seed_many(nrs, total)
    config = Path(os.environ["SWITCHBOARD_DATA_DIR"]).parent / f"config-{total}"
    config.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(
        config,
        secrets=SecretStore(environ={}),
        transport_factory=lambda account: httpx.ASGITransport(app=nrs),
    )
    workspace.add_ephemeral(
        Account(
            name="bench",
            provider="360nrs",
            base_url="http://sandbox/api/rest",
            username=DEMO_USERNAME,
        ),
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


def report_load(r: dict[str, Any]) -> None:
    ratio = r["ours"] / r["naive"]
    verdict = "met" if ratio <= TARGET_LOAD_RATIO else "MISSED"
    print(f"Recipients CSV of {r['rows']:,} rows ({r['valid']:,} distinct valid numbers):")
    print(f"  csv.reader pass (floor)   {r['floor']:.2f} s")
    print(f"  naive loader (baseline)   {r['naive']:.2f} s")
    print(f"  from_csv                  {r['ours']:.2f} s")
    print(f"  ratio to naive            {ratio:.2f} (target <= {TARGET_LOAD_RATIO:g}): {verdict}")


def report_pages(small: int, big: int, a: dict[str, float], b: dict[str, float]) -> None:
    print(f"Contacts screen, {big:,} contacts against {small:,} (baseline):")
    worst = 0.0
    for key, name in (("open", "open"), ("page", "next page (max of 5)"), ("filter", "filter")):
        ratio = b[key] / a[key]
        worst = max(worst, ratio)
        print(f"  {name:<22} {a[key] * 1000:7.0f} ms  vs {b[key] * 1000:7.0f} ms   x{ratio:.2f}")
    verdict = "met" if worst <= TARGET_PAGE_RATIO else "MISSED"
    print(f"  worst ratio            {worst:.2f} (target <= {TARGET_PAGE_RATIO:g}): {verdict}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_lists", description=__doc__)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--contacts", type=int, default=100_000)
    p.add_argument("--baseline-contacts", type=int, default=1_000)
    args = p.parse_args(argv)
    report_load(bench_load(args.rows))
    with tempfile.TemporaryDirectory() as tmp:
        # The journal and logs go to a throwaway data dir, never the user's.
        os.environ["SWITCHBOARD_DATA_DIR"] = str(Path(tmp) / "data")
        small = asyncio.run(page_timings(args.baseline_contacts))
        big = asyncio.run(page_timings(args.contacts))
    report_pages(args.baseline_contacts, args.contacts, small, big)
    return 0


if __name__ == "__main__":
    sys.exit(main())
