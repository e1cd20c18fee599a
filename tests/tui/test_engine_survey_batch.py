"""The send engine's survey-batch channel against the 8x8 emulator: batches of at most
10,000, per-message QUEUED/REJECTED outcomes, the outcome rules, and resume after a kill."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backends.base import Connection
from backends.eightbyeight.client import EightByEightBackend
from backends.eightbyeight.models import (
    SurveyBatchResult,
    SurveyMessage,
    SurveyRecipientResult,
    SurveyTemplate,
)
from backends.sandbox.eightbyeight import DEMO_API_KEY, DEMO_SUBACCOUNT, DEMO_SURVEY, create_app
from tui.engine.journal import Journal
from tui.engine.journal_rows import Claimed, JobStatus, State
from tui.engine.sender import RetryPolicy, create_survey_batch_job, resume, run_job
from tui.engine.survey_batch import match_survey_results

URL = "http://8x8.sandbox/api/v1"
BATCH_PATH = f"/api/v1/subaccounts/{DEMO_SUBACCOUNT}/surveys/{DEMO_SURVEY}/messages/batch"
TEMPLATE = SurveyTemplate("Hi {{name}}, rate us: {{url:}}", source="ACME")
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


@pytest.fixture
def app() -> Starlette:
    return create_app()


def backend(
    app: Starlette, transport: httpx.AsyncBaseTransport | None = None
) -> EightByEightBackend:
    conn = Connection(URL, secret=DEMO_API_KEY, options={"subaccount_id": DEMO_SUBACCOUNT})
    return EightByEightBackend(conn, transport=transport or httpx.ASGITransport(app))


def good(n: int, start: int = 0) -> list[str]:
    return [f"+6590{i:06d}" for i in range(start, start + n)]


def new_job(journal: Journal, tos: list[str], **kwargs: Any) -> int:
    messages = [SurveyMessage(to, template_variables={"name": f"n{i}"}) for i, to in enumerate(tos)]
    return create_survey_batch_job(
        journal,
        "e8",
        "8x8",
        survey_id=DEMO_SURVEY,
        sub_account_id=DEMO_SUBACCOUNT,
        messages=messages,
        template=kwargs.pop("template", TEMPLATE),
        **kwargs,
    )


async def drain(updates: Any) -> list[Any]:
    return [p async for p in updates]


def received(app: Starlette) -> Counter[str]:
    """How many messages the emulator stored for each destination (what really went out)."""
    return Counter(m.destination for m in app.state.eightbyeight.messages.values())


def states(journal: Journal, job_id: int) -> dict[str, State]:
    return {r.to: r.state for r in journal.recipients(job_id)}


async def test_25000_recipients_go_as_three_batches_with_per_message_outcomes(
    journal: Journal, app: Starlette
) -> None:
    tos = good(25_000)
    tos[7] = "+9991234567"  # on the pattern, no such country code: 8x8 rejects this message
    tos[24_999] = "+9991234568"
    job_id = new_job(journal, tos, client_batch_id="SPRING-25")
    async with backend(app) as b:
        progress = await drain(run_job(journal, job_id, b, batch_size=10_000, concurrency=2))
    final = progress[-1]
    assert final.status is JobStatus.DONE
    assert (final.totals.accepted, final.totals.rejected, final.totals.unknown) == (24_998, 2, 0)
    requests = app.state.log.matching("POST", BATCH_PATH)
    sizes = sorted(len(r.json()["messages"]) for r in requests)
    assert sizes == [5_000, 10_000, 10_000]
    first = min(requests, key=lambda r: r.json()["messages"][0]["clientMessageId"])
    body = first.json()
    # One unique reference per request: the operator's id with the part's number.
    assert sorted(r.json()["clientBatchId"] for r in requests) == [
        "SPRING-25-1",
        "SPRING-25-2",
        "SPRING-25-3",
    ]
    assert body["clientBatchId"] == "SPRING-25-1"
    assert body["includeMessagesInResponse"] is True
    assert body["template"] == {"templateBody": TEMPLATE.template_body, "source": "ACME"}
    assert body["messages"][0] == {
        "destination": tos[0],
        "templateVariables": {"name": "n0"},
        "clientMessageId": f"sb{job_id}-0",
    }
    assert received(app) == Counter(tos)
    rows = {r.to: r for r in journal.recipients(job_id)}
    assert rows["+9991234567"].state is State.REJECTED
    assert rows["+9991234567"].reason == "Invalid MSISDN format (not E.164 international number)"
    umid = rows[tos[0]].provider_id
    assert umid in app.state.eightbyeight.messages
    assert journal.totals(job_id).total == 25_000


async def test_a_smaller_batch_size_is_kept_and_a_larger_one_capped(
    journal: Journal, app: Starlette
) -> None:
    job_id = new_job(journal, good(12_000))
    async with backend(app) as b:
        await drain(run_job(journal, job_id, b, batch_size=50_000, concurrency=1))
    assert [len(r.json()["messages"]) for r in app.state.log.requests] == [10_000, 2_000]


@pytest.mark.parametrize("count", [3_000, 12_000])
async def test_smaller_batches_each_get_their_own_client_batch_id(
    journal: Journal, app: Starlette, count: int
) -> None:
    # A resume from Jobs or `jobs resume --batch-size` may send smaller batches than the
    # 10,000 the job was planned with: each request still carries a unique id.
    job_id = new_job(journal, good(count), client_batch_id="B")
    async with backend(app) as b:
        await drain(run_job(journal, job_id, b, batch_size=1_000, concurrency=1))
    ids = [r.json()["clientBatchId"] for r in app.state.log.matching("POST", BATCH_PATH)]
    assert ids == [f"B-{i}" for i in range(1, count // 1_000 + 1)]


async def test_without_a_batch_size_a_run_takes_the_channels_full_batches(
    journal: Journal, app: Starlette
) -> None:
    job_id = new_job(journal, good(12_000), client_batch_id="B")
    async with backend(app) as b:
        await drain(run_job(journal, job_id, b, concurrency=1))
    requests = app.state.log.matching("POST", BATCH_PATH)
    assert [len(r.json()["messages"]) for r in requests] == [10_000, 2_000]
    assert [r.json()["clientBatchId"] for r in requests] == ["B-1", "B-2"]


def test_results_are_matched_by_client_message_id_in_any_order() -> None:
    batch = [Claimed(0, "+6590000001", None), Claimed(1, "+6590000001", None)]
    ids = ["a", "b"]
    results = (
        SurveyRecipientResult(
            "+6590000001", False, "u2", error="no", status="REJECTED", client_message_id="b"
        ),
        SurveyRecipientResult("+6590000001", True, "u1", status="QUEUED", client_message_id="a"),
    )
    outcomes = match_survey_results(batch, ids, SurveyBatchResult(results, batch_id="B"))
    by_seq = {o.seq: o for o in outcomes}
    assert (by_seq[0].state, by_seq[0].provider_id) == (State.ACCEPTED, "u1")
    assert (by_seq[1].state, by_seq[1].reason) == (State.REJECTED, "no")


def test_a_message_missing_from_the_answer_is_unknown() -> None:
    batch = [Claimed(0, "+6590000001", None), Claimed(1, "+6590000002", None)]
    results = (SurveyRecipientResult("+6590000001", True, "u1", client_message_id="a"),)
    outcomes = match_survey_results(batch, ["a", "b"], SurveyBatchResult(results, batch_id="B"))
    assert [o.state for o in sorted(outcomes)] == [State.ACCEPTED, State.UNKNOWN]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"template": SurveyTemplate("no link")}, "must contain the {{url:}}"),
        ({"client_batch_id": "x" * 21}, "clientBatchId: at most 20"),
        ({"survey_id": "a b"}, "invalid 8x8 surveyId"),
        ({"sub_account_id": "x"}, "invalid 8x8 subAccountId"),
    ],
)
def test_bad_jobs_are_refused_before_anything_is_journaled(
    journal: Journal, kwargs: dict[str, Any], error: str
) -> None:
    args: dict[str, Any] = {
        "survey_id": DEMO_SURVEY,
        "sub_account_id": DEMO_SUBACCOUNT,
        "template": TEMPLATE,
        "messages": [SurveyMessage("+6590000001")],
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=error.replace("{", r"\{").replace("}", r"\}")):
        create_survey_batch_job(journal, "e8", "8x8", **args)
    assert journal.jobs() == []


def test_duplicate_client_ids_and_reserved_variable_names_are_refused(journal: Journal) -> None:
    twice = [SurveyMessage("+6590000001", client_message_id="c"), SurveyMessage("+6590000002")]
    twice.append(SurveyMessage("+6590000003", client_message_id="c"))
    with pytest.raises(ValueError, match="unique"):
        create_survey_batch_job(
            journal, "e8", "8x8", survey_id=DEMO_SURVEY, sub_account_id=DEMO_SUBACCOUNT,
            messages=twice, template=TEMPLATE,
        )  # fmt: skip
    clash = [SurveyMessage("+6590000001", template_variables={"country": "SG"})]
    with pytest.raises(ValueError, match="may not be named country"):
        create_survey_batch_job(
            journal, "e8", "8x8", survey_id=DEMO_SURVEY, sub_account_id=DEMO_SUBACCOUNT,
            messages=clash, template=TEMPLATE,
        )  # fmt: skip


async def test_per_message_fields_round_trip_through_the_journal(
    journal: Journal, app: Starlette
) -> None:
    when = datetime(2025, 3, 11, 9, 30, tzinfo=UTC)
    message = SurveyMessage(
        "+6590000001",
        country="SG",
        template_body="Own {{url:}}",
        template_variables={"store": "Orchard"},
        source="SHOP",
        client_message_id="mine-1",
        encoding="UCS2",
        scheduled=when,
        expiry=when.replace(hour=18),
        dlr_callback_url="https://example.com/dlr",
    )
    job_id = create_survey_batch_job(
        journal,
        "e8",
        "8x8",
        survey_id=DEMO_SURVEY,
        sub_account_id=DEMO_SUBACCOUNT,
        messages=[message],
    )
    async with backend(app) as b:
        assert (await drain(run_job(journal, job_id, b)))[-1].totals.accepted == 1
    (request,) = app.state.log.requests
    assert request.json()["messages"] == [
        {
            "destination": "+6590000001",
            "country": "SG",
            "templateBody": "Own {{url:}}",
            "templateVariables": {"store": "Orchard"},
            "source": "SHOP",
            "clientMessageId": "mine-1",
            "encoding": "UCS2",
            "scheduled": "2025-03-11T09:30:00Z",
            "expiry": "2025-03-11T18:30:00Z",
            "dlrCallbackUrl": "https://example.com/dlr",
        }
    ]
    assert "template" not in request.json()


async def test_400_rejects_the_batch_with_the_provider_reason(
    journal: Journal, app: Starlette
) -> None:
    app.state.eightbyeight.fail_next(400, 1000, "Invalid parameter: messages")
    job_id = new_job(journal, good(30))
    async with backend(app) as b:
        final = (await drain(run_job(journal, job_id, b, batch_size=20, concurrency=1)))[-1]
    assert final.status is JobStatus.DONE
    assert (final.totals.rejected, final.totals.accepted) == (20, 10)
    reasons = journal.reasons(job_id)
    assert reasons[0][0] is State.REJECTED and reasons[0][2] == 20
    assert reasons[0][1].startswith("1000: Invalid parameter: messages (errorId ")


async def test_401_pauses_and_nothing_is_lost(journal: Journal, app: Starlette) -> None:
    app.state.eightbyeight.fail_next(401, 1200, "Request was not authenticated properly")
    job_id = new_job(journal, good(30))
    async with backend(app) as b:
        final = (await drain(run_job(journal, job_id, b, batch_size=20, concurrency=1)))[-1]
        assert final.status is JobStatus.PAUSED
        assert "not authenticated" in (final.reason or "")
        assert final.totals.pending == 30
        assert (await drain(resume(journal, job_id, b)))[-1].totals.accepted == 30
    assert received(app) == Counter(good(30))


async def test_5xx_is_unknown_and_429_is_retried(journal: Journal, app: Starlette) -> None:
    state = app.state.eightbyeight
    state.fail_next(429, 1002, "Too many requests", retry_after=0)
    state.fail_next(500, 2000, "Internal server error")
    job_id = new_job(journal, good(40))
    async with backend(app) as b:
        progress = run_job(journal, job_id, b, batch_size=20, concurrency=1, policy=FAST_RETRY)
        final = (await drain(progress))[-1]
    assert (final.totals.unknown, final.totals.accepted) == (20, 20)
    # The 429'd batch went again and was accepted; the 5xx one was never re-sent.
    assert sum(received(app).values()) == 20


class Killed(BaseException):
    """Stands in for the process dying: nothing after the request runs, no handler records."""


class DieAfterRequest(httpx.AsyncBaseTransport):
    """Delivers the n-th request to the emulator, then 'dies' before the answer is read."""

    def __init__(self, app: Starlette, n: int) -> None:
        self.inner = httpx.ASGITransport(app)
        self.n = n
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        response = await self.inner.handle_async_request(request)
        if self.count == self.n:
            raise Killed
        return response


async def test_resume_after_a_kill_sends_nobody_twice(journal: Journal, app: Starlette) -> None:
    tos = good(350)
    job_id = new_job(journal, tos)
    async with backend(app, DieAfterRequest(app, 2)) as dying:
        await drain(run_job(journal, job_id, dying, batch_size=100, concurrency=1))
    at_kill = states(journal, job_id)
    in_flight = {to for to, s in at_kill.items() if s is State.SENDING}
    assert len(in_flight) == 100 and in_flight <= set(received(app))
    assert Counter(at_kill.values())[State.PENDING] == 150

    async with backend(app) as b:
        final = (await drain(resume(journal, job_id, b, batch_size=100)))[-1]
    assert final.status is JobStatus.DONE
    after = states(journal, job_id)
    assert {to for to, s in after.items() if s is State.UNKNOWN} == in_flight
    assert (final.totals.accepted, final.totals.unknown) == (250, 100)
    assert received(app) == Counter(tos)  # everyone exactly once


def test_a_long_client_batch_id_is_cut_to_fit_its_part_number(journal: Journal) -> None:
    from tui.engine.survey_batch import SurveyBatchChannel

    one = new_job(journal, good(3), client_batch_id="x" * 20)
    many = new_job(journal, good(20_001), client_batch_id="y" * 20)
    single = SurveyBatchChannel(journal.job(one))
    split = SurveyBatchChannel(journal.job(many))
    (first,) = journal.claim_batch(one, 1)
    assert single.batch_id_for(first) == "x" * 20  # one request: the id as typed
    claimed = journal.claim_batch(many, 10_000)
    assert split.batch_id_for(claimed[0]) == "y" * 18 + "-1"
    claimed = journal.claim_batch(many, 10_000)
    assert split.batch_id_for(claimed[0]) == "y" * 18 + "-2"
    claimed = journal.claim_batch(many, 10_000)
    assert split.batch_id_for(claimed[0]) == "y" * 18 + "-3"


def test_messages_from_rows_maps_columns_and_names_the_bad_cell() -> None:
    from tui.engine.survey_batch import messages_from_rows

    def when(text: str, what: str) -> datetime | None:
        if text and not text.endswith("Z"):
            raise ValueError(f"{what}: bad time {text!r}")
        return datetime.fromisoformat(text) if text else None

    rows = [
        {"destination": "+6590000001", "name": "Ana", "source": "SHOP", "scheduled": ""},
        {"destination": "90000002", "country": "SG", "templateBody": "Hi {{url:}}"},
    ]
    one, two = messages_from_rows(rows, "f.csv", when, country="MY")
    assert (one.country, one.source, one.template_variables) == ("MY", "SHOP", {"name": "Ana"})
    assert (two.country, two.template_body, two.template_variables) == ("SG", "Hi {{url:}}", {})
    with pytest.raises(ValueError, match=r"^f.csv:3 expiry: bad time"):
        messages_from_rows([rows[0], {"destination": "1", "expiry": "soon"}], "f.csv", when)
    with pytest.raises(ValueError, match="no 'destination' column"):
        messages_from_rows([{"to": "1"}], "f.csv", when)
