"""Watch a job's delivery: THE task behind `jobs watch` and the console's delivery funnel.

For a job whose messages the provider can be asked about (`GET /sms/{ids}`: 360nrs SMS and
landing SMS) it polls (tui.engine.delivery_poll); for the others it can only say what the
journal holds, so it says so once instead of waiting for reports that cannot come.

`read_delivery` is what the console's funnel shows of a job between rounds (a receiver
may be writing reports from another thread or process): one journal read, blocking, so
the console calls it in a thread.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from backends.capabilities import SmsStatusApi
from backends.errors import SwitchboardError
from tui.engine.channels import LANDING
from tui.engine.delivery import Delivery, Funnel
from tui.engine.delivery_poll import DeliveryUpdate, Now, Sleep, watch_deliveries
from tui.engine.journal import Journal
from tui.engine.journal_rows import Job
from tui.engine.ratelimit import RateLimiter
from tui.workspace import Workspace

# How many of a job's latest delivery reports the console's table shows.
LATEST = 50

# Channels whose messages `GET /sms/{ids}` lists (the landing SMS is stored as an SMS).
POLLED_CHANNELS = frozenset({"sms", LANDING})


class NothingToWatch(SwitchboardError):
    """The job's delivery cannot be followed: why, for a person."""

    title = "Delivery"


def watchable(job: Job) -> str | None:
    """Why the job's delivery cannot be polled (None when it can)."""
    if job.channel not in POLLED_CHANNELS:
        return f"the provider gives no delivery state for {job.channel} jobs"
    return None


async def watch_job(
    journal: Journal,
    job_id: int,
    workspace: Workspace,
    *,
    rate: float | None = None,
    sleep: Sleep | None = None,
    now: Now | None = None,
) -> AsyncGenerator[DeliveryUpdate, None]:
    """The job's delivery funnel after each polling round, until all are final or validity
    ends; NothingToWatch when its provider or channel has no status request."""
    job = journal.job(job_id)
    why = watchable(job)
    if why is not None:
        raise NothingToWatch(f"job {job_id}: {why}")
    async with AsyncExitStack() as stack:
        backend = await stack.enter_async_context(await workspace.open(job.account))
        if not isinstance(backend, SmsStatusApi):
            raise NothingToWatch(f"job {job_id}: {backend.label} gives no delivery state")
        limiter = RateLimiter(rate) if rate else None
        updates = watch_deliveries(journal, job_id, backend, limiter=limiter, sleep=sleep, now=now)
        async for update in updates:
            yield update


@dataclass(frozen=True)
class DeliveryView:
    """Where a job's delivery stands in the journal: its funnel and latest reports."""

    job: Job
    funnel: Funnel
    # (number, delivery) of the recipients whose report came last, newest first.
    latest: tuple[tuple[str, Delivery], ...]


def read_delivery(path: Path, job_id: int, latest: int = LATEST) -> DeliveryView:
    """The job's funnel and its `latest` newest reports (0: none), from the journal at
    `path`.

    Blocking: call it in a thread. With 100,000 reports the funnel takes about 25 ms and
    the newest reports 60-90 ms more (they are sorted by arrival). Its own connection, so
    a receiver or a poll writing the journal meanwhile is not held up."""
    with Journal(path) as journal:
        return DeliveryView(
            journal.job(job_id),
            journal.delivery_funnel(job_id),
            tuple(journal.latest_deliveries(job_id, latest)) if latest else (),
        )
