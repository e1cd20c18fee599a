"""The XeroChat client against its emulator: the form each endpoint received, what came back,
the documented error bodies, and the api_key kept out of URLs, logs and messages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from backends.base import Backend, Capability, Connection
from backends.capabilities import ContactsListingApi
from backends.errors import (
    AuthError,
    BadRequest,
    ConnectFailed,
    InvalidInput,
    MalformedResponse,
    NotFound,
    NotSupported,
    SwitchboardError,
)
from backends.http import HttpClient
from backends.models.common import Contact, ContactInput, CustomField, Group, GroupRef
from backends.sandbox.core import RecordedRequest, RequestLog
from backends.sandbox.xerochat import (
    DEMO_API_KEY,
    DEMO_PAGE_ID,
    EXPIRED_API_KEY,
    MEMBER_API_KEY,
    NO_BOT_PAGE_ID,
    XeroChatState,
    create_app,
)
from backends.sandbox.xerochat.state import BotPage, Flow
from backends.xerochat.client import XeroChatBackend
from backends.xerochat.models import (
    AnswerCount,
    FlowAnswer,
    FlowAnswers,
    FlowCampaign,
    Label,
    Package,
    QuestionSummary,
    SubscriberAnswers,
    SystemUser,
    UserInput,
)

BASE_URL = "http://sandbox/api"
NOW = datetime(2025, 3, 10, 12, 0, 0, tzinfo=UTC)
ANA = "2499454673490220"
BRUNO = "2499705667317639"
IMPORTANT = "2472856209402188"
PRODUCT = "2328660457215897"


@pytest.fixture
def app() -> Starlette:
    return create_app(clock=lambda: NOW)


@pytest.fixture
def state(app: Starlette) -> XeroChatState:
    s: XeroChatState = app.state.xerochat
    return s


@pytest.fixture
def log(app: Starlette) -> RequestLog:
    requests: RequestLog = app.state.log
    return requests


def connect(app: Starlette, secret: str = DEMO_API_KEY) -> XeroChatBackend:
    connection = Connection(base_url=BASE_URL, secret=secret)
    return XeroChatBackend(connection, transport=httpx.ASGITransport(app=app))


@pytest.fixture
async def backend(app: Starlette) -> AsyncIterator[XeroChatBackend]:
    client = connect(app)
    try:
        yield client
    finally:
        await client.aclose()


def form(request: RecordedRequest) -> list[tuple[str, str]]:
    """The form fields in the order they were sent."""
    return parse_qsl(request.body.decode(), keep_blank_values=True)


# The endpoints the reference documents as GET ("you need to make a GET call"); every
# other one is a POST. Written out here, not read from the rules, so that the client
# and the rules are both checked against the reference.
GET_ENDPOINTS = frozenset(
    {
        "get_user_info",
        "get_all_packages",
        "subscriber_information",
        "get_all_labels",
        "get_contact_group",
        "get_contact",
        "get_flow_campaigns",
        "get_flow_campaign_info",
        "get_single_subscriber_flow_info",
        "get_all_subscriber_flow_info",
    }
)


def sent(log: RequestLog, endpoint: str, n: int = 0) -> dict[str, str]:
    """The fields of the n-th request to an endpoint, checked for how XeroChat is called.

    A documented GET is a GET with its fields in the query string and no body; any other
    is a POST with a form body and nothing in the query. The api_key comes first.
    """
    method = "GET" if endpoint in GET_ENDPOINTS else "POST"
    found = log.matching(method, f"/api/{endpoint}")
    assert len(found) > n, [(r.method, r.path) for r in log.requests]
    assert not log.matching("POST" if method == "GET" else "GET", f"/api/{endpoint}")
    request = found[n]
    assert request.headers["accept"] == "application/json"
    assert "authorization" not in request.headers
    if method == "GET":
        assert request.body == b"" and "content-type" not in request.headers
        fields = parse_qsl(request.query_string, keep_blank_values=True)
    else:
        assert request.query_string == ""
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        fields = form(request)
    assert fields[0] == ("api_key", DEMO_API_KEY)
    return dict(fields[1:])


# --- users and packages -----------------------------------------------------------------------


async def test_user_by_id(backend: XeroChatBackend, log: RequestLog) -> None:
    user = await backend.system_user(user_id=39)
    assert sent(log, "get_user_info") == {"user_id": "39"}
    assert user == SystemUser(
        id=39,
        name="test_username",
        email="test_user@test.com",
        mobile="01234567891",
        address="Heaven 21",
        user_type="Member",
        active=True,
        package_id=16,
        created_at=datetime(2020, 9, 27, 8, 13, 1, tzinfo=UTC),
        last_login_at=None,
        last_login_ip="",
        expires_at=datetime(2099, 12, 31, tzinfo=UTC),
    )


async def test_user_by_email(backend: XeroChatBackend, log: RequestLog) -> None:
    user = await backend.system_user(email="TEST_USER@test.com")
    assert sent(log, "get_user_info") == {"email": "TEST_USER@test.com"}
    assert user.id == 39


@pytest.mark.parametrize("kwargs", [{}, {"user_id": 1, "email": "a@b.c"}])
async def test_user_lookup_needs_exactly_one_key(
    backend: XeroChatBackend, log: RequestLog, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="either id or email"):
        await backend.system_user(**kwargs)
    assert len(log) == 0


async def test_unknown_user_is_not_found(backend: XeroChatBackend) -> None:
    with pytest.raises(NotFound) as caught:
        await backend.system_user(user_id=999)
    assert caught.value.message == "No Matching User Found"
    # XeroChat answers errors with HTTP 200 and a status field.
    assert caught.value.status == 200 and caught.value.provider == "xerochat"


async def test_create_user_then_reads_it_back(
    backend: XeroChatBackend, log: RequestLog, state: XeroChatState
) -> None:
    user = await backend.create_system_user(
        UserInput(
            name="Nora",
            email="nora@example.com",
            password="s3cret-Pass!",
            package_id=17,
            expires_on=date(2026, 1, 31),
            mobile="0612",
            address="Main St 1",
        )
    )
    assert sent(log, "create_system_user") == {
        "name": "Nora",
        "email": "nora@example.com",
        "password": "s3cret-Pass!",
        "package_id": "17",
        "expired_date": "2026-01-31",
        "mobile": "0612",
        "address": "Main St 1",
    }
    assert sent(log, "get_user_info") == {"user_id": str(user.id)}
    assert (user.name, user.package_id, user.mobile) == ("Nora", 17, "0612")
    assert user.expires_at == datetime(2026, 1, 31, tzinfo=UTC)
    assert state.users[user.id].password == "s3cret-Pass!"


async def test_create_user_optional_fields_stay_out(
    backend: XeroChatBackend, log: RequestLog
) -> None:
    await backend.create_system_user(
        UserInput(name="N", email="n@x.io", password="p", package_id=1, expires_on=date(2030, 1, 1))
    )
    assert set(sent(log, "create_system_user")) == {
        "name",
        "email",
        "password",
        "package_id",
        "expired_date",
    }


async def test_create_user_errors(backend: XeroChatBackend, log: RequestLog) -> None:
    with pytest.raises(ValueError, match="needs password, expired_date"):
        await backend.create_system_user(UserInput(name="a", email="a@b.c", package_id=1))
    assert len(log) == 0
    taken = UserInput(
        name="x", email="test_user@test.com", password="p", package_id=1, expires_on=date.today()
    )
    with pytest.raises(BadRequest, match="Email already exists"):
        await backend.create_system_user(taken)
    unknown = UserInput(
        name="x", email="new@test.com", password="p", package_id=99, expires_on=date.today()
    )
    with pytest.raises(NotFound, match="No Matching Package Found"):
        await backend.create_system_user(unknown)


async def test_update_user(backend: XeroChatBackend, log: RequestLog) -> None:
    user = await backend.update_system_user(
        39, UserInput(name="Renamed", package_id=17, expires_on=date(2027, 6, 30))
    )
    assert sent(log, "update_user/39") == {
        "name": "Renamed",
        "package_id": "17",
        "expired_date": "2027-06-30",
    }
    assert (user.name, user.package_id) == ("Renamed", 17)
    assert user.expires_at == datetime(2027, 6, 30, tzinfo=UTC)


async def test_update_user_errors(backend: XeroChatBackend, log: RequestLog) -> None:
    with pytest.raises(ValueError, match="email or password"):
        await backend.update_system_user(39, UserInput(email="x@y.z"))
    with pytest.raises(ValueError, match="at least one field"):
        await backend.update_system_user(39, UserInput())
    assert len(log) == 0
    with pytest.raises(NotFound, match="User not found with the ID: 12"):
        await backend.update_system_user(12, UserInput(name="x"))


async def test_packages(backend: XeroChatBackend, log: RequestLog) -> None:
    packages = await backend.packages()
    assert sent(log, "get_all_packages") == {}
    assert packages[1] == Package(
        id=16,
        name="everything",
        module_ids=(251, 80, 202, 201, 88, 206, 79, 263, 65),
        price="112.35",
        validity_days=700,
        deleted=False,
        visible=True,
        highlight=False,
    )
    assert [p.id for p in packages] == [1, 16, 17]


async def test_admin_endpoints_refuse_members(app: Starlette) -> None:
    async with connect(app, MEMBER_API_KEY) as member:
        for call in (member.packages(), member.system_user(user_id=39)):
            with pytest.raises(AuthError, match="only available to admin users"):
                await call


@pytest.mark.parametrize("key", ["wrong-key", EXPIRED_API_KEY])
async def test_invalid_or_expired_key_is_auth_error(app: Starlette, key: str) -> None:
    async with connect(app, key) as client:
        with pytest.raises(AuthError) as caught:
            await client.flow_campaigns()
    assert caught.value.message == "Either API Key Invalid or Member Validity Expired"


async def test_an_account_without_a_key_sends_nothing(app: Starlette, log: RequestLog) -> None:
    async with connect(app, "") as client:
        with pytest.raises(InvalidInput, match="api_key is missing"):
            await client.flow_campaigns()
    assert len(log) == 0


# --- subscribers and labels -------------------------------------------------------------------


async def test_subscriber(backend: XeroChatBackend, log: RequestLog) -> None:
    s = await backend.subscriber(ANA)
    assert sent(log, "subscriber_information") == {"subscriber_id": ANA}
    assert (s.id, s.page_id, s.page_name) == (ANA, DEMO_PAGE_ID, "XeroDevs")
    assert (s.first_name, s.full_name, s.label_ids) == ("Ana", "Ana García", (IMPORTANT,))
    assert s.birthdate is None and s.subscribed_at is not None


async def test_unknown_subscriber_message_is_trimmed(backend: XeroChatBackend) -> None:
    with pytest.raises(NotFound) as caught:
        await backend.subscriber("1")
    # The API prints " No Matching Subscriber Found" with a leading space.
    assert caught.value.message == "No Matching Subscriber Found"


async def test_labels(backend: XeroChatBackend, log: RequestLog) -> None:
    labels = await backend.labels(DEMO_PAGE_ID)
    assert sent(log, "get_all_labels") == {"page_id": DEMO_PAGE_ID}
    assert labels == [Label(IMPORTANT, "Important"), Label(PRODUCT, "Product")]


async def test_page_without_labels_lists_none(
    backend: XeroChatBackend, state: XeroChatState
) -> None:
    state.pages["555"] = BotPage("555", "Empty page", 1)
    assert await backend.labels("555") == []


@pytest.mark.parametrize("page_id", [NO_BOT_PAGE_ID, "404"])
async def test_labels_need_a_bot_page(backend: XeroChatBackend, page_id: str) -> None:
    with pytest.raises(BadRequest, match="No Enabled Bot Found"):
        await backend.labels(page_id)
    with pytest.raises(BadRequest, match="No Enabled Bot Found"):
        await backend.create_label(page_id, "x")


async def test_create_and_assign_labels(
    backend: XeroChatBackend, log: RequestLog, state: XeroChatState
) -> None:
    label = await backend.create_label(DEMO_PAGE_ID, "VIP")
    assert sent(log, "create_label") == {"label_name": "VIP", "page_id": DEMO_PAGE_ID}
    assert state.labels[label.id].label_name == "VIP" and label.name == "VIP"
    await backend.assign_labels(DEMO_PAGE_ID, BRUNO, [label.id, PRODUCT])
    assert sent(log, "assign_label") == {
        "label_ids": f"{label.id},{PRODUCT}",
        "page_id": DEMO_PAGE_ID,
        "subscriber_id": BRUNO,
    }
    assert state.subscribers[BRUNO].label_ids == [label.id, PRODUCT]
    assert (await backend.subscriber(BRUNO)).label_ids == (label.id, PRODUCT)


async def test_assign_label_errors(backend: XeroChatBackend, log: RequestLog) -> None:
    for bad in ([], ["1,2"], [""]):
        with pytest.raises(ValueError, match="label ids"):
            await backend.assign_labels(DEMO_PAGE_ID, ANA, bad)
    assert len(log) == 0
    with pytest.raises(BadRequest, match=r"\(#100\) The user ID is not valid\."):
        await backend.assign_labels(DEMO_PAGE_ID, "42", [IMPORTANT])
    with pytest.raises(BadRequest, match="label ID is not valid"):
        await backend.assign_labels(DEMO_PAGE_ID, ANA, ["42"])


# --- contact groups and contacts ------------------------------------------------------------


async def test_group_crud(backend: XeroChatBackend, log: RequestLog, state: XeroChatState) -> None:
    assert await backend.group(67) == Group(67, "Customers")
    assert sent(log, "get_contact_group") == {"contact_type_id": "67"}

    created = await backend.create_group("Event leads")
    assert sent(log, "create_contact_group") == {"name": "Event leads"}
    assert created == Group(276, "Event leads")
    assert state.groups[276].name == "Event leads"

    assert await backend.update_group(276, "Leads 2025") == Group(276, "Leads 2025")
    assert sent(log, "update_contact_group/276") == {"name": "Leads 2025"}
    assert (await backend.group(276)).name == "Leads 2025"

    await backend.delete_group(276)
    assert sent(log, "delete_contact_group") == {"contact_type_id": "276"}
    assert state.groups[276].deleted
    with pytest.raises(NotFound, match="The contact type ID does not exist"):
        await backend.group(276)


async def test_group_errors(backend: XeroChatBackend, log: RequestLog) -> None:
    # A blank name is no name: refused before it leaves, with the documented message.
    with pytest.raises(InvalidInput, match="The contact type name is required"):
        await backend.create_group(" ")
    assert len(log) == 0
    with pytest.raises(NotFound):
        await backend.update_group(999, "x")
    with pytest.raises(NotFound):
        await backend.delete_group(999)


async def test_listings_are_not_offered(backend: XeroChatBackend, log: RequestLog) -> None:
    # The reference opens contacts and groups by id only; there is no listing endpoint.
    with pytest.raises(NotSupported, match="listing contact groups or contacts"):
        backend.capability(ContactsListingApi)
    assert not hasattr(backend, "contacts_page") and not hasattr(backend, "iter_contacts")
    assert len(log) == 0


async def test_contact_maps_to_the_shared_model(backend: XeroChatBackend, log: RequestLog) -> None:
    contact = await backend.contact(233)
    assert sent(log, "get_contact") == {"contact_id": "233"}
    assert contact == Contact(
        id=233,
        email="dmitri@example.com",
        phone="01234567890",
        name="Dmitri",
        surname="Martin",
        custom_fields=(CustomField("notes", "VIP"),),
        groups=(GroupRef(67, ""),),
    )
    unsubscribed = await backend.contact(238)
    assert CustomField("unsubscribed", "yes") in unsubscribed.custom_fields


async def test_contact_crud(
    backend: XeroChatBackend, log: RequestLog, state: XeroChatState
) -> None:
    created = await backend.create_contact(
        ContactInput(phone="0612345678", name="Zoe", surname="Kim", group_ids=(68,), country="ES")
    )
    assert sent(log, "create_contact") == {
        "contact_type_id": "68",
        "phone_number": "0612345678",
        "first_name": "Zoe",
        "last_name": "Kim",
    }
    assert sent(log, "get_contact") == {"contact_id": str(created.id)}
    assert created.groups == (GroupRef(68, ""),) and created.email is None

    updated = await backend.update_contact(
        created.id, ContactInput(email="zoe@example.com", name="Zoë")
    )
    assert sent(log, f"update_contact/{created.id}") == {
        "email": "zoe@example.com",
        "first_name": "Zoë",
    }
    assert (updated.email, updated.name, updated.phone) == ("zoe@example.com", "Zoë", "0612345678")

    await backend.delete_contact(created.id)
    assert sent(log, "delete_contact") == {"contact_id": str(created.id)}
    assert state.contacts[created.id].deleted
    with pytest.raises(NotFound, match="The contact ID does not exist"):
        await backend.contact(created.id)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (ContactInput(email="a@b.c"), "exactly one group"),
        (ContactInput(email="a@b.c", group_ids=(67, 68)), "exactly one group"),
        (ContactInput(name="x", group_ids=(67,)), "an email or a phone number"),
        (ContactInput(email="a@b.c", group_ids=(67,), landline="1"), "no landline"),
        (ContactInput(email="a@b.c", group_names=("x",)), "no group names"),
        (
            ContactInput(email="a@b.c", group_ids=(67,), custom_fields=(CustomField("k", "v"),)),
            "no custom fields",
        ),
    ],
)
async def test_create_contact_refuses_what_xerochat_cannot_store(
    backend: XeroChatBackend, log: RequestLog, data: ContactInput, error: str
) -> None:
    with pytest.raises(InvalidInput, match=error) as caught:
        await backend.create_contact(data)
    # A readable error for the modal, and still a ValueError for input checks.
    assert isinstance(caught.value, SwitchboardError) and isinstance(caught.value, ValueError)
    assert caught.value.title == "Invalid input"
    assert len(log) == 0


async def test_update_cannot_clear_a_field(backend: XeroChatBackend, log: RequestLog) -> None:
    # XeroChat ignores empty values, so clearing is refused rather than silently kept.
    with pytest.raises(InvalidInput, match="cannot clear a contact's email, last name"):
        await backend.update_contact(233, ContactInput(name="Tess", surname="", email=""))
    assert len(log) == 0


async def test_contact_errors_from_the_provider(backend: XeroChatBackend) -> None:
    # The reference documents this (sic) message for a contact type that does not exist.
    with pytest.raises(NotFound, match="The contact ID does not exist"):
        await backend.create_contact(ContactInput(email="a@b.c", group_ids=(999,)))
    # Email and phone number can only be filled in, not changed.
    with pytest.raises(BadRequest, match="email can not be changed"):
        await backend.update_contact(233, ContactInput(email="other@example.com"))
    with pytest.raises(ValueError, match="cannot move a contact"):
        await backend.update_contact(233, ContactInput(name="x", group_ids=(68,)))
    with pytest.raises(ValueError, match="give a first name"):
        await backend.update_contact(233, ContactInput())


# --- flows ----------------------------------------------------------------------------------


async def test_flow_campaigns(backend: XeroChatBackend, log: RequestLog) -> None:
    flows = await backend.flow_campaigns()
    assert sent(log, "get_flow_campaigns") == {}
    assert flows == [
        FlowCampaign(1, "serial check"),
        FlowCampaign(2, "Customer feedback"),
        FlowCampaign(3, "Flow Campaign 3"),
        FlowCampaign(6, "Flow Campaign 4"),
    ]


async def test_flow_campaign_questions(backend: XeroChatBackend, log: RequestLog) -> None:
    flow = await backend.flow_campaign(1)
    assert sent(log, "get_flow_campaign_info") == {"flow_campaign_id": "1"}
    assert flow.name == "serial check"
    assert flow.questions[0] == "What do you like to do?" and len(flow.questions) == 5
    with pytest.raises(NotFound, match="The flow campaign ID does not exist"):
        await backend.flow_campaign(99)


async def test_all_answers_with_counts(
    backend: XeroChatBackend, log: RequestLog, state: XeroChatState
) -> None:
    state.flows[9] = Flow(
        9,
        1,
        "Pets",
        [("1", "Pet?"), ("2", "Colour?")],
        {ANA: {"1": "Dog", "2": "Blue"}, BRUNO: {"1": "Cat"}, "3001440154747507": {"1": "Dog"}},
    )
    answers = await backend.flow_answers(9)
    assert sent(log, "get_all_subscriber_flow_info") == {"flow_campaign_id": "9"}
    assert answers == FlowAnswers(
        flow_id=9,
        flow_name="Pets",
        subscribers=(
            SubscriberAnswers(
                ANA, (FlowAnswer("1", "Pet?", "Dog"), FlowAnswer("2", "Colour?", "Blue"))
            ),
            SubscriberAnswers(BRUNO, (FlowAnswer("1", "Pet?", "Cat"),)),
            SubscriberAnswers("3001440154747507", (FlowAnswer("1", "Pet?", "Dog"),)),
        ),
    )
    assert answers.summary() == (
        QuestionSummary("1", "Pet?", 3, (AnswerCount("Dog", 2), AnswerCount("Cat", 1))),
        QuestionSummary("2", "Colour?", 1, (AnswerCount("Blue", 1),)),
    )


def test_summary_for_matches_each_question_of_the_flow_once() -> None:
    """Two questions with the same text keep their own answers; unanswered ones are listed."""
    answers = FlowAnswers(
        9,
        "Twice",
        (
            SubscriberAnswers(
                "a", (FlowAnswer("1", "Why?", "Price"), FlowAnswer("2", "Why?", "Speed"))
            ),
            SubscriberAnswers(
                "b", (FlowAnswer("1", "Why?", "Price"), FlowAnswer("7", "Old?", "Yes"))
            ),
        ),
    )
    assert answers.summary_for(("Anything else?", "Why?", "Why?")) == (
        QuestionSummary("", "Anything else?", 0, ()),
        QuestionSummary("1", "Why?", 2, (AnswerCount("Price", 2),)),
        QuestionSummary("2", "Why?", 1, (AnswerCount("Speed", 1),)),
        # Answered but no longer in the flow: kept, after the flow's questions.
        QuestionSummary("7", "Old?", 1, (AnswerCount("Yes", 1),)),
    )


async def test_one_subscribers_answers(backend: XeroChatBackend, log: RequestLog) -> None:
    answers = await backend.flow_answers(1, subscriber_id=ANA)
    assert sent(log, "get_single_subscriber_flow_info") == {
        "flow_campaign_id": "1",
        "subscriber_id": ANA,
    }
    assert [s.subscriber_id for s in answers.subscribers] == [ANA]
    assert answers.subscribers[0].answers[0].question_id == "45"


async def test_flow_without_answers_is_empty(backend: XeroChatBackend) -> None:
    # PHP prints the empty map as [].
    answers = await backend.flow_answers(3)
    assert (answers.flow_name, answers.subscribers, answers.summary()) == (
        "Flow Campaign 3",
        (),
        (),
    )


async def test_seeded_answers_are_counted(backend: XeroChatBackend, state: XeroChatState) -> None:
    answers = await backend.flow_answers(1)
    assert len(answers.subscribers) == len(state.flows[1].answers) == 6
    for q in answers.summary():
        answered = [
            a for s in answers.subscribers for a in s.answers if a.question_id == q.question_id
        ]
        assert q.responses == len(answered)
        # Multiple choice: one count per option picked, so at least one per respondent.
        assert sum(c.count for c in q.counts) >= q.responses


# --- the reference's own example answers ------------------------------------------------------

# Each endpoint's "Success Result Example", copied from the reference as written (its
# `// more` comment dropped: it is not JSON; the flow answers shortened to fewer
# questions). The parsers must read exactly these.
EXAMPLES: dict[str, str] = {
    "get_user_info": """{
"status": "success",
"user_info": {
"id": "39",
"name": "test_username",
"email": "test_user@test.com",
"mobile": "01234567891",
"address": "Heaven 21",
"user_type": "Member",
"status": "1",
"add_date": "2020-09-27 08:13:01",
"last_login_at": "0000-00-00 00:00:00",
"expired_date": "2020-10-27 00:00:00",
"package_id": "16",
"last_login_ip": "127.0.0.1"
}
}""",
    "create_system_user": """{
"status": "success",
"id": 29
}""",
    "update_user": """{
"status": "success"
}""",
    "get_all_packages": """{
"status": "success",
"packages": [
{
"id": "1",
"package_name": "Trial",
"module_ids": "251,80,79,263,65, ...",
"price": "0",
"validity": "0",
"deleted": "0",
"visible": "0",
"highlight": "0"
},
{
"id": "16",
"package_name": "everything",
"module_ids": "251,80,202,201,88,206, ...",
"price": "112.35",
"validity": "700",
"deleted": "0",
"visible": "1",
"highlight": "0"
}
]
}""",
    "subscriber_information": """{
"status": "success",
"subscriber_info": {
"subscriber_id": "134242424",
"labels": "",
"first_name": "test_first_name",
"last_name": "test_last_name",
"full_name": "test_full_name",
"gender": "",
"locale": "",
"timezone": "",
"page_name": "XeroDevs",
"page_id": "1123123123123",
"unavailable": "0",
"last_error_message": "",
"last_error_message_conversation_broadcast": "",
"refferer_source": "",
"subscribed_at": "0000-00-00 00:00:00",
"email": "test@test.com",
"phone_number": "01234567891",
"birthdate": "0000-00-00",
"last_subscriber_interaction_time": "0000-00-00 00:00:00"
}
}""",
    "get_all_labels": """{
"status": "success",
"label_info":[
{
"label_id": "2472856209402188",
"label_name": "Important"
},
{
"label_id": "2328660457215897",
"label_name": "Product"
}
]
}""",
    "create_label": """{
"status": "success",
"label_id": "012345678790"
}""",
    "assign_label": """{
"success": true,
"status": "success"
}""",
    "get_contact_group": """{
"id": "4567",
"user_id": "345",
"type": "Group 12",
"created_at": "2020-10-28 13:40:46",
"deleted": "0"
}""",
    "create_contact_group": """{
"status": "success",
"contact_type_id": 276
}""",
    "update_contact_group": """{
"status": "success"
}""",
    "delete_contact_group": """{
"status": "success",
"message": "The contact type ID (2) has been deleted"
}""",
    "get_contact": """{
"id": "233",
"user_id": "87",
"contact_type_id": "67",
"first_name": "test_first_name",
"last_name": "test_last_name",
"phone_number": "01234567891",
"email": "test@test.com",
"notes": "",
"unsubscribed": "0",
"deleted": "0"
}""",
    "create_contact": """{
"status": "success",
"new_contact_id": 45
}""",
    "update_contact": """{
"status": "success"
}""",
    "delete_contact": """{
"status": "success",
"message": "The contact ID (3) has been deleted"
}""",
    "get_flow_campaigns": """[
{
"id": "1",
"flow_name": "Flow Campaign 1"
},
{
"id": "2",
"flow_name": "Flow Campaign 2"
},
{
"id": "3",
"flow_name": "Flow Campaign 3"
},
{
"id": "6",
"flow_name": "Flow Campaign 4"
}
]""",
    "get_flow_campaign_info": """{
"id": "1",
"flow_name": "serial check",
"questions": [
"What do you like to do?",
"What is your favorite pet?",
"What is your favorite color?",
"Who is your favorite author?",
"Which country do you love to live in?"
]
}""",
    "get_single_subscriber_flow_info": """{
"id": "1",
"flow_name": "Flow Campaign 1",
"data": [
{
"question_id": "45",
"question": "What do you like to do?",
"answer": "Reading, Traveling, Watching Movies"
},
{
"question_id": "46",
"question": "What is your favorite pet?",
"answer": "Dog"
}
]
}""",
    "get_all_subscriber_flow_info": """{
"id": "1",
"flow_name": "serial check",
"data": {
"2499454673490220": [
{
"question_id": "45",
"question": "What do you like to do?",
"answer": "Reading, Traveling, Watching Movies"
},
{
"question_id": "46",
"question": "What is your favorite pet?",
"answer": "Dog"
}
],
"3001440154747507": [
{
"question_id": "45",
"question": "What do you like to do?",
"answer": "Traveling, Watching Movies"
}
]
}
}""",
}


def examples(answers: dict[str, str]) -> XeroChatBackend:
    """A client whose every answer is the reference's example for the endpoint called."""

    def handler(request: httpx.Request) -> httpx.Response:
        endpoint = request.url.path.removeprefix("/api/").split("/")[0]
        # A PHP page's default type: the parsers read the body whatever it is labelled.
        return httpx.Response(
            200, content=answers[endpoint].encode(), headers={"content-type": "text/html"}
        )

    connection = Connection(base_url=BASE_URL, secret=DEMO_API_KEY)
    return XeroChatBackend(connection, transport=httpx.MockTransport(handler))


