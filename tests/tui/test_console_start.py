"""The console's start (issue 14, first frame): the first screen and its navigation bar are
drawn before the sandbox's emulators and the backends are loaded; the emulators start in a
thread after that frame, and what asks for an account meanwhile waits for them."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

import tui.sandbox_start
from screens.compose.screen import ComposeScreen
from screens.widgets.common import ErrorModal
from tests.conftest import FakeKeyring
from tui.app import SwitchboardApp
from tui.sandbox import RunningSandbox
from tui.secrets import SecretStore
from tui.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
# The emulators and what only talking to a provider needs (json: the forms of a secret
# the log filter masks, made when a backend opens); Rich's emoji table (4 ms to load),
# which markup loads: the first screen shows none.
HEAVY = (
    "starlette",
    "uvicorn",
    "backends.sandbox",
    "httpx",
    "backends.registry",
    "json",
    "rich._emoji_codes",
)
# Run as `switchboard --sandbox` on a terminal; Textual's driver writes the screen to
# sys.__stderr__, watched here for the navigation bar (the first frame) and for the
# sandbox's first account (the emulators are up): the heavy modules loaded at each.
PROBE = """
import gc
import sys
heavy, out = sys.argv[1].split(","), sys.argv[2]
moments = {"frame": "Conversations", "sandbox": "sandbox-360nrs"}


class Terminal:
    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        for name, marker in list(moments.items()):
            if marker in text:
                del moments[name]
                loaded = [
                    h for h in heavy if any(m == h or m.startswith(h + ".") for m in sys.modules)
                ]
                with open(out, "a") as f:
                    f.write(name + ": " + " ".join(loaded) + "\\n")
                    f.write(name + "-gc: " + collector() + "\\n")
        return self.stream.write(text)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def collector():
    return ("held" if not gc.isenabled() else "running") + (
        " frozen" if gc.get_freeze_count() else " unfrozen"
    )


import tui.interpreter

freeze_start_up = tui.interpreter.freeze_start_up


def freeze():  # after the first frame: the collector's state until then
    with open(out, "a") as f:
        f.write("freeze-gc: " + collector() + "\\n")
    freeze_start_up()


tui.interpreter.freeze_start_up = freeze
sys.__stderr__ = sys.stderr = Terminal(sys.stderr)
from tui.cli import main

