"""Snapshot of the Templates screen: the current editor's templates and a text preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.screens.conftest import SIZE, settle
from tui.app import SwitchboardApp


def test_templates_with_a_preview(
    snap_compare: Any, sandbox_console: Callable[..., SwitchboardApp]
) -> None:
    # Seeded dates follow the emulator's fake clock, so the table does not change by day.
    async def open_templates(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)

    assert snap_compare(sandbox_console(), terminal_size=SIZE, run_before=open_templates)
