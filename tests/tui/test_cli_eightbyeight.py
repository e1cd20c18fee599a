"""`switchboard survey-batch send` in-process against a real 8x8 sandbox socket.

The send is an engine job: every message carries a clientMessageId (`sb<job>-<seq>` unless
the CSV gives one) and the outcomes land in the journal."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backends.eightbyeight.models import SurveyBatch, SurveyMessage
from backends.sandbox import xebo
from backends.sandbox.core import RecordedRequest, RequestLog, SandboxServer
from backends.sandbox.eightbyeight import (
    DEMO_API_KEY,
    DEMO_OPTIONS,
    DEMO_SUBACCOUNT,
    DEMO_SURVEY,
    EightByEightState,
    create_app,
)
from tui import sandbox
from tui.cli import run
from tui.config import Account, ConfigStore
from tui.engine.journal import Journal, default_path
from tui.engine.journal_rows import State
from tui.workspace import Workspace

INVALID_MSISDN = "Invalid MSISDN format (not E.164 international number)"
TEMPLATE = "Hi {{name}}, rate your visit: {{url:}}"
BATCH_PATH = f"/api/v1/subaccounts/{DEMO_SUBACCOUNT}/surveys/{DEMO_SURVEY}/messages/batch"


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
    """An account 'e8' on the sandbox; its API key comes from the environment."""
    monkeypatch.setenv("SWITCHBOARD_SECRET_E8", DEMO_API_KEY)
    ConfigStore(isolated_dirs / "config").add_account(
        Account(name="e8", provider="8x8", base_url=server.url + "/api/v1", options=DEMO_OPTIONS)
    )
    return "e8"


def log_of(server: SandboxServer) -> RequestLog:
    log: RequestLog = server.app.state.log  # type: ignore[attr-defined]
    return log


def state_of(server: SandboxServer) -> EightByEightState:
    state: EightByEightState = server.app.state.eightbyeight  # type: ignore[attr-defined]
    return state


def the_request(server: SandboxServer) -> RecordedRequest:
    (request,) = log_of(server).requests
    assert request.method == "POST"
    assert request.headers["authorization"] == f"Bearer {DEMO_API_KEY}"
    return request


def cli(*args: str) -> tuple[int, str]:
    """Run `survey-batch send ... -a e8` in-process; exit code and standard output."""
    out = io.StringIO()
    code = run(["survey-batch", "send", *args, "-a", "e8"], out=out)
    return code, out.getvalue()


def cli_json(*args: str, expect: int = 0) -> Any:
    code, out = cli(*args, "--json")
    assert code == expect, out
    return json.loads(out)


def test_send_to_numbers_prints_each_result(account: str, server: SandboxServer) -> None:
    code, out = cli(
        "--to",
        "+6598760001",
        "--to",
        "+9991234567",
        "--template",
        TEMPLATE,
        "--var",
        "name=Ana",
        "--source",
        "ACME",
        "--client-batch-id",
        "B-1",
    )
    assert code == 3  # one message was rejected
    lines = out.splitlines()
    job = lines.index("Job 1 DONE:")
    assert "1 accepted, 1 rejected" in lines[job + 1]
    assert lines[job + 2].split() == [
        "DESTINATION",
        "STATUS",
        "UMID",
        "/",
        "REASON",
        "CLIENT",
        "MESSAGE",
        "ID",
    ]
    assert lines[job + 3].split()[:2] == ["+6598760001", "QUEUED"]
    assert (
        lines[job + 4].startswith("+9991234567")
        and "REJECTED  Invalid MSISDN format" in lines[job + 4]
    )
    # The clientMessageId column shows the id the engine generated and sent.
    assert (lines[job + 3].split()[-1], lines[job + 4].split()[-1]) == ("sb1-0", "sb1-1")
    request = the_request(server)
    assert request.path == BATCH_PATH
    assert request.json() == {
        "clientBatchId": "B-1",
        "messages": [
            {
                "destination": "+6598760001",
                "templateVariables": {"name": "Ana"},
                "clientMessageId": "sb1-0",
            },
            {
                "destination": "+9991234567",
                "templateVariables": {"name": "Ana"},
                "clientMessageId": "sb1-1",
            },
        ],
        "template": {"templateBody": TEMPLATE, "source": "ACME"},
        "includeMessagesInResponse": True,
    }
    sent = list(state_of(server).messages.values())
    assert sent[0].text.startswith("Hi Ana, rate your visit: https://")
    umid = sent[0].umid
    assert umid in lines[job + 3]
    with Journal(default_path()) as journal:
        (row, rejected) = journal.recipients(1)
    assert (row.state, row.provider_id) == (State.ACCEPTED, umid)
    assert (rejected.state, rejected.reason) == (State.REJECTED, INVALID_MSISDN)


def test_send_from_csv_json(account: str, server: SandboxServer, tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "destination,country,clientMessageId,name,store\n"
        "6598760001,SG,c-1,Ana,Orchard\n"
        "+6598760002,,c-2,Bo,Jurong\n",
        encoding="utf-8",
    )
    body = cli_json(
        "--csv",
        str(csv_file),
        "--template",
        "Hi {{name}} from {{store}}: {{url:}}",
        "--scheduled",
        "2025-03-11T09:30:00+08:00",
    )
    assert body["status"] == "DONE"
    assert (body["totals"]["accepted"], body["totals"]["rejected"]) == (2, 0)
    assert [(r["destination"], r["clientMessageId"]) for r in body["recipients"]] == [
        ("6598760001", "c-1"),
        ("+6598760002", "c-2"),
    ]
    assert the_request(server).json()["messages"] == [
        {
            "destination": "6598760001",
            "country": "SG",
            "templateVariables": {"name": "Ana", "store": "Orchard"},
            "clientMessageId": "c-1",
        },
        {
            "destination": "+6598760002",
            "templateVariables": {"name": "Bo", "store": "Jurong"},
            "clientMessageId": "c-2",
        },
    ]
    assert the_request(server).json()["template"]["scheduled"] == "2025-03-11T01:30:00Z"


def test_json_has_each_recipients_result(account: str, server: SandboxServer) -> None:
    body = cli_json("--to", "+6598760001", "--to", "+9991234567", "--template", TEMPLATE, expect=3)
    umids = [m.umid for m in state_of(server).messages.values()]
    assert (body["job"], body["status"], body["totals"]["rejected"]) == (1, "DONE", 1)
    queued, rejected = body["recipients"]
    assert queued == {
        "destination": "+6598760001",
        "status": "QUEUED",
        "umid": umids[0],
        "clientMessageId": "sb1-0",
        "reason": None,
    }
    assert (rejected["destination"], rejected["status"], rejected["clientMessageId"]) == (
        "+9991234567",
        "REJECTED",
        "sb1-1",
    )
    assert rejected["reason"] == INVALID_MSISDN
    assert body["recipients_omitted"] == 0
    counts = cli_json("--to", "+6598760001", "--template", TEMPLATE, "--counts-only")
    assert "recipients" not in counts and counts["totals"]["accepted"] == 1


def test_text_output_shows_the_csvs_own_client_ids(
    account: str, server: SandboxServer, tmp_path: Path
) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "destination,clientMessageId\n+6598760001,own-1\n+6598760002,\n", encoding="utf-8"
    )
    code, out = cli("--csv", str(csv_file), "--template", TEMPLATE)
    assert code == 0
    rows = [line.split() for line in out.splitlines() if line.startswith("+659876000")]
    assert [(r[0], r[1], r[-1]) for r in rows] == [
        ("+6598760001", "QUEUED", "own-1"),
        ("+6598760002", "QUEUED", "sb1-1"),
    ]


def test_account_without_survey_batches_is_refused_before_any_job(
    isolated_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Xebo account sends surveys, not survey batches: no job is journaled to pause."""
    ConfigStore(isolated_dirs / "config").add_account(
        Account("e8", "xebo", "http://127.0.0.1:9", options=xebo.DEMO_OPTIONS)
    )
    for extra in ((), ("--dry-run",), ("--survey", "s1", "--subaccount", "Sub_1")):
        assert cli("--to", "+6598760001", "--template", TEMPLATE, *extra)[0] == 2
        assert capsys.readouterr().err == "switchboard: Xebo accounts cannot send survey batches\n"
    assert not default_path().exists()


