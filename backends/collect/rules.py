"""Collect's request rules, written from its reference (`collect-request.txt`).

One documented request: POST /request ("Send a new request"), below the API root
`https://api.usecollect.com/v1`. The client refuses a request breaking a rule before it
leaves (`backends/collect/client.py`); the emulator answers it (`backends/sandbox/collect/`).

The reference documents statuses, not error bodies: a broken rule is its "400 Bad
Request -- Your request is invalid." (the emulator's body is `{"error", "message"}`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from backends.emails import email_problem
from backends.models.surveys import URL_RE
from backends.rules import Check, Outgoing, Rules, Violation

__all__ = ["RULES"]

RULES = Rules(
    "collect",
    # "404 Not Found -- The specified object could not be found."
    unknown=Violation("is not an endpoint the Collect reference documents", 404),
    # Not in the table: 405, with the emulator's error body.
    wrong_method=Violation("uses a method the Collect reference does not document here", 405),
)

# The Body list: campaignId, contact, items, data, sample, dueDate, createdBy,
# assignedTo, sendMessage.
FIELDS = frozenset(
    {
        "campaignId",
        "contact",
        "items",
        "data",
        "sample",
        "dueDate",
        "createdBy",
        "assignedTo",
        "sendMessage",
    }
)
# The reference lists no fields for a new contact; its example's are these.
CONTACT_FIELDS = frozenset({"email", "firstName", "lastName", "company", "data"})


def _fail(message: str) -> Violation:
    # "400 Bad Request -- Your request is invalid."
    return Violation(message, 400)


def _body(out: Outgoing) -> Mapping[str, Any]:
    return out.body if isinstance(out.body, Mapping) else {}


def _json_object(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # The cURL example: -H "Content-Type: application/json" -d '{"campaignId": ...}'.
    if not isinstance(out.body, Mapping):
        return _fail("the body must be a JSON object (Content-Type: application/json)")
    return None


def _allowed(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    unknown = sorted(k for k in _body(out) if k not in FIELDS)
    if unknown:
        return _fail(
            f"{', '.join(unknown)}: not a field of a request (allowed: {', '.join(sorted(FIELDS))})"
        )
    return None


def _campaign(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "campaignId string Required: The ID of the campaign you want to use to send a request."
    value = _body(out).get("campaignId")
    if not isinstance(value, str) or not value.strip():
        return _fail("campaignId is required (the campaign's id)")
    return None


def _contact(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "contact string | object Required": an existing contact's id, or a new contact.
    value = _body(out).get("contact")
    if isinstance(value, str):
        return None if value.strip() else _fail("contact is required: a contact id or object")
    if not isinstance(value, Mapping):
        return _fail("contact is required: an existing contact's id or a new contact object")
    unknown = sorted(k for k in value if k not in CONTACT_FIELDS)
    if unknown:
        return _fail(
            f"contact.{', contact.'.join(unknown)}: not a contact field "
            f"(allowed: {', '.join(sorted(CONTACT_FIELDS))})"
        )
    # Silent on what a new contact needs. Both examples of one carry an email and the
    # answer shows contacts by email ("email": "johndoe@example.com"): it is how
    # Collect reaches and recognises the contact, so a new contact must have one.
    email = value.get("email")
    if not isinstance(email, str) or email_problem(email):
        return _fail(f"contact.email must be an email address, not {email!r}")
    for key in ("firstName", "lastName", "company"):
        if key in value and not isinstance(value[key], str):
            return _fail(f"contact.{key} must be a string")
    if "data" in value and not isinstance(value["data"], Mapping):
        return _fail("contact.data must be an object")
    return None


def _string(name: str) -> Check:
    """A field typed `string`, when given."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        body = _body(out)
        if name in body and (not isinstance(body[name], str) or not body[name].strip()):
            return _fail(f"{name} must be a non-empty string")
        return None

    return check


def _items(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "items array[string]: An array of itemId."
    body = _body(out)
    if "items" not in body:
        return None
    items = body["items"]
    # An empty array would request none of the campaign's elements ("you can optionaly
    # specify which elements you want to include"): leave the field out instead.
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(i, str) and i.strip() for i in items)
    ):
        return _fail("items must be a non-empty array of item ids (strings)")
    return None


def _data(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "data object: An object with custom data that you want to use in your request."
    body = _body(out)
    if "data" in body and not isinstance(body["data"], Mapping):
        return _fail("data must be an object")
    return None


def _sample(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "sample object: ... The object must contain 2 parameters: 'itemId' and 'url'."
    body = _body(out)
    if "sample" not in body:
        return None
    sample = body["sample"]
    if not isinstance(sample, Mapping) or set(sample) != {"itemId", "url"}:
        return _fail("sample must be an object with exactly itemId and url")
    item, url = sample["itemId"], sample["url"]
    if not isinstance(item, str) or not item.strip():
        return _fail("sample.itemId must be an item id")
    # Silent on the url's form: a sample the contact can open is an http(s) link.
    if not isinstance(url, str) or not URL_RE.match(url):
        return _fail(f"sample.url must be an http(s) URL, not {url!r}")
    return None


def _due_date(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "dueDate string: ... The due date should be encoded as a string using ISO 8601 format."
    body = _body(out)
    if "dueDate" not in body:
        return None
    value = body["dueDate"]
    ok = isinstance(value, str)
    if ok:
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            ok = False
    if not ok:
        return _fail(f"dueDate must be an ISO 8601 date, e.g. 2022-07-11T21:59:00Z, not {value!r}")
    return None


def _send_message(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "sendMessage boolean: Boolean. If set to false, the sequence of messages planned in
    # your campaign will not be sent."
    body = _body(out)
    if "sendMessage" in body and not isinstance(body["sendMessage"], bool):
        return _fail("sendMessage must be true or false")
    return None


# "curl -X POST https://api.usecollect.com/v1/request"
RULES.endpoint(
    "POST",
    "/request",
    _json_object,
    _allowed,
    _campaign,
    _contact,
    _items,
    _data,
    _sample,
    _due_date,
    # "createdBy string: The ID of the user that is sending the request."
    _string("createdBy"),
    # "assignedTo string: The ID of the team member ... You can also use the email address."
    _string("assignedTo"),
    _send_message,
)
