"""The run of one job: its retry policy, progress and control, the channel protocol, and the
loop that claims batches, sends them and records each recipient's outcome (tui.engine.sender
assembles it with the channels)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import (
    Sequence,
)
from dataclasses import dataclass
from typing import Protocol

from backends.base import Backend
from backends.errors import (
    AuthError,
    BadRequest,
    ConfigError,
    ConnectFailed,
    InvalidInput,
    MalformedResponse,
    NotSupported,
    OutcomeUnknown,
    PaymentRequired,
    ProviderError,
    RateLimited,
    ServerError,
)
from tui.engine.journal import Journal, JournalError
from tui.engine.journal_rows import Claimed, Job, JobStatus, Outcome, State, Totals
from tui.engine.pricing import CostMeter
from tui.engine.ratelimit import RateLimiter
from tui.engine.results import reason_text


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep retrying what certainly was not sent (connect failures, 429)."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 8.0
    # A provider asking for a longer wait than this pauses the job instead.
    max_retry_after: float = 60.0

    def backoff(self, failures: int) -> float:
        """Exponential delay with jitter (25% down) for the n-th failure in a row."""
        delay = min(self.max_delay, self.base_delay * 2.0 ** (failures - 1))
        return delay * (1.0 - 0.25 * random.random())


@dataclass(frozen=True)
class Progress:
    """A coalesced update: the outcomes since the last one and the job's running totals.

    `cost` is the estimated cost of what was accepted (None when the job has no prices),
    `unpriced` how many accepted recipients had no price. `error` is the provider's
    refusal that paused the job (401/402/403...), for a dialog with its code.
    """

    job_id: int
    status: JobStatus
    totals: Totals
    results: tuple[Outcome, ...] = ()
    reason: str | None = None
    cost: float | None = None
    currency: str = ""
    unpriced: int = 0
    error: ProviderError | None = None


class JobControl:
    """Lets a UI pause a running job gracefully: requests in flight finish, no new ones."""

    def __init__(self) -> None:
        self._run: JobRun | None = None
        self._reason: str | None = None

    def pause(self, reason: str = "paused by the operator") -> None:
        """Stop claiming new batches; the job ends PAUSED and can be resumed."""
        self._reason = reason
        if self._run is not None:
            self._run.stop(reason)


# --- channels -----------------------------------------------------------------------


# Recipients per request when neither the caller nor the channel names a size.
DEFAULT_BATCH = 500


class Channel(Protocol):
    """How one kind of job sends a claimed batch and reads each recipient's outcome."""

    # The batch size when the caller names none (None: DEFAULT_BATCH); run_job sets it
    # to the size the run uses.
    batch_size: int | None
    # The channel's size holds whatever the caller asks (one request for the whole job).
    batch_fixed: bool
    # The most recipients one request may carry (None: no provider limit).
    max_batch: int | None

    async def send(self, backend: Backend, batch: Sequence[Claimed]) -> list[Outcome]:
        """Send one batch; each recipient's outcome (provider errors raise)."""
        ...


# --- the run ------------------------------------------------------------------------


