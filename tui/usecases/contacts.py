"""What a contact must hold before it is created, changed or imported, for both front ends.

The CLI (`contacts create|update`) and the console (New/Edit contact, CSV import) build a
ContactInput from their arguments, form or CSV row and pass it through `check_contact`:
the same input gets the same answer everywhere, a refusal as one line (ContactRefused)
and an acceptance as the ContactInput to send, its mobile number normalised the way
Compose normalises recipients where the provider stores international numbers (so
"+34 600 111 333" is sent to 360nrs as "34600111333").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Final

import phonenumbers

from backends.base import Backend
from backends.capabilities import ContactsListingApi
from backends.emails import normalise_email
from backends.models.common import Contact, ContactFilter, ContactInput, CustomField, split_type
from tui.engine.phones import DEFAULT_REGION, normalise_phone

# The fields a contact is reached by (one is needed), as the messages name them.
ADDRESSES: Final = {"email": "an email", "phone": "a mobile phone", "landline": "a landline"}
# A contact's plain fields a provider may not hold, as "<provider> contacts have no ...".
# The country is not among them: XeroChat takes one and stores nothing
# (backends/xerochat/client.py).
_OPTIONAL: Final = {"landline": "landline", "external_id": "external id"}
# What a typed landline may be written with besides its digits.
_SEPARATORS: Final = re.compile(r"[\s().\-/]")


class ContactRefused(ValueError):
    """A contact the rules refuse; its message is one line either front end shows as is."""


@dataclass(frozen=True)
class ContactRules:
    """What a provider's contacts hold and need (Backend's `contact_*` class attributes)."""

    label: str = "The provider"
    fields: tuple[str, ...] = Backend.contact_fields
    custom_fields: bool = True
    group_names: bool = True
    one_group: bool = False
    groups_movable: bool = True
    # A phone or landline needs a country with it (360nrs refuses one without, HTTP 422).
    number_needs_country: bool = False
    # An update replaces the whole contact, so it needs what a create needs.
    update_replaces: bool = False
    # Whether mobile numbers are stored in international form, normalised here. 360nrs
    # writes them so ("phone=34666666666") and asks for the country that lets a national
    # number be read; XeroChat's example keeps a national one ("phone_number":
    # "01234567891") and its backend sends numbers as typed, so only separators go.
    international_numbers: bool = False

    @classmethod
    def of(cls, backend: type[Backend]) -> ContactRules:
        """The rules a backend class declares."""
        return cls(
            label=backend.label,
            fields=backend.contact_fields,
            custom_fields=backend.contact_custom_fields,
            group_names=backend.contact_group_names,
            one_group=backend.contact_one_group,
            groups_movable=backend.contact_groups_movable,
            number_needs_country=backend.contact_number_needs_country,
            update_replaces=backend.contact_update_replaces,
            # The country a provider needs with a number is what reads it (see above).
            international_numbers=backend.contact_number_needs_country,
        )

    def addresses(self) -> list[str]:
        """The fields of ADDRESSES this provider's contacts hold, in order."""
        return [f for f in ADDRESSES if f in self.fields]


