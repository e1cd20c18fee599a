"""360nrs request rules: the error table and the generic checks every area builds on
(JSON body, allowed and required fields, types, page limits, query values)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from backends.rules import Check, Outgoing, Violation, as_int

# The reference's error table, for the emulator's bodies ("code" and "description").
ERROR_TABLE: Mapping[int, str] = {
    102: "No valid recipients",
    104: "Text message missing",
    105: "Text message too long",
    106: "Sender missing",
    107: "Sender too long",
    109: "Notification URL incorrect",
    110: "Exceeded maximum parts allowed or incorrect number of parts",
    113: "Invalid coding",
    114: "Invalid subject",
    116: "Invalid replyTo",
    119: "Invalid expiration date",
    120: "Invalid GUID",
    121: "Invalid scheduled date",
    125: "Invalid JSON",
    126: "Empty campaign name",
    130: "Invalid voice language",
    131: "Invalid voice gender",
    132: "Invalid voice caller",
    133: "Invalid audio URL",
    140: "Template missing",
    176: "Call retries value is not an integer",
    177: "Call retries value out of range",
    183: "Available times value is not an array",
    184: "Available times day is not an integer",
    185: "Available times day out of range",
    186: "Available times from hour format error",
    187: "Available times to hour format error",
    188: "Available times from hour is greater than to hour",
    189: "Missing available time object property",
    190: "Call Retries is specified but its value is empty",
    194: "Available times is specified but its value is empty",
}

#: "limit ... Default value: 100. Maximum: 1000." (contacts, groups, blacklist, WhatsApp).
MAX_PAGE = 1000
#: How far ahead a schedule or expiration date may be. The reference gives no bound; a
#: date more than a year ahead is a typo of the year far more often than a plan (and a
#: campaign waiting that long outlives the account's prices), so it is refused.
SCHEDULE_HORIZON = timedelta(days=366)

Body = Mapping[str, Any]


def _v(code: int, message: str) -> Violation:
    """A violation with the error table's HTTP status for `code` (422 is its own)."""
    status = 422 if code == 422 else 400
    return Violation(message, status, code)


def _invalid(message: str) -> Violation:
    # "422 | 422 | Input validation error": what the table has for a failure it names not.
    return Violation(message, 422, 422)


def _body(out: Outgoing) -> Body:
    return out.body if isinstance(out.body, Mapping) and not out.form else {}


def _blank(value: Any) -> bool:
    """Laravel's `required` fails on these (a missing key is None)."""
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def _attr(name: str) -> str:
    """Laravel's displayable attribute: `maxAttempts` -> `max attempts`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", name).lower()


def _is_bool(value: Any) -> bool:
    # Laravel's `boolean` rule also takes 0, 1, "0" and "1".
    return isinstance(value, bool) or value in (0, 1, "0", "1")


_URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+[^\s]*$|^https?://localhost\b[^\s]*$")


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL_RE.match(value))


# --- generic checks -------------------------------------------------------------------------


def _json_object(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # Every example sends "-H 'Content-Type: application/json'" and a JSON object of the
    # table's parameters: "125 | 400 | Invalid JSON" for anything else.
    if out.body is None:
        return None  # no body: the required-field checks say what is missing
    if out.form or not isinstance(out.body, Mapping):
        return _v(125, "the body must be a JSON object (Content-Type: application/json)")
    return None


def _allowed(*names: str) -> Check:
    """Only the parameters of the endpoint's table (what is not there is not read)."""
    allowed = frozenset(names)

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        unknown = sorted(k for k in _body(out) if k not in allowed)
        if unknown:
            return _invalid(
                f"{', '.join(unknown)}: not a parameter of {out.method} "
                f"/{'/'.join(out.path)} (allowed: {', '.join(sorted(allowed))})"
            )
        return None

    return check


def _required(name: str, code: int = 422, message: str | None = None) -> Check:
    """A field whose table says "Mandatory | Yes"."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        if _blank(_body(out).get(name)):
            return _v(code, message or f"The {_attr(name)} field is required.")
        return None

    return check


def _typed(name: str, kind: type, noun: str, code: int) -> Check:
    """A field whose table gives its JSON type."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        value = _body(out).get(name)
        if value is not None and not isinstance(value, kind):
            return _v(code, f"The {_attr(name)} must be {noun}.")
        return None

    return check


def _string(name: str, code: int = 422) -> Check:
    """A field typed `string` in its table."""
    return _typed(name, str, "a string", code)


def _array(name: str, code: int = 422) -> Check:
    """A field typed `array` in its table."""
    return _typed(name, list, "an array", code)


def _booleans(*names: str) -> Check:
    """Fields typed `boolean` in their table."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        body = _body(out)
        for name in names:
            value = body.get(name)
            if value is not None and not _is_bool(value):
                return _invalid(f"The {_attr(name)} field must be true or false.")
        return None

    return check


def _int_range(name: str, low: int, high: int, where: str = "") -> Callable[[Any], str | None]:
    """Why `value` is no integer in [low, high] (None: it is, or it is absent)."""

    def why(value: Any) -> str | None:
        if value is None:
            return None
        number = as_int(value) if not isinstance(value, float) else None
        label = f"{where}{_attr(name)}"
        if number is None:
            return f"The {label} must be an integer."
        if not low <= number <= high:
            return f"The {label} must be between {low} and {high}."
        return None

    return why


def _page_limit(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "limit | Total number of ... to display in a single request. Default value: 100.
    # Maximum: 1000." The template, form and validation lists answer the same paginated
    # `meta` (per_page 100) without saying so; the same maximum is assumed there.
    why = _int_range("limit", 1, MAX_PAGE)(out.param("limit"))
    return _invalid(why) if why else None


def _no_query(*names: str) -> Check:
    """Query parameters a write does not take (the table lists them for the reads only)."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        given = sorted(n for n in names if n in out.query)
        if given:
            return _invalid(
                f"{', '.join(given)}: only a filter of the GET requests, "
                f"not a parameter of {out.method} /{'/'.join(out.path)}"
            )
        return None

    return check


def _one_of_query(name: str, values: tuple[str, ...], *, many: bool = False) -> Check:
    """A query filter whose table lists its "Available values"."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        raw = out.param(name)
        if raw is None:
            return None
        given = [v.strip() for v in raw.split(",")] if many else [raw]
        bad = [v for v in given if v not in values]
        if bad:
            # Laravel's words; the reference's table lists the available values.
            return _invalid(f"The selected {_attr(name)} is invalid.")
        return None

    return check


def _iso_query(*names: str) -> Check:
    """Date filters: "The date must be specified in ISO 8601 format."."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        for name in names:
            raw = out.param(name)
            if raw is None:
                continue
            try:
                datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
            except ValueError:
                return _invalid(f"The {_attr(name)} is not a valid date.")
        return None

    return check
