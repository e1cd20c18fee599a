"""A job's notificationUrl, and an account's event URL: where 360nrs reports deliveries
and events (tui.engine.receiver serves both). Kept apart from the receiver so a send does
not load the HTTP server's modules."""

from __future__ import annotations

import secrets

# The account option holding the public base URL the operator exposes (proxy, tunnel).
BASE_URL_OPTION = "delivery_url"
# The escapes the reference defines that a report needs: id, status, DLR date, part.
ESCAPES = "id=%i&status=%s&dlr=%y&part=%n"


def new_token() -> str:
    """An unguessable per-job (or per-account) token (URL-safe, 192 bits)."""
    return secrets.token_urlsafe(24)


def notification_url(base: str, token: str) -> str:
    """The job's notificationUrl: the receiver's route with the token and the escapes."""
    return f"{base.rstrip('/')}/dlr/{token}?{ESCAPES}"


def event_url(base: str, token: str) -> str:
    """The account's event URL: set once in the provider's dashboard ("the customer must
    provide a URL where http POST requests will be made"), not per send."""
    return f"{base.rstrip('/')}/events/{token}"
