"""In-memory state of the 360nrs emulator.

Only the server's event loop mutates this state (handlers are async and never await while
half-way through a change), so it needs no lock. Tests may read it directly through
`app.state.nrs`.
"""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .state_lists import ListsState
from .state_sending import SendingState

#: WhatsApp lets a business answer freely only within 24 h of the customer's last message.
SESSION_WINDOW = timedelta(hours=24)
#: Price of one SMS part; the balance is kept in cents so it never drifts like a float.
SMS_PART_COST_CENTS = 5
INITIAL_BALANCE_CENTS = 25_000

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real current time, in UTC."""
    return datetime.now(UTC)


@dataclass
class CustomField:
    """A contact's custom field (`type` is string, date or decimal)."""

    key: str
    type: str
    value: str


@dataclass
class Contact:
    """A contact of the contacts database."""

    id: int
    created_at: datetime
    updated_at: datetime
    email: str | None = None
    phone: str | None = None
    landline: str | None = None
    country_iso: str | None = None
    name: str | None = None
    surname: str | None = None
    external_id: str | None = None
    custom_fields: list[CustomField] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)


@dataclass
class Group:
    """A named list of contacts."""

    id: int
    name: str


@dataclass
class SmsMessage:
    """One accepted SMS (one recipient of a send)."""

    id: str
    sender: str
    to: str
    message: str
    encoding: str
    parts: int
    campaign_id: int
    sending_id: int
    accepted_at: datetime
    scheduled_at: datetime | None
    expires_at: datetime | None


@dataclass
class Otp:
    """The current one-time code of a (recipient, appId) pair."""

    recipient: str
    app_id: str
    code: str
    max_attempts: int
    max_seconds_validity: int
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    attempts: int = 0
    consumed: bool = False


@dataclass
class WaContact:
    """The customer card attached to a WhatsApp conversation."""

    msisdn: str
    first_name: str | None
    last_name: str | None
    email: str | None
    interest: str | None
    comment: str | None
    country: str | None


@dataclass
class WaMessage:
    """One WhatsApp message; timestamps later than "now" are not yet known to clients."""

    id: str
    type: str
    msisdn: str
    content: str
    inbound: bool
    sent_at: datetime
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    failed_at: datetime | None = None
    reactions: list[str] = field(default_factory=list)


@dataclass
class Conversation:
    """A WhatsApp conversation between a business number and a customer."""

    business: str
    customer: str
    contact: WaContact
    created_at: datetime
    status: str = "OPEN"
    messages: list[WaMessage] = field(default_factory=list)  # oldest first

    def session_expires_at(self) -> datetime | None:
        """End of the 24 h window opened by the customer's last message, if any."""
        inbound = [m.sent_at for m in self.messages if m.inbound]
        return max(inbound) + SESSION_WINDOW if inbound else None

    def is_session_active(self, now: datetime) -> bool:
        """Whether free-form replies are allowed at `now`."""
        expires = self.session_expires_at()
        return expires is not None and now < expires

    def updated_at(self) -> datetime:
        """Time of the last message (or creation when empty)."""
        return max((m.sent_at for m in self.messages), default=self.created_at)


class Nrs360State:
    """Everything the emulator knows: account, contacts, sends, OTPs, conversations."""

    def __init__(self, *, seed: int, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or utc_now
        # A separate generator from the seed data's, so runtime ids are reproducible too.
        self.rng = random.Random(seed * 7919 + 1)
        # Each message's delivery fate is drawn from the seed and its id (dlr.fate_of).
        self.seed = seed
        self.balance_cents = INITIAL_BALANCE_CENTS
        self.contacts: dict[int, Contact] = {}
        self.groups: dict[int, Group] = {}
        self.sms: dict[str, SmsMessage] = {}
        self.otps: dict[tuple[str, str], Otp] = {}
        self.conversations: dict[tuple[str, str], Conversation] = {}
        self.campaigns: dict[str, int] = {}
        self.sending = SendingState()
        self.lists = ListsState()
        self._next_contact_id = 1
        self._next_group_id = 1
        self._next_campaign_id = 100_000
        self._next_sending_id = 100_001

    def now(self) -> datetime:
        """The injected clock's time in UTC, to whole seconds (as the API shows times)."""
        now = self.clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        return now.astimezone(UTC).replace(microsecond=0)

    @property
    def balance(self) -> float:
        """Account balance in euros."""
        return self.balance_cents / 100

    def new_contact_id(self) -> int:
        """Allocate a contact id."""
        self._next_contact_id += 1
        return self._next_contact_id - 1

    def new_group_id(self) -> int:
        """Allocate a group id."""
        self._next_group_id += 1
        return self._next_group_id - 1

    def campaign_id(self, name: str | None) -> int:
        """The id of the named campaign (created on first use), or a fresh anonymous one."""
        if name and name in self.campaigns:
            return self.campaigns[name]
        self._next_campaign_id += 1
        if name:
            self.campaigns[name] = self._next_campaign_id - 1
        return self._next_campaign_id - 1

    def new_sending_id(self) -> int:
        """Allocate a sending id (one per accepted send request)."""
        self._next_sending_id += 1
        return self._next_sending_id - 1

    def new_sms_id(self) -> str:
        """A unique 13-character uppercase alphanumeric message id."""
        alphabet = string.ascii_uppercase + string.digits
        while True:
            candidate = "".join(self.rng.choices(alphabet, k=13))
            if candidate not in self.sms:
                return candidate

    def new_uuid(self) -> str:
        """A reproducible random UUID4 string."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def group_by_name(self, name: str) -> Group | None:
        """Find a group by exact name."""
        return next((g for g in self.groups.values() if g.name == name), None)

    def contact_by_phone(self, phone: str) -> Contact | None:
        """Find the contact whose mobile phone is `phone` (leading + ignored)."""
        wanted = phone.lstrip("+")
        return next(
            (c for c in self.contacts.values() if (c.phone or "").lstrip("+") == wanted), None
        )
