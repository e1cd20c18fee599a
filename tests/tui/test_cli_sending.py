"""`switchboard sms|mail|voice|landing send, whatsapp send-template, scheduled` in-process.

Each command runs against a real sandbox socket; the tests check what reached the
provider, what was printed, and the exit code (3 when a recipient was rejected).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backends.sandbox.core import RecordedRequest, SandboxServer
from backends.sandbox.nrs360 import BUSINESS_NUMBER
from tests.tui.conftest import NOW, log_of, state_of
from tests.tui.conftest import demo_cli as cli
from tests.tui.conftest import demo_cli_json as cli_json
from tui.cli import run
from tui.cli.send_options import parse_caller, parse_window, schedule_arg, when_arg

PHONE = "34666555444"
PHONE2 = "34666555333"


def sent(server: SandboxServer, method: str, path: str) -> RecordedRequest:
    (request,) = log_of(server).matching(method, f"/api/rest/{path}")
    return request


# --- argument types -------------------------------------------------------------------------


def test_when_arg_local_and_offset() -> None:
    parse_when = when_arg
    with_offset = parse_when("2025-03-11T09:30:00-05:00")
    assert with_offset.astimezone(UTC) == datetime(2025, 3, 11, 14, 30, tzinfo=UTC)
    naive = parse_when("2025-03-11T09:30")
    assert naive.tzinfo is not None
    assert naive.replace(tzinfo=None) == datetime(2025, 3, 11, 9, 30)
    assert parse_when("2025-03-11 09:30Z").utcoffset() == timedelta(0)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_when("tomorrow")


def test_a_send_time_already_past_is_allowed_with_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The reference sends "for immediate mailings" without a date; a past one is not refused
    # by any sentence, so it is let through, but the operator is told.
    assert schedule_arg("2020-01-01T09:00Z") == datetime(2020, 1, 1, 9, 0, tzinfo=UTC)
    assert "2020-01-01T09:00Z has already passed" in capsys.readouterr().err
    schedule_arg((datetime.now(UTC) + timedelta(days=1)).isoformat())
    assert capsys.readouterr().err == ""


def test_parse_window_and_caller() -> None:
    assert parse_window("1:09:00-21:00").day == 1
    every_day = parse_window("10:00-14:00")
    assert (every_day.day, every_day.start, every_day.end) == (None, "10:00", "14:00")
    for bad in ("8:09:00-10:00", "9-10", "1:9:00-10:00"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_window(bad)
    assert parse_caller("es=6123456789") == ("ES", "6123456789")
    with pytest.raises(argparse.ArgumentTypeError):
        parse_caller("6123456789")


# --- sms send -------------------------------------------------------------------------------


def test_sms_send_every_option(account: str, nrs_server: SandboxServer, tmp_path: Path) -> None:
    subs = tmp_path / "subs.json"
    subs.write_text(json.dumps([{"name": "Ana"}, {"name": "Bo"}]))
    code, out = cli(
        "sms", "send", "--from", "ACME", "--to", PHONE, "--to", PHONE2,
        "--message", "Hi {name}, code {OTP_CODE}", "--encoding", "utf-16", "--parts", "3",
        "--no-trans", "--schedule", "2025-03-11T09:30:00-05:00",
        "--expires", "2025-03-12T00:00:00+00:00", "--campaign", "Spring", "--tag", "promo",
        "--tag", "q1", "--certified", "--split-parts", "--flash",
        "--available", "1:09:00-21:00", "--available", "10:00-14:00",
        "--notification-url", "https://example.com/1",
        "--otp-length", "6", "--otp-alpha", "--otp-max-attempts", "5", "--otp-validity", "300",
        "--otp-app-id", "shop", "--otp-reject-if-pending", "--sub-file", str(subs),
    )  # fmt: skip
    assert code == 0, out
    assert sent(nrs_server, "POST", "sms").json() == {
        "to": [PHONE, PHONE2],
        "from": "ACME",
        "message": "Hi {name}, code {OTP_CODE}",
        "encoding": "utf-16",
        "parts": 3,
        "trans": 0,
        "scheduleDate": "20250311143000",
        "expirationDate": "20250312000000",
        "campaignName": "Spring",
        "tags": ["promo", "q1"],
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
        "notificationUrl": "https://example.com/1",
    }
    lines = out.splitlines()
    assert lines[-2] == "Job 1 DONE:"
    assert lines[-1].startswith("  [########################] 100%  2 accepted, 0 rejected")
    assert "0 unknown, 0 pending of 2" in lines[-1]
    # The preflight's prices went with the job: `jobs show` gives the cost of what was sent.
    shown = io.StringIO()
    assert run(["jobs", "show", "1", "--json"], out=shown) == 0
    cost = json.loads(shown.getvalue())["cost"]
    assert cost["currency"] == "EUR" and cost["so_far"] > 0 and cost["unpriced"] == 0


def test_sms_send_minimal_body_and_single_notification_url(
    account: str, nrs_server: SandboxServer
) -> None:
    body = cli_json(
        "sms", "send", "--from", "T", "--to", PHONE, "--to", "34", "--message", "x",
        "--notification-url", "https://example.com/n", "--trans", code=3,
    )  # fmt: skip
    assert body["totals"]["accepted"] == 1  # "34" was refused offline, never sent
    assert sent(nrs_server, "POST", "sms").json() == {
        "to": [PHONE],
        "from": "T",
        "message": "x",
        # Always sent: the provider's default parts (1) fails any longer text with 105.
        "encoding": "gsm",
        "parts": 1,
        "trans": 1,
        "notificationUrl": "https://example.com/n",
    }


def test_sms_send_usage_errors(account: str, nrs_server: SandboxServer) -> None:
    base = ("sms", "send", "--from", "T", "--to", PHONE, "--message", "x")
    assert cli(*base, "--schedule", "next week")[0] == 2
    assert cli(*base, "--available", "monday")[0] == 2
    urls = ("--notification-url", "https://e.com/1", "--notification-url", "https://e.com/2")
    assert cli(*base, *urls)[0] == 2  # two URLs for one recipient
    assert cli(*base, "--csv", "r.csv")[0] == 2  # two sources
    assert cli("sms", "send", "--from", "T", "--message", "x")[0] == 2  # no recipients
    assert cli("sms", "send", "--from", "T", "--to", PHONE, "--message", "Hi {n|foo}")[0] == 2
    assert log_of(nrs_server).matching("POST", "/api/rest/sms") == []


def test_sms_send_tags_without_campaign_refused_locally(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # tags: "campaignName is required if this parameter is specified."
    code, _ = cli("sms", "send", "--from", "T", "--to", PHONE, "--message", "x", "--tag", "a")
    assert code == 2
    err = capsys.readouterr().err
    assert "tags need a campaign name" in err and len(err.strip().splitlines()) == 1
    # Only the preflight's reads (account, blacklist) reached the sandbox.
    assert log_of(nrs_server).matching("POST", "/api/rest/sms") == []


def big_csv(tmp_path: Path, n: int = 12) -> Path:
    path = tmp_path / "r.csv"
    rows = [f"Name{i},3466655{i:04d}" for i in range(n)]
    path.write_text("name,mobile\n" + "\n".join([*rows, "Dup,34666550000", "Bad,34"]) + "\n")
    return path


def test_sms_send_csv_dry_run_sends_nothing(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    path = big_csv(tmp_path)
    code, out = cli("sms", "send", "--from", "T", "--csv", str(path), "--message", "Hi {name}",
                    "--dry-run")  # fmt: skip
    assert code == 0, out
    assert "Recipients: 12 to send (12 valid, 1 invalid, 1 duplicates, 0 blacklisted)" in out
    assert "row 15: '34'" in out and "ES: 12 recipients, 12 parts" in out
    body = cli_json("sms", "send", "--from", "T", "--csv", str(path), "--message", "x",
                    "--dry-run")  # fmt: skip
    assert body["preflight"]["recipients"] == 12 and body["invalid"][0]["row"] == 15
    assert log_of(nrs_server).matching("POST", "/api/rest/sms") == []


def test_sms_send_csv_needs_yes_when_not_interactive(
    account: str, nrs_server: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = big_csv(tmp_path)
    code, _ = cli("sms", "send", "--from", "T", "--csv", str(path), "--message", "x")
    assert code == 2 and "Refusing without --yes" in capsys.readouterr().err
    assert log_of(nrs_server).matching("POST", "/api/rest/sms") == []


def test_sms_send_csv_yes_results_file(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    path = big_csv(tmp_path)
    results = tmp_path / "out.csv"
    code, out = cli("sms", "send", "--from", "T", "--csv", str(path), "--message", "Hi {name}",
                    "--yes", "--results", str(results))  # fmt: skip
    assert code == 3, out  # one row was invalid: not everyone got it
    (request,) = log_of(nrs_server).matching("POST", "/api/rest/sms")
    body = request.json()
    assert body["to"][0] == "34666550000" and len(body["to"]) == 12
    assert body["sub"][0] == {"name": "Name0"}
    import csv as csvlib

    rows = list(csvlib.DictReader(results.open()))
    assert [r["state"] for r in rows] == ["ACCEPTED"] * 12 + ["INVALID"]
    assert rows[-1]["to"] == "34" and rows[-1]["reason"].startswith("row 15:")


def test_sms_send_rate_paces_the_batches(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    # Three batches of 500 at --rate 2: the requests leave half a second apart (a provider
    # allowing 2 requests/s never answers 429), not all at once from the four workers.
    path = tmp_path / "r.csv"
    path.write_text("phone\n" + "".join(f"3466655{i:04d}\n" for i in range(1500)))
    code, out = cli("sms", "send", "--from", "T", "--csv", str(path), "--message", "x",
                    "--yes", "--rate", "2")  # fmt: skip
    assert code == 0, out
    times = [r.received_at for r in log_of(nrs_server).matching("POST", "/api/rest/sms")]
    assert len(times) == 3
    assert max(times) - min(times) >= 0.9


def test_sms_send_burst_lets_that_many_batches_leave_at_once(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    # Four batches at --rate 1 with a burst of three more than the preflight's requests
    # (they count against the provider's limit too): three leave together, the fourth a
    # second later.
    path = tmp_path / "r.csv"
    path.write_text("phone\n" + "".join(f"3466655{i:04d}\n" for i in range(2000)))
    assert cli("sms", "send", "--from", "T", "--csv", str(path), "--message", "x",
               "--dry-run")[0] == 0  # fmt: skip
    preflight = len(log_of(nrs_server).requests)
    log_of(nrs_server).clear()
    code, out = cli("sms", "send", "--from", "T", "--csv", str(path), "--message", "x",
                    "--yes", "--rate", "1", "--burst", str(preflight + 3))  # fmt: skip
    assert code == 0, out
    log = log_of(nrs_server)
    assert len(log.requests) == preflight + 4
    times = sorted(r.received_at for r in log.matching("POST", "/api/rest/sms"))
    assert times[2] - times[0] < 0.5
    # The bucket refills at 1/s from the preflight's last request on: under a second.
    assert times[3] - times[0] >= 0.5


def test_sms_send_burst_needs_a_rate(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = cli("sms", "send", "--from", "T", "--to", PHONE, "--message", "x", "--yes",
                  "--burst", "5")  # fmt: skip
    assert code == 2
    assert "--burst goes with --rate" in capsys.readouterr().err
    assert not log_of(nrs_server).matching("POST", "/api/rest/sms")
    for bad in ("0", "-2", "many"):
        assert cli("sms", "send", "--from", "T", "--to", PHONE, "--message", "x",
                   "--rate", "1", "--burst", bad)[0] == 2  # fmt: skip
        assert "--burst: not a positive number" in capsys.readouterr().err


def test_sms_send_rate_must_be_positive(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("0", "-1", "fast", "inf", "nan"):
        assert cli("sms", "send", "--from", "T", "--to", PHONE, "--message", "x",
                   "--rate", bad)[0] == 2  # fmt: skip
        assert "--rate: not a positive number" in capsys.readouterr().err


def test_sms_send_csv_errors_are_usage_errors(
    account: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = cli("sms", "send", "--from", "T", "--csv", str(tmp_path / "no.csv"), "--message", "x")
    assert code == 2 and "no such file" in capsys.readouterr().err
    path = big_csv(tmp_path)
    code, _ = cli("sms", "send", "--from", "T", "--csv", str(path), "--to-column", "tel",
                  "--message", "x")  # fmt: skip
    assert code == 2 and "no column 'tel'" in capsys.readouterr().err


def test_sms_send_group(account: str, nrs_server: SandboxServer) -> None:
    body = cli_json("sms", "send", "--from", "T", "--group", "Staff", "--message", "Hi {name}",
                    "--dry-run")  # fmt: skip
    assert body["preflight"]["recipients"] >= 1


# --- mail send ------------------------------------------------------------------------------


def test_mail_send(account: str, nrs_server: SandboxServer, tmp_path: Path) -> None:
    body_file = tmp_path / "body.html"
    body_file.write_text("<p>Hello {name}</p>", encoding="utf-8")
    attachment = tmp_path / "notes.txt"
    attachment.write_text("hi")
    code, out = cli(
        "mail", "send", "--to", "ana@example.com", "--to", "invalidEmail",
        "--cc", "cc@example.com", "--bcc", "bcc@example.com",
        "--from-email", "news@switchboard.example", "--from-name", "News",
        "--reply-to", "help@example.com", "--subject", "Hello", "--body-file", str(body_file),
        "--schedule", "2025-03-11T14:30:00Z", "--campaign", "Mail", "--tag", "m",
        "--certified", "--attach", str(attachment), "--no-track-opens", "--track-clicks",
        "--otp-length", "5",
    )  # fmt: skip
    # The invalid address is left out before any request (validated like Compose's), and
    # counts as not sent: exit 3.
    assert code == 3
    assert sent(nrs_server, "POST", "mailing").json() == {
        "to": ["ana@example.com"],
        "fromEmail": "news@switchboard.example",
        "subject": "Hello",
        "replyTo": "help@example.com",
        "body": "<p>Hello {name}</p>",
        "fromName": "News",
        "cc": ["cc@example.com"],
        "bcc": ["bcc@example.com"],
        "scheduleDate": "20250311143000",
        "campaignName": "Mail",
        "tags": ["m"],
        "certified": True,
        "attachments": [{"name": "notes.txt", "content": "aGk=", "contentType": "text/plain"}],
        "trackOpens": False,
        "trackClicks": True,
        "otpConfig": {"length": 5},
    }
    assert "ana@example.com" in out and "invalidEmail" not in out
    assert out.splitlines()[-1] == "1 accepted, 0 rejected"
    # A journaled job, like an SMS send: listed, exportable, resumable.
    listing = io.StringIO()
    assert run(["jobs", "list", "--json"], out=listing) == 0
    (job,) = json.loads(listing.getvalue())["items"]
    assert (job["channel"], job["status"], job["totals"]["accepted"]) == ("email", "DONE", 1)
    # The attachment is listed by name and type, never as its base64 content.
    attached = [{"name": "notes.txt", "content_type": "text/plain"}]
    assert job["message"]["request"]["attachments"] == attached


def test_channel_sends_normalise_validate_and_dedupe_recipients(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI's channel sends load their --to values as Compose does (issue 11): the same
    address or number once however it is written, what is no address or number left out
    and said, never sent to the provider as typed."""
    code, out = cli(
        "mail", "send", "--to", "ana@example.com", "--to", "ana@EXAMPLE.com", "--to", "bad",
        "--from-email", "a@example.com", "--reply-to", "a@example.com", "--subject", "S",
        "--body", "<p>Hi</p>",
    )  # fmt: skip
    assert code == 3  # "bad" was not sent
    assert sent(nrs_server, "POST", "mailing").json()["to"] == ["ana@example.com"]
    assert "row 3: 'bad': not a valid email" in capsys.readouterr().err
    assert out.splitlines()[-1] == "1 accepted, 0 rejected"
    code, out = cli(
        "voice", "send", "--to", PHONE, "--to", "+34 666 555 444", "--to", "0034666555444",
        "--message", "Hello", "--language", "es_ES", "--gender", "F",
    )  # fmt: skip
    assert code == 0, out
    assert sent(nrs_server, "POST", "voice").json()["to"] == [PHONE]


