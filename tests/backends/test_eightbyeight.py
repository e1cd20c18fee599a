"""The 8x8 SMS Engage client against its emulator: what reached 8x8, what came back."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from backends.base import Capability, Connection
from backends.capabilities import AccountApi, SmsApi
from backends.eightbyeight.client import EightByEightBackend, parse_batch_result, validate_batch
from backends.eightbyeight.models import (
    SurveyBatch,
    SurveyBatchResult,
    SurveyMessage,
    SurveyRecipientResult,
    SurveyTemplate,
)
from backends.eightbyeight.rules import RULES
from backends.errors import (
    AuthError,
    BadRequest,
    ConfigError,
    InvalidInput,
    MalformedResponse,
    NotFound,
    NotSupported,
    RateLimited,
    ServerError,
)
from backends.models.common import RecipientResult, SendResult
from backends.rules import Outgoing
from backends.sandbox.core import RecordedRequest, RequestLog
from backends.sandbox.eightbyeight import (
    DEMO_API_KEY,
    DEMO_OPTIONS,
    DEMO_SUBACCOUNT,
    DEMO_SURVEY,
    OTHER_SUBACCOUNT,
    EightByEightState,
    create_app,
)
from backends.sandbox.eightbyeight.app import INVALID_MSISDN, QUEUED_TEXT
from tui.config import Account, validate_account

BASE_URL = "http://sandbox/api/v1"
BATCH_PATH = f"/api/v1/subaccounts/{DEMO_SUBACCOUNT}/surveys/{DEMO_SURVEY}/messages/batch"
NOW = datetime(2025, 3, 10, 12, 0, 0, tzinfo=UTC)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TEMPLATE = "Hi {{name}}, how did we do? {{url:}}"


@pytest.fixture
def app() -> Starlette:
    return create_app(clock=lambda: NOW)


@pytest.fixture
def state(app: Starlette) -> EightByEightState:
    s: EightByEightState = app.state.eightbyeight
    return s


@pytest.fixture
def log(app: Starlette) -> RequestLog:
    requests: RequestLog = app.state.log
    return requests


def connect(
    app: Starlette, secret: str = DEMO_API_KEY, options: dict[str, str] | None = None
) -> EightByEightBackend:
    connection = Connection(
        base_url=BASE_URL, secret=secret, options=DEMO_OPTIONS if options is None else options
    )
    return EightByEightBackend(connection, transport=httpx.ASGITransport(app=app))


@pytest.fixture
async def backend(app: Starlette) -> AsyncIterator[EightByEightBackend]:
    client = connect(app)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def raw(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A bare client, to send what our backend would refuse to."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sandbox",
        headers={"Authorization": f"Bearer {DEMO_API_KEY}"},
    ) as client:
        yield client


def only(log: RequestLog) -> RecordedRequest:
    """The single request the emulator received, with 8x8's auth and JSON headers."""
    assert len(log) == 1, [(r.method, r.path) for r in log.requests]
    request = log.requests[0]
    assert request.method == "POST"
    assert request.headers["authorization"] == f"Bearer {DEMO_API_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert request.query == {}
    return request


def message(destination: str = "+6598760001", **kw: Any) -> SurveyMessage:
    return SurveyMessage(destination=destination, **kw)


def batch(*messages: SurveyMessage, **kw: Any) -> SurveyBatch:
    kw.setdefault("template", SurveyTemplate(TEMPLATE))
    kw.setdefault("survey_id", DEMO_SURVEY)
    return SurveyBatch(messages=messages or (message(),), **kw)


# --- the request ----------------------------------------------------------------------------


