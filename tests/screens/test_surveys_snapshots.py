"""Snapshots of the Surveys screen: one per provider form, after a send (seeded emulators)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from backends.sandbox.collect import DEMO_CAMPAIGN_ID
from tests.screens.conftest import SIZE, settle, type_into
from tests.screens.test_surveys_screen import confirm
from tui.app import SwitchboardApp

Console = Callable[..., SwitchboardApp]


async def unfocus(pilot: Pilot[Any], button: str) -> None:
    """Focus the send button, so no text cursor (which blinks) is in the picture."""
    pilot.app.screen.query_one(button).focus(scroll_visible=False)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_xebo_form_with_rejects(snap_compare: Any, sandbox_console: Console) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#xebo-to", "+34666555444, 123456, +34666555446")
        await pilot.press("enter")
        await confirm(pilot)
        await unfocus(pilot, "#xebo-send")

    app = sandbox_console("sandbox-xebo")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_collect_form_with_portal_url(snap_compare: Any, sandbox_console: Console) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#collect-campaign", DEMO_CAMPAIGN_ID)
        await type_into(pilot, "#collect-email", "jane@example.com")
        await type_into(pilot, "#collect-first", "Jane")
        await type_into(pilot, "#collect-items", "idCard")
        await type_into(pilot, "#collect-due", "2025-03-31")
        await pilot.press("enter")
        await confirm(pilot)
        await unfocus(pilot, "#collect-send")

    app = sandbox_console("sandbox-collect")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_batch_form_after_a_job(snap_compare: Any, sandbox_console: Console) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#batch-template", "Rate your visit: {{url:}}")
        await type_into(pilot, "#batch-to", "+6598760001, +9991234567, +6598760003")
        await type_into(pilot, "#batch-scheduled", "2025-03-11T09:30+08:00")
        await pilot.press("enter")
        await confirm(pilot)
        await unfocus(pilot, "#batch-send")

    app = sandbox_console("sandbox-8x8")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
