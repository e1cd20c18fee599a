"""Bad input is a usage error (exit 2, one line) found before any request: a blank
`--message` or `--from`, Ctrl-D at a y/N or a secret prompt. Never "unexpected error"."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest

from backends.sandbox.core import SandboxServer
from tests.tui.conftest import log_of
from tui.cli import run
from tui.config import ConfigStore

PHONE = "34666555444"


def sms(*args: str) -> list[str]:
    return ["sms", "send", "-a", "demo", "--to", PHONE, *args]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (sms("--from", "ACME", "--message", ""), "--message is empty"),
        (sms("--from", "ACME", "--message", "  \t "), "--message is empty"),
        (sms("--from", "", "--message", "Hi"), "--from is empty"),
        (sms("--from", "   ", "--message", "Hi"), "--from is empty"),
        (["landing", "send", "-a", "demo", "--from", " ", "--to", PHONE, "--message",
          "Hi {LAND_URL}", "--template-body", "<p>x</p>"], "--from is empty"),
        (["mail", "send", "-a", "demo", "--to", "a@example.com", "--from-email",
          "news@example.com", "--reply-to", "help@example.com", "--subject", " ", "--body", "Hi"],
         "--subject is empty"),
        (["voice", "send", "-a", "demo", "--to", PHONE, "--message", ""], "--message is empty"),
        # The reply use case refuses it, in the console's words too (test_otp_reply_usecases).
        (["whatsapp", "reply", "-a", "demo", "34911111111", PHONE, "--message", " "],
         "type a message first"),
    ],
)  # fmt: skip
def test_a_blank_text_option_is_refused_before_any_request(
    account: str,
    nrs_server: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    said: str,
) -> None:
    assert run(argv) == 2
    assert capsys.readouterr().err == f"switchboard: {said}\n"
    assert len(log_of(nrs_server)) == 0  # nothing reached the provider, not even a preflight


def in_a_terminal(argv: list[str], answer_after: str, timeout: float = 30) -> tuple[int, str]:
    """Run `switchboard` on a pseudo-terminal as a person would, press Ctrl-D once
    `answer_after` is shown; its exit code and everything it wrote."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI, with the pty as its terminal
        os.execvpe(sys.executable, [sys.executable, "-m", "tui", *argv], dict(os.environ))
    shown = b""
    answered = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
            if not answered and answer_after.encode() in shown:
                os.write(fd, b"\x04")  # Ctrl-D at an empty prompt: end of input
                answered = True
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


@pytest.mark.slow
def test_ctrl_d_at_a_yes_no_prompt_cancels(account: str, isolated_dirs: Path) -> None:
    code, shown = in_a_terminal(["account", "remove", "demo"], "[y/N]")
    assert code == 2, shown
    assert "switchboard: cancelled" in shown
    assert "unexpected error" not in shown and "Traceback" not in shown
    assert "demo" in ConfigStore(isolated_dirs / "config").load().accounts


@pytest.mark.slow
def test_ctrl_d_at_a_secret_prompt_cancels(isolated_dirs: Path) -> None:
    code, shown = in_a_terminal(
        ["account", "add", "acme", "--provider", "360nrs", "--username", "u"], "for acme: "
    )
    assert code == 2, shown
    assert "switchboard: cancelled" in shown
    assert "unexpected error" not in shown and "Traceback" not in shown
    assert "acme" not in ConfigStore(isolated_dirs / "config").load().accounts
