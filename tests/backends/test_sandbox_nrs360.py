"""The 360nrs emulator and the shared sandbox machinery, against the API reference."""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backends.sandbox.core import (
    RecordedRequest,
    RequestLog,
    SandboxServer,
    check_basic_auth,
    parse_basic_auth,
)
from backends.sandbox.nrs360 import (
    BUSINESS_NUMBER,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    Nrs360State,
    create_app,
)
from backends.sandbox.nrs360.send_options import _count_parts
from backends.sandbox.nrs360.state import CustomField
from tests.backends.conftest import API, START, FakeClock

AUTH = (DEMO_USERNAME, DEMO_PASSWORD)


def error(code: int, description: str) -> dict[str, Any]:
    return {"error": {"code": code, "description": description}}


async def send_sms(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    payload = {"to": ["34666555444"], "from": "TEST", "message": "SMS text message", **body}
    return await client.post(f"{API}/sms", json=payload)


# --- core ---------------------------------------------------------------------------------


def test_parse_basic_auth() -> None:
    header = "Basic " + base64.b64encode(b"user:pa:ss").decode()
    assert parse_basic_auth(header) == ("user", "pa:ss")
    assert parse_basic_auth("basic dXNlcm5hbWU6YXBpUGFzc3dvcmQ=") == ("username", "apiPassword")
    assert parse_basic_auth(None) is None
    assert parse_basic_auth("Bearer abc") is None
    assert parse_basic_auth("Basic !!notbase64") is None
    assert parse_basic_auth("Basic " + base64.b64encode(b"nocolon").decode()) is None


def test_check_basic_auth() -> None:
    users = {"demo": "secret"}
    good = "Basic " + base64.b64encode(b"demo:secret").decode()
    bad = "Basic " + base64.b64encode(b"demo:wrong").decode()
    unknown = "Basic " + base64.b64encode(b"other:secret").decode()
    assert check_basic_auth(good, users) == "demo"
    assert check_basic_auth(bad, users) is None
    assert check_basic_auth(unknown, users) is None


def test_request_log_matching_and_clear() -> None:
    log = RequestLog()
    for method, path in [("GET", "/a"), ("POST", "/a"), ("GET", "/b")]:
        log.append(RecordedRequest(method, path, "", {}, {}, b""))
    assert len(log) == 3
    assert [r.path for r in log.matching(method="get")] == ["/a", "/b"]
    assert [r.method for r in log.matching(path="/a")] == ["GET", "POST"]
    assert len(log.matching(method="POST", path="/b")) == 0
    log.clear()
    assert log.requests == []


async def test_log_records_path_query_auth_and_body(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    log: RequestLog = app.state.log
    await send_sms(client, message="hello")
    await client.get(f"{API}/contacts", params={"limit": "5", "include": "groups"})
    sent, listed = log.requests
    assert sent.method == "POST"
    assert sent.path == "/api/rest/sms"
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(
        f"{DEMO_USERNAME}:{DEMO_PASSWORD}".encode()
    ).decode("ascii")
    assert sent.basic_credentials() == AUTH
    assert sent.json() == {"to": ["34666555444"], "from": "TEST", "message": "hello"}
    assert listed.query == {"limit": ["5"], "include": ["groups"]}
    assert listed.query_string == "limit=5&include=groups"
    assert listed.body == b""


async def test_log_records_rejected_requests(client: httpx.AsyncClient, app: Starlette) -> None:
    response = await client.post(f"{API}/sms", content=b'{"to": [1]}', auth=("demo", "nope"))
    assert response.status_code == 401
    (recorded,) = app.state.log.matching(method="POST", path="/api/rest/sms")
    assert recorded.body == b'{"to": [1]}'
    assert recorded.basic_credentials() == ("demo", "nope")


async def test_sandbox_server_on_a_real_socket() -> None:
    app = create_app()
    # Started from inside this test's running event loop, as Textual would.
    with SandboxServer(app) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        assert server.port != 0
        async with httpx.AsyncClient(base_url=server.url, auth=AUTH) as client:
            response = await client.get(f"{API}/account")
            denied = await client.get(f"{API}/account", auth=("demo", "wrong"))
        assert response.status_code == 200
        assert response.json()["data"]["username"] == "demo"
        assert denied.status_code == 401
        assert [r.path for r in app.state.log.requests] == ["/api/rest/account"] * 2
        url = server.url
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}{API}/account", auth=AUTH, timeout=2)
    server.stop()  # idempotent


def test_a_request_cut_off_before_its_body_ended_is_neither_recorded_nor_processed() -> None:
    import socket
    import time

    app = create_app()
    before = len(app.state.nrs.sms)
    with SandboxServer(app) as server:
        token = base64.b64encode(f"{DEMO_USERNAME}:{DEMO_PASSWORD}".encode()).decode()
        head = (
            f"POST {API}/sms HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(head.encode() + b'{"to": ["3466')  # the sender dies here
        time.sleep(0.3)
        with httpx.Client(base_url=server.url, auth=AUTH) as client:
            assert client.get(f"{API}/account").status_code == 200
    assert [r.path for r in app.state.log.requests] == [f"{API}/account"]
    assert len(app.state.nrs.sms) == before


# --- auth, errors, account ----------------------------------------------------------------


async def test_missing_or_wrong_credentials_are_401_103(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    expected = error(103, "Username or password unknown")
    for auth in [("demo", "wrong"), ("someone", DEMO_PASSWORD)]:
        response = await client.get(f"{API}/account", auth=auth)
        assert (response.status_code, response.json()) == (401, expected)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as anonymous:
        for header in ["Bearer abc", "Basic !!!"]:
            response = await anonymous.get(f"{API}/account", headers={"Authorization": header})
            assert (response.status_code, response.json()) == (401, expected)
        response = await anonymous.get(f"{API}/account")
        assert (response.status_code, response.json()) == (401, expected)
        response = await anonymous.get(f"{API}/no-such-thing")
        assert response.status_code == 401


async def test_configured_users_replace_the_demo_account() -> None:
    app = create_app(users={"alice": "s3cret"})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        assert (await client.get(f"{API}/account", auth=AUTH)).status_code == 401
        response = await client.get(f"{API}/account", auth=("alice", "s3cret"))
        assert response.json()["data"]["username"] == "alice"


@pytest.mark.refused_requests
async def test_unknown_route_is_404_json(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/no-such-thing")
    assert (response.status_code, response.json()) == (404, error(404, "Resource not found"))
    response = await client.get("/elsewhere")
    assert response.json() == error(404, "Resource not found")


@pytest.mark.refused_requests
async def test_invalid_json_is_400_125(client: httpx.AsyncClient) -> None:
    for body in [b"{not json", b"[1, 2]", b'"text"']:
        response = await client.post(
            f"{API}/sms", content=body, headers={"Content-Type": "application/json"}
        )
        assert (response.status_code, response.json()) == (400, error(125, "Invalid JSON"))


async def test_account(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/account")
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "username": "demo",
            "email": "demo@example.com",
            "timezone": "Europe/Madrid",
            "language": "es",
            "balance": 250.0,
            "creationDate": "2024-01-15T09:30:00+00:00",
            "country": "ES",
            "currency": "EUR",
        }
    }


async def test_balance_decreases_per_part(client: httpx.AsyncClient) -> None:
    response = await send_sms(client, to=["34666555444", "34666555333"], message="x" * 200, parts=2)
    assert response.status_code == 202
    balance = (await client.get(f"{API}/account")).json()["data"]["balance"]
    assert balance == 249.8  # 2 recipients x 2 parts x 0.05


async def test_not_enough_credits_is_402_111(client: httpx.AsyncClient, state: Nrs360State) -> None:
    state.balance_cents = 5  # one part for one recipient
    response = await send_sms(client, to=["34666555444", "34666555333"])
    assert (response.status_code, response.json()) == (402, error(111, "Not enough credits"))
    assert state.sms == {}
    assert state.balance_cents == 5
    assert (await send_sms(client)).status_code == 202
    assert state.balance_cents == 0


# --- SMS ----------------------------------------------------------------------------------


async def test_send_sms_accepted(client: httpx.AsyncClient, state: Nrs360State) -> None:
    response = await send_sms(client)
    assert response.status_code == 202
    body = response.json()
    (item,) = body["result"]
    assert re.fullmatch(r"[A-Z0-9]{13}", item["id"])
    assert body == {
        "campaignId": 100000,
        "sendingId": 100001,
        "result": [
            {
                "accepted": True,
                "to": "34666555444",
                "id": item["id"],
                "parts": 1,
                "scheduledAt": None,
                "expiresAt": None,
            }
        ],
    }
    assert state.sms[item["id"]].message == "SMS text message"
    second = (await send_sms(client)).json()
    assert (second["campaignId"], second["sendingId"]) == (100001, 100002)
    assert second["result"][0]["id"] != item["id"]


async def test_campaign_name_reuses_the_campaign(client: httpx.AsyncClient) -> None:
    first = (await send_sms(client, campaignName="Spring")).json()
    second = (await send_sms(client, campaignName="Spring")).json()
    assert first["campaignId"] == second["campaignId"]
    assert first["sendingId"] != second["sendingId"]


async def test_send_sms_mixed_recipients_is_207(client: httpx.AsyncClient) -> None:
    response = await send_sms(client, to=["34666555444", "34", "+447700900123"])
    assert response.status_code == 207
    accepted, rejected, plus = response.json()["result"]
    assert accepted["accepted"] is True
    assert rejected == {
        "accepted": False,
        "to": "34",
        "error": {"code": 102, "description": "No valid recipients"},
    }
    assert plus["accepted"] is True


@pytest.mark.parametrize(
    ("body", "status", "code", "description"),
    [
        ({"to": ["34", "abc"]}, 400, 102, "No valid recipients"),
        ({"to": []}, 400, 102, "No valid recipients"),
        ({"to": "34666555444"}, 400, 102, "No valid recipients"),
        ({"to": ["1234567890123456"]}, 400, 102, "No valid recipients"),
        ({"message": ""}, 400, 104, "Text message missing"),
        ({"message": None}, 400, 104, "Text message missing"),
        ({"from": ""}, 400, 106, "Sender missing"),
        ({"from": None}, 400, 106, "Sender missing"),
        ({"from": "ABCDEFGHIJKL"}, 400, 107, "Sender too long"),
        ({"from": "1234567890123456"}, 400, 107, "Sender too long"),
        ({"encoding": "latin-1"}, 400, 113, "Invalid coding"),
        (
            {"parts": 16},
            400,
            110,
            "Exceeded maximum parts allowed or incorrect number of parts",
        ),
        ({"parts": 0}, 400, 110, "Exceeded maximum parts allowed or incorrect number of parts"),
        ({"message": "x" * 161}, 400, 105, "Text message too long"),
        ({"message": "x" * 307, "parts": 2}, 400, 105, "Text message too long"),
        ({"message": "ñ" * 71, "encoding": "utf-16"}, 400, 105, "Text message too long"),
        ({"scheduleDate": "2025-03-10"}, 400, 121, "Invalid scheduled date"),
        ({"expirationDate": "20251399000000"}, 400, 119, "Invalid expiration date"),
    ],
)
@pytest.mark.refused_requests
async def test_send_sms_errors(
    client: httpx.AsyncClient,
    state: Nrs360State,
    body: dict[str, Any],
    status: int,
    code: int,
    description: str,
) -> None:
    response = await send_sms(client, **body)
    assert (response.status_code, response.json()) == (status, error(code, description))
    assert state.sms == {}


@pytest.mark.refused_requests
async def test_missing_message_field_is_104(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{API}/sms", json={"to": ["34666555444"], "from": "X"})
    assert response.json() == error(104, "Text message missing")


@pytest.mark.parametrize(
    ("body", "parts"),
    [
        ({"message": "x" * 160}, 1),
        ({"message": "x" * 161, "parts": 2}, 2),
        ({"message": "x" * 161, "parts": 15}, 2),  # only the parts needed are used
        ({"message": "€" * 80}, 1),
        ({"message": "€" * 81, "parts": 3}, 2),
        ({"message": "ñ" * 70, "encoding": "utf-16"}, 1),
        ({"message": "ñ" * 135, "encoding": "utf-16", "parts": 3}, 3),
        ({"from": "123456789012345"}, 1),
        ({"from": "ABCDEFGHIJK"}, 1),
    ],
)
async def test_send_sms_parts(client: httpx.AsyncClient, body: dict[str, Any], parts: int) -> None:
    response = await send_sms(client, **body)
    assert response.status_code == 202
    assert response.json()["result"][0]["parts"] == parts


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("a" * 160, "gsm", 1),
        ("a" * 161, "gsm", 2),
        ("a" * 306, "gsm", 2),
        ("a" * 307, "gsm", 3),
        ("{" * 80, "gsm", 1),
        ("{" * 81, "gsm", 2),
        ("\f" * 81, "gsm", 2),
        # An escape sequence never straddles two parts: 152 + 2 does not fit in 153.
        ("a" * 152 + "€" + "a" * 100, "gsm", 2),
        ("a" * 152 + "€" + "a" * 152, "gsm", 3),
        ("ã" * 160, "gsm", 1),  # not GSM: substituted, one septet
        ("ã" * 160, "gsm-pt", 1),  # basic in GSM-PT
        ("€" * 160, "gsm-pt", 1),  # basic in GSM-PT, extension in GSM
        ("{" * 81, "gsm-pt", 2),
        ("a" * 70, "utf-16", 1),
        ("a" * 71, "utf-16", 2),
        ("a" * 134, "utf-16", 2),
        ("a" * 135, "utf-16", 3),
        ("😀" * 35, "utf-16", 1),  # surrogate pairs: two code units each
        ("😀" * 36, "utf-16", 2),
        # 134 units would fit in two parts, but a surrogate pair is never split.
        ("a" * 66 + "😀" + "a" * 66, "utf-16", 3),
    ],
)
def test_count_parts(text: str, encoding: str, parts: int) -> None:
    assert _count_parts(text, encoding) == parts


async def test_get_sms_by_ids(
    client: httpx.AsyncClient, state: Nrs360State, clock: FakeClock
) -> None:
    contact = next(c for c in state.contacts.values() if c.phone and c.custom_fields)
    assert contact.phone is not None
    result = (await send_sms(client, to=[contact.phone, "34600000001"])).json()
    ids = [item["id"] for item in result["result"]]
    response = await client.get(f"{API}/sms/{','.join(ids)}")
    assert response.status_code == 200
    first, second = response.json()["data"]
    assert first["id"] == ids[0]
    assert first["from"] == "TEST"
    assert first["to"] == contact.phone
    assert first["message"] == "SMS text message"
    assert (first["campaignId"], first["sendingId"]) == (100000, 100001)
    # Just sent: no delivery report yet.
    assert first["isDelivered"] is False
    assert first["isClicked"] is False
    assert [e["type"] for e in first["events"]] == ["sent"]
    assert first["events"][0] == {
        "type": "sent",
        "date": "2025-03-10T12:00:00+00:00",
        "isMobile": False,
        "browser": "",
        "os": "",
    }
    assert first["customFields"]["phone"] == contact.phone
    assert first["customFields"]["name"] == contact.name
    field = contact.custom_fields[0]
    assert first["customFields"][field.key] == field.value
    assert first["links"] == {"self": f"http://sandbox/api/rest/sms/{ids[0]}"}
    assert second["customFields"] == {}


async def test_get_sms_unknown_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/sms/XXXXXXXXXXXXX")
    assert (response.status_code, response.json()) == (404, error(404, "Resource not found"))


async def test_scheduled_sms_is_delivered_when_its_time_comes(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    response = await send_sms(
        client, scheduleDate="20250310140000", expirationDate="20250311000000"
    )
    item = response.json()["result"][0]
    assert item["scheduledAt"] == "2025-03-10T14:00:00+00:00"
    assert item["expiresAt"] == "2025-03-11T00:00:00+00:00"
    before = (await client.get(f"{API}/sms/{item['id']}")).json()["data"][0]
    assert (before["isDelivered"], before["events"]) == (False, [])
    clock.advance(hours=2)
    after = (await client.get(f"{API}/sms/{item['id']}")).json()["data"][0]
    assert after["events"] == [
        {
            "type": "sent",
            "date": "2025-03-10T14:00:00+00:00",
            "isMobile": False,
            "browser": "",
            "os": "",
        }
    ]
    clock.advance(minutes=3)
    later = (await client.get(f"{API}/sms/{item['id']}")).json()["data"][0]
    assert later["events"][1]["type"] in {"delivered", "undelivered", "rejected", "expired"}
    assert later["isDelivered"] is (later["events"][1]["type"] == "delivered")


async def test_sent_sms_reach_a_seeded_mix_of_fates_after_realistic_delays(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    to = [f"3460000{i:04d}" for i in range(300)]
    ids = [item["id"] for item in (await send_sms(client, to=to)).json()["result"]]

    async def finals() -> list[str]:
        out = []
        for start in range(0, len(ids), 100):
            chunk = ",".join(ids[start : start + 100])
            for sms in (await client.get(f"{API}/sms/{chunk}")).json()["data"]:
                out.extend(e["type"] for e in sms["events"] if e["type"] != "sent")
        return out

    assert await finals() == []  # nothing is delivered the instant it is accepted
    clock.advance(seconds=25)
    early = await finals()
    assert 0 < len(early) < len(ids) and "expired" not in early
    clock.advance(minutes=3)
    settled = await finals()
    assert len(settled) == len(ids)
    counts = {kind: settled.count(kind) for kind in set(settled)}
    assert set(counts) == {"delivered", "undelivered", "rejected", "expired"}
    assert counts["delivered"] > 0.8 * len(ids)


# --- OTP ----------------------------------------------------------------------------------


async def generate(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post(f"{API}/otp/generate", json={"recipient": "34666555444", **body})


async def check(client: httpx.AsyncClient, code: str, **body: Any) -> dict[str, Any]:
    payload = {"recipient": "34666555444", "code": code, **body}
    response = await client.post(f"{API}/otp/check", json=payload)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_otp_generate_defaults(client: httpx.AsyncClient) -> None:
    response = await generate(client)
    assert response.status_code == 200
    data = response.json()["data"]
    assert re.fullmatch(r"\d{4}", data["code"])
    assert data == {
        "recipient": "34666555444",
        "code": data["code"],
        "attempts": 0,
        "maxAttempts": 3,
        "maxSecondsValidity": 60,
        "appId": "",
        "createdAt": "2025-03-10T12:00:00+00:00",
        "updatedAt": "2025-03-10T12:00:00+00:00",
        "expiresAt": "2025-03-10T12:01:00+00:00",
    }


async def test_otp_generate_options(client: httpx.AsyncClient) -> None:
    codes = []
    for _ in range(5):
        data = (await generate(client, alpha=True, length=10, maxAttempts=5)).json()["data"]
        codes.append(data["code"])
        assert re.fullmatch(r"[A-Z0-9]{10}", data["code"])
    assert any(re.search(r"[A-Z]", code) for code in codes)
    email = await client.post(
        f"{API}/otp/generate",
        json={"recipient": "user@example.com", "length": 6, "maxSecondsValidity": 600},
    )
    data = email.json()["data"]
    assert re.fullmatch(r"\d{6}", data["code"])
    assert data["expiresAt"] == "2025-03-10T12:10:00+00:00"


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"recipient": None}, "The recipient field is required."),
        ({"recipient": ""}, "The recipient field is required."),
        ({"recipient": "not-a-phone"}, "The recipient field must be a valid phone or email."),
        ({"recipient": "1234567"}, "The recipient field must be a valid phone or email."),
        ({"length": 2}, "The length must be between 3 and 10."),
        ({"length": 11}, "The length must be between 3 and 10."),
        ({"length": "four"}, "The length must be an integer."),
        ({"maxAttempts": 0}, "The max attempts must be between 1 and 10."),
        ({"maxAttempts": 11}, "The max attempts must be between 1 and 10."),
        ({"maxSecondsValidity": 29}, "The max seconds validity must be between 30 and 600."),
        ({"maxSecondsValidity": 601}, "The max seconds validity must be between 30 and 600."),
        ({"alpha": "yes"}, "The alpha field must be true or false."),
        ({"appId": 5}, "The app id must be a string."),
    ],
)
@pytest.mark.refused_requests
async def test_otp_generate_validation(
    client: httpx.AsyncClient, body: dict[str, Any], description: str
) -> None:
    response = await generate(client, **body)
    assert (response.status_code, response.json()) == (422, error(422, description))


async def test_otp_check_valid_then_consumed(client: httpx.AsyncClient) -> None:
    code = (await generate(client)).json()["data"]["code"]
    first = await check(client, code)
    assert (first["valid"], first["reason"]) == (True, "Valid")
    assert first["otp"]["data"]["attempts"] == 1
    assert first["otp"]["data"]["code"] == code
    second = await check(client, code)
    assert (second["valid"], second["reason"]) == (False, "Invalid code")
    assert second["otp"]["data"]["attempts"] == 2


async def test_otp_check_maximum_attempts(client: httpx.AsyncClient) -> None:
    code = (await generate(client, maxAttempts=2)).json()["data"]["code"]
    wrong = "0000" if code != "0000" else "1111"
    assert (await check(client, wrong))["reason"] == "Invalid code"
    assert (await check(client, wrong))["reason"] == "Invalid code"
    last = await check(client, code)  # even the right code is too late now
    assert (last["valid"], last["reason"]) == (False, "Maximum attempts reached")
    assert last["otp"]["data"]["attempts"] == 2


async def test_otp_check_expiry_follows_the_clock(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    code = (await generate(client)).json()["data"]["code"]
    clock.advance(seconds=61)
    data = await check(client, code)
    assert (data["valid"], data["reason"]) == (False, "Expired")
    assert data["otp"]["data"]["attempts"] == 1
    assert data["otp"]["data"]["updatedAt"] == "2025-03-10T12:01:01+00:00"
    code = (await generate(client)).json()["data"]["code"]
    clock.advance(seconds=60)  # the last second of validity still counts
    assert (await check(client, code))["reason"] == "Valid"


async def test_otp_check_case_sensitivity(client: httpx.AsyncClient) -> None:
    code = (await generate(client, alpha=True, length=10)).json()["data"]["code"]
    assert code.lower() != code
    assert (await check(client, code.lower(), caseSensitive=True))["reason"] == "Invalid code"
    assert (await check(client, code.lower()))["reason"] == "Valid"


async def test_otp_app_ids_are_separate(client: httpx.AsyncClient) -> None:
    login = (await generate(client, appId="login", length=8)).json()["data"]["code"]
    pay = (await generate(client, appId="pay", length=8)).json()["data"]["code"]
    assert login != pay
    assert (await check(client, pay, appId="login"))["reason"] == "Invalid code"
    assert (await check(client, login, appId="login"))["reason"] == "Valid"
    assert (await check(client, pay, appId="pay"))["reason"] == "Valid"
    response = await client.post(f"{API}/otp/check", json={"recipient": "34666555444", "code": pay})
    assert (response.status_code, response.json()) == (404, error(404, "Resource not found"))


async def test_otp_regenerate_replaces_code(client: httpx.AsyncClient) -> None:
    old = (await generate(client, length=8)).json()["data"]["code"]
    new = (await generate(client, length=8)).json()["data"]["code"]
    assert old != new
    assert (await check(client, old))["reason"] == "Invalid code"
    assert (await check(client, new))["reason"] == "Valid"


async def test_otp_reject_if_pending(client: httpx.AsyncClient, clock: FakeClock) -> None:
    code = (await generate(client)).json()["data"]["code"]
    response = await generate(client, rejectIfPendingCode=True)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == 422
    assert "pending" in response.json()["error"]["description"]
    assert (await generate(client, rejectIfPendingCode=True, appId="other")).status_code == 200
    clock.advance(seconds=61)  # expired codes are no longer pending
    assert (await generate(client, rejectIfPendingCode=True)).status_code == 200
    fresh = (await generate(client)).json()["data"]["code"]
    assert (await check(client, fresh))["reason"] == "Valid"  # validated: not pending
    assert (await generate(client, rejectIfPendingCode=True)).status_code == 200
    assert code  # the first code was issued


@pytest.mark.parametrize(
    ("body", "status", "description"),
    [
        ({"code": "1234"}, 422, "The recipient field is required."),
        ({"recipient": "34666555444"}, 422, "The code field is required."),
        ({"recipient": "34666555444", "code": ""}, 422, "The code field is required."),
        ({"recipient": "34999999999", "code": "1234"}, 404, "Resource not found"),
    ],
)
@pytest.mark.refused_requests
async def test_otp_check_errors(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, description: str
) -> None:
    await generate(client)
    response = await client.post(f"{API}/otp/check", json=body)
    assert (response.status_code, response.json()) == (status, error(status, description))


# --- contacts -----------------------------------------------------------------------------


async def test_list_contacts_default_page(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/contacts")
    assert response.status_code == 200
    body = response.json()
    assert len(body["data"]) == 100
    assert body["meta"] == {
        "pagination": {
            "total": 120,
            "count": 100,
            "per_page": 100,
            "current_page": 1,
            "total_pages": 2,
            "links": {"next": "http://sandbox/api/rest/contacts?page=2"},
        }
    }
    first = body["data"][0]
    assert set(first) == {
        "id", "email", "phone", "countryIso", "landline", "name", "surname",
        "createdAt", "updatedAt",
    }  # fmt: skip
    assert first["id"] == 1


async def test_list_contacts_includes_and_links(client: httpx.AsyncClient) -> None:
    query = "include=customFields,groups&limit=50&page=2"
    body = (await client.get(f"{API}/contacts?{query}")).json()
    pagination = body["meta"]["pagination"]
    assert (pagination["count"], pagination["current_page"], pagination["total_pages"]) == (
        50,
        2,
        3,
    )
    base = "http://sandbox/api/rest/contacts?include=customFields%2Cgroups&limit=50"
    assert pagination["links"] == {"previous": f"{base}&page=1", "next": f"{base}&page=3"}
    contact = body["data"][0]
    assert contact["id"] == 51
    assert isinstance(contact["customFields"]["data"], list)
    assert contact["groups"]["data"]
    assert set(contact["groups"]["data"][0]) == {"id", "name"}
    last = (await client.get(f"{API}/contacts?limit=50&page=3")).json()["meta"]["pagination"]
    assert (last["count"], last["links"]) == (
        20,
        {"previous": "http://sandbox/api/rest/contacts?limit=50&page=2"},
    )


@pytest.mark.parametrize(
    ("query", "description"),
    [
        ("limit=1001", "The limit must be between 1 and 1000."),
        ("limit=0", "The limit must be between 1 and 1000."),
        ("limit=ten", "The limit must be an integer."),
        ("page=0", "The page must be at least 1."),
        ("page=x", "The page must be an integer."),
    ],
)
@pytest.mark.refused_requests
async def test_list_contacts_bad_pagination(
    client: httpx.AsyncClient, query: str, description: str
) -> None:
    response = await client.get(f"{API}/contacts?{query}")
    assert (response.status_code, response.json()) == (422, error(422, description))


async def test_list_contacts_filters(client: httpx.AsyncClient, state: Nrs360State) -> None:
    target = next(c for c in state.contacts.values() if c.phone and c.email and c.external_id)
    for key, value in [
        ("phone", target.phone),
        ("email", target.email),
        ("externalId", target.external_id),
    ]:
        data = (await client.get(f"{API}/contacts", params={key: value})).json()["data"]
        assert target.id in [c["id"] for c in data]
        assert all(c[key] == value for c in data if key != "externalId")
    spanish = sum(1 for c in state.contacts.values() if c.country_iso == "ES")
    response = await client.get(f"{API}/contacts", params={"countryIso": "ES", "limit": 1000})
    assert response.json()["meta"]["pagination"]["total"] == spanish
    landline = next(c for c in state.contacts.values() if c.landline)
    data = (await client.get(f"{API}/contacts", params={"landline": landline.landline})).json()
    assert [c["id"] for c in data["data"]] == [landline.id]
    # Each filter is "for a specific" value, as the reference says: another case, a "+"
    # added or a part of the value is another value.
    assert target.email and target.phone
    for key, value in [
        ("email", target.email.upper()),
        ("phone", f"+{target.phone}"),
        ("phone", target.phone[:-1]),
        ("countryIso", "es"),
        ("landline", f"+{landline.landline}"),
    ]:
        response = await client.get(f"{API}/contacts", params={key: value})
        assert response.json()["data"] == [], (key, value)


async def test_show_contact(client: httpx.AsyncClient, state: Nrs360State) -> None:
    contact = state.contacts[7]
    response = await client.get(f"{API}/contacts/7?include=groups")
    data = response.json()["data"]
    assert data["id"] == 7
    assert data["phone"] == contact.phone
    assert data["groups"]["data"] == [
        {"id": g, "name": state.groups[g].name} for g in contact.group_ids
    ]
    assert "customFields" not in data
    missing = await client.get(f"{API}/contacts/9999")
    assert (missing.status_code, missing.json()) == (404, error(404, "Resource not found"))


async def test_create_contact(client: httpx.AsyncClient, state: Nrs360State) -> None:
    groups_before = len(state.groups)
    response = await client.post(
        f"{API}/contacts",
        json={
            "email": "new.contact@example.com",
            "phone": "3466666666",
            "countryIso": "es",
            "groupsNames": ["My contact list", "VIP"],
            "customFields": [{"key": "company", "value": "ACME inc."}],
        },
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert data == {
        "id": 121,
        "email": "new.contact@example.com",
        "phone": "3466666666",
        "countryIso": "ES",
        "landline": None,
        "name": None,
        "surname": None,
        "createdAt": "2025-03-10T12:00:00+00:00",
        "updatedAt": "2025-03-10T12:00:00+00:00",
        "links": {"self": "http://sandbox/api/rest/contacts/121"},
    }
    assert len(state.groups) == groups_before + 1  # "VIP" existed already
    shown = (await client.get(f"{API}/contacts/121?include=customFields,groups")).json()["data"]
    assert shown["customFields"] == {
        "data": [{"key": "company", "type": "string", "value": "ACME inc."}]
    }
    assert [g["name"] for g in shown["groups"]["data"]] == ["VIP", "My contact list"]
    # No write sets an external id (POST/PUT /contacts document none): the platform's own.
    state.contacts[121].external_id = "EXT1"
    found = (await client.get(f"{API}/contacts?externalId=EXT1")).json()["data"]
    assert [c["id"] for c in found] == [121]


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"name": "Nobody", "groupsIds": [1]}, "The email field is required."),
        (
            {"phone": "34666111222", "groupsIds": [1]},
            "The country iso field is required when phone / landline is present.",
        ),
        (
            {"landline": "900222222", "groupsIds": [1]},
            "The country iso field is required when phone / landline is present.",
        ),
        (
            {"email": "a@example.com"},
            "The groups ids field is required when groups names is not present.",
        ),
        ({"email": "a@example.com", "groupsIds": [999]}, "The selected groups ids.0 is invalid."),
        ({"email": "a@example.com", "groupsIds": 1}, "The groups ids must be an array."),
        ({"email": "not-an-email", "groupsIds": [1]}, "The email must be a valid email address."),
        (
            {"email": "a@example.com", "phone": "34666111222", "countryIso": "ESP",
             "groupsIds": [1]},
            "The country iso must be 2 characters.",
        ),
        (
            {"email": "a@example.com", "groupsIds": [1], "customFields": [{"value": "x"}]},
            "The custom fields.0.key field is required.",
        ),
        (
            {"email": "a@example.com", "groupsIds": [1],
             "customFields": [{"key": "k", "type": "color", "value": "x"}]},
            "The selected custom fields.0.type is invalid.",
        ),
        (
            {"email": "a@example.com", "groupsIds": [1],
             "customFields": [{"key": "k", "type": "date", "value": "yesterday"}]},
            "The custom fields.0.value is not a valid date.",
        ),
        (
            {"email": "a@example.com", "groupsNames": ["Brand new"],
             "customFields": [{"key": "k", "type": "decimal", "value": "lots"}]},
            "The custom fields.0.value must be a number.",
        ),
    ],
)  # fmt: skip
@pytest.mark.refused_requests
async def test_create_contact_validation(
    client: httpx.AsyncClient, state: Nrs360State, body: dict[str, Any], description: str
) -> None:
    groups_before = dict(state.groups)
    response = await client.post(f"{API}/contacts", json=body)
    assert (response.status_code, response.json()) == (422, error(422, description))
    assert len(state.contacts) == 120
    assert state.groups == groups_before  # a rejected request creates no group


