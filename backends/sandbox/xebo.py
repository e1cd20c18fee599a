"""Xebo emulator: the survey send of `xebo-survey-send.txt` on a Starlette app.

Behaviour chosen where the reference is silent (the client expects the same):
- Both the heading's `/combined/auto` path and the cURL sample's `/campaigns` path send.
- A missing, unknown or expired credential is 401; access tokens expire 24 hours after
  they were issued, API keys do not.
- An unknown collector and a collector token that does not match it are both the
  documented 400 "Collector not found" (the token is how Xebo finds the collector).
- A request breaking `backends/xebo/rules.py` (fields, `medium`, a contact without the
  medium's kind of address: an email for Email, a number for SMS/WhatsApp) is 400 with
  the same body, naming the problem.
- A contact whose number or email has the right kind but not the form Xebo sends to
  (`+` and 8-15 digits, name@domain.tld), or repeats an earlier contact's address, does
  not fail the request: it is counted in `rejected` and listed in `rejected_list` as
  `{"contact": <as sent>, "reason": "..."}` (the reference shows only an empty list).
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backends.rules import Violation
from backends.xebo.rules import RULES

from .core import OrjsonResponse, RecordingMiddleware, RequestLog, RulesMiddleware

DEMO_ENV = "sandbox"
DEMO_ACCESS_TOKEN = "demo-xebo-access-token"
DEMO_API_KEY = "demo-xebo-api-key"
DEMO_COLLECTOR_ID = "66c70e71f57bd9efe12d691d"
DEMO_COLLECTOR_TOKEN = "J/d5730267"
TOKEN_LIFETIME = timedelta(hours=24)
# The account options of a sandbox account (its base URL has no `{env}` to fill).
DEMO_OPTIONS = {
    "env": DEMO_ENV,
    "collector_id": DEMO_COLLECTOR_ID,
    "collector_token": DEMO_COLLECTOR_TOKEN,
    "auth": "bearer",
}

MEDIUMS = {1: "SMS", 2: "Email", 3: "Whatsapp"}
MOBILE_RE = re.compile(r"^\+?\d{8,15}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real current time, in UTC."""
    return datetime.now(UTC)


@dataclass
class Collector:
    """A survey collector and the token that unlocks it."""

    id: str
    token: str
    name: str


@dataclass
class Send:
    """One accepted send: the contacts invited and on which medium."""

    msg_id: str
    collector_id: str
    medium: int
    contacts: list[dict[str, Any]]
    at: datetime


@dataclass
class XeboState:
    """Credentials, collectors and what was sent; mutated only on the server loop."""

    clock: Clock = utc_now
    # access token -> when it was issued
    access_tokens: dict[str, datetime] = field(default_factory=dict)
    api_keys: set[str] = field(default_factory=set)
    collectors: dict[str, Collector] = field(default_factory=dict)
    sends: list[Send] = field(default_factory=list)
    # Statuses to answer instead of handling the next requests (fault injection).
    faults: list[int] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        """The emulator's current time."""
        return self.clock()

    def issue_token(self, token: str | None = None) -> str:
        """Register an access token issued now (what the login API would do)."""
        token = token or secrets.token_urlsafe(24)
        self.access_tokens[token] = self.now
        return token


class XeboError(Exception):
    """An error answered as `{"error": {"name", "message"}}`."""

    NAMES = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"}

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str) -> OrjsonResponse:
    """The reference's error body."""
    name = XeboError.NAMES.get(status, "Internal Server Error" if status >= 500 else "Error")
    return OrjsonResponse({"error": {"name": name, "message": message}}, status)


