"""The Jobs screen driven through Pilot: the journal, resume on the job's account, export."""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Static

from backends.models.send import MailingRequest
from screens.jobs.screen import JobsScreen
from screens.widgets.common import ConfirmModal, ErrorModal, TypedConfirmModal
from tests.screens.conftest import SIZE, settle, type_into
from tui.app import SwitchboardApp
from tui.engine.journal import Journal, sandbox_path
from tui.engine.journal_rows import JobStatus, State
from tui.engine.pricing import Pricing
from tui.engine.sender import JobControl, create_channel_job, run_job
from tui.engine.sms_job import create_sms_job

SMS = "/api/rest/sms"


def numbers(n: int) -> list[str]:
    return [f"34600{i:06d}" for i in range(n)]


def text(app: SwitchboardApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def sent_to(provider_apps: dict[str, Any]) -> list[str]:
    posts = provider_apps["360nrs"].state.log.matching("POST", SMS)
    return [to for p in posts for to in p.json()["to"]]


def make_job(n: int = 5, account: str = "sandbox-360nrs", unknown: int = 0) -> int:
    """A journaled SMS job; the first `unknown` recipients left with an unknown outcome."""
    with Journal(sandbox_path()) as journal:
        job_id = create_sms_job(
            journal, account, "360nrs", "ACME", "Hello", [(to, None) for to in numbers(n)]
        )
        if unknown:
            claimed = journal.claim_batch(job_id, unknown)
            journal.mark_unknown(job_id, [c.seq for c in claimed], "outcome unknown: timeout")
    return job_id


async def pause_at_once(job_id: int, backend: Any) -> None:
    """Run a job through the engine with a pause requested before it sends anything."""
    control = JobControl()
    control.pause()
    with Journal(sandbox_path()) as journal:
        async for _ in run_job(journal, job_id, backend, control=control):
            pass


async def open_jobs(pilot: Any) -> JobsScreen:
    await settle(pilot)
    await pilot.press("f9")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, JobsScreen)
    return screen


@pytest.fixture
def app(sandbox_console: Callable[..., SwitchboardApp]) -> SwitchboardApp:
    return sandbox_console()


async def test_lists_jobs_with_totals_and_details(app: SwitchboardApp) -> None:
    first = make_job(3)
    second = make_job(4, unknown=1)
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        table = app.screen.query_one("#jobs-table", DataTable)
        assert table.row_count == 2
        # Newest first: id, account, channel, created, status, total, ok, rej, unk, pend.
        row = table.get_row_at(0)
        assert row[0] == str(second) and row[1] == "sandbox-360nrs" and row[2] == "sms"
        assert row[4:10] == ["PAUSED", "4", "0", "0", "1", "3"]
        assert row[10] == "not started"
        detail = text(app, "#job-detail")
        assert detail.startswith(f"Job {second} · SMS · account sandbox-360nrs (360nrs)")
        assert "1 recipients may or may not have received it" in detail
        await pilot.press("down")
        await settle(pilot)
        assert text(app, "#job-detail").startswith(f"Job {first} ·")


async def test_resume_a_paused_job_leaves_unknown_alone(
    app: SwitchboardApp, provider_apps: dict[str, Any]
) -> None:
    job_id = make_job(6, unknown=2)
    async with app.run_test(size=SIZE) as pilot:
        await pause_at_once(job_id, await app.backend("sandbox-360nrs"))
        assert Journal(sandbox_path()).job(job_id).pause_reason == "paused by the operator"
        await open_jobs(pilot)
        app.screen.query_one("#jobs-table").focus()
        await pilot.press("s")
        await settle(pilot)
        # Confirmed first, with what it sends: the 4 pending, not the 2 unknown.
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert f"Resume job {job_id} (SMS, account sandbox-360nrs): send to 4 recipients" in (
            modal.question
        )
        await pilot.click("#yes")
        await settle(pilot)
        # The 4 pending recipients went out; the 2 unknown ones were not re-sent.
        assert sorted(sent_to(provider_apps)) == numbers(6)[2:]
        journal = Journal(sandbox_path())
        totals = journal.totals(job_id)
        assert (totals.accepted, totals.unknown, totals.pending) == (4, 2, 0)
        assert journal.job(job_id).status is JobStatus.DONE
        assert text(app, "#progress-totals").startswith("accepted 4 · rejected 0 · unknown 2")
        row = app.screen.query_one("#jobs-table", DataTable).get_row_at(0)
        assert row[4] == "DONE"


