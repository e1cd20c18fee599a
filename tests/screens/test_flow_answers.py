"""The Reports screen's flow answers tab on the XeroChat emulator."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Select, Static, TabbedContent

from backends.sandbox.xerochat.state import Flow
from screens.reports.flow_answers import FlowAnswersPane
from screens.widgets.common import ConfirmModal, ErrorModal
from tests.screens.conftest import SIZE, settle, type_into
from tests.screens.test_reports_screen import open_reports
from tui.app import SwitchboardApp

Console = Callable[..., SwitchboardApp]


def expected_counts(app: Any, flow_id: int) -> dict[str, Counter[str]]:
    """question text -> answer counts, straight from the emulator's data."""
    flow = app.state.xerochat.flows[flow_id]
    texts = dict(flow.questions)
    out: dict[str, Counter[str]] = {}
    for answers in flow.answers.values():
        for qid, answer in answers.items():
            out.setdefault(texts[qid], Counter())[answer] += 1
    return out


def shown_counts(screen: Screen[Any]) -> dict[str, Counter[str]]:
    labels = [str(label.render()) for label in screen.query("#flow-tables Label").results(Label)]
    tables = list(screen.query("#flow-tables DataTable").results(DataTable))
    out: dict[str, Counter[str]] = {}
    for label, table in zip(labels, tables, strict=True):
        question = label.rsplit(" — ", 1)[0]
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        out[question] = Counter({str(r[0]): int(r[1]) for r in rows})
    return out


async def export(pilot: Any, out: Path) -> list[dict[str, str]]:
    """Export the shown counts to `out` from the keyboard; the CSV's rows."""
    await type_into(pilot, "#flow-export-path", str(out))
    await pilot.press("enter")
    await settle(pilot)  # the file is written by a worker, in a thread
    with out.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


async def open_pane(pilot: Any) -> FlowAnswersPane:
    """F7, then the Flow answers tab (the only one XeroChat has)."""
    await open_reports(pilot)
    tabs = pilot.app.screen.query_one("#reports-tabs", TabbedContent)
    assert tabs.active == "flows"
    return pilot.app.screen.query_one(FlowAnswersPane)


async def load_flow(pilot: Any, flow_id: int) -> FlowAnswersPane:
    """The Flow answers tab with one flow's answers for all subscribers loaded."""
    pane = await open_pane(pilot)
    await settle(pilot)
    pane.query_one("#flow-select", Select).value = flow_id
    await pilot.click("#flow-load")
    await settle(pilot)
    return pane


