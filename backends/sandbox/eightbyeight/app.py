"""The 8x8 SMS Engage emulator: the survey batch endpoint with auth, validation and limits.

Choices where the reference is silent (the client does the same):
- A wrong or missing Bearer key is 401 code 1200; a valid key naming a subaccount it does
  not own is 401 code 1001 (both documented under "not authenticated"): the account's
  settings are wrong, so a send engine should pause rather than fail recipients.
- Malformed requests (schema, lengths, limits, a template without `{{url:}}`) are 400
  code 1000, 8x8's "Invalid parameter", naming the field; the whole batch is refused.
- A request breaking `backends/eightbyeight/rules.py` is refused whole before the route:
  400 code 1002 with the reference's "Invalid MSISDN format" text for a destination off
  the documented pattern, 400 code 1000 for any other field.
- A destination on the pattern whose country calling code does not exist (+999...) does
  not refuse the batch: that message comes back REJECTED with the documented 1002 text,
  as the reference's example shows for one message of four.
- A national number is read with its message's country ("for national you have to
  specify country"); without one, its digits are read as an international number.
- An unknown survey is 404 code 1300 ("Object wasn't found").
- `includeMessagesInResponse` defaults to false: only the counts come back.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import orjson
import phonenumbers
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from backends.eightbyeight.rules import RULES
from backends.rules import Violation

from ..core import OrjsonResponse, RecordingMiddleware, RequestLog, RulesMiddleware
from .state import (
    DEMO_API_KEY,
    Batch,
    Clock,
    EightByEightState,
    SurveySms,
    detect_encoding,
    populate,
    utc_now,
)

API_PREFIX = "/api/v1"
SUBACCOUNT_ID_RE = re.compile(r"^[A-Za-z0-9\-._&]{3,50}$")
SURVEY_ID_RE = re.compile(r"^[A-Za-z0-9\-._&]{1,50}$")
DESTINATION_RE = re.compile(r"^\+{0,1}[1-9]{1}[0-9]{6,14}$")
URL_VARIABLE_RE = re.compile(r"\{\{url:[^{}]*\}\}")
VARIABLE_RE = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
URI_RE = re.compile(r"^https?://[^\s/]+\S*$")
ENCODINGS = ("AUTO", "GSM7", "UCS2")
MAX_MESSAGES = 10_000
INVALID_MSISDN = "Invalid MSISDN format (not E.164 international number)"
QUEUED_TEXT = "SMS is accepted and queued for processing"


class ApiError(Exception):
    """An error answered with 8x8's `{code, message, errorId, timestamp}` body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid(message: str) -> ApiError:
    """A 400 "Invalid parameter" (code 1000) naming what is wrong."""
    return ApiError(400, 1000, f"Invalid parameter: {message}")


def state_of(request: Request) -> EightByEightState:
    """The emulator state of the app serving this request."""
    return cast(EightByEightState, request.app.state.eightbyeight)


def error_response(
    state: EightByEightState, status: int, code: int, message: str, retry_after: float | None
) -> OrjsonResponse:
    """The documented error body, with a fresh errorId and the time of the error."""
    stamp = state.now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-4] + "Z"
    body = {"code": code, "message": message, "errorId": state.new_id(), "timestamp": stamp}
    headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else None
    return OrjsonResponse(body, status, headers=headers)


