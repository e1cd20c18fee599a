"""The delivery-notification receiver: the HTTP endpoint a job's `notificationUrl` points at.

360nrs calls the URL the client gave with GET, "for each HTTP request when a notification
from the operator is received", filling the escapes the URL carries. Each job's URL is
`<public base>/dlr/<token>?id=%i&status=%s&dlr=%y&part=%n`: the token (random, 192 bits,
one per job) says which job a call is for, so only the provider that was given it can
report. A call is checked at once (token, fields, id) and answered 200 quickly; reports
are written to the journal in batches by one task, off the event loop. A call that cannot
be taken is refused with a 4xx and logged, never a 5xx: a bad token (403), an id no
recipient of the job carries (404), a missing or malformed field (400).

The account's event notifications (tui.engine.receiver_events) come to
`<public base>/events/<token>`, one token per account: delivery events (sent, delivered,
undelivered, rejected, expired) go through the same queue and rules as the reports above;
the others (opened, clicked, bounces, unsubscribes, forms) are journaled once each against
the recipient. 200 is answered only for what was taken (or, for a message sent from the
website, which has no id, deliberately ignored): the provider retries anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tui.engine.delivery import RecipientEvent, Report, parse_state
from tui.engine.journal import Journal, JournalError
from tui.engine.receiver_events import MAX_BODY, Event, Malformed, is_form, parse_event

log = logging.getLogger("switchboard.receiver")

FLUSH_SECONDS = 0.2
MAX_BATCH = 5_000
# Jobs whose provider ids are kept in memory (the most recently reported): a long-running
# receiver must not keep every id of every job it ever heard of (~8 MB per 100,000).
T = TypeVar("T")
KNOWN_JOBS = 4
# An outcome is stamped before its commit: ids are read again from this long before the
# last read, so one committed just after it is not missed.
RECHECK = timedelta(seconds=5)
# The waits before looking again for an id no recipient carries yet (see _soon).
LOOK_AGAIN = (0.05, 0.1, 0.25, 0.5, 1.0)
# Ids resolved to recipients are remembered for the next event about them (an SMS gets
# `sent` then its final event, a landing's link `clicked` more than once); bounded.
MAX_REMEMBERED = 200_000
EVENT = "event"


async def _soon(find: Callable[[], T]) -> T:
    """`find()`, looked for again for up to ~2 s while it finds nothing.

    A provider may notify a message as it accepts it (360nrs's `sent` event), before its
    answer has reached the sender and the sender has journaled the message's id: refused
    at once, the notification would come back only at the provider's next retry, and the
    refusal would be logged as if something were wrong."""
    for wait in LOOK_AGAIN:
        found = find()
        if found:
            return found
        await asyncio.sleep(wait)
    return find()


def _now() -> datetime:
    return datetime.now(UTC)


def _before(at: datetime, delta: timedelta) -> str:
    """`delta` before `at`, as the journal stamps outcomes (ISO 8601, UTC, milliseconds)."""
    return (at - delta).isoformat(timespec="milliseconds")


def dlr_time(text: str) -> str | None:
    """`%y` ("YYYY-MM-DD HH:MM", UTC) as ISO 8601; None when it is not that."""
    try:
        moment = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC).isoformat()


class Receiver:
    """The receiver's state: token and id caches, the queue of reports not yet written."""

    def __init__(self, journal: Journal, *, flush_seconds: float = FLUSH_SECONDS) -> None:
        self.journal = journal
        self.flush_seconds = flush_seconds
        self._jobs: dict[str, int] = {}
        # Per job: its provider ids, and when they were read.
        self._known: dict[int, tuple[set[str], datetime]] = {}
        self._accounts: dict[str, str] = {}
        self._recipients: dict[tuple[str, str, str], tuple[int, int]] = {}
        self._queue: list[tuple[int, Report]] = []
        self._events: list[RecipientEvent] = []
        self._wake = asyncio.Event()
        self._stopping = False
        self.written = 0
        self.refused = 0
        # Event notifications: other events stored, and those answered 200 but not kept.
        self.events_written = 0
        self.ignored = 0
        self.app = Starlette(
            routes=[
                Route("/dlr/{token}", self.notify, methods=["GET"]),
                Route("/events/{token}", self.event, methods=["POST"]),
            ],
            lifespan=self._lifespan,
        )

    def _job(self, token: str) -> int | None:
        job_id = self._jobs.get(token)
        if job_id is None:
            job_id = self.journal.job_of_token(token)
            if job_id is not None:
                self._jobs[token] = job_id
        return job_id

    def _carries(self, job_id: int, provider_id: str) -> bool:
        entry = self._known.pop(job_id, None)
        if entry is None:
            # The job's ids at once (one read): a lookup per report waited for the
            # journal's lock whenever the writer was committing, and held the server loop.
            entry = (self.journal.provider_ids(job_id), _now())
            while len(self._known) >= KNOWN_JOBS:
                del self._known[next(iter(self._known))]  # the least recently reported
        known, read_at = entry
        if provider_id not in known:
            # Recorded since the last read (a job still sending): those recorded from a
            # little before it, read from the outcome index, not the whole job.
            now = _now()
            known |= self.journal.provider_ids_since(job_id, _before(read_at, RECHECK))
            read_at = now
            if provider_id not in known and self.journal.has_provider_id(job_id, provider_id):
                known.add(provider_id)
        self._known[job_id] = (known, read_at)  # most recent last
        return provider_id in known

    def _refuse(self, status: int, why: str, request: Request, kind: str = "delivery") -> Response:
        self.refused += 1
        # The path holds the token: only the peer and the reason are logged.
        client = request.client.host if request.client else "?"
        log.warning("%s notification from %s refused (%d): %s", kind, client, status, why)
        return PlainTextResponse(why, status_code=status)

    async def notify(self, request: Request) -> Response:
        """GET /dlr/{token}: one delivery report."""
        try:
            return await self._take(request)
        except JournalError as exc:
            # The journal could not be read: refused (and logged), never a 5xx.
            return self._refuse(409, f"cannot be taken now: {exc}", request)

    async def _take(self, request: Request) -> Response:
        job_id = self._job(request.path_params["token"])
        if job_id is None:
            return self._refuse(403, "unknown token", request)
        q = request.query_params
        provider_id = q.get("id", "").strip()
        state = parse_state(q.get("status", ""))
        at = dlr_time(q.get("dlr", ""))
        part_text = q.get("part", "").strip()
        if not provider_id or state is None or at is None:
            return self._refuse(400, "id, status and dlr (YYYY-MM-DD HH:MM) are required", request)
        if part_text and not (part_text.isdigit() and 0 < int(part_text) <= 15):
            # "The maximum number of parts allowed is 15".
            return self._refuse(400, "part must be a number from 1 to 15", request)
        if not await _soon(lambda: self._carries(job_id, provider_id)):
            return self._refuse(404, "no recipient of this job has that id", request)
        self._queue.append((job_id, Report(provider_id, state, at, int(part_text or 0) or None)))
        if len(self._queue) >= MAX_BATCH:
            self._wake.set()
        return PlainTextResponse("OK")

    def _account(self, token: str) -> str | None:
        account = self._accounts.get(token)
        if account is None:
            account = self.journal.account_of_event_token(token)
            if account is not None:
                self._accounts[token] = account
        return account

    def _recipient(self, account: str, event: Event) -> tuple[int, int] | None:
        key = (account, event.channel, event.provider_id)
        found = self._recipients.get(key)
        if found is None:
            found = self.journal.event_recipient(account, event.provider_id, event.job_channels)
            if found is not None:
                if len(self._recipients) >= MAX_REMEMBERED:
                    self._recipients.clear()
                self._recipients[key] = found
        return found

    async def event(self, request: Request) -> Response:
        """POST /events/{token}: one event notification of the token's account."""
        try:
            return await self._take_event(request)
        except JournalError as exc:
            return self._refuse(409, f"cannot be taken now: {exc}", request, EVENT)
        except ClientDisconnect:
            # Gone before its body came: nobody reads the answer, nothing was taken.
            return self._refuse(400, "the body did not arrive", request, EVENT)

    async def _take_event(self, request: Request) -> Response:
        account = self._account(request.path_params["token"])
        if account is None:
            return self._refuse(403, "unknown token", request, EVENT)
        if not is_form(request.headers.get("content-type")):
            return self._refuse(
                415, "Content-Type must be application/x-www-form-urlencoded", request, EVENT
            )
        body = await _body(request)
        if body is None:
            return self._refuse(413, f"a notification is at most {MAX_BODY} bytes", request, EVENT)
        try:
            event = parse_event(body)
        except Malformed as exc:
            return self._refuse(400, str(exc), request, EVENT)
        if not event.provider_id:
            # Sent from the website: no job of ours, and a retry would not give it an id.
            self.ignored += 1
            return PlainTextResponse("OK")
        found = await _soon(lambda: self._recipient(account, event))
        if found is None:
            return self._refuse(
                404, f"no {event.channel} recipient of the account has that id", request, EVENT
            )
        job_id, seq = found
        if event.state is not None:
            self._queue.append((job_id, Report(event.provider_id, event.state, event.at)))
        else:
            self._events.append(RecipientEvent(job_id, seq, event.event, event.at, event.extra))
        if len(self._queue) + len(self._events) >= MAX_BATCH:
            self._wake.set()
        return PlainTextResponse("OK")

    async def flush(self) -> None:
        """Write what is queued, one commit per job (and one for the other events); kept
        for the next flush on failure."""
        await self._flush_events()
        batch, self._queue = self._queue, []
        by_job: dict[int, list[Report]] = {}
        for job_id, report in batch:
            by_job.setdefault(job_id, []).append(report)
        for job_id, reports in by_job.items():
            try:
                await asyncio.to_thread(self.journal.record_deliveries, job_id, reports)
            except JournalError as exc:
                log.error("delivery reports for job %d not written yet: %s", job_id, exc)
                self._queue.extend((job_id, r) for r in reports)
            else:
                self.written += len(reports)

    async def _flush_events(self) -> None:
        events, self._events = self._events, []
        if not events:
            return
        try:
            self.events_written += await asyncio.to_thread(self.journal.record_events, events)
        except JournalError as exc:
            log.error("%d event notifications not written yet: %s", len(events), exc)
            self._events.extend(events)

    async def _writer(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_seconds)
            self._wake.clear()
            if self._queue or self._events:
                await self.flush()

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(self._writer())
        try:
            yield
        finally:
            # Not cancelled: a batch half-way through its write would be counted lost.
            self._stopping = True
            self._wake.set()
            await task
            await self.flush()


async def _body(request: Request) -> bytes | None:
    """The request's body, or None when it is longer than a notification can be (read no
    further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
