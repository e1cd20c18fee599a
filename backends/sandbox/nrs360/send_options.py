"""What the 360nrs send endpoints share: the GSM part count, message rendering (fields,
filters, links), dates, and the send options (notification URLs, available times,
substitutions, OTP config, recipients).

Also the send endpoints' shared steps: sender domains, campaign and sending ids, which
recipients can be sent to, the charge, the 202/207 answer, call retries and callers, and
the schedule and expiration dates. Used by POST /sms (routes_sms), the other send
endpoints (routes_send) and the WhatsApp template send (routes_whatsapp_templates).
"""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.responses import Response

from .common import (
    ApiError,
    JsonObject,
    invalid,
    ok,
    optional_bool,
    optional_int,
    optional_str,
)
from .state import Contact, Nrs360State, Otp

# Characters of the reference's GSM annexes that take two septets (escape + code). Every
# other character takes one: the basic tables' own, and characters outside GSM, which the
# platform substitutes (with an explicit gsm encoding it does not switch to UCS-2).
_GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
# GSM-PT puts Portuguese letters (and ^ \ € | ~) in its basic table; the Greek capitals
# and brackets move to its extension table.
_GSM_PT_EXTENSION = frozenset("\fΦΓΩΠΨΣΘ{}[]")
_SEPTET_EXTENSIONS = {"gsm": _GSM_EXTENSION, "gsm-pt": _GSM_PT_EXTENSION}
ENCODINGS = ("gsm", "gsm-pt", "utf-16")
MAX_PARTS = 15
_DATE_RE = re.compile(r"^\d{14}$")
_HOUR_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+[^\s]*$|^https?://localhost\b[^\s]*$")
_PLACEHOLDER_RE = re.compile(r"\{[^{}\s]+\}")
_VARIABLE_RE = re.compile(r"\{([\w.-]+)(?:\|(\w+))?\}")
#: A delivery window shorter than this cannot be planned around (code 196); the
#: reference gives no figure, half an hour is the dashboard's smallest time step.
MIN_WINDOW_MINUTES = 30
#: Per-recipient rejection of a blacklisted number or email. The reference has no code
#: for it; 102 is the per-recipient code it shows, with a description that says why.
BLACKLISTED = {"code": 102, "description": "Recipient is blacklisted"}


def _count_parts(text: str, encoding: str) -> int:
    """Number of SMS parts `text` needs in `encoding` (concatenated SMS).

    The sandbox has its own counter rather than the client's so that a client bug cannot
    hide behind a shared one. Placeholders such as {OTP_CODE} or sub variables are counted
    as written.
    """
    if encoding == "utf-16":
        # UCS-2/UTF-16 counts code units: characters outside the BMP take a surrogate pair.
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, per_part = 70, 67
    else:
        extension = _SEPTET_EXTENSIONS[encoding]
        units = [2 if ch in extension else 1 for ch in text]
        single, per_part = 160, 153
    if sum(units) <= single:
        return 1
    # Phones never split an escape sequence or surrogate pair across parts, so pack greedily.
    parts, used = 1, 0
    for size in units:
        if used + size > per_part:
            parts, used = parts + 1, 0
        used += size
    return parts


# Links the platform makes per recipient: {LAND_URL} and {UNSUB_URL} (its own short links,
# a 10-character code here) and {x|shorten} (its shortener's answers look like
# https://sms.tl/GFA6Fm).
_GENERATED_LINK = "https://sms.tl/" + "L" * 10
_SHORT_LINK = "https://sms.tl/" + "S" * 6
_NUMBER_RE = re.compile(r"^\s*(-?)(\d+)(?:\.(\d+))?\s*$")


def _format_number(value: str, thousands: str, decimal: str) -> str:
    match = _NUMBER_RE.match(value)
    if match is None:
        return value
    sign, whole, fraction = match.groups()
    grouped = f"{int(whole):,}".replace(",", thousands)
    return sign + grouped + (decimal + fraction if fraction else "")


