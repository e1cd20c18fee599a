"""The Accounts screen driven through Pilot, against the sandbox emulator."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from textual.widgets import Button, DataTable, Input, Static

from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from screens.accounts.screen import AccountsScreen, AddAccountModal
from screens.widgets.common import ConfirmModal, ErrorModal
from tests.screens.conftest import SANDBOX_URL, SIZE, FakeKeyring, settle, type_into
from tui.app import SwitchboardApp
from tui.config import CONFIG_FILE
from tui.secrets import SecretStore
from tui.workspace import Workspace


def cell(app: SwitchboardApp, row: str, column: str) -> str:
    """The plain text of one cell of the accounts table."""
    return str(app.screen.query_one(DataTable).get_cell(row, column))


def config_text(config_dir: Path) -> str:
    return (config_dir / CONFIG_FILE).read_text()


def select_row(app: SwitchboardApp, name: str) -> None:
    table = app.screen.query_one(DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(name))


async def fill_add_form(
    pilot: Any, name: str, *, secret: str = DEMO_PASSWORD, typed: bool = False
) -> None:
    """Fill the add-account dialog; `typed` types name and secret key by key (slower)."""
    screen = pilot.app.screen
    if typed:
        await type_into(pilot, "#name", name)
        await type_into(pilot, "#secret", secret)
    else:
        screen.query_one("#name", Input).value = name
        screen.query_one("#secret", Input).value = secret
    screen.query_one("#base-url", Input).value = SANDBOX_URL
    screen.query_one("#username", Input).value = DEMO_USERNAME
    screen.query_one("#secret", Input).focus()
    await pilot.pause()


async def test_first_run_offers_the_sandbox_and_opening_it_shows_a_working_account(
    config_dir: Path, keyring: FakeKeyring
) -> None:
    # No transport factory: the sandbox account talks to real uvicorn servers on loopback.
    workspace = Workspace(config_dir, secrets=SecretStore(environ={}, keyring_module=keyring))
    app = SwitchboardApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AccountsScreen)
        assert screen.query_one("#empty-hint").display
        assert screen.query_one(DataTable).row_count == 0
        assert screen.query_one("#sandbox", Button).display
        assert screen.query_one("#remove", Button).disabled
        assert app.sub_title == "no account"

        await pilot.click("#sandbox")
        await settle(pilot)

        assert app.sandboxes, "the sandbox servers were not started"
        table = screen.query_one(DataTable)
        from tui.sandbox import SPECS

        assert [k.value for k in table.rows] == [spec.account_name for spec in SPECS]
        assert cell(app, "sandbox-360nrs", "balance") == "250.00 EUR"
        assert cell(app, "sandbox-360nrs", "status") == "OK"
        # Providers without an account endpoint say so instead of failing.
        assert cell(app, "sandbox-xebo", "status") == "no balance endpoint"
        assert cell(app, "sandbox-360nrs", "name") == "● sandbox-360nrs"
        assert app.active_account == "sandbox-360nrs"
        assert app.sub_title == "SANDBOX · account: sandbox-360nrs (360nrs)"
        assert not screen.query_one("#empty-hint").display
        assert not screen.query_one("#sandbox", Button).display
        assert not screen.query_one("#remove", Button).disabled
        # The sandbox account lives in memory only.
        assert not (config_dir / CONFIG_FILE).exists()
        assert keyring.passwords == {}
    # Quitting the console stops the emulators.
    assert not any(s.server.running for s in app.sandboxes)


async def test_add_account_through_the_modal_stores_settings_and_secret_apart(
    make_app: Callable[..., SwitchboardApp],
    config_dir: Path,
    keyring: FakeKeyring,
    sandbox_app: Starlette,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, AddAccountModal)
        assert modal.query_one("#secret", Input).password is True
        # The provider's documented base URL is the default.
        assert modal.query_one("#base-url", Input).value == "https://dashboard.360nrs.com/api/rest"

        await fill_add_form(pilot, "prod", secret="s3cr3t", typed=True)
        await pilot.press("enter")
        await settle(pilot)

        assert isinstance(app.screen, AccountsScreen)
        text = config_text(config_dir)
        assert "prod" in text
        assert "s3cr3t" not in text
        stored = tomllib.loads(text)["accounts"]["prod"]
        assert stored == {
            "provider": "360nrs",
            "base_url": SANDBOX_URL,
            "username": DEMO_USERNAME,
        }
        assert keyring.secret("prod") == "s3cr3t"
        assert cell(app, "prod", "name") == "● prod"
        assert app.active_account == "prod"
        # The new account was tested with its secret: the emulator refused it.
        assert "Authentication failed" in cell(app, "prod", "status")
        sent = sandbox_app.state.log.matching("GET", "/api/rest/account")
        assert sent and sent[-1].basic_credentials() == (DEMO_USERNAME, "s3cr3t")


async def test_invalid_name_shows_the_error_inline_and_keeps_the_dialog(
    make_app: Callable[..., SwitchboardApp], config_dir: Path, keyring: FakeKeyring
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await fill_add_form(pilot, "bad name!")
        await pilot.click("#save")
        await pilot.pause()

        assert isinstance(app.screen, AddAccountModal)
        error = str(app.screen.query_one("#form-error", Static).render())
        assert "invalid account name" in error
        assert not (config_dir / CONFIG_FILE).exists()
        assert keyring.passwords == {}

        # A missing secret is refused the same way.
        app.screen.query_one("#name", Input).value = "good-name"
        await type_into(pilot, "#secret", "")
        await pilot.press("enter")  # a second click within 0.2 s would be ignored
        await pilot.pause()
        assert isinstance(app.screen, AddAccountModal)
        assert "API password is required" in str(app.screen.query_one("#form-error").render())


async def test_escape_cancels_the_add_dialog(
    make_app: Callable[..., SwitchboardApp], config_dir: Path, keyring: FakeKeyring
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await fill_add_form(pilot, "never-saved")
        await pilot.press("escape")
        await settle(pilot)

        assert isinstance(app.screen, AccountsScreen)
        assert app.screen.query_one(DataTable).row_count == 0
        assert not (config_dir / CONFIG_FILE).exists()
        assert keyring.passwords == {}


async def test_adding_a_duplicate_name_shows_an_error_not_a_crash(
    make_app: Callable[..., SwitchboardApp],
    add_account: Callable[..., Any],
    keyring: FakeKeyring,
) -> None:
    add_account("main")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await fill_add_form(pilot, "main", secret="another")
        await pilot.press("enter")
        await settle(pilot)

        assert app.is_running
        # Refused in the dialog, which stays open with what was typed.
        assert isinstance(app.screen, AddAccountModal)
        assert "already exists" in str(app.screen.query_one("#form-error", Static).render())
        assert app.screen.query_one("#secret", Input).value == "another"
        assert keyring.secret("main") == DEMO_PASSWORD


class RefusingKeyring(FakeKeyring):
    """A keyring that refuses to store (locked, or its daemon gone)."""

    refuse = True

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.refuse:
            raise RuntimeError("locked")
        super().set_password(service, username, password)


async def test_a_keyring_refusal_keeps_the_add_dialog_open_with_everything_typed(
    config_dir: Path,
) -> None:
    keyring = RefusingKeyring()
    workspace = Workspace(config_dir, secrets=SecretStore(environ={}, keyring_module=keyring))
    app = SwitchboardApp(workspace, start_sandbox=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await fill_add_form(pilot, "prod", secret="s3cr3t")
        await pilot.press("enter")
        await settle(pilot)

        modal = app.screen
        assert isinstance(modal, AddAccountModal)
        error = str(modal.query_one("#form-error", Static).render())
        assert "the keyring refused" in error and "s3cr3t" not in error
        assert modal.query_one("#name", Input).value == "prod"
        assert modal.query_one("#base-url", Input).value == SANDBOX_URL
        assert modal.query_one("#username", Input).value == DEMO_USERNAME
        assert modal.query_one("#secret", Input).value == "s3cr3t"
        assert not (config_dir / CONFIG_FILE).exists()

        # Once the keyring is unlocked the same dialog saves.
        keyring.refuse = False
        await pilot.click("#save")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        assert keyring.secret("prod") == "s3cr3t"
        assert app.active_account == "prod"


async def test_test_button_fetches_the_balance_again(
    make_app: Callable[..., SwitchboardApp],
    add_account: Callable[..., Any],
    sandbox_app: Starlette,
) -> None:
    add_account("main")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert cell(app, "main", "balance") == "250.00 EUR"
        assert cell(app, "main", "status") == "OK"

        sandbox_app.state.nrs.balance_cents = 1_234_567
        before = len(sandbox_app.state.log.matching("GET", "/api/rest/account"))
        select_row(app, "main")
        await pilot.click("#test")
        await settle(pilot)

        assert cell(app, "main", "balance") == "12,345.67 EUR"
        assert cell(app, "main", "status") == "OK"
        assert len(sandbox_app.state.log.matching("GET", "/api/rest/account")) == before + 1


async def test_remove_asks_first_and_cancel_keeps_the_account(
    make_app: Callable[..., SwitchboardApp],
    add_account: Callable[..., Any],
    config_dir: Path,
    keyring: FakeKeyring,
) -> None:
    add_account("keep")
    add_account("drop")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select_row(app, "drop")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "'drop'" in app.screen.question
        await pilot.click("#no")
        await settle(pilot)

        assert isinstance(app.screen, AccountsScreen)
        assert "drop" in tomllib.loads(config_text(config_dir))["accounts"]
        assert keyring.secret("drop") == DEMO_PASSWORD

        select_row(app, "drop")
        await pilot.click("#remove")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.click("#yes")
        await settle(pilot)

        assert isinstance(app.screen, AccountsScreen)
        assert list(tomllib.loads(config_text(config_dir))["accounts"]) == ["keep"]
        assert keyring.secret("drop") is None
        assert keyring.secret("keep") == DEMO_PASSWORD
        assert [k.value for k in app.screen.query_one(DataTable).rows] == ["keep"]
        assert app.active_account == "keep"


async def test_a_wrong_secret_shows_in_the_row_status(
    make_app: Callable[..., SwitchboardApp],
    add_account: Callable[..., Any],
    sandbox_app: Starlette,
) -> None:
    add_account("good")
    add_account("bad", secret="wrong-password")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, AccountsScreen)
        assert cell(app, "good", "status") == "OK"
        assert cell(app, "bad", "balance") == "—"
        status = cell(app, "bad", "status")
        assert status.startswith("Authentication failed (HTTP 401 · code 103)")
        assert "wrong-password" not in status
        refused = [
            r
            for r in sandbox_app.state.log.matching("GET", "/api/rest/account")
            if r.basic_credentials() == (DEMO_USERNAME, "wrong-password")
        ]
        assert len(refused) == 1


async def test_account_settings_show_as_written_not_as_markup(
    make_app: Callable[..., SwitchboardApp], add_account: Callable[..., Any]
) -> None:
    add_account("odd", username="[b]ops[/b] :smile:")
    app = make_app()
    async with app.run_test(size=(260, 30)) as pilot:
        await settle(pilot)
        shown = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "[b]ops[/b] :smile:" in shown
        assert cell(app, "odd", "username") == "[b]ops[/b] :smile:"


async def test_ctrl_o_cycles_the_active_account_and_use_picks_one(
    make_app: Callable[..., SwitchboardApp], add_account: Callable[..., Any]
) -> None:
    for name in ("one", "two", "three"):
        add_account(name)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.active_account == "one"
        seen = []
        for _ in range(3):
            await pilot.press("ctrl+o")
            await pilot.pause()
            seen.append(app.active_account)
        assert seen == ["two", "three", "one"]
        assert app.sub_title == "account: one (360nrs)"
        assert cell(app, "one", "name") == "● one"
        assert cell(app, "three", "name") == "  three"

        # "u" (Use) makes the selected row active instead.
        select_row(app, "three")
        await pilot.press("u")
        await pilot.pause()
        assert app.active_account == "three"
        assert app.sub_title == "account: three (360nrs)"


async def test_a_broken_config_file_shows_an_error_modal_not_a_crash(
    make_app: Callable[..., SwitchboardApp], config_dir: Path
) -> None:
    broken = "[accounts.main\nprovider = \n"
    (config_dir / CONFIG_FILE).write_text(broken)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running
        modal = app.screen
        assert isinstance(modal, ErrorModal)
        assert modal.title_text == "Configuration error"
        assert "is not valid TOML" in modal.message
        assert str(config_dir / CONFIG_FILE) in modal.message

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        assert app.screen.query_one("#empty-hint").display
        assert app.active_account is None

        # Keys that read the accounts again report the same problem instead of crashing.
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, ErrorModal)
        await pilot.press("escape")
        await pilot.pause()

    # The user's file is never overwritten.
    assert (config_dir / CONFIG_FILE).read_text() == broken
