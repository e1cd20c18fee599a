"""A text field whose value can also be picked from a list: `Picker` and its `PickList`.

Ids nobody can remember (templates, campaigns, surveys, groups, senders) are typed into a
Picker, an Input like any other (queries for Input find it). Down or Ctrl+L opens a small
list of what the screen's loader offers (tui.usecases.recent_ids.Choice: the provider's
list where its reference has one, else the ids used before on the account); Enter or a
click puts the value in the field, Esc leaves it as it was. While the field has the focus
the loaded values are also offered as you type (a dim completion, Right takes it).

    Picker(loader=async () -> Sequence[Choice], title="Survey ids", id=..., placeholder=...)
    picker.loader = ...    # change what it offers

The loader runs each time the list opens and each time the field takes the focus (for the
completion), so ids remembered meanwhile are offered; a loader that asks the network and
is slow may keep what it loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from screens.widgets.common import describe_error, log_shown
from tui.usecases.recent_ids import Choice

ChoicesLoader = Callable[[], Awaitable[Sequence[Choice]]]

_log = logging.getLogger(__name__)


def matching(choices: Sequence[Choice], typed: str) -> list[Choice]:
    """The choices whose value or note contains the typed text (any case), in order."""
    needle = typed.strip().casefold()
    return [c for c in choices if needle in c.value.casefold() or needle in c.note.casefold()]


class PickList(ModalScreen[str | None]):
    """The list a Picker opens: loads its choices, answers the value picked (None: Esc)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    PickList > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        max-height: 20;
    }
    PickList #pick-options {
        height: auto;
        max-height: 12;
    }
    """

    @dataclass
    class Loaded(Message):
        """The loader answered."""

        choices: Sequence[Choice]

    @dataclass
    class Failed(Message):
        """The loader failed; what to show."""

        title: str
        message: str

    def __init__(self, title: str, loader: ChoicesLoader, typed: str = "") -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.loader = loader
        self.typed = typed
        self.shown: list[Choice] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body", id="pick-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static("Loading…", id="pick-status")
            yield OptionList(id="pick-options")
            yield Static("Enter: pick · Esc: keep what is typed", classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self.load()

    @work(group="pick-load", exit_on_error=False)
    async def load(self) -> None:
        """Ask the loader (the network, or the remembered ids) off the UI's way."""
        try:
            choices = await self.loader()
        except Exception as exc:  # shown in the list's place: a pick list never blocks typing
            self.post_message(self.Failed(*describe_error(exc)))
            return
        self.post_message(self.Loaded(choices))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        status = self.query_one("#pick-status", Static)
        found = matching(event.choices, self.typed) if self.typed.strip() else []
        self.shown = found or list(event.choices)
        if not self.shown:
            status.update("Nothing to offer yet: type the id (ids that work are remembered).")
            return
        if self.typed.strip() and not found:
            status.update(f"Nothing matches {self.typed.strip()!r}: all are shown.")
        else:
            status.display = False
        options = self.query_one(OptionList)
        options.add_options(
            Option(Text.assemble((c.value, "bold"), "  ", (c.note, "dim"))) for c in self.shown
        )
        options.display = True
        options.highlighted = 0
        options.focus()

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        log_shown(event.title, event.message)
        self.query_one("#pick-status", Static).update(
            f"Could not load the list: {event.title}: {event.message}"
        )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.shown[event.option_index].value)

    def action_cancel(self) -> None:
        """Close without picking."""
        self.dismiss(None)


class Picker(Input):
    """An Input that also offers values to pick: Down or Ctrl+L opens the list."""

    BINDINGS = [Binding("down,ctrl+l", "pick", "Pick", key_display="↓")]

    def __init__(
        self,
        value: str | None = None,
        *,
        loader: ChoicesLoader | None = None,
        title: str = "Pick a value",
        **kwargs: Any,
    ) -> None:
        super().__init__(value, **kwargs)
        self.loader = loader
        self.pick_title = title

    def action_pick(self) -> None:
        """Open the pick list, filtered by what is typed."""
        if self.loader is None:
            return
        self.app.push_screen(PickList(self.pick_title, self.loader, self.value), self._picked)

    def _picked(self, value: str | None) -> None:
        if value is not None:
            self.value = value
            self.cursor_position = len(value)
        self.focus()

    def _on_focus(self, event: Any) -> None:
        super()._on_focus(event)
        if self.loader is not None:
            self._load_suggestions(self.loader)

    @work(group="pick-suggest", exclusive=True, exit_on_error=False)
    async def _load_suggestions(self, loader: ChoicesLoader) -> None:
        try:
            choices = await loader()
        except Exception as exc:  # completion is a convenience; Down shows the error
            _log.info("no completion for %s: %s", self.id, type(exc).__name__)
            return
        self.suggester = SuggestFromList([c.value for c in choices], case_sensitive=False)
