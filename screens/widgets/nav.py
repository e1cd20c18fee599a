"""The navigation bar under the header: every area with its key, the current one lit.

Each item is clickable and switches to its area, as its function key does.

One widget draws the whole line: nine labels in a row were ten widgets to mount and style,
and their widths were set after the first layout, which laid the screen out again before
the console's first frame (issue 14)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual.widget import Widget

from screens.widgets.help import key_label

if TYPE_CHECKING:
    from screens.catalog import Area

#: A gap of one column follows each item.
GAP = 1


class NavItem(NamedTuple):
    """One area in the bar, as written at the bar's width: its columns [start, end).

    (A named tuple: a frozen dataclass cost the console's start about 0.7 ms to make.)"""

    mode: str
    key: str
    title: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def text(self) -> str:
        return self.key + self.title


def lay_out(areas: tuple[Area, ...], width: int) -> list[NavItem]:
    """The items written as long as the width allows: full titles, short ones, then short
    ones with no space after the key (the key is set apart by its colour)."""
    items: list[NavItem] = []
    for short, spaced in ((False, True), (True, True), (True, False)):
        items = []
        start = 0
        for area in areas:
            title = (area.short or area.title) if short else area.title
            item = NavItem(area.mode, key_label(area.key), " " * spaced + title, start)
            items.append(item)
            start = item.end + GAP
        if not items or items[-1].end <= width:
            break
    return items


class NavBar(Widget):
    """The areas and their keys, one line docked below the header."""

    COMPONENT_CLASSES = {"nav-bar--current", "nav-bar--hover"}

    def __init__(self) -> None:
        super().__init__()
        self._hover: str | None = None  # the mode of the item under the mouse

    @property
    def current(self) -> str | None:
        """The mode of this screen's own area (lit), if it is one."""
        for area in self._areas():
            if area.shows(self.screen):
                return area.mode
        return None

    @staticmethod
    def _areas() -> tuple[Area, ...]:
        # The catalog imports every screen, and every screen imports this module.
        from screens.catalog import AREAS

        return AREAS

    def items(self) -> list[NavItem]:
        """The items as written at the bar's present width."""
        return lay_out(self._areas(), self.size.width or self.app.size.width)

    def item_at(self, x: int) -> NavItem | None:
        """The item written at column x of the bar (None on a gap or past the last)."""
        return next((i for i in self.items() if i.start <= x < i.end), None)

    def render_line(self, y: int) -> Strip:
        # Segment by segment as the nine labels in a row were drawn: the key reversed, the
        # title, a gap in the bar's colour; the current item lit, the hovered one boosted.
        width = self.size.width
        base = self.rich_style
        gap = Style(bgcolor=base.bgcolor)
        if y != 0:
            return Strip.blank(width, gap)
        current = self.current
        key_style = Style(bold=True, reverse=True)
        segments: list[Segment] = []
        for item in self.items():
            if item.mode == current:
                style = self.get_component_rich_style("nav-bar--current")
            elif item.mode == self._hover:
                style = self.get_component_rich_style("nav-bar--hover")
            else:
                style = base
            if segments:
                segments.append(Segment(" " * GAP, gap))
            segments.append(Segment(item.key, style + key_style))
            segments.append(Segment(item.title, style))
        used = sum(len(s.text) for s in segments)
        if used < width:
            segments.append(Segment(" " * (width - used), gap))
        return Strip(segments).crop(0, width)

    def _hover_on(self, mode: str | None) -> None:
        if mode != self._hover:
            self._hover = mode
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self.item_at(event.x)
        self._hover_on(item.mode if item is not None else None)

    def on_leave(self, event: events.Leave) -> None:
        self._hover_on(None)

    def on_click(self, event: events.Click) -> None:
        item = self.item_at(event.x)
        if item is not None:
            event.stop()
            self.app.switch_mode(item.mode)
