"""Fault injection for the sandbox emulators: latency, 429, 5xx, dropped and slow answers.

`FaultMiddleware` sits inside the request recorder (so faulted requests are logged too) and
outside the emulator. Each request draws one number from a generator seeded by the profile,
so a given arrival order always meets the same faults. What reached the emulator itself is
recorded in a second log, `delivered`, so tests can tell "sent" from "processed".

Which faults happen before and after the emulator processes the request matters to the
send engine's outcome rules, and mirrors what real providers do:

- 429 (rate limit) and 503 (overloaded): answered at the front door; nothing processed.
- 500: the provider processed the request and then failed to answer properly.
- dropped connection and slow answer: processed, then the answer is lost or late. This is
  the case that makes re-sending dangerous, so the handler MUST run first.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .core import RecordingMiddleware, RequestLog

__all__ = ["ConnectionDropped", "FaultMiddleware", "FaultProfile"]


@dataclass(frozen=True)
class FaultProfile:
    """What to inject; rates are probabilities per request, drawn from `seed`."""

    latency_ms: float = 0.0
    rate_limit_rps: float | None = None
    # Requests allowed at once above the steady rate; default one second's worth, as
    # providers that count "requests per second" usually do.
    rate_limit_burst: float | None = None
    error_rate: float = 0.0
    drop_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 5.0
    seed: int = 0

    def __post_init__(self) -> None:
        rates = (self.error_rate, self.drop_rate, self.slow_rate)
        if any(not 0.0 <= r <= 1.0 for r in rates) or sum(rates) > 1.0:
            raise ValueError("fault rates must be within 0..1 and add up to at most 1")
        if self.rate_limit_rps is not None and self.rate_limit_rps <= 0:
            raise ValueError("rate_limit_rps must be positive")

    @property
    def active(self) -> bool:
        """Whether this profile injects anything at all."""
        return bool(
            self.latency_ms
            or self.rate_limit_rps
            or self.error_rate
            or self.drop_rate
            or self.slow_rate
        )


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised after the emulator processed a request, so that its answer is never delivered.

    Under uvicorn the connection is closed mid-response; through `httpx.ASGITransport` the
    exception reaches the client as the RemoteProtocolError a real dropped connection gives.
    """


class _QuietDrops(logging.Filter):
    """Keep uvicorn from logging a traceback for every deliberate drop."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


_quiet = _QuietDrops()


def _error(status: int, description: str, headers: dict[str, str] | None = None) -> list[Message]:
    body = orjson.dumps({"error": {"code": status, "description": description}})
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return [
        {"type": "http.response.start", "status": status, "headers": raw},
        {"type": "http.response.body", "body": body, "more_body": False},
    ]


class FaultMiddleware:
    """ASGI middleware injecting the faults of a `FaultProfile`."""

    def __init__(
        self, app: ASGIApp, *, profile: FaultProfile, delivered: RequestLog | None = None
    ) -> None:
        self.app: ASGIApp = RecordingMiddleware(app, delivered) if delivered is not None else app
        self.profile = profile
        self.delivered = delivered
        self._rng = random.Random(profile.seed)
        self._burst = profile.rate_limit_burst or max(1.0, profile.rate_limit_rps or 1.0)
        self._tokens = self._burst
        self._updated = time.monotonic()
        # How many requests met each fault, for tests and the sandbox's own report.
        self.counts: dict[str, int] = {}
        logging.getLogger("uvicorn.error").addFilter(_quiet)

    def _count(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def _retry_after(self) -> float | None:
        """None when a token is available, else seconds until one is."""
        rps = self.profile.rate_limit_rps
        if rps is None:
            return None
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._updated) * rps)
        self._updated = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        return (1.0 - self._tokens) / rps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        p = self.profile
        if p.latency_ms:
            await asyncio.sleep(p.latency_ms / 1000)
        wait = self._retry_after()
        if wait is not None:
            self._count("rate_limited")
            # Retry-After is whole seconds (RFC 9110 delay-seconds), rounded up.
            seconds = str(max(1, math.ceil(wait)))
            for m in _error(429, "Too many requests", {"Retry-After": seconds}):
                await send(m)
            return
        draw = self._rng.random()
        if draw < p.error_rate:
            if draw < p.error_rate / 2:
                self._count("error_503")
                for m in _error(503, "Service temporarily unavailable"):
                    await send(m)
                return
            self._count("error_500")
            await self._run(scope, receive)
            for m in _error(500, "Internal error"):
                await send(m)
            return
        draw -= p.error_rate
        if draw < p.drop_rate:
            self._count("dropped")
            messages = await self._run(scope, receive)
            # Start the answer, then fail: uvicorn closes the connection mid-response.
            if messages and messages[0]["type"] == "http.response.start":
                await send(messages[0])
            raise ConnectionDropped("connection dropped by the sandbox after processing")
        draw -= p.drop_rate
        if draw < p.slow_rate:
            self._count("slow")
            messages = await self._run(scope, receive)
            await asyncio.sleep(p.slow_seconds)
            for m in messages:
                await send(m)
            return
        await self.app(scope, receive, send)

    async def _run(self, scope: Scope, receive: Receive) -> list[Message]:
        """Run the emulator and keep its answer instead of sending it."""
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        return messages


def profile_from_args(**kwargs: Any) -> FaultProfile | None:
    """A profile from CLI-style keyword values (None ones ignored); None when nothing set."""
    profile = FaultProfile(**{k: v for k, v in kwargs.items() if v is not None})
    return profile if profile.active else None
