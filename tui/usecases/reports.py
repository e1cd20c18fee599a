"""Campaign reports for both front ends: the sendings of one campaign added up.

360nrs adds a send that names an existing campaign to that campaign as another sending
("If a campaign with this name already exists, the delivery statistics will be added to
the existing campaign"), and the send engine sends a big campaign in batches: one
campaign then lists one sending per batch. `rollup` adds them up per campaign.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime

from backends.models.reports import Campaign, SendingEvents, SendingSummary


@dataclass(frozen=True)
class CampaignRollup:
    """A campaign's sendings (its batches) and their totals."""

    campaign_id: int
    name: str
    sendings: tuple[SendingSummary, ...]
    total: int
    processed: int
    #: None when no sending reported SMS parts (not an SMS campaign).
    total_sms_parts: int | None
    #: None when no sending reported a cost, or when they are in different currencies.
    cost: float | None
    #: The currency of `cost`; with several currencies, all of them ("EUR, USD").
    currency: str
    events: SendingEvents
    channels: tuple[str, ...]
    statuses: tuple[str, ...]
    #: When the first batch was created.
    created_at: datetime | None

    @property
    def batches(self) -> int:
        """How many sendings the campaign has."""
        return len(self.sendings)


def add_events(events: Iterable[SendingEvents]) -> SendingEvents:
    """The event counts of several sendings, added up kind by kind."""
    sums = {f.name: 0 for f in fields(SendingEvents)}
    for e in events:
        for name in sums:
            sums[name] += getattr(e, name)
    return SendingEvents(**sums)


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def rollup(campaigns: Iterable[Campaign]) -> list[CampaignRollup]:
    """One roll-up per campaign id, in the order the campaigns came; a campaign listed
    twice (the list read again while a batch was added) counts each sending once."""
    merged: dict[int, tuple[str, dict[int, SendingSummary]]] = {}
    for campaign in campaigns:
        _, sendings = merged.setdefault(campaign.id, (campaign.name, {}))
        for s in campaign.sendings:
            sendings[s.id] = s
    return [_totals(cid, name, tuple(s.values())) for cid, (name, s) in merged.items()]


def _totals(campaign_id: int, name: str, sendings: tuple[SendingSummary, ...]) -> CampaignRollup:
    created = [s.created_at for s in sendings if s.created_at is not None]
    parts = [s.total_sms_parts for s in sendings if s.total_sms_parts is not None]
    priced = [s for s in sendings if s.cost is not None]
    currencies = _distinct(s.currency for s in priced)
    # Amounts in different currencies do not add up: then no total, and the currencies.
    cost = sum(s.cost or 0.0 for s in priced) if priced and len(currencies) <= 1 else None
    return CampaignRollup(
        campaign_id=campaign_id,
        name=name,
        sendings=tuple(sorted(sendings, key=lambda s: s.id)),
        total=sum(s.total for s in sendings),
        processed=sum(s.processed for s in sendings),
        total_sms_parts=sum(parts) if parts else None,
        cost=cost,
        currency=", ".join(currencies),
        events=add_events(s.events for s in sendings),
        channels=_distinct(s.channel for s in sendings),
        statuses=_distinct(s.status for s in sendings),
        created_at=min(created) if created else None,
    )
