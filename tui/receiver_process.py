"""The delivery receiver the console runs: `switchboard receive` as a child process.

When an account has the `delivery_url` option, its jobs' notificationUrl points at a
receiver, so the console runs one for as long as it is open: one per journal file in use
(sandbox accounts journal apart from real ones, tui.engine.journal.path_for). A child
process rather than a thread: 2,000 reports a second would otherwise compete with the UI
loop for the GIL, and a receiver that crashes cannot take the console with it. The child
is started with --parent-watch and a pipe as its standard input that only the console
holds: when the console ends, however it ends (even SIGKILL), the pipe closes and the
child stops after writing what it received.

No Textual here: the console (tui/app.py) shows what `ReceiverChild.status` says.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from backends.errors import ConfigError
from tui.config import Account
from tui.engine.delivery_url import BASE_URL_OPTION

log = logging.getLogger("switchboard.receiver")

#: The console setting naming the address the receiver listens on (config.toml [settings]).
LISTEN_SETTING = "receiver_listen"
DEFAULT_LISTEN = "127.0.0.1:8765"
#: Seconds the child gets to start listening, and to write what it holds when stopped.
START_TIMEOUT = 20.0
STOP_GRACE = 5.0

_LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: How `switchboard receive` starts its first line once it listens.
LISTENING = b"Receiving delivery notifications on "


def split_listen(text: str) -> tuple[str, int]:
    """HOST:PORT as (host, port); ConfigError saying what is expected otherwise."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"expects HOST:PORT (such as {DEFAULT_LISTEN}), got {text!r}")
    return host.strip("[]"), int(port)


def listen_address(value: object) -> str:
    """The check of the receiver_listen setting: the address as stored, or ConfigError."""
    if not isinstance(value, str):
        raise ConfigError(f"{LISTEN_SETTING} = {value!r} is not HOST:PORT")
    try:
        host, port = split_listen(value)
    except ConfigError as exc:
        raise ConfigError(f"{LISTEN_SETTING}: {exc.message}") from None
    if port == 0:
        # A random port cannot be what the account's public URL points at.
        raise ConfigError(f"{LISTEN_SETTING}: give a port (1-65535), not 0")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def wanted(accounts: Iterable[Account], setting: object) -> dict[Path, str]:
    """Journal file -> the address its receiver listens on, for the journals whose
    accounts have a delivery_url; ConfigError when one needs the receiver_listen setting
    (`setting`, as read from the file) and it is not an address.

    The real journal's receiver listens on the receiver_listen setting. Sandbox accounts
    have their own journal, so their reports need a receiver of their own: it listens
    where their delivery_url points when that is an address on this machine (the sandbox
    calls it from here), else on the setting too.
    """
    from tui.engine.journal import path_for

    found: dict[Path, str] = {}
    for account in accounts:
        base = account.options.get(BASE_URL_OPTION, "").strip()
        if not base:
            continue
        path = path_for(sandbox=account.ephemeral)
        if path in found:
            continue
        local = _local_address(base) if account.ephemeral else None
        found[path] = local or listen_address(setting)
    return found


def _local_address(url: str) -> str | None:
    """HOST:PORT of an http URL on this machine with an explicit port, else None."""
    with contextlib.suppress(ValueError):
        parts = urlsplit(url)
        if parts.scheme == "http" and parts.hostname in _LOOPBACK and parts.port:
            return f"{parts.hostname}:{parts.port}"
    return None