def _filtered(value: str, name: str | None) -> str:
    if name == "lower":
        return value.lower()
    if name == "upper":
        return value.upper()
    if name == "capitalize":
        return value[:1].upper() + value[1:]
    if name == "capitalizeAll":
        return " ".join(w[:1].upper() + w[1:] for w in value.split(" "))
    if name == "formatDotComma":
        return _format_number(value, ".", ",")
    if name == "formatCommaDot":
        return _format_number(value, ",", ".")
    if name == "shorten":
        return _SHORT_LINK
    return value


def rendered_text(message: str, fields: dict[str, str], otp_length: int = 4) -> str:
    """The text one recipient gets: its variables (`sub` item or contact fields) filled in,
    and what the platform generates at the length it generates it. A variable with no
    value stays as written. Written apart from the client's renderer (tui/engine), so a
    client that counts wrong fails here as on the real platform.
    """

    def value(match: re.Match[str]) -> str:
        name, filter_name = match[1], match[2]
        if name == "OTP_CODE":
            return "7" * otp_length
        if name in ("LAND_URL", "UNSUB_URL"):
            return _GENERATED_LINK
        found = fields.get(name)
        return match[0] if found is None else _filtered(found, filter_name)

    return _VARIABLE_RE.sub(value, message) if "{" in message else message


def parts_needed(
    message: str,
    encoding: str,
    targets: list[Any],
    fields_of: Any,
    otp_length: int,
) -> list[int]:
    """Each recipient's parts for the text it gets (`fields_of(index, target)`)."""
    if "{" not in message:
        return [_count_parts(message, encoding)] * len(targets)
    cache: dict[str, int] = {}
    out: list[int] = []
    for index, target in enumerate(targets):
        text = rendered_text(message, fields_of(index, target), otp_length)
        if text not in cache:
            cache[text] = _count_parts(text, encoding)
        out.append(cache[text])
    return out


def _sender_too_long(sender: str) -> bool:
    """Senders are at most 15 digits (numeric) or 11 characters (alphanumeric)."""
    digits = sender.removeprefix("+")
    return len(digits) > 15 if digits.isdigit() else len(sender) > 11


def _parse_date(value: Any, code: int, description: str) -> datetime | None:
    """A `YYYYmmddHHiiss` UTC date, or None when absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise ApiError(400, code, description)
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise ApiError(400, code, description) from None


def _max_parts(body: JsonObject, limit: int = MAX_PARTS) -> int:
    value = body.get("parts", 1)
    if value is None:
        return 1
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= limit:
        raise ApiError(400, 110, "Exceeded maximum parts allowed or incorrect number of parts")
    return value


# --- options shared by the send endpoints ---------------------------------------------------


def is_url(value: Any) -> bool:
    """An http(s) URL with a host (a notification or audio address)."""
    return isinstance(value, str) and bool(_URL_RE.match(value))


def notification_urls(body: JsonObject, count: int, *, per_recipient: bool) -> None:
    """`notificationUrl`: one URL, or (where allowed) one per recipient; else 109."""
    value = body.get("notificationUrl")
    if value is None:
        return
    urls = value if isinstance(value, list) and per_recipient else [value]
    if (isinstance(value, list) and len(value) != count) or not all(map(is_url, urls)):
        raise ApiError(400, 109, "Notification URL incorrect")


def available_times(body: JsonObject) -> None:
    """`availableTimes`: the 183-196 codes, checked in the table's order per window."""
    if "availableTimes" not in body:
        return
    windows = body["availableTimes"]
    if not isinstance(windows, list):
        raise ApiError(400, 183, "Available times value is not an array")
    if not windows:
        raise ApiError(400, 194, "Available times is specified but its value is empty")
    for window in windows:
        if not isinstance(window, dict) or "from" not in window or "to" not in window:
            raise ApiError(400, 189, "Missing available time object property")
        day = window.get("day")
        if day is not None:
            if not isinstance(day, int) or isinstance(day, bool):
                raise ApiError(400, 184, "Available times day is not an integer")
            if not 1 <= day <= 7:
                raise ApiError(400, 185, "Available times day out of range")
        start, end = window["from"], window["to"]
        if not isinstance(start, str) or not _HOUR_RE.match(start):
            raise ApiError(400, 186, "Available times from hour format error")
        if not isinstance(end, str) or not _HOUR_RE.match(end):
            raise ApiError(400, 187, "Available times to hour format error")
        # Zero-padded HH:MM strings compare like the times they are.
        if start > end:
            raise ApiError(400, 188, "Available times from hour is greater than to hour")
        minutes = (int(end[:2]) - int(start[:2])) * 60 + int(end[3:]) - int(start[3:])
        if minutes < MIN_WINDOW_MINUTES:
            raise ApiError(400, 196, "Available times range is too short")


