"""SMS endpoints: send (POST /sms) and look up sent messages (GET /sms/{ids}).

The option validators here are shared with the other send endpoints (routes_send).
"""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    PHONE_RE,
    ApiError,
    JsonObject,
    base_url,
    invalid,
    iso,
    not_found,
    ok,
    optional_bool,
    optional_int,
    optional_str,
    read_json,
    state_of,
)
from .state import SMS_PART_COST_CENTS, Contact, Nrs360State, Otp, SmsMessage
from .state_sending import CERTIFIED_COST_CENTS, SentItem

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


async def send_sms(request: Request) -> Response:
    """POST /sms: validate, charge and store one message per valid recipient."""
    state = state_of(request)
    body = await read_json(request)
    # Checked in the order of the documented parameters, so the first failure is reported.
    message = body.get("message")
    if not isinstance(message, str) or not message:
        raise ApiError(400, 104, "Text message missing")
    sender = body.get("from")
    if not isinstance(sender, str) or not sender.strip():
        raise ApiError(400, 106, "Sender missing")
    if _sender_too_long(sender):
        raise ApiError(400, 107, "Sender too long")
    encoding = body.get("encoding") or "gsm"
    if encoding not in ENCODINGS:
        raise ApiError(400, 113, "Invalid coding")
    max_parts = _max_parts(body)
    # 121/119 are the reference's codes for these two dates; 108 ("No valid Datetime for
    # send") is not documented for any parameter of this endpoint.
    scheduled_at = _parse_date(body.get("scheduleDate"), 121, "Invalid scheduled date")
    expires_at = _parse_date(body.get("expirationDate"), 119, "Invalid expiration date")
    if expires_at is not None and expires_at <= (scheduled_at or state.now()):
        # A message that expires before it may be sent could never be delivered.
        raise ApiError(400, 119, "Invalid expiration date")
    targets = recipients(body)
    notification_urls(body, len(targets), per_recipient=True)
    optional_bool(body, "trans", False)
    campaign_name, tags = campaign_fields(body)
    certified = optional_bool(body, "certified", False)
    subs = substitutions(body, len(targets))
    split = optional_bool(body, "splitParts", False)
    optional_bool(body, "flash", False)
    available_times(body)
    otp = otp_config(body, "message")
    # `parts`: "If the number of parts is less than that required for sending the text,
    # the message will fail with error 105": the text each recipient gets, variables in.
    needs = parts_needed(
        message, encoding, targets, fields_getter(state, subs), otp["length"] if otp else 4
    )
    parts = max(needs, default=1)
    if parts > max_parts:
        raise ApiError(400, 105, "Text message too long")
    if split and parts > 1:
        split_placeholders(message, encoding)

    valid = [t for t in targets if isinstance(t, str) and PHONE_RE.match(t)]
    if not valid:
        raise ApiError(400, 102, "No valid recipients")
    blocked = {t for t in valid if state.lists.is_blacklisted("sms", t)}
    sendable = [t for t in valid if t not in blocked]
    if not sendable:
        # Nothing left to send is the documented whole-request 400, not an empty 207.
        raise ApiError(400, 102, "No valid recipients")
    # The whole request is refused when it cannot be paid for: half a campaign is worse.
    cost = charge_for(targets, needs, set(sendable), certified)
    if cost > state.balance_cents:
        raise ApiError(402, 111, "Not enough credits")
    state.balance_cents -= cost

    campaign_id = state.campaign_id(campaign_name)
    sending_id = state.new_sending_id()
    now = state.now()
    results, items = accept_sms(
        state,
        targets,
        valid=set(valid),
        blocked=blocked,
        message=SmsMessage(
            id="",
            sender=sender,
            to="",
            message=message,
            encoding=encoding,
            parts=parts,
            campaign_id=campaign_id,
            sending_id=sending_id,
            accepted_at=now,
            scheduled_at=scheduled_at,
            expires_at=expires_at,
        ),
        subs=subs,
        otp=otp,
        needs=needs,
    )
    if items:
        record_sms(state, body, "sms", items, campaign_id, campaign_name, tags, cost)
    status = 202 if len(items) == len(targets) else 207
    return ok({"campaignId": campaign_id, "sendingId": sending_id, "result": results}, status)


def fields_getter(state: Nrs360State, subs: list[dict[str, str]] | None) -> Any:
    """(index, target) -> the variables the platform fills that recipient's text with."""

    def fields_of(index: int, target: Any) -> dict[str, str]:
        if subs:
            return subs[index]
        return contact_fields(state.contact_by_phone(target)) if isinstance(target, str) else {}

    return fields_of