async def test_send_maps_every_field_to_the_documented_body(
    backend: EightByEightBackend, log: RequestLog, state: EightByEightState
) -> None:
    # 09:30 at UTC+8 is 01:30 UTC: times are sent in UTC.
    sgt = timezone(timedelta(hours=8))
    result = await backend.send_survey_batch(
        SurveyBatch(
            survey_id=DEMO_SURVEY,
            client_batch_id="Demo#1001",
            messages=(
                SurveyMessage(
                    destination="6598760001",
                    country="SG",
                    template_body="Dear {{name}}, rate us: {{url:}}",
                    template_variables={"name": "Ana"},
                    source="ACME",
                    client_message_id="Demo#1001/6598760001",
                    encoding="GSM7",
                    scheduled=datetime(2025, 3, 11, 9, 30, tzinfo=sgt),
                    expiry=datetime(2025, 3, 12, 9, 30, tzinfo=sgt),
                    dlr_callback_url="https://hooks.example.com/dlr",
                ),
                SurveyMessage(destination="+12025550127", client_message_id="id_100003"),
            ),
            template=SurveyTemplate(
                template_body=TEMPLATE,
                source="Survey",
                encoding="AUTO",
                scheduled=datetime(2025, 3, 11, 1, 0, tzinfo=UTC),
                expiry=datetime(2025, 3, 13, 1, 0, tzinfo=UTC),
                dlr_callback_url="https://hooks.example.com/batch",
            ),
        )
    )
    request = only(log)
    assert request.path == BATCH_PATH
    assert request.json() == {
        "clientBatchId": "Demo#1001",
        "messages": [
            {
                "destination": "6598760001",
                "country": "SG",
                "templateBody": "Dear {{name}}, rate us: {{url:}}",
                "templateVariables": {"name": "Ana"},
                "source": "ACME",
                "clientMessageId": "Demo#1001/6598760001",
                "encoding": "GSM7",
                "scheduled": "2025-03-11T01:30:00Z",
                "expiry": "2025-03-12T01:30:00Z",
                "dlrCallbackUrl": "https://hooks.example.com/dlr",
            },
            {"destination": "+12025550127", "clientMessageId": "id_100003"},
        ],
        "template": {
            "templateBody": TEMPLATE,
            "source": "Survey",
            "encoding": "AUTO",
            "scheduled": "2025-03-11T01:00:00Z",
            "expiry": "2025-03-13T01:00:00Z",
            "dlrCallbackUrl": "https://hooks.example.com/batch",
        },
        "includeMessagesInResponse": True,
    }
    assert isinstance(result, SendResult)
    assert result.client_batch_id == "Demo#1001"
    assert UUID_RE.match(result.batch_id)
    assert (result.accepted, result.rejected) == (2, 0)
    first, second = result.results
    assert first.to == "6598760001" and first.accepted and first.status == "QUEUED"
    assert first.client_message_id == "Demo#1001/6598760001" and first.encoding == "GSM7"
    assert first.error is None and first.error_code is None
    assert second.client_message_id == "id_100003"
    # The emulator rendered the variables and the survey link, and kept the template's
    # defaults for what the second message left out.
    sent = state.messages[first.id or ""]
    assert sent.text.startswith("Dear Ana, rate us: https://")
    assert "{{" not in sent.text
    other = state.messages[second.id or ""]
    assert other.source == "Survey" and other.dlr_callback_url == "https://hooks.example.com/batch"
    assert other.text.startswith("Hi {{name}}, how did we do? https://")
    stored = state.batches[result.batch_id]
    assert (stored.sub_account_id, stored.survey_id) == (DEMO_SUBACCOUNT, DEMO_SURVEY)


async def test_minimal_batch_sends_only_what_was_given(
    backend: EightByEightBackend, log: RequestLog
) -> None:
    await backend.send_survey_batch(
        SurveyBatch(
            survey_id=DEMO_SURVEY,
            messages=(SurveyMessage("+6598760001", template_body="Rate us {{url:}}"),),
        )
    )
    assert only(log).json() == {
        "messages": [{"destination": "+6598760001", "templateBody": "Rate us {{url:}}"}],
        "includeMessagesInResponse": True,
    }


async def test_batch_override_of_the_subaccount(app: Starlette, log: RequestLog) -> None:
    async with connect(app) as client:
        result = await client.send_survey_batch(
            batch(sub_account_id="Switchboard.Marketing", survey_id="event-followup")
        )
    assert log.requests[0].path == (
        "/api/v1/subaccounts/Switchboard.Marketing/surveys/event-followup/messages/batch"
    )
    assert result.accepted == 1


# --- per-message results ----------------------------------------------------------------------


async def test_rejected_message_is_a_rejected_recipient(
    backend: EightByEightBackend, state: EightByEightState
) -> None:
    result = await backend.send_survey_batch(
        batch(message("+6598760001"), message("+9991234567"), message("+6598760003"))
    )
    assert (result.accepted, result.rejected) == (2, 1)
    assert [r.accepted for r in result.results] == [True, False, True]
    bad = result.results[1]
    assert bad == SurveyRecipientResult(
        to="+9991234567",
        accepted=False,
        id=bad.id,
        error_code="REJECTED",
        error=INVALID_MSISDN,
        status="REJECTED",
        encoding="GSM7",
    )
    assert isinstance(bad, RecipientResult)
    # The engine matches results to recipients by number; every number is there.
    assert [r.to for r in result.results] == ["+6598760001", "+9991234567", "+6598760003"]
    assert state.messages[result.results[0].id or ""].description == QUEUED_TEXT


