"""360nrs request rules, written from its reference (`360nrs-api.txt`).

Every endpoint the reference documents (method and path below `/api/rest`), with the
checks its parameter tables state, each citing its sentence. The client refuses a request
breaking one before it leaves (`backends/nrs360/client.py`); the emulator answers it with the
provider's error body after auth (`backends/sandbox/nrs360/app.py`).

Status and code of a violation come from the reference's error table ("Error Code | HTTP
Code | Description") where it has a line for the failure (104 text missing, 105 too long,
106/107 sender, 110 parts, 113 coding, 119/121 dates, 126 empty campaign name, 130/131
voice language/gender, 176/177 retries, 183-189/194 available times ...). Where it has
none, the failure is "422 | 422 | Input validation error", the platform's (Laravel)
validation error, as the reference's own examples show ("The email field is required.").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from backends.rules import Check, Outgoing, Rules, Violation, as_int, is_int

__all__ = ["ERROR_TABLE", "MAX_PAGE", "RULES", "SCHEDULE_HORIZON"]

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

RULES = Rules(
    "360nrs",
    # Neither is in the error table; the emulator answers the API's generic
    # "Error response (HTTP 404) ... Resource not found" and a 405 of the same shape.
    unknown=Violation("is not an endpoint the 360nrs reference documents", 404, 404),
    wrong_method=Violation("uses a method the 360nrs reference does not document here", 405, 405),
)

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


# --- send options -----------------------------------------------------------------------------

_SENDER_DIGITS = re.compile(r"^\d{1,15}$")
_SENDER_ALNUM = re.compile(r"^[A-Za-z0-9]{1,11}$")


def _sender(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # from (sms, landingsms): "Sender text, this label will consist of 15 numbers or 11
    # alphanumeric characters." The table has "107 Sender too long" only; a character that
    # is not alphanumeric is refused with it too (the nearest code), the message says why.
    sender = _body(out).get("from")
    if _blank(sender):
        return None  # _required reports it (106)
    if not isinstance(sender, str):
        return _v(107, "from must be a text of up to 11 letters/digits or up to 15 digits")
    if sender.isdigit() and not _SENDER_DIGITS.match(sender):
        return _v(107, f"from {sender!r} is too long: a numeric sender has at most 15 digits")
    if not sender.isdigit() and not _SENDER_ALNUM.match(sender):
        if len(sender) > 11:
            return _v(
                107,
                f"from {sender!r} is too long: at most 11 alphanumeric characters "
                "(or up to 15 digits)",
            )
        return _v(107, f"from {sender!r} may hold only letters and digits (A-Z, a-z, 0-9)")
    return None


ENCODINGS = ("gsm", "gsm-pt", "utf-16")


def _encoding(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # encoding: "Possible values are 'gsm', 'gsm-pt' and 'utf-16'." (113 Invalid coding)
    value = _body(out).get("encoding")
    if value is not None and value not in ENCODINGS:
        return _v(113, f"encoding must be one of gsm, gsm-pt, utf-16, not {value!r}")
    return None


def _parts(maximum: int) -> Check:
    # parts: "integer ... The maximum number of parts allowed is 15" (/sms) and "is 8"
    # (/landingsms); 110 "Exceeded maximum parts allowed or incorrect number of parts".
    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        value = _body(out).get("parts")
        if value is None:
            return None
        if not is_int(value) or not 1 <= value <= maximum:
            return _v(110, f"parts must be an integer between 1 and {maximum}, not {value!r}")
        return None

    return check


_DATE_RE = re.compile(r"^\d{14}$")


def _date(name: str, code: int) -> Check:
    # scheduleDate / expirationDate: "the date in the following format YYYYmmddHHiiss (e.g.
    # 20130215142000 would be 15 February 2013 at 14:20:00)", UTC. 121 "Invalid scheduled
    # date" and 119 "Invalid expiration date"; a date beyond SCHEDULE_HORIZON too.
    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        value = _body(out).get(name)
        if value is None:
            return None
        when: datetime | None = None
        if isinstance(value, str) and _DATE_RE.match(value):
            try:
                when = datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            except ValueError:
                when = None
        if when is None:
            return _v(code, f"{name} must be a UTC date as YYYYmmddHHiiss, not {value!r}")
        if when > datetime.now(UTC) + SCHEDULE_HORIZON:
            return _v(
                code,
                f"{name} {when:%Y-%m-%d %H:%M} UTC is more than a year ahead; check the year",
            )
        return None

    return check


def _recipients(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # to: "array | Yes | ... This field allows you to specify multiple recipients."
    # "102 | 400 | No valid recipients" when there is none; a number the platform cannot
    # reach is its own per-recipient answer (207), not a rule.
    to = _body(out).get("to")
    if not isinstance(to, list) or not to:
        return _v(102, "to must be a non-empty array of recipients")
    return None


def _count(out: Outgoing) -> int | None:
    to = _body(out).get("to")
    return len(to) if isinstance(to, list) else None


def _notification_url(per_recipient: bool) -> Check:
    # /sms: "notificationUrl | string|array" and "When using multiple notification URLs,
    # the array must contain as many elements as the send recipients." /landingsms types
    # it "string" only. 109 "Notification URL incorrect".
    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        value = _body(out).get("notificationUrl")
        if value is None:
            return None
        if isinstance(value, list):
            if not per_recipient:
                return _v(
                    109, "notificationUrl must be one URL here (the reference types it string)"
                )
            count = _count(out)
            if count is not None and len(value) != count:
                return _v(
                    109,
                    f"notificationUrl has {len(value)} URLs for {count} recipients: "
                    "one URL, or exactly one per recipient",
                )
            urls = value
        else:
            urls = [value]
        bad = next((u for u in urls if not _is_url(u)), None)
        if bad is not None or not urls:
            return _v(109, f"notificationUrl {bad!r} is not an http(s) URL")
        return None

    return check


def _trans(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # trans: "integer ... Possible values are 1 and 0."
    value = _body(out).get("trans")
    if value is not None and not (is_int(value) and value in (0, 1)):
        return _invalid("The trans must be 0 or 1.")
    return None


def _tags(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # tags: "campaignName is required if this parameter is specified. List of tags to add
    # to the campaign." 126 "Empty campaign name".
    body = _body(out)
    tags = body.get("tags")
    if tags is None or tags == []:
        return None
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return _invalid("The tags must be an array of strings.")
    if _blank(body.get("campaignName")):
        return _v(126, "tags need a campaign name (campaignName is required with tags)")
    return None


def _sub(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "When using the sub parameter, the array must contain as many items as the send
    # recipients" (sms, mailing, voice, landingsms).
    value = _body(out).get("sub")
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        return _invalid("The sub must be an array of objects.")
    count = _count(out)
    if count is not None and len(value) != count:
        return _invalid(f"The sub must contain {count} items.")
    return None


_HOUR_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _available_times(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # availableTimes: "[{"day": 1, "from": "09:00", "to": "21:00"}] day: ... it must be a
    # number between 1 and 7. Optional ... from: time that defines the start of the time
    # range in UTC 24 hour format. to: ... end of the time range" (codes 183-189, 194).
    body = _body(out)
    if "availableTimes" not in body:
        return None
    windows = body["availableTimes"]
    if not isinstance(windows, list):
        return _v(183, "availableTimes must be an array of {day, from, to} objects")
    if not windows:
        return _v(194, "availableTimes is given but empty")
    for i, window in enumerate(windows):
        at = f"availableTimes[{i}]"
        if not isinstance(window, Mapping) or "from" not in window or "to" not in window:
            return _v(189, f"{at} needs both 'from' and 'to' (HH:MM)")
        day = window.get("day")
        if day is not None:
            if not is_int(day):
                return _v(184, f"{at}.day must be an integer 1-7 (Monday-Sunday)")
            if not 1 <= day <= 7:
                return _v(185, f"{at}.day must be between 1 (Monday) and 7 (Sunday), not {day}")
        start, end = window["from"], window["to"]
        if not isinstance(start, str) or not _HOUR_RE.match(start):
            return _v(186, f"{at}.from must be a 24-hour HH:MM time, not {start!r}")
        if not isinstance(end, str) or not _HOUR_RE.match(end):
            return _v(187, f"{at}.to must be a 24-hour HH:MM time, not {end!r}")
        if start > end:  # zero-padded HH:MM compare like the times they are
            return _v(188, f"{at}: from {start} is after to {end}")
    return None


# otpConfig and POST otp/generate: "length: ... The minimum value is 3 and the maximum is 10",
# "maxAttempts: ... The minimum value is 1 and the maximum is 10", "maxSecondsValidity:
# ... The minimum value is 30 and the maximum is 600" (the same in all three tables).
_OTP_RANGES = (("length", 3, 10), ("maxAttempts", 1, 10), ("maxSecondsValidity", 30, 600))


def _otp_fields(cfg: Body, where: str) -> Violation | None:
    for name, low, high in _OTP_RANGES:
        why = _int_range(name, low, high, where)(cfg.get(name))
        if why:
            return _invalid(why)
    for name in ("alpha", "rejectIfPendingCode"):
        value = cfg.get(name)
        if value is not None and not _is_bool(value):
            return _invalid(f"The {where}{_attr(name)} field must be true or false.")
    app_id = cfg.get("appId")
    if app_id is not None and not isinstance(app_id, str):
        return _invalid(f"The {where}app id must be a string.")
    return None


_OTP_KEYS = frozenset(
    {"alpha", "length", "maxAttempts", "maxSecondsValidity", "appId", "rejectIfPendingCode"}
)


def _otp_config(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # otpConfig (sms, mailing): "object ... alpha, length, maxAttempts, maxSecondsValidity,
    # appId, rejectIfPendingCode" with the ranges above.
    cfg = _body(out).get("otpConfig")
    if cfg is None:
        return None
    if not isinstance(cfg, Mapping):
        return _invalid("The otp config must be an object.")
    unknown = sorted(k for k in cfg if k not in _OTP_KEYS)
    if unknown:
        return _invalid(f"otpConfig: {', '.join(unknown)} is not an OTP parameter")
    # Its fields are named as Laravel names them at the top level ("The length must be").
    return _otp_fields(cfg, "")


# --- endpoints -------------------------------------------------------------------------------

# POST /sms: "message | string | Yes", "to | array | Yes", "from | string | Yes".
_SMS_FIELDS = (
    "message", "to", "from", "encoding", "scheduleDate", "expirationDate", "parts",
    "notificationUrl", "trans", "campaignName", "tags", "certified", "sub", "splitParts",
    "flash", "availableTimes", "otpConfig",
)  # fmt: skip
_TEXT = _required("message", 104, "message is required (the text to send)")
_FROM = _required("from", 106, "from is required (the sender: up to 11 letters/digits)")
RULES.endpoint(
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
RULES.endpoint("GET", "/sms/{ids}")
# "Coverage": GET sms/coverage and sms/coverageByCountry (literal segments win over {ids}).
RULES.endpoint("GET", "/sms/coverage")
RULES.endpoint("GET", "/sms/coverageByCountry")
# "Certified SMS" / "Certified emails".
RULES.endpoint("GET", "/sms/certificates/{id}")
RULES.endpoint("GET", "/mailing/certificates/{id}")


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
RULES.endpoint(
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
RULES.endpoint(
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


def _audio_url(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # audioUrl: "string | Yes | URL of the audio to be sent." (133 Invalid audio URL)
    value = _body(out).get("audioUrl")
    if not _is_url(value):
        return _v(133, f"audioUrl must be an http(s) URL of the audio, not {value!r}")
    return None


RULES.endpoint(
    "POST",
    "/voiceAudio",
    _json_object,
    _audio_url,
    *_CALL_CHECKS,
    _allowed("audioUrl", *_CALL_FIELDS),
)


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
RULES.endpoint(
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


RULES.endpoint(
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
RULES.endpoint("GET", "/whatsapp/conversations", _page_limit)
RULES.endpoint("GET", "/whatsapp/conversations/{from}/{to}")
RULES.endpoint("GET", "/whatsapp/conversations/{from}/{to}/messages", _page_limit)
# "Send a message to a conversation": "content | string | Yes".
RULES.endpoint(
    "POST",
    "/whatsapp/conversations/{from}/{to}/messages",
    _json_object,
    _required("content"),
    _string("content"),
    _allowed("content"),
)

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


RULES.endpoint(
    "GET",
    "/scheduled",
    _one_of_query("type", _SCHEDULED_TYPES),
)
RULES.endpoint(
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
RULES.endpoint(
    "DELETE", "/scheduled", _json_object, _guid, _scheduled_type, _allowed("guid", "type")
)

# --- campaigns and reports -----------------------------------------------------------------

# campaigns "channel: Filter by channel. Available values: sms, mailing, landing,
# text2speech, voice-interactive"; beforeDate/afterDate "in ISO 8601 format".
_CHANNELS = ("sms", "mailing", "landing", "text2speech", "voice-interactive")
RULES.endpoint(
    "GET",
    "/campaigns",
    _one_of_query("channel", _CHANNELS),
    _iso_query("beforeDate", "afterDate"),
)
RULES.endpoint("GET", "/sendings/{sendingId}/reports/events", _iso_query("beforeDate", "afterDate"))
RULES.endpoint("GET", "/sendings/{sendingId}/reports/keys", _iso_query("beforeDate", "afterDate"))

# --- contacts and groups -------------------------------------------------------------------

# include: "Available values: customFields, groups."
_INCLUDE = _one_of_query("include", ("customFields", "groups"), many=True)
# POST and PUT /contacts: the parameter table's fields (no externalId: that is only a
# filter of GET /contacts; no include: only a filter of the GETs).
_CONTACT_FIELDS = (
    "email", "phone", "landline", "countryIso", "groupsIds", "groupsNames", "name",
    "surname", "customFields",
)  # fmt: skip
_FIELD_TYPES = ("string", "date", "decimal")


def _contact(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # email/phone/landline: "Required when phone or landline is not specified" (and so on);
    # countryIso: "Required when phone or landline is specified"; groupsIds: "Required if
    # groupsNames is not specified"; customFields[]type: "Possible values: string, date,
    # decimal". The answers quote Laravel ("The email field is required.").
    body = _body(out)
    if all(_blank(body.get(k)) for k in ("email", "phone", "landline")):
        return _invalid("The email field is required.")
    if (not _blank(body.get("phone")) or not _blank(body.get("landline"))) and _blank(
        body.get("countryIso")
    ):
        return _invalid("The country iso field is required when phone / landline is present.")
    country = body.get("countryIso")
    if not _blank(country) and not (isinstance(country, str) and len(country.strip()) == 2):
        return _invalid("The country iso must be 2 characters.")
    if _blank(body.get("groupsIds")) and _blank(body.get("groupsNames")):
        return _invalid("The groups ids field is required when groups names is not present.")
    for key in ("groupsIds", "groupsNames", "customFields"):
        value = body.get(key)
        if value is not None and not isinstance(value, list):
            return _invalid(f"The {_attr(key)} must be an array.")
    for i, item in enumerate(body.get("customFields") or []):
        if not isinstance(item, Mapping) or _blank(item.get("key")):
            return _invalid(f"The custom fields.{i}.key field is required.")
        if item.get("type") is not None and item.get("type") not in _FIELD_TYPES:
            return _invalid(f"The selected custom fields.{i}.type is invalid.")
    return None


_CONTACT_WRITE = (
    _json_object,
    _no_query("include"),
    _contact,
    _allowed(*_CONTACT_FIELDS),
)
RULES.endpoint("GET", "/contacts", _page_limit, _INCLUDE)
RULES.endpoint("GET", "/contacts/{id}", _INCLUDE)
RULES.endpoint("POST", "/contacts", *_CONTACT_WRITE)
RULES.endpoint("PUT", "/contacts/{id}", *_CONTACT_WRITE)
RULES.endpoint("DELETE", "/contacts/{id}")

# Groups: "name | string | Yes | Name of the New Group."
_GROUP_WRITE = (_json_object, _required("name"), _string("name"), _allowed("name"))
RULES.endpoint("GET", "/groups", _page_limit)
RULES.endpoint("GET", "/groups/{id}")
RULES.endpoint("POST", "/groups", *_GROUP_WRITE)
RULES.endpoint("PUT", "/groups/{id}", *_GROUP_WRITE)
RULES.endpoint("DELETE", "/groups/{id}")

# --- email validation ---------------------------------------------------------------------


def _validation_targets(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # groupsIds: "No (whenever there are emails)"; emails: "No (whenever there are groupIds)".
    body = _body(out)
    if _blank(body.get("groupsIds")) and _blank(body.get("emails")):
        return _invalid("The groups ids field is required when emails is not present.")
    return None


def _validation_url(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # notificationUrl: "Callback URL in which progress notifications will be received".
    value = _body(out).get("notificationUrl")
    if value is not None and not _is_url(value):
        return _v(109, f"notificationUrl {value!r} is not an http(s) URL")
    return None


RULES.endpoint("GET", "/validation/emails", _page_limit)
RULES.endpoint("GET", "/validation/emails/{id}")
RULES.endpoint("GET", "/validation/emails/{id}/result")
RULES.endpoint(
    "POST",
    "/validation/emails",
    _json_object,
    _validation_targets,
    _array("groupsIds"),
    _array("emails"),
    _booleans("force", "allowRisky"),
    _validation_url,
    _allowed("groupsIds", "emails", "force", "allowRisky", "notificationUrl"),
)
RULES.endpoint("DELETE", "/validation/emails/{id}")

# --- blacklist -----------------------------------------------------------------------------

_BLACKLISTS = ("sms", "mailing", "voice")


def _blacklist_type(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "type | Blacklist type: sms, mailing, voice."
    kind = params.get("type")
    if kind not in _BLACKLISTS:
        return _invalid("The selected type is invalid.")
    return None


_RECIPIENT = (
    _json_object,
    _required("recipient"),
    _string("recipient"),
    _allowed("recipient"),
)
RULES.endpoint("GET", "/v2/blacklist/{type}", _blacklist_type, _page_limit)
# "recipient | string | Yes | Recipient to add to the blacklist." (and "to remove").
RULES.endpoint("PUT", "/v2/blacklist/{type}", _blacklist_type, *_RECIPIENT)
RULES.endpoint("DELETE", "/v2/blacklist/{type}", _blacklist_type, *_RECIPIENT)

# --- templates and forms -----------------------------------------------------------------

# Templates (v1 and v2): "name | string | Yes" and "html | string | Yes".
_TEMPLATE_WRITE = (
    _json_object,
    _required("name"),
    _string("name"),
    _required("html"),
    _string("html"),
    _allowed("name", "html"),
)
for _root in ("/templates", "/v2/templates"):
    RULES.endpoint("GET", _root, _page_limit)
    RULES.endpoint("GET", _root + "/{id}")
    RULES.endpoint("POST", _root, *_TEMPLATE_WRITE)
    RULES.endpoint("PUT", _root + "/{id}", *_TEMPLATE_WRITE)
    RULES.endpoint("DELETE", _root + "/{id}")
    RULES.endpoint("GET", _root + "/{id}/preview")

# Form elements of the annex: H1-H4, Paragraph, Blockquote, the inputs, Select, radio, checkbox.
_FORM_TYPES = frozenset(
    {"h1", "h2", "h3", "h4", "p", "blockquote", "text", "password", "email", "number",
     "textarea", "date", "color", "countrySelector", "select", "radio", "checkbox"}
)  # fmt: skip


def _form_fields(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # formFields: "array | Yes | Set of elements that the form will have. See annex to see
    # all the elements." (each element has a "type" and a "label").
    fields = _body(out).get("formFields")
    if _blank(fields):
        return _invalid("The form fields field is required.")
    if not isinstance(fields, list):
        return _invalid("The form fields must be an array.")
    for i, item in enumerate(fields):
        if not isinstance(item, Mapping):
            # Laravel's word for a JSON object.
            return _invalid(f"The form fields.{i} must be an array.")
        if _blank(item.get("type")):
            return _invalid(f"The form fields.{i}.type field is required.")
        if item.get("type") not in _FORM_TYPES:
            return _invalid(f"The selected form fields.{i}.type is invalid.")
        if _blank(item.get("label")):
            return _invalid(f"The form fields.{i}.label field is required.")
    return None


_FORM_WRITE = (
    _json_object,
    # name: "string | Yes | Unique name of the form."
    _required("name"),
    _string("name"),
    _booleans("editable", "rejectButton"),
    _form_fields,
    _allowed("name", "editable", "rejectButton", "backgroundUrl", "logoUrl", "formFields"),
)
# The heading says "POST {{DASHBOARD_HOST}}/api/rest/form", its cURL posts to
# ".../api/rest/forms": both are documented, both accepted (the client uses /forms, the
# collection every other forms call is on). The PUT cURL's ".../forms" without an id is
# a slip of the sample: the heading's /forms/<ID> says which form.
RULES.endpoint("POST", "/form", *_FORM_WRITE)
RULES.endpoint("POST", "/forms", *_FORM_WRITE)
RULES.endpoint("PUT", "/forms/{id}", *_FORM_WRITE)
RULES.endpoint("GET", "/forms", _page_limit)
RULES.endpoint("GET", "/forms/{id}")
RULES.endpoint("DELETE", "/forms/{id}")
RULES.endpoint("GET", "/forms/{id}/preview")

# --- tools ----------------------------------------------------------------------------------


def _item_str(item: Any, path: str, key: str) -> Violation | None:
    """A required string inside one element of an array parameter."""
    value = item.get(key) if isinstance(item, Mapping) else None
    if _blank(value):
        return _invalid(f"The {path}.{key} field is required.")
    if not isinstance(value, str):
        return _invalid(f"The {path}.{key} must be a string.")
    return None


def _urls(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "urls": [{"longUrl": "https://example.com/test1"}, ...]; an invalid URL is answered
    # per item ("error": true), so only the shape is a rule.
    urls = _body(out).get("urls")
    if _blank(urls):
        return _invalid("The urls field is required.")
    if not isinstance(urls, list):
        return _invalid("The urls must be an array.")
    for i, item in enumerate(urls):
        bad = _item_str(item, f"urls.{i}", "longUrl")
        if bad is not None:
            return bad
        if set(item) - {"longUrl"}:
            return _invalid(f"urls[{i}] takes only longUrl")
    return None


def _images(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "externalId | string | Yes | External ID to identify the image in the response.",
    # "extension | string | Yes | Image extension. Allowed extensions: jpg, png.",
    # "base64 | string | Yes | Base64 encoded image." Two images with one externalId could
    # not be told apart in the response, so each must have its own.
    images = _body(out).get("images")
    if _blank(images):
        return _invalid("The images field is required.")
    if not isinstance(images, list):
        return _invalid("The images must be an array.")
    seen: set[str] = set()
    for i, item in enumerate(images):
        if not isinstance(item, Mapping):
            return _invalid(f"The images.{i} must be an object.")
        for key in ("externalId", "extension", "base64"):
            bad = _item_str(item, f"images.{i}", key)
            if bad is not None:
                return bad
        if item["extension"] not in ("jpg", "png"):
            return _invalid(f"The selected images.{i}.extension is invalid.")
        if item["externalId"] in seen:
            return _invalid(
                f"images[{i}]: externalId {item['externalId']!r} is used twice; "
                "each image needs its own to be found in the answer"
            )
        seen.add(item["externalId"])
        if set(item) - {"externalId", "extension", "base64"}:
            return _invalid(f"images[{i}] takes only externalId, extension and base64")
    return None


RULES.endpoint("POST", "/shortener/shorten", _json_object, _urls, _allowed("urls"))
RULES.endpoint("POST", "/images/generate", _json_object, _images, _allowed("images"))

# --- OTP --------------------------------------------------------------------------------------


def _otp_generate(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    return _otp_fields(_body(out), "")


RULES.endpoint(
    "POST",
    "/otp/generate",
    _json_object,
    # recipient: "string | Yes | User's phone number or email."
    _required("recipient"),
    _string("recipient"),
    _otp_generate,
    _allowed("recipient", *_OTP_KEYS),
)
RULES.endpoint(
    "POST",
    "/otp/check",
    _json_object,
    # recipient and code: "Yes".
    _required("recipient"),
    _string("recipient"),
    _required("code"),
    _string("code"),
    _booleans("caseSensitive"),
    _string("appId"),
    _allowed("recipient", "code", "caseSensitive", "appId"),
)

# --- account ----------------------------------------------------------------------------------

RULES.endpoint("GET", "/account")
