"""The console runs the delivery receiver as its own child process while an account has a
delivery_url: a real `switchboard receive` on a real port, stopped with the console, gone
when the console is killed, and a port in use or a crash said without stopping the console."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tui.app import SwitchboardApp
from tui.cli import run
from tui.config import Account, ConfigStore
from tui.engine.journal import default_path, sandbox_path
from tui.engine.processes import process_alive
from tui.receiver_process import DEFAULT_LISTEN, ReceiverChild, wanted
from tui.secrets import SecretStore
from tui.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
HOOK = "https://hooks.example.com"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def config(isolated_dirs: Path) -> Path:
    return isolated_dirs / "config"


def add_account(config: Path, name: str = "real", **options: str) -> None:
    ConfigStore(config).add_account(
        Account(name, "360nrs", "http://127.0.0.1:9/api/rest", "user", options=options)
    )


def console(config: Path) -> SwitchboardApp:
    return SwitchboardApp(Workspace(config, secrets=SecretStore(environ={})))


async def until(pilot: Pilot[None], condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)


def the_child(app: SwitchboardApp) -> ReceiverChild:
    assert app.receivers is not None
    (child,) = app.receivers.children.values()
    return child


def refused_connection(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


async def test_console_runs_the_receiver_in_its_own_process_and_stops_it(config: Path) -> None:
    port = free_port()
    add_account(config, delivery_url=HOOK)
    ConfigStore(config).set_setting("receiver_listen", f"127.0.0.1:{port}")
    app = console(config)
    async with app.run_test() as pilot:
        await until(pilot, lambda: app.receivers and the_child(app).running, "the receiver")
        child = the_child(app)
        assert child.process is not None and child.process.pid != os.getpid()
        assert child.journal == default_path()  # a real account: the real journal
        assert f"receiving on 127.0.0.1:{port}" in str(app.sub_title)
        await pilot.press("f9")  # the Jobs screen says it of the journal it shows
        journal_line = app.screen.query_one("#jobs-journal", Static)
        await until(pilot, lambda: "receiving on" in str(journal_line.render()), "Jobs")
        assert str(journal_line.render()) == (
            f"Journal: journal.sqlite3 · receiving on 127.0.0.1:{port}"
        )
        # It answers over the socket: a forged token is refused by the receiver itself.
        got = await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}/dlr/forged")
        assert got.status_code == 403
        process = child.process
    # The console quit: the child wrote what it held and ended, the port is free.
    assert process.returncode == 0
    assert child.last_words == "Stopped: 0 reports written, 1 refused."
    assert refused_connection(port)


async def test_no_receiver_without_a_delivery_url(config: Path) -> None:
    port = free_port()
    add_account(config)  # no delivery_url
    ConfigStore(config).set_setting("receiver_listen", f"127.0.0.1:{port}")
    app = console(config)
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.receivers is None
        assert "receiv" not in str(app.sub_title)
        assert refused_connection(port)


async def test_a_port_in_use_is_said_and_the_console_works_on(config: Path) -> None:
    add_account(config, delivery_url=HOOK)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        ConfigStore(config).set_setting("receiver_listen", f"127.0.0.1:{port}")
        app = console(config)
        async with app.run_test() as pilot:
            await until(pilot, lambda: app.receivers and the_child(app).problem, "the failure")
            child = the_child(app)
            assert child.problem is not None and "in use" in child.problem
            assert f"receiver off (127.0.0.1:{port})" in str(app.sub_title)
            (note,) = [n for n in app._notifications if "receiver" in n.message]
            assert note.severity == "error"
            assert f"127.0.0.1:{port}" in note.message and "in use" in note.message
            await pilot.press("f9")  # the console still answers keys
            await pilot.pause()
            assert app.current_mode == "jobs"


async def test_a_receiver_that_crashes_is_said(config: Path) -> None:
    add_account(config, delivery_url=HOOK)
    ConfigStore(config).set_setting("receiver_listen", f"127.0.0.1:{free_port()}")
    app = console(config)
    async with app.run_test() as pilot:
        await until(pilot, lambda: app.receivers and the_child(app).running, "the receiver")
        child = the_child(app)
        assert child.process is not None
        child.process.kill()
        await until(pilot, lambda: child.problem, "the crash to be noticed")
        assert "receiver off" in str(app.sub_title)
        assert any("is not running" in n.message for n in app._notifications)


# The console in its own process (headless), printing its receiver's pid once it listens.
CONSOLE = """
import asyncio, sys
from pathlib import Path
from tui.app import SwitchboardApp
from tui.secrets import SecretStore
from tui.workspace import Workspace