async def test_a_national_number_with_its_country_is_queued(
    backend: EightByEightBackend, state: EightByEightState
) -> None:
    # "for national you have to specify country": with GB, 7911123456 is +447911123456.
    # The documented pattern admits no leading 0, so the national form is without it.
    result = await backend.send_survey_batch(batch(message("7911123456", country="GB")))
    assert [r.accepted for r in result.results] == [True]
    queued = state.messages[result.results[0].id or ""]
    assert (queued.destination, queued.country) == ("7911123456", "GB")


async def test_counts_only_when_messages_are_not_requested(
    backend: EightByEightBackend, log: RequestLog
) -> None:
    result = await backend.send_survey_batch(
        batch(message(), message("+9991234567"), include_messages=False)
    )
    assert only(log).json()["includeMessagesInResponse"] is False
    assert result.results == ()
    assert (result.accepted, result.rejected) == (1, 1)
    assert (result.accepted_count, result.rejected_count) == (1, 1)


async def test_auto_encoding_is_detected_per_message(backend: EightByEightBackend) -> None:
    result = await backend.send_survey_batch(
        batch(
            message("+6598760001", template_body="Plain text {{url:}}"),
            message("+6598760002", template_body="日本語のアンケート {{url:}}"),
            message("+6598760003", template_body="Plain {{url:}}", encoding="UCS2"),
        )
    )
    assert [r.encoding for r in result.results] == ["GSM7", "UCS2", "UCS2"]


def mocked(handler: Callable[[httpx.Request], httpx.Response]) -> EightByEightBackend:
    connection = Connection(base_url=BASE_URL, secret=DEMO_API_KEY, options=DEMO_OPTIONS)
    return EightByEightBackend(connection, transport=httpx.MockTransport(handler))


def answer(messages: list[dict[str, Any]] | None, **extra: Any) -> httpx.Response:
    body: dict[str, Any] = {"batchId": "f1ea5276-a824-e711-8146-022a22cc1c71"}
    body.update(acceptedCount=extra.pop("accepted", 1), rejectedCount=extra.pop("rejected", 0))
    if messages is not None:
        body["messages"] = messages
    body.update(extra)
    return httpx.Response(200, json=body)


def item(destination: str, client_id: str | None, code: str = "QUEUED") -> dict[str, Any]:
    out: dict[str, Any] = {
        "umid": f"umid-{destination}",
        "destination": destination,
        "encoding": "GSM7",
        "status": {"code": code, "description": "why"},
    }
    if client_id is not None:
        out["clientMessageId"] = client_id
    return out


async def test_results_are_aligned_to_messages_by_client_message_id() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return answer([item("+6500000002", "b", "REJECTED"), item("+6500000001", "a")])

    async with mocked(handler) as client:
        result = await client.send_survey_batch(
            batch(
                message("+6500000001", client_message_id="a"),
                message("+6500000002", client_message_id="b"),
            )
        )
    assert isinstance(result, SurveyBatchResult)
    assert [(r.to, r.accepted) for r in result.results] == [
        ("+6500000001", True),
        ("+6500000002", False),
    ]


@pytest.mark.parametrize(
    "response",
    [
        answer([item("+6500000001", None)]),  # one result for two messages
        answer(None),  # per-message results asked for, none given
        httpx.Response(200, json={"acceptedCount": 1, "rejectedCount": 0, "messages": []}),
        httpx.Response(200, json=[]),
        httpx.Response(200, content=b"<html>proxy</html>"),
        answer([{"umid": "x", "destination": "+6500000001"}, item("+6500000002", None)]),
    ],
    ids=["count", "no-messages", "no-batch-id", "not-object", "not-json", "no-status"],
)
async def test_untrustworthy_answers_are_malformed(response: httpx.Response) -> None:
    async with mocked(lambda request: response) as client:
        with pytest.raises(MalformedResponse) as caught:
            await client.send_survey_batch(batch(message("+6500000001"), message("+6500000002")))
    assert caught.value.provider == "8x8"


