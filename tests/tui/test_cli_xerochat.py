"""`switchboard users|packages|subscribers|labels|flows` and contacts/groups in-process
against a real XeroChat sandbox socket."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from backends.sandbox.core import RequestLog, SandboxServer
from backends.sandbox.xerochat import (
    DEMO_API_KEY,
    DEMO_PAGE_ID,
    MEMBER_API_KEY,
    XeroChatState,
    create_app,
)
from backends.sandbox.xerochat.state import Flow
from backends.xerochat.client import XeroChatBackend
from tui.cli import run
from tui.config import Account, ConfigStore

ANA = "2499454673490220"
BRUNO = "2499705667317639"
IMPORTANT = "2472856209402188"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    s = SandboxServer(create_app())
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def account(server: SandboxServer, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An account 'xc' on the sandbox; its API key comes from the environment."""
    monkeypatch.setenv("SWITCHBOARD_SECRET_XC", DEMO_API_KEY)
    ConfigStore(isolated_dirs / "config").add_account(
        Account(name="xc", provider="xerochat", base_url=server.url + "/api")
    )
    return "xc"


def state_of(server: SandboxServer) -> XeroChatState:
    state: XeroChatState = server.app.state.xerochat  # type: ignore[attr-defined]
    return state


def log_of(server: SandboxServer) -> RequestLog:
    log: RequestLog = server.app.state.log  # type: ignore[attr-defined]
    return log


def form_of(server: SandboxServer, endpoint: str) -> dict[str, str]:
    """The form the last request to a POST endpoint carried (nothing in the query)."""
    request = log_of(server).matching("POST", f"/api/{endpoint}")[-1]
    assert request.query_string == ""
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    return dict(parse_qsl(request.body.decode()))


def query_of(server: SandboxServer, endpoint: str) -> dict[str, str]:
    """The query the last request to a GET endpoint carried (no body, no POST to it)."""
    assert log_of(server).matching("POST", f"/api/{endpoint}") == []
    request = log_of(server).matching("GET", f"/api/{endpoint}")[-1]
    assert request.body == b""
    return dict(parse_qsl(request.query_string))


def cli(*args: str, verbose: bool = False) -> tuple[int, str]:
    """Run a command against account xc in-process; exit code and standard output."""
    out = io.StringIO()
    code = run([*(["-v"] if verbose else []), *args, "-a", "xc"], out=out)
    return code, out.getvalue()


def cli_json(*args: str) -> Any:
    code, out = cli(*args, "--json")
    assert code == 0, out
    return json.loads(out)


# --- users and packages -----------------------------------------------------------------------


def test_users_show(account: str, server: SandboxServer) -> None:
    code, out = cli("users", "show", "--id", "39")
    assert code == 0
    assert "Name:       test_username" in out and "Expires:    2099-12-31 00:00 UTC" in out
    assert query_of(server, "get_user_info") == {"api_key": DEMO_API_KEY, "user_id": "39"}
    body = cli_json("users", "show", "--email", "test_user@test.com")
    assert (body["id"], body["package_id"], body["active"]) == (39, 16, True)