async def test_resend_unknown_is_confirmed_first(
    app: SwitchboardApp, provider_apps: dict[str, Any]
) -> None:
    job_id = make_job(3, unknown=2)
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        await pilot.click("#resume-unknown")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert sent_to(provider_apps) == []

        await pilot.click("#resume-unknown")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert sorted(sent_to(provider_apps)) == numbers(3)
        totals = Journal(sandbox_path()).totals(job_id)
        assert (totals.accepted, totals.unknown) == (3, 0)


async def test_job_of_a_removed_account_is_explained(
    app: SwitchboardApp, provider_apps: dict[str, Any]
) -> None:
    make_job(2, account="old-account")
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        await pilot.click("#resume")
        await settle(pilot)
        assert "belongs to account 'old-account', which no longer exists" in text(
            app, "#jobs-error"
        )
        assert sent_to(provider_apps) == []


async def test_export_refuses_to_overwrite_unless_confirmed(
    app: SwitchboardApp, tmp_path: Path
) -> None:
    job_id = make_job(3, unknown=1)
    out = tmp_path / "job.csv"
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.click("#export")
        await settle(pilot)
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert [(r["to"], r["state"]) for r in rows] == [
            (numbers(3)[0], State.UNKNOWN.value),
            (numbers(3)[1], State.PENDING.value),
            (numbers(3)[2], State.PENDING.value),
        ]
        assert rows[0]["reason"] == "outcome unknown: timeout"
        assert text(app, "#export-status") == f"Wrote 3 recipients to {out}"

        out.write_text("older export", encoding="utf-8")
        # Enter in the path field exports too (a button ignores a second click within 0.2 s).
        app.screen.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert out.read_text(encoding="utf-8") == "older export"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 3
    assert job_id


def freeze_times(path: Path) -> None:
    """Fixed creation and update times, so a snapshot does not depend on the clock."""
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE jobs SET created_at = '2025-03-01T12:00:00+00:00'")
        db.execute("UPDATE recipients SET updated_at = '2025-03-01T12:00:05+00:00'")
    db.close()


def test_jobs_snapshot(snap_compare: Any, sandbox_console: Callable[..., SwitchboardApp]) -> None:
    make_job(3)
    make_job(5, unknown=2)
    freeze_times(sandbox_path())

    async def run_before(pilot: Any) -> None:
        await open_jobs(pilot)

    assert snap_compare(sandbox_console(), terminal_size=SIZE, run_before=run_before)


async def test_resume_above_100_needs_the_typed_count_and_shows_the_cost(
    app: SwitchboardApp, provider_apps: dict[str, Any]
) -> None:
    with Journal(sandbox_path()) as journal:
        rows = [(to, None, "ES") for to in numbers(150)]
        job_id = create_sms_job(journal, "sandbox-360nrs", "360nrs", "ACME", "Hello", rows,
                                pricing=Pricing({"ES": 0.05}, "EUR"))  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        assert "Cost so far ≈ 0.0000 EUR" in text(app, "#job-detail")
        await pilot.click("#resume")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, TypedConfirmModal) and modal.phrase == "150"
        assert f"Resume job {job_id} (SMS, account sandbox-360nrs)" in modal.question
        assert "send to 150 recipients (estimated cost ≈ 7.5000 EUR)?" in modal.question
        await pilot.press("escape")
        await settle(pilot)
        assert sent_to(provider_apps) == []
        await pilot.click("#resume")
        await settle(pilot)
        await type_into(pilot, "#phrase", "150")
        await pilot.press("enter")
        await settle(pilot)
        assert sorted(sent_to(provider_apps)) == numbers(150)
        assert text(app, "#progress-cost") == "cost so far ≈ 7.5000 EUR"


