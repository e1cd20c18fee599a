"""The console's sandbox emulators: started once, in a thread, after the first frame.

Importing the emulators (starlette, uvicorn, five provider apps) and starting them takes
longer than drawing the console's first frame, which needs none of them; `tui.sandbox` is
therefore imported by the thread that starts them, never by the console's start.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.sandbox import RunningSandbox


def start_emulators() -> list[RunningSandbox]:
    """Import and start every emulator (called in a thread)."""
    from tui import sandbox

    return sandbox.start()


def stop_emulators(running: list[RunningSandbox]) -> None:
    """Stop emulators (`tui.sandbox` is loaded: they were started)."""
    from tui import sandbox

    sandbox.stop(running)


class SandboxStart:
    """One start of the emulators however many ask (--sandbox, then the Accounts screen's
    button while they start: a second start would run servers nobody stops), after
    `after` (the console's first frame) and in a thread, so keys are handled meanwhile."""

    def __init__(self, requested: bool, after: Callable[[], Awaitable[None]]) -> None:
        # --sandbox: starting from before the first frame, before anything asked.
        self._requested = requested
        self._after = after
        self._task: asyncio.Task[list[RunningSandbox]] | None = None
        self._starting = False
        self.running: list[RunningSandbox] = []

    @property
    def starting(self) -> bool:
        """Whether the emulators are starting (or asked for by --sandbox and not yet)."""
        return self._requested if self._task is None else self._starting

    async def start(self) -> list[RunningSandbox]:
        """The running emulators, started by this call or by the one already under way;
        a failed start is tried again."""
        task = self._task
        if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
            self._starting = True
            task = self._task = asyncio.create_task(self._start())
        # Shielded: a screen's worker that asked and is cancelled does not stop the start.
        return await asyncio.shield(task)

    async def _start(self) -> list[RunningSandbox]:
        try:
            await self._after()
            starting = asyncio.ensure_future(asyncio.to_thread(start_emulators))
            try:
                self.running = await asyncio.shield(starting)
            except asyncio.CancelledError:
                # Closing while they start: stop them once up, never leave them running.
                with contextlib.suppress(Exception):
                    stop_emulators(await starting)
                raise
            return self.running
        finally:
            self._starting = False

    async def close(self) -> None:
        """Stop the emulators, and a start under way once it is up."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        if self.running:
            stop_emulators(self.running)
