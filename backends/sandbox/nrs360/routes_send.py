"""360nrs emulator: POST /mailing, /voice, /voiceAudio, /landingsms and /whatsapp.

Each endpoint checks its parameters in the reference's order (the first failure is the
answer), refuses the whole request when it cannot be paid for (402/111), answers 202 when
every recipient was accepted and 207 with per-recipient errors otherwise, and records the
accepted recipients in `state.sending` (scheduled SMS and emails also in /scheduled).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
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
    ok,
    optional_bool,
    optional_str,
    read_json,
    state_of,
)
from .routes_sms import (
    BLACKLISTED,
    ENCODINGS,
    _max_parts,
    _parse_date,
    _sender_too_long,
    accept_sms,
    campaign_fields,
    charge_for,
    contact_fields,
    fields_getter,
    is_url,
    issue_otp,
    notification_urls,
    otp_config,
    parts_needed,
    recipients,
    record_sms,
    rejected,
    split_placeholders,
    substitutions,
)
from .seed import BUSINESS_NUMBER
from .state import Conversation, Nrs360State, SmsMessage, WaContact, WaMessage
from .state_sending import (
    ATTACHMENT_COST_CENTS,
    CERTIFIED_COST_CENTS,
    EMAIL_COST_CENTS,
    VOICE_CALL_COST_CENTS,
    WHATSAPP_TEMPLATE_COST_CENTS,
    SentItem,
)

#: Sender domains "validated on the platform" in the sandbox; any other fromEmail or
#: replyTo is answered as not verified (115/117), which is what a fresh account sees.
#: sample.com is there because the reference's own example sends from info@sample.com.
VERIFIED_DOMAINS = frozenset({"example.com", "switchboard.example", "sample.com"})
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
MAX_RETRIES = 5
#: Formats a phone call can play; anything else is "Unsupported audio format" (134).
AUDIO_EXTENSIONS = (".mp3", ".wav")
MAX_LANDING_PARTS = 8
LANDING_PLACEHOLDER = "{LAND_URL}"
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_CALLER_RE = re.compile(r"^\+?\d{6,15}$")
_COORDINATE_RE = re.compile(r"^-?\d{1,3}(\.\d+)?$")
_WA_DELIVERY = timedelta(seconds=2)


@dataclass(frozen=True)
class WaTemplate:
    """An approved WhatsApp template: how many positional variables each part takes."""

    id: int
    name: str
    text: str
    header: int = 0
    body: int = 0
    actions: int = 0
    buttons: int = 0
    location: bool = False


#: The account's approved templates (the platform's template ids are small integers).
WA_TEMPLATES = {
    t.id: t
    for t in (
        WaTemplate(
            123,
            "order_update",
            "{{h1}}: Hi {{1}}, your order {{2}} is on its way.",
            header=1,
            body=2,
            actions=1,
            buttons=2,
        ),
        WaTemplate(124, "store_location", "Find us here.", location=True),
        WaTemplate(125, "auth_code", "{{1}} is your verification code.", body=1),
        WaTemplate(126, "welcome", "Welcome! Reply to this message to talk to us."),
    )
}
#: WhatsApp numbers registered on the account.
WA_SENDERS = frozenset({BUSINESS_NUMBER})


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
    return _answer(campaign_id, sending_id, results, len(items))


# --- WhatsApp templates -------------------------------------------------------------------


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _message_error(template: WaTemplate, index: int, message: Any) -> str | None:
    """Why one entry of `messages` cannot be sent with this template (None if it can)."""
    prefix = f"The messages.{index}"
    if not isinstance(message, dict):
        return f"{prefix} must be an object."
    for key, needed in (
        ("headerFields", template.header),
        ("bodyFields", template.body),
        ("callToActionFields", template.actions),
    ):
        value = message.get(key, [])
        if not _string_list(value):
            return f"{prefix}.{key} must be an array of strings."
        if len(value) != needed:
            return f"{prefix}.{key} field must contain {needed} items."
    answers = message.get("buttonAnswers", [])
    if not _string_list(answers) or len(answers) > template.buttons:
        return f"{prefix}.buttonAnswers field must contain at most {template.buttons} items."
    # The table types defaultAnswer as an array, its example as a string: take either.
    default = message.get("defaultAnswer")
    if default is not None and not (isinstance(default, str) or _string_list(default)):
        return f"{prefix}.defaultAnswer must be a string."
    location = message.get("location")
    if template.location:
        if not isinstance(location, dict):
            return f"{prefix}.location field is required."
        for key in ("lat", "long"):
            if not _COORDINATE_RE.match(str(location.get(key, ""))):
                return f"{prefix}.location.{key} field must be a valid coordinate."
    return None


def _render(template: WaTemplate, message: JsonObject) -> str:
    text = template.text
    for number, value in enumerate(message.get("bodyFields", []), start=1):
        text = text.replace(f"{{{{{number}}}}}", value)
    for number, value in enumerate(message.get("headerFields", []), start=1):
        text = text.replace(f"{{{{h{number}}}}}", value)
    return text


def _deliver_template(state: Nrs360State, sender: str, to: str, text: str, id: str) -> None:
    """Append the template to the conversation (opening one), as the inbox would show it."""
    now = state.now()
    key = (sender, to.lstrip("+"))
    conversation = state.conversations.get(key)
    if conversation is None:
        contact = state.contact_by_phone(to)
        conversation = Conversation(
            business=sender,
            customer=key[1],
            contact=WaContact(
                msisdn=key[1],
                first_name=contact.name if contact else None,
                last_name=contact.surname if contact else None,
                email=contact.email if contact else None,
                interest=None,
                comment=None,
                country=contact.country_iso if contact else None,
            ),
            created_at=now,
        )
        state.conversations[key] = conversation
    conversation.messages.append(
        WaMessage(id, "template", sender, text, False, now, delivered_at=now + _WA_DELIVERY)
    )


async def send_whatsapp(request: Request) -> Response:
    """POST /whatsapp: an approved template to each entry of `messages`."""
    state = state_of(request)
    body = await read_json(request)
    template_id = body.get("templateId")
    if isinstance(template_id, str) and template_id.isdigit():
        template_id = int(template_id)
    template = WA_TEMPLATES.get(template_id) if isinstance(template_id, int) else None
    if template is None:
        raise ApiError(400, 140, "Invalid template")
    sender = body.get("from")
    if not isinstance(sender, str) or not sender.strip():
        raise ApiError(400, 106, "Sender missing")
    if sender.lstrip("+") not in WA_SENDERS:
        # "The sender must be registered on the platform": 115 is the table's nearest.
        raise ApiError(400, 115, "Sender is not verified")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, 102, "No valid recipients")
    campaign_name, tags = campaign_fields(body)

    errors: list[JsonObject | None] = []
    for index, message in enumerate(messages):
        to = message.get("to") if isinstance(message, dict) else None
        if not isinstance(to, str) or not PHONE_RE.match(to):
            text = f"The messages.{index}.to field does not contain a valid phone number"
            errors.append({"code": 102, "description": text})
            continue
        reason = _message_error(template, index, message)
        errors.append({"code": 422, "description": reason} if reason else None)
    accepted = sum(1 for e in errors if e is None)
    if not accepted:
        first = next(e for e in errors if e is not None)
        raise ApiError(400, first["code"], first["description"])
    cost = accepted * WHATSAPP_TEMPLATE_COST_CENTS
    _charge(state, cost)

    campaign_id, sending_id = _campaign_and_sending(state, campaign_name)
    results: list[JsonObject] = []
    items: list[SentItem] = []
    for message, error in zip(messages, errors, strict=True):
        to = message.get("to") if isinstance(message, dict) else None
        if error is not None:
            results.append(rejected(to, error))
            continue
        assert isinstance(to, str)
        fields = {str(i): v for i, v in enumerate(message.get("bodyFields", []), start=1)}
        item = SentItem(state.new_uuid(), to, fields or contact_fields(state.contact_by_phone(to)))
        items.append(item)
        _deliver_template(state, sender.lstrip("+"), to, _render(template, message), item.id)
        results.append({"accepted": True, "to": to, "id": item.id})
    state.sending.record(
        campaign_id=campaign_id,
        campaign_name=campaign_name,
        channel="whatsapp",
        tags=tags,
        sending_id=sending_id,
        now=state.now(),
        items=items,
        scheduled_at=None,
        content=dict(body),
        cost_cents=cost,
    )
    return _answer(campaign_id, sending_id, results, len(items))


ROUTES = [
    Route("/mailing", send_mailing, methods=["POST"]),
    Route("/voice", send_voice, methods=["POST"]),
    Route("/voiceAudio", send_voice_audio, methods=["POST"]),
    Route("/landingsms", send_landing, methods=["POST"]),
    Route("/whatsapp", send_whatsapp, methods=["POST"]),
]
