"""What the command line tells a user went wrong is in the log file too (issue 12)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from backends.sandbox.core import LOOPBACK
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from tui import logs
from tui.cli import run
from tui.config import Account, ConfigStore


def test_a_failed_command_logs_what_it_printed(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port = sock.getsockname()[1]  # released: nothing listens there
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    base_url = f"http://{LOOPBACK}:{port}/api/rest"
    account = Account(name="demo", provider="360nrs", base_url=base_url, username=DEMO_USERNAME)
    ConfigStore(isolated_dirs / "config").add_account(account)
    assert run(["account", "test", "demo"]) != 0
    printed = capsys.readouterr().err.strip()
    assert printed.startswith("switchboard: Could not connect to 360nrs")
    logged = logs.log_path().read_text(encoding="utf-8")
    assert logged.count("shown: ") == 1
    assert "shown: " + printed.removeprefix("switchboard: ") in logged
    assert DEMO_PASSWORD not in logged
