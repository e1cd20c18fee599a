"""Fixtures shared by every test package."""

from __future__ import annotations

import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import create_app


class FakeKeyringBackend:
    """Looks like the Secret Service backend to `tui.secrets`."""

    __module__ = "keyring.backends.SecretService"


class FakeKeyring:
    """An in-memory stand-in for the `keyring` module (the real one is tested on CI)."""

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}
        self.errors = types.SimpleNamespace(PasswordDeleteError=KeyError)

    def get_keyring(self) -> Any:
        return FakeKeyringBackend()

    def get_password(self, service: str, name: str) -> str | None:
        return self.store.get((service, name))

    def set_password(self, service: str, name: str, secret: str) -> None:
        self.store[(service, name)] = secret

    def delete_password(self, service: str, name: str) -> None:
        del self.store[(service, name)]


@pytest.fixture
def fake_keyring() -> FakeKeyring:
    """An empty in-memory keyring."""
    return FakeKeyring()


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config and data dirs under tmp; no secret overrides leak in from the environment."""
    monkeypatch.setenv("SWITCHBOARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path / "data"))
    import os

    for key in list(os.environ):
        if key.startswith("SWITCHBOARD_SECRET_"):
            monkeypatch.delenv(key)
    return tmp_path


@pytest.fixture
def nrs_server() -> Iterator[SandboxServer]:
    """A real 360nrs sandbox on a loopback socket."""
    server = SandboxServer(create_app())
    server.start()
    try:
        yield server
    finally:
        server.stop()
