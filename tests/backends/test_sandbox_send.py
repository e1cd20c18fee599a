"""The 360nrs emulator's send area: documented errors, 207s, blacklists, costs, scheduled."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backends.sandbox.nrs360 import (
    BUSINESS_NUMBER,
    Nrs360State,
)
from tests.backends.conftest import API, START, FakeClock

LATER = "20250311143000"
LATER_UTC = datetime(2025, 3, 11, 14, 30, tzinfo=UTC)
PHONE = "34666555444"
PHONE2 = "34666555333"
# Seeded blacklist entries (see state_lists._seed_blacklist).
SMS_BLACKLISTED = "99000000001"
VOICE_BLACKLISTED = "99000000005"
MAIL_BLACKLISTED = "unsubscribed@example.com"


def error(code: int, description: str) -> dict[str, Any]:
    return {"error": {"code": code, "description": description}}


SMS = {"to": [PHONE], "from": "TEST", "message": "SMS text message"}
MAIL = {
    "to": ["test@example.com"],
    "fromName": "Info",
    "fromEmail": "info@sample.com",
    "body": "<p>Hello</p>",
    "replyTo": "replyto@example.com",
    "subject": "TEST",
}
VOICE = {"to": ["34666666666"], "message": "Esto es un test", "gender": "F", "language": "es_ES"}
AUDIO = {"to": ["34666666666"], "audioUrl": "https://example.com/audio.mp3"}
LANDING = {
    "to": [PHONE],
    "message": "TEST API LANDING {LAND_URL}",
    "from": "LANDINGAPI",
    "templateBody": "<html><body><h1>HELLO LANDING</h1></body></html>",
}
WHATSAPP = {"templateId": 126, "from": BUSINESS_NUMBER, "messages": [{"to": PHONE}]}
DEFAULTS: dict[str, dict[str, Any]] = {
    "sms": SMS,
    "mailing": MAIL,
    "voice": VOICE,
    "voiceAudio": AUDIO,
    "landingsms": LANDING,
    "whatsapp": WHATSAPP,
}


async def post(client: httpx.AsyncClient, path: str, **changes: Any) -> httpx.Response:
    """POST the endpoint's minimal valid body with some fields changed (None drops one)."""
    body = {**DEFAULTS[path], **changes}
    body = {k: v for k, v in body.items() if v is not None}
    return await client.post(f"{API}/{path}", json=body)


async def refused(client: httpx.AsyncClient, path: str, **changes: Any) -> tuple[int, Any]:
    response = await post(client, path, **changes)
    return response.status_code, response.json()


# --- every endpoint -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["mailing", "voice", "voiceAudio", "landingsms", "whatsapp"])
@pytest.mark.refused_requests
async def test_auth_and_invalid_json(app: Starlette, client: httpx.AsyncClient, path: str) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as anonymous:
        response = await anonymous.post(f"{API}/{path}", json=DEFAULTS[path])
    assert (response.status_code, response.json()) == (
        401,
        error(103, "Username or password unknown"),
    )
    for raw in (b"{nope", b"[1, 2]"):
        response = await client.post(
            f"{API}/{path}", content=raw, headers={"Content-Type": "application/json"}
        )
        assert (response.status_code, response.json()) == (400, error(125, "Invalid JSON"))


@pytest.mark.parametrize(
    ("path", "channel"),
    [
        ("sms", "sms"),
        ("mailing", "mailing"),
        ("voice", "voice"),
        ("voiceAudio", "voiceAudio"),
        ("landingsms", "landingsms"),
        ("whatsapp", "whatsapp"),
    ],
)
async def test_every_send_is_recorded_and_charged(
    client: httpx.AsyncClient, state: Nrs360State, path: str, channel: str
) -> None:
    balance = state.balance_cents
    response = await post(client, path, campaignName="Spring", tags=["promo", "promo", "q1"])
    assert response.status_code == 202, response.text
    body = response.json()
    sending = state.sending.sendings[body["sendingId"]]
    campaign = state.sending.campaigns[body["campaignId"]]
    assert (sending.channel, sending.campaign_id, sending.created_at) == (
        channel,
        campaign.id,
        START,
    )
    assert (campaign.name, campaign.channel, campaign.tags) == ("Spring", channel, ["promo", "q1"])
    assert [i.id for i in sending.items] == [r["id"] for r in body["result"]]
    assert sending.content["campaignName"] == "Spring"
    assert state.balance_cents < balance
    assert sending.cost == (balance - state.balance_cents) / 100
    again = (await post(client, path, campaignName="Spring")).json()
    assert again["campaignId"] == body["campaignId"] and again["sendingId"] != body["sendingId"]


