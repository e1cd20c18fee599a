"""The one worker-failure handler: every pane's failed worker reaches the error modal once."""

from __future__ import annotations

from contextlib import suppress

from textual import work
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import Worker, WorkerFailed

from screens.widgets.common import WorkerErrors


class Pane(WorkerErrors, Vertical):
    @work(exit_on_error=False)
    async def fail(self) -> None:
        raise RuntimeError("provider down")

    @work(exit_on_error=False)
    async def succeed(self) -> None:
        return None


class InlinePane(Pane):
    """Shows file errors beside its field, the rest as every pane does."""

    def worker_failed(self, error: BaseException) -> None:
        if isinstance(error, OSError):
            self.query_one(Static).update(f"Cannot write: {error}")
        else:
            super().worker_failed(error)

    def compose(self) -> ComposeResult:
        yield Static("")

    @work(exit_on_error=False)
    async def write(self) -> None:
        raise PermissionError("read-only")


class Recorder(App[None]):
    """Stands in for SwitchboardApp.show_error (the error modal)."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def show_error(self, error: BaseException) -> None:
        self.shown.append(str(error))

    def compose(self) -> ComposeResult:
        yield Pane(id="plain")
        yield InlinePane(id="inline")


async def ended(pilot: Pilot[None], worker: Worker[None]) -> None:
    """Wait for a worker to end, failed or not, and for its state message to be handled."""
    with suppress(WorkerFailed):
        await worker.wait()
    await pilot.pause()


async def test_a_failed_worker_reaches_the_error_modal_once_unless_shown_inline() -> None:
    app = Recorder()
    async with app.run_test() as pilot:
        plain = app.query_one("#plain", Pane)
        inline = app.query_one("#inline", InlinePane)
        await ended(pilot, plain.succeed())
        await ended(pilot, plain.fail())
        assert app.shown == ["provider down"]
        await ended(pilot, inline.write())
        assert app.shown == ["provider down"]
        assert str(inline.query_one(Static).render()) == "Cannot write: read-only"
        await ended(pilot, inline.fail())
        assert app.shown == ["provider down", "provider down"]
