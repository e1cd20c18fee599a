"""Account names that differ only in case or punctuation share one secret variable (issue 13
point 2): a new one is refused at `account add`, existing ones are reported at start, and
the shared variable is never used for any of them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.conftest import FakeKeyring
from tui.cli import run
from tui.config import Account, ConfigStore
from tui.errors import SecretStoreError
from tui.secrets import SecretStore, shared_variables
from tui.workspace import Workspace

VAR = "SWITCHBOARD_SECRET_ACME_PROD"


def account(name: str) -> Account:
    return Account(name=name, provider="360nrs", base_url="http://127.0.0.1:9/api", username="u")


def test_names_differing_in_case_or_punctuation_share_a_variable() -> None:
    shared = shared_variables(["acme-prod", "acme_prod", "Acme-Prod", "other"])
    assert shared == {VAR: ["acme-prod", "acme_prod", "Acme-Prod"]}


def test_account_add_refuses_a_name_whose_variable_another_account_has(
    isolated_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ConfigStore(isolated_dirs / "config").add_account(account("acme_prod"))
    args = ["account", "add", "Acme-Prod", "--provider", "360nrs", "--username", "u"]
    assert run([*args, "--secret-stdin"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "switchboard: account 'Acme-Prod' would share the secret variable "
        f"{VAR} with account 'acme_prod': names that differ only in case or punctuation "
        "cannot be told apart there; choose another name\n"
    )
    assert list(ConfigStore(isolated_dirs / "config").load().accounts) == ["acme_prod"]


def test_existing_sharing_accounts_are_reported_and_never_read_the_variable(
    isolated_dirs: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_keyring: FakeKeyring,
) -> None:
    # Written by hand or by an older version: two accounts behind one variable.
    store = ConfigStore(isolated_dirs / "config")
    store.add_account(account("acme-prod"))
    store.add_account(account("acme_prod"))
    store.add_account(account("solo"))
    monkeypatch.setenv(VAR, "meant-for-one-of-them")
    monkeypatch.setenv("SWITCHBOARD_SECRET_SOLO", "solo-secret")

    assert run(["account", "list"], out=io.StringIO()) == 0
    assert capsys.readouterr().err == (
        f"switchboard: warning: accounts 'acme-prod' and 'acme_prod' share the secret variable "
        f"{VAR}: it is ignored for them, their secrets come from the keyring (rename all but "
        "one to tell them apart)\n"
    )

    environ = {VAR: "meant-for-one-of-them", "SWITCHBOARD_SECRET_SOLO": "solo-secret"}
    workspace = Workspace(
        isolated_dirs / "config", secrets=SecretStore(environ, keyring_module=fake_keyring)
    )
    workspace.accounts()
    secrets = workspace.secrets
    assert secrets.get("solo") == "solo-secret"
    assert not secrets.from_environment("acme-prod")
    with pytest.raises(SecretStoreError, match=f"{VAR} is shared with another account"):
        secrets.get("acme-prod")
    fake_keyring.set_password("switchboard", "acme_prod", "from-keyring")
    assert secrets.get("acme_prod") == "from-keyring"
