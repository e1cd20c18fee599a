"""`switchboard contacts import|export` against a real 360nrs sandbox."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from backends.sandbox.core import SandboxServer
from backends.sandbox.xerochat import DEMO_API_KEY, create_app
from tests.tui.conftest import cli as cli_any
from tests.tui.conftest import demo_cli as cli
from tests.tui.conftest import demo_cli_json as cli_json
from tests.tui.conftest import log_of, state_of
from tui.config import Account, ConfigStore
from tui.usecases.confirm import CONFIRM_ABOVE
from tui.usecases.contacts_io import EXPORT_HEADER

CONTACTS = "/api/rest/contacts"


def posts(server: SandboxServer) -> int:
    return len(log_of(server).matching("POST", CONTACTS))


def test_import_creates_the_rows_and_says_each_refused_one_with_its_line(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "email;phone;country;name;Colour\n"
        "ana@example.com;+34 600 111 333;ES;Ana;green\n"
        ";;;Nobody;red\n"
        "ana@example.com;34600111333;ES;Ana;green\n"
        "bad-email;;;Bad;blue\n",
        encoding="utf-8",
    )
    code, out = cli("contacts", "import", str(source), "--group", "Fair, 2025")
    assert code == 3, out
    assert out.splitlines() == [
        "line 3: give an email, a mobile phone or a landline",
        "line 5: The email must be a valid email address.",
        # The same contact once normalised: one contact for both rows.
        "Finished: 4 of 4 rows, 1 created, 1 duplicate row merged, 2 failed",
    ]
    state = state_of(nrs_server)
    (made,) = [c for c in state.contacts.values() if c.email == "ana@example.com"]
    # Normalised; the unmapped column is a custom field; a group name may hold a comma.
    assert made.phone == "34600111333"
    assert [(f.key, f.value) for f in made.custom_fields] == [("Colour", "green")]
    assert [state.groups[g].name for g in made.group_ids] == ["Fair, 2025"]
    assert posts(nrs_server) == 2  # the refused rows cost no request


def test_import_json_dry_run_and_all_imported(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "ok.csv"
    source.write_text("email,groups\nx@example.com,VIP\ny@example.com,VIP|Sales\n")
    data = cli_json("contacts", "import", str(source), "--dry-run")
    assert (data["dry_run"], data["created"], data["failed"]) == (True, 0, 0)
    assert [r["status"] for r in data["rows"]] == ["valid", "valid"]
    assert posts(nrs_server) == 0
    data = cli_json("contacts", "import", str(source))
    assert [(r["line"], r["status"]) for r in data["rows"]] == [(2, "created"), (3, "created")]
    ids = [r["id"] for r in data["rows"]]
    assert all(i in state_of(nrs_server).contacts for i in ids)


def test_import_bad_input_is_exit_2_before_any_request(
    account: str, nrs_server: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = tmp_path / "names.csv"
    names.write_text("first,last\nAna,Ruiz\n")
    emails = tmp_path / "emails.csv"
    emails.write_text("email\na@example.com\n")
    late = tmp_path / "late.csv"
    rows = "".join(f"late{i:05}@example.com\n" for i in range(4000))
    late.write_bytes(b"email\n" + rows.encode() + b"\xff@example.com\n")
    for args, message in (
        ((str(tmp_path / "missing.csv"),), "is not a file."),
        ((str(names), "--group", "A"), "Map a column to Email, Mobile phone or Landline."),
        ((str(emails),), "Give at least one group for the imported contacts."),
        ((str(late), "--group", "A"), "line 4002: not UTF-8 text (save it as CSV UTF-8)"),
    ):
        code, _ = cli("contacts", "import", *args)
        assert code == 2
        assert message in capsys.readouterr().err
    assert posts(nrs_server) == 0


def test_import_of_many_rows_asks_first(
    account: str,
    nrs_server: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    n = CONFIRM_ABOVE + 2
    source = tmp_path / "many.csv"
    source.write_text("email\n" + "".join(f"m{i}@example.com\n" for i in range(n)))
    code, _ = cli("contacts", "import", str(source), "--group", "Many")
    assert code == 2
    assert "Refusing without --yes" in capsys.readouterr().err
    assert posts(nrs_server) == 0
    # At a terminal the count is typed; "y" is not it, and imports nothing.
    questions: list[str] = []
    answers = iter(["y", str(n)])

    def answer(question: str) -> str:
        questions.append(question)
        return next(answers)

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", answer)
    assert cli("contacts", "import", str(source), "--group", "Many")[0] == 2
    assert posts(nrs_server) == 0
    code, out = cli("contacts", "import", str(source), "--group", "Many")
    assert code == 0, out
    assert questions[0] == f"Import {n} contacts into demo? Type {n} to confirm: "
    assert out.splitlines()[-1] == f"Finished: {n} of {n} rows, {n} created, 0 failed"
    # --yes is for scripts: no question.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert cli("contacts", "import", str(source), "--group", "Many", "--yes")[0] == 0
    assert posts(nrs_server) == 2 * n


def test_import_refuses_groups_the_provider_does_not_take(
    tmp_path: Path,
    isolated_dirs: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SWITCHBOARD_SECRET_XC", DEMO_API_KEY)
    server = SandboxServer(create_app())
    server.start()
    try:
        ConfigStore(isolated_dirs / "config").add_account(
            Account(name="xc", provider="xerochat", base_url=server.url + "/api")
        )
        source = tmp_path / "xc.csv"
        source.write_text("email\nnia@example.com\n")
        code, _ = cli_any("contacts", "import", str(source), "--group", "Customers", "-a", "xc")
        assert code == 2
        err = capsys.readouterr().err
        assert "XeroChat contacts have no group names: give groups by id" in err
        assert not log_of(server).matching("POST", "/api/create_contact")
    finally:
        server.stop()


def test_export_writes_what_import_reads_and_refuses_to_overwrite(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    target = tmp_path / "es.csv"
    data = cli_json("contacts", "export", str(target), "--country", "es")
    spain = sorted(c.id for c in state_of(nrs_server).contacts.values() if c.country_iso == "ES")
    assert data == {"path": str(target), "exported": len(spain), "total": len(spain)}
    with target.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == EXPORT_HEADER
    assert [int(r[0]) for r in rows[1:]] == spain
    code, _ = cli("contacts", "export", str(target))
    assert code == 2
    code, out = cli("contacts", "export", str(target), "--force", "--country", "GB")
    assert code == 0 and out.startswith("Exported ")
