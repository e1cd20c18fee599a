"""Polling delivery states with `GET /sms/{ids}`: the fallback when no notification arrives,
and the catch-up for what arrived while nothing listened.

Only accepted recipients whose state is not final are asked about, as many ids per request
as fit: the reference sets no count ("It is possible to specify multiple identifiers
separated by commas"), so the bound is the URL's length, kept under the 2,000 characters
every proxy and server on the way accepts. Requests go through a rate limiter (2 a second
unless told), back off while nothing changes (2 s doubling to a minute) and stop when every
state is final or the messages' validity is over.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from backends.capabilities import SmsStatusApi
from backends.errors import NotFound, ProviderError, RateLimited, TransportError
from backends.models.common import SmsMessage
from tui.engine.delivery import Funnel, Report, from_events
from tui.engine.journal import Journal
from tui.engine.journal_rows import Job
from tui.engine.ratelimit import RateLimiter

# Characters of ids (encoded, with their commas) in one request's path.
URL_BUDGET = 1_900
# How long an operator keeps trying a message that carries no expirationDate: SMSC validity
# periods commonly default to 72 hours; after that no report will come.
DEFAULT_VALIDITY = timedelta(hours=72)
FIRST_WAIT = 2.0
MAX_WAIT = 60.0
DEFAULT_RATE = 2.0

Sleep = Callable[[float], Awaitable[None]]
Now = Callable[[], datetime]


def id_batches(ids: Sequence[str], budget: int = URL_BUDGET) -> list[list[str]]:
    """`ids` in order, grouped so each group's encoded, comma-joined length fits `budget`."""
    batches: list[list[str]] = []
    current: list[str] = []
    used = 0
    for pid in ids:
        size = len(quote(pid, safe="")) + (1 if current else 0)
        if current and used + size > budget:
            batches.append(current)
            current, used = [], 0
            size -= 1
        current.append(pid)
        used += size
    if current:
        batches.append(current)
    return batches


def reports_of(messages: Iterable[SmsMessage]) -> list[Report]:
    """The delivery reports `GET /sms/{ids}` answers carry (messages with no events: none)."""
    out = []
    for m in messages:
        found = from_events((e.type, e.date) for e in m.events)
        if found is not None:
            out.append(Report(m.id, found[0], found[1]))
    return out


def valid_until(job: Job) -> datetime:
    """When the job's messages stop being tried: their expirationDate, else the default."""
    options = job.message.get("options") or {}
    raw = options.get("expiration_date")
    if isinstance(raw, str):
        moment = datetime.fromisoformat(raw)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    start = options.get("schedule_date")
    begin = datetime.fromisoformat(start) if isinstance(start, str) else job.created_at
    return (begin if begin.tzinfo else begin.replace(tzinfo=UTC)) + DEFAULT_VALIDITY


@dataclass(frozen=True)
class DeliveryUpdate:
    """Where a watched job's delivery stands after a round."""

    funnel: Funnel
    requests: int  # status requests made so far
    problem: str | None = None  # why the last round learnt nothing (network, provider)
    expired: bool = False  # the messages' validity is over: no more reports will come


def _wall() -> datetime:
    return datetime.now(UTC)


async def poll_round(
    journal: Journal, job_id: int, api: SmsStatusApi, limiter: RateLimiter
) -> tuple[int, str | None]:
    """Ask once about every recipient still waiting; (requests made, problem if any)."""
    requests = 0
    for batch in id_batches(journal.awaiting_delivery(job_id)):
        await limiter.acquire()
        requests += 1
        try:
            messages = await api.sms_status(batch)
        except NotFound:
            # "404 when none is known": the provider has nothing for these ids yet.
            continue
        except RateLimited as exc:
            limiter.on_rate_limited(getattr(exc, "retry_after", None), MAX_WAIT / 4)
            return requests, str(exc)
        except (TransportError, ProviderError) as exc:
            # A GET is safe to repeat: the next round asks again, after a longer wait.
            return requests, str(exc)
        journal.record_deliveries(job_id, reports_of(messages))
    return requests, None


async def watch_deliveries(
    journal: Journal,
    job_id: int,
    api: SmsStatusApi | None,
    *,
    limiter: RateLimiter | None = None,
    sleep: Sleep | None = None,
    now: Now | None = None,
    first_wait: float = FIRST_WAIT,
    max_wait: float = MAX_WAIT,
) -> AsyncIterator[DeliveryUpdate]:
    """The job's funnel after each round until every state is final or validity ends.

    Without `api` (a provider with no status request) it only re-reads the journal, which
    the notification receiver writes to.
    """
    limiter = limiter or RateLimiter(DEFAULT_RATE)
    sleep = sleep or asyncio.sleep
    now = now or _wall
    deadline = valid_until(journal.job(job_id))
    wait, requests = first_wait, 0
    while True:
        problem = None
        before = journal.delivery_funnel(job_id)
        if api is not None and not before.done:
            made, problem = await poll_round(journal, job_id, api, limiter)
            requests += made
        funnel = journal.delivery_funnel(job_id)
        expired = now() >= deadline
        yield DeliveryUpdate(funnel, requests, problem, expired and not funnel.done)
        if funnel.done or expired:
            return
        # Back to the first wait when something moved, longer and longer while nothing does.
        wait = first_wait if funnel.waiting < before.waiting else min(wait * 2, max_wait)
        await sleep(wait)
