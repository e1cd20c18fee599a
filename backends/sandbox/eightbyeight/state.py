"""In-memory state of the 8x8 SMS Engage emulator: keys, subaccounts, surveys, batches.

Only the server's event loop mutates it (handlers never await half-way through a change);
tests read it through `app.state.eightbyeight`.
"""

from __future__ import annotations

import random
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

Clock = Callable[[], datetime]

DEMO_API_KEY = "demo-8x8-api-key"
DEMO_SUBACCOUNT = "Switchboard_Demo"
DEMO_SURVEY = "csat-2025"
# A subaccount that exists but belongs to another customer's key (error 1001).
OTHER_SUBACCOUNT = "Other-Customer"

# GSM 03.38 basic set plus the extension table (escaped characters count as GSM7 too).
_GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    "^{}\\[~]|€\f"
)


def detect_encoding(text: str) -> str:
    """What AUTO resolves to: GSM7 when every character fits, else UCS2."""
    return "GSM7" if all(c in _GSM7 for c in text) else "UCS2"


def utc_now() -> datetime:
    """The real current time, in UTC."""
    return datetime.now(UTC)


@dataclass
class SurveySms:
    """One message of a batch as the emulator accepted or rejected it."""

    umid: str
    batch_id: str
    destination: str
    status: str
    description: str
    encoding: str
    text: str
    country: str | None = None
    source: str | None = None
    client_message_id: str | None = None
    scheduled: str | None = None
    expiry: str | None = None
    dlr_callback_url: str | None = None


@dataclass
class Batch:
    """A submitted batch."""

    batch_id: str
    sub_account_id: str
    survey_id: str
    client_batch_id: str | None
    umids: list[str]
    accepted: int
    rejected: int
    received_at: datetime


@dataclass(frozen=True)
class Fault:
    """An error the next request answers with instead of being processed."""

    status: int
    code: int
    message: str
    retry_after: float | None = None


@dataclass
class EightByEightState:
    """Everything the emulator knows."""

    seed: int = 88
    clock: Clock = utc_now
    # API key -> the subaccounts it may use.
    keys: dict[str, set[str]] = field(default_factory=dict)
    # subaccount -> its survey ids.
    surveys: dict[str, set[str]] = field(default_factory=dict)
    batches: dict[str, Batch] = field(default_factory=dict)
    messages: dict[str, SurveySms] = field(default_factory=dict)
    faults: deque[Fault] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @property
    def now(self) -> datetime:
        """The emulator's current time."""
        return self.clock()

    def new_id(self) -> str:
        """A GUID like the ones 8x8 generates (deterministic per seed)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def fail_next(
        self,
        status: int = 500,
        code: int = 2000,
        message: str = "Internal server error",
        retry_after: float | None = None,
    ) -> None:
        """Answer the next request with this error (fault injection)."""
        self.faults.append(Fault(status, code, message, retry_after))


def populate(state: EightByEightState, api_key: str = DEMO_API_KEY) -> None:
    """The demo key, subaccounts and surveys."""
    state.keys[api_key] = {DEMO_SUBACCOUNT, "Switchboard.Marketing"}
    state.keys["other-customer-key"] = {OTHER_SUBACCOUNT}
    state.surveys[DEMO_SUBACCOUNT] = {DEMO_SURVEY, "nps-quarterly", "delivery-feedback"}
    state.surveys["Switchboard.Marketing"] = {"event-followup"}
    state.surveys[OTHER_SUBACCOUNT] = {DEMO_SURVEY}
