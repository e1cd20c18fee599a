"""A keyring that stops answering never holds the exit (issue 13 point 4).

Each test runs a process whose keyring is a real `keyring` backend class, installed with
`keyring.set_keyring`, that blocks forever in every call: the stuck call cannot be ended,
so only where it runs decides whether the process can exit.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.config import Account, ConfigStore

pytestmark = pytest.mark.slow

TIMEOUT = 2.0
STUCK_KEYRING = f"""
import sys, threading, time
import keyring
from keyring.backend import KeyringBackend
import tui.secrets

tui.secrets.KEYRING_TIMEOUT = {TIMEOUT}

class Stuck(KeyringBackend):
    priority = 1

    def _block(self, *args):
        print("keyring entered", file=sys.stderr, flush=True)
        threading.Event().wait()

    get_password = set_password = delete_password = _block

# What tui.secrets takes for a Secret Service keyring: a locked or dead D-Bus daemon.
Stuck.__module__ = "keyring.backends.SecretService"
keyring.set_keyring(Stuck())
"""

CLI = (
    STUCK_KEYRING
    + """
from tui.cli import run
print(time.time(), flush=True)
sys.exit(run(sys.argv[1:]))
"""
)

CONSOLE = (
    STUCK_KEYRING
    + """
import asyncio
from tui.app import SwitchboardApp
from tui.paths import config_dir
from tui.workspace import Workspace

async def quit_while_stuck(pilot):
    while app.active_account is None:
        await asyncio.sleep(0.05)
    # Opening the account reads its secret: the keyring call is in flight, stuck.
    pilot.app.run_worker(pilot.app.backend(), exit_on_error=False)
    await asyncio.sleep(0.5)
    print(time.time(), flush=True)
    await pilot.press("ctrl+q")

app = SwitchboardApp(Workspace(config_dir()))
app.run(headless=True, auto_pilot=quit_while_stuck)
"""
)


@pytest.fixture
def real_account(isolated_dirs: Path) -> None:
    """An account whose secret is in the keyring (no environment override)."""
    ConfigStore(isolated_dirs / "config").add_account(
        Account(name="prod", provider="360nrs", base_url="http://127.0.0.1:9/api", username="u")
    )


def run_stuck(script: str, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `script`; its result and the seconds from the time it printed to its exit."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT + 30,
    )
    ended = time.time()
    started = float(done.stdout.split()[0])
    return done, ended - started


def test_the_cli_prints_and_exits_when_the_keyring_hangs(real_account: None) -> None:
    done, took = run_stuck(CLI, "account", "test", "prod")
    assert "keyring entered" in done.stderr
    assert f"the keyring did not answer within {TIMEOUT:.0f} s; is it locked?" in done.stderr
    assert done.returncode == 1
    assert took < TIMEOUT + 1.0, f"exited {took:.1f} s after starting the command"


def test_ctrl_q_quits_the_console_while_the_keyring_hangs(real_account: None) -> None:
    done, took = run_stuck(CONSOLE)
    assert "keyring entered" in done.stderr
    assert done.returncode == 0, done.stderr
    assert took < 1.0, f"exited {took:.1f} s after Ctrl+Q"
