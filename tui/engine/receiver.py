"""The delivery-notification receiver: the HTTP endpoint a job's `notificationUrl` points at.

360nrs calls the URL the client gave with GET, "for each HTTP request when a notification
from the operator is received", filling the escapes the URL carries. Each job's URL is
`<public base>/dlr/<token>?id=%i&status=%s&dlr=%y&part=%n`: the token (random, 192 bits,
one per job) says which job a call is for, so only the provider that was given it can
report. A call is checked at once (token, fields, id) and answered 200 quickly; reports
are written to the journal in batches by one task, off the event loop. A call that cannot
be taken is refused with a 4xx and logged, never a 5xx: a bad token (403), an id no
recipient of the job carries (404), a missing or malformed field (400).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tui.engine.delivery import Report, parse_state
from tui.engine.journal import Journal, JournalError

log = logging.getLogger("switchboard.receiver")

FLUSH_SECONDS = 0.2
MAX_BATCH = 5_000


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
        self._known: dict[int, set[str]] = {}
        self._queue: list[tuple[int, Report]] = []
        self._wake = asyncio.Event()
        self._stopping = False
        self.written = 0
        self.refused = 0
        self.app = Starlette(
            routes=[Route("/dlr/{token}", self.notify, methods=["GET"])],
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
        known = self._known.setdefault(job_id, set())
        if provider_id in known:
            return True
        if self.journal.has_provider_id(job_id, provider_id):
            known.add(provider_id)
            return True
        return False

    def _refuse(self, status: int, why: str, request: Request) -> Response:
        self.refused += 1
        # The path holds the token: only the peer and the reason are logged.
        client = request.client.host if request.client else "?"
        log.warning("delivery notification from %s refused (%d): %s", client, status, why)
        return PlainTextResponse(why, status_code=status)

    async def notify(self, request: Request) -> Response:
        """GET /dlr/{token}: one delivery report."""
        try:
            return self._take(request)
        except JournalError as exc:
            # The journal could not be read: refused (and logged), never a 5xx.
            return self._refuse(409, f"cannot be taken now: {exc}", request)

    def _take(self, request: Request) -> Response:
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
        if not self._carries(job_id, provider_id):
            return self._refuse(404, "no recipient of this job has that id", request)
        self._queue.append((job_id, Report(provider_id, state, at, int(part_text or 0) or None)))
        if len(self._queue) >= MAX_BATCH:
            self._wake.set()
        return PlainTextResponse("OK")

    async def flush(self) -> None:
        """Write what is queued, one commit per job; kept for the next flush on failure."""
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

    async def _writer(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_seconds)
            self._wake.clear()
            if self._queue:
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
