"""Provider-neutral machinery shared by the sandbox emulators.

Every emulator is a Starlette app. This module gives them a request recorder (so tests and
the UI's debug view can assert exactly what reached the "provider"), HTTP Basic parsing,
an orjson response class, and a uvicorn runner that works from inside a running event loop.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

import orjson
import uvicorn
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backends.rules import SEEN, Outgoing, Rules, Violation

__all__ = [
    "LOOPBACK",
    "BasicAuthMiddleware",
    "OrjsonResponse",
    "RecordedRequest",
    "RecordingMiddleware",
    "RequestLog",
    "RulesMiddleware",
    "SandboxServer",
    "check_basic_auth",
    "parse_basic_auth",
    "serve_foreground",
]

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request exactly as the emulator received it."""

    method: str
    path: str
    query_string: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    received_at: float = field(default_factory=time.time, compare=False)
    #: The path as it came on the wire, still percent-encoded: `path` is decoded, so an
    #: id holding `/` would look like two segments there.
    raw_path: str = field(default="", compare=False)

    def json(self) -> Any:
        """Decode the body as JSON."""
        return orjson.loads(self.body)

    def basic_credentials(self) -> tuple[str, str] | None:
        """The (username, password) of the Basic Authorization header, if any."""
        return parse_basic_auth(self.headers.get("authorization"))


class RequestLog:
    """Thread-safe list of recorded requests; the server thread appends, tests read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []

    def append(self, request: RecordedRequest) -> None:
        """Record one request."""
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot copy, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._requests.clear()

    def matching(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """Recorded requests with this method (any case) and/or exact path."""
        wanted = method.upper() if method is not None else None
        return [
            r
            for r in self.requests
            if (wanted is None or r.method == wanted) and (path is None or r.path == path)
        ]

    def __len__(self) -> int:
        with self._lock:
            return len(self._requests)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.requests)


class RecordingMiddleware:
    """ASGI middleware that records each HTTP request before the app sees it."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The whole body must be read up front so that requests rejected by later layers
        # (auth, validation) are still recorded with their payload.
        body = await read_body(receive)
        if body is None:
            return
        self.log.append(_record(scope, body))
        await self.app(scope, replaying(body, receive), send)


async def read_body(receive: Receive) -> bytes | None:
    """A request's whole body; None when the client went away before it ended (a killed
    process): like a real server, nothing was received, so nothing is recorded or processed."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the already-read body once, then the client's own messages."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class RulesMiddleware:
    """Refuses, with the provider's documented error, a request its reference forbids.

    Sits inside the recorder (the refused request is still recorded) and after auth where
    the provider checks credentials first. Every violation also goes to `rules.SEEN`, which
    the tests fail on: a sandbox that merely answers an error could hide a client bug
    behind a test that expects one.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        rules: Rules,
        root: str,
        error: Callable[[Violation], Response],
    ) -> None:
        self.app = app
        self.rules = rules
        self.root = root
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        content_type = ""
        for name, value in scope.get("headers", []):
            if name.lower() == b"content-type":
                content_type = value.decode("latin-1")
        out = Outgoing.from_wire(
            scope["method"],
            raw_path.split("?")[0],
            root=self.root,
            query_string=scope.get("query_string", b"").decode("latin-1"),
            content_type=content_type,
            body=body,
        )
        violations = self.rules.check(out)
        if violations:
            SEEN.add(self.rules.provider, f"{out.method} {raw_path}", violations)
            await self.error(violations[0])(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)


def _record(scope: Scope, body: bytes) -> RecordedRequest:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        # Repeated headers fold into one comma-separated value, as HTTP allows.
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    query_string = scope.get("query_string", b"").decode("latin-1")
    return RecordedRequest(
        method=scope["method"].upper(),
        path=scope["path"],
        query_string=query_string,
        query=parse_qs(query_string, keep_blank_values=True),
        headers=headers,
        body=body,
        raw_path=(scope.get("raw_path") or scope["path"].encode()).decode("latin-1").split("?")[0],
    )


def parse_basic_auth(header: str | None) -> tuple[str, str] | None:
    """Parse an `Authorization: Basic ...` value into (username, password)."""
    if not header:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep:
        return None
    return username, password


def check_basic_auth(header: str | None, users: Mapping[str, str]) -> str | None:
    """Return the username when the header carries known credentials, else None."""
    credentials = parse_basic_auth(header)
    if credentials is None:
        return None
    username, password = credentials
    expected = users.get(username)
    # Constant-time compare: the sandbox is product code and may face a LAN by mistake.
    if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
        return None
    return username


class BasicAuthMiddleware:
    """Reject HTTP requests without valid Basic credentials; store the user on the scope.

    The authenticated username is put in `scope["state"]["username"]`, readable as
    `request.state.username`. `on_failure` builds the provider-specific 401 response.
    """

    def __init__(
        self, app: ASGIApp, *, users: Mapping[str, str], on_failure: Callable[[], Response]
    ) -> None:
        self.app = app
        self.users = users
        self.on_failure = on_failure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = None
        for name, value in scope.get("headers", []):
            if name.lower() == b"authorization":
                header = value.decode("latin-1")
                break
        username = check_basic_auth(header, self.users)
        if username is None:
            await self.on_failure()(scope, receive, send)
            return
        scope.setdefault("state", {})["username"] = username
        await self.app(scope, receive, send)


class OrjsonResponse(JSONResponse):
    """JSONResponse rendered with orjson (10-15x faster on large pages)."""

    def render(self, content: Any) -> bytes:
        """Serialise content to JSON bytes."""
        return orjson.dumps(content)


class SandboxServer:
    """Run an ASGI app under uvicorn in a background thread on a loopback port."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = LOOPBACK,
        port: int = 0,
        timeout_keep_alive: int = 5,
        lifespan: bool = False,
    ) -> None:
        self.app = app
        # Whether the app's startup and shutdown run (the delivery receiver's writer does).
        self.lifespan = lifespan
        self.host = host
        self.port = port
        # Seconds an idle kept-alive connection stays open (uvicorn's default, 5): tests
        # shorten it to meet, within seconds, servers that close idle connections.
        self.timeout_keep_alive = timeout_keep_alive
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        """Base URL such as `http://127.0.0.1:54321` (only valid once started)."""
        if self._server is None:
            raise RuntimeError("SandboxServer is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> None:
        """Start serving and block until the server accepts connections."""
        if self._server is not None:
            raise RuntimeError("SandboxServer already started")
        # Binding the socket ourselves resolves port=0 before uvicorn starts, so `.url`
        # is known without parsing logs, and a busy port fails here, in the caller.
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only when the socket says so,
        # and without it every kept-alive request waits ~40 ms for delayed ACKs.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="on" if self.lifespan else "off",
            timeout_keep_alive=self.timeout_keep_alive,
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        # uvicorn skips signal handlers off the main thread and asyncio.run() gives the
        # thread its own loop, so this works while the caller's loop (Textual) runs.
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="sandbox-server", daemon=True
        )
        self._server, self._thread, self._socket = server, thread, sock
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"sandbox server failed to start on {self.host}:{self.port}")
            time.sleep(0.01)

    def stop(self, timeout: float = 5.0) -> None:
        """Shut the server down and wait for its thread."""
        server, thread, sock = self._server, self._thread, self._socket
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout)
        if sock is not None:
            sock.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_foreground(app: ASGIApp, host: str = LOOPBACK, port: int = 8360) -> None:
    """Serve the app in the current thread until interrupted (for a CLI command)."""
    uvicorn.run(app, host=host, port=port, log_level="warning")
