"""Domain models: sending on other channels and scheduled sends.

Send answers reuse `backends.models.common.SendResult`/`RecipientResult` (the same 202/207
per-recipient shape on every channel).
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from backends.models.common import OtpConfig

#: Text-to-speech languages of POST /voice, in the reference's order.
VOICE_LANGUAGES = (
    "en_GB",
    "en_US",
    "es_ES",
    "es_US",
    "pt_PT",
    "pt_BR",
    "cmn_CN",
    "arb",
    "de_DE",
    "fr_FR",
    "it_IT",
    "hi_IN",
)
#: Languages the reference marks "available only in female gender".
FEMALE_ONLY_LANGUAGES = frozenset({"cmn_CN", "arb", "hi_IN"})
VOICE_GENDERS = ("F", "M")
MAX_VOICE_RETRIES = 5
MAX_VOICE_MESSAGE = 500
#: Landing SMS allow fewer concatenated parts than plain SMS (8, not 15).
MAX_LANDING_PARTS = 8
#: What a landing SMS text must contain; the platform puts the landing page's URL there.
LANDING_PLACEHOLDER = "{LAND_URL}"
SCHEDULED_TYPES = ("SMS", "MAILING")

VoiceGender = Literal["F", "M"]
ScheduledType = Literal["SMS", "MAILING"]


@dataclass(frozen=True)
class Attachment:
    """An email attachment; `content` is the raw file, base64-encoded only on the wire."""

    name: str
    content: bytes = field(repr=False)
    content_type: str = "application/octet-stream"

    @classmethod
    def from_path(cls, path: str | Path, *, name: str | None = None) -> Attachment:
        """Read a file, guessing its content type from the name (octet-stream if unknown)."""
        file = Path(path)
        guessed, _ = mimetypes.guess_type(file.name)
        return cls(name or file.name, file.read_bytes(), guessed or "application/octet-stream")

    @cached_property
    def _base64(self) -> str:
        return base64.b64encode(self.content).decode("ascii")

    def encoded(self) -> str:
        """The content in base64, as the API wants it (encoded once: a job's batches
        share the attachment, and megabytes re-encoded per request stall the loop)."""
        return self._base64


@dataclass(frozen=True)
class MailingRequest:
    """An email send; one of `body`, `template_id` or `template_v2_id` is required."""

    to: tuple[str, ...]
    sender_email: str
    subject: str
    reply_to: str
    body: str | None = None
    template_id: int | None = None
    template_v2_id: int | None = None
    sender_name: str | None = None
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    schedule_date: datetime | None = None
    campaign_name: str | None = None
    tags: tuple[str, ...] = ()
    certified: bool | None = None
    sub: tuple[Mapping[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    track_opens: bool | None = None
    track_clicks: bool | None = None
    otp_config: OtpConfig | None = None


@dataclass(frozen=True)
class VoiceRequest:
    """A text-to-speech call to one or many numbers."""

    to: tuple[str, ...]
    message: str
    language: str
    gender: VoiceGender
    callers: Mapping[str, str] = field(default_factory=dict)
    schedule_date: datetime | None = None
    retries: int | None = None
    expiration_date: datetime | None = None
    campaign_name: str | None = None
    tags: tuple[str, ...] = ()
    sub: tuple[Mapping[str, str], ...] = ()
    amd: bool | None = None


@dataclass(frozen=True)
class VoiceAudioRequest:
    """A call that plays an audio file from a URL."""

    to: tuple[str, ...]
    audio_url: str
    callers: Mapping[str, str] = field(default_factory=dict)
    schedule_date: datetime | None = None
    retries: int | None = None
    expiration_date: datetime | None = None
    campaign_name: str | None = None
    tags: tuple[str, ...] = ()
    amd: bool | None = None


@dataclass(frozen=True)
class LandingRequest:
    """An SMS linking a landing page; the message must contain `{LAND_URL}`.

    One of `template_body`, `template_id` or `template_v2_id` gives the page.
    """

    to: tuple[str, ...]
    sender: str
    message: str
    template_body: str | None = None
    template_id: int | None = None
    template_v2_id: int | None = None
    encoding: str | None = None
    parts: int | None = None
    trans: bool | None = None
    schedule_date: datetime | None = None
    expiration_date: datetime | None = None
    notification_url: str | None = None
    campaign_name: str | None = None
    tags: tuple[str, ...] = ()
    certified: bool | None = None
    sub: tuple[Mapping[str, str], ...] = ()
    split_parts: bool | None = None
    flash: bool | None = None


@dataclass(frozen=True)
class WhatsAppLocation:
    """A geographic point for templates with a location header."""

    lat: str
    long: str
    name: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class WhatsAppTemplateMessage:
    """One recipient of a template send, with its positional variables."""

    to: str
    header_fields: tuple[str, ...] = ()
    body_fields: tuple[str, ...] = ()
    call_to_action_fields: tuple[str, ...] = ()
    default_answer: str | None = None
    button_answers: tuple[str, ...] = ()
    location: WhatsAppLocation | None = None


@dataclass(frozen=True)
class WhatsAppTemplateRequest:
    """An approved WhatsApp template sent from a registered number."""

    template_id: int
    sender: str
    messages: tuple[WhatsAppTemplateMessage, ...]
    campaign_name: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScheduledMessage:
    """A message waiting for its send date; `content` only when asked for by one GUID."""

    guid: str
    type: str
    sending_id: int | None
    scheduled_at: datetime | None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    content: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ScheduledList:
    """Scheduled messages and how many the provider counted."""

    items: tuple[ScheduledMessage, ...]
    total: int


@dataclass(frozen=True)
class ScheduledChange:
    """The answer to a reschedule or delete: success and how many messages it touched."""

    result: bool
    count: int
