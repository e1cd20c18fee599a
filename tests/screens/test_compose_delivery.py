"""Compose's delivery funnel after a send (screens/widgets/funnel.py), through Pilot: it
watches by itself where the job's delivery can be followed, moves with the sandbox's fates
and with reports written to the journal from outside, and Ctrl+N starts and stops it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import DataTable, Input, TextArea

from backends.sandbox.nrs360.dlr import fate_of
from screens.widgets.funnel import WATCH_GROUP, DeliveryFunnel
from tests.screens.conftest import SIZE, FakeClock, settle
from tests.screens.test_compose_screen import fill_sms, numbers, open_compose, send_and_answer
from tests.screens.test_jobs_delivery import rows, until, watch_ends
from tests.screens.test_jobs_screen import open_jobs, text
from tests.screens.test_sizes_snapshots import NARROW, on_screen
from tui.app import SwitchboardApp
from tui.engine.delivery import DeliveryState, Funnel, Report
from tui.engine.journal import Journal, sandbox_path


@pytest.fixture
def app(sandbox_console: Callable[..., SwitchboardApp]) -> SwitchboardApp:
    return sandbox_console()


def funnel_of(app: SwitchboardApp) -> DeliveryFunnel:
    return app.screen.query_one("#delivery-funnel", DeliveryFunnel)


def footer_keys(app: SwitchboardApp) -> str:
    shown = app.screen.active_bindings.values()
    return " ".join(b.binding.description for b in shown if b.binding.show)


async def send_sms(pilot: Any, n: int) -> int:
    """Send `n` SMS from Compose; the job's id."""
    await open_compose(pilot)
    assert "Watch delivery" not in footer_keys(pilot.app)  # nothing sent yet
    await fill_sms(pilot, ", ".join(numbers(n)), "Hello")
    await send_and_answer(pilot, confirm=True)
    (job,) = Journal(sandbox_path()).jobs()
    return job.id


