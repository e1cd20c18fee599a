"""Reads survive idle and dropped connections (issue 12, point 1), on real loopback sockets.

Idempotent requests (GET) are retried once on a stale kept-alive connection, a refused
connection and a 429 with Retry-After; sends are not. Faults a uvicorn app cannot make (a
connection closed or reset before any byte of the answer) come from `HangUpServer`, a
minimal HTTP/1.1 server on a loopback socket.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import socketserver
import struct
import threading
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from backends.base import Connection
from backends.errors import ConnectFailed, OutcomeUnknown, RateLimited
from backends.http import CONNECT_RETRY_DELAY, KEEPALIVE_EXPIRY, HttpClient
from backends.models.common import SmsRequest
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.core import LOOPBACK, SandboxServer
from backends.sandbox.faults import FaultProfile
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app

ACCOUNT = "/api/rest/account"
SECRET = "s3cr3t-api-key-value"
ANSWER = b'{"ok": true}'


class _Threading(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class HangUpServer:
    """An HTTP/1.1 server on loopback that answers 200 with keep-alive, except the requests
    numbered in `faults` (1-based, in arrival order): "close" hangs up without a byte,
    "reset" hangs up with a TCP reset. `received` lists every request as (method, target)."""

    def __init__(self, faults: dict[int, str] | None = None, port: int = 0) -> None:
        self.faults = dict(faults or {})
        self.received: list[tuple[str, str]] = []
        self.connections = 0
        self._lock = threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with outer._lock:
                    outer.connections += 1
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    method, target, _ = line.decode("latin-1").split(" ", 2)
                    length = 0
                    while (header := self.rfile.readline()) not in (b"\r\n", b""):
                        name, _, value = header.decode("latin-1").partition(":")
                        if name.strip().lower() == "content-length":
                            length = int(value)
                    self.rfile.read(length)
                    with outer._lock:
                        outer.received.append((method, target))
                        fault = outer.faults.get(len(outer.received))
                    if fault == "reset":
                        # Linger 0: close() sends RST instead of FIN.
                        linger = struct.pack("ii", 1, 0)
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                        self.connection.close()
                        return
                    if fault == "close":
                        return
                    self.wfile.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(ANSWER), ANSWER)
                    )
                    self.wfile.flush()

        self._server = _Threading((LOOPBACK, port), Handler)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> HangUpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(autouse=True)
def info_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Retries on a stale connection are logged at INFO: capture them."""
    caplog.set_level(logging.INFO, logger="switchboard")


@pytest.fixture
def hangup() -> Iterator[HangUpServer]:
    """Request 2 (the first on a kept-alive connection) meets a server that hung up."""
    server = HangUpServer({2: "close"}).start()
    try:
        yield server
    finally:
        server.stop()


def client_on(url: str) -> HttpClient:
    """A client with the production pool (no injected transport)."""
    return HttpClient(provider="testprov", base_url=url, secrets=(SECRET,))


@pytest.fixture
async def client(hangup: HangUpServer) -> AsyncIterator[HttpClient]:
    http = client_on(hangup.url)
    try:
        yield http
    finally:
        await http.aclose()


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    return port


def retries(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "retrying once" in r.getMessage()]


