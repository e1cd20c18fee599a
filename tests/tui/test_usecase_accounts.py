"""Testing an account is one use case (tui.usecases.accounts) for `account test` and the
console's Accounts screen: one JSON shape whether the provider can be asked or not."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from backends.sandbox import xebo
from backends.sandbox.core import SandboxServer
from tests.tui.conftest import cli_json
from tui.config import Account, ConfigStore
from tui.usecases.accounts import AccountCheck, check_account
from tui.workspace import Workspace


@pytest.fixture
def surveys(
    xebo_server: SandboxServer, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A Xebo account 'surveys': no account endpoint in its reference."""
    monkeypatch.setenv("SWITCHBOARD_SECRET_SURVEYS", xebo.DEMO_ACCESS_TOKEN)
    store = ConfigStore(isolated_dirs / "config")
    store.add_account(Account("surveys", "xebo", xebo_server.url, options=dict(xebo.DEMO_OPTIONS)))
    return "surveys"


def test_account_test_json_is_one_shape(account: str, surveys: str) -> None:
    asked = cli_json("account", "test", account)
    assert asked["name"] == "demo" and asked["tested"] is True
    assert asked["username"] and asked["balance"] == 250.0 and asked["currency"] == "EUR"
    not_asked = cli_json("account", "test", surveys)
    assert not_asked == {"name": "surveys", "tested": False, "reason": "no account endpoint"}


def test_check_account_is_what_the_cli_prints(account: str, isolated_dirs: Path) -> None:
    async def check() -> AccountCheck:
        backend = await Workspace(isolated_dirs / "config").open(account)
        async with backend:
            return await check_account(account, backend)

    checked = asyncio.run(check())
    assert checked.tested
    assert checked.summary().startswith("demo: OK, logged in as ")
    assert checked.summary().endswith("balance 250.00 EUR")
    assert checked.to_json() == cli_json("account", "test", account)
