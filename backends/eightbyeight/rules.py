"""8x8 SMS Engage's request rules, written from its reference
(`8x8-sms-engage-survey-batch.txt`).

One documented request: the survey batch, below the API root `https://sms.8x8.com/api/v1`.
The client refuses a request breaking a rule before it leaves (`backends/eightbyeight/client.py`,
whose `validate_batch` says the same things per field first); the emulator answers it with
8x8's error body `{code, message, errorId, timestamp}` (`backends/sandbox/eightbyeight/`).

Codes: a destination off the documented MSISDN pattern is the reference's own 400 example
1002 "Invalid MSISDN format (not E.164 international number)". Every other schema breach
is 400 with code 1000 ("Invalid parameter"): the reference's error table shows no code for
them, 1000 is the closest it leaves free (1001 is the subaccount, 1200 auth, 2000 server).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from backends.rules import Outgoing, Rules, Violation

__all__ = [
    "DESTINATION_RE",
    "INVALID_MSISDN",
    "MAX_MESSAGES",
    "RULES",
    "SUBACCOUNT_ID_RE",
    "URL_VARIABLE_RE",
]

INVALID_PARAMETER = 1000
INVALID_MSISDN_CODE = 1002
INVALID_MSISDN = "Invalid MSISDN format (not E.164 international number)"

RULES = Rules(
    "8x8",
    # Undocumented: the emulator's 404 "Object wasn't found" (code 1300) and a 405.
    unknown=Violation("is not an endpoint the 8x8 reference documents", 404, 1300),
    wrong_method=Violation(
        "uses a method the 8x8 reference does not document here", 405, INVALID_PARAMETER
    ),
)

# subAccountId: "Value must match regular expression ^[A-Za-z0-9\-._&]{3,50}$"
SUBACCOUNT_ID_RE = re.compile(r"^[A-Za-z0-9\-._&]{3,50}$")
# destination: "Value must match regular expression ^\+{0,1}[1-9]{1}[0-9]{6,14}$"
DESTINATION_RE = re.compile(r"^\+{0,1}[1-9]{1}[0-9]{6,14}$")
# templateBody: "It should have the variable {{url:}} which is the default link set for you
# by 8x8". "Should": without it the survey link is never sent, so it is required here.
URL_VARIABLE_RE = re.compile(r"\{\{url:[^{}]*\}\}")
# "Possible values: [AUTO, GSM7, UCS2]"
ENCODINGS = ("AUTO", "GSM7", "UCS2")
# messages: "Possible values: >= 1, <= 10000"
MAX_MESSAGES = 10_000
# dlrCallbackUrl "string<uri>": a webhook 8x8 can post to is an http(s) URL.
URI_RE = re.compile(r"^https?://[^\s/]+\S*$")

BATCH_FIELDS = frozenset({"clientBatchId", "messages", "template", "includeMessagesInResponse"})
MESSAGE_FIELDS = frozenset(
    {
        "destination",
        "country",
        "templateBody",
        "templateVariables",
        "source",
        "clientMessageId",
        "encoding",
        "scheduled",
        "expiry",
        "dlrCallbackUrl",
    }
)
TEMPLATE_FIELDS = frozenset(
    {"templateBody", "source", "encoding", "scheduled", "expiry", "dlrCallbackUrl"}
)


def _fail(message: str, code: int = INVALID_PARAMETER) -> Violation:
    return Violation(message, 400, code)


def _body(out: Outgoing) -> Mapping[str, Any]:
    return out.body if isinstance(out.body, Mapping) else {}


def _sub_account(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "subAccountId string required. Possible values: >= 3 characters and <= 50 characters,
    # Value must match regular expression ^[A-Za-z0-9\-._&]{3,50}$"
    value = params.get("subAccountId", "")
    if not SUBACCOUNT_ID_RE.match(value):
        return _fail(
            f"subAccountId {value!r}: 3-50 letters, digits or - . _ & "
            f"(pattern {SUBACCOUNT_ID_RE.pattern})"
        )
    return None


def _json_object(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "Body" lists JSON fields (messages object[], template object).
    if not isinstance(out.body, Mapping):
        return _fail("the body must be a JSON object (Content-Type: application/json)")
    unknown = sorted(k for k in out.body if k not in BATCH_FIELDS)
    if unknown:
        return _fail(
            f"{', '.join(unknown)}: not a field of a batch "
            f"(allowed: {', '.join(sorted(BATCH_FIELDS))})"
        )
    return None


def _text(obj: Mapping[str, Any], key: str, where: str, limit: int | None) -> Violation | None:
    if key not in obj or obj[key] is None:
        return None
    value = obj[key]
    if not isinstance(value, str):
        return _fail(f"{where}{key} must be a string")
    if limit is not None and len(value) > limit:
        return _fail(f"{where}{key} must be at most {limit} characters (got {len(value)})")
    return None


def _date_time(obj: Mapping[str, Any], key: str, where: str) -> Violation | None:
    # "scheduled string<date-time>", "expiry string<date-time>": RFC 3339, with an offset.
    value = obj.get(key)
    if value is None:
        return None
    parsed: datetime | None = None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None or parsed.tzinfo is None:
        return _fail(f"{where}{key} must be a date-time with a time zone, not {value!r}")
    return None


def _common(obj: Mapping[str, Any], where: str) -> Violation | None:
    """Fields a message and the template share."""
    # "source ... Possible values: <= 16 characters"
    bad = _text(obj, "source", where, 16)
    if bad:
        return bad
    # "encoding ... Possible values: [AUTO, GSM7, UCS2]"
    encoding = obj.get("encoding")
    if encoding is not None and encoding not in ENCODINGS:
        return _fail(f"{where}encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    for key in ("scheduled", "expiry"):
        bad = _date_time(obj, key, where)
        if bad:
            return bad
    # "dlrCallbackUrl string<uri>: Webhook URL where delivery status ... will be posted"
    url = obj.get("dlrCallbackUrl")
    if url is not None and (not isinstance(url, str) or not URI_RE.match(url)):
        return _fail(f"{where}dlrCallbackUrl must be an http(s) URL, not {url!r}")
    return None


def _template_body(obj: Mapping[str, Any], where: str) -> Violation | None:
    bad = _text(obj, "templateBody", where, None)
    if bad:
        return bad
    body = obj.get("templateBody")
    if isinstance(body, str) and not URL_VARIABLE_RE.search(body):
        return _fail(f"{where}templateBody must contain the {{{{url:}}}} survey link")
    return None


def _batch_fields(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    body = _body(out)
    # "clientBatchId string ... Possible values: <= 20 characters"
    bad = _text(body, "clientBatchId", "", 20)
    if bad:
        return bad
    # "includeMessagesInResponse boolean"
    include = body.get("includeMessagesInResponse")
    if include is not None and not isinstance(include, bool):
        return _fail("includeMessagesInResponse must be true or false")
    return None


def _template(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    body = _body(out)
    if body.get("template") is None:
        return None
    template = body["template"]
    if not isinstance(template, Mapping):
        return _fail("template must be an object")
    unknown = sorted(k for k in template if k not in TEMPLATE_FIELDS)
    if unknown:
        return _fail(f"template.{', template.'.join(unknown)}: not a template field")
    # "template object: templateBody string required: Template message body"
    if not isinstance(template.get("templateBody"), str) or not template["templateBody"]:
        return _fail("template.templateBody is required")
    return _template_body(template, "template.") or _common(template, "template.")


def _messages(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    body = _body(out)
    messages = body.get("messages")
    # "messages object[] required. Possible values: >= 1, <= 10000"
    if not isinstance(messages, list) or not messages:
        return _fail(f"messages is required: 1 to {MAX_MESSAGES:,} messages")
    if len(messages) > MAX_MESSAGES:
        return _fail(f"a batch holds at most {MAX_MESSAGES:,} messages (got {len(messages):,})")
    has_template = isinstance(body.get("template"), Mapping)
    for i, m in enumerate(messages):
        bad = _message(m, i, has_template)
        if bad:
            return bad
    return None


def _message(m: Any, i: int, has_template: bool) -> Violation | None:
    where = f"messages[{i}]."
    if not isinstance(m, Mapping):
        return _fail(f"messages[{i}] must be an object")
    unknown = sorted(k for k in m if k not in MESSAGE_FIELDS)
    if unknown:
        return _fail(f"{where}{f', {where}'.join(unknown)}: not a message field")
    # "destination string required ... Value must match regular expression
    # ^\+{0,1}[1-9]{1}[0-9]{6,14}$"; answered with the reference's 400 example, code 1002.
    destination = m.get("destination")
    if not isinstance(destination, str) or not destination:
        return _fail(f"{where}destination is required")
    if not DESTINATION_RE.match(destination):
        return _fail(
            f"{where}destination {destination!r}: {INVALID_MSISDN}; a number of 7-15 digits, "
            "an optional + and no leading 0",
            INVALID_MSISDN_CODE,
        )
    # "country string ... (ISO 3166-1 alpha-2) ... Possible values: >= 2 characters and
    # <= 2 characters"
    country = m.get("country")
    if country is not None and (
        not isinstance(country, str) or not re.fullmatch(r"[A-Za-z]{2}", country)
    ):
        return _fail(f"{where}country must be a two-letter ISO 3166-1 code, not {country!r}")
    # templateBody is not required per message, and the template carries one when given:
    # a message with neither has no text to send.
    if m.get("templateBody") is None and not has_template:
        return _fail(f"{where}templateBody is required when the batch has no template")
    bad = _template_body(m, where)
    if bad:
        return bad
    # "templateVariables object: variables or pre-defined fields used inside the templateBody"
    variables = m.get("templateVariables")
    if variables is not None and not isinstance(variables, Mapping):
        return _fail(f"{where}templateVariables must be an object")
    # "clientMessageId string ... Possible values: <= 350 characters"
    return _text(m, "clientMessageId", where, 350) or _common(m, where)


# "POST https://sms.8x8.com/api/v1/subaccounts/:subAccountId/surveys/:surveyId/messages/batch"
RULES.endpoint(
    "POST",
    "/subaccounts/{subAccountId}/surveys/{surveyId}/messages/batch",
    _sub_account,
    _json_object,
    _batch_fields,
    _template,
    _messages,
)
