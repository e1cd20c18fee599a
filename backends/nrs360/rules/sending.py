"""360nrs request rules: sending (SMS, mail, voice, landing SMS, WhatsApp templates and
conversations), with the certificate and coverage reads of the SMS paths."""

from __future__ import annotations

import re
from collections.abc import Mapping

from backends.nrs360.rules.checks import (
    _allowed,
    _attr,
    _blank,
    _body,
    _booleans,
    _invalid,
    _is_url,
    _json_object,
    _page_limit,
    _required,
    _string,
    _v,
)
from backends.nrs360.rules.options import (
    _available_times,
    _date,
    _encoding,
    _notification_url,
    _otp_config,
    _parts,
    _recipients,
    _sender,
    _sub,
    _tags,
    _trans,
)
from backends.rules import Check, Outgoing, Rules, Violation, as_int, is_int

# --- endpoints -------------------------------------------------------------------------------

# POST /sms: "message | string | Yes", "to | array | Yes", "from | string | Yes".
_SMS_FIELDS = (
    "message", "to", "from", "encoding", "scheduleDate", "expirationDate", "parts",
    "notificationUrl", "trans", "campaignName", "tags", "certified", "sub", "splitParts",
    "flash", "availableTimes", "otpConfig",
)  # fmt: skip
_TEXT = _required("message", 104, "message is required (the text to send)")
_FROM = _required("from", 106, "from is required (the sender: up to 11 letters/digits)")