def test_mail_send_template_and_usage(account: str, nrs_server: SandboxServer) -> None:
    base = (
        "mail", "send", "--to", "ana@example.com", "--from-email", "a@example.com",
        "--reply-to", "a@example.com", "--subject", "S",
    )  # fmt: skip
    body = cli_json(*base, "--template-v2-id", "1")
    assert body["results"][0]["accepted"] is True
    assert sent(nrs_server, "POST", "mailing").json()["templateV2Id"] == 1
    assert cli(*base)[0] == 2  # no body nor template
    assert cli(*base, "--body", "x", "--template-id", "1")[0] == 2
    assert cli(*base, "--body", "x", "--attach", "/nonexistent/file")[0] == 2


# --- voice send -----------------------------------------------------------------------------


def test_voice_send_text(account: str, nrs_server: SandboxServer) -> None:
    body = cli_json(
        "voice", "send", "--to", "34666666666", "--message", "Hola", "--language", "es_ES",
        "--gender", "F", "--caller", "ES=6123456789", "--retries", "2",
        "--schedule", "2025-03-11T14:30:00+00:00", "--expires", "2025-03-11T18:00:00+00:00",
        "--campaign", "Calls", "--amd",
    )  # fmt: skip
    assert body["results"][0]["accepted"] is True
    assert sent(nrs_server, "POST", "voice").json() == {
        "to": ["34666666666"],
        "message": "Hola",
        "language": "es_ES",
        "gender": "F",
        "callers": {"ES": "6123456789"},
        "scheduleDate": "20250311143000",
        "retries": 2,
        "expirationDate": "20250311180000",
        "campaignName": "Calls",
        "amd": True,
    }


