"""Benchmark: bulk SMS through the send engine against a rate-limited, slow loopback sandbox.

Run with `python -m tests.bench.bench_send` (not collected by pytest). The sandbox runs in
its own process so that the CPU and memory measured are the client's alone; each phase
(engine, naive baseline) also runs in a fresh process so their peaks do not mix.

Targets: at least 0.9 of the ceiling (rate limit x batch size), under 2 CPU seconds for
the sending phase of 100,000 recipients, peak RSS under 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from backends.base import Connection
from backends.errors import RateLimited
from backends.models.common import SmsRequest
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from tui.engine.journal import Journal
from tui.engine.journal_rows import JobStatus
from tui.engine.ratelimit import RateLimiter
from tui.engine.sender import Progress, run_job
from tui.engine.sms_job import create_sms_job

TARGET_RATIO = 0.9
TARGET_CPU = 2.0
TARGET_RSS_MB = 200.0
TARGET_PREFLIGHT = 5.0


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def numbers(n: int) -> list[str]:
    return [f"346{i:08d}" for i in range(n)]


# --- the sandbox process ----------------------------------------------------------------


def serve(rate: float, latency_ms: float) -> None:
    """Run the 360nrs sandbox with faults on a free loopback port; print the port."""
    import uvicorn

    from backends.sandbox.faults import FaultProfile
    from backends.sandbox.nrs360 import create_app

    app = create_app(faults=FaultProfile(latency_ms=latency_ms, rate_limit_rps=rate))
    app.state.nrs.balance_cents = 10**12
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP,
    # and without it every kept-alive answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


# --- the phases ---------------------------------------------------------------------------


def backend(url: str) -> Nrs360Backend:
    return Nrs360Backend(Connection(url, DEMO_USERNAME, DEMO_PASSWORD))


async def engine_phase(args: argparse.Namespace) -> dict[str, Any]:
    """The engine: journal, batches, concurrency, rate limiter."""
    with tempfile.TemporaryDirectory() as tmp, Journal(Path(tmp) / "journal.sqlite3") as journal:
        started, cpu = time.perf_counter(), time.process_time()
        job_id = create_sms_job(
            journal,
            "bench",
            "360nrs",
            "BENCH",
            "Hello from the benchmark",
            ((to, None) for to in numbers(args.recipients)),
        )
        create_wall, create_cpu = time.perf_counter() - started, time.process_time() - cpu
        limiter = RateLimiter(args.rate)
        updates: list[Progress] = []
        count = 0
        async with backend(args.url) as client:
            started, cpu = time.perf_counter(), time.process_time()
            async for progress in run_job(
                journal,
                job_id,
                client,
                batch_size=args.batch_size,
                concurrency=args.concurrency,
                limiter=limiter,
            ):
                # Keep only the last: a UI keeps aggregates, not every outcome.
                updates[:] = [progress]
                count += 1
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        last = updates[0]
        totals = last.totals
        assert last.status is JobStatus.DONE, last.reason
        assert totals.accepted == args.recipients, totals
    return {
        "recipients": args.recipients,
        "wall": wall,
        "cpu": cpu,
        "rate": args.recipients / wall,
        "create_wall": create_wall,
        "create_cpu": create_cpu,
        "rate_limited": limiter.rate_limited,
        "updates": count,
        "peak_rss_mb": peak_rss_mb(),
    }


async def baseline_phase(args: argparse.Namespace) -> dict[str, Any]:
    """What a naive script does: one request per recipient, one after the other."""
    accepted = 0
    async with backend(args.url) as client:
        started, cpu = time.perf_counter(), time.process_time()
        for to in numbers(args.recipients):
            while True:
                try:
                    result = await client.send_sms(
                        SmsRequest(to=(to,), sender="BENCH", message="Hello from the benchmark")
                    )
                    break
                except RateLimited as exc:
                    await asyncio.sleep(exc.retry_after or 1.0)
            accepted += result.accepted
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert accepted == args.recipients
    return {
        "recipients": args.recipients,
        "wall": wall,
        "cpu": cpu,
        "rate": args.recipients / wall,
        "peak_rss_mb": peak_rss_mb(),
    }


# --- orchestration ------------------------------------------------------------------------


def run_phase(phase: str, url: str, recipients: int, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable, "-m", "tests.bench.bench_send", "--phase", phase, "--url", url,
        "--recipients", str(recipients), "--rate", str(args.rate),
        "--batch-size", str(args.batch_size), "--concurrency", str(args.concurrency),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{phase} phase failed:\n{done.stderr}")
    result: dict[str, Any] = orjson.loads(done.stdout.splitlines()[-1])
    return result


def report(args: argparse.Namespace, engine: dict[str, Any], base: dict[str, Any] | None) -> bool:
    ceiling = args.rate * args.batch_size
    ratio = engine["rate"] / ceiling
    print(
        f"Sandbox: {args.rate:g} requests/s rate limit, {args.latency_ms:g} ms added latency, "
        f"loopback, separate process"
    )
    print(
        f"Engine ({engine['recipients']:,} recipients, batches of {args.batch_size}, "
        f"concurrency {args.concurrency}):"
    )
    print(f"  recipients/s        {engine['rate']:,.0f} (wall {engine['wall']:.2f} s)")
    print(f"  ceiling             {ceiling:,.0f}/s  ratio {ratio:.3f}  (target >= {TARGET_RATIO})")
    print(f"  client CPU sending  {engine['cpu']:.2f} s  (target < {TARGET_CPU:g} s)")
    print(f"  peak RSS            {engine['peak_rss_mb']:.0f} MB  (target < {TARGET_RSS_MB:g} MB)")
    print(
        f"  job creation        {engine['create_wall']:.2f} s wall, "
        f"{engine['create_cpu']:.2f} s CPU (not in the sending phase)"
    )
    print(f"  429 answers         {engine['rate_limited']}, progress updates {engine['updates']}")
    if base is not None:
        print(f"Naive baseline ({base['recipients']:,} recipients, one request each, sequential):")
        print(f"  recipients/s        {base['rate']:,.1f} (wall {base['wall']:.2f} s)")
        print(
            f"  client CPU          {base['cpu']:.2f} s "
            f"({base['cpu'] / base['recipients'] * 1e6:.0f} us a recipient; engine "
            f"{engine['cpu'] / engine['recipients'] * 1e6:.1f} us)"
        )
        print(f"  peak RSS            {base['peak_rss_mb']:.0f} MB")
        print(f"  engine speed-up     {engine['rate'] / base['rate']:,.0f}x")
    ok = (
        ratio >= TARGET_RATIO
        and engine["cpu"] < TARGET_CPU
        and engine["peak_rss_mb"] < TARGET_RSS_MB
    )
    print("Targets met." if ok else "TARGETS MISSED.")
    return bool(ok)


def preflight_figure(n: int) -> bool:
    """Time the preflight of n recipients (normalise, dedupe, count parts, price); printed."""
    from backends.nrs360.reports import parse_country_price
    from backends.sandbox.nrs360.coverage import country_rows
    from tui.engine.preflight import price_map, summarise
    from tui.engine.recipients import build

    prices = price_map(parse_country_price(d) for d in country_rows())
    # National and international forms, a few duplicates, per-recipient names.
    rows = [
        (
            i,
            f"6{i % (n - n // 50):08d}" if i % 2 else f"346{i % (n - n // 50):08d}",
            {"name": f"N{i % 977}"},
        )
        for i in range(n)
    ]
    start = time.perf_counter()
    recipients = build(rows)
    summary = summarise(recipients, "Hello {name}, your code is ready.", prices=prices)
    elapsed = time.perf_counter() - start
    print(f"Preflight ({n:,} recipients: normalise, dedupe, count parts, price):")
    print(
        f"  time                {elapsed:.2f} s  (target < {TARGET_PREFLIGHT:g} s); "
        f"{summary.recipients:,} valid, {summary.duplicates:,} duplicates, "
        f"{summary.distinct_texts} distinct texts, cost {summary.total_cost:,.2f}"
    )
    return elapsed < TARGET_PREFLIGHT


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or one of its phases)."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_send", description=__doc__)
    p.add_argument("--recipients", type=int, default=100_000)
    p.add_argument("--baseline", type=int, default=2_000, help="baseline recipients (0: skip)")
    p.add_argument("--rate", type=float, default=20.0, help="sandbox rate limit, requests/s")
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument(
        "--preflight-only", action="store_true", help="only time the preflight of --recipients"
    )
    p.add_argument("--phase", choices=("serve", "engine", "baseline"), help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.phase == "serve":
        serve(args.rate, args.latency_ms)
        return 0
    if args.phase in ("engine", "baseline"):
        phase = engine_phase if args.phase == "engine" else baseline_phase
        print(orjson.dumps(asyncio.run(phase(args))).decode())
        return 0

    preflight_ok = preflight_figure(args.recipients)
    if args.preflight_only:
        return 0 if preflight_ok else 1
    cmd = [
        sys.executable, "-m", "tests.bench.bench_send", "--phase", "serve",
        "--rate", str(args.rate), "--latency-ms", str(args.latency_ms),
    ]  # fmt: skip
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        if not line.startswith("PORT "):
            raise SystemExit("the sandbox did not start")
        url = f"http://127.0.0.1:{int(line.split()[1])}/api/rest"
        engine = run_phase("engine", url, args.recipients, args)
        base = run_phase("baseline", url, args.baseline, args) if args.baseline else None
    finally:
        server.terminate()
        server.wait(10)
    return 0 if report(args, engine, base) and preflight_ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
