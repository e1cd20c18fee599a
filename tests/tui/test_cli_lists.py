"""`switchboard blacklist|validation|templates|forms` in-process against a real sandbox socket."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from backends.sandbox.core import RequestLog, SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, Nrs360State
from tui.cli import run
from tui.config import Account, ConfigStore


class FakeClock:
    """A clock tests can move."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(nrs_server: SandboxServer) -> FakeClock:
    """The sandbox's clock, frozen so validation progress does not depend on test speed."""
    fake = FakeClock(datetime(2025, 3, 10, 12, 0, 0, tzinfo=UTC))
    state = state_of(nrs_server)
    state.clock = fake
    # What the app factory does once it seeds the lists itself (a no-op then); without it
    # the emulator seeds them on the first lists request.
    state.lists.seed(random.Random(360), state.now)
    return fake


@pytest.fixture
def account(
    nrs_server: SandboxServer,
    clock: FakeClock,
    isolated_dirs: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """An account 'demo' on the sandbox; its secret comes from the environment."""
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


def state_of(server: SandboxServer) -> Nrs360State:
    state: Nrs360State = server.app.state.nrs  # type: ignore[attr-defined]
    return state


def log_of(server: SandboxServer) -> RequestLog:
    log: RequestLog = server.app.state.log  # type: ignore[attr-defined]
    return log


def cli(*args: str) -> tuple[int, str]:
    """Run a command in-process; its exit code and standard output."""
    out = io.StringIO()
    code = run([*args, "-a", "demo"], out=out)
    return code, out.getvalue()


def cli_json(*args: str) -> Any:
    code, out = cli(*args, "--json")
    assert code == 0, out
    return json.loads(out)


# --- blacklist ------------------------------------------------------------------------------


def test_blacklist_list_text_and_filters(account: str, nrs_server: SandboxServer) -> None:
    code, out = cli("blacklist", "list", "sms", "--sending-id", "100017", "--limit", "10")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["RECIPIENT", "DEFINITIVE", "SENDING", "CAMPAIGN", "SINCE"]
    assert {line.split()[0] for line in lines[1:3]} == {"99000000001", "99000000002"}
    assert "Spring sale" in lines[1] and lines[-1] == "page 1 of 1, 2 in all"
    (request,) = log_of(nrs_server).matching("GET", "/api/rest/v2/blacklist/sms")
    assert request.query == {"page": ["1"], "limit": ["10"], "sendingId": ["100017"]}


def test_blacklist_list_all_json(account: str) -> None:
    entries = cli_json("blacklist", "list", "mailing", "--all")["items"]
    assert "unsubscribed@example.com" in [e["recipient"] for e in entries]
    definitive = [e for e in entries if e["is_definitive"]]
    assert [e["recipient"] for e in definitive] == ["bounced@example.invalid"]


def test_blacklist_add_reports_each_recipient(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = cli("blacklist", "add", "voice", "34666555444", "not-a-number")
    assert code == 3  # one was refused
    assert "Blacklisted 34666555444 (voice)." in out
    assert "Refused not-a-number: The recipient format is invalid." in out
    assert state_of(nrs_server).lists.is_blacklisted("voice", "34666555444")
    body = cli_json("blacklist", "add", "mailing", "new@example.com")
    assert body["refused"] == [] and body["added"][0]["recipient"] == "new@example.com"


def test_blacklist_remove_needs_confirmation(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = cli("blacklist", "remove", "sms", "99000000001")
    assert code == 2 and "--yes" in capsys.readouterr().err
    assert state_of(nrs_server).lists.is_blacklisted("sms", "99000000001")
    code, out = cli("blacklist", "remove", "sms", "99000000001", "34600000000", "--yes")
    assert code == 3
    assert "Removed 99000000001 from the sms blacklist." in out
    assert "Not removed 34600000000: not on the blacklist" in out
    assert not state_of(nrs_server).lists.is_blacklisted("sms", "99000000001")
    (first, _) = log_of(nrs_server).matching("DELETE", "/api/rest/v2/blacklist/sms")
    assert first.json() == {"recipient": "99000000001"}


def test_blacklist_bad_type_is_usage_error(account: str) -> None:
    assert cli("blacklist", "list", "whatsapp")[0] == 2


# --- email validation -------------------------------------------------------------------------


def test_validation_list_and_show(account: str) -> None:
    code, out = cli("validation", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["ID", "STATUS", "PROCESSED", "VALID"]
    assert lines[1].split()[:3] == ["1", "finished", "5/5"]
    assert lines[2].split()[:3] == ["2", "pending", "0/3"]
    code, out = cli("validation", "show", "1")
    assert code == 0 and "status: finished" in out and "processed: 5 of 5" in out
    assert "/api/rest/validation/emails/1/result" in out
    assert [v["id"] for v in cli_json("validation", "list", "--all")["items"]] == [1, 2]


def test_validation_result_to_stdout_file_and_json(account: str, tmp_path: Path) -> None:
    code, out = cli("validation", "result", "1")
    assert code == 0
    assert out.splitlines()[0] == "email;result" and len(out.splitlines()) == 6
    target = tmp_path / "result.csv"
    code, out = cli("validation", "result", "1", "--output", str(target))
    assert code == 0 and out.startswith(f"Wrote 5 rows to {target} (")
    assert (
        target.read_text().splitlines()[1:] == cli("validation", "result", "1")[1].splitlines()[1:]
    )
    body = cli_json("validation", "result", "1")
    assert len(body["rows"]) == 5 and sum(body["counts"].values()) == 5
    assert {"email": "nobody@example.invalid", "result": "undeliverable"} in body["rows"]


def test_validation_result_before_it_finished(
    account: str, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    job = cli_json("validation", "create", "--email", "a@example.com", "--email", "b@example.com")
    code, _ = cli("validation", "result", str(job["id"]))
    assert code == 1
    err = capsys.readouterr().err
    assert f"validation {job['id']} is pending (0 of 2 checked)" in err
    clock.now += timedelta(seconds=30)
    code, out = cli("validation", "result", str(job["id"]))
    assert code == 0 and len(out.splitlines()) == 3


def test_validation_create_from_options_and_file(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    emails = tmp_path / "emails.txt"
    emails.write_text("# customers\nb@example.com\n\nc@example.com  # new\n")
    job = cli_json(
        "validation", "create", "--email", "a@example.com", "--emails-file", str(emails),
        "--group-id", "4", "--force", "--allow-risky",
        "--notification-url", "https://example.com/hook",
    )  # fmt: skip
    assert job["status"] == "pending" and job["total"] >= 3
    (request,) = log_of(nrs_server).matching("POST", "/api/rest/validation/emails")
    assert request.json() == {
        "groupsIds": [4],
        "emails": ["a@example.com", "b@example.com", "c@example.com"],
        "force": True,
        "allowRisky": True,
        "notificationUrl": "https://example.com/hook",
    }
    code, out = cli("validation", "create", "--email", "d@example.com")
    assert code == 0 and "Queued validation 4: 1 email(s), status pending" in out


def test_validation_create_errors(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("validation", "create")[0] == 2
    assert "give at least one --email" in capsys.readouterr().err
    # notificationUrl: "Callback URL ...": refused before sending (backends/nrs360/rules).
    code, _ = cli("validation", "create", "--email", "x@example.com", "--notification-url", "x")
    assert code == 2 and "notificationUrl 'x' is not an http(s) URL" in capsys.readouterr().err
    assert cli("validation", "create", "--emails-file", "/nonexistent/emails.txt")[0] == 2


def test_validation_delete(account: str, nrs_server: SandboxServer) -> None:
    assert cli("validation", "delete", "2")[0] == 2
    code, out = cli("validation", "delete", "2", "--yes")
    assert code == 0 and out == "Deleted validation 2.\n"
    assert 2 not in state_of(nrs_server).lists.validations
    assert cli("validation", "show", "2")[0] == 3


# --- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [[], ["--v2"]])
def test_templates_crud(
    account: str, nrs_server: SandboxServer, tmp_path: Path, version: list[str]
) -> None:
    prefix = "/api/rest/v2/templates" if version else "/api/rest/templates"
    code, out = cli("templates", "list", *version)
    assert code == 0 and out.splitlines()[-1] == "page 1 of 1, 3 in all"
    page = tmp_path / "page.html"
    page.write_text("<h1>Hello {name}</h1>", encoding="utf-8")
    created = cli_json("templates", "create", *version, "--name", "Hello", "--html-file", str(page))
    assert (created["id"], created["name"], created["html"]) == (
        4,
        "Hello",
        "<h1>Hello {name}</h1>",
    )
    assert created["version"] == (2 if version else 1)
    # Update only the name: the HTML is fetched and sent again, since PUT needs both.
    updated = cli_json("templates", "update", *version, "4", "--name", "Hi")
    assert (updated["name"], updated["html"]) == ("Hi", "<h1>Hello {name}</h1>")
    (put,) = log_of(nrs_server).matching("PUT", f"{prefix}/4")
    assert put.json() == {"name": "Hi", "html": "<h1>Hello {name}</h1>"}
    code, out = cli("templates", "show", *version, "4")
    assert code == 0 and out.splitlines()[0].startswith("4: Hi") and "<h1>Hello {name}</h1>" in out
    code, out = cli("templates", "preview", *version, "4")
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    target = tmp_path / "preview.html"
    assert cli("templates", "preview", *version, "4", "-o", str(target))[0] == 0
    assert "<h1>Hello {name}</h1>" in target.read_text()
    assert cli("templates", "delete", *version, "4")[0] == 2
    code, out = cli("templates", "delete", *version, "4", "--yes")
    assert code == 0 and out.startswith("Deleted ")
    assert cli("templates", "show", *version, "4")[0] == 3


def test_templates_usage_errors(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("templates", "create", "--name", "x")[0] == 2  # no HTML at all
    assert cli("templates", "create", "--name", "x", "--html", "   ")[0] == 2
    assert cli("templates", "update", "1")[0] == 2
    assert "give --name, --html or --html-file" in capsys.readouterr().err
    assert cli("templates", "create", "--name", "x", "--html", "a", "--html-file", "f")[0] == 2


# --- forms ----------------------------------------------------------------------------------

FORM = {
    "name": "My_form",
    "rejectButton": True,
    "logoUrl": "https://example.com/logo.png",
    "formFields": [
        {"type": "h3", "label": "Your opinion is very important to us"},
        {"type": "text", "label": "Name", "required": True, "customField": "form_name"},
        {
            "type": "radio",
            "label": "How satisfied are you?",
            "customField": "form_satisfaction",
            "options": [{"label": "Very", "value": "10"}, {"label": "Not at all", "value": "0"}],
        },
    ],
}


def write_form(path: Path, form: Any) -> str:
    path.write_text(json.dumps(form), encoding="utf-8")
    return str(path)


def test_forms_crud(account: str, nrs_server: SandboxServer, tmp_path: Path) -> None:
    code, out = cli("forms", "list")
    assert code == 0 and "{FORM_1}" in out and "{FORM_2}" in out
    created = cli_json("forms", "create", "--file", write_form(tmp_path / "f.json", FORM))
    assert (created["id"], created["placeholder"]) == (3, "{FORM_3}")
    (post,) = log_of(nrs_server).matching("POST", "/api/rest/forms")
    assert post.json() == FORM
    renamed = {**FORM, "name": "Renamed"}
    code, out = cli("forms", "update", "3", "--file", write_form(tmp_path / "g.json", renamed))
    assert code == 0 and out == "Updated form 3: Renamed\n"
    code, out = cli("forms", "show", "3")
    assert code == 0 and out.startswith("3: Renamed  placeholder {FORM_3}")
    code, out = cli("forms", "preview", "3")
    assert code == 0 and 'name="form_satisfaction" value="10"' in out and "Reject" in out
    assert cli("forms", "delete", "3")[0] == 2
    assert cli("forms", "delete", "3", "--yes")[0] == 0
    assert cli("forms", "show", "3")[0] == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{nope", "is not valid JSON"),
        (json.dumps({"name": "x", "formFields": [{"type": "text", "label": "Name"}]}),
         "formFields[0] (text): missing required key(s) customField"),
        (json.dumps({"name": "x", "formFields": [{"type": "slider", "label": "s"}]}),
         "formFields[0]: unknown type 'slider'"),
        (json.dumps({**FORM, "formFields": []}), "formFields: required"),
    ],
)  # fmt: skip
def test_forms_file_is_checked_before_sending(
    account: str,
    nrs_server: SandboxServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    message: str,
) -> None:
    path = tmp_path / "form.json"
    path.write_text(content, encoding="utf-8")
    assert cli("forms", "create", "--file", str(path))[0] == 2
    err = capsys.readouterr().err
    assert str(path) in err and message in err
    assert log_of(nrs_server).matching("POST", "/api/rest/forms") == []


def test_forms_server_refusal_exit_3(
    account: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = {**FORM, "name": "Satisfaction survey"}
    assert cli("forms", "create", "--file", write_form(tmp_path / "f.json", taken))[0] == 3
    assert "The name has already been taken." in capsys.readouterr().err
    assert cli("forms", "create", "--file", str(tmp_path / "missing.json"))[0] == 2
