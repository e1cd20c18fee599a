"""The send engine: every send, single or bulk, from the CLI or a screen, goes through here.

A job lives in the journal. `run_job` claims batches of PENDING recipients (committed as
SENDING before the request leaves), sends one request per batch with bounded concurrency
behind a rate limiter, and records each recipient's outcome per DESIGN.md:

- connect failure (the request never left) and 429: the batch goes back to PENDING and is
  retried after a backoff (Retry-After honoured, capped); too many failures in a row pause.
- read timeout, dropped connection, 5xx, malformed 2xx: UNKNOWN, never re-sent
  automatically; the operator decides (`Journal.resend_unknown`).
- 207: applied per recipient; 400/422: the batch is REJECTED with the provider's reason.
- 401/402/403: nothing was sent; the batch goes back to PENDING and the job pauses.

Each job channel (`CHANNELS`: "sms", "landing", "email", "voice", "voice-audio",
"whatsapp", "survey-batch", "survey") builds the request for a batch and maps the answer to
outcomes; the rules above are shared. A job may carry prices (`tui.engine.pricing`): the
engine adds up the cost of what was accepted as results arrive.

Claims run on the event loop on purpose: a thread hop would open a window where a
cancelled task leaves rows claimed but never sent. Recording outcomes runs in a thread
(~10 ms a batch here, and four workers back to back froze a screen): cancelled while it
runs, the worker waits for that write before it ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import random
import sys
from collections.abc import (
    AsyncIterator,
    Callable,
    Coroutine,
    Iterable,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import orjson

from backends.base import Backend, Connection
from backends.capabilities import (
    LandingApi,
    MailApi,
    SmsApi,
    VoiceApi,
    VoiceAudioApi,
    WhatsAppTemplatesApi,
)
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
from backends.http import Checked, HttpClient, checking_only
from backends.models.common import AvailableTime, OtpConfig, SendResult, SmsRequest
from backends.models.send import (
    LandingRequest,
    MailingRequest,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppTemplateRequest,
)
from tui.engine import placeholders, segments
from tui.engine.channels import (
    CHANNEL_TYPES,
    LANDING,
    Request,
    RequestChannel,
    check_request,
    create_channel_job,
    job_rows,
    landing_plan,
)
from tui.engine.channels import _wa_message as wa_message
from tui.engine.journal import Journal
from tui.engine.journal_rows import Claimed, Job, JobRecipient, JobStatus, Outcome, State, Totals
from tui.engine.preflight import plan_message
from tui.engine.pricing import CostMeter, Pricing, spent
from tui.engine.ratelimit import RateLimiter
from tui.engine.results import match_results, reason_text
from tui.engine.survey_batch import CHANNEL as SURVEY_BATCH
from tui.engine.survey_batch import SurveyBatchChannel, create_survey_batch_job
from tui.engine.survey_send import CHANNEL as SURVEY
from tui.engine.survey_send import SurveyChannel

__all__ = [
    "JobControl",
    "Progress",
    "RetryPolicy",
    "check_channel_send",
    "check_sms_send",
    "create_channel_job",
    "create_sms_job",
    "create_survey_batch_job",
    "match_results",
    "precheck",
    "resume",
    "run_job",
]

# SmsRequest fields a job template may set (the recipients and their `sub` come per batch).
_OPTION_FIELDS = frozenset(f.name for f in dataclasses.fields(SmsRequest)) - {
    "to",
    "sender",
    "message",
    "sub",
}
_DATE_OPTIONS = frozenset({"schedule_date", "expiration_date"})


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
        self._run: _Run | None = None
        self._reason: str | None = None

    def pause(self, reason: str = "paused by the operator") -> None:
        """Stop claiming new batches; the job ends PAUSED and can be resumed."""
        self._reason = reason
        if self._run is not None:
            self._run.stop(reason)


# --- job creation -------------------------------------------------------------------


def _encode_options(options: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in options.items():
        if key not in _OPTION_FIELDS:
            raise ValueError(f"unknown SMS option {key!r}")
        if value is None or value == ():
            continue
        if key in _DATE_OPTIONS:
            value = value.isoformat()
        elif key == "tags":
            value = list(value)
        elif key == "available_times":
            value = [dataclasses.asdict(t) for t in value]
        elif key == "otp_config":
            value = dataclasses.asdict(value)
        elif key == "notification_url" and not isinstance(value, str):
            # One URL per recipient would have to be split along with the batches.
            raise ValueError("a job takes one notification URL, not one per recipient")
        out[key] = value
    return out


def _decode_options(options: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(options)
    for key in _DATE_OPTIONS & out.keys():
        out[key] = datetime.fromisoformat(out[key])
    if "tags" in out:
        out["tags"] = tuple(out["tags"])
    if "available_times" in out:
        out["available_times"] = tuple(AvailableTime(**t) for t in out["available_times"])
    if "otp_config" in out:
        out["otp_config"] = OtpConfig(**out["otp_config"])
    return out


def template_request(job: Job) -> SmsRequest:
    """The job's SMS request without recipients."""
    m = job.message
    return SmsRequest(
        to=(), sender=m["sender"], message=m["message"], **_decode_options(m.get("options", {}))
    )