# --- validation before sending ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"sub_account_id": "ab"}, "invalid 8x8 subAccountId 'ab'"),
        ({"sub_account_id": "x" * 51}, "subAccountId"),
        ({"sub_account_id": "has space"}, "subAccountId"),
        ({"sub_account_id": "a/b/c"}, "subAccountId"),
        ({"survey_id": ""}, "invalid 8x8 surveyId ''"),
        ({"survey_id": "a/b"}, "surveyId"),
        ({"survey_id": "x" * 51}, "surveyId"),
        ({"messages": ()}, "a batch holds 1 to 10,000 messages (got 0)"),
        ({"messages": (message(),) * 10_001}, "(got 10,001)"),
        ({"client_batch_id": "x" * 21}, "clientBatchId: at most 20 characters"),
        ({"template": SurveyTemplate("no link")}, "template.templateBody must contain"),
        ({"template": SurveyTemplate(TEMPLATE, source="x" * 17)}, "template.source"),
        ({"template": SurveyTemplate(TEMPLATE, encoding="UTF8")}, "template.encoding"),
        ({"template": None}, "templateBody is required without a batch template"),
        ({"messages": (message(template_body="no link"),)}, "must contain the {{url:}}"),
        ({"messages": (message(country="SGP"),)}, "country: a two-letter"),
        ({"messages": (message(source="x" * 17),)}, "source: at most 16"),
        ({"messages": (message(client_message_id="x" * 351),)}, "clientMessageId: at most 350"),
        ({"messages": (message(encoding="utf-8"),)}, "encoding: one of AUTO, GSM7, UCS2"),
        ({"messages": (message(dlr_callback_url="ftp://x"),)}, "dlrCallbackUrl"),
        ({"messages": (message(destination=" "),)}, "messages[0]: destination is required"),
        ({"messages": (message(scheduled=datetime(2025, 1, 1)),)}, "time zone"),
        # destination: "Value must match regular expression ^\+{0,1}[1-9]{1}[0-9]{6,14}$"
        ({"messages": (message("07911123456", country="GB"),)}, "Invalid MSISDN format"),
        ({"messages": (message("+34 666 555 444"),)}, "Invalid MSISDN format"),
        ({"messages": (message("123456"),)}, "no leading 0 or spaces"),
        ({"messages": (message("+1234567890123456"),)}, "a number of 7-15 digits"),
        ({"messages": (message("++6598760001"),)}, "Invalid MSISDN format"),
        ({"messages": (message(), message("659876000a"))}, "messages[1] (659876000a)"),
    ],
)
async def test_invalid_batches_never_leave(
    backend: EightByEightBackend, log: RequestLog, change: dict[str, Any], error: str
) -> None:
    fields: dict[str, Any] = {
        "survey_id": DEMO_SURVEY,
        "messages": (message(),),
        "template": SurveyTemplate(TEMPLATE),
    }
    fields.update(change)
    with pytest.raises(ValueError) as caught:
        await backend.send_survey_batch(SurveyBatch(**fields))
    assert error in str(caught.value)
    assert len(log) == 0


async def test_missing_subaccount_option_is_a_clear_error(app: Starlette, log: RequestLog) -> None:
    async with connect(app, options={}) as client:
        with pytest.raises(ValueError, match="set the account's subaccount_id option"):
            await client.send_survey_batch(batch())
    assert len(log) == 0


def test_documented_boundaries_are_accepted() -> None:
    validate_batch(batch(message("1234567"), message("+123456789012345")), "abc")
    validate_batch(batch(client_batch_id="x" * 20), "a-.")
    validate_batch(batch(), "A._&-" + "z" * 45)
    validate_batch(batch(message(client_message_id="x" * 350, source="x" * 16)), "abc")
    validate_batch(batch(*(message(),) * 10_000), DEMO_SUBACCOUNT)


async def test_ten_thousand_messages_in_one_batch(
    backend: EightByEightBackend, state: EightByEightState
) -> None:
    messages = tuple(message(f"+659{n:07d}") for n in range(10_000))
    result = await backend.send_survey_batch(batch(*messages))
    assert (result.accepted, result.rejected, len(result.results)) == (10_000, 0, 10_000)
    assert len(state.messages) == 10_000


# --- errors -----------------------------------------------------------------------------------


