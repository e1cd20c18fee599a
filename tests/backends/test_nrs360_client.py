"""The 360nrs client against the sandbox: what reached the provider and what came back."""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backends.base import Connection
from backends.errors import (
    AuthError,
    BadRequest,
    ConnectFailed,
    InvalidInput,
    MalformedResponse,
    NotFound,
    OutcomeUnknown,
    PaymentRequired,
    RateLimited,
    ServerError,
)
from backends.models.common import (
    AccountInfo,
    AvailableTime,
    ChatMessage,
    Contact,
    ContactFilter,
    ContactInfo,
    ContactInput,
    CustomField,
    Group,
    GroupRef,
    MessageEvent,
    OtpConfig,
    RecipientResult,
    SmsRequest,
)
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.core import RecordedRequest, RequestLog, SandboxServer
from backends.sandbox.nrs360 import (
    BUSINESS_NUMBER,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    Nrs360State,
    create_app,
)
from backends.sandbox.nrs360.dlr import fate_of
from backends.sandbox.nrs360.state import Conversation
from backends.scrub import redact_url
from tests.backends.conftest import API, START, FakeClock, connect, mocked

# An aware time zone other than UTC, so a missing conversion shows in the body.
# The event types the reference's event notifications name for a message's delivery.
DOCUMENTED_EVENTS = {"delivered", "undelivered", "rejected", "expired"}
BOGOTA = timezone(timedelta(hours=-5))


def only(log: RequestLog, method: str, path: str) -> RecordedRequest:
    """The single request with this method and path, authenticated as the demo user."""
    found = log.matching(method, path)
    assert len(found) == 1, [(r.method, r.path) for r in log.requests]
    request = found[0]
    header = request.headers["authorization"]
    assert header.startswith("Basic ")
    assert base64.b64decode(header.removeprefix("Basic ")) == b"demo:demo-api-password"
    assert request.basic_credentials() == (DEMO_USERNAME, DEMO_PASSWORD)
    assert request.headers["accept"] == "application/json"
    if request.body:
        assert request.headers["content-type"] == "application/json"
    return request


class Sent:
    """A JSON body that equals an expected value only with the same types (1 is not true)."""

    def __init__(self, body: Any) -> None:
        self.body = body

    def __eq__(self, expected: object) -> bool:
        return json.dumps(self.body, sort_keys=True) == json.dumps(expected, sort_keys=True)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return json.dumps(self.body, sort_keys=True)


def sent(request: RecordedRequest) -> Sent:
    """The JSON body the sandbox received, for a type-exact comparison."""
    return Sent(request.json())


def conversation_where(state: Nrs360State, active: bool) -> Conversation:
    return next(c for c in state.conversations.values() if c.is_session_active(START) is active)


# --- account --------------------------------------------------------------------------------


async def test_account(backend: Nrs360Backend, log: RequestLog, state: Nrs360State) -> None:
    state.balance_cents = 12_345
    info = await backend.account()
    request = only(log, "GET", f"{API}/account")
    assert request.query == {}
    assert request.body == b""
    assert info == AccountInfo(
        username="demo",
        balance=123.45,
        currency="EUR",
        email="demo@example.com",
        country="ES",
        timezone="Europe/Madrid",
        language="es",
        created_at=datetime(2024, 1, 15, 9, 30, tzinfo=UTC),
    )


# --- SMS ------------------------------------------------------------------------------------


