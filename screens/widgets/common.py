"""Pieces every screen shares: error and confirmation dialogs, the worker-error handler."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, cast

from textual import events, on
from textual._context import NoActiveAppError
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Header, Input, Label, Static
from textual.worker import Worker, WorkerState

from backends.errors import ProviderError, SwitchboardError
from screens.widgets.footer import KeyFooter
from screens.widgets.nav import NavBar
from screens.widgets.table_filter import TableFilters, filterable
from tui.usecases.confirm import Need, needed

if TYPE_CHECKING:
    from tui.app import SwitchboardApp


def sb_app(node: DOMNode) -> SwitchboardApp:
    """The running SwitchboardApp, typed."""
    return cast("SwitchboardApp", node.app)


def no_account_text(node: DOMNode) -> str:
    """What a screen that needs an account says without one: the sandbox is still
    starting (its accounts come in a moment, never an error), or how to add one."""
    if sb_app(node).sandbox_starting:
        return "Starting the sandbox…"
    return "No account yet: add one on the Accounts screen (F2)."


def or_list(items: Iterable[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    words = list(items)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


class Coalesce:
    """Says when progress is due: at most every `seconds`, however fast the work goes.

    Workers post their progress through it so a screen redraws a few times a second."""

    def __init__(self, seconds: float = 0.2) -> None:
        self.seconds = seconds
        self._last = -float("inf")

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last < self.seconds:
            return False
        self._last = now
        return True


# Errors as the user saw them: a report ("it said ...") can be found in the log.
_shown = logging.getLogger("switchboard.console")


def log_shown(title: str, message: str) -> None:
    """Log an error shown to the user (a modal or an inline line), once, as shown."""
    _shown.warning("shown: %s: %s", title, message)


def clock(moment: datetime) -> str:
    """A moment as the user's wall clock shows it (local HH:MM:SS)."""
    return moment.astimezone().strftime("%H:%M:%S")


def refresh_failed_text(
    what: str, title: str, message: str, now: datetime, last_success: datetime | None
) -> str:
    """The status line of a failed background refresh (never a modal: a poll that fails
    every few seconds must not stack pop-ups over what the user types), logged as shown."""
    last = f"last success {clock(last_success)}" if last_success is not None else "no success yet"
    text = f"Refresh failed {clock(now)}: {title}: {message}; {last}"
    log_shown(what, text)
    return text


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(title, message) for a modal: the provider's code and message when there is one."""
    if isinstance(exc, ProviderError):
        code = f" · code {exc.code}" if exc.code is not None else ""
        return f"{exc.title} (HTTP {exc.status}{code})", exc.message
    if isinstance(exc, SwitchboardError):
        return exc.title, exc.message
    return "Unexpected error", f"{type(exc).__name__}: {exc}. Details are in the log file."


class ErrorModal(ModalScreen[None]):
    """An error with a title and a message; any of Enter, Escape closes it."""

    BINDINGS = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="dialog error-dialog")
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message, classes="dialog-message", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="close")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    """Ask a yes/no question; the safe answer (No) is focused."""

    BINDINGS = [Binding("escape", "no", "Cancel"), Binding("y", "yes", "Yes", show=False)]

    def __init__(self, question: str, *, yes_label: str = "Yes", danger: bool = True) -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.yes_label = yes_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body"):
            yield Static(self.question, classes="dialog-message", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    self.yes_label, variant="error" if self.danger else "primary", id="yes"
                )
                yield Button("Cancel", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        """Answer yes."""
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        """Answer no."""
        self.dismiss(False)


def count_confirm(count: int, question: str, yes_label: str) -> ModalScreen[bool]:
    """The confirmation of a send to `count` recipients, as the one policy says
    (tui.usecases.confirm): above CONFIRM_ABOVE the operator types the count, else yes or
    no (the dialog is where the console shows a send for review)."""
    policy = needed(count, review=True)
    if policy.need is Need.TYPE:
        return TypedConfirmModal(question, policy.phrase, yes_label=yes_label)
    return ConfirmModal(question, yes_label=yes_label)


class TypedConfirmModal(ModalScreen[bool]):
    """Confirm something costly or sweeping by typing an exact phrase (e.g. a count)."""

    BINDINGS = [Binding("escape", "no", "Cancel")]

    def __init__(self, question: str, phrase: str, *, yes_label: str = "Confirm") -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.phrase = phrase
        self.yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body"):
            yield Static(self.question, classes="dialog-message", markup=False)
            yield Label(f"Type {self.phrase} to confirm:")
            yield Input(id="phrase")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes_label, variant="error", id="yes", disabled=True)
                yield Button("Cancel", id="no")

    def on_mount(self) -> None:
        self.query_one("#phrase", Input).focus()

    @on(Input.Changed, "#phrase")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#yes", Button).disabled = event.value.strip() != self.phrase

    @on(Input.Submitted, "#phrase")
    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        """Answer yes, but only once the phrase matches."""
        if self.query_one("#phrase", Input).value.strip() == self.phrase:
            self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        """Answer no."""
        self.dismiss(False)


