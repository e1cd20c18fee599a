"""Compose screen snapshot: an SMS typed, the live counter and the variable preview showing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Input, TextArea

from tests.screens.conftest import SIZE, settle
from tui.app import SwitchboardApp


def test_compose_sms_with_counter(
    snap_compare: Any, sandbox_console: Callable[..., SwitchboardApp]
) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f4")
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#recipients", Input).value = "34600000001, 34600000002"
        screen.query_one("#sender", Input).value = "ACME"
        # ç and the emoji force UCS-2: the counter highlights them.
        screen.query_one(
            "#message", TextArea
        ).text = "Hola {name}, tu pedido ya está en camino ç 🚚"
        # An offset makes the UTC line independent of the machine's time zone.
        screen.query_one("#schedule", Input).value = "2099-11-24T09:00+01:00"
        screen.query_one("#campaign", Input).value = "Winter"
        await pilot.pause()

    assert snap_compare(sandbox_console(), terminal_size=SIZE, run_before=run_before)
