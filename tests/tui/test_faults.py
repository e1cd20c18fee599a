"""The send engine against a real loopback sandbox injecting each fault.

For every fault: each recipient ends in exactly one final state, no recipient reached the
emulator twice, and what the journal says matches what the emulator processed.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from backends.sandbox.core import SandboxServer
from backends.sandbox.faults import FaultProfile
from tests.tui.test_sender import (
    FAST_RETRY,
    backend_for,
    drain,
    new_job,
    numbers,
    per_recipient,
    rich_app,
    stored,
)
from tui.engine.journal import Journal
from tui.engine.journal_rows import JobStatus, State
from tui.engine.ratelimit import RateLimiter
from tui.engine.sender import resume, run_job

N = 1000
BATCH = 50


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def serve(faults: FaultProfile) -> tuple[Starlette, SandboxServer]:
    app = rich_app(faults=faults)
    server = SandboxServer(app)
    server.start()
    return app, server


def check_invariants(journal: Journal, job_id: int, app: Starlette, tos: list[str]) -> None:
    """One final state each; nobody processed twice; the journal agrees with the emulator."""
    rows = list(journal.recipients(job_id))
    assert [r.to for r in rows] == tos
    assert all(r.state in (State.ACCEPTED, State.REJECTED, State.UNKNOWN) for r in rows)
    delivered = per_recipient(app.state.delivered)
    assert max(delivered.values(), default=0) <= 1
    sent = stored(app)
    for r in rows:
        if r.state is State.ACCEPTED:
            assert sent[r.to] == 1 and delivered[r.to] == 1
    # Whatever the emulator stored without the journal saying ACCEPTED is UNKNOWN there.
    accepted = {r.to for r in rows if r.state is State.ACCEPTED}
    unknown = {r.to for r in rows if r.state is State.UNKNOWN}
    assert set(sent) - accepted <= unknown


async def run(
    journal: Journal,
    app: Starlette,
    server: SandboxServer,
    *,
    concurrency: int = 4,
    limiter: RateLimiter | None = None,
) -> tuple[int, list[str], JobStatus]:
    tos = numbers(N)
    job_id = new_job(journal, tos)
    async with backend_for(url=server.url + "/api/rest") as backend:
        updates = await drain(
            run_job(
                journal,
                job_id,
                backend,
                batch_size=BATCH,
                concurrency=concurrency,
                limiter=limiter,
                policy=FAST_RETRY,
            )
        )
    check_invariants(journal, job_id, app, tos)
    return job_id, tos, updates[-1].status


async def test_latency_only_slows_things_down(journal: Journal) -> None:
    app, server = serve(FaultProfile(latency_ms=30))
    try:
        started = time.monotonic()
        job_id, tos, status = await run(journal, app, server, concurrency=4)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert status is JobStatus.DONE
    assert journal.totals(job_id).accepted == N
    assert per_recipient(app.state.log) == Counter(tos)
    # 20 requests of 30 ms at 4 concurrent: at least 5 rounds.
    assert elapsed >= 0.15


async def test_429_is_retried_and_the_client_adapts(journal: Journal) -> None:
    app, server = serve(FaultProfile(rate_limit_rps=20, rate_limit_burst=2))
    # Asking for more than the provider allows: it must slow down, then creep back up.
    limiter = RateLimiter(40)
    try:
        job_id, tos, status = await run(journal, app, server, concurrency=4, limiter=limiter)
    finally:
        server.stop()
    assert status is JobStatus.DONE
    assert journal.totals(job_id).accepted == N
    assert limiter.rate_limited >= 1
    received = per_recipient(app.state.log)
    # Refused requests arrived but were never processed; each recipient processed once.
    assert sum(received.values()) > N
    assert per_recipient(app.state.delivered) == Counter(tos)


async def test_5xx_answers_are_unknown_and_never_resent(journal: Journal) -> None:
    app, server = serve(FaultProfile(error_rate=0.4, seed=7))
    try:
        job_id, tos, status = await run(journal, app, server)
    finally:
        server.stop()
    assert status is JobStatus.DONE
    totals = journal.totals(job_id)
    assert totals.unknown > 0 and totals.accepted > 0
    assert totals.unknown + totals.accepted == N
    # 5xx are never retried: every recipient arrived exactly once.
    assert per_recipient(app.state.log) == Counter(tos)
    # Some 500s were processed before failing (that is why 5xx is UNKNOWN, not PENDING).
    assert len(stored(app)) > totals.accepted


async def test_dropped_connections_are_unknown_but_were_processed(journal: Journal) -> None:
    app, server = serve(FaultProfile(drop_rate=0.3, seed=3))
    try:
        job_id, tos, status = await run(journal, app, server)
        assert status is JobStatus.DONE
        unknown = [r.to for r in journal.recipients(job_id, State.UNKNOWN)]
        assert unknown
        # Every dropped recipient was processed: re-sending automatically would double it.
        assert all(stored(app)[to] == 1 for to in unknown)
        assert per_recipient(app.state.log) == Counter(tos)

        # The operator explicitly chooses to send the UNKNOWN ones again.
        async with backend_for(url=server.url + "/api/rest") as backend:
            last = (
                await drain(
                    resume(journal, job_id, backend, resend_unknown=True, policy=FAST_RETRY)
                )
            )[-1]
    finally:
        server.stop()
    assert last.status is JobStatus.DONE
    twice = {to for to, n in per_recipient(app.state.delivered).items() if n > 1}
    # Only recipients that were UNKNOWN and explicitly re-sent reached the emulator twice.
    assert twice and twice <= set(unknown)


async def test_answers_slower_than_the_read_timeout_are_unknown(journal: Journal) -> None:
    app, server = serve(FaultProfile(slow_rate=0.25, slow_seconds=1.5, seed=11))
    try:
        job_id, tos, status = await run(journal, app, server)
    finally:
        server.stop()
    assert status is JobStatus.DONE
    unknown = list(journal.recipients(job_id, State.UNKNOWN))
    assert unknown
    assert all("ReadTimeout" in (r.reason or "") for r in unknown)
    assert per_recipient(app.state.log) == Counter(tos)
    assert all(stored(app)[r.to] == 1 for r in unknown)


@pytest.mark.refused_requests  # the empty bodies are refused on purpose
async def test_faults_are_deterministic_from_the_seed() -> None:
    async def kinds(seed: int) -> list[int]:
        app = rich_app(faults=FaultProfile(error_rate=0.3, drop_rate=0.2, seed=seed))
        statuses = []
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url="http://sandbox"
        ) as http:
            for _ in range(30):
                try:
                    response = await http.post("/api/rest/sms", auth=("demo", "demo-api-password"))
                    statuses.append(response.status_code)
                except httpx.RemoteProtocolError:
                    statuses.append(-1)
        return statuses

    first = await kinds(5)
    assert first == await kinds(5)
    assert first != await kinds(6)
    # 400: the emulator processed (and refused) the empty body; the rest are faults.
    assert {-1, 400, 500, 503} <= set(first)


def test_profile_validates_rates() -> None:
    with pytest.raises(ValueError):
        FaultProfile(error_rate=0.6, drop_rate=0.6)
    with pytest.raises(ValueError):
        FaultProfile(rate_limit_rps=0)
    assert not FaultProfile().active