async def test_unnamed_sends_get_their_own_campaign(
    client: httpx.AsyncClient, state: Nrs360State
) -> None:
    first = (await post(client, "sms")).json()
    second = (await post(client, "sms")).json()
    assert first["campaignId"] != second["campaignId"]
    assert state.sending.campaigns[first["campaignId"]].name == "API sms 2025-03-10 12:00:00"


@pytest.mark.parametrize(
    "path", ["sms", "mailing", "voice", "voiceAudio", "landingsms", "whatsapp"]
)
async def test_not_enough_credits_is_402_and_nothing_is_recorded(
    client: httpx.AsyncClient, state: Nrs360State, path: str
) -> None:
    state.balance_cents = 0
    assert await refused(client, path) == (402, error(111, "Not enough credits"))
    assert state.sending.sendings == {} and state.sending.campaigns == {}


@pytest.mark.parametrize("path", ["sms", "mailing", "voice", "landingsms"])
@pytest.mark.refused_requests
async def test_tags_without_campaign_name_is_126(client: httpx.AsyncClient, path: str) -> None:
    assert await refused(client, path, tags=["x"]) == (400, error(126, "Empty campaign name"))
    assert await refused(client, path, tags=["x"], campaignName=" ") == (
        400,
        error(126, "Empty campaign name"),
    )


@pytest.mark.parametrize("path", ["sms", "mailing", "voice", "landingsms"])
@pytest.mark.refused_requests
async def test_sub_needs_one_object_per_recipient(client: httpx.AsyncClient, path: str) -> None:
    status, body = await refused(client, path, sub=[{"a": "1"}, {"a": "2"}])
    assert (status, body) == (422, error(422, "The sub must contain 1 items."))


# --- SMS options ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "description"),
    [
        ({"notificationUrl": "not a url"}, 109, "Notification URL incorrect"),
        ({"notificationUrl": ["https://example.com/a"], "to": [PHONE, PHONE2]}, 109, None),
        (
            {"notificationUrl": ["https://example.com/a", "ftp://x"], "to": [PHONE, PHONE2]},
            109,
            None,
        ),
        ({"availableTimes": {"from": "09:00"}}, 183, "Available times value is not an array"),
        ({"availableTimes": []}, 194, "Available times is specified but its value is empty"),
        ({"availableTimes": [{"from": "09:00"}]}, 189, "Missing available time object property"),
        ({"availableTimes": ["09:00-10:00"]}, 189, None),
        ({"availableTimes": [{"day": "1", "from": "09:00", "to": "21:00"}]}, 184, None),
        ({"availableTimes": [{"day": 8, "from": "09:00", "to": "21:00"}]}, 185, None),
        ({"availableTimes": [{"day": 0, "from": "09:00", "to": "21:00"}]}, 185, None),
        ({"availableTimes": [{"from": "9:00", "to": "21:00"}]}, 186, None),
        ({"availableTimes": [{"from": "09:00", "to": "24:00"}]}, 187, None),
        ({"availableTimes": [{"from": "21:00", "to": "09:00"}]}, 188, None),
        ({"availableTimes": [{"from": "09:00", "to": "09:20"}]}, 196, None),
        ({"expirationDate": "20250310110000"}, 119, "Invalid expiration date"),
        ({"scheduleDate": LATER, "expirationDate": LATER}, 119, None),
        ({"message": "{name_is_long}" + "x" * 150, "splitParts": True, "parts": 2}, None, None),
        ({"message": "x" * 155 + "{name}", "splitParts": True, "parts": 2}, 142, None),
    ],
)
@pytest.mark.refused_requests
async def test_sms_option_errors(
    client: httpx.AsyncClient,
    state: Nrs360State,
    changes: dict[str, Any],
    code: int | None,
    description: str | None,
) -> None:
    response = await post(client, "sms", **changes)
    if code is None:
        assert response.status_code == 202, response.text
        return
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    if description:
        assert response.json() == error(code, description)
    assert state.sms == {} and state.sending.sendings == {}


