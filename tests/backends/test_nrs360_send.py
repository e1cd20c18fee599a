"""The 360nrs send-area client against the sandbox: email, voice, landing, WhatsApp, scheduled.

One contract test per endpoint: what reached the provider (method, path, query, headers,
body) as the reference shows it, and what the client made of the answer.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from backends.base import Capability
from backends.errors import BadRequest, InvalidInput, MalformedResponse, NotFound
from backends.models.common import OtpConfig, RecipientResult, SmsRequest
from backends.models.send import (
    Attachment,
    LandingRequest,
    MailingRequest,
    ScheduledChange,
    ScheduledMessage,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppLocation,
    WhatsAppTemplateMessage,
    WhatsAppTemplateRequest,
)
from backends.nrs360.client import Nrs360Backend
from backends.nrs360.common import parse_send_result
from backends.nrs360.send import scheduled_query
from backends.sandbox.core import RecordedRequest, RequestLog
from backends.sandbox.nrs360 import (
    BUSINESS_NUMBER,
    Nrs360State,
)
from tests.backends.conftest import API, START, mocked

# An aware time zone other than UTC, so a missing conversion shows in the body.
BOGOTA = timezone(timedelta(hours=-5))
LATER = datetime(2025, 3, 11, 9, 30, tzinfo=BOGOTA)  # 14:30 UTC
LATER_UTC = datetime(2025, 3, 11, 14, 30, tzinfo=UTC)


def only(log: RequestLog, method: str, path: str) -> RecordedRequest:
    """The single request with this method and path, authenticated as the demo user."""
    found = log.matching(method, path)
    assert len(found) == 1, [(r.method, r.path) for r in log.requests]
    request = found[0]
    header = request.headers["authorization"]
    assert base64.b64decode(header.removeprefix("Basic ")) == b"demo:demo-api-password"
    assert request.headers["accept"] == "application/json"
    if request.body:
        assert request.headers["content-type"] == "application/json"
    else:
        assert "content-type" not in request.headers
    return request


def canonical(value: Any) -> str:
    """JSON with sorted keys, so `1` and `true` differ."""
    return json.dumps(value, sort_keys=True)


def body_of(request: RecordedRequest) -> str:
    return canonical(request.json())


def test_capabilities() -> None:
    for capability in (
        Capability.MAILING,
        Capability.VOICE,
        Capability.VOICE_AUDIO,
        Capability.LANDING_SMS,
        Capability.WHATSAPP_TEMPLATES,
        Capability.SCHEDULED,
    ):
        assert Nrs360Backend.supports(capability)


# --- email --------------------------------------------------------------------------------


async def test_send_mailing_reference_example(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    html = (
        '<html><head><title>TEST</title></head><body><a href="https://example.com">link</a>'
        "</body></html>"
    )
    result = await backend.send_mailing(
        MailingRequest(
            to=("test@example.com",),
            sender_name="Info",
            sender_email="info@sample.com",
            body=html,
            reply_to="replyto@example.com",
            subject="TEST",
        )
    )
    request = only(log, "POST", f"{API}/mailing")
    assert request.query == {}
    assert body_of(request) == canonical(
        {
            "to": ["test@example.com"],
            "fromName": "Info",
            "fromEmail": "info@sample.com",
            "body": html,
            "replyTo": "replyto@example.com",
            "subject": "TEST",
        }
    )
    (item,) = result.results
    assert item.accepted and item.to == "test@example.com" and item.id
    assert (item.parts, item.scheduled_at, item.expires_at) == (None, None, None)
    sending = state.sending.sendings[result.sending_id or 0]
    assert sending.channel == "mailing" and sending.campaign_id == result.campaign_id
    assert [i.id for i in sending.items] == [item.id]


async def test_send_mailing_every_option(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State, tmp_path: Path
) -> None:
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    request = MailingRequest(
        to=("ana@example.com", "bo@example.com"),
        sender_email="news@switchboard.example",
        subject="Your code",
        reply_to="help@switchboard.example",
        template_v2_id=1,
        sender_name="News",
        cc=("cc@example.com",),
        bcc=("bcc@example.com",),
        schedule_date=LATER,
        campaign_name="Newsletter",
        tags=("march",),
        certified=True,
        sub=({"name": "Ana"}, {"name": "Bo"}),
        attachments=(Attachment.from_path(pdf), Attachment("a.txt", b"hi", "text/plain")),
        track_opens=False,
        track_clicks=True,
        otp_config=OtpConfig(length=6, alpha=False),
    )
    result = await backend.send_mailing(request)
    assert body_of(only(log, "POST", f"{API}/mailing")) == canonical(
        {
            "to": ["ana@example.com", "bo@example.com"],
            "fromEmail": "news@switchboard.example",
            "subject": "Your code",
            "replyTo": "help@switchboard.example",
            "templateV2Id": 1,
            "fromName": "News",
            "cc": ["cc@example.com"],
            "bcc": ["bcc@example.com"],
            "scheduleDate": "20250311143000",
            "campaignName": "Newsletter",
            "tags": ["march"],
            "certified": True,
            "sub": [{"name": "Ana"}, {"name": "Bo"}],
            "attachments": [
                {
                    "name": "invoice.pdf",
                    "content": base64.b64encode(b"%PDF-1.4 test").decode(),
                    "contentType": "application/pdf",
                },
                {"name": "a.txt", "content": "aGk=", "contentType": "text/plain"},
            ],
            "trackOpens": False,
            "trackClicks": True,
            "otpConfig": {"alpha": False, "length": 6},
        }
    )
    assert result.accepted == 2
    assert all(r.scheduled_at == LATER_UTC for r in result.results)
    sending = state.sending.sendings[result.sending_id or 0]
    assert [i.custom_fields for i in sending.items] == [{"name": "Ana"}, {"name": "Bo"}]
    campaign = state.sending.campaigns[result.campaign_id or 0]
    assert (campaign.name, campaign.tags) == ("Newsletter", ["march"])


def test_attachment_from_path_guesses_the_type(tmp_path: Path) -> None:
    unknown = tmp_path / "data.zzz-unknown"
    unknown.write_bytes(b"\x00\x01")
    att = Attachment.from_path(unknown)
    assert (att.name, att.content_type, att.encoded()) == (
        "data.zzz-unknown",
        "application/octet-stream",
        "AAE=",
    )
    assert "content" not in repr(att).split("content_type")[0]  # bytes kept out of repr
    (tmp_path / "a.csv").write_text("x")
    assert Attachment.from_path(tmp_path / "a.csv", name="b.csv").content_type == "text/csv"


async def test_send_mailing_needs_content(backend: Nrs360Backend, log: RequestLog) -> None:
    request = MailingRequest(
        to=("a@example.com",), sender_email="a@example.com", subject="s", reply_to="a@example.com"
    )
    with pytest.raises(ValueError, match="body"):
        await backend.send_mailing(request)
    assert log.requests == []


async def test_send_mailing_207_and_400(backend: Nrs360Backend) -> None:
    base = MailingRequest(
        to=("test@example.com", "invalidEmail", "unsubscribed@example.com"),
        sender_email="info@example.com",
        subject="Hi",
        reply_to="info@example.com",
        body="<p>Hi</p>",
    )
    result = await backend.send_mailing(base)
    assert [r.accepted for r in result.results] == [True, False, False]
    assert result.results[1] == RecipientResult(
        to="invalidEmail", accepted=False, error_code=102, error="No valid recipients"
    )
    assert result.results[2].error == "Recipient is blacklisted"
    with pytest.raises(BadRequest) as caught:
        await backend.send_mailing(
            MailingRequest(
                to=("a@example.com",),
                sender_email="info@unverified.example.org",
                subject="Hi",
                reply_to="info@example.com",
                body="x",
            )
        )
    assert (caught.value.status, caught.value.code) == (400, 115)


# --- voice --------------------------------------------------------------------------------


async def test_send_voice_reference_example(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    result = await backend.send_voice(
        VoiceRequest(
            to=("34666666666",),
            message="Esto es un test de mensaje de voz",
            gender="F",
            language="es_ES",
        )
    )
    request = only(log, "POST", f"{API}/voice")
    assert request.query == {}
    assert body_of(request) == canonical(
        {
            "to": ["34666666666"],
            "message": "Esto es un test de mensaje de voz",
            "gender": "F",
            "language": "es_ES",
        }
    )
    (item,) = result.results
    assert item.accepted and item.to == "34666666666" and item.id
    assert (item.scheduled_at, item.expires_at) == (None, None)
    assert state.sending.sendings[result.sending_id or 0].channel == "voice"


async def test_send_voice_every_option(backend: Nrs360Backend, log: RequestLog) -> None:
    result = await backend.send_voice(
        VoiceRequest(
            to=("34666666666", "34666666667"),
            message="Hola {name}",
            language="pt_BR",
            gender="M",
            callers={"ES": "6123456789", "PT": "6987654321"},
            schedule_date=LATER,
            retries=3,
            expiration_date=LATER + timedelta(hours=2),
            campaign_name="Calls",
            tags=("reminder",),
            sub=({"name": "Ana"}, {"name": "Bo"}),
            amd=True,
        )
    )
    assert body_of(only(log, "POST", f"{API}/voice")) == canonical(
        {
            "to": ["34666666666", "34666666667"],
            "message": "Hola {name}",
            "language": "pt_BR",
            "gender": "M",
            "callers": {"ES": "6123456789", "PT": "6987654321"},
            "scheduleDate": "20250311143000",
            "retries": 3,
            "expirationDate": "20250311163000",
            "campaignName": "Calls",
            "tags": ["reminder"],
            "sub": [{"name": "Ana"}, {"name": "Bo"}],
            "amd": True,
        }
    )
    assert result.accepted == 2
    assert {(r.scheduled_at, r.expires_at) for r in result.results} == {
        (LATER_UTC, LATER_UTC + timedelta(hours=2))
    }


async def test_send_voice_bad_gender_is_refused_locally(
    backend: Nrs360Backend, log: RequestLog
) -> None:
    # 'arb': Arab * ... "* Available only in female gender."
    with pytest.raises(InvalidInput, match="only a female voice"):
        await backend.send_voice(
            VoiceRequest(to=("34666666666",), message="x", language="arb", gender="M")
        )
    assert log.requests == []


async def test_send_voice_audio(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    result = await backend.send_voice_audio(
        VoiceAudioRequest(to=("34666666666",), audio_url="https://example.com/audio.mp3")
    )
    request = only(log, "POST", f"{API}/voiceAudio")
    assert body_of(request) == canonical(
        {"to": ["34666666666"], "audioUrl": "https://example.com/audio.mp3"}
    )
    assert result.accepted == 1 and result.results[0].id
    assert state.sending.sendings[result.sending_id or 0].channel == "voiceAudio"
    log.clear()
    await backend.send_voice_audio(
        VoiceAudioRequest(
            to=("34666666666",),
            audio_url="https://example.com/a.wav",
            callers={"ES": "6123456789"},
            schedule_date=LATER,
            retries=0,
            expiration_date=LATER + timedelta(days=1),
            campaign_name="Audio",
            tags=("t",),
            amd=False,
        )
    )
    assert body_of(only(log, "POST", f"{API}/voiceAudio")) == canonical(
        {
            "to": ["34666666666"],
            "audioUrl": "https://example.com/a.wav",
            "callers": {"ES": "6123456789"},
            "scheduleDate": "20250311143000",
            "retries": 0,
            "expirationDate": "20250312143000",
            "campaignName": "Audio",
            "tags": ["t"],
            "amd": False,
        }
    )


# --- landing SMS --------------------------------------------------------------------------


async def test_send_landing_reference_example(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    html = (
        "<html><head><title>LANDING TEST</title></head><body><h1>HELLO LANDING</h1></body></html>"
    )
    result = await backend.send_landing(
        LandingRequest(
            to=("34666555444",),
            message="TEST API LANDING {LAND_URL}",
            sender="LANDINGAPI",
            template_body=html,
        )
    )
    request = only(log, "POST", f"{API}/landingsms")
    assert request.query == {}
    assert body_of(request) == canonical(
        {
            "to": ["34666555444"],
            "message": "TEST API LANDING {LAND_URL}",
            "from": "LANDINGAPI",
            "templateBody": html,
        }
    )
    (item,) = result.results
    assert item.accepted and item.parts == 1 and item.id in state.sms
    assert state.sending.sendings[result.sending_id or 0].channel == "landingsms"


async def test_send_landing_every_option(backend: Nrs360Backend, log: RequestLog) -> None:
    result = await backend.send_landing(
        LandingRequest(
            to=("34666555444", "34666555333"),
            sender="ACME",
            message="Hi {name}: {LAND_URL}",
            template_id=2,
            encoding="gsm-pt",
            parts=8,
            trans=False,
            schedule_date=LATER,
            expiration_date=LATER + timedelta(hours=1),
            notification_url="https://example.com/dlr?s=%s",
            campaign_name="Landing",
            tags=("a", "b"),
            certified=False,
            sub=({"name": "Ana"}, {"name": "Bo"}),
            split_parts=True,
            flash=False,
        )
    )
    assert body_of(only(log, "POST", f"{API}/landingsms")) == canonical(
        {
            "to": ["34666555444", "34666555333"],
            "from": "ACME",
            "message": "Hi {name}: {LAND_URL}",
            "templateId": 2,
            "encoding": "gsm-pt",
            "parts": 8,
            "trans": 0,
            "scheduleDate": "20250311143000",
            "expirationDate": "20250311153000",
            "notificationUrl": "https://example.com/dlr?s=%s",
            "campaignName": "Landing",
            "tags": ["a", "b"],
            "certified": False,
            "sub": [{"name": "Ana"}, {"name": "Bo"}],
            "splitParts": True,
            "flash": False,
        }
    )
    assert result.accepted == 2


async def test_send_landing_needs_a_page(backend: Nrs360Backend, log: RequestLog) -> None:
    with pytest.raises(ValueError, match="template"):
        await backend.send_landing(LandingRequest(to=("34666555444",), sender="X", message="x"))
    assert log.requests == []


async def test_send_landing_without_placeholder_is_141(backend: Nrs360Backend) -> None:
    with pytest.raises(BadRequest) as caught:
        await backend.send_landing(
            LandingRequest(to=("34666555444",), sender="X", message="no url", template_v2_id=1)
        )
    assert (caught.value.code, caught.value.message) == (141, "Missing landing placeholder")


# --- WhatsApp templates -------------------------------------------------------------------


async def test_send_whatsapp_template_reference_example(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    result = await backend.send_whatsapp_template(
        WhatsAppTemplateRequest(
            template_id=126,
            sender=BUSINESS_NUMBER,
            messages=(WhatsAppTemplateMessage(to="34666555444"),),
        )
    )
    request = only(log, "POST", f"{API}/whatsapp")
    assert request.query == {}
    assert body_of(request) == canonical(
        {"templateId": 126, "from": "34666777555", "messages": [{"to": "34666555444"}]}
    )
    (item,) = result.results
    assert item.accepted and item.to == "34666555444"
    assert item.id is not None and len(item.id) == 36  # a UUID, as in the reference
    conversation = state.conversations[(BUSINESS_NUMBER, "34666555444")]
    assert conversation.messages[-1].id == item.id


async def test_send_whatsapp_template_every_field(backend: Nrs360Backend, log: RequestLog) -> None:
    result = await backend.send_whatsapp_template(
        WhatsAppTemplateRequest(
            template_id=123,
            sender=BUSINESS_NUMBER,
            messages=(
                WhatsAppTemplateMessage(
                    to="34666555444",
                    header_fields=("headerField1",),
                    body_fields=("bodyField1", "bodyField2"),
                    call_to_action_fields=("actionField1",),
                    default_answer="Example answer",
                    button_answers=("first button answer", "second button answer"),
                ),
                WhatsAppTemplateMessage(to="34"),
            ),
            campaign_name="WA",
            tags=("x",),
        )
    )
    assert body_of(only(log, "POST", f"{API}/whatsapp")) == canonical(
        {
            "templateId": 123,
            "from": "34666777555",
            "messages": [
                {
                    "to": "34666555444",
                    "headerFields": ["headerField1"],
                    "bodyFields": ["bodyField1", "bodyField2"],
                    "callToActionFields": ["actionField1"],
                    "defaultAnswer": "Example answer",
                    "buttonAnswers": ["first button answer", "second button answer"],
                },
                {"to": "34"},
            ],
            "campaignName": "WA",
            "tags": ["x"],
        }
    )
    good, bad = result.results
    assert good.accepted
    assert bad == RecipientResult(
        to="34",
        accepted=False,
        error_code=102,
        error="The messages.1.to field does not contain a valid phone number",
    )


async def test_send_whatsapp_location_and_invalid_template(
    backend: Nrs360Backend, log: RequestLog
) -> None:
    location = WhatsAppLocation(
        lat="39.92516922986921",
        long="-0.10572674363232447",
        name="NRS-Group",
        address="Carrer, Av. Arcadi Garcia Sanz, 19, 12540 Vila-real, Castelló",
    )
    result = await backend.send_whatsapp_template(
        WhatsAppTemplateRequest(
            124, BUSINESS_NUMBER, (WhatsAppTemplateMessage("34666555444", location=location),)
        )
    )
    assert result.accepted == 1
    assert only(log, "POST", f"{API}/whatsapp").json()["messages"][0]["location"] == {
        "lat": "39.92516922986921",
        "long": "-0.10572674363232447",
        "name": "NRS-Group",
        "address": "Carrer, Av. Arcadi Garcia Sanz, 19, 12540 Vila-real, Castelló",
    }
    with pytest.raises(BadRequest) as caught:
        await backend.send_whatsapp_template(
            WhatsAppTemplateRequest(999, BUSINESS_NUMBER, (WhatsAppTemplateMessage("34666555444"),))
        )
    assert (caught.value.code, caught.value.message) == (140, "Invalid template")


# --- scheduled ----------------------------------------------------------------------------


async def _schedule_sms(backend: Nrs360Backend, *to: str) -> list[str]:
    result = await backend.send_sms(
        SmsRequest(to=to, sender="TEST", message="Later", schedule_date=LATER)
    )
    return [r.id or "" for r in result.results]


async def test_scheduled_list_all(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    await _schedule_sms(backend, "34666555444", "34666555333")
    log.clear()
    listing = await backend.scheduled_list()
    request = only(log, "GET", f"{API}/scheduled")
    assert (request.query, request.body) == ({}, b"")
    assert listing.total == 2
    first = listing.items[0]
    sending_id = next(iter(state.sending.sendings))
    assert first == ScheduledMessage(
        guid="100",
        type="SMS",
        sending_id=sending_id,
        scheduled_at=LATER_UTC,
        created_at=START,
        updated_at=START,
        content=None,
    )
    assert [m.guid for m in listing.items] == ["100", "101"]


async def test_scheduled_list_filters_and_single_guid(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    await _schedule_sms(backend, "34666555444", "34666555333")
    log.clear()
    sending_id = next(iter(state.sending.sendings))
    many = await backend.scheduled_list(["100", 101], type="SMS", sending_id=sending_id)
    request = only(log, "GET", f"{API}/scheduled")
    assert request.query == {
        "type": ["SMS"],
        "sendingId": [str(sending_id)],
        "guid[]": ["100", "101"],
    }
    assert [m.guid for m in many.items] == ["100", "101"] and many.total == 2
    log.clear()
    one = await backend.scheduled_list(["101"])
    assert only(log, "GET", f"{API}/scheduled").query_string == "guid=101"
    (item,) = one.items
    assert item.guid == "101" and item.sending_id is None  # the single shape has no sending_id
    assert item.content == {
        "to": "34666555333",
        "from": "TEST",
        "encoding": "gsm",
        "message": "Later",
        "campaignId": state.sending.sendings[sending_id].campaign_id,
        "sendingId": sending_id,
    }
    assert one.total == 1


def test_scheduled_query_encoding() -> None:
    assert scheduled_query(None, None, None) == {"type": None, "sendingId": None}
    assert scheduled_query([7], "MAILING", None)["guid"] == "7"
    assert scheduled_query(["1", "2"], None, 5)["guid[]"] == ["1", "2"]


async def test_scheduled_list_unknown_single_guid_is_not_found(backend: Nrs360Backend) -> None:
    with pytest.raises(NotFound):
        await backend.scheduled_list(["12345"])
    with pytest.raises(BadRequest) as caught:
        await backend.scheduled_list(["abc", "def"])
    assert (caught.value.code, caught.value.message) == (120, "Invalid GUID")


async def test_scheduled_update(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    ids = await _schedule_sms(backend, "34666555444", "34666555333")
    log.clear()
    new_date = datetime(2025, 3, 20, 8, 0, tzinfo=BOGOTA)
    change = await backend.scheduled_update(["100", "101"], new_date)
    request = only(log, "PUT", f"{API}/scheduled")
    assert request.query == {}
    assert body_of(request) == canonical({"guid": [100, 101], "scheduleDate": "20250320130000"})
    assert change == ScheduledChange(result=True, count=2)
    moved = datetime(2025, 3, 20, 13, 0, tzinfo=UTC)
    assert all(state.sms[i].scheduled_at == moved for i in ids)
    log.clear()
    await backend.scheduled_update(["100"], new_date, type="MAILING")
    assert body_of(only(log, "PUT", f"{API}/scheduled")) == canonical(
        {"guid": [100], "scheduleDate": "20250320130000", "type": "MAILING"}
    )


async def test_scheduled_delete(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    ids = await _schedule_sms(backend, "34666555444", "34666555333")
    log.clear()
    change = await backend.scheduled_delete([100, "101"], type="SMS")
    request = only(log, "DELETE", f"{API}/scheduled")
    assert body_of(request) == canonical({"guid": [100, 101], "type": "SMS"})
    assert change == ScheduledChange(result=True, count=2)
    assert not any(i in state.sms for i in ids)
    assert (await backend.scheduled_list()).total == 0


@pytest.mark.parametrize("guids", [[], (), "100"])
async def test_guid_lists_are_required(backend: Nrs360Backend, log: RequestLog, guids: Any) -> None:
    with pytest.raises(ValueError):
        await backend.scheduled_update(guids, LATER)
    with pytest.raises(ValueError):
        await backend.scheduled_delete(guids)
    assert log.requests == []


async def test_scheduled_update_and_delete_all(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    await _schedule_sms(backend, "34666555444", "34666555333")
    log.clear()
    updated = await backend.scheduled_update_all(LATER + timedelta(days=1), type="SMS")
    assert body_of(only(log, "PUT", f"{API}/scheduled")) == canonical(
        {"scheduleDate": "20250312143000", "type": "SMS"}
    )
    assert updated.count == 2
    deleted = await backend.scheduled_delete_all()
    assert body_of(only(log, "DELETE", f"{API}/scheduled")) == canonical({})
    assert deleted == ScheduledChange(result=True, count=2)


async def test_scheduled_malformed_answers() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"total": 1})
        return httpx.Response(200, json={"result": True})

    backend = mocked(handler)
    with pytest.raises(MalformedResponse):
        await backend.scheduled_list()
    with pytest.raises(MalformedResponse):
        await backend.scheduled_delete_all()
    await backend.aclose()


def test_a_send_answer_with_odd_items_is_read_or_refused_item_by_item() -> None:
    """A number echoed as a JSON number is read as its digits; an error that is not an
    object carries no code; an item without a recipient makes the answer malformed."""
    got = parse_send_result(
        {
            "result": [
                {"accepted": True, "to": 34666555444, "id": "A", "parts": 2},
                {"accepted": False, "to": "34", "error": "No valid recipients"},
                {"accepted": "yes", "to": "35", "error": {"code": 102, "description": 7}},
            ]
        }
    )
    assert [(r.to, r.accepted, r.id, r.parts, r.error_code, r.error) for r in got.results] == [
        ("34666555444", True, "A", 2, None, None),
        ("34", False, None, None, None, None),
        ("35", False, None, None, 102, None),
    ]
    for bad in ({"accepted": True}, {"to": True}, "34"):
        with pytest.raises(MalformedResponse, match="no recipient"):
            parse_send_result({"result": [bad]})
