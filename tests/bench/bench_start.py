"""Benchmark: cold start of the `switchboard` command and of the console (issue 14).

Run with `python -m tests.bench.bench_start` (or under `make bench`). Each figure is the
median of RUNS fresh processes, interleaved with its peer in the same run:

- `switchboard --help` and `switchboard account list` (one account configured) against
  `python -c "import textual.app"`: target <= 1.0x (a command imports neither Textual nor
  the sandbox's emulators unless it needs them);
- the console's first frame (`switchboard --sandbox` on a pseudo-terminal, until its
  navigation bar is drawn) against a minimal Textual app's first frame: target <= 1.5x.

The machine may be shared: medians of interleaved runs keep both sides under the same load.
Both sides run with their bytecode cached, as where they are installed (pip compiles it) or
from a checkout after its first run: every command runs once, unmeasured, first. A session
with PYTHONDONTWRITEBYTECODE set would otherwise compile this project's modules from
source on every measured run (about 30 ms of the console's start) while the peer's Textual
loads the bytecode installed with it. The cache is the run's own (PYTHONPYCACHEPREFIX in
its temporary directory): the checkout is left as it was.
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from tests.bench.verdict import Verdict

RUNS = 3
ROOT = Path(__file__).resolve().parents[2]
MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static

class Minimal(App[None]):
    def compose(self):
        yield Static("minimal ready")

Minimal().run()
"""


def wall(cmd: list[str], env: dict[str, str]) -> float:
    """Seconds a command takes to its end (output discarded); it must succeed."""
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, timeout=120)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.decode()[-400:]}")
    return elapsed


def first_frame(cmd: list[str], env: dict[str, str], marker: bytes) -> float:
    """Seconds from starting `cmd` on a 120x40 pseudo-terminal until `marker` is drawn."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the app
        os.chdir(ROOT)
        os.execvpe(cmd[0], cmd, {**env, "COLUMNS": "120", "LINES": "40", "TERM": "xterm"})
    seen = b""
    try:
        while marker not in seen:
            if time.perf_counter() - started > 60:
                raise RuntimeError(f"{marker!r} never drawn by {' '.join(cmd)}")
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    seen = seen[-4096:] + os.read(fd, 65536)
                except OSError as exc:
                    why = f"{' '.join(cmd)} ended before drawing {marker!r}"
                    raise RuntimeError(why) from exc
        return time.perf_counter() - started
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def interleaved(runs: int, **measures: object) -> dict[str, float]:
    """The median of `runs` rounds of every measure, one of each per round, after one
    unmeasured round (which caches the bytecode)."""
    for measure in measures.values():
        measure()  # type: ignore[operator]
    got: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            got[name].append(measure())  # type: ignore[operator]
    return {name: median(values) for name, values in got.items()}


def main(argv: list[str] | None = None) -> int:
    """Measure, print every target's verdict and the table; 1 if any was missed."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_start", description=__doc__)
    p.add_argument("--runs", type=int, default=RUNS)
    args = p.parse_args(argv)
    py = sys.executable
    verdict = Verdict("bench_start")
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SWITCHBOARD_CONFIG_DIR": str(Path(tmp) / "config"),
            "SWITCHBOARD_DATA_DIR": str(Path(tmp) / "data"),
            "SWITCHBOARD_SECRET_DEMO": "bench-secret",
            "PYTHONPYCACHEPREFIX": str(Path(tmp) / "bytecode"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        (Path(tmp) / "config").mkdir()
        (Path(tmp) / "config" / "config.toml").write_text(
            '[accounts.demo]\nprovider = "360nrs"\nbase_url = "https://example.invalid/api"\n'
            'username = "bench"\n',
            encoding="utf-8",
        )
        listed = subprocess.run(
            [py, "-m", "tui", "account", "list"], env=env, cwd=ROOT, capture_output=True
        )
        assert b"demo" in listed.stdout, listed.stderr
        print(
            f"Cold start, median of {args.runs} interleaved runs each (bytecode cached by an"
            " unmeasured first run of each):",
            flush=True,
        )
        cli = interleaved(
            args.runs,
            textual=lambda: wall([py, "-c", "import textual.app"], env),
            help=lambda: wall([py, "-m", "tui", "--help"], env),
            accounts=lambda: wall([py, "-m", "tui", "account", "list"], env),
        )
        peer = "python -c 'import textual.app'"
        verdict.ratio("switchboard --help", cli["help"], cli["textual"], 1.0, peer_name=peer)
        verdict.ratio("account list", cli["accounts"], cli["textual"], 1.0, peer_name=peer)
        frames = interleaved(
            args.runs,
            minimal=lambda: first_frame([py, "-c", MINIMAL_APP], env, b"ready"),
            console=lambda: first_frame([py, "-m", "tui", "--sandbox"], env, b"Conversations"),
        )
        verdict.ratio(
            "console first frame (--sandbox)",
            frames["console"],
            frames["minimal"],
            1.5,
            peer_name="minimal Textual app",
        )
    return verdict.finish()


if __name__ == "__main__":
    sys.exit(main())
