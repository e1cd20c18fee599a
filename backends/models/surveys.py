"""Domain models: survey sends (Xebo) and document/information requests (Collect)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any

from backends.emails import email_problem

# --- surveys -----------------------------------------------------------------------------

#: Keys a survey contact carries as addresses; every other key is respondent information.
ADDRESS_KEYS = frozenset({"email", "mobile"})

# The Xebo reference gives no address formats, only that "'email' field is mandatory for
# medium 2. 'mobile' field is mandatory for medium 1.": an email is what backends.emails
# accepts, a mobile is a phone number (an optional +, digits, the usual separators, 6 to 15 digits:
# E.164 allows 15). The kind is what matters: an email is never a mobile, nor the reverse.
NUMBER_RE = re.compile(r"^\+?[0-9][0-9 ().-]*$")
MIN_DIGITS, MAX_DIGITS = 6, 15
# A Collect sample's `url`: the reference says only "'itemId' and 'url'"; a link a
# contact can open is an http(s) one.
URL_RE = re.compile(r"^https?://[^\s/]+\S*$")


class SurveyMedium(IntEnum):
    """The channel a survey invitation goes out on (Xebo's numeric `medium`)."""

    SMS = 1
    EMAIL = 2
    WHATSAPP = 3

    @property
    def address_key(self) -> str:
        """The contact field the medium needs.

        The reference makes `mobile` mandatory for SMS and `email` for email; it says
        nothing for WhatsApp, which addresses phone numbers, so WhatsApp needs `mobile` too.
        """
        return "email" if self is SurveyMedium.EMAIL else "mobile"

    @property
    def label(self) -> str:
        """The medium as the reference names it ("1: SMS 2: Email 3: Whatsapp")."""
        return {1: "SMS", 2: "Email", 3: "WhatsApp"}[self.value]


def address_problem(key: str, value: Any) -> str | None:
    """Why `value` is not an address of kind `key` ("email" or "mobile"), or None."""
    if not isinstance(value, str) or not value.strip():
        return f"no '{key}'"
    text = value.strip()
    if key == "email":
        if email_problem(text):
            return f"{text!r} is not an email address"
        return None
    digits = sum(ch.isdigit() for ch in text)
    if not NUMBER_RE.match(text) or not MIN_DIGITS <= digits <= MAX_DIGITS:
        return f"{text!r} is not a mobile number"
    return None


def check_contacts(contacts: Iterable[SurveyContact], medium: SurveyMedium) -> None:
    """ValueError (one line) naming the contacts whose address does not fit the medium:
    an email for Email, a mobile number for SMS and WhatsApp."""
    bad: list[str] = []
    count = 0
    for i, c in enumerate(contacts, 1):
        count = i
        problem = address_problem(medium.address_key, c.address(medium))
        if problem is not None:
            bad.append(f"#{i} {problem}")
    if not count:
        raise ValueError("no contacts")
    if bad:
        shown = "; ".join(bad[:5]) + (f"; and {len(bad) - 5} more" if len(bad) > 5 else "")
        needs = "an email" if medium.address_key == "email" else "a mobile number"
        raise ValueError(f"{medium.label} sends to {needs} for every contact: {shown}")


@dataclass(frozen=True)
class SurveyContact:
    """One respondent: addresses plus custom respondent fields (e.g. city)."""

    email: str | None = None
    mobile: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clash = ADDRESS_KEYS & set(self.fields)
        if clash:
            raise ValueError(f"custom fields may not be named {', '.join(sorted(clash))}")

    def address(self, medium: SurveyMedium) -> str | None:
        """The address the medium sends to, if the contact has one."""
        return self.email if medium.address_key == "email" else self.mobile

    def to_json(self) -> dict[str, Any]:
        """The contact as the provider's flat object (addresses beside custom fields)."""
        out: dict[str, Any] = {}
        if self.email is not None:
            out["email"] = self.email
        if self.mobile is not None:
            out["mobile"] = self.mobile
        out.update(self.fields)
        return out


def contact_from_row(row: Mapping[str, Any]) -> SurveyContact:
    """A contact from a flat row (a CSV line, a JSON object): `email` and `mobile` in any
    case are its addresses, other non-empty values its respondent fields."""
    addresses: dict[str, str] = {}
    fields: dict[str, Any] = {}
    for raw_key, value in row.items():
        key = str(raw_key).strip()
        if not key or value in (None, ""):
            continue
        if key.lower() in ADDRESS_KEYS:
            addresses.setdefault(key.lower(), value)
        else:
            fields[key] = value
    return SurveyContact(
        email=addresses.get("email"), mobile=addresses.get("mobile"), fields=fields
    )


def same_address(address: str, medium: SurveyMedium) -> str:
    """What two addresses on the medium share when they are one: mobiles compare without
    spaces, dashes or a leading '+', emails without case."""
    if medium.address_key == "email":
        return address.strip().lower()
    # Digits only, so "+34 666" and "34666" are one number; something without digits
    # (check_contacts refuses it first) keeps its text rather than becoming "".
    return "".join(ch for ch in address if ch.isdigit()) or address.strip().lower()


def unique_contacts(
    contacts: list[SurveyContact], medium: SurveyMedium
) -> tuple[list[SurveyContact], int]:
    """The contacts without repeats of an address on the medium (the first one stays),
    and how many were dropped (same_address says which addresses are one)."""

    def key(c: SurveyContact) -> str | None:
        a = c.address(medium)
        return None if a is None else same_address(a, medium)

    seen: set[str] = set()
    unique: list[SurveyContact] = []
    for c in contacts:
        k = key(c)
        if k is not None and k in seen:
            continue
        if k is not None:
            seen.add(k)
        unique.append(c)
    return unique, len(contacts) - len(unique)


@dataclass(frozen=True)
class SurveySend:
    """A survey invitation to a list of contacts on one medium."""

    medium: SurveyMedium
    contacts: tuple[SurveyContact, ...]


@dataclass(frozen=True)
class RejectedContact:
    """A contact the provider refused, as it echoed it back, and why."""

    contact: Mapping[str, Any]
    reason: str


@dataclass(frozen=True)
class SurveySendResult:
    """The provider's verdict on a survey send."""

    accepted: int
    rejected: int
    rejected_list: tuple[RejectedContact, ...] = ()
    message: str = ""
    message_id: str = ""


# --- document requests ---------------------------------------------------------------------


@dataclass(frozen=True)
class NewRequestContact:
    """A contact created (or matched by email) along with the request."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestSample:
    """An example file shown to the contact for one document item of the campaign."""

    item_id: str
    url: str


@dataclass(frozen=True)
class DocumentRequest:
    """A request for documents/information; `contact` is new, or an existing contact's id."""

    campaign_id: str
    contact: NewRequestContact | str
    items: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    sample: RequestSample | None = None
    due_date: datetime | None = None
    created_by: str | None = None
    assigned_to: str | None = None
    # None leaves the campaign's default (send its planned messages).
    send_message: bool | None = None


@dataclass(frozen=True)
class RequestContact:
    """The contact a request was sent to, as the provider knows it."""

    id: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    nb_requests: int | None = None
    created_at: datetime | None = None
    last_activity: datetime | None = None


@dataclass(frozen=True)
class SentRequest:
    """A created request: where the contact answers it, and its state."""

    id: str
    campaign_id: str
    portal_url: str
    status: str
    created_at: datetime | None = None
    due_date: datetime | None = None
    privacy: str = ""
    contact: RequestContact | None = None
    # Non-fatal problems the provider reported alongside the created request.
    errors: tuple[str, ...] = ()


def check_document_request(req: DocumentRequest) -> None:
    """ValueError (one line) for what the Collect reference requires of a request."""
    # "campaignId string Required" and "contact string | object Required".
    if not req.campaign_id.strip():
        raise ValueError("a campaign id is required")
    if isinstance(req.contact, str):
        if not req.contact.strip():
            raise ValueError("a contact id is required (or a new contact's email)")
    elif email_problem(str(req.contact.email or "")):
        raise ValueError(f"{req.contact.email!r} is not an email address")
    if any(not item.strip() for item in req.items):
        raise ValueError("an item id is empty")
    # "The object must contain 2 parameters: 'itemId' and 'url'."
    if req.sample is not None:
        if not req.sample.item_id.strip():
            raise ValueError("the sample needs an item id")
        if not URL_RE.match(req.sample.url.strip()):
            raise ValueError(f"the sample url {req.sample.url!r} is not an http(s) URL")
