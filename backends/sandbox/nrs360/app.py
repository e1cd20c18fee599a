"""Assembly of the 360nrs emulator app: route table, auth, recording, error bodies."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount

from backends.nrs360.rules import ERROR_TABLE, RULES
from backends.rules import Violation

from ..core import BasicAuthMiddleware, RecordingMiddleware, RequestLog, RulesMiddleware
from ..faults import FaultMiddleware, FaultProfile
from . import (
    events,
    routes_account,
    routes_blacklist,
    routes_contacts,
    routes_forms,
    routes_otp,
    routes_reports,
    routes_scheduled,
    routes_send,
    routes_sms,
    routes_templates,
    routes_tools,
    routes_validation,
    routes_whatsapp,
    routes_whatsapp_templates,
)
from .common import ApiError, error_response
from .dlr import Notifier
from .seed import populate
from .state import Clock, Nrs360State

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-api-password"
API_PREFIX = "/api/rest"

# One module per area of the reference, each exporting ROUTES; a new area is one more line.
ROUTES: list[BaseRoute] = [
    *routes_account.ROUTES,
    # Before routes_sms: its GET /sms/{ids} would otherwise take /sms/coverage as an id.
    *routes_tools.ROUTES,
    *routes_sms.ROUTES,
    *routes_otp.ROUTES,
    *routes_contacts.ROUTES,
    *routes_whatsapp.ROUTES,
    *routes_send.ROUTES,
    *routes_whatsapp_templates.ROUTES,
    *routes_scheduled.ROUTES,
    *routes_reports.ROUTES,
    *routes_blacklist.ROUTES,
    *routes_validation.ROUTES,
    *routes_templates.ROUTES,
    *routes_forms.ROUTES,
]


def _unauthorized() -> Response:
    return error_response(401, 103, "Username or password unknown")


def _refusal(violation: Violation) -> Response:
    """What 360nrs answers a request its reference does not accept (see backends/nrs360/rules).

    A failure the error table names is answered with its documented description; a
    validation error (422) with the rule's message, as Laravel words its own.
    """
    if violation.code is None:
        # The rules core's own refusal of a body that is not JSON: "125 | 400 | Invalid JSON".
        return error_response(400, 125, "Invalid JSON")
    code = violation.code if isinstance(violation.code, int) else violation.status
    if code == 404:
        return error_response(404, 404, "Resource not found")
    if code == 140 and "WhatsApp" in violation.message:
        # The WhatsApp send's example error: {"code": 140, "description": "Invalid template"}.
        return error_response(400, 140, "Invalid template")
    return error_response(violation.status, code, ERROR_TABLE.get(code, violation.message))


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.description)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(404, 404, "Resource not found")
    # The reference documents no body for a wrong method; keep the error shape anyway.
    return error_response(exc.status_code, exc.status_code, str(exc.detail))


async def _server_error(request: Request, exc: Exception) -> Response:
    # 101 is the only documented 500; Starlette still re-raises so the traceback is logged.
    return error_response(500, 101, "Internal Database error")


def create_app(
    *,
    users: Mapping[str, str] | None = None,
    seed: int = 360,
    clock: Clock | None = None,
    faults: FaultProfile | None = None,
    history: bool = False,
    dlr_speed: float = 1.0,
    event_url: str | None = None,
) -> Starlette:
    """A seeded 360nrs emulator; state on `app.state.nrs`, request log on `app.state.log`.

    `event_url` is the account's event notification URL, the dashboard setting the
    emulator stands in for (events.py; `app.state.events.url` changes it later).

    With `faults`, `app.state.delivered` logs only the requests that got past the fault
    layer to the emulator (without, it is the same log as `app.state.log`).
    """
    state = Nrs360State(seed=seed, clock=clock)
    # Past campaigns are for people exploring the sandbox; tests start from a clean slate.
    populate(state, seed, history=history)
    log = RequestLog()
    delivered = RequestLog() if faults is not None else log
    accounts = dict(users) if users is not None else {DEMO_USERNAME: DEMO_PASSWORD}
    # Recording is outermost so rejected requests (401s included) are logged too.
    middleware = [Middleware(RecordingMiddleware, log=log)]
    if faults is not None:
        # Inside the recorder, so faulted requests are logged as received. A dropped or slow
        # answer MUST still reach the handler: the fault hits after processing, which is
        # exactly the case where re-sending would deliver twice.
        middleware.append(Middleware(FaultMiddleware, profile=faults, delivered=delivered))
    # Auth runs before routing: unknown paths also answer 401 without credentials.
    middleware.append(Middleware(BasicAuthMiddleware, users=accounts, on_failure=_unauthorized))
    # After auth (the API answers 103 to a caller it does not know before reading the
    # request) and inside the recorder, so a refused request is still logged.
    middleware.append(Middleware(RulesMiddleware, rules=RULES, root=API_PREFIX, error=_refusal))
    app = Starlette(
        routes=[Mount(API_PREFIX, routes=ROUTES)],
        middleware=middleware,
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    app.state.nrs = state
    # Calls the notificationUrl of accepted SMS; `dlr_speed` shortens its waits for tests.
    app.state.notifier = Notifier(seed, state.now, speed=dlr_speed)
    # Posts the events of accepted SMS to the event URL, with the same fates and speed.
    app.state.events = events.EventNotifier(seed, state.now, speed=dlr_speed, url=event_url)
    app.state.log = log
    app.state.delivered = delivered
    return app
