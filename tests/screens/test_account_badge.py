"""Sandbox and real accounts look different (issue 12 point 8): a SANDBOX badge and a
per-account header colour; Ctrl+O onto a real account says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Header

from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from tests.screens.conftest import SANDBOX_URL, SIZE, settle
from tui.app import SwitchboardApp, account_colour
from tui.config import Account
from tui.workspace import Workspace


async def test_sandbox_badge_account_colours_and_a_warning_onto_a_real_account(
    workspace: Workspace,
    add_account: Callable[..., Any],
    make_app: Callable[..., SwitchboardApp],
) -> None:
    workspace.add_ephemeral(
        Account(
            name="sandbox-360nrs", provider="360nrs", base_url=SANDBOX_URL, username=DEMO_USERNAME
        ),
        DEMO_PASSWORD,
    )
    add_account("prod")
    assert account_colour("sandbox-360nrs") != account_colour("prod")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = app.screen.query_one(Header)
        assert app.active_account == "sandbox-360nrs"
        assert app.sub_title == "SANDBOX · account: sandbox-360nrs (360nrs)"
        assert app.has_class("-sandbox")
        sandbox_colour = header.styles.background

        app.clear_notifications()
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.active_account == "prod"
        assert app.sub_title == "account: prod (360nrs)"
        assert not app.has_class("-sandbox")
        assert header.styles.background != sandbox_colour
        (note,) = app._notifications
        assert "prod, a REAL account" in note.message and note.severity == "warning"

        app.clear_notifications()
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert header.styles.background == sandbox_colour
        (note,) = app._notifications
        assert note.message == "Active account: sandbox-360nrs (sandbox)"
