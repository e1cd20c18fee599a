"""The built-in sandbox: emulators on loopback plus in-memory accounts that use them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backends.sandbox import collect, eightbyeight, xebo, xerochat
from backends.sandbox.core import LOOPBACK, SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app
from tui.config import Account
from tui.workspace import Workspace


@dataclass(frozen=True)
class SandboxSpec:
    """One provider's emulator: how to build it and how an account logs in to it."""

    provider: str
    account_name: str
    path: str
    username: str
    secret: str
    factory: Callable[[], Any] = create_app
    # Non-secret account options (e.g. a collector id) the emulator expects.
    options: Mapping[str, str] = field(default_factory=dict)


# One line per provider emulator; `switchboard --sandbox` opens one account for each.
SPECS: tuple[SandboxSpec, ...] = (
    SandboxSpec(
        "360nrs",
        "sandbox-360nrs",
        "/api/rest",
        DEMO_USERNAME,
        DEMO_PASSWORD,
        factory=lambda: create_app(history=True),
    ),
    SandboxSpec(
        "xebo", "sandbox-xebo", "", "", xebo.DEMO_ACCESS_TOKEN, xebo.create_app, xebo.DEMO_OPTIONS
    ),
    SandboxSpec(
        "collect",
        "sandbox-collect",
        collect.API_PREFIX,
        collect.DEMO_USERNAME,
        collect.DEMO_PASSWORD,
        collect.create_app,
    ),
    SandboxSpec(
        "8x8",
        "sandbox-8x8",
        eightbyeight.API_PREFIX,
        "",
        eightbyeight.DEMO_API_KEY,
        eightbyeight.create_app,
        eightbyeight.DEMO_OPTIONS,
    ),
    SandboxSpec(
        "xerochat",
        "sandbox-xerochat",
        xerochat.API_PREFIX,
        "",
        xerochat.DEMO_API_KEY,
        xerochat.create_app,
    ),
)


@dataclass
class RunningSandbox:
    """A started emulator and the account that points at it."""

    spec: SandboxSpec
    server: SandboxServer

    @property
    def base_url(self) -> str:
        """The API base URL an account uses."""
        return self.server.url + self.spec.path


def start(host: str = LOOPBACK, port: int = 0) -> list[RunningSandbox]:
    """Start every emulator on loopback (port 0: a free one each)."""
    running: list[RunningSandbox] = []
    try:
        for i, spec in enumerate(SPECS):
            server = SandboxServer(spec.factory(), host=host, port=port + i if port else 0)
            server.start()
            running.append(RunningSandbox(spec, server))
    except BaseException:
        stop(running)
        raise
    return running


def stop(running: list[RunningSandbox]) -> None:
    """Stop emulators."""
    for sandbox in running:
        sandbox.server.stop()


def add_accounts(workspace: Workspace, running: list[RunningSandbox]) -> list[Account]:
    """In-memory accounts for the running emulators (never written to the config)."""
    return [
        workspace.add_ephemeral(
            Account(
                name=s.spec.account_name,
                provider=s.spec.provider,
                base_url=s.base_url,
                username=s.spec.username,
                options=dict(s.spec.options),
            ),
            s.spec.secret,
        )
        for s in running
    ]
