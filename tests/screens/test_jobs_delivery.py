"""The Jobs screen's delivery funnel, driven through Pilot against the 360nrs sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from backends.sandbox.nrs360.dlr import fate_of
from tests.screens.conftest import SIZE, FakeClock, settle
from tests.screens.test_jobs_screen import make_job, open_jobs, text
from tui.app import SwitchboardApp
from tui.engine.journal import Journal, sandbox_path
from tui.engine.sender import run_job


@pytest.fixture
def app(sandbox_console: Callable[..., SwitchboardApp]) -> SwitchboardApp:
    return sandbox_console()


async def test_watch_shows_the_funnel_and_each_recipients_state(
    app: SwitchboardApp, provider_apps: dict[str, Any], sandbox_clock: FakeClock
) -> None:
    job_id = make_job(5)
    async with app.run_test(size=SIZE) as pilot:
        with Journal(sandbox_path()) as journal:
            async for _ in run_job(journal, job_id, await app.backend("sandbox-360nrs")):
                pass
        await open_jobs(pilot)
        # Accepted, nothing asked yet: all five are waiting.
        assert "Delivery 5 accepted -> 0 delivered, 0 failed, 0 expired, 5 waiting" in text(
            app, "#job-detail"
        )
        sandbox_clock.advance(300)  # every fate has come at the sandbox
        app.screen.query_one("#jobs-table").focus()
        await pilot.press("w")
        await settle(pilot)
        assert text(app, "#jobs-watch") == (
            f"Job {job_id}: every accepted recipient has a final state."
        )
        nrs = provider_apps["360nrs"].state.nrs
        fates = {m.to: fate_of(nrs.seed, m) for m in nrs.sms.values()}
        delivered = sum(1 for f in fates.values() if f.status == "DELIVRD")
        detail = text(app, "#job-detail")
        assert f"Delivery 5 accepted -> {delivered} delivered" in detail
        assert "0 waiting" in detail
        # Each recipient with its state and the time of its report.
        for to, fate in fates.items():
            assert f"  {to} {fate.status} {fate.final_at.isoformat()[:19]}" in detail


async def test_watch_refuses_a_channel_without_delivery_states(
    app: SwitchboardApp,
) -> None:
    with Journal(sandbox_path()) as journal:
        job_id = journal.create_job(
            account="sandbox-360nrs",
            provider="360nrs",
            channel="email",
            message={"request": {}},
            recipients=[("a@example.com", None)],
        )
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        app.screen.query_one("#jobs-table").focus()
        await pilot.press("w")
        await settle(pilot)
        assert text(app, "#jobs-error") == (
            f"Job {job_id}: the provider gives no delivery state for email jobs."
        )
        assert not app.screen.query_one("#jobs-watch").display
