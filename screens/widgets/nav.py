"""The navigation bar under the header: every area with its key, the current one lit.

Each item is clickable and switches to its area, as its function key does."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from screens.widgets.help import key_label


class NavItem(Label):
    """One area in the bar."""

    def __init__(self, mode: str, key: str, title: str, short: str) -> None:
        super().__init__(id=f"nav-{mode}", classes="nav-item", markup=False)
        self.mode = mode
        self.key_text = key_label(key)
        self.title_text = title
        self.short = short

    def show_as(self, *, short: bool, spaced: bool) -> None:
        """Write the item in full, or shortened to fit a narrow terminal."""
        title = self.short if short else self.title_text
        self.update(
            Text.assemble((self.key_text, "bold reverse"), f"{' ' if spaced else ''}{title}")
        )

    def width_as(self, *, short: bool, spaced: bool) -> int:
        """The item's width written so, with the gap after it."""
        title = self.short if short else self.title_text
        return len(self.key_text) + int(spaced) + len(title) + 1

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.app.switch_mode(self.mode)


class NavBar(Horizontal):
    """The areas and their keys, one line docked below the header."""

    def compose(self) -> ComposeResult:
        # The catalog imports every screen, and every screen imports this module.
        from screens.catalog import AREAS

        for area in AREAS:
            item = NavItem(area.mode, area.key, area.title, area.short or area.title)
            item.set_class(area.shows(self.screen), "-current")
            yield item

    def on_resize(self, event: events.Resize) -> None:
        self.fit(event.size.width)

    def on_mount(self) -> None:
        self.fit(self.size.width or self.app.size.width)

    def fit(self, width: int) -> None:
        """Write the items as long as the width allows: full titles, short ones, then
        short ones with no space after the key (the key is set apart by its colour)."""
        items = list(self.query(NavItem))
        for short, spaced in ((False, True), (True, True), (True, False)):
            if sum(i.width_as(short=short, spaced=spaced) for i in items) - 1 <= width:
                break
        for item in items:
            item.show_as(short=short, spaced=spaced)
