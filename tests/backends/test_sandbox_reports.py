"""The 360nrs emulator's reports, certificates, tools and coverage, against the reference."""

from __future__ import annotations

import base64
import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, Nrs360State, create_app
from backends.sandbox.nrs360.coverage import COUNTRIES, country_of_phone
from backends.sandbox.nrs360.reports_gen import certificate_pdf, sending_events
from backends.sandbox.nrs360.state_sending import Campaign, Sending, SentItem
from tests.backends.conftest import API, START, FakeClock

AUTH = (DEMO_USERNAME, DEMO_PASSWORD)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(25)
JPEG = b"\xff\xd8\xff\xe0" + bytes(20)
OTHER_HEADER = (
    "campaignName,campaignId,sendingId,contactId,event,phone,email,landline,countryIso,"
    "browser,os,url,createdAt"
)
VOICE_HEADER = (
    "campaignName,campaignId,sendingId,contactId,event,phone,email,landline,countryIso,"
    "callDurationSeconds,createdAt"
)


def error(code: int, description: str) -> dict[str, Any]:
    return {"error": {"code": code, "description": description}}


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
) -> Sending:
    """A campaign (made on first use) and one of its sendings."""
    if campaign_id not in state.sending.campaigns:
        state.sending.campaigns[campaign_id] = Campaign(campaign_id, name, channel, created_at)
    items = [
        SentItem(f"M{sending_id}{n:05d}", recipient, dict(fields[n]) if fields else {})
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
    )
    state.sending.sendings[sending_id] = sending
    return sending


def phones(count: int) -> tuple[str, ...]:
    return tuple(f"3466{n:07d}" for n in range(count))