async def test_the_references_example_answers_parse() -> None:
    async with examples(EXAMPLES) as client:
        assert isinstance(client, XeroChatBackend)
        user = await client.system_user(user_id=39)
        assert user == SystemUser(
            id=39,
            name="test_username",
            email="test_user@test.com",
            mobile="01234567891",
            address="Heaven 21",
            user_type="Member",
            active=True,
            package_id=16,
            created_at=datetime(2020, 9, 27, 8, 13, 1, tzinfo=UTC),
            # 0000-00-00 00:00:00 is MySQL's "never".
            last_login_at=None,
            last_login_ip="127.0.0.1",
            expires_at=datetime(2020, 10, 27, tzinfo=UTC),
        )
        new_user = UserInput(
            name="n", email="n@x.io", password="p", package_id=16, expires_on=date(2030, 1, 1)
        )
        assert (await client.create_system_user(new_user)).id == 39  # read back by its id
        assert (await client.update_system_user(39, UserInput(name="m"))).id == 39
        packages = await client.packages()
        # "251,80,79,263,65, ..." is the reference's ellipsis: the ids before it are kept.
        assert packages[0] == Package(
            1, "Trial", (251, 80, 79, 263, 65), "0", 0, False, False, False
        )
        assert (packages[1].price, packages[1].validity_days, packages[1].visible) == (
            "112.35",
            700,
            True,
        )
        subscriber = await client.subscriber("134242424")
        assert (subscriber.id, subscriber.page_id, subscriber.full_name) == (
            "134242424",
            "1123123123123",
            "test_full_name",
        )
        assert (subscriber.label_ids, subscriber.birthdate, subscriber.subscribed_at) == (
            (),
            None,
            None,
        )
        assert await client.labels("1123123123123") == [
            Label("2472856209402188", "Important"),
            Label("2328660457215897", "Product"),
        ]
        # A label id is text: its leading zero stays.
        assert await client.create_label("1", "VIP") == Label("012345678790", "VIP")
        await client.assign_labels("1", "2", ["6243946525492645", "9452768492754035"])
        assert await client.group(4567) == Group(4567, "Group 12")
        assert await client.create_group("Group 12") == Group(276, "Group 12")
        assert await client.update_group(4567, "Group 13") == Group(4567, "Group 13")
        await client.delete_group(2)
        contact = await client.contact(233)
        assert contact == Contact(
            id=233,
            email="test@test.com",
            phone="01234567891",
            name="test_first_name",
            surname="test_last_name",
            groups=(GroupRef(67, ""),),
        )
        assert await client.create_contact(ContactInput(email="a@b.co", group_ids=(67,))) == contact
        assert await client.update_contact(233, ContactInput(name="x")) == contact
        await client.delete_contact(3)
        assert await client.flow_campaigns() == [
            FlowCampaign(1, "Flow Campaign 1"),
            FlowCampaign(2, "Flow Campaign 2"),
            FlowCampaign(3, "Flow Campaign 3"),
            FlowCampaign(6, "Flow Campaign 4"),
        ]
        flow = await client.flow_campaign(1)
        assert (flow.name, len(flow.questions), flow.questions[4]) == (
            "serial check",
            5,
            "Which country do you love to live in?",
        )
        one = await client.flow_answers(1, subscriber_id="2499454673490220")
        assert one.subscribers == (
            SubscriberAnswers(
                "2499454673490220",
                (
                    FlowAnswer(
                        "45", "What do you like to do?", "Reading, Traveling, Watching Movies"
                    ),
                    FlowAnswer("46", "What is your favorite pet?", "Dog"),
                ),
            ),
        )
        every = await client.flow_answers(1)
        assert [(s.subscriber_id, len(s.answers)) for s in every.subscribers] == [
            ("2499454673490220", 2),
            ("3001440154747507", 1),
        ]


