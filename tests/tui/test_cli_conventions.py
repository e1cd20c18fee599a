"""What people expect of a command-line tool (issue 15): --version, shell completion,
one Ctrl-C, a closed pipe, no terminal, the secret from the environment, a default
account, -v after the subcommand, the config file's header."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from tests.tui.conftest import cli, cli_json
from tui.cli import run
from tui.cli.common import Context, table
from tui.config import HEADER, NOTES_FILE, Account, ConfigStore


def spawn(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    """`switchboard` in its own process, as a shell starts it."""
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "tui", *args], text=True, **kwargs
    )


ROOT = Path(__file__).resolve().parents[2]


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    # The distribution's name from pyproject.toml (it was renamed: the command was not).
    dist = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
    assert capsys.readouterr().out == f"switchboard {version(dist)}\n"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_knows_the_subcommands(shell: str) -> None:
    code, out = cli("completion", shell)
    assert code == 0
    for word in ("account", "sms", "jobs", "completion", "version"):
        assert word in out


def test_bash_completes_subcommands_with_the_script(tmp_path: Path) -> None:
    """The script, sourced by bash, offers the account actions after `switchboard account`."""
    script = tmp_path / "switchboard.bash"
    script.write_text(cli("completion", "bash")[1])
    asked = (
        f"source {script}; COMP_WORDS=(switchboard account ''); COMP_CWORD=2; "
        "_shtab_switchboard switchboard '' account; echo \"${COMPREPLY[@]}\""
    )
    done = subprocess.run(["bash", "-c", asked], capture_output=True, text=True, timeout=30)
    assert done.stdout.split() == ["add", "use", "list", "test", "event-url", "remove"], done.stderr


def test_completion_of_an_unknown_shell_is_a_usage_error() -> None:
    assert cli("completion", "cmd.exe")[0] == 2


def test_one_ctrl_c_stops_sandbox_serve() -> None:
    server = spawn("sandbox", "serve", "--port", "0", stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("Press Ctrl-C"):
                break
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=15) == 130
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_a_closed_pipe_ends_quietly() -> None:
    """`switchboard ... | head`: the reader is gone before the output is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = spawn("completion", "bash", stdout=write_end, stderr=subprocess.PIPE)
        _, err = done.communicate(timeout=60)
    finally:
        os.close(write_end)
    assert err == ""
    assert done.returncode == 128 + signal.SIGPIPE


def test_without_a_terminal_the_console_is_not_started(tmp_path: Path) -> None:
    with (tmp_path / "out").open("w") as out:
        done = spawn(stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE)
        _, err = done.communicate(timeout=60)
    assert done.returncode == 2
    assert (tmp_path / "out").read_text() == ""  # no escape codes
    assert err.startswith("usage: switchboard")
    assert "needs a terminal" in err


def _add_demo(nrs_server: SandboxServer, *extra: str) -> tuple[int, str]:
    return cli("account", "add", "demo", "--provider", "360nrs", "--base-url",
               nrs_server.url + "/api/rest", "--username", DEMO_USERNAME, *extra)  # fmt: skip