@pytest.mark.parametrize(
    ("changes", "description"),
    [
        # trans: "integer ... Possible values are 1 and 0."
        ({"trans": 2}, "The trans must be 0 or 1."),
        ({"certified": "yes"}, "The certified field must be true or false."),
        ({"flash": 3}, "The flash field must be true or false."),
        ({"splitParts": "x"}, "The split parts field must be true or false."),
        ({"tags": "promo", "campaignName": "C"}, "The tags must be an array of strings."),
        ({"sub": {"name": "x"}}, "The sub must be an array of objects."),
        ({"otpConfig": {"length": 2}}, "The length must be between 3 and 10."),
        (
            {"otpConfig": {"maxSecondsValidity": 601}},
            "The max seconds validity must be between 30 and 600.",
        ),
        ({"otpConfig": "x"}, "The otp config must be an object."),
    ],
)
@pytest.mark.refused_requests
async def test_sms_option_validation_422(
    client: httpx.AsyncClient, changes: dict[str, Any], description: str
) -> None:
    assert await refused(client, "sms", **changes) == (422, error(422, description))


async def test_sms_every_option_accepted(client: httpx.AsyncClient, state: Nrs360State) -> None:
    response = await post(
        client,
        "sms",
        to=[PHONE, PHONE2],
        encoding="utf-16",
        parts=3,
        trans=1,
        scheduleDate=LATER,
        expirationDate="20250312000000",
        notificationUrl=["https://example.com/1?s=%s", "https://example.com/2"],
        campaignName="All",
        tags=["t"],
        certified=True,
        sub=[{"name": "Ana"}, {"name": "Bo"}],
        splitParts=False,
        flash=True,
        availableTimes=[
            {"day": 1, "from": "09:00", "to": "21:00"},
            {"from": "10:00", "to": "11:00"},
        ],
        otpConfig={"alpha": True, "length": 6},
        message="Hi {name}: {OTP_CODE}",
    )
    assert response.status_code == 202, response.text
    sending = state.sending.sendings[response.json()["sendingId"]]
    assert [i.custom_fields for i in sending.items] == [{"name": "Ana"}, {"name": "Bo"}]
    assert sending.scheduled_at == LATER_UTC
    assert all(i.scheduled_at == LATER_UTC for i in sending.items)
    # certified: 1 part x 5 cents + 10 cents surcharge, per recipient
    assert sending.cost == 0.30
    otp = state.otps[(PHONE, "")]
    assert len(otp.code) == 6 and (otp.max_attempts, otp.max_seconds_validity) == (3, 60)


async def test_sms_custom_fields_come_from_the_contact(
    client: httpx.AsyncClient, state: Nrs360State
) -> None:
    contact = next(c for c in state.contacts.values() if c.phone and c.custom_fields)
    assert contact.phone is not None
    response = await post(client, "sms", to=[contact.phone, "34600000001"])
    sending = state.sending.sendings[response.json()["sendingId"]]
    known, unknown = sending.items
    assert known.custom_fields["phone"] == contact.phone
    assert known.custom_fields[contact.custom_fields[0].key] == contact.custom_fields[0].value
    assert unknown.custom_fields == {}


async def test_sms_blacklisted_recipients_are_rejected(
    client: httpx.AsyncClient, state: Nrs360State
) -> None:
    balance = state.balance_cents
    response = await post(client, "sms", to=[PHONE, "+" + SMS_BLACKLISTED, "34"])
    assert response.status_code == 207
    good, blocked, bad = response.json()["result"]
    assert good["accepted"] is True
    assert blocked == {
        "accepted": False,
        "to": "+" + SMS_BLACKLISTED,
        "error": {"code": 102, "description": "Recipient is blacklisted"},
    }
    assert bad["error"] == {"code": 102, "description": "No valid recipients"}
    assert balance - state.balance_cents == 5  # only the accepted one is charged
    assert len(state.sms) == 1
    only_blocked = await refused(client, "sms", to=[SMS_BLACKLISTED])
    assert only_blocked == (400, error(102, "No valid recipients"))


