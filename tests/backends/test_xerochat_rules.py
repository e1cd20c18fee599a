"""XeroChat's request rules (`backends/xerochat/rules.py`) on both sides of the wire.

Each rule three times: the client refuses the request before it leaves (nothing reaches
the sandbox), and the sandbox, sent the same request raw, refuses it with XeroChat's
documented error body. The reference's own curl examples pass.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backends.base import Connection
from backends.errors import InvalidInput
from backends.http import HttpClient, path
from backends.models.common import ContactInput
from backends.rules import SEEN, Outgoing
from backends.sandbox.core import RequestLog
from backends.sandbox.xerochat import DEMO_API_KEY, DEMO_PAGE_ID, XeroChatState, create_app
from backends.xerochat.client import XeroChatBackend
from backends.xerochat.models import UserInput
from backends.xerochat.rules import RULES

BASE_URL = "http://sandbox/api"
ANA = "2499454673490220"
KEY = {"api_key": DEMO_API_KEY}


@pytest.fixture
def app() -> Starlette:
    return create_app()


@pytest.fixture
def state(app: Starlette) -> XeroChatState:
    s: XeroChatState = app.state.xerochat
    return s


@pytest.fixture
def log(app: Starlette) -> RequestLog:
    requests: RequestLog = app.state.log
    return requests


@pytest.fixture
async def backend(app: Starlette) -> AsyncIterator[XeroChatBackend]:
    connection = Connection(base_url=BASE_URL, secret=DEMO_API_KEY)
    client = XeroChatBackend(connection, transport=httpx.ASGITransport(app=app))
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[HttpClient]:
    """The client's HTTP layer with XeroChat's rules, for requests the backend never builds."""
    client = HttpClient(
        provider="xerochat",
        base_url=BASE_URL,
        transport=httpx.ASGITransport(app=app),
        secrets=(DEMO_API_KEY,),
        rules=RULES,
    )
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def raw(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client on the sandbox: what it sends is not checked before it leaves."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox"
    ) as client:
        yield client


# --- the endpoints ---------------------------------------------------------------------------

# Every endpoint of the reference, with the method its prose names ("you need to make a
# GET call to the following endpoint: ..."). Two have a second documented form: the
# update-user curl's update_user path beside the prose's create_system_user/{userId},
# and the flow-info curl's POST beside the prose's GET.
DOCUMENTED = {
    ("GET", "get_user_info"),
    ("POST", "create_system_user"),
    ("POST", "update_user/{userId}"),
    ("POST", "create_system_user/{userId}"),
    ("GET", "get_all_packages"),
    ("GET", "subscriber_information"),
    ("GET", "get_all_labels"),
    ("POST", "create_label"),
    ("POST", "assign_label"),
    ("GET", "get_contact_group"),
    ("POST", "create_contact_group"),
    ("POST", "update_contact_group/{contact_type_id}"),
    ("POST", "delete_contact_group"),
    ("GET", "get_contact"),
    ("POST", "create_contact"),
    ("POST", "update_contact/{contact_id}"),
    ("POST", "delete_contact"),
    ("GET", "get_flow_campaigns"),
    ("GET", "get_flow_campaign_info"),
    ("POST", "get_flow_campaign_info"),
    ("GET", "get_single_subscriber_flow_info"),
    ("GET", "get_all_subscriber_flow_info"),
}


def test_every_documented_endpoint_is_declared_once() -> None:
    declared = [(ep.method, "/".join(ep.template)) for ep in RULES.endpoints]
    assert sorted(declared) == sorted(DOCUMENTED)


# The reference's curl examples, as they are written (trailing slash included).
CURLS = [
    ("GET", "/api/get_user_info/?api_key=k&user_id=39", ""),
    ("GET", "/api/get_user_info/?api_key=k&email=test_user@test.com", ""),
    ("POST", "/api/create_system_user", "api_key=k&name=n&email=e@x.io&password=p&package_id=16"
     "&expired_date=2026-01-31"),
    ("POST", "/api/update_user/12", "api_key=k&name=n&mobile=0123&address=a&package_id=1"
     "&expired_date=2026-01-31"),
    ("POST", "/api/create_system_user/12", "api_key=k&address=a"),
    ("GET", "/api/get_all_packages/?api_key=k", ""),
    ("GET", "/api/subscriber_information/?api_key=k&subscriber_id=134242424", ""),
    ("GET", "/api/get_all_labels/?api_key=k&page_id=1123123123123", ""),
    ("POST", "/api/create_label", "api_key=k&label_name=Important&page_id=1123123123123"),
    ("POST", "/api/assign_label", "api_key=k&label_ids=6243946525492645,9452768492754035"
     "&page_id=1&subscriber_id=2"),
    ("GET", "/api/get_contact_group/?api_key=k&contact_type_id=4567", ""),
    ("POST", "/api/create_contact_group", "api_key=k&name=Group+12"),
    ("POST", "/api/update_contact_group/4567", "api_key=k&name=Group+13"),
    ("POST", "/api/delete_contact_group", "api_key=k&contact_type_id=2"),
    ("GET", "/api/get_contact/?api_key=k&contact_id=233", ""),
    ("POST", "/api/create_contact", "api_key=k&contact_type_id=67&email=a@b.co&phone_number=0123"
     "&first_name=f&last_name=l"),
    ("POST", "/api/update_contact/233", "api_key=k&email=a@b.co&phone_number=0123&first_name=f"
     "&last_name=l"),
    ("POST", "/api/delete_contact", "api_key=k&contact_id=3"),
    ("GET", "/api/get_flow_campaigns/?api_key=k", ""),
    ("POST", "/api/get_flow_campaign_info/?api_key=k&flow_campaign_id=1", ""),
    ("GET", "/api/get_flow_campaign_info?api_key=k&flow_campaign_id=1", ""),
    ("GET", "/api/get_single_subscriber_flow_info/?api_key=k&flow_campaign_id=1"
     "&subscriber_id=2499454673490220", ""),
    ("GET", "/api/get_all_subscriber_flow_info/?api_key=k&flow_campaign_id=1", ""),
]  # fmt: skip


@pytest.mark.parametrize(("method", "target", "form"), CURLS)
def test_the_references_examples_pass(method: str, target: str, form: str) -> None:
    raw_path, _, query = target.partition("?")
    out = Outgoing.from_wire(
        method,
        raw_path,
        root="/api",
        query_string=query,
        content_type="application/x-www-form-urlencoded" if form else "",
        body=form.encode(),
    )
    assert RULES.check(out) == []


# --- each rule, refused by the client and by the sandbox -------------------------------------


@dataclass(frozen=True)
class Bad:
    """A request breaking one rule: where it goes, what it carries, what is answered."""

    method: str
    endpoint: str
    fields: dict[str, str] = field(default_factory=dict)
    message: str = ""
    status: int = 200
    # Where the fields go: the documented place unless a rule about placement is tested.
    place: str = ""

    @property
    def where(self) -> str:
        return self.place or ("query" if self.method == "GET" else "form")


BAD = [
    # Methods and paths.
    Bad("POST", "get_contact", {**KEY, "contact_id": "233"},
        "uses a method the XeroChat reference does not document here", 405),
    Bad("GET", "create_contact_group", {**KEY, "name": "x"},
        "uses a method the XeroChat reference does not document here", 405),
    Bad("GET", "no_such_endpoint", dict(KEY),
        "is not an endpoint the XeroChat reference documents", 404),
    # Where parameters go.
    Bad("GET", "get_contact", {**KEY, "contact_id": "233"},
        "GET parameters go in the query string, not in a body", place="form"),
    Bad("POST", "delete_contact", {**KEY, "contact_id": "234"},
        "POST parameters go in a form-encoded body", place="query"),
    Bad("POST", "delete_contact", {**KEY, "contact_id": "234"},
        "POST parameters go in a form-encoded body", place="json"),
    # The api_key.
    Bad("GET", "get_flow_campaigns", {}, "the api_key is missing"),
    Bad("POST", "create_contact_group", {"api_key": " ", "name": "x"}, "the api_key is missing"),
    # Fields outside an endpoint's table, or given twice.
    Bad("GET", "get_all_packages", {**KEY, "page": "2"},
        "page: not a field of this endpoint (allowed: only api_key)"),
    Bad("POST", "update_user/39", {**KEY, "email": "new@x.io"},
        "email: not a field of this endpoint"),
    Bad("POST", "create_contact", {**KEY, "contact_type_id": "67", "email": "a@b.co",
                                   "external_id": "7"},
        "external_id: not a field of this endpoint"),
    # Required fields, with the reference's own messages where it has one.
    Bad("GET", "get_user_info", dict(KEY), "Either user_id or email is required"),
    Bad("GET", "get_user_info", {**KEY, "user_id": "39", "email": "a@b.co"},
        "give either user_id or email, not both"),
    Bad("POST", "create_system_user", {**KEY, "name": "n", "email": "e@x.io", "password": "p",
                                       "package_id": "16"},
        "The expired_date field is required"),
    Bad("POST", "update_user/39", dict(KEY),
        "You need to provide at least one more parameter with the api_key"),
    Bad("GET", "subscriber_information", dict(KEY), "The subscriber_id field is required"),
    Bad("GET", "get_all_labels", dict(KEY), "The page_id field is required"),
    Bad("POST", "create_label", {**KEY, "page_id": DEMO_PAGE_ID},
        "The label_name field is required"),
    Bad("POST", "assign_label", {**KEY, "page_id": DEMO_PAGE_ID, "subscriber_id": ANA},
        "The label_ids field is required"),
    Bad("GET", "get_contact_group", dict(KEY), "The contact type ID is required"),
    Bad("POST", "create_contact_group", {**KEY, "name": "  "}, "The contact type name is required"),
    Bad("POST", "update_contact_group/67", dict(KEY), "The contact type name is required"),
    Bad("POST", "delete_contact_group", dict(KEY), "The contact_type_id field is required"),
    Bad("GET", "get_contact", dict(KEY), "The contact_id field is required"),
    Bad("POST", "create_contact", {**KEY, "contact_type_id": "67", "first_name": "x"},
        "The email or phone_number is required"),
    Bad("POST", "update_contact/233", {**KEY, "first_name": ""},
        "You should at least provide value for first name or last name or email or phone number"),
    Bad("POST", "delete_contact", dict(KEY), "The contact_id field is required"),
    Bad("GET", "get_flow_campaign_info", dict(KEY), "The flow_campaign_id field is required"),
    Bad("GET", "get_single_subscriber_flow_info", {**KEY, "flow_campaign_id": "1"},
        "The subscriber_id field is required"),
    Bad("GET", "get_all_subscriber_flow_info", dict(KEY),
        "The flow_campaign_id field is required"),
    # Value formats.
    Bad("GET", "get_user_info", {**KEY, "user_id": "39a"},
        "The user_id field must contain a whole number"),
    Bad("GET", "get_user_info", {**KEY, "email": "not-an-email"},
        "The email field must contain a valid email address"),
    Bad("POST", "create_system_user", {**KEY, "name": "n", "email": "e@x.io", "password": "p",
                                       "package_id": "16", "expired_date": "31/01/2026"},
        "The expired_date field must be a date in YYYY-MM-DD format"),
    Bad("POST", "update_user/39", {**KEY, "expired_date": "2026-02-30"},
        "The expired_date field must be a date in YYYY-MM-DD format"),
    Bad("POST", "update_user/39", {**KEY, "mobile": "+34 600 11 22"},
        "The mobile field must contain only digits"),
    Bad("POST", "update_user/39", {**KEY, "package_id": "gold"},
        "The package_id field must contain a whole number"),
    Bad("GET", "subscriber_information", {**KEY, "subscriber_id": "ana"},
        "The subscriber_id field must contain a whole number"),
    Bad("GET", "get_all_labels", {**KEY, "page_id": "XeroDevs"},
        "The page_id field must contain a whole number"),
    Bad("POST", "assign_label", {**KEY, "label_ids": "1,,2", "page_id": DEMO_PAGE_ID,
                                 "subscriber_id": ANA},
        "label_ids must be label ids separated by commas, with no empty one"),
    Bad("GET", "get_contact", {**KEY, "contact_id": "-1"},
        "The contact_id field must contain a whole number"),
    Bad("POST", "delete_contact", {**KEY, "contact_id": " 234"},
        "The contact_id field must contain a whole number, not ' 234'"),
    Bad("POST", "create_contact", {**KEY, "contact_type_id": "67", "email": "a@b"},
        "The email field must contain a valid email address"),
    Bad("GET", "get_single_subscriber_flow_info", {**KEY, "flow_campaign_id": "1",
                                                   "subscriber_id": "1 OR 1"},
        "The subscriber_id field must contain a whole number"),
    # Ids in the path: one percent-encoded segment, which must be a number.
    Bad("POST", path("update_contact", "233/../234"), {**KEY, "first_name": "x"},
        "the contact id in the path must be a whole number, not '233/../234'"),
    Bad("POST", path("update_contact_group", "67?x=1"), {**KEY, "name": "x"},
        "the contact type id in the path must be a whole number, not '67?x=1'"),
    Bad("POST", path("update_user", "39 +1"), {**KEY, "name": "x"},
        "the user id in the path must be a whole number, not '39 +1'"),
]  # fmt: skip


def _send_kwargs(bad: Bad) -> dict[str, Any]:
    if bad.where == "query":
        return {"params": bad.fields}
    if bad.where == "json":
        return {"json": bad.fields}
    return {"data": bad.fields}


def _id(bad: Bad) -> str:
    return f"{bad.method} {bad.endpoint} {bad.where}: {bad.message[:40]}"


@pytest.mark.parametrize("bad", BAD, ids=_id)
async def test_the_client_refuses_before_sending(
    http: HttpClient, log: RequestLog, bad: Bad
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await http.request(bad.method, bad.endpoint, **_send_kwargs(bad))
    assert bad.message in caught.value.message
    assert caught.value.message.startswith("xerochat: ") and "\n" not in caught.value.message
    assert DEMO_API_KEY not in caught.value.message
    assert len(log) == 0


@pytest.mark.refused_requests
@pytest.mark.parametrize("bad", BAD, ids=_id)
async def test_the_sandbox_refuses_with_the_documented_error(
    raw: httpx.AsyncClient, log: RequestLog, state: XeroChatState, bad: Bad
) -> None:
    contacts, groups = len(state.contacts), len(state.groups)
    response = await raw.request(bad.method, f"/api/{bad.endpoint}", **_send_kwargs(bad))
    assert response.status_code == bad.status
    if bad.status == 404:
        # No such endpoint: the framework's plain page, not the API's JSON.
        assert response.text == "404 Not Found"
    else:
        body = response.json()
        assert body["status"] == "error" and bad.message in body["message"]
        assert set(body) == {"status", "message"}
    # Recorded (the recorder is outside the rules), seen by the tests, and nothing changed.
    assert len(log) == 1
    seen = SEEN.take()
    assert {p for p, _, _ in seen} == {"xerochat"} and bad.message in seen[0][2].message
    assert (len(state.contacts), len(state.groups)) == (contacts, groups)


# --- the backend's calls, refused before they leave ------------------------------------------


async def test_a_psid_that_is_not_a_number(backend: XeroChatBackend, log: RequestLog) -> None:
    with pytest.raises(InvalidInput, match="subscriber_id field must contain a whole number"):
        await backend.subscriber("Ana García")
    with pytest.raises(InvalidInput, match="subscriber_id field must contain a whole number"):
        await backend.flow_answers(1, subscriber_id="ana")
    with pytest.raises(InvalidInput, match="subscriber_id field must contain a whole number"):
        await backend.assign_labels(DEMO_PAGE_ID, "ana", ["1"])
    assert len(log) == 0


async def test_a_page_id_that_is_not_a_number(backend: XeroChatBackend, log: RequestLog) -> None:
    with pytest.raises(InvalidInput, match="page_id field must contain a whole number"):
        await backend.labels("XeroDevs")
    with pytest.raises(InvalidInput, match="page_id field must contain a whole number"):
        await backend.create_label("XeroDevs", "VIP")
    assert len(log) == 0


async def test_a_blank_label_name(backend: XeroChatBackend, log: RequestLog) -> None:
    with pytest.raises(InvalidInput, match="The label_name field is required"):
        await backend.create_label(DEMO_PAGE_ID, " ")
    assert len(log) == 0


async def test_user_fields_formats(backend: XeroChatBackend, log: RequestLog) -> None:
    good = UserInput(
        name="N", email="n@x.io", password="p", package_id=16, expires_on=date(2030, 1, 1)
    )
    with pytest.raises(InvalidInput, match="email field must contain a valid email address"):
        await backend.create_system_user(replace(good, email="n at x.io"))
    with pytest.raises(InvalidInput, match="mobile field must contain only digits"):
        await backend.create_system_user(replace(good, mobile="06-12"))
    with pytest.raises(InvalidInput, match="mobile field must contain only digits"):
        await backend.update_system_user(39, UserInput(mobile="call me"))
    with pytest.raises(InvalidInput, match="email field must contain a valid email address"):
        await backend.system_user(email="nobody")
    assert len(log) == 0


async def test_contact_email_format(backend: XeroChatBackend, log: RequestLog) -> None:
    with pytest.raises(InvalidInput, match="email field must contain a valid email address"):
        await backend.create_contact(ContactInput(email="zoe@", group_ids=(67,)))
    with pytest.raises(InvalidInput, match="email field must contain a valid email address"):
        await backend.update_contact(235, ContactInput(email="zoe example.com"))
    assert len(log) == 0


async def test_an_empty_label_id_among_several(backend: XeroChatBackend, log: RequestLog) -> None:
    with pytest.raises(InvalidInput, match="label_ids must be label ids separated by commas"):
        await backend.assign_labels(DEMO_PAGE_ID, ANA, ["1", " "])
    assert len(log) == 0


async def test_a_mobile_with_a_leading_plus_is_numeric(
    backend: XeroChatBackend, state: XeroChatState
) -> None:
    user = await backend.update_system_user(39, UserInput(mobile="+34600111222"))
    assert user.mobile == state.users[39].mobile == "+34600111222"