def otp_length_of(options: Mapping[str, Any]) -> int:
    """The {OTP_CODE} length an SMS's otpConfig asks for (the provider's default without)."""
    cfg = options.get("otp_config")
    length = cfg.length if isinstance(cfg, OtpConfig) else None
    return length or placeholders.OTP_LENGTH_DEFAULT


def sms_template(
    sender: str,
    message: str,
    rows: Sequence[tuple[str, Mapping[str, str] | None, str | None]],
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The SMS job's journaled template: sender, text and options with the resolved
    `encoding` and `parts` (segments.PlanError, a ValueError, when it cannot be sent).

    A `notification_url` tuple is one URL per row, kept apart and sliced per batch.
    """
    if not sender.strip():
        raise ValueError("the sender is empty")
    if not message:
        raise ValueError("the message is empty")
    placeholders.check_filters(message)
    opts = dict(options or {})
    plan = plan_message(
        message,
        (v for _, v, _ in rows),
        encoding=opts.get("encoding"),
        parts=opts.get("parts"),
        trans=bool(opts.get("trans")),
        max_parts=segments.MAX_PARTS_SMS,
        otp_length=otp_length_of(opts),
    )
    opts["encoding"], opts["parts"] = plan.encoding, plan.parts
    urls = opts.get("notification_url")
    template: dict[str, Any] = {"sender": sender, "message": message}
    if isinstance(urls, tuple):
        # POST /sms: "When using multiple notification URLs, the array must contain as many
        # elements as the send recipients": one per row, each batch takes its rows' URLs.
        if len(urls) != len(rows):
            raise ValueError(f"{len(urls)} notification URLs for {len(rows)} recipients")
        del opts["notification_url"]
        template["notification_urls"] = list(urls)
    template["options"] = _encode_options(opts)
    return template


def create_sms_job(
    journal: Journal,
    account: str,
    provider: str,
    sender: str,
    message: str,
    recipients: Iterable[JobRecipient],
    options: Mapping[str, Any] | None = None,
    *,
    pricing: Pricing | None = None,
) -> int:
    """Journal an SMS job; its id. Nothing is sent.

    Recipients are (to, `sub` variables[, ISO country]); the country prices a recipient.
    The job's options carry the `encoding` and `parts` every batch sends (plan_message).
    """
    rows = job_rows(recipients)
    template = sms_template(sender, message, rows, options)
    if pricing is not None:
        template["pricing"] = pricing.encode()
    return journal.create_job(
        account=account, provider=provider, channel="sms", message=template, recipients=rows
    )


# --- checking a send before it is journaled -------------------------------------------


async def precheck(
    backend: Backend, send: Callable[[Backend], Coroutine[Any, Any, object]]
) -> None:
    """Run the provider's request rules on what `send` would send, without sending it;
    InvalidInput when they refuse it (so nothing is journaled for a send that every batch
    would fail the same way). A backend without an HTTP layer of rules is not called."""
    http = getattr(backend, "http", None)
    if not isinstance(http, HttpClient) or http.rules is None:
        return
    with checking_only(), contextlib.suppress(Checked):
        await send(backend)


async def check_sms_send(
    backend: Backend,
    sender: str,
    message: str,
    recipients: Sequence[JobRecipient],
    options: Mapping[str, Any] | None = None,
) -> None:
    """What create_sms_job would refuse (ValueError) or the provider's rules would refuse in
    the first batch's request (InvalidInput), before anything is journaled."""
    rows = job_rows(recipients)
    # Every recipient's text is counted: off the event loop (a console's UI runs there).
    template = await asyncio.to_thread(sms_template, sender, message, rows, options)
    first = Claimed(0, rows[0][0], rows[0][1], rows[0][2])
    request = SmsChannel.from_template(template).request([first])
    await precheck(backend, lambda b: b.capability(SmsApi).send_sms(request))


async def check_channel_send(
    backend: Backend, request: Request, recipients: Sequence[JobRecipient]
) -> None:
    """For a landing SMS, check_sms_send's checks (the other channels' job checks are
    create_channel_job's own); for every channel, the provider's rules on the first
    batch's request: ValueError or InvalidInput before anything is journaled."""
    if not isinstance(request, LandingRequest):
        rows = job_rows(recipients)
        if rows:
            await _check_first_request(backend, request, rows[0][0], rows[0][1])
        return
    rows = job_rows(recipients)
    await asyncio.to_thread(check_request, request, rows)
    planned = await asyncio.to_thread(landing_plan, request, rows)
    to, variables, _ = rows[0]
    first = dataclasses.replace(planned, to=(to,), sub=(variables,) if variables else ())
    await precheck(backend, lambda b: b.capability(LandingApi).send_landing(first))


async def _check_first_request(
    backend: Backend, request: Request, to: str, variables: Mapping[str, str] | None
) -> None:
    """The rules on what the channel sends its first recipient (as RequestChannel.request
    builds it), so a send every batch would fail the same way is refused up front."""
    if isinstance(request, WhatsAppTemplateRequest):
        try:
            message = wa_message(request.messages[0], to, variables or {})
        except ValueError:
            return  # create_channel_job says what is wrong with the variables
        wa = dataclasses.replace(request, messages=(message,))
        await precheck(
            backend, lambda b: b.capability(WhatsAppTemplatesApi).send_whatsapp_template(wa)
        )
    elif isinstance(request, VoiceAudioRequest):
        audio = dataclasses.replace(request, to=(to,))
        await precheck(backend, lambda b: b.capability(VoiceAudioApi).send_voice_audio(audio))
    elif isinstance(request, MailingRequest | VoiceRequest):
        sub = (variables,) if variables else ()
        first = dataclasses.replace(request, to=(to,), sub=sub)
        if isinstance(first, MailingRequest):
            await precheck(backend, lambda b: b.capability(MailApi).send_mailing(first))
        else:
            await precheck(backend, lambda b: b.capability(VoiceApi).send_voice(first))


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


class SmsChannel(RequestChannel):
    """SMS jobs: one send_sms request per batch (one `sub` item per recipient when any
    has variables, as the reference wants), results matched by number."""

    def __init__(self, job: Job) -> None:
        self.template = template_request(job)
        urls = job.message.get("notification_urls")
        self.urls: list[str] | None = list(urls) if urls else None

    @classmethod
    def from_template(cls, template: Mapping[str, Any]) -> SmsChannel:
        """The channel of a template not journaled yet (to check its first request)."""
        channel = cls.__new__(cls)
        channel.template = SmsRequest(
            to=(),
            sender=template["sender"],
            message=template["message"],
            **_decode_options(template.get("options", {})),
        )
        urls = template.get("notification_urls")
        channel.urls = list(urls) if urls else None
        return channel

    def request(self, batch: Sequence[Claimed]) -> Any:
        """The batch's request, with its recipients' own notification URLs when they have."""
        request = super().request(batch)
        if self.urls is not None:
            return dataclasses.replace(
                request, notification_url=tuple(self.urls[c.seq] for c in batch)
            )
        return request

    async def call(self, backend: Backend, request: Any) -> SendResult:
        return await backend.capability(SmsApi).send_sms(request)


# The engine's channels: the journal's `channel` column names one of these.
CHANNELS: dict[str, Callable[[Job], Channel]] = {
    "sms": SmsChannel,
    **CHANNEL_TYPES,
    SURVEY_BATCH: SurveyBatchChannel,
    SURVEY: SurveyChannel,
}


# --- the run ------------------------------------------------------------------------


class _Run:
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

    # -- control --
    def stop(self, reason: str) -> None:
        """Claim no more batches; workers waiting for a token leave at once."""
        if self.reason is None:
            self.reason = reason
        self.stopping = True
        for task in list(self.idle):
            task.cancel()

    def fail(self, exc: BaseException) -> None:
        """An unexpected error: stop everything and report it."""
        if self.error is None:
            self.error = exc
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
                batch = self.journal.claim_batch(self.job_id, self.batch_size)
                if not batch:
                    return
                self._move(State.PENDING, State.SENDING, len(batch))
                await self._send(batch)
        except Exception as exc:
            self.fail(exc)

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
            self.journal.mark_unknown(self.job_id, seqs, f"internal error: {exc!r}")
            self._move(State.SENDING, State.UNKNOWN, len(batch))
            self.fail(exc)
            return
        else:
            if started == self.round:
                self.failures = 0
            outcomes = sent
        # In a thread (see the module docstring); the journal's lock orders the writes.
        # A cancellation waits for the write (milliseconds): when run_job returns, no
        # recipient of an answered batch is still SENDING.
        write = asyncio.ensure_future(
            asyncio.to_thread(self.journal.record_results, self.job_id, outcomes)
        )
        try:
            await asyncio.shield(write)
        except asyncio.CancelledError:
            await write
            self._count(batch, outcomes)
            raise
        self._count(batch, outcomes)
        self.queue.put_nowait(outcomes)

    def _count(self, batch: Sequence[Claimed], outcomes: Sequence[Outcome]) -> None:
        self.counts[State.SENDING] -= len(outcomes)
        for o in outcomes:
            self.counts[o.state] += 1
            if o.parts:
                self.parts += o.parts
        if self.meter is not None:
            countries = {c.seq: c.country for c in batch}
            for o in outcomes:
                if o.state is State.ACCEPTED:
                    self.meter.add(countries.get(o.seq), o.parts)

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
                self.stop(f"{exc}; the provider asked to wait {wait:.0f} s: resume later")
                return
            self.limiter.on_rate_limited(wait, delay)
        else:
            self.limiter.pause_for(delay)


def _check(job: Job, backend: Backend) -> None:
    if job.channel not in CHANNELS:
        raise NotSupported(f"job {job.id}: the engine cannot send {job.channel!r} jobs yet")
    if job.provider != backend.provider:
        raise ConfigError(f"job {job.id} was created for {job.provider}, not {backend.provider}")


def _with_plan(journal: Journal, job: Job) -> Job:
    """A job journaled before `encoding` and `parts` were resolved at creation, with them
    resolved the same way from its rows (InvalidInput when they cannot be)."""
    if job.channel == "sms":
        options = dict(job.message.get("options") or {})
        if "parts" in options and "encoding" in options:
            return job
        text = str(job.message.get("message", ""))
        limit = segments.MAX_PARTS_SMS
        decoded = _decode_options(options)
        otp_length = otp_length_of(decoded)
    elif job.channel == LANDING:
        options = dict(job.message.get("request") or {})
        if "parts" in options and "encoding" in options:
            return job
        text = str(options.get("message", ""))
        limit = segments.MAX_PARTS_LANDING
        otp_length = placeholders.OTP_LENGTH_DEFAULT
    else:
        return job
    try:
        plan = plan_message(
            text,
            (r.vars for r in journal.recipients(job.id)),
            encoding=options.get("encoding"),
            parts=options.get("parts"),
            trans=bool(options.get("trans")),
            max_parts=limit,
            otp_length=otp_length,
        )
    except ValueError as exc:
        raise InvalidInput(f"job {job.id} cannot be sent: {exc}") from None
    options["encoding"], options["parts"] = plan.encoding, plan.parts
    key = "options" if job.channel == "sms" else "request"
    return dataclasses.replace(job, message={**job.message, key: options})


def _starting_point(
    journal: Journal, job_id: int, pricing: Pricing | None
) -> tuple[Totals, CostMeter | None]:
    """The job's counts and, with prices, the cost of what it already sent."""
    return journal.totals(job_id), spent(journal, job_id, pricing)


async def _close_queue(tasks: list[asyncio.Task[None]], queue: asyncio.Queue[Any]) -> None:
    await asyncio.gather(*tasks, return_exceptions=True)
    queue.put_nowait(None)


async def run_job(
    journal: Journal,
    job_id: int,
    backend: Backend,
    *,
    batch_size: int | None = None,
    concurrency: int = 4,
    limiter: RateLimiter | None = None,
    policy: RetryPolicy | None = None,
    control: JobControl | None = None,
) -> AsyncIterator[Progress]:
    """Send a job's PENDING recipients; yields coalesced progress, the last one final.

    Batches have `batch_size` recipients, else the channel's own size (DEFAULT_BATCH
    when it has none), never more than the provider's limit. The running cost uses the
    prices journaled with the job. Closing the iterator early
    cancels the requests in flight (their recipients become UNKNOWN); use
    `JobControl.pause` to stop gracefully.
    """
    if (batch_size is not None and batch_size < 1) or concurrency < 1:
        raise ValueError("batch_size and concurrency must be at least 1")
    job = journal.job(job_id)
    _check(job, backend)
    job = await asyncio.to_thread(_with_plan, journal, job)
    channel = CHANNELS[job.channel](job)
    if channel.batch_fixed:
        batch_size = None
    size = batch_size or channel.batch_size or DEFAULT_BATCH
    if channel.max_batch is not None:
        size = min(size, channel.max_batch)
    channel.batch_size = size
    pricing = Pricing.of(job)
    # Counting 100,000 rows takes ~0.1 s: in a thread, before the job is marked running
    # (so a cancellation here leaves nothing to undo).
    totals, meter = await asyncio.to_thread(_starting_point, journal, job_id, pricing)
    # On the loop: a cancellation between a threaded start and the try below would leave
    # the job marked running in this process.
    journal.start(job_id)
    run = _Run(
        journal,
        job,
        backend,
        channel,
        batch_size=size,
        limiter=limiter or RateLimiter(),
        policy=policy or RetryPolicy(),
        totals=totals,
        meter=meter,
    )
    if control is not None:
        control._run = run
        if control._reason is not None:
            run.stop(control._reason)
    tasks = [
        asyncio.create_task(run.worker(), name=f"send-job-{job_id}-{i}") for i in range(concurrency)
    ]
    closer = asyncio.create_task(_close_queue(tasks, run.queue))
    ended = False
    try:
        yield run.progress(JobStatus.RUNNING)
        finished = False
        while not finished:
            items = [await run.queue.get()]
            while not run.queue.empty():
                items.append(run.queue.get_nowait())
            # The closer puts None after every worker ended, so it can only come last.
            finished = items[-1] is None
            results = tuple(o for batch in items if batch is not None for o in batch)
            if results:
                yield run.progress(JobStatus.RUNNING, results)
        status = run.final_status()
        journal.stop(job_id, status, run.reason if status is not JobStatus.DONE else None)
        ended = True
        yield run.progress(status)
        if run.error is not None:
            raise run.error
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, closer, return_exceptions=True)
        if control is not None:
            control._run = None
        if not ended:
            journal.stop(job_id, JobStatus.PAUSED, "interrupted")