@pytest.mark.parametrize("fault", ["close", "reset"])
async def test_a_get_on_a_hung_up_connection_is_retried_once(
    fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    server = HangUpServer({2: fault}).start()
    http = client_on(server.url)
    try:
        await http.json("GET", "/items")
        assert (await http.json("GET", "/items")) == {"ok": True}
    finally:
        await http.aclose()
        server.stop()
    # The second request met the hang-up; its retry went on a new connection.
    assert server.received == [("GET", "/items")] * 3
    assert server.connections == 2
    (record,) = retries(caplog)
    assert record.levelno >= logging.INFO
    assert f"GET {server.url}/items" in record.getMessage()


async def test_a_get_is_retried_once_only(caplog: pytest.LogCaptureFixture) -> None:
    server = HangUpServer({2: "close", 3: "close"}).start()
    http = client_on(server.url)
    try:
        await http.request("GET", "/items")
        with pytest.raises(OutcomeUnknown):
            await http.request("GET", "/items")
    finally:
        await http.aclose()
        server.stop()
    assert len(server.received) == 3


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_a_send_on_a_hung_up_connection_is_not_retried(
    method: str, client: HttpClient, hangup: HangUpServer, caplog: pytest.LogCaptureFixture
) -> None:
    await client.request("GET", "/items")
    with pytest.raises(OutcomeUnknown):
        await client.request(method, "/items", json={"to": "34600111222"})
    assert hangup.received == [("GET", "/items"), (method, "/items")]
    assert not retries(caplog)


async def test_a_refused_get_is_retried_once_then_connect_failed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    http = client_on(f"http://{LOOPBACK}:{free_port()}")
    started = time.monotonic()
    try:
        with pytest.raises(ConnectFailed):
            await http.request("GET", "/items")
        assert time.monotonic() - started >= CONNECT_RETRY_DELAY
        (record,) = retries(caplog)
        assert record.levelno == logging.WARNING
        caplog.clear()
        with pytest.raises(ConnectFailed):
            await http.request("POST", "/items", json={})
        assert not retries(caplog)
    finally:
        await http.aclose()


async def test_a_get_refused_once_reaches_the_server_when_it_is_back() -> None:
    port = free_port()
    http = client_on(f"http://{LOOPBACK}:{port}")
    servers: list[HangUpServer] = []

    def come_back() -> None:
        servers.append(HangUpServer(port=port).start())

    # The first attempt is refused; the server is up before the retry.
    timer = threading.Timer(CONNECT_RETRY_DELAY / 5, come_back)
    timer.start()
    try:
        assert (await http.json("GET", "/items")) == {"ok": True}
    finally:
        timer.join()
        await http.aclose()
        for server in servers:
            server.stop()
    assert servers[0].received == [("GET", "/items")]


@pytest.fixture
def limited() -> Iterator[SandboxServer]:
    """The 360nrs emulator allowing one request a second (429 with Retry-After: 1 beyond)."""
    server = SandboxServer(create_app(faults=FaultProfile(rate_limit_rps=1, rate_limit_burst=1)))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def nrs360_on(server: SandboxServer) -> Nrs360Backend:
    """A 360nrs client on a real socket with the production pool."""
    connection = Connection(
        base_url=server.url + "/api/rest", username=DEMO_USERNAME, secret=DEMO_PASSWORD
    )
    return Nrs360Backend(connection)


async def test_a_get_answered_429_is_retried_after_retry_after(
    limited: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = limited.app
    backend = nrs360_on(limited)
    try:
        await backend.account()
        started = time.monotonic()
        await backend.account()
        waited = time.monotonic() - started
    finally:
        await backend.aclose()
    assert waited >= 1.0
    # Three arrived: the second was refused at the door, its retry got through.
    assert len(app.state.log.matching("GET", ACCOUNT)) == 3
    assert len(app.state.delivered.matching("GET", ACCOUNT)) == 2
    (record,) = retries(caplog)
    assert "HTTP 429" in record.getMessage()


async def test_a_send_answered_429_is_rate_limited(limited: SandboxServer) -> None:
    app = limited.app
    backend = nrs360_on(limited)
    try:
        await backend.account()
        with pytest.raises(RateLimited):
            await backend.send_sms(SmsRequest(to=("34666555444",), sender="T", message="Hi"))
    finally:
        await backend.aclose()
    assert len(app.state.log.matching("POST")) == 1


async def test_a_retry_after_beyond_the_bound_is_rate_limited_at_once() -> None:
    # One request per 1000 s: the second is told to wait longer than MAX_RETRY_AFTER.
    app = create_app(faults=FaultProfile(rate_limit_rps=0.001, rate_limit_burst=1))
    with SandboxServer(app) as server:
        backend = nrs360_on(server)
        try:
            await backend.account()
            started = time.monotonic()
            with pytest.raises(RateLimited) as caught:
                await backend.account()
        finally:
            await backend.aclose()
    assert time.monotonic() - started < 1.0
    assert caught.value.retry_after is not None and caught.value.retry_after > 1
    assert len(app.state.log.matching("GET", ACCOUNT)) == 2


async def test_gets_spaced_past_the_servers_idle_timeout_all_succeed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The server closes a connection idle for 1 s; the client keeps idle ones longer
    # (KEEPALIVE_EXPIRY), so each read may go on a connection the server is closing.
    assert KEEPALIVE_EXPIRY > 1
    app = create_app()
    with SandboxServer(app, timeout_keep_alive=1) as server:
        backend = nrs360_on(server)
        try:
            for pause in (1.0, 1.0, 1.1, 0.95, 1.0, 1.05):
                await backend.account()
                await asyncio.sleep(pause)
            await backend.account()
        finally:
            await backend.aclose()
    # Every read answered. A read that met a closing connection may or may not have
    # reached the server's app before the close (the server records only what it read
    # whole), so the server saw between 7 and 7 + retries requests.
    answered = 7
    seen = len(app.state.log.matching("GET", ACCOUNT))
    assert answered <= seen <= answered + len(retries(caplog))
    assert not [
        r
        for r in caplog.records
        if r.name.startswith("switchboard") and r.levelno >= logging.WARNING
    ]


async def test_retry_logs_hold_no_secret(
    client: HttpClient, hangup: HangUpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="switchboard")
    # A query-string key, as XeroChat sends it, through a hang-up and a refused connection.
    await client.request("GET", "/get_contact", params={"api_key": SECRET, "contact_id": 7})
    await client.request("GET", "/get_contact", params={"api_key": SECRET, "contact_id": 7})
    refused = client_on(f"http://{LOOPBACK}:{free_port()}")
    try:
        with pytest.raises(ConnectFailed) as caught:
            await refused.request("GET", "/get_contact", params={"api_key": SECRET})
    finally:
        await refused.aclose()
    assert len(hangup.received) == 3
    assert len(retries(caplog)) == 2
    assert all("api_key=***" in r.getMessage() for r in retries(caplog))
    assert SECRET not in caplog.text
    assert SECRET not in str(caught.value)
