"""The survey use case (tui.usecases.surveys) against the Xebo emulator: a survey send is
a journaled job (issue 11: `survey send` wrote no journal), resumable after a kill or a
pause with nobody surveyed twice, listed by `jobs list`; and the one contacts reader both
front ends use, with its rules."""

from __future__ import annotations

import asyncio
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backends.base import Connection
from backends.models.surveys import RejectedContact, SurveyMedium, SurveySendResult
from backends.sandbox import xebo
from backends.sandbox.core import SandboxServer
from backends.xebo.client import XeboBackend
from tui.cli import run
from tui.config import Account, ConfigStore
from tui.engine.journal import Journal, default_path
from tui.engine.journal_rows import Claimed, JobStatus, State
from tui.engine.survey_send import match_survey_send
from tui.usecases.survey_batch import BatchInput, batch_question, prepare_batch
from tui.usecases.surveys import (
    ContactsInput,
    NoContacts,
    RequestForm,
    SurveyRefused,
    create_survey,
    document_request,
    read_contacts,
    run_survey,
    survey_question,
    survey_results,
)

XEBO_PATH = f"/v2/api/collectors/{xebo.DEMO_COLLECTOR_ID}/combined/auto"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    s = SandboxServer(xebo.create_app())
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def account(server: SandboxServer, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Account 'surveys' on the emulator, for the CLI's `jobs` commands."""
    monkeypatch.setenv("SWITCHBOARD_SECRET_SURVEYS", xebo.DEMO_ACCESS_TOKEN)
    store = ConfigStore(isolated_dirs / "config")
    store.add_account(Account("surveys", "xebo", server.url, options=dict(xebo.DEMO_OPTIONS)))
    return "surveys"


def state_of(server: SandboxServer) -> xebo.XeboState:
    state: xebo.XeboState = server.app.state.xebo  # type: ignore[attr-defined]
    return state


def backend(server: SandboxServer, transport: httpx.AsyncBaseTransport | None = None) -> Any:
    conn = Connection(server.url, secret=xebo.DEMO_ACCESS_TOKEN, options=dict(xebo.DEMO_OPTIONS))
    return XeboBackend(conn, transport=transport)


def surveyed(server: SandboxServer) -> Counter[str]:
    """How many times the emulator accepted each mobile (what really went out)."""
    return Counter(c["mobile"] for s in state_of(server).sends for c in s.contacts)


def numbers(n: int) -> list[str]:
    return [f"+3466655{i:04d}" for i in range(n)]


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return run(list(args), out=out), out.getvalue()


async def drain(updates: Any) -> list[Any]:
    return [p async for p in updates]


# --- the contacts reader -------------------------------------------------------------------


def test_contacts_from_typed_json_and_csv_in_order_each_address_once(tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    # Semicolons (a Spanish-locale spreadsheet), headers in any case, a repeat written
    # differently (spaces, no '+') and an empty cell, which is left out.
    csv_file.write_text("Mobile;Name;City\n+34666555444;Ana;\n34 666 555 445;Bo;Lugo\n")
    found = read_contacts(
        ContactsInput(
            SurveyMedium.SMS,
            addresses=["+34666555445", " "],
            objects=['{"mobile": "+34666555446", "tier": 2}'],
            file=csv_file,
        )
    )
    assert [c.to_json() for c in found.contacts] == [
        {"mobile": "+34666555445"},
        {"mobile": "+34666555446", "tier": 2},
        {"mobile": "+34666555444", "Name": "Ana"},
    ]
    assert found.repeated == 1
    assert survey_question(found) == (
        "Send the survey by SMS to 3 contact(s)? (1 repeated address(es) left out.)"
    )


def test_emails_repeat_whatever_their_case_and_a_json_file_is_read_as_json(
    tmp_path: Path,
) -> None:
    people = tmp_path / "people.json"
    people.write_text(json.dumps([{"email": "Ana@Example.com", "city": "Delhi"}]))
    found = read_contacts(ContactsInput(SurveyMedium.EMAIL, ["ana@example.com"], file=people))
    assert [c.to_json() for c in found.contacts] == [{"email": "ana@example.com"}]
    assert found.repeated == 1


@pytest.mark.parametrize(
    ("given", "error"),
    [
        # The reported form bug: emails typed for SMS were one "repeated" empty number.
        (ContactsInput(SurveyMedium.SMS, ["ana@example.com", "bo@example.com"]), "#1 'ana@"),
        (ContactsInput(SurveyMedium.EMAIL, ["+34666555444"]), "is not an email address"),
        (ContactsInput(SurveyMedium.WHATSAPP, ["12"]), "#1 '12' is not a mobile number"),
        (ContactsInput(SurveyMedium.EMAIL, objects=['{"mobile": "34666"}']), "#1 no 'email'"),
        (ContactsInput(SurveyMedium.EMAIL, objects=["[1]"]), "contact #1 is not a JSON object"),
        (ContactsInput(SurveyMedium.SMS, objects=['{"mobile": 34}']), "mobile must be a string"),
        (ContactsInput(SurveyMedium.SMS, file=Path("/nonexistent.csv")), "cannot read"),
    ],
)
def test_contacts_that_cannot_be_sent_are_refused_in_one_line(
    given: ContactsInput, error: str
) -> None:
    with pytest.raises(SurveyRefused) as caught:
        read_contacts(given)
    assert error in str(caught.value) and "\n" not in str(caught.value)


def test_no_contacts_and_files_that_are_not_text(tmp_path: Path) -> None:
    with pytest.raises(NoContacts):
        read_contacts(ContactsInput(SurveyMedium.SMS, [" ", ""]))
    binary = tmp_path / "people.csv"
    binary.write_bytes(b"mobile\n\xff\xfe\n")
    with pytest.raises(SurveyRefused, match="is not UTF-8 text"):
        read_contacts(ContactsInput(SurveyMedium.SMS, file=binary))
    bad_json = tmp_path / "people.json"
    bad_json.write_text('{"mobile": "+34666555444"}')
    with pytest.raises(SurveyRefused, match="expected a JSON array of objects"):
        read_contacts(ContactsInput(SurveyMedium.SMS, file=bad_json))


# --- the survey job ------------------------------------------------------------------------


async def test_a_send_is_a_journaled_job_with_each_contacts_outcome(
    server: SandboxServer, tmp_path: Path
) -> None:
    csv_file = tmp_path / "people.csv"
    # 123456 is a number (the kind SMS needs) that the provider still rejects.
    csv_file.write_text("mobile,name,tier\n+34666555444,Ana,2\n123456,Bo,\n")
    found = read_contacts(ContactsInput(SurveyMedium.SMS, ["+34666555445"], file=csv_file))
    with Journal(tmp_path / "journal.sqlite3") as journal:
        async with backend(server) as b:
            job_id = await create_survey(journal, "surveys", b, found)
            final = (await drain(run_survey(journal, job_id, b)))[-1]
        assert final.status is JobStatus.DONE
        assert (final.totals.accepted, final.totals.rejected) == (2, 1)
        job = journal.job(job_id)
        assert (job.channel, job.account, job.message) == ("survey", "surveys", {"medium": 1})
        result = survey_results(journal, job_id).to_json()
    (request,) = server.app.state.log.matching("POST", XEBO_PATH)  # type: ignore[attr-defined]
    assert request.json()["contacts"] == [
        {"mobile": "+34666555445"},
        {"mobile": "+34666555444", "name": "Ana", "tier": "2"},
        {"mobile": "123456", "name": "Bo"},
    ]
    rows = {r["to"]: r for r in result["results"]}
    assert list(rows) == ["123456", "+34666555445", "+34666555444"]  # problems first
    assert (rows["123456"]["state"], rows["123456"]["reason"]) == ("REJECTED", "invalid mobile")
    msg_id = state_of(server).sends[0].msg_id
    assert {rows[n]["id"] for n in ("+34666555445", "+34666555444")} == {msg_id}


class Killed(BaseException):
    """Stands in for the process dying: nothing after the request runs, no handler records."""


class DieAfterRequest(httpx.AsyncBaseTransport):
    """Delivers the n-th request to the emulator, then 'dies' before the answer is read."""

    def __init__(self, app: Any, n: int) -> None:
        self.inner = httpx.ASGITransport(app)
        self.n = n
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        response = await self.inner.handle_async_request(request)
        if self.count == self.n:
            raise Killed
        return response


async def killed_half_way(account: str, server: SandboxServer, tos: list[str]) -> int:
    """A survey job whose process 'dies' during its second request (10 contacts each)."""
    found = read_contacts(ContactsInput(SurveyMedium.SMS, tos))
    with Journal(default_path()) as journal:
        async with backend(server, DieAfterRequest(server.app, 2)) as dying:
            job_id = await create_survey(journal, account, dying, found)
            await drain(run_survey(journal, job_id, dying, batch_size=10, concurrency=1))
    return job_id


def test_killed_half_way_jobs_list_shows_it_and_resume_sends_the_rest_once(
    account: str, server: SandboxServer
) -> None:
    tos = numbers(35)
    # In its own event loop: the CLI below runs one of its own.
    job_id = asyncio.run(killed_half_way(account, server, tos))
    with Journal(default_path()) as journal:
        at_kill = {r.to: r.state for r in journal.recipients(job_id)}
    in_flight = {to for to, s in at_kill.items() if s is State.SENDING}
    assert len(in_flight) == 10 and in_flight <= set(surveyed(server))
    assert Counter(at_kill.values())[State.PENDING] == 15

    code, out = cli("jobs", "list", "--json")
    assert code == 0
    (listed,) = json.loads(out)["items"]
    assert (listed["job"], listed["channel"], listed["account"]) == (job_id, "survey", account)
    assert listed["totals"]["accepted"] == 10 and listed["totals"]["pending"] == 15

    code, out = cli("jobs", "resume", str(job_id), "--json")
    assert code == 3, out  # the contacts in flight at the kill are UNKNOWN: never re-sent
    resumed = json.loads(out)
    assert resumed["status"] == "DONE"
    assert (resumed["totals"]["accepted"], resumed["totals"]["unknown"]) == (25, 10)
    with Journal(default_path()) as journal:
        after = {r.to: r.state for r in journal.recipients(job_id)}
    assert {to for to, s in after.items() if s is State.UNKNOWN} == in_flight
    assert surveyed(server) == Counter(tos)  # everyone exactly once


async def paused_by_a_refusal(account: str, server: SandboxServer, tos: list[str]) -> Any:
    """A survey job whose first request the provider answers 401; its last progress."""
    found = read_contacts(ContactsInput(SurveyMedium.SMS, tos))
    with Journal(default_path()) as journal:
        async with backend(server) as b:
            job_id = await create_survey(journal, account, b, found)
            updates = run_survey(journal, job_id, b, batch_size=5, concurrency=1)
            return (await drain(updates))[-1]


def test_a_refused_secret_pauses_the_job_and_resume_sends_everyone_once(
    account: str, server: SandboxServer
) -> None:
    state_of(server).faults.append(401)
    tos = numbers(12)
    first = asyncio.run(paused_by_a_refusal(account, server, tos))
    job_id = first.job_id
    assert first.status is JobStatus.PAUSED and first.error is not None
    assert first.totals.pending == 12 and not surveyed(server)
    code, out = cli("jobs", "resume", str(job_id), "--json")
    assert code == 0, out
    assert json.loads(out)["totals"]["accepted"] == 12
    assert surveyed(server) == Counter(tos)


def test_survey_send_above_the_threshold_needs_yes_and_journals_nothing_without(
    account: str, server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["survey", "send", "-a", account, "--medium", "sms"]
    for to in numbers(11):
        args += ["--to", to]
    assert cli(*args)[0] == 2
    assert "Refusing without --yes" in capsys.readouterr().err
    assert len(server.app.state.log) == 0  # type: ignore[attr-defined]
    code, out = cli(*args, "--yes", "--json")
    assert code == 0, out
    assert json.loads(out)["totals"]["accepted"] == 11
    with Journal(default_path()) as journal:
        assert [job.channel for job, _, _ in journal.overview()] == ["survey"]


def claimed(*tos: str) -> list[Claimed]:
    return [Claimed(i, to, {"mobile": to}) for i, to in enumerate(tos)]


def test_an_answer_that_does_not_say_who_was_accepted_leaves_them_unknown() -> None:
    batch = claimed("+34666555444", "+34666555445", "+34666555446")
    named = RejectedContact({"mobile": "34 666 555 445"}, "invalid mobile")
    unclear = SurveySendResult(accepted=1, rejected=2, rejected_list=(named,), message_id="m1")
    got = {
        o.to: (o.state, o.provider_id) for o in match_survey_send(batch, SurveyMedium.SMS, unclear)
    }
    assert got == {
        "+34666555445": (State.REJECTED, "m1"),
        "+34666555444": (State.UNKNOWN, "m1"),
        "+34666555446": (State.UNKNOWN, "m1"),
    }
    none = SurveySendResult(accepted=0, rejected=3)
    states = {o.state for o in match_survey_send(batch, SurveyMedium.SMS, none)}
    assert states == {State.REJECTED}


# --- document requests ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "error"),
    [
        (RequestForm("c", contact_id="x", company="Tesla"), "not both"),
        (RequestForm("c"), "a contact id is required"),
        (RequestForm("c", email="a@b.co", sample_item="idCard"), "both its item id"),
        (RequestForm("c", email="a@b.co", due="31/03/2025"), "due date: not a date-time"),
        (RequestForm(" ", contact_id="x"), "a campaign id is required"),
    ],
)
def test_a_request_form_that_collect_would_refuse(form: RequestForm, error: str) -> None:
    with pytest.raises(SurveyRefused, match=error):
        document_request(form)


# --- survey batches (8x8) ------------------------------------------------------------------


def test_batch_options_without_a_template_go_on_every_message(tmp_path: Path) -> None:
    # The console's batch form dropped source, encoding, times and the delivery URL when
    # no template body was typed; the CLI put them on each message: one rule now.
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "destination,templateBody\n98760001,Hi {{url:}}\n+65 9876 0001,Hi {{url:}}\n"
        "6598760002,Hi {{url:}}\n"
    )
    send = prepare_batch(
        BatchInput(
            "csat",
            "acme",
            csv=csv_file,
            country="sg",
            source="ACME",
            scheduled="2030-03-11T09:30+08:00",
            dlr_url="https://example.com/dlr",
        )
    )
    # "98760001" in SG and "+65 9876 0001" are one number; each number once.
    assert send.repeated == 1 and len(send.messages) == 2
    for m in send.messages:
        assert (m.country, m.source, m.dlr_callback_url) == (
            "SG",
            "ACME",
            "https://example.com/dlr",
        )
        assert m.scheduled is not None and m.scheduled.isoformat() == "2030-03-11T09:30:00+08:00"
    assert batch_question(send).startswith("Send survey csat to 2 recipient(s) in 1 batch(es)?")


@pytest.mark.parametrize(
    ("given", "error"),
    [
        (BatchInput("csat", "acme"), "no recipients"),
        (BatchInput("csat", "acme", ["0612345678"], template_body="{{url:}}"), "Invalid MSISDN"),
        (BatchInput("a b", "acme", ["6598760001"], template_body="{{url:}}"), "surveyId"),
        (BatchInput("csat", "acme", ["6598760001"], expiry="11/03 9:30"), "expiry: not a"),
    ],
)
def test_batches_8x8_would_refuse_are_refused_before_anything_is_journaled(
    given: BatchInput, error: str
) -> None:
    with pytest.raises(SurveyRefused, match=error):
        prepare_batch(given)