# Each "Error Result Example", and the error class it is reported as.
ERROR_EXAMPLES = [
    ("get_user_info", "No Matching User Found", NotFound, lambda c: c.system_user(user_id=1)),
    (
        "create_system_user",
        "Email already exists",
        BadRequest,
        lambda c: c.create_system_user(
            UserInput(name="n", email="n@x.io", password="p", package_id=1, expires_on=date.today())
        ),
    ),
    (
        "update_user",
        "User not found with the ID: 12",
        NotFound,
        lambda c: c.update_system_user(12, UserInput(name="x")),
    ),
    (
        "get_all_packages",
        "Either API Key Invalid or Member Validity Expired",
        AuthError,
        lambda c: c.packages(),
    ),
    (
        "subscriber_information",
        " No Matching Subscriber Found",
        NotFound,
        lambda c: c.subscriber("1"),
    ),
    ("create_label", "No Enabled Bot Found", BadRequest, lambda c: c.create_label("1", "x")),
    (
        "assign_label",
        "(#100) The user ID is not valid.",
        BadRequest,
        lambda c: c.assign_labels("1", "2", ["3"]),
    ),
    (
        "assign_label",
        "No Enabled Bot Found",
        BadRequest,
        lambda c: c.assign_labels("1", "2", ["3"]),
    ),
    ("get_contact_group", "The contact type ID is required", BadRequest, lambda c: c.group(1)),
    (
        "create_contact_group",
        "The contact type name is required",
        BadRequest,
        lambda c: c.create_group("x"),
    ),
    (
        "update_contact_group",
        "The contact type name is required",
        BadRequest,
        lambda c: c.update_group(1, "x"),
    ),
    (
        "delete_contact_group",
        "The contact_type_id field is required",
        BadRequest,
        lambda c: c.delete_group(1),
    ),
    ("get_contact", "The contact ID does not exist", NotFound, lambda c: c.contact(1)),
    (
        "create_contact",
        "The email or phone_number is required",
        BadRequest,
        lambda c: c.create_contact(ContactInput(email="a@b.co", group_ids=(1,))),
    ),
    (
        "update_contact",
        "You should at least provide value for first name or last name or email or phone number",
        BadRequest,
        lambda c: c.update_contact(1, ContactInput(name="x")),
    ),
    ("delete_contact", "The contact ID does not exist", NotFound, lambda c: c.delete_contact(1)),
    (
        "get_flow_campaign_info",
        "The flow_campaign_id field is required",
        BadRequest,
        lambda c: c.flow_campaign(1),
    ),
    (
        "get_single_subscriber_flow_info",
        "The flow campaign ID does not exist",
        NotFound,
        lambda c: c.flow_answers(1, subscriber_id="2"),
    ),
]


