"""Sending on other channels and scheduled sends: the provider-neutral interface.

Every method raises NotSupported unless a backend overrides it; a backend that overrides
a capability's methods (`backends.base.CAPABILITY_METHODS`) has that capability, and the
UI checks `Backend.supports(Capability...)` first. Area models live in `backends/models_send.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from backends.errors import NotSupported
from backends.models import SendResult
from backends.models_send import (
    LandingRequest,
    MailingRequest,
    ScheduledChange,
    ScheduledList,
    ScheduledType,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppTemplateRequest,
)


class SendApi:
    """Sending on other channels and scheduled sends."""

    def _not_supported(self, what: str) -> NotSupported:
        label = getattr(self, "label", "this provider")
        return NotSupported(f"{label} does not support {what}")

    # --- other channels ------------------------------------------------------------
    async def send_mailing(self, request: MailingRequest) -> SendResult:
        """Send an email to one or many recipients.

        Returns:
            Per-recipient results (a 207 answer is applied per recipient).
        Raises:
            ValueError: no body or template, or a schedule date without a time zone.
            BadRequest: the whole request was refused, with the provider's code.
        """
        raise self._not_supported("email sending")

    async def send_voice(self, request: VoiceRequest) -> SendResult:
        """Call numbers and read a text aloud.

        Raises:
            ValueError: a date without a time zone.
            BadRequest: the whole request was refused, with the provider's code.
        """
        raise self._not_supported("voice messages")

    async def send_voice_audio(self, request: VoiceAudioRequest) -> SendResult:
        """Call numbers and play an audio file.

        Raises:
            ValueError: a date without a time zone.
            BadRequest: the whole request was refused, with the provider's code.
        """
        raise self._not_supported("voice messages with audio")

    async def send_landing(self, request: LandingRequest) -> SendResult:
        """Send an SMS that links a landing page.

        Raises:
            ValueError: no landing content, or a date without a time zone.
            BadRequest: the whole request was refused, with the provider's code.
        """
        raise self._not_supported("landing SMS")

    async def send_whatsapp_template(self, request: WhatsAppTemplateRequest) -> SendResult:
        """Send an approved WhatsApp template to one or many numbers.

        Raises:
            BadRequest: the whole request was refused (e.g. an unknown template).
        """
        raise self._not_supported("WhatsApp templates")

    # --- scheduled sends -------------------------------------------------------------
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
        raise self._not_supported("scheduled sends")

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
        raise self._not_supported("scheduled sends")

    async def scheduled_update_all(
        self, schedule_date: datetime, type: ScheduledType | None = None
    ) -> ScheduledChange:
        """Move EVERY scheduled message (of a type, if given) to a new date."""
        raise self._not_supported("scheduled sends")

    async def scheduled_delete(
        self, guids: Sequence[str | int], type: ScheduledType | None = None
    ) -> ScheduledChange:
        """Cancel the listed scheduled messages.

        Raises:
            ValueError: no GUID (use `scheduled_delete_all`).
        """
        raise self._not_supported("scheduled sends")

    async def scheduled_delete_all(self, type: ScheduledType | None = None) -> ScheduledChange:
        """Cancel EVERY scheduled message (of a type, if given)."""
        raise self._not_supported("scheduled sends")
