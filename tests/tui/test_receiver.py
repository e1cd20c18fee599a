"""The delivery receiver over a real socket, and the sandbox calling it back end to end."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app
from backends.sandbox.nrs360.dlr import fate_of
from tui.cli import run
from tui.config import Account, ConfigStore
from tui.engine.delivery import DeliveryState as D
from tui.engine.delivery import Report
from tui.engine.delivery_url import ESCAPES, new_token, notification_url
from tui.engine.journal import Journal
from tui.engine.journal_rows import Outcome, State
from tui.engine.receiver import Receiver

# The escapes the reference defines: "the % character followed by a letter".
DEFINED_ESCAPES = set("ipPtcsmynCS")


class CountingJournal(Journal):
    """A journal that counts its delivery commits (to see the receiver write in batches)."""

    commits = 0

    def record_deliveries(self, job_id: int, reports: Iterable[Report]) -> list[str]:
        self.commits += 1
        return super().record_deliveries(job_id, reports)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[CountingJournal]:
    j = CountingJournal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def accepted_job(journal: Journal, n: int, parts: int = 1) -> tuple[int, str]:
    job_id = journal.create_job(
        account="acct",
        provider="360nrs",
        channel="sms",
        message={"sender": "TEST", "message": "Hi", "options": {}},
        recipients=[(f"3460000{i:04d}", None) for i in range(n)],
    )
    journal.start(job_id)
    claimed = journal.claim_batch(job_id, n)
    journal.record_results(
        job_id,
        [Outcome(c.seq, c.to, State.ACCEPTED, None, f"j{job_id}m{c.seq}", parts) for c in claimed],
    )
    token = new_token()
    journal.set_delivery_token(job_id, token)
    return job_id, token


@contextmanager
def serve(journal: Journal) -> Iterator[tuple[Receiver, SandboxServer]]:
    """A receiver over a real socket, writing every 50 ms (also tests/tui/test_receiver_events)."""
    r = Receiver(journal, flush_seconds=0.05)
    server = SandboxServer(r.app, lifespan=True)
    server.start()
    try:
        yield r, server
    finally:
        server.stop()


@pytest.fixture
def receiver(journal: CountingJournal) -> Iterator[tuple[Receiver, SandboxServer]]:
    with serve(journal) as served:
        yield served


def settle(check: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not there in time"
        time.sleep(0.02)


def call(server: SandboxServer, token: str, **query: str) -> httpx.Response:
    return httpx.get(f"{server.url}/dlr/{token}", params=query)


def test_the_url_carries_the_token_and_the_documented_escapes() -> None:
    token = new_token()
    assert len(token) >= 32 and token != new_token()
    url = notification_url("https://hooks.example.com/sb/", token)
    assert url == f"https://hooks.example.com/sb/dlr/{token}?{ESCAPES}"
    escapes = {value[1:] for values in parse_qs(urlsplit(url).query).values() for value in values}
    assert escapes <= DEFINED_ESCAPES and {"i", "s", "y"} <= escapes


def test_valid_duplicate_and_out_of_order_reports(
    journal: CountingJournal, receiver: tuple[Receiver, SandboxServer]
) -> None:
    rec, server = receiver
    job_id, token = accepted_job(journal, 3)
    ok = [
        call(server, token, id=f"j{job_id}m0", status="DELIVRD", dlr="2026-03-01 09:00"),
        # Out of order (an ACCEPTD after the DELIVRD), then the DELIVRD again.
        call(server, token, id=f"j{job_id}m0", status="ACCEPTD", dlr="2026-03-01 08:59"),
        call(server, token, id=f"j{job_id}m0", status="DELIVRD", dlr="2026-03-01 09:05"),
        call(server, token, id=f"j{job_id}m1", status="undeliv", dlr="2026-03-01 09:01", part=""),
    ]
    assert [r.status_code for r in ok] == [200] * 4
    settle(lambda: rec.written == 4)
    d = journal.deliveries(job_id)
    assert (d[0].state, d[0].at) == (D.DELIVRD, "2026-03-01T09:00:00+00:00")
    assert d[1].state is D.UNDELIV and 2 not in d


def test_forged_unknown_and_malformed_calls_are_4xx_and_logged(
    journal: CountingJournal,
    receiver: tuple[Receiver, SandboxServer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    rec, server = receiver
    job_id, token = accepted_job(journal, 2)
    other_id, _ = accepted_job(journal, 2)
    good = {"id": f"j{job_id}m0", "status": "DELIVRD", "dlr": "2026-03-01 09:00"}
    cases = [
        (new_token(), good, 403),  # forged token
        (token[:-1], good, 403),
        (token, {**good, "id": "nope"}, 404),  # unknown id
        (token, {**good, "id": f"j{other_id}m0"}, 404),  # another job's id
        (token, {**good, "status": "GREAT"}, 400),
        (token, {"id": good["id"], "dlr": good["dlr"]}, 400),
        (token, {**good, "dlr": "yesterday"}, 400),
        (token, {**good, "part": "x"}, 400),
        (token, {**good, "part": "16"}, 400),
    ]
    with caplog.at_level(logging.WARNING, logger="switchboard.receiver"):
        for tok, query, expected in cases:
            assert call(server, tok, **query).status_code == expected, query
        # Not even a route: 404 from the router, never a 5xx.
        assert httpx.get(f"{server.url}/dlr").status_code == 404
        assert httpx.post(f"{server.url}/dlr/{token}", data=good).status_code == 405
    assert rec.refused == len(cases)
    assert len(caplog.records) == len(cases)
    assert all(token not in r.getMessage() for r in caplog.records)
    time.sleep(0.2)
    assert journal.deliveries(job_id) == {} and rec.written == 0


def test_parts_and_batched_writes(
    journal: CountingJournal, receiver: tuple[Receiver, SandboxServer]
) -> None:
    rec, server = receiver
    job_id, token = accepted_job(journal, 300, parts=2)
    with httpx.Client(base_url=server.url) as client:
        for seq in range(300):
            for part in (1, 2):
                status = "DELIVRD" if seq % 10 or part == 1 else "EXPIRED"
                query = {"id": f"j{job_id}m{seq}", "status": status, "dlr": "2026-03-01 09:00"}
                r = client.get(f"/dlr/{token}", params={**query, "part": str(part)})
                assert r.status_code == 200
    settle(lambda: rec.written == 600)
    f = journal.delivery_funnel(job_id)
    assert (f.delivered, f.expired, f.waiting) == (270, 30, 0)
    d = journal.deliveries(job_id)
    assert d[10].parts == {1: (D.DELIVRD, d[10].at), 2: (D.EXPIRED, d[10].at)}
    # 600 calls, far fewer commits.
    assert journal.commits < 100


def test_the_sandbox_calls_the_receiver_back_end_to_end(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal()  # the one `sms send` journals into
    rserver = SandboxServer(Receiver(journal, flush_seconds=0.05).app, lifespan=True)
    rserver.start()
    app = create_app(dlr_speed=60.0)  # two minutes of fates in two seconds
    sandbox = SandboxServer(app)
    sandbox.start()
    try:
        monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
        ConfigStore(isolated_dirs / "config").add_account(
            Account(
                name="demo",
                provider="360nrs",
                base_url=sandbox.url + "/api/rest",
                username=DEMO_USERNAME,
                options={"delivery_url": rserver.url},
            )
        )
        tos = [f"346{i:08d}" for i in range(30)]
        args = ["sms", "send", "-a", "demo", "--from", "T", "--message", "Hi", "--yes"]
        for to in tos:
            args += ["--to", to]
        assert run(args, out=io.StringIO()) == 0
        (post,) = app.state.log.matching("POST", "/api/rest/sms")
        url = post.json()["notificationUrl"]
        assert isinstance(url, str) and url.startswith(rserver.url + "/dlr/")
        job_id = max(j.id for j in journal.jobs())
        settle(lambda: journal.delivery_funnel(job_id).done, timeout=10.0)
    finally:
        sandbox.stop()
        rserver.stop()
    nrs = app.state.nrs
    fates = {m.id: fate_of(nrs.seed, m) for m in nrs.sms.values()}
    d = journal.deliveries(job_id)
    for row in journal.recipients(job_id):
        assert row.provider_id is not None
        assert d[row.seq].state == fates[row.provider_id].status
    calls = app.state.notifier.calls
    assert len(calls) == 30 and all(status == 200 for _, status in calls)
    for target, _ in calls:
        q = parse_qs(urlsplit(target).query)
        assert q["status"][0] == fates[q["id"][0]].status
        assert q["part"] == ["1"]
    journal.close()


def test_switchboard_receive_serves_until_ctrl_c_and_writes_what_it_took(
    isolated_dirs: Path,
) -> None:
    path = isolated_dirs / "j.sqlite3"
    with Journal(path) as j:
        job_id, token = accepted_job(j, 1)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "receive", "--listen", "127.0.0.1:0", "--journal",
         str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Receiving delivery notifications on http://127.0.0.1:")
        base = line.split(" on ", 1)[1].split("/dlr/", 1)[0]
        assert httpx.get(f"{base}/dlr/{new_token()}").status_code == 403
        query = {"id": f"j{job_id}m0", "status": "DELIVRD", "dlr": "2026-03-01 09:00"}
        assert httpx.get(f"{base}/dlr/{token}", params=query).status_code == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "Stopped: 1 reports written, 1 refused." in out
    assert token not in out + err and "Traceback" not in err
    with Journal(path) as j:
        assert j.deliveries(job_id)[0].state is D.DELIVRD


def test_switchboard_receive_refuses_a_bad_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["receive", "--listen", "nowhere"], out=io.StringIO()) == 2
    assert "--listen expects HOST:PORT" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "extra", "expected"),
    [
        ({}, [], None),  # no receiver set up: no notificationUrl at all
        # The operator's own URL wins over the account's receiver.
        ({"delivery_url": "https://hooks.example.com"}, ["--notification-url",
         "https://mine.example.com/n?s=%s"], "https://mine.example.com/n?s=%s"),
    ],
)  # fmt: skip
def test_a_send_carries_the_receivers_url_only_when_the_account_has_one(
    isolated_dirs: Path,
    monkeypatch: pytest.MonkeyPatch,
    nrs_server: SandboxServer,
    options: dict[str, str],
    extra: list[str],
    expected: str | None,
) -> None:
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    ConfigStore(isolated_dirs / "config").add_account(
        Account("demo", "360nrs", nrs_server.url + "/api/rest", DEMO_USERNAME, options=options)
    )
    args = ["sms", "send", "-a", "demo", "--from", "T", "--message", "Hi", "--to", "34600000001"]
    assert run([*args, *extra, "--yes"], out=io.StringIO()) == 0
    (post,) = nrs_server.app.state.log.matching("POST", "/api/rest/sms")  # type: ignore[attr-defined]
    assert post.json().get("notificationUrl") == expected
    with Journal() as j:
        assert len(j.jobs()) == 1
        # No token was handed out: the receiver takes nothing for this job.
        assert j._db.execute("SELECT COUNT(*) FROM delivery_tokens").fetchone() == (0,)


async def test_the_sandbox_calls_a_landing_sms_notification_url() -> None:
    """The landing SMS's notificationUrl ("URL to receive delivery notifications") is
    called with the message's fate, as an SMS's is."""
    from backends.base import Connection
    from backends.models.send import LandingRequest
    from backends.nrs360.client import Nrs360Backend

    got: list[str] = []

    async def take(request: Request) -> Response:
        got.append(str(request.url))
        return PlainTextResponse("OK")

    hook = SandboxServer(Starlette(routes=[Route("/dlr", take)]))
    hook.start()
    app = create_app(dlr_speed=600.0)
    sandbox = SandboxServer(app)
    sandbox.start()
    try:
        async with Nrs360Backend(
            Connection(sandbox.url + "/api/rest", DEMO_USERNAME, DEMO_PASSWORD)
        ) as backend:
            result = await backend.send_landing(
                LandingRequest(
                    to=("34666555444",),
                    message="Hi {LAND_URL}",
                    sender="ACME",
                    template_body="<html><body>Hi</body></html>",
                    notification_url=hook.url + "/dlr?id=%i&status=%s",
                )
            )
        (item,) = result.results
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        sandbox.stop()
        hook.stop()
    nrs = app.state.nrs
    (url,) = got
    q = parse_qs(urlsplit(url).query)
    assert q["id"] == [item.id]
    assert q["status"] == [fate_of(nrs.seed, nrs.sms[item.id]).status]


def test_the_receiver_keeps_the_ids_of_a_few_jobs_only(journal: CountingJournal) -> None:
    """A job's ids are read once and kept while it is reported on; a receiver that runs for
    days keeps those of the most recently reported jobs (KNOWN_JOBS), not of every job."""
    from tui.engine.receiver import KNOWN_JOBS

    rec = Receiver(journal)
    jobs = [accepted_job(journal, 3)[0] for _ in range(KNOWN_JOBS + 2)]
    for job_id in jobs:
        assert rec._carries(job_id, f"j{job_id}m1")
        assert not rec._carries(job_id, "someone else's")
    assert list(rec._known) == jobs[-KNOWN_JOBS:]
    assert rec._carries(jobs[0], f"j{jobs[0]}m2")  # read again when reported again
    assert list(rec._known)[-1] == jobs[0] and len(rec._known) == KNOWN_JOBS


def test_an_id_recorded_after_the_receiver_read_the_jobs_ids_is_taken(
    journal: CountingJournal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a job is still sending, its newest ids are read from the outcome index (those
    recorded since a little before the last read), not by a pass over the whole job."""
    job_id = journal.create_job(
        account="acct",
        provider="360nrs",
        channel="sms",
        message={"sender": "TEST", "message": "Hi", "options": {}},
        recipients=[(f"3460000{i:04d}", None) for i in range(4)],
    )
    journal.start(job_id)
    first = journal.claim_batch(job_id, 2)
    journal.record_results(
        job_id, [Outcome(c.seq, c.to, State.ACCEPTED, None, f"early{c.seq}", 1) for c in first]
    )
    rec = Receiver(journal)
    assert rec._carries(job_id, "early0")
    later = journal.claim_batch(job_id, 2)
    journal.record_results(
        job_id, [Outcome(c.seq, c.to, State.ACCEPTED, None, f"late{c.seq}", 1) for c in later]
    )
    whole: list[int] = []
    monkeypatch.setattr(journal, "provider_ids", lambda job: whole.append(job) or set())
    assert rec._carries(job_id, "late2") and rec._carries(job_id, "late3")
    assert whole == []
    assert not rec._carries(job_id, "nobody's")


def test_a_report_that_comes_before_the_id_is_journaled_is_taken(
    journal: CountingJournal, receiver: tuple[Receiver, SandboxServer]
) -> None:
    """A provider may notify a message as it accepts it, before the sender has journaled
    its id: the receiver looks again for a moment instead of refusing at once."""
    import threading

    rec, server = receiver
    job_id = journal.create_job(
        account="acct",
        provider="360nrs",
        channel="sms",
        message={"sender": "TEST", "message": "Hi", "options": {}},
        recipients=[("34600000001", None)],
    )
    journal.start(job_id)
    token = new_token()
    journal.set_delivery_token(job_id, token)
    (claimed,) = journal.claim_batch(job_id, 1)
    late = threading.Timer(
        0.3,
        journal.record_results,
        (job_id, [Outcome(claimed.seq, claimed.to, State.ACCEPTED, None, "soon", 1)]),
    )
    late.start()
    answer = call(server, token, id="soon", status="DELIVRD", dlr="2026-03-01 09:00")
    late.join()
    assert answer.status_code == 200 and rec.refused == 0
    settle(lambda: rec.written == 1)
    assert journal.deliveries(job_id)[claimed.seq].state is D.DELIVRD
