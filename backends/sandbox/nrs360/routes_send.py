"""360nrs emulator: POST /mailing, /voice, /voiceAudio, /landingsms and /whatsapp.

Each endpoint checks its parameters in the reference's order (the first failure is the
answer), refuses the whole request when it cannot be paid for (402/111), answers 202 when
every recipient was accepted and 207 with per-recipient errors otherwise, and records the
accepted recipients in `state.sending` (scheduled SMS and emails also in /scheduled).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    EMAIL_RE,
    PHONE_RE,
    ApiError,
    JsonObject,
    invalid,
    iso,
    optional_bool,
    optional_str,
    read_json,
    state_of,
)
from .events import schedule_events
from .routes_sms import (
    accept_sms,
    charge_for,
    fields_getter,
    notify,
    record_sms,
)
from .send_options import (
    ENCODINGS,
    _answer,
    _callers,
    _campaign_and_sending,
    _charge,
    _dates,
    _domain_verified,
    _max_parts,
    _parse_date,
    _retries,
    _sendable,
    _sender_too_long,
    _template_exists,
    _verdict,
    campaign_fields,
    contact_fields,
    is_url,
    issue_otp,
    notification_urls,
    otp_config,
    parts_needed,
    recipients,
    split_placeholders,
    substitutions,
)
from .state import Nrs360State, SmsMessage
from .state_sending import (
    ATTACHMENT_COST_CENTS,
    CERTIFIED_COST_CENTS,
    EMAIL_COST_CENTS,
    VOICE_CALL_COST_CENTS,
    SentItem,
)

#: Subjects longer than this are refused as invalid (114); the reference gives no limit,
#: 255 is the usual column size behind such a field.
MAX_SUBJECT = 255
VOICE_LANGUAGES = (
    "en_GB",
    "en_US",
    "es_ES",
    "es_US",
    "pt_PT",
    "pt_BR",
    "cmn_CN",
    "arb",
    "de_DE",
    "fr_FR",
    "it_IT",
    "hi_IN",
)
FEMALE_ONLY = frozenset({"cmn_CN", "arb", "hi_IN"})
MAX_VOICE_TEXT = 500
#: Formats a phone call can play; anything else is "Unsupported audio format" (134).
AUDIO_EXTENSIONS = (".mp3", ".wav")
MAX_LANDING_PARTS = 8
LANDING_PLACEHOLDER = "{LAND_URL}"


# --- email --------------------------------------------------------------------------------


def _email_list(body: JsonObject, key: str) -> list[str]:
    value = body.get(key)
    if value is None or value == []:
        return []
    if not isinstance(value, list):
        raise invalid(f"The {key} must be an array.")
    for index, address in enumerate(value):
        if not isinstance(address, str) or not EMAIL_RE.match(address):
            raise invalid(f"The {key}.{index} must be a valid email address.")
    return value


def _attachments(body: JsonObject) -> list[JsonObject]:
    value = body.get("attachments")
    if value is None or value == []:
        return []
    if not isinstance(value, list):
        raise invalid("The attachments must be an array.")
    for index, item in enumerate(value):
        prefix = f"The attachments.{index}"
        if not isinstance(item, dict):
            raise invalid(f"{prefix} must be an object.")
        for key in ("name", "content", "contentType"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                field = "content type" if key == "contentType" else key
                raise invalid(f"{prefix}.{field} field is required.")
        try:
            base64.b64decode(item["content"], validate=True)
        except (binascii.Error, ValueError):
            raise invalid(f"{prefix}.content must be a valid base64 string.") from None
        if "/" not in item["contentType"]:
            raise invalid(f"{prefix}.content type is not a valid MIME type.")
    return value


async def send_mailing(request: Request) -> Response:
    """POST /mailing."""
    state = state_of(request)
    body = await read_json(request)
    # Either a body or a template; "Text message missing" when there is neither.
    if not _template_exists(state, body, "body"):
        raise ApiError(400, 104, "Text message missing")
    sender = body.get("fromEmail")
    if not isinstance(sender, str) or not sender.strip():
        raise ApiError(400, 106, "Sender missing")
    if not EMAIL_RE.match(sender) or not _domain_verified(sender):
        raise ApiError(400, 115, "Sender is not verified")
    subject = body.get("subject")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT:
        raise ApiError(400, 114, "Invalid subject")
    optional_str(body, "fromName", None)
    reply_to = body.get("replyTo")
    if not isinstance(reply_to, str) or not EMAIL_RE.match(reply_to):
        raise ApiError(400, 116, "Invalid replyTo")
    if not _domain_verified(reply_to):
        raise ApiError(400, 117, "ReplyTo is not verified")
    scheduled_at = _parse_date(body.get("scheduleDate"), 121, "Invalid scheduled date")
    targets = recipients(body)
    _email_list(body, "cc")
    _email_list(body, "bcc")
    campaign_name, tags = campaign_fields(body)
    certified = optional_bool(body, "certified", False)
    subs = substitutions(body, len(targets))
    attachments = _attachments(body)
    optional_bool(body, "trackOpens", True)
    optional_bool(body, "trackClicks", True)
    otp = otp_config(body, "body")

    valid, blocked = _sendable(state, targets, EMAIL_RE, "mailing")
    per_email = (
        EMAIL_COST_CENTS
        + ATTACHMENT_COST_CENTS * len(attachments)
        + (CERTIFIED_COST_CENTS if certified else 0)
    )
    cost = (len(valid) - len(blocked)) * per_email
    _charge(state, cost)

    campaign_id, sending_id = _campaign_and_sending(state, campaign_name)
    results: list[JsonObject] = []
    items: list[SentItem] = []
    for index, target in enumerate(targets):
        refusal = _verdict(target, valid, blocked)
        if refusal is not None:
            results.append(refusal)
            continue
        item = SentItem(state.new_sms_id(), target, _mail_fields(state, target, subs, index))
        items.append(item)
        if otp is not None:
            issue_otp(state, target, otp)
        results.append(
            {"accepted": True, "to": target, "id": item.id, "scheduledAt": iso(scheduled_at)}
        )
    # Attachments are kept by name only: the reports need to know they were there.
    content = dict(body)
    if attachments:
        content["attachments"] = [{"name": a["name"]} for a in attachments]
    now = state.now()
    sending = state.sending.record(
        campaign_id=campaign_id,
        campaign_name=campaign_name,
        channel="mailing",
        tags=tags,
        sending_id=sending_id,
        now=now,
        items=items,
        scheduled_at=scheduled_at,
        content=content,
        cost_cents=cost,
    )
    if scheduled_at is not None and scheduled_at > now:
        summary = {
            "fromEmail": sender,
            "fromName": body.get("fromName"),
            "subject": subject,
            "replyTo": reply_to,
            "campaignId": campaign_id,
            "sendingId": sending_id,
        }
        contents = {item.id: {"to": item.to, **summary} for item in items}
        state.sending.schedule(sending, "MAILING", now, contents)
    return _answer(campaign_id, sending_id, results, len(items))


def _mail_fields(
    state: Nrs360State, email: str, subs: list[dict[str, str]] | None, index: int
) -> dict[str, str]:
    if subs:
        return subs[index]
    wanted = email.lower()
    contact = next((c for c in state.contacts.values() if (c.email or "").lower() == wanted), None)
    return contact_fields(contact)


# --- voice --------------------------------------------------------------------------------


def _send_calls(
    state: Nrs360State,
    body: JsonObject,
    channel: str,
    targets: list[Any],
    subs: list[dict[str, str]] | None,
) -> Response:
    """Check the options both voice endpoints share (after theirs), then place the calls.

    Scheduled calls are not listed by /scheduled: the reference's types there are only
    SMS and MAILING.
    """
    _callers(body)
    _retries(body)
    dates = _dates(state, body)
    campaign_name, tags = campaign_fields(body)
    optional_bool(body, "amd", False)
    valid, blocked = _sendable(state, targets, PHONE_RE, "voice")
    cost = (len(valid) - len(blocked)) * VOICE_CALL_COST_CENTS
    _charge(state, cost)

    campaign_id, sending_id = _campaign_and_sending(state, campaign_name)
    scheduled_at, expires_at = dates
    results: list[JsonObject] = []
    items: list[SentItem] = []
    for index, target in enumerate(targets):
        refusal = _verdict(target, valid, blocked)
        if refusal is not None:
            results.append(refusal)
            continue
        fields = subs[index] if subs else contact_fields(state.contact_by_phone(target))
        item = SentItem(state.new_sms_id(), target, fields)
        items.append(item)
        results.append(
            {
                "accepted": True,
                "to": target,
                "id": item.id,
                "scheduledAt": iso(scheduled_at),
                "expiresAt": iso(expires_at),
            }
        )
    state.sending.record(
        campaign_id=campaign_id,
        campaign_name=campaign_name,
        channel=channel,
        tags=tags,
        sending_id=sending_id,
        now=state.now(),
        items=items,
        scheduled_at=scheduled_at,
        content=dict(body),
        cost_cents=cost,
    )
    return _answer(campaign_id, sending_id, results, len(items))


async def send_voice(request: Request) -> Response:
    """POST /voice: text to speech."""
    state = state_of(request)
    body = await read_json(request)
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        raise ApiError(400, 104, "Text message missing")
    if len(message) > MAX_VOICE_TEXT:
        raise ApiError(400, 105, "Text message too long")
    language = body.get("language")
    if language not in VOICE_LANGUAGES:
        raise ApiError(400, 130, "Invalid voice language")
    gender = body.get("gender")
    # Some languages exist only in a female voice: a male one is an invalid gender there.
    if gender not in ("F", "M") or (gender == "M" and language in FEMALE_ONLY):
        raise ApiError(400, 131, "Invalid voice gender")
    targets = recipients(body)
    subs = substitutions(body, len(targets))
    return _send_calls(state, body, "voice", targets, subs)


async def send_voice_audio(request: Request) -> Response:
    """POST /voiceAudio: play an audio file."""
    state = state_of(request)
    body = await read_json(request)
    audio = body.get("audioUrl")
    if not is_url(audio):
        raise ApiError(400, 133, "Invalid audio URL")
    assert isinstance(audio, str)
    if not urlsplit(audio).path.lower().endswith(AUDIO_EXTENSIONS):
        raise ApiError(400, 134, "Unsupported audio format")
    return _send_calls(state, body, "voiceAudio", recipients(body), None)


# --- landing SMS --------------------------------------------------------------------------


async def send_landing(request: Request) -> Response:
    """POST /landingsms: an SMS whose {LAND_URL} links a landing page."""
    state = state_of(request)
    body = await read_json(request)
    message = body.get("message")
    if not isinstance(message, str) or not message:
        raise ApiError(400, 104, "Text message missing")
    if LANDING_PLACEHOLDER not in message:
        raise ApiError(400, 141, "Missing landing placeholder")
    sender = body.get("from")
    if not isinstance(sender, str) or not sender.strip():
        raise ApiError(400, 106, "Sender missing")
    if _sender_too_long(sender):
        raise ApiError(400, 107, "Sender too long")
    encoding = body.get("encoding") or "gsm"
    if encoding not in ENCODINGS:
        raise ApiError(400, 113, "Invalid coding")
    max_parts = _max_parts(body, MAX_LANDING_PARTS)
    scheduled_at, expires_at = _dates(state, body)
    targets = recipients(body)
    # Only one notification URL here: the reference types it as a string for landings.
    notification_urls(body, len(targets), per_recipient=False)
    optional_bool(body, "trans", False)
    campaign_name, tags = campaign_fields(body)
    certified = optional_bool(body, "certified", False)
    subs = substitutions(body, len(targets))
    split = optional_bool(body, "splitParts", False)
    optional_bool(body, "flash", False)
    if not _template_exists(state, body, "templateBody"):
        raise ApiError(400, 140, "Template missing")
    # /landingsms `parts`: "If the number of parts is less than that required for sending
    # the text, the message will fail with error 105"; each recipient's own text counts,
    # its {LAND_URL} as long as the link the platform makes for it.
    needs = parts_needed(message, encoding, targets, fields_getter(state, subs), 4)
    parts = max(needs, default=1)
    if parts > max_parts:
        raise ApiError(400, 105, "Text message too long")
    if split and parts > 1:
        split_placeholders(message, encoding)

    valid, blocked = _sendable(state, targets, PHONE_RE, "sms")
    cost = charge_for(targets, needs, valid - blocked, certified)
    _charge(state, cost)

    campaign_id, sending_id = _campaign_and_sending(state, campaign_name)
    now = state.now()
    # Stored with the plain SMS so GET /sms/{id} shows landing messages too.
    results, items = accept_sms(
        state,
        targets,
        valid=valid,
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
        needs=needs,
    )
    record_sms(state, body, "landingsms", items, campaign_id, campaign_name, tags, cost)
    # The landing SMS's notificationUrl: "URL to receive delivery notifications".
    notify(request, body, items)
    schedule_events(request, items, "landing", campaign_name)
    return _answer(campaign_id, sending_id, results, len(items))


ROUTES = [
    Route("/mailing", send_mailing, methods=["POST"]),
    Route("/voice", send_voice, methods=["POST"]),
    Route("/voiceAudio", send_voice_audio, methods=["POST"]),
    Route("/landingsms", send_landing, methods=["POST"]),
]