# --- email ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "code", "description"),
    [
        ({"body": None}, 400, 104, "Text message missing"),
        ({"body": "  "}, 400, 104, "Text message missing"),
        ({"body": None, "templateId": 999}, 400, 140, "Template missing"),
        ({"templateV2Id": 999}, 400, 140, "Template missing"),
        ({"fromEmail": None}, 400, 106, "Sender missing"),
        ({"fromEmail": "not-an-email"}, 400, 115, "Sender is not verified"),
        ({"fromEmail": "info@unverified.example.org"}, 400, 115, "Sender is not verified"),
        ({"subject": None}, 400, 114, "Invalid subject"),
        ({"subject": ""}, 400, 114, "Invalid subject"),
        ({"subject": "x" * 256}, 400, 114, "Invalid subject"),
        ({"replyTo": None}, 400, 116, "Invalid replyTo"),
        ({"replyTo": "nope"}, 400, 116, "Invalid replyTo"),
        ({"replyTo": "a@elsewhere.example.net"}, 400, 117, "ReplyTo is not verified"),
        ({"scheduleDate": "tomorrow"}, 400, 121, "Invalid scheduled date"),
        ({"to": ["invalidEmail"]}, 400, 102, "No valid recipients"),
        ({"to": [MAIL_BLACKLISTED]}, 400, 102, "No valid recipients"),
        ({"to": "test@example.com"}, 400, 102, "No valid recipients"),
        ({"cc": ["x"]}, 422, 422, "The cc.0 must be a valid email address."),
        ({"bcc": "a@example.com"}, 422, 422, "The bcc must be an array."),
        ({"trackOpens": "no"}, 422, 422, "The track opens field must be true or false."),
        ({"fromName": 7}, 422, 422, "The from name must be a string."),
        (
            {
                "attachments": [
                    {"name": "a.txt", "content": "not base64!", "contentType": "text/plain"}
                ]
            },
            422,
            422,
            "The attachments.0.content must be a valid base64 string.",
        ),
        (
            {"attachments": [{"name": "a.txt", "content": "aGk="}]},
            422,
            422,
            "The attachments.0.content type field is required.",
        ),
        ({"attachments": [{}]}, 422, 422, "The attachments.0.name field is required."),
    ],
)
@pytest.mark.refused_requests
async def test_mailing_errors(
    client: httpx.AsyncClient,
    state: Nrs360State,
    changes: dict[str, Any],
    status: int,
    code: int,
    description: str,
) -> None:
    assert await refused(client, "mailing", **changes) == (status, error(code, description))
    assert state.sending.sendings == {}


async def test_mailing_with_templates_and_attachments(
    client: httpx.AsyncClient, state: Nrs360State
) -> None:
    balance = state.balance_cents
    attachment = {"name": "a.txt", "content": "aGk=", "contentType": "text/plain"}
    response = await post(
        client,
        "mailing",
        body=None,
        templateId=1,
        to=["test@example.com", "invalidEmail", MAIL_BLACKLISTED],
        cc=["cc@example.com"],
        attachments=[attachment, attachment],
        certified=True,
        trackClicks=False,
    )
    assert response.status_code == 207
    ok_item, invalid_item, blocked = response.json()["result"]
    assert set(ok_item) == {"accepted", "to", "id", "scheduledAt"}
    assert invalid_item["error"] == {"code": 102, "description": "No valid recipients"}
    assert blocked["error"] == {"code": 102, "description": "Recipient is blacklisted"}
    # 1 cent per email, 1 per attachment, 10 for certified
    assert balance - state.balance_cents == 13
    sending = state.sending.sendings[response.json()["sendingId"]]
    assert sending.content["attachments"] == [{"name": "a.txt"}, {"name": "a.txt"}]
    assert sending.content["certified"] is True
    ok_v2 = await post(client, "mailing", body=None, templateV2Id="2")
    assert ok_v2.status_code == 202


async def test_mailing_custom_fields_from_contact_by_email(
    client: httpx.AsyncClient, state: Nrs360State
) -> None:
    contact = next(c for c in state.contacts.values() if c.email)
    assert contact.email is not None
    response = await post(client, "mailing", to=[contact.email.upper()])
    (item,) = state.sending.sendings[response.json()["sendingId"]].items
    assert item.custom_fields["email"] == contact.email


# --- voice ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "description"),
    [
        ({"message": None}, 104, "Text message missing"),
        ({"message": "x" * 501}, 105, "Text message too long"),
        ({"language": "ca_ES"}, 130, "Invalid voice language"),
        ({"language": None}, 130, "Invalid voice language"),
        ({"gender": "X"}, 131, "Invalid voice gender"),
        ({"gender": "M", "language": "cmn_CN"}, 131, "Invalid voice gender"),
        ({"gender": "M", "language": "hi_IN"}, 131, "Invalid voice gender"),
        ({"callers": {"ES": "abc"}}, 132, "Invalid voice caller"),
        ({"callers": {"Spain": "6123456789"}}, 132, "Invalid voice caller"),
        ({"callers": ["6123456789"]}, 132, "Invalid voice caller"),
        ({"retries": ""}, 190, "Call Retries is specified but its value is empty"),
        ({"retries": 1.5}, 176, "Call retries value is not an integer"),
        ({"retries": 6}, 177, "Call retries value out of range"),
        ({"retries": -1}, 177, "Call retries value out of range"),
        ({"scheduleDate": "2025"}, 121, "Invalid scheduled date"),
        ({"expirationDate": "20250399000000"}, 119, "Invalid expiration date"),
        ({"to": ["12"]}, 102, "No valid recipients"),
        ({"to": [VOICE_BLACKLISTED]}, 102, "No valid recipients"),
    ],
)
@pytest.mark.refused_requests
async def test_voice_errors(
    client: httpx.AsyncClient,
    state: Nrs360State,
    changes: dict[str, Any],
    code: int,
    description: str,
) -> None:
    assert await refused(client, "voice", **changes) == (400, error(code, description))
    assert state.sending.sendings == {}


