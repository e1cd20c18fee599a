"""360nrs event notifications: the account's event URL, the receiver's POST /events/{token}
over a real socket, and the sandbox posting (and retrying) to a real receiver."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import logging
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app
from backends.sandbox.nrs360.dlr import fate_of
from tests.tui.test_receiver import serve, settle
from tui.cli import run
from tui.config import Account, ConfigStore
from tui.engine.delivery import DeliveryState as D
from tui.engine.delivery import RecipientEvent
from tui.engine.delivery_url import new_token
from tui.engine.journal import Journal
from tui.engine.journal_rows import Outcome, State
from tui.engine.receiver import Receiver

REFERENCE = Path("/work/shared/reference/360nrs-api.txt")
# The reference's "Receiving new notification events" parameters, copied from it by hand.
REFERENCE_FIELDS = {
    "id",
    "channel",
    "contactId",
    "campaignId",
    "campaignName",
    "formId",
    "event",
    "extra",
    "smtpResponse",
    "eventDate",
}
REFERENCE_CHANNELS = {"sms", "mailing", "landing", "text2speech"}
REFERENCE_EVENTS = {
    "delivered", "opened", "clicked", "unsubscribed", "hard_bounced", "complaint", "sent",
    "soft_bounced", "undelivered", "rejected", "expired", "unsubscribed_landing",
    "form_opened", "form_submitted", "form_rejected",
}  # fmt: skip
# The reference's own dates ("2021-07-19T15:00:33+00:00"): ISO 8601 with an offset.
REFERENCE_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def accepted_job(
    journal: Journal, n: int, *, account: str = "acct", channel: str = "sms"
) -> tuple[int, list[str]]:
    """A job of `n` accepted recipients; their provider ids."""
    job_id = journal.create_job(
        account=account,
        provider="360nrs",
        channel=channel,
        message={"sender": "TEST", "message": "Hi", "options": {}},
        recipients=[(f"3460000{i:04d}", None) for i in range(n)],
    )
    journal.start(job_id)
    claimed = journal.claim_batch(job_id, n)
    ids = [f"{account}-j{job_id}m{c.seq}" for c in claimed]
    journal.record_results(
        job_id,
        [
            Outcome(c.seq, c.to, State.ACCEPTED, None, pid, 1)
            for c, pid in zip(claimed, ids, strict=True)
        ],
    )
    return job_id, ids


@pytest.fixture
def receiver(journal: Journal) -> Iterator[tuple[Receiver, SandboxServer]]:
    with serve(journal) as served:
        yield served


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def form(
    pid: str, event: str, date: str = "2026-03-01T09:00:00+00:00", **more: str
) -> dict[str, str]:
    return {"id": pid, "channel": "sms", "contactId": "0", "campaignId": "0",
            "campaignName": "", "event": event, "extra": "", "eventDate": date, **more}  # fmt: skip


def post(server: SandboxServer, token: str, data: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{server.url}/events/{token}", data=data)


# --- the account's event URL -------------------------------------------------------------


def test_account_event_url_is_made_once_and_needs_a_360nrs_account_with_a_delivery_url(
    isolated_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ConfigStore(isolated_dirs / "config")
    store.add_account(
        Account(
            "live", "360nrs", "https://x", "u", options={"delivery_url": "https://h.example/sb/"}
        )
    )
    store.add_account(Account("bare", "360nrs", "https://x", "u"))
    store.add_account(
        Account("other", "collect", "https://x", "u", options={"delivery_url": "https://h"})
    )
    out = io.StringIO()
    assert run(["account", "event-url", "live"], out=out) == 0
    url = out.getvalue().splitlines()[0]
    assert re.fullmatch(r"https://h\.example/sb/events/[A-Za-z0-9_-]{32}", url)
    again = io.StringIO()
    assert run(["account", "event-url", "live", "--json"], out=again) == 0
    assert json.loads(again.getvalue()) == {"account": "live", "event_url": url}
    with Journal() as j:
        assert j.account_of_event_token(url.rsplit("/", 1)[1]) == "live"
    capsys.readouterr()
    assert run(["account", "event-url", "bare"], out=io.StringIO()) == 2
    assert "no delivery_url option" in capsys.readouterr().err
    assert run(["account", "event-url", "other"], out=io.StringIO()) == 2
    assert "event notifications are 360nrs's" in capsys.readouterr().err
    assert run(["account", "event-url", "nobody"], out=io.StringIO()) != 0
    assert "Traceback" not in capsys.readouterr().err


# --- the receiver ------------------------------------------------------------------------


def test_valid_duplicate_and_out_of_order_events(
    journal: Journal, receiver: tuple[Receiver, SandboxServer]
) -> None:
    rec, server = receiver
    job_id, ids = accepted_job(journal, 3)
    token = journal.event_token("acct", new_token)
    answers = [
        post(server, token, form(ids[0], "delivered", "2026-03-01T09:00:05+00:00")),
        # Out of order: the `sent` after the `delivered`; then the `delivered` again.
        post(server, token, form(ids[0], "sent", "2026-03-01T09:00:00+00:00")),
        post(server, token, form(ids[0], "delivered", "2026-03-01T09:00:05+00:00")),
        post(server, token, form(ids[1], "sent", "2026-03-01 09:00")),  # no offset: UTC
        post(server, token, form(ids[2], "rejected", "2026-03-01T10:00:00+01:00")),
        # Not about delivery: kept once each, however often notified.
        post(server, token, form(ids[0], "clicked", extra='{"url":"https%3A%2F%2Fx.example"}')),
        post(server, token, form(ids[0], "clicked", extra='{"url":"https%3A%2F%2Fx.example"}')),
        post(server, token, form(ids[1], "opened")),
        # Sent from the website: no id; taken (200) and ignored, a retry would not help.
        post(server, token, form("", "delivered")),
    ]
    assert [(r.status_code, r.text) for r in answers] == [(200, "OK")] * len(answers)
    settle(lambda: rec.written == 5 and rec.events_written == 2)
    d = journal.deliveries(job_id)
    assert (d[0].state, d[0].at) == (D.DELIVRD, "2026-03-01T09:00:05+00:00")
    assert (d[1].state, d[1].at) == (D.ACCEPTD, "2026-03-01T09:00:00+00:00")
    assert (d[2].state, d[2].at) == (D.REJECTD, "2026-03-01T09:00:00+00:00")
    assert journal.event_counts(job_id) == {"clicked": 1, "opened": 1}
    assert rec.ignored == 1 and rec.refused == 0


def test_forged_unknown_malformed_and_wrongly_typed_events_are_4xx_and_logged(
    journal: Journal,
    receiver: tuple[Receiver, SandboxServer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    rec, server = receiver
    job_id, ids = accepted_job(journal, 2)
    _, others = accepted_job(journal, 1, account="someone-else")
    _, mails = accepted_job(journal, 1, channel="email")
    token = journal.event_token("acct", new_token)
    journal.event_token("someone-else", new_token)
    job_token = new_token()
    journal.set_delivery_token(job_id, job_token)
    good = form(ids[0], "delivered")
    cases: list[tuple[str, dict[str, str], int]] = [
        (new_token(), good, 403),  # forged
        (token[:-1], good, 403),
        (job_token, good, 403),  # a job's notificationUrl token is not an event token
        (token, {**good, "id": "nope"}, 404),
        (token, {**good, "id": others[0]}, 404),  # another account's message
        (token, {**good, "id": mails[0]}, 404),  # an email recipient's id, said to be an SMS
        (token, {**good, "channel": "fax"}, 400),
        (token, {**good, "event": "teleported"}, 400),
        (token, {k: v for k, v in good.items() if k != "eventDate"}, 400),
        (token, {**good, "eventDate": "yesterday"}, 400),
        (token, {**good, "contactId": "x"}, 400),
        (token, {**good, "extra": "{not json"}, 400),
    ]
    with caplog.at_level(logging.WARNING, logger="switchboard.receiver"):
        for tok, data, expected in cases:
            assert post(server, tok, data).status_code == expected, data
        url = f"{server.url}/events/{token}"
        raw = [
            (httpx.post(url, json=good), 415),
            (httpx.post(url, content=b"id=1", headers={"content-type": "text/plain"}), 415),
            (httpx.post(url, content=b"id=1"), 415),  # no Content-Type at all
            (httpx.post(url, content=b"", headers=FORM), 400),
            (httpx.post(url, content=b"id=a&id=b&channel=sms", headers=FORM), 400),
            (httpx.post(url, content=b"id&&channel=sms", headers=FORM), 400),
            (httpx.post(url, content=b"\xff\xfe=\xff", headers=FORM), 400),
            (httpx.post(url, content=b"id=" + b"x" * 70_000, headers=FORM), 413),
        ]
        assert [r.status_code for r, _ in raw] == [code for _, code in raw]
        # Not a route, or the wrong method: the router's 4xx, never a 5xx.
        assert httpx.post(f"{server.url}/events", data=good).status_code == 404
        assert httpx.get(url).status_code == 405
    refused = len(cases) + len(raw)
    assert rec.refused == refused and len(caplog.records) == refused
    assert all(token not in r.getMessage() for r in caplog.records)
    time.sleep(0.2)
    assert journal.deliveries(job_id) == {} and rec.written == 0 and rec.events_written == 0


FORM = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}


def test_jobs_show_counts_the_events_that_are_not_about_delivery(isolated_dirs: Path) -> None:
    with Journal() as j:
        job_id, _ = accepted_job(j, 2)
        quiet_id, _ = accepted_job(j, 1)
        j.record_events(
            [
                RecipientEvent(job_id, 0, "clicked", "2026-03-01T09:00:00+00:00", ""),
                RecipientEvent(job_id, 1, "clicked", "2026-03-01T09:00:01+00:00", ""),
                RecipientEvent(job_id, 1, "opened", "2026-03-01T09:00:00+00:00", ""),
            ]
        )
    out = io.StringIO()
    assert run(["jobs", "show", str(job_id), "--json"], out=out) == 0
    assert json.loads(out.getvalue())["events"] == {"clicked": 2, "opened": 1}
    out = io.StringIO()
    assert run(["jobs", "show", str(job_id)], out=out) == 0
    assert "  events   clicked 2, opened 1" in out.getvalue().splitlines()
    out = io.StringIO()
    assert run(["jobs", "show", str(quiet_id)], out=out) == 0
    assert "events" not in out.getvalue()


# --- the sandbox ---------------------------------------------------------------------------


def reference_event_fields() -> list[str]:
    """The parameters of "Receiving new notification events", read from the reference:
    each name is the line before its type."""
    text = REFERENCE.read_text()
    section = text.split("Receiving new notification events", 1)[1]
    section = section.split("Notifications will be retried", 1)[0]
    lines = [line.strip() for line in section.splitlines()]
    return [lines[i - 1] for i, line in enumerate(lines) if line in ("string", "integer")]


def test_the_reference_lists_these_event_fields() -> None:
    assert set(reference_event_fields()) == REFERENCE_FIELDS
    assert "Content-Type: application/x-www-form-urlencoded" in REFERENCE.read_text()


class Hook:
    """A stand-in customer server: answers each event type's POSTs with the statuses given
    for it, in turn, then `otherwise`; keeps what came and when."""

    def __init__(self, statuses: dict[str, list[int]] | None = None, otherwise: int = 200) -> None:
        self.statuses = statuses or {}
        self.otherwise = otherwise
        self.calls: list[tuple[float, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.app = Starlette(routes=[Route("/hook", self.take, methods=["POST"])])

    async def take(self, request: Request) -> Response:
        data = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        with self.lock:
            self.calls.append((time.monotonic(), request.headers["content-type"], data))
            todo = self.statuses.get(data.get("event", ""), [])
            status = todo.pop(0) if todo else self.otherwise
        return PlainTextResponse("x", status_code=status)

    def times(self, event: str) -> list[float]:
        with self.lock:
            return [at for at, _, data in self.calls if data["event"] == event]


@pytest.fixture
def hook_server() -> Iterator[tuple[Hook, SandboxServer]]:
    hook = Hook()
    server = SandboxServer(hook.app)
    server.start()
    try:
        yield hook, server
    finally:
        server.stop()


def send_sms(sandbox: SandboxServer, tos: list[str], **more: Any) -> list[str]:
    r = httpx.post(
        f"{sandbox.url}/api/rest/sms",
        json={"from": "T", "message": "Hi", "to": tos, **more},
        auth=(DEMO_USERNAME, DEMO_PASSWORD),
    )
    assert r.status_code == 202, r.text
    return [res["id"] for res in r.json()["result"]]


def test_the_sandbox_posts_the_reference_form_with_the_same_fates_as_get_sms(
    hook_server: tuple[Hook, SandboxServer],
) -> None:
    hook, hserver = hook_server
    # The emulator's clock stands still while the events come (600 times faster), then
    # jumps past every fate, when GET /sms/{ids} is asked.
    clock = [datetime(2026, 3, 1, 9, 0, tzinfo=UTC)]
    app = create_app(dlr_speed=600.0, event_url=f"{hserver.url}/hook", clock=lambda: clock[0])
    sandbox = SandboxServer(app)
    sandbox.start()
    try:
        ids = send_sms(sandbox, [f"346{i:08d}" for i in range(20)], campaignName="Spring")
        settle(lambda: len(hook.calls) == 40, timeout=10.0)
        clock[0] += timedelta(hours=1)
        answer = httpx.get(
            f"{sandbox.url}/api/rest/sms/{','.join(ids)}", auth=(DEMO_USERNAME, DEMO_PASSWORD)
        ).json()["data"]
    finally:
        sandbox.stop()
    nrs = app.state.nrs
    shown = {m["id"]: [e["type"] for e in m["events"]] for m in answer}
    finals: dict[str, str] = {}
    for _, content_type, data in hook.calls:
        assert content_type == "application/x-www-form-urlencoded"
        assert set(data) <= REFERENCE_FIELDS
        assert {"id", "channel", "event", "eventDate"} <= set(data)
        assert data["channel"] == "sms" and data["event"] in REFERENCE_EVENTS
        assert REFERENCE_DATE.match(data["eventDate"]), data["eventDate"]
        assert data["campaignName"] == "Spring" and int(data["campaignId"]) > 0
        fate = fate_of(nrs.seed, nrs.sms[data["id"]])
        if data["event"] == "sent":
            assert data["eventDate"] == fate.sent_at.isoformat()
        else:
            finals[data["id"]] = data["event"]
            assert (data["event"], data["eventDate"]) == (fate.event, fate.final_at.isoformat())
    # One `sent` and one final event per message: the ones GET /sms/{ids} shows.
    assert sorted(finals) == sorted(ids)
    assert all(shown[pid] == ["sent", finals[pid]] for pid in ids)
    assert len({e for e in finals.values()}) > 1  # a mix of fates, not one


def test_the_sandbox_retries_on_anything_but_200_with_progressive_waits(
    hook_server: tuple[Hook, SandboxServer],
) -> None:
    hook, hserver = hook_server
    # `sent` is taken at its third try; the final event never is.
    hook.statuses = {"sent": [503, 404]}
    hook.otherwise = 500
    hook.statuses.update({e: [] for e in REFERENCE_EVENTS if e != "sent"})
    unit = 60.0 / 600  # the reference's minute at 600 times the speed
    app = create_app(dlr_speed=600.0, event_url=f"{hserver.url}/hook")
    sandbox = SandboxServer(app)
    sandbox.start()
    try:
        (pid,) = send_sms(sandbox, ["34600000001"])
        hook.statuses["sent"].append(200)
        final = fate_of(app.state.nrs.seed, app.state.nrs.sms[pid]).event
        # 1 + 5 tries of the final event, 15 units of waits apart in all.
        settle(lambda: len(hook.times(final)) == 6, timeout=10.0)
        time.sleep(1.0)  # and no seventh
    finally:
        sandbox.stop()
    sent, last = hook.times("sent"), hook.times(final)
    assert len(sent) == 3 and len(last) == 6
    for times in (sent, last):
        gaps = [b - a for a, b in itertools.pairwise(times)]
        for k, gap in enumerate(gaps, start=1):
            # The k-th retry comes k units after the try before it.
            assert k * unit * 0.9 <= gap < k * unit + 0.4, gaps
    tries = [(a.event, a.status) for a in app.state.events.attempts]
    assert tries.count(("sent", 200)) == 1 and tries.count((final, 500)) == 6


def test_without_an_event_url_the_sandbox_posts_no_events(nrs_server: SandboxServer) -> None:
    events = nrs_server.app.state.events  # type: ignore[attr-defined]
    assert events.url is None
    send_sms(nrs_server, ["34600000001"])
    assert not events._tasks and not events.attempts


def test_the_sandbox_posts_events_to_a_real_receiver_end_to_end(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal()  # the one `sms send` journals into
    receiver = Receiver(journal, flush_seconds=0.05)
    rserver = SandboxServer(receiver.app, lifespan=True)
    rserver.start()
    app = create_app(dlr_speed=60.0)  # two minutes of fates in two seconds
    sandbox = SandboxServer(app)
    sandbox.start()
    try:
        monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
        ConfigStore(isolated_dirs / "config").add_account(
            Account("demo", "360nrs", sandbox.url + "/api/rest", DEMO_USERNAME)
        )
        # The operator's step: the account's event URL, set in the (emulated) dashboard.
        token = journal.event_token("demo", new_token)
        app.state.events.url = f"{rserver.url}/events/{token}"
        args = ["sms", "send", "-a", "demo", "--from", "T", "--message", "Hi", "--yes"]
        for i in range(30):
            args += ["--to", f"346{i:08d}"]
        assert run(args, out=io.StringIO()) == 0
        (post_,) = app.state.log.matching("POST", "/api/rest/sms")
        assert "notificationUrl" not in post_.json()  # events alone report here
        job_id = max(j.id for j in journal.jobs())
        settle(lambda: journal.delivery_funnel(job_id).done, timeout=10.0)
    finally:
        sandbox.stop()
        rserver.stop()
    nrs = app.state.nrs
    d = journal.deliveries(job_id)
    for row in journal.recipients(job_id):
        assert row.provider_id is not None
        fate = fate_of(nrs.seed, nrs.sms[row.provider_id])
        assert (d[row.seq].state, d[row.seq].at) == (fate.status, fate.final_at.isoformat())
    assert all(a.status == 200 for a in app.state.events.attempts)
    assert len(app.state.events.attempts) == 60 and receiver.refused == 0
    journal.close()


def test_sandbox_serve_posts_events_to_the_event_url_it_is_given(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`switchboard sandbox serve --event-url`: the operator's whole loop, by the CLI."""
    journal = Journal()
    token = journal.event_token("demo", new_token)
    receiver = Receiver(journal, flush_seconds=0.05)
    rserver = SandboxServer(receiver.app, lifespan=True)
    rserver.start()
    serve = subprocess.Popen(
        [sys.executable, "-m", "tui", "sandbox", "serve", "--port", "0",
         "--event-url", f"{rserver.url}/events/{token}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert serve.stdout is not None
        printed = []
        for line in serve.stdout:
            printed.append(line.strip())
            if line.startswith("Press Ctrl-C"):
                break
        base = next(p for p in printed if p.startswith("360nrs sandbox: ")).split(": ", 1)[1]
        assert f"posts its event notifications to {rserver.url}/events/{token}" in printed[-2]
        monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
        ConfigStore(isolated_dirs / "config").add_account(
            Account("demo", "360nrs", base, DEMO_USERNAME)
        )
        args = ["sms", "send", "-a", "demo", "--from", "T", "--message", "Hi", "--yes"]
        assert run([*args, "--to", "34600000001", "--to", "34600000002"], out=io.StringIO()) == 0
        job_id = max(j.id for j in journal.jobs())
        # `sent` comes at once (the final events take the fates' seconds of a real clock).
        settle(lambda: len(journal.deliveries(job_id)) == 2, timeout=10.0)
    finally:
        serve.send_signal(signal.SIGINT)
        serve.communicate(timeout=30)
        rserver.stop()
    assert receiver.refused == 0
    journal.close()


def test_sandbox_serve_refuses_an_event_url_that_is_not_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["sandbox", "serve", "--event-url", "nowhere"], out=io.StringIO()) == 2
    assert "--event-url expects an http:// or https:// URL" in capsys.readouterr().err


async def test_the_sandbox_calls_back_with_one_http_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sixty callbacks due at once: a client each cost an SSL context each (20-100 ms of the
    emulator's loop), and on a busy machine none was posted within ten seconds."""
    from backends.sandbox.nrs360 import dlr, events
    from backends.sandbox.nrs360.state import SmsMessage

    made: list[int] = []

    class Counted(httpx.AsyncClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(httpx, "AsyncClient", Counted)
    got: list[str] = []

    async def take(request: Request) -> Response:
        got.append(request.method)
        return PlainTextResponse("OK")

    server = SandboxServer(Starlette(routes=[Route("/cb", take, methods=["GET", "POST"])]))
    server.start()
    try:
        now = datetime.now(UTC) - timedelta(days=1)  # every fate is already due
        notifier = dlr.Notifier(7, lambda: now + timedelta(days=1))
        poster = events.EventNotifier(7, lambda: now + timedelta(days=1), url=server.url + "/cb")
        for i in range(30):
            sms = SmsMessage(f"m{i}", "T", f"346{i:08d}", "x", "gsm", 1, 0, 0, now, None, None)
            notifier.schedule(sms, server.url + "/cb?id=%i", "0.05")
            poster.schedule(sms, "sms", None, 0)
        deadline = time.monotonic() + 20
        while len(got) < 90 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        server.stop()
    assert len(got) == 90  # 30 DLR calls, 30 `sent` and 30 final events
    assert len(made) == 2  # one client per notifier
