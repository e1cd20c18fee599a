"""What every XeroChat route shares: parameters, the api_key check, the error body.

Each endpoint answers the method its reference documents: a GET reads its parameters
from the query string, a POST from its form body (and, for the one POST example that puts
them in the query, from there). `backends/xerochat/rules.py`, run by the app's
`RulesMiddleware`, refuses anything else before a route sees it. XeroChat prints numbers
from the database as strings and answers errors as HTTP 200 with
`{"status": "error", "message": ...}`; the emulator does both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, cast
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core import OrjsonResponse
from .state import User, XeroChatState

INVALID_KEY = "Either API Key Invalid or Member Validity Expired"
# Not documented: the reference only marks these endpoints "(Admin)". Our wording.
ADMIN_ONLY = "This API is only available to admin users"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Params = Mapping[str, str]
Handler = Callable[[XeroChatState, User, Params, Mapping[str, str]], Any]


class XcError(Exception):
    """An error answered as `{"status": "error", "message": ...}`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def error_body(message: str, status: int = 200) -> OrjsonResponse:
    """The documented error shape (HTTP 200 for every documented error)."""
    return OrjsonResponse({"status": "error", "message": message}, status)


def state_of(request: Request) -> XeroChatState:
    """The emulator state of the app serving this request."""
    return cast(XeroChatState, request.app.state.xerochat)


async def read_params(request: Request) -> dict[str, str]:
    """A GET's query parameters; a POST's form fields over its query (PHP's $_REQUEST)."""
    params = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
        body = (await request.body()).decode("utf-8", "replace")
        params.update(parse_qsl(body, keep_blank_values=True))
    return params


def required(params: Params, key: str, message: str | None = None) -> str:
    """A parameter that must be present and non-blank."""
    value = params.get(key, "").strip()
    if not value:
        raise XcError(message or f"The {key} field is required")
    return value


def int_id(value: str) -> int | None:
    """An id parameter as an int, or None when it is not a number (so: not found)."""
    return int(value) if value.isdigit() else None


def success(**fields: Any) -> dict[str, Any]:
    """`{"status": "success", ...}`."""
    return {"status": "success", **fields}


def endpoint(
    methods: str | tuple[str, ...], path: str, handler: Handler, *, admin: bool = False
) -> list[Route]:
    """Routes for a path and its documented method(s), with and without the trailing
    slash the reference's curls use."""
    allowed = [methods] if isinstance(methods, str) else list(methods)

    async def handle(request: Request) -> Response:
        state = state_of(request)
        params = await read_params(request)
        user = state.user_for_key(params.get("api_key", ""))
        if user is None:
            return error_body(INVALID_KEY)
        if admin and not user.is_admin:
            return error_body(ADMIN_ONLY)
        try:
            result = handler(state, user, params, request.path_params)
        except XcError as exc:
            return error_body(exc.message)
        return OrjsonResponse(result, 200)

    return [
        Route(path, handle, methods=allowed),
        Route(path + "/", handle, methods=allowed),
    ]