async def test_voice_every_option_and_per_recipient_results(
    client: httpx.AsyncClient, state: Nrs360State
) -> None:
    response = await post(
        client,
        "voice",
        to=["34666666666", "34", VOICE_BLACKLISTED],
        language="arb",
        gender="F",
        callers={"ES": "6123456789", "PT": "+6987654321"},
        scheduleDate=LATER,
        retries=5,
        expirationDate="20250311170000",
        amd=True,
    )
    assert response.status_code == 207
    accepted, invalid_item, blocked = response.json()["result"]
    assert accepted["scheduledAt"] == "2025-03-11T14:30:00+00:00"
    assert accepted["expiresAt"] == "2025-03-11T17:00:00+00:00"
    assert invalid_item["error"]["code"] == 102
    assert blocked["error"] == {"code": 102, "description": "Recipient is blacklisted"}
    # Scheduled calls are not SMS or MAILING: /scheduled does not list them.
    assert state.sending.scheduled == {}
    assert (await post(client, "voice", message="x" * 500)).status_code == 202


@pytest.mark.parametrize(
    ("changes", "code", "description"),
    [
        ({"audioUrl": None}, 133, "Invalid audio URL"),
        ({"audioUrl": "example.com/audio.mp3"}, 133, "Invalid audio URL"),
        ({"audioUrl": "https://example.com/audio.flac"}, 134, "Unsupported audio format"),
        ({"audioUrl": "https://example.com/audio"}, 134, "Unsupported audio format"),
        ({"retries": 9}, 177, "Call retries value out of range"),
        ({"callers": {"ES": ""}}, 132, "Invalid voice caller"),
    ],
)
@pytest.mark.refused_requests
async def test_voice_audio_errors(
    client: httpx.AsyncClient, changes: dict[str, Any], code: int, description: str
) -> None:
    assert await refused(client, "voiceAudio", **changes) == (400, error(code, description))


async def test_voice_audio_url_with_query_string(client: httpx.AsyncClient) -> None:
    response = await post(client, "voiceAudio", audioUrl="https://example.com/a.WAV?sig=1")
    assert response.status_code == 202


# --- landing SMS ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "description"),
    [
        ({"message": None}, 104, "Text message missing"),
        ({"message": "no placeholder"}, 141, "Missing landing placeholder"),
        ({"message": "{land_url}"}, 141, "Missing landing placeholder"),
        ({"from": None}, 106, "Sender missing"),
        ({"from": "ABCDEFGHIJKL"}, 107, "Sender too long"),
        ({"encoding": "ucs2"}, 113, "Invalid coding"),
        ({"parts": 9}, 110, "Exceeded maximum parts allowed or incorrect number of parts"),
        ({"message": "{LAND_URL}" + "x" * 151}, 105, "Text message too long"),
        ({"scheduleDate": "x"}, 121, "Invalid scheduled date"),
        ({"notificationUrl": ["https://example.com/a"]}, 109, "Notification URL incorrect"),
        ({"templateBody": None}, 140, "Template missing"),
        ({"templateBody": None, "templateId": 42}, 140, "Template missing"),
        ({"templateBody": None, "templateV2Id": "x"}, 140, "Template missing"),
        ({"to": [SMS_BLACKLISTED]}, 102, "No valid recipients"),
    ],
)
@pytest.mark.refused_requests
async def test_landing_errors(
    client: httpx.AsyncClient,
    state: Nrs360State,
    changes: dict[str, Any],
    code: int,
    description: str,
) -> None:
    assert await refused(client, "landingsms", **changes) == (400, error(code, description))
    assert state.sms == {} and state.sending.sendings == {}


