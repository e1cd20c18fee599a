"""A sending process killed with SIGKILL mid-job resumes without sending anyone twice.

The sender runs as a real subprocess (`python -m tui.engine.sender`) against a real
loopback sandbox; the sandbox's request log is the ground truth of what reached the
provider.
"""

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

from backends.models.send import MailingRequest
from backends.sandbox.core import RequestLog, SandboxServer
from backends.sandbox.faults import FaultProfile
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from tests.tui.test_sender import new_job, numbers, per_recipient, rich_app
from tui.engine.journal import Journal
from tui.engine.journal_rows import JobStatus, State
from tui.engine.sender import create_channel_job

pytestmark = pytest.mark.slow

N = 20_000


def sender_command(journal: Path, job_id: int, url: str) -> list[str]:
    return [
        sys.executable, "-m", "tui.engine.sender", "--journal", str(journal),
        "--job", str(job_id), "--base-url", url, "--username", DEMO_USERNAME,
        "--batch-size", "100", "--concurrency", "2",
    ]  # fmt: skip


def states(path: Path, job_id: int) -> dict[str, State]:
    with Journal(path) as journal:
        return {r.to: r.state for r in journal.recipients(job_id)}


def run_to_end(cmd: list[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def kill_a_quarter_through(
    path: Path, job_id: int, url: str, env: dict[str, str], total: int
) -> list[str]:
    """Run the job in a sender process, SIGKILL it once a quarter is accepted; the command
    (to resume with)."""
    cmd = sender_command(path, job_id, url)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with Journal(path) as watcher:
            deadline = time.monotonic() + 60
            while watcher.totals(job_id).accepted < total // 4:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.01)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
    # Requests already on the wire may still be processed: let the sandbox settle.
    time.sleep(0.3)
    return cmd


def test_sigkill_mid_job_then_resume_sends_everyone_at_most_once(tmp_path: Path) -> None:
    # 200 requests with ~2 ms of added latency each: a run lasts about a second, so the
    # kill lands mid-job. A request cut off mid-body by the kill is not received (the
    # sandbox, like a server, neither records nor processes it).
    app = rich_app(faults=FaultProfile(latency_ms=2))
    path = tmp_path / "journal.sqlite3"
    tos = numbers(N)
    with Journal(path) as journal:
        job_id = new_job(journal, tos)
    env = {**os.environ, "SWITCHBOARD_SENDER_SECRET": DEMO_PASSWORD}

    with SandboxServer(app) as server:
        cmd = kill_a_quarter_through(path, job_id, server.url + "/api/rest", env, N)

        at_kill = states(path, job_id)
        with Journal(path) as journal:
            assert journal.job(job_id).status is JobStatus.RUNNING  # nobody told it otherwise
        in_flight = {to for to, s in at_kill.items() if s is State.SENDING}
        accepted = {to for to, s in at_kill.items() if s is State.ACCEPTED}
        pending = {to for to, s in at_kill.items() if s is State.PENDING}
        assert len(accepted) >= N // 4 and pending
        assert len(accepted) + len(in_flight) + len(pending) == N
        received = per_recipient(app.state.log)
        assert max(received.values()) == 1
        # The sandbox got every ACCEPTED one, and beyond those only ones that were in flight.
        assert accepted <= set(received) <= accepted | in_flight

        # Resume: in-flight rows become UNKNOWN and are not sent; the pending ones are.
        result = run_to_end(cmd, env)
        assert result["status"] == "DONE"
        final = states(path, job_id)
        unknown = {to for to, s in final.items() if s is State.UNKNOWN}
        assert unknown == in_flight
        assert {to for to, s in final.items() if s is State.ACCEPTED} == set(tos) - unknown
        received = per_recipient(app.state.log)
        assert max(received.values()) == 1
        never_received = set(tos) - set(received)
        assert never_received <= unknown

        # The operator checks the provider's reports and re-sends exactly the ones it never
        # got: now everyone has been sent exactly once.
        with Journal(path) as journal:
            seqs = [r.seq for r in journal.recipients(job_id) if r.to in never_received]
            assert journal.resend_unknown(job_id, seqs) == len(never_received)
        assert run_to_end(cmd, env)["status"] == "DONE"
        assert per_recipient(app.state.log) == Counter(tos)
        assert per_recipient(app.state.delivered) == Counter(tos)


def mailed(log: RequestLog) -> Counter[str]:
    """How many times each address reached the sandbox in a POST /mailing body."""
    counts: Counter[str] = Counter()
    for r in log.matching("POST", "/api/rest/mailing"):
        counts.update(r.json()["to"])
    return counts


def test_an_email_job_killed_mid_request_is_on_record_and_resumes(tmp_path: Path) -> None:
    # Email is a journaled job like SMS: a kill leaves every address PENDING, SENDING
    # (in flight) or done, and the resume sends the pending ones only.
    n = 5_000
    app = rich_app(faults=FaultProfile(latency_ms=2))
    path = tmp_path / "journal.sqlite3"
    emails = [f"user{i}@example.com" for i in range(n)]
    template = MailingRequest(to=(), sender_email="news@example.com", subject="Hi",
                              reply_to="help@example.com", body="<p>Hi {name}</p>")  # fmt: skip
    with Journal(path) as journal:
        rows = [(e, {"name": f"n{i}"}) for i, e in enumerate(emails)]
        job_id = create_channel_job(journal, "acct", "360nrs", template, rows)
    env = {**os.environ, "SWITCHBOARD_SENDER_SECRET": DEMO_PASSWORD}
    with SandboxServer(app) as server:
        cmd = kill_a_quarter_through(path, job_id, server.url + "/api/rest", env, n)
        at_kill = states(path, job_id)
        assert set(at_kill) == set(emails)  # every address is on record
        in_flight = {to for to, s in at_kill.items() if s is State.SENDING}
        assert max(mailed(app.state.log).values()) == 1

        result = run_to_end(cmd, env)
        assert result["status"] == "DONE"
        final = states(path, job_id)
        assert {to for to, s in final.items() if s is State.UNKNOWN} == in_flight
        received = mailed(app.state.log)
        assert max(received.values()) == 1
        assert set(emails) - set(received) <= in_flight
