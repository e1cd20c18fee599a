"""Assembly of the XeroChat emulator: route table, recording, request rules, unknown paths."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount

from backends.rules import Violation
from backends.xerochat.rules import RULES

from ..core import RecordingMiddleware, RequestLog, RulesMiddleware
from . import routes_bot, routes_contacts, routes_users
from .common import error_body
from .seed import DEMO_API_KEY, populate
from .state import Clock, XeroChatState, utc_now

API_PREFIX = "/api"

ROUTES: list[BaseRoute] = [
    *routes_users.ROUTES,
    *routes_bot.ROUTES,
    *routes_contacts.ROUTES,
]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # The PHP framework's own page, not the API's JSON: there is no such endpoint.
    return PlainTextResponse(f"{exc.status_code} {exc.detail}", exc.status_code)


def _refusal(violation: Violation) -> Response:
    """What XeroChat answers a request its reference does not accept."""
    if violation.status == 404:
        # No such endpoint: the framework's page, as for any unknown path.
        return PlainTextResponse("404 Not Found", 404)
    return error_body(violation.message, violation.status)


def create_app(
    *, api_key: str = DEMO_API_KEY, seed: int = 7, clock: Clock | None = None
) -> Starlette:
    """A seeded XeroChat emulator; state on `app.state.xerochat`, log on `app.state.log`."""
    state = XeroChatState(seed=seed, clock=clock or utc_now)
    populate(state, seed, api_key)
    log = RequestLog()
    app = Starlette(
        routes=[Mount(API_PREFIX, routes=ROUTES)],
        # Recording is outermost so refused requests are logged too. The rules come
        # before the api_key check (in each route): the reference does not say which
        # XeroChat checks first, and a malformed request is wrong whatever its key.
        middleware=[
            Middleware(RecordingMiddleware, log=log),
            Middleware(RulesMiddleware, rules=RULES, root=API_PREFIX, error=_refusal),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.xerochat = state
    app.state.log = log
    return app
