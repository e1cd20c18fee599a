"""`switchboard campaigns|report|certificate|shorten|image|coverage` against a real sandbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360.reports_gen import key_events, sending_events
from backends.sandbox.nrs360.state_sending import Campaign, Sending, SentItem
from tests.tui.conftest import NOW, log_of, state_of
from tests.tui.conftest import demo_cli as cli
from tests.tui.conftest import demo_cli_json as cli_json

PNG = b"\x89PNG\r\n\x1a\n" + bytes(25)


def add_sending(
    server: SandboxServer,
    sending_id: int,
    *,
    channel: str = "sms",
    to: Sequence[str] = ("34666555444",),
    campaign_id: int = 500,
    name: str = "Spring sale",
    content: dict[str, Any] | None = None,
    fields: Sequence[dict[str, str]] = (),
) -> Sending:
    """A campaign (made on first use) and one of its sendings, sent a day ago."""
    state = state_of(server)
    created = NOW - timedelta(days=1)
    if campaign_id not in state.sending.campaigns:
        state.sending.campaigns[campaign_id] = Campaign(campaign_id, name, channel, created)
    items = [
        SentItem(f"M{sending_id}{n:04d}", phone, dict(fields[n]) if fields else {})
        for n, phone in enumerate(to)
    ]
    content = content or {"from": "TEST", "message": "Hi https://example.com/x"}
    sending = Sending(sending_id, campaign_id, channel, created, items, None, content, 0.25)
    state.sending.sendings[sending_id] = sending
    return sending


# --- campaigns ------------------------------------------------------------------------------


def test_campaigns_table_and_filters(account: str, nrs_server: SandboxServer) -> None:
    add_sending(nrs_server, 700, campaign_id=500, name="SPRING_2025 promo")
    add_sending(nrs_server, 701, campaign_id=501, name="Winter", channel="mailing")
    code, out = cli(
        "campaigns", "--name", "spring_2025*", "--channel", "sms",
        "--after", "2025-03-01", "--before", "2025-03-10T08:00:00-05:00",
    )  # fmt: skip
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].split() == [
        "ID", "NAME", "SENDING", "CHANNEL", "STATUS", "SENT", "DELIVERED", "CLICKED", "COST",
        "CREATED",
    ]  # fmt: skip
    assert len(lines) == 2
    assert lines[1].split()[:7] == ["500", "SPRING_2025", "promo", "700", "sms", "OPENED", "1/1"]
    assert "0.25 EUR" in lines[1]
    (request,) = log_of(nrs_server).matching("GET", "/api/rest/campaigns")
    assert request.query_string == (
        "name=spring_2025%2A&channel=sms&beforeDate=2025-03-10T13%3A00%3A00%2B00%3A00"
        "&afterDate=2025-03-01T00%3A00%3A00%2B00%3A00"
    )


def test_campaigns_json(account: str, nrs_server: SandboxServer) -> None:
    add_sending(nrs_server, 700)
    (campaign,) = cli_json("campaigns")["items"]
    assert campaign["name"] == "Spring sale"
    (sending,) = campaign["sendings"]
    assert (sending["id"], sending["total"], sending["events"]["sent"]) == (700, 1, 1)


def test_campaigns_bad_date_or_channel(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("campaigns", "--after", "last week")[0] == 2
    assert "ISO 8601" in capsys.readouterr().err
    assert cli("campaigns", "--channel", "voice")[0] == 2
    assert log_of(nrs_server).matching("GET", "/api/rest/campaigns") == []


# --- reports --------------------------------------------------------------------------------


def test_report_events_table(account: str, nrs_server: SandboxServer) -> None:
    sending = add_sending(
        nrs_server,
        700,
        to=("34666555444", "447700900123"),
        fields=[{"code": "A1"}, {"code": "B2"}],
    )
    code, out = cli("report", "events", "700", "--custom-fields")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].split() == ["AT", "EVENT", "RECIPIENT", "COUNTRY", "DETAIL", "code"]
    events = sending_events(sending, NOW)
    assert len(lines) == len(events) + 2  # header, rows, summary
    assert "sent" in lines[1] and "34666555444" in lines[1] and "A1" in lines[1]
    assert "GB" in out
    kinds = sorted({e.kind for e in events})
    counts = {k: sum(1 for e in events if e.kind == k) for k in kinds}
    assert lines[-1] == ", ".join(f"{counts[k]} {k}" for k in kinds)
    (request,) = log_of(nrs_server).matching("GET", "/api/rest/sendings/700/reports/events")
    assert request.query_string == "showCustomFields=1"


def test_report_events_to_file_and_overwrite(
    account: str, nrs_server: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_sending(nrs_server, 700, to=("34666555444", "34666555333"))
    target = tmp_path / "events.csv"
    code, out = cli("report", "events", "700", "--output", str(target))
    assert code == 0, out
    text = target.read_text(encoding="utf-8")
    assert text.startswith("campaignName,campaignId,sendingId,contactId,event,")
    assert f"to {target}" in out and "2 sent" in out
    requests = len(log_of(nrs_server))
    # An existing file is kept unless --force; nothing is asked of the provider.
    assert cli("report", "events", "700", "--output", str(target))[0] == 2
    assert "--force" in capsys.readouterr().err
    assert len(log_of(nrs_server)) == requests
    target.write_text("old", encoding="utf-8")
    assert cli("report", "events", "700", "--output", str(target), "--force")[0] == 0
    assert target.read_text(encoding="utf-8") == text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_report_events_json_and_dates(account: str, nrs_server: SandboxServer) -> None:
    add_sending(nrs_server, 700)
    data = cli_json("report", "events", "700", "--after", "2025-03-09T12:00:01+00:00")
    assert data["counts"].get("sent") is None
    assert all(row["event"] != "sent" for row in data["rows"])
    (request,) = log_of(nrs_server).matching("GET", "/api/rest/sendings/700/reports/events")
    assert request.query_string == "afterDate=2025-03-09T12%3A00%3A01%2B00%3A00"


def test_report_events_unknown_sending(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("report", "events", "999")[0] == 3
    assert "Resource not found" in capsys.readouterr().err


def test_report_keys(account: str, nrs_server: SandboxServer, tmp_path: Path) -> None:
    sending = add_sending(
        nrs_server, 700, channel="voice", to=[f"3466600{n:04d}" for n in range(20)],
        content={"message": "Press 1"},
    )  # fmt: skip
    presses = key_events(sending, NOW)
    code, out = cli("report", "keys", "700")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["PHONE", "KEY", "MESSAGE"]
    assert [line.split()[:2] for line in lines[1:]] == [[p.item.to, p.key] for p in presses]
    target = tmp_path / "keys.csv"
    assert cli("report", "keys", "700", "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8").startswith("phonenumber,key,message\n")
    data = cli_json("report", "keys", "700")
    assert [r["key"] for r in data["rows"]] == [p.key for p in presses]


# --- certificates ---------------------------------------------------------------------------


def test_certificate_saved_to_the_named_file(
    account: str, nrs_server: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_sending(nrs_server, 700, content={"from": "BANK", "message": "Signed", "certified": True})
    target = tmp_path / "proof.pdf"
    code, out = cli("certificate", "sms", "M7000000", "--output", str(target))
    assert code == 0, out
    document = target.read_bytes()
    assert document.startswith(b"%PDF-1.4") and b"(Sender: BANK) Tj" in document
    assert f"to {target}" in out and "application/pdf" in out
    # Refused without --force, before any request; the file is untouched.
    target.write_bytes(b"mine")
    requests = len(log_of(nrs_server))
    assert cli("certificate", "sms", "M7000000", "--output", str(target))[0] == 2
    assert "exists" in capsys.readouterr().err
    assert target.read_bytes() == b"mine" and len(log_of(nrs_server)) == requests
    data = cli_json("certificate", "sms", "M7000000", "--output", str(target), "--force")
    assert data["bytes"] == len(document) and data["content_type"] == "application/pdf"
    assert data["filename"] == "certificate-M7000000.pdf"
    assert target.read_bytes() == document


def test_mail_certificate(account: str, nrs_server: SandboxServer, tmp_path: Path) -> None:
    add_sending(
        nrs_server, 700, channel="mailing", to=("ana@example.com",),
        content={"fromEmail": "a@shop.es", "subject": "Contract", "certified": True},
    )  # fmt: skip
    target = tmp_path / "mail.pdf"
    assert cli("certificate", "mail", "M7000000", "-o", str(target))[0] == 0
    assert b"(Certified email) Tj" in target.read_bytes()
    (request,) = log_of(nrs_server).matching("GET", "/api/rest/mailing/certificates/M7000000")
    assert request.headers["accept"] == "application/pdf, application/json;q=0.5"


def test_certificate_refused(
    account: str, nrs_server: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_sending(nrs_server, 700)  # not certified
    target = tmp_path / "none.pdf"
    assert cli("certificate", "sms", "M7000000", "--output", str(target))[0] == 3
    assert "Resource not found" in capsys.readouterr().err
    assert not target.exists()
    assert cli("certificate", "sms", "M7000000")[0] == 2  # --output is required
    assert cli("certificate", "fax", "M7000000", "-o", str(target))[0] == 2


# --- tools ----------------------------------------------------------------------------------


def test_shorten(account: str, nrs_server: SandboxServer) -> None:
    code, out = cli("shorten", "https://example.com/test1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["SHORT", "LONG"]
    short, long = lines[1].split()
    assert short.startswith("https://sms.tl/") and long == "https://example.com/test1"
    (request,) = log_of(nrs_server).matching("POST", "/api/rest/shortener/shorten")
    assert request.json() == {"urls": [{"longUrl": "https://example.com/test1"}]}


def test_shorten_json_with_a_refusal(account: str) -> None:
    data = cli_json("shorten", "https://example.com/a", "invalidUrl", code=3)
    assert [d["error"] for d in data] == [False, True]
    assert data[1] == {"long_url": "invalidUrl", "short_url": None, "error": True}


def test_image_upload(account: str, nrs_server: SandboxServer, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    code, out = cli("image", "upload", str(logo))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[1].split()[0] == "logo"
    assert lines[1].split()[1].startswith(nrs_server.url + "/uploads/")
    (request,) = log_of(nrs_server).matching("POST", "/api/rest/images/generate")
    assert request.json()["images"][0]["externalId"] == "logo"
    assert request.json()["images"][0]["extension"] == "png"
    data = cli_json("image", "upload", str(logo), "--external-id", "brand")
    assert data[0]["external_id"] == "brand" and not data[0]["error"]


def test_image_upload_refusals(
    account: str, nrs_server: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "fake.jpeg"
    fake.write_bytes(b"not an image")
    data = cli_json("image", "upload", str(fake), code=3)
    assert data == [{"external_id": "fake", "image_url": None, "error": True}]
    (request,) = log_of(nrs_server).matching("POST", "/api/rest/images/generate")
    assert request.json()["images"][0]["extension"] == "jpg"
    gif = tmp_path / "a.gif"
    gif.write_bytes(b"GIF89a")
    assert cli("image", "upload", str(gif))[0] == 2
    assert cli("image", "upload", str(tmp_path / "missing.png"))[0] == 2
    assert cli("image", "upload", str(fake), str(fake), "--external-id", "x")[0] == 2
    assert "--external-id" in capsys.readouterr().err


# --- coverage -------------------------------------------------------------------------------


def test_coverage_by_country(account: str) -> None:
    code, out = cli("coverage")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ISO", "COUNTRY", "MIN", "MAX", "CUR", "NETWORKS"]
    spain = next(line for line in lines if line.startswith("ES "))
    assert "Spain" in spain and "Movistar" in spain and "EUR" in spain
    assert len(lines) > 40


def test_coverage_of_one_country(account: str, nrs_server: SandboxServer) -> None:
    code, out = cli("coverage", "--country", "pt")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Portugal (PT)"
    assert lines[1].split() == ["NETWORK", "MCC", "MNC", "COST", "CUR"]
    assert lines[2].split()[:2] == ["Default", "268"]
    assert {line.split()[0] for line in lines[3:]} == {"MEO", "NOS", "Vodafone"}
    (request,) = log_of(nrs_server).matching("GET", "/api/rest/sms/coverage")
    assert request.query_string == ""
    data = cli_json("coverage", "--country", "PT")["items"]
    assert {d["country_iso"] for d in data} == {"PT"}


def test_coverage_bad_country(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("coverage", "--country", "Spain")[0] == 2
    assert cli("coverage", "--country", "QQ")[0] == 1
    assert "no SMS coverage for QQ" in capsys.readouterr().err
