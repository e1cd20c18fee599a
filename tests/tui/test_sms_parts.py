"""SMS and landing SMS carry the counted `encoding` and `parts` (issue 10, points 1 and 6).

POST /sms `parts`: "This variable is set to 1 by default, so if it is not specified and a
message over 160 characters for gsm encoding is sent, the message will fail"; the sandbox
counts the text each recipient gets with its own counter and answers 105 when `parts` is
below the need, so a client that sends no or too few parts fails here as on the provider.
Everything runs against a real sandbox socket (the CLI in-process).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from backends.base import Connection
from backends.errors import InvalidInput
from backends.http import HttpClient
from backends.nrs360.client import Nrs360Backend
from backends.rules import Outgoing, Rules, Violation
from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from tests.tui.conftest import demo_cli as cli
from tests.tui.conftest import demo_cli_json as cli_json
from tests.tui.conftest import log_of
from tests.tui.test_cli_sending import PHONE, PHONE2
from tui.cli import run
from tui.engine import segments
from tui.engine.journal import Journal, default_path
from tui.engine.journal_rows import JobStatus, State
from tui.engine.prechecks import check_sms_send
from tui.engine.preflight import plan_message, summarise
from tui.engine.recipients import from_values
from tui.engine.sender import run_job
from tui.engine.sms_job import create_sms_job

GSM_200 = ("Your order 4711 has shipped; track it online. " * 5)[:200]
EURO_AT_BOUNDARY = "a" * 152 + "€" + "b" * 152
UCS2_TEXT = "Olá! Confirmação ç 😀 " + "x" * 60


def sms_bodies(server: SandboxServer) -> list[dict[str, Any]]:
    return [r.json() for r in log_of(server).matching("POST", "/api/rest/sms")]


def jobs() -> list[Any]:
    path = default_path()
    if not path.exists():
        return []
    with Journal(path) as journal:
        return journal.jobs()


def test_the_texts_count_as_the_tests_say() -> None:
    assert len(GSM_200) == 200
    assert segments.count(GSM_200).parts == 2
    # 152 septets, then '€' (two septets) does not fit in part 1's 153: parts 1 and 2 hold
    # 152 and 153, the last 'b' goes to a third part (a plain count would say 2).
    assert segments.count(EURO_AT_BOUNDARY).units == 306
    assert segments.count(EURO_AT_BOUNDARY).parts == 3
    info = segments.count(UCS2_TEXT)
    assert (info.encoding, info.parts) == ("utf-16", 2)


@pytest.mark.parametrize(
    ("message", "encoding", "parts"),
    [(GSM_200, "gsm", 2), (UCS2_TEXT, "utf-16", 2), (EURO_AT_BOUNDARY, "gsm", 3)],
    ids=["gsm-200", "ucs2-emoji", "euro-at-boundary"],
)
def test_cli_sms_send_carries_the_counted_encoding_and_parts(
    account: str, nrs_server: SandboxServer, message: str, encoding: str, parts: int
) -> None:
    body = cli_json("sms", "send", "--from", "T", "--to", PHONE, "--message", message)
    assert body["totals"]["accepted"] == 1
    (sent,) = sms_bodies(nrs_server)
    assert (sent["encoding"], sent["parts"]) == (encoding, parts)
    assert sent["message"] == message


def test_cli_variables_push_some_recipients_into_a_second_part(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    message = "Dear {name}, " + "y" * 140
    subs = tmp_path / "subs.json"
    subs.write_text(json.dumps([{"name": "Ana"}, {"name": "Maximiliano Bartolomé"}]))
    args = ("sms", "send", "--from", "T", "--to", PHONE, "--to", PHONE2,
            "--message", message, "--sub-file", str(subs))  # fmt: skip
    preflight = cli_json(*args, "--dry-run")["preflight"]
    assert (preflight["parts_min"], preflight["parts_max"], preflight["parts"]) == (1, 2, 3)
    assert preflight["plan"]["parts"] == 2 and preflight["plan"]["encoding"] == "gsm"
    assert sms_bodies(nrs_server) == []
    body = cli_json(*args)
    (sent,) = sms_bodies(nrs_server)
    # One request, one `parts`: the largest need; the preflight's maximum is that number.
    assert (sent["encoding"], sent["parts"]) == ("gsm", preflight["parts_max"])
    with Journal(default_path()) as journal:
        by_to = {r.to: r.parts or 0 for r in journal.recipients(body["job"])}
    assert by_to == {PHONE: 1, PHONE2: 2}  # the provider bills each its own need
    # So the preflight's estimate prices the parts the provider charges.
    (country,) = preflight["countries"]
    assert country["parts"] == sum(by_to.values()) == preflight["parts"]
    assert country["cost"] == pytest.approx(country["price"] * 3)


def test_preflight_parts_and_cost_are_what_the_request_carries(
    account: str, nrs_server: SandboxServer
) -> None:
    # A GSM text to one recipient, UCS-2 variables to the other: the job goes as utf-16,
    # and both recipients are counted (and priced) as utf-16.
    recipients = from_values([PHONE, PHONE2], subs=[{"n": "Ana"}, {"n": "Zoë 😀"}])
    message = "Hi {n}, " + "z" * 50
    summary = summarise(recipients, message, prices={})
    assert summary.plan is not None
    assert (summary.plan.encoding, summary.plan.parts) == ("utf-16", 1)
    assert summary.encodings == ("utf-16",) and summary.parts == 2
    plan = plan_message(message, [r.vars for r in recipients.sendable])
    assert plan == summary.plan
    summary = summarise(recipients, "Hi {n}, " + "z" * 60, prices={})
    assert summary.plan is not None and summary.plan.parts == summary.parts_max == 2
    assert (summary.parts_min, summary.parts) == (1, 3)  # "Ana" fits 70, "Zoë 😀" does not


@pytest.mark.parametrize(
    ("extra", "message", "why"),
    [
        (("--parts", "1"), GSM_200, "parts 1 is below the 2 parts the text needs in gsm"),
        (("--encoding", "gsm"), UCS2_TEXT, "encoding gsm cannot carry"),
        (("--encoding", "gsm-pt"), "Olá 😀", "encoding gsm-pt cannot carry '😀'"),
        ((), "w" * (15 * 153 + 1), "needs 16 parts in gsm; at most 15 are allowed"),
        (("--parts", "16"), "short", "parts must be between 1 and 15"),
    ],
    ids=["parts-below-need", "gsm-with-ucs2", "gsm-pt-with-emoji", "need-above-15", "parts-16"],
)
def test_cli_refuses_what_the_request_cannot_carry(
    account: str,
    nrs_server: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    extra: tuple[str, ...],
    message: str,
    why: str,
) -> None:
    code, _ = cli("sms", "send", "--from", "T", "--to", PHONE, "--message", message, *extra)
    assert code == 2
    assert why in capsys.readouterr().err
    assert sms_bodies(nrs_server) == []
    assert jobs() == []


def test_operator_overrides_that_fit_are_kept(account: str, nrs_server: SandboxServer) -> None:
    cli_json("sms", "send", "--from", "T", "--to", PHONE, "--message", "Hola",
             "--encoding", "utf-16", "--parts", "4")  # fmt: skip
    (sent,) = sms_bodies(nrs_server)
    assert (sent["encoding"], sent["parts"]) == ("utf-16", 4)


def test_trans_applies_before_counting(account: str, nrs_server: SandboxServer) -> None:
    # With trans=1 the provider turns 'ó' into 'o' before encoding: a gsm text.
    cli_json("sms", "send", "--from", "T", "--to", PHONE, "--message", "Canción " * 21,
             "--trans", "--encoding", "gsm")  # fmt: skip
    (sent,) = sms_bodies(nrs_server)
    assert (sent["encoding"], sent["parts"], sent["trans"]) == ("gsm", 2, 1)


def test_one_notification_url_per_recipient(account: str, nrs_server: SandboxServer) -> None:
    cli_json("sms", "send", "--from", "T", "--to", PHONE, "--to", "34", "--to", PHONE2,
             "--message", "Hi", "--notification-url", "https://e.com/1", "--notification-url", "https://e.com/bad",
             "--notification-url", "https://e.com/2", code=3)  # fmt: skip
    (sent,) = sms_bodies(nrs_server)
    # The invalid "34" is left out, and its URL with it.
    assert sent["to"] == [PHONE, PHONE2]
    assert sent["notificationUrl"] == ["https://e.com/1", "https://e.com/2"]


def test_notification_url_from_a_csv_column(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f"mobile,hook\n{PHONE},https://e.com/a\n{PHONE2},https://e.com/b\n")
    cli_json("sms", "send", "--from", "T", "--csv", str(path), "--message", "Hi",
             "--notification-url-column", "hook")  # fmt: skip
    (sent,) = sms_bodies(nrs_server)
    assert sent["notificationUrl"] == ["https://e.com/a", "https://e.com/b"]


def test_each_batch_carries_its_recipients_notification_urls(
    nrs_server: SandboxServer, tmp_path: Path
) -> None:
    async def go() -> None:
        backend = Nrs360Backend(
            Connection(nrs_server.url + "/api/rest", username=DEMO_USERNAME, secret=DEMO_PASSWORD)
        )
        with Journal(tmp_path / "j.db") as journal:
            job = create_sms_job(
                journal, "a", "360nrs", "T", "Hi {n}",
                [(PHONE, {"n": "A"}), (PHONE2, {"n": "B"})],
                {"notification_url": ("https://e.com/1", "https://e.com/2")},
            )  # fmt: skip
            async with backend:
                async for _ in run_job(journal, job, backend, batch_size=1, concurrency=1):
                    pass
            assert journal.totals(job).accepted == 2

    import asyncio

    asyncio.run(go())
    bodies = sms_bodies(nrs_server)
    assert [(b["to"], b["notificationUrl"], b["sub"]) for b in bodies] == [
        ([PHONE], ["https://e.com/1"], [{"n": "A"}]),
        ([PHONE2], ["https://e.com/2"], [{"n": "B"}]),
    ]


def landing(*extra: str, message: str = "See {LAND_URL}") -> tuple[str, ...]:
    return ("landing", "send", "--from", "T", "--to", PHONE, "--message", message,
            "--template-body", "<p>Hi</p>", *extra)  # fmt: skip


def test_landing_carries_the_counted_parts(account: str, nrs_server: SandboxServer) -> None:
    # 136 + the 25 characters {LAND_URL} is counted as: 161 > 160, two parts.
    cli_json(*landing(message="m" * 132 + " at {LAND_URL}"))
    (req,) = log_of(nrs_server).matching("POST", "/api/rest/landingsms")
    assert (req.json()["encoding"], req.json()["parts"]) == ("gsm", 2)


def test_landing_refuses_more_than_8_parts_and_a_second_url(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = cli(*landing(message="n" * (8 * 153) + "{LAND_URL}"))
    assert code == 2
    assert "at most 8 are allowed" in capsys.readouterr().err
    urls = ("--notification-url", "https://e.com/1", "--notification-url", "https://e.com/2")
    code, _ = cli(*landing(*urls))
    assert code == 2
    assert "one --notification-url" in capsys.readouterr().err
    assert log_of(nrs_server).matching("POST", "/api/rest/landingsms") == []
    assert jobs() == []


def test_jobs_resume_sends_the_journaled_plan_and_plans_old_jobs(
    account: str, nrs_server: SandboxServer
) -> None:
    with Journal(default_path()) as journal:
        new = create_sms_job(journal, "demo", "360nrs", "T", UCS2_TEXT, [(PHONE, None)])
        # A job journaled before the plan existed: no encoding, no parts in its options.
        old = journal.create_job(
            account="demo",
            provider="360nrs",
            channel="sms",
            message={"sender": "T", "message": "Hi {n} " + "o" * 160, "options": {}},
            recipients=[(PHONE2, {"n": "Ana"}, None)],
        )
        assert journal.job(new).message["options"] == {"encoding": "utf-16", "parts": 2}
    for job in (new, old):
        out = io.StringIO()
        assert run(["jobs", "resume", str(job), "--json"], out=out) == 0, out.getvalue()
        assert json.loads(out.getvalue())["status"] == JobStatus.DONE.value
    first, second = sms_bodies(nrs_server)
    assert (first["encoding"], first["parts"]) == ("utf-16", 2)
    assert (second["encoding"], second["parts"]) == ("gsm", 2)


# --- the provider's rules refusing a batch ----------------------------------------------


def _no_parts_above_one(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    parts = out.field("parts")
    return Violation("parts above 1 refused here", 400, 110) if parts and parts > 1 else None


def strict_rules() -> Rules:
    """360nrs rules that refuse parts above 1 (a stand-in for any rule a request breaks);
    the other endpoints a send reads (prices, balance, blacklist) pass."""
    rules = Rules("360nrs")
    rules.endpoint("POST", "/sms", _no_parts_above_one)
    for path in ("/sms/{ids}", "/sms/coverageByCountry", "/account", "/v2/blacklist/{kind}"):
        rules.endpoint("GET", path)
    return rules


def strict_backend(server: SandboxServer) -> Nrs360Backend:
    """A 360nrs client whose rules refuse parts above 1 (a stand-in for a rule it breaks)."""
    backend = Nrs360Backend(
        Connection(server.url + "/api/rest", username=DEMO_USERNAME, secret=DEMO_PASSWORD)
    )
    backend.http.rules = strict_rules()
    return backend


async def test_a_batch_the_rules_refuse_pauses_the_job_with_nothing_sent(
    nrs_server: SandboxServer, tmp_path: Path
) -> None:
    backend = strict_backend(nrs_server)
    with Journal(tmp_path / "j.db") as journal:
        job = create_sms_job(journal, "a", "360nrs", "T", GSM_200, [(PHONE, None)])
        async with backend:
            last = [p async for p in run_job(journal, job, backend)][-1]
        assert last.status is JobStatus.PAUSED
        assert "parts above 1 refused here" in (last.reason or "")
        assert [r.state for r in journal.recipients(job)] == [State.PENDING]
    assert sms_bodies(nrs_server) == []


async def test_the_first_batch_is_checked_before_anything_is_journaled(
    nrs_server: SandboxServer,
) -> None:
    backend = strict_backend(nrs_server)
    async with backend:
        await check_sms_send(backend, "T", "short", [(PHONE, None)])  # passes the rules
        with pytest.raises(InvalidInput, match="parts above 1 refused here"):
            await check_sms_send(backend, "T", GSM_200, [(PHONE, None)])
        # The check's stand-in is gone: the backend's own client sends again.
        assert isinstance(backend.http, HttpClient)
    assert sms_bodies(nrs_server) == []


# --- the sandbox counts what each recipient gets -----------------------------------------


@pytest.mark.refused_requests
def test_sandbox_answers_105_for_missing_or_too_few_parts(nrs_server: SandboxServer) -> None:
    auth = (DEMO_USERNAME, DEMO_PASSWORD)
    url = nrs_server.url + "/api/rest/sms"

    def post(**body: Any) -> httpx.Response:
        return httpx.post(url, json={"from": "T", "to": [PHONE, PHONE2], **body}, auth=auth)

    def code(response: httpx.Response) -> int:
        assert response.status_code == 400
        return int(response.json()["error"]["code"])

    assert code(post(message=GSM_200)) == 105
    # Short as written, long once a recipient's variables are in.
    message = "Hi {name} " + "q" * 140
    subs = [{"name": "Ana"}, {"name": "Bartolomé de las Casas"}]
    assert code(post(message=message, sub=subs, parts=1)) == 105
    ok = post(message=message, sub=subs, parts=2)
    assert ok.status_code == 202
    assert [r["parts"] for r in ok.json()["result"]] == [1, 2]
    assert code(post(message=EURO_AT_BOUNDARY, parts=2)) == 105
    assert post(message=EURO_AT_BOUNDARY, parts=3).status_code == 202
