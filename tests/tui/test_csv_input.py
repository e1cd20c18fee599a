"""The one CSV reader (tui.csvin) never swallows rows, and what the one formula-safe writer
wrote reads back as it was (issue 13, points 5 and 6)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from starlette.applications import Starlette

from backends.nrs360.client import Nrs360Backend
from backends.sandbox.core import SandboxServer
from tests.tui.conftest import demo_cli as cli
from tests.tui.conftest import log_of
from tests.tui.test_cli_reports import add_sending
from tests.tui.test_usecase_contacts_io import CONTACTS, nrs, nrs_app, request_for  # noqa: F401
from tui.csvin import MAX_FIELD, CsvProblem, read_rows
from tui.csvout import SafeCsv
from tui.engine.journal import Journal
from tui.engine.recipients import RecipientsError, csv_rows, from_csv
from tui.usecases.contacts_io import import_contacts, iter_rows, read_csv_head

STRAY = 'Ana,"34600000003,hi'  # one quote too many: it opens a field never closed


def numbers_file(path: Path, n: int = 5000, **lines: str) -> Path:
    """name,mobile,note rows; `lines` (as "l<N>") replace the file's line N."""
    rows = ["name,mobile,note", *(f"P{i},3460{i:07d},hello" for i in range(1, n + 1))]
    for key, text in lines.items():
        rows[int(key[1:]) - 1] = text
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_stray_quote_is_refused_with_its_line_not_swallowed(tmp_path: Path) -> None:
    path = numbers_file(tmp_path / "r.csv", l4=STRAY)
    with pytest.raises(RecipientsError) as caught:
        from_csv(path)
    message = caught.value.message
    assert message.startswith(f"{path} line 4: a field of ")
    assert "over lines 4-5001" in message and 'an unbalanced quote (")' in message


def test_a_stray_quote_past_the_csv_modules_field_limit_names_its_line(tmp_path: Path) -> None:
    path = numbers_file(tmp_path / "r.csv", n=8000, l4=STRAY)  # 200 KB after the quote
    with pytest.raises(RecipientsError) as caught:
        from_csv(path)
    assert caught.value.message.startswith(f"{path} line 4: a field over lines 4-")
    assert "(field larger than field limit (131072))" in caught.value.message


def test_a_quote_closed_a_few_lines_later_is_refused_too(tmp_path: Path) -> None:
    # The second stray quote closes the first: two rows vanish into one "number".
    path = numbers_file(tmp_path / "r.csv", l4=STRAY, l6='Cid,"34600000005,hi')
    with pytest.raises(RecipientsError, match=r"line 4: a field over lines 4-6 holds what look"):
        from_csv(path)
    with pytest.raises(ValueError, match="line 4: a field over lines 4-6"):
        csv_rows(path.read_text(encoding="utf-8"))


def test_cells_that_often_hold_newlines_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "name,mobile,address\n"
        'Ana,34600000001,"Calle Mayor 3,\nMadrid, 28001, Spain"\n'
        'Bea,34600000002,"Gran Via 1,\nMadrid, 28013, Spain"\n'
        '"Smith, Cid",34600000003,Sevilla\n',
        encoding="utf-8",
    )
    got = from_csv(path)
    assert [(r.row, r.to) for r in got.valid] == [(2, "34600000001"), (4, "34600000002"),
                                                  (6, "34600000003")]  # fmt: skip
    assert got.valid[1].vars == {"name": "Bea", "address": "Gran Via 1,\nMadrid, 28013, Spain"}


def test_a_field_far_longer_than_any_other_is_refused(tmp_path: Path) -> None:
    path = numbers_file(tmp_path / "r.csv", n=10, l3="Eve,34600000002," + "x" * (MAX_FIELD + 1))
    with pytest.raises(RecipientsError, match=rf"line 3: a field of {MAX_FIELD + 1:,} characters"):
        from_csv(path)


def test_the_cli_send_refuses_before_journaling_or_sending(
    account: str, nrs_server: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = numbers_file(tmp_path / "r.csv", l4=STRAY)
    code, _ = cli("sms", "send", "--from", "T", "--csv", str(path), "--message", "{note}", "--yes")
    err = capsys.readouterr().err
    assert code != 0 and f"{path} line 4: a field of " in err
    assert log_of(nrs_server).matching("POST", "/api/rest/sms") == []
    with Journal() as journal:
        assert journal.jobs() == []


async def test_the_contacts_import_stops_before_any_contact(
    nrs: Nrs360Backend,  # noqa: F811
    nrs_app: Starlette,  # noqa: F811
    tmp_path: Path,
) -> None:
    # Past the preview rows, so only the import meets it.
    rows = [f"p{i}@example.com,P{i}" for i in range(1, 40)]
    rows[30] = 'p31@example.com,"P31'
    request = request_for(tmp_path / "c.csv", "email,name\n" + "\n".join(rows) + "\n")
    result = await import_contacts(request, nrs)
    assert result.stopped is not None
    assert result.stopped.startswith(f"{tmp_path / 'c.csv'} line 32: a field over lines 32-40")
    assert (result.rows, result.created) == ([], 0)
    assert not nrs_app.state.log.matching("POST", CONTACTS)


NASTY = ["=1+2", "+34 600 111 333", "@SUM(A1)", "\tx", "\rx", "-x", "=cmd|' /C calc'!A0"]
PLAIN = ["-5", "+34600111333", "O'Brien", "plain", ""]


def test_what_the_writer_neutralised_reads_back_as_it_was(tmp_path: Path) -> None:
    buffer = io.StringIO(newline="")
    SafeCsv(buffer, ["a"] * len(NASTY + PLAIN)).write([NASTY + PLAIN])
    written = list(csv.reader(io.StringIO(buffer.getvalue())))[1]
    # What a spreadsheet sees: text, never a formula; real numbers stay numbers.
    assert written == ["'" + v for v in NASTY] + PLAIN
    _, (line, row) = read_rows(io.StringIO(buffer.getvalue(), newline=""), ",")
    assert (line, row) == (2, NASTY + PLAIN)

    # The contacts import reads our own export's phone and name as they were.
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        SafeCsv(fh, ["email", "phone", "name"]).write([("a@x.com", "+34 600 111 333", "=A1")])
    assert [row for _, row in iter_rows(read_csv_head(path))] == [
        ["a@x.com", "+34 600 111 333", "=A1"]
    ]


def test_csv_problems_name_their_line() -> None:
    text = 'to\n346\n"347\n348\n'
    with pytest.raises(CsvProblem) as caught:
        list(read_rows(io.StringIO(text, newline=""), ","))
    assert caught.value.line == 3


def test_report_exports_are_formula_safe(
    account: str, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    add_sending(nrs_server, 700, to=("34666555444",), fields=[{"code": NASTY[-1]}])
    target = tmp_path / "events.csv"
    code, out = cli("report", "events", "700", "--custom-fields", "--output", str(target))
    assert code == 0, out
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert rows and {r["code"] for r in rows} == {"'" + NASTY[-1]}