main(["--sandbox"])
"""


def loaded_at_frame_and_sandbox(tmp_path: Path) -> dict[str, list[str]]:
    """Run the console on a pseudo-terminal; which of HEAVY it had loaded when its first
    frame (the navigation bar) was drawn, and when the sandbox's accounts were."""
    out = tmp_path / "loaded.txt"
    env = {
        **os.environ,
        "SWITCHBOARD_CONFIG_DIR": str(tmp_path / "config"),
        "SWITCHBOARD_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "120",
        "LINES": "40",
        "TERM": "xterm",
    }
    cmd = [sys.executable, "-c", PROBE, ",".join(HEAVY), str(out)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the console
        os.chdir(ROOT)
        os.execvpe(cmd[0], cmd, env)
    try:
        deadline = time.monotonic() + 60
        while not (out.exists() and out.read_text().count("\n") == 5):
            assert time.monotonic() < deadline, "the console never drew its frame and sandbox"
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    os.read(fd, 65536)  # keep the terminal drained
                except OSError:
                    break  # the console ended: what it wrote is checked below
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    lines = out.read_text().splitlines()
    return {line.split(":")[0]: line.split(":")[1].split() for line in lines}


def test_the_first_frame_is_drawn_before_the_emulators_and_backends_load(
    tmp_path: Path,
) -> None:
    loaded = loaded_at_frame_and_sandbox(tmp_path)
    assert loaded["frame"] == []
    # No garbage collection until the first frame (one walked the 50,000 objects just
    # built, all alive): held until start-up's objects are frozen out of collections
    # (after that frame), which then run.
    assert loaded["freeze-gc"] == ["held", "unfrozen"]
    assert loaded["sandbox-gc"] == ["running", "frozen"]
    # The probe can see them: the sandbox's accounts come with its emulators.
    assert {"starlette", "uvicorn", "backends.sandbox"} <= set(loaded["sandbox"])


class HeldStart:
    """The real emulators, started when the test says: what happens meanwhile is seen."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0
        self.started: list[RunningSandbox] = []
        self._start = tui.sandbox_start.start_emulators

    def __call__(self) -> list[RunningSandbox]:
        self.calls += 1
        assert self.release.wait(30), "the test never let the sandbox start"
        running = self._start()
        self.started.extend(running)
        return running


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> HeldStart:
    start = HeldStart()
    monkeypatch.setattr(tui.sandbox_start, "start_emulators", start)
    return start


@pytest.fixture
def console(isolated_dirs: Path, fake_keyring: FakeKeyring) -> SwitchboardApp:
    """`switchboard --sandbox` with no account configured."""
    secrets = SecretStore(environ={}, keyring_module=fake_keyring)
    return SwitchboardApp(Workspace(isolated_dirs / "config", secrets=secrets), start_sandbox=True)


async def settle(pilot: Any) -> None:
    for _ in range(10):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not pilot.app.workers:
            return


def notice(app: SwitchboardApp) -> str:
    return str(app.screen.query_one("#compose-unsupported", Static).render())


async def test_a_screen_opened_before_the_sandbox_is_up_says_so_then_opens_on_it(
    console: SwitchboardApp, held: HeldStart
) -> None:
    async with console.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")  # at once: the key lands on its screen
        await pilot.pause()
        assert isinstance(console.screen, ComposeScreen)
        assert notice(console) == "Starting the sandbox…"
        assert console.sub_title == "starting the sandbox…"
        held.release.set()
        await console.open_sandbox()
        await settle(pilot)
        assert console.active_account == "sandbox-360nrs"
        assert not console.screen.query_one("#compose-unsupported", Static).display
        assert console.sub_title == "SANDBOX · account: sandbox-360nrs (360nrs)"
    assert held.started and not any(s.server.running for s in held.started)


async def test_asking_for_the_backend_while_the_sandbox_starts_waits_for_it(
    console: SwitchboardApp, held: HeldStart
) -> None:
    async with console.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        threading.Timer(0.2, held.release.set).start()
        backend = await console.backend()  # no error: the sandbox's first account
        assert backend.provider == "360nrs"
        assert console.active_account == "sandbox-360nrs"


async def test_the_sandbox_button_while_it_starts_joins_that_start(
    console: SwitchboardApp, held: HeldStart
) -> None:
    async with console.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")  # Accounts: "Open the sandbox", while --sandbox starts it
        await pilot.pause()
        held.release.set()
        await settle(pilot)
        assert held.calls == 1
        assert len(console.sandboxes) == len(held.started)


async def test_a_failed_start_says_no_account_again_and_can_be_retried(
    console: SwitchboardApp, held: HeldStart, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused() -> list[RunningSandbox]:
        raise OSError("no free port")

    monkeypatch.setattr(tui.sandbox_start, "start_emulators", refused)
    async with console.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        modal = console.screen
        assert isinstance(modal, ErrorModal) and "no free port" in modal.message
        await pilot.press("escape")
        await pilot.pause()
        assert notice(console) == "No account yet: add one on the Accounts screen (F2)."
        assert console.sub_title == "no account"
        monkeypatch.setattr(tui.sandbox_start, "start_emulators", held)
        held.release.set()
        await console.open_sandbox()
        await settle(pilot)
        assert console.active_account == "sandbox-360nrs"


async def test_quitting_while_the_sandbox_starts_leaves_no_emulator_running(
    console: SwitchboardApp, held: HeldStart
) -> None:
    async with console.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        while held.calls == 0:  # the thread is starting them
            await pilot.pause(0.01)
        threading.Timer(0.2, held.release.set).start()
        await pilot.press("ctrl+q")
    assert held.started and not any(s.server.running for s in held.started)
