"""Snapshots of the screens every session starts with: Accounts, OTP and the help screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.screens.conftest import SIZE, settle
from tui.app import SwitchboardApp


def test_accounts_screen_with_every_sandbox_account(
    snap_compare: Any, sandbox_console: Callable[..., SwitchboardApp]
) -> None:
    async def loaded(pilot: Any) -> None:
        await settle(pilot)

    assert snap_compare(sandbox_console(), terminal_size=SIZE, run_before=loaded)


def test_otp_screen(snap_compare: Any, sandbox_console: Callable[..., SwitchboardApp]) -> None:
    async def open_otp(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)

    assert snap_compare(sandbox_console(), terminal_size=SIZE, run_before=open_otp)


def test_help_screen_over_accounts(
    snap_compare: Any, sandbox_console: Callable[..., SwitchboardApp]
) -> None:
    async def open_help(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(sandbox_console(), terminal_size=SIZE, run_before=open_help)