class ReceiverChild:
    """One `switchboard receive` child: start it, watch it, stop it.

    `status` is one short line for the header ("receiving on 127.0.0.1:8765"); `problem`
    says why it is not running (the child's own last words), None while all is well.
    `on_change` is called on the console's loop whenever either changes.
    """

    def __init__(
        self,
        journal: Path,
        listen: str,
        *,
        config_dir: Path,
        on_change: Callable[[ReceiverChild], None],
    ) -> None:
        self.journal = journal
        self.listen = listen
        self.config_dir = config_dir
        self.on_change = on_change
        self.process: asyncio.subprocess.Process | None = None
        self.running = False
        self.problem: str | None = None
        # The child's last line of output once it ended ("Stopped: N reports written...").
        self.last_words = ""
        self._stderr: deque[str] = deque(maxlen=20)
        self._watch: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def status(self) -> str:
        """What the header says about this receiver."""
        if self.running:
            return f"receiving on {self.listen}"
        if self.problem is not None:
            return f"receiver off ({self.listen})"
        return f"receiver starting on {self.listen}"

    def command(self) -> list[str]:
        """The child's command line: the receive command of this interpreter and code."""
        return [
            sys.executable, "-m", "tui", "receive",
            "--config-dir", str(self.config_dir),
            "--listen", self.listen, "--journal", str(self.journal), "--parent-watch",
        ]  # fmt: skip

    async def start(self) -> None:
        """Start the child and wait until it listens, or say why it could not."""
        env = dict(os.environ)
        # The child runs this very code, whatever the working directory or installed copy.
        source = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.command(),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
            )
        except OSError as exc:
            self._failed(f"cannot start: {exc.strerror or exc}")
            return
        drain = asyncio.create_task(self._read_stderr())
        assert self.process.stdout is not None
        line: bytes | None = None
        with contextlib.suppress(TimeoutError):
            line = await asyncio.wait_for(self.process.stdout.readline(), START_TIMEOUT)
        if line is not None and _listening(line):
            self.running = True
            log.info("receiver for %s listening on %s", self.journal, self.listen)
            self.on_change(self)
        elif line != b"":
            # Not listening, and not gone (an empty line: it ended and said why on stderr).
            self._stderr.append(f"it did not start listening within {START_TIMEOUT:g} s")
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
        self._watch = asyncio.create_task(self._watch_exit(drain))

    async def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for raw in self.process.stderr:
            text = raw.decode("utf-8", "replace").strip()
            if text:
                self._stderr.append(text)

    async def _watch_exit(self, drain: asyncio.Task[None]) -> None:
        assert self.process is not None and self.process.stdout is not None
        # The rest, so the child never blocks on it: its last line says what it wrote.
        said = (await self.process.stdout.read()).decode("utf-8", "replace").strip()
        self.last_words = said.splitlines()[-1] if said else ""
        code = await self.process.wait()
        if self.last_words:
            log.info("receiver for %s: %s", self.journal, self.last_words)
        await drain
        self.running = False
        if self._stopping:
            return
        last = self._stderr[-1] if self._stderr else f"it exited with code {code}"
        self._failed(last.removeprefix("switchboard: "))

    def _failed(self, why: str) -> None:
        self.running = False
        self.problem = why
        log.warning("receiver for %s on %s stopped: %s", self.journal, self.listen, why)
        self.on_change(self)

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop the child: its standard input closes, it writes what it holds and ends;
        terminated, then killed, if it has not after `grace` seconds."""
        self._stopping = True
        process = self.process
        if process is None:
            return
        if process.returncode is None and process.stdin is not None:
            process.stdin.close()
        for signal_it in (None, process.terminate, process.kill):
            if process.returncode is not None:
                break
            if signal_it is not None:
                with contextlib.suppress(ProcessLookupError):
                    signal_it()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), grace)
        if self._watch is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        self.running = False


def _listening(line: bytes) -> bool:
    """Whether the child's first line of output says it listens (tui/cli/receive.py)."""
    return line.startswith(LISTENING)


class Receivers:
    """The console's receivers: one child per journal that needs one."""

    def __init__(self, config_dir: Path, on_change: Callable[[ReceiverChild], None]) -> None:
        self.config_dir = config_dir
        self.on_change = on_change
        self.children: dict[Path, ReceiverChild] = {}
        # One change at a time: a sync still starting a child when the next one comes.
        self._changing = asyncio.Lock()

    async def sync(self, needed: dict[Path, str]) -> None:
        """Start the receivers `needed` (journal -> address) that do not run, and stop
        those no longer needed or whose address changed."""
        async with self._changing:
            await self._sync(needed)

    async def _sync(self, needed: dict[Path, str]) -> None:
        for path, child in list(self.children.items()):
            if needed.get(path) != child.listen:
                del self.children[path]
                await child.stop()
                self.on_change(child)
        for path, listen in needed.items():
            if path not in self.children:
                child = ReceiverChild(
                    path, listen, config_dir=self.config_dir, on_change=self.on_change
                )
                self.children[path] = child
                await child.start()

    async def stop(self) -> None:
        """Stop every receiver (the console is quitting)."""
        async with self._changing:
            children = list(self.children.values())
            self.children.clear()
            await asyncio.gather(*(c.stop() for c in children))

    @property
    def status(self) -> str:
        """One line for the header: each receiver's status, or "" when none runs."""
        return " · ".join(c.status for c in self.children.values())
