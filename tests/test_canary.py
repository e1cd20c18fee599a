"""A secret used through the CLI and the console never reaches a file, a log or a message."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from backends.errors import BadRequest
from backends.http import HttpClient
from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import create_app
from tests.conftest import FakeKeyring
from tui.secrets import SecretStore
from tui.workspace import Workspace

SECRET = f"CANARY-{uuid.uuid4().hex}"
USER = "canary"


def forms_of(secret: str) -> list[str]:
    """The secret as it could leak: plain, or inside a Basic header."""
    basic = base64.b64encode(f"{USER}:{secret}".encode()).decode()
    return [secret, basic]


def all_text(root: Path) -> str:
    """Every file under a directory, as text."""
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


@pytest.fixture
def server() -> object:
    srv = SandboxServer(create_app(users={USER: SECRET}))
    srv.start()
    yield srv
    srv.stop()


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", "-v", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )


@pytest.mark.slow
def test_cli_never_leaks(
    server: SandboxServer, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_SECRET_CANARY", SECRET)
    url = server.url + "/api/rest"
    outputs = [
        run_cli("account", "add", "canary", "--provider", "360nrs", "--base-url", url,
                "--username", USER),  # the secret from its variable
        run_cli("account", "test", "canary"),
        run_cli("account", "list", "--json"),
        run_cli("sms", "send", "-a", "canary", "--from", "TEST", "--to", "34666555444",
                "--to", "1", "--message", "hi"),
        run_cli("otp", "check", "-a", "canary", "--recipient", "34666555444", "--code", "1"),
    ]  # fmt: skip
    # A wrong secret, so an authentication error is printed and logged too.
    monkeypatch.setenv("SWITCHBOARD_SECRET_CANARY", SECRET + "-wrong")
    outputs.append(run_cli("account", "test", "canary"))
    assert outputs[1].returncode == 0, outputs[1].stderr
    assert outputs[-1].returncode == 3 and "103" in outputs[-1].stderr
    printed = "\n".join(o.stdout + o.stderr for o in outputs)
    files = all_text(isolated_dirs / "config") + all_text(isolated_dirs / "data")
    assert "switchboard.http" in files  # the debug log was written, and is checked
    for leak in forms_of(SECRET):
        assert leak not in printed
        assert leak not in files


async def test_console_never_leaks(
    server: SandboxServer, isolated_dirs: Path, fake_keyring: FakeKeyring
) -> None:
    from textual.widgets import Input

    from tui import logs
    from tui.app import SwitchboardApp

    logs.setup(verbose=True)
    workspace = Workspace(
        isolated_dirs / "config", secrets=SecretStore(environ={}, keyring_module=fake_keyring)
    )
    app = SwitchboardApp(workspace)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        modal = app.screen
        modal.query_one("#name", Input).value = "canary"
        modal.query_one("#base-url", Input).value = server.url + "/api/rest"
        modal.query_one("#username", Input).value = USER
        secret_input = modal.query_one("#secret", Input)
        assert secret_input.password is True
        secret_input.value = SECRET
        await pilot.click("#save")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert fake_keyring.store[("switchboard", "canary")] == SECRET
        screen_text = "\n".join(str(s) for s in app.screen.query("*").results())
    files = all_text(isolated_dirs / "config") + all_text(isolated_dirs / "data")
    assert "[accounts.canary]" in files
    assert "GET http" in files  # the debug log of the balance request is there, and checked
    for leak in forms_of(SECRET):
        assert leak not in files
        assert leak not in screen_text


async def test_error_messages_are_scrubbed() -> None:
    """A provider that echoes the credentials back still shows ***."""

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": {"code": 1, "description": f"bad {SECRET}"}})

    client = HttpClient(
        provider="x",
        base_url="http://x",
        transport=httpx.MockTransport(echo),
        secrets=(SECRET,),
    )
    with pytest.raises(BadRequest) as err:
        await client.request("GET", "/")
    assert SECRET not in str(err.value) and "***" in err.value.message
    await client.aclose()
