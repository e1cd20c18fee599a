"""Benchmark: `switchboard sms send --csv` end to end against a tight hand-written sender.

Run with `python -m tests.bench.bench_send` (not collected by pytest; `make bench` runs it).
The 360nrs sandbox (rate limit, added latency) runs in its own process. Each run starts, in
turn and each in a fresh process measured from the outside (tests.bench.verdict.
run_measured: wall, its own CPU from wait4, its own peak from /proc VmHWM):

- the tight sender: asyncio + httpx, csv module, batches of the same size, the same
  concurrency, a token bucket at the sandbox's rate and burst (what a hand-written script
  that knows the limit does), a 429 waits its Retry-After;
- `python -m tui sms send --csv FILE --yes --rate RATE --burst BURST` on an account
  pointing at the sandbox, with a fresh journal: reading and checking the CSV, the
  preflight, journaling, sending, told the same rate limit and burst as the tight sender.

Both start from bytecode compiled beforehand (not timed), as installed programs do.

Targets (issue 14), medians of --runs paired runs: wall <= 1.25x, CPU <= 2.5x and peak RSS
<= 1.5x the tight sender's; the preflight of 100,000 recipients < 2 s; a dry run of
1,000,000 recipients < 15 s and < 300 MB. The ceiling the sandbox allows is printed with its
derivation, the naive baseline (one request per recipient) beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from statistics import median

import httpx
import orjson

from tests.bench.verdict import Measured, Verdict, run_measured

MESSAGE = "Hello from the benchmark"
# The tight sender takes the account's secret from here (cli_env), as `sms send` does:
# importing the sandbox for its demo credentials would charge it the sandbox's imports.
SECRET_ENV = "SWITCHBOARD_SECRET_BENCH"
SENDER = "BENCH"
ACCOUNT = "bench"


def numbers(n: int) -> list[str]:
    return [f"346{i:08d}" for i in range(n)]


def write_csv(path: Path, n: int) -> None:
    """n Spanish mobiles, in international form without '+', under a `phone` header."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        fh.write("phone\n")
        fh.writelines(f"346{i:08d}\n" for i in range(n))


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


def start_sandbox(rate: float, latency_ms: float) -> tuple[subprocess.Popen[str], str]:
    """The sandbox in its own process (this module's serve phase) and its base URL."""
    cmd = [
        sys.executable, "-m", "tests.bench.bench_send", "--phase", "serve",
        "--rate", str(rate), "--latency-ms", str(latency_ms),
    ]  # fmt: skip
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("PORT "):
        server.terminate()
        raise SystemExit("the sandbox did not start")
    return server, f"http://127.0.0.1:{int(line.split()[1])}/api/rest"


# --- the tight sender ---------------------------------------------------------------------


