"""Emulator state of sends on every channel: campaigns, sendings, scheduled items.

Reports (events CSV, keys, certificates) are derived from these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class SentItem:
    """One recipient of a sending."""

    id: str
    to: str
    custom_fields: dict[str, str] = field(default_factory=dict)


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


class SendingState:
    """Campaigns and sendings of the emulator."""

    def __init__(self) -> None:
        self.campaigns: dict[int, Campaign] = {}
        self.sendings: dict[int, Sending] = {}
