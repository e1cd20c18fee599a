"""The command line in real processes against a real sandbox socket."""

from __future__ import annotations

import io
import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from backends.nrs360.client import Nrs360Backend
from backends.sandbox.core import RequestLog, SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from tui import sandbox
from tui.cli import run
from tui.secrets import env_var_name

pytestmark = pytest.mark.slow


def cli(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run `switchboard` as a user would, with the test's config and data dirs."""
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def log_of(server: SandboxServer) -> RequestLog:
    """What reached the sandbox."""
    log: RequestLog = server.app.state.log  # type: ignore[attr-defined]
    return log


@pytest.fixture
def account(nrs_server: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """An account 'demo' on the sandbox; its secret comes from the environment."""
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    result = cli(
        "account", "add", "demo", "--provider", "360nrs",
        "--base-url", nrs_server.url + "/api/rest", "--username", DEMO_USERNAME,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return "demo"


def test_account_list_and_test(account: str, nrs_server: SandboxServer) -> None:
    listed = cli("account", "list", "--json")
    assert json.loads(listed.stdout)["items"][0]["name"] == "demo"
    tested = cli("account", "test", "demo")
    assert tested.returncode == 0
    assert "balance 250.00 EUR" in tested.stdout
    got = log_of(nrs_server).matching("GET", "/api/rest/account")
    assert len(got) == 1


def test_sms_send_mixed_result_exit_3(account: str, nrs_server: SandboxServer) -> None:
    result = cli(
        "sms", "send", "-a", "demo", "--from", "TEST", "--to", "34666555444", "--to", "34",
        "--message", "Hello", "--json",
    )  # fmt: skip
    # "34" is not a phone number: refused offline, never sent; the other one is accepted.
    assert result.returncode == 3
    body = json.loads(result.stdout)
    assert body["status"] == "DONE"
    assert (body["totals"]["accepted"], body["totals"]["total"]) == (1, 1)
    assert "row 2: '34': not a phone number" in result.stderr
    sent = log_of(nrs_server).matching("POST", "/api/rest/sms")
    assert sent[0].json() == {
        "to": ["34666555444"],
        "from": "TEST",
        "message": "Hello",
        "encoding": "gsm",
        "parts": 1,
    }


def test_otp_generate_then_check(account: str) -> None:
    gen = cli("otp", "generate", "-a", "demo", "--recipient", "34666555444", "--length", "5",
              "--json")  # fmt: skip
    code = json.loads(gen.stdout)["code"]
    assert len(code) == 5 and code.isdigit()
    bad = cli("otp", "check", "-a", "demo", "--recipient", "34666555444", "--code", "xx")
    assert bad.returncode == 3 and "Invalid code (2 attempts left)" in bad.stdout
    good = cli("otp", "check", "-a", "demo", "--recipient", "34666555444", "--code", code)
    assert good.returncode == 0 and "valid: Valid" in good.stdout


def test_contacts_and_groups(account: str) -> None:
    created = cli(
        "contacts", "create", "-a", "demo", "--phone", "34600111222", "--country", "es",
        "--group", "Testers", "--field", "plan=gold", "--json",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    cid = json.loads(created.stdout)["id"]
    shown = json.loads(cli("contacts", "show", "-a", "demo", str(cid), "--json").stdout)
    assert shown["custom_fields"] == [{"key": "plan", "value": "gold", "type": "string"}]
    assert [g["name"] for g in shown["groups"]] == ["Testers"]
    listed = cli("contacts", "list", "-a", "demo", "--phone", "34600111222", "--json")
    assert [c["id"] for c in json.loads(listed.stdout)["items"]] == [cid]
    refused = cli("contacts", "delete", "-a", "demo", str(cid))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert cli("contacts", "delete", "-a", "demo", str(cid), "--yes").returncode == 0
    missing = cli("contacts", "show", "-a", "demo", str(cid))
    assert missing.returncode == 3 and "Resource not found" in missing.stderr
    groups = json.loads(cli("groups", "list", "-a", "demo", "--json").stdout)
    assert "Testers" in [g["name"] for g in groups["items"]]


def test_whatsapp_reply_outside_session_is_refused(account: str) -> None:
    page = json.loads(cli("whatsapp", "conversations", "-a", "demo", "--json").stdout)
    closed = next(c for c in page["items"] if not c["session_active"])
    active = next(c for c in page["items"] if c["session_active"])
    refused = cli("whatsapp", "reply", "-a", "demo", closed["sender"], closed["recipient"],
                  "--message", "hi")  # fmt: skip
    assert refused.returncode == 3 and "session is not active" in refused.stderr
    ok = cli("whatsapp", "reply", "-a", "demo", active["sender"], active["recipient"],
             "--message", "hi")  # fmt: skip
    assert ok.returncode == 0, ok.stderr


def test_usage_and_config_errors(tmp_path: Path) -> None:
    assert cli("sms", "send").returncode == 2
    missing = cli("account", "test", "nobody")
    assert missing.returncode == 1 and "no account named 'nobody'" in missing.stderr
    cfg = Path(os.environ["SWITCHBOARD_CONFIG_DIR"])
    cfg.mkdir(parents=True)
    (cfg / "config.toml").write_text("[accounts\n")
    broken = cli("account", "list")
    assert broken.returncode == 1 and "not valid TOML" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_unreachable_provider_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_SECRET_GONE", "x")
    url = "http://127.0.0.1:9/api/rest"
    cli("account", "add", "gone", "--provider", "360nrs", "--base-url", url,
        "--username", "u")  # fmt: skip
    result = cli("account", "test", "gone")
    assert result.returncode == 1
    assert "Could not connect" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("strict", [False, True])
def test_360nrs_contact_rules_follow_the_backend_attributes(
    account: str,
    nrs_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    strict: bool,
) -> None:
    """The CLI asks for --country and a whole contact on update only when the backend
    says it needs them; otherwise the 360nrs rules refuse what its reference requires."""
    monkeypatch.setattr(Nrs360Backend, "contact_number_needs_country", strict)
    monkeypatch.setattr(Nrs360Backend, "contact_update_replaces", strict)
    out = io.StringIO()
    no_country = ["contacts", "create", "-a", "demo", "--phone", "34600111222", "--group", "T"]
    partial = ["contacts", "update", "-a", "demo", "1", "--name", "Ana"]
    codes = (run(no_country, out=out), run(partial, out=out))
    err = capsys.readouterr().err
    sent = log_of(nrs_server).requests
    if strict:
        assert codes == (2, 2)
        assert "360nrs needs a country (two-letter ISO code, e.g. ES) with a phone number" in err
        assert "give an email, a mobile phone or a landline" in err
        assert sent == []
    else:
        # 360nrs's rules (backends/nrs360/rules, from its parameter tables) refuse both locally.
        assert codes == (2, 2)
        assert "The country iso field is required when phone / landline is present." in err
        assert "The email field is required." in err
        assert sent == []
    assert "unexpected error" not in err


def test_360nrs_update_sends_the_whole_contact(account: str, nrs_server: SandboxServer) -> None:
    created = cli("contacts", "create", "-a", "demo", "--email", "ana@example.com",
                  "--group", "Testers", "--json")  # fmt: skip
    cid = json.loads(created.stdout)["id"]
    updated = cli("contacts", "update", "-a", "demo", str(cid), "--email", "ana@example.com",
                  "--name", "Ana", "--group", "Testers", "--json")  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    assert json.loads(updated.stdout)["name"] == "Ana"
    (put,) = log_of(nrs_server).matching("PUT", f"/api/rest/contacts/{cid}")
    assert put.json() == {"email": "ana@example.com", "name": "Ana", "groupsNames": ["Testers"]}


def test_sandbox_serve_prints_account_lines_that_work(tmp_path: Path) -> None:
    """Each printed `account add` line, pasted, gives an account that can send."""
    server = subprocess.Popen(
        [sys.executable, "-m", "tui", "sandbox", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        printed = []
        for line in server.stdout:
            printed.append(line.strip())
            if line.startswith("Press Ctrl-C"):
                break
        lines = [p for p in printed if p.startswith("switchboard account add ")]
        assert len(lines) == len(sandbox.SPECS)
        env = {}
        for line, spec in zip(lines, sandbox.SPECS, strict=True):
            words = shlex.split(line)
            assert words[3] == spec.account_name
            for key, value in spec.options.items():
                assert f"--option {shlex.quote(f'{key}={value}')}" in line
            # No empty `--username` (argparse would take the next option as missing).
            assert ("--username" in words) == bool(spec.username)
            env[env_var_name(spec.account_name)] = spec.secret
            added = cli(*words[1:], env=env)  # the secret from its variable, not asked
            assert added.returncode == 0, added.stderr
        listed = {
            a["name"]: a for a in json.loads(cli("account", "list", "--json").stdout)["items"]
        }
        for spec in sandbox.SPECS:
            assert listed[spec.account_name]["options"] == dict(spec.options)
        # The Xebo account needs its collector, the 8x8 one its subaccount and survey.
        survey = cli("survey", "send", "-a", "sandbox-xebo", "--medium", "sms",
                     "--to", "+6598760001", env=env)  # fmt: skip
        assert survey.returncode == 0, survey.stderr
        batch = cli("survey-batch", "send", "-a", "sandbox-8x8", "--to", "+6598760001",
                    "--template", "Rate us {{url:}}", "--json", env=env)  # fmt: skip
        assert batch.returncode == 0, batch.stderr
        assert json.loads(batch.stdout)["totals"]["accepted"] == 1
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