def test_voice_send_audio(account: str, nrs_server: SandboxServer) -> None:
    code, out = cli(
        "voice", "send", "--to", "34666666666", "--audio-url", "https://example.com/a.mp3"
    )
    assert code == 0 and "1 accepted, 0 rejected" in out
    assert sent(nrs_server, "POST", "voiceAudio").json() == {
        "to": ["34666666666"],
        "audioUrl": "https://example.com/a.mp3",
    }
    assert log_of(nrs_server).matching("POST", "/api/rest/voice") == []


def test_voice_send_usage_errors(account: str, nrs_server: SandboxServer) -> None:
    to = ("voice", "send", "--to", "34666666666")
    assert cli(*to, "--message", "x")[0] == 2  # no language/gender
    assert cli(*to, "--message", "x", "--language", "xx_XX", "--gender", "F")[0] == 2
    assert cli(*to, "--audio-url", "https://e.com/a.mp3", "--gender", "F")[0] == 2
    assert cli(*to, "--audio-url", "https://e.com/a.mp3", "--message", "x")[0] == 2
    assert cli(*to, "--message", "x", "--language", "es_ES", "--gender", "F",
               "--caller", "6123")[0] == 2  # fmt: skip
    assert log_of(nrs_server).requests == []


# --- landing send ---------------------------------------------------------------------------