async def test_wrong_key_is_auth_error_1200_and_never_logged(
    app: Starlette, log: RequestLog, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "wrong-8x8-Key-0123456789"
    caplog.set_level(logging.DEBUG, logger="switchboard")
    async with connect(app, secret=secret) as client:
        with pytest.raises(AuthError) as caught:
            await client.send_survey_batch(batch())
        assert secret not in repr(client.connection)
    exc = caught.value
    assert (exc.status, exc.code, exc.provider) == (401, 1200, "8x8")
    assert exc.message.startswith("Request was not authenticated properly (errorId ")
    assert secret not in str(exc) and secret not in repr(exc)
    assert any(r.name == "switchboard.http" and "401" in r.getMessage() for r in caplog.records)
    assert secret not in caplog.text
    assert log.requests[0].headers["authorization"] == f"Bearer {secret}"


async def test_other_customers_subaccount_is_1001(app: Starlette, state: EightByEightState) -> None:
    async with connect(app, options={"subaccount_id": OTHER_SUBACCOUNT}) as client:
        with pytest.raises(AuthError) as caught:
            await client.send_survey_batch(batch())
    assert (caught.value.status, caught.value.code) == (401, 1001)
    assert "doesn't belongs to your account" in caught.value.message
    assert state.batches == {}


async def test_unknown_survey_is_not_found(backend: EightByEightBackend) -> None:
    with pytest.raises(NotFound) as caught:
        await backend.send_survey_batch(batch(survey_id="no-such-survey"))
    assert (caught.value.status, caught.value.code) == (404, 1300)


async def test_injected_server_error_and_rate_limit(
    backend: EightByEightBackend, state: EightByEightState
) -> None:
    state.fail_next()
    with pytest.raises(ServerError) as server:
        await backend.send_survey_batch(batch())
    assert (server.value.status, server.value.code) == (500, 2000)
    state.fail_next(429, 1100, "Too many requests", retry_after=3)
    with pytest.raises(RateLimited) as limited:
        await backend.send_survey_batch(batch())
    assert limited.value.retry_after == 3.0
    assert state.batches == {}
    assert (await backend.send_survey_batch(batch())).accepted == 1


# --- the emulator on its own ----------------------------------------------------------------


def assert_error_body(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "errorId", "timestamp"}
    assert body["code"] == code
    assert UUID_RE.match(body["errorId"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\dZ$", body["timestamp"])
    return body


def valid_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"messages": [{"destination": "+6598760001"}]}
    body["template"] = {"templateBody": TEMPLATE}
    body.update(extra)
    return body


async def test_emulator_requires_bearer_key(raw: httpx.AsyncClient) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": f"Basic {DEMO_API_KEY}"}):
        response = await raw.post(BATCH_PATH, json=valid_body(), headers=headers)
        body = assert_error_body(response, 401, 1200)
        assert body["message"] == "Request was not authenticated properly"
    # Auth comes before routing: an unknown path without a key is 401 too.
    response = await raw.get("/api/v1/nothing", headers={"Authorization": ""})
    assert response.status_code == 401


@pytest.mark.refused_requests
async def test_emulator_unknown_path_is_404(raw: httpx.AsyncClient) -> None:
    assert_error_body(await raw.get("/api/v1/nothing"), 404, 1300)


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/subaccounts/ab/surveys/csat-2025/messages/batch", 400, 1000),
        ("/api/v1/subaccounts/bad%20id/surveys/csat-2025/messages/batch", 400, 1000),
        (f"/api/v1/subaccounts/{'x' * 51}/surveys/csat-2025/messages/batch", 400, 1000),
        (f"/api/v1/subaccounts/{OTHER_SUBACCOUNT}/surveys/csat-2025/messages/batch", 401, 1001),
        (f"/api/v1/subaccounts/{DEMO_SUBACCOUNT}/surveys/bad%20id/messages/batch", 400, 1000),
        (f"/api/v1/subaccounts/{DEMO_SUBACCOUNT}/surveys/unknown/messages/batch", 404, 1300),
    ],
)
@pytest.mark.refused_requests
async def test_emulator_validates_path_ids(
    raw: httpx.AsyncClient, state: EightByEightState, path: str, status: int, code: int
) -> None:
    assert_error_body(await raw.post(path, json=valid_body()), status, code)
    assert state.batches == {}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ([], "the body must be a JSON object"),
        ({}, "messages is required"),
        ({"messages": []}, "messages is required"),
        ({"messages": [{"destination": "+6598760001"}] * 10_001}, "at most 10,000"),
        (valid_body(clientBatchId="x" * 21), "clientBatchId must be at most 20"),
        (valid_body(clientBatchId=5), "clientBatchId must be a string"),
        (valid_body(includeMessagesInResponse="yes"), "includeMessagesInResponse"),
        (valid_body(template={"templateBody": "no link"}), "template.templateBody must"),
        (valid_body(template={}), "template.templateBody is required"),
        (valid_body(template={"templateBody": TEMPLATE, "source": "x" * 17}), "template.source"),
        (valid_body(template={"templateBody": TEMPLATE, "encoding": "x"}), "template.encoding"),
        (valid_body(template={"templateBody": TEMPLATE, "expiry": "tomorrow"}), "expiry"),
        ({"messages": [{"destination": "+6598760001"}]}, "templateBody is required when"),
        (valid_body(messages=[{"country": "SG"}]), "messages[0].destination is required"),
        (valid_body(messages=["+6598760001"]), "messages[0] must be an object"),
        (valid_body(messages=[{"destination": "1234567", "country": "SGP"}]), ".country"),
        (valid_body(messages=[{"destination": "1234567", "templateBody": "x"}]), "{{url:}}"),
        (valid_body(messages=[{"destination": "1234567", "source": "x" * 17}]), ".source"),
        (
            valid_body(messages=[{"destination": "1234567", "clientMessageId": "x" * 351}]),
            ".clientMessageId must be at most 350",
        ),
        (valid_body(messages=[{"destination": "1234567", "encoding": "GSM8"}]), ".encoding"),
        (
            valid_body(messages=[{"destination": "1234567", "scheduled": "2025-03-10T12:00:00"}]),
            "time zone",
        ),
        (
            valid_body(messages=[{"destination": "1234567", "dlrCallbackUrl": "hooks"}]),
            ".dlrCallbackUrl must be an http(s) URL",
        ),
        (
            valid_body(messages=[{"destination": "1234567", "templateVariables": ["a"]}]),
            ".templateVariables must be an object",
        ),
    ],
)
@pytest.mark.refused_requests
async def test_emulator_refuses_invalid_batches_whole(
    raw: httpx.AsyncClient, state: EightByEightState, body: Any, fragment: str
) -> None:
    body_json = assert_error_body(await raw.post(BATCH_PATH, json=body), 400, 1000)
    assert body_json["message"].startswith("Invalid parameter: ")
    assert fragment in body_json["message"]
    assert state.batches == {} and state.messages == {}


