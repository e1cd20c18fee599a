"""360nrs pieces of the CLI against a real sandbox: one image id per file, one WhatsApp
conversation, a reply answered without a body, contacts without an external id."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import BUSINESS_NUMBER
from tests.tui.conftest import demo_cli as cli
from tests.tui.conftest import demo_cli_json as cli_json
from tests.tui.conftest import log_of, state_of

PNG = b"\x89PNG\r\n\x1a\n" + bytes(25)


def sent_ids(server: SandboxServer) -> list[list[str]]:
    return [
        [image["externalId"] for image in r.json()["images"]]
        for r in log_of(server).matching("POST", "/api/rest/images/generate")
    ]


# --- image upload ---------------------------------------------------------------------------


def test_image_upload_gives_each_file_its_own_external_id(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    files = []
    for folder, name in (("a", "logo.png"), ("b", "logo.png"), ("c", "logo.jpg"), ("d", "x.png")):
        (tmp_path / folder).mkdir()
        files.append(tmp_path / folder / name)
        files[-1].write_bytes(PNG)
    data = cli_json("image", "upload", *map(str, files))
    # "externalId ... to identify the image in the response": no two files share one.
    assert sent_ids(nrs_server) == [["logo", "logo-2", "logo-3", "x"]]
    assert [d["external_id"] for d in data] == ["logo", "logo-2", "logo-3", "x"]
    assert len({d["image_url"] for d in data[:2]}) == 1  # same bytes, same hosted file


def test_image_upload_with_one_id_per_file(
    account: str, nrs_server: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one, two = tmp_path / "one.png", tmp_path / "two.png"
    one.write_bytes(PNG)
    two.write_bytes(PNG)
    data = cli_json(
        "image", "upload", str(one), str(two), "--external-id", "hero", "--external-id", "logo"
    )
    assert [d["external_id"] for d in data] == ["hero", "logo"]
    assert sent_ids(nrs_server) == [["hero", "logo"]]
    # Refused before any request: too few ids, or the same id twice.
    assert cli("image", "upload", str(one), str(two), "--external-id", "hero")[0] == 2
    assert "once per file" in capsys.readouterr().err
    same = ("--external-id", "x", "--external-id", "x")
    assert cli("image", "upload", str(one), str(two), *same)[0] == 2
    assert "must differ" in capsys.readouterr().err
    assert len(sent_ids(nrs_server)) == 1


# --- WhatsApp -------------------------------------------------------------------------------


def test_whatsapp_conversation(account: str, nrs_server: SandboxServer) -> None:
    state = state_of(nrs_server)
    conversation = next(iter(state.conversations.values()))
    customer = conversation.customer
    code, out = cli("whatsapp", "conversation", BUSINESS_NUMBER, customer)
    assert code == 0, out
    fields = dict(
        (label.strip(), value.strip())
        for label, _, value in (line.partition(":") for line in out.splitlines())
    )
    assert (fields["from"], fields["to"]) == (BUSINESS_NUMBER, customer)
    assert fields["messages"] == str(len(conversation.messages))
    assert fields["status"] == conversation.status
    (request,) = log_of(nrs_server).matching(
        "GET", f"/api/rest/whatsapp/conversations/{BUSINESS_NUMBER}/{customer}"
    )
    assert request.query_string == ""

    data = cli_json("whatsapp", "conversation", "+" + BUSINESS_NUMBER, customer)
    assert (data["sender"], data["recipient"]) == (BUSINESS_NUMBER, customer)
    assert data["total_messages"] == len(conversation.messages)
    assert data["contact"]["msisdn"] == conversation.contact.msisdn

    missing = cli("whatsapp", "conversation", BUSINESS_NUMBER, "34000000000")
    assert missing[0] == 3


def test_whatsapp_reply_without_an_answer_body(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    state = state_of(nrs_server)
    now = state.now()
    active = next(c for c in state.conversations.values() if c.is_session_active(now))
    args = ("whatsapp", "reply", BUSINESS_NUMBER, active.customer, "--message")
    code, out = cli(*args, "See you at 5")
    # The reference documents no answer to a reply, and the sandbox gives none.
    assert (code, out.strip()) == (0, "Sent.")
    assert cli_json(*args, "Second") is None
    assert [m.content for m in active.messages[-2:]] == ["See you at 5", "Second"]


# --- contacts -------------------------------------------------------------------------------


def test_contact_external_id_is_refused_for_360nrs(
    account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = cli(
        "contacts", "create", "--email", "a@example.com", "--group-id", "1",
        "--external-id", "EXT1",
    )  # fmt: skip
    assert code == 2
    assert "external id" in capsys.readouterr().err
    assert log_of(nrs_server).matching("POST", "/api/rest/contacts") == []
    created = cli_json("contacts", "create", "--email", "b@example.com", "--group-id", "1")
    (request,) = log_of(nrs_server).matching("POST", "/api/rest/contacts")
    assert request.json() == {"email": "b@example.com", "groupsIds": [1]}
    assert request.query_string == ""
    # The answer to the write shows no groups: the contact was read back with them.
    assert [g["id"] for g in created["groups"]] == [1]
