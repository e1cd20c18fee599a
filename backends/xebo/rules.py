"""Xebo's request rules, written from its reference (`xebo-survey-send.txt`).

One documented request: the survey send. The client refuses a request breaking a rule
before it leaves (`backends/xebo/client.py`); the emulator answers it with Xebo's error body
(`backends/sandbox/xebo.py`).

Xebo's error table has no codes, only bodies `{"error": {"name", "message"}}`; the one for
a refused request is "Bad Request" (the reference's "Collector not found" example), so a
broken rule is a 400 with that body. Paths are below the base URL's root
(`https://{env}-api.xebo.ai`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backends.models.surveys import SurveyMedium, address_problem
from backends.rules import Outgoing, Rules, Violation, is_int

__all__ = ["RULES"]

RULES = Rules(
    "xebo",
    # Neither is documented: 404 and 405 with Xebo's error body (the emulator's choice).
    unknown=Violation("is not an endpoint the Xebo reference documents", 404),
    wrong_method=Violation("uses a method the Xebo reference does not document here", 405),
)

# "Key | Type | Mandatory": the body's three keys.
FIELDS = frozenset({"collectortoken", "medium", "contacts"})


def _fail(message: str) -> Violation:
    return Violation(message, 400)


def _body(out: Outgoing) -> Mapping[str, Any] | None:
    return out.body if isinstance(out.body, Mapping) else None


def _json_object(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "Headers "Content-Type": "application/json"" and "Request Body Payload {...}".
    if _body(out) is None:
        return _fail("the body must be a JSON object (Content-Type: application/json)")
    return None


def _allowed(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # The table lists collectortoken, medium and contacts; custom respondent information
    # goes inside each contact ("You can also send custom respondent information").
    body = _body(out)
    unknown = sorted(k for k in body or {} if k not in FIELDS)
    if unknown:
        return _fail(
            f"{', '.join(unknown)}: not a field of the survey send "
            "(allowed: collectortoken, medium, contacts)"
        )
    return None


def _collector_token(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "collectortoken | string | yes | It is unique for every collector."
    token = (_body(out) or {}).get("collectortoken")
    if not isinstance(token, str) or not token.strip():
        return _fail("collectortoken is required (the collector's token from the platform)")
    return None


def _medium(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "medium | number | yes | 1: SMS 2: Email 3: Whatsapp"
    medium = (_body(out) or {}).get("medium")
    if not is_int(medium) or medium not in {m.value for m in SurveyMedium}:
        return _fail(f"medium must be 1 (SMS), 2 (Email) or 3 (Whatsapp), not {medium!r}")
    return None


def _contacts(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "contacts | array | yes | Array of contacts to whom you want to trigger surveys."
    contacts = (_body(out) or {}).get("contacts")
    if not isinstance(contacts, list) or not contacts:
        return _fail("contacts must be a non-empty array of contact objects")
    if not all(isinstance(c, Mapping) for c in contacts):
        return _fail("every contact must be an object (its address and respondent fields)")
    return None


def _addresses(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "'email' field is mandatory for medium 2. 'mobile' field is mandatory for medium 1."
    # Silent on medium 3: WhatsApp reaches a phone number, so it needs 'mobile' as SMS does.
    # An address of the other kind (an email under 'mobile') is as good as none.
    body = _body(out) or {}
    medium, contacts = body.get("medium"), body.get("contacts")
    if not is_int(medium) or medium not in {m.value for m in SurveyMedium}:
        return None  # _medium reports it
    if not isinstance(contacts, list):
        return None  # _contacts reports it
    m = SurveyMedium(medium)
    key = m.address_key
    for i, contact in enumerate(contacts):
        if not isinstance(contact, Mapping):
            continue
        problem = address_problem(key, contact.get(key))
        if problem is not None:
            return _fail(f"contacts[{i}]: {problem} ('{key}' is mandatory for {m.label})")
    return None


_SEND = (_json_object, _allowed, _collector_token, _medium, _contacts, _addresses)

# "POST: https://{env}-api.xebo.ai/v2/api/collectors/{collector_id}/combined/auto"
RULES.endpoint("POST", "/v2/api/collectors/{collector_id}/combined/auto", *_SEND)
# The cURL and JavaScript samples post the same body to ".../collectors/66c7.../campaigns":
# documented too, so accepted; the client uses the heading's path.
RULES.endpoint("POST", "/v2/api/collectors/{collector_id}/campaigns", *_SEND)
