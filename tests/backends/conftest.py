"""Fixtures for the 360nrs client tests: an emulator on a movable clock, and a client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from backends.base import Connection
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.core import RequestLog
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app
from backends.sandbox.nrs360.state import Nrs360State

BASE_URL = "http://sandbox/api/rest"
API = "/api/rest"
START = datetime(2025, 3, 10, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests can move."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def connect(app: Starlette, secret: str = DEMO_PASSWORD) -> Nrs360Backend:
    """A client talking to an emulator app in process."""
    connection = Connection(base_url=BASE_URL, username=DEMO_USERNAME, secret=secret)
    return Nrs360Backend(connection, transport=httpx.ASGITransport(app=app))


def mocked(handler: Callable[[httpx.Request], httpx.Response]) -> Nrs360Backend:
    """A client whose answers come from `handler` (for faults the emulator cannot make)."""
    connection = Connection(base_url=BASE_URL, username=DEMO_USERNAME, secret=DEMO_PASSWORD)
    return Nrs360Backend(connection, transport=httpx.MockTransport(handler))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def app(clock: FakeClock) -> Starlette:
    return create_app(clock=clock)


@pytest.fixture
def state(app: Starlette) -> Nrs360State:
    nrs: Nrs360State = app.state.nrs
    return nrs


@pytest.fixture
def log(app: Starlette) -> RequestLog:
    requests: RequestLog = app.state.log
    return requests


@pytest.fixture
async def backend(app: Starlette) -> AsyncIterator[Nrs360Backend]:
    client = connect(app)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A raw HTTP client on the emulator, logged in as the demo user."""
    transport = httpx.ASGITransport(app=app)
    auth = (DEMO_USERNAME, DEMO_PASSWORD)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", auth=auth) as c:
        yield c