class JobRun:
    """One process's run of a job: the workers' shared state."""

    def __init__(
        self,
        journal: Journal,
        job: Job,
        backend: Backend,
        channel: Channel,
        *,
        batch_size: int,
        limiter: RateLimiter,
        policy: RetryPolicy,
        totals: Totals,
        meter: CostMeter | None,
    ) -> None:
        self.journal = journal
        self.job_id = job.id
        self.backend = backend
        self.batch_size = batch_size
        self.limiter = limiter
        self.policy = policy
        self.meter = meter
        self.channel = channel
        self.counts = {
            State.PENDING: totals.pending,
            State.SENDING: totals.sending,
            State.ACCEPTED: totals.accepted,
            State.REJECTED: totals.rejected,
            State.UNKNOWN: totals.unknown,
        }
        self.parts = totals.parts
        self.queue: asyncio.Queue[list[Outcome] | None] = asyncio.Queue()
        self.stopping = False
        self.reason: str | None = None
        self.error: BaseException | None = None
        self.pause_error: ProviderError | None = None
        # Retry bookkeeping: a "round" ends at each counted failure, so the concurrent
        # requests that fail together count once and back off once.
        self.round = 0
        self.failures = 0
        self.idle: set[asyncio.Task[None]] = set()
        # Answered batches waiting for the writer (`writer`): a worker hands its outcomes
        # over and claims its next batch at once, instead of waiting for their commit.
        self.answered: list[tuple[Sequence[Claimed], list[Outcome]]] = []
        self.wake = asyncio.Event()
        self.workers_done = False
        # Set when a claim finds nothing left: a worker waiting out a 429 need not wait on.
        self.drained = asyncio.Event()

    # -- control --
    def stop(self, reason: str) -> None:
        """Claim no more batches; workers waiting for a token leave at once."""
        if self.reason is None:
            # The reason is journaled and shown: no form of a secret may be in it.
            self.reason = self.backend.http.scrub(reason)
        self.stopping = True
        for task in list(self.idle):
            task.cancel()

    def fail(self, exc: BaseException) -> None:
        """An unexpected error: stop everything and report it."""
        if self.error is None:
            self.error = exc
        # A journal that cannot be written (full disk, read-only, damaged) says so itself.
        if isinstance(exc, JournalError):
            self.stop(exc.message)
        else:
            self.stop(f"internal error: {type(exc).__name__}: {exc}")

    def totals(self) -> Totals:
        """The running totals."""
        c = self.counts
        return Totals(
            pending=c[State.PENDING],
            sending=c[State.SENDING],
            accepted=c[State.ACCEPTED],
            rejected=c[State.REJECTED],
            unknown=c[State.UNKNOWN],
            parts=self.parts,
        )

    def progress(self, status: JobStatus, results: tuple[Outcome, ...] = ()) -> Progress:
        """A snapshot for the caller."""
        reason = self.reason if status is not JobStatus.RUNNING else None
        m = self.meter
        return Progress(
            self.job_id,
            status,
            self.totals(),
            results,
            reason,
            m.cost if m is not None else None,
            m.pricing.currency if m is not None else "",
            m.unpriced if m is not None else 0,
            self.pause_error if status is not JobStatus.RUNNING else None,
        )

    def final_status(self) -> JobStatus:
        """How the run ended."""
        if self.error is not None:
            return JobStatus.FAILED
        if self.reason is not None or self.counts[State.PENDING] or self.counts[State.SENDING]:
            return JobStatus.PAUSED
        return JobStatus.DONE

    # -- workers --
    async def worker(self) -> None:
        """Claim and send batches until none is left or the run stops."""
        task = asyncio.current_task()
        assert task is not None
        try:
            while not self.stopping:
                self.idle.add(task)
                try:
                    await self.limiter.acquire()
                except asyncio.CancelledError:
                    if self.stopping:
                        return  # cancelled by stop(): nothing was claimed
                    raise
                finally:
                    self.idle.discard(task)
                if self.stopping:
                    return
                batch = await self._claim()
                if not batch:
                    self.drained.set()
                    return
                if self.stopping:
                    # Paused while the claim ran: no new request leaves.
                    await self.journal.off_loop(
                        self.journal.release, self.job_id, [c.seq for c in batch]
                    )
                    return
                self._move(State.PENDING, State.SENDING, len(batch))
                await self._send(batch)
        except Exception as exc:
            self.fail(exc)

    async def _claim(self) -> list[Claimed]:
        """The next batch, claimed in a thread: the claim waits for the journal's lock
        while another batch's results are written, and a screen's loop must not wait.

        The claim commits whatever happens to the task meanwhile: cancelled, the worker
        waits for it and puts the batch back to PENDING (it was certainly not sent)."""
        claim = asyncio.ensure_future(
            self.journal.off_loop(self.journal.claim_batch, self.job_id, self.batch_size)
        )
        try:
            return await asyncio.shield(claim)
        except asyncio.CancelledError:
            batch = await claim
            if batch:
                await self.journal.off_loop(
                    self.journal.release, self.job_id, [c.seq for c in batch]
                )
            raise

    def _move(self, old: State, new: State, n: int) -> None:
        self.counts[old] -= n
        self.counts[new] += n

    async def _send(self, batch: list[Claimed]) -> None:
        seqs = [c.seq for c in batch]
        started = self.round
        try:
            sent = await self.channel.send(self.backend, batch)
        except asyncio.CancelledError:
            # The request may have left: the only safe record is UNKNOWN.
            why = "cancelled while the request was in flight"
            self.journal.mark_unknown(self.job_id, seqs, why)
            self._move(State.SENDING, State.UNKNOWN, len(batch))
            raise
        except (RateLimited, ConnectFailed) as exc:
            self._release(batch)
            self._retry_later(exc, started)
            if isinstance(exc, RateLimited) and self.limiter.stated and not self.stopping:
                # At a stated rate this worker waits the provider's Retry-After by itself
                # (RateLimiter.on_rate_limited); the others keep the pace, and take its
                # batch back. It stops waiting when they have sent everything.
                with contextlib.suppress(TimeoutError):
                    wait = exc.retry_after or self.policy.backoff(1)
                    await asyncio.wait_for(self.drained.wait(), wait)
            return
        except (AuthError, PaymentRequired) as exc:
            self._release(batch)
            if self.pause_error is None:
                self.pause_error = exc
            self.stop(f"{exc.title}: {exc}. This batch was not sent; fix the account and resume.")
            return
        except BadRequest as exc:
            reason = reason_text(exc.code, exc.message)
            outcomes = [Outcome(c.seq, c.to, State.REJECTED, reason) for c in batch]
        except InvalidInput as exc:
            # The provider's rules refused the request before it left (backends/http.py):
            # nobody in the batch was sent anything, and every batch would fail alike.
            self._release(batch)
            self.stop(f"{exc}. This batch was not sent; nothing was sent to its recipients.")
            return
        except (OutcomeUnknown, ServerError, MalformedResponse) as exc:
            reason = f"outcome unknown: {exc}"
            outcomes = [Outcome(c.seq, c.to, State.UNKNOWN, reason) for c in batch]
        except (ProviderError, NotSupported, ConfigError) as exc:
            # Any other refusal (404, 405...): the provider did not process it.
            self._release(batch)
            if isinstance(exc, ProviderError) and self.pause_error is None:
                self.pause_error = exc
            self.stop(f"{exc}. This batch was not sent.")
            return
        except Exception as exc:
            why = self.backend.http.scrub(f"internal error: {exc!r}")
            self.journal.mark_unknown(self.job_id, seqs, why)
            self._move(State.SENDING, State.UNKNOWN, len(batch))
            self.fail(exc)
            return
        else:
            if started == self.round:
                self.failures = 0
            outcomes = sent
        # Reasons are journaled, shown and exported: a provider echoing a secret in one
        # (a 2xx answer's per-recipient error) must not put it there.
        outcomes = [self._scrubbed(o) for o in outcomes]
        self.answered.append((batch, outcomes))
        self.wake.set()

    async def writer(self) -> None:
        """Journal the answered batches, all those waiting in one commit, in a thread (see
        the module docstring); then count them and hand them to the caller.

        Never cancelled half-way: a cancellation waits for the write in progress
        (milliseconds) and writes what is still waiting, so when run_job returns no
        recipient of an answered batch is still SENDING."""
        try:
            while True:
                if not self.answered:
                    if self.workers_done:
                        return
                    self.wake.clear()
                    await self.wake.wait()
                    continue
                taken, self.answered = self.answered, []
                write = asyncio.ensure_future(
                    self.journal.off_loop(self.journal.record_results, self.job_id, _flat(taken))
                )
                try:
                    await asyncio.shield(write)
                except asyncio.CancelledError:
                    await asyncio.wait([write])
                    self._written(taken, write.exception())
                    raise
                except Exception:  # the write's own error: _written reports it just below
                    pass
                self._written(taken, write.exception())
        finally:
            if self.answered:
                taken, self.answered = self.answered, []
                try:
                    self.journal.record_results(self.job_id, _flat(taken))
                except Exception as exc:  # reported as the run's error
                    self._written(taken, exc)
                else:
                    self._written(taken, None)

    def _written(
        self, taken: list[tuple[Sequence[Claimed], list[Outcome]]], error: BaseException | None
    ) -> None:
        """After a write: count and hand over what it journaled; on a failed write (a full
        disk...) stop the run with its error: those recipients stay SENDING, so a resume
        makes them UNKNOWN (their answer is lost, nobody is sent twice)."""
        if error is not None:
            self.fail(error)
            return
        for batch, outcomes in taken:
            self._count(batch, outcomes)
            self.queue.put_nowait(outcomes)

    def _scrubbed(self, outcome: Outcome) -> Outcome:
        reason = outcome.reason
        clean = self.backend.http.scrub(reason) if reason else reason
        return outcome if clean == reason else outcome._replace(reason=clean)

    def _count(self, batch: Sequence[Claimed], outcomes: Sequence[Outcome]) -> None:
        # Counted per distinct value (Counter counts in C), not per recipient.
        self.counts[State.SENDING] -= len(outcomes)
        for state, n in Counter(o.state for o in outcomes).items():
            self.counts[state] += n
        self.parts += sum(o.parts for o in outcomes if o.parts)
        if self.meter is not None:
            countries = {c.seq: c.country for c in batch}
            accepted = Counter(
                (countries.get(o.seq), o.parts) for o in outcomes if o.state is State.ACCEPTED
            )
            for (country, parts), n in accepted.items():
                self.meter.add(country, None if parts is None else parts * n, n)

    def _release(self, batch: Sequence[Claimed]) -> None:
        self.journal.release(self.job_id, (c.seq for c in batch))
        self._move(State.SENDING, State.PENDING, len(batch))

    def _retry_later(self, exc: RateLimited | ConnectFailed, started: int) -> None:
        if started != self.round:
            return  # a request of the same round already counted this failure
        self.round += 1
        self.failures += 1
        if self.failures >= self.policy.max_attempts:
            self.stop(f"gave up after {self.failures} attempts in a row: {exc}")
            return
        delay = self.policy.backoff(self.failures)
        if isinstance(exc, RateLimited):
            wait = exc.retry_after
            if wait is not None and wait > self.policy.max_retry_after:
                self.stop(
                    f"{exc}; the provider asked to wait {wait:.0f} s, longer than the "
                    f"{self.policy.max_retry_after:.0f} s a send waits at most: resume later"
                )
                return
            self.limiter.on_rate_limited(wait, delay)
        else:
            self.limiter.pause_for(delay)


def _flat(taken: list[tuple[Sequence[Claimed], list[Outcome]]]) -> list[Outcome]:
    """The outcomes of answered batches, in one list for one commit."""
    return [o for _, outcomes in taken for o in outcomes]


async def close_queue(
    tasks: list[asyncio.Task[None]], writer: asyncio.Task[None], run: JobRun
) -> None:
    """When every worker has ended and the writer has journaled what they answered: the
    end of the caller's queue."""
    await asyncio.gather(*tasks, return_exceptions=True)
    run.workers_done = True
    run.wake.set()
    await asyncio.gather(writer, return_exceptions=True)
    run.queue.put_nowait(None)
