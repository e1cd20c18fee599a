"""Collect emulator state: the demo account's ids, campaigns, team, contacts and requests,
the rate limit, and the seeded demo data.
"""

from __future__ import annotations

import math
import random
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-collect-password"
API_PREFIX = "/v1"
DEMO_CAMPAIGN_ID = "xvr69EYLKXvTkfYuk"
DEMO_CONTACT_ID = "WmTjsFknzHdmfs3Ra"
WORKSPACE_ID = "uGFRDeEL3Ct2uYo2c"

STATUS_NAMES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
# The reference's own sentences, used when there is no more specific detail.
STATUS_TEXT = {
    401: "Your API key is wrong.",
    429: "You're requesting too many objects! Slow down!",
    500: "We had a problem with our server. Try again later.",
    503: "We're temporarily offline for maintenance. Please try again later.",
}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Meteor's id alphabet: Collect's ids (`xvr69EYLKXvTkfYuk`) are Meteor ids.
ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real current time, in UTC."""
    return datetime.now(UTC)


def collect_time(moment: datetime) -> str:
    """Collect's timestamp format: `2022-07-04 07:20:06 UTC`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass
class Campaign:
    """A campaign and the document items it asks for."""

    id: str
    name: str
    items: dict[str, str]
    admin_only: bool = False
    has_messages: bool = True
    due_days: int = 7


@dataclass
class Member:
    """A team member; `campaigns` None means access to every campaign."""

    id: str
    email: str
    campaigns: set[str] | None = None


@dataclass
class Contact:
    """A contact requests are sent to."""

    id: str
    email: str
    created_at: datetime
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    nb_requests: int = 0
    last_activity: datetime | None = None


@dataclass
class DocRequest:
    """A created request."""

    id: str
    campaign_id: str
    contact_id: str
    items: list[str]
    created_at: datetime
    due_date: datetime
    data: dict[str, Any] = field(default_factory=dict)
    sample: dict[str, str] | None = None
    created_by: str | None = None
    assigned_to: str | None = None
    messages_sent: bool = False
    status: str = "pending"


@dataclass
class CollectState:
    """Campaigns, contacts, team and requests; mutated only on the server loop."""

    clock: Clock = utc_now
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    admins: set[str] = field(default_factory=set)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    requests: dict[str, DocRequest] = field(default_factory=dict)
    rate_limit: int = 10
    rate_window: float = 1.0
    hits: dict[str, deque[datetime]] = field(default_factory=dict)
    maintenance: bool = False
    # Statuses to answer instead of handling the next requests (fault injection).
    faults: list[int] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        """The emulator's current time."""
        return self.clock()

    def new_id(self) -> str:
        """A fresh Meteor-style id."""
        return "".join(self.rng.choice(ID_ALPHABET) for _ in range(17))

    def retry_after(self, user: str) -> int | None:
        """Seconds to wait when `user` is over the limit (and count this request if not)."""
        now, window = self.now, timedelta(seconds=self.rate_window)
        hits = self.hits.setdefault(user, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= self.rate_limit:
            return max(1, math.ceil((hits[0] + window - now).total_seconds()))
        hits.append(now)
        return None

    def member(self, key: str) -> Member | None:
        """A team member by id or email."""
        return self.members.get(key) or next(
            (m for m in self.members.values() if m.email.lower() == key.lower()), None
        )


def seed(state: CollectState) -> None:
    """Demo campaigns, team and a known contact."""
    state.campaigns[DEMO_CAMPAIGN_ID] = Campaign(
        DEMO_CAMPAIGN_ID,
        "Customer onboarding (KYC)",
        {"idCard": "ID card", "proofOfAddress": "Proof of address", "bankDetails": "Bank details"},
    )
    state.campaigns["hiddenBoardDocs01"] = Campaign(
        "hiddenBoardDocs01", "Board documents", {"minutes": "Signed minutes"}, admin_only=True
    )
    state.campaigns["supplierNoMsgs001"] = Campaign(
        "supplierNoMsgs001",
        "Supplier onboarding",
        {"kbis": "Company registration"},
        has_messages=False,
    )
    state.members["aliceTeamMember01"] = Member("aliceTeamMember01", "alice@example.com")
    state.members["bobTeamMember0001"] = Member("bobTeamMember0001", "bob@example.com", set())
    created = datetime(2022, 7, 3, 13, 51, 27, tzinfo=UTC)
    state.contacts[DEMO_CONTACT_ID] = Contact(
        DEMO_CONTACT_ID,
        "johndoe@example.com",
        created,
        "John",
        "Doe",
        nb_requests=4,
        last_activity=created,
    )
