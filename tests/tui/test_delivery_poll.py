"""Polling delivery states with GET /sms/{ids} against the 360nrs sandbox on a real socket."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from starlette.applications import Starlette

from backends.capabilities import SmsStatusApi
from backends.sandbox.core import RecordedRequest, SandboxServer
from backends.sandbox.faults import FaultProfile
from backends.sandbox.nrs360.dlr import fate_of
from tests.backends.conftest import FakeClock
from tests.tui.test_sender import backend_for, new_job, numbers, rich_app
from tui.engine.delivery import DeliveryState
from tui.engine.delivery_poll import (
    URL_BUDGET,
    DeliveryUpdate,
    id_batches,
    poll_round,
    valid_until,
    watch_deliveries,
)
from tui.engine.journal import Journal
from tui.engine.journal_rows import Outcome, State
from tui.engine.ratelimit import RateLimiter
from tui.engine.sender import run_job

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SMS_PATH = "/api/rest/sms/"
# The sandbox's final fates as the journal spells them (the %s statuses).
FINAL_STATUS = {"DELIVRD", "UNDELIV", "REJECTD", "EXPIRED"}
# Tests whose sandbox sets no rate limit need not wait for the default polite rate.
FAST = RateLimiter(100)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def status_requests(app: Starlette) -> list[RecordedRequest]:
    return [r for r in app.state.log.requests if r.method == "GET" and r.path.startswith(SMS_PATH)]


def check_reference_rules(request: RecordedRequest) -> list[str]:
    """GET {{HOST}}/api/rest/sms/<ID>: "multiple identifiers separated by commas", no body,
    no query; each identifier whole. Returns the ids asked for."""
    assert request.query_string == "" and request.body == b""
    joined = request.raw_path[len(SMS_PATH) :]
    assert "/" not in joined and len(joined) <= URL_BUDGET
    ids = [unquote(i) for i in joined.split(",")]
    assert all(ids)
    return ids


async def send_job(journal: Journal, app: Starlette, server: SandboxServer, n: int) -> int:
    job_id = new_job(journal, numbers(n))
    async with backend_for(url=server.url + "/api/rest") as backend:
        async for _ in run_job(journal, job_id, backend, batch_size=n):
            pass
    assert journal.totals(job_id).accepted == n
    return job_id


class Ticking:
    """A sleep that moves the sandbox's clock instead of waiting, and keeps the waits."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds=seconds)


def serve(clock: FakeClock, **faults: Any) -> tuple[Starlette, SandboxServer]:
    app = rich_app(clock=clock, faults=FaultProfile(**faults) if faults else None)
    server = SandboxServer(app)
    server.start()
    return app, server


def test_id_batches_keep_order_and_fit_the_budget() -> None:
    ids = [f"id{i:011d}" for i in range(1000)]
    batches = id_batches(ids, budget=200)
    assert [i for b in batches for i in b] == ids
    assert all(len(",".join(b)) <= 200 for b in batches)
    # As many as fit: adding the next id to any batch would overflow it.
    assert all(len(",".join([*b, "x" * 13])) > 200 for b in batches[:-1])
    # An id needing escapes counts at its encoded length.
    assert id_batches(["a/b", "c"], budget=5) == [["a/b"], ["c"]]


async def test_polling_follows_the_sandbox_to_every_final_state(journal: Journal) -> None:
    clock = FakeClock(START)
    app, server = serve(clock)
    try:
        job_id = await send_job(journal, app, server, 250)
        sent = len(app.state.log.requests)
        ticking = Ticking(clock)
        async with backend_for(url=server.url + "/api/rest") as backend:
            updates = [
                u
                async for u in watch_deliveries(
                    journal,
                    job_id,
                    backend.capability(SmsStatusApi),
                    limiter=FAST,
                    sleep=ticking,
                    now=clock,
                )
            ]
    finally:
        server.stop()
    final = updates[-1]
    assert final.funnel.done and not final.expired and final.funnel.accepted == 250
    # The journal holds exactly the sandbox's fates.
    fates = {m.id: fate_of(app.state.nrs.seed, m) for m in app.state.nrs.sms.values()}
    deliveries = journal.deliveries(job_id)
    for row in journal.recipients(job_id):
        assert row.provider_id is not None
        assert deliveries[row.seq].state == fates[row.provider_id].status
    statuses = {f.status for f in fates.values()}
    assert statuses == FINAL_STATUS
    f = final.funnel
    assert f.delivered == sum(1 for x in fates.values() if x.status == "DELIVRD")
    assert f.expired == sum(1 for x in fates.values() if x.status == "EXPIRED")
    # Every request follows the reference, and each round asks once about each waiting id.
    requests = app.state.log.requests[sent:]
    assert requests == status_requests(app)
    assert len(requests) == final.requests
    for request in requests:
        check_reference_rules(request)
    # 250 ids of 13 characters: two requests a round, not 250.
    assert len(check_reference_rules(requests[0])) > 100
    # While nothing moved the waits grew; they never exceeded the ceiling.
    assert min(ticking.waits) >= 2.0 and max(ticking.waits) <= 60.0