def or_list(items: Iterable[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    words = list(items)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def normalise_mobile(text: str, country: str | None) -> str:
    """A typed mobile number as E.164 digits without '+' when it is a valid number,
    else as typed without separators.

    The 360nrs reference writes contact phones in international form without '+' (its
    filter example: "phone=34666666666"), as its SMS recipients ("Must include the
    international prefix (e.g. in Spain 34666666666)"): so the recipients loader's
    normaliser, reading a national number in the contact's country (else Compose's
    default region). A number it does not know is not refused here: contacts already
    stored with one must stay editable, and the provider judges its own format.
    """
    region = (country or "").upper()
    # A country the numbering plan does not know ("ESP") cannot read a national number:
    # the number is read as Compose reads it, and the provider's rules judge the country.
    if region not in phonenumbers.SUPPORTED_REGIONS:
        region = DEFAULT_REGION
    got = normalise_phone(text, region)
    return clean_number(text) if isinstance(got, str) else got[0]


def clean_number(text: str) -> str:
    """A typed number without its spaces, dots, dashes, slashes and parentheses.

    Landlines are not normalised to international form: the 360nrs reference's only
    landline example is national ("landline=900222222"), so they keep the form typed.
    """
    return _SEPARATORS.sub("", text)


def check_groups(ids: tuple[int, ...], names: tuple[str, ...], rules: ContactRules) -> None:
    """ContactRefused when the groups given are more, or other, than the provider takes."""
    if names and not rules.group_names:
        raise ContactRefused(f"{rules.label} contacts have no group names: give groups by id")
    if rules.one_group and len(ids) + len(names) > 1:
        raise ContactRefused(f"a {rules.label} contact belongs to exactly one group")


def check_contact(data: ContactInput, rules: ContactRules, *, update: bool = False) -> ContactInput:
    """`data` as it is sent to create (or, with `update`, change) a contact, or
    ContactRefused saying what is wrong.

    A create, or an update of a provider whose update replaces the contact, needs an
    address and a group; an update that changes only the fields given needs one field to
    change. "" in a field means "clear it" and is kept as it is.
    """
    if update and data == ContactInput():
        raise ContactRefused("give at least one field to change")
    whole = not update or rules.update_replaces
    for field, what in _OPTIONAL.items():
        if field not in rules.fields and getattr(data, field):
            raise ContactRefused(f"{rules.label} contacts have no {what}")
    if data.custom_fields and not rules.custom_fields:
        raise ContactRefused(f"{rules.label} contacts have no custom fields")
    reachable = rules.addresses()
    if whole and not any(getattr(data, f) for f in reachable):
        raise ContactRefused(f"give {or_list(ADDRESSES[f] for f in reachable)}")
    country = data.country.strip().upper() if data.country else data.country
    if rules.number_needs_country and (data.phone or data.landline) and not country:
        raise ContactRefused(
            f"{rules.label} needs a country (two-letter ISO code, e.g. ES) with a phone number"
        )
    check_groups(data.group_ids, data.group_names, rules)
    if whole and not (data.group_ids or data.group_names) and (not update or rules.groups_movable):
        raise ContactRefused("give at least one group (a name or an id)")
    phone = data.phone
    if phone:
        phone = (
            normalise_mobile(phone, country) if rules.international_numbers else clean_number(phone)
        )
    landline = clean_number(data.landline) if data.landline else data.landline
    return replace(data, phone=phone, landline=landline, country=country)


def parse_custom_fields(text: str) -> tuple[CustomField, ...]:
    """`key=value[:type]` lines as custom fields, or ValueError naming the bad line."""
    fields = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, sep, rest = line.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"custom field line {number}: write key=value or key=value:type")
        value, kind = split_type(rest.strip()) or (rest.strip(), "string")
        fields.append(CustomField(key.strip(), value, kind))
    return tuple(fields)


def format_custom_fields(fields: tuple[CustomField, ...]) -> str:
    """Custom fields as the `key=value[:type]` lines the form edits (and parses back)."""

    def line(f: CustomField) -> str:
        # A string that ends like a type ("x:date") says ":string", or it would come back
        # as that type.
        suffix = f":{f.type}" if f.type != "string" or split_type(f.value) else ""
        return f"{f.key}={f.value}{suffix}"

    return "\n".join(line(f) for f in fields)


def parse_groups(text: str, sep: str = ",") -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Groups separated by `sep` as (ids, names): entries that are whole numbers are ids."""
    ids: list[int] = []
    names: list[str] = []
    for part in text.split(sep):
        part = part.strip()
        if part.isdigit():
            ids.append(int(part))
        elif part:
            names.append(part)
    return tuple(ids), tuple(names)


# --- duplicates ----------------------------------------------------------------------
def _plain(value: str | None) -> str:
    return (value or "").strip().casefold()


async def same_contact(api: ContactsListingApi, data: ContactInput) -> Contact | None:
    """The provider's contact that is exactly `data` (the same email, numbers, country,
    name and surname), found with its exact filter on the email, else the phone, else
    the landline; None when there is none. `data` is as check_contact returns it (its
    numbers normalised as the provider stores them)."""
    if data.email:
        filters = ContactFilter(email=data.email)
    elif data.phone:
        filters = ContactFilter(phone=data.phone)
    elif data.landline:
        filters = ContactFilter(landline=data.landline)
    else:
        return None
    fields = ("email", "phone", "landline", "country", "name", "surname")
    page = await api.contacts_page(1, limit=100, filters=filters)
    for contact in page.items:
        if all(_plain(getattr(contact, f)) == _plain(getattr(data, f)) for f in fields):
            return contact
    return None


# --- search ------------------------------------------------------------------------
# What a typed number may hold: digits and the separators people write them with.
_NUMBER_TEXT: Final = re.compile(r"^\+?[\d\s().\-/]+$")
SEARCH_PAGE: Final = 100


@dataclass(frozen=True)
class SearchProgress:
    """How far a search is: contacts read of the listing's `total`, matches so far."""

    searched: int
    total: int
    #: The contacts found so far, for a front end to show before the search ends.
    matches: tuple[Contact, ...] = ()

    def text(self) -> str:
        """'searched 300 of 1,200 · 2 found'."""
        return f"searched {self.searched:,} of {self.total:,} · {len(self.matches):,} found"


