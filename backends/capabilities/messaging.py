"""Capability interfaces: sending on every channel, scheduled sends, OTP, conversations."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from backends.capabilities.kinds import Capability
from backends.models.common import (
    AccountInfo,
    ChatMessage,
    Conversation,
    ConversationMessages,
    Otp,
    OtpCheck,
    Page,
    SendResult,
    SmsMessage,
    SmsRequest,
)
from backends.models.send import (
    LandingRequest,
    MailingRequest,
    ScheduledChange,
    ScheduledList,
    ScheduledType,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppTemplateRequest,
)


class AccountApi(ABC):
    """Capability.ACCOUNT."""

    offers: ClassVar[Capability] = Capability.ACCOUNT
    what: ClassVar[str] = "account information"

    @abstractmethod
    async def account(self) -> AccountInfo:
        """The account's identity and balance.

        Raises:
            AuthError: credentials refused.
        """


class SmsApi(ABC):
    """Capability.SMS."""

    offers: ClassVar[Capability] = Capability.SMS
    what: ClassVar[str] = "SMS"

    @abstractmethod
    async def send_sms(self, request: SmsRequest) -> SendResult:
        """Send one SMS request (one or many recipients).

        Returns:
            Per-recipient results (a 207 answer is applied per recipient).
        Raises:
            BadRequest: the whole request was refused, with the provider's code.
        """


class SmsStatusApi(ABC):
    """Capability.SMS_STATUS."""

    offers: ClassVar[Capability] = Capability.SMS_STATUS
    what: ClassVar[str] = "SMS status"

    @abstractmethod
    async def sms_status(self, ids: list[str]) -> list[SmsMessage]:
        """Sent messages by id, with their events."""


class OtpApi(ABC):
    """Capability.OTP."""

    offers: ClassVar[Capability] = Capability.OTP
    what: ClassVar[str] = "OTP"

    @abstractmethod
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

    @abstractmethod
    async def otp_check(
        self,
        recipient: str,
        code: str,
        *,
        app_id: str | None = None,
        case_sensitive: bool | None = None,
    ) -> OtpCheck:
        """Check a code; the result says valid or why not."""


class MailApi(ABC):
    """Capability.MAILING."""

    offers: ClassVar[Capability] = Capability.MAILING
    what: ClassVar[str] = "email sending"

    @abstractmethod
    async def send_mailing(self, request: MailingRequest) -> SendResult:
        """Send an email to one or many recipients.

        Returns:
            Per-recipient results (a 207 answer is applied per recipient).
        Raises:
            ValueError: no body or template, or a schedule date without a time zone.
            BadRequest: the whole request was refused, with the provider's code.
        """


class VoiceApi(ABC):
    """Capability.VOICE."""

    offers: ClassVar[Capability] = Capability.VOICE
    what: ClassVar[str] = "voice messages"

    @abstractmethod
    async def send_voice(self, request: VoiceRequest) -> SendResult:
        """Call numbers and read a text aloud.

        Raises:
            ValueError: a date without a time zone.
            BadRequest: the whole request was refused, with the provider's code.
        """


class VoiceAudioApi(ABC):
    """Capability.VOICE_AUDIO."""

    offers: ClassVar[Capability] = Capability.VOICE_AUDIO
    what: ClassVar[str] = "voice messages with audio"

    @abstractmethod
    async def send_voice_audio(self, request: VoiceAudioRequest) -> SendResult:
        """Call numbers and play an audio file.

        Raises:
            ValueError: a date without a time zone.
            BadRequest: the whole request was refused, with the provider's code.
        """


class LandingApi(ABC):
    """Capability.LANDING_SMS."""

    offers: ClassVar[Capability] = Capability.LANDING_SMS
    what: ClassVar[str] = "landing SMS"

    @abstractmethod
    async def send_landing(self, request: LandingRequest) -> SendResult:
        """Send an SMS that links a landing page.

        Raises:
            ValueError: no landing content, or a date without a time zone.
            BadRequest: the whole request was refused, with the provider's code.
        """


class WhatsAppTemplatesApi(ABC):
    """Capability.WHATSAPP_TEMPLATES."""

    offers: ClassVar[Capability] = Capability.WHATSAPP_TEMPLATES
    what: ClassVar[str] = "WhatsApp templates"

    @abstractmethod
    async def send_whatsapp_template(self, request: WhatsAppTemplateRequest) -> SendResult:
        """Send an approved WhatsApp template to one or many numbers.

        Raises:
            BadRequest: the whole request was refused (e.g. an unknown template).
        """


class ScheduledApi(ABC):
    """Capability.SCHEDULED."""

    offers: ClassVar[Capability] = Capability.SCHEDULED
    what: ClassVar[str] = "scheduled sends"

    @abstractmethod
    async def scheduled_list(
        self,
        guids: Sequence[str | int] | None = None,
        type: ScheduledType | None = None,
        sending_id: int | None = None,
    ) -> ScheduledList:
        """Messages waiting for their date; with exactly one GUID, its content too.

        Raises:
            BadRequest: a malformed GUID.
            NotFound: the one GUID asked for is not scheduled.
        """

    @abstractmethod
    async def scheduled_update(
        self,
        guids: Sequence[str | int],
        schedule_date: datetime,
        type: ScheduledType | None = None,
    ) -> ScheduledChange:
        """Move the listed scheduled messages to a new date.

        Raises:
            ValueError: no GUID (use `scheduled_update_all`), or a naive date.
        """

    @abstractmethod
    async def scheduled_update_all(
        self, schedule_date: datetime, type: ScheduledType | None = None
    ) -> ScheduledChange:
        """Move EVERY scheduled message (of a type, if given) to a new date."""

    @abstractmethod
    async def scheduled_delete(
        self, guids: Sequence[str | int], type: ScheduledType | None = None
    ) -> ScheduledChange:
        """Cancel the listed scheduled messages.

        Raises:
            ValueError: no GUID (use `scheduled_delete_all`).
        """

    @abstractmethod
    async def scheduled_delete_all(self, type: ScheduledType | None = None) -> ScheduledChange:
        """Cancel EVERY scheduled message (of a type, if given)."""


class ConversationsApi(ABC):
    """Capability.WHATSAPP_CONVERSATIONS."""

    offers: ClassVar[Capability] = Capability.WHATSAPP_CONVERSATIONS
    what: ClassVar[str] = "WhatsApp conversations"

    @abstractmethod
    async def conversations_page(
        self,
        page: int = 1,
        *,
        limit: int = 100,
        sender: str | None = None,
        recipient: str | None = None,
    ) -> Page[Conversation]:
        """One page of WhatsApp conversations, optionally filtered."""

    @abstractmethod
    async def conversation(self, sender: str, recipient: str) -> Conversation:
        """One conversation with its session state."""

    @abstractmethod
    async def conversation_messages(
        self, sender: str, recipient: str, *, page: int = 1, limit: int = 100
    ) -> ConversationMessages:
        """A page of a conversation's messages."""

    @abstractmethod
    async def reply(self, sender: str, recipient: str, content: str) -> ChatMessage | None:
        """Send a free-text message inside an active 24-hour session.

        Returns the sent message when the provider's answer carries one, else None.
        """
