"""The Reports screen's Campaigns and Coverage tabs, driven through Pilot against the sandbox."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import Button, DataTable, Input, Select, Static, TabbedContent

from backends.models.send import VoiceRequest
from backends.sandbox.nrs360 import create_app
from backends.sandbox.nrs360.coverage import COUNTRIES
from backends.sandbox.nrs360.reports_gen import event_counts, key_events, sending_events
from screens.reports.screen import ReportsScreen
from screens.widgets.common import ConfirmModal, ErrorModal
from tests.screens.conftest import SIZE, FakeClock, settle, type_into
from tui.app import SwitchboardApp

CAMPAIGNS = "/api/rest/campaigns"
VOICE_TO = ("34911222333", "34911222334", "34911222335", "34911222336", "34911222337")


@pytest.fixture
def sandbox_app(sandbox_clock: FakeClock) -> Starlette:
    """The emulator with its two past campaigns (Spring sale SMS, November newsletter)."""
    return create_app(clock=sandbox_clock, history=True)


def text(app: SwitchboardApp, selector: str) -> str:
    """The plain text a Static shows."""
    return str(app.screen.query_one(selector, Static).render())


async def open_reports(pilot: Any) -> ReportsScreen:
    await settle(pilot)
    await pilot.press("f7")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen)
    return screen


def table_rows(app: SwitchboardApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def highlight(pilot: Any, sending_id: int) -> None:
    """Move the campaigns table's cursor to a sending and focus the table."""
    table = pilot.app.screen.query_one("#campaigns-table", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(str(sending_id)))
    await pilot.pause()


def chart_counts(app: SwitchboardApp) -> dict[str, int]:
    """Label -> count, read back from the drawn chart."""
    out = {}
    for line in text(app, "#sending-chart").splitlines():
        match = re.match(r"^([A-Za-z ]+?) +[█▏▎▍▌▋▊▉]* *│ +(\d+) +[\d.]+%$", line)
        assert match, line
        out[match.group(1)] = int(match.group(2))
    return out


def emulator_counts(sandbox_app: Starlette, sending_id: int) -> dict[str, int]:
    nrs = sandbox_app.state.nrs
    return event_counts(sending_events(nrs.sending.sendings[sending_id], nrs.now()))


def sending_id_of(sandbox_app: Starlette, name: str) -> int:
    nrs = sandbox_app.state.nrs
    (campaign_id,) = [c.id for c in nrs.sending.campaigns.values() if c.name == name]
    (sending,) = [s for s in nrs.sending.sendings.values() if s.campaign_id == campaign_id]
    return int(sending.id)