async def main():
    app = SwitchboardApp(Workspace(Path(sys.argv[1]), secrets=SecretStore(environ={})))
    async with app.run_test() as pilot:
        while not (app.receivers and any(c.running for c in app.receivers.children.values())):
            await pilot.pause(0.05)
        (child,) = app.receivers.children.values()
        print(child.process.pid, flush=True)
        await asyncio.sleep(120)

asyncio.run(main())
"""


def test_the_receiver_ends_when_the_console_is_killed(config: Path) -> None:
    add_account(config, delivery_url=HOOK)
    port = free_port()
    ConfigStore(config).set_setting("receiver_listen", f"127.0.0.1:{port}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CONSOLE, str(config)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        receiver_pid = int(proc.stdout.readline())
        assert not refused_connection(port)
        proc.send_signal(signal.SIGKILL)  # no clean-up of any kind
        proc.wait(10)
        deadline = time.monotonic() + 5
        while process_alive(receiver_pid):
            assert time.monotonic() < deadline, "the receiver outlived the console"
            time.sleep(0.05)
        assert refused_connection(port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_receive_with_parent_watch_stops_when_its_input_closes(isolated_dirs: Path) -> None:
    cmd = [sys.executable, "-m", "tui", "receive", "--listen", "127.0.0.1:0", "--parent-watch"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdin is not None
    assert proc.stdout.readline().startswith(b"Receiving delivery notifications on ")
    proc.stdin.close()
    assert proc.wait(15) == 0, proc.stderr.read() if proc.stderr else ""
    out = proc.stdout.read()
    assert b"Stopped: 0 reports written, 0 refused." in out


def test_which_journals_get_a_receiver_and_where(isolated_dirs: Path) -> None:
    real = Account("real", "360nrs", "https://x", "u", options={"delivery_url": HOOK})
    plain = Account("plain", "360nrs", "https://x", "u")
    sandboxed = Account(
        "sb", "360nrs", "http://127.0.0.1:1", "u", options={"delivery_url": "http://127.0.0.1:9911"},
        ephemeral=True,
    )  # fmt: skip
    assert wanted([plain], "nonsense") == {}  # no receiver needed: the setting is not read
    assert wanted([real, plain], "0.0.0.0:9000") == {default_path(): "0.0.0.0:9000"}
    # Sandbox accounts journal apart: their own receiver, where their local URL points.
    assert wanted([real, sandboxed], DEFAULT_LISTEN) == {
        default_path(): DEFAULT_LISTEN,
        sandbox_path(): "127.0.0.1:9911",
    }


@pytest.mark.parametrize(
    ("value", "stored"), [("127.0.0.1:9000", "127.0.0.1:9000"), (" 0.0.0.0:80 ", "0.0.0.0:80")]
)
def test_settings_set_takes_a_receiver_address(config: Path, value: str, stored: str) -> None:
    assert run(["settings", "set", "receiver_listen", value], out=io.StringIO()) == 0
    assert ConfigStore(config).setting("receiver_listen") == stored


@pytest.mark.parametrize("value", ["8765", "host:", "host:99999", "127.0.0.1:0"])
def test_settings_set_refuses_a_bad_receiver_address(
    config: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["settings", "set", "receiver_listen", value], out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert "receiver_listen" in err and "Traceback" not in err
    assert ConfigStore(config).setting("receiver_listen") is None


def test_settings_list_shows_the_receiver_default(config: Path) -> None:
    out = io.StringIO()
    assert run(["settings", "list"], out=out) == 0
    assert f"receiver_listen  {DEFAULT_LISTEN}" in out.getvalue() or (
        "receiver_listen" in out.getvalue() and DEFAULT_LISTEN in out.getvalue()
    )
