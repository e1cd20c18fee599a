"""Landing SMS, email, voice and WhatsApp template jobs in the send engine.

A job stores the request the operator composed as a template, without recipients (no
`to`, no `sub`); each recipient row holds the address and its variables. A batch's
request is the template with the batch's recipients in `to` and, when any of them has
variables, one `sub` item per recipient (the reference wants exactly as many items as
recipients). Voice calls with an audio file take no variables. WhatsApp has no `sub`:
each message carries its own positional fields, so the template's fields are rendered
with each recipient's variables here, which is what the Compose preview shows.

Every endpoint answers 202/207 with one result per recipient (`to` echoed), matched like
SMS results. The reference sets no limit on recipients per request for any of them, so
the engine's batch size applies (500: the size DESIGN.md measured as fast).
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Final

from backends.base import Backend
from backends.capabilities import LandingApi, MailApi, VoiceApi, VoiceAudioApi, WhatsAppTemplatesApi
from backends.errors import ConfigError
from backends.models.common import OtpConfig, SendResult
from backends.models.send import (
    LANDING_PLACEHOLDER,
    MAX_VOICE_MESSAGE,
    Attachment,
    LandingRequest,
    MailingRequest,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppLocation,
    WhatsAppTemplateMessage,
    WhatsAppTemplateRequest,
)
from tui.engine import placeholders, segments
from tui.engine.journal import Journal
from tui.engine.journal_rows import Claimed, Job, JobRecipient, Outcome
from tui.engine.preflight import plan_message
from tui.engine.pricing import Pricing
from tui.engine.results import match_results
from tui.engine.survey_send import CHANNEL as SURVEY
from tui.engine.survey_send import survey_summary

__all__ = [
    "CHANNEL_LABELS",
    "LANDING",
    "MAILING",
    "VOICE",
    "VOICE_AUDIO",
    "WHATSAPP",
    "Request",
    "RequestChannel",
    "check_request",
    "create_channel_job",
    "iter_job_rows",
    "job_rows",
    "job_summary",
    "landing_plan",
    "normalise_number",
    "template_of",
]

LANDING: Final = "landing"
MAILING: Final = "email"
VOICE: Final = "voice"
VOICE_AUDIO: Final = "voice-audio"
WHATSAPP: Final = "whatsapp"
# How Jobs and the CLI name each journal channel.
CHANNEL_LABELS: Final = {
    "sms": "SMS",
    LANDING: "landing SMS",
    MAILING: "email",
    VOICE: "voice call",
    VOICE_AUDIO: "voice call (audio)",
    WHATSAPP: "WhatsApp template",
    "survey-batch": "survey batch",
    SURVEY: "survey",
}
# cc and bcc go with every request: above one batch they would get one copy per batch.
MAX_WITH_COPIES: Final = 500

Request = (
    LandingRequest | MailingRequest | VoiceRequest | VoiceAudioRequest | WhatsAppTemplateRequest
)
_DATES: Final = frozenset({"schedule_date", "expiration_date"})
# Request fields that come per batch, never from the template.
_PER_BATCH: Final = frozenset({"to", "sub", "messages"})
_SEPARATORS: Final = str.maketrans("", "", " \t-.()")


def normalise_number(to: str) -> str:
    """A phone number without spaces and separators (the provider wants digits)."""
    return to.strip().translate(_SEPARATORS)


Row = tuple[str, dict[str, str] | None, str | None]


def job_rows(
    recipients: Iterable[JobRecipient], *, phone: bool = True, variables: bool = True
) -> list[Row]:
    """(to, variables, country) rows as the journal keeps them; ValueError when there are
    none or one is empty. Numbers lose their separators, addresses their spaces."""
    return list(iter_job_rows(recipients, phone=phone, variables=variables))


def iter_job_rows(
    recipients: Iterable[JobRecipient], *, phone: bool = True, variables: bool = True
) -> Iterator[Row]:
    """job_rows one at a time, for a journal that stores them as they come (no list of
    100,000 tuples beside the recipients); its ValueError comes when it is met, so the
    journal's transaction is rolled back."""
    n = 0
    for r in recipients:
        to = r[0]
        # Recipients from a CSV or a group come normalised already: digits only.
        if not (phone and to.isdigit()):
            to = normalise_number(to) if phone else to.strip()
        if not to:
            raise ValueError("a recipient is empty")
        n += 1
        yield to, dict(r[1]) if r[1] and variables else None, r[2] if len(r) == 3 else None
    if not n:
        raise ValueError("no recipients")


