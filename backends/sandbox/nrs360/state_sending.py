"""Emulator state of sends on every channel: campaigns, sendings, scheduled items.

Reports (events CSV, keys, certificates) are derived from these records. Every accepted
send request, SMS included, records one `Sending` (in a `Campaign`) with one `SentItem`
per accepted recipient; scheduled SMS and emails also get one `ScheduledItem` each, which
GET /scheduled lists until the (injected) clock passes its date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: Prices in cents (the balance is kept in cents); SMS parts cost `SMS_PART_COST_CENTS`.
EMAIL_COST_CENTS = 1
ATTACHMENT_COST_CENTS = 1
CERTIFIED_COST_CENTS = 10
VOICE_CALL_COST_CENTS = 8
WHATSAPP_TEMPLATE_COST_CENTS = 6
#: GUIDs are numeric strings, as in the reference's examples ("100", "101").
FIRST_GUID = 100


@dataclass
class SentItem:
    """One recipient of a sending."""

    id: str
    to: str
    custom_fields: dict[str, str] = field(default_factory=dict)
    #: When this recipient is (re)scheduled for; None for immediate sends.
    scheduled_at: datetime | None = None


@dataclass
class Sending:
    """One accepted send request: channel sms|mailing|voice|voiceAudio|landingsms|whatsapp."""

    id: int
    campaign_id: int
    channel: str
    created_at: datetime
    items: list[SentItem] = field(default_factory=list)
    scheduled_at: datetime | None = None
    content: dict[str, Any] = field(default_factory=dict)
    cost: float = 0.0


@dataclass
class Campaign:
    """A campaign groups sendings (named campaigns collect several)."""

    id: int
    name: str
    channel: str
    created_at: datetime
    tags: list[str] = field(default_factory=list)


@dataclass
class ScheduledItem:
    """One scheduled message (one recipient of a scheduled SMS or email)."""

    guid: str
    type: str  # SMS or MAILING, the only types the reference's /scheduled knows
    sending_id: int
    item_id: str
    content: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    scheduled_at: datetime


class SendingState:
    """Campaigns and sendings of the emulator."""

    def __init__(self) -> None:
        self.campaigns: dict[int, Campaign] = {}
        self.sendings: dict[int, Sending] = {}
        self.scheduled: dict[str, ScheduledItem] = {}
        self._next_guid = FIRST_GUID

    def record(
        self,
        *,
        campaign_id: int,
        campaign_name: str | None,
        channel: str,
        tags: Iterable[str],
        sending_id: int,
        now: datetime,
        items: list[SentItem],
        scheduled_at: datetime | None,
        content: dict[str, Any],
        cost_cents: int,
    ) -> Sending:
        """Store an accepted send; a named campaign gathers every sending under its name."""
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            # Unnamed API sends get a campaign of their own; the platform names it after
            # the channel and time so the dashboard can still tell them apart.
            name = campaign_name or f"API {channel} {now:%Y-%m-%d %H:%M:%S}"
            campaign = Campaign(campaign_id, name, channel, now)
            self.campaigns[campaign_id] = campaign
        campaign.tags.extend(t for t in tags if t not in campaign.tags)
        for item in items:
            item.scheduled_at = scheduled_at
        sending = Sending(
            id=sending_id,
            campaign_id=campaign_id,
            channel=channel,
            created_at=now,
            items=items,
            scheduled_at=scheduled_at,
            content=content,
            cost=cost_cents / 100,
        )
        self.sendings[sending_id] = sending
        return sending

    def schedule(
        self, sending: Sending, type: str, now: datetime, content: dict[str, dict[str, Any]]
    ) -> None:
        """One scheduled item per recipient of a future sending; `content` by item id."""
        assert sending.scheduled_at is not None
        for item in sending.items:
            guid = str(self._next_guid)
            self._next_guid += 1
            self.scheduled[guid] = ScheduledItem(
                guid, type, sending.id, item.id, content[item.id], now, now, sending.scheduled_at
            )

    def pending(self, now: datetime) -> list[ScheduledItem]:
        """Items whose date has not come yet, in GUID order (their time passed: sent)."""
        return [s for s in self.scheduled.values() if s.scheduled_at > now]

    def reschedule(self, item: ScheduledItem, when: datetime, now: datetime) -> None:
        """Move one item; its sending's date becomes the earliest of its items'."""
        item.scheduled_at, item.updated_at = when, now
        sending = self.sendings[item.sending_id]
        for sent in sending.items:
            if sent.id == item.item_id:
                sent.scheduled_at = when
        dates = [s.scheduled_at for s in sending.items if s.scheduled_at is not None]
        sending.scheduled_at = min(dates, default=when)

    def cancel(self, item: ScheduledItem) -> int:
        """Delete one item: it leaves its sending, is never sent; its price in cents back."""
        del self.scheduled[item.guid]
        sending = self.sendings[item.sending_id]
        share = round(sending.cost * 100 / len(sending.items)) if sending.items else 0
        sending.items = [s for s in sending.items if s.id != item.item_id]
        sending.cost = max(0.0, round(sending.cost - share / 100, 2))
        return share
