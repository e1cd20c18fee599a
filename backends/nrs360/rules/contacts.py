"""360nrs request rules: contacts and groups."""

from __future__ import annotations

from collections.abc import Mapping

from backends.nrs360.rules.checks import (
    _allowed,
    _attr,
    _blank,
    _body,
    _invalid,
    _json_object,
    _no_query,
    _one_of_query,
    _page_limit,
    _required,
    _string,
)
from backends.rules import Outgoing, Rules, Violation

# --- contacts and groups -------------------------------------------------------------------

# include: "Available values: customFields, groups."
_INCLUDE = _one_of_query("include", ("customFields", "groups"), many=True)
# POST and PUT /contacts: the parameter table's fields (no externalId: that is only a
# filter of GET /contacts; no include: only a filter of the GETs).
_CONTACT_FIELDS = (
    "email", "phone", "landline", "countryIso", "groupsIds", "groupsNames", "name",
    "surname", "customFields",
)  # fmt: skip
_FIELD_TYPES = ("string", "date", "decimal")


def _contact(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # email/phone/landline: "Required when phone or landline is not specified" (and so on);
    # countryIso: "Required when phone or landline is specified"; groupsIds: "Required if
    # groupsNames is not specified"; customFields[]type: "Possible values: string, date,
    # decimal". The answers quote Laravel ("The email field is required.").
    body = _body(out)
    if all(_blank(body.get(k)) for k in ("email", "phone", "landline")):
        return _invalid("The email field is required.")
    if (not _blank(body.get("phone")) or not _blank(body.get("landline"))) and _blank(
        body.get("countryIso")
    ):
        return _invalid("The country iso field is required when phone / landline is present.")
    country = body.get("countryIso")
    if not _blank(country) and not (isinstance(country, str) and len(country.strip()) == 2):
        return _invalid("The country iso must be 2 characters.")
    if _blank(body.get("groupsIds")) and _blank(body.get("groupsNames")):
        return _invalid("The groups ids field is required when groups names is not present.")
    for key in ("groupsIds", "groupsNames", "customFields"):
        value = body.get(key)
        if value is not None and not isinstance(value, list):
            return _invalid(f"The {_attr(key)} must be an array.")
    for i, item in enumerate(body.get("customFields") or []):
        if not isinstance(item, Mapping) or _blank(item.get("key")):
            return _invalid(f"The custom fields.{i}.key field is required.")
        if item.get("type") is not None and item.get("type") not in _FIELD_TYPES:
            return _invalid(f"The selected custom fields.{i}.type is invalid.")
    return None


_CONTACT_WRITE = (
    _json_object,
    _no_query("include"),
    _contact,
    _allowed(*_CONTACT_FIELDS),
)

# Groups: "name | string | Yes | Name of the New Group."
_GROUP_WRITE = (_json_object, _required("name"), _string("name"), _allowed("name"))


def add(rules: Rules) -> None:
    """Declare this area's endpoints."""
    rules.endpoint("GET", "/contacts", _page_limit, _INCLUDE)
    rules.endpoint("GET", "/contacts/{id}", _INCLUDE)
    rules.endpoint("POST", "/contacts", *_CONTACT_WRITE)
    rules.endpoint("PUT", "/contacts/{id}", *_CONTACT_WRITE)
    rules.endpoint("DELETE", "/contacts/{id}")
    rules.endpoint("GET", "/groups", _page_limit)
    rules.endpoint("GET", "/groups/{id}")
    rules.endpoint("POST", "/groups", *_GROUP_WRITE)
    rules.endpoint("PUT", "/groups/{id}", *_GROUP_WRITE)
    rules.endpoint("DELETE", "/groups/{id}")
