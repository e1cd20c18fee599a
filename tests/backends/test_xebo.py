"""The Xebo client against its sandbox: what reached the provider, what came back, errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from backends.base import Capability, Connection
from backends.capabilities import AccountApi, SurveysApi
from backends.errors import (
    AuthError,
    BadRequest,
    ConfigError,
    InvalidInput,
    MalformedResponse,
    NotSupported,
    ServerError,
)
from backends.models.surveys import (
    RejectedContact,
    SurveyContact,
    SurveyMedium,
    SurveySend,
    SurveySendResult,
    check_contacts,
    unique_contacts,
)
from backends.nrs360.client import Nrs360Backend
from backends.rules import Outgoing
from backends.sandbox.core import RecordedRequest, RequestLog
from backends.sandbox.xebo import (
    DEMO_ACCESS_TOKEN,
    DEMO_API_KEY,
    DEMO_COLLECTOR_ID,
    DEMO_COLLECTOR_TOKEN,
    DEMO_OPTIONS,
    XeboState,
    create_app,
)
from backends.xebo.client import (
    TOKEN_EXPIRED_HINT,
    XeboBackend,
    parse_rejected,
    parse_send_result,
    resolve_base_url,
)
from backends.xebo.rules import RULES
from tui.config import Account, validate_account

BASE_URL = "http://sandbox"
PATH = f"/v2/api/collectors/{DEMO_COLLECTOR_ID}/combined/auto"
START = datetime(2025, 3, 10, 12, 0, 0, tzinfo=UTC)


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
def state(app: Starlette) -> XeboState:
    xebo: XeboState = app.state.xebo
    return xebo


@pytest.fixture
def log(app: Starlette) -> RequestLog:
    requests: RequestLog = app.state.log
    return requests


def connect(app: Starlette, secret: str = DEMO_ACCESS_TOKEN, **options: str) -> XeboBackend:
    connection = Connection(BASE_URL, secret=secret, options={**DEMO_OPTIONS, **options})
    return XeboBackend(connection, transport=httpx.ASGITransport(app=app))


@pytest.fixture
async def backend(app: Starlette) -> AsyncIterator[XeboBackend]:
    client = connect(app)
    try:
        yield client
    finally:
        await client.aclose()


def only(log: RequestLog) -> RecordedRequest:
    """The single POST to the documented send path."""
    found = log.matching("POST", PATH)
    assert len(found) == 1, [(r.method, r.path) for r in log.requests]
    request = found[0]
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    return request


def email_send(*emails: str) -> SurveySend:
    return SurveySend(SurveyMedium.EMAIL, tuple(SurveyContact(email=e) for e in emails))


# --- the send --------------------------------------------------------------------------------


async def test_email_send_with_custom_fields(
    backend: XeboBackend, log: RequestLog, state: XeboState
) -> None:
    result = await backend.send_survey(
        SurveySend(
            SurveyMedium.EMAIL,
            (
                SurveyContact(email="john1@s2c.com", fields={"city": "Delhi"}),
                SurveyContact(email="john2@s2c.com", fields={"city": "Mumbai", "age": 41}),
            ),
        )
    )
    request = only(log)
    assert request.headers["authorization"] == f"Bearer {DEMO_ACCESS_TOKEN}"
    assert "x-api-key" not in request.headers
    assert request.query == {}
    assert request.json() == {
        "collectortoken": DEMO_COLLECTOR_TOKEN,
        "medium": 2,
        "contacts": [
            {"email": "john1@s2c.com", "city": "Delhi"},
            {"email": "john2@s2c.com", "city": "Mumbai", "age": 41},
        ],
    }
    assert result == SurveySendResult(
        accepted=2,
        rejected=0,
        rejected_list=(),
        message="Request data is correct",
        message_id=state.sends[0].msg_id,
    )
    assert len(result.message_id) == 24
    assert state.sends[0].contacts[1] == {"email": "john2@s2c.com", "city": "Mumbai", "age": 41}


async def test_api_key_auth_uses_the_x_api_key_header(app: Starlette, log: RequestLog) -> None:
    async with connect(app, DEMO_API_KEY, auth="api-key") as backend:
        result = await backend.send_survey(email_send("a@example.com"))
    request = only(log)
    assert request.headers["x-api-key"] == DEMO_API_KEY
    assert "authorization" not in request.headers
    assert result.accepted == 1


@pytest.mark.parametrize(("medium", "number"), [(SurveyMedium.SMS, 1), (SurveyMedium.WHATSAPP, 3)])
async def test_sms_and_whatsapp_send_to_mobiles(
    backend: XeboBackend, log: RequestLog, medium: SurveyMedium, number: int
) -> None:
    contacts = (SurveyContact(mobile="+919876543210", fields={"name": "Asha"}),)
    result = await backend.send_survey(SurveySend(medium, contacts))
    assert only(log).json()["medium"] == number
    assert only(log).json()["contacts"] == [{"mobile": "+919876543210", "name": "Asha"}]
    assert (result.accepted, result.rejected) == (1, 0)


async def test_rejected_contacts_are_counted_and_listed(
    backend: XeboBackend, state: XeboState
) -> None:
    # Numbers of the right kind that Xebo still refuses one by one: too short, a repeat.
    result = await backend.send_survey(
        SurveySend(
            SurveyMedium.SMS,
            (
                SurveyContact(mobile="919876543210", fields={"city": "Pune"}),
                SurveyContact(mobile="123456"),
                SurveyContact(mobile="+919876543210"),  # the first one again
            ),
        )
    )
    assert (result.accepted, result.rejected) == (1, 2)
    assert result.rejected_list == (
        RejectedContact({"mobile": "123456"}, "invalid mobile"),
        RejectedContact({"mobile": "+919876543210"}, "duplicate mobile"),
    )
    assert [c["mobile"] for c in state.sends[0].contacts] == ["919876543210"]


async def test_campaigns_path_of_the_curl_sample_sends_too(app: Starlette) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        response = await c.post(
            f"/v2/api/collectors/{DEMO_COLLECTOR_ID}/campaigns",
            headers={"Authorization": f"Bearer {DEMO_ACCESS_TOKEN}"},
            json={
                "collectortoken": DEMO_COLLECTOR_TOKEN,
                "medium": 2,
                "contacts": [{"email": "a@b.co"}],
            },
        )
    assert response.status_code == 200
    assert response.json()["data"] == {"accepted": 1, "rejected": 0, "rejected_list": []}


# --- auth ------------------------------------------------------------------------------------


async def test_access_token_expires_after_24_hours(
    app: Starlette, backend: XeboBackend, clock: FakeClock, state: XeboState
) -> None:
    clock.now = START + timedelta(hours=23, minutes=59)
    assert (await backend.send_survey(email_send("a@example.com"))).accepted == 1
    clock.now = START + timedelta(hours=24)
    with pytest.raises(AuthError) as caught:
        await backend.send_survey(email_send("b@example.com"))
    error = caught.value
    assert error.status == 401
    assert error.message == f"The authorization token has expired. ({TOKEN_EXPIRED_HINT})"
    assert "24 hours: log in again and update the secret" in str(error)
    assert len(state.sends) == 1
    # A freshly issued token works again.
    state.issue_token("fresh-token")
    async with connect(app, "fresh-token") as fresh:
        assert (await fresh.send_survey(email_send("b@example.com"))).accepted == 1


async def test_unknown_token_and_api_key_are_refused(app: Starlette) -> None:
    async with connect(app, "wrong-token") as backend:
        with pytest.raises(AuthError, match=r"token is invalid.*24 hours"):
            await backend.send_survey(email_send("a@example.com"))
    async with connect(app, "wrong-key", auth="api-key") as backend:
        with pytest.raises(AuthError, match=r"API key is invalid.*copy it again"):
            await backend.send_survey(email_send("a@example.com"))


async def test_missing_credentials_get_the_documented_401_body(app: Starlette) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        response = await c.post(PATH, json={})
    assert response.status_code == 401
    assert response.json() == {
        "error": {"name": "Unauthorized", "message": "The authorization token was not provided."}
    }


async def test_secret_is_never_logged(app: Starlette, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="switchboard")
    async with connect(app) as backend:
        await backend.send_survey(email_send("a@example.com"))
    assert caplog.records
    assert DEMO_ACCESS_TOKEN not in caplog.text
    assert DEMO_COLLECTOR_TOKEN not in caplog.text


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [{"collector_id": "000000000000000000000000"}, {"collector_token": "J/wrong"}],
)
async def test_unknown_collector_or_token_is_collector_not_found(
    app: Starlette, options: dict[str, str]
) -> None:
    async with connect(app, **options) as backend:
        with pytest.raises(BadRequest) as caught:
            await backend.send_survey(email_send("a@example.com"))
    assert caught.value.status == 400
    assert caught.value.message == "Collector not found"


# --- request rules (xebo_rules): refused by the client and by the emulator ------------------

# Each rule: a body breaking it, and the message the emulator answers (a part of it).
BROKEN_BODIES = [
    (b"{not json", "the body is not valid JSON"),
    (b"[]", "the body must be a JSON object"),
    (
        b'{"collectortoken": "t", "medium": 2, "contacts": [{"email": "a@b.co"}], "x": 1}',
        "x: not a field of the survey send",
    ),
    (b'{"medium": 2, "contacts": [{"email": "a@b.co"}]}', "collectortoken is required"),
    (
        b'{"collectortoken": "t", "medium": 4, "contacts": [{}]}',
        "medium must be 1 (SMS), 2 (Email) or 3 (Whatsapp)",
    ),
    (
        b'{"collectortoken": "t", "medium": true, "contacts": [{}]}',
        "medium must be 1 (SMS), 2 (Email) or 3 (Whatsapp)",
    ),
    (
        b'{"collectortoken": "t", "medium": "2", "contacts": [{}]}',
        "medium must be 1 (SMS), 2 (Email) or 3 (Whatsapp)",
    ),
    (b'{"collectortoken": "t", "medium": 2, "contacts": []}', "contacts must be a non-empty"),
    (b'{"collectortoken": "t", "medium": 2}', "contacts must be a non-empty"),
    (b'{"collectortoken": "t", "medium": 2, "contacts": ["a@b.co"]}', "must be an object"),
    (
        b'{"collectortoken": "t", "medium": 2, "contacts": [{"mobile": "+34666555444"}]}',
        "contacts[0]: no 'email' ('email' is mandatory for Email)",
    ),
    (
        b'{"collectortoken": "t", "medium": 1, "contacts": [{"email": "a@b.co"}]}',
        "contacts[0]: no 'mobile' ('mobile' is mandatory for SMS)",
    ),
    (
        b'{"collectortoken": "t", "medium": 1, "contacts": [{"mobile": "a@b.co"}]}',
        "contacts[0]: 'a@b.co' is not a mobile number",
    ),
    (
        b'{"collectortoken": "t", "medium": 3, "contacts": [{"mobile": "+34666555444"}, '
        b'{"mobile": "call me"}]}',
        "contacts[1]: 'call me' is not a mobile number ('mobile' is mandatory for WhatsApp)",
    ),
    (
        b'{"collectortoken": "t", "medium": 2, "contacts": [{"email": "+34666555444"}]}',
        "contacts[0]: '+34666555444' is not an email address",
    ),
]


@pytest.mark.refused_requests
@pytest.mark.parametrize(("body", "message"), BROKEN_BODIES)
async def test_emulator_refuses_what_the_rules_forbid(
    app: Starlette, state: XeboState, body: bytes, message: str
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        response = await c.post(
            PATH,
            content=body,
            headers={
                "Authorization": f"Bearer {DEMO_ACCESS_TOKEN}",
                "Content-Type": "application/json",
            },
        )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["name"] == "Bad Request"
    assert message in error["message"]
    assert state.sends == []


@pytest.mark.refused_requests
async def test_emulator_checks_the_token_before_the_rules(app: Starlette) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        response = await c.post(PATH, content=b"[]", headers={"Content-Type": "application/json"})
        undocumented = await c.get(PATH, headers={"x-api-key": DEMO_API_KEY})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The authorization token was not provided."
    assert undocumented.status_code == 405
    assert undocumented.json()["error"]["name"] == "Method Not Allowed"


@pytest.mark.parametrize(
    ("medium", "contact", "message"),
    [
        (SurveyMedium.SMS, SurveyContact(email="a@b.co"), "no 'mobile'"),
        (SurveyMedium.SMS, SurveyContact(mobile="a@b.co"), "'a@b.co' is not a mobile number"),
        (SurveyMedium.WHATSAPP, SurveyContact(mobile="12"), "'12' is not a mobile number"),
        (SurveyMedium.EMAIL, SurveyContact(mobile="+34666555444"), "no 'email'"),
        (SurveyMedium.EMAIL, SurveyContact(email="john"), "'john' is not an email address"),
    ],
)
async def test_client_refuses_an_address_of_the_wrong_kind_before_sending(
    backend: XeboBackend,
    log: RequestLog,
    medium: SurveyMedium,
    contact: SurveyContact,
    message: str,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await backend.send_survey(
            SurveySend(medium, (SurveyContact(mobile="+34666555444", email="ok@b.co"), contact))
        )
    assert message in str(caught.value)
    assert "contacts[1]" in str(caught.value)
    assert log.requests == []


def test_reference_example_body_passes_the_rules() -> None:
    # The reference's own payload (with the collectortoken of its cURL sample).
    body = {
        "collectortoken": "J/d5730267",
        "medium": 2,
        "contacts": [
            {"email": "john1@s2c.com", "city": "Delhi"},
            {"email": "john2@s2c.com", "city": "Mumbai"},
        ],
    }
    for path in ("combined/auto", "campaigns"):
        out = Outgoing.from_wire(
            "POST",
            f"/v2/api/collectors/66c70e71f57bd9efe12d691d/{path}",
            content_type="application/json",
            body=orjson.dumps(body),
        )
        assert RULES.check(out) == []


def test_reference_example_answers_parse() -> None:
    ok = parse_send_result(
        {
            "msg": "Request data is correct",
            "msgId": "632882b8927d9b1e87c2b790",
            "data": {"accepted": 2, "rejected": 0, "rejected_list": []},
        }
    )
    assert ok == SurveySendResult(2, 0, (), "Request data is correct", "632882b8927d9b1e87c2b790")


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (
            400,
            {"error": {"name": "Bad Request", "message": "Collector not found"}},
            BadRequest,
            "Collector not found",
        ),
        (
            401,
            {
                "error": {
                    "name": "Unauthorized",
                    "message": "The authorization token was not provided.",
                }
            },
            AuthError,
            "The authorization token was not provided.",
        ),
        (
            500,
            {
                "error": {
                    "name": "Internal Server Error",
                    "message": "We were not able to process your request",
                }
            },
            ServerError,
            "We were not able to process your request",
        ),
    ],
)
async def test_reference_example_errors_parse(
    status: int, body: dict[str, Any], error: type[Exception], message: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body)

    connection = Connection(BASE_URL, secret="an-unrelated-token", options=DEMO_OPTIONS)
    async with XeboBackend(connection, transport=httpx.MockTransport(handler)) as backend:
        with pytest.raises(error) as caught:
            await backend.send_survey(email_send("a@example.com"))
    assert str(getattr(caught.value, "message", "")).startswith(message)


async def test_server_error_is_the_documented_500(
    backend: XeboBackend, state: XeboState, log: RequestLog
) -> None:
    state.faults.append(500)
    with pytest.raises(ServerError) as caught:
        await backend.send_survey(email_send("a@example.com"))
    assert caught.value.message == "We were not able to process your request"
    assert state.sends == []
    assert len(log) == 1  # the failed request was still recorded


async def test_malformed_answer_is_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"msg": "ok"})

    connection = Connection(BASE_URL, secret="t", options=DEMO_OPTIONS)
    async with XeboBackend(connection, transport=httpx.MockTransport(handler)) as backend:
        with pytest.raises(MalformedResponse, match="no data object"):
            await backend.send_survey(email_send("a@example.com"))


# --- configuration -----------------------------------------------------------------------------


async def test_env_fills_the_base_url_template() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(
            200, json={"data": {"accepted": 1, "rejected": 0, "rejected_list": []}}
        )

    options = {**DEMO_OPTIONS, "env": "az4"}
    connection = Connection(XeboBackend.default_base_url, secret="t", options=options)
    async with XeboBackend(connection, transport=httpx.MockTransport(handler)) as backend:
        await backend.send_survey(email_send("a@example.com"))
    assert str(seen[0]) == f"https://az4-api.xebo.ai{PATH}"


def test_base_url_resolution_rules() -> None:
    assert resolve_base_url("https://{env}-api.xebo.ai", " AZ4 ") == "https://az4-api.xebo.ai"
    assert resolve_base_url("http://127.0.0.1:9000", "") == "http://127.0.0.1:9000"
    for bad in ("", "evil.com/#", "az4.evil"):
        with pytest.raises(ConfigError, match="datacenter prefix"):
            resolve_base_url("https://{env}-api.xebo.ai", bad)


def test_unknown_auth_mode_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="bearer, api-key"):
        XeboBackend(Connection(BASE_URL, secret="t", options={**DEMO_OPTIONS, "auth": "basic"}))


async def test_missing_collector_settings_are_config_errors(app: Starlette) -> None:
    async with connect(app, collector_token="") as backend:
        with pytest.raises(ConfigError, match="collector token"):
            await backend.send_survey(email_send("a@example.com"))


def test_account_fields() -> None:
    assert XeboBackend.capabilities == frozenset({Capability.SURVEYS})
    assert not XeboBackend.needs_username
    base = Account("x", "xebo", XeboBackend.default_base_url, options=DEMO_OPTIONS)
    assert validate_account(base) is base
    for required in ("env", "collector_id", "collector_token"):
        options = {k: v for k, v in DEMO_OPTIONS.items() if k != required}
        with pytest.raises(ConfigError, match="Xebo needs"):
            validate_account(Account("x", "xebo", XeboBackend.default_base_url, options=options))
    no_auth = {k: v for k, v in DEMO_OPTIONS.items() if k != "auth"}
    validate_account(Account("x", "xebo", XeboBackend.default_base_url, options=no_auth))


async def test_other_capabilities_are_not_supported(backend: XeboBackend) -> None:
    with pytest.raises(NotSupported, match="Xebo does not support account information"):
        backend.capability(AccountApi)
    nrs = Nrs360Backend(Connection("http://x", "u", "p"))
    with pytest.raises(NotSupported, match="360nrs does not support surveys"):
        nrs.capability(SurveysApi)
    assert not hasattr(nrs, "send_survey")
    await nrs.aclose()


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"contact": {"email": "x"}, "reason": "bad"}, RejectedContact({"email": "x"}, "bad")),
        ({"email": "x", "message": "bad"}, RejectedContact({"email": "x"}, "bad")),
        ("x@example.com", RejectedContact({"address": "x@example.com"}, "")),
        (7, RejectedContact({"value": 7}, "")),
    ],
)
def test_rejected_list_shapes(item: Any, expected: RejectedContact) -> None:
    assert parse_rejected(item) == expected


def test_custom_fields_may_not_shadow_addresses() -> None:
    with pytest.raises(ValueError, match="email"):
        SurveyContact(mobile="1", fields={"email": "x"})


def test_rows_read_their_addresses_in_any_case_and_repeats_are_left_out() -> None:
    from backends.models.surveys import contact_from_row, unique_contacts

    rows = [
        {"Mobile": "+34 666 555 444", "Name": "Ana", "city": ""},
        {"MOBILE": "34666555444", "Name": "Ana again"},
        {"mobile": "+34666555445", "EMAIL": "Bo@Example.com"},
        {"Email": "bo@example.com"},
    ]
    contacts = [contact_from_row(r) for r in rows]
    assert contacts[0] == SurveyContact(mobile="+34 666 555 444", fields={"Name": "Ana"})
    assert contacts[2].email == "Bo@Example.com"
    by_mobile, dropped = unique_contacts(contacts, SurveyMedium.SMS)
    # The same digits are one number; the contact without a mobile is kept (Xebo rejects it).
    assert dropped == 1 and [c.mobile for c in by_mobile] == [
        "+34 666 555 444",
        "+34666555445",
        None,
    ]
    by_email, dropped = unique_contacts(contacts, SurveyMedium.EMAIL)
    assert dropped == 1 and [c.email for c in by_email] == [None, None, "Bo@Example.com"]


def test_addresses_without_digits_are_not_one_repeated_number() -> None:
    # The form bug: every non-numeric entry became the same empty number, so a second
    # email under SMS was dropped as a "repeated address" (and the first sent as a mobile).
    contacts = [SurveyContact(mobile="ana@example.com"), SurveyContact(mobile="bo@example.com")]
    assert unique_contacts(contacts, SurveyMedium.SMS) == (contacts, 0)
    with pytest.raises(ValueError) as caught:
        check_contacts(contacts, SurveyMedium.SMS)
    assert str(caught.value) == (
        "SMS sends to a mobile number for every contact: "
        "#1 'ana@example.com' is not a mobile number; #2 'bo@example.com' is not a mobile number"
    )
    check_contacts([SurveyContact(mobile="+34 666-555 444")], SurveyMedium.WHATSAPP)
    check_contacts([SurveyContact(email="ana@example.com")], SurveyMedium.EMAIL)
    with pytest.raises(ValueError, match="#1 no 'email'"):
        check_contacts([SurveyContact(mobile="+34666555444")], SurveyMedium.EMAIL)