@dataclass(frozen=True)
class SearchResult:
    """The contacts a search found; `exact` names the provider filter that found them
    ("email", "phone"), None when they were found by reading every page."""

    contacts: tuple[Contact, ...]
    searched: int
    total: int
    exact: str | None = None

    def summary(self) -> str:
        """One line for people."""
        noun = "contact" if len(self.contacts) == 1 else "contacts"
        if self.exact is not None:
            return f"{len(self.contacts):,} {noun} found by the provider's {self.exact} filter"
        return f"{len(self.contacts):,} {noun} found · searched {self.searched:,} of {self.total:,}"


def number_digits(text: str) -> str | None:
    """The digits of a typed (part of a) number, None when the text is not one."""
    if not _NUMBER_TEXT.match(text.strip()):
        return None
    return re.sub(r"\D", "", text) or None


def exact_filter(text: str, filters: ContactFilter) -> tuple[str, ContactFilter] | None:
    """The provider's own filter for a search text that is a whole email or a whole valid
    mobile number (the 360nrs reference's `email=` and `phone=`: exact matches only), or
    None when only reading the contacts can find it."""
    text = text.strip()
    # The email as typed: the filter matches one value exactly, and a stored email in
    # another case is still found by reading the contacts.
    if "@" in text and normalise_email(text) is not None:
        return "email", replace(filters, email=text)
    if number_digits(text) is None:
        return None
    got = normalise_phone(text, filters.country or DEFAULT_REGION)
    if isinstance(got, str):
        return None
    return "phone", replace(filters, phone=got[0])


def contact_matches(contact: Contact, text: str) -> bool:
    """Whether a search text is part of the contact's name, surname, full name or email
    (any case), or its digits part of the contact's phone or landline."""
    needle = text.strip().casefold()
    full = f"{contact.name or ''} {contact.surname or ''}"
    words = (contact.name, contact.surname, full, contact.email)
    if any(needle in w.casefold() for w in words if w):
        return True
    digits = number_digits(text)
    if digits is None:
        return False
    return any(digits in re.sub(r"\D", "", n) for n in (contact.phone, contact.landline) if n)


async def search_contacts(
    api: ContactsListingApi,
    text: str,
    filters: ContactFilter | None = None,
    *,
    page_size: int = SEARCH_PAGE,
    progress: Callable[[SearchProgress], None] | None = None,
) -> SearchResult:
    """The contacts (within the provider-side `filters`) whose name, surname, email or
    number holds `text`; ValueError when there is no text.

    A whole email or mobile number ("+34 600 111 333", normalised as Compose does) is
    first asked of the provider's exact filter; when that finds nobody, or the text is
    only part of one ("laura", "111 333"), the contacts are read page by page and
    matched here, `progress` told after each page. Cancelling (the caller's task) stops
    between requests.
    """
    text = text.strip()
    if not text:
        raise ValueError("Type part of a name, surname, email or number to search.")
    base = filters or ContactFilter()
    exact = exact_filter(text, base)
    if exact is not None:
        name, narrowed = exact
        first = await api.contacts_page(1, limit=1000, filters=narrowed, include_details=True)
        if first.items:
            found = list(first.items)
            page_no = 1
            while first.has_next:
                page_no += 1
                first = await api.contacts_page(
                    page_no, limit=1000, filters=narrowed, include_details=True
                )
                found.extend(first.items)
            return SearchResult(tuple(found), len(found), len(found), exact=name)
    matches: list[Contact] = []
    searched = total = 0
    page_no = 1
    while True:
        page = await api.contacts_page(page_no, limit=page_size, filters=base, include_details=True)
        total = page.total
        searched += len(page.items)
        matches.extend(c for c in page.items if contact_matches(c, text))
        if progress is not None:
            progress(SearchProgress(searched, total, tuple(matches)))
        if not page.has_next or not page.items:
            break
        page_no += 1
    return SearchResult(tuple(matches), searched, total)
