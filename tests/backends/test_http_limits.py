"""Every provider call has a deadline and a size cap (issue 13 point 3), against a tiny hostile
server on a real socket: a slow-loris answer, an endless body, a gzip bomb."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from backends.base import Connection
from backends.errors import AnswerTooLarge, DeadlineExceeded
from backends.http import MAX_ANSWER_BYTES, HttpClient
from backends.nrs360.client import Nrs360Backend
from tests.hostile import hostile_server
from tui.engine.journal import Journal
from tui.engine.journal_rows import State
from tui.engine.sender import run_job
from tui.engine.sms_job import create_sms_job

# A failing call must fail fast: well under what the hostile server would take.
FAST = 10.0


async def within(seconds: float, call: object) -> BaseException:
    """The error `call` raised, and that it raised it within `seconds`."""
    started = time.monotonic()
    try:
        await asyncio.wait_for(call, FAST)  # type: ignore[arg-type]
    except (AnswerTooLarge, DeadlineExceeded) as exc:
        assert time.monotonic() - started < seconds, f"took {time.monotonic() - started:.1f} s"
        return exc
    raise AssertionError("the call succeeded")


async def test_a_slow_loris_answer_ends_at_the_deadline() -> None:
    with hostile_server("loris") as url:
        client = HttpClient(provider="p", base_url=url, deadline=2.0)
        try:
            error = await within(3.5, client.request("GET", "x"))
        finally:
            await client.aclose()
    assert isinstance(error, DeadlineExceeded)
    assert str(error) == (
        "p did not give a whole answer within 2 s; the request may or may not have been processed"
    )


async def test_an_endless_body_stops_at_the_size_cap() -> None:
    with hostile_server("endless") as url:
        client = HttpClient(provider="p", base_url=url)
        try:
            error = await within(FAST, client.request("GET", "x"))
        finally:
            await client.aclose()
    assert isinstance(error, AnswerTooLarge)
    assert "larger than 16 MB (decompressed)" in str(error)


async def test_a_gzip_bomb_counts_its_decompressed_size() -> None:
    # About 32 KB on the wire, twice the cap once decompressed.
    with hostile_server("bomb", bomb_size=2 * MAX_ANSWER_BYTES) as url:
        client = HttpClient(provider="p", base_url=url)
        try:
            error = await within(FAST, client.request("GET", "x"))
        finally:
            await client.aclose()
    assert isinstance(error, AnswerTooLarge)
    assert error.status == 200


@pytest.mark.parametrize("mode", ["loris", "bomb"])
async def test_a_send_past_either_limit_is_unknown(mode: str, tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal:
        job_id = create_sms_job(journal, "acct", "360nrs", "TEST", "Hi", [("34600000001", None)])
        with hostile_server(mode, bomb_size=2 * MAX_ANSWER_BYTES) as url:
            async with Nrs360Backend(Connection(url + "/api/rest", "u", "pw")) as backend:
                backend.http.deadline = 2.0

                async def send() -> None:
                    async for _ in run_job(journal, job_id, backend):
                        pass

                started = time.monotonic()
                await asyncio.wait_for(send(), FAST)
                assert time.monotonic() - started < 4.0
        [row] = journal.recipients(job_id)
    assert row.state is State.UNKNOWN
    why = "did not give a whole answer within 2 s" if mode == "loris" else "larger than 16 MB"
    assert row.reason is not None and why in row.reason


async def test_an_answer_is_freed_as_soon_as_it_is_dropped() -> None:
    """No reference cycle keeps an answer (and its body) alive until the garbage collector
    runs: a bulk send held up to 25 MB of answers between collections."""
    import gc
    import weakref

    from backends.sandbox.core import SandboxServer
    from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app

    server = SandboxServer(create_app())
    server.start()
    gc.disable()
    try:
        async with Nrs360Backend(
            Connection(server.url + "/api/rest", DEMO_USERNAME, DEMO_PASSWORD)
        ) as backend:
            response = await backend.http.request("GET", "account")
            assert response.content  # read whole, as callers use it
            gone = weakref.ref(response)
            del response
            assert gone() is None
    finally:
        gc.enable()
        server.stop()