@pytest.mark.refused_requests
async def test_emulator_invalid_json(raw: httpx.AsyncClient) -> None:
    response = await raw.post(
        BATCH_PATH, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert "not valid JSON" in assert_error_body(response, 400, 1000)["message"]
    response = await raw.post(BATCH_PATH, content=b"{}", headers={"content-type": "text/plain"})
    assert "must be a JSON object" in assert_error_body(response, 400, 1000)["message"]


async def test_emulator_answer_shape_matches_the_reference(raw: httpx.AsyncClient) -> None:
    body = valid_body(
        clientBatchId="SmsApi-Demo1",
        includeMessagesInResponse=True,
        messages=[
            {"destination": "6500000001", "clientMessageId": "SmsApi-Demo1/6500000001"},
            # On the pattern, but +999 is no country: REJECTED, as in the reference.
            {"destination": "+9991234567"},
        ],
    )
    response = await raw.post(BATCH_PATH, json=body)
    assert response.status_code == 200
    data = response.json()
    assert list(data) == ["batchId", "clientBatchId", "acceptedCount", "rejectedCount", "messages"]
    assert (data["acceptedCount"], data["rejectedCount"]) == (1, 1)
    queued, rejected = data["messages"]
    assert queued == {
        "umid": queued["umid"],
        "clientMessageId": "SmsApi-Demo1/6500000001",
        "destination": "6500000001",
        "encoding": "GSM7",
        "status": {"code": "QUEUED", "description": QUEUED_TEXT},
    }
    assert UUID_RE.match(queued["umid"])
    assert rejected["status"] == {"code": "REJECTED", "description": INVALID_MSISDN}
    # Without the flag only the counts come back.
    plain = (await raw.post(BATCH_PATH, json=valid_body())).json()
    assert set(plain) == {"batchId", "acceptedCount", "rejectedCount"}


# --- what the UI and the account form see -----------------------------------------------------


async def test_only_survey_batches_are_offered(backend: EightByEightBackend) -> None:
    assert EightByEightBackend.capabilities == frozenset({Capability.SURVEY_BATCH})
    assert not EightByEightBackend.supports(Capability.SMS)
    with pytest.raises(NotSupported, match="8x8 SMS Engage does not support SMS"):
        backend.capability(SmsApi)
    with pytest.raises(NotSupported, match="8x8 SMS Engage does not support account information"):
        backend.capability(AccountApi)
    assert not hasattr(backend, "send_sms") and not hasattr(backend, "account")


def test_account_fields() -> None:
    assert EightByEightBackend.needs_username is False
    assert EightByEightBackend.secret_label == "API key"
    assert [(f.name, f.required) for f in EightByEightBackend.extra_fields] == [
        ("subaccount_id", True),
        ("survey_id", False),
    ]
    account = Account("e8", "8x8", EightByEightBackend.default_base_url)
    with pytest.raises(ConfigError, match="needs Subaccount ID"):
        validate_account(account)
    validate_account(Account("e8", "8x8", BASE_URL, options={"subaccount_id": DEMO_SUBACCOUNT}))


def test_error_bodies_in_the_reference_parse() -> None:
    from backends.eightbyeight.client import error_parser

    body = json.loads(
        '{"code":1002,"message":"Invalid MSISDN format (not E.164 international number)",'
        '"errorId":"b4478860-b76c-e811-814e-022a35cc1c71",'
        '"timestamp":"2018-08-04T09:25:40.9235752+00:00"}'
    )
    code, message = error_parser(httpx.Response(400), body)
    assert code == 1002
    assert message == (
        "Invalid MSISDN format (not E.164 international number) "
        "(errorId b4478860-b76c-e811-814e-022a35cc1c71)"
    )
    assert error_parser(httpx.Response(502), None) == (None, "Bad Gateway")


async def test_bad_request_from_the_provider_keeps_code_and_error_id() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"code": 1002, "message": "bad", "errorId": "e-1"})

    async with mocked(handler) as client:
        with pytest.raises(BadRequest) as caught:
            await client.send_survey_batch(batch())
    assert (caught.value.code, caught.value.message) == (1002, "bad (errorId e-1)")