async def test_landing_with_templates_parts_and_lookup(
    client: httpx.AsyncClient, state: Nrs360State
) -> None:
    message = "{LAND_URL} " + "x" * 1000
    response = await post(
        client, "landingsms", templateBody=None, templateV2Id=1, message=message, parts=8
    )
    assert response.status_code == 202, response.text
    (item,) = response.json()["result"]
    assert item["parts"] == 7
    shown = (await client.get(f"{API}/sms/{item['id']}")).json()["data"][0]
    assert shown["message"] == message
    sending = state.sending.sendings[response.json()["sendingId"]]
    assert sending.cost == 0.35


# --- WhatsApp templates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "description"),
    [
        ({"templateId": None}, 140, "Invalid template"),
        ({"templateId": 999}, 140, "Invalid template"),
        ({"from": None}, 106, "Sender missing"),
        ({"from": "34600000000"}, 115, "Sender is not verified"),
        ({"messages": []}, 102, "No valid recipients"),
        ({"messages": {"to": PHONE}}, 102, "No valid recipients"),
        (
            {"messages": [{"to": "34"}]},
            102,
            "The messages.0.to field does not contain a valid phone number",
        ),
        (
            {"templateId": 125, "messages": [{"to": PHONE}]},
            422,
            "The messages.0.bodyFields field must contain 1 items.",
        ),
    ],
)
@pytest.mark.refused_requests
async def test_whatsapp_errors(
    client: httpx.AsyncClient,
    state: Nrs360State,
    changes: dict[str, Any],
    code: int,
    description: str,
) -> None:
    assert await refused(client, "whatsapp", **changes) == (400, error(code, description))
    assert state.sending.sendings == {}


@pytest.mark.parametrize(
    ("template", "message", "description"),
    [
        (123, {"headerFields": ["h"], "bodyFields": ["a"], "callToActionFields": ["c"]},
         "The messages.1.bodyFields field must contain 2 items."),
        (123, {"headerFields": ["h"], "bodyFields": ["a", "b"], "callToActionFields": ["c"],
               "buttonAnswers": ["1", "2", "3"]},
         "The messages.1.buttonAnswers field must contain at most 2 items."),
        (125, {"bodyFields": [1]}, "The messages.1.bodyFields must be an array of strings."),
        (124, {}, "The messages.1.location field is required."),
        (124, {"location": {"lat": "north", "long": "1"}},
         "The messages.1.location.lat field must be a valid coordinate."),
        (126, {"defaultAnswer": 3}, "The messages.1.defaultAnswer must be a string."),
    ],
)  # fmt: skip
async def test_whatsapp_per_message_errors_are_207(
    client: httpx.AsyncClient, template: int, message: dict[str, Any], description: str
) -> None:
    goods: dict[int, dict[str, Any]] = {
        123: {"headerFields": ["h"], "bodyFields": ["a", "b"], "callToActionFields": ["c"]},
        124: {"location": {"lat": "39.9", "long": "-0.1"}},
        125: {"bodyFields": ["1234"]},
        126: {"defaultAnswer": ["either", "form"]},
    }
    good = goods[template]
    messages = [{"to": PHONE, **good}, {"to": PHONE2, **message}]
    response = await post(client, "whatsapp", templateId=template, messages=messages)
    assert response.status_code == 207
    accepted, rejected = response.json()["result"]
    assert accepted["accepted"] is True
    assert rejected == {
        "accepted": False,
        "to": PHONE2,
        "error": {"code": 422, "description": description},
    }


async def test_whatsapp_template_lands_in_the_conversation(
    client: httpx.AsyncClient, state: Nrs360State
) -> None:
    fields = {"headerFields": ["Order"], "bodyFields": ["Ana", "#42"], "callToActionFields": ["c"]}
    response = await post(
        client, "whatsapp", templateId="123", messages=[{"to": "+34600999888", **fields}]
    )
    assert response.status_code == 202
    (item,) = response.json()["result"]
    conversation = state.conversations[(BUSINESS_NUMBER, "34600999888")]
    last = conversation.messages[-1]
    assert (last.id, last.type, last.inbound) == (item["id"], "template", False)
    assert last.content == "Order: Hi Ana, your order #42 is on its way."
    listed = await client.get(
        f"{API}/whatsapp/conversations/{BUSINESS_NUMBER}/34600999888/messages"
    )
    assert listed.json()["data"][0]["content"] == last.content
    sending = state.sending.sendings[response.json()["sendingId"]]
    assert sending.items[0].custom_fields == {"1": "Ana", "2": "#42"}


# --- scheduled ------------------------------------------------------------------------------