class BearerAuthMiddleware:
    """401 code 1200 unless `Authorization: Bearer <known key>`; puts the key on the scope."""

    def __init__(self, app: ASGIApp, *, state: EightByEightState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = ""
        for name, value in scope.get("headers", []):
            if name.lower() == b"authorization":
                header = value.decode("latin-1")
        scheme, _, token = header.strip().partition(" ")
        key = next(
            (
                k
                for k in self.state.keys
                if scheme.lower() == "bearer" and hmac.compare_digest(k.encode(), token.encode())
            ),
            None,
        )
        if key is None:
            response = error_response(
                self.state, 401, 1200, "Request was not authenticated properly", None
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["api_key"] = key
        await self.app(scope, receive, send)


def _text(obj: Mapping[str, Any], key: str, where: str, limit: int | None = None) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"{where}{key} must be a string")
    if limit is not None and len(value) > limit:
        raise invalid(f"{where}{key} must be at most {limit} characters")
    return value


def _encoding(obj: Mapping[str, Any], where: str) -> str | None:
    value = _text(obj, "encoding", where)
    if value is not None and value not in ENCODINGS:
        raise invalid(f"{where}encoding must be one of {', '.join(ENCODINGS)}")
    return value


def _datetime(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    value = _text(obj, key, where)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise invalid(f"{where}{key} must be an ISO 8601 date-time with a time zone")
    return value


def _uri(obj: Mapping[str, Any], where: str) -> str | None:
    value = _text(obj, "dlrCallbackUrl", where)
    if value is not None and not URI_RE.match(value):
        raise invalid(f"{where}dlrCallbackUrl must be an http(s) URL")
    return value


def _template(body: Mapping[str, Any]) -> dict[str, Any] | None:
    raw = body.get("template")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid("template must be an object")
    where = "template."
    text = _text(raw, "templateBody", where)
    if not text:
        raise invalid("template.templateBody is required")
    if not URL_VARIABLE_RE.search(text):
        raise invalid("template.templateBody must contain the {{url:}} variable")
    return {
        "templateBody": text,
        "source": _text(raw, "source", where, 16),
        "encoding": _encoding(raw, where),
        "scheduled": _datetime(raw, "scheduled", where),
        "expiry": _datetime(raw, "expiry", where),
        "dlrCallbackUrl": _uri(raw, where),
    }


def international(destination: str, country: str | None) -> str:
    """A national number in E.164 when its country is known; anything else as given."""
    if not country or destination.startswith("+"):
        return destination
    try:
        number = phonenumbers.parse(destination, country.upper())
    except phonenumbers.NumberParseException:
        return destination
    if not phonenumbers.is_valid_number(number):
        return destination
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def reachable(destination: str) -> bool:
    """A number on the documented pattern whose country calling code exists."""
    if not DESTINATION_RE.match(destination):
        return False
    try:
        phonenumbers.parse("+" + destination.lstrip("+"))
    except phonenumbers.NumberParseException:
        return False
    return True


def _message(raw: Any, i: int, template: Mapping[str, Any] | None) -> dict[str, Any]:
    where = f"messages[{i}]."
    if not isinstance(raw, dict):
        raise invalid(f"messages[{i}] must be an object")
    destination = _text(raw, "destination", where)
    if not destination:
        raise invalid(f"{where}destination is required")
    country = _text(raw, "country", where)
    if country is not None and len(country) != 2:
        raise invalid(f"{where}country must be 2 characters (ISO 3166-1 alpha-2)")
    text = _text(raw, "templateBody", where)
    if text is None:
        if template is None:
            raise invalid(f"{where}templateBody is required when the batch has no template")
        text = template["templateBody"]
    elif not URL_VARIABLE_RE.search(text):
        raise invalid(f"{where}templateBody must contain the {{{{url:}}}} variable")
    variables = raw.get("templateVariables")
    if variables is not None and not isinstance(variables, dict):
        raise invalid(f"{where}templateVariables must be an object")
    fallback = template or {}
    return {
        "destination": destination,
        "country": country,
        "templateBody": text,
        "templateVariables": variables or {},
        "source": _text(raw, "source", where, 16) or fallback.get("source"),
        "clientMessageId": _text(raw, "clientMessageId", where, 350),
        "encoding": _encoding(raw, where) or fallback.get("encoding") or "AUTO",
        "scheduled": _datetime(raw, "scheduled", where) or fallback.get("scheduled"),
        "expiry": _datetime(raw, "expiry", where) or fallback.get("expiry"),
        "dlrCallbackUrl": _uri(raw, where) or fallback.get("dlrCallbackUrl"),
    }


def _render(state: EightByEightState, text: str, variables: Mapping[str, Any]) -> str:
    link = f"https://sandbox.8x8.invalid/s/{state.new_id()[:8]}"
    text = URL_VARIABLE_RE.sub(link, text)
    # Unknown variables stay as written, so a typo is visible in the sent text.
    return VARIABLE_RE.sub(
        lambda m: str(variables[m.group(1)]) if m.group(1) in variables else m.group(0), text
    )


def _check_path(request: Request) -> tuple[str, str]:
    state = state_of(request)
    sub = request.path_params["subAccountId"]
    survey = request.path_params["surveyId"]
    if not SUBACCOUNT_ID_RE.match(sub):
        raise invalid(f"subAccountId must match {SUBACCOUNT_ID_RE.pattern}")
    if sub not in state.keys[request.state.api_key]:
        raise ApiError(401, 1001, "Provided subAccountId doesn't belongs to your account")
    if not SURVEY_ID_RE.match(survey):
        raise invalid(f"surveyId must match {SURVEY_ID_RE.pattern}")
    if survey not in state.surveys.get(sub, set()):
        raise ApiError(404, 1300, "Survey wasn't found or is already expired")
    return sub, survey


async def send_batch(request: Request) -> Response:
    """POST /subaccounts/{subAccountId}/surveys/{surveyId}/messages/batch."""
    state = state_of(request)
    sub, survey = _check_path(request)
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise invalid("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    client_batch_id = _text(body, "clientBatchId", "", 20)
    raw_messages = body.get("messages")
    if not isinstance(raw_messages, list) or not raw_messages:
        raise invalid("messages is required (1 to 10000 messages)")
    if len(raw_messages) > MAX_MESSAGES:
        raise invalid(f"messages holds at most {MAX_MESSAGES} items (got {len(raw_messages)})")
    include = body.get("includeMessagesInResponse", False)
    if not isinstance(include, bool):
        raise invalid("includeMessagesInResponse must be true or false")
    template = _template(body)
    # Validate everything before storing anything: a refused batch leaves no trace.
    checked = [_message(raw, i, template) for i, raw in enumerate(raw_messages)]
    batch_id = state.new_id()
    sent: list[SurveySms] = []
    for m in checked:
        ok = reachable(international(m["destination"], m["country"]))
        text = _render(state, m["templateBody"], m["templateVariables"])
        encoding = m["encoding"] if m["encoding"] != "AUTO" else detect_encoding(text)
        sms = SurveySms(
            umid=state.new_id(),
            batch_id=batch_id,
            destination=m["destination"],
            status="QUEUED" if ok else "REJECTED",
            description=QUEUED_TEXT if ok else INVALID_MSISDN,
            encoding=encoding,
            text=text,
            country=m["country"],
            source=m["source"],
            client_message_id=m["clientMessageId"],
            scheduled=m["scheduled"],
            expiry=m["expiry"],
            dlr_callback_url=m["dlrCallbackUrl"],
        )
        state.messages[sms.umid] = sms
        sent.append(sms)
    accepted = sum(1 for s in sent if s.status == "QUEUED")
    state.batches[batch_id] = Batch(
        batch_id=batch_id,
        sub_account_id=sub,
        survey_id=survey,
        client_batch_id=client_batch_id,
        umids=[s.umid for s in sent],
        accepted=accepted,
        rejected=len(sent) - accepted,
        received_at=state.now,
    )
    answer: dict[str, Any] = {"batchId": batch_id}
    if client_batch_id is not None:
        answer["clientBatchId"] = client_batch_id
    answer["acceptedCount"] = accepted
    answer["rejectedCount"] = len(sent) - accepted
    if include:
        answer["messages"] = [_result(s) for s in sent]
    return OrjsonResponse(answer, 200)


def _result(sms: SurveySms) -> dict[str, Any]:
    out: dict[str, Any] = {"umid": sms.umid}
    if sms.client_message_id is not None:
        out["clientMessageId"] = sms.client_message_id
    out["destination"] = sms.destination
    out["encoding"] = sms.encoding
    out["status"] = {"code": sms.status, "description": sms.description}
    return out


ROUTES = [
    Route(
        "/subaccounts/{subAccountId}/surveys/{surveyId}/messages/batch",
        send_batch,
        methods=["POST"],
    ),
]


class FaultMiddleware:
    """Answer with an injected fault (`state.fail_next`) instead of processing a request."""

    def __init__(self, app: ASGIApp, *, state: EightByEightState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.state.faults:
            fault = self.state.faults.popleft()
            response = error_response(
                self.state, fault.status, fault.code, fault.message, fault.retry_after
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(
    *, api_key: str | None = None, seed: int = 88, clock: Clock | None = None
) -> Starlette:
    """A seeded 8x8 emulator; state on `app.state.eightbyeight`, log on `app.state.log`."""
    state = EightByEightState(seed=seed, clock=clock or utc_now)
    populate(state, api_key or DEMO_API_KEY)
    log = RequestLog()

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(state, exc.status, exc.code, exc.message, None)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return error_response(state, 404, 1300, "Object wasn't found", None)
        return error_response(state, exc.status_code, 1000, str(exc.detail), None)

    def refusal(violation: Violation) -> Response:
        code = violation.code if isinstance(violation.code, int) else 1000
        # 1000 is 8x8's "Invalid parameter": its message says so, as the route's own do.
        message = f"Invalid parameter: {violation.message}" if code == 1000 else violation.message
        return error_response(state, violation.status, code, message, None)

    async def server_error(request: Request, exc: Exception) -> Response:
        return error_response(state, 500, 2000, "Internal server error", None)

    app = Starlette(
        routes=[Mount(API_PREFIX, routes=ROUTES)],
        middleware=[
            # Recording is outermost so refused requests (401s, faults) are logged too.
            Middleware(RecordingMiddleware, log=log),
            Middleware(FaultMiddleware, state=state),
            Middleware(BearerAuthMiddleware, state=state),
            # After auth, as 8x8 answers 1200 first; a breach is the documented error body.
            Middleware(RulesMiddleware, rules=RULES, root=API_PREFIX, error=refusal),
        ],
        exception_handlers={
            ApiError: api_error,
            HTTPException: http_error,
            Exception: server_error,
        },
    )
    app.state.eightbyeight = state
    app.state.log = log
    return app
