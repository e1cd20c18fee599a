"""The provider-neutral backend interface.

The UI and CLI ask `Backend.supports(...)` before showing a control or a command; they
never look at provider names. Every method not overridden raises `NotSupported`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import ClassVar

import httpx

from backends.api_lists import ListsApi
from backends.api_reports import ReportsApi
from backends.api_send import SendApi
from backends.errors import NotSupported
from backends.http import HttpClient, paginate
from backends.models import (
    AccountInfo,
    ChatMessage,
    Contact,
    ContactFilter,
    ContactInput,
    Conversation,
    ConversationMessages,
    Group,
    Otp,
    OtpCheck,
    Page,
    SendResult,
    SmsMessage,
    SmsRequest,
)


class Capability(StrEnum):
    """Things a provider can do; the UI shows only what a backend declares."""

    ACCOUNT = "account"
    SMS = "sms"
    SMS_STATUS = "sms-status"
    OTP = "otp"
    CONTACTS = "contacts"
    GROUPS = "groups"
    WHATSAPP_CONVERSATIONS = "whatsapp-conversations"
    MAILING = "mailing"
    VOICE = "voice"
    VOICE_AUDIO = "voice-audio"
    LANDING_SMS = "landing-sms"
    WHATSAPP_TEMPLATES = "whatsapp-templates"
    SCHEDULED = "scheduled"
    CAMPAIGNS = "campaigns"
    REPORTS = "reports"
    CERTIFICATES = "certificates"
    BLACKLIST = "blacklist"
    EMAIL_VALIDATION = "email-validation"
    TEMPLATES = "templates"
    FORMS = "forms"
    SHORTENER = "shortener"
    IMAGES = "images"
    COVERAGE = "coverage"


@dataclass(frozen=True)
class AccountField:
    """A non-secret account setting a provider needs besides the base URL."""

    name: str
    label: str
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Connection:
    """Where and as whom to connect; the secret never appears in a repr."""

    base_url: str
    username: str = ""
    secret: str = field(default="", repr=False)
    options: Mapping[str, str] = field(default_factory=dict)


class Backend(SendApi, ListsApi, ReportsApi):
    """Base class of every provider client.

    Subclasses set the class-level metadata and override the methods of the
    capabilities they declare.
    """

    provider: ClassVar[str]
    label: ClassVar[str]
    default_base_url: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    # Whether the account needs a username besides the secret.
    needs_username: ClassVar[bool] = True
    secret_label: ClassVar[str] = "API secret"
    extra_fields: ClassVar[tuple[AccountField, ...]] = ()

    def __init__(
        self, connection: Connection, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.connection = connection
        self.http = self._make_http(connection, transport)

    def _make_http(
        self, connection: Connection, transport: httpx.AsyncBaseTransport | None
    ) -> HttpClient:
        """The account's HTTP client; subclasses choose the auth."""
        raise NotImplementedError

    @classmethod
    def supports(cls, capability: Capability) -> bool:
        """Whether this provider offers a capability."""
        return capability in cls.capabilities

    def _unsupported(self, what: str) -> NotSupported:
        return NotSupported(f"{self.label} does not support {what}")

    async def aclose(self) -> None:
        """Release the connection pool."""
        await self.http.aclose()

    async def __aenter__(self) -> Backend:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- account -------------------------------------------------------------------
    async def account(self) -> AccountInfo:
        """The account's identity and balance.

        Raises:
            AuthError: credentials refused.
        """
        raise self._unsupported("account information")

    # --- sending -------------------------------------------------------------------
    async def send_sms(self, request: SmsRequest) -> SendResult:
        """Send one SMS request (one or many recipients).

        Returns:
            Per-recipient results (a 207 answer is applied per recipient).
        Raises:
            BadRequest: the whole request was refused, with the provider's code.
        """
        raise self._unsupported("SMS")

    async def sms_status(self, ids: list[str]) -> list[SmsMessage]:
        """Sent messages by id, with their events."""
        raise self._unsupported("SMS status")

    # --- OTP -----------------------------------------------------------------------
    async def otp_generate(
        self,
        recipient: str,
        *,
        length: int | None = None,
        alpha: bool | None = None,
        max_attempts: int | None = None,
        validity: int | None = None,
        app_id: str | None = None,
        reject_if_pending: bool | None = None,
    ) -> Otp:
        """Generate a code for a phone number or email."""
        raise self._unsupported("OTP")

    async def otp_check(
        self,
        recipient: str,
        code: str,
        *,
        app_id: str | None = None,
        case_sensitive: bool | None = None,
    ) -> OtpCheck:
        """Check a code; the result says valid or why not."""
        raise self._unsupported("OTP")

    # --- contacts and groups -------------------------------------------------------
    async def contacts_page(
        self,
        page: int = 1,
        *,
        limit: int = 100,
        filters: ContactFilter | None = None,
        include_details: bool = False,
    ) -> Page[Contact]:
        """One page of contacts matching the filters."""
        raise self._unsupported("contacts")

    async def iter_contacts(
        self, *, filters: ContactFilter | None = None, limit: int = 1000
    ) -> AsyncIterator[Contact]:
        """Every contact matching the filters, page by page."""
        async for contact in paginate(
            lambda page: self.contacts_page(page, limit=limit, filters=filters)
        ):
            yield contact

    async def contact(self, contact_id: int) -> Contact:
        """One contact with its custom fields and groups."""
        raise self._unsupported("contacts")

    async def create_contact(self, data: ContactInput) -> Contact:
        """Create a contact."""
        raise self._unsupported("contacts")

    async def update_contact(self, contact_id: int, data: ContactInput) -> Contact:
        """Replace a contact's fields."""
        raise self._unsupported("contacts")

    async def delete_contact(self, contact_id: int) -> None:
        """Delete a contact."""
        raise self._unsupported("contacts")

    async def groups_page(self, page: int = 1, *, limit: int = 100) -> Page[Group]:
        """One page of groups."""
        raise self._unsupported("groups")

    async def iter_groups(self, *, limit: int = 1000) -> AsyncIterator[Group]:
        """Every group."""
        async for group in paginate(lambda page: self.groups_page(page, limit=limit)):
            yield group

    async def group(self, group_id: int) -> Group:
        """One group."""
        raise self._unsupported("groups")

    async def create_group(self, name: str) -> Group:
        """Create a group."""
        raise self._unsupported("groups")

    async def update_group(self, group_id: int, name: str) -> Group:
        """Rename a group."""
        raise self._unsupported("groups")

    async def delete_group(self, group_id: int) -> None:
        """Delete a group."""
        raise self._unsupported("groups")

    # --- WhatsApp conversations ----------------------------------------------------
    async def conversations_page(
        self,
        page: int = 1,
        *,
        limit: int = 100,
        sender: str | None = None,
        recipient: str | None = None,
    ) -> Page[Conversation]:
        """One page of WhatsApp conversations, optionally filtered."""
        raise self._unsupported("WhatsApp conversations")

    async def conversation(self, sender: str, recipient: str) -> Conversation:
        """One conversation with its session state."""
        raise self._unsupported("WhatsApp conversations")

    async def conversation_messages(
        self, sender: str, recipient: str, *, page: int = 1, limit: int = 100
    ) -> ConversationMessages:
        """A page of a conversation's messages."""
        raise self._unsupported("WhatsApp conversations")

    async def reply(self, sender: str, recipient: str, content: str) -> ChatMessage:
        """Send a free-text message inside an active 24-hour session."""
        raise self._unsupported("WhatsApp conversations")