@pytest.mark.refused_requests
async def test_update_contact(
    client: httpx.AsyncClient, state: Nrs360State, clock: FakeClock
) -> None:
    contact = state.contacts[10]
    created = contact.created_at
    clock.advance(minutes=5)
    response = await client.put(
        f"{API}/contacts/10",
        json={
            "email": "renamed@example.com",
            "name": "Renamed",
            "groupsIds": [4],
            "customFields": [{"key": "plan", "value": "pro"}],
        },
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["email"], data["name"]) == ("renamed@example.com", "Renamed")
    assert data["phone"] == contact.phone  # not sent: unchanged
    # Exactly the reference's PUT answer: the contact's own fields and links.
    assert list(data) == [
        "id", "email", "phone", "countryIso", "landline", "name", "surname",
        "createdAt", "updatedAt", "links",
    ]  # fmt: skip
    shown = (await client.get(f"{API}/contacts/10?include=groups,customFields")).json()["data"]
    assert shown["groups"]["data"] == [{"id": 4, "name": "Staff"}]
    assert {"key": "plan", "type": "string", "value": "pro"} in shown["customFields"]["data"]
    assert data["updatedAt"] == "2025-03-10T12:05:00+00:00"
    assert contact.created_at == created
    assert data["links"]["self"] == "http://sandbox/api/rest/contacts/10"
    invalid = await client.put(f"{API}/contacts/10", json={"name": "No groups"})
    assert invalid.status_code == 422
    missing = await client.put(f"{API}/contacts/9999", json={"email": "a@b.co", "groupsIds": [1]})
    assert missing.status_code == 404


