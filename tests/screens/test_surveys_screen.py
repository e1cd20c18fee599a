"""The Surveys screen (F10) per provider path, asserting what reached each emulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Select, Static

from backends.models.surveys import SurveyMedium
from backends.sandbox.collect import DEMO_CAMPAIGN_ID, DEMO_CONTACT_ID
from backends.sandbox.eightbyeight import DEMO_SUBACCOUNT, DEMO_SURVEY
from backends.sandbox.xebo import DEMO_ACCESS_TOKEN, DEMO_COLLECTOR_ID
from screens.jobs.screen import JobsScreen
from screens.surveys.screen import SurveysScreen
from screens.widgets.common import ConfirmModal, ErrorModal, TypedConfirmModal
from tests.screens.conftest import SIZE, settle, type_into
from tui.app import SwitchboardApp
from tui.engine.journal import Journal, sandbox_path
from tui.engine.journal_rows import JobStatus, State

Console = Callable[..., SwitchboardApp]
BATCH_PATH = f"/api/v1/subaccounts/{DEMO_SUBACCOUNT}/surveys/{DEMO_SURVEY}/messages/batch"
XEBO_PATH = f"/v2/api/collectors/{DEMO_COLLECTOR_ID}/combined/auto"


def text(app: SwitchboardApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def confirm(pilot: Any) -> None:
    """Answer the confirmation (typing the count when it asks for it)."""
    await settle(pilot)  # the form is checked in a worker
    modal = pilot.app.screen
    if isinstance(modal, TypedConfirmModal):
        await pilot.press(*modal.phrase, "enter")
    else:
        assert isinstance(modal, ConfirmModal)
        await pilot.click("#yes")
    await settle(pilot)


# --- Xebo ----------------------------------------------------------------------------------


async def test_xebo_csv_fields_reach_the_provider_and_rejects_are_listed(
    sandbox_console: Console, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    csv_file = tmp_path / "people.csv"
    # 123456 is a number (the kind SMS needs) that the provider still rejects.
    csv_file.write_text("mobile,name,city\n+34666555444,Ana,Madrid\n123456,Bo,Lugo\n", "utf-8")
    app = sandbox_console("sandbox-xebo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, SurveysScreen)
        await type_into(pilot, "#xebo-to", "+34666555445")
        await type_into(pilot, "#xebo-csv", str(csv_file))
        await pilot.press("ctrl+s")
        await confirm(pilot)
        assert text(app, "#xebo-counts").startswith("Accepted: 2 · Rejected: 1")
        table = app.screen.query_one("#xebo-rejected", DataTable)
        assert table.row_count == 1
        assert table.get_row_at(0)[0] == "123456"
    # Journaled (issue 11): each contact's outcome is in the job, which Jobs lists.
    with Journal(sandbox_path()) as journal:
        (job, totals, _) = journal.overview()[0]
        assert (job.channel, job.account) == ("survey", "sandbox-xebo")
        assert (totals.accepted, totals.rejected, totals.total) == (2, 1, 3)
    (request,) = provider_apps["xebo"].state.log.matching("POST", XEBO_PATH)
    body = request.json()
    assert body["medium"] == 1
    assert body["contacts"] == [
        {"mobile": "+34666555445"},
        {"mobile": "+34666555444", "name": "Ana", "city": "Madrid"},
        {"mobile": "123456", "name": "Bo", "city": "Lugo"},
    ]


@pytest.mark.parametrize(
    ("medium", "typed", "error"),
    [
        # The reported bug: emails typed for SMS were one "repeated" empty number.
        (None, "ana@example.com, bo@example.com", "#1 'ana@example.com' is not a mobile number"),
        (None, "+34666555444, bo@example.com", "#2 'bo@example.com' is not a mobile number"),
        ("email", "+34666555444", "#1 '+34666555444' is not an email address"),
    ],
)
async def test_xebo_address_of_the_wrong_kind_is_an_inline_error(
    sandbox_console: Console,
    provider_apps: dict[str, Any],
    medium: str | None,
    typed: str,
    error: str,
) -> None:
    app = sandbox_console("sandbox-xebo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        if medium == "email":
            app.screen.query_one("#xebo-medium", Select).value = SurveyMedium.EMAIL
            await settle(pilot)
        await type_into(pilot, "#xebo-to", typed)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SurveysScreen)  # no confirmation, no error dialog
        assert error in text(app, "#xebo-error")
        assert text(app, "#xebo-counts") == "Nothing sent yet."
    assert provider_apps["xebo"].state.log.matching("POST", XEBO_PATH) == []


async def test_xebo_csv_headers_in_any_case_and_repeated_numbers_sent_once(
    sandbox_console: Console, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    csv_file = tmp_path / "people.csv"
    # Semicolons, as a Spanish-locale spreadsheet writes them; a quoted cell on two lines.
    csv_file.write_text(
        'Mobile;Name;Note\n+34666555444;Ana;"line one\nline two"\n+34 666 555 444;Ana again;\n',
        "utf-8",
    )
    app = sandbox_console("sandbox-xebo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#xebo-csv", str(csv_file))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "(1 repeated address(es) left out.)" in app.screen.question  # type: ignore[attr-defined]
        await confirm(pilot)
    (request,) = provider_apps["xebo"].state.log.matching("POST", XEBO_PATH)
    assert request.json()["contacts"] == [
        {"mobile": "+34666555444", "Name": "Ana", "Note": "line one\nline two"}
    ]


async def test_xebo_email_needs_an_email_for_everyone(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-xebo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        app.screen.query_one("#xebo-medium", Select).value = SurveyMedium.EMAIL
        await pilot.click("#xebo-send")
        await settle(pilot)
        assert "Type at least one address" in text(app, "#xebo-error")
        await type_into(pilot, "#xebo-to", "ana@example.com")
        await pilot.press("enter")
        await confirm(pilot)
        assert text(app, "#xebo-counts").startswith("Accepted: 1 · Rejected: 0")
    (request,) = provider_apps["xebo"].state.log.matching("POST", XEBO_PATH)
    assert request.json()["medium"] == 2


async def test_xebo_expired_token_explains_the_24_hours(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    state = provider_apps["xebo"].state.xebo
    state.access_tokens[DEMO_ACCESS_TOKEN] = state.now - timedelta(hours=25)
    app = sandbox_console("sandbox-xebo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#xebo-to", "+34666555445")
        await pilot.press("enter")
        await confirm(pilot)
        modal = app.screen
        assert isinstance(modal, ErrorModal)
        assert "HTTP 401" in modal.title_text
        assert "expires after 24 hours" in modal.message
        await pilot.press("escape")
        # A paused job (issue 11: survey sends are journaled), resumable from Jobs.
        counts = text(app, "#xebo-counts")
        assert counts.startswith("Not sent. Accepted: 0") and "Job 1 paused" in counts
        with Journal(sandbox_path()) as journal:
            (job, totals, _) = journal.overview()[0]
            assert (job.channel, job.status.value, totals.pending) == ("survey", "PAUSED", 1)

        # The secret is fixed: the Jobs screen resumes the job on its account.
        state.access_tokens[DEMO_ACCESS_TOKEN] = state.now
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, JobsScreen)
        assert text(app, "#job-detail").startswith(f"Job {job.id} · survey · account sandbox-xebo")
        assert "Survey invitations by SMS" in text(app, "#job-detail")
        await pilot.click("#resume")
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
    with Journal(sandbox_path()) as journal:
        assert journal.job(job.id).status is JobStatus.DONE
        assert journal.totals(job.id).accepted == 1
    (sent,) = state.sends  # surveyed once
    assert sent.contacts == [{"mobile": "+34666555445"}]


# --- Collect -------------------------------------------------------------------------------


async def test_collect_new_contact_request_shows_portal_and_status(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-collect")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#collect-campaign", DEMO_CAMPAIGN_ID)
        await type_into(pilot, "#collect-email", "jane@example.com")
        await type_into(pilot, "#collect-first", "Jane")
        await type_into(pilot, "#collect-items", "idCard, proofOfAddress")
        await type_into(pilot, "#collect-data", '{"policy": "A-12"}')
        await type_into(pilot, "#collect-due", "2025-03-31T18:00:00+02:00")
        await pilot.press("ctrl+s")
        await confirm(pilot)
        assert text(app, "#collect-portal").startswith("Portal URL: http")
        assert "pending" in text(app, "#collect-status")
    (request,) = provider_apps["collect"].state.log.matching("POST", "/v1/request")
    assert request.json() == {
        "campaignId": DEMO_CAMPAIGN_ID,
        "contact": {"email": "jane@example.com", "firstName": "Jane"},
        "items": ["idCard", "proofOfAddress"],
        "data": {"policy": "A-12"},
        "dueDate": "2025-03-31T16:00:00Z",
    }


async def test_collect_bad_input_stays_inline_and_sends_nothing(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-collect")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#collect-campaign", DEMO_CAMPAIGN_ID)
        await type_into(pilot, "#collect-contact-id", DEMO_CONTACT_ID)
        await type_into(pilot, "#collect-data", "{policy}")
        await pilot.press("enter")
        assert "Request data is not valid JSON" in text(app, "#collect-error")
        await type_into(pilot, "#collect-data", "")
        await type_into(pilot, "#collect-due", "31/03/2025")
        await pilot.press("enter")
        assert "Due date: not a date-time: '31/03/2025'" in text(app, "#collect-error")
        await type_into(pilot, "#collect-due", "")
        await type_into(pilot, "#collect-email", "x@example.com")
        await pilot.press("enter")
        assert "not both" in text(app, "#collect-error")
        # "The object must contain 2 parameters: 'itemId' and 'url'": a link to open.
        await type_into(pilot, "#collect-email", "")
        await type_into(pilot, "#collect-sample-item", "idCard")
        await type_into(pilot, "#collect-sample-url", "example.com/id.pdf")
        await pilot.press("enter")
        assert "is not an http(s) URL" in text(app, "#collect-error")
        await type_into(pilot, "#collect-sample-item", "")
        await type_into(pilot, "#collect-sample-url", "")
        await type_into(pilot, "#collect-contact-id", "")
        await type_into(pilot, "#collect-email", "jane@localhost")
        await pilot.press("enter")
        assert "'jane@localhost' is not an email address" in text(app, "#collect-error")
        assert not isinstance(app.screen, ConfirmModal)
    assert len(provider_apps["collect"].state.log) == 0


async def test_collect_error_statuses_are_explained(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    state = provider_apps["collect"].state.collect
    expected = {
        403: "hidden for administrators only",
        404: "could not be found",
        429: "too many requests",
        500: "may or may not have been created",
        503: "offline for maintenance",
    }
    app = sandbox_console("sandbox-collect")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#collect-campaign", DEMO_CAMPAIGN_ID)
        await type_into(pilot, "#collect-contact-id", DEMO_CONTACT_ID)
        for status, meaning in expected.items():
            state.faults.append(status)
            await pilot.press("ctrl+s")
            await confirm(pilot)
            modal = app.screen
            assert isinstance(modal, ErrorModal), status
            assert f"HTTP {status}" in modal.title_text
            assert meaning in modal.message
            await pilot.press("escape")
        # A 400 from the provider itself: an unknown item of the campaign.
        await type_into(pilot, "#collect-items", "noSuchItem")
        await pilot.press("ctrl+s")
        await confirm(pilot)
        modal = app.screen
        assert isinstance(modal, ErrorModal)
        assert "HTTP 400" in modal.title_text or "HTTP 404" in modal.title_text


# --- 8x8 -----------------------------------------------------------------------------------


async def test_batch_of_25000_goes_as_three_engine_batches(
    sandbox_console: Console, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    rows = [f"+6590{i:06d},n{i}" for i in range(25_000)]
    rows[3] = "+9991234567,bad"
    csv_file = tmp_path / "many.csv"
    csv_file.write_text("destination,name\n" + "\n".join(rows) + "\n", "utf-8")
    app = sandbox_console("sandbox-8x8")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        # The survey field is left empty: the account's default survey is sent.
        await type_into(pilot, "#batch-template", "Hi {{name}}: {{url:}}")
        await type_into(pilot, "#batch-client-id", "SPRING")
        await type_into(pilot, "#batch-csv", str(csv_file))
        await pilot.press("ctrl+s")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, TypedConfirmModal) and modal.phrase == "25000"
        await confirm(pilot)
        assert "24999 queued, 1 rejected, 0 unknown" in text(app, "#batch-totals")
        assert "DONE" in text(app, "#batch-totals")
        table = app.screen.query_one("#batch-results", DataTable)
        assert table.get_row_at(0)[:2] == ["+9991234567", "REJECTED"]
        assert table.row_count == 500
    requests = provider_apps["8x8"].state.log.matching("POST", BATCH_PATH)
    assert sorted(len(r.json()["messages"]) for r in requests) == [5_000, 10_000, 10_000]
    assert {r.json()["clientBatchId"] for r in requests} == {"SPRING-1", "SPRING-2", "SPRING-3"}
    with Journal(sandbox_path()) as journal:
        (job,) = journal.jobs()
        assert (job.channel, job.account) == ("survey-batch", "sandbox-8x8")
        totals = journal.totals(job.id)
        assert (totals.accepted, totals.rejected, totals.total) == (24_999, 1, 25_000)
        (rejected,) = journal.recipients(job.id, State.REJECTED)
        assert rejected.to == "+9991234567"


async def test_batch_typed_numbers_with_options_and_validation(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-8x8")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#batch-to", "98760001, 98760002")
        await type_into(pilot, "#batch-template", "Rate us")
        await pilot.press("enter")
        assert "{{url:}}" in text(app, "#batch-error")
        await type_into(pilot, "#batch-template", "Rate us {{url:}}")
        await type_into(pilot, "#batch-survey", "bad id")
        await pilot.press("enter")
        assert "Invalid 8x8 surveyId" in text(app, "#batch-error")
        await type_into(pilot, "#batch-survey", DEMO_SURVEY)
        # destination: "Value must match regular expression ^\+{0,1}[1-9]{1}[0-9]{6,14}$"
        await type_into(pilot, "#batch-to", "98760001, 098760002")
        await pilot.press("enter")
        assert "(098760002): Invalid MSISDN format" in text(app, "#batch-error")
        await type_into(pilot, "#batch-to", "98760001, 98760002")
        await type_into(pilot, "#batch-country", "SG")
        await type_into(pilot, "#batch-scheduled", "2025-03-11T09:30+08:00")
        assert text(app, "#batch-scheduled-utc") == "sent as 2025-03-11 01:30 UTC"
        app.screen.query_one("#batch-encoding", Select).value = "UCS2"
        await type_into(pilot, "#batch-dlr", "https://example.com/dlr")
        await pilot.press("enter")
        assert len(provider_apps["8x8"].state.log) == 0
        await confirm(pilot)
        assert "2 queued, 0 rejected" in text(app, "#batch-totals")
    (request,) = provider_apps["8x8"].state.log.requests
    body = request.json()
    assert body["template"] == {
        "templateBody": "Rate us {{url:}}",
        "encoding": "UCS2",
        "scheduled": "2025-03-11T01:30:00Z",
        "dlrCallbackUrl": "https://example.com/dlr",
    }
    assert [m["country"] for m in body["messages"]] == ["SG", "SG"]


async def test_a_provider_without_surveys_gets_a_notice_and_the_form_follows_the_account(
    sandbox_console: Console,
) -> None:
    app = sandbox_console("sandbox-360nrs")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        notice = app.screen.query_one("#surveys-notice", Static)
        assert notice.display
        assert "does not offer survey sends, document requests or survey batches" in text(
            app, "#surveys-notice"
        )
        assert not app.screen.query_one("#surveys-forms").display
        app.active_account = "sandbox-collect"
        await pilot.pause()
        assert not notice.display
        assert app.screen.query_one("#surveys-forms").current == "surveys-collect"  # type: ignore[attr-defined]
