"""Contact groups ("contact types") and contacts of the user's address book."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import EMAIL_RE, Params, XcError, endpoint, int_id, required, success
from .state import ContactGroup, ContactRec, User, XeroChatState, stamp

NO_GROUP = "The contact type ID does not exist"
NO_CONTACT = "The contact ID does not exist"
NAME_REQUIRED = "The contact type name is required"


def group_json(g: ContactGroup) -> dict[str, str]:
    """A contact group object (printed bare, without a status)."""
    return {
        "id": str(g.id),
        "user_id": str(g.user_id),
        "type": g.name,
        "created_at": stamp(g.created_at),
        "deleted": "1" if g.deleted else "0",
    }


def contact_json(c: ContactRec) -> dict[str, str]:
    """A contact object (printed bare, without a status)."""
    return {
        "id": str(c.id),
        "user_id": str(c.user_id),
        "contact_type_id": str(c.contact_type_id),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "phone_number": c.phone_number,
        "email": c.email,
        "notes": c.notes,
        "unsubscribed": "1" if c.unsubscribed else "0",
        "deleted": "1" if c.deleted else "0",
    }


def _group(state: XeroChatState, me: User, value: str, missing: str = NO_GROUP) -> ContactGroup:
    gid = int_id(value)
    g = state.groups.get(gid) if gid is not None else None
    if g is None or g.user_id != me.id or g.deleted:
        raise XcError(missing)
    return g


def _contact(state: XeroChatState, me: User, value: str) -> ContactRec:
    cid = int_id(value)
    c = state.contacts.get(cid) if cid is not None else None
    if c is None or c.user_id != me.id or c.deleted:
        raise XcError(NO_CONTACT)
    return c


def _email(p: Params) -> str:
    email = p.get("email", "").strip()
    if email and not EMAIL_RE.match(email):
        raise XcError("The email field must contain a valid email address")
    return email


def get_contact_group(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """GET /get_contact_group."""
    value = required(p, "contact_type_id", "The contact type ID is required")
    return group_json(_group(state, me, value))


def create_contact_group(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """POST /create_contact_group."""
    name = required(p, "name", NAME_REQUIRED)
    gid = state.next_id(state.groups, 275)
    state.groups[gid] = ContactGroup(gid, me.id, name, state.now)
    return success(contact_type_id=gid)


def update_contact_group(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """POST /update_contact_group/{contact_type_id}."""
    name = required(p, "name", NAME_REQUIRED)
    _group(state, me, path["contact_type_id"]).name = name
    return success()


def delete_contact_group(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """POST /delete_contact_group: a soft delete, as the `deleted` column suggests."""
    g = _group(state, me, required(p, "contact_type_id"))
    g.deleted = True
    return success(message=f"The contact type ID ({g.id}) has been deleted")


def get_contact(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """GET /get_contact."""
    return contact_json(_contact(state, me, required(p, "contact_id")))


def create_contact(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """POST /create_contact: into one group, with an email or a phone number."""
    value = required(p, "contact_type_id")
    email, phone = _email(p), p.get("phone_number", "").strip()
    if not email and not phone:
        raise XcError("The email or phone_number is required")
    # The reference documents this (sic) message for a contact type that does not exist.
    group = _group(state, me, value, missing=NO_CONTACT)
    cid = state.next_id(state.contacts, 44)
    state.contacts[cid] = ContactRec(
        id=cid,
        user_id=me.id,
        contact_type_id=group.id,
        first_name=p.get("first_name", "").strip(),
        last_name=p.get("last_name", "").strip(),
        phone_number=phone,
        email=email,
    )
    return success(new_contact_id=cid)


def update_contact(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """POST /update_contact/{contact_id}.

    Names can always change; email and phone only when not set before (the reference).
    Changing a set one is refused with our own message rather than silently ignored.
    """
    given = {
        k: p[k].strip()
        for k in ("first_name", "last_name", "email", "phone_number")
        if p.get(k, "").strip()
    }
    if not given:
        raise XcError(
            "You should at least provide value for first name or last name or email or phone number"
        )
    c = _contact(state, me, path["contact_id"])
    email = _email(p)
    if email and c.email and email != c.email:
        raise XcError("The email can not be changed once it has been added")
    phone = given.get("phone_number", "")
    if phone and c.phone_number and phone != c.phone_number:
        raise XcError("The phone number can not be changed once it has been added")
    c.first_name = given.get("first_name", c.first_name)
    c.last_name = given.get("last_name", c.last_name)
    c.email = email or c.email
    c.phone_number = phone or c.phone_number
    return success()


def delete_contact(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """POST /delete_contact."""
    c = _contact(state, me, required(p, "contact_id"))
    c.deleted = True
    return success(message=f"The contact ID ({c.id}) has been deleted")


ROUTES = [
    *endpoint("GET", "/get_contact_group", get_contact_group),
    *endpoint("POST", "/create_contact_group", create_contact_group),
    *endpoint("POST", "/update_contact_group/{contact_type_id}", update_contact_group),
    *endpoint("POST", "/delete_contact_group", delete_contact_group),
    *endpoint("GET", "/get_contact", get_contact),
    *endpoint("POST", "/create_contact", create_contact),
    *endpoint("POST", "/update_contact/{contact_id}", update_contact),
    *endpoint("POST", "/delete_contact", delete_contact),
]