def test_users_create_reads_the_password_from_stdin(
    account: str, server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Tr1cky-Pass\n"))
    code, out = cli(
        "users",
        "create",
        "--name",
        "Nora",
        "--email",
        "nora@example.com",
        "--package-id",
        "17",
        "--expires",
        "2026-01-31",
        "--password-stdin",
        "--json",
    )
    assert code == 0, out
    body = json.loads(out)
    assert body["email"] == "nora@example.com" and body["package_id"] == 17
    assert "Tr1cky-Pass" not in out
    assert form_of(server, "create_system_user")["password"] == "Tr1cky-Pass"
    assert state_of(server).users[body["id"]].name == "Nora"


def test_users_update(
    account: str, server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    body = cli_json("users", "update", "39", "--address", "Elsewhere 2", "--expires", "2030-01-01")
    assert body["address"] == "Elsewhere 2"
    assert form_of(server, "update_user/39") == {
        "api_key": DEMO_API_KEY,
        "address": "Elsewhere 2",
        "expired_date": "2030-01-01",
    }
    assert cli("users", "update", "39")[0] == 2
    assert "give at least one of" in capsys.readouterr().err
    assert cli("users", "update", "39", "--expires", "tomorrow")[0] == 2


def test_packages_list(account: str) -> None:
    code, out = cli("packages", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "PRICE", "DAYS", "VISIBLE", "MODULES"]
    assert lines[2].split() == ["16", "everything", "112.35", "700", "yes", "9"]


def test_member_key_cannot_manage_users(
    account: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWITCHBOARD_SECRET_XC", MEMBER_API_KEY)
    assert cli("packages", "list")[0] == 3
    err = capsys.readouterr().err
    assert "This API is only available to admin users" in err
    assert MEMBER_API_KEY not in err


# --- subscribers and labels -------------------------------------------------------------------


def test_subscriber_show(account: str) -> None:
    code, out = cli("subscribers", "show", ANA)
    assert code == 0
    assert "Name:       Ana García" in out and "Page:       XeroDevs (1123123123123)" in out
    assert f"Labels:     {IMPORTANT}" in out
    assert cli_json("subscribers", "show", ANA)["label_ids"] == [IMPORTANT]


def test_labels_list_create_assign(account: str, server: SandboxServer) -> None:
    code, out = cli("labels", "list", "--page-id", DEMO_PAGE_ID)
    assert code == 0 and f"{IMPORTANT}  Important" in out
    label = cli_json("labels", "create", "--page-id", DEMO_PAGE_ID, "Returning")
    assert label["name"] == "Returning"
    code, out = cli(
        "labels", "assign", "--page-id", DEMO_PAGE_ID, "--subscriber", BRUNO, label["id"]
    )
    assert code == 0 and out.strip() == f"Labelled {BRUNO}: {label['id']}."
    assert form_of(server, "assign_label")["label_ids"] == label["id"]
    assert state_of(server).subscribers[BRUNO].label_ids == [label["id"]]


def test_label_on_unknown_subscriber(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = cli("labels", "assign", "--page-id", DEMO_PAGE_ID, "--subscriber", "1", IMPORTANT)
    assert code == 3
    assert "(#100) The user ID is not valid." in capsys.readouterr().err


# --- contacts and groups through the shared commands ------------------------------------------


def test_contacts_and_groups(account: str, server: SandboxServer) -> None:
    contact = cli_json("contacts", "show", "233")
    assert (contact["name"], contact["email"], contact["groups"]) == (
        "Dmitri",
        "dmitri@example.com",
        [{"id": 67, "name": ""}],
    )
    group = cli_json("groups", "create", "Walk-ins")
    assert cli_json("groups", "show", str(group["id"]))["name"] == "Walk-ins"
    assert cli("groups", "delete", str(group["id"]), "--yes")[0] == 0
    assert state_of(server).groups[group["id"]].deleted
    assert cli("contacts", "delete", "234", "--yes")[0] == 0
    assert form_of(server, "delete_contact") == {"api_key": DEMO_API_KEY, "contact_id": "234"}


def test_contacts_create_without_a_country(account: str, server: SandboxServer) -> None:
    """XeroChat keeps numbers as typed and has no country field: --country is not asked."""
    body = cli_json(
        "contacts", "create", "--phone", "0123456000", "--email", "zoe@example.com",
        "--name", "Zoe", "--surname", "Park", "--group-id", "68",
    )  # fmt: skip
    assert (body["name"], body["phone"], body["groups"]) == (
        "Zoe",
        "0123456000",
        [{"id": 68, "name": ""}],
    )
    assert form_of(server, "create_contact") == {
        "api_key": DEMO_API_KEY,
        "contact_type_id": "68",
        "email": "zoe@example.com",
        "phone_number": "0123456000",
        "first_name": "Zoe",
        "last_name": "Park",
    }
    stored = state_of(server).contacts[body["id"]]
    assert (stored.contact_type_id, stored.last_name) == (68, "Park")
    code, out = cli("contacts", "create", "--email", "yan@example.com", "--group-id", "67")
    assert code == 0 and out.startswith("Created contact ")


def test_contacts_update_changes_only_the_fields_given(account: str, server: SandboxServer) -> None:
    code, out = cli("contacts", "update", "233", "--name", "Dima")
    assert (code, out.strip()) == (0, "Updated contact 233.")
    # No group, email or phone required, and nothing but the name sent.
    assert form_of(server, "update_contact/233") == {"api_key": DEMO_API_KEY, "first_name": "Dima"}
    stored = state_of(server).contacts[233]
    assert (stored.first_name, stored.last_name, stored.email) == (
        "Dima",
        "Martin",
        "dmitri@example.com",
    )
    # Contact 235 has no phone yet: one can be added, with no --country.
    body = cli_json("contacts", "update", "235", "--phone", "0123456999")
    assert body["phone"] == "0123456999"
    assert form_of(server, "update_contact/235") == {
        "api_key": DEMO_API_KEY,
        "phone_number": "0123456999",
    }


def test_contacts_update_with_nothing_to_change(
    account: str, server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("contacts", "update", "233")[0] == 2
    assert "give at least one field to change" in capsys.readouterr().err
    assert log_of(server).matching("POST", "/api/update_contact/233") == []


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("create", "--email", "a@example.com", "--group-id", "67", "--group-id", "68"),
            "a XeroChat contact belongs to exactly one group",
        ),
        (
            ("create", "--email", "a@example.com", "--group", "Customers"),
            "XeroChat contacts have no group names",
        ),
        (
            ("create", "--landline", "912345678", "--group-id", "67"),
            "XeroChat contacts have no landline",
        ),
        (("update", "233", "--group-id", "68"), "XeroChat cannot move a contact to another group"),
        (("update", "233", "--field", "vip=yes"), "XeroChat contacts have no custom fields"),
    ],
)
def test_contact_input_the_backend_refuses_is_a_usage_error(
    account: str,
    server: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    error: str,
) -> None:
    assert cli("contacts", *args)[0] == 2
    err = capsys.readouterr().err
    assert err.startswith(f"switchboard: {error}") and err.count("\n") == 1
    sent = [r.path for r in log_of(server).requests]
    assert not [p for p in sent if p.startswith(("/api/create_contact", "/api/update_contact"))]


def test_label_ids_the_backend_refuses_are_a_usage_error(
    account: str, server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = cli("labels", "assign", "--page-id", DEMO_PAGE_ID, "--subscriber", ANA, ",")
    assert code == 2
    assert capsys.readouterr().err == "switchboard: give one or more label ids (without commas)\n"
    assert log_of(server).matching("POST", "/api/assign_label") == []


def test_a_plain_value_error_is_still_reported_as_a_bug(
    account: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the backends' InvalidInput is a usage error; any other ValueError is a bug."""

    async def broken(self: XeroChatBackend, contact_id: int) -> None:
        raise ValueError("int() of garbage")

    monkeypatch.setattr(XeroChatBackend, "contact", broken)
    assert cli("contacts", "show", "233")[0] == 1
    err = capsys.readouterr().err
    assert "unexpected error (ValueError)" in err and "garbage" not in err


def test_group_listing_is_not_supported(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("groups", "list")[0] == 1
    assert "XeroChat does not support listing contact groups" in capsys.readouterr().err


# --- flows ------------------------------------------------------------------------------------


def test_flows_list_and_show(account: str) -> None:
    code, out = cli("flows", "list")
    assert code == 0
    assert out.splitlines()[1].split() == ["1", "serial", "check"]
    code, out = cli("flows", "show", "1")
    assert out.splitlines()[:2] == ["Flow 1: serial check", "  1. What do you like to do?"]
    assert cli_json("flows", "show", "2")["questions"][0].startswith("How likely")


@pytest.fixture
def pets(server: SandboxServer) -> int:
    """A small flow whose counts are known."""
    state_of(server).flows[9] = Flow(
        9,
        1,
        "Pets",
        [("1", "Pet?"), ("2", "Colour?")],
        {
            ANA: {"1": "Dog", "2": '=HYPERLINK("http://x")'},
            BRUNO: {"1": "Cat"},
            "3001440154747507": {"1": "Dog"},
        },
    )
    return 9


def test_flow_answers_table_per_question(account: str, pets: int) -> None:
    code, out = cli("flows", "answers", str(pets))
    assert code == 0
    assert out.splitlines() == [
        "Flow 9: Pets (3 subscriber(s) answered)",
        "",
        "Pet? (3 answer(s))",
        "ANSWER  COUNT",
        "Dog     2",
        "Cat     1",
        "",
        "Colour? (1 answer(s))",
        "ANSWER                  COUNT",
        '=HYPERLINK("http://x")  1',
    ]


def test_flow_answers_json(account: str, pets: int) -> None:
    body = cli_json("flows", "answers", str(pets))
    assert body["flow_name"] == "Pets"
    assert body["questions"][0] == {
        "question_id": "1",
        "question": "Pet?",
        "responses": 3,
        "counts": [{"answer": "Dog", "count": 2}, {"answer": "Cat", "count": 1}],
    }
    assert len(body["subscribers"]) == 3


def test_flow_answers_csv_file(account: str, pets: int, tmp_path: Path) -> None:
    target = tmp_path / "pets.csv"
    code, out = cli("flows", "answers", str(pets), "--csv", str(target))
    assert code == 0 and out.strip() == f"Wrote 3 row(s) to {target}."
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["question_id", "question", "answer", "count"],
        ["1", "Pet?", "Dog", "2"],
        ["1", "Pet?", "Cat", "1"],
        # A formula typed into the chat must not run in a spreadsheet.
        ["2", "Colour?", '\'=HYPERLINK("http://x")', "1"],
    ]


def test_flow_answers_raw_csv_to_stdout(account: str, pets: int) -> None:
    code, out = cli("flows", "answers", str(pets), "--csv", "-", "--raw")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["subscriber_id", "question_id", "question", "answer"]
    assert rows[1] == [ANA, "1", "Pet?", "Dog"]
    assert len(rows) == 5


def test_flow_answers_list_unanswered_and_same_text_questions(
    account: str, server: SandboxServer, tmp_path: Path
) -> None:
    state_of(server).flows[9] = Flow(
        9,
        1,
        "Twice",
        [("1", "Why?"), ("2", "Why?"), ("3", "Anything else?")],
        {ANA: {"1": "Price", "2": "Speed"}, BRUNO: {"1": "Price"}},
    )
    body = cli_json("flows", "answers", "9")
    assert [(q["question_id"], q["question"], q["responses"]) for q in body["questions"]] == [
        ("1", "Why?", 2),
        ("2", "Why?", 1),
        ("", "Anything else?", 0),
    ]
    code, out = cli("flows", "answers", "9")
    assert code == 0
    assert out.splitlines()[-3:] == ["Anything else? (0 answer(s))", "ANSWER  COUNT", "(none)"]
    code, out = cli("flows", "answers", "9", "--csv", "-")
    assert list(csv.reader(io.StringIO(out)))[1:] == [
        ["1", "Why?", "Price", "2"],
        ["2", "Why?", "Speed", "1"],
        ["", "Anything else?", "", "0"],
    ]


def test_one_subscribers_answers(account: str, server: SandboxServer) -> None:
    body = cli_json("flows", "answers", "1", "--subscriber", ANA)
    assert [s["subscriber_id"] for s in body["subscribers"]] == [ANA]
    assert query_of(server, "get_single_subscriber_flow_info") == {
        "api_key": DEMO_API_KEY,
        "flow_campaign_id": "1",
        "subscriber_id": ANA,
    }


def test_unknown_flow(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("flows", "answers", "99")[0] == 3
    assert "The flow campaign ID does not exist" in capsys.readouterr().err


# --- the api_key never shows ------------------------------------------------------------------


def test_api_key_stays_out_of_output_log_and_urls(
    account: str,
    server: SandboxServer,
    isolated_dirs: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for args in (("flows", "list"), ("contacts", "show", "999"), ("packages", "list", "--json")):
        cli(*args, verbose=True)
    monkeypatch.setenv("SWITCHBOARD_SECRET_XC", "W-r-o-n-g-key-123")
    assert cli("flows", "list", verbose=True)[0] == 3
    captured = capsys.readouterr()
    log_file = (isolated_dirs / "data" / "switchboard.log").read_text(encoding="utf-8")
    # The exchanges were logged, the key of the documented GET query redacted.
    assert "GET http://127.0.0.1" in log_file and "/api/get_flow_campaigns?api_key=***" in log_file
    for key in (DEMO_API_KEY, "W-r-o-n-g-key-123"):
        assert key not in captured.out and key not in captured.err and key not in log_file
    assert query_of(server, "get_flow_campaigns") == {"api_key": "W-r-o-n-g-key-123"}


# --- values the reference does not accept: one line, exit 2, nothing sent ---------------------


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("subscribers", "show", "Ana"), "The subscriber_id field must contain a whole number"),
        (("labels", "list", "--page-id", "XeroDevs"), "The page_id field must contain a whole"),
        (("labels", "create", "--page-id", DEMO_PAGE_ID, " "), "The label_name field is required"),
        (
            ("labels", "assign", "--page-id", DEMO_PAGE_ID, "--subscriber", "bruno", IMPORTANT),
            "The subscriber_id field must contain a whole number",
        ),
        (
            ("flows", "answers", "1", "--subscriber", "ana"),
            "The subscriber_id field must contain a whole number",
        ),
        (("users", "show", "--email", "nobody"), "The email field must contain a valid email"),
        (("users", "update", "39", "--mobile", "+34 600"), "The mobile field must contain only"),
        (("groups", "create", "  "), "The contact type name is required"),
        (
            ("contacts", "create", "--email", "zoe@", "--group-id", "67"),
            "The email field must contain a valid email address",
        ),
    ],
)
def test_values_the_reference_refuses_never_leave(
    account: str,
    server: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    error: str,
) -> None:
    assert cli(*args)[0] == 2
    err = capsys.readouterr().err
    assert err.startswith(f"switchboard: xerochat: {error}") and err.count("\n") == 1
    assert DEMO_API_KEY not in err
    assert len(log_of(server)) == 0