@pytest.mark.parametrize(("endpoint", "message", "error", "call"), ERROR_EXAMPLES)
async def test_the_references_error_examples(
    endpoint: str,
    message: str,
    error: type[SwitchboardError],
    call: Callable[[XeroChatBackend], Awaitable[object]],
) -> None:
    body = f'{{\n"status": "error",\n"message": "{message}"\n}}'
    async with examples({**EXAMPLES, endpoint: body}) as client:
        assert isinstance(client, XeroChatBackend)
        with pytest.raises(error) as caught:
            await call(client)
    assert caught.value.message == message.strip()


async def test_the_no_label_error_example_is_an_empty_list() -> None:
    body = '{\n"status": "error",\n"message": "No Matching Label Found"\n}'
    async with examples({"get_all_labels": body}) as client:
        assert await client.labels("1") == []


# --- capabilities and malformed answers -------------------------------------------------------


def test_capabilities_and_account_form() -> None:
    assert XeroChatBackend.capabilities == frozenset(
        {
            Capability.CONTACTS,
            Capability.GROUPS,
            Capability.FLOWS,
            Capability.LABELS,
            Capability.SUBSCRIBERS,
            Capability.USERS,
        }
    )
    assert not XeroChatBackend.supports(Capability.SMS)
    assert XeroChatBackend.needs_username is False
    assert XeroChatBackend.secret_label == "API key"
    assert XeroChatBackend.extra_fields == ()