async def test_final_recipients_are_not_asked_about_again(journal: Journal) -> None:
    clock = FakeClock(START)
    app, server = serve(clock)
    try:
        job_id = await send_job(journal, app, server, 40)
        ticking = Ticking(clock)
        rounds: list[tuple[DeliveryUpdate, int, datetime]] = []
        async with backend_for(url=server.url + "/api/rest") as backend:
            async for u in watch_deliveries(
                journal,
                job_id,
                backend.capability(SmsStatusApi),
                limiter=FAST,
                sleep=ticking,
                now=clock,
            ):
                rounds.append((u, len(status_requests(app)), clock.now))
    finally:
        server.stop()
    fates = {m.id: fate_of(app.state.nrs.seed, m) for m in app.state.nrs.sms.values()}
    final_before: set[str] = set()
    seen = 0
    for _, count, at in rounds:
        asked = [i for r in status_requests(app)[seen:count] for i in check_reference_rules(r)]
        assert len(asked) == len(set(asked))
        assert not final_before & set(asked)
        seen = count
        # What the sandbox showed as final in this round: never asked about again.
        final_before |= {i for i in asked if fates[i].final_at <= at}
    assert rounds[-1][0].funnel.done
    assert final_before == set(fates)


async def test_a_long_429_ends_the_round_and_slows_the_limiter(journal: Journal) -> None:
    clock = FakeClock(START)
    # One request per 400 s: the POST takes the only token, and the GET's Retry-After is
    # longer than the HTTP layer waits by itself, so it reaches the poller as a 429.
    app, server = serve(clock, rate_limit_rps=1 / 400, rate_limit_burst=1)
    try:
        job_id = await send_job(journal, app, server, 300)
        limiter = RateLimiter(50)
        async with backend_for(url=server.url + "/api/rest") as backend:
            requests, problem = await poll_round(
                journal, job_id, backend.capability(SmsStatusApi), limiter
            )
    finally:
        server.stop()
    # The round stops at the first refusal rather than hammering the other batches.
    assert requests == 1 and problem is not None and "429" in problem
    assert limiter.rate_limited == 1
    assert limiter.rate is not None and limiter.rate < 50
    assert journal.deliveries(job_id) == {}
    assert len(status_requests(app)) == 1


async def test_polling_at_a_bounded_rate_meets_no_429(journal: Journal) -> None:
    clock = FakeClock(START)
    # The provider allows twice our rate, with a burst of two: one request arriving late
    # and the next on time must not look like a burst (a busy machine's loopback jitter).
    app, server = serve(clock, rate_limit_rps=40, rate_limit_burst=2)
    try:
        job_id = await send_job(journal, app, server, 300)  # three requests a round
        async with backend_for(url=server.url + "/api/rest") as backend:
            updates = [
                u
                async for u in watch_deliveries(
                    journal,
                    job_id,
                    backend.capability(SmsStatusApi),
                    limiter=RateLimiter(20),
                    sleep=Ticking(clock),
                    now=clock,
                )
            ]
    finally:
        server.stop()
    assert updates[-1].funnel.done and all(u.problem is None for u in updates)
    assert len(app.state.log.requests) == len(app.state.delivered.requests)  # no 429 at all
    times = [r.received_at for r in status_requests(app)]
    # 20 a second at most over the whole watch. Pairs are not compared: on a busy machine
    # one request arriving late brings it close to the next, though both left on time
    # (and the sandbox's own limit, 40 a second, met no 429 above).
    assert len(times) > 5
    assert times[-1] - times[0] >= (len(times) - 1) / 20 * 0.9


async def test_polling_stops_when_the_messages_validity_is_over(journal: Journal) -> None:
    clock = FakeClock(START)
    job_id = new_job(journal, numbers(3), expiration_date=START + timedelta(minutes=1))
    assert valid_until(journal.job(job_id)) == START + timedelta(minutes=1)
    journal.start(job_id)
    claimed = journal.claim_batch(job_id, 3)
    journal.record_results(
        job_id, [Outcome(c.seq, c.to, State.ACCEPTED, None, f"m{c.seq}", 1) for c in claimed]
    )
    clock.advance(minutes=2)
    # No API: nothing can be asked, and past the validity nothing more will come.
    updates = [u async for u in watch_deliveries(journal, job_id, None, now=clock)]
    assert len(updates) == 1 and updates[0].expired and updates[0].funnel.waiting == 3
    assert journal.deliveries(job_id) == {}
    assert DeliveryState.EXPIRED not in {d.state for d in journal.deliveries(job_id).values()}
