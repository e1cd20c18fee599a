"""SMS endpoints: send (POST /sms) and look up sent messages (GET /sms/{ids})."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    PHONE_RE,
    ApiError,
    JsonObject,
    base_url,
    iso,
    not_found,
    ok,
    read_json,
    state_of,
)
from .state import SMS_PART_COST_CENTS, Contact, Nrs360State, SmsMessage

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


def _max_parts(body: JsonObject) -> int:
    value = body.get("parts", 1)
    if value is None:
        return 1
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PARTS:
        raise ApiError(400, 110, "Exceeded maximum parts allowed or incorrect number of parts")
    return value


async def send_sms(request: Request) -> Response:
    """POST /sms: validate, charge and store one message per valid recipient."""
    state = state_of(request)
    body = await read_json(request)
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
    parts = _count_parts(message, encoding)
    if parts > max_parts:
        raise ApiError(400, 105, "Text message too long")
    # 121/119 are the reference's codes for these two dates; 108 ("No valid Datetime for
    # send") is not documented for any parameter of this endpoint.
    scheduled_at = _parse_date(body.get("scheduleDate"), 121, "Invalid scheduled date")
    expires_at = _parse_date(body.get("expirationDate"), 119, "Invalid expiration date")

    recipients = body.get("to")
    if not isinstance(recipients, list):
        raise ApiError(400, 102, "No valid recipients")
    targets = [str(r) if isinstance(r, int) and not isinstance(r, bool) else r for r in recipients]
    valid = [t for t in targets if isinstance(t, str) and PHONE_RE.match(t)]
    if not valid:
        raise ApiError(400, 102, "No valid recipients")
    # The whole request is refused when it cannot be paid for: half a campaign is worse.
    cost = len(valid) * parts * SMS_PART_COST_CENTS
    if cost > state.balance_cents:
        raise ApiError(402, 111, "Not enough credits")
    state.balance_cents -= cost

    campaign_name = body.get("campaignName")
    campaign_id = state.campaign_id(campaign_name if isinstance(campaign_name, str) else None)
    sending_id = state.new_sending_id()
    now = state.now()
    results: list[JsonObject] = []
    for target in targets:
        if not (isinstance(target, str) and PHONE_RE.match(target)):
            results.append(
                {
                    "accepted": False,
                    "to": target,
                    "error": {"code": 102, "description": "No valid recipients"},
                }
            )
            continue
        sms = SmsMessage(
            id=state.new_sms_id(),
            sender=sender,
            to=target,
            message=message,
            encoding=encoding,
            parts=parts,
            campaign_id=campaign_id,
            sending_id=sending_id,
            accepted_at=now,
            scheduled_at=scheduled_at,
            expires_at=expires_at,
        )
        state.sms[sms.id] = sms
        results.append(
            {
                "accepted": True,
                "to": target,
                "id": sms.id,
                "parts": parts,
                "scheduledAt": iso(scheduled_at),
                "expiresAt": iso(expires_at),
            }
        )
    status = 202 if len(valid) == len(targets) else 207
    return ok({"campaignId": campaign_id, "sendingId": sending_id, "result": results}, status)


def _contact_fields(contact: Contact | None) -> JsonObject:
    """The contact's variables as GET /sms shows them ({} when no contact matches)."""
    if contact is None:
        return {}
    fields: JsonObject = {
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
        "customFields": _contact_fields(state.contact_by_phone(sms.to)),
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
