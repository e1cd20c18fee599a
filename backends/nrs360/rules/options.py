"""360nrs request rules: the send options several send endpoints share (sender, encoding,
parts, dates, recipients, notification URL, tags, substitutions, available times, OTP)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from backends.nrs360.rules.checks import (
    SCHEDULE_HORIZON,
    Body,
    _attr,
    _blank,
    _body,
    _int_range,
    _invalid,
    _is_bool,
    _is_url,
    _v,
)
from backends.rules import Check, Outgoing, Violation, is_int

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