async def tight(
    url: str, username: str, path: Path, rate: float, burst: float, size: int, workers: int
) -> int:
    """A hand-written sender: batches of `size` numbers, `workers` requests in flight, a
    token bucket at `rate` with `burst`; how many recipients were accepted. It imports
    what such a script imports (asyncio, csv, httpx, orjson), nothing of ours."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        to = [row[0].strip() for row in reader if row]
    batches = [to[i : i + size] for i in range(0, len(to), size)]
    tokens, updated = burst, time.monotonic()
    lock = asyncio.Lock()
    accepted = 0

    async def token() -> None:
        nonlocal tokens, updated
        async with lock:
            while True:
                now = time.monotonic()
                tokens = min(burst, tokens + (now - updated) * rate)
                updated = now
                if tokens >= 1:
                    tokens -= 1
                    return
                await asyncio.sleep((1 - tokens) / rate)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal accepted
        while batches:
            batch = batches.pop()
            while True:
                await token()
                body = {"to": batch, "from": SENDER, "message": MESSAGE}
                answer = await client.post("/sms", content=orjson.dumps(body))
                if answer.status_code == 429:
                    await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
                    continue
                answer.raise_for_status()
                accepted += sum(1 for r in orjson.loads(answer.content)["result"] if r["accepted"])
                break

    auth = httpx.BasicAuth(username, os.environ[SECRET_ENV])
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    async with httpx.AsyncClient(base_url=url, auth=auth, headers=headers, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(workers)))
    return accepted


async def naive(url: str, n: int) -> float:
    """What a naive script does: one request per recipient, one after the other; its rate."""
    from backends.base import Connection
    from backends.errors import RateLimited
    from backends.models.common import SmsRequest
    from backends.nrs360.client import Nrs360Backend
    from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME

    started = time.perf_counter()
    async with Nrs360Backend(Connection(url, DEMO_USERNAME, DEMO_PASSWORD)) as client:
        for to in numbers(n):
            while True:
                try:
                    await client.send_sms(SmsRequest(to=(to,), sender=SENDER, message=MESSAGE))
                    break
                except RateLimited as exc:
                    await asyncio.sleep(exc.retry_after or 1.0)
    return n / (time.perf_counter() - started)


# --- the preflight ------------------------------------------------------------------------


def preflight_seconds(n: int) -> float:
    """The preflight of n recipients (normalise, dedupe, count parts, price), in-process."""
    from backends.nrs360.reports import parse_country_price
    from backends.sandbox.nrs360.coverage import country_rows
    from tui.engine.preflight import price_map, summarise
    from tui.engine.recipients import build

    prices = price_map(parse_country_price(d) for d in country_rows())
    # National and international forms, 2% repeated, per-recipient names.
    m = n - n // 50
    rows = [
        (i, f"6{i % m:08d}" if i % 2 else f"346{i % m:08d}", {"name": f"N{i % 977}"})
        for i in range(n)
    ]
    start = time.perf_counter()
    recipients = build(rows)
    summary = summarise(recipients, "Hello {name}, your code is ready.", prices=prices)
    elapsed = time.perf_counter() - start
    assert summary.recipients == len(recipients.valid) > 0
    return elapsed


# --- orchestration ------------------------------------------------------------------------


def cli_env(config: Path, data: Path) -> dict[str, str]:
    from backends.sandbox.nrs360 import DEMO_PASSWORD

    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    # As installed: modules load from bytecode (compiled once, untimed, by `warm`), in a
    # cache of this run's own, even where PYTHONDONTWRITEBYTECODE is set.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        PYTHONPYCACHEPREFIX=str(config.parent / "pycache"),
        SWITCHBOARD_CONFIG_DIR=str(config),
        SWITCHBOARD_DATA_DIR=str(data),
        **{SECRET_ENV: DEMO_PASSWORD},
        # The secret comes from the environment; no keyring is touched.
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def checked(what: str, m: Measured) -> Measured:
    if m.returncode != 0:
        raise SystemExit(f"{what} failed (exit {m.returncode}):\n{m.stderr[-2000:]}")
    return m


def send_cmd(csv_path: Path) -> list[str]:
    """`switchboard sms send` of the benchmark's message to a CSV's recipients."""
    return [
        sys.executable, "-m", "tui", "sms", "send", "--account", ACCOUNT, "--from", SENDER,
        "--message", MESSAGE, "--csv", str(csv_path),
    ]  # fmt: skip


def phase_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.bench.bench_send", *args]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (or one of its phases); 1 if a target was missed."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_send", description=__doc__)
    p.add_argument("--recipients", type=int, default=100_000)
    p.add_argument("--dry-run-recipients", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=3, help="paired runs; medians are compared")
    p.add_argument("--baseline", type=int, default=100, help="naive baseline recipients")
    p.add_argument("--rate", type=float, default=20.0, help="sandbox rate limit, requests/s")
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--phase", choices=("serve", "tight", "preflight"), help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--username", help=argparse.SUPPRESS)
    p.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    # The sandbox's burst is its rate (backends.sandbox.faults: rate_limit_burst unset).
    burst = max(1.0, args.rate)

    if args.phase == "serve":
        serve(args.rate, args.latency_ms)
        return 0
    if args.phase == "tight":
        accepted = asyncio.run(
            tight(
                args.url,
                args.username,
                args.csv,
                args.rate,
                burst,
                args.batch_size,
                args.concurrency,
            )
        )
        assert accepted == args.recipients, accepted
        return 0
    if args.phase == "preflight":
        print(orjson.dumps(preflight_seconds(args.recipients)).decode())
        return 0

    verdict = Verdict("bench_send")
    requests = math.ceil(args.recipients / args.batch_size)
    floor = max(0.0, requests - burst) / args.rate + args.latency_ms / 1000
    print(
        f"Sandbox: {args.rate:g} requests/s, burst {burst:g}, {args.latency_ms:g} ms added "
        f"latency, loopback, its own process. The machine is shared (2 cores, other work)."
    )
    print(
        f"Ceiling: {args.recipients:,} recipients in {requests} requests of "
        f"{args.batch_size}; the first {burst:g} go at once (burst), the other "
        f"{requests - burst:g} at {args.rate:g}/s: at least {floor:.2f} s, "
        f"{args.recipients / floor:,.0f} recipients/s"
    )
    from backends.sandbox.nrs360 import DEMO_USERNAME

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big, huge = root / "send.csv", root / "dry.csv"
        write_csv(big, args.recipients)
        write_csv(huge, args.dry_run_recipients)
        server, url = start_sandbox(args.rate, args.latency_ms)
        try:
            config = root / "config"
            add = [
                sys.executable, "-m", "tui", "account", "add", ACCOUNT, "--provider",
                "360nrs", "--base-url", url, "--username", DEMO_USERNAME,
            ]  # fmt: skip
            # The secret is SWITCHBOARD_SECRET_BENCH (cli_env); nothing is stored.
            subprocess.run(
                add, env=cli_env(config, root / "data"), text=True, check=True,
                capture_output=True,
            )  # fmt: skip
            # Both senders start from bytecode, as an installed program does: a small run
            # of each (not timed) compiles what they import.
            small = root / "small.csv"
            write_csv(small, 10)
            for cmd in (
                [*send_cmd(small), "--yes"],
                phase_cmd("--phase", "tight", "--url", url, "--username", DEMO_USERNAME,
                          "--csv", str(small),
                          "--recipients", "10", "--rate", str(args.rate)),
            ):  # fmt: skip
                checked("a warm-up", run_measured(cmd, env=cli_env(config, root / "warm")))
            rate = asyncio.run(naive(url, args.baseline)) if args.baseline else None
            if rate is not None:
                print(
                    f"Naive baseline: one request per recipient, one at a time: "
                    f"{rate:,.1f} recipients/s ({args.baseline} recipients)"
                )
            tights: list[Measured] = []
            ours: list[Measured] = []
            send = [*send_cmd(big), "--yes", "--rate", str(args.rate), "--burst", str(burst)]
            tight_cmd = phase_cmd(
                "--phase", "tight", "--url", url, "--username", DEMO_USERNAME,
                "--csv", str(big),
                "--recipients", str(args.recipients), "--rate", str(args.rate),
                "--batch-size", str(args.batch_size), "--concurrency", str(args.concurrency),
            )  # fmt: skip
            for i in range(args.runs):
                # The sandbox's bucket refills (burst / rate seconds) before each sender.
                time.sleep(burst / args.rate + 0.5)
                tights.append(
                    checked(
                        "the tight sender",
                        run_measured(tight_cmd, env=cli_env(config, root / "data")),
                    )
                )
                time.sleep(burst / args.rate + 0.5)
                env = cli_env(config, root / f"data{i}")
                ours.append(checked("sms send --csv", run_measured(send, env=env)))
                for name, m in (("tight sender", tights[-1]), ("sms send --csv", ours[-1])):
                    print(
                        f"  run {i + 1} {name:<15} wall {m.wall:6.2f} s  cpu {m.cpu:5.2f} s  "
                        f"peak {m.peak_mb:4.0f} MB  ({args.recipients / m.wall:,.0f}/s)"
                    )
            dry = [*send_cmd(huge), "--dry-run"]
            dries = [
                checked("the dry run", run_measured(dry, env=cli_env(config, root / "data")))
                for _ in range(args.runs)
            ]
            pre = [
                float(checked("the preflight", run_measured(phase_cmd(
                    "--phase", "preflight", "--recipients", str(args.recipients)
                ), env=cli_env(config, root / "data"))).stdout.splitlines()[-1])
                for _ in range(args.runs)
            ]  # fmt: skip
        finally:
            server.terminate()
            server.wait(10)

    def med(runs: list[Measured], what: str) -> float:
        return float(median(getattr(m, what) for m in runs))

    n = f"{args.recipients // 1000}k"
    print(f"Medians of {args.runs} runs:")
    peer = "tight sender"
    verdict.ratio(
        f"sms send --csv {n} wall", med(ours, "wall"), med(tights, "wall"), 1.25, peer_name=peer
    )
    verdict.ratio(
        f"sms send --csv {n} CPU", med(ours, "cpu"), med(tights, "cpu"), 2.5, peer_name=peer
    )
    verdict.ratio(
        f"sms send --csv {n} peak RSS",
        med(ours, "peak_mb"),
        med(tights, "peak_mb"),
        1.5,
        peer_name=peer,
        unit="MB",
    )
    verdict.bound(f"preflight {n}", float(median(pre)), 2.0)
    m = f"{args.dry_run_recipients / 1e6:g}M"
    verdict.bound(f"dry run {m} wall", med(dries, "wall"), 15.0)
    verdict.bound(f"dry run {m} peak RSS", med(dries, "peak_mb"), 300.0, unit="MB")
    return verdict.finish()


if __name__ == "__main__":
    sys.exit(main())