def _mail_content(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # body: "Required without templateId"; templateId / templateV2Id: "Required without
    # body". 104 "Text message missing" when there is none of them.
    body = _body(out)
    if all(_blank(body.get(k)) for k in ("body", "templateId", "templateV2Id")):
        return _v(104, "an email needs a body, a templateId or a templateV2Id")
    return None


def _int_fields(*names: str, code: int = 422) -> Check:
    """Fields typed `integer` in their table (a template id that is none: 140 Template missing)."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        body = _body(out)
        for name in names:
            value = body.get(name)
            if value is not None and as_int(value) is None:
                return _v(code, f"The {_attr(name)} must be an integer.")
        return None

    return check


def _attachments(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # attachments: "[{ "name": "filename.txt", "content": "Ci4vYmluL3pvb2tlZ...",
    # "contentType": "text/plain" }] name: file name. content: file content in base64.
    # contentType: file content type."
    value = _body(out).get("attachments")
    if value is None or value == []:
        return None
    if not isinstance(value, list):
        return _invalid("The attachments must be an array.")
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            return _invalid(f"The attachments.{i} must be an object.")
        for key in ("name", "content", "contentType"):
            if _blank(item.get(key)) or not isinstance(item.get(key), str):
                return _invalid(f"The attachments.{i}.{_attr(key)} field is required.")
    return None


def _email_lists(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # to / cc / bcc: "array ... Email addresses of the sending."
    body = _body(out)
    for key in ("cc", "bcc"):
        value = body.get(key)
        if value is not None and not isinstance(value, list):
            return _invalid(f"The {key} must be an array.")
    return None


_MAIL_FIELDS = (
    "body", "templateId", "templateV2Id", "to", "cc", "bcc", "fromEmail", "subject",
    "fromName", "replyTo", "scheduleDate", "campaignName", "tags", "certified", "sub",
    "attachments", "trackOpens", "trackClicks", "otpConfig",
)  # fmt: skip

# voice language: "the options are: 'en_GB' ... 'cmn_CN': Mandarin Chinese - China * ,
# 'arb': Arab * , ... 'hi_IN': Indi - India * .* Available only in female gender."
VOICE_LANGUAGES = (
    "en_GB", "en_US", "es_ES", "es_US", "pt_PT", "pt_BR", "cmn_CN", "arb", "de_DE", "fr_FR",
    "it_IT", "hi_IN",
)  # fmt: skip
FEMALE_ONLY = frozenset({"cmn_CN", "arb", "hi_IN"})
#: voice message: "At most it can have 500 characters."
MAX_VOICE_TEXT = 500
#: retries: "Maximum number of retries. Maximum 5."
MAX_RETRIES = 5


def _voice_text(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    message = _body(out).get("message")
    if isinstance(message, str) and len(message) > MAX_VOICE_TEXT:
        return _v(105, f"the voice message has {len(message)} characters; at most 500")
    return None


def _voice(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # language "Yes" (130 Invalid voice language); gender: "'F' for a woman's voice and 'M'
    # for a man's voice" (131 Invalid voice gender), and "* Available only in female gender".
    body = _body(out)
    language, gender = body.get("language"), body.get("gender")
    if language not in VOICE_LANGUAGES:
        return _v(130, f"language must be one of {', '.join(VOICE_LANGUAGES)}, not {language!r}")
    if gender not in ("F", "M"):
        return _v(131, f"gender must be 'F' (female) or 'M' (male), not {gender!r}")
    if gender == "M" and language in FEMALE_ONLY:
        return _v(131, f"language {language} has only a female voice: use gender F")
    return None


def _retries(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # retries: "integer ... Maximum number of retries. Maximum 5. If not specified, there
    # will be no retries." (176 not an integer, 177 out of range, 190 empty)
    body = _body(out)
    if "retries" not in body or body["retries"] is None:
        return None
    value = body["retries"]
    if value == "":
        return _v(190, "retries is given but empty")
    if not is_int(value):
        return _v(176, f"retries must be an integer 0-5, not {value!r}")
    if not 0 <= value <= MAX_RETRIES:
        return _v(177, f"retries must be between 0 and {MAX_RETRIES}, not {value}")
    return None


_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


def _callers(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # callers: "Object with the list of personalized senders by country ... Example:
    # {"ES": "6123456789", "PT": "6987654321"}" (132 Invalid voice caller).
    value = _body(out).get("callers")
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and _COUNTRY_RE.match(k) and isinstance(v, str) and v
        for k, v in value.items()
    ):
        return _v(132, 'callers must be an object of country code to number, e.g. {"ES": "6123"}')
    return None


_CALL_FIELDS = (
    "to", "callers", "scheduleDate", "retries", "expirationDate", "campaignName", "tags",
    "amd",
)  # fmt: skip
_CALL_CHECKS = (
    _recipients,
    _callers,
    _date("scheduleDate", 121),
    _retries,
    _date("expirationDate", 119),
    _tags,
    _booleans("amd"),
)


def _audio_url(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # audioUrl: "string | Yes | URL of the audio to be sent." (133 Invalid audio URL)
    value = _body(out).get("audioUrl")
    if not _is_url(value):
        return _v(133, f"audioUrl must be an http(s) URL of the audio, not {value!r}")
    return None


def _landing_template(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # templateBody: "Required without templateId"; templateId / templateV2Id: "Required
    # without templateBody". 140 "Template missing".
    body = _body(out)
    if all(_blank(body.get(k)) for k in ("templateBody", "templateId", "templateV2Id")):
        return _v(140, "a landing SMS needs a templateBody, a templateId or a templateV2Id")
    return None


_LANDING_FIELDS = (
    "message", "to", "from", "encoding", "scheduleDate", "expirationDate", "parts",
    "notificationUrl", "trans", "campaignName", "tags", "certified", "sub", "splitParts",
    "flash", "templateBody", "templateId", "templateV2Id",
)  # fmt: skip

_WA_MESSAGE_KEYS = frozenset(
    {"to", "headerFields", "bodyFields", "callToActionFields", "defaultAnswer",
     "buttonAnswers", "location"}
)  # fmt: skip
_WA_LOCATION_KEYS = frozenset({"lat", "long", "name", "address"})


def _wa_template(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # templateId: "integer | Yes | ID of the WhatsApp template to be sent." (its example
    # error: 140 "Invalid template")
    value = _body(out).get("templateId")
    if as_int(value) is None:
        return _v(140, "templateId is required (the id of an approved WhatsApp template)")
    return None


def _wa_messages(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # messages: "array | Yes"; "messages.*.to | string | Yes"; headerFields, bodyFields,
    # callToActionFields, buttonAnswers arrays; location "lat"/"long" "Required for
    # templates containing location" when a location is given.
    messages = _body(out).get("messages")
    if not isinstance(messages, list) or not messages:
        return _v(102, "messages must be a non-empty array of {to, ...} objects")
    for i, message in enumerate(messages):
        at = f"messages[{i}]"
        if not isinstance(message, Mapping):
            return _invalid(f"{at} must be an object")
        unknown = sorted(k for k in message if k not in _WA_MESSAGE_KEYS)
        if unknown:
            return _invalid(f"{at}: {', '.join(unknown)} is not a message parameter")
        if _blank(message.get("to")) or not isinstance(message.get("to"), str):
            return _invalid(f"{at}.to is required (the recipient's number)")
        for key in ("headerFields", "bodyFields", "callToActionFields", "buttonAnswers"):
            value = message.get(key)
            if value is not None and not isinstance(value, list):
                return _invalid(f"{at}.{key} must be an array")
        location = message.get("location")
        if location is not None:
            if not isinstance(location, Mapping):
                return _invalid(f"{at}.location must be an object")
            bad = sorted(k for k in location if k not in _WA_LOCATION_KEYS)
            if bad:
                return _invalid(f"{at}.location: {', '.join(bad)} is not a location field")
            for key in ("lat", "long"):
                if _blank(location.get(key)):
                    return _invalid(f"{at}.location.{key} is required with a location")
    return None


def add(rules: Rules) -> None:
    """Declare this area's endpoints."""
    rules.endpoint(
        "POST",
        "/sms",
        _json_object,
        _TEXT,
        _string("message", 104),
        _FROM,
        _sender,
        _encoding,
        _parts(15),
        _date("scheduleDate", 121),
        _date("expirationDate", 119),
        _recipients,
        _notification_url(per_recipient=True),
        _trans,
        _tags,
        _booleans("certified", "splitParts", "flash"),
        _sub,
        _available_times,
        _otp_config,
        _allowed(*_SMS_FIELDS),
    )
    # GET /sms/<ID>: "It is possible to specify multiple identifiers separated by commas."
    rules.endpoint("GET", "/sms/{ids}")
    # "Coverage": GET sms/coverage and sms/coverageByCountry (literal segments win over {ids}).
    rules.endpoint("GET", "/sms/coverage")
    rules.endpoint("GET", "/sms/coverageByCountry")
    # "Certified SMS" / "Certified emails".
    rules.endpoint("GET", "/sms/certificates/{id}")
    rules.endpoint("GET", "/mailing/certificates/{id}")
    rules.endpoint(
        "POST",
        "/mailing",
        _json_object,
        _mail_content,
        _int_fields("templateId", "templateV2Id", code=140),
        # fromEmail / subject / replyTo: "Yes"; 106 Sender missing, 114 Invalid subject,
        # 116 Invalid replyTo are the table's lines for them.
        _required("fromEmail", 106, "fromEmail is required (a sender address validated on 360nrs)"),
        _required("subject", 114, "subject is required"),
        _string("subject", 114),
        _required("replyTo", 116, "replyTo is required (an address validated on 360nrs)"),
        _date("scheduleDate", 121),
        _recipients,
        _email_lists,
        _tags,
        _booleans("certified", "trackOpens", "trackClicks"),
        _sub,
        _attachments,
        _otp_config,
        _allowed(*_MAIL_FIELDS),
    )
    rules.endpoint(
        "POST",
        "/voice",
        _json_object,
        _required("message", 104, "message is required (the text to speak)"),
        _string("message", 104),
        _voice_text,
        _voice,
        *_CALL_CHECKS,
        _sub,
        _allowed("message", "language", "gender", "sub", *_CALL_FIELDS),
    )
    rules.endpoint(
        "POST",
        "/voiceAudio",
        _json_object,
        _audio_url,
        *_CALL_CHECKS,
        _allowed("audioUrl", *_CALL_FIELDS),
    )
    rules.endpoint(
        "POST",
        "/landingsms",
        _json_object,
        _TEXT,
        _string("message", 104),
        _FROM,
        _sender,
        _encoding,
        _parts(8),
        _date("scheduleDate", 121),
        _date("expirationDate", 119),
        _recipients,
        _notification_url(per_recipient=False),
        _trans,
        _tags,
        _booleans("certified", "splitParts", "flash"),
        _sub,
        _landing_template,
        _int_fields("templateId", "templateV2Id", code=140),
        _allowed(*_LANDING_FIELDS),
    )
    rules.endpoint(
        "POST",
        "/whatsapp",
        _json_object,
        _wa_template,
        _required("from", 106, "from is required (a WhatsApp sender registered on 360nrs)"),
        _wa_messages,
        _tags,
        _allowed("templateId", "from", "messages", "campaignName", "tags"),
    )
    # "Conversation list" / "Show the messages in a conversation": "limit ... Maximum: 1000".
    rules.endpoint("GET", "/whatsapp/conversations", _page_limit)
    rules.endpoint("GET", "/whatsapp/conversations/{from}/{to}")
    rules.endpoint("GET", "/whatsapp/conversations/{from}/{to}/messages", _page_limit)
    # "Send a message to a conversation": "content | string | Yes".
    rules.endpoint(
        "POST",
        "/whatsapp/conversations/{from}/{to}/messages",
        _json_object,
        _required("content"),
        _string("content"),
        _allowed("content"),
    )
