"""Fixtures and helpers the CLI tests share: the 360nrs account 'demo' on a sandbox whose
clock is frozen, the other providers' sandboxes, and the in-process `switchboard` runner."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from backends.sandbox import collect, xebo
from backends.sandbox.core import RequestLog, SandboxServer
from backends.sandbox.eightbyeight import create_app as create_8x8
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, Nrs360State
from tui.cli import run
from tui.config import Account, ConfigStore

# The moment the 'demo' account's sandbox says it is, so output does not depend on the day.
NOW = datetime(2025, 3, 10, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests can move."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def state_of(server: SandboxServer) -> Nrs360State:
    """A 360nrs sandbox's state."""
    state: Nrs360State = server.app.state.nrs  # type: ignore[attr-defined]
    return state


def log_of(server: SandboxServer) -> RequestLog:
    """The requests a sandbox received."""
    log: RequestLog = server.app.state.log  # type: ignore[attr-defined]
    return log


@pytest.fixture
def account(nrs_server: SandboxServer, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An account 'demo' on a 360nrs sandbox frozen at NOW; its secret comes from the
    environment."""
    state_of(nrs_server).clock = FakeClock(NOW)
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    ConfigStore(isolated_dirs / "config").add_account(
        Account(
            name="demo",
            provider="360nrs",
            base_url=nrs_server.url + "/api/rest",
            username=DEMO_USERNAME,
        )
    )
    return "demo"


def _serve(server: SandboxServer) -> Iterator[SandboxServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def xebo_server() -> Iterator[SandboxServer]:
    """A real Xebo sandbox on a loopback socket."""
    yield from _serve(SandboxServer(xebo.create_app()))


@pytest.fixture
def collect_server() -> Iterator[SandboxServer]:
    """A real Collect sandbox on a loopback socket."""
    yield from _serve(SandboxServer(collect.create_app()))


@pytest.fixture
def e8_server() -> Iterator[SandboxServer]:
    """A real 8x8 sandbox on a loopback socket."""
    yield from _serve(SandboxServer(create_8x8()))


def cli(*args: str) -> tuple[int, str]:
    """Run a command in-process; its exit code and standard output."""
    out = io.StringIO()
    code = run(list(args), out=out)
    return code, out.getvalue()


def cli_json(*args: str, code: int = 0) -> Any:
    """A command's --json output, once its exit code is `code`."""
    got, out = cli(*args, "--json")
    assert got == code, out
    return json.loads(out)


def demo_cli(*args: str) -> tuple[int, str]:
    """`cli` on the account 'demo'."""
    return cli(*args, "-a", "demo")


def demo_cli_json(*args: str, code: int = 0) -> Any:
    """`cli_json` on the account 'demo'."""
    return cli_json(*args, "-a", "demo", code=code)