def mocked(body: Any, secret: str = DEMO_API_KEY, status: int = 200) -> XeroChatBackend:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body)

    connection = Connection(base_url=BASE_URL, secret=secret)
    return XeroChatBackend(connection, transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("body", "call"),
    [
        ({"status": "success"}, lambda b: b.system_user(user_id=1)),
        ({"status": "success", "user_info": {"id": "x"}}, lambda b: b.system_user(user_id=1)),
        ({"status": "success", "packages": {}}, lambda b: b.packages()),
        ({"id": "1"}, lambda b: b.flow_campaigns()),
        ({"id": "1", "data": "oops"}, lambda b: b.flow_answers(1)),
        ({"status": "weird"}, lambda b: b.delete_contact(1)),
        ({"status": "success"}, lambda b: b.create_group("x")),
    ],
)
async def test_malformed_answers(
    body: Any, call: Callable[[XeroChatBackend], Awaitable[object]]
) -> None:
    async with mocked(body) as client:
        assert isinstance(client, XeroChatBackend)
        with pytest.raises(MalformedResponse):
            await call(client)


# --- the emulator as the reference describes it --------------------------------------------


@pytest.fixture
async def raw(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox"
    ) as client:
        yield client


async def test_emulator_accepts_the_documented_get_with_query(raw: httpx.AsyncClient) -> None:
    # The reference's curl examples: GET with the key in the query, trailing slash.
    response = await raw.get(f"/api/get_user_info/?api_key={DEMO_API_KEY}&user_id=39")
    assert response.status_code == 200
    assert response.json()["user_info"]["name"] == "test_username"
    # ...and its POST-with-query example for flow campaign info.
    response = await raw.post(
        f"/api/get_flow_campaign_info/?api_key={DEMO_API_KEY}&flow_campaign_id=1"
    )
    assert response.json()["flow_name"] == "serial check"