def state_of(request: Request) -> XeboState:
    """The emulator state of the app serving this request."""
    return cast(XeboState, request.app.state.xebo)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def authenticate(request: Request, state: XeboState) -> None:
    """Accept a live bearer access token or a known x-api-key, else 401."""
    header = request.headers.get("authorization", "")
    api_key = request.headers.get("x-api-key")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise XeboError(401, "The authorization token is malformed.")
        issued = next((t for k, t in state.access_tokens.items() if _same(k, token.strip())), None)
        if issued is None:
            raise XeboError(401, "The authorization token is invalid.")
        if state.now >= issued + TOKEN_LIFETIME:
            raise XeboError(401, "The authorization token has expired.")
        return
    if api_key is not None:
        if not any(_same(k, api_key.strip()) for k in state.api_keys):
            raise XeboError(401, "The API key is invalid.")
        return
    raise XeboError(401, "The authorization token was not provided.")


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise XeboError(400, "Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise XeboError(400, "Request body must be a JSON object")
    return body


def _rejection(contact: Any, medium: int, seen: set[str]) -> str | None:
    """Why a contact is rejected, or None to accept it (and remember its address)."""
    if not isinstance(contact, dict):
        return "contact must be an object"
    key = "email" if medium == 2 else "mobile"
    address = contact.get(key)
    if address is None or address == "":
        return f"'{key}' is mandatory for {MEDIUMS[medium]}"
    if not isinstance(address, str):
        return f"'{key}' must be a string"
    valid = EMAIL_RE.match(address) if key == "email" else MOBILE_RE.match(address)
    if not valid:
        return f"invalid {key}"
    normal = address.strip().lower().lstrip("+")
    if normal in seen:
        return f"duplicate {key}"
    seen.add(normal)
    return None


async def send_survey(request: Request) -> Response:
    """POST /v2/api/collectors/{id}/combined/auto: trigger the survey for each contact."""
    state = state_of(request)
    body = await _body(request)
    token = body.get("collectortoken")
    if not isinstance(token, str) or not token:
        raise XeboError(400, "'collectortoken' is required")
    medium = body.get("medium")
    if not isinstance(medium, int) or isinstance(medium, bool) or medium not in MEDIUMS:
        raise XeboError(400, "'medium' must be 1 (SMS), 2 (Email) or 3 (Whatsapp)")
    contacts = body.get("contacts")
    if not isinstance(contacts, list) or not contacts:
        raise XeboError(400, "'contacts' must be a non-empty array")
    collector = state.collectors.get(request.path_params["collector_id"])
    if collector is None or not _same(collector.token, token):
        raise XeboError(400, "Collector not found")
    seen: set[str] = set()
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    for contact in contacts:
        reason = _rejection(contact, medium, seen)
        if reason is None:
            accepted.append(contact)
        else:
            rejected.append({"contact": contact, "reason": reason})
    msg_id = secrets.token_hex(12)  # a Mongo ObjectId's length, as in the reference
    if accepted:
        state.sends.append(Send(msg_id, collector.id, medium, accepted, state.now))
    return OrjsonResponse(
        {
            "msg": "Request data is correct",
            "msgId": msg_id,
            "data": {
                "accepted": len(accepted),
                "rejected": len(rejected),
                "rejected_list": rejected,
            },
        }
    )


class FaultMiddleware:
    """Answer queued fault statuses (after recording) before the app sees the request."""

    def __init__(self, app: Any, state: XeboState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.state.faults:
            status = self.state.faults.pop(0)
            await error_response(status, "We were not able to process your request")(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


class AuthMiddleware:
    """401 unless a live access token or a known API key (checked before the rules)."""

    def __init__(self, app: Any, state: XeboState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            try:
                authenticate(Request(scope), self.state)
            except XeboError as exc:
                await error_response(exc.status, exc.message)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _refusal(violation: Violation) -> Response:
    """What Xebo answers a request its reference does not accept (see xebo_rules)."""
    return error_response(violation.status, violation.message)


async def _xebo_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, XeboError)
    return error_response(exc.status, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail))


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500, "We were not able to process your request")


def create_app(*, clock: Clock | None = None) -> Starlette:
    """A seeded Xebo emulator; state on `app.state.xebo`, request log on `app.state.log`."""
    state = XeboState(clock=clock or utc_now)
    state.issue_token(DEMO_ACCESS_TOKEN)
    state.api_keys.add(DEMO_API_KEY)
    state.collectors[DEMO_COLLECTOR_ID] = Collector(
        DEMO_COLLECTOR_ID, DEMO_COLLECTOR_TOKEN, "Customer satisfaction (demo)"
    )
    log = RequestLog()
    path = "/v2/api/collectors/{collector_id}"
    app = Starlette(
        routes=[
            Route(f"{path}/combined/auto", send_survey, methods=["POST"]),
            Route(f"{path}/campaigns", send_survey, methods=["POST"]),
        ],
        middleware=[
            Middleware(RecordingMiddleware, log=log),
            Middleware(FaultMiddleware, state=state),
            # Xebo checks the token first (its 401 example), then the request.
            Middleware(AuthMiddleware, state=state),
            Middleware(RulesMiddleware, rules=RULES, root="", error=_refusal),
        ],
        exception_handlers={
            XeboError: _xebo_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    app.state.xebo = state
    app.state.log = log
    return app