def test_landing_send(account: str, nrs_server: SandboxServer, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<h1>Hi</h1>")
    body = cli_json(
        "landing", "send", "--from", "LANDING", "--to", PHONE, "--message", "See {LAND_URL}",
        "--template-file", str(page), "--parts", "2", "--encoding", "gsm",
        "--notification-url", "https://example.com/dlr", "--campaign", "L", "--tag", "x",
        "--flash",
    )  # fmt: skip
    assert body["results"][0]["parts"] == 1
    assert sent(nrs_server, "POST", "landingsms").json() == {
        "to": [PHONE],
        "from": "LANDING",
        "message": "See {LAND_URL}",
        "templateBody": "<h1>Hi</h1>",
        "encoding": "gsm",
        "parts": 2,
        "notificationUrl": "https://example.com/dlr",
        "campaignName": "L",
        "tags": ["x"],
        "flash": True,
    }


def test_landing_send_missing_placeholder_is_refused(
    account: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = cli(
        "landing", "send", "--from", "L", "--to", PHONE, "--message", "no link",
        "--template-id", "1",
    )  # fmt: skip
    # Refused before anything is journaled or sent, as the provider would (141).
    assert code == 2 and "must contain {LAND_URL}" in capsys.readouterr().err
    assert cli("landing", "send", "--from", "L", "--to", PHONE, "--message", "{LAND_URL}")[0] == 2


# --- whatsapp send-template -----------------------------------------------------------------


def test_whatsapp_send_template(account: str, nrs_server: SandboxServer) -> None:
    code, out = cli(
        "whatsapp", "send-template", "--from", BUSINESS_NUMBER, "--to", PHONE, "--to", "34",
        "--template-id", "123", "--header-field", "Order", "--body-field", "Ana",
        "--body-field", "#42", "--cta-field", "track", "--default-answer", "Thanks",
        "--button-answer", "Yes", "--button-answer", "No", "--campaign", "WA",
    )  # fmt: skip
    assert code == 3  # "34" is not a number: left out before any request, not sent
    fields = {
        "headerFields": ["Order"],
        "bodyFields": ["Ana", "#42"],
        "callToActionFields": ["track"],
        "defaultAnswer": "Thanks",
        "buttonAnswers": ["Yes", "No"],
    }
    assert sent(nrs_server, "POST", "whatsapp").json() == {
        "templateId": 123,
        "from": BUSINESS_NUMBER,
        "messages": [{"to": PHONE, **fields}],
        "campaignName": "WA",
    }
    assert out.splitlines()[-1] == "1 accepted, 0 rejected"


def test_whatsapp_send_template_location(account: str, nrs_server: SandboxServer) -> None:
    body = cli_json(
        "whatsapp", "send-template", "--from", BUSINESS_NUMBER, "--to", PHONE,
        "--template-id", "124", "--lat", "39.92", "--long", "-0.10",
        "--location-name", "NRS-Group", "--location-address", "Vila-real",
    )  # fmt: skip
    assert body["results"][0]["accepted"] is True
    assert sent(nrs_server, "POST", "whatsapp").json()["messages"] == [
        {
            "to": PHONE,
            "location": {
                "lat": "39.92",
                "long": "-0.10",
                "name": "NRS-Group",
                "address": "Vila-real",
            },
        }
    ]
    only_lat = ("whatsapp", "send-template", "--from", BUSINESS_NUMBER, "--to", PHONE,
                "--template-id", "124", "--lat", "1")  # fmt: skip
    assert cli(*only_lat)[0] == 2


# --- scheduled ------------------------------------------------------------------------------


def schedule_two(server: SandboxServer) -> None:
    """Two scheduled SMS (GUIDs 100 and 101) and one scheduled email (102)."""
    code, _ = cli(
        "sms", "send", "--from", "T", "--to", PHONE, "--to", PHONE2, "--message", "later",
        "--schedule", "2025-03-11T14:30:00Z",
    )  # fmt: skip
    assert code == 0
    code, _ = cli(
        "mail", "send", "--to", "ana@example.com", "--from-email", "a@example.com",
        "--reply-to", "a@example.com", "--subject", "S", "--body", "b",
        "--schedule", "2025-03-12T08:00:00Z",
    )  # fmt: skip
    assert code == 0
    log_of(server).clear()


def test_scheduled_list(account: str, nrs_server: SandboxServer) -> None:
    schedule_two(nrs_server)
    code, out = cli("scheduled", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["GUID", "TYPE", "SENDING", "SCHEDULED", "UPDATED"]
    assert [line.split()[:2] for line in lines[1:4]] == [
        ["100", "SMS"],
        ["101", "SMS"],
        ["102", "MAILING"],
    ]
    assert "2025-03-11 14:30 UTC" in lines[1] and lines[-1] == "3 scheduled"
    one = cli_json("scheduled", "list", "--guid", "101")
    assert one["total"] == 1 and one["items"][0]["content"]["to"] == PHONE2
    code, out = cli("scheduled", "list", "--guid", "101")
    assert f"  to: {PHONE2}" in out and "  message: later" in out
    typed = cli_json("scheduled", "list", "--type", "MAILING")
    assert [m["guid"] for m in typed["items"]] == ["102"]
    queries = [r.query_string for r in log_of(nrs_server).matching("GET", "/api/rest/scheduled")]
    assert queries == ["", "guid=101", "guid=101", "type=MAILING"]
    log_of(nrs_server).clear()
    many = cli_json("scheduled", "list", "--guid", "100", "--guid", "102", "--sending-id", "1")
    assert many == {"items": [], "page": 1, "per_page": 0, "total": 0, "total_pages": 1}
    query = sent(nrs_server, "GET", "scheduled").query
    assert query == {"sendingId": ["1"], "guid[]": ["100", "102"]}


def test_scheduled_reschedule_and_delete_by_guid(account: str, nrs_server: SandboxServer) -> None:
    schedule_two(nrs_server)
    code, out = cli(
        "scheduled", "reschedule", "--guid", "100", "--guid", "101",
        "--date", "2025-03-20T09:30:00+01:00",
    )  # fmt: skip
    assert (code, out) == (0, "Rescheduled 2 scheduled message(s).\n")
    assert sent(nrs_server, "PUT", "scheduled").json() == {
        "guid": [100, 101],
        "scheduleDate": "20250320083000",
    }
    body = cli_json("scheduled", "delete", "--guid", "100", "--type", "SMS")
    assert body == {"result": True, "count": 1}
    assert sent(nrs_server, "DELETE", "scheduled").json() == {"guid": [100], "type": "SMS"}


@pytest.mark.parametrize("action", ["reschedule", "delete"])
def test_scheduled_all_is_refused_without_all_and_confirmation(
    account: str,
    nrs_server: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    action: str,
) -> None:
    schedule_two(nrs_server)
    date = ["--date", "2025-03-20T09:30:00Z"] if action == "reschedule" else []
    code, _ = cli("scheduled", action, *date)
    assert code == 2 and "use --all" in capsys.readouterr().err
    code, _ = cli("scheduled", action, *date, "--all")  # not a terminal: needs --yes
    assert code == 2 and "--yes" in capsys.readouterr().err
    code, _ = cli("scheduled", action, *date, "--all", "--guid", "100", "--yes")
    assert code == 2 and "not both" in capsys.readouterr().err
    assert log_of(nrs_server).requests == []
    assert len(state_of(nrs_server).sending.pending(NOW)) == 3


def test_scheduled_delete_all_with_yes(account: str, nrs_server: SandboxServer) -> None:
    schedule_two(nrs_server)
    body = cli_json("scheduled", "delete", "--all", "--type", "SMS", "--yes")
    assert body == {"result": True, "count": 2}
    assert sent(nrs_server, "DELETE", "scheduled").json() == {"type": "SMS"}
    assert [i.type for i in state_of(nrs_server).sending.pending(NOW)] == ["MAILING"]


def test_scheduled_reschedule_all_confirmed_interactively(
    account: str, nrs_server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule_two(nrs_server)
    questions: list[str] = []
    # Every message, however many: the phrase is typed, as in the console (a "y" is no).
    answers = iter(["y", "RESCHEDULE ALL"])

    def answer(question: str) -> str:
        questions.append(question)
        return next(answers)

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", answer)
    date = ("--date", "2025-03-20T10:00:00+01:00")
    assert cli("scheduled", "reschedule", "--all", *date)[0] == 2  # not the phrase
    assert log_of(nrs_server).requests == []
    code, out = cli("scheduled", "reschedule", "--all", *date)
    assert (code, out) == (0, "Rescheduled 3 scheduled message(s).\n")
    assert questions[0] == (
        "Reschedule EVERY scheduled message to 2025-03-20 09:00 UTC? "
        "Type RESCHEDULE ALL to confirm: "
    )
    assert sent(nrs_server, "PUT", "scheduled").json() == {"scheduleDate": "20250320090000"}
    moved = datetime(2025, 3, 20, 9, tzinfo=UTC)
    assert {i.scheduled_at for i in state_of(nrs_server).sending.pending(NOW)} == {moved}


def test_channel_send_paused_by_credit_resumes_with_jobs_resume(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    state = state_of(nrs_server)
    state.balance_cents = 0
    code, out = cli(
        "voice", "send", "--to", PHONE, "--to", PHONE2, "--message", "Hola {name}",
        "--language", "es_ES", "--gender", "F",
    )  # fmt: skip
    assert code == 1 and "0 accepted, 0 rejected, 2 not sent" in out
    err = capsys.readouterr().err
    assert "Not enough credit" in err and "resume it with `switchboard jobs resume 1`" in err
    state.balance_cents = 10**6
    resumed = io.StringIO()
    assert run(["jobs", "resume", "1", "--json"], out=resumed) == 0
    assert json.loads(resumed.getvalue())["status"] == "DONE"
    refused, body = (r.json() for r in log_of(nrs_server).matching("POST", "/api/rest/voice"))
    assert refused == body and body["to"] == [PHONE, PHONE2]


def test_sub_file_must_match_the_recipients(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    subs = tmp_path / "subs.json"
    subs.write_text('[{"name": "Ana"}]', encoding="utf-8")
    code, _ = cli(
        "voice", "send", "--to", PHONE, "--to", PHONE2, "--message", "Hola {name}",
        "--language", "es_ES", "--gender", "F", "--sub-file", str(subs),
    )  # fmt: skip
    assert code == 2
    assert log_of(nrs_server).requests == []