# --- request rules (eightbyeight_rules) -------------------------------------------------------


async def test_the_client_runs_the_rules_on_what_it_sends(
    backend: EightByEightBackend, log: RequestLog
) -> None:
    # Past validate_batch, the HTTP layer still refuses a body the reference does not accept.
    where = f"subaccounts/{DEMO_SUBACCOUNT}/surveys/{DEMO_SURVEY}/messages/batch"
    body = {"messages": [{"destination": "0612345678", "templateBody": TEMPLATE}]}
    with pytest.raises(InvalidInput) as caught:
        await backend.http.json("POST", where, json=body)
    assert "destination '0612345678': Invalid MSISDN format" in str(caught.value)
    with pytest.raises(InvalidInput, match="not a field of a batch"):
        await backend.http.json("POST", where, json={**body, "priority": 1})
    assert len(log) == 0


@pytest.mark.refused_requests
@pytest.mark.parametrize(
    "destination", ["0612345678", "+34 666 555 444", "123456", "+1234567890123456", "65-9876"]
)
async def test_emulator_refuses_a_destination_off_the_pattern_with_1002(
    raw: httpx.AsyncClient, state: EightByEightState, destination: str
) -> None:
    body = valid_body(messages=[{"destination": "+6598760001"}, {"destination": destination}])
    answer = assert_error_body(await raw.post(BATCH_PATH, json=body), 400, 1002)
    assert answer["message"].startswith(
        f"messages[1].destination {destination!r}: {INVALID_MSISDN}"
    )
    assert state.batches == {} and state.messages == {}


@pytest.mark.refused_requests
async def test_emulator_refuses_undocumented_fields_and_methods(
    raw: httpx.AsyncClient, state: EightByEightState
) -> None:
    extra = valid_body(priority="high")
    assert (
        "priority: not a field of a batch"
        in assert_error_body(await raw.post(BATCH_PATH, json=extra), 400, 1000)["message"]
    )
    message_extra = valid_body(messages=[{"destination": "+6598760001", "text": "hi"}])
    assert (
        "messages[0].text: not a message field"
        in assert_error_body(await raw.post(BATCH_PATH, json=message_extra), 400, 1000)["message"]
    )
    assert_error_body(await raw.get(BATCH_PATH), 405, 1000)
    assert state.batches == {}


