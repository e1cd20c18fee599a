"""360nrs request rules (backends/nrs360/rules/), on both sides of the wire.

For each documented limit: the real client refuses the bad input before anything leaves
(InvalidInput, one line; the sandbox's log stays empty), and the sandbox itself refuses
the raw request with the reference's error code. Then: the rules declare every endpoint
the reference documents, and every endpoint the client calls is one of them.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backends.errors import InvalidInput, ProviderError
from backends.models.common import AvailableTime, ContactInput, OtpConfig, SmsRequest
from backends.models.lists import FormElement, FormInput
from backends.models.reports import ImageUpload
from backends.models.send import (
    LandingRequest,
    MailingRequest,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppTemplateMessage,
    WhatsAppTemplateRequest,
)
from backends.nrs360.client import Nrs360Backend
from backends.nrs360.rules import RULES
from backends.rules import Outgoing
from backends.sandbox.core import RequestLog, SandboxServer
from backends.sandbox.nrs360 import BUSINESS_NUMBER, DEMO_PASSWORD, DEMO_USERNAME
from tests.backends.conftest import API
from tui.cli import run
from tui.config import Account, ConfigStore

REFERENCE = Path("/work/shared/reference/360nrs-api.txt")
PHONE = "34666555444"
LATER = datetime.now(UTC) + timedelta(days=2)
TOO_FAR = datetime.now(UTC) + timedelta(days=400)


def sms(**changes: Any) -> SmsRequest:
    base: dict[str, Any] = {"to": (PHONE,), "sender": "TEST", "message": "Hello"}
    return SmsRequest(**{**base, **changes})


def landing(**changes: Any) -> LandingRequest:
    base: dict[str, Any] = {
        "to": (PHONE,),
        "sender": "TEST",
        "message": "See {LAND_URL}",
        "template_body": "<p>Hi</p>",
    }
    return LandingRequest(**{**base, **changes})


def mail(**changes: Any) -> MailingRequest:
    base: dict[str, Any] = {
        "to": ("a@example.com",),
        "sender_email": "info@example.com",
        "subject": "S",
        "reply_to": "info@example.com",
        "body": "<p>Hi</p>",
    }
    return MailingRequest(**{**base, **changes})


def voice(**changes: Any) -> VoiceRequest:
    base: dict[str, Any] = {"to": (PHONE,), "message": "Hola", "language": "es_ES", "gender": "F"}
    return VoiceRequest(**{**base, **changes})


def audio(**changes: Any) -> VoiceAudioRequest:
    base: dict[str, Any] = {"to": (PHONE,), "audio_url": "https://example.com/a.mp3"}
    return VoiceAudioRequest(**{**base, **changes})


def whatsapp(**changes: Any) -> WhatsAppTemplateRequest:
    base: dict[str, Any] = {
        "template_id": 126,
        "sender": BUSINESS_NUMBER,
        "messages": (WhatsAppTemplateMessage(PHONE),),
    }
    return WhatsAppTemplateRequest(**{**base, **changes})


Call = Callable[[Nrs360Backend], Awaitable[Any]]

# (what is tried through the client, a piece of the one-line refusal)
CLIENT_REFUSALS: list[tuple[str, Call, str]] = [
    # POST /sms: "message | string | Yes", "from | string | Yes", "to | array | Yes".
    ("sms message", lambda b: b.send_sms(sms(message="")), "message is required"),
    ("sms from", lambda b: b.send_sms(sms(sender="")), "from is required"),
    ("sms to", lambda b: b.send_sms(sms(to=())), "to must be a non-empty array"),
    ("sms parts 16", lambda b: b.send_sms(sms(parts=16)), "between 1 and 15"),
    ("sms parts 0", lambda b: b.send_sms(sms(parts=0)), "between 1 and 15"),
    ("landing parts 9", lambda b: b.send_landing(landing(parts=9)), "between 1 and 8"),
    ("sms encoding", lambda b: b.send_sms(sms(encoding="latin-1")), "gsm, gsm-pt, utf-16"),
    ("landing encoding", lambda b: b.send_landing(landing(encoding="ucs2")), "gsm, gsm-pt"),
    ("sms from 12", lambda b: b.send_sms(sms(sender="ABCDEFGHIJKL")), "at most 11"),
    ("sms from 16 digits", lambda b: b.send_sms(sms(sender="1" * 16)), "at most 15 digits"),
    ("sms from symbol", lambda b: b.send_sms(sms(sender="MY-SHOP")), "only letters and digits"),
    ("landing from", lambda b: b.send_landing(landing(sender="A" * 12)), "at most 11"),
    ("sms tags", lambda b: b.send_sms(sms(tags=("a",))), "tags need a campaign name"),
    ("landing tags", lambda b: b.send_landing(landing(tags=("a",))), "campaign name"),
    ("mail tags", lambda b: b.send_mailing(mail(tags=("a",))), "campaign name"),
    ("voice tags", lambda b: b.send_voice(voice(tags=("a",))), "campaign name"),
    ("audio tags", lambda b: b.send_voice_audio(audio(tags=("a",))), "campaign name"),
    ("whatsapp tags", lambda b: b.send_whatsapp_template(whatsapp(tags=("a",))), "campaign"),
    ("otp length 2", lambda b: b.otp_generate(PHONE, length=2), "length must be between 3"),
    ("otp length 11", lambda b: b.otp_generate(PHONE, length=11), "between 3 and 10"),
    ("otp attempts 0", lambda b: b.otp_generate(PHONE, max_attempts=0), "between 1 and 10"),
    ("otp attempts 11", lambda b: b.otp_generate(PHONE, max_attempts=11), "between 1 and 10"),
    ("otp validity 29", lambda b: b.otp_generate(PHONE, validity=29), "between 30 and 600"),
    ("otp validity 601", lambda b: b.otp_generate(PHONE, validity=601), "between 30 and 600"),
    (
        "sms otpConfig length",
        lambda b: b.send_sms(sms(message="{OTP_CODE}", otp_config=OtpConfig(length=11))),
        "length must be between 3 and 10",
    ),
    (
        "mail otpConfig validity",
        lambda b: b.send_mailing(mail(otp_config=OtpConfig(max_seconds_validity=700))),
        "between 30 and 600",
    ),
    (
        "sms otpConfig attempts",
        lambda b: b.send_sms(sms(otp_config=OtpConfig(max_attempts=20))),
        "between 1 and 10",
    ),
    ("voice retries 6", lambda b: b.send_voice(voice(retries=6)), "between 0 and 5"),
    ("audio retries 9", lambda b: b.send_voice_audio(audio(retries=9)), "between 0 and 5"),
    (
        "voice female-only",
        lambda b: b.send_voice(voice(language="hi_IN", gender="M")),
        "only a female voice",
    ),
    ("voice language", lambda b: b.send_voice(voice(language="xx_XX")), "language must be"),
    ("voice gender", lambda b: b.send_voice(voice(gender="X")), "gender must be 'F'"),
    (
        "available day 8",
        lambda b: b.send_sms(sms(available_times=(AvailableTime("09:00", "21:00", 8),))),
        "between 1 (Monday) and 7",
    ),
    (
        "available from 25:00",
        lambda b: b.send_sms(sms(available_times=(AvailableTime("25:00", "26:00"),))),
        "from must be a 24-hour HH:MM",
    ),
    (
        "available to 9pm",
        lambda b: b.send_sms(sms(available_times=(AvailableTime("09:00", "9pm"),))),
        "to must be a 24-hour HH:MM",
    ),
    (
        "available from after to",
        lambda b: b.send_sms(sms(available_times=(AvailableTime("21:00", "09:00"),))),
        "is after to",
    ),
    ("sms schedule far", lambda b: b.send_sms(sms(schedule_date=TOO_FAR)), "a year ahead"),
    ("sms expiry far", lambda b: b.send_sms(sms(expiration_date=TOO_FAR)), "a year ahead"),
    ("mail schedule far", lambda b: b.send_mailing(mail(schedule_date=TOO_FAR)), "year ahead"),
    ("voice schedule far", lambda b: b.send_voice(voice(schedule_date=TOO_FAR)), "year ahead"),
    ("reschedule far", lambda b: b.scheduled_update_all(TOO_FAR), "a year ahead"),
    ("contacts limit", lambda b: b.contacts_page(limit=1001), "between 1 and 1000"),
    ("groups limit", lambda b: b.groups_page(limit=1001), "between 1 and 1000"),
    ("conversations limit", lambda b: b.conversations_page(limit=5000), "between 1 and 1000"),
    (
        "messages limit",
        lambda b: b.conversation_messages(BUSINESS_NUMBER, PHONE, limit=1001),
        "between 1 and 1000",
    ),
    ("blacklist limit", lambda b: b.blacklist_list("sms", limit=1001), "between 1 and 1000"),
    ("templates limit", lambda b: b.templates_list(limit=1001), "between 1 and 1000"),
    ("v2 templates limit", lambda b: b.templates_list(v2=True, limit=0), "between 1 and 1000"),
    ("forms limit", lambda b: b.forms_list(limit=1001), "between 1 and 1000"),
    ("validations limit", lambda b: b.validations_list(limit=1001), "between 1 and 1000"),
    (
        "sub count",
        lambda b: b.send_sms(sms(to=(PHONE, "34666555333"), sub=({"name": "A"},))),
        "The sub must contain 2 items.",
    ),
    (
        "notification urls count",
        lambda b: b.send_sms(sms(to=(PHONE, "34666555333"), notification_url=("https://e.co/1",))),
        "1 URLs for 2 recipients",
    ),
    (
        "landing notification array",
        lambda b: b.send_landing(landing(notification_url=("https://e.co/1",))),
        "must be one URL here",
    ),
    (
        "contact without address",
        lambda b: b.create_contact(ContactInput(name="Nobody", group_ids=(1,))),
        "The email field is required.",
    ),
    (
        "contact update without group",
        lambda b: b.update_contact(10, ContactInput(email="a@example.com")),
        "groups ids field is required",
    ),
]


@pytest.mark.parametrize(
    ("call", "expected"),
    [pytest.param(call, expected, id=name) for name, call, expected in CLIENT_REFUSALS],
)
async def test_client_refuses_locally(
    backend: Nrs360Backend, log: RequestLog, call: Call, expected: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await call(backend)
    message = str(caught.value)
    assert expected in message
    assert message.startswith("360nrs: ") and "\n" not in message
    assert log.requests == []


async def test_contact_writes_carry_no_external_id(backend: Nrs360Backend, log: RequestLog) -> None:
    with pytest.raises(InvalidInput, match="no external id"):
        await backend.create_contact(
            ContactInput(email="a@example.com", external_id="E1", group_ids=(1,))
        )
    assert log.requests == []


async def test_images_each_need_their_own_external_id(
    backend: Nrs360Backend, log: RequestLog
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 8
    with pytest.raises(InvalidInput, match="each needs its own"):
        await backend.image_generate([ImageUpload("a", "png", png), ImageUpload("a", "png", png)])
    assert log.requests == []
    hosted = await backend.image_generate(
        [ImageUpload("a", "png", png), ImageUpload("b", "png", png)]
    )
    assert [h.external_id for h in hosted] == ["a", "b"]


async def test_limits_at_their_bounds_are_accepted(backend: Nrs360Backend) -> None:
    # The other side of each rule: the documented extremes go through.
    await backend.send_sms(sms(message="x" * 153 * 15, parts=15, sender="1" * 15))
    await backend.send_landing(landing(parts=8, sender="ABCDEFGHIJK"))
    await backend.otp_generate(PHONE, length=10, max_attempts=10, validity=600)
    await backend.otp_generate("34666555333", length=3, max_attempts=1, validity=30)
    await backend.send_voice(voice(retries=5, language="arb", gender="F"))
    await backend.send_sms(
        sms(available_times=(AvailableTime("00:00", "23:59", 7), AvailableTime("09:00", "21:00")))
    )
    await backend.send_sms(sms(schedule_date=LATER, campaign_name="C", tags=("a",)))
    assert len((await backend.contacts_page(limit=1000)).items) > 0


# --- the sandbox refuses the raw request with the documented code ---------------------------

GOOD: dict[str, dict[str, Any]] = {
    "sms": {"to": [PHONE], "from": "TEST", "message": "Hello"},
    "landingsms": {
        "to": [PHONE],
        "from": "TEST",
        "message": "See {LAND_URL}",
        "templateBody": "<p>Hi</p>",
    },
    "mailing": {
        "to": ["a@example.com"],
        "fromEmail": "info@example.com",
        "subject": "S",
        "replyTo": "info@example.com",
        "body": "<p>Hi</p>",
    },
    "voice": {"to": [PHONE], "message": "Hola", "language": "es_ES", "gender": "F"},
    "voiceAudio": {"to": [PHONE], "audioUrl": "https://example.com/a.mp3"},
    "whatsapp": {"templateId": 126, "from": BUSINESS_NUMBER, "messages": [{"to": PHONE}]},
    "otp/generate": {"recipient": PHONE},
}
FAR = (datetime.now(UTC) + timedelta(days=400)).strftime("%Y%m%d%H%M%S")
WINDOW = {"from": "09:00", "to": "21:00"}

# (path, changes to its good body, HTTP status, code)
RAW_POSTS: list[tuple[str, dict[str, Any], int, int]] = [
    ("sms", {"message": None}, 400, 104),
    ("sms", {"from": None}, 400, 106),
    ("sms", {"to": []}, 400, 102),
    ("sms", {"parts": 16}, 400, 110),
    ("sms", {"parts": 0}, 400, 110),
    ("landingsms", {"parts": 9}, 400, 110),
    ("sms", {"encoding": "ucs2"}, 400, 113),
    ("landingsms", {"encoding": "utf-8"}, 400, 113),
    ("sms", {"from": "ABCDEFGHIJKL"}, 400, 107),
    ("sms", {"from": "1234567890123456"}, 400, 107),
    ("landingsms", {"from": "MY SHOP"}, 400, 107),
    ("sms", {"tags": ["a"]}, 400, 126),
    ("landingsms", {"tags": ["a"]}, 400, 126),
    ("mailing", {"tags": ["a"]}, 400, 126),
    ("voice", {"tags": ["a"]}, 400, 126),
    ("voiceAudio", {"tags": ["a"]}, 400, 126),
    ("whatsapp", {"tags": ["a"]}, 400, 126),
    ("otp/generate", {"length": 2}, 422, 422),
    ("otp/generate", {"maxAttempts": 11}, 422, 422),
    ("otp/generate", {"maxSecondsValidity": 601}, 422, 422),
    ("sms", {"otpConfig": {"length": 11}}, 422, 422),
    ("mailing", {"otpConfig": {"maxSecondsValidity": 29}}, 422, 422),
    ("voice", {"retries": 6}, 400, 177),
    ("voiceAudio", {"retries": "two"}, 400, 176),
    ("voice", {"language": "cmn_CN", "gender": "M"}, 400, 131),
    ("voice", {"language": "en_AU"}, 400, 130),
    ("sms", {"availableTimes": {"from": "09:00"}}, 400, 183),
    ("sms", {"availableTimes": [{**WINDOW, "day": 0}]}, 400, 185),
    ("sms", {"availableTimes": [{**WINDOW, "day": "1"}]}, 400, 184),
    ("sms", {"availableTimes": [{"from": "9:00", "to": "21:00"}]}, 400, 186),
    ("sms", {"availableTimes": [{"from": "09:00", "to": "24:00"}]}, 400, 187),
    ("sms", {"availableTimes": [{"from": "21:00", "to": "09:00"}]}, 400, 188),
    ("sms", {"availableTimes": [{"from": "09:00"}]}, 400, 189),
    ("sms", {"scheduleDate": "2025-03-10 10:00"}, 400, 121),
    ("sms", {"scheduleDate": FAR}, 400, 121),
    ("sms", {"expirationDate": "20251399000000"}, 400, 119),
    ("voice", {"expirationDate": FAR}, 400, 119),
    ("mailing", {"scheduleDate": FAR}, 400, 121),
    ("sms", {"sub": [{"a": "1"}, {"a": "2"}]}, 422, 422),
    ("sms", {"notificationUrl": ["https://e.co/1", "https://e.co/2"]}, 400, 109),
    ("landingsms", {"notificationUrl": ["https://e.co/1"]}, 400, 109),
    ("sms", {"externalId": "x"}, 422, 422),
    (
        "images/generate",
        {"images": [{"externalId": "a", "extension": "png", "base64": "x"}] * 2},
        422,
        422,
    ),
    (
        "images/generate",
        {"images": [{"externalId": "a", "extension": "gif", "base64": "x"}]},
        422,
        422,
    ),
]


@pytest.mark.refused_requests
@pytest.mark.parametrize(
    ("path", "changes", "status", "code"),
    [pytest.param(*row, id=f"{row[0]}-{'-'.join(row[1])}-{row[3]}") for row in RAW_POSTS],
)
async def test_sandbox_refuses_raw_posts(
    client: httpx.AsyncClient,
    app: Starlette,
    path: str,
    changes: dict[str, Any],
    status: int,
    code: int,
) -> None:
    body = {**GOOD.get(path, {}), **changes}
    body = {k: v for k, v in body.items() if v is not None}
    response = await client.post(f"{API}/{path}", json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and isinstance(error["description"], str)
    # Refused before any handler ran: nothing was sent or stored.
    assert app.state.nrs.sms == {} and app.state.nrs.sending.sendings == {}


@pytest.mark.refused_requests
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/contacts?limit=1001", None),
        ("GET", "/groups?limit=2000", None),
        ("GET", "/whatsapp/conversations?limit=1001", None),
        ("GET", f"/whatsapp/conversations/{BUSINESS_NUMBER}/{PHONE}/messages?limit=0", None),
        ("GET", "/v2/blacklist/sms?limit=1001", None),
        ("GET", "/templates?limit=1001", None),
        ("GET", "/v2/templates?limit=1001", None),
        ("GET", "/forms?limit=1001", None),
        ("GET", "/validation/emails?limit=1001", None),
        # contact writes: only the table's fields, and no `include` (a GET filter).
        ("POST", "/contacts", {"email": "a@example.com", "groupsIds": [1], "externalId": "E"}),
        ("PUT", "/contacts/10", {"email": "a@example.com", "groupsIds": [1], "externalId": "E"}),
        ("POST", "/contacts?include=groups", {"email": "a@example.com", "groupsIds": [1]}),
        ("PUT", "/contacts/10?include=groups", {"email": "a@example.com", "groupsIds": [1]}),
        ("GET", "/contacts?include=everything", None),
        ("GET", "/v2/blacklist/phone", None),
        ("GET", "/campaigns?channel=fax", None),
        ("PUT", "/scheduled", {"guid": [1]}),
        ("POST", "/otp/check", {"recipient": PHONE}),
    ],
)
async def test_sandbox_refuses_raw_requests_with_422(
    client: httpx.AsyncClient, method: str, url: str, body: Any
) -> None:
    response = await client.request(method, API + url, json=body)
    expected = 121 if url == "/scheduled" else 422
    assert (response.status_code, response.json()["error"]["code"]) == (
        400 if expected == 121 else 422,
        expected,
    )


@pytest.mark.refused_requests
async def test_sandbox_refuses_undocumented_endpoints_and_methods(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.get(f"{API}/statistics")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, 404)
    wrong = await client.delete(f"{API}/account")
    assert wrong.status_code == 405


# --- the endpoints --------------------------------------------------------------------------


def documented_endpoints() -> set[tuple[str, str]]:
    """Each `METHOD` line followed by a `{{DASHBOARD_HOST}}/api/rest/...` line, as a template."""
    lines = REFERENCE.read_text().splitlines()
    found = set()
    for method, url in itertools.pairwise(lines):
        if method in ("GET", "POST", "PUT", "DELETE") and url.startswith("{{DASHBOARD_HOST}}"):
            path = url.removeprefix("{{DASHBOARD_HOST}}/api/rest")
            found.add((method, re.sub(r"<(\w+)>|\{(\w+)\}", "{p}", path)))
    return found


def declared_endpoints() -> set[tuple[str, str]]:
    return {
        (e.method, "/" + "/".join("{p}" if s.startswith("{") else s for s in e.template))
        for e in RULES.endpoints
    }


@pytest.mark.skipif(not REFERENCE.exists(), reason="the 360nrs reference is not on this machine")
def test_rules_declare_every_documented_endpoint() -> None:
    documented = documented_endpoints()
    assert len(documented) == 62  # counted in the reference: one METHOD + URL per endpoint
    declared = declared_endpoints()
    assert documented <= declared
    # The one extra: the form create's cURL posts to /forms while its heading says /form.
    assert declared - documented == {("POST", "/forms")}
    assert len(RULES.endpoints) == 63


async def _every_client_call(b: Nrs360Backend) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 8
    form = FormInput(name="F", fields=(FormElement(type="h1", label="T"),))
    calls: list[Awaitable[Any]] = [
        b.account(),
        b.send_sms(sms()),
        b.sms_status(["x1", "x2"]),
        b.send_mailing(mail()),
        b.send_voice(voice()),
        b.send_voice_audio(audio()),
        b.send_landing(landing()),
        b.send_whatsapp_template(whatsapp()),
        b.conversations_page(limit=1000),
        b.conversation(BUSINESS_NUMBER, PHONE),
        b.conversation_messages(BUSINESS_NUMBER, PHONE),
        b.reply(BUSINESS_NUMBER, PHONE, "hi"),
        b.scheduled_list(),
        b.scheduled_update([1], LATER),
        b.scheduled_delete([1]),
        b.campaigns(channel="sms"),
        b.contacts_page(),
        b.contact(10),
        b.create_contact(ContactInput(email="n@example.com", group_ids=(1,))),
        b.update_contact(10, ContactInput(email="n2@example.com", group_ids=(1,))),
        b.delete_contact(11),
        b.groups_page(),
        b.group(1),
        b.create_group("G"),
        b.update_group(1, "G2"),
        b.delete_group(2),
        b.validations_list(),
        b.validation(1),
        b.validation_result(1),
        b.validation_create(emails=["a@example.com"]),
        b.validation_delete(1),
        b.blacklist_list("sms"),
        b.blacklist_add("sms", "34666000111"),
        b.blacklist_remove("sms", "34666000111"),
        b.templates_list(),
        b.template(1),
        b.template_create("T", "<p>x</p>"),
        b.template_update(1, "T", "<p>y</p>"),
        b.template_preview(1),
        b.template_delete(1),
        b.templates_list(v2=True),
        b.template(1, v2=True),
        b.template_create("T", "<p>x</p>", v2=True),
        b.template_update(1, "T", "<p>y</p>", v2=True),
        b.template_preview(1, v2=True),
        b.template_delete(1, v2=True),
        b.forms_list(),
        b.form(1),
        b.form_create(form),
        b.form_update(1, form),
        b.form_preview(1),
        b.form_delete(1),
        b.shorten(["https://example.com/a"]),
        b.image_generate([ImageUpload("a", "png", png)]),
        b.sms_certificate("x"),
        b.mail_certificate("x"),
        b.sending_events(100001),
        b.sending_keys(100001),
        b.otp_generate(PHONE),
        b.otp_check(PHONE, "1234"),
        b.coverage(),
        b.coverage_by_country(),
    ]
    for call in calls:
        # A documented answer that is an error (an unknown id) still shows the call was
        # made; InvalidInput (a refused request) is not suppressed and fails the test.
        with contextlib.suppress(ProviderError):
            await call


async def test_every_client_call_is_a_documented_endpoint(
    backend: Nrs360Backend, log: RequestLog
) -> None:
    await _every_client_call(backend)
    reached = set()
    for r in log.requests:
        out = Outgoing.from_wire(
            r.method,
            r.raw_path,
            root=API,
            query_string=r.query_string,
            content_type=r.headers.get("content-type", ""),
            body=r.body,
        )
        found = RULES.find(out.method, out.path)
        assert found is not None, f"{r.method} {r.raw_path}"
        assert RULES.check(out) == [], f"{r.method} {r.raw_path}"
        reached.add(found[0])
    # Every documented endpoint but the /form spelling and the conditional-looking ones the
    # client has no call for (bulk reschedule/delete share PUT/DELETE /scheduled).
    missing = {(e.method, "/".join(e.template)) for e in RULES.endpoints if e not in reached}
    assert missing == {("POST", "form")}


# --- the CLI: one line, exit 2, nothing sent ----------------------------------------------

SEND = ("--to", PHONE, "--yes")  # sms send asks for confirmation
TO = ("--to", PHONE)
FAR_ISO = (datetime.now(UTC) + timedelta(days=400)).strftime("%Y-%m-%dT%H:%M")
# (command line, the request it must not send, a piece of the one-line error)
CLI_REFUSALS: list[tuple[list[str], tuple[str, str], str]] = [
    (["sms", "send", "--from", "ABCDEFGHIJKL", "--message", "x", *SEND], ("POST", "sms"), "11"),
    (["sms", "send", "--from", "1" * 16, "--message", "x", *SEND], ("POST", "sms"), "15"),
    (
        ["sms", "send", "--from", "T", "--message", "x", "--parts", "16", *SEND],
        ("POST", "sms"),
        "15",
    ),
    (
        [
            "landing",
            "send",
            "--from",
            "T",
            "--message",
            "{LAND_URL}",
            "--template-body",
            "<p/>",
            "--parts",
            "9",
            *TO,
        ],
        ("POST", "landingsms"),
        "8",
    ),
    (
        ["sms", "send", "--from", "T", "--message", "x", "--tag", "a", *SEND],
        ("POST", "sms"),
        "campaign",
    ),
    (
        [
            "mail",
            "send",
            "--to",
            "a@example.com",
            "--from-email",
            "info@example.com",
            "--reply-to",
            "info@example.com",
            "--subject",
            "S",
            "--body",
            "<p/>",
            "--tag",
            "a",
        ],
        ("POST", "mailing"),
        "campaign",
    ),
    (
        [
            "voice",
            "send",
            "--message",
            "Hola",
            "--language",
            "es_ES",
            "--gender",
            "F",
            "--tag",
            "a",
            *TO,
        ],
        ("POST", "voice"),
        "campaign",
    ),
    (
        [
            "voice",
            "send",
            "--message",
            "Hola",
            "--language",
            "es_ES",
            "--gender",
            "F",
            "--retries",
            "6",
            *TO,
        ],
        ("POST", "voice"),
        "5",
    ),
    (
        ["voice", "send", "--message", "Hola", "--language", "hi_IN", "--gender", "M", *TO],
        ("POST", "voice"),
        "female",
    ),
    (["otp", "generate", "--recipient", PHONE, "--length", "11"], ("POST", "otp/generate"), "10"),
    (["otp", "generate", "--recipient", PHONE, "--validity", "20"], ("POST", "otp/generate"), "30"),
    (
        ["otp", "generate", "--recipient", PHONE, "--max-attempts", "11"],
        ("POST", "otp/generate"),
        "10",
    ),
    (
        ["sms", "send", "--from", "T", "--message", "x", "--available", "21:00-09:00", *SEND],
        ("POST", "sms"),
        "21:00",
    ),
    (
        ["sms", "send", "--from", "T", "--message", "x", "--schedule", FAR_ISO, *SEND],
        ("POST", "sms"),
        "year",
    ),
    (["contacts", "list", "--limit", "1001"], ("GET", "contacts"), "1000"),
    (["groups", "list", "--limit", "1001"], ("GET", "groups"), "1000"),
    (
        ["contacts", "create", "--email", "a@example.com", "--group", "T", "--external-id", "E"],
        ("POST", "contacts"),
        "external id",
    ),
]


@pytest.fixture
def cli_account(
    nrs_server: SandboxServer, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    ConfigStore(isolated_dirs / "config").add_account(
        Account(
            name="demo",
            provider="360nrs",
            base_url=nrs_server.url + "/api/rest",
            username=DEMO_USERNAME,
        )
    )
    return "demo"


@pytest.mark.parametrize(
    ("args", "request_", "expected"),
    [pytest.param(a, r, e, id=" ".join(a[:2] + a[-5:-3])) for a, r, e in CLI_REFUSALS],
)
def test_cli_refuses_locally(
    cli_account: str,
    nrs_server: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    request_: tuple[str, str],
    expected: str,
) -> None:
    code = run([*args, "-a", cli_account], out=io.StringIO())
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    # The preflight's summary may come first; the refusal is one line of its own.
    errors = [line for line in err.splitlines() if line.startswith("switchboard:")]
    assert len(errors) == 1 and expected in errors[0], err
    log: RequestLog = nrs_server.app.state.log  # type: ignore[attr-defined]
    method, where = request_
    assert log.matching(method, f"/api/rest/{where}") == []