def rows_of(response: httpx.Response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


# --- campaigns ------------------------------------------------------------------------------


async def test_campaigns_need_credentials(app: Starlette) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as anon:
        response = await anon.get(f"{API}/campaigns")
    assert response.status_code == 401
    assert response.json() == error(103, "Username or password unknown")


async def test_campaigns_name_wildcard(client: httpx.AsyncClient, state: Nrs360State) -> None:
    for n, name in enumerate(("CAMPAIGN_2020_1", "campaign_2020_2", "CAMPAIGN_2021", "X 2020")):
        add_sending(state, 700 + n, campaign_id=500 + n, name=name)

    async def names(query: str) -> list[str]:
        response = await client.get(f"{API}/campaigns?{query}")
        assert response.status_code == 200
        return [c["name"] for c in response.json()["data"]]

    # The reference's example, unencoded and RFC 3986-encoded: the same filter.
    assert await names("name=CAMPAIGN_2020_*") == ["CAMPAIGN_2020_1", "campaign_2020_2"]
    assert await names("name=CAMPAIGN_2020_%2A") == ["CAMPAIGN_2020_1", "campaign_2020_2"]
    assert await names("name=*2020*") == ["CAMPAIGN_2020_1", "campaign_2020_2", "X 2020"]
    # Without a wildcard the whole name must match; regex characters are literal.
    assert await names("name=CAMPAIGN_2021") == ["CAMPAIGN_2021"]
    assert await names("name=CAMPAIGN") == []
    assert await names("name=X%202020") == ["X 2020"]
    assert await names("name=.%2A") == []


@pytest.mark.refused_requests
async def test_campaigns_channel_filter(client: httpx.AsyncClient, state: Nrs360State) -> None:
    channels = ("sms", "mailing", "landingsms", "voice", "voiceAudio")
    for n, channel in enumerate(channels):
        add_sending(state, 700 + n, campaign_id=500 + n, name=channel, channel=channel)
    expected = {
        "sms": ["sms"],
        "mailing": ["mailing"],
        "landing": ["landingsms"],
        "text2speech": ["voice", "voiceAudio"],
        "voice-interactive": [],
    }
    for channel, names in expected.items():
        response = await client.get(f"{API}/campaigns", params={"channel": channel})
        data = response.json()["data"]
        assert [c["name"] for c in data] == names
        assert all(c["sendings"]["data"][0]["channel"] == channel for c in data)
    response = await client.get(f"{API}/campaigns?channel=voice")
    assert response.status_code == 422
    assert response.json() == error(422, "The selected channel is invalid.")


async def test_campaigns_date_window(client: httpx.AsyncClient, state: Nrs360State) -> None:
    for day in (1, 2, 3):
        created = datetime(2025, 3, day, tzinfo=UTC)
        add_sending(state, 700 + day, campaign_id=500 + day, name=f"d{day}", created_at=created)

    async def names(**params: str) -> list[str]:
        response = await client.get(f"{API}/campaigns", params=params)
        assert response.status_code == 200, response.text
        return [c["name"] for c in response.json()["data"]]

    # afterDate is inclusive, beforeDate exclusive.
    assert await names(afterDate="2025-03-02T00:00:00+00:00") == ["d2", "d3"]
    assert await names(beforeDate="2025-03-02T00:00:00+00:00") == ["d1"]
    assert await names(
        afterDate="2025-03-01T12:00:00+00:00", beforeDate="2025-03-03T00:00:00+00:00"
    ) == ["d2"]
    # Offsets are honoured; a date without one is UTC.
    assert await names(afterDate="2025-03-02T01:00:00+02:00") == ["d2", "d3"]
    assert await names(beforeDate="2025-03-02") == ["d1"]


@pytest.mark.refused_requests
async def test_campaigns_unencoded_plus_is_refused(client: httpx.AsyncClient) -> None:
    """The reference warns: an unencoded `+` reaches the server as a space."""
    response = await client.get(f"{API}/campaigns?afterDate=2019-01-01T00:00:00+00:00")
    assert response.status_code == 422
    assert response.json() == error(422, "The after date is not a valid date.")
    response = await client.get(f"{API}/campaigns?beforeDate=yesterday")
    assert response.json() == error(422, "The before date is not a valid date.")
    encoded = await client.get(f"{API}/campaigns?afterDate=2019-01-01T00%3A00%3A00%2B00%3A00")
    assert encoded.status_code == 200


async def test_campaign_shape_and_totals(
    client: httpx.AsyncClient, state: Nrs360State, clock: FakeClock
) -> None:
    add_sending(
        state,
        700,
        to=phones(50),
        content={"from": "TEST", "message": "Go https://example.com/a", "parts": 3},
    )
    later = add_sending(state, 701, scheduled_at=START + timedelta(hours=1), to=phones(3))
    later.created_at = START - timedelta(hours=1)
    response = await client.get(f"{API}/campaigns")
    (campaign,) = response.json()["data"]
    assert campaign["type"] == "basic"
    assert campaign["links"] == {
        "self": "http://sandbox/api/rest/campaigns/500",
        "sendings": "http://sandbox/api/rest/campaigns/500/sendings",
    }
    assert campaign["updatedAt"] == "2025-03-10T11:00:00+00:00"
    first, pending = campaign["sendings"]["data"]
    assert set(first) == {
        "id", "campaignName", "status", "channel", "total", "processed", "totalSmsParts",
        "cost", "currency", "tags", "scheduledAt", "expiresAt", "startedAt", "finishedAt",
        "createdAt", "updatedAt", "events", "links",
    }  # fmt: skip
    assert (first["status"], first["total"], first["processed"]) == ("OPENED", 50, 50)
    assert first["links"]["eventsReport"] == "http://sandbox/api/rest/sendings/700/reports/events"
    report = await client.get(f"{API}/sendings/700/reports/events")
    counts = Counter(row["event"] for row in rows_of(report))
    assert first["events"]["sent"] == counts["sent"] == 50
    for kind in ("delivered", "undelivered", "clicked"):
        assert first["events"][kind] == counts[kind]
    assert first["events"]["clicked_unique"] == counts["clicked"]
    assert (pending["status"], pending["processed"], pending["startedAt"]) == ("PENDING", 0, None)
    assert pending["scheduledAt"] == "2025-03-10T13:00:00+00:00"
    assert pending["events"]["sent"] == 0
    clock.advance(hours=2)
    response = await client.get(f"{API}/campaigns")
    pending = response.json()["data"][0]["sendings"]["data"][1]
    assert (pending["status"], pending["processed"]) == ("OPENED", 3)
    assert pending["startedAt"] == "2025-03-10T13:00:00+00:00"


# --- events report --------------------------------------------------------------------------


async def test_events_report_layouts(client: httpx.AsyncClient, state: Nrs360State) -> None:
    add_sending(state, 700)
    add_sending(state, 701, channel="voice", content={"message": "Hi"})
    add_sending(state, 702, channel="voiceAudio", content={"audioUrl": "https://e.com/a.mp3"})
    for sending_id, header in ((700, OTHER_HEADER), (701, VOICE_HEADER), (702, VOICE_HEADER)):
        response = await client.get(f"{API}/sendings/{sending_id}/reports/events")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.text.split("\n", 1)[0] == header
        assert response.text.endswith("\n") and "\r" not in response.text


async def test_events_report_custom_fields(client: httpx.AsyncClient, state: Nrs360State) -> None:
    add_sending(
        state,
        700,
        to=("34666555444", "34666555333"),
        fields=[{"name": "Ana", "code": "A1"}, {"code": "B2", "city": "Lisboa, PT"}],
    )
    plain = await client.get(f"{API}/sendings/700/reports/events?showCustomFields=0")
    assert plain.text.split("\n", 1)[0] == OTHER_HEADER
    response = await client.get(f"{API}/sendings/700/reports/events?showCustomFields=1")
    assert response.text.split("\n", 1)[0] == OTHER_HEADER + ",name,code,city"
    sent = {r["phone"]: r for r in rows_of(response) if r["event"] == "sent"}
    assert (sent["34666555444"]["name"], sent["34666555444"]["city"]) == ("Ana", "")
    assert sent["34666555333"]["city"] == "Lisboa, PT"
    assert '"Lisboa, PT"' in response.text
    bad = await client.get(f"{API}/sendings/700/reports/events?showCustomFields=yes")
    assert bad.status_code == 422
    assert bad.json() == error(422, "The show custom fields field must be true or false.")


@pytest.mark.refused_requests
async def test_events_report_errors(client: httpx.AsyncClient, state: Nrs360State) -> None:
    for path in ("sendings/999/reports/events", "sendings/abc/reports/events"):
        response = await client.get(f"{API}/{path}")
        assert response.status_code == 404
        assert response.json() == error(404, "Resource not found")
    add_sending(state, 700)
    for report in ("events", "keys"):
        path = f"{API}/sendings/700/reports/{report}?beforeDate=2019-01-01T00:00:00+00:00"
        response = await client.get(path)
        # The malformed date is refused before the sending is looked up (the 360nrs rules),
        # so the keys report of a sending without one answers the same.
        expected = (422, error(422, "The before date is not a valid date."))
        assert (response.status_code, response.json()) == expected


async def test_events_report_date_filter(client: httpx.AsyncClient, state: Nrs360State) -> None:
    sending = add_sending(state, 700, to=phones(30))
    events = sending_events(sending, START)
    times = sorted({e.at for e in events})
    cut = times[len(times) // 2]
    params = {"afterDate": cut.isoformat()}
    after = rows_of(await client.get(f"{API}/sendings/700/reports/events", params=params))
    params = {"beforeDate": cut.isoformat()}
    before = rows_of(await client.get(f"{API}/sendings/700/reports/events", params=params))
    assert len(after) + len(before) == len(events)
    assert all(r["createdAt"] >= cut.isoformat() for r in after)
    assert all(r["createdAt"] < cut.isoformat() for r in before)


async def test_events_follow_the_clock(
    client: httpx.AsyncClient, state: Nrs360State, clock: FakeClock
) -> None:
    add_sending(
        state, 700, to=phones(20), created_at=START, scheduled_at=START + timedelta(hours=1)
    )
    assert rows_of(await client.get(f"{API}/sendings/700/reports/events")) == []
    clock.advance(hours=1)
    rows = rows_of(await client.get(f"{API}/sendings/700/reports/events"))
    assert {r["event"] for r in rows} == {"sent"} and len(rows) == 20
    clock.advance(minutes=5)
    rows = rows_of(await client.get(f"{API}/sendings/700/reports/events"))
    assert Counter(r["event"] for r in rows)["sent"] == 20
    assert {"delivered"} <= {r["event"] for r in rows}


async def test_events_are_deterministic(clock: FakeClock) -> None:
    texts = []
    for _ in range(2):
        app = create_app(clock=clock)
        add_sending(app.state.nrs, 700, to=phones(100), content={"message": "https://e.com"})
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://sandbox", auth=AUTH
        ) as c:
            texts.append((await c.get(f"{API}/sendings/700/reports/events")).text)
    assert texts[0] == texts[1]


async def test_event_shares_are_plausible(
    client: httpx.AsyncClient, state: Nrs360State, clock: FakeClock
) -> None:
    count = 2000
    add_sending(state, 700, to=phones(count), content={"message": "Sale https://e.com/s"})
    add_sending(state, 701, to=phones(count), content={"message": "No link here"})
    add_sending(
        state, 702, channel="mailing", to=[f"u{n}@example.com" for n in range(count)],
        content={"subject": "News", "body": '<a href="https://e.com/n">read</a>'},
    )  # fmt: skip
    add_sending(
        state, 703, channel="landingsms", to=phones(count), content={"message": "{LAND_URL}"}
    )
    counts = {}
    for sending_id in (700, 701, 702, 703):
        response = await client.get(f"{API}/sendings/{sending_id}/reports/events")
        counts[sending_id] = Counter(r["event"] for r in rows_of(response))
    sms, plain, mail, landing = (counts[i] for i in (700, 701, 702, 703))
    # Opens and clicks trickle in for a day and a half: a day after the send, not all are in.
    assert mail["opened"] < 0.36 * count
    clock.advance(days=3)
    response = await client.get(f"{API}/sendings/702/reports/events")
    mail = Counter(r["event"] for r in rows_of(response))
    assert sms["sent"] == count
    assert 0.87 < sms["delivered"] / count < 0.93
    assert sms["delivered"] + sms["undelivered"] == count
    assert 0.12 < sms["clicked"] / count < 0.18
    assert plain["clicked"] == 0 and plain["opened"] == 0
    assert 0.12 < landing["clicked"] / count < 0.18
    assert mail["undelivered"] == 0
    assert 0.07 < (mail["hard_bounced"] + mail["soft_bounced"]) / count < 0.13
    assert 0.36 < mail["opened"] / count < 0.44
    assert 0.12 < mail["clicked"] / count < 0.18


async def test_mailing_rows(client: httpx.AsyncClient, state: Nrs360State) -> None:
    add_sending(
        state, 700, channel="mailing", to=[f"u{n}@example.com" for n in range(200)],
        content={"subject": "News", "body": '<a href="https://e.com/n">read</a>'},
    )  # fmt: skip
    rows = rows_of(await client.get(f"{API}/sendings/700/reports/events"))
    assert all(r["email"].endswith("@example.com") and r["phone"] == "" for r in rows)
    clicks = [r for r in rows if r["event"] == "clicked"]
    assert clicks and all(r["url"] == "https://e.com/n" for r in clicks)
    opened = {r["email"] for r in rows if r["event"] == "opened"}
    # An email is clicked only once opened, and after it was opened.
    assert {r["email"] for r in clicks} <= opened


async def test_voice_rows(client: httpx.AsyncClient, state: Nrs360State) -> None:
    add_sending(state, 700, channel="voice", to=phones(100), content={"message": "Hi"})
    rows = rows_of(await client.get(f"{API}/sendings/700/reports/events"))
    assert {r["event"] for r in rows} == {"sent", "delivered", "undelivered"}
    for row in rows:
        duration = row["callDurationSeconds"]
        if row["event"] == "delivered":
            assert 8 <= int(duration) <= 95
        elif row["event"] == "undelivered":
            assert duration == "0"
        else:
            assert duration == ""


async def test_rows_name_the_contact_and_country(
    client: httpx.AsyncClient, state: Nrs360State
) -> None:
    contact = next(c for c in state.contacts.values() if c.phone and c.email)
    assert contact.phone is not None
    add_sending(state, 700, to=(contact.phone, "447700900123", "15551234567", "99912345"))
    rows = [r for r in rows_of(await client.get(f"{API}/sendings/700/reports/events"))
            if r["event"] == "sent"]  # fmt: skip
    known, uk, us, nowhere = rows
    assert (known["contactId"], known["email"]) == (str(contact.id), contact.email)
    assert known["countryIso"] == contact.country_iso
    assert (uk["contactId"], uk["countryIso"]) == ("", "GB")
    assert (us["countryIso"], nowhere["countryIso"]) == ("US", "")
    assert known["campaignName"] == "Spring sale" and known["sendingId"] == "700"


# --- keys report ----------------------------------------------------------------------------


async def test_keys_report(client: httpx.AsyncClient, state: Nrs360State) -> None:
    add_sending(state, 700, channel="voice", to=phones(200), content={"message": "Press 1"})
    response = await client.get(f"{API}/sendings/700/reports/keys")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text.startswith("phonenumber,key,message\n")
    rows = list(csv.reader(io.StringIO(response.text)))[1:]
    assert 0.45 < len(rows) / 200 < 0.65
    assert {r[1] for r in rows} <= {"1", "2", "3", "9"}
    assert all(r[2] == "Press 1" for r in rows)
    answered = {
        r["phone"]
        for r in rows_of(await client.get(f"{API}/sendings/700/reports/events"))
        if r["event"] == "delivered"
    }
    assert {r[0] for r in rows} <= answered


async def test_keys_report_only_for_voice(client: httpx.AsyncClient, state: Nrs360State) -> None:
    add_sending(state, 700)
    for path in ("sendings/700/reports/keys", "sendings/999/reports/keys"):
        response = await client.get(f"{API}/{path}")
        assert response.status_code == 404
        assert response.json() == error(404, "Resource not found")


# --- certificates ---------------------------------------------------------------------------


def assert_valid_pdf(document: bytes) -> None:
    """Header, trailer and a cross-reference table whose offsets point at their objects."""
    assert document.startswith(b"%PDF-1.4\n")
    assert document.endswith(b"%%EOF\n")
    startxref = int(document.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert document[startxref:].startswith(b"xref\n0 7\n")
    entries = document[startxref:].split(b"\n")[3:9]
    for number, entry in enumerate(entries, start=1):
        assert len(entry) + 1 == 20  # each entry is exactly 20 bytes with its end of line
        offset = int(entry[:10])
        assert document[offset:].startswith(b"%d 0 obj\n" % number)
    length = int(re.search(rb"/Length (\d+)", document).group(1))  # type: ignore[union-attr]
    stream = document.split(b"stream\n", 1)[1]
    assert stream[length:].startswith(b"\nendstream")


async def test_sms_certificate(client: httpx.AsyncClient, state: Nrs360State) -> None:
    add_sending(
        state, 700, content={"from": "BANK", "message": "Contract (v2) \\ ok", "certified": True}
    )
    response = await client.get(f"{API}/sms/certificates/M70000000")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'attachment; filename="certificate-M70000000.pdf"'
    )
    assert_valid_pdf(response.content)
    assert b"(Message: Contract \\(v2\\) \\\\ ok) Tj" in response.content
    assert b"(Sender: BANK) Tj" in response.content
    again = await client.get(f"{API}/sms/certificates/M70000000")
    assert again.content == response.content


async def test_mail_certificate(client: httpx.AsyncClient, state: Nrs360State) -> None:
    add_sending(
        state, 700, channel="mailing", to=("ana@example.com",),
        content={"fromEmail": "a@shop.es", "fromName": "Tienda Ñ", "subject": "Señal",
                 "certified": True},
    )  # fmt: skip
    response = await client.get(f"{API}/mailing/certificates/M70000000")
    assert response.status_code == 200
    assert_valid_pdf(response.content)
    # Helvetica's WinAnsi encoding carries Spanish letters as single bytes.
    assert "(Subject: Señal) Tj".encode("cp1252") in response.content


async def test_certificate_not_found(
    client: httpx.AsyncClient, state: Nrs360State, clock: FakeClock
) -> None:
    add_sending(state, 700, content={"message": "plain"})
    add_sending(state, 701, channel="mailing", to=("a@e.com",), content={"certified": True})
    add_sending(
        state, 702, content={"message": "later", "certified": True},
        scheduled_at=START + timedelta(hours=1),
    )  # fmt: skip
    for path in (
        "sms/certificates/M70000000",  # not certified
        "sms/certificates/M70100000",  # an email's id at the SMS path
        "mailing/certificates/M70000000",  # an SMS id at the email path
        "sms/certificates/UNKNOWN",
        "sms/certificates/M70200000",  # not sent yet
    ):
        response = await client.get(f"{API}/{path}")
        assert response.status_code == 404, path
        assert response.json() == error(404, "Resource not found")
    clock.advance(hours=1)
    assert (await client.get(f"{API}/sms/certificates/M70200000")).status_code == 200


def test_certificate_pdf_wraps_and_replaces() -> None:
    document = certificate_pdf("T", ["x " * 100, "emoji 😀"], START)
    assert_valid_pdf(document)
    assert b"(emoji ?) Tj" in document
    assert document.count(b" Tj") == 5  # title, the long line in three, the emoji line


# --- shortener ------------------------------------------------------------------------------


async def test_shorten(client: httpx.AsyncClient) -> None:
    body = {
        "urls": [
            {"longUrl": "https://example.com/test1"},
            {"longUrl": "https://example.com/test2"},
            {"longUrl": "invalidUrl"},
        ]
    }
    response = await client.post(f"{API}/shortener/shorten", json=body)
    assert response.status_code == 200
    data = response.json()["data"]
    assert [d["longUrl"] for d in data] == [u["longUrl"] for u in body["urls"]]
    assert [d["error"] for d in data] == [False, False, True]
    assert data[2]["shortUrl"] is None
    for d in data[:2]:
        assert re.fullmatch(r"https://sms\.tl/[A-Za-z0-9]{6}", d["shortUrl"])
    assert data[0]["shortUrl"] != data[1]["shortUrl"]
    again = await client.post(f"{API}/shortener/shorten", json=body)
    assert again.json() == response.json()


async def test_shorten_refuses_other_schemes_and_spaces(client: httpx.AsyncClient) -> None:
    urls = ["ftp://example.com/x", "https://example.com/a b", "https://localhost/x", "http://e.co"]
    body = {"urls": [{"longUrl": u} for u in urls]}
    data = (await client.post(f"{API}/shortener/shorten", json=body)).json()["data"]
    assert [d["error"] for d in data] == [True, True, True, False]


@pytest.mark.refused_requests
async def test_shorten_validation(client: httpx.AsyncClient) -> None:
    cases: list[tuple[Any, dict[str, Any]]] = [
        ({}, error(422, "The urls field is required.")),
        ({"urls": []}, error(422, "The urls field is required.")),
        ({"urls": "https://e.com"}, error(422, "The urls must be an array.")),
        (
            {"urls": [{"longUrl": "https://e.com"}, {}]},
            error(422, "The urls.1.longUrl field is required."),
        ),
        ({"urls": [{"longUrl": 5}]}, error(422, "The urls.0.longUrl must be a string.")),
    ]
    for body, expected in cases:
        response = await client.post(f"{API}/shortener/shorten", json=body)
        assert response.status_code == 422, body
        assert response.json() == expected
    broken = await client.post(
        f"{API}/shortener/shorten",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert broken.status_code == 400
    assert broken.json() == error(125, "Invalid JSON")


# --- images ---------------------------------------------------------------------------------


def image(external_id: str, extension: str, raw: bytes) -> dict[str, str]:
    return {
        "externalId": external_id,
        "extension": extension,
        "base64": base64.b64encode(raw).decode(),
    }


async def test_images_generate(client: httpx.AsyncClient) -> None:
    body = {
        "images": [
            image("test1", "jpg", JPEG),
            image("test2", "png", PNG),
            image("bad", "png", b"plain text"),
            {"externalId": "b64", "extension": "jpg", "base64": "***"},
            {"externalId": "uri", "extension": "png",
             "base64": "data:image/png;base64," + base64.b64encode(PNG).decode()},
        ]
    }  # fmt: skip
    response = await client.post(f"{API}/images/generate", json=body)
    assert response.status_code == 200
    data = response.json()["data"]
    assert [d["externalId"] for d in data] == ["test1", "test2", "bad", "b64", "uri"]
    assert [d["error"] for d in data] == [False, False, True, True, False]
    assert data[2]["imageUrl"] is None and data[3]["imageUrl"] is None
    pattern = r"http://sandbox/uploads/[A-Za-z0-9]{16}/[0-9a-f]{64}\.(jpg|png)"
    for d, ext in ((data[0], "jpg"), (data[1], "png"), (data[4], "png")):
        assert re.fullmatch(pattern, d["imageUrl"]) and d["imageUrl"].endswith(ext)
    # Same bytes, same address.
    assert data[1]["imageUrl"] == data[4]["imageUrl"]


@pytest.mark.refused_requests
async def test_images_validation(client: httpx.AsyncClient) -> None:
    cases: list[tuple[Any, dict[str, Any]]] = [
        ({}, error(422, "The images field is required.")),
        ({"images": {"a": 1}}, error(422, "The images must be an array.")),
        ({"images": [{"extension": "jpg", "base64": "x"}]},
         error(422, "The images.0.externalId field is required.")),
        ({"images": [image("a", "jpg", JPEG), {"externalId": "b", "base64": "x"}]},
         error(422, "The images.1.extension field is required.")),
        ({"images": [image("a", "gif", b"GIF89a")]},
         error(422, "The selected images.0.extension is invalid.")),
        ({"images": [{"externalId": "a", "extension": "png"}]},
         error(422, "The images.0.base64 field is required.")),
    ]  # fmt: skip
    for body, expected in cases:
        response = await client.post(f"{API}/images/generate", json=body)
        assert response.status_code == 422, body
        assert response.json() == expected


# --- coverage -------------------------------------------------------------------------------


async def test_coverage(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/sms/coverage")
    assert response.status_code == 200
    rows = response.json()["data"]
    assert set(rows[0]) == {
        "countryIso", "countryName", "networkName", "mcc", "mnc", "cost", "currencyCode",
        "currencySymbol",
    }  # fmt: skip
    assert rows[:2] == [
        {"countryIso": "AD", "countryName": "Andorra", "networkName": "Default", "mcc": "213",
         "mnc": None, "cost": 0.065, "currencyCode": "EUR", "currencySymbol": "€"},
        {"countryIso": "AD", "countryName": "Andorra", "networkName": "Servei De Tele. DAndorra",
         "mcc": "213", "mnc": "003", "cost": 0.065, "currencyCode": "EUR", "currencySymbol": "€"},
    ]  # fmt: skip
    isos = [r["countryIso"] for r in rows]
    assert isos == sorted(isos)
    for iso in ("ES", "PT", "FR", "GB", "DE", "IT", "CO", "MX", "US", "BR", "AR"):
        mine = [r for r in rows if r["countryIso"] == iso]
        assert mine[0]["networkName"] == "Default" and mine[0]["mnc"] is None
        assert len(mine) >= 3
        assert all(re.fullmatch(r"\d{3}", r["mcc"]) for r in mine)
        assert all(re.fullmatch(r"\d{2,3}", r["mnc"]) for r in mine[1:])
        assert all(0.005 < r["cost"] < 0.1 for r in mine)


async def test_coverage_by_country(client: httpx.AsyncClient) -> None:
    networks = (await client.get(f"{API}/sms/coverage")).json()["data"]
    response = await client.get(f"{API}/sms/coverageByCountry")
    assert response.status_code == 200
    countries = response.json()["data"]
    assert len(countries) >= 40
    assert countries[0] == {
        "countryIso": "AD", "countryName": "Andorra", "networks": ["Servei De Tele. DAndorra"],
        "minCost": 0.065, "maxCost": 0.065, "currencyCode": "EUR", "currencySymbol": "€",
    }  # fmt: skip
    for country in countries:
        mine = [n for n in networks if n["countryIso"] == country["countryIso"]]
        named = [n for n in mine if n["networkName"] != "Default"]
        assert country["networks"] == sorted((n["networkName"] for n in named), key=str.lower)
        assert country["minCost"] == min(n["cost"] for n in mine)
        assert country["maxCost"] == max(n["cost"] for n in mine)
        assert country["minCost"] <= country["maxCost"]


def test_coverage_data() -> None:
    isos = [c.iso for c in COUNTRIES]
    assert len(isos) == len(set(isos)) >= 40
    for country in COUNTRIES:
        assert country.networks
        assert len({n.name for n in country.networks}) == len(country.networks)
    found = {p: country_of_phone(p) for p in ("34666555444", "+351912345678", "18095551234")}
    assert {p: c.iso if c else None for p, c in found.items()} == {
        "34666555444": "ES",
        "+351912345678": "PT",
        "18095551234": "DO",
    }
    assert country_of_phone("99912345") is None