async def test_emulator_error_shape(raw: httpx.AsyncClient) -> None:
    # The documented error body, for a request the reference accepts (missing fields
    # are refused by the rules: see test_xerochat_rules.py).
    response = await raw.get("/api/get_contact", params={"api_key": DEMO_API_KEY, "contact_id": 9})
    assert response.status_code == 200
    assert response.json() == {"status": "error", "message": "The contact ID does not exist"}


async def test_emulator_answers_strings_like_php(raw: httpx.AsyncClient) -> None:
    group = await raw.get(f"/api/get_contact_group?api_key={DEMO_API_KEY}&contact_type_id=67")
    assert group.json() == {
        "id": "67",
        "user_id": "1",
        "type": "Customers",
        "created_at": "2024-10-31 09:00:00",
        "deleted": "0",
    }
    created = await raw.post(
        "/api/create_contact_group", data={"api_key": DEMO_API_KEY, "name": "N"}
    )
    assert created.json() == {"status": "success", "contact_type_id": 276}


async def test_emulator_update_user_alias_path(
    raw: httpx.AsyncClient, state: XeroChatState
) -> None:
    # The reference's prose names /create_system_user/{userId} for updates.
    response = await raw.post(
        "/api/create_system_user/39", data={"api_key": DEMO_API_KEY, "address": "Elsewhere 2"}
    )
    assert response.json() == {"status": "success"}
    response = await raw.post(
        "/api/update_user/39", data={"api_key": DEMO_API_KEY, "address": "Elsewhere 2"}
    )
    assert response.json() == {"status": "success"}
    assert state.users[39].address == "Elsewhere 2"


