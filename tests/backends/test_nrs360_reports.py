"""The 360nrs reports client against the sandbox: campaigns, reports, certificates, tools.

One contract test per endpoint: what reached the provider (method, path, exact query
string, headers, body) as the reference shows it, and what the client made of the answer.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from backends.base import Capability
from backends.errors import MalformedResponse, NotFound
from backends.models.reports import (
    Campaign,
    CountryPrice,
    HostedImage,
    ImageUpload,
    KeyPress,
    NetworkPrice,
    ReportEvent,
    SendingEvents,
    SendingSummary,
    ShortUrl,
)
from backends.nrs360.client import Nrs360Backend
from backends.nrs360.reports import date_param, rfc3986_query
from backends.sandbox.core import RecordedRequest, RequestLog
from backends.sandbox.nrs360 import Nrs360State
from backends.sandbox.nrs360.reports_gen import key_events, sending_events
from backends.sandbox.nrs360.state import Contact, CustomField
from backends.sandbox.nrs360.state_sending import Campaign as StateCampaign
from backends.sandbox.nrs360.state_sending import Sending, SentItem
from tests.backends.conftest import API, START, mocked

BOGOTA = timezone(timedelta(hours=-5))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0" + bytes(20)


def only(log: RequestLog, method: str, path: str, *, accept: str = "application/json") -> Any:
    """The single request with this method and path, authenticated as the demo user."""
    found = log.matching(method, path)
    assert len(found) == 1, [(r.method, r.path) for r in log.requests]
    request: RecordedRequest = found[0]
    header = request.headers["authorization"]
    assert base64.b64decode(header.removeprefix("Basic ")) == b"demo:demo-api-password"
    assert request.headers["accept"] == accept
    if request.body:
        assert request.headers["content-type"] == "application/json"
    else:
        assert "content-type" not in request.headers
    return request


def body_of(request: RecordedRequest) -> str:
    """The JSON body, canonical, so `1` and `true` differ."""
    return json.dumps(request.json(), sort_keys=True)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def add_sending(
    state: Nrs360State,
    sending_id: int,
    *,
    channel: str = "sms",
    to: Sequence[str] = ("34666555444",),
    campaign_id: int = 500,
    name: str = "Spring sale",
    created_at: datetime = START - timedelta(days=1),
    scheduled_at: datetime | None = None,
    content: dict[str, Any] | None = None,
    fields: Sequence[dict[str, str]] = (),
    tags: Sequence[str] = (),
    cost: float = 0.0,
) -> Sending:
    """A campaign (made on first use) and one of its sendings, as a send would record them."""
    if campaign_id not in state.sending.campaigns:
        state.sending.campaigns[campaign_id] = StateCampaign(
            campaign_id, name, channel, created_at, list(tags)
        )
    items = [
        SentItem(f"M{sending_id}{n:04d}", recipient, dict(fields[n]) if fields else {})
        for n, recipient in enumerate(to)
    ]
    sending = Sending(
        sending_id,
        campaign_id,
        channel,
        created_at,
        items,
        scheduled_at,
        dict(content or {"from": "TEST", "message": "Hello"}),
        cost,
    )
    state.sending.sendings[sending_id] = sending
    return sending


def test_capabilities() -> None:
    for capability in (
        Capability.CAMPAIGNS,
        Capability.REPORTS,
        Capability.CERTIFICATES,
        Capability.SHORTENER,
        Capability.IMAGES,
        Capability.COVERAGE,
    ):
        assert Nrs360Backend.supports(capability)


# --- encoding -------------------------------------------------------------------------------


def test_query_is_rfc3986_encoded_like_the_reference_example() -> None:
    after = date_param(datetime(2019, 1, 1, tzinfo=UTC))
    before = date_param(datetime(2019, 2, 1, tzinfo=UTC))
    # The reference's own example, byte for byte.
    assert rfc3986_query({"afterDate": after, "beforeDate": before}) == (
        "afterDate=2019-01-01T00%3A00%3A00%2B00%3A00&beforeDate=2019-02-01T00%3A00%3A00%2B00%3A00"
    )
    # Spaces are %20 (not +), and None values are left out.
    assert rfc3986_query({"name": "Spring sale*", "channel": None}) == "name=Spring%20sale%2A"


def test_dates_are_sent_in_utc_and_must_be_aware() -> None:
    assert date_param(datetime(2025, 3, 1, 7, 0, tzinfo=BOGOTA)) == "2025-03-01T12:00:00+00:00"
    with pytest.raises(ValueError, match="time zone"):
        date_param(datetime(2025, 3, 1))


# --- campaigns ------------------------------------------------------------------------------


async def test_campaigns_without_filters(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    add_sending(
        state,
        700,
        to=("34666555444", "34666555333"),
        tags=("spring",),
        cost=0.1,
        content={"from": "TEST", "message": "Sale at https://example.com/sale"},
    )
    campaigns = await backend.campaigns()
    request = only(log, "GET", f"{API}/campaigns")
    assert request.query_string == ""
    assert request.body == b""
    sending = state.sending.sendings[700]
    counts = {e.kind: 0 for e in sending_events(sending, START)}
    for event in sending_events(sending, START):
        counts[event.kind] += 1
    created = START - timedelta(days=1)
    assert campaigns == [
        Campaign(
            id=500,
            name="Spring sale",
            type="basic",
            created_at=created,
            updated_at=created,
            sendings=(
                SendingSummary(
                    id=700,
                    campaign_name="Spring sale",
                    status="OPENED",
                    channel="sms",
                    total=2,
                    processed=2,
                    total_sms_parts=2,
                    cost=0.1,
                    currency="EUR",
                    tags=("spring",),
                    started_at=created,
                    created_at=created,
                    updated_at=max(e.at for e in sending_events(sending, START)),
                    events=SendingEvents(
                        sent=2,
                        delivered=counts.get("delivered", 0),
                        undelivered=counts.get("undelivered", 0),
                        clicked=counts.get("clicked", 0),
                        clicked_unique=counts.get("clicked", 0),
                    ),
                ),
            ),
        )
    ]


async def test_campaigns_every_filter_encoded_exactly(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    add_sending(state, 700, campaign_id=500, name="SPRING_2025_promo")
    add_sending(state, 701, campaign_id=501, name="SPRING_2024_promo")
    add_sending(state, 702, campaign_id=502, name="SPRING_2025_news", channel="mailing")
    campaigns = await backend.campaigns(
        name="SPRING_2025_*",
        channel="sms",
        after=datetime(2025, 3, 1, tzinfo=UTC),
        # Another offset: the client sends UTC, so the `+` never has to travel at all...
        before=datetime(2025, 3, 10, 7, 0, tzinfo=BOGOTA),
    )
    request = only(log, "GET", f"{API}/campaigns")
    assert request.query_string == (
        "name=SPRING_2025_%2A&channel=sms"
        "&beforeDate=2025-03-10T12%3A00%3A00%2B00%3A00"
        "&afterDate=2025-03-01T00%3A00%3A00%2B00%3A00"
    )
    # ...and the server decodes exactly what was meant.
    assert request.query == {
        "name": ["SPRING_2025_*"],
        "channel": ["sms"],
        "beforeDate": ["2025-03-10T12:00:00+00:00"],
        "afterDate": ["2025-03-01T00:00:00+00:00"],
    }
    assert [c.name for c in campaigns] == ["SPRING_2025_promo"]


async def test_campaigns_refuses_bad_filters_without_a_request(
    backend: Nrs360Backend, log: RequestLog
) -> None:
    with pytest.raises(ValueError, match="time zone"):
        await backend.campaigns(after=datetime(2025, 3, 1))
    with pytest.raises(ValueError, match="channel"):
        await backend.campaigns(channel="voice")
    assert len(log) == 0


async def test_campaigns_of_a_real_sms_send(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    """An SMS sent through POST /sms shows up in its campaign and its events report."""
    from backends.models.common import SmsRequest

    result = await backend.send_sms(
        SmsRequest(
            to=("34666555444", "34666555333"),
            sender="TEST",
            message="Offer: https://example.com/o",
            campaign_name="Live campaign",
            tags=("live",),
        )
    )
    if not state.sending.sendings:
        pytest.skip("the emulator does not record SMS sends in state.sending yet")
    (campaign,) = await backend.campaigns(name="Live*")
    (sending,) = campaign.sendings
    assert (campaign.id, sending.id) == (result.campaign_id, result.sending_id)
    assert (sending.channel, sending.total, sending.tags) == ("sms", 2, ("live",))
    assert sending.events.sent == 2
    report = await backend.sending_events(sending.id)
    sent = [r for r in report.rows if r.event == "sent"]
    assert sorted(r.phone for r in sent) == ["34666555333", "34666555444"]
    assert {r.campaign_id for r in report.rows} == {result.campaign_id}


# --- events report --------------------------------------------------------------------------


async def test_events_report_other_channels(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    state.contacts[77] = Contact(
        id=77,
        created_at=START,
        updated_at=START,
        email="ana@example.com",
        phone="34666555444",
        country_iso="ES",
        custom_fields=[CustomField("city", "string", "Madrid")],
    )
    recipients = (*(f"3466655{n:04d}" for n in range(40)), "34666555444")
    sending = add_sending(
        state,
        700,
        to=recipients,
        content={"from": "TEST", "message": "Look https://example.com/spring"},
        fields=[{"name": f"N{n}", "code": f"C{n}"} for n in range(len(recipients))],
    )
    report = await backend.sending_events(
        700,
        after=datetime(2025, 3, 9, tzinfo=UTC),
        before=datetime(2025, 3, 10, 12, tzinfo=UTC),
        custom_fields=True,
    )
    request = only(
        log, "GET", f"{API}/sendings/700/reports/events", accept="text/csv, application/json;q=0.5"
    )
    assert request.query_string == (
        "afterDate=2025-03-09T00%3A00%3A00%2B00%3A00"
        "&beforeDate=2025-03-10T12%3A00%3A00%2B00%3A00&showCustomFields=1"
    )
    assert report.columns == (
        "campaignName", "campaignId", "sendingId", "contactId", "event", "phone", "email",
        "landline", "countryIso", "browser", "os", "url", "createdAt", "name", "code",
    )  # fmt: skip
    assert not report.voice
    expected = sending_events(sending, START)
    assert [(r.event, r.phone, r.created_at) for r in report.rows] == [
        (e.kind, e.item.to, e.at) for e in expected
    ]
    assert report.counts()["sent"] == len(recipients)
    known = next(r for r in report.rows if r.phone == "34666555444" and r.event == "sent")
    assert known == ReportEvent(
        campaign_name="Spring sale",
        campaign_id=500,
        sending_id=700,
        contact_id=77,
        event="sent",
        phone="34666555444",
        email="ana@example.com",
        country_iso="ES",
        call_duration_seconds=None,
        created_at=START - timedelta(days=1),
        custom_fields={"name": "N40", "code": "C40"},
    )
    clicks = [r for r in report.rows if r.event == "clicked"]
    assert clicks and all(r.url == "https://example.com/spring" for r in clicks)
    assert all(r.browser and r.os for r in clicks)


async def test_events_report_voice_layout(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    sending = add_sending(
        state,
        701,
        channel="voice",
        to=tuple(f"3466655{n:04d}" for n in range(20)),
        content={"message": "Your appointment is tomorrow", "language": "es_ES"},
    )
    report = await backend.sending_events(701)
    request = only(
        log, "GET", f"{API}/sendings/701/reports/events", accept="text/csv, application/json;q=0.5"
    )
    assert request.query_string == ""
    assert report.voice
    assert report.columns[-2:] == ("callDurationSeconds", "createdAt")
    assert "browser" not in report.columns
    answered = [r for r in report.rows if r.event == "delivered"]
    durations = {
        e.item.to: e.call_duration for e in sending_events(sending, START) if e.kind == "delivered"
    }
    assert {r.phone: r.call_duration_seconds for r in answered} == durations
    assert all(r.call_duration_seconds is None for r in report.rows if r.event == "sent")


def answer_csv(text: str) -> Callable[[httpx.Request], httpx.Response]:
    """A transport handler answering `text` as CSV."""
    return lambda request: httpx.Response(200, text=text, headers={"content-type": "text/csv"})


async def test_events_report_parses_both_layouts_as_text() -> None:
    other = (
        "campaignName,campaignId,sendingId,contactId,event,phone,email,landline,countryIso,"
        "browser,os,url,createdAt,city\n"
        '"Sale, spring",1,2,3,clicked,34666555444,,,ES,Chrome,Android,'
        "https://e.com/x,2019-01-01T10:00:00+00:00,Madrid\n"
    )
    voice = (
        "campaignName;campaignId;sendingId;contactId;event;phone;email;landline;countryIso;"
        "callDurationSeconds;createdAt\n"
        "Calls;1;2;;delivered;34666555444;;;ES;42;2019-01-01 10:00:00\n"
    )
    for text, expected in (
        (
            other,
            ReportEvent(
                campaign_name="Sale, spring",
                campaign_id=1,
                sending_id=2,
                contact_id=3,
                event="clicked",
                phone="34666555444",
                country_iso="ES",
                browser="Chrome",
                os="Android",
                url="https://e.com/x",
                created_at=datetime(2019, 1, 1, 10, tzinfo=UTC),
                custom_fields={"city": "Madrid"},
            ),
        ),
        (
            voice,
            ReportEvent(
                campaign_name="Calls",
                campaign_id=1,
                sending_id=2,
                contact_id=None,
                event="delivered",
                phone="34666555444",
                country_iso="ES",
                call_duration_seconds=42,
                created_at=datetime(2019, 1, 1, 10, tzinfo=UTC),
            ),
        ),
    ):
        client = mocked(answer_csv(text))
        async with client:
            report = await client.sending_events(2)
        assert report.rows == (expected,)
        assert report.csv == text


async def test_events_report_malformed_csv() -> None:
    for text in ("a,b\n1,2\n", "campaignName,event\nx,sent,extra\n"):
        client = mocked(answer_csv(text))
        async with client:
            with pytest.raises(MalformedResponse):
                await client.sending_events(1)


async def test_events_report_unknown_sending(backend: Nrs360Backend) -> None:
    with pytest.raises(NotFound) as caught:
        await backend.sending_events(999)
    assert caught.value.code == 404


async def test_events_of_a_future_sending_are_empty(
    backend: Nrs360Backend, state: Nrs360State
) -> None:
    add_sending(state, 702, scheduled_at=START + timedelta(hours=2))
    report = await backend.sending_events(702)
    assert report.rows == () and "event" in report.columns


# --- keys report ----------------------------------------------------------------------------


async def test_keys_report(backend: Nrs360Backend, log: RequestLog, state: Nrs360State) -> None:
    sending = add_sending(
        state,
        703,
        channel="voice",
        to=tuple(f"3466655{n:04d}" for n in range(30)),
        content={"message": "Press 1 to confirm"},
    )
    report = await backend.sending_keys(
        703, after=datetime(2025, 3, 1, tzinfo=UTC), before=datetime(2025, 3, 11, tzinfo=UTC)
    )
    request = only(
        log, "GET", f"{API}/sendings/703/reports/keys", accept="text/csv, application/json;q=0.5"
    )
    assert request.query_string == (
        "afterDate=2025-03-01T00%3A00%3A00%2B00%3A00&beforeDate=2025-03-11T00%3A00%3A00%2B00%3A00"
    )
    assert report.csv.startswith("phonenumber,key,message\n")
    expected = [
        KeyPress(k.item.to, k.key, "Press 1 to confirm") for k in key_events(sending, START)
    ]
    assert list(report.rows) == expected and expected


async def test_keys_report_of_a_non_voice_sending(
    backend: Nrs360Backend, state: Nrs360State
) -> None:
    add_sending(state, 704)
    with pytest.raises(NotFound):
        await backend.sending_keys(704)


# --- certificates ---------------------------------------------------------------------------


async def test_sms_certificate(backend: Nrs360Backend, log: RequestLog, state: Nrs360State) -> None:
    add_sending(state, 705, content={"from": "TEST", "message": "Signed", "certified": True})
    cert = await backend.sms_certificate("M7050000")
    request = only(
        log,
        "GET",
        f"{API}/sms/certificates/M7050000",
        accept="application/pdf, application/json;q=0.5",
    )
    assert request.query_string == "" and request.body == b""
    assert cert.content.startswith(b"%PDF-1.4") and cert.content.rstrip().endswith(b"%%EOF")
    assert cert.content_type == "application/pdf"
    assert cert.filename == "certificate-M7050000.pdf"
    assert b"(Recipient: 34666555444) Tj" in cert.content


async def test_mail_certificate(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    add_sending(
        state,
        706,
        channel="mailing",
        to=("ana@example.com",),
        content={"fromEmail": "shop@example.com", "subject": "Contract", "certified": True},
    )
    cert = await backend.mail_certificate("M7060000")
    only(
        log,
        "GET",
        f"{API}/mailing/certificates/M7060000",
        accept="application/pdf, application/json;q=0.5",
    )
    assert b"(Certified email) Tj" in cert.content
    assert b"(Subject: Contract) Tj" in cert.content


async def test_certificate_of_an_uncertified_or_unknown_message(
    backend: Nrs360Backend, state: Nrs360State, log: RequestLog
) -> None:
    add_sending(state, 707, content={"from": "TEST", "message": "Plain"})
    for message_id in ("M7070000", "NOPE"):
        with pytest.raises(NotFound):
            await backend.sms_certificate(message_id)
    # A `/` in an id stays inside its one, encoded segment: no other path is asked for.
    with pytest.raises(NotFound):
        await backend.sms_certificate("a/b")
    assert log.requests[-1].raw_path == "/api/rest/sms/certificates/a%2Fb"
    with pytest.raises(ValueError):
        await backend.sms_certificate("")


async def test_certificate_answered_with_json_is_malformed() -> None:
    client = mocked(lambda r: httpx.Response(200, json={"data": []}))
    async with client:
        with pytest.raises(MalformedResponse, match="not a document"):
            await client.sms_certificate("X")


# --- tools ----------------------------------------------------------------------------------


async def test_shorten(backend: Nrs360Backend, log: RequestLog) -> None:
    urls = ["https://example.com/test1", "https://example.com/test2", "invalidUrl"]
    links = await backend.shorten(urls)
    request = only(log, "POST", f"{API}/shortener/shorten")
    assert request.query_string == ""
    assert body_of(request) == canonical({"urls": [{"longUrl": u} for u in urls]})
    assert [link.long_url for link in links] == urls
    assert [link.error for link in links] == [False, False, True]
    assert links[2] == ShortUrl("invalidUrl", None, True)
    for link in links[:2]:
        assert link.short_url is not None
        assert link.short_url.startswith("https://sms.tl/") and len(link.short_url) == 21
    # Deterministic: the same URL always gets the same short link.
    assert await backend.shorten(urls[:1]) == links[:1]


async def test_image_generate(backend: Nrs360Backend, log: RequestLog) -> None:
    images = [
        ImageUpload("test1", "jpg", JPEG),
        ImageUpload("test2", "png", PNG),
        ImageUpload("broken", "png", b"not an image"),
    ]
    hosted = await backend.image_generate(images)
    request = only(log, "POST", f"{API}/images/generate")
    assert body_of(request) == canonical(
        {
            "images": [
                {"externalId": i.external_id, "extension": i.extension,
                 "base64": base64.b64encode(i.content).decode()}
                for i in images
            ]
        }
    )  # fmt: skip
    assert [h.external_id for h in hosted] == ["test1", "test2", "broken"]
    assert hosted[2] == HostedImage("broken", None, True)
    for image, answer in zip(images[:2], hosted[:2], strict=False):
        assert not answer.error and answer.image_url is not None
        assert answer.image_url.startswith("http://sandbox/uploads/")
        assert answer.image_url.endswith("." + image.extension)


async def test_image_generate_refuses_other_extensions(
    backend: Nrs360Backend, log: RequestLog
) -> None:
    with pytest.raises(ValueError, match="jpg or png"):
        await backend.image_generate([ImageUpload("x", "gif", b"GIF89a")])
    assert len(log) == 0


# --- coverage -------------------------------------------------------------------------------


async def test_coverage(backend: Nrs360Backend, log: RequestLog) -> None:
    prices = await backend.coverage()
    request = only(log, "GET", f"{API}/sms/coverage")
    assert request.query_string == "" and request.body == b""
    spain = [p for p in prices if p.country_iso == "ES"]
    assert spain[0] == NetworkPrice("ES", "Spain", "Default", "214", None, 0.0468, "EUR", "€")
    assert {p.network for p in spain} >= {"Movistar", "Vodafone", "Orange"}
    log.clear()
    assert await backend.coverage("es") == spain
    # The filter is the client's: the endpoint documents none.
    assert only(log, "GET", f"{API}/sms/coverage").query_string == ""


async def test_coverage_by_country(backend: Nrs360Backend, log: RequestLog) -> None:
    prices = await backend.coverage_by_country()
    request = only(log, "GET", f"{API}/sms/coverageByCountry")
    assert request.query_string == ""
    assert len(prices) >= 40
    (andorra,) = await backend.coverage_by_country("AD")
    assert andorra == CountryPrice(
        "AD", "Andorra", ("Servei De Tele. DAndorra",), 0.065, 0.065, "EUR", "€"
    )
