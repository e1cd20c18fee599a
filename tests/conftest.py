"""Fixtures shared by every test package."""

from __future__ import annotations

import fcntl
import os
import signal
import tempfile
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backends.rules import SEEN
from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import create_app

# A date typed without an offset is local time (tui.dates): the tests run in UTC so that
# what they type means the same moment on every machine; tests/tui/test_dates.py moves
# the zone on purpose.
os.environ["TZ"] = "UTC"
time.tzset()

# No test reaches the OS keyring by accident, in this process or in the CLI processes the
# tests start (they inherit this): the fail backend is never taken for a real one, so an
# account added with SWITCHBOARD_SECRET_<NAME> set keeps its secret in the environment
# only. On CI, tests in parallel workers wrote to the one gnome-keyring at once, and a
# developer's own keyring collected test secrets. Only tests marked `keyring` use the real
# one (`real_keyring`), on CI, one at a time.
FAIL_BACKEND = "keyring.backends.fail.Keyring"
os.environ["PYTHON_KEYRING_BACKEND"] = FAIL_BACKEND


class FakeKeyringBackend:
    """Looks like the Secret Service backend to `tui.secrets`."""

    __module__ = "keyring.backends.SecretService"


class FakeKeyring:
    """An in-memory stand-in for the `keyring` module (the real one is tested on CI)."""

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}
        self.errors = types.SimpleNamespace(PasswordDeleteError=KeyError)

    def get_keyring(self) -> Any:
        return FakeKeyringBackend()

    def get_password(self, service: str, name: str) -> str | None:
        return self.store.get((service, name))

    def set_password(self, service: str, name: str, secret: str) -> None:
        self.store[(service, name)] = secret

    def delete_password(self, service: str, name: str) -> None:
        del self.store[(service, name)]


# A shell runs a script's background jobs with SIGINT ignored, and children inherit that: a
# CI run started so made every "Ctrl-C" test fail (the sent SIGINT did nothing). The tests
# play a user at a terminal, so this process and the CLI processes it starts take Ctrl-C.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def requests_follow_the_references(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test in which any sandbox received a request its provider's reference forbids.

    Every emulator checks what it receives against the provider's rules
    (`backends/<provider>/rules.py`) and refuses a violation with the documented error; a test
    that expects that error would pass anyway, so the violations are collected here.
    Tests that probe the sandbox's own refusals on purpose are marked `refused_requests`.
    """
    SEEN.take()
    yield
    seen = SEEN.take()
    if seen and request.node.get_closest_marker("refused_requests") is None:
        lines = "\n".join(f"  {p} {where}: {v.message}" for p, where, v in seen[:10])
        pytest.fail(f"{len(seen)} request(s) the reference does not accept:\n{lines}")


@pytest.fixture
def real_keyring() -> Iterator[None]:
    """The OS keyring (Secret Service) for this test alone, on CI only, one worker at a time.

    Skipped elsewhere: tests never write to a developer's own keyring. The lock file keeps
    the keyring tests of parallel workers from meeting in the daemon.
    """
    if not os.environ.get("CI"):
        pytest.skip("writes to the OS keyring: runs on CI only (.ci/run), where CI is set")
    import keyring
    from keyring.backends import SecretService

    lock_path = Path(tempfile.gettempdir()) / "switchboard-tests-keyring.lock"
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        previous = keyring.get_keyring()
        keyring.set_keyring(SecretService.Keyring())
        try:
            yield
        finally:
            keyring.set_keyring(previous)
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def fake_keyring() -> FakeKeyring:
    """An empty in-memory keyring."""
    return FakeKeyring()


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config and data dirs under tmp; no secret overrides leak in from the environment."""
    monkeypatch.setenv("SWITCHBOARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path / "data"))
    import os

    for key in list(os.environ):
        if key.startswith("SWITCHBOARD_SECRET_"):
            monkeypatch.delenv(key)
    return tmp_path


@pytest.fixture
def nrs_server() -> Iterator[SandboxServer]:
    """A real 360nrs sandbox on a loopback socket."""
    server = SandboxServer(create_app())
    server.start()
    try:
        yield server
    finally:
        server.stop()