# The reference's two example answers, as printed.
REFERENCE_ANSWERS = [
    {
        "batchId": "f1ea5276-a824-e711-8146-022a22cc1c71",
        "clientBatchId": "SmsApi-Demo1",
        "acceptedCount": 3,
        "rejectedCount": 1,
        "messages": [
            {
                "umid": f"f{n}ea5276-a824-e711-8146-022a22cc1c71",
                "clientMessageId": f"SmsApi-Demo1/650000000{n - 1}",
                "destination": f"650000000{n - 1}",
                "encoding": "GSM7",
                "status": {
                    "code": "QUEUED",
                    "description": "SMS is accepted and queued for processing",
                },
            }
            for n in (2, 3, 4)
        ],
    },
    {
        "batchId": "f1ea5276-a824-e711-8146-022a22cc1c71",
        "clientBatchId": "Demo#1001",
        "acceptedCount": 3,
        "rejectedCount": 1,
        "messages": [
            {
                "umid": "f2ea5276-a824-e711-8146-022a22cc1c71",
                "clientMessageId": "Demo#1001/6598760001",
                "destination": "6598760001",
                "encoding": "GSM7",
                "status": {"code": "QUEUED", "description": QUEUED_TEXT},
            },
            {
                "umid": "f3ea5276-a824-e711-8146-022a22cc1c71",
                "clientMessageId": "id_100001",
                "destination": "659876002",
                "encoding": "GSM7",
                "status": {"code": "QUEUED", "description": QUEUED_TEXT},
            },
            {
                "umid": "f3ea5276-a824-e711-8146-022a22cc1c71",
                "clientMessageId": "id_100002",
                "destination": "33509750003",
                "encoding": "UCS2",
                "status": {"code": "QUEUED", "description": QUEUED_TEXT},
            },
            {
                "umid": "f3ea5276-a824-e711-8146-022a22cc1c71",
                "clientMessageId": "id_100003",
                "destination": "+12025550127",
                "encoding": "GSM7",
                "status": {"code": "REJECTED", "description": INVALID_MSISDN},
            },
        ],
    },
]


@pytest.mark.parametrize("answer", REFERENCE_ANSWERS)
def test_reference_example_answers_parse(answer: dict[str, Any]) -> None:
    sent = batch(
        *(
            message(m["destination"], client_message_id=m["clientMessageId"])
            for m in answer["messages"]
        )
    )
    result = parse_batch_result(sent, answer)
    assert (result.batch_id, result.client_batch_id) == (answer["batchId"], answer["clientBatchId"])
    # The counts are 8x8's own, even where its example lists fewer messages than it counts.
    assert (result.accepted, result.rejected) == (3, 1)
    assert [r.to for r in result.results] == [m["destination"] for m in answer["messages"]]
    assert [r.status for r in result.results] == [m["status"]["code"] for m in answer["messages"]]
    last = result.results[-1]
    if last.status == "REJECTED":
        assert (last.accepted, last.error, last.error_code) == (False, INVALID_MSISDN, "REJECTED")


def test_reference_request_body_shape_passes_the_rules() -> None:
    # Every body field the reference lists, at its documented limits.
    body = {
        "clientBatchId": "x" * 20,
        "messages": [
            {
                "destination": "+6598760001",
                "country": "SG",
                "templateBody": "Hi {{name}}: {{url:}}",
                "templateVariables": {"name": "Ana"},
                "source": "x" * 16,
                "clientMessageId": "x" * 350,
                "encoding": "UCS2",
                "scheduled": "2025-03-10T09:00:00Z",
                "expiry": "2025-03-11T09:00:00+08:00",
                "dlrCallbackUrl": "https://example.com/dlr",
            },
            {"destination": "6500000001"},
        ],
        "template": {
            "templateBody": "Rate us: {{url:}}",
            "source": "ACME",
            "encoding": "AUTO",
            "scheduled": "2025-03-10T09:00:00Z",
            "expiry": "2025-03-11T09:00:00Z",
            "dlrCallbackUrl": "https://example.com/dlr",
        },
        "includeMessagesInResponse": True,
    }
    out = Outgoing.from_wire(
        "POST",
        f"/api/v1/subaccounts/{DEMO_SUBACCOUNT}/surveys/{DEMO_SURVEY}/messages/batch",
        root="/api/v1",
        content_type="application/json",
        body=orjson.dumps(body),
    )
    assert RULES.check(out) == []


async def test_ids_with_ampersand_reach_the_sandbox_as_one_segment(
    app: Starlette, state: EightByEightState, log: RequestLog
) -> None:
    # "&" is in the documented subAccountId alphabet; encoded, it cannot end the segment.
    state.keys[DEMO_API_KEY].add("Acme&Co.-_1")
    state.surveys["Acme&Co.-_1"] = {"csat&nps"}
    async with connect(app) as client:
        result = await client.send_survey_batch(
            batch(sub_account_id="Acme&Co.-_1", survey_id="csat&nps")
        )
    assert result.accepted == 1
    assert log.requests[0].raw_path == (
        "/api/v1/subaccounts/Acme%26Co.-_1/surveys/csat%26nps/messages/batch"
    )
    assert state.batches[result.batch_id].sub_account_id == "Acme&Co.-_1"
