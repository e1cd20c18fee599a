"""Ctrl-C and SIGTERM stop a `switchboard sms send` in a real process the same way: the job
is paused (what was in flight recorded UNKNOWN), the command says how to resume it, and the
resume sends the rest, nobody twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from backends.sandbox.core import SandboxServer
from backends.sandbox.faults import FaultProfile
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from tests.tui.test_crash_resume import sender_command
from tests.tui.test_sender import new_job, numbers, per_recipient, rich_app
from tui.config import Account, ConfigStore
from tui.engine.journal import Journal
from tui.engine.journal_rows import JobStatus, State

pytestmark = pytest.mark.slow

N = 3_000


def switchboard(*args: str) -> list[str]:
    return [sys.executable, "-m", "tui", *args]


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
)
def test_a_signal_mid_send_pauses_the_job_and_says_how_to_resume(
    isolated_dirs: Path,
    monkeypatch: pytest.MonkeyPatch,
    signum: signal.Signals,
    code: int,
    said: str,
) -> None:
    # 30 requests of 100, each ~60 ms at the sandbox, two at a time: about a second.
    app = rich_app(faults=FaultProfile(latency_ms=60))
    tos = numbers(N)
    csv = isolated_dirs / "to.csv"
    csv.write_text("phone\n" + "\n".join(tos) + "\n")
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    with SandboxServer(app) as server:
        ConfigStore(isolated_dirs / "config").add_account(
            Account("demo", "360nrs", server.url + "/api/rest", DEMO_USERNAME)
        )
        send = subprocess.Popen(
            switchboard("sms", "send", "-a", "demo", "--from", "TEST", "--message", "Hi",
                        "--csv", str(csv), "--yes"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not per_recipient(app.state.log):
                assert send.poll() is None, send.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.01)
            send.send_signal(signum)
            _, err = send.communicate(timeout=30)
        finally:
            if send.poll() is None:
                send.kill()
                send.wait()
        assert send.returncode == code, err
        with Journal() as journal:
            (job,) = journal.jobs()
            totals = journal.totals(job.id)
            assert not journal.interrupted(job.id)
        # Paused like any stopped job, not left RUNNING with recipients in flight.
        assert (job.status, job.pause_reason) == (JobStatus.PAUSED, "interrupted")
        assert totals.sending == 0 and totals.pending > 0
        assert f"switchboard jobs resume {job.id}" in err
        assert err.rstrip().endswith(f"switchboard: {said}")
        assert "Traceback" not in err

        time.sleep(0.3)  # requests on the wire when the signal came may still land
        resumed = subprocess.run(
            switchboard("jobs", "resume", str(job.id), "--json"),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert resumed.returncode in (0, 3), resumed.stderr
        assert json.loads(resumed.stdout)["status"] == "DONE"
        received = per_recipient(app.state.log)
        assert max(received.values()) == 1
        with Journal() as journal:
            final = {r.to: r.state for r in journal.recipients(job.id)}
        unknown = {to for to, s in final.items() if s is State.UNKNOWN}
        assert set(received) | unknown == set(tos)
        assert Counter(s for s in final.values() if s is not State.UNKNOWN) == Counter(
            {State.ACCEPTED: N - len(unknown)}
        )


def test_sigterm_pauses_the_one_job_sender_too(tmp_path: Path) -> None:
    app = rich_app(faults=FaultProfile(latency_ms=60))
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        job_id = new_job(journal, numbers(N))
    env = {**os.environ, "SWITCHBOARD_SENDER_SECRET": DEMO_PASSWORD}
    with SandboxServer(app) as server:
        cmd = sender_command(path, job_id, server.url + "/api/rest")
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while not per_recipient(app.state.log):
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.01)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 143, err
    assert b"Traceback" not in err
    with Journal(path) as journal:
        job = journal.job(job_id)
        assert (job.status, job.pause_reason) == (JobStatus.PAUSED, "interrupted")
        assert journal.totals(job_id).sending == 0
