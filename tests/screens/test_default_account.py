"""The console's active account is the CLI's default account (`switchboard account use`):
it opens on it, and choosing another one there changes it for commands too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.screens.conftest import SIZE, settle
from tui.app import SwitchboardApp
from tui.workspace import Workspace


async def test_console_opens_on_the_default_account_and_ctrl_o_changes_it(
    workspace: Workspace,
    add_account: Callable[..., Any],
    make_app: Callable[..., SwitchboardApp],
) -> None:
    for name in ("alpha", "beta", "gamma"):
        add_account(name)
    workspace.use_account("beta")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.active_account == "beta"  # not the first one
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.active_account == "gamma"
    assert workspace.default_account() == "gamma"