async def test_update_contact_null_clears_and_null_value_removes_a_custom_field(
    client: httpx.AsyncClient, state: Nrs360State
) -> None:
    contact = state.contacts[10]
    contact.custom_fields = [
        CustomField("plan", "string", "gold"),
        CustomField("city", "string", "Vigo"),
    ]
    response = await client.put(
        f"{API}/contacts/10",
        json={
            "phone": contact.phone,
            "countryIso": contact.country_iso,
            "email": None,
            "name": "",  # Laravel turns a blank string into a null
            "groupsIds": [1],
            "customFields": [{"key": "plan", "value": None}, {"key": "ghost", "value": ""}],
        },
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["email"], data["name"]) == (None, None)
    assert data["surname"] == contact.surname  # not sent: unchanged
    shown = (await client.get(f"{API}/contacts/10?include=customFields")).json()["data"]
    assert shown["customFields"]["data"] == [{"key": "city", "type": "string", "value": "Vigo"}]
    assert (contact.email, contact.name) == (None, None)


async def test_delete_contact(client: httpx.AsyncClient) -> None:
    response = await client.delete(f"{API}/contacts/3")
    assert (response.status_code, response.content) == (204, b"")
    assert (await client.get(f"{API}/contacts/3")).status_code == 404
    assert (await client.delete(f"{API}/contacts/3")).status_code == 404
    total = (await client.get(f"{API}/contacts")).json()["meta"]["pagination"]["total"]
    assert total == 119


