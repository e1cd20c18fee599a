"""The shared HTTP layer: auth, explicit timeouts, error mapping, pagination, safe logging.

One `HttpClient` per account wraps one long-lived `httpx.AsyncClient`. Tests inject the
sandbox through `transport=httpx.ASGITransport(app)`; production uses the default pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import email.utils
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import orjson

from backends.errors import (
    AnswerTooLarge,
    AuthError,
    BadRequest,
    ConnectFailed,
    DeadlineExceeded,
    InvalidInput,
    MalformedResponse,
    NotFound,
    OutcomeUnknown,
    PaymentRequired,
    ProviderError,
    RateLimited,
    ServerError,
    SwitchboardError,
)
from backends.models.common import Page
from backends.rules import Outgoing, Rules
from backends.scrub import Scrubber, redact_url

log = logging.getLogger("switchboard.http")

T = TypeVar("T")

# Connect failures are cheap to retry, reads may be slow on big batches.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
# A provider asking us to wait longer than this is treated as a pause, not a wait.
MAX_RETRY_AFTER = 300.0
# Methods that change nothing at the provider: sending one twice is harmless, so a failure
# that leaves the answer unknown is retried once. Every other method keeps the journal's
# rules (a lost answer is OutcomeUnknown, never re-sent here).
IDEMPOTENT = frozenset({"GET", "HEAD"})
# What reusing a kept-alive connection the server has just closed gives: a close or reset
# met on sending or on reading the answer. For an idempotent request a lost answer costs
# nothing, so the cause need not be told apart from a drop mid-answer.
STALE_CONNECTION = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
# Nothing was sent: a server restarting or a brief network change is over in a moment.
CONNECT_FAILURES = (httpx.ConnectError, httpx.ConnectTimeout)
CONNECT_RETRY_DELAY = 0.5
# Idle pooled connections are closed by us after 4 s, under the idle timeout servers
# commonly keep (uvicorn and Node 5 s, nginx 75 s, Apache 5 s): at the same 5 s as
# uvicorn (httpx's default), a refresh every 5 s reused connections the server was
# closing at that moment. Servers with shorter timeouts are covered by the retry above.
KEEPALIVE_EXPIRY = 4.0
LIMITS = httpx.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_EXPIRY
)
# Every exchange (connect, request, the whole answer) ends within this many seconds: the
# per-phase timeouts above do not bound an answer trickling a byte at a time.
DEFAULT_DEADLINE = 60.0
# The largest answer read, counted after decompression: an endless body or a gzip bomb
# is cut off here instead of filling memory.
MAX_ANSWER_BYTES = 16 * 1024 * 1024

# Set by `checking_only()` for the current task alone: other tasks sharing the client
# (a console's refresh, a running send) keep sending.
_CHECK_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("check_only", default=False)


class Checked(Exception):
    """Raised instead of sending under `checking_only()`: the request passed the rules."""


@contextlib.contextmanager
def checking_only() -> Iterator[None]:
    """In this task, every request is checked against its provider's rules and not sent:
    `InvalidInput` if refused, else `Checked` at the first request."""
    token = _CHECK_ONLY.set(True)
    try:
        yield
    finally:
        _CHECK_ONLY.reset(token)


ErrorParser = Callable[[httpx.Response, Any], tuple[int | str | None, str]]


def segment(value: object) -> str:
    """One value as one URL path segment: every reserved character percent-encoded.

    Ids and phone numbers come from users and providers: a `/`, `?`, `#`, `%`, space or
    `+` left raw would move the request to another path, cut it short, or be read back
    as something else. Quoted with no safe character, the provider gets the value as typed.
    """
    return quote(str(value), safe="")


def path(*segments: object) -> str:
    """A path below the API root, each segment encoded on its own (see `segment`)."""
    return "/".join(segment(s) for s in segments)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP-date), not capped."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        current = now if now is not None else time.time()
        seconds = when.timestamp() - current
    return max(seconds, 0.0)


def default_error_parser(response: httpx.Response, body: Any) -> tuple[int | str | None, str]:
    """Pull (code, message) out of the common `{"error": {"code", "description"}}` shapes."""
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            code = err.get("code")
            msg = err.get("description") or err.get("message") or err.get("detail")
            if isinstance(msg, str) and msg:
                return (code if isinstance(code, int | str) else None), msg
        elif isinstance(err, str) and err:
            return None, err
        msg = body.get("message")
        if isinstance(msg, str) and msg:
            code = body.get("code")
            return (code if isinstance(code, int | str) else None), msg
    return None, response.reason_phrase or f"HTTP {response.status_code}"


def error_class(status: int) -> type[ProviderError]:
    """The error class for an HTTP status."""
    if status in (400, 422):
        return BadRequest
    if status in (401, 403):
        return AuthError
    if status == 402:
        return PaymentRequired
    if status == 404:
        return NotFound
    if status == 429:
        return RateLimited
    if status >= 500:
        return ServerError
    return ProviderError


class HttpClient:
    """An account's HTTP session: base URL, auth, timeouts and error mapping."""

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        error_parser: ErrorParser = default_error_parser,
        secrets: Iterable[str] = (),
        username: str = "",
        rules: Rules | None = None,
        deadline: float = DEFAULT_DEADLINE,
        max_answer: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.provider = provider
        # The provider's documented request rules: a request breaking one never leaves.
        self.rules = rules
        self._error_parser = error_parser
        # Every wire form of the secrets (raw, Basic with `username`, percent-encoded...),
        # to scrub them from whatever a provider might echo back.
        self.scrub = Scrubber(secrets, username=username)
        self.deadline = deadline
        self.max_answer = max_answer
        # When the latest requests left (time.monotonic): a send's rate limiter counts the
        # ones a preflight just made against the provider's limit (RateLimiter.account_for).
        self.sent_at: deque[float] = deque(maxlen=64)
        self._client = httpx.AsyncClient(
            base_url=base_url,
            auth=auth,
            headers=dict(headers or {}),
            transport=transport,
            timeout=timeout,
            limits=LIMITS,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        max_answer: int | None = None,
    ) -> httpx.Response:
        """Send one request; return the 2xx response, read whole, or raise from the error tree.

        This is where answers and errors leave the HTTP layer: every error's message is
        scrubbed of each form of the account's secrets here.
        """
        try:
            return await self._request(
                method, path, params, json, data, headers, timeout, max_answer
            )
        except SwitchboardError as exc:
            exc.message = self.scrub(exc.message)
            exc.args = (exc.message,)
            raise

    async def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        timeout: httpx.Timeout | None,
        max_answer: int | None,
    ) -> httpx.Response:
        request = self._build(method, path, params, json, data, headers, timeout)
        if self.rules is not None:
            self._check(request)
        if _CHECK_ONLY.get():
            raise Checked
        # One retry per request, whatever its cause, and only for idempotent methods.
        may_retry = request.method in IDEMPOTENT
        while True:
            started = time.perf_counter()
            self.sent_at.append(time.monotonic())
            try:
                response = await self._exchange(request, max_answer or self.max_answer)
            except CONNECT_FAILURES as exc:
                if may_retry:
                    may_retry = False
                    self._retrying(request, exc, CONNECT_RETRY_DELAY, logging.WARNING)
                    await asyncio.sleep(CONNECT_RETRY_DELAY)
                    continue
                raise self._connect_failed(request, exc) from None
            except httpx.PoolTimeout as exc:
                # Our own pool is full: another wait would only add to the queue.
                raise self._connect_failed(request, exc) from None
            except STALE_CONNECTION as exc:
                if may_retry:
                    may_retry = False
                    self._retrying(request, exc, 0.0, logging.INFO)
                    continue
                raise self._outcome_unknown(exc) from None
            except (httpx.TimeoutException, httpx.NetworkError) as exc:
                # A read timeout is not retried: the server is slow, and waiting the whole
                # timeout again would double what the user waits for an answer.
                raise self._outcome_unknown(exc) from None
            log.debug(
                "%s %s -> %s in %.0f ms",
                method,
                redact_url(request.url),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            if response.status_code == 429 and may_retry:
                wait = retry_after_seconds(response.headers.get("retry-after"))
                # Longer than MAX_RETRY_AFTER is a pause for the caller (RateLimited).
                if wait is not None and wait <= MAX_RETRY_AFTER:
                    may_retry = False
                    self._retrying(request, "HTTP 429", wait, logging.WARNING)
                    await asyncio.sleep(wait)
                    continue
            if response.status_code >= 400:
                raise self._error(response)
            return response

    async def _exchange(self, request: httpx.Request, limit: int) -> httpx.Response:
        """Send and read the whole answer within the deadline, at most `limit` bytes decoded.

        The body is streamed and counted as it is decompressed (`aiter_bytes` decodes
        gzip, deflate, br), so neither a slow trickle, an endless body nor a small
        compressed body expanding to gigabytes can hold the call or fill memory.
        """
        body = bytearray()
        try:
            async with asyncio.timeout(self.deadline):
                response = await self._client.send(request, stream=True)
                try:
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > limit:
                            raise AnswerTooLarge(
                                f"the answer was larger than {_size(limit)} (decompressed); "
                                "reading stopped there",
                                status=response.status_code,
                                provider=self.provider,
                            )
                finally:
                    await response.aclose()
        except TimeoutError:
            raise DeadlineExceeded(
                f"{self.provider} did not give a whole answer within {self.deadline:g} s; "
                "the request may or may not have been processed"
            ) from None
        # What `aread()` would have set, read under the limit instead: `.content`,
        # `.text` and `.json()` work as on any read response.
        response._content = bytes(body)
        # The spent stream refers back to the response (httpx's BoundAsyncStream): left in
        # place, every answer waited for the garbage collector, and a 100,000-recipient
        # send held up to 25 MB of 60 KB answers between collections.
        response.stream = httpx.ByteStream(response._content)
        return response

    def _retrying(
        self, request: httpx.Request, cause: BaseException | str, wait: float, level: int
    ) -> None:
        """Log a retry: the redacted URL and the cause, never a secret."""
        if isinstance(cause, BaseException):
            detail = self.scrub(str(cause))
            cause = f"{type(cause).__name__}: {detail}" if detail else type(cause).__name__
        log.log(
            level,
            "%s %s %s failed (%s); retrying once in %.1f s",
            self.provider,
            request.method,
            redact_url(request.url),
            cause,
            wait,
        )

    def _connect_failed(self, request: httpx.Request, exc: httpx.TransportError) -> ConnectFailed:
        return ConnectFailed(
            f"Could not connect to {self.provider} at {redact_url(request.url)}: "
            f"{self.scrub(str(exc)) or type(exc).__name__}"
        )

    def _outcome_unknown(self, exc: httpx.TransportError) -> OutcomeUnknown:
        return OutcomeUnknown(
            f"{self.provider} did not answer ({type(exc).__name__}); "
            "the request may or may not have been processed"
        )

    def _build(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        timeout: httpx.Timeout | None,
    ) -> httpx.Request:
        content: bytes | None = None
        hdrs = dict(headers or {})
        if json is not None:
            content = orjson.dumps(json)
            hdrs.setdefault("Content-Type", "application/json")
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        return self._client.build_request(
            method,
            path,
            params=clean_params or None,
            content=content,
            data=dict(data) if data is not None else None,
            headers=hdrs,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )

    def check(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        """Build the request `request` would send and run the rules on it, sending nothing:
        InvalidInput when they refuse it (nothing to check without rules)."""
        if self.rules is not None:
            self._check(self._build(method, path, params, json, data, None, None))

    def _check(self, request: httpx.Request) -> None:
        """Refuse locally a request the provider's reference does not accept."""
        assert self.rules is not None
        ctype = request.headers.get("content-type", "")
        # An upload's parts are not decoded: its endpoint's checks see no body.
        body = b"" if ctype.startswith("multipart/") else request.content
        out = Outgoing.from_wire(
            request.method,
            request.url.raw_path.split(b"?")[0].decode("ascii"),
            root=self._client.base_url.raw_path.decode("ascii").rstrip("/"),
            query_string=request.url.query.decode("ascii"),
            content_type=ctype,
            body=body,
        )
        violations = self.rules.check(out)
        if violations:
            message = "; ".join(self.scrub(v.message) for v in violations)
            log.info("refused before sending to %s: %s", self.provider, message)
            raise InvalidInput(f"{self.provider}: {message}")

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request and parse its JSON body."""
        response = await self.request(method, path, **kwargs)
        return self.parse_json(response)

    def parse_json(self, response: httpx.Response) -> Any:
        """The JSON body of a response, or MalformedResponse."""
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise MalformedResponse(
                "the answer was not valid JSON",
                status=response.status_code,
                provider=self.provider,
            ) from None

    def _error(self, response: httpx.Response) -> ProviderError:
        try:
            body: Any = orjson.loads(response.content) if response.content else None
        except orjson.JSONDecodeError:
            body = None
        code, message = self._error_parser(response, body)
        cls = error_class(response.status_code)
        return cls(
            self.scrub(message),
            status=response.status_code,
            code=code,
            # As asked, not capped: the caller decides how long it waits at most, and
            # says what was asked (a provider asking 99999 s is not "asked to wait 300 s").
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
            provider=self.provider,
        )


def _size(n: int) -> str:
    """A byte count for a person: MB when it is whole megabytes."""
    mb = 1024 * 1024
    return f"{n // mb} MB" if n % mb == 0 else f"{n} bytes"


async def paginate(fetch: Callable[[int], Awaitable[Page[T]]]) -> AsyncIterator[T]:
    """Every item of a paged listing, fetching pages lazily from page 1."""
    page = 1
    while True:
        result = await fetch(page)
        for item in result.items:
            yield item
        if not result.has_next or not result.items:
            return
        page += 1


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 or 'YYYY-MM-DD HH:MM:SS' (taken as UTC) timestamp, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
