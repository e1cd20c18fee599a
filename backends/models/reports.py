"""Domain models: campaigns, event and key reports, certificates, tools and coverage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

#: Campaign channels the campaigns list can filter on (the reference's own names).
CAMPAIGN_CHANNELS = ("sms", "mailing", "landing", "text2speech", "voice-interactive")
CertificateKind = Literal["sms", "mail"]
IMAGE_EXTENSIONS = ("jpg", "png")


@dataclass(frozen=True)
class SendingEvents:
    """How many events of each kind a sending produced so far."""

    delivered: int = 0
    opened: int = 0
    opened_unique: int = 0
    clicked: int = 0
    clicked_unique: int = 0
    unsubscribed: int = 0
    hard_bounced: int = 0
    complaint: int = 0
    sent: int = 0
    soft_bounced: int = 0
    undelivered: int = 0
    rejected: int = 0
    expired: int = 0
    unsubscribed_landing: int = 0


@dataclass(frozen=True)
class SendingSummary:
    """One sending of a campaign, with its totals."""

    id: int
    campaign_name: str
    status: str
    channel: str
    total: int
    processed: int
    total_sms_parts: int | None = None
    cost: float | None = None
    currency: str = ""
    tags: tuple[str, ...] = ()
    scheduled_at: datetime | None = None
    expires_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    events: SendingEvents = field(default_factory=SendingEvents)


@dataclass(frozen=True)
class Campaign:
    """A campaign (basic, automatic, trigger or testab) and its sendings."""

    id: int
    name: str
    type: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    sendings: tuple[SendingSummary, ...] = ()


@dataclass(frozen=True)
class ReportEvent:
    """One row of a sending's events report.

    `call_duration_seconds` is only set in the voice layout; browser, os and url only in
    the layout of the other channels. `custom_fields` holds the extra columns that
    `showCustomFields=1` adds.
    """

    campaign_name: str
    campaign_id: int | None
    sending_id: int | None
    contact_id: int | None
    event: str
    phone: str = ""
    email: str = ""
    landline: str = ""
    country_iso: str = ""
    browser: str = ""
    os: str = ""
    url: str = ""
    call_duration_seconds: int | None = None
    created_at: datetime | None = None
    custom_fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventsReport:
    """A sending's events report: the CSV as received and its parsed rows."""

    csv: str
    columns: tuple[str, ...]
    rows: tuple[ReportEvent, ...]

    @property
    def voice(self) -> bool:
        """Whether the report uses the voice layout (call duration, no browser/os/url)."""
        return "callDurationSeconds" in self.columns

    def counts(self) -> dict[str, int]:
        """Rows per event kind."""
        out: dict[str, int] = {}
        for row in self.rows:
            out[row.event] = out.get(row.event, 0) + 1
        return out


@dataclass(frozen=True)
class KeyPress:
    """One row of a voice-interactive sending's keystroke report."""

    phone: str
    key: str
    message: str


@dataclass(frozen=True)
class KeysReport:
    """A sending's keystroke report: the CSV as received and its parsed rows."""

    csv: str
    rows: tuple[KeyPress, ...]


@dataclass(frozen=True)
class Certificate:
    """A delivery certificate document (a PDF) as downloaded."""

    content: bytes = field(repr=False)
    content_type: str
    filename: str | None = None


@dataclass(frozen=True)
class ShortUrl:
    """The shortener's answer for one long URL; `short_url` is None when it failed."""

    long_url: str
    short_url: str | None
    error: bool


@dataclass(frozen=True)
class ImageUpload:
    """An image to host: `extension` is jpg or png, `content` the raw file bytes."""

    external_id: str
    extension: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class HostedImage:
    """Where the provider hosts an uploaded image; `image_url` is None when it failed."""

    external_id: str
    image_url: str | None
    error: bool


@dataclass(frozen=True)
class NetworkPrice:
    """The price of one SMS to one mobile network (network "Default": any other)."""

    country_iso: str
    country_name: str
    network: str
    mcc: str
    mnc: str | None
    cost: float
    currency: str
    currency_symbol: str = ""


@dataclass(frozen=True)
class CountryPrice:
    """The range of SMS prices to a country and its networks."""

    country_iso: str
    country_name: str
    networks: tuple[str, ...]
    min_cost: float
    max_cost: float
    currency: str
    currency_symbol: str = ""
