"""The send engine against the 360nrs sandbox: batches, outcome rules, pauses, resume."""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backends.base import Connection
from backends.errors import AuthError, PaymentRequired
from backends.http import HttpClient
from backends.models.common import AvailableTime, OtpConfig, RecipientResult, SendResult
from backends.models.send import (
    Attachment,
    LandingRequest,
    MailingRequest,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppLocation,
    WhatsAppTemplateMessage,
    WhatsAppTemplateRequest,
)
from backends.nrs360.client import Nrs360Backend
from backends.nrs360.rules import RULES
from backends.sandbox.core import RequestLog
from backends.sandbox.nrs360 import BUSINESS_NUMBER, DEMO_PASSWORD, DEMO_USERNAME, create_app
from tui.engine.channels import template_of
from tui.engine.journal import Journal
from tui.engine.journal_rows import Claimed, JobStatus, Outcome, State
from tui.engine.pricing import Pricing
from tui.engine.ratelimit import RateLimiter
from tui.engine.sender import (
    JobControl,
    Progress,
    RetryPolicy,
    create_channel_job,
    match_results,
    resume,
    run_job,
)
from tui.engine.sms_job import create_sms_job, sms_template, template_request

ASGI_URL = "http://sandbox/api/rest"
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)


# --- helpers shared with the fault and crash tests -----------------------------------------


class QuickBackend(Nrs360Backend):
    """360nrs with a short read timeout, so a slow answer becomes a timeout in tests."""

    read_timeout = 0.5

    def _make_http(
        self, connection: Connection, transport: httpx.AsyncBaseTransport | None
    ) -> HttpClient:
        return HttpClient(
            provider=self.provider,
            base_url=connection.base_url,
            auth=httpx.BasicAuth(connection.username, connection.secret),
            headers={"Accept": "application/json"},
            transport=transport,
            timeout=httpx.Timeout(5.0, read=self.read_timeout),
            secrets=(connection.secret,),
            rules=RULES,
        )


def rich_app(**kwargs: Any) -> Starlette:
    """A sandbox with enough credit for any test."""
    app = create_app(**kwargs)
    app.state.nrs.balance_cents = 10**9
    return app


def backend_for(
    app: Starlette | None = None,
    *,
    url: str = ASGI_URL,
    password: str = DEMO_PASSWORD,
    transport: httpx.AsyncBaseTransport | None = None,
) -> QuickBackend:
    if transport is None and app is not None:
        transport = httpx.ASGITransport(app)
    return QuickBackend(Connection(url, DEMO_USERNAME, password), transport=transport)


def numbers(n: int, start: int = 0) -> list[str]:
    return [f"346{i:08d}" for i in range(start, start + n)]


def new_job(journal: Journal, tos: list[str], message: str = "Hello", **options: Any) -> int:
    return create_sms_job(
        journal, "acct", "360nrs", "TEST", message, [(to, None) for to in tos], options
    )


def per_recipient(log: RequestLog) -> Counter[str]:
    """How many times each number reached the sandbox in a POST /sms body."""
    counts: Counter[str] = Counter()
    for r in log.matching("POST", "/api/rest/sms"):
        counts.update(r.json()["to"])
    return counts


def stored(app: Starlette) -> Counter[str]:
    """How many messages the sandbox accepted for each number (what was really sent)."""
    return Counter(m.to for m in app.state.nrs.sms.values())


async def drain(updates: Any) -> list[Progress]:
    return [p async for p in updates]


def final_states(journal: Journal, job_id: int) -> dict[str, State]:
    return {r.to: r.state for r in journal.recipients(job_id)}


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


class ScriptedTransport(httpx.AsyncBaseTransport):
    """Answers the first requests from a script, then hands the rest to the sandbox app."""

    def __init__(
        self,
        app: Starlette,
        script: list[Callable[[httpx.Request], httpx.Response]],
        *,
        delay: float = 0.0,
    ) -> None:
        self.inner = httpx.ASGITransport(app)
        self.script = deque(script)
        self.delay = delay
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.script:
            return self.script.popleft()(request)
        return await self.inner.handle_async_request(request)


