"""The Collect client against its sandbox: what reached the provider, what came back, errors."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from backends.base import Capability, Connection
from backends.capabilities import SurveysApi
from backends.collect.client import CollectBackend, parse_sent_request, parse_time
from backends.collect.rules import RULES
from backends.errors import (
    AuthError,
    BadRequest,
    InvalidInput,
    MalformedResponse,
    NotFound,
    NotSupported,
    ProviderError,
    RateLimited,
    ServerError,
)
from backends.models.surveys import (
    DocumentRequest,
    NewRequestContact,
    RequestContact,
    RequestSample,
    SentRequest,
)
from backends.rules import Outgoing
from backends.sandbox.collect import (
    API_PREFIX,
    DEMO_CAMPAIGN_ID,
    DEMO_CONTACT_ID,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    WORKSPACE_ID,
    CollectState,
    create_app,
)
from backends.sandbox.core import RecordedRequest, RequestLog

BASE_URL = "http://sandbox/v1"
PATH = f"{API_PREFIX}/request"
START = datetime(2022, 7, 4, 7, 20, 6, tzinfo=UTC)
ELON = NewRequestContact(
    "elon@example.com", "Elon", "Musk", "Tesla", {"brand": "Tesla", "model": "Roadster"}
)


class FakeClock:
    """A clock tests can move."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def app(clock: FakeClock) -> Starlette:
    return create_app(clock=clock)


@pytest.fixture
def state(app: Starlette) -> CollectState:
    collect: CollectState = app.state.collect
    return collect


@pytest.fixture
def log(app: Starlette) -> RequestLog:
    requests: RequestLog = app.state.log
    return requests


def connect(app: Starlette, password: str = DEMO_PASSWORD) -> CollectBackend:
    connection = Connection(BASE_URL, username=DEMO_USERNAME, secret=password)
    return CollectBackend(connection, transport=httpx.ASGITransport(app=app))


@pytest.fixture
async def backend(app: Starlette) -> AsyncIterator[CollectBackend]:
    client = connect(app)
    try:
        yield client
    finally:
        await client.aclose()


def only(log: RequestLog) -> RecordedRequest:
    """The single POST /v1/request, with the demo user's Basic credentials."""
    found = log.matching("POST", PATH)
    assert len(found) == 1, [(r.method, r.path) for r in log.requests]
    request = found[0]
    header = request.headers["authorization"]
    assert base64.b64decode(header.removeprefix("Basic ")) == b"demo:demo-collect-password"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert request.query == {}
    return request


