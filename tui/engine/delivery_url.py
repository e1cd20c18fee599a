"""A job's notificationUrl: where 360nrs reports its deliveries (tui.engine.receiver serves
it). Kept apart from the receiver so a send does not load the HTTP server's modules."""

from __future__ import annotations

import secrets

# The account option holding the public base URL the operator exposes (proxy, tunnel).
BASE_URL_OPTION = "delivery_url"
# The escapes the reference defines that a report needs: id, status, DLR date, part.
ESCAPES = "id=%i&status=%s&dlr=%y&part=%n"


def new_token() -> str:
    """An unguessable per-job token (URL-safe, 192 bits)."""
    return secrets.token_urlsafe(24)


def notification_url(base: str, token: str) -> str:
    """The job's notificationUrl: the receiver's route with the token and the escapes."""
    return f"{base.rstrip('/')}/dlr/{token}?{ESCAPES}"