async def test_send_sms_all_accepted(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    result = await backend.send_sms(
        SmsRequest(to=("34666555444", "34666555333"), sender="TEST", message="SMS text message")
    )
    request = only(log, "POST", f"{API}/sms")
    assert request.query == {}
    assert sent(request) == {
        "to": ["34666555444", "34666555333"],
        "from": "TEST",
        "message": "SMS text message",
    }
    assert [r.to for r in result.results] == ["34666555444", "34666555333"]
    assert (result.accepted, result.rejected) == (2, 0)
    ids = [r.id for r in result.results]
    assert sorted(ids) == sorted(state.sms)  # type: ignore[type-var]
    for r in result.results:
        assert r.accepted and r.parts == 1
        assert r.error_code is None and r.error is None
        assert r.scheduled_at is None and r.expires_at is None
        assert state.sms[r.id or ""].to == r.to
    stored = state.sms[ids[0] or ""]
    assert result.campaign_id == stored.campaign_id
    assert result.sending_id == stored.sending_id
    assert result.sending_id is not None and result.campaign_id is not None


async def test_send_sms_mixed_207_per_recipient(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    result = await backend.send_sms(
        SmsRequest(to=("34666555444", "34"), sender="TEST", message="Hello")
    )
    assert only(log, "POST", f"{API}/sms").json()["to"] == ["34666555444", "34"]
    assert (result.accepted, result.rejected) == (1, 1)
    good, bad = result.results
    assert good.accepted and good.to == "34666555444"
    assert good.id in state.sms and good.parts == 1
    assert bad == RecipientResult(
        to="34", accepted=False, error_code=102, error="No valid recipients"
    )
    assert len(state.sms) == 1


async def test_send_sms_400_is_bad_request(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    with pytest.raises(BadRequest) as caught:
        await backend.send_sms(SmsRequest(to=("34",), sender="TEST", message="Hello"))
    assert sent(only(log, "POST", f"{API}/sms")) == {
        "to": ["34"],
        "from": "TEST",
        "message": "Hello",
    }
    exc = caught.value
    assert (exc.status, exc.code, exc.message) == (400, 102, "No valid recipients")
    assert exc.provider == "360nrs"
    assert "HTTP 400 (code 102)" in str(exc)
    assert state.sms == {}


async def test_send_sms_maps_every_option(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    request = SmsRequest(
        to=("34666555444", "34666555333"),
        sender="ACME",
        message="Hi {name}, your code is {OTP_CODE}",
        encoding="utf-16",
        parts=3,
        trans=True,
        # 09:30 in Bogotá (UTC-5) is 14:30 UTC.
        schedule_date=datetime(2025, 3, 11, 9, 30, 0, tzinfo=BOGOTA),
        expiration_date=datetime(2025, 3, 11, 23, 15, 45, tzinfo=BOGOTA),
        campaign_name="Spring",
        tags=("promo", "spring"),
        certified=True,
        sub=({"name": "Ana"}, {"name": "Bo"}),
        split_parts=True,
        flash=True,
        available_times=(AvailableTime("09:00", "21:00", day=1), AvailableTime("10:00", "14:00")),
        otp_config=OtpConfig(
            alpha=True,
            length=6,
            max_attempts=5,
            max_seconds_validity=300,
            app_id="shop",
            reject_if_pending=True,
        ),
        notification_url="https://example.com/notify?status=%s",
    )
    result = await backend.send_sms(request)
    assert sent(only(log, "POST", f"{API}/sms")) == {
        "to": ["34666555444", "34666555333"],
        "from": "ACME",
        "message": "Hi {name}, your code is {OTP_CODE}",
        "encoding": "utf-16",
        "parts": 3,
        "trans": 1,
        "scheduleDate": "20250311143000",
        "expirationDate": "20250312041545",
        "campaignName": "Spring",
        "tags": ["promo", "spring"],
        "certified": True,
        "sub": [{"name": "Ana"}, {"name": "Bo"}],
        "splitParts": True,
        "flash": True,
        "availableTimes": [
            {"day": 1, "from": "09:00", "to": "21:00"},
            {"from": "10:00", "to": "14:00"},
        ],
        "otpConfig": {
            "alpha": True,
            "length": 6,
            "maxAttempts": 5,
            "maxSecondsValidity": 300,
            "appId": "shop",
            "rejectIfPendingCode": True,
        },
        "notificationUrl": "https://example.com/notify?status=%s",
    }
    scheduled = datetime(2025, 3, 11, 14, 30, tzinfo=UTC)
    expires = datetime(2025, 3, 12, 4, 15, 45, tzinfo=UTC)
    assert result.accepted == 2
    for r in result.results:
        assert (r.scheduled_at, r.expires_at) == (scheduled, expires)
        assert r.parts == 1
        stored = state.sms[r.id or ""]
        assert (stored.encoding, stored.scheduled_at, stored.expires_at) == (
            "utf-16",
            scheduled,
            expires,
        )
    assert result.campaign_id == state.campaigns["Spring"]


async def test_send_sms_trans_false_and_notification_url_per_recipient(
    backend: Nrs360Backend, log: RequestLog
) -> None:
    urls = ("https://example.com/first", "https://example.com/second")
    result = await backend.send_sms(
        SmsRequest(
            to=("34666555444", "34666555333"),
            sender="TEST",
            message="Hello",
            trans=False,
            certified=False,
            notification_url=urls,
        )
    )
    assert sent(only(log, "POST", f"{API}/sms")) == {
        "to": ["34666555444", "34666555333"],
        "from": "TEST",
        "message": "Hello",
        "trans": 0,
        "certified": False,
        "notificationUrl": ["https://example.com/first", "https://example.com/second"],
    }
    assert result.accepted == 2


async def test_schedule_date_needs_a_time_zone(backend: Nrs360Backend, log: RequestLog) -> None:
    naive = SmsRequest(
        to=("34666555444",), sender="TEST", message="x", schedule_date=datetime(2025, 3, 11)
    )
    with pytest.raises(ValueError):
        await backend.send_sms(naive)
    assert log.requests == []


async def test_sms_status(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State, clock: FakeClock
) -> None:
    known = next(c for c in state.contacts.values() if c.phone and c.name)
    assert known.phone is not None
    sent = await backend.send_sms(
        SmsRequest(to=(known.phone, "34600000001"), sender="ACME", message="Status?")
    )
    ids = [r.id or "" for r in sent.results]
    log.clear()

    messages = await backend.sms_status(ids)
    request = only(log, "GET", f"{API}/sms/{ids[0]},{ids[1]}")
    assert request.query == {} and request.body == b""
    assert [m.id for m in messages] == ids
    first, second = messages
    assert (first.to, first.sender, first.message) == (known.phone, "ACME", "Status?")
    assert (first.campaign_id, first.sending_id) == (sent.campaign_id, sent.sending_id)
    assert not first.clicked
    # Sent at once; the delivery report comes after its (seeded) delay, not with the send.
    assert first.events == (MessageEvent("sent", START),) and not first.delivered
    assert first.custom_fields["name"] == known.name
    assert first.custom_fields["phone"] == known.phone
    assert second.to == "34600000001" and second.custom_fields == {}
    clock.advance(minutes=3)
    for sms_id, message in zip(ids, await backend.sms_status(ids), strict=True):
        fate = fate_of(state.seed, state.sms[sms_id])
        assert fate.event in DOCUMENTED_EVENTS
        assert message.events == (
            MessageEvent("sent", START),
            MessageEvent(fate.event, fate.final_at),
        )
        assert message.delivered == (fate.event == "delivered")


async def test_sms_status_of_a_scheduled_message_has_no_events(
    backend: Nrs360Backend, clock: FakeClock
) -> None:
    later = START + timedelta(hours=2)
    sent = await backend.send_sms(
        SmsRequest(to=("34666555444",), sender="ACME", message="Later", schedule_date=later)
    )
    (message,) = await backend.sms_status([sent.results[0].id or ""])
    assert not message.delivered and message.events == ()
    clock.advance(hours=3)
    (message,) = await backend.sms_status([sent.results[0].id or ""])
    first, final = message.events
    assert first == MessageEvent("sent", later)
    assert final.type in DOCUMENTED_EVENTS and final.date is not None and final.date > later


async def test_sms_status_unknown_id_is_not_found(backend: Nrs360Backend) -> None:
    with pytest.raises(NotFound) as caught:
        await backend.sms_status(["NOPE"])
    assert (caught.value.status, caught.value.code) == (404, 404)


# --- OTP ------------------------------------------------------------------------------------


async def test_otp_generate_with_every_option(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    otp = await backend.otp_generate(
        "34666555444",
        length=6,
        alpha=True,
        max_attempts=5,
        validity=120,
        app_id="shop",
        reject_if_pending=False,
    )
    assert sent(only(log, "POST", f"{API}/otp/generate")) == {
        "recipient": "34666555444",
        "alpha": True,
        "length": 6,
        "maxAttempts": 5,
        "maxSecondsValidity": 120,
        "appId": "shop",
        "rejectIfPendingCode": False,
    }
    stored = state.otps[("34666555444", "shop")]
    assert otp.code == stored.code and len(otp.code) == 6 and otp.code.isalnum()
    assert (otp.recipient, otp.app_id) == ("34666555444", "shop")
    assert (otp.attempts, otp.max_attempts, otp.attempts_left) == (0, 5, 5)
    assert otp.max_seconds_validity == 120
    assert otp.created_at == START
    assert otp.expires_at == START + timedelta(seconds=120)


async def test_otp_generate_omits_unset_options(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    otp = await backend.otp_generate("user@example.com")
    body = only(log, "POST", f"{API}/otp/generate").json()
    # Only the recipient: the server's defaults apply, not ours.
    assert body == {"recipient": "user@example.com"}
    assert otp.code == state.otps[("user@example.com", "")].code
    assert len(otp.code) == 4 and otp.code.isdigit()
    assert (otp.max_attempts, otp.max_seconds_validity, otp.app_id) == (3, 60, "")
    assert otp.expires_at == START + timedelta(seconds=60)


async def test_otp_generate_rejected_when_pending(backend: Nrs360Backend, log: RequestLog) -> None:
    await backend.otp_generate("34666555444")
    with pytest.raises(BadRequest) as caught:
        await backend.otp_generate("34666555444", reject_if_pending=True)
    second = log.matching("POST", f"{API}/otp/generate")[1]
    assert sent(second) == {"recipient": "34666555444", "rejectIfPendingCode": True}
    assert (caught.value.status, caught.value.code) == (422, 422)


async def test_otp_check_valid(backend: Nrs360Backend, log: RequestLog) -> None:
    otp = await backend.otp_generate("34666555444", app_id="shop", max_attempts=4)
    check = await backend.otp_check("34666555444", otp.code, app_id="shop", case_sensitive=True)
    assert sent(only(log, "POST", f"{API}/otp/check")) == {
        "recipient": "34666555444",
        "code": otp.code,
        "appId": "shop",
        "caseSensitive": True,
    }
    assert (check.valid, check.reason) == (True, "Valid")
    assert check.otp is not None
    assert (check.otp.code, check.otp.attempts, check.otp.attempts_left) == (otp.code, 1, 3)
    assert check.otp.app_id == "shop"


async def test_otp_check_invalid_then_attempts_run_out(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    otp = await backend.otp_generate("34666555444", max_attempts=2)
    wrong = "0000" if otp.code != "0000" else "1111"

    first = await backend.otp_check("34666555444", wrong)
    assert sent(only(log, "POST", f"{API}/otp/check")) == {
        "recipient": "34666555444",
        "code": wrong,
    }
    assert (first.valid, first.reason) == (False, "Invalid code")
    assert first.otp is not None and first.otp.attempts_left == 1

    second = await backend.otp_check("34666555444", wrong)
    assert second.otp is not None and second.otp.attempts_left == 0

    # Even the right code is refused once the attempts are used up.
    third = await backend.otp_check("34666555444", otp.code)
    assert (third.valid, third.reason) == (False, "Maximum attempts reached")
    assert third.otp is not None
    assert (third.otp.attempts, third.otp.max_attempts, third.otp.attempts_left) == (2, 2, 0)
    assert state.otps[("34666555444", "")].attempts == 2


async def test_otp_check_expired(backend: Nrs360Backend, clock: FakeClock) -> None:
    otp = await backend.otp_generate("34666555444", validity=30)
    clock.advance(seconds=31)
    check = await backend.otp_check("34666555444", otp.code)
    assert (check.valid, check.reason) == (False, "Expired")
    assert check.otp is not None and check.otp.expires_at == START + timedelta(seconds=30)


async def test_otp_check_without_a_code_is_not_found(backend: Nrs360Backend) -> None:
    with pytest.raises(NotFound):
        await backend.otp_check("34666555444", "1234")


# --- contacts -------------------------------------------------------------------------------


async def test_contacts_page_with_every_filter_and_include(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    target = next(c for c in state.contacts.values() if c.email and c.phone and c.custom_fields)
    # Give it the fields the seed may have left empty, so every filter narrows.
    target.landline = "912345678"
    target.external_id = "EXT-42"
    # The reference's filters match a specific value (the emulator exactly): the email as
    # stored; a country typed in lower case is sent as the ISO code.
    filters = ContactFilter(
        email=target.email or "",
        phone=target.phone,
        landline="912345678",
        country=(target.country_iso or "").lower(),
        external_id="EXT-42",
    )
    page = await backend.contacts_page(2, limit=50, filters=filters, include_details=True)
    request = only(log, "GET", f"{API}/contacts")
    assert request.query == {
        "page": ["2"],
        "limit": ["50"],
        "include": ["customFields,groups"],
        "email": [target.email or ""],
        "phone": [target.phone],
        "landline": ["912345678"],
        "countryIso": [(target.country_iso or "").upper()],
        "externalId": ["EXT-42"],
    }
    # Page 2 of a one-item result is empty but still describes the listing.
    assert page.items == ()
    assert (page.page, page.per_page, page.total, page.total_pages) == (2, 50, 1, 1)
    assert not page.has_next

    log.clear()
    page = await backend.contacts_page(1, limit=50, filters=filters, include_details=True)
    assert only(log, "GET", f"{API}/contacts").query["page"] == ["1"]
    (contact,) = page.items
    assert contact == Contact(
        id=target.id,
        email=target.email,
        phone=target.phone,
        landline="912345678",
        country=target.country_iso,
        name=target.name,
        surname=target.surname,
        external_id=None,  # accepted and filterable, but never shown by the API
        custom_fields=tuple(CustomField(f.key, f.value, f.type) for f in target.custom_fields),
        groups=tuple(GroupRef(g, state.groups[g].name) for g in target.group_ids),
        created_at=target.created_at,
        updated_at=target.updated_at,
    )
    assert contact.groups and contact.custom_fields


async def test_number_filters_are_sent_without_a_plus(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    target = next(c for c in state.contacts.values() if c.phone)
    target.landline = "912345678"
    filters = ContactFilter(phone=f"+{target.phone}", landline="+912345678")
    page = await backend.contacts_page(filters=filters)
    query = only(log, "GET", f"{API}/contacts").query
    assert (query["phone"], query["landline"]) == ([target.phone], ["912345678"])
    assert [c.id for c in page.items] == [target.id]


async def test_contacts_page_without_include(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    page = await backend.contacts_page(limit=7)
    assert only(log, "GET", f"{API}/contacts").query == {"page": ["1"], "limit": ["7"]}
    assert [c.id for c in page.items] == list(state.contacts)[:7]
    assert all(c.groups == () and c.custom_fields == () for c in page.items)
    assert (page.page, page.per_page, page.total, page.total_pages) == (1, 7, 120, 18)
    assert page.has_next


async def test_iter_contacts_walks_every_page(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    ids = [c.id async for c in backend.iter_contacts(limit=50)]
    assert ids == list(state.contacts)
    assert len(ids) == 120
    requests = log.matching("GET", f"{API}/contacts")
    assert len(log) == len(requests) == 3
    assert [r.query for r in requests] == [{"page": [str(n)], "limit": ["50"]} for n in (1, 2, 3)]


async def test_iter_contacts_passes_filters(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    wanted = [c.id for c in state.contacts.values() if c.country_iso == "PT"]
    found = [c async for c in backend.iter_contacts(filters=ContactFilter(country="PT"))]
    assert [c.id for c in found] == wanted
    assert {c.country for c in found} == {"PT"}
    (request,) = log.requests
    assert request.query == {"page": ["1"], "limit": ["1000"], "countryIso": ["PT"]}


async def test_contact(backend: Nrs360Backend, log: RequestLog, state: Nrs360State) -> None:
    target = next(c for c in state.contacts.values() if c.custom_fields and len(c.group_ids) > 1)
    contact = await backend.contact(target.id)
    request = only(log, "GET", f"{API}/contacts/{target.id}")
    assert request.query == {"include": ["customFields,groups"]}
    assert contact.id == target.id
    assert (contact.email, contact.phone, contact.name) == (target.email, target.phone, target.name)
    assert contact.country == target.country_iso
    assert contact.custom_fields == tuple(
        CustomField(f.key, f.value, f.type) for f in target.custom_fields
    )
    assert [g.id for g in contact.groups] == target.group_ids
    assert [g.name for g in contact.groups] == [state.groups[g].name for g in target.group_ids]


async def test_create_contact(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State, clock: FakeClock
) -> None:
    clock.advance(minutes=5)
    data = ContactInput(
        email="new.contact@example.com",
        phone="34666666666",
        landline="912223344",
        country="ES",
        name="Nuevo",
        surname="Contacto",
        group_ids=(1, 2),
        group_names=("My contact list",),
        custom_fields=(
            CustomField("company", "ACME inc."),
            CustomField("since", "2024-01-02", "date"),
        ),
    )
    created = await backend.create_contact(data)
    assert sent(only(log, "POST", f"{API}/contacts")) == {
        "email": "new.contact@example.com",
        "phone": "34666666666",
        "landline": "912223344",
        "countryIso": "ES",
        "name": "Nuevo",
        "surname": "Contacto",
        "groupsIds": [1, 2],
        "groupsNames": ["My contact list"],
        "customFields": [
            {"key": "company", "type": "string", "value": "ACME inc."},
            {"key": "since", "type": "date", "value": "2024-01-02"},
        ],
    }
    # `include` is documented on reads only: the write goes without it, and the contact
    # is read again with its groups and custom fields (the write's answer shows neither).
    assert only(log, "POST", f"{API}/contacts").query == {}
    assert only(log, "GET", f"{API}/contacts/121").query == {"include": ["customFields,groups"]}
    now = START + timedelta(minutes=5)
    assert created == Contact(
        id=121,
        email="new.contact@example.com",
        phone="34666666666",
        landline="912223344",
        country="ES",
        name="Nuevo",
        surname="Contacto",
        custom_fields=data.custom_fields,
        groups=created.groups,
        created_at=now,
        updated_at=now,
    )
    assert [g.name for g in created.groups][-1] == "My contact list"
    stored = state.contacts[121]
    new_group = state.group_by_name("My contact list")
    assert new_group is not None
    assert stored.group_ids == [1, 2, new_group.id]

    again = await backend.contact(121)
    assert [g.name for g in again.groups] == [
        state.groups[1].name,
        state.groups[2].name,
        "My contact list",
    ]
    assert again.custom_fields == data.custom_fields


async def test_contact_external_id_is_refused_before_sending(
    backend: Nrs360Backend, log: RequestLog
) -> None:
    # The POST/PUT /contacts parameter tables have no externalId (only GET filters by it).
    data = ContactInput(email="a@example.com", group_ids=(1,), external_id="EXT1")
    with pytest.raises(InvalidInput, match="external id"):
        await backend.create_contact(data)
    with pytest.raises(InvalidInput, match="external id"):
        await backend.update_contact(10, data)
    assert log.requests == []
    assert "external_id" not in Nrs360Backend.contact_fields


async def test_create_contact_validation_error(backend: Nrs360Backend, log: RequestLog) -> None:
    # "email ... Required when phone or landline is not specified": refused before sending.
    with pytest.raises(InvalidInput, match=r"The email field is required\."):
        await backend.create_contact(ContactInput(name="Nobody", group_ids=(1,)))
    assert log.requests == []


async def test_update_contact(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State, clock: FakeClock
) -> None:
    target = state.contacts[10]
    clock.advance(hours=1)
    updated = await backend.update_contact(
        10,
        ContactInput(
            email="renamed@example.com",
            name="Renamed",
            group_names=("VIP",),
            custom_fields=(CustomField("plan", "pro"),),
        ),
    )
    assert sent(only(log, "PUT", f"{API}/contacts/10")) == {
        "email": "renamed@example.com",
        "name": "Renamed",
        "groupsNames": ["VIP"],
        "customFields": [{"key": "plan", "type": "string", "value": "pro"}],
    }
    assert only(log, "PUT", f"{API}/contacts/10").query == {}
    vip_group = state.group_by_name("VIP")
    assert vip_group is not None and updated.groups == (GroupRef(vip_group.id, "VIP"),)
    assert updated.id == 10
    assert (updated.email, updated.name) == ("renamed@example.com", "Renamed")
    assert updated.surname == target.surname and updated.phone == target.phone
    assert updated.updated_at == START + timedelta(hours=1)
    vip = state.group_by_name("VIP")
    assert vip is not None and target.group_ids == [vip.id]
    assert ("plan", "string", "pro") in [(f.key, f.type, f.value) for f in target.custom_fields]


async def test_update_clears_emptied_fields_and_removes_custom_fields(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    target = state.contacts[10]
    assert target.surname and target.email and target.custom_fields
    key = target.custom_fields[0].key
    updated = await backend.update_contact(
        10,
        ContactInput(
            phone=target.phone,
            country=target.country_iso,
            surname="",
            email="",
            group_ids=tuple(target.group_ids),
            custom_fields=(CustomField(key, ""),),
        ),
    )
    # Emptied fields go as null (a field left out would keep its value).
    assert sent(only(log, "PUT", f"{API}/contacts/10")) == {
        "phone": target.phone,
        "countryIso": target.country_iso,
        "email": None,
        "surname": None,
        "groupsIds": target.group_ids,
        "customFields": [{"key": key, "value": None}],
    }
    stored = state.contacts[10]  # (a new name: mypy narrowed target's fields to str)
    assert (stored.surname, stored.email) == (None, None)
    assert key not in [f.key for f in stored.custom_fields]
    assert (updated.surname, updated.email) == (None, None)
    assert key not in [f.key for f in updated.custom_fields]


async def test_update_missing_contact_is_not_found(backend: Nrs360Backend) -> None:
    with pytest.raises(NotFound):
        await backend.update_contact(999, ContactInput(email="a@example.com", group_ids=(1,)))


async def test_delete_contact(backend: Nrs360Backend, log: RequestLog, state: Nrs360State) -> None:
    await backend.delete_contact(7)
    request = only(log, "DELETE", f"{API}/contacts/7")
    assert request.body == b"" and request.query == {}
    assert 7 not in state.contacts
    with pytest.raises(NotFound) as caught:
        await backend.contact(7)
    assert (caught.value.status, caught.value.code) == (404, 404)
    with pytest.raises(NotFound):
        await backend.delete_contact(7)
    assert len(log.matching("DELETE", f"{API}/contacts/7")) == 2


# --- groups ---------------------------------------------------------------------------------


async def test_groups_page(backend: Nrs360Backend, log: RequestLog, state: Nrs360State) -> None:
    page = await backend.groups_page(2, limit=2)
    assert only(log, "GET", f"{API}/groups").query == {"page": ["2"], "limit": ["2"]}
    expected = [state.groups[3], state.groups[4]]
    # The reference's groups have no size (the console counts members from /contacts).
    assert page.items == tuple(Group(g.id, g.name) for g in expected)
    assert (page.page, page.per_page, page.total, page.total_pages) == (2, 2, 5, 3)


async def test_iter_groups(backend: Nrs360Backend, log: RequestLog, state: Nrs360State) -> None:
    names = [g.name async for g in backend.iter_groups(limit=2)]
    assert names == ["Customers", "VIP", "Newsletter", "Staff", "Leads"]
    assert [r.query["page"] for r in log.matching("GET", f"{API}/groups")] == [["1"], ["2"], ["3"]]


async def test_group_crud(backend: Nrs360Backend, log: RequestLog, state: Nrs360State) -> None:
    staff = await backend.group(4)
    assert only(log, "GET", f"{API}/groups/4").body == b""
    assert staff == Group(4, "Staff")

    created = await backend.create_group("Partners")
    assert sent(only(log, "POST", f"{API}/groups")) == {"name": "Partners"}
    assert created == Group(6, "Partners")
    assert state.groups[6].name == "Partners"

    renamed = await backend.update_group(6, "Resellers")
    assert sent(only(log, "PUT", f"{API}/groups/6")) == {"name": "Resellers"}
    assert renamed == Group(6, "Resellers")
    assert state.groups[6].name == "Resellers"

    await backend.delete_group(6)
    assert only(log, "DELETE", f"{API}/groups/6").body == b""
    assert 6 not in state.groups
    with pytest.raises(NotFound) as caught:
        await backend.group(6)
    assert (caught.value.status, caught.value.code) == (404, 404)


# --- WhatsApp conversations -----------------------------------------------------------------


async def test_conversations_page_with_filters(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    conv = conversation_where(state, active=True)
    page = await backend.conversations_page(
        limit=10, sender="+" + BUSINESS_NUMBER, recipient=conv.customer
    )
    request = only(log, "GET", f"{API}/whatsapp/conversations")
    assert request.query == {
        "page": ["1"],
        "limit": ["10"],
        "from": ["+" + BUSINESS_NUMBER],
        "to": [conv.customer],
    }
    (found,) = page.items
    assert (page.total, page.total_pages) == (1, 1)
    expires = conv.session_expires_at()
    assert found.sender == BUSINESS_NUMBER and found.recipient == conv.customer
    assert found.total_messages == len(conv.messages)
    assert (found.status, found.session_active) == ("OPEN", True)
    assert found.session_expires_at == (expires.replace(microsecond=0) if expires else None)
    assert found.created_at == conv.created_at.replace(microsecond=0)
    assert found.updated_at == conv.updated_at().replace(microsecond=0)
    assert found.contact == ContactInfo(
        msisdn=conv.customer,
        first_name=conv.contact.first_name or "",
        last_name=conv.contact.last_name or "",
        email=conv.contact.email or "",
        country=conv.contact.country or "",
    )


async def test_conversations_page_unfiltered(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    page = await backend.conversations_page(limit=3)
    assert only(log, "GET", f"{API}/whatsapp/conversations").query == {
        "page": ["1"],
        "limit": ["3"],
    }
    assert len(page.items) == 3
    assert (page.total, page.total_pages) == (len(state.conversations), 2)
    updated = [c.updated_at for c in page.items]
    assert updated == sorted(updated, reverse=True)  # type: ignore[type-var]


async def test_conversation(backend: Nrs360Backend, log: RequestLog, state: Nrs360State) -> None:
    conv = conversation_where(state, active=False)
    found = await backend.conversation(BUSINESS_NUMBER, conv.customer)
    only(log, "GET", f"{API}/whatsapp/conversations/{BUSINESS_NUMBER}/{conv.customer}")
    assert (found.sender, found.recipient) == (BUSINESS_NUMBER, conv.customer)
    assert found.session_active is False
    assert found.total_messages == len(conv.messages)
    assert found.contact is not None and found.contact.msisdn == conv.customer


async def test_conversation_unknown_is_not_found(backend: Nrs360Backend) -> None:
    with pytest.raises(NotFound):
        await backend.conversation(BUSINESS_NUMBER, "34600000000")


async def test_conversation_messages(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    conv = conversation_where(state, active=True)
    result = await backend.conversation_messages(BUSINESS_NUMBER, conv.customer, page=2, limit=2)
    path = f"{API}/whatsapp/conversations/{BUSINESS_NUMBER}/{conv.customer}/messages"
    assert only(log, "GET", path).query == {"page": ["2"], "limit": ["2"]}
    newest_first = sorted(conv.messages, key=lambda m: m.sent_at, reverse=True)
    expected = newest_first[2:4]
    assert [m.id for m in result.messages] == [m.id for m in expected]
    assert [m.content for m in result.messages] == [m.content for m in expected]
    assert [m.msisdn for m in result.messages] == [m.msisdn for m in expected]
    assert [m.sent_at for m in result.messages] == [
        m.sent_at.replace(microsecond=0) for m in expected
    ]
    assert [m.reactions for m in result.messages] == [tuple(m.reactions) for m in expected]
    assert (result.status, result.session_active) == ("OPEN", True)
    expires = conv.session_expires_at()
    assert expires is not None and result.session_expires_at == expires.replace(microsecond=0)
    assert (result.page, result.total_pages) == (2, -(-len(conv.messages) // 2))

    expired = conversation_where(state, active=False)
    result = await backend.conversation_messages(BUSINESS_NUMBER, expired.customer)
    assert len(result.messages) == len(expired.messages)
    assert (result.session_active, result.page, result.total_pages) == (False, 1, 1)


async def test_reply_inside_session(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    conv = conversation_where(state, active=True)
    before = len(conv.messages)
    message = await backend.reply(BUSINESS_NUMBER, conv.customer, "On my way")
    path = f"{API}/whatsapp/conversations/{BUSINESS_NUMBER}/{conv.customer}/messages"
    assert sent(only(log, "POST", path)) == {"content": "On my way"}
    stored = conv.messages[-1]
    assert len(conv.messages) == before + 1
    assert (stored.content, stored.msisdn) == ("On my way", BUSINESS_NUMBER)
    # The reference shows no answer to this POST, and the sandbox gives none: a 2xx
    # without a body is a success with no message to return.
    assert message is None


async def test_reply_answered_with_a_message_returns_it() -> None:
    # Should the platform answer with the message (the shape its GET shows), it is used.
    shown = {
        "id": "f564433e-7cd1-47fa-af98-1bd632411b26",
        "type": "text",
        "msisdn": "34666777555",
        "content": "On my way",
        "reactions": [],
        "sentAt": "2024-01-01T11:00:00+00:00",
        "deliveredAt": None,
        "readAt": None,
        "failedAt": None,
    }
    client = mocked(lambda request: httpx.Response(201, json={"data": shown}))
    async with client:
        message = await client.reply("34666777555", "34666555444", "On my way")
    assert message == ChatMessage(
        id="f564433e-7cd1-47fa-af98-1bd632411b26",
        type="text",
        msisdn="34666777555",
        content="On my way",
        sent_at=datetime(2024, 1, 1, 11, tzinfo=UTC),
    )
    assert message.state == "sent"


async def test_reply_outside_session_is_refused(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    conv = conversation_where(state, active=False)
    before = len(conv.messages)
    with pytest.raises(BadRequest) as caught:
        await backend.reply(BUSINESS_NUMBER, conv.customer, "Too late")
    path = f"{API}/whatsapp/conversations/{BUSINESS_NUMBER}/{conv.customer}/messages"
    assert sent(only(log, "POST", path)) == {"content": "Too late"}
    exc = caught.value
    assert (exc.status, exc.code) == (400, 400)
    assert "session is not active" in exc.message
    assert len(conv.messages) == before


# --- errors ---------------------------------------------------------------------------------


async def test_wrong_password_is_auth_error_without_leaking_it(
    app: Starlette, log: RequestLog, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "not-the-Pa55word-xyz"
    caplog.set_level(logging.DEBUG, logger="switchboard")
    client = connect(app, secret=secret)
    try:
        with pytest.raises(AuthError) as caught:
            await client.account()
    finally:
        await client.aclose()
    exc = caught.value
    assert (exc.status, exc.code, exc.message) == (401, 103, "Username or password unknown")
    assert exc.provider == "360nrs"
    assert secret not in str(exc) and secret not in repr(exc)
    assert secret not in repr(client.connection)
    # The client did log the exchange, and only without the secret.
    assert any(r.name == "switchboard.http" and "401" in r.getMessage() for r in caplog.records)
    assert secret not in caplog.text
    # Nor in its Basic-encoded form, as an Authorization header dump would show it.
    encoded = base64.b64encode(f"{DEMO_USERNAME}:{secret}".encode()).decode()
    assert encoded not in caplog.text and encoded not in str(exc)
    (request,) = log.requests
    assert request.path == f"{API}/account"
    assert request.basic_credentials() == (DEMO_USERNAME, secret)


async def test_not_enough_credit_is_payment_required(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    state.balance_cents = 4  # one SMS part costs 5
    with pytest.raises(PaymentRequired) as caught:
        await backend.send_sms(SmsRequest(to=("34666555444",), sender="TEST", message="Hi"))
    assert only(log, "POST", f"{API}/sms").json()["to"] == ["34666555444"]
    exc = caught.value
    assert (exc.status, exc.code, exc.message) == (402, 111, "Not enough credits")
    assert state.balance_cents == 4 and state.sms == {}
    assert (await backend.account()).balance == 0.04


def raising(exc_type: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("simulated", request=request)

    return handler


async def test_connect_error_is_connect_failed() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    client = mocked(handler)
    try:
        with pytest.raises(ConnectFailed) as caught:
            await client.send_sms(SmsRequest(to=("34666555444",), sender="T", message="Hi"))
    finally:
        await client.aclose()
    assert "connection refused" in str(caught.value)
    assert "http://sandbox/api/rest/sms" in str(caught.value)
    assert DEMO_PASSWORD not in str(caught.value)
    (request,) = seen
    assert (request.method, request.url.path) == ("POST", f"{API}/sms")


@pytest.mark.parametrize(
    "exc_type", [httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError]
)
async def test_read_failure_is_outcome_unknown(exc_type: type[httpx.TransportError]) -> None:
    client = mocked(raising(exc_type))
    try:
        with pytest.raises(OutcomeUnknown) as caught:
            await client.send_sms(SmsRequest(to=("34666555444",), sender="T", message="Hi"))
    finally:
        await client.aclose()
    assert exc_type.__name__ in str(caught.value)
    assert not isinstance(caught.value, ConnectFailed)


async def test_non_json_200_is_malformed() -> None:
    client = mocked(lambda request: httpx.Response(200, text="<html>maintenance</html>"))
    try:
        with pytest.raises(MalformedResponse) as caught:
            await client.send_sms(SmsRequest(to=("34666555444",), sender="T", message="Hi"))
    finally:
        await client.aclose()
    assert caught.value.status == 200
    assert caught.value.provider == "360nrs"


async def test_json_200_without_data_is_malformed() -> None:
    client = mocked(lambda request: httpx.Response(200, json={"result": []}))
    try:
        with pytest.raises(MalformedResponse):
            await client.contacts_page()
        with pytest.raises(MalformedResponse):
            await client.group(1)
    finally:
        await client.aclose()


async def test_account_answer_is_not_assumed() -> None:
    # The reference lists the account's information but shows no body: a bare object
    # is read as well as one wrapped in `data`, and no field is required.
    for body in ({"username": "demo", "balance": 2.5}, {"data": {"username": "demo"}}, {}):
        client = mocked(lambda request, body=body: httpx.Response(200, json=body))
        async with client:
            info = await client.account()
        assert info.username == body.get("username", body.get("data", {}).get("username", ""))
    client = mocked(lambda request: httpx.Response(200, json={"data": []}))
    async with client:
        with pytest.raises(MalformedResponse):
            await client.account()


async def test_server_error() -> None:
    body = {"error": {"code": 101, "description": "Internal Database error"}}
    client = mocked(lambda request: httpx.Response(500, json=body))
    try:
        with pytest.raises(ServerError) as caught:
            await client.account()
    finally:
        await client.aclose()
    assert (caught.value.status, caught.value.code) == (500, 101)
    assert caught.value.message == "Internal Database error"


def too_many(retry_after: str) -> Callable[[httpx.Request], httpx.Response]:
    body = {"error": {"code": 429, "description": "Too many requests"}}
    return lambda request: httpx.Response(429, json=body, headers={"Retry-After": retry_after})


async def test_429_retry_after_seconds() -> None:
    client = mocked(too_many("7"))
    try:
        with pytest.raises(RateLimited) as caught:
            await client.send_sms(SmsRequest(to=("34666555444",), sender="T", message="Hi"))
    finally:
        await client.aclose()
    exc = caught.value
    assert (exc.status, exc.code, exc.message) == (429, 429, "Too many requests")
    assert exc.retry_after == 7.0


async def test_429_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 40, usegmt=True)
    client = mocked(too_many(when))
    try:
        # A send: a read would wait the 40 s and ask again (tests/backends/test_http_retry.py).
        with pytest.raises(RateLimited) as caught:
            await client.send_sms(SmsRequest(to=("34666555444",), sender="T", message="Hi"))
    finally:
        await client.aclose()
    # The header has whole seconds; allow for that and for the test's own run time.
    assert caught.value.retry_after is not None
    assert 35.0 <= caught.value.retry_after <= 40.0


async def test_429_retry_after_date_in_the_past_is_zero() -> None:
    client = mocked(too_many("Wed, 21 Oct 2015 07:28:00 GMT"))
    try:
        with pytest.raises(RateLimited) as caught:
            await client.send_sms(SmsRequest(to=("34666555444",), sender="T", message="Hi"))
    finally:
        await client.aclose()
    assert caught.value.retry_after == 0.0


def test_redact_url_hides_secret_query_values() -> None:
    url = "https://api.example.com/v1/users?api_key=s3cr3t-KEY&page=2&token=t0k3n&name=a+b"
    redacted = redact_url(url)
    assert "s3cr3t-KEY" not in redacted and "t0k3n" not in redacted
    assert redacted.startswith("https://api.example.com/v1/users?")
    query = httpx.URL(redacted).params
    assert query["api_key"] == "***" and query["token"] == "***"
    assert (query["page"], query["name"]) == ("2", "a b")
    assert (
        redact_url(httpx.URL("https://x.example/a?API_KEY=zz")) == "https://x.example/a?API_KEY=***"
    )
    assert redact_url("https://x.example/plain") == "https://x.example/plain"


# --- through a real socket ------------------------------------------------------------------


async def test_send_sms_through_a_real_socket(clock: FakeClock) -> None:
    app = create_app(clock=clock)
    server = SandboxServer(app)
    server.start()
    host = server.url.removeprefix("http://")
    try:
        connection = Connection(
            base_url=f"{server.url}/api/rest", username=DEMO_USERNAME, secret=DEMO_PASSWORD
        )
        async with Nrs360Backend(connection) as client:
            result = await client.send_sms(
                SmsRequest(
                    to=("34666555444", "34"), sender="SOCKET", message="Over TCP", trans=True
                )
            )
    finally:
        server.stop()
    assert not server.running
    log: RequestLog = app.state.log
    request = only(log, "POST", f"{API}/sms")
    assert request.headers["host"] == host
    assert sent(request) == {
        "to": ["34666555444", "34"],
        "from": "SOCKET",
        "message": "Over TCP",
        "trans": 1,
    }
    state: Nrs360State = app.state.nrs
    good, bad = result.results
    assert good.accepted and good.id in state.sms
    assert state.sms[good.id or ""].message == "Over TCP"
    assert (bad.accepted, bad.error_code) == (False, 102)
    assert result.sending_id == state.sms[good.id or ""].sending_id