# --- the template in the journal -------------------------------------------------------


def _encode(obj: Any) -> dict[str, Any]:
    """A request or message dataclass as JSON, without per-batch fields or empty values."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.name in _PER_BATCH or value is None or value == () or value == {}:
            continue
        if f.name in _DATES:
            value = value.isoformat()
        elif f.name == "attachments":
            value = [
                {"name": a.name, "content": a.encoded(), "content_type": a.content_type}
                for a in value
            ]
        elif f.name in ("otp_config", "location"):
            value = dataclasses.asdict(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        out[f.name] = value
    return out


def _decode_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _DATES:
            value = datetime.fromisoformat(value)
        elif key == "attachments":
            value = tuple(
                Attachment(a["name"], base64.b64decode(a["content"]), a["content_type"])
                for a in value
            )
        elif key == "otp_config":
            value = OtpConfig(**value)
        elif key == "location":
            value = WhatsAppLocation(**value)
        elif isinstance(value, list):
            value = tuple(value)
        out[key] = value
    return out


_TYPES: Final[dict[str, type[Any]]] = {
    LANDING: LandingRequest,
    MAILING: MailingRequest,
    VOICE: VoiceRequest,
    VOICE_AUDIO: VoiceAudioRequest,
    WHATSAPP: WhatsAppTemplateRequest,
}
_CHANNEL_OF: Final = {cls: name for name, cls in _TYPES.items()}


def template_of(job: Job) -> Request:
    """The job's request without recipients (a WhatsApp one holds one message template)."""
    raw = dict(job.message["request"])
    if job.channel == WHATSAPP:
        message = WhatsAppTemplateMessage(to="", **_decode_fields(raw.pop("message", {})))
        return WhatsAppTemplateRequest(messages=(message,), **_decode_fields(raw))
    cls = _TYPES.get(job.channel)
    if cls is None:
        raise ConfigError(f"job {job.id}: {job.channel!r} is not a request channel")
    request: Request = cls(to=(), **_decode_fields(raw))
    return request


# --- job creation -----------------------------------------------------------------------


