"""The Accounts screen with every provider: its own fields in the add dialog, its status."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Label, Select

from backends.registry import backend_class
from screens.accounts.screen import AccountsScreen, AddAccountModal
from tests.screens.conftest import SIZE, FakeKeyring, settle
from tui.app import SwitchboardApp
from tui.config import CONFIG_FILE


def cell(app: SwitchboardApp, row: str, column: str) -> str:
    return str(app.screen.query_one(DataTable).get_cell(row, column))


@pytest.mark.parametrize("provider", ["xebo", "collect", "8x8", "xerochat"])
async def test_add_dialog_shows_each_providers_own_fields(
    provider: str, make_app: Callable[..., SwitchboardApp]
) -> None:
    cls = backend_class(provider)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, AddAccountModal)
        modal.query_one("#provider", Select).value = provider
        await pilot.pause()
        assert modal.query_one("#base-url", Input).value == cls.default_base_url
        assert modal.query_one("#username", Input).display is cls.needs_username
        assert str(modal.query_one("#secret-label", Label).render()) == cls.secret_label
        shown = {w.id for w in modal.query(".extra-field")}
        assert shown == {f"opt-{f.name}" for f in cls.extra_fields}


async def test_a_xebo_account_keeps_its_options_in_config_and_token_in_keyring(
    make_app: Callable[..., SwitchboardApp], config_dir: Path, keyring: FakeKeyring
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        modal = app.screen
        modal.query_one("#provider", Select).value = "xebo"
        await pilot.pause()
        modal.query_one("#name", Input).value = "surveys"
        modal.query_one("#opt-env", Input).value = "az4"
        modal.query_one("#opt-collector_id", Input).value = "66c70e71f57bd9efe12d691d"
        modal.query_one("#opt-collector_token", Input).value = "J/d5730267"
        modal.query_one("#secret", Input).value = "xebo-token-value"
        modal.query_one("#secret", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        text = (config_dir / CONFIG_FILE).read_text()
        assert "xebo-token-value" not in text
        stored = tomllib.loads(text)["accounts"]["surveys"]
        assert stored["provider"] == "xebo"
        assert stored["options"]["collector_id"] == "66c70e71f57bd9efe12d691d"
        assert keyring.secret("surveys") == "xebo-token-value"


async def test_sandbox_accounts_of_every_provider_are_listed_with_their_status(
    sandbox_console: Callable[..., SwitchboardApp],
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert cell(app, "sandbox-360nrs", "status") == "OK"
        for name in ("sandbox-xebo", "sandbox-collect", "sandbox-8x8", "sandbox-xerochat"):
            # These providers document no balance endpoint: said plainly, not as a failure.
            assert cell(app, name, "status") == "no balance endpoint"