async def test_filters_reach_the_emulator_rfc3986_encoded(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        # Opening the screen lists every campaign, unfiltered.
        first = sandbox_app.state.log.matching("GET", CAMPAIGNS)
        assert [r.query_string for r in first] == [""]
        assert [row[0] for row in table_rows(app, "#campaigns-table")] == [
            "Spring sale",
            "November newsletter",
        ]

        app.screen.query_one("#campaign-name", Input).value = "spring*"
        app.screen.query_one("#campaign-channel", Select).value = "sms"
        app.screen.query_one("#campaign-from", Input).value = "2025-02-01"
        await type_into(pilot, "#campaign-to", "2025-02-25")
        await pilot.press("enter")
        await settle(pilot)

        last = sandbox_app.state.log.matching("GET", CAMPAIGNS)[-1]
        # `*` and the `+` of the offset are percent-encoded; a bare "to" date covers its day.
        assert last.query_string == (
            "name=spring%2A&channel=sms"
            "&beforeDate=2025-02-26T00%3A00%3A00%2B00%3A00"
            "&afterDate=2025-02-01T00%3A00%3A00%2B00%3A00"
        )
        assert [row[0] for row in table_rows(app, "#campaigns-table")] == ["Spring sale"]

        # The newsletter was created 3 days ago (2025-02-26): outside the window, not listed.
        app.screen.query_one("#campaign-name", Input).value = ""
        app.screen.query_one("#campaign-channel", Select).clear()
        await pilot.click("#campaign-search")
        await settle(pilot)
        assert [row[0] for row in table_rows(app, "#campaigns-table")] == ["Spring sale"]
        assert sandbox_app.state.log.matching("GET", CAMPAIGNS)[-1].query == {
            "beforeDate": ["2025-02-26T00:00:00+00:00"],
            "afterDate": ["2025-02-01T00:00:00+00:00"],
        }


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            "yesterday",
            "",
            "Not a date-time: 'yesterday'; type ISO 8601, e.g. 2026-11-24 09:00 (local time) "
            "or 2026-11-24T09:00+01:00.",
        ),
        ("2025-03-01", "2025-02-01", "The 'from' date must be before the 'to' date."),
    ],
)
async def test_bad_dates_are_refused_inline_without_a_request(
    sandbox_console: Callable[..., SwitchboardApp],
    sandbox_app: Starlette,
    start: str,
    end: str,
    message: str,
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        before = len(sandbox_app.state.log)
        app.screen.query_one("#campaign-from", Input).value = start
        app.screen.query_one("#campaign-to", Input).value = end
        await pilot.click("#campaign-search")
        await settle(pilot)
        assert text(app, "#campaign-filter-error") == message
        assert len(sandbox_app.state.log) == before
        assert not isinstance(app.screen, ErrorModal)


async def test_chart_counts_and_cost_match_the_emulator(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        for name in ("Spring sale", "November newsletter"):
            sending_id = sending_id_of(sandbox_app, name)
            await highlight(pilot, sending_id)
            counts = emulator_counts(sandbox_app, sending_id)
            assert chart_counts(app) == {
                "Sent": counts["sent"],
                "Delivered": counts["delivered"],
                "Opened": counts["opened"],
                "Clicked": counts["clicked"],
                "Bounced": counts["hard_bounced"] + counts["soft_bounced"],
                "Not delivered": counts["undelivered"] + counts["rejected"] + counts["expired"],
                "Unsubscribed": counts["unsubscribed"] + counts["unsubscribed_landing"],
            }
            assert text(app, "#sending-title").startswith(f"{name} · sending {sending_id}")
        # The newsletter (30 emails, 1 cent each) is the last one highlighted.
        assert text(app, "#sending-cost") == "Cost 0.30 EUR · 30 of 30 processed"
        delivered = emulator_counts(sandbox_app, sending_id)["delivered"]
        share = f"{100 * delivered / 30:5.1f}%"
        assert any(
            line.startswith("Delivered") and line.endswith(share)
            for line in text(app, "#sending-chart").splitlines()
        )
        # Not a voice sending: no keystroke report to offer.
        assert not app.screen.query_one("#show-keys", Button).display


async def test_events_table_filters_and_exports_what_matches(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette, tmp_path: Path
) -> None:
    app = sandbox_console()
    sending_id = sending_id_of(sandbox_app, "Spring sale")
    counts = emulator_counts(sandbox_app, sending_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        await highlight(pilot, sending_id)
        await pilot.press("v")
        await settle(pilot)

        report_path = f"/api/rest/sendings/{sending_id}/reports/events"
        assert len(sandbox_app.state.log.matching("GET", report_path)) == 1
        rows = table_rows(app, "#events-table")
        assert (
            len(rows) == sum(counts.values()) - counts["opened_unique"] - counts["clicked_unique"]
        )
        assert text(app, "#events-count") == f"{len(rows)} of {len(rows)} events match"

        # Only the event column, so a URL or OS containing the word would not count.
        columns = [
            str(c.label) for c in app.screen.query_one("#events-table", DataTable).columns.values()
        ]
        app.screen.query_one("#events-column", Select).value = columns.index("event")
        await type_into(pilot, "#events-filter", "CLICKED")
        await pilot.pause()
        clicked = table_rows(app, "#events-table")
        assert len(clicked) == counts["clicked"] > 0
        assert {row[columns.index("event")] for row in clicked} == {"clicked"}

        target = tmp_path / "clicks.csv"
        app.screen.query_one("#export-path", Input).value = str(target)
        app.screen.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        written = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
        assert written[0] == columns
        assert written[1:] == clicked
        assert text(app, "#export-result") == f"Wrote {len(clicked)} events to {target}."

        # Exporting again asks first; Cancel keeps the file as it was.
        target.write_text("keep me", encoding="utf-8")
        await pilot.click("#export")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert target.read_text(encoding="utf-8") == "keep me"
        assert text(app, "#export-result") == f"Not exported: {target} was kept."

        await pilot.click("#export")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert len(target.read_text(encoding="utf-8").splitlines()) == len(clicked) + 1

        # A folder is not a file: said inline, nothing written.
        app.screen.query_one("#export-path", Input).value = str(tmp_path)
        await pilot.press("enter")
        await pilot.pause()
        assert text(app, "#export-result") == f"{tmp_path} is a folder: name a file."

        await pilot.click("#events-back")
        await pilot.pause()
        assert text(app, "#sending-title").startswith("Spring sale")


async def test_keys_report_of_a_voice_sending(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette, sandbox_clock: FakeClock
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        backend = await app.backend()
        request = VoiceRequest(
            to=VOICE_TO,
            message="Press 1 for sales, 2 for support",
            language="es_ES",
            gender="F",
            campaign_name="Voice menu",
        )
        await backend.send_voice(request)
        sandbox_clock.advance(3600)  # every call answered and its key pressed by now
        await pilot.press("r")
        await settle(pilot)

        sending_id = sending_id_of(sandbox_app, "Voice menu")
        await highlight(pilot, sending_id)
        assert app.screen.query_one("#show-keys", Button).display
        await pilot.press("k")
        await settle(pilot)

        nrs = sandbox_app.state.nrs
        presses = key_events(nrs.sending.sendings[sending_id], nrs.now())
        assert presses, "the emulator should have some key presses for five calls"
        expected = [[p.item.to, p.key, p.message] for p in presses]
        assert table_rows(app, "#keys-table") == expected
        assert text(app, "#keys-summary").startswith(f"{len(presses)} key presses · key ")
        assert sandbox_app.state.log.matching(
            "GET", f"/api/rest/sendings/{sending_id}/reports/keys"
        )

        await pilot.press("escape")
        await pilot.pause()
        assert text(app, "#sending-title").startswith("Voice menu")


async def test_coverage_search_filters_countries_as_you_type(
    sandbox_console: Callable[..., SwitchboardApp], sandbox_app: Starlette
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        app.screen.query_one("#reports-tabs", TabbedContent).active = "coverage"
        await pilot.pause()
        assert len(table_rows(app, "#countries-table")) == len(COUNTRIES)
        requests_before = len(sandbox_app.state.log)

        await type_into(pilot, "#coverage-search", "united")
        expected = sorted(c.name for c in COUNTRIES if "united" in c.name.lower())
        assert [row[1] for row in table_rows(app, "#countries-table")] == expected
        assert text(app, "#coverage-count") == f"{len(expected)} of {len(COUNTRIES)} countries"

        # An ISO code finds its country even when no name contains the letters.
        await type_into(pilot, "#coverage-search", "es")
        rows = table_rows(app, "#countries-table")
        assert rows[[r[0] for r in rows].index("ES")][:2] == ["ES", "Spain"]
        assert all("es" in r[1].lower() or r[0] == "ES" for r in rows)
        # Searching is client-side: no request while typing.
        assert len(sandbox_app.state.log) == requests_before

        await type_into(pilot, "#coverage-search", "spain")
        await pilot.press("enter")  # to the table
        await pilot.press("enter")  # open the highlighted country's networks
        await settle(pilot)
        spain = next(c for c in COUNTRIES if c.iso == "ES")
        networks = table_rows(app, "#networks-table")
        # Every network, plus the provider's "Default" route for unknown ones.
        assert {n[0] for n in networks} == {n.name for n in spain.networks} | {"Default"}
        assert text(app, "#networks-title").endswith("networks in Spain (ES)")


async def test_a_provider_without_reports_shows_a_notice(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-xebo")
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        notice = app.screen.query_one("#reports-notice", Static)
        assert notice.display
        assert text(app, "#reports-notice") == (
            "Xebo offers no reports: it has no campaign reports, scheduled sends, "
            "coverage and prices or flow answers."
        )
        assert not app.screen.query_one("#reports-tabs").display
        assert not isinstance(app.screen, ErrorModal)
        assert len(provider_apps["xebo"].state.log) == 0
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert not any(t.startswith("Reports: ") and t != "Reports: reload" for t in titles)

        # Switching to an account that has them brings the tabs back and loads them.
        app.active_account = "sandbox-360nrs"
        await settle(pilot)
        assert not notice.display
        assert app.screen.query_one("#reports-tabs").display
        assert [row[0] for row in table_rows(app, "#campaigns-table")] == [
            "Spring sale",
            "November newsletter",
        ]
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Reports: Coverage"].callback()
        await pilot.pause()
        assert app.screen.query_one("#reports-tabs", TabbedContent).active == "coverage"