def _render_fields(fields: Sequence[str], variables: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(placeholders.render(f, variables).text for f in fields)


def _wa_message(template: WhatsAppTemplateMessage, to: str, variables: Mapping[str, str]) -> Any:
    """The template message for one recipient, its fields filled in with its variables."""
    return dataclasses.replace(
        template,
        to=to,
        header_fields=_render_fields(template.header_fields, variables),
        body_fields=_render_fields(template.body_fields, variables),
        call_to_action_fields=_render_fields(template.call_to_action_fields, variables),
    )


def landing_plan(request: LandingRequest, rows: Sequence[Row]) -> LandingRequest:
    """The landing SMS with the `encoding` and `parts` every batch sends, resolved as for
    SMS (preflight.plan_message) within /landingsms's "maximum number of parts allowed is
    8"; segments.PlanError (a ValueError) when it cannot be sent."""
    plan = plan_message(
        request.message,
        (v for _, v, _ in rows),
        encoding=request.encoding,
        parts=request.parts,
        trans=bool(request.trans),
        max_parts=segments.MAX_PARTS_LANDING,
    )
    return dataclasses.replace(request, encoding=plan.encoding, parts=plan.parts)


def check_request(request: Request, rows: Sequence[Row]) -> None:
    """ValueError naming what the provider would refuse in every batch."""
    # A filter the provider does not know ({name|typo}) would fail every batch.
    for where in ("message", "body", "template_body"):
        text = getattr(request, where, None)
        if isinstance(text, str):
            try:
                placeholders.check_filters(text)
            except ValueError as exc:
                raise ValueError(f"{where.replace('_', ' ')}: {exc}") from None
    if isinstance(request, LandingRequest):
        if LANDING_PLACEHOLDER not in request.message:
            raise ValueError(f"a landing SMS must contain {LANDING_PLACEHOLDER}")
        if not request.sender.strip():
            raise ValueError("the sender is empty")
        if (request.template_body, request.template_id, request.template_v2_id) == (None,) * 3:
            raise ValueError("a landing SMS needs a page: an HTML body or a template id")
        if isinstance(request.notification_url, tuple):
            # /landingsms documents `notificationUrl` as "string": one URL for the send.
            raise ValueError("a landing SMS takes one notification URL, not one per recipient")
        landing_plan(request, rows)
    elif isinstance(request, MailingRequest):
        if (request.body, request.template_id, request.template_v2_id) == (None,) * 3:
            raise ValueError("an email needs a body or a template id")
        if (request.cc or request.bcc) and len(rows) > MAX_WITH_COPIES:
            raise ValueError(
                f"cc and bcc go with every request: send to at most {MAX_WITH_COPIES} "
                "recipients with them"
            )
    elif isinstance(request, VoiceRequest):
        if not request.message:
            raise ValueError("the message is empty")
        if len(request.message) > MAX_VOICE_MESSAGE:
            raise ValueError(f"a spoken message takes at most {MAX_VOICE_MESSAGE} characters")
    elif isinstance(request, WhatsAppTemplateRequest):
        if len(request.messages) != 1:
            raise ValueError("a WhatsApp job takes one message template")
        if not request.sender.strip():
            raise ValueError("the sender is empty")
        template = request.messages[0]
        for text in (
            *template.header_fields,
            *template.body_fields,
            *template.call_to_action_fields,
        ):
            placeholders.check_local(text)
        for index, (to, variables, _) in enumerate(rows, start=1):
            if variables:
                try:
                    _wa_message(template, to, variables)
                except ValueError as exc:
                    raise ValueError(f"recipient {index} ({to}): {exc}") from None


def create_channel_job(
    journal: Journal,
    account: str,
    provider: str,
    request: Request,
    recipients: Iterable[JobRecipient],
    *,
    pricing: Pricing | None = None,
) -> int:
    """Validate and journal a landing, email, voice or WhatsApp job; its id. Nothing is sent.

    `request` is the template: its recipients (`to`, `sub`, a WhatsApp message's `to`) are
    ignored; `recipients` are (to, variables[, ISO country]) rows.
    """
    channel = _CHANNEL_OF.get(type(request))
    if channel is None:
        raise ValueError(f"{type(request).__name__} is not sent as a channel job")
    # An audio file takes no variables: the reference's /voiceAudio has no `sub`.
    rows = job_rows(recipients, phone=channel != MAILING, variables=channel != VOICE_AUDIO)
    check_request(request, rows)
    if isinstance(request, LandingRequest):
        request = landing_plan(request, rows)
    if isinstance(request, WhatsAppTemplateRequest):
        encoded = _encode(request)
        encoded["message"] = _encode(request.messages[0])
    else:
        encoded = _encode(request)
    message: dict[str, Any] = {"request": encoded}
    if pricing is not None:
        message["pricing"] = pricing.encode()
    return journal.create_job(
        account=account, provider=provider, channel=channel, message=message, recipients=rows
    )


# --- channels ---------------------------------------------------------------------------


class RequestChannel:
    """One request per batch: the template with the batch's `to` (and `sub`)."""

    batch_size: int | None = None
    batch_fixed = False
    max_batch: int | None = None
    takes_sub: ClassVar[bool] = True

    def __init__(self, job: Job) -> None:
        self.template: Any = template_of(job)

    def request(self, batch: Sequence[Claimed]) -> Any:
        """The batch's request."""
        to = tuple(c.to for c in batch)
        if self.takes_sub and any(c.vars for c in batch):
            sub = tuple(c.vars or {} for c in batch)
            return dataclasses.replace(self.template, to=to, sub=sub)
        return dataclasses.replace(self.template, to=to)

    async def call(self, backend: Backend, request: Any) -> SendResult:
        """The backend method for this channel."""
        raise NotImplementedError

    async def send(self, backend: Backend, batch: Sequence[Claimed]) -> list[Outcome]:
        """One request for the batch; outcomes per recipient."""
        return match_results(batch, await self.call(backend, self.request(batch)))


class LandingChannel(RequestChannel):
    """POST /landingsms."""

    async def call(self, backend: Backend, request: Any) -> SendResult:
        return await backend.capability(LandingApi).send_landing(request)


class MailingChannel(RequestChannel):
    """POST /mailing; with cc or bcc the whole job is one request (copies go with every
    request, and create_channel_job allowed at most MAX_WITH_COPIES recipients)."""

    def __init__(self, job: Job) -> None:
        super().__init__(job)
        if self.template.cc or self.template.bcc:
            self.batch_size, self.batch_fixed = MAX_WITH_COPIES, True

    async def call(self, backend: Backend, request: Any) -> SendResult:
        return await backend.capability(MailApi).send_mailing(request)


class VoiceChannel(RequestChannel):
    """POST /voice (text to speech)."""

    async def call(self, backend: Backend, request: Any) -> SendResult:
        return await backend.capability(VoiceApi).send_voice(request)


class VoiceAudioChannel(RequestChannel):
    """POST /voiceAudio (an audio file; no variables)."""

    takes_sub = False

    async def call(self, backend: Backend, request: Any) -> SendResult:
        return await backend.capability(VoiceAudioApi).send_voice_audio(request)


class WhatsAppChannel(RequestChannel):
    """POST /whatsapp: one message per recipient, its fields rendered with its variables."""

    def request(self, batch: Sequence[Claimed]) -> WhatsAppTemplateRequest:
        """The batch's request."""
        assert isinstance(self.template, WhatsAppTemplateRequest)
        message = self.template.messages[0]
        try:
            messages = tuple(_wa_message(message, c.to, c.vars or {}) for c in batch)
        except ValueError as exc:
            # Checked when the job was created; only a hand-edited journal gets here.
            raise ConfigError(f"WhatsApp variables: {exc}") from None
        return dataclasses.replace(self.template, messages=messages)

    async def call(self, backend: Backend, request: Any) -> SendResult:
        return await backend.capability(WhatsAppTemplatesApi).send_whatsapp_template(request)


CHANNEL_TYPES: Final = {
    LANDING: LandingChannel,
    MAILING: MailingChannel,
    VOICE: VoiceChannel,
    VOICE_AUDIO: VoiceAudioChannel,
    WHATSAPP: WhatsAppChannel,
}


# --- describing a job -------------------------------------------------------------------


def job_summary(job: Job) -> str:
    """One line saying what a job sends (for Jobs and `jobs show`)."""
    m = job.message
    if job.channel == "sms":
        return f"From {m.get('sender', '')}: {m.get('message', '')}"
    if job.channel == SURVEY:
        return survey_summary(job)
    if job.channel not in _TYPES:
        return CHANNEL_LABELS.get(job.channel, job.channel)
    r: Mapping[str, Any] = m.get("request", {})
    if job.channel == LANDING:
        return f"From {r.get('sender', '')}: {r.get('message', '')}"
    if job.channel == MAILING:
        return f"From {r.get('sender_email', '')}: {r.get('subject', '')}"
    if job.channel == VOICE:
        return f"Spoken ({r.get('language', '')}, {r.get('gender', '')}): {r.get('message', '')}"
    if job.channel == VOICE_AUDIO:
        return f"Audio file {r.get('audio_url', '')}"
    fields = r.get("message", {}).get("body_fields", [])
    body = f": {' · '.join(fields)}" if fields else ""
    return f"Template {r.get('template_id', '')} from {r.get('sender', '')}{body}"


def sms_text(job: Job) -> tuple[str, int, bool, str | None] | None:
    """(text, max parts, trans, encoding) of a job whose messages are SMS (parts to price),
    or None. The encoding is the one its requests carry (None for a job journaled without)."""
    if job.channel == "sms":
        options = job.message.get("options") or {}
        parts = int(options.get("parts") or segments.MAX_PARTS_SMS)
        text = str(job.message.get("message", ""))
        return text, parts, bool(options.get("trans")), options.get("encoding")
    if job.channel == LANDING:
        r = job.message.get("request", {})
        parts = int(r.get("parts") or segments.MAX_PARTS_LANDING)
        return str(r.get("message", "")), parts, bool(r.get("trans")), r.get("encoding")
    return None
