"""A tiny hostile HTTP server on a real 127.0.0.1 socket, for what no emulator does on purpose:
echoing the credentials it received, trickling an answer, never ending one, gzip bombs."""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from backends.sandbox.core import LOOPBACK


class Hostile(BaseHTTPRequestHandler):
    """Answers every request the way `mode` says."""

    mode: ClassVar[str] = "echo"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # the test output stays readable

    def _any(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        getattr(self, f"_{self.server.mode}")(body)  # type: ignore[attr-defined]

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()

    def _echo(self, body: str) -> None:
        """A 400 whose message quotes the Authorization header, the query and the body."""
        echoed = (
            f"bad credentials {self.headers.get('authorization', '')} for {self.path} with {body}"
        )
        raw = json.dumps({"error": {"code": 1401, "description": echoed}}).encode()
        self._head(400, {"Content-Type": "application/json", "Content-Length": str(len(raw))})
        self.wfile.write(raw)

    def _loris(self, body: str) -> None:
        """A 200 promising 1000 bytes and sending one a second."""
        self._head(200, {"Content-Type": "application/json", "Content-Length": "1000"})
        try:
            for _ in range(1000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1.0)
        except OSError:
            return

    def _endless(self, body: str) -> None:
        """A chunked 200 that never ends, as fast as the client reads."""
        self._head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        chunk = b"x" * 65536
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        try:
            while True:
                self.wfile.write(frame)
        except OSError:
            return

    def _bomb(self, body: str) -> None:
        """A few KB of gzip that expand to far more than the size cap."""
        raw = self.server.bomb  # type: ignore[attr-defined]
        self._head(
            200,
            {
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                "Content-Length": str(len(raw)),
            },
        )
        try:
            self.wfile.write(raw)
        except OSError:
            return


def gzip_bomb(expanded: int) -> bytes:
    """Gzip of `expanded` zero bytes (about 1 KB per MB), made a megabyte at a time."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
    block = b"0" * (1024 * 1024)
    parts = [z.compress(block) for _ in range(expanded // len(block))]
    return b"".join([*parts, z.flush()])


@contextmanager
def hostile_server(mode: str, *, bomb_size: int = 0) -> Iterator[str]:
    """Serve `mode` on 127.0.0.1; yields the base URL."""
    server = ThreadingHTTPServer((LOOPBACK, 0), Hostile)
    server.daemon_threads = True
    server.mode = mode  # type: ignore[attr-defined]
    server.bomb = gzip_bomb(bomb_size) if mode == "bomb" else b""  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