def test_options_go_on_each_message_without_a_template(
    account: str, server: SandboxServer, tmp_path: Path
) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "destination,templateBody,source\n+6598760001,Rate us {{url:}},SHOP\n", encoding="utf-8"
    )
    cli_json("--csv", str(csv_file), "--source", "DEFAULT", "--encoding", "UCS2")
    (item,) = the_request(server).json()["messages"]
    assert item == {
        "destination": "+6598760001",
        "templateBody": "Rate us {{url:}}",
        "source": "SHOP",  # the CSV's own value wins
        "clientMessageId": "sb1-0",
        "encoding": "UCS2",
    }


def test_counts_only_prints_no_recipient_table(account: str, server: SandboxServer) -> None:
    code, out = cli("--to", "+6598760001", "--template", TEMPLATE, "--counts-only")
    assert code == 0
    assert "DESTINATION" not in out and "1 accepted" in out
    # The engine always asks for per-message results: it journals each recipient.
    assert the_request(server).json()["includeMessagesInResponse"] is True


def test_survey_and_subaccount_overrides(account: str, server: SandboxServer) -> None:
    cli_json(
        "--to",
        "+6598760001",
        "--template",
        TEMPLATE,
        "--subaccount",
        "Switchboard.Marketing",
        "--survey",
        "event-followup",
    )
    assert the_request(server).path == (
        "/api/v1/subaccounts/Switchboard.Marketing/surveys/event-followup/messages/batch"
    )


