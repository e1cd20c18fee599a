"""Account endpoint."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import ok, state_of


async def show_account(request: Request) -> Response:
    """GET /account: the reference lists the fields but shows no body; this is our shape."""
    return ok(
        {
            "data": {
                "username": request.state.username,
                "email": "demo@example.com",
                "timezone": "Europe/Madrid",
                "language": "es",
                "balance": state_of(request).balance,
                "creationDate": "2024-01-15T09:30:00+00:00",
                "country": "ES",
                "currency": "EUR",
            }
        }
    )


ROUTES = [
    Route("/account", show_account, methods=["GET"]),
]