async def test_an_email_job_resumes_and_a_credit_pause_opens_a_dialog(
    app: SwitchboardApp, provider_apps: dict[str, Any]
) -> None:
    template = MailingRequest(to=(), sender_email="news@example.com", subject="Hi",
                              reply_to="help@example.com", body="<p>Hi {name}</p>")  # fmt: skip
    with Journal(sandbox_path()) as journal:
        job_id = create_channel_job(journal, "sandbox-360nrs", "360nrs", template,
                                    [("ana@example.com", {"name": "Ana"})])  # fmt: skip
    nrs = provider_apps["360nrs"].state.nrs
    nrs.balance_cents = 0
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        detail = text(app, "#job-detail")
        assert detail.startswith(f"Job {job_id} · email · account sandbox-360nrs")
        assert "From news@example.com: Hi" in detail
        await pilot.click("#resume")
        await settle(pilot)
        assert "no prices were journaled with it" in app.screen.query_one("Static").render().plain
        await pilot.click("#yes")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ErrorModal)
        assert dialog.title_text == "Not enough credit (HTTP 402 · code 111)"
        await pilot.press("escape")
        await settle(pilot)
        assert text(app, "#progress-title") == f"Job {job_id} · PAUSED"
        assert text(app, "#progress-reason").startswith("Not enough credit: ")

        nrs.balance_cents = 10**6
        await pilot.click("#resume")
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
        assert not isinstance(app.screen, ErrorModal)
        posts = provider_apps["360nrs"].state.log.matching("POST", "/api/rest/mailing")
        assert [p.json()["sub"] for p in posts] == [[{"name": "Ana"}], [{"name": "Ana"}]]
        assert Journal(sandbox_path()).job(job_id).status is JobStatus.DONE


async def test_a_job_left_running_by_a_dead_process_shows_as_interrupted(
    app: SwitchboardApp,
) -> None:
    job_id = make_job(2)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    db = sqlite3.connect(sandbox_path())
    with db:
        db.execute("UPDATE jobs SET status = 'RUNNING', pid = ? WHERE id = ?", (dead.pid, job_id))
    db.close()
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        row = app.screen.query_one("#jobs-table", DataTable).get_row_at(0)
        resume = f"resume with: switchboard jobs resume {job_id}"
        assert (row[4], row[10]) == ("interrupted", resume)
        assert f"Status interrupted — {resume}" in text(app, "#job-detail")


async def test_sandbox_jobs_have_their_own_journal_and_the_screen_says_which(
    sandbox_console: Callable[..., SwitchboardApp],
) -> None:
    """Issue 15: practice sends on the console's sandbox accounts never mix with the jobs of
    real accounts; the Jobs screen names the journal it shows."""
    from tui.engine.journal import default_path

    with Journal(default_path()) as journal:  # a real account's job
        create_sms_job(journal, "acme-prod", "360nrs", "ACME", "Hi", [("34600000001", None)])
    sandbox_job = make_job(3)
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(pilot)
        assert text(app, "#jobs-journal") == ("Journal: sandbox-journal.sqlite3 (sandbox accounts)")
        table = screen.query_one("#jobs-table", DataTable)
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == ["sandbox-360nrs"]
        assert screen.journal_path == sandbox_path() != default_path()
    with Journal(default_path()) as journal:
        assert [j.account for j in journal.jobs()] == ["acme-prod"]
    with Journal(sandbox_path()) as journal:
        assert [j.id for j in journal.jobs()] == [sandbox_job]