async def schedule(client: httpx.AsyncClient, path: str = "sms", **changes: Any) -> Any:
    response = await post(client, path, scheduleDate=LATER, **changes)
    assert response.status_code == 202, response.text
    return response.json()


async def test_scheduled_list_shapes(client: httpx.AsyncClient) -> None:
    sms = await schedule(client, to=[PHONE, PHONE2])
    mail = await schedule(client, "mailing")
    landing = await schedule(client, "landingsms")
    response = await client.get(f"{API}/scheduled")
    assert response.status_code == 200
    stamp = {
        "created_at": "2025-03-10 12:00:00",
        "updated_at": "2025-03-10 12:00:00",
        "scheduled_at": "2025-03-11 14:30:00",
    }
    assert response.json() == {
        "result": [
            {"guid": "100", "type": "SMS", "sending_id": sms["sendingId"], **stamp},
            {"guid": "101", "type": "SMS", "sending_id": sms["sendingId"], **stamp},
            {"guid": "102", "type": "MAILING", "sending_id": mail["sendingId"], **stamp},
            {"guid": "103", "type": "SMS", "sending_id": landing["sendingId"], **stamp},
        ],
        "total": 4,
    }
    single = (await client.get(f"{API}/scheduled", params={"guid": "101"})).json()
    assert single == {
        "result": {
            "guid": "101",
            "type": "SMS",
            "content": {
                "to": PHONE2,
                "from": "TEST",
                "encoding": "gsm",
                "message": "SMS text message",
                "campaignId": sms["campaignId"],
                "sendingId": sms["sendingId"],
            },
            **stamp,
        },
        "total": 1,
    }
    mailing = (await client.get(f"{API}/scheduled", params={"guid": 102})).json()["result"]
    assert mailing["content"] == {
        "to": "test@example.com",
        "fromEmail": "info@sample.com",
        "fromName": "Info",
        "subject": "TEST",
        "replyTo": "replyto@example.com",
        "campaignId": mail["campaignId"],
        "sendingId": mail["sendingId"],
    }


async def test_scheduled_list_filters(client: httpx.AsyncClient) -> None:
    sms = await schedule(client, to=[PHONE, PHONE2])
    await schedule(client, "mailing")

    async def guids(query: str) -> list[str]:
        response = await client.get(f"{API}/scheduled?{query}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(body["result"])
        return [i["guid"] for i in body["result"]]

    assert await guids("type=MAILING") == ["102"]
    assert await guids("type=SMS") == ["100", "101"]
    assert await guids(f"sendingId={sms['sendingId']}") == ["100", "101"]
    assert await guids("guid[]=100&guid[]=102&guid[]=999") == ["100", "102"]
    assert await guids("guid[]=100&guid[]=102&type=SMS") == ["100"]
    # PHP keeps the last of repeated plain names.
    single = (await client.get(f"{API}/scheduled?guid=100&guid=102")).json()
    assert single["result"]["guid"] == "102"


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        ("type=VOICE", 422, error(422, "The selected type is invalid.")),
        ("sendingId=abc", 422, error(422, "The sending id must be an integer.")),
        ("guid=abc", 400, error(120, "Invalid GUID")),
        ("guid[]=1&guid[]=x", 400, error(120, "Invalid GUID")),
        ("guid=999", 404, error(404, "Resource not found")),
        ("guid=100&type=MAILING", 404, error(404, "Resource not found")),
    ],
)
@pytest.mark.refused_requests
async def test_scheduled_list_errors(
    client: httpx.AsyncClient, query: str, status: int, body: dict[str, Any]
) -> None:
    await schedule(client)
    response = await client.get(f"{API}/scheduled?{query}")
    assert (response.status_code, response.json()) == (status, body)


