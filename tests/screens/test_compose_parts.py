"""Compose and Jobs send SMS with the counted `encoding` and `parts` (issue 10, point 1).

The console runs on a 360nrs sandbox over a real loopback socket; the sandbox counts the
text each recipient gets and answers 105 when `parts` is below the need, as the provider.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import TextArea

from backends.sandbox.core import RequestLog, SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from screens.compose.screen import ComposeScreen
from screens.jobs.screen import JobsScreen
from tests.screens.conftest import SIZE, settle
from tests.screens.test_compose_screen import fill_sms, open_compose, send_and_answer, write_csv
from tests.tui.test_sms_parts import EURO_AT_BOUNDARY, GSM_200, UCS2_TEXT, strict_rules
from tui.app import SwitchboardApp
from tui.config import Account
from tui.engine.journal import Journal, sandbox_path
from tui.engine.journal_rows import JobStatus
from tui.engine.sms_job import create_sms_job
from tui.secrets import SecretStore
from tui.workspace import Workspace

ACCOUNT = "live-360nrs"


def log_of(server: SandboxServer) -> RequestLog:
    log: RequestLog = server.app.state.log  # type: ignore[attr-defined]
    return log


def sms_bodies(server: SandboxServer) -> list[dict[str, Any]]:
    return [r.json() for r in log_of(server).matching("POST", "/api/rest/sms")]


@pytest.fixture
def app(config_dir: Path, secrets: SecretStore, nrs_server: SandboxServer) -> SwitchboardApp:
    """The console with one account on the socket sandbox (no in-process transport)."""
    ws = Workspace(config_dir, secrets=secrets)
    ws.add_ephemeral(
        Account(
            name=ACCOUNT,
            provider="360nrs",
            base_url=nrs_server.url + "/api/rest",
            username=DEMO_USERNAME,
        ),
        DEMO_PASSWORD,
    )
    console = SwitchboardApp(ws, start_sandbox=False)
    console.active_account = ACCOUNT
    return console


def form_error(app: SwitchboardApp) -> str:
    return str(app.screen.query_one("#form-error").render())


@pytest.mark.parametrize(
    ("message", "encoding", "parts"),
    [(GSM_200, "gsm", 2), (UCS2_TEXT, "utf-16", 2), (EURO_AT_BOUNDARY, "gsm", 3)],
    ids=["gsm-200", "ucs2-emoji", "euro-at-boundary"],
)
async def test_compose_sends_the_counted_encoding_and_parts(
    app: SwitchboardApp, nrs_server: SandboxServer, message: str, encoding: str, parts: int
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, "34600000001", message)
        await send_and_answer(pilot, confirm=True)
        (sent,) = sms_bodies(nrs_server)
        assert (sent["encoding"], sent["parts"]) == (encoding, parts)
        with Journal(sandbox_path()) as journal:
            (job,) = journal.jobs()
            assert journal.totals(job.id).accepted == 1
            assert job.message["options"]["parts"] == parts


async def test_compose_csv_variables_push_some_recipients_into_a_second_part(
    app: SwitchboardApp, nrs_server: SandboxServer, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "people.csv",
        [
            {"phone": "34600000001", "name": "Ana"},
            {"phone": "34600000002", "name": "Maximiliano Bartolomé"},
        ],
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, str(path), "Dear {name}, " + "y" * 140, source="csv")
        await pilot.click("#check")
        await settle(pilot)
        preflight = str(app.screen.query_one("#preflight").render())
        # The preflight's numbers are the request's: 1-2 parts, the request says 2.
        assert "Parts: 3 in all, 1-2 per message (gsm" in preflight
        assert "Request: encoding gsm, parts 2" in preflight
        await send_and_answer(pilot, confirm=True)
        (sent,) = sms_bodies(nrs_server)
        assert (sent["encoding"], sent["parts"]) == ("gsm", 2)
        with Journal(sandbox_path()) as journal:
            (job,) = journal.jobs()
            assert sorted(r.parts or 0 for r in journal.recipients(job.id)) == [1, 2]


async def test_compose_refuses_a_text_above_15_parts_inline(
    app: SwitchboardApp, nrs_server: SandboxServer
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, "34600000001", "w" * (15 * 153 + 1))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ComposeScreen)  # no confirmation was asked
        assert form_error(app) == (
            "Cannot send: the text needs 16 parts in gsm; at most 15 are allowed."
        )
        assert sms_bodies(nrs_server) == []
        assert not sandbox_path().exists() or Journal(sandbox_path()).jobs() == []


async def test_jobs_resume_sends_the_plan_of_new_and_old_jobs(
    app: SwitchboardApp, nrs_server: SandboxServer
) -> None:
    with Journal(sandbox_path()) as journal:
        new = create_sms_job(journal, ACCOUNT, "360nrs", "ACME", UCS2_TEXT, [("34600000001", None)])
        # Journaled before the plan existed: no encoding, no parts.
        old = journal.create_job(
            account=ACCOUNT,
            provider="360nrs",
            channel="sms",
            message={"sender": "ACME", "message": GSM_200, "options": {}},
            recipients=[("34600000002", None, None)],
        )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, JobsScreen)
        for _ in (old, new):  # newest first: the old-style job is the first row
            app.screen.query_one("#jobs-table").focus()
            await pilot.press("s")
            await settle(pilot)
            await pilot.click("#yes")
            await settle(pilot)
            await pilot.press("down")
            await settle(pilot)
    bodies = {b["to"][0]: (b["encoding"], b["parts"]) for b in sms_bodies(nrs_server)}
    assert bodies == {"34600000001": ("utf-16", 2), "34600000002": ("gsm", 2)}
    with Journal(sandbox_path()) as journal:
        assert {journal.job(j).status for j in (new, old)} == {JobStatus.DONE}


async def test_a_send_the_rules_refuse_is_an_inline_error_with_nothing_journaled(
    app: SwitchboardApp, nrs_server: SandboxServer
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        backend = await app.backend(ACCOUNT)
        backend.http.rules = strict_rules()
        await open_compose(pilot)
        await fill_sms(pilot, "34600000001", GSM_200)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ComposeScreen)
        assert form_error(app) == "Cannot send: 360nrs: parts above 1 refused here."
        assert sms_bodies(nrs_server) == []
        assert not sandbox_path().exists() or Journal(sandbox_path()).jobs() == []


async def test_compose_landing_carries_the_counted_parts(
    app: SwitchboardApp, nrs_server: SandboxServer
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot, "landing")
        # 136 characters and {LAND_URL}, counted as the 25-character link it becomes.
        await fill_sms(pilot, "34600000001", "m" * 132 + " at {LAND_URL}")
        screen.query_one("#html", TextArea).text = "<h1>Hi</h1>"
        await pilot.pause()
        await send_and_answer(pilot, confirm=True)
        (post,) = log_of(nrs_server).matching("POST", "/api/rest/landingsms")
        assert (post.json()["encoding"], post.json()["parts"]) == ("gsm", 2)
        with Journal(sandbox_path()) as journal:
            (job,) = journal.jobs()
            assert journal.totals(job.id).accepted == 1
