"""Campaigns, reports, certificates, tools and coverage: the provider-neutral interface.

Every method raises NotSupported unless a backend overrides it; a backend that overrides
a capability's methods (`backends.base.CAPABILITY_METHODS`) has that capability, and the
UI checks `Backend.supports(Capability...)` first. Area models live in `backends/models_reports.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from backends.errors import NotSupported
from backends.models_reports import (
    Campaign,
    Certificate,
    CertificateKind,
    CountryPrice,
    EventsReport,
    HostedImage,
    ImageUpload,
    KeysReport,
    NetworkPrice,
    ShortUrl,
)


class ReportsApi:
    """Campaigns, event and key reports, certificates, tools and coverage."""

    def _not_supported(self, what: str) -> NotSupported:
        label = getattr(self, "label", "this provider")
        return NotSupported(f"{label} does not support {what}")

    # --- campaigns and reports -----------------------------------------------------
    async def campaigns(
        self,
        *,
        name: str | None = None,
        channel: str | None = None,
        before: datetime | None = None,
        after: datetime | None = None,
    ) -> list[Campaign]:
        """Campaigns with their sendings, filtered server-side.

        `name` may use `*` as a wildcard; `channel` is one of `CAMPAIGN_CHANNELS`.

        Raises:
            ValueError: a date without a time zone, or an unknown channel.
            BadRequest: the provider refused a filter.
        """
        raise self._not_supported("campaigns")

    async def sending_events(
        self,
        sending_id: int,
        *,
        after: datetime | None = None,
        before: datetime | None = None,
        custom_fields: bool = False,
    ) -> EventsReport:
        """The events report of one sending (CSV), optionally with its custom fields.

        Raises:
            NotFound: no such sending.
            MalformedResponse: the answer is not the documented CSV.
        """
        raise self._not_supported("event reports")

    async def sending_keys(
        self,
        sending_id: int,
        *,
        after: datetime | None = None,
        before: datetime | None = None,
    ) -> KeysReport:
        """The keystroke report (CSV) of one voice-interactive sending.

        Raises:
            NotFound: no such sending, or it has no keystroke report.
        """
        raise self._not_supported("keystroke reports")

    # --- certificates --------------------------------------------------------------
    async def certificate(self, kind: CertificateKind, message_id: str) -> Certificate:
        """The delivery certificate of one certified SMS ("sms") or email ("mail").

        Raises:
            NotFound: no such message, or it was not sent as certified.
        """
        raise self._not_supported("certificates")

    async def sms_certificate(self, message_id: str) -> Certificate:
        """The delivery certificate of one certified SMS."""
        return await self.certificate("sms", message_id)

    async def mail_certificate(self, message_id: str) -> Certificate:
        """The delivery certificate of one certified email."""
        return await self.certificate("mail", message_id)

    # --- tools ---------------------------------------------------------------------
    async def shorten(self, urls: Sequence[str]) -> list[ShortUrl]:
        """Short URLs for long ones, in order; invalid ones come back with `error` set."""
        raise self._not_supported("the URL shortener")

    async def image_generate(self, images: Sequence[ImageUpload]) -> list[HostedImage]:
        """Host images on the provider (to link from messages); one answer per image.

        Raises:
            ValueError: an extension other than jpg or png.
            BadRequest: the provider refused the request as a whole.
        """
        raise self._not_supported("image hosting")

    # --- coverage ------------------------------------------------------------------
    async def coverage(self, country: str | None = None) -> list[NetworkPrice]:
        """SMS prices per mobile network, optionally of one country (ISO code)."""
        raise self._not_supported("coverage")

    async def coverage_by_country(self, country: str | None = None) -> list[CountryPrice]:
        """SMS price ranges per country, optionally of one country (ISO code)."""
        raise self._not_supported("coverage")