def charge_for(targets: list[Any], needs: list[int], sendable: set[str], certified: bool) -> int:
    """What sending to the sendable targets costs: each part is charged as one message."""
    extra = CERTIFIED_COST_CENTS if certified else 0
    return sum(
        n * SMS_PART_COST_CENTS + extra
        for t, n in zip(targets, needs, strict=True)
        if isinstance(t, str) and t in sendable
    )


def accept_sms(
    state: Nrs360State,
    targets: list[Any],
    *,
    valid: set[str],
    blocked: set[str],
    message: SmsMessage,
    subs: list[dict[str, str]] | None,
    otp: JsonObject | None = None,
    needs: list[int] | None = None,
) -> tuple[list[JsonObject], list[SentItem]]:
    """Per-recipient results of an SMS or landing SMS send, storing each accepted message.

    `message` is the template every accepted recipient's stored message is copied from.
    """
    results: list[JsonObject] = []
    items: list[SentItem] = []
    for index, target in enumerate(targets):
        if not isinstance(target, str) or target not in valid:
            results.append(rejected(target))
            continue
        if target in blocked:
            results.append(rejected(target, BLACKLISTED))
            continue
        sms = replace(message, id=state.new_sms_id(), to=target)
        if needs is not None:
            # "The server will only use the minimum necessary parts for sending the text".
            sms = replace(sms, parts=needs[index])
        state.sms[sms.id] = sms
        fields = subs[index] if subs else contact_fields(state.contact_by_phone(target))
        items.append(SentItem(sms.id, target, fields))
        if otp is not None:
            issue_otp(state, target, otp)
        results.append(
            {
                "accepted": True,
                "to": target,
                "id": sms.id,
                "parts": sms.parts,
                "scheduledAt": iso(sms.scheduled_at),
                "expiresAt": iso(sms.expires_at),
            }
        )
    return results, items


def record_sms(
    state: Nrs360State,
    body: JsonObject,
    channel: str,
    items: list[SentItem],
    campaign_id: int,
    campaign_name: str | None,
    tags: list[str],
    cost_cents: int,
) -> None:
    """Record an accepted SMS or landing SMS send; a future one is listed as scheduled."""
    first = state.sms[items[0].id]
    now = state.now()
    sending = state.sending.record(
        campaign_id=campaign_id,
        campaign_name=campaign_name,
        channel=channel,
        tags=tags,
        sending_id=first.sending_id,
        now=now,
        items=items,
        scheduled_at=first.scheduled_at,
        content=dict(body),
        cost_cents=cost_cents,
    )
    if first.scheduled_at is not None and first.scheduled_at > now:
        contents = {
            item.id: {
                "to": item.to,
                "from": first.sender,
                "encoding": first.encoding,
                "message": first.message,
                "campaignId": campaign_id,
                "sendingId": first.sending_id,
            }
            for item in items
        }
        state.sending.schedule(sending, "SMS", now, contents)


def _sms_json(state: Nrs360State, sms: SmsMessage, base: str) -> JsonObject:
    sent_at = sms.scheduled_at or sms.accepted_at
    # Scheduled messages have no events until their time comes (by the injected clock);
    # every other message is delivered at once, as a cooperative operator would.
    events = []
    if sent_at <= state.now():
        events = [
            {"type": kind, "date": iso(sent_at), "isMobile": False, "browser": "", "os": ""}
            for kind in ("sent", "delivered")
        ]
    return {
        "id": sms.id,
        "from": sms.sender,
        "to": sms.to,
        "message": sms.message,
        "campaignId": sms.campaign_id,
        "sendingId": sms.sending_id,
        "isDelivered": bool(events),
        "isClicked": False,
        "events": events,
        "customFields": contact_fields(state.contact_by_phone(sms.to)),
        "links": {"self": f"{base}/api/rest/sms/{sms.id}"},
    }


async def show_sms(request: Request) -> Response:
    """GET /sms/{ids}: known ids among the comma-separated list; 404 when none is known."""
    state = state_of(request)
    ids = [i.strip() for i in request.path_params["ids"].split(",") if i.strip()]
    found = [state.sms[i] for i in ids if i in state.sms]
    if not found:
        raise not_found()
    base = base_url(request)
    return ok({"data": [_sms_json(state, sms, base) for sms in found]})


ROUTES = [
    Route("/sms", send_sms, methods=["POST"]),
    Route("/sms/{ids}", show_sms, methods=["GET"]),
]
