"""Benchmark: 100,000 delivery reports posted at 2,000/s to the receiver the console runs,
while the console shows the job on its Jobs screen (issue 16).

Run with `python -m tests.bench.bench_dlr` (or under `make bench`). Not timed: a journal
with one job of 100,000 accepted recipients, built through the journal's own API, and an
account whose `delivery_url` makes the console start its receiver. Then, as a user has it:

- the console runs headless (`App.run_test`) in this process and starts the receiver as
  it always does, as its own child process (tui.receiver_process); the Jobs screen shows
  the job and its delivery funnel, read from the journal every second off the UI loop;
- a client in its own process (`--phase post`) sends 100,000 `GET /dlr/<token>?...`
  paced at 2,000/s over several kept-alive connections (plain HTTP/1.1 on asyncio
  streams: an httpx client would need more CPU than the receiver on this machine), and
  records when it sent each one; a thread of it counts the journal's delivery rows every
  100 ms;
- a probe on the console's loop (bench_ui_stall's StallProbe) records its stalls.

Figures and targets:
- none lost: the journal holds 100,000 reports and the receiver says it wrote 100,000;
- journal lag, from when the client sent a report (conservative: the request's own trip
  counts) to when the journal has it, p99 and max < 2 s, measured two ways: the journal's
  `received_at` column per report (stamped as its batch's transaction starts), and the
  polled row count (its commit seen, up to 100 ms late by the polling itself);
- UI p99 stall < 50 ms over the posting, with at least 250 samples;
- the post rate achieved, >= 1,950/s, or the client could not keep up and the other
  figures are of a lighter load.
The machine may be shared: say so when quoting these figures.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import itertools
import json
import os
import re
import resource
import socket
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.bench.bench_ui_stall import MIN_SAMPLES, StallProbe, wait_for
from tests.bench.verdict import Verdict

N = 100_000
RATE = 2_000.0
CONNECTIONS = 16
POLL = 0.1
TARGET_LAG = 2.0
TARGET_P99_MS = 50.0
MIN_RATE = 1_950.0
SIZE = (140, 45)
FUNNEL_REFRESH = 1.0


def state_of(seq: int) -> str:
    """The report of recipient `seq`: mostly delivered, some failed or expired."""
    return {0: "UNDELIV", 1: "EXPIRED"}.get(seq % 20, "DELIVRD")


def provider_id(job_id: int, seq: int) -> str:
    return f"j{job_id}m{seq}"


def build_journal(path: Path, n: int) -> tuple[int, str]:
    """A job of n accepted recipients with its delivery token, through the journal's API."""
    from tui.engine.delivery_url import new_token
    from tui.engine.journal import Journal
    from tui.engine.journal_rows import Outcome, State

    with Journal(path) as journal:
        job_id = journal.create_job(
            account="bench",
            provider="360nrs",
            channel="sms",
            message={"sender": "BENCH", "message": "Hello", "options": {}},
            recipients=[(f"346{i:08d}", None) for i in range(n)],
        )
        journal.start(job_id)
        claimed = journal.claim_batch(job_id, n)
        journal.record_results(
            job_id,
            [
                Outcome(c.seq, c.to, State.ACCEPTED, None, provider_id(job_id, c.seq), 1)
                for c in claimed
            ],
        )
        token = new_token()
        journal.set_delivery_token(job_id, token)
    return job_id, token


# --- the client (its own process) ------------------------------------------------------


def count_deliveries(db: sqlite3.Connection, job_id: int) -> int:
    row = db.execute(
        "SELECT COUNT(*) FROM deliveries WHERE job_id = ? AND part = 0", (job_id,)
    ).fetchone()
    return int(row[0])


