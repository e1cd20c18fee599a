"""Provider name -> backend class; the one place that knows every provider."""

from __future__ import annotations

import httpx

from backends.base import Backend, Connection
from backends.collect.client import CollectBackend
from backends.eightbyeight.client import EightByEightBackend
from backends.errors import ConfigError
from backends.nrs360.client import Nrs360Backend
from backends.xebo.client import XeboBackend
from backends.xerochat.client import XeroChatBackend

PROVIDERS: dict[str, type[Backend]] = {
    cls.provider: cls
    for cls in (Nrs360Backend, XeboBackend, CollectBackend, EightByEightBackend, XeroChatBackend)
}


def backend_class(provider: str) -> type[Backend]:
    """The backend class for a provider name, or ConfigError naming the known ones."""
    try:
        return PROVIDERS[provider]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise ConfigError(f"unknown provider {provider!r} (known: {known})") from None


def create_backend(
    provider: str, connection: Connection, *, transport: httpx.AsyncBaseTransport | None = None
) -> Backend:
    """A connected backend for an account."""
    return backend_class(provider)(connection, transport=transport)