def test_dry_run_sends_nothing_and_needs_no_secret(
    account: str, server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SWITCHBOARD_SECRET_E8")
    body = cli_json("--to", "+6598760001", "--template", TEMPLATE, "--dry-run")
    assert body == {
        "valid": True,
        "messages": 1,
        "batches": 1,
        "survey_id": DEMO_SURVEY,
        "subaccount_id": DEMO_SUBACCOUNT,
    }
    assert len(log_of(server)) == 0


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--to", "+6598760001", "--template", "no link"), "must contain the {{url:}}"),
        (("--to", "+6598760001"), "templateBody is required without a batch template"),
        (("--template", TEMPLATE), "give recipients with --to or --csv"),
        (("--to", "1", "--template", TEMPLATE, "--subaccount", "x"), "invalid 8x8 subAccountId"),
        (("--to", "1", "--template", TEMPLATE, "--survey", "a b"), "invalid 8x8 surveyId"),
        (("--to", "1", "--template", TEMPLATE, "--client-batch-id", "x" * 21), "clientBatchId"),
        # tui.dates' one rule: a naive time is local (no longer refused), nonsense is refused.
        (("--to", "1", "--template", TEMPLATE, "--expiry", "11/03 9:30"), "not a date-time"),
        (("--to", "1", "--template", TEMPLATE, "--var", "novalue"), "KEY=VALUE"),
        # destination: "Value must match regular expression ^\+{0,1}[1-9]{1}[0-9]{6,14}$"
        (("--to", "0612345678", "--template", TEMPLATE), "(0612345678): Invalid MSISDN format"),
        (("--to", "+65 9876 0001", "--template", TEMPLATE), "Invalid MSISDN format"),
        (("--to", "+6598760001", "--to", "12345", "--template", TEMPLATE), "messages[1] (12345)"),
    ],
)
def test_invalid_batches_are_usage_errors(
    account: str,
    server: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    error: str,
) -> None:
    code, _ = cli(*args)
    assert code == 2
    err = capsys.readouterr().err
    assert error in err
    assert len(err.strip().splitlines()) == 1
    assert len(log_of(server)) == 0