async def test_a_sent_job_is_watched_by_itself_until_every_state_is_final(
    app: SwitchboardApp, provider_apps: dict[str, Any], sandbox_clock: FakeClock
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job_id = await send_sms(pilot, 5)
        funnel = funnel_of(app)
        assert funnel.has_class("active") and funnel.job_id == job_id
        await until(pilot, lambda: "status requests so far" in text(app, "#funnel-status"))
        assert text(app, "#funnel-status").startswith(f"Watching job {job_id} (Ctrl+N stops)")
        assert funnel.funnel == Funnel(accepted=5)
        assert "Watch delivery" in footer_keys(app)
        # The sandbox's fates come; the next polling round (2 s later) finds them.
        sandbox_clock.advance(300)
        await until(pilot, lambda: not funnel.watching, seconds=10)
        await watch_ends(pilot)
        nrs = provider_apps["360nrs"].state.nrs
        fates = {m.to: fate_of(nrs.seed, m) for m in nrs.sms.values()}
        shown = funnel.funnel
        assert shown is not None and shown.done
        assert shown.delivered == sum(1 for f in fates.values() if f.status == "DELIVRD")
        assert text(app, "#funnel-status") == "Every accepted recipient has a final state."
        assert sorted(rows(app)) == sorted(
            (to, f.status, f.final_at.strftime("%H:%M:%S")) for to, f in fates.items()
        )


async def test_reports_written_from_outside_move_it_and_ctrl_n_stops_and_starts(
    app: SwitchboardApp, provider_apps: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DeliveryFunnel, "REFRESH", 0.1)
    async with app.run_test(size=SIZE) as pilot:
        job_id = await send_sms(pilot, 2)
        funnel = funnel_of(app)
        assert funnel.watching
        # From inside a field of the form: Ctrl+N, not w (which the field types).
        app.screen.query_one("#sender", Input).focus()
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert not funnel.watching
        assert app.screen.query_one("#sender", Input).value == "ACME"
        await until(pilot, lambda: not [w for w in app.workers if w.group == WATCH_GROUP])
        asked = len(provider_apps["360nrs"].state.log.matching("GET", "/api/rest/sms/"))

        first, second = numbers(2)
        ids = {r.to: str(r.provider_id) for r in Journal(sandbox_path()).recipients(job_id)}
        with Journal(sandbox_path()) as journal:
            journal.record_deliveries(
                job_id,
                [
                    Report(ids[first], DeliveryState.DELIVRD, "2025-03-01T12:00:04+00:00"),
                    Report(ids[second], DeliveryState.EXPIRED, "2025-03-01T12:02:00+00:00"),
                ],
            )
        await until(pilot, lambda: funnel.funnel is not None and funnel.funnel.done)
        assert funnel.funnel == Funnel(2, delivered=1, expired=1)
        assert rows(app) == [
            (first, "DELIVRD", "12:00:04"),
            (second, "EXPIRED", "12:02:00"),
        ]
        # The journal alone moved it: no status request since the watch stopped.
        assert len(provider_apps["360nrs"].state.log.matching("GET", "/api/rest/sms/")) == asked

        # Ctrl+N again starts a watch, which ends at once: every state is final.
        await pilot.press("ctrl+n")
        await watch_ends(pilot)
        assert text(app, "#funnel-status") == "Every accepted recipient has a final state."


async def test_an_email_job_says_why_its_delivery_is_not_followed(
    app: SwitchboardApp, provider_apps: dict[str, Any]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot, "email")
        screen.query_one("#recipients", Input).value = "ana@example.com"
        screen.query_one("#from-email", Input).value = "news@example.com"
        screen.query_one("#reply-to", Input).value = "help@example.com"
        screen.query_one("#subject", Input).value = "Hello"
        screen.query_one("#html", TextArea).text = "<p>Hi</p>"
        await pilot.pause()
        await send_and_answer(pilot, confirm=True)
        await settle(pilot)
        funnel = funnel_of(app)
        assert funnel.has_class("active")
        assert text(app, "#funnel-status") == (
            "Delivery not followed: the provider gives no delivery state for email jobs."
        )
        assert not app.screen.query_one("#funnel-table").display
        assert not funnel.watching
        assert not provider_apps["360nrs"].state.log.matching("GET", "/api/rest/sms/")


async def test_changing_the_form_forgets_the_funnel_and_stops_the_watch(
    app: SwitchboardApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await send_sms(pilot, 2)
        funnel = funnel_of(app)
        assert funnel.watching
        app.screen.query_one("#recipients", Input).value = "34600000009"
        await settle(pilot)
        assert not funnel.has_class("active") and funnel.job_id is None
        assert not funnel.watching
        assert "Watch delivery" not in footer_keys(app)
        await until(pilot, lambda: not [w for w in app.workers if w.group == WATCH_GROUP])


async def test_at_80x24_the_funnel_comes_into_view_after_the_send_and_its_table_fits(
    app: SwitchboardApp,
) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await send_sms(pilot, 3)
        await until(pilot, lambda: on_screen(app.screen.query_one("#funnel-counts")))
        assert on_screen(app.screen.query_one("#funnel-status"))
        table: DataTable[Any] = app.screen.query_one("#funnel-table", DataTable)
        # Every column in view: no sideways scrolling to see a report's time.
        assert table.virtual_size.width <= table.scrollable_content_region.width


async def test_jobs_shows_the_job_compose_watches_without_a_second_watch(
    app: SwitchboardApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job_id = await send_sms(pilot, 2)
        assert funnel_of(app).watching
        jobs = await open_jobs(pilot)
        assert funnel_of(app).job_id == job_id
        assert text(app, "#funnel-status") == (
            "Watched on Compose: its reports show here as they come."
        )
        jobs.query_one("#jobs-table").focus()
        await pilot.press("w")
        await settle(pilot)
        assert text(app, "#jobs-error") == f"Job {job_id} is being watched on Compose already."
        assert len([w for w in app.workers if w.group == WATCH_GROUP]) == 1
