"""OTP and replies (tui.usecases.otp, tui.usecases.conversations): the CLI and the console
refuse the same input with the same line and send the same request for the rest."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import Input

from backends.sandbox.core import RequestLog, SandboxServer
from backends.sandbox.nrs360 import BUSINESS_NUMBER, DEMO_PASSWORD, DEMO_USERNAME, Nrs360State
from tests.screens.conftest import SIZE, settle
from tests.screens.test_otp_screen import GENERATE, open_otp, text
from tui.app import SwitchboardApp
from tui.cli import run
from tui.config import Account, ConfigStore

RECIPIENT = "34666555444"
# (recipient, length, max attempts, validity as typed) and the refusal, or None: sent.
CASES: list[tuple[tuple[str, str, str, str], str | None]] = [
    ((RECIPIENT, "2", "", ""), "length must be between 3 and 10"),
    ((RECIPIENT, "", "11", ""), "max attempts must be between 1 and 10"),
    ((RECIPIENT, "", "", "601"), "validity must be between 30 and 600"),
    (("  ", "5", "", ""), "enter a phone number or an email"),
    ((RECIPIENT, "6", "5", "300"), None),
    ((f" {RECIPIENT} ", "", "", ""), None),
]


def log_of(server: SandboxServer) -> RequestLog:
    log: RequestLog = server.app.state.log  # type: ignore[attr-defined]
    return log


@pytest.fixture
def cli_account(
    nrs_server: SandboxServer, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """An account 'cli' on a sandbox server, in the config the CLI and the console share."""
    monkeypatch.setenv("SWITCHBOARD_SECRET_CLI", DEMO_PASSWORD)
    url = nrs_server.url + "/api/rest"
    account = Account(name="cli", provider="360nrs", base_url=url, username=DEMO_USERNAME)
    ConfigStore(config_dir).add_account(account)
    return "cli"


@pytest.fixture
def app(make_app: Callable[..., SwitchboardApp], add_account: Callable[..., Any]) -> SwitchboardApp:
    add_account("main")
    app = make_app()
    # The CLI's account shares the config; the console works on its in-process sandbox.
    app.active_account = "main"
    return app


def cli(*args: str) -> tuple[int, str]:
    """An in-process command on the CLI's account: (exit code, stderr)."""
    err = io.StringIO()
    # The console under test holds sys.stderr too: the CLI's is caught where it writes.
    with contextlib.redirect_stderr(err):
        code = run([*args, "-a", "cli"], out=io.StringIO())
    return code, err.getvalue()


async def test_otp_generate_gets_one_answer_from_the_cli_and_the_console(
    cli_account: str,
    nrs_server: SandboxServer,
    app: SwitchboardApp,
    sandbox_app: Starlette,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_otp(pilot)
        for (recipient, length, attempts, validity), refusal in CASES:
            argv = ["otp", "generate", "--recipient", recipient]
            for flag, value in (
                ("--length", length),
                ("--max-attempts", attempts),
                ("--validity", validity),
            ):
                argv += [flag, value] if value else []
            # The CLI runs its own event loop: in a thread, beside the console's.
            code, err = await asyncio.to_thread(cli, *argv)
            screen = app.screen
            for field_id, value in (
                ("recipient", recipient),
                ("length", length),
                ("max-attempts", attempts),
                ("validity", validity),
            ):
                screen.query_one(f"#{field_id}", Input).value = value
            await pilot.press("ctrl+g")
            await settle(pilot)
            shown = text(app, "#otp-form-error")
            if refusal is None:
                assert (code, shown) == (0, ""), err
            else:
                assert (code, err) == (2, f"switchboard: {refusal}\n")
                assert shown == refusal.capitalize() + "."
    by_cli = [r.json() for r in log_of(nrs_server).matching("POST", GENERATE)]
    by_console = [r.json() for r in sandbox_app.state.log.matching("POST", GENERATE)]
    assert (
        by_cli
        == by_console
        == [
            {"recipient": RECIPIENT, "length": 6, "maxAttempts": 5, "maxSecondsValidity": 300},
            {"recipient": RECIPIENT},
        ]
    )


def test_a_blank_reply_is_refused_by_the_cli_as_by_the_console(
    cli_account: str, nrs_server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    state: Nrs360State = nrs_server.app.state.nrs  # type: ignore[attr-defined]
    active = next(c for c in state.conversations.values() if c.is_session_active(state.now()))
    code, err = cli("whatsapp", "reply", BUSINESS_NUMBER, active.customer, "--message", " ")
    # The console says "Type a message first." from the same check (test_conversations_screen).
    assert (code, err) == (2, "switchboard: type a message first\n")
    assert [r.path for r in log_of(nrs_server).requests if r.method == "POST"] == []
