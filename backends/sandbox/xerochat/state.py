"""In-memory state of the XeroChat emulator.

Only the server's event loop mutates it and handlers are synchronous, so every change is
atomic; tests read it through `app.state.xerochat`. Values are kept as the API prints them
(PHP/MySQL strings) where that keeps the routes simple.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real current time, in UTC."""
    return datetime.now(UTC)


def stamp(moment: datetime | None) -> str:
    """A MySQL DATETIME as the API prints it; the zero date when unset."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "0000-00-00 00:00:00"


@dataclass
class User:
    """A platform user and the API key that authenticates as them."""

    id: int
    name: str
    email: str
    password: str
    api_key: str = ""
    mobile: str = ""
    address: str = ""
    user_type: str = "Member"
    status: str = "1"
    package_id: int = 0
    add_date: datetime | None = None
    last_login_at: datetime | None = None
    last_login_ip: str = ""
    expired_date: datetime | None = None

    @property
    def is_admin(self) -> bool:
        """Whether the user may call the (Admin) endpoints."""
        return self.user_type == "Admin"


@dataclass
class Package:
    """A subscription package."""

    id: int
    name: str
    module_ids: str
    price: str
    validity: int
    deleted: bool = False
    visible: bool = True
    highlight: bool = False


@dataclass
class BotPage:
    """A Facebook page connected to the platform; only bot-enabled pages take labels."""

    page_id: str
    page_name: str
    user_id: int
    bot_enabled: bool = True


@dataclass
class Subscriber:
    """A Messenger subscriber (PSID) of one page."""

    subscriber_id: str
    page_id: str
    user_id: int
    first_name: str
    last_name: str
    gender: str = ""
    locale: str = ""
    timezone: str = ""
    email: str = ""
    phone_number: str = ""
    birthdate: str = "0000-00-00"
    subscribed_at: datetime | None = None
    last_interaction_at: datetime | None = None
    label_ids: list[str] = field(default_factory=list)


@dataclass
class LabelRec:
    """A label of a bot page."""

    label_id: str
    label_name: str
    page_id: str


@dataclass
class ContactGroup:
    """A contact group ("contact type")."""

    id: int
    user_id: int
    name: str
    created_at: datetime
    deleted: bool = False


@dataclass
class ContactRec:
    """An address-book contact."""

    id: int
    user_id: int
    contact_type_id: int
    first_name: str = ""
    last_name: str = ""
    phone_number: str = ""
    email: str = ""
    notes: str = ""
    unsubscribed: bool = False
    deleted: bool = False


@dataclass
class Flow:
    """A flow campaign: its questions (id, text) and each subscriber's answers by question."""

    id: int
    user_id: int
    name: str
    questions: list[tuple[str, str]]
    answers: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class XeroChatState:
    """Everything the emulator knows."""

    seed: int = 7
    clock: Clock = utc_now
    users: dict[int, User] = field(default_factory=dict)
    packages: dict[int, Package] = field(default_factory=dict)
    pages: dict[str, BotPage] = field(default_factory=dict)
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    labels: dict[str, LabelRec] = field(default_factory=dict)
    groups: dict[int, ContactGroup] = field(default_factory=dict)
    contacts: dict[int, ContactRec] = field(default_factory=dict)
    flows: dict[int, Flow] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @property
    def now(self) -> datetime:
        """The emulator's current time."""
        return self.clock()

    def next_id(self, table: Mapping[int, object], floor: int) -> int:
        """The next auto-increment id of a table."""
        return max([floor, *table]) + 1

    def new_label_id(self) -> str:
        """A 16-digit id like the page-scoped ids Facebook hands out."""
        return str(self.rng.randrange(10**15, 10**16))

    def user_for_key(self, api_key: str) -> User | None:
        """The user an API key belongs to, if the key is known and not expired."""
        for user in self.users.values():
            if api_key and user.api_key == api_key:
                if user.status != "1":
                    return None
                if user.expired_date is not None and user.expired_date < self.now:
                    return None
                return user
        return None