def test_a_csv_row_off_the_destination_pattern_stops_the_whole_send(
    account: str, server: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = tmp_path / "many.csv"
    rows = [f"+659{n:07d}" for n in range(12_000)]
    rows[11_000] = "06 12 34 56 78"
    csv_file.write_text("destination\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert cli("--csv", str(csv_file), "--template", TEMPLATE, "--yes")[0] == 2
    err = capsys.readouterr().err
    assert "(06 12 34 56 78): Invalid MSISDN format" in err
    assert "counted from recipient 10001" in err
    assert len(log_of(server)) == 0
    with Journal(default_path()) as journal:
        assert journal.jobs() == []


def test_csv_without_destination_column(
    account: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("phone\n+6598760001\n", encoding="utf-8")
    assert cli("--csv", str(csv_file), "--template", TEMPLATE)[0] == 2
    assert "no 'destination' column" in capsys.readouterr().err


def test_more_than_ten_thousand_go_as_several_batches_after_confirmation(
    account: str, server: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = tmp_path / "many.csv"
    rows = "".join(f"+659{n:07d}\n" for n in range(10_001))
    csv_file.write_text("destination\n" + rows, encoding="utf-8")
    # Not a terminal: a send of more than 100 recipients needs --yes.
    assert cli("--csv", str(csv_file), "--template", TEMPLATE)[0] == 2
    assert "Refusing without --yes" in capsys.readouterr().err
    assert len(log_of(server)) == 0
    body = cli_json("--csv", str(csv_file), "--template", TEMPLATE, "--yes")
    assert body["totals"]["accepted"] == 10_001
    assert (len(body["recipients"]), body["recipients_omitted"]) == (1_000, 9_001)
    sizes = sorted(len(r.json()["messages"]) for r in log_of(server).requests)
    assert sizes == [1, 10_000]


def test_wrong_key_is_refused_without_showing_it(
    account: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWITCHBOARD_SECRET_E8", "not-the-8x8-key-42")
    code, _ = cli("--to", "+6598760001", "--template", TEMPLATE)
    err = capsys.readouterr().err
    assert code == 1  # the job pauses: nothing was sent, resumable once the key is fixed
    assert "job 1 paused" in err
    assert "(code 1200): Request was not authenticated properly" in err
    assert "not-the-8x8-key-42" not in err


def test_missing_default_survey(
    server: SandboxServer,
    isolated_dirs: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SWITCHBOARD_SECRET_E8", DEMO_API_KEY)
    ConfigStore(isolated_dirs / "config").add_account(
        Account("e8", "8x8", server.url + "/api/v1", options={"subaccount_id": DEMO_SUBACCOUNT})
    )
    assert cli("--to", "+6598760001", "--template", TEMPLATE)[0] == 2
    assert "give --survey" in capsys.readouterr().err


async def test_sandbox_opens_8x8_and_xerochat_accounts(isolated_dirs: Path) -> None:
    """`switchboard --sandbox` starts both emulators and working accounts for them."""
    running = sandbox.start()
    try:
        workspace = Workspace(isolated_dirs / "config")
        accounts = {a.provider: a for a in sandbox.add_accounts(workspace, running)}
        assert {"8x8", "xerochat"} <= set(accounts)
        e8 = await workspace.open(accounts["8x8"].name)
        async with e8:
            batch = SurveyBatch(
                DEMO_SURVEY, (SurveyMessage("+6598760001", template_body="Go {{url:}}"),)
            )
            assert (await e8.send_survey_batch(batch)).accepted == 1
        xc = await workspace.open(accounts["xerochat"].name)
        async with xc:
            assert len(await xc.flow_campaigns()) == 4
    finally:
        sandbox.stop(running)


def test_country_applies_to_csv_rows_without_one(
    account: str, server: SandboxServer, tmp_path: Path
) -> None:
    # One use case for the CLI and the console form (issue 11): the form always gave its
    # country to CSV rows without one; the CLI sent them without a country.
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("destination,country\n98760001,\n6598760002,SG\n", encoding="utf-8")
    code, out = cli("--csv", str(csv_file), "--country", "sg", "--template", TEMPLATE)
    assert code == 0, out
    messages = the_request(server).json()["messages"]
    assert [(m["destination"], m.get("country")) for m in messages] == [
        ("98760001", "SG"),
        ("6598760002", "SG"),
    ]
