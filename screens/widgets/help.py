"""The help screen: the keys of the screen underneath, then the keys that work everywhere."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Static

KeyRow = tuple[str, str]


# Textual's names of keys that are written otherwise on a keyboard.
KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "delete": "Del",
    "escape": "Esc",
}


def key_label(key: str) -> str:
    """A binding's key as a person would write it (ctrl+o → Ctrl+O, question_mark → ?);
    a letter stays as typed (N would be Shift+N)."""
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    if len(key) == 1:
        return key
    parts = key.split("+")
    return "+".join(p.capitalize() if len(p) > 1 else p.upper() for p in parts)


class HelpScreen(ModalScreen[None]):
    """Keys for this screen and for the whole console."""

    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss", "Close")]

    def __init__(self, screen_title: str, screen_keys: list[KeyRow], app_keys: list[KeyRow]):
        super().__init__(classes="dialog help-dialog")
        self.screen_title = screen_title
        self.screen_keys = screen_keys
        self.app_keys = app_keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-body"):
            yield Label("Keys", classes="dialog-title")
            if self.screen_keys:
                yield Static(self.screen_title, classes="section-title")
                yield self._table("screen-keys", self.screen_keys)
            yield Static("Everywhere", classes="section-title")
            yield self._table("app-keys", self.app_keys)
            yield Static(
                "Ctrl+P opens the command palette: every screen and its main actions, "
                "and 'Use account …' to switch account.",
                classes="dialog-message",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="close")

    def _table(self, table_id: str, rows: list[KeyRow]) -> DataTable[str]:
        table: DataTable[str] = DataTable(id=table_id, cursor_type="none", show_header=False)
        table.add_columns("key", "action")
        for key, action in rows:
            table.add_row(key, action)
        return table

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