def campaign_fields(body: JsonObject) -> tuple[str | None, list[str]]:
    """(campaignName, tags); tags without a campaign name are 126."""
    name = optional_str(body, "campaignName", None)
    tags = body.get("tags")
    if tags is None or tags == []:
        return name or None, []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise invalid("The tags must be an array of strings.")
    if not name or not name.strip():
        raise ApiError(400, 126, "Empty campaign name")
    return name, list(dict.fromkeys(tags))


def substitutions(body: JsonObject, count: int) -> list[dict[str, str]] | None:
    """`sub`: one object of variables per recipient, in the order of `to`."""
    value = body.get("sub")
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise invalid("The sub must be an array of objects.")
    if len(value) != count:
        raise invalid(f"The sub must contain {count} items.")
    return [{str(k): str(v) for k, v in item.items()} for item in value]


def otp_config(body: JsonObject, text_key: str) -> JsonObject | None:
    """`otpConfig` with its defaults, when the text asks for an {OTP_CODE}; 422 if invalid."""
    value = body.get("otpConfig")
    if value is not None and not isinstance(value, dict):
        raise invalid("The otp config must be an object.")
    cfg = value or {}
    checked = {
        "alpha": optional_bool(cfg, "alpha", False),
        "length": optional_int(cfg, "length", 4, 3, 10),
        "maxAttempts": optional_int(cfg, "maxAttempts", 3, 1, 10),
        "maxSecondsValidity": optional_int(cfg, "maxSecondsValidity", 60, 30, 600),
        "appId": optional_str(cfg, "appId", "") or "",
        "rejectIfPendingCode": optional_bool(cfg, "rejectIfPendingCode", False),
    }
    text = body.get(text_key)
    return checked if isinstance(text, str) and "{OTP_CODE}" in text else None


def issue_otp(state: Nrs360State, recipient: str, cfg: JsonObject) -> None:
    """Give a recipient the code its message carries, so POST /otp/check can validate it."""
    now = state.now()
    alphabet = string.ascii_uppercase + string.digits if cfg["alpha"] else string.digits
    state.otps[(recipient, cfg["appId"])] = Otp(
        recipient=recipient,
        app_id=cfg["appId"],
        code="".join(state.rng.choices(alphabet, k=cfg["length"])),
        max_attempts=cfg["maxAttempts"],
        max_seconds_validity=cfg["maxSecondsValidity"],
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(seconds=cfg["maxSecondsValidity"]),
    )


def split_placeholders(message: str, encoding: str) -> None:
    """With splitParts, a {variable} cut in two by the split is 142."""
    single = 70 if encoding == "utf-16" else 160
    for match in _PLACEHOLDER_RE.finditer(message):
        if match.start() // single != (match.end() - 1) // single:
            raise ApiError(400, 142, "Can't split variable placeholders")


def contact_fields(contact: Contact | None) -> dict[str, str]:
    """A contact's variables (standard and custom fields); {} when no contact matches."""
    if contact is None:
        return {}
    fields = {
        key: value
        for key, value in (
            ("email", contact.email),
            ("phone", contact.phone),
            ("name", contact.name),
            ("surname", contact.surname),
        )
        if value is not None
    }
    fields.update({f.key: f.value for f in contact.custom_fields})
    return fields


def recipients(body: JsonObject) -> list[Any]:
    """The `to` array (numbers sent as JSON numbers read as strings); else 102."""
    value = body.get("to")
    if not isinstance(value, list):
        raise ApiError(400, 102, "No valid recipients")
    return [str(r) if isinstance(r, int) and not isinstance(r, bool) else r for r in value]


def rejected(target: Any, error: JsonObject | None = None) -> JsonObject:
    """A per-recipient rejection in a 207 answer."""
    error = error or {"code": 102, "description": "No valid recipients"}
    return {"accepted": False, "to": target, "error": dict(error)}