# --- groups -------------------------------------------------------------------------------


async def test_list_groups(client: httpx.AsyncClient, state: Nrs360State) -> None:
    body = (await client.get(f"{API}/groups")).json()
    names = [g["name"] for g in body["data"]]
    assert names == ["Customers", "VIP", "Newsletter", "Staff", "Leads"]
    # Only what the reference shows: no member count.
    assert all(set(group) == {"id", "name"} for group in body["data"])
    assert body["meta"]["pagination"]["links"] == {}
    paged = (await client.get(f"{API}/groups?limit=2")).json()["meta"]["pagination"]
    assert paged["total_pages"] == 3
    assert paged["links"] == {"next": "http://sandbox/api/rest/groups?limit=2&page=2"}


@pytest.mark.refused_requests
async def test_group_crud(client: httpx.AsyncClient, state: Nrs360State) -> None:
    created = await client.post(f"{API}/groups", json={"name": "My new contact list"})
    assert created.status_code == 201
    group = created.json()["data"]
    assert group == {"id": 6, "name": "My new contact list"}
    assert (await client.get(f"{API}/groups/6")).json()["data"]["name"] == "My new contact list"
    renamed = await client.put(f"{API}/groups/6", json={"name": "Renamed"})
    assert (renamed.status_code, renamed.json()["data"]["name"]) == (200, "Renamed")
    for method in ("POST", "PUT"):
        path = f"{API}/groups" if method == "POST" else f"{API}/groups/6"
        response = await client.request(method, path, json={"name": " "})
        assert (response.status_code, response.json()) == (
            422,
            error(422, "The name field is required."),
        )
    vip_members = [c for c in state.contacts.values() if 2 in c.group_ids]
    deleted = await client.delete(f"{API}/groups/2")
    assert deleted.status_code == 204
    assert all(2 not in c.group_ids for c in vip_members)
    assert (await client.get(f"{API}/groups/2")).status_code == 404
    assert (await client.delete(f"{API}/groups/2")).status_code == 404
    assert (await client.put(f"{API}/groups/2", json={"name": "x"})).status_code == 404