async def resume(
    journal: Journal,
    job_id: int,
    backend: Backend,
    *,
    resend_unknown: bool = False,
    batch_size: int | None = None,
    concurrency: int = 4,
    limiter: RateLimiter | None = None,
    policy: RetryPolicy | None = None,
    control: JobControl | None = None,
) -> AsyncIterator[Progress]:
    """Recover a job left by a dead process (in-flight rows -> UNKNOWN) and carry on.

    `resend_unknown` is the operator's explicit choice to send UNKNOWN recipients again.
    """
    # Writes that may wait for another process's lock (up to the busy timeout): in a
    # thread, so a console stays responsive. Nothing is claimed yet at this point.
    await asyncio.to_thread(journal.recover, job_id)
    if resend_unknown:
        await asyncio.to_thread(journal.resend_unknown, job_id)
    async for progress in run_job(
        journal,
        job_id,
        backend,
        batch_size=batch_size,
        concurrency=concurrency,
        limiter=limiter,
        policy=policy,
        control=control,
    ):
        yield progress


# --- `python -m tui.engine.sender`: run one journaled job in this process ------------------


async def _main(args: argparse.Namespace) -> int:
    from backends.registry import create_backend

    secret = os.environ.get(args.secret_env, "")
    backend = create_backend(
        args.provider, Connection(args.base_url, username=args.username, secret=secret)
    )
    limiter = RateLimiter(args.rate) if args.rate else None
    last: Progress | None = None
    with Journal(args.journal) as journal:
        async with backend:
            async for progress in resume(
                journal,
                args.job,
                backend,
                resend_unknown=args.resend_unknown,
                batch_size=args.batch_size,
                concurrency=args.concurrency,
                limiter=limiter,
            ):
                last = progress
    assert last is not None
    t = last.totals
    sys.stdout.write(
        orjson.dumps(
            {
                "job": last.job_id,
                "status": last.status,
                "reason": last.reason,
                "accepted": t.accepted,
                "rejected": t.rejected,
                "unknown": t.unknown,
                "pending": t.pending,
            }
        ).decode()
        + "\n"
    )
    return 0 if last.status is JobStatus.DONE else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Resume (or start) a journaled job against a provider URL; for scripts and tests."""
    p = argparse.ArgumentParser(prog="python -m tui.engine.sender", description=main.__doc__)
    p.add_argument("--journal", required=True, help="journal file")
    p.add_argument("--job", type=int, required=True, help="job id")
    p.add_argument("--base-url", required=True)
    p.add_argument("--provider", default="360nrs")
    p.add_argument("--username", default="")
    p.add_argument(
        "--secret-env", default="SWITCHBOARD_SENDER_SECRET", help="variable holding the secret"
    )
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--rate", type=float, help="requests per second")
    p.add_argument("--resend-unknown", action="store_true")
    return asyncio.run(_main(p.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