async def test_emulator_scopes_data_to_the_keys_user(app: Starlette) -> None:
    async with connect(app, MEMBER_API_KEY) as member:
        with pytest.raises(NotFound):
            await member.contact(233)
        assert await member.flow_campaigns() == []


async def test_unknown_endpoint_never_leaves(backend: XeroChatBackend, log: RequestLog) -> None:
    with pytest.raises(InvalidInput, match="not an endpoint the XeroChat reference documents"):
        await backend._get("no_such_endpoint")
    assert len(log) == 0


def shape(value: Any) -> Any:
    """A JSON value's shape: objects by key, lists by their items' shape, scalars by type."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        shapes = [shape(v) for v in value]
        assert all(s == shapes[0] for s in shapes), shapes
        return shapes[:1]
    return type(value).__name__


# A request the reference accepts for each endpoint, on the seeded emulator, keyed by the
# example its answer must look like.
SHAPED = [
    ("GET", "get_user_info", {"user_id": "39"}),
    ("POST", "create_system_user", {"name": "N", "email": "n@x.io", "password": "p",
                                    "package_id": "16", "expired_date": "2030-01-01"}),
    ("POST", "update_user/39", {"address": "Elsewhere 2"}),
    ("GET", "get_all_packages", {}),
    ("GET", "subscriber_information", {"subscriber_id": ANA}),
    ("GET", "get_all_labels", {"page_id": DEMO_PAGE_ID}),
    ("POST", "create_label", {"label_name": "VIP", "page_id": DEMO_PAGE_ID}),
    ("POST", "assign_label", {"label_ids": PRODUCT, "page_id": DEMO_PAGE_ID,
                              "subscriber_id": BRUNO}),
    ("GET", "get_contact_group", {"contact_type_id": "67"}),
    ("POST", "create_contact_group", {"name": "Walk-ins"}),
    ("POST", "update_contact_group/67", {"name": "Clients"}),
    ("POST", "delete_contact_group", {"contact_type_id": "68"}),
    ("GET", "get_contact", {"contact_id": "233"}),
    ("POST", "create_contact", {"contact_type_id": "67", "email": "zoe@example.com"}),
    ("POST", "update_contact/233", {"first_name": "Dima"}),
    ("POST", "delete_contact", {"contact_id": "234"}),
    ("GET", "get_flow_campaigns", {}),
    ("GET", "get_flow_campaign_info", {"flow_campaign_id": "1"}),
    ("GET", "get_single_subscriber_flow_info", {"flow_campaign_id": "1", "subscriber_id": ANA}),
    ("GET", "get_all_subscriber_flow_info", {"flow_campaign_id": "1"}),
]  # fmt: skip


@pytest.mark.parametrize(("method", "endpoint", "fields"), SHAPED)
async def test_the_emulator_answers_the_documented_shapes(
    raw: httpx.AsyncClient, method: str, endpoint: str, fields: dict[str, str]
) -> None:
    values = {"api_key": DEMO_API_KEY, **fields}
    if method == "GET":
        response = await raw.get(f"/api/{endpoint}", params=values)
    else:
        response = await raw.post(f"/api/{endpoint}", data=values)
    assert response.status_code == 200
    example = orjson.loads(EXAMPLES[endpoint.split("/")[0]])
    answer = response.json()
    if endpoint == "get_all_subscriber_flow_info":
        # Keyed by subscriber id: the keys differ, each subscriber's answers look alike.
        example["data"] = shape(next(iter(example["data"].values())))
        answer["data"] = shape(next(iter(answer["data"].values())))
    assert shape(answer) == shape(example)


# --- the api_key stays secret -----------------------------------------------------------------


HIDDEN_KEY = "Wr0ng-key+that/must stay hidden"


async def test_api_key_never_in_logs_or_errors(
    app: Starlette, log: RequestLog, caplog: pytest.LogCaptureFixture
) -> None:
    """The GETs carry the key in their query string, as documented; no DEBUG log line and
    no error shows it, raw or percent-encoded."""
    caplog.set_level(logging.DEBUG, logger="switchboard")
    errors: list[SwitchboardError] = []
    async with connect(app) as client:
        assert isinstance(client, XeroChatBackend)
        await client.packages()
        await client.flow_answers(1)
        await client.contact(233)
        await client.create_label(DEMO_PAGE_ID, "Keyless")
        for failing in (
            client.contact(999),  # the provider's NotFound
            client.labels(NO_BOT_PAGE_ID),  # the provider's BadRequest
            client._get("nope"),  # refused locally: no such endpoint
            client.subscriber("not a psid"),  # refused locally: a field's format
        ):
            try:
                await failing
            except SwitchboardError as exc:
                errors.append(exc)
    async with connect(app, HIDDEN_KEY) as wrong:
        try:
            await wrong.flow_campaigns()
        except SwitchboardError as exc:
            errors.append(exc)
    assert [type(e).__name__ for e in errors] == [
        "NotFound",
        "BadRequest",
        "InvalidInput",
        "InvalidInput",
        "AuthError",
    ]
    # The exchanges were logged at DEBUG, their URLs with the key redacted.
    lines = [r.getMessage() for r in caplog.records if r.name == "switchboard.http"]
    assert any("GET " in line and "api_key=***" in line for line in lines), lines
    assert any(line.startswith("refused before sending") for line in lines), lines
    gets = [r for r in log.requests if r.method == "GET"]
    assert gets and all(parse_qsl(r.query_string)[0][0] == "api_key" for r in gets)
    for key in (DEMO_API_KEY, HIDDEN_KEY):
        for shown in (key, quote(key), quote_plus(key)):
            assert shown not in caplog.text
            for error in errors:
                assert shown not in str(error) and shown not in repr(error)
    # POSTs keep it in their form body, out of the URL.
    assert all("api_key" not in r.query_string for r in log.requests if r.method == "POST")


async def test_a_key_echoed_by_the_provider_is_scrubbed() -> None:
    async with mocked({"status": "error", "message": f"API Key Invalid: {DEMO_API_KEY}"}) as c:
        with pytest.raises(AuthError) as caught:
            await c.flow_campaigns()
    assert DEMO_API_KEY not in str(caught.value)
    assert caught.value.message == "API Key Invalid: ***"


async def test_connect_failure_message_has_no_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="switchboard")
    # Port 9 on loopback (discard) is closed on the test machines: connection refused.
    connection = Connection(base_url="http://127.0.0.1:9/api", secret=DEMO_API_KEY)
    async with XeroChatBackend(connection) as client:
        with pytest.raises(ConnectFailed) as caught:
            await client.flow_campaigns()
    assert DEMO_API_KEY not in str(caught.value) and DEMO_API_KEY not in caplog.text


async def test_a_get_with_the_key_in_the_query_is_redacted(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    """Were the key ever sent in a query (as the reference's curls do), logs redact it."""
    # What tui.logs does: httpx's own INFO line prints full URLs. (Set first: each call
    # also sets the capture handler's level.)
    caplog.set_level(logging.WARNING, logger="httpx")
    caplog.set_level(logging.DEBUG, logger="switchboard")
    http = HttpClient(
        provider="xerochat",
        base_url=BASE_URL,
        transport=httpx.ASGITransport(app=app),
        secrets=(DEMO_API_KEY,),
    )
    try:
        response = await http.request("GET", "get_all_packages", params={"api_key": DEMO_API_KEY})
    finally:
        await http.aclose()
    assert response.json()["status"] == "success"
    assert "api_key=***" in caplog.text
    assert DEMO_API_KEY not in caplog.text


async def test_backend_type_for_generic_callers(app: Starlette) -> None:
    client: Backend = connect(app)
    async with client:
        assert isinstance(await client.flow_campaign(2), FlowCampaign)


def test_a_multiple_choice_answer_counts_once_per_option_picked() -> None:
    def flow(*answers: tuple[str, str]) -> FlowAnswers:
        return FlowAnswers(
            1,
            "serial check",
            tuple(
                SubscriberAnswers(str(n), (FlowAnswer(qid, f"Q{qid}", text),))
                for n, (qid, text) in enumerate(answers)
            ),
        )

    # The reference's two respondents, and one who picked a single option.
    picks = flow(
        ("45", "Reading, Traveling, Watching Movies"),
        ("45", "Traveling, Watching Movies"),
        ("45", "Reading"),
    )
    assert picks.summary() == (
        QuestionSummary(
            "45",
            "Q45",
            3,
            (
                AnswerCount("Reading", 2),
                AnswerCount("Traveling", 2),
                AnswerCount("Watching Movies", 2),
            ),
        ),
    )
    # Free text with a comma is one answer: no part of it recurs in another answer.
    free = flow(("62", "Nothing, all good"), ("62", "Prices"), ("62", "Nothing, all good"))
    assert free.summary()[0].counts == (
        AnswerCount("Nothing, all good", 2),
        AnswerCount("Prices", 1),
    )
    # An option named twice in one answer is one pick.
    twice = flow(("45", "Dog, Dog, Cat"), ("45", "Cat"))
    assert twice.summary()[0].counts == (AnswerCount("Cat", 2), AnswerCount("Dog", 1))


def test_the_sandbox_answers_multiple_choice_as_the_reference_shows() -> None:
    from backends.sandbox.xerochat.seed import populate
    from backends.sandbox.xerochat.state import XeroChatState

    state = XeroChatState()
    populate(state, seed=7)
    answers = [a["45"] for a in state.flows[1].answers.values() if "45" in a]
    options = ("Reading", "Traveling", "Watching Movies")
    assert any(", " in a for a in answers)
    for answer in answers:
        parts = answer.split(", ")
        assert parts == sorted(parts, key=options.index) and len(set(parts)) == len(parts)