async def test_counts_per_question_match_the_emulator_and_export_to_csv(
    sandbox_console: Console, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    emulator = provider_apps["xerochat"]
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        select = pane.query_one("#flow-select", Select)
        select.value = 2
        await pilot.click("#flow-load")
        await settle(pilot)
        expected = expected_counts(emulator, 2)
        assert shown_counts(app.screen) == expected
        status = str(pane.query_one("#flow-status", Static).render())
        respondents = len(emulator.state.xerochat.flows[2].answers)
        assert f"Customer feedback (#2) · all subscribers · {respondents} respondent" in status
        # Shares add up per question.
        first = pane.query("#flow-tables DataTable").results(DataTable).__next__()
        shares = [float(str(first.get_row_at(i)[2]).rstrip("%")) for i in range(first.row_count)]
        assert abs(sum(shares) - 100.0) < 0.5

        out = tmp_path / "answers.csv"
        rows = await export(pilot, out)
        from_csv: dict[str, Counter[str]] = {}
        for r in rows:
            from_csv.setdefault(r["question"], Counter())[r["answer"]] = int(r["count"])
        assert from_csv == expected

        # Exporting again asks before overwriting; Cancel keeps the file.
        out.write_text("keep me", encoding="utf-8")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.click("#no")
        await pilot.pause()
        assert out.read_text(encoding="utf-8") == "keep me"
        pane.query_one("#flow-export-path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert out.read_text(encoding="utf-8").startswith("question_id,question,answer,count")
    calls = [r.path for r in emulator.state.log.requests]
    assert any("get_all_subscriber_flow_info" in p for p in calls)


async def test_one_subscribers_answers(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    flow = provider_apps["xerochat"].state.xerochat.flows[1]
    psid, answers = next(iter(flow.answers.items()))
    texts = dict(flow.questions)
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        pane.query_one("#flow-select", Select).value = 1
        await type_into(pilot, "#flow-subscriber", psid)
        await pilot.press("enter")
        await settle(pilot)
        assert shown_counts(app.screen) == {texts[q]: Counter({a: 1}) for q, a in answers.items()}
        assert f"subscriber {psid}" in str(pane.query_one("#flow-status", Static).render())


async def test_load_needs_a_flow_and_errors_go_to_the_modal(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    emulator = provider_apps["xerochat"].state
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        await pilot.click("#flow-load")
        assert "Pick a flow campaign" in str(pane.query_one("#flow-error", Static).render())
        pane.query_one("#flow-select", Select).value = 1
        # A subscriber id is a number (the reference: "subscriber_id | Integer"): inline.
        await type_into(pilot, "#flow-subscriber", "no-such-subscriber")
        await pilot.press("enter")
        await settle(pilot)
        error = str(pane.query_one("#flow-error", Static).render())
        assert "subscriber_id field must contain a whole number" in error
        assert not isinstance(app.screen, ErrorModal)
        assert not [r for r in emulator.log.requests if "flow_info" in r.path]
        # A number no subscriber has: the provider's answer, in the modal.
        await type_into(pilot, "#flow-subscriber", "404")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ErrorModal)


async def test_the_tab_follows_the_account(sandbox_console: Console) -> None:
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        assert len(list(pane.query_one("#flow-select", Select)._options)) == 5  # prompt + 4
        tabs = app.screen.query_one("#reports-tabs", TabbedContent)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Reports: Flow answers" in titles and "Reports: Campaigns" not in titles

        # 360nrs has campaigns and no flows: the tab goes, the others come.
        app.active_account = "sandbox-360nrs"
        await settle(pilot)
        assert tabs.active == "campaigns"
        assert tabs.get_tab("flows").display is False
        app.active_account = "sandbox-xerochat"
        await settle(pilot)
        assert tabs.active == "flows"
        assert pane.summary == ()


async def test_a_question_nobody_answered_is_listed_and_exported(
    sandbox_console: Console, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    emulator = provider_apps["xerochat"]
    flow = emulator.state.xerochat.flows[2]
    flow.questions.insert(0, ("99", "Anything else to tell us?"))
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        await load_flow(pilot, 2)
        labels = [str(x.render()) for x in app.screen.query("#flow-tables Label").results(Label)]
        # The flow's order: the unanswered question first, as the flow lists it.
        assert labels[0] == "Anything else to tell us? — 0 response(s)"
        assert len(labels) == len(flow.questions)
        first = next(iter(app.screen.query("#flow-tables DataTable").results(DataTable)))
        assert first.get_row_at(0)[:2] == ["(no answers yet)", 0]
        out = tmp_path / "answers.csv"
        rows = await export(pilot, out)
        assert rows[0] == {
            "question_id": "",
            "question": "Anything else to tell us?",
            "answer": "",
            "count": "0",
            "share": "0.0%",
        }
    paths = [r.path for r in emulator.state.log.requests]
    assert any("get_flow_campaign_info" in p for p in paths)


async def test_questions_with_the_same_text_each_keep_their_answers(
    sandbox_console: Console, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    # The flow's info names questions by text only; two questions may read the same.
    provider_apps["xerochat"].state.xerochat.flows[9] = Flow(
        9,
        1,
        "Twice",
        [("1", "Why?"), ("2", "Why?"), ("3", "Anything else?")],
        {"p1": {"1": "Price", "2": "Speed"}, "p2": {"1": "Price"}},
    )
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        pane = await load_flow(pilot, 9)
        assert [(q.question_id, q.question, q.responses) for q in pane.summary] == [
            ("1", "Why?", 2),
            ("2", "Why?", 1),
            ("", "Anything else?", 0),
        ]
        rows = await export(pilot, tmp_path / "twice.csv")
        assert [(r["question_id"], r["answer"], r["count"]) for r in rows] == [
            ("1", "Price", "2"),
            ("2", "Speed", "1"),
            ("", "", "0"),
        ]


async def test_the_export_neutralises_formulas_and_replaces_the_file_whole(
    sandbox_console: Console, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    # Answers are free text typed by customers; a spreadsheet must not run them.
    provider_apps["xerochat"].state.xerochat.flows[9] = Flow(
        9, 1, "Sums", [("1", "Total?")], {"p1": {"1": "=1+1"}, "p2": {"1": "-3"}}
    )
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        pane = await load_flow(pilot, 9)
        (tmp_path / "out").mkdir()
        out = tmp_path / "out" / "sums.csv"
        rows = await export(pilot, out)
        assert sorted(r["answer"] for r in rows) == ["'=1+1", "-3"]
        assert "Exported 2 row(s)" in str(pane.query_one("#flow-status", Static).render())
        # Written next to the target and renamed over it: no temporary file is left.
        assert [p.name for p in out.parent.iterdir()] == ["sums.csv"]


async def test_a_multiple_choice_question_counts_each_option_per_respondent(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    flow = provider_apps["xerochat"].state.xerochat.flows[1]
    picks = [a["45"] for a in flow.answers.values() if "45" in a]
    assert any(", " in p for p in picks)  # the emulator answers several options joined
    expected = Counter(option for p in picks for option in p.split(", "))
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        await load_flow(pilot, 1)
        shown = shown_counts(app.screen)["What do you like to do?"]
        labels = [str(label.render()) for label in app.screen.query("#flow-tables Label")]
    assert shown == expected
    assert set(shown) == {"Reading", "Traveling", "Watching Movies"}
    assert f"What do you like to do? — {len(picks)} response(s)" in labels
