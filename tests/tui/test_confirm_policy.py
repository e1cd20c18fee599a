"""One confirmation policy (tui.usecases.confirm) for every bulk or destructive CLI action.

Each drift the policy ends has a test here, over real sandbox sockets: the large-send
threshold was 10 for `sms send` and 100 for `survey-batch send` (and the console);
`survey send --contacts-file` and `mail`, `landing`, `voice`, `whatsapp send-template`
sent to any number of recipients without asking.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

from backends.sandbox import xebo
from backends.sandbox.core import SandboxServer
from backends.sandbox.eightbyeight import DEMO_API_KEY, DEMO_OPTIONS
from backends.sandbox.nrs360 import BUSINESS_NUMBER, DEMO_PASSWORD, DEMO_USERNAME
from tests.tui.conftest import cli, log_of
from tui.config import Account, ConfigStore
from tui.engine.journal import Journal, default_path
from tui.usecases.confirm import CONFIRM_ABOVE, DELETE_ALL_PHRASE, Need, needed

ROOT = Path(__file__).resolve().parents[2]
MANY = 50  # "with 50 recipients send without asking"
XEBO_PATH = f"/v2/api/collectors/{xebo.DEMO_COLLECTOR_ID}/combined/auto"


def jobs() -> int:
    with Journal(default_path()) as journal:
        return len(list(journal.jobs()))


def phones(n: int) -> list[str]:
    return [f"3466655{i:04d}" for i in range(n)]


def repeat(flag: str, values: list[str]) -> list[str]:
    return [part for v in values for part in (flag, v)]


@pytest.fixture
def accounts(
    nrs_server: SandboxServer,
    xebo_server: SandboxServer,
    e8_server: SandboxServer,
    isolated_dirs: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """'demo' (360nrs), 'surveys' (Xebo) and 'e8' (8x8); secrets from the environment."""
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    monkeypatch.setenv("SWITCHBOARD_SECRET_SURVEYS", xebo.DEMO_ACCESS_TOKEN)
    monkeypatch.setenv("SWITCHBOARD_SECRET_E8", DEMO_API_KEY)
    store = ConfigStore(isolated_dirs / "config")
    store.add_account(
        Account("demo", "360nrs", nrs_server.url + "/api/rest", username=DEMO_USERNAME)
    )
    store.add_account(Account("surveys", "xebo", xebo_server.url, options=dict(xebo.DEMO_OPTIONS)))
    store.add_account(Account("e8", "8x8", e8_server.url + "/api/v1", options=DEMO_OPTIONS))


# --- the policy ------------------------------------------------------------------------------


def test_the_policy_decides_nothing_a_question_or_the_typed_count() -> None:
    assert needed(CONFIRM_ABOVE).need is Need.NOTHING  # a small send: scripts unchanged
    assert needed(CONFIRM_ABOVE + 1).need is Need.TYPE
    assert needed(CONFIRM_ABOVE + 1).phrase == str(CONFIRM_ABOVE + 1)
    assert needed(1, destructive=True).need is Need.ASK
    assert needed(2, review=True).need is Need.ASK
    assert needed(10_000, assume_yes=True).need is Need.NOTHING
    every = needed(None)
    assert (every.need, every.phrase) == (Need.TYPE, DELETE_ALL_PHRASE)
    typed = needed(MANY)
    assert typed.accepts(f" {MANY} ") and not typed.accepts("y") and not typed.accepts("5")
    assert needed(1, destructive=True).accepts("Y") and not needed(1, destructive=True).accepts("")


def test_one_threshold_constant_in_the_tree() -> None:
    """No module of the CLI, the console or the engine keeps a threshold of its own."""
    own = []
    for package in ("tui", "screens"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.parts[-2:] == ("usecases", "confirm.py"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else [node.target]
                    if isinstance(node, ast.AnnAssign)
                    else []
                )
                for target in targets:
                    if isinstance(target, ast.Name) and "CONFIRM" in target.id:
                        own.append(f"{path.relative_to(ROOT)}: {target.id}")
    assert own == []


def test_sms_and_survey_batch_ask_above_the_same_threshold(
    accounts: None, nrs_server: SandboxServer, e8_server: SandboxServer
) -> None:
    """Not a terminal, no --yes: one above the threshold is refused on both, at the
    threshold both send (8x8 used to wait for 101, sms for 11)."""
    above, at = phones(CONFIRM_ABOVE + 1), phones(CONFIRM_ABOVE)
    sms = ("sms", "send", "-a", "demo", "--from", "ACME", "--message", "Hi")
    assert cli(*sms, *repeat("--to", above))[0] == 2
    batch = ("survey-batch", "send", "-a", "e8", "--template", "Rate us {{url:}}")
    e8_above = [f"+659876{i:04d}" for i in range(CONFIRM_ABOVE + 1)]
    assert cli(*batch, *repeat("--to", e8_above))[0] == 2
    assert log_of(nrs_server).matching("POST", "/api/rest/sms") == []
    assert len(log_of(e8_server)) == 0 and jobs() == 0
    assert cli(*sms, *repeat("--to", at))[0] == 0
    assert cli(*batch, *repeat("--to", e8_above[:CONFIRM_ABOVE]))[0] == 0
    assert jobs() == 2


# --- survey send --contacts-file -------------------------------------------------------------


def test_survey_send_contacts_file_above_the_threshold_asks(
    accounts: None,
    xebo_server: SandboxServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    people = tmp_path / "people.csv"
    rows = [f"p{i}@example.com,P{i}" for i in range(CONFIRM_ABOVE + 1)]
    people.write_text("email,name\n" + "\n".join(rows) + "\n", "utf-8")
    send = ("survey", "send", "-a", "surveys", "--medium", "email", "--contacts-file", str(people))
    assert cli(*send)[0] == 2
    assert "Refusing without --yes" in capsys.readouterr().err
    assert log_of(xebo_server).matching("POST", XEBO_PATH) == []
    code, out = cli(*send, "--yes", "--json")
    assert code == 0, out
    # A journaled job since issue 11: the one job-result shape (tui.usecases.jobs).
    assert json.loads(out)["totals"]["accepted"] == CONFIRM_ABOVE + 1
    assert len(log_of(xebo_server).matching("POST", XEBO_PATH)) == 1


def test_survey_send_asks_for_the_count_at_a_terminal(
    accounts: None, xebo_server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions: list[str] = []
    answers = iter(["y", str(CONFIRM_ABOVE + 1)])

    def answer(question: str) -> str:
        questions.append(question)
        return next(answers)

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", answer)
    mobiles = [f"+3466655{i:04d}" for i in range(CONFIRM_ABOVE + 1)]
    send = ("survey", "send", "-a", "surveys", "--medium", "sms", *repeat("--to", mobiles))
    assert cli(*send)[0] == 2  # "y" is not the count
    assert log_of(xebo_server).matching("POST", XEBO_PATH) == []
    assert cli(*send)[0] == 0
    assert questions[0].endswith(f"Type {CONFIRM_ABOVE + 1} to confirm: ")
    assert len(log_of(xebo_server).matching("POST", XEBO_PATH)) == 1


# --- mail, landing, voice, whatsapp send-template ---------------------------------------------


SENDS = {
    "mail": (
        ["mail", "send", "--from-email", "a@example.com", "--reply-to", "a@example.com",
         "--subject", "S", "--body", "b"],
        [f"p{i}@example.com" for i in range(MANY)],
        "mailing",
    ),
    "landing": (
        ["landing", "send", "--from", "LANDING", "--message", "See {LAND_URL}",
         "--template-id", "1"],
        phones(MANY),
        "landingsms",
    ),
    "voice": (
        ["voice", "send", "--message", "Hola", "--language", "es_ES", "--gender", "F"],
        phones(MANY),
        "voice",
    ),
    "voice audio": (
        ["voice", "send", "--audio-url", "https://example.com/a.mp3"],
        phones(MANY),
        "voiceAudio",
    ),
    "whatsapp send-template": (
        ["whatsapp", "send-template", "--from", BUSINESS_NUMBER, "--template-id", "123",
         "--header-field", "Order", "--body-field", "Ana", "--body-field", "#42",
         "--cta-field", "track"],
        phones(MANY),
        "whatsapp",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SENDS))
def test_a_send_to_50_asks_first(
    name: str,
    accounts: None,
    nrs_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    command, recipients, path = SENDS[name]
    args = [*command, "-a", "demo", *repeat("--to", recipients)]
    code, _ = cli(*args)
    assert code == 2
    assert f"Send to {MANY} recipients? Refusing without --yes" in capsys.readouterr().err
    # Checked against the rules (a GET of nothing at most), never sent nor journaled.
    assert [r for r in log_of(nrs_server).requests if r.method == "POST"] == []
    assert jobs() == 0
    # At a terminal the operator types the count; then it goes.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda question: str(MANY))
    code, out = cli(*args)
    assert code == 0, out
    assert f"{MANY} accepted, 0 rejected" in out
    assert log_of(nrs_server).matching("POST", f"/api/rest/{path}")
    assert jobs() == 1


def test_yes_skips_the_question_for_scripts(accounts: None, nrs_server: SandboxServer) -> None:
    command, recipients, _ = SENDS["voice"]
    code, out = cli(*command, "-a", "demo", *repeat("--to", recipients), "--yes")
    assert code == 0 and f"{MANY} accepted" in out


# --- survey-batch send: each number once --------------------------------------------------


def test_survey_batch_send_drops_a_repeated_number(
    accounts: None, e8_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """As Compose and the console's form: one number typed twice is surveyed once."""
    code, _ = cli(
        "survey-batch", "send", "-a", "e8", "--template", "Rate us {{url:}}", "--country", "SG",
        "--to", "+6598760001", "--to", "98760001", "--to", "98760002",
    )  # fmt: skip
    assert code == 0
    assert "1 repeated number(s) left out" in capsys.readouterr().err
    (post,) = log_of(e8_server).requests
    assert [m["destination"] for m in post.json()["messages"]] == ["+6598760001", "98760002"]
