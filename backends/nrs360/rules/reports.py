"""360nrs request rules: scheduled sends, campaigns and their reports."""

from __future__ import annotations

from collections.abc import Mapping

from backends.nrs360.rules.checks import (
    _allowed,
    _body,
    _invalid,
    _iso_query,
    _json_object,
    _one_of_query,
    _required,
    _v,
)
from backends.nrs360.rules.options import (
    _date,
)
from backends.rules import Outgoing, Rules, Violation, as_int

# --- scheduled ---------------------------------------------------------------------------

_SCHEDULED_TYPES = ("SMS", "MAILING")


def _guid(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # guid: "integer, array ... One identifier, an array of identifiers or no identifiers"
    # (120 Invalid GUID).
    value = _body(out).get("guid")
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    if not all(as_int(v) is not None for v in values):
        return _v(120, f"guid must be an identifier or an array of identifiers, not {value!r}")
    return None


def _scheduled_type(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "type | string | No | SMS o MAILING".
    value = _body(out).get("type")
    if value is not None and value not in _SCHEDULED_TYPES:
        return _invalid("The selected type is invalid.")
    return None


# --- campaigns and reports -----------------------------------------------------------------

# campaigns "channel: Filter by channel. Available values: sms, mailing, landing,
# text2speech, voice-interactive"; beforeDate/afterDate "in ISO 8601 format".
_CHANNELS = ("sms", "mailing", "landing", "text2speech", "voice-interactive")


def add(rules: Rules) -> None:
    """Declare this area's endpoints."""
    rules.endpoint(
        "GET",
        "/scheduled",
        _one_of_query("type", _SCHEDULED_TYPES),
    )
    rules.endpoint(
        "PUT",
        "/scheduled",
        _json_object,
        # scheduleDate: "string | Yes".
        _required("scheduleDate", 121, "scheduleDate is required (YYYYmmddHHiiss, UTC)"),
        _date("scheduleDate", 121),
        _guid,
        _scheduled_type,
        _allowed("guid", "type", "scheduleDate"),
    )
    rules.endpoint(
        "DELETE", "/scheduled", _json_object, _guid, _scheduled_type, _allowed("guid", "type")
    )
    rules.endpoint(
        "GET",
        "/campaigns",
        _one_of_query("channel", _CHANNELS),
        _iso_query("beforeDate", "afterDate"),
    )
    rules.endpoint(
        "GET", "/sendings/{sendingId}/reports/events", _iso_query("beforeDate", "afterDate")
    )
    rules.endpoint(
        "GET", "/sendings/{sendingId}/reports/keys", _iso_query("beforeDate", "afterDate")
    )