# --- WhatsApp -----------------------------------------------------------------------------


def conversation_path(customer: str) -> str:
    return f"{API}/whatsapp/conversations/{BUSINESS_NUMBER}/{customer}"


async def conversations(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get(f"{API}/whatsapp/conversations")
    assert response.status_code == 200
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_list_conversations(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/whatsapp/conversations")
    body = response.json()
    data = body["data"]
    assert 4 <= len(data) <= 5
    assert {c["from"] for c in data} == {BUSINESS_NUMBER}
    active = [c for c in data if c["isSessionActive"]]
    expired = [c for c in data if not c["isSessionActive"]]
    assert len(active) >= 2
    assert expired
    now = START.isoformat()
    assert all(c["sessionExpiresAt"] > now for c in active)
    assert all(c["sessionExpiresAt"] < now for c in expired)
    # One session expired about 6 hours ago (last customer message ~30 h ago).
    assert any("2025-03-10T05:" in c["sessionExpiresAt"] for c in expired)
    updated = [c["updatedAt"] for c in data]
    assert updated == sorted(updated, reverse=True)
    first = data[0]
    assert first["status"] == "OPEN"
    assert 3 <= first["totalMessages"] <= 8
    assert first["links"] == {
        "messages": f"http://sandbox{conversation_path(first['to'])}/messages"
    }
    assert set(first["contact"]["data"]) == {
        "msisdn", "firstName", "lastName", "email", "interest", "comment", "country",
    }  # fmt: skip
    assert first["contact"]["data"]["msisdn"] == first["to"]
    assert body["meta"]["pagination"]["total"] == len(data)


@pytest.mark.refused_requests
async def test_conversation_filters_and_pagination(client: httpx.AsyncClient) -> None:
    customer = (await conversations(client))[2]["to"]
    response = await client.get(f"{API}/whatsapp/conversations", params={"to": customer})
    assert [c["to"] for c in response.json()["data"]] == [customer]
    response = await client.get(f"{API}/whatsapp/conversations", params={"from": "34000000000"})
    assert response.json()["data"] == []
    paged = (await client.get(f"{API}/whatsapp/conversations?limit=2&page=2")).json()
    assert len(paged["data"]) == 2
    links = paged["meta"]["pagination"]["links"]
    assert links["previous"] == "http://sandbox/api/rest/whatsapp/conversations?limit=2&page=1"
    response = await client.get(f"{API}/whatsapp/conversations?limit=1001")
    assert response.status_code == 422


async def test_show_conversation(client: httpx.AsyncClient) -> None:
    listed = (await conversations(client))[0]
    response = await client.get(conversation_path(listed["to"]))
    assert response.json() == {"data": listed}
    missing = await client.get(conversation_path("34000000000"))
    assert (missing.status_code, missing.json()) == (404, error(404, "Resource not found"))


async def test_conversation_messages(client: httpx.AsyncClient) -> None:
    all_messages: list[dict[str, Any]] = []
    for conversation in await conversations(client):
        customer = conversation["to"]
        body = (await client.get(f"{conversation_path(customer)}/messages")).json()
        meta = body["meta"]
        assert meta["status"] == conversation["status"]
        assert meta["isSessionActive"] == conversation["isSessionActive"]
        assert meta["sessionExpiresAt"] == conversation["sessionExpiresAt"]
        assert meta["pagination"]["total"] == conversation["totalMessages"]
        messages = body["data"]
        assert [m["sentAt"] for m in messages] == sorted(
            (m["sentAt"] for m in messages), reverse=True
        )
        assert {m["msisdn"] for m in messages} == {customer, BUSINESS_NUMBER}
        assert all(m["type"] in ("text", "template") for m in messages)
        assert all(re.fullmatch(r"[0-9a-f-]{36}", m["id"]) for m in messages)
        all_messages += messages
    assert any(m["reactions"] for m in all_messages)
    assert any(m["failedAt"] and m["deliveredAt"] is None for m in all_messages)
    assert any(m["readAt"] for m in all_messages)
    assert any(m["deliveredAt"] and m["readAt"] is None for m in all_messages)
    assert any(m["type"] == "template" for m in all_messages)


async def test_messages_pagination(client: httpx.AsyncClient) -> None:
    customer = (await conversations(client))[0]["to"]
    body = (await client.get(f"{conversation_path(customer)}/messages?limit=2")).json()
    assert len(body["data"]) == 2
    assert body["meta"]["pagination"]["links"]["next"].endswith("/messages?limit=2&page=2")
    missing = await client.get(f"{conversation_path('34000000000')}/messages")
    assert missing.status_code == 404


async def test_reply_inside_session(client: httpx.AsyncClient, clock: FakeClock) -> None:
    conversation = next(c for c in await conversations(client) if c["isSessionActive"])
    path = f"{conversation_path(conversation['to'])}/messages"
    response = await client.post(path, json={"content": "Message content"})
    # The reference shows no answer to this POST: none is given.
    assert (response.status_code, response.content) == (201, b"")
    message = (await client.get(path)).json()["data"][0]
    assert message["type"] == "text"
    assert message["msisdn"] == BUSINESS_NUMBER
    assert message["content"] == "Message content"
    assert message["reactions"] == []
    assert message["sentAt"] == "2025-03-10T12:00:00+00:00"
    assert (message["deliveredAt"], message["readAt"], message["failedAt"]) == (None, None, None)
    clock.advance(seconds=3)
    listed = (await client.get(path)).json()["data"][0]
    assert listed["id"] == message["id"]
    assert listed["deliveredAt"] == "2025-03-10T12:00:02+00:00"
    shown = (await client.get(conversation_path(conversation["to"]))).json()["data"]
    assert shown["totalMessages"] == conversation["totalMessages"] + 1
    assert shown["updatedAt"] == "2025-03-10T12:00:00+00:00"
    # Our reply does not extend the session: only the customer's messages do.
    assert shown["sessionExpiresAt"] == conversation["sessionExpiresAt"]


async def test_reply_outside_session_is_refused(
    client: httpx.AsyncClient, clock: FakeClock, state: Nrs360State
) -> None:
    not_active = error(400, "The conversation session is not active. Only a template can be sent.")
    expired = next(c for c in await conversations(client) if not c["isSessionActive"])
    response = await client.post(
        f"{conversation_path(expired['to'])}/messages", json={"content": "Hello?"}
    )
    assert (response.status_code, response.json()) == (400, not_active)

    active = next(c for c in await conversations(client) if c["isSessionActive"])
    path = f"{conversation_path(active['to'])}/messages"
    expires = datetime.fromisoformat(active["sessionExpiresAt"])
    clock.now = expires - timedelta(seconds=1)
    assert (await client.post(path, json={"content": "just in time"})).status_code == 201
    clock.now = expires
    response = await client.post(path, json={"content": "too late"})
    assert (response.status_code, response.json()) == (400, not_active)
    shown = (await client.get(conversation_path(active["to"]))).json()["data"]
    assert shown["isSessionActive"] is False
    assert state.conversations[(BUSINESS_NUMBER, active["to"])].messages[-1].content == (
        "just in time"
    )


@pytest.mark.refused_requests
async def test_reply_validation(client: httpx.AsyncClient) -> None:
    active = next(c for c in await conversations(client) if c["isSessionActive"])
    path = f"{conversation_path(active['to'])}/messages"
    for body in [{}, {"content": ""}]:
        response = await client.post(path, json=body)
        assert (response.status_code, response.json()) == (
            422,
            error(422, "The content field is required."),
        )
    response = await client.post(
        f"{conversation_path('34000000000')}/messages", json={"content": "x"}
    )
    assert response.status_code == 404


# --- seed ---------------------------------------------------------------------------------


def test_seed_is_deterministic_and_relative_to_the_clock() -> None:
    def snapshot(seed: int, now: datetime) -> list[tuple[Any, ...]]:
        nrs: Nrs360State = create_app(seed=seed, clock=lambda: now).state.nrs
        return [(c.phone, c.email, c.name, c.created_at - now) for c in nrs.contacts.values()]

    later = START + timedelta(days=30)
    assert snapshot(360, START) == snapshot(360, later)
    assert snapshot(360, START) != snapshot(361, START)


def test_seed_contents(state: Nrs360State) -> None:
    contacts = list(state.contacts.values())
    assert len(contacts) == 120
    assert {c.country_iso for c in contacts} == {"ES", "PT", "FR", "GB", "CO"}
    phones = [c.phone for c in contacts if c.phone]
    assert len(phones) == len(set(phones))
    assert all(re.fullmatch(r"\d{8,15}", p) for p in phones)
    prefixes = {"ES": "34", "PT": "351", "FR": "33", "GB": "44", "CO": "57"}
    assert all(c.phone.startswith(prefixes[c.country_iso or ""]) for c in contacts if c.phone)
    assert all(c.email or c.phone for c in contacts)
    assert all(c.group_ids for c in contacts)
    assert any(c.external_id for c in contacts)
    keys = {f.key for c in contacts for f in c.custom_fields}
    assert {"city", "plan"} <= keys
    assert all(c.created_at <= START for c in contacts)
