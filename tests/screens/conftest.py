"""Fixtures for the console's Pilot tests: temp config, a fake OS keyring, the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from textual.pilot import Pilot

from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app
from tui import sandbox as product_sandbox
from tui.app import SwitchboardApp
from tui.config import Account
from tui.secrets import SERVICE, SecretStore
from tui.workspace import Workspace

SIZE = (140, 45)
SANDBOX_URL = "http://sandbox/api/rest"


class PasswordDeleteError(Exception):
    """What keyring raises when there is nothing to delete."""


# The secret store accepts only backends from a real OS keyring module.
SecretServiceKeyring = type("Keyring", (), {"__module__": "keyring.backends.SecretService"})


class FakeKeyring:
    """Stands in for the `keyring` module: the one mock these tests allow."""

    errors = SimpleNamespace(PasswordDeleteError=PasswordDeleteError)

    def __init__(self) -> None:
        self.passwords: dict[tuple[str, str], str] = {}
        self._backend = SecretServiceKeyring()

    def get_keyring(self) -> Any:
        return self._backend

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise PasswordDeleteError(username) from None

    def secret(self, account: str) -> str | None:
        """The switchboard secret stored for an account."""
        return self.passwords.get((SERVICE, account))


class FakeClock:
    """A UTC clock that only moves when a test says so."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def instant_buttons(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot clicks come far faster than a person's: a Button ignores a click while its
    0.2 s press effect shows, so a test's second click on the same button would be lost
    (or kept, by timing). Without the effect every click counts, and snapshots never catch
    a button half-way through it."""
    from textual.widgets import Button

    monkeypatch.setattr(Button, "_start_active_affect", lambda self: None)


@pytest.fixture(autouse=True)
def steady_cursors(monkeypatch: pytest.MonkeyPatch) -> None:
    """A focused Input or TextArea blinks its cursor every 0.5 s, so a snapshot would show
    it or not by timing: in tests the cursor stays on."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Journal and logs go to a temp dir, never the user's."""
    path = tmp_path / "data"
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(path))
    return path


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    path = tmp_path / "config"
    path.mkdir()
    return path


@pytest.fixture
def keyring() -> FakeKeyring:
    return FakeKeyring()


@pytest.fixture
def sandbox_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox_app(sandbox_clock: FakeClock) -> Starlette:
    """An in-process 360nrs emulator on a controllable clock."""
    return create_app(clock=sandbox_clock)


@pytest.fixture
def secrets(keyring: FakeKeyring) -> SecretStore:
    # An empty environment: no SWITCHBOARD_SECRET_* override leaks in from the shell.
    return SecretStore(environ={}, keyring_module=keyring)


@pytest.fixture
def workspace(config_dir: Path, secrets: SecretStore, sandbox_app: Starlette) -> Workspace:
    """Every account's traffic goes into the in-process sandbox app."""
    return Workspace(
        config_dir,
        secrets=secrets,
        transport_factory=lambda account: httpx.ASGITransport(app=sandbox_app),
    )


@pytest.fixture
def add_account(workspace: Workspace, keyring: FakeKeyring) -> Callable[..., Account]:
    """Put an account pointing at the sandbox app into config.toml and the keyring."""

    def add(name: str, secret: str = DEMO_PASSWORD, username: str = DEMO_USERNAME) -> Account:
        account = Account(name=name, provider="360nrs", base_url=SANDBOX_URL, username=username)
        workspace.store.add_account(account)
        keyring.set_password(SERVICE, name, secret)
        return account

    return add


@pytest.fixture
def make_app(workspace: Workspace) -> Callable[..., SwitchboardApp]:
    def make(ws: Workspace | None = None) -> SwitchboardApp:
        return SwitchboardApp(ws or workspace, start_sandbox=False)

    return make


# Workers that run as long as what they follow does (a delivery watch polls until every
# state is final, minutes on the sandbox): settling does not wait for them.
LONG_LIVED = frozenset({"delivery-watch"})


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and the messages they posted be handled (workers start workers);
    long-lived ones (LONG_LIVED) keep running."""
    for _ in range(10):
        busy = [w for w in pilot.app.workers if w.group not in LONG_LIVED]
        if busy:  # (an empty list would wait for every worker)
            await pilot.app.workers.wait_for_complete(busy)
        await pilot.pause()
        if not any(w.group not in LONG_LIVED for w in pilot.app.workers):
            return
    raise AssertionError(f"workers still running: {list(pilot.app.workers)}")


async def type_into(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Focus an Input, clear it and type text into it.

    All but the last character are pasted in (each Pilot key press waits for the app to
    go idle, about 40 ms, which would make typing a path take seconds); the last one is a
    real key press, so the Input's key handling and its Changed message are exercised."""
    from textual.widgets import Input

    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    # After the focus is handled: focusing selects the whole value, which a key replaces.
    await pilot.pause()
    widget.value = text[:-1]
    widget.cursor_position = len(widget.value)
    if text:
        await pilot.press(text[-1])


@pytest.fixture
def provider_apps(sandbox_app: Starlette) -> dict[str, Any]:
    """One in-process emulator per provider (360nrs on the controllable clock)."""
    apps: dict[str, Any] = {spec.provider: spec.factory() for spec in product_sandbox.SPECS}
    apps["360nrs"] = sandbox_app
    return apps


@pytest.fixture
def all_providers(
    config_dir: Path, secrets: SecretStore, provider_apps: dict[str, Any]
) -> Workspace:
    """A workspace with the product sandbox's accounts (sandbox-360nrs, sandbox-xebo, ...),
    each routed in-process to its provider's emulator."""
    ws = Workspace(
        config_dir,
        secrets=secrets,
        transport_factory=lambda account: httpx.ASGITransport(app=provider_apps[account.provider]),
    )
    for spec in product_sandbox.SPECS:
        ws.add_ephemeral(
            Account(
                name=spec.account_name,
                provider=spec.provider,
                base_url=f"http://{spec.provider}.sandbox{spec.path}",
                username=spec.username,
                options=dict(spec.options),
            ),
            spec.secret,
        )
    return ws


@pytest.fixture
def sandbox_console(all_providers: Workspace) -> Callable[..., SwitchboardApp]:
    """Build the console on every provider's emulator; `account` picks the active one."""

    def make(account: str = "sandbox-360nrs") -> SwitchboardApp:
        app = SwitchboardApp(all_providers, start_sandbox=False)
        app.active_account = account
        return app

    return make
