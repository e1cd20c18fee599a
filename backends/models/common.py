"""Domain models shared by every backend; provider JSON is mapped to these at the edge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class AccountInfo:
    """Who we are logged in as and how much credit is left."""

    username: str
    balance: float | None
    currency: str
    email: str = ""
    country: str = ""
    timezone: str = ""
    language: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class RecipientResult:
    """The provider's verdict on one recipient of a send."""

    to: str
    accepted: bool
    id: str | None = None
    parts: int | None = None
    error_code: int | str | None = None
    error: str | None = None
    scheduled_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class SendResult:
    """The answer to one send request: per-recipient results plus provider ids."""

    results: tuple[RecipientResult, ...]
    campaign_id: int | None = None
    sending_id: int | None = None

    @property
    def accepted(self) -> int:
        """How many recipients were accepted."""
        return sum(1 for r in self.results if r.accepted)

    @property
    def rejected(self) -> int:
        """How many recipients were rejected."""
        return sum(1 for r in self.results if not r.accepted)


@dataclass(frozen=True)
class MessageEvent:
    """One event in a message's life (sent, delivered, clicked...)."""

    type: str
    date: datetime | None


@dataclass(frozen=True)
class SmsMessage:
    """A sent SMS as the provider reports it."""

    id: str
    to: str
    sender: str
    message: str
    campaign_id: int | None = None
    sending_id: int | None = None
    delivered: bool = False
    clicked: bool = False
    events: tuple[MessageEvent, ...] = ()
    custom_fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Otp:
    """An OTP code and its limits."""

    recipient: str
    code: str
    attempts: int
    max_attempts: int
    max_seconds_validity: int
    app_id: str
    created_at: datetime | None
    expires_at: datetime | None

    @property
    def attempts_left(self) -> int:
        """Checks the provider will still accept."""
        return max(0, self.max_attempts - self.attempts)


@dataclass(frozen=True)
class OtpCheck:
    """The result of checking a code."""

    valid: bool
    reason: str
    otp: Otp | None


# The types a custom field may have (the reference's customFields[]type).
FIELD_TYPES = ("string", "date", "decimal")


def split_type(value: str) -> tuple[str, str] | None:
    """`value:type` as (value, type) when a known type follows the last colon, else None.

    Only a known type after the last colon is a type: ISO times keep their colons.
    """
    head, colon, tail = value.rpartition(":")
    return (head.strip(), tail.strip()) if colon and tail.strip() in FIELD_TYPES else None


@dataclass(frozen=True)
class CustomField:
    """A contact's custom field."""

    key: str
    value: str
    type: str = "string"


@dataclass(frozen=True)
class GroupRef:
    """A group a contact belongs to."""

    id: int
    name: str


@dataclass(frozen=True)
class Contact:
    """An address-book contact."""

    id: int
    email: str | None = None
    phone: str | None = None
    landline: str | None = None
    country: str | None = None
    name: str | None = None
    surname: str | None = None
    external_id: str | None = None
    custom_fields: tuple[CustomField, ...] = ()
    groups: tuple[GroupRef, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ContactInput:
    """Fields to create or update a contact; None means 'not sent'."""

    email: str | None = None
    phone: str | None = None
    landline: str | None = None
    country: str | None = None
    name: str | None = None
    surname: str | None = None
    external_id: str | None = None
    group_ids: tuple[int, ...] = ()
    group_names: tuple[str, ...] = ()
    custom_fields: tuple[CustomField, ...] = ()


@dataclass(frozen=True)
class ContactFilter:
    """Server-side contact filters."""

    email: str | None = None
    phone: str | None = None
    landline: str | None = None
    country: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class Group:
    """A contact group."""

    id: int
    name: str


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a paginated listing."""

    items: tuple[T, ...]
    page: int
    per_page: int
    total: int
    total_pages: int

    @property
    def has_next(self) -> bool:
        """Whether a later page exists."""
        return self.page < self.total_pages


@dataclass(frozen=True)
class ContactInfo:
    """The person behind a WhatsApp conversation."""

    msisdn: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    country: str = ""


@dataclass(frozen=True)
class Conversation:
    """A WhatsApp conversation between a business number and a customer."""

    sender: str
    recipient: str
    total_messages: int
    status: str
    session_active: bool
    session_expires_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    contact: ContactInfo | None = None


@dataclass(frozen=True)
class ChatMessage:
    """One message in a WhatsApp conversation."""

    id: str
    type: str
    msisdn: str
    content: str
    reactions: tuple[str, ...] = ()
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    failed_at: datetime | None = None

    @property
    def state(self) -> str:
        """The furthest delivery state reached: failed, read, delivered, sent or pending."""
        if self.failed_at:
            return "failed"
        if self.read_at:
            return "read"
        if self.delivered_at:
            return "delivered"
        return "sent" if self.sent_at else "pending"


@dataclass(frozen=True)
class ConversationMessages:
    """A page of a conversation's messages with the session state."""

    messages: tuple[ChatMessage, ...]
    status: str
    session_active: bool
    session_expires_at: datetime | None
    page: int = 1
    total_pages: int = 1


@dataclass(frozen=True)
class OtpConfig:
    """How an `{OTP_CODE}` placeholder in a message is generated."""

    alpha: bool | None = None
    length: int | None = None
    max_attempts: int | None = None
    max_seconds_validity: int | None = None
    app_id: str | None = None
    reject_if_pending: bool | None = None


@dataclass(frozen=True)
class AvailableTime:
    """A weekday window (UTC) in which an SMS may be delivered; day None means every day."""

    start: str
    end: str
    day: int | None = None


@dataclass(frozen=True)
class SmsRequest:
    """An SMS send: one text to one or many recipients, with every documented option."""

    to: tuple[str, ...]
    sender: str
    message: str
    encoding: str | None = None
    parts: int | None = None
    trans: bool | None = None
    schedule_date: datetime | None = None
    expiration_date: datetime | None = None
    campaign_name: str | None = None
    tags: tuple[str, ...] = ()
    certified: bool | None = None
    sub: tuple[Mapping[str, str], ...] = ()
    split_parts: bool | None = None
    flash: bool | None = None
    available_times: tuple[AvailableTime, ...] = ()
    otp_config: OtpConfig | None = None
    notification_url: str | tuple[str, ...] | None = None
