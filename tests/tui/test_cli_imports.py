"""The CLI loads only what the command it runs needs (issue 14, cold start):
`switchboard --help` and `account list` import neither Textual nor the sandbox emulators
(starlette, uvicorn), and every command is registered by the module tui.cli names for it."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

import pytest

import tui.cli
from tui.cli import COMMANDS, MODULES, build_parser, command_of, lists_commands, run

# email_validator compiles its patterns on import: loaded when an address is first checked.
HEAVY = ("textual", "starlette", "uvicorn", "email_validator")
PROBE = """
import sys
from tui.cli import main
heavy = tuple(sys.argv.pop(1).split(","))
try:
    main(sys.argv[1:])
except SystemExit:
    pass
loaded = [h for h in heavy if any(m == h or m.startswith(h + ".") for m in sys.modules)]
print("imported:", *loaded)
"""


def imported_by(tmp_path: Path, *argv: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """Which of `heavy` a fresh `switchboard *argv` process has imported at its end."""
    return last_line(tmp_path, PROBE, ",".join(heavy), *argv).split()[1:]


def last_line(tmp_path: Path, code: str, *argv: str) -> str:
    """The last line `python -c code *argv` prints, in a fresh process on tmp_path's dirs."""
    env = {
        **os.environ,
        "SWITCHBOARD_CONFIG_DIR": str(tmp_path / "config"),
        "SWITCHBOARD_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


@pytest.mark.parametrize(
    "argv", [("--help",), ("account", "list"), ("jobs", "list"), ("sms", "send", "--help")]
)
def test_commands_start_without_textual_or_the_sandbox(tmp_path: Path, argv: tuple[str]) -> None:
    assert imported_by(tmp_path, *argv) == []


def test_listing_configured_accounts_loads_no_backend(tmp_path: Path) -> None:
    # Their settings are checked from backends.providers, not from the backend classes.
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(
        '[accounts.demo]\nprovider = "360nrs"\nbase_url = "https://example.invalid/api"\n'
        'username = "u"\n[accounts.x]\nprovider = "8x8"\nbase_url = "https://example.invalid"\n'
        '[accounts.x.options]\nsubaccount_id = "s"\n',
        encoding="utf-8",
    )
    heavy = (
        "httpx",
        "backends.registry",
        "backends.base",
        "backends.nrs360",
        "backends.eightbyeight",
    )
    assert imported_by(tmp_path, "account", "list", heavy=heavy) == []
    assert imported_by(tmp_path, "account", "test", "demo", heavy=heavy) != []  # the probe works


def test_the_sandbox_command_still_loads_the_emulators_it_runs(tmp_path: Path) -> None:
    # The probe itself can fail: a command that needs them shows them.
    assert "starlette" in imported_by(tmp_path, "sandbox", "--help")


def test_every_command_is_the_one_its_module_registers_with_its_help() -> None:
    for module in MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        import_module(f"tui.cli.{module}").register(sub, argparse.ArgumentParser(add_help=False))
        registered = {a.dest: a.help for a in sub._choices_actions}
        listed = {name: h for name, (m, h) in COMMANDS.items() if m == module}
        assert registered == listed, module
    # The full parser has every command with its own arguments, in the listed order.
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == list(COMMANDS)


def test_the_command_is_the_first_word_that_names_one() -> None:
    assert command_of(["account", "list"]) == "account"
    assert command_of(["--json", "--config-dir", "jobs", "account", "list"]) == "account"
    assert command_of(["-v", "jobs", "show", "1"]) == "jobs"
    assert command_of(["--sandbox"]) is None
    assert command_of(["nonsense", "jobs"]) is None


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_commands_help_comes_from_its_own_module(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([name, "--help"], out=io.StringIO()) == 0
    assert f"usage: switchboard {name}" in capsys.readouterr().out


def test_an_unknown_command_is_a_usage_error_naming_the_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["nonsense"], out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'nonsense'" in err and "'jobs'" in err


@pytest.mark.parametrize(
    "argv", [["--help"], ["-h"], ["--he"], ["-vh"], ["--sandbox", "--hel"], ["--json", "-h"]]
)
def test_help_without_a_command_lists_every_command(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(argv, out=io.StringIO()) == 0
    out = capsys.readouterr().out
    assert all(f"    {name} " in out or f"    {name}\n" in out for name in COMMANDS)


def test_the_console_parses_its_options_without_listing_the_commands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Listing the commands cost the console's first frame about 4 ms: what it is opened
    # with is parsed without them, what may need them (help, a stray word) is not.
    built: list[bool] = []
    real_build = tui.cli.build_parser

    def build(modules: Sequence[str] = MODULES, *, listed: bool = True) -> argparse.ArgumentParser:
        built.append(listed)
        return real_build(modules, listed=listed)

    monkeypatch.setattr(tui.cli, "build_parser", build)
    for argv in (["--sandbox"], ["-v", "--config-dir", "h", "--sandbox"], ["--json"]):
        # Parsed, then refused here (no terminal): the console does not open in a test.
        assert run(argv, out=io.StringIO()) == 2
    assert built == [False, False, False]
    assert not lists_commands(["--config-dir", "--help"])  # a directory named so
    for argv in (["--help"], ["nonsense"], ["-vh"], ["--"], ["-"], ["--config-dir=d", "x"]):
        assert lists_commands(argv), argv


def test_the_console_module_loads_no_screen_nor_the_emulators() -> None:
    # The first frame waits only for what it shows: each area's screen is imported when
    # its mode is first opened, the emulators when the sandbox starts (after the frame).
    probe = (
        "import sys, tui.app; from screens.catalog import AREAS;"
        "print(*sorted(m for m in sys.modules if m.startswith(('starlette', 'uvicorn'))"
        " or m in {a.where.partition(':')[0] for a in AREAS}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


def test_a_command_runs_with_fewer_garbage_collections(tmp_path: Path) -> None:
    """A command collects garbage at (5,000, 20, 100), not Python's (700, 10, 10): at the
    default a 100,000-recipient send spent a tenth of its CPU in ~750 collections."""
    probe = "import gc, sys\nfrom tui.cli import run\nrun(sys.argv[1:])\nprint(gc.get_threshold())"
    assert last_line(tmp_path, probe, "account", "list") == "(5000, 20, 100)"