def refuse_connection(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def answer(status: int, body: bytes = b"{}", **headers: str) -> Callable[..., httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers=headers)

    return respond


# --- results matching ------------------------------------------------------------------


def test_match_results_by_number_in_request_order_with_duplicates() -> None:
    batch = [
        Claimed(0, "34600000001", None),
        Claimed(1, "34600000002", None),
        Claimed(2, "34600000001", None),
        Claimed(3, "+34600000003", None),
        Claimed(4, "34600000004", None),
    ]
    result = SendResult(
        results=(
            # Answered out of order; the two answers for ...001 apply in request order.
            RecipientResult("34600000002", True, id="b", parts=1),
            RecipientResult("34600000001", False, error_code=102, error="No valid recipients"),
            RecipientResult("34600000001", True, id="c", parts=2),
            RecipientResult("34600000003", True, id="d", parts=1),  # echoed without '+'
            RecipientResult("34699999999", True, id="z"),  # not ours: ignored
        )
    )
    by_seq = {o.seq: o for o in match_results(batch, result)}
    assert by_seq[0] == Outcome(0, "34600000001", State.REJECTED, "102: No valid recipients")
    assert by_seq[1] == Outcome(1, "34600000002", State.ACCEPTED, None, "b", 1)
    assert by_seq[2] == Outcome(2, "34600000001", State.ACCEPTED, None, "c", 2)
    assert by_seq[3].state is State.ACCEPTED
    assert by_seq[4].state is State.UNKNOWN  # not mentioned: may have been sent
    assert len(by_seq) == 5


# --- job creation --------------------------------------------------------------------


def test_job_template_round_trips_every_option(journal: Journal) -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    options: dict[str, Any] = {
        "encoding": "gsm",
        "parts": 2,
        "schedule_date": when,
        "campaign_name": "Spring",
        "tags": ("a", "b"),
        "available_times": (AvailableTime("09:00", "21:00", 1),),
        "otp_config": OtpConfig(length=5),
        "notification_url": "https://example.com/n",
        "flash": None,
    }
    job_id = create_sms_job(
        journal, "acct", "360nrs", "TEST", "Hi", [(" +34 600-000.001 ", None)], options
    )
    req = template_request(journal.job(job_id))
    assert (req.schedule_date, req.tags, req.campaign_name, req.parts) == (
        when,
        ("a", "b"),
        "Spring",
        2,
    )
    assert req.available_times == (AvailableTime("09:00", "21:00", 1),)
    assert req.otp_config == OtpConfig(length=5)
    assert req.flash is None
    assert [r.to for r in journal.recipients(job_id)] == ["+34600000001"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"options": {"colour": "red"}}, "unknown SMS option"),
        ({"options": {"notification_url": ("a", "b")}}, "2 notification URLs for 1 recipients"),
        ({"recipients": []}, "no recipients"),
        ({"recipients": [("  ", None)]}, "empty"),
        ({"sender": " "}, "sender"),
        ({"message": "Hi {name|shout}"}, "unknown filter 'shout'"),
    ],
)
def test_create_sms_job_refuses_bad_input(
    journal: Journal, kwargs: dict[str, Any], message: str
) -> None:
    args: dict[str, Any] = {
        "sender": "TEST",
        "message": "Hi",
        "recipients": [("34600000001", None)],
        "options": {},
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        create_sms_job(journal, "acct", "360nrs", **args)


@pytest.mark.parametrize(
    ("recipients", "message"),
    [([], "no recipients"), ([("34600000001", None), ("  ", None)], "a recipient is empty")],
)
def test_a_job_with_its_checked_template_refused_on_its_rows_leaves_nothing_journaled(
    journal: Journal, recipients: list[tuple[str, None]], message: str
) -> None:
    """With the template the check built, the rows go to the journal as they come (no list
    of them): a bad row met half-way rolls the whole job back."""
    template = sms_template("TEST", "Hi", [("34600000001", None, None)])
    with pytest.raises(ValueError, match=message):
        create_sms_job(journal, "acct", "360nrs", "TEST", "Hi", recipients, {}, template=template)
    assert list(journal.overview()) == []


def test_the_template_counts_rows_it_reads_once_for_their_notification_urls() -> None:
    """The check hands the template its rows one at a time: a text without placeholders
    is counted once, and every row is still counted against the URLs."""
    rows = ((f"3460000000{i}", None, "ES") for i in range(3))
    with pytest.raises(ValueError, match="2 notification URLs for 3 recipients"):
        sms_template("TEST", "Hi", rows, {"notification_url": ("a", "b")})
    rows = ((f"3460000000{i}", None, "ES") for i in range(2))
    template = sms_template("TEST", "Hi", rows, {"notification_url": ("a", "b")})
    assert template["notification_urls"] == ["a", "b"]


# --- sending ---------------------------------------------------------------------------


async def test_every_recipient_once_with_one_sub_item_per_recipient(journal: Journal) -> None:
    app = rich_app()
    tos = numbers(1234)
    recipients = [(to, {"name": f"n{i}"} if i < 150 else None) for i, to in enumerate(tos)]
    job_id = create_sms_job(journal, "acct", "360nrs", "TEST", "Hi {name}", recipients)
    async with backend_for(app) as backend:
        updates = await drain(run_job(journal, job_id, backend, batch_size=100, concurrency=3))

    assert updates[0].status is JobStatus.RUNNING and updates[0].totals.pending == 1234
    last = updates[-1]
    assert (last.status, last.reason) == (JobStatus.DONE, None)
    assert (last.totals.accepted, last.totals.pending, last.totals.parts) == (1234, 0, 1234)
    # Coalesced: at most one update per batch, and every outcome exactly once.
    assert len(updates) <= 13 + 2
    assert sorted(o.seq for p in updates for o in p.results) == list(range(1234))
    assert per_recipient(app.state.log) == Counter(tos)

    bodies = [r.json() for r in app.state.log.matching("POST", "/api/rest/sms")]
    with_vars = [b for b in bodies if "sub" in b]
    # The first 150 recipients span two batches of 100; only those carry `sub`.
    assert len(with_vars) == 2
    for body in with_vars:
        assert len(body["sub"]) == len(body["to"])
    assert with_vars[0]["sub"][0] == {"name": "n0"}
    second = with_vars[1]
    assert second["sub"][49] == {"name": "n149"} and second["sub"][50] == {}

    rows = list(journal.recipients(job_id))
    assert all(r.state is State.ACCEPTED and r.provider_id for r in rows)
    assert len({r.provider_id for r in rows}) == 1234
    job = journal.job(job_id)
    assert (job.status, job.pause_reason) == (JobStatus.DONE, None)


async def test_207_applies_per_recipient(journal: Journal) -> None:
    app = rich_app()
    tos = ["34600000001", "abc", "34600000001", "12"]
    job_id = new_job(journal, tos)
    async with backend_for(app) as backend:
        last = (await drain(run_job(journal, job_id, backend)))[-1]
    assert last.status is JobStatus.DONE
    rows = list(journal.recipients(job_id))
    assert [r.state for r in rows] == [
        State.ACCEPTED,
        State.REJECTED,
        State.ACCEPTED,
        State.REJECTED,
    ]
    assert rows[1].reason == "102: No valid recipients"
    assert rows[0].provider_id != rows[2].provider_id
    assert (last.totals.accepted, last.totals.rejected) == (2, 2)


async def test_400_rejects_the_batch_with_the_provider_reason(journal: Journal) -> None:
    app = rich_app()
    # Every number blacklisted: a request the rules accept that the provider refuses whole.
    for t in numbers(30):
        app.state.nrs.lists.blacklist_add("sms", t, app.state.nrs.now())
    job_id = create_sms_job(
        journal, "acct", "360nrs", "TEST", "Hi", [(t, None) for t in numbers(30)]
    )
    async with backend_for(app) as backend:
        last = (await drain(run_job(journal, job_id, backend, batch_size=10)))[-1]
    assert last.status is JobStatus.DONE
    assert last.totals.rejected == 30
    assert {r.reason for r in journal.recipients(job_id)} == {"102: No valid recipients"}
    assert len(app.state.log) == 3  # refused, not retried


async def test_401_pauses_with_the_batch_back_to_pending(journal: Journal) -> None:
    app = rich_app()
    tos = numbers(500)
    job_id = new_job(journal, tos)
    async with backend_for(app, password="wrong") as backend:
        updates = await drain(run_job(journal, job_id, backend, batch_size=50))
    last = updates[-1]
    assert last.status is JobStatus.PAUSED
    assert last.reason is not None and "Authentication failed" in last.reason
    # The refusal itself goes with the final update, for a dialog with its code.
    assert isinstance(last.error, AuthError) and last.error.status == 401
    assert last.totals.pending == 500
    job = journal.job(job_id)
    assert (job.status, job.pause_reason) == (JobStatus.PAUSED, last.reason)
    assert not app.state.nrs.sms
    # Stopped at the first refusals: at most one request per worker went out.
    assert len(app.state.log) <= 4

    async with backend_for(app) as backend:
        last = (await drain(resume(journal, job_id, backend, batch_size=50)))[-1]
    assert last.status is JobStatus.DONE
    assert stored(app) == Counter(tos)


async def test_402_pauses_and_resumes_after_topping_up(journal: Journal) -> None:
    app = create_app()
    app.state.nrs.balance_cents = 5 * 250  # credit for 250 one-part messages
    tos = numbers(1000)
    job_id = new_job(journal, tos)
    async with backend_for(app) as backend:
        last = (await drain(run_job(journal, job_id, backend, batch_size=100, concurrency=1)))[-1]
    assert last.status is JobStatus.PAUSED
    assert last.reason is not None and "Not enough credit" in last.reason
    assert (last.totals.accepted, last.totals.pending) == (200, 800)

    app.state.nrs.balance_cents = 10**9
    async with backend_for(app) as backend:
        last = (await drain(resume(journal, job_id, backend, batch_size=100)))[-1]
    assert last.status is JobStatus.DONE
    assert last.totals.accepted == 1000
    # Refused requests were not processed: everyone was charged and stored exactly once.
    assert stored(app) == Counter(tos)


async def test_connect_failures_are_retried_and_nobody_is_sent_twice(journal: Journal) -> None:
    app = rich_app()
    tos = numbers(300)
    job_id = new_job(journal, tos)
    transport = ScriptedTransport(app, [refuse_connection] * 3)
    async with backend_for(transport=transport) as backend:
        last = (await drain(run_job(journal, job_id, backend, batch_size=100, policy=FAST_RETRY)))[
            -1
        ]
    assert last.status is JobStatus.DONE
    assert transport.calls == 6
    assert per_recipient(app.state.log) == Counter(tos)


async def test_a_provider_that_stays_unreachable_pauses_the_job(journal: Journal) -> None:
    app = rich_app()
    job_id = new_job(journal, numbers(300))
    transport = ScriptedTransport(app, [refuse_connection] * 100)
    async with backend_for(transport=transport) as backend:
        last = (
            await drain(
                run_job(journal, job_id, backend, batch_size=100, concurrency=2, policy=FAST_RETRY)
            )
        )[-1]
    assert last.status is JobStatus.PAUSED
    assert last.reason is not None and "gave up after 4 attempts" in last.reason
    assert last.totals.pending == 300
    # Concurrent failures count as one round: 4 rounds of at most 2 requests.
    assert transport.calls <= 8


async def test_429_honours_an_http_date_retry_after_and_slows_down(journal: Journal) -> None:
    app = rich_app()
    tos = numbers(200)
    job_id = new_job(journal, tos)
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    transport = ScriptedTransport(app, [answer(429, **{"Retry-After": when})])
    limiter = RateLimiter(50)
    started = time.monotonic()
    async with backend_for(transport=transport) as backend:
        last = (
            await drain(
                run_job(journal, job_id, backend, batch_size=100, concurrency=1, limiter=limiter)
            )
        )[-1]
    assert last.status is JobStatus.DONE
    assert limiter.rate_limited == 1
    assert time.monotonic() - started >= 0.9  # the date is 1-2 s ahead at second precision
    assert limiter.rate is not None and limiter.rate < 50
    assert per_recipient(app.state.log) == Counter(tos)


async def test_429_asking_for_too_long_a_wait_pauses(journal: Journal) -> None:
    app = rich_app()
    job_id = new_job(journal, numbers(100))
    transport = ScriptedTransport(app, [answer(429, **{"Retry-After": "3600"})])
    async with backend_for(transport=transport) as backend:
        last = (await drain(run_job(journal, job_id, backend, concurrency=1)))[-1]
    assert last.status is JobStatus.PAUSED
    assert last.reason is not None and "resume later" in last.reason
    assert last.totals.pending == 100


@pytest.mark.parametrize(
    "first",
    [
        answer(200, b"<html>not json</html>"),
        answer(200, b'{"campaignId": 1}'),
        answer(500, b'{"error": {"code": 101, "description": "Internal Database error"}}'),
        answer(503),
    ],
    ids=["not-json", "no-result", "500", "503"],
)
async def test_unknown_outcomes_are_never_resent_automatically(
    journal: Journal, first: Callable[..., httpx.Response]
) -> None:
    app = rich_app()
    tos = numbers(300)
    job_id = new_job(journal, tos)
    transport = ScriptedTransport(app, [first])
    async with backend_for(transport=transport) as backend:
        last = (await drain(run_job(journal, job_id, backend, batch_size=100, concurrency=1)))[-1]
    assert last.status is JobStatus.DONE
    assert (last.totals.unknown, last.totals.accepted) == (100, 200)
    assert transport.calls == 3
    unknown = list(journal.recipients(job_id, State.UNKNOWN))
    assert [r.to for r in unknown] == tos[:100]
    assert all((r.reason or "").startswith("outcome unknown") for r in unknown)

    # Resuming does not send them; only the operator's explicit choice does.
    async with backend_for(transport=transport) as backend:
        last = (await drain(resume(journal, job_id, backend)))[-1]
    assert transport.calls == 3 and last.totals.unknown == 100
    async with backend_for(transport=transport) as backend:
        last = (await drain(resume(journal, job_id, backend, resend_unknown=True)))[-1]
    assert last.totals.accepted == 300
    assert per_recipient(app.state.log) == Counter(tos)


async def test_closing_early_marks_requests_in_flight_unknown(journal: Journal) -> None:
    app = rich_app()
    job_id = new_job(journal, numbers(1000))
    transport = ScriptedTransport(app, [], delay=30)
    async with backend_for(transport=transport) as backend:
        updates = run_job(journal, job_id, backend, batch_size=100, concurrency=2)
        await anext(updates)
        await asyncio.sleep(0.05)  # both requests are now in flight
        await updates.aclose()
    totals = journal.totals(job_id)
    assert (totals.unknown, totals.pending, totals.sending) == (200, 800, 0)
    job = journal.job(job_id)
    assert (job.status, job.pause_reason) == (JobStatus.PAUSED, "interrupted")
    assert journal.recover(job_id) == 0


async def test_closing_while_outcomes_are_written_waits_for_the_write(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = rich_app()
    job_id = new_job(journal, numbers(300))
    writing = asyncio.Event()
    loop = asyncio.get_running_loop()
    record = journal.record_results

    def slow_record(job: int, outcomes: Any) -> None:
        loop.call_soon_threadsafe(writing.set)
        time.sleep(0.2)  # the write is still running when the run is closed
        record(job, outcomes)

    monkeypatch.setattr(journal, "record_results", slow_record)
    async with backend_for(app=app) as backend:
        # One request a second: the second batch is not claimed before the run is closed
        # (the claim would queue behind the write on the journal's thread, and its request
        # could be answered before the close).
        limiter = RateLimiter(1.0)
        updates = run_job(journal, job_id, backend, batch_size=100, concurrency=1, limiter=limiter)
        await anext(updates)
        await writing.wait()
        await updates.aclose()
    totals = journal.totals(job_id)
    assert (totals.accepted, totals.sending, totals.pending) == (100, 0, 200)
    assert journal.job(job_id).pause_reason == "interrupted"


async def test_job_control_pauses_gracefully(journal: Journal) -> None:
    app = rich_app()
    tos = numbers(1000)
    job_id = new_job(journal, tos)
    control = JobControl()
    transport = ScriptedTransport(app, [], delay=0.02)
    async with backend_for(transport=transport) as backend:
        async for progress in run_job(
            journal, job_id, backend, batch_size=100, concurrency=2, control=control
        ):
            if progress.totals.accepted:
                control.pause()
        assert progress.status is JobStatus.PAUSED
        assert progress.reason == "paused by the operator"
        assert progress.totals.unknown == 0 and progress.totals.sending == 0
        assert 0 < progress.totals.accepted < 1000
        last = (await drain(resume(journal, job_id, backend, batch_size=100)))[-1]
    assert last.status is JobStatus.DONE
    assert per_recipient(app.state.log) == Counter(tos)


async def test_a_job_for_another_provider_is_refused(journal: Journal) -> None:
    job_id = create_sms_job(journal, "acct", "xebo", "TEST", "Hi", [("34600000001", None)])
    async with backend_for(rich_app()) as backend:
        with pytest.raises(Exception, match="created for xebo"):
            await drain(run_job(journal, job_id, backend))


# --- rate limiter ----------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_limiter_spaces_requests_at_its_rate() -> None:
    t = FakeTime()
    limiter = RateLimiter(10, clock=t.clock, sleep=t.sleep)
    for _ in range(11):
        await limiter.acquire()
    assert t.now == pytest.approx(1.0)


async def test_limiter_halves_on_429_waits_and_recovers_additively() -> None:
    t = FakeTime()
    limiter = RateLimiter(10, clock=t.clock, sleep=t.sleep)
    await limiter.acquire()
    assert limiter.on_rate_limited(2.0, fallback=0.5) == 2.0
    await limiter.acquire()
    assert t.now == pytest.approx(2.0)
    assert limiter.rate == pytest.approx(5.0)
    t.now += 2.5  # recovery: one request per second, per second
    assert limiter.rate == pytest.approx(7.5)
    t.now += 10
    assert limiter.rate == 10
    # Without Retry-After the caller's backoff is used.
    assert limiter.on_rate_limited(None, fallback=0.5) == 0.5


async def test_a_stated_rate_loses_a_tenth_on_429_not_half() -> None:
    t = FakeTime()
    limiter = RateLimiter(10, stated=True, clock=t.clock, sleep=t.sleep)
    await limiter.acquire()
    assert limiter.on_rate_limited(1.0, fallback=0.5) == 1.0  # the caller waits that
    await limiter.acquire()
    assert t.now == pytest.approx(1 / 9)  # the others go on, a tenth slower
    assert limiter.rate == pytest.approx(9.0 + 1 / 9)
    t.now += 1.0  # back at the ceiling a second later (a tenth of it per second)
    assert limiter.rate == 10


async def test_at_a_stated_rate_a_429_holds_only_its_own_worker(journal: Journal) -> None:
    app = rich_app()
    tos = numbers(400)
    job_id = new_job(journal, tos)
    transport = ScriptedTransport(app, [answer(429, **{"Retry-After": "2"})])
    limiter = RateLimiter(20, burst=4, stated=True)
    started = time.monotonic()
    async with backend_for(transport=transport) as backend:
        last = (
            await drain(
                run_job(journal, job_id, backend, batch_size=100, concurrency=2, limiter=limiter)
            )
        )[-1]
    assert last.status is JobStatus.DONE and limiter.rate_limited == 1
    # The other worker sent the four batches meanwhile (the 2 s wait held one worker only,
    # and ended when nothing was left to send).
    assert time.monotonic() - started < 1.5
    assert per_recipient(app.state.log) == Counter(tos)


async def test_requests_a_preflight_made_count_against_the_first_burst() -> None:
    t = FakeTime()
    t.now = 100.0
    limiter = RateLimiter(20, burst=20, clock=t.clock, sleep=t.sleep)
    # 15 requests a tenth of a second ago used 15 of the provider's 20; 2 came back since.
    limiter.account_for([99.9] * 15)
    for _ in range(7):
        await limiter.acquire()
    assert t.now == pytest.approx(100.0)
    await limiter.acquire()
    assert t.now == pytest.approx(100.05)
    limiter.account_for([])  # nothing made: nothing changes
    unlimited = RateLimiter(None, clock=t.clock, sleep=t.sleep)
    unlimited.account_for([t.now] * 50)
    await unlimited.acquire()
    assert t.now == pytest.approx(100.05)


async def test_a_send_counts_the_preflight_requests_against_its_stated_rate(
    journal: Journal,
) -> None:
    app = rich_app()
    job_id = new_job(journal, numbers(100))
    limiter = RateLimiter(2, burst=2, stated=True)
    async with backend_for(app=app) as backend:
        await backend.account()  # a preflight's request: one of the two the burst allows
        started = time.monotonic()
        await drain(
            run_job(journal, job_id, backend, batch_size=50, concurrency=2, limiter=limiter)
        )
    # The first batch leaves at once, the second waits for a token (half a second).
    assert time.monotonic() - started >= 0.4


async def test_unlimited_limiter_slows_to_half_what_it_was_sending() -> None:
    t = FakeTime()
    limiter = RateLimiter(None, clock=t.clock, sleep=t.sleep)
    for _ in range(40):
        await limiter.acquire()
        t.now += 0.025  # 40 requests per second
    assert limiter.rate is None
    limiter.on_rate_limited(1.0, fallback=0.1)
    assert limiter.rate == pytest.approx(20.0, abs=0.5)


# --- landing, email, voice and WhatsApp jobs -----------------------------------------------


def posts(app: Starlette, path: str) -> list[Any]:
    return [r.json() for r in app.state.log.matching("POST", f"/api/rest/{path}")]


async def test_landing_job_batches_sub_207_parts_and_cost(journal: Journal) -> None:
    app = rich_app()
    tos = [*numbers(5), "12345"]  # the last one is refused by the provider (207)
    rows = [(to, {"name": f"n{i}"}, "ES" if i % 2 else "FR") for i, to in enumerate(tos)]
    template = LandingRequest(to=(), sender="ACME", message="Hi {name} {LAND_URL}",
                              template_body="<h1>Hi</h1>", campaign_name="L")  # fmt: skip
    pricing = Pricing({"ES": 0.05}, "EUR")  # FR has no price
    job_id = create_channel_job(journal, "acct", "360nrs", template, rows, pricing=pricing)
    job = journal.job(job_id)
    assert job.channel == "landing"
    async with backend_for(app) as backend:
        updates = await drain(run_job(journal, job_id, backend, batch_size=4))
    last = updates[-1]
    assert last.status is JobStatus.DONE
    assert (last.totals.accepted, last.totals.rejected, last.totals.parts) == (5, 1, 5)
    bodies = posts(app, "landingsms")
    assert [b["to"] for b in bodies] == [tos[:4], tos[4:]]
    assert bodies[0]["sub"] == [{"name": "n0"}, {"name": "n1"}, {"name": "n2"}, {"name": "n3"}]
    assert bodies[0]["templateBody"] == "<h1>Hi</h1>" and bodies[0]["campaignName"] == "L"
    rows_after = list(journal.recipients(job_id))
    assert rows_after[5].state is State.REJECTED and rows_after[5].reason is not None
    assert rows_after[0].country == "FR"
    # Accepted: seq 1 and 3 in ES (priced), 0, 2 and 4 in FR (not); seq 5 was rejected.
    assert last.cost == pytest.approx(2 * 0.05)
    assert (last.currency, last.unpriced) == ("EUR", 3)


async def test_email_job_sub_per_batch_and_402_pause_with_the_error(journal: Journal) -> None:
    app = create_app()
    app.state.nrs.balance_cents = 0
    template = MailingRequest(to=(), sender_email="news@example.com", subject="Hi",
                              reply_to="help@example.com", body="<p>Hi {name}</p>")  # fmt: skip
    rows = [("ana@example.com", {"name": "Ana"}), ("luis@example.com", None)]
    job_id = create_channel_job(journal, "acct", "360nrs", template, rows)
    async with backend_for(app) as backend:
        last = (await drain(run_job(journal, job_id, backend)))[-1]
    assert last.status is JobStatus.PAUSED and last.totals.pending == 2
    assert isinstance(last.error, PaymentRequired) and last.error.code == 111
    assert last.cost is None  # no email prices

    app.state.nrs.balance_cents = 10**6
    async with backend_for(app) as backend:
        last = (await drain(resume(journal, job_id, backend)))[-1]
    assert last.status is JobStatus.DONE and last.totals.accepted == 2 and last.error is None
    # The refused request (402) and the one that went through carry the same batch.
    refused, body = posts(app, "mailing")
    assert refused == body
    assert body["to"] == ["ana@example.com", "luis@example.com"]
    assert body["sub"] == [{"name": "Ana"}, {}]


async def test_an_email_attachment_is_encoded_once_per_run_not_per_batch(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    import backends.models.send as models_send

    app = rich_app()
    content = bytes(range(256)) * 64
    pdf = Attachment("a.bin", content, "application/pdf")
    template = MailingRequest(
        to=(),
        sender_email="news@example.com",
        subject="Hi",
        reply_to="help@example.com",
        body="<p>Hi</p>",
        attachments=(pdf,),
    )
    rows = [(f"r{i}@example.com", None) for i in range(30)]
    job_id = create_channel_job(journal, "acct", "360nrs", template, rows)
    encodes = 0
    real = models_send.base64.b64encode

    def counting(data: bytes) -> bytes:
        nonlocal encodes
        encodes += 1
        return real(data)

    monkeypatch.setattr(models_send.base64, "b64encode", counting)
    async with backend_for(app) as backend:
        last = (await drain(run_job(journal, job_id, backend, batch_size=10)))[-1]
    assert last.totals.accepted == 30
    bodies = posts(app, "mailing")
    assert len(bodies) == 3 and encodes == 1
    assert all(b["attachments"][0]["content"] == real(content).decode() for b in bodies)


async def test_an_email_with_copies_is_one_request_whatever_batch_size_is_asked(
    journal: Journal,
) -> None:
    app = rich_app()
    template = MailingRequest(
        to=(),
        sender_email="news@example.com",
        subject="Hi",
        reply_to="help@example.com",
        body="<p>Hi</p>",
        cc=("boss@example.com",),
    )
    rows = [(f"r{i}@example.com", None) for i in range(30)]
    job_id = create_channel_job(journal, "acct", "360nrs", template, rows)
    async with backend_for(app) as backend:
        last = (await drain(run_job(journal, job_id, backend, batch_size=10)))[-1]
    assert last.totals.accepted == 30
    (body,) = posts(app, "mailing")  # the boss gets one copy, not three
    assert len(body["to"]) == 30


async def test_voice_jobs_text_and_audio(journal: Journal) -> None:
    app = rich_app()
    spoken = VoiceRequest(to=(), message="Hola {name}", language="es_ES", gender="F")
    audio = VoiceAudioRequest(to=(), audio_url="https://example.com/a.mp3", retries=2)
    rows = [(numbers(1)[0], {"name": "Ana"})]
    first = create_channel_job(journal, "acct", "360nrs", spoken, rows)
    second = create_channel_job(journal, "acct", "360nrs", audio, rows)
    assert journal.job(second).channel == "voice-audio"
    async with backend_for(app) as backend:
        for job_id in (first, second):
            assert (await drain(run_job(journal, job_id, backend)))[-1].totals.accepted == 1
    assert posts(app, "voice")[0]["sub"] == [{"name": "Ana"}]
    # An audio call takes no variables: none were journaled, none were sent.
    assert posts(app, "voiceAudio") == [
        {"to": numbers(1), "audioUrl": "https://example.com/a.mp3", "retries": 2}
    ]
    assert next(journal.recipients(second)).vars is None


async def test_whatsapp_job_renders_each_recipients_fields(journal: Journal) -> None:
    app = rich_app()
    template = WhatsAppTemplateRequest(
        template_id=123,
        sender=BUSINESS_NUMBER,
        messages=(
            WhatsAppTemplateMessage(
                to="",
                header_fields=("Order",),
                body_fields=("{name|capitalize}", "#{order}"),
                call_to_action_fields=("track/{order}",),
                default_answer="Thanks",
                button_answers=("Yes", "No"),
            ),
        ),
        campaign_name="WA",
    )
    rows = [(numbers(1)[0], {"name": "ana", "order": "42"}), (numbers(2)[1], {"name": "luis"})]
    job_id = create_channel_job(journal, "acct", "360nrs", template, rows)
    async with backend_for(app) as backend:
        last = (await drain(run_job(journal, job_id, backend)))[-1]
    assert last.totals.accepted == 2
    (body,) = posts(app, "whatsapp")
    assert body["campaignName"] == "WA" and body["templateId"] == 123
    assert body["messages"] == [
        {"to": numbers(1)[0], "headerFields": ["Order"], "bodyFields": ["Ana", "#42"],
         "callToActionFields": ["track/42"], "defaultAnswer": "Thanks",
         "buttonAnswers": ["Yes", "No"]},
        # A missing variable stays as written, as the preview shows it.
        {"to": numbers(2)[1], "headerFields": ["Order"], "bodyFields": ["Luis", "#{order}"],
         "callToActionFields": ["track/{order}"], "defaultAnswer": "Thanks",
         "buttonAnswers": ["Yes", "No"]},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("request_", "rows", "message"),
    [
        (LandingRequest(to=(), sender="A", message="no link", template_id=1), None, "LAND_URL"),
        (LandingRequest(to=(), sender="A", message="{LAND_URL}"), None, "a page"),
        (MailingRequest(to=(), sender_email="a@b.c", subject="s", reply_to="a@b.c"), None, "body"),
        (VoiceRequest(to=(), message="x" * 501, language="es_ES", gender="F"), None, "500"),
        (
            WhatsAppTemplateRequest(
                template_id=1,
                sender="1",
                messages=(WhatsAppTemplateMessage(to="", body_fields=("{u|shorten}",)),),
            ),
            None,
            "short links",
        ),
        (
            WhatsAppTemplateRequest(
                template_id=1,
                sender="1",
                messages=(WhatsAppTemplateMessage(to="", body_fields=("{n|formatDotComma}",)),),
            ),
            [("34600000001", {"n": "many"})],
            "recipient 1",
        ),
        (
            MailingRequest(
                to=(), sender_email="a@b.c", subject="s", reply_to="a@b.c", body="b", cc=("c@b.c",)
            ),
            [(f"u{i}@b.c", None) for i in range(501)],
            "cc and bcc",
        ),
        (
            MailingRequest(
                to=(),
                sender_email="a@b.c",
                subject="s",
                reply_to="a@b.c",
                body="Hi {name|capitalise}",
            ),
            None,
            "body: unknown filter 'capitalise'",
        ),
        (
            VoiceRequest(to=(), message="Hola {name|shout}", language="es_ES", gender="F"),
            None,
            "message: unknown filter",
        ),
    ],
)
def test_create_channel_job_refuses_what_the_provider_would(
    journal: Journal, request_: Any, rows: list[Any] | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        create_channel_job(journal, "acct", "360nrs", request_, rows or [("34600000001", None)])
    assert journal.jobs() == []


def test_channel_template_round_trips_dates_attachments_and_location(journal: Journal) -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    mail = MailingRequest(
        to=("ignored@example.com",), sender_email="a@example.com", subject="S",
        reply_to="a@example.com", body="b", schedule_date=when, tags=("x",),
        attachments=(Attachment("a.txt", b"hi", "text/plain"),), otp_config=OtpConfig(length=5),
        track_opens=False,
    )  # fmt: skip
    job_id = create_channel_job(journal, "acct", "360nrs", mail, [("b@example.com", None)])
    assert template_of(journal.job(job_id)) == dataclasses.replace(mail, to=())
    location = WhatsAppLocation("39.9", "-0.1", "Shop")
    wa = WhatsAppTemplateRequest(
        template_id=124, sender="1", messages=(WhatsAppTemplateMessage("", location=location),)
    )
    job_id = create_channel_job(journal, "acct", "360nrs", wa, [("34600000001", None)])
    got = template_of(journal.job(job_id))
    assert isinstance(got, WhatsAppTemplateRequest) and got.messages[0].location == location


async def test_sms_cost_per_country_and_after_a_resume(journal: Journal) -> None:
    app = create_app()
    app.state.nrs.balance_cents = 2 * 5  # credit for the first batch of two
    rows = [(to, None, "ES" if i < 6 else "XX") for i, to in enumerate(numbers(8))]
    pricing = Pricing({"ES": 0.05}, "EUR")
    job_id = create_sms_job(journal, "acct", "360nrs", "TEST", "Hi", rows, pricing=pricing)
    async with backend_for(app) as backend:
        paused = (await drain(run_job(journal, job_id, backend, batch_size=2, concurrency=1)))[-1]
    assert paused.status is JobStatus.PAUSED and paused.totals.accepted == 2
    assert paused.cost == pytest.approx(0.05 * 2) and paused.currency == "EUR"
    app.state.nrs.balance_cents = 10**6
    async with backend_for(app) as backend:
        last = (await drain(resume(journal, job_id, backend)))[-1]
    # The resumed run starts from the journal's accepted recipients: 6 priced, 2 not.
    assert last.cost == pytest.approx(0.05 * 6) and last.unpriced == 2