#: Sender domains "validated on the platform" in the sandbox; any other fromEmail or
#: replyTo is answered as not verified (115/117), which is what a fresh account sees.
#: sample.com is there because the reference's own example sends from info@sample.com.
VERIFIED_DOMAINS = frozenset({"example.com", "switchboard.example", "sample.com"})
MAX_RETRIES = 5
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_CALLER_RE = re.compile(r"^\+?\d{6,15}$")
# --- shared -------------------------------------------------------------------------------


def _domain_verified(address: str) -> bool:
    return address.rpartition("@")[2].lower() in VERIFIED_DOMAINS


def _campaign_and_sending(state: Nrs360State, name: str | None) -> tuple[int, int]:
    return state.campaign_id(name), state.new_sending_id()


def _sendable(
    state: Nrs360State, targets: list[Any], pattern: re.Pattern[str], kind: str
) -> tuple[set[str], set[str]]:
    """(valid, blacklisted) recipients; 400/102 when none is left to send to."""
    valid = {t for t in targets if isinstance(t, str) and pattern.match(t)}
    blocked = {t for t in valid if state.lists.is_blacklisted(kind, t)}
    if valid <= blocked:
        # Nothing left to send is the documented whole-request 400, not an empty 207.
        raise ApiError(400, 102, "No valid recipients")
    return valid, blocked


def _verdict(target: Any, valid: set[str], blocked: set[str]) -> JsonObject | None:
    """The rejection of one recipient, or None when it is sent to."""
    if not isinstance(target, str) or target not in valid:
        return rejected(target)
    return rejected(target, BLACKLISTED) if target in blocked else None


def _charge(state: Nrs360State, cents: int) -> None:
    # The whole request is refused when it cannot be paid for: half a campaign is worse.
    if cents > state.balance_cents:
        raise ApiError(402, 111, "Not enough credits")
    state.balance_cents -= cents


def _answer(
    campaign_id: int, sending_id: int, results: list[JsonObject], accepted: int
) -> Response:
    status = 202 if accepted == len(results) else 207
    return ok({"campaignId": campaign_id, "sendingId": sending_id, "result": results}, status)


def _retries(body: JsonObject) -> int | None:
    """`retries`: an integer 0-5 (the voice error codes 190, 176, 177)."""
    if "retries" not in body or body["retries"] is None:
        return None
    value = body["retries"]
    if value == "":
        raise ApiError(400, 190, "Call Retries is specified but its value is empty")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApiError(400, 176, "Call retries value is not an integer")
    if not 0 <= value <= MAX_RETRIES:
        raise ApiError(400, 177, "Call retries value out of range")
    return value


def _callers(body: JsonObject) -> None:
    """`callers`: {"ES": "6123456789", ...}; anything else is 132."""
    value = body.get("callers")
    if value is None:
        return
    if not isinstance(value, dict) or not all(
        _COUNTRY_RE.match(str(k)) and isinstance(v, str) and _CALLER_RE.match(v)
        for k, v in value.items()
    ):
        raise ApiError(400, 132, "Invalid voice caller")


def _dates(state: Nrs360State, body: JsonObject) -> tuple[datetime | None, datetime | None]:
    scheduled_at = _parse_date(body.get("scheduleDate"), 121, "Invalid scheduled date")
    expires_at = _parse_date(body.get("expirationDate"), 119, "Invalid expiration date")
    if expires_at is not None and expires_at <= (scheduled_at or state.now()):
        # A message that expires before it may be sent could never be delivered.
        raise ApiError(400, 119, "Invalid expiration date")
    return scheduled_at, expires_at


def _template_exists(state: Nrs360State, body: JsonObject, *keys: str) -> bool:
    """Whether a body or a known template was given; an unknown template id is 140."""
    given = False
    for key, version in zip(("templateId", "templateV2Id"), (1, 2), strict=True):
        value = body.get(key)
        if value is None:
            continue
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or value not in state.lists.templates[version]:
            raise ApiError(400, 140, "Template missing")
        given = True
    return given or any(isinstance(body.get(k), str) and body[k].strip() for k in keys)
