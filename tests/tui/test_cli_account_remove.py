"""`switchboard account remove` deletes the secret first and the settings only after: a
keyring that refuses (locked, no daemon) leaves the account as it was, and says why."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from tests.conftest import FakeKeyring
from tui.cli import run
from tui.config import Account, ConfigStore
from tui.secrets import SERVICE


class LockedKeyring(FakeKeyring):
    """A keyring whose collection is locked: it refuses to delete (what cannot be real
    here: a desktop's locked Secret Service)."""

    def delete_password(self, service: str, name: str) -> None:
        raise RuntimeError("Cannot unlock the collection: prompt dismissed")


def remove(name: str) -> int:
    return run(["account", "remove", name, "--yes"], out=io.StringIO())


def test_a_refusing_keyring_removes_nothing_and_says_why(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = LockedKeyring()
    monkeypatch.setitem(sys.modules, "keyring", locked)
    store = ConfigStore(isolated_dirs / "config")
    store.add_account(Account("acme", "360nrs", "https://api.example.com", "user"))
    locked.set_password(SERVICE, "acme", "s3cret")

    assert remove("acme") == 1
    err = capsys.readouterr().err
    assert "account 'acme' was not removed" in err
    assert "Cannot unlock the collection: prompt dismissed" in err  # the keyring's own words
    assert len(err.strip().splitlines()) == 1
    assert "acme" in store.load().accounts
    assert locked.store == {(SERVICE, "acme"): "s3cret"}


def test_remove_deletes_the_secret_then_the_settings(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring = FakeKeyring()
    monkeypatch.setitem(sys.modules, "keyring", keyring)
    store = ConfigStore(isolated_dirs / "config")
    store.add_account(Account("acme", "360nrs", "https://api.example.com", "user"))
    keyring.set_password(SERVICE, "acme", "s3cret")

    assert remove("acme") == 0
    assert "acme" not in store.load().accounts and keyring.store == {}
    assert remove("acme") == 1
    assert "no account named 'acme'" in capsys.readouterr().err