def poll_journal(path: Path, job_id: int, stop: threading.Event, out: list[list[float]]) -> None:
    """(time, delivery rows of the job) every POLL seconds until `stop`."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        while not stop.is_set():
            out.append([time.time(), count_deliveries(db, job_id)])
            stop.wait(POLL)
        out.append([time.time(), count_deliveries(db, job_id)])
    finally:
        db.close()


async def post_all(
    port: int, token: str, job_id: int, n: int, rate: float, connections: int
) -> dict[str, Any]:
    """Send n reports paced at `rate` over `connections` kept-alive connections."""
    loop = asyncio.get_running_loop()
    sent = array.array("d", bytes(8 * n))
    took = array.array("d", bytes(8 * n))  # each request's round trip
    indexes = itertools.count()
    bad: list[int] = []
    host = f"127.0.0.1:{port}"

    async def one_connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while (seq := next(indexes)) < n:
                delay = start + seq / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                query = (
                    f"id={provider_id(job_id, seq)}&status={state_of(seq)}"
                    f"&dlr=2026-12-03%2017%3A00&part=1"
                )
                sent[seq] = time.time()
                writer.write(f"GET /dlr/{token}?{query} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                took[seq] = time.time() - sent[seq]
                if head[9:12] != b"200":
                    bad.append(seq)
        finally:
            writer.close()

    start = loop.time() + 0.05
    began = time.time() + 0.05  # the schedule's start
    await asyncio.gather(*(one_connection() for _ in range(connections)))
    ended = time.time()
    trips = sorted(took)
    return {
        "began": began,
        "ended": ended,
        "bad": len(bad),
        "sent": sent.tolist(),
        "connections": connections,
        "trip_ms": [pct(trips, q) * 1000 for q in (0.5, 0.99, 1.0)],
    }


def client(args: argparse.Namespace) -> int:
    """--phase post: post the reports, poll the journal, write the results as JSON."""
    polls: list[list[float]] = []
    stop = threading.Event()
    poller = threading.Thread(target=poll_journal, args=(args.journal, args.job, stop, polls))
    poller.start()
    try:
        out = asyncio.run(
            post_all(args.port, args.token, args.job, args.n, args.rate, args.connections)
        )
        # Until every report is in the journal (or 30 s more), for the polled lag.
        deadline = time.time() + 30
        while (not polls or polls[-1][1] < args.n) and time.time() < deadline:
            time.sleep(POLL)
    finally:
        stop.set()
        poller.join()
    out["polls"] = polls
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = usage.ru_utime + usage.ru_stime
    args.out.write_text(json.dumps(out))
    return 0


# --- the console (this process) --------------------------------------------------------


async def drive(
    config: Path, journal: Path, job_id: int, args: argparse.Namespace
) -> dict[str, Any]:
    """Open the console on the Jobs screen, run the client, measure the UI meanwhile."""
    from textual.widgets import Static

    from tui.app import SwitchboardApp
    from tui.secrets import SecretStore
    from tui.workspace import Workspace

    app = SwitchboardApp(Workspace(config, secrets=SecretStore(environ={})))
    probe = StallProbe()
    result: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await wait_for(
            lambda: (
                app.receivers is not None
                and any(c.running for c in app.receivers.children.values())
            ),
            60,
            "the console's receiver",
        )
        assert app.receivers is not None
        (child,) = app.receivers.children.values()
        result["receiver_pid"] = child.process.pid if child.process else None
        screen = app.screen
        detail = screen.query_one("#job-detail", Static)
        await wait_for(lambda: "accepted" in str(detail.render()).lower(), 60, "the job's detail")
        own_funnel = bool(screen.query("#delivery-funnel"))
        result["funnel_widget"] = own_funnel

        def refresh_funnel() -> None:
            # Without the live funnel widget, the Jobs screen's own detail refresh (a
            # worker reading the journal off the loop), as the watch key drives it.
            screen.detail(screen.journal_path, job_id)  # type: ignore[attr-defined]

        timer = None if own_funnel else app.set_interval(FUNNEL_REFRESH, refresh_funnel)
        results = Path(args.workdir) / "client.json"
        cmd = [
            sys.executable, "-m", "tests.bench.bench_dlr", "--phase", "post",
            "--port", str(args.port), "--token", args.token, "--job", str(job_id),
            "--n", str(args.n), "--rate", str(args.rate),
            "--connections", str(args.connections), "--journal", str(journal),
            "--out", str(results),
        ]  # fmt: skip
        # The same probe on the idle screen first: what the machine alone costs.
        probe.start()
        await asyncio.sleep(args.idle)
        result["idle"] = await probe.stop()
        probe.start()
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(*cmd)
        code = await proc.wait()
        result["ui"] = await probe.stop()
        result["ui"]["wall_s"] = time.perf_counter() - started
        if code != 0:
            raise SystemExit(f"the client failed (exit {code})")
        delivered = sum(1 for seq in range(args.n) if state_of(seq) == "DELIVRD")
        # The funnel widget's counts: a stage a line ("delivered  87990 ████").
        shown = screen.query_one("#funnel-counts" if own_funnel else "#job-detail", Static)

        def final_shown() -> bool:
            text = " ".join(str(shown.render()).replace(",", "").split())
            if own_funnel:
                return bool(
                    re.search(rf"\bdelivered {delivered}\b", text)
                    and re.search(r"\bwaiting 0\b", text)
                )
            return f"{delivered} delivered" in text and "0 waiting" in text

        waited = time.perf_counter()
        await wait_for(final_shown, 15, "the screen to show the final funnel")
        result["shown_after_s"] = time.perf_counter() - waited
        result["shown"] = [line for line in str(shown.render()).splitlines() if "delivered" in line]
        if timer is not None:
            timer.stop()
    result["receiver_said"] = child.last_words
    result["client"] = json.loads(results.read_text())
    return result


def lags_by_column(journal: Path, job_id: int, sent: list[float]) -> list[float]:
    """Per report: its `received_at` in the journal minus when the client sent it."""
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT seq, received_at FROM deliveries WHERE job_id = ? AND part = 0", (job_id,)
        ).fetchall()
    finally:
        db.close()
    return [datetime.fromisoformat(at).timestamp() - sent[seq] for seq, at in rows]


def lags_by_count(sent: list[float], polls: list[list[float]]) -> list[float]:
    """Per report: the first poll that counted it minus when it was sent.

    The receiver writes in the order reports came (one queue, batches in order), so the
    k-th report sent is in the journal once the count reaches k (to within the few
    reports in flight on other connections at that moment)."""
    order = sorted(sent)
    lags: list[float] = []
    for at, count in polls:
        while len(lags) < min(int(count), len(order)):
            lags.append(at - order[len(lags)])
    return lags


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def report(out: dict[str, Any], n: int, journal: Path, job_id: int) -> int:
    """Print the figures and the verdict; the exit code."""
    c = out["client"]
    sent: list[float] = c["sent"]
    posted = n - sum(1 for t in sent if t == 0.0)
    rate = posted / (c["ended"] - c["began"])
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    try:
        in_journal = count_deliveries(db, job_id)
    finally:
        db.close()
    said = out["receiver_said"]
    written = int(said.split()[1]) if said.startswith("Stopped: ") else -1
    by_column = lags_by_column(journal, job_id, sent)
    by_count = lags_by_count(sent, c["polls"])
    ui = out["ui"]
    print(f"{n:,} delivery reports to the console's receiver (pid {out['receiver_pid']}):")
    # A shared machine slows the receiver and the console alike: the load says how shared.
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"  load average at the end {load} on {os.cpu_count()} cores")
    print(
        f"  posted {posted:,} in {c['ended'] - c['began']:.2f} s: {rate:,.0f}/s; "
        f"non-200: {c['bad']:,}"
    )
    trip = c["trip_ms"]
    wall = c["ended"] - c["began"]
    # Which side set the pace: a client busy all along, or a receiver slow to answer.
    client_busy = c["cpu_s"] / wall
    print(
        f"  round trip p50 {trip[0]:.1f} ms, p99 {trip[1]:.1f} ms, max {trip[2]:.1f} ms; "
        f"client CPU {c['cpu_s']:.1f} s over {wall:.1f} s ({client_busy:.0%} of one core)"
    )
    print(f"  journal holds {in_journal:,}; the receiver said: {said!r}")
    for name, lags in (("received_at column", by_column), ("polled count", by_count)):
        print(
            f"  lag by {name:<18} p50 {pct(lags, 0.5) * 1000:7.1f} ms  p99 "
            f"{pct(lags, 0.99) * 1000:7.1f} ms  "
            f"max {max(lags, default=float('nan')) * 1000:7.1f} ms"
            f"  ({len(lags):,} reports)"
        )
    idle = out["idle"]
    print(
        f"  UI stall, idle Jobs screen (baseline): p99 {idle['p99_ms']:.1f} ms, "
        f"max {idle['max_ms']:.1f} ms ({idle['samples']:,} samples)"
    )
    print(
        f"  UI stall over the posting: p99 {ui['p99_ms']:.1f} ms, max {ui['max_ms']:.1f} ms "
        f"({ui['samples']:,} samples over {ui['wall_s']:.1f} s)"
    )
    widget = "#delivery-funnel" if out["funnel_widget"] else "#job-detail refreshed every 1 s"
    print(f"  Jobs screen ({widget}) showed the final funnel {out['shown_after_s']:.2f} s after")
    print(f"  the client ended: {' / '.join(out['shown'])}")
    verdict = Verdict("bench_dlr")
    lost = n - min(in_journal, written if written >= 0 else 0) + c["bad"]
    verdict.bound(f"reports lost of {n // 1000}k", lost, 1, unit="reports")
    for name, lags in (("received_at", by_column), ("polled", by_count)):
        if len(lags) < n:
            why = f"{len(lags):,} of {n:,} reports in the journal"
            verdict.failed(f"journal lag p99 ({name})", f"< {TARGET_LAG:g} s", why)
            verdict.failed(f"journal lag max ({name})", f"< {TARGET_LAG:g} s", why)
            continue
        verdict.bound(f"journal lag p99 ({name})", pct(lags, 0.99), TARGET_LAG)
        verdict.bound(f"journal lag max ({name})", max(lags), TARGET_LAG)
    if ui["samples"] < MIN_SAMPLES:
        why = f"{ui['samples']} samples, fewer than {MIN_SAMPLES}"
        verdict.failed("UI p99 stall", f"< {TARGET_P99_MS:g} ms", why)
    else:
        verdict.bound("UI p99 stall", ui["p99_ms"], TARGET_P99_MS, unit="ms")
    if rate >= MIN_RATE:
        verdict.at_least("post rate", rate, MIN_RATE, unit="/s")
    else:
        slow = (
            "the client could not keep up"
            if client_busy > 0.85
            else (
                f"the receiver answered too slowly (round trip p99 {trip[1]:.0f} ms over "
                f"{c['connections']} connections)"
            )
        )
        why = f"{rate:,.0f}/s: {slow}; the figures above are of that load"
        verdict.failed("post rate", f">= {MIN_RATE:,.0f}/s", why)
    return verdict.finish()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --phase post, its client)."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_dlr", description=__doc__)
    p.add_argument("--phase", choices=("all", "post"), default="all")
    p.add_argument("--n", type=int, default=N)
    p.add_argument("--rate", type=float, default=RATE, help="reports per second")
    p.add_argument("--connections", type=int, default=CONNECTIONS)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--token", default="")
    p.add_argument("--job", type=int, default=0)
    p.add_argument("--journal", type=Path)
    p.add_argument("--out", type=Path)
    p.add_argument("--workdir", default="")
    p.add_argument("--idle", type=float, default=2.0, help="seconds of idle baseline")
    args = p.parse_args(argv)
    if args.phase == "post":
        return client(args)
    with tempfile.TemporaryDirectory() as tmp:
        # Everything in a throwaway config and data dir, never the user's.
        config, data = Path(tmp) / "config", Path(tmp) / "data"
        os.environ["SWITCHBOARD_CONFIG_DIR"] = str(config)
        os.environ["SWITCHBOARD_DATA_DIR"] = str(data)
        from tui import logs
        from tui.config import Account, ConfigStore
        from tui.engine.journal import default_path
        from tui.receiver_process import LISTEN_SETTING

        logs.setup()  # as the console does: its log file, in the throwaway data dir
        journal = default_path()
        built = time.perf_counter()
        job_id, args.token = build_journal(journal, args.n)
        print(
            f"journal with {args.n:,} accepted recipients built in "
            f"{time.perf_counter() - built:.1f} s (not timed)"
        )
        args.port = free_port()
        store = ConfigStore(config)
        store.add_account(
            Account(
                "bench", "360nrs", "http://127.0.0.1:9/api/rest", "bench",
                options={"delivery_url": f"http://127.0.0.1:{args.port}"},
            )
        )  # fmt: skip
        store.set_setting(LISTEN_SETTING, f"127.0.0.1:{args.port}")
        args.workdir = tmp
        out = asyncio.run(drive(config, journal, job_id, args))
        return report(out, args.n, journal, job_id)


if __name__ == "__main__":
    sys.exit(main())