async def raw_post(app: Starlette, body: Any, *, password: str = DEMO_PASSWORD) -> httpx.Response:
    """POST straight to the emulator, bypassing the client."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sandbox",
        auth=(DEMO_USERNAME, password),
    ) as client:
        if isinstance(body, bytes):
            return await client.post(
                PATH, content=body, headers={"Content-Type": "application/json"}
            )
        return await client.post(PATH, json=body)


# --- the send --------------------------------------------------------------------------------


async def test_new_contact_as_in_the_reference(
    backend: CollectBackend, log: RequestLog, state: CollectState
) -> None:
    sent = await backend.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, ELON))
    assert only(log).json() == {
        "campaignId": "xvr69EYLKXvTkfYuk",
        "contact": {
            "email": "elon@example.com",
            "firstName": "Elon",
            "lastName": "Musk",
            "company": "Tesla",
            "data": {"brand": "Tesla", "model": "Roadster"},
        },
    }
    stored = state.requests[sent.id]
    contact = state.contacts[stored.contact_id]
    assert sent == SentRequest(
        id=stored.id,
        campaign_id=DEMO_CAMPAIGN_ID,
        portal_url=f"http://sandbox/portal/{WORKSPACE_ID}/{stored.id}",
        status="pending",
        created_at=START,
        due_date=START + timedelta(days=7),
        privacy="private",
        contact=RequestContact(
            id=contact.id,
            email="elon@example.com",
            first_name="Elon",
            last_name="Musk",
            nb_requests=1,
            created_at=START,
            last_activity=START,
        ),
        errors=(),
    )
    assert len(sent.id) == 17
    assert contact.company == "Tesla" and contact.data == {"brand": "Tesla", "model": "Roadster"}
    assert stored.items == ["idCard", "proofOfAddress", "bankDetails"]
    assert stored.messages_sent


async def test_existing_contact_by_id(backend: CollectBackend, log: RequestLog) -> None:
    sent = await backend.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID))
    assert only(log).json() == {"campaignId": DEMO_CAMPAIGN_ID, "contact": DEMO_CONTACT_ID}
    assert sent.contact is not None
    assert (sent.contact.id, sent.contact.email, sent.contact.nb_requests) == (
        DEMO_CONTACT_ID,
        "johndoe@example.com",
        5,
    )
    assert sent.contact.created_at == datetime(2022, 7, 3, 13, 51, 27, tzinfo=UTC)


async def test_every_option_reaches_the_provider(
    backend: CollectBackend, log: RequestLog, state: CollectState
) -> None:
    paris = timezone(timedelta(hours=2))
    sent = await backend.send_request(
        DocumentRequest(
            DEMO_CAMPAIGN_ID,
            NewRequestContact("jane@example.com"),
            items=("idCard", "bankDetails"),
            data={"contract": "C-42"},
            sample=RequestSample("idCard", "https://example.com/sample-id.pdf"),
            due_date=datetime(2022, 7, 11, 23, 59, tzinfo=paris),
            created_by="aliceTeamMember01",
            assigned_to="alice@example.com",
            send_message=False,
        )
    )
    assert only(log).json() == {
        "campaignId": DEMO_CAMPAIGN_ID,
        "contact": {"email": "jane@example.com"},
        "items": ["idCard", "bankDetails"],
        "data": {"contract": "C-42"},
        "sample": {"itemId": "idCard", "url": "https://example.com/sample-id.pdf"},
        "dueDate": "2022-07-11T21:59:00Z",
        "createdBy": "aliceTeamMember01",
        "assignedTo": "alice@example.com",
        "sendMessage": False,
    }
    stored = state.requests[sent.id]
    assert stored.items == ["idCard", "bankDetails"]
    assert stored.assigned_to == "aliceTeamMember01"
    assert stored.data == {"contract": "C-42"}
    assert not stored.messages_sent
    assert sent.due_date == datetime(2022, 7, 11, 21, 59, tzinfo=UTC)


async def test_a_known_email_reuses_the_contact(
    backend: CollectBackend, state: CollectState
) -> None:
    sent = await backend.send_request(
        DocumentRequest(DEMO_CAMPAIGN_ID, NewRequestContact("JohnDoe@example.com", "Johnny"))
    )
    assert sent.contact is not None
    assert (sent.contact.id, sent.contact.first_name, sent.contact.nb_requests) == (
        DEMO_CONTACT_ID,
        "Johnny",
        5,
    )
    assert len(state.contacts) == 1


async def test_non_fatal_errors_come_back_with_the_request(backend: CollectBackend) -> None:
    sent = await backend.send_request(
        DocumentRequest("supplierNoMsgs001", NewRequestContact("s@example.com"))
    )
    assert sent.status == "pending"
    assert sent.errors == (
        "Campaign supplierNoMsgs001 has no message sequence: no message was sent",
    )


async def test_portal_page_is_served(backend: CollectBackend, app: Starlette) -> None:
    sent = await backend.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        page = await client.get(sent.portal_url)
    assert page.status_code == 200
    assert "Customer onboarding (KYC)" in page.text and "pending" in page.text


# --- error statuses --------------------------------------------------------------------------


async def test_400_invalid_request(backend: CollectBackend, state: CollectState) -> None:
    # A request the rules accept but the campaign does not: an item it does not ask for
    # is "404 Not Found"; a 400 from Collect reads as the reference's sentence.
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": "Bad Request", "message": "contact is archived"})

    connection = Connection(BASE_URL, username="u", secret="s3cr3t-pw")
    async with CollectBackend(connection, transport=httpx.MockTransport(handler)) as mocked:
        with pytest.raises(BadRequest) as caught:
            await mocked.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID))
    assert caught.value.status == 400
    assert caught.value.message == "Collect refused the request as invalid: contact is archived"
    assert state.requests == {}


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            DocumentRequest(DEMO_CAMPAIGN_ID, NewRequestContact("nope")),
            "contact.email must be an email address",
        ),
        (DocumentRequest(" ", DEMO_CONTACT_ID), "campaignId is required"),
        (DocumentRequest(DEMO_CAMPAIGN_ID, ""), "contact is required"),
        (DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID, items=("idCard", "")), "items must be"),
        (
            DocumentRequest(
                DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID, sample=RequestSample("idCard", "ftp://x")
            ),
            "sample.url must be an http(s) URL",
        ),
        (
            DocumentRequest(
                DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID, sample=RequestSample("", "https://x.co/a")
            ),
            "sample.itemId must be an item id",
        ),
        (DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID, created_by=""), "createdBy must be"),
        (DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID, assigned_to=" "), "assignedTo must be"),
    ],
)
async def test_client_refuses_what_the_rules_forbid_before_sending(
    backend: CollectBackend, log: RequestLog, request_: DocumentRequest, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await backend.send_request(request_)
    assert message in str(caught.value)
    assert len(log) == 0


async def test_401_wrong_password(app: Starlette) -> None:
    async with connect(app, "not-the-password") as backend:
        with pytest.raises(AuthError) as caught:
            await backend.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID))
    assert caught.value.status == 401
    assert caught.value.message == (
        "Collect refused the username or password (API key): check the account's credentials: "
        "Your API key is wrong."
    )


@pytest.mark.parametrize(
    ("request_", "detail"),
    [
        (
            DocumentRequest("hiddenBoardDocs01", DEMO_CONTACT_ID),
            "Campaign hiddenBoardDocs01 is hidden for administrators only",
        ),
        (
            DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID, created_by="bobTeamMember0001"),
            f"User bobTeamMember0001 has no access to campaign {DEMO_CAMPAIGN_ID}",
        ),
    ],
)
async def test_403_forbidden(
    backend: CollectBackend, request_: DocumentRequest, detail: str
) -> None:
    with pytest.raises(AuthError) as caught:
        await backend.send_request(request_)
    assert caught.value.status == 403
    assert caught.value.message.endswith(
        f"hidden for administrators only, or the user has no access: {detail}"
    )


async def test_admins_see_hidden_campaigns() -> None:
    app = create_app(admins={DEMO_USERNAME})
    async with connect(app) as backend:
        sent = await backend.send_request(DocumentRequest("hiddenBoardDocs01", DEMO_CONTACT_ID))
    assert sent.campaign_id == "hiddenBoardDocs01"


@pytest.mark.parametrize(
    ("request_", "detail"),
    [
        (
            DocumentRequest("unknownCampaign01", DEMO_CONTACT_ID),
            "Campaign unknownCampaign01 not found",
        ),
        (
            DocumentRequest(DEMO_CAMPAIGN_ID, "unknownContact001"),
            "Contact unknownContact001 not found",
        ),
        (
            DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID, items=("idCard", "passport")),
            f"Item passport not found in campaign {DEMO_CAMPAIGN_ID}",
        ),
        (
            DocumentRequest(
                DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID, sample=RequestSample("x", "https://e.com/a")
            ),
            f"Item x not found in campaign {DEMO_CAMPAIGN_ID}",
        ),
        (
            DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID, created_by="ghost"),
            "User ghost not found",
        ),
        (
            DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID, assigned_to="ghost@example.com"),
            "Team member ghost@example.com not found",
        ),
    ],
)
async def test_404_not_found(
    backend: CollectBackend, state: CollectState, request_: DocumentRequest, detail: str
) -> None:
    with pytest.raises(NotFound) as caught:
        await backend.send_request(request_)
    assert caught.value.status == 404
    assert caught.value.message == (
        f"the campaign, contact, item or team member could not be found: {detail}"
    )
    assert state.requests == {}
    assert state.contacts[DEMO_CONTACT_ID].nb_requests == 4


async def test_429_rate_limit_with_retry_after(
    backend: CollectBackend, state: CollectState, clock: FakeClock
) -> None:
    state.rate_limit, state.rate_window = 2, 10.0
    for _ in range(2):
        await backend.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID))
    clock.now += timedelta(seconds=3)
    with pytest.raises(RateLimited) as caught:
        await backend.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID))
    assert caught.value.status == 429
    assert caught.value.retry_after == 7.0
    assert caught.value.message == (
        "too many requests to Collect: slow down and try again later: "
        "You're requesting too many objects! Slow down!"
    )
    clock.now += timedelta(seconds=7)
    await backend.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID))
    assert len(state.requests) == 3


async def test_500_says_the_request_may_exist(backend: CollectBackend, state: CollectState) -> None:
    state.faults.append(500)
    with pytest.raises(ServerError) as caught:
        await backend.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID))
    assert caught.value.status == 500
    assert "may or may not have been created" in caught.value.message
    assert caught.value.message.endswith("We had a problem with our server. Try again later.")


async def test_503_maintenance(
    backend: CollectBackend, state: CollectState, log: RequestLog
) -> None:
    state.maintenance = True
    with pytest.raises(ServerError) as caught:
        await backend.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID))
    assert caught.value.status == 503
    assert caught.value.message.startswith("Collect is temporarily offline for maintenance")
    assert len(log) == 1


async def test_unexpected_status_keeps_the_provider_message() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, json={"error": "Conflict", "message": "duplicate request"})

    connection = Connection(BASE_URL, username="u", secret="s3cr3t-pw")
    async with CollectBackend(connection, transport=httpx.MockTransport(handler)) as backend:
        with pytest.raises(ProviderError) as caught:
            await backend.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID))
    assert (caught.value.status, caught.value.message) == (409, "duplicate request")


# --- emulator validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{oops", "POST /request: the body is not valid JSON"),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": DEMO_CONTACT_ID, "note": "x"},
            "note: not a field of a request",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": {"email": "x@example.com", "phone": "1"}},
            "contact.phone: not a contact field",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": {"firstName": "Jo"}},
            "contact.email must be an email address",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": {"email": "jo"}},
            "contact.email must be an email address, not 'jo'",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": DEMO_CONTACT_ID, "items": ["idCard", 3]},
            "items must be a non-empty array",
        ),
        (
            {
                "campaignId": DEMO_CAMPAIGN_ID,
                "contact": DEMO_CONTACT_ID,
                "sample": {"itemId": "", "url": "https://x.co/a"},
            },
            "sample.itemId must be an item id",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": DEMO_CONTACT_ID, "createdBy": 5},
            "createdBy must be a non-empty string",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": DEMO_CONTACT_ID, "assignedTo": ""},
            "assignedTo must be a non-empty string",
        ),
        ([], "the body must be a JSON object"),
        ({"contact": DEMO_CONTACT_ID}, "campaignId is required"),
        ({"campaignId": 7, "contact": DEMO_CONTACT_ID}, "campaignId is required"),
        (
            {"campaignId": DEMO_CAMPAIGN_ID},
            "contact is required: an existing contact's id or a new contact object",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": {"email": "x@example.com", "company": 1}},
            "contact.company must be a string",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": {"email": "x@example.com", "data": []}},
            "contact.data must be an object",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": DEMO_CONTACT_ID, "items": []},
            "items must be a non-empty array of item ids (strings)",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": DEMO_CONTACT_ID, "data": "x"},
            "data must be an object",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": DEMO_CONTACT_ID, "sample": {"url": "x"}},
            "sample must be an object with exactly itemId and url",
        ),
        (
            {
                "campaignId": DEMO_CAMPAIGN_ID,
                "contact": DEMO_CONTACT_ID,
                "sample": {"itemId": "idCard", "url": "ftp://x"},
            },
            "sample.url must be an http(s) URL, not 'ftp://x'",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": DEMO_CONTACT_ID, "dueDate": "next week"},
            "dueDate must be an ISO 8601 date, e.g. 2022-07-11T21:59:00Z, not 'next week'",
        ),
        (
            {"campaignId": DEMO_CAMPAIGN_ID, "contact": DEMO_CONTACT_ID, "sendMessage": "no"},
            "sendMessage must be true or false",
        ),
    ],
)
@pytest.mark.refused_requests
async def test_emulator_validation(
    app: Starlette, state: CollectState, body: Any, message: str
) -> None:
    response = await raw_post(app, body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["error"] == "Bad Request"
    assert message in answer["message"]
    assert state.requests == {}


async def test_emulator_401_body(app: Starlette) -> None:
    response = await raw_post(app, {}, password="nope")
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Your API key is wrong."}


# --- parsing and metadata --------------------------------------------------------------------


def test_reference_answer_parses() -> None:
    body = {
        "request": {
            "_id": "nw42MmBsJoccgutST",
            "campaignId": "xvr69EYLKXvTkfYuk",
            "createdAt": "2022-07-04 07:20:06 UTC",
            "portalUrl": "https://app.usecollect.com/portal/uGFRDeEL3Ct2uYo2c/nw42MmBsJoccgutST",
            "status": "pending",
            "dueDate": "2022-07-11 21:59:00 UTC",
            "privacy": "private",
            "contact": {
                "_id": "WmTjsFknzHdmfs3Ra",
                "email": "johndoe@example.com",
                "firstName": "John",
                "lastName": "Doe",
                "nbRequest": 5,
                "createdAt": "2022-07-03 13:51:27 UTC",
                "lastActivity": "2022-07-04 07:20:06 UTC",
            },
            "branding": {"useBranding": False},
        },
        "errors": [{"message": "object error"}, "string error"],
    }
    sent = parse_sent_request(body)
    assert sent.portal_url.endswith("/nw42MmBsJoccgutST")
    assert sent.due_date == datetime(2022, 7, 11, 21, 59, tzinfo=UTC)
    assert sent.contact is not None and sent.contact.nb_requests == 5
    assert sent.errors == ("object error", "string error")


@pytest.mark.parametrize("body", [{}, [], {"request": {}}, {"request": {"_id": 3}}])
def test_malformed_answers(body: Any) -> None:
    with pytest.raises(MalformedResponse):
        parse_sent_request(body)


def test_time_formats() -> None:
    assert parse_time("2022-07-04 07:20:06 UTC") == datetime(2022, 7, 4, 7, 20, 6, tzinfo=UTC)
    assert parse_time("2022-07-04T07:20:06Z") == datetime(2022, 7, 4, 7, 20, 6, tzinfo=UTC)
    assert parse_time(None) is None


async def test_metadata_and_unsupported(backend: CollectBackend) -> None:
    assert CollectBackend.capabilities == frozenset({Capability.DOCUMENT_REQUESTS})
    assert CollectBackend.needs_username and CollectBackend.extra_fields == ()
    assert CollectBackend.default_base_url == "https://api.usecollect.com/v1"
    with pytest.raises(NotSupported, match="Collect does not support surveys"):
        backend.capability(SurveysApi)
    assert not hasattr(backend, "send_survey")


@pytest.mark.parametrize(
    "body",
    [
        # The reference's two request examples: a new contact, then an existing one's id.
        {
            "campaignId": "xvr69EYLKXvTkfYuk",
            "contact": {
                "email": "elon@example.com",
                "firstName": "Elon",
                "lastName": "Musk",
                "company": "Tesla",
                "data": {"brand": "Tesla", "model": "Roadster"},
            },
        },
        {"campaignId": "xvr69EYLKXvTkfYuk", "contact": "WmTjsFknzHdmfs3Ra"},
    ],
)
def test_reference_examples_pass_the_rules(body: dict[str, Any]) -> None:
    out = Outgoing.from_wire(
        "POST", "/v1/request", root="/v1", content_type="application/json", body=orjson.dumps(body)
    )
    assert RULES.check(out) == []


@pytest.mark.refused_requests
async def test_emulator_routes_only_the_documented_endpoint(app: Starlette) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sandbox",
        auth=(DEMO_USERNAME, DEMO_PASSWORD),
    ) as client:
        listing = await client.get(PATH)
        other = await client.post("/v1/requests", json={})
    assert (listing.status_code, listing.json()["error"]) == (405, "Method Not Allowed")
    assert (other.status_code, other.json()["error"]) == (404, "Not Found")


@pytest.mark.parametrize(
    ("status", "error", "sentence"),
    [
        # The reference documents each status with a sentence and no body.
        (400, BadRequest, "Collect refused the request as invalid"),
        (401, AuthError, "Collect refused the username or password"),
        (403, AuthError, "the object requested is hidden for administrators only"),
        (404, NotFound, "the campaign, contact, item or team member could not be found"),
        (500, ServerError, "Collect had a problem with its server"),
    ],
)
async def test_documented_statuses_without_a_body_are_explained(
    status: int, error: type[ProviderError], sentence: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status)

    connection = Connection(BASE_URL, username="u", secret="s3cr3t-pw")
    async with CollectBackend(connection, transport=httpx.MockTransport(handler)) as mocked:
        with pytest.raises(error) as caught:
            await mocked.send_request(DocumentRequest(DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID))
    assert caught.value.status == status
    assert caught.value.message.startswith(sentence)