class WorkerErrors:
    """Mixin for every screen, pane and dialog that runs workers: the one handler for a
    failed worker, which shows its error in the app's error modal (the provider's code and
    message). Override `worker_failed` to show some failures inline first.

    Worker.StateChanged does not bubble, so each node running workers must handle its own.
    """

    # A plain mixin carries no @on handlers; Textual dispatches this name along the MRO.
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Hand a failed worker's error to `worker_failed`."""
        error = event.worker.error
        if event.state == WorkerState.ERROR and error is not None:
            self.worker_failed(error)

    def worker_failed(self, error: BaseException) -> None:
        """Show the error in the app's error modal."""
        assert isinstance(self, DOMNode)
        sb_app(self).show_error(error)


class BaseScreen(TableFilters, WorkerErrors, Screen[None]):
    """A top-level screen: header, footer, `/` to filter its tables and one handler for
    failed workers."""

    BINDINGS = TableFilters.BINDINGS

    #: False while the active account offers nothing on this screen (its notice says why):
    #: the screen's own keys leave the footer and help, its actions leave the palette.
    offered = True

    def __init__(
        self, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name, id, classes)
        # A new screen is styled once, as it mounts: what would restyle all its widgets
        # again before its first frame is settled here (each pass: 10-20 ms of the
        # console's first frame).
        self._restyled_on_resume = False
        with contextlib.suppress(NoActiveAppError):  # built outside a running app
            app = self.app
            # Born with the size classes (-narrow/-wide, -short/-tall) its first resize
            # would set: adding them then restyled every widget of the screen.
            self.update_classes(self._size_classes(app.size), update=False)
            # Styled by the app's stylesheet as it is now: Textual refreshed the whole
            # CSS (variables, every source parsed again, every node restyled) when a
            # new screen's count was behind; a later change still refreshes it.
            self._css_update_count = app._css_update_count

    def _size_classes(self, size: Size) -> dict[str, bool]:
        """The breakpoint classes of a screen at that size (as Textual's resize sets them)."""
        app = self.app
        horizontal = self.HORIZONTAL_BREAKPOINTS
        vertical = self.VERTICAL_BREAKPOINTS
        horizontal = app.HORIZONTAL_BREAKPOINTS if horizontal is None else horizontal
        vertical = app.VERTICAL_BREAKPOINTS if vertical is None else vertical
        classes = {name: False for _, name in [*(horizontal or []), *(vertical or [])]}
        for name in self._get_breakpoint_classes(size.width, horizontal or []):
            classes[name] = True
        for name in self._get_breakpoint_classes(size.height, vertical or []):
            classes[name] = True
        return classes

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles the whole screen on every resume, for what changed while it
        # was suspended. On its first, the screen has just been styled as it mounted
        # (the stylesheet's own changes restyle it through refresh_css): a second pass
        # over every widget (10-20 ms) before the first frame, for nothing.
        if not self._restyled_on_resume:
            self._restyled_on_resume = True
            event.refresh_styles = False
        super()._on_screen_resume(event)

    def _compositor_refresh(self) -> None:
        # Textual lays out the first screen inside the app's start-up batch and renders
        # it there (a full render: 30-60 ms), then the batch discards that frame. Marked
        # for a repaint instead, the frame is rendered once, when it can be drawn.
        if self.app._batch_count:
            self.refresh()
            return
        super()._compositor_refresh()

    def set_offered(self, offered: bool) -> None:
        """Show or hide this screen's own keys as the active account offers it or not."""
        self.offered = offered
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the screen's own keys while its account offers nothing here."""
        if not self.offered:
            own = {b.action for b in type(self).BINDINGS if isinstance(b, Binding)}
            if action in own:
                return False
        if action == "filter_table":
            return bool(filterable(self))
        return True

    def compose_header(self) -> ComposeResult:
        """The header every screen shows (active account in the subtitle), and below it
        the navigation bar (every area and its key)."""
        yield Header()
        yield NavBar()

    def compose_footer(self) -> ComposeResult:
        """The footer with this screen's keys (on a narrow terminal only those and Help)."""
        yield KeyFooter()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's main actions for the command palette (none by default)."""
        return ()
