"""Contacts database: /contacts and /groups."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    EMAIL_RE,
    JsonObject,
    as_int,
    base_url,
    invalid,
    is_blank,
    iso,
    not_found,
    ok,
    optional_str,
    page_params,
    paginate,
    read_json,
    required_str,
    state_of,
)
from .state import Contact, CustomField, Group, Nrs360State

_NUMBER_RE = re.compile(r"^\+?\d{6,15}$")
_COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")
FIELD_TYPES = ("string", "date", "decimal")
# The reference's filters, each "for a specific" value (email=myemail@example.com,
# phone=34666666666, ...): the contacts whose field is that value. Nothing more is read
# into them (no other case, no "+" dropped, no part of a value): clients find the rest
# themselves (tui.usecases.contacts.search_contacts).
_FILTERS: dict[str, Callable[[Contact], str | None]] = {
    "email": lambda c: c.email,
    "phone": lambda c: c.phone,
    "landline": lambda c: c.landline,
    "countryIso": lambda c: c.country_iso,
    "externalId": lambda c: c.external_id,
}


def _includes(request: Request) -> set[str]:
    # Unknown include names are ignored, as Fractal does.
    return {part.strip() for part in request.query_params.get("include", "").split(",")}


def _contact_json(state: Nrs360State, contact: Contact, includes: set[str]) -> JsonObject:
    # externalId is accepted and filterable but, like the reference, never shown.
    data: JsonObject = {
        "id": contact.id,
        "email": contact.email,
        "phone": contact.phone,
        "countryIso": contact.country_iso,
        "landline": contact.landline,
        "name": contact.name,
        "surname": contact.surname,
        "createdAt": iso(contact.created_at),
        "updatedAt": iso(contact.updated_at),
    }
    if "customFields" in includes:
        fields = [{"key": f.key, "type": f.type, "value": f.value} for f in contact.custom_fields]
        data["customFields"] = {"data": fields}
    if "groups" in includes:
        groups = [state.groups[g] for g in contact.group_ids if g in state.groups]
        data["groups"] = {"data": [{"id": g.id, "name": g.name} for g in groups]}
    return data


@dataclass
class _ContactInput:
    """A validated POST/PUT /contacts body."""

    present: set[str]
    values: dict[str, str | None]
    group_ids: list[int]
    new_group_names: list[str]
    custom_fields: list[CustomField] | None
    #: Keys of custom fields sent with a null (or empty) value: they are removed.
    removed_fields: list[str]


def _custom_field(index: int, item: Any) -> CustomField:
    """A validated custom field; an empty `value` means "remove this key"."""
    prefix = f"custom fields.{index}"
    if not isinstance(item, dict) or is_blank(item.get("key")):
        raise invalid(f"The {prefix}.key field is required.")
    kind = item.get("type") or "string"
    if kind not in FIELD_TYPES:
        raise invalid(f"The selected {prefix}.type is invalid.")
    raw = item.get("value")
    value = "" if raw is None else str(raw)
    if kind == "date" and value:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise invalid(f"The {prefix}.value is not a valid date.") from None
    if kind == "decimal" and value:
        try:
            Decimal(value)
        except InvalidOperation:
            raise invalid(f"The {prefix}.value must be a number.") from None
    return CustomField(key=str(item["key"]), type=kind, value=value)


def _contact_input(state: Nrs360State, body: JsonObject) -> _ContactInput:
    # Laravel's ConvertEmptyStringsToNull: a blank string is a null, and a null sent for
    # a field clears it (the fields are nullable); a field left out keeps its value.
    values = {
        key: optional_str(body, key, None) or None
        for key in ("email", "phone", "landline", "countryIso", "name", "surname", "externalId")
    }
    if all(is_blank(values[k]) for k in ("email", "phone", "landline")):
        # Laravel's required_without_all would add "when none of phone / landline are
        # present"; the reference shows the short message, so that is what we answer.
        raise invalid("The email field is required.")
    email, country = values["email"], values["countryIso"]
    if email and not EMAIL_RE.match(email):
        raise invalid("The email must be a valid email address.")
    for key in ("phone", "landline"):
        number = values[key]
        if number and not _NUMBER_RE.match(number):
            raise invalid(f"The {key} format is invalid.")
    if (values["phone"] or values["landline"]) and is_blank(country):
        raise invalid("The country iso field is required when phone / landline is present.")
    if country:
        if not _COUNTRY_RE.match(country):
            raise invalid("The country iso must be 2 characters.")
        values["countryIso"] = country.upper()

    ids, names = body.get("groupsIds"), body.get("groupsNames")
    if is_blank(ids) and is_blank(names):
        raise invalid("The groups ids field is required when groups names is not present.")
    group_ids: list[int] = []
    if not is_blank(ids):
        if not isinstance(ids, list):
            raise invalid("The groups ids must be an array.")
        for index, raw in enumerate(ids):
            group_id = as_int(raw, f"groups ids.{index}")
            if group_id not in state.groups:
                raise invalid(f"The selected groups ids.{index} is invalid.")
            group_ids.append(group_id)
    new_names: list[str] = []
    if not is_blank(names):
        if not isinstance(names, list):
            raise invalid("The groups names must be an array.")
        for index, name in enumerate(names):
            if not isinstance(name, str) or not name.strip():
                raise invalid(f"The groups names.{index} must be a string.")
            group = state.group_by_name(name.strip())
            if group is None:
                new_names.append(name.strip())
            else:
                group_ids.append(group.id)

    fields = body.get("customFields")
    custom: list[CustomField] | None = None
    removed: list[str] = []
    if fields is not None:
        if not isinstance(fields, list):
            raise invalid("The custom fields must be an array.")
        parsed = [_custom_field(index, item) for index, item in enumerate(fields)]
        # The reference has no call to delete a custom field; a field sent without a
        # value is how a client says "no value", so the field is removed.
        custom = [f for f in parsed if f.value.strip()]
        removed = [f.key for f in parsed if not f.value.strip()]
    present = {key for key in values if key in body}
    return _ContactInput(present, values, group_ids, new_names, custom, removed)


def _apply(state: Nrs360State, contact: Contact, data: _ContactInput) -> None:
    """Write validated input into the contact; groups named but missing are created now."""
    for name in dict.fromkeys(data.new_group_names):
        group = state.group_by_name(name) or Group(id=state.new_group_id(), name=name)
        state.groups[group.id] = group
        data.group_ids.append(group.id)
    attributes = {
        "email": "email",
        "phone": "phone",
        "landline": "landline",
        "countryIso": "country_iso",
        "name": "name",
        "surname": "surname",
        "externalId": "external_id",
    }
    for key, attr in attributes.items():
        if key in data.present:
            setattr(contact, attr, data.values[key])
    contact.group_ids = list(dict.fromkeys(data.group_ids))
    if data.custom_fields is not None:
        # Fields are upserted by key; fields not sent are kept (an update, not a reset).
        merged = {f.key: f for f in contact.custom_fields}
        merged.update({f.key: f for f in data.custom_fields})
        for key in data.removed_fields:
            merged.pop(key, None)
        contact.custom_fields = list(merged.values())
    contact.updated_at = state.now()


def _get_contact(request: Request) -> Contact:
    contact = state_of(request).contacts.get(request.path_params["id"])
    if contact is None:
        raise not_found()
    return contact


def _saved(request: Request, contact: Contact, status: int) -> Response:
    # The reference's POST and PUT answers are the contact's own fields and `links`:
    # `include` is documented on the reads only, so a write shows no subresources.
    data = _contact_json(state_of(request), contact, set())
    data["links"] = {"self": f"{base_url(request)}/api/rest/contacts/{contact.id}"}
    return ok({"data": data}, status)


async def list_contacts(request: Request) -> Response:
    """GET /contacts: filtered, paginated."""
    state = state_of(request)
    limit, page = page_params(request)
    contacts = list(state.contacts.values())
    for key, getter in _FILTERS.items():
        wanted = request.query_params.get(key)
        if wanted:
            contacts = [c for c in contacts if getter(c) == wanted]
    chunk, meta = paginate(request, contacts, limit, page)
    includes = _includes(request)
    return ok({"data": [_contact_json(state, c, includes) for c in chunk], "meta": meta})


async def show_contact(request: Request) -> Response:
    """GET /contacts/{id}."""
    contact = _get_contact(request)
    return ok({"data": _contact_json(state_of(request), contact, _includes(request))})


async def create_contact(request: Request) -> Response:
    """POST /contacts."""
    state = state_of(request)
    data = _contact_input(state, await read_json(request))
    now = state.now()
    contact = Contact(id=0, created_at=now, updated_at=now)
    _apply(state, contact, data)
    contact.id = state.new_contact_id()  # only once valid, so failed posts burn no ids
    state.contacts[contact.id] = contact
    return _saved(request, contact, 201)


async def update_contact(request: Request) -> Response:
    """PUT /contacts/{id}: fields sent are replaced (a null clears one), custom fields are
    upserted by key (a null value removes one), groups become exactly those sent."""
    contact = _get_contact(request)
    state = state_of(request)
    _apply(state, contact, _contact_input(state, await read_json(request)))
    return _saved(request, contact, 200)


async def delete_contact(request: Request) -> Response:
    """DELETE /contacts/{id}."""
    contact = _get_contact(request)
    del state_of(request).contacts[contact.id]
    return Response(status_code=204)


def _group_json(state: Nrs360State, group: Group) -> JsonObject:
    # Exactly the reference's fields: no size (clients count members from /contacts).
    return {"id": group.id, "name": group.name}


def _get_group(request: Request) -> Group:
    group = state_of(request).groups.get(request.path_params["id"])
    if group is None:
        raise not_found()
    return group


async def list_groups(request: Request) -> Response:
    """GET /groups: paginated."""
    state = state_of(request)
    limit, page = page_params(request)
    chunk, meta = paginate(request, list(state.groups.values()), limit, page)
    return ok({"data": [_group_json(state, g) for g in chunk], "meta": meta})


async def show_group(request: Request) -> Response:
    """GET /groups/{id}."""
    return ok({"data": _group_json(state_of(request), _get_group(request))})


async def create_group(request: Request) -> Response:
    """POST /groups."""
    state = state_of(request)
    name = required_str(await read_json(request), "name").strip()
    group = Group(id=state.new_group_id(), name=name)
    state.groups[group.id] = group
    return ok({"data": _group_json(state, group)}, 201)


async def update_group(request: Request) -> Response:
    """PUT /groups/{id}: rename."""
    group = _get_group(request)
    group.name = required_str(await read_json(request), "name").strip()
    return ok({"data": _group_json(state_of(request), group)})


async def delete_group(request: Request) -> Response:
    """DELETE /groups/{id}: members stay in the database, just leave the group."""
    group = _get_group(request)
    state = state_of(request)
    del state.groups[group.id]
    for contact in state.contacts.values():
        if group.id in contact.group_ids:
            contact.group_ids.remove(group.id)
    return Response(status_code=204)


ROUTES = [
    Route("/contacts", list_contacts, methods=["GET"]),
    Route("/contacts", create_contact, methods=["POST"]),
    Route("/contacts/{id:int}", show_contact, methods=["GET"]),
    Route("/contacts/{id:int}", update_contact, methods=["PUT"]),
    Route("/contacts/{id:int}", delete_contact, methods=["DELETE"]),
    Route("/groups", list_groups, methods=["GET"]),
    Route("/groups", create_group, methods=["POST"]),
    Route("/groups/{id:int}", show_group, methods=["GET"]),
    Route("/groups/{id:int}", update_group, methods=["PUT"]),
    Route("/groups/{id:int}", delete_group, methods=["DELETE"]),
]
