"""Capability interfaces: Campaigns, event and key reports, certificates and coverage."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import ClassVar

from backends.capabilities.kinds import Capability
from backends.models.reports import (
    Campaign,
    Certificate,
    CertificateKind,
    CountryPrice,
    EventsReport,
    KeysReport,
    NetworkPrice,
)


class CampaignsApi(ABC):
    """Capability.CAMPAIGNS."""

    offers: ClassVar[Capability] = Capability.CAMPAIGNS
    what: ClassVar[str] = "campaigns"

    @abstractmethod
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


class ReportsApi(ABC):
    """Capability.REPORTS."""

    offers: ClassVar[Capability] = Capability.REPORTS
    what: ClassVar[str] = "event reports"

    @abstractmethod
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

    @abstractmethod
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


class CertificatesApi(ABC):
    """Capability.CERTIFICATES."""

    offers: ClassVar[Capability] = Capability.CERTIFICATES
    what: ClassVar[str] = "certificates"

    @abstractmethod
    async def certificate(self, kind: CertificateKind, message_id: str) -> Certificate:
        """The delivery certificate of one certified SMS ("sms") or email ("mail").

        Raises:
            NotFound: no such message, or it was not sent as certified.
        """

    async def sms_certificate(self, message_id: str) -> Certificate:
        """The delivery certificate of one certified SMS."""
        return await self.certificate("sms", message_id)

    async def mail_certificate(self, message_id: str) -> Certificate:
        """The delivery certificate of one certified email."""
        return await self.certificate("mail", message_id)


class CoverageApi(ABC):
    """Capability.COVERAGE."""

    offers: ClassVar[Capability] = Capability.COVERAGE
    what: ClassVar[str] = "coverage"

    @abstractmethod
    async def coverage(self, country: str | None = None) -> list[NetworkPrice]:
        """SMS prices per mobile network, optionally of one country (ISO code)."""

    @abstractmethod
    async def coverage_by_country(self, country: str | None = None) -> list[CountryPrice]:
        """SMS price ranges per country, optionally of one country (ISO code)."""