async def test_scheduled_items_leave_the_list_when_sent(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await schedule(client)
    await post(client, "sms", scheduleDate="20250310110000")  # in the past: sent at once
    assert (await client.get(f"{API}/scheduled")).json()["total"] == 1
    clock.advance(days=1, hours=2, minutes=29, seconds=59)
    assert (await client.get(f"{API}/scheduled")).json()["total"] == 1
    clock.advance(seconds=1)
    assert (await client.get(f"{API}/scheduled")).json() == {"result": [], "total": 0}


async def test_scheduled_reschedule(
    client: httpx.AsyncClient, state: Nrs360State, clock: FakeClock
) -> None:
    sms = await schedule(client, to=[PHONE, PHONE2])
    await schedule(client, "mailing")
    clock.advance(minutes=5)
    response = await client.put(
        f"{API}/scheduled", json={"guid": [100, "102"], "scheduleDate": "20250320093000"}
    )
    assert (response.status_code, response.json()) == (200, {"result": True, "updated": 2})
    listed = {i["guid"]: i for i in (await client.get(f"{API}/scheduled")).json()["result"]}
    assert listed["100"]["scheduled_at"] == "2025-03-20 09:30:00"
    assert listed["100"]["updated_at"] == "2025-03-10 12:05:00"
    assert listed["101"]["scheduled_at"] == "2025-03-11 14:30:00"
    first_id = sms["result"][0]["id"]
    moved = datetime(2025, 3, 20, 9, 30, tzinfo=UTC)
    assert state.sms[first_id].scheduled_at == moved
    # The sending now starts with its earliest recipient.
    assert state.sending.sendings[sms["sendingId"]].scheduled_at == LATER_UTC
    single = await client.put(
        f"{API}/scheduled", json={"guid": 101, "scheduleDate": "20250321000000"}
    )
    assert single.json() == {"result": True, "updated": 1}
    assert state.sending.sendings[sms["sendingId"]].scheduled_at == moved
    typed = await client.put(
        f"{API}/scheduled", json={"type": "MAILING", "scheduleDate": "20250322000000"}
    )
    assert typed.json() == {"result": True, "updated": 1}
    every = await client.put(f"{API}/scheduled", json={"scheduleDate": "20250323000000"})
    assert every.json() == {"result": True, "updated": 3}


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({"guid": [100]}, 400, error(121, "Invalid scheduled date")),
        ({"guid": [100], "scheduleDate": "2025-03-20"}, 400, error(121, "Invalid scheduled date")),
        (
            {"guid": [100], "scheduleDate": "20250310115959"},
            400,
            error(121, "Invalid scheduled date"),
        ),
        ({"guid": [], "scheduleDate": LATER}, 400, error(120, "Invalid GUID")),
        ({"guid": ["x"], "scheduleDate": LATER}, 400, error(120, "Invalid GUID")),
        ({"guid": True, "scheduleDate": LATER}, 400, error(120, "Invalid GUID")),
        ({"type": "sms", "scheduleDate": LATER}, 422, error(422, "The selected type is invalid.")),
        ({"guid": [999], "scheduleDate": LATER}, 200, {"result": True, "updated": 0}),
    ],
)
@pytest.mark.refused_requests
async def test_scheduled_reschedule_errors(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, expected: dict[str, Any]
) -> None:
    await schedule(client)
    response = await client.put(f"{API}/scheduled", json=body)
    assert (response.status_code, response.json()) == (status, expected)


async def test_scheduled_delete(client: httpx.AsyncClient, state: Nrs360State) -> None:
    balance = state.balance_cents
    sms = await schedule(client, to=[PHONE, PHONE2])
    mail = await schedule(client, "mailing")
    charged = balance - state.balance_cents
    response = await client.request("DELETE", f"{API}/scheduled", json={"guid": [100]})
    assert (response.status_code, response.json()) == (200, {"result": True, "deleted": 1})
    first_id = sms["result"][0]["id"]
    assert (await client.get(f"{API}/sms/{first_id}")).status_code == 404
    sending = state.sending.sendings[sms["sendingId"]]
    assert [i.to for i in sending.items] == [PHONE2]
    assert balance - state.balance_cents == charged - 5  # the cancelled SMS is refunded
    assert sending.cost == 0.05
    wrong_type = await client.request(
        "DELETE", f"{API}/scheduled", json={"guid": [101], "type": "MAILING"}
    )
    assert wrong_type.json() == {"result": True, "deleted": 0}
    rest = await client.request("DELETE", f"{API}/scheduled", json={})
    assert rest.json() == {"result": True, "deleted": 2}
    assert state.sending.sendings[mail["sendingId"]].items == []
    assert (await client.get(f"{API}/scheduled")).json() == {"result": [], "total": 0}
    assert balance == state.balance_cents


@pytest.mark.refused_requests
async def test_scheduled_delete_errors(client: httpx.AsyncClient) -> None:
    await schedule(client)
    bodies: list[dict[str, Any]] = [{"guid": []}, {"guid": [1.5]}, {"guid": "abc"}]
    for body in bodies:
        response = await client.request("DELETE", f"{API}/scheduled", json=body)
        assert (response.status_code, response.json()) == (400, error(120, "Invalid GUID"))
    empty = await client.request("DELETE", f"{API}/scheduled", content=b"")
    assert empty.json() == {"result": True, "deleted": 1}  # no body at all: every message
