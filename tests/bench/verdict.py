"""What every benchmark shares: its figures, the verdict naming every target, the results
table, and honest per-process measurements.

A benchmark makes a `Verdict`, adds one `Figure` per target (met or missed, with the peer
it is compared with in the same run), and ends with `verdict.finish()`: it prints every
target and the results table, and returns the exit code (1 if any target was missed).
Under `make bench` (`python -m tests.bench`) each benchmark also appends its figures to
the file named by SWITCHBOARD_BENCH_RESULTS, so the run ends with one table of them all.

Peak memory is a process's own: `run_measured` polls the child's /proc/<pid>/status
VmHWM (the high-water mark of the child's own address space, which starts afresh at exec)
while it runs. The child's `ru_maxrss`, whether read by the child or by the parent from
wait4, is not used: Linux carries the forking parent's peak into it across exec. CPU
time comes from wait4's rusage, which is the child's alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

RESULTS_ENV = "SWITCHBOARD_BENCH_RESULTS"


@dataclass(frozen=True)
class Figure:
    """One measured figure against its target.

    `ratio` is ours / peer when the target is a ratio (None when it is an absolute bound);
    `target` and `peer` are the words the table shows.
    """

    bench: str
    name: str
    value: str
    target: str
    peer: str
    ratio: float | None
    met: bool


def fmt_seconds(seconds: float) -> str:
    """A duration in the unit that reads best (ms below one second)."""
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


@dataclass
class Verdict:
    """The figures of one benchmark run, and its verdict."""

    bench: str
    figures: list[Figure] = field(default_factory=list)

    def ratio(
        self,
        name: str,
        ours: float,
        peer: float,
        limit: float,
        *,
        peer_name: str,
        unit: str = "s",
    ) -> Figure:
        """A target 'ours <= limit x peer', both measured in this run."""
        ratio = ours / peer if peer > 0 else float("inf")
        return self._add(
            name,
            _value(ours, unit),
            f"<= {limit:g}x {peer_name}",
            f"{peer_name} {_value(peer, unit)}",
            ratio,
            ratio <= limit,
        )

    def bound(
        self, name: str, value: float, limit: float, *, unit: str = "s", strict: bool = True
    ) -> Figure:
        """A target 'value < limit' (or <= when not strict), with no peer."""
        met = value < limit if strict else value <= limit
        sign = "<" if strict else "<="
        return self._add(name, _value(value, unit), f"{sign} {_value(limit, unit)}", "", None, met)

    def at_least(self, name: str, value: float, limit: float, *, unit: str = "s") -> Figure:
        """A target 'value >= limit' (a rate to reach), with no peer."""
        return self._add(
            name, _value(value, unit), f">= {_value(limit, unit)}", "", None, value >= limit
        )

    def failed(self, name: str, target: str, why: str) -> Figure:
        """A target that could not be measured (the benchmark broke): missed."""
        return self._add(name, f"not measured: {why}", target, "", None, False)

    def _add(
        self, name: str, value: str, target: str, peer: str, ratio: float | None, met: bool
    ) -> Figure:
        figure = Figure(self.bench, name, value, target, peer, ratio, met)
        self.figures.append(figure)
        line = f"  {'met   ' if met else 'MISSED'} {name}: {value} (target {target}"
        line += f"; {peer}, x{ratio:.2f})" if ratio is not None else ")"
        print(line, flush=True)
        return figure

    @property
    def ok(self) -> bool:
        """Every target met (and there was at least one)."""
        return bool(self.figures) and all(f.met for f in self.figures)

    def finish(self) -> int:
        """Print the verdict and the table, record the figures for `make bench`; exit code."""
        print()
        print(table(self.figures))
        missed = [f.name for f in self.figures if not f.met]
        print(f"{self.bench}: " + (f"MISSED {', '.join(missed)}" if missed else "all targets met"))
        path = os.environ.get(RESULTS_ENV)
        if path:
            with open(path, "a", encoding="utf-8") as fh:
                for f in self.figures:
                    fh.write(json.dumps(asdict(f)) + "\n")
        return 0 if self.ok else 1


def _value(value: float, unit: str) -> str:
    if unit == "s":
        return fmt_seconds(value)
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:,.1f} {unit}".rstrip()


def table(figures: Sequence[Figure]) -> str:
    """The results table: figure, value, target, peer, ratio, verdict (plain text)."""
    head = ("figure", "ours", "target", "peer", "ratio", "verdict")
    rows = [
        (
            f"{f.bench}: {f.name}",
            f.value,
            f.target,
            f.peer or "-",
            "-" if f.ratio is None else f"{f.ratio:.2f}",
            "met" if f.met else "MISSED",
        )
        for f in figures
    ]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def load(path: Path) -> list[Figure]:
    """The figures recorded in a results file."""
    if not path.exists():
        return []
    return [Figure(**json.loads(line)) for line in path.read_text().splitlines() if line]


# --- honest measurements --------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """One child process: wall seconds, CPU seconds (user + system), its own peak RSS."""

    wall: float
    cpu: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


def _hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    poll: float = 0.005,
    timeout: float = 600.0,
) -> Measured:
    """Run `cmd` to its end; its wall time, its own CPU time and its own peak memory.

    The peak is the largest VmHWM read while it ran (polled every `poll` seconds; the
    high-water mark only grows, so only growth in the very last poll interval can be missed).
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )
    peak = 0
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda: out.append(proc.stdout.read() if proc.stdout else "")),
        threading.Thread(target=lambda: err.append(proc.stderr.read() if proc.stderr else "")),
    ]
    for t in readers:
        t.start()
    deadline = started + timeout
    status = 0
    usage: Any = None
    while True:
        peak = max(peak, _hwm_kib(proc.pid))
        # WNOWAIT-free poll: wait4 with WNOHANG reaps it and returns its own rusage.
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
        time.sleep(poll)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join()
    return Measured(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=peak / 1024,
        returncode=proc.returncode,
        stdout="".join(out),
        stderr="".join(err),
    )


def median_of(runs: int, measure: Any) -> float:
    """The median of `runs` calls of `measure()` (a float each)."""
    return median(float(measure()) for _ in range(runs))


def python() -> str:
    """The interpreter running the benchmarks (the project's venv under make bench)."""
    return sys.executable
