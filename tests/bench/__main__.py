"""`make bench`: every benchmark, each in its own process, then one results table.

Every benchmark runs even when an earlier one misses or breaks; the run ends with the
table of every figure (figure, ours, target, peer, ratio, verdict) and exits 1 if any
target was missed or any benchmark failed to give its figures. `python -m tests.bench
bench_jobs bench_start` runs only those.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.bench.verdict import RESULTS_ENV, Figure, load, table

BENCHMARKS = (
    "bench_start",
    "bench_jobs",
    "bench_lists",
    "bench_send",
    "bench_ui_stall",
    "bench_dlr",
)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; 0 only if every target of every benchmark was met."""
    p = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    p.add_argument("names", nargs="*", metavar="BENCH", help=", ".join(BENCHMARKS))
    args = p.parse_args(argv)
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        p.error(f"no benchmark {', '.join(unknown)} (there are {', '.join(BENCHMARKS)})")
    names = args.names or list(BENCHMARKS)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            results = Path(tmp) / f"{name}.jsonl"
            print(f"=== {name} ===", flush=True)
            env = {**os.environ, RESULTS_ENV: str(results)}
            done = subprocess.run([sys.executable, "-m", f"tests.bench.{name}"], env=env)
            got = load(results)
            if not got or (done.returncode != 0 and all(f.met for f in got)):
                why = f"exit {done.returncode}" if done.returncode else "no verdict recorded"
                broke = Figure(name, "benchmark run", f"failed ({why})", "runs", "", None, False)
                got.append(broke)
            figures.extend(got)
    print("\n=== results ===")
    print(table(figures))
    missed = [f"{f.bench}: {f.name}" for f in figures if not f.met]
    print(f"MISSED ({len(missed)}): " + "; ".join(missed) if missed else "every target met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