def test_account_add_takes_the_secret_from_the_environment(
    nrs_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No keyring (the tests' own), the variable set: nothing is asked for or read."""
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal, nothing to read
    code, out = _add_demo(nrs_server)
    assert code == 0, capsys.readouterr().err
    assert "SWITCHBOARD_SECRET_DEMO" in capsys.readouterr().err
    assert "secret read from SWITCHBOARD_SECRET_DEMO (not stored)" in out
    assert cli("account", "test", "demo")[0] == 0


def test_secret_stdin_beside_the_variable_is_refused_without_a_keyring(
    nrs_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What is typed would be thrown away (the variable wins, no keyring keeps it)."""
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    monkeypatch.setattr(sys, "stdin", io.StringIO("another\n"))
    assert _add_demo(nrs_server, "--secret-stdin")[0] == 2
    assert "drop --secret-stdin" in capsys.readouterr().err
    assert sys.stdin.read() == "another\n"  # not read
    assert cli_json("account", "list")["items"] == []


@pytest.fixture
def two_accounts(nrs_server: SandboxServer, isolated_dirs: Path,
                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """'demo' on the sandbox, 'other' on a port nothing listens on: which one a command
    used shows in whether it could connect."""
    urls = {"demo": nrs_server.url + "/api/rest", "other": "http://127.0.0.1:9/api/rest"}
    for name, url in urls.items():
        monkeypatch.setenv(f"SWITCHBOARD_SECRET_{name.upper()}", DEMO_PASSWORD)
        ConfigStore(isolated_dirs / "config").add_account(
            Account(name=name, provider="360nrs", base_url=url, username=DEMO_USERNAME)
        )


def test_without_a_default_account_a_command_says_how_to_set_one(
    two_accounts: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("contacts", "list")[0] == 2
    err = capsys.readouterr().err
    assert "-a NAME" in err
    assert "switchboard account use NAME" in err


def test_account_use_sets_the_default_and_a_overrides_it(
    two_accounts: None, isolated_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("account", "use", "demo")[0] == 0
    assert ConfigStore(isolated_dirs / "config").setting("account") == "demo"
    assert cli("contacts", "list")[0] == 0
    assert cli("contacts", "list", "-a", "other")[0] == 1  # unreachable: -a was used
    assert cli("account", "use", "other")[0] == 0
    assert cli("contacts", "list")[0] == 1
    listed = {a["name"]: a["default"] for a in cli_json("account", "list")["items"]}
    assert listed == {"demo": False, "other": True}
    capsys.readouterr()
    assert cli("account", "use", "nobody")[0] == 1
    assert "no account named 'nobody'" in capsys.readouterr().err
    assert ConfigStore(isolated_dirs / "config").setting("account") == "other"


def test_verbose_anywhere_logs_debug_to_stderr(
    two_accounts: None, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (
        ("contacts", "list", "-a", "demo", "-v"),
        ("-v", "contacts", "list", "-a", "demo"),
    ):
        assert cli(*args)[0] == 0
        err = capsys.readouterr().err
        assert "DEBUG switchboard.http: GET " in err
        assert DEMO_PASSWORD not in err
    assert cli("contacts", "list", "-a", "demo")[0] == 0
    assert "DEBUG" not in capsys.readouterr().err


def test_config_file_says_it_is_rewritten_and_where_notes_go(isolated_dirs: Path) -> None:
    store = ConfigStore(isolated_dirs / "config")
    store.set_setting("theme", "dark")
    text = store.path.read_text()
    assert text.startswith(HEADER)
    assert "comments in this file are not kept" in text
    assert NOTES_FILE in text.splitlines()[2]
    assert tomllib.loads(text) == {"settings": {"theme": "dark"}, "accounts": {}}
    store.set_setting("theme", "light")  # a second write keeps one header
    assert store.path.read_text().count("# Written by Switchboard") == 1
    assert json.loads(json.dumps(store.load().settings)) == {"theme": "light"}


def test_csv_dash_reads_recipients_from_stdin(
    account: str,
    nrs_server: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--csv -`: the rows come from standard input; its private copy is gone afterwards."""
    rows = "name,mobile\nAna,34666550001\nBea,34666550002\nBad,34\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(rows.encode())))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    body = cli_json("sms", "send", "-a", "demo", "--from", "T", "--csv", "-", "--message", "Hi",
                    "--dry-run")  # fmt: skip
    assert body["preflight"]["recipients"] == 2
    assert [i["row"] for i in body["invalid"]] == [4]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_tables_align_wide_characters() -> None:
    out = io.StringIO()
    ctx = Context(workspace=None, json=False, out=out, err=io.StringIO(),  # type: ignore[arg-type]
                  config_dir=Path(), interactive=False)  # fmt: skip
    table(ctx, ("NAME", "TO"), [("東京支店", "+81"), ("Ana", "+34")])
    assert out.getvalue().splitlines() == [
        "NAME      TO",
        "東京支店  +81",
        "Ana       +34",
    ]


def test_every_list_command_has_one_envelope(two_accounts: None) -> None:
    for args in (("account", "list"), ("settings", "list"), ("jobs", "list"),
                 ("contacts", "list", "-a", "demo", "--all")):  # fmt: skip
        body = cli_json(*args)
        assert set(body) == {"items", "page", "per_page", "total", "total_pages"}, args
    paged = cli_json("contacts", "list", "-a", "demo", "--limit", "1")
    assert set(paged) == {"items", "page", "per_page", "total", "total_pages"}
