"""CI: the installed `switchboard` command, outside the repository, sends on the sandbox.

Run with the python of a venv where the wheel was installed (not editable), from a
directory that is not the repository: what a user who ran `pip install` gets. Starts
`switchboard sandbox serve`, adds the 360nrs account it prints (the secret in the
environment, as on a machine with no keyring, and on stdin), sends one SMS and stops the
sandbox with one Ctrl-C.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent
COMMAND = str(BIN / "switchboard")
SECRET = "demo-api-password"  # the 360nrs emulator's demo secret, printed by sandbox serve


def run(*args: str, env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run(
        [COMMAND, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        sys.exit(f"switchboard {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return done.stdout


def main() -> None:
    home = Path(tempfile.mkdtemp())
    env = dict(os.environ)
    env.update(
        SWITCHBOARD_CONFIG_DIR=str(home / "config"),
        SWITCHBOARD_DATA_DIR=str(home / "data"),
        SWITCHBOARD_SECRET_SANDBOX_360NRS=SECRET,
    )
    os.chdir(home)
    # --version arrives with the CLI conventions work; until then --help shows the command runs.
    for flag in ("--version", "--help"):
        if flag == "--version" and "--version" not in run("--help", env=env):
            continue
        print(f"switchboard {flag}: {run(flag, env=env).splitlines()[0]}")
    server = subprocess.Popen(
        [COMMAND, "sandbox", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        add = ""
        for line in server.stdout:
            if line.strip().startswith("switchboard account add sandbox-360nrs "):
                add = line.strip()
            if line.startswith("Press Ctrl-C"):
                break
        if not add:
            sys.exit(f"sandbox serve printed no 360nrs account\n{server.stderr.read()}")
        run(*shlex.split(add)[1:], "--secret-stdin", env=env, stdin=SECRET + "\n")
        send = ["sms", "send", "-a", "sandbox-360nrs", "--from", "Switchboard"]
        send += ["--message", "wheel smoke test", "--to", "+34666555444", "--yes", "--json"]
        sent = json.loads(run(*send, env=env))
        if sent["totals"]["accepted"] != 1:
            sys.exit(f"the sandbox send was not accepted: {sent}")
        print(f"sandbox send from {home}: job {sent['job']} {sent['status']}")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
