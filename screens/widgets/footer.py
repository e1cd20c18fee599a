"""The footer: this screen's keys first; on a narrow terminal only those and Help.

At 80 columns the screen's own keys, Quit, Help, Next account and the palette did not fit
in one line and the last ones were cut mid-word. The keys that work everywhere are listed
by Help (F1, ?), so below the wide breakpoint the footer keeps the screen's keys and Help,
hides the app-wide ones, and is compact (one space less around each key).

One widget draws the whole line, as Textual's footer draws it (the same cells, colours and
theme variables): that footer was a scrolling container of one widget per key, eleven
widgets to mount, style and lay out before the console's first frame, recomposed whenever
the keys changed (issue 14). A click on a key presses it; the mouse over a key lights it
and shows its tooltip; the wheel scrolls keys that do not fit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

#: The width from which screens are -wide (SwitchboardApp.HORIZONTAL_BREAKPOINTS).
WIDE_FROM = 110
#: The height from which screens are -tall (SwitchboardApp.VERTICAL_BREAKPOINTS).
TALL_FROM = 36

#: The app-wide key the narrow footer keeps: the way to every other key.
KEPT_APP_KEYS = frozenset({"std.help"})

#: The palette's key, on the right: a border, the key, a space and its description.
PALETTE_BORDER = "▏"


class FooterKey(NamedTuple):
    """One key as the footer shows it."""

    key: str  # what a click presses
    display: str
    description: str
    enabled: bool
    tooltip: str
    app_wide: bool  # hidden on a narrow terminal (but KEPT_APP_KEYS)

    def parts(self, compact: bool, palette: bool = False) -> tuple[str, str]:
        """The key's text and the description's, with the spaces around them."""
        if not self.description:
            return self.display, ""
        if compact or palette:
            return self.display, " " + self.description
        return f" {self.display} ", self.description + " "


class Placed(NamedTuple):
    """A key and its columns [start, end) on the footer's line."""

    item: FooterKey
    start: int
    end: int


class KeyFooter(Widget):
    """The keys of the screen and of the app, one line docked at the bottom."""

    ALLOW_SELECT = False
    # Textual's footer's colours: the theme's footer variables.
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyFooter > .key-footer--hover-key {
        color: $footer-key-foreground;
        background: $block-hover-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--hover-description {
        color: $footer-description-foreground;
        background: $block-hover-background;
    }
    KeyFooter > .key-footer--border {
        color: $foreground 20%;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover-key",
        "key-footer--hover-description",
        "key-footer--border",
    }

    def __init__(self) -> None:
        super().__init__()
        self._hover: str | None = None  # the key under the mouse
        self._scroll = 0  # columns the keys are scrolled left by (the wheel)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        self.refresh()

    @property
    def compact(self) -> bool:
        """Narrow: the keys closer together, the app-wide ones hidden."""
        return (self.size.width or self.app.size.width) < WIDE_FROM

    def keys(self) -> tuple[list[FooterKey], FooterKey | None]:
        """The keys shown, in Textual's footer's order (one per action), and the
        palette's key (None when hidden)."""
        active = self.screen.active_bindings
        by_action: dict[str, FooterKey] = {}
        for key, (node, binding, enabled, tooltip) in active.items():
            if not binding.show or binding.action in by_action:
                continue
            app_wide = node is self.app and binding.id not in KEPT_APP_KEYS
            by_action[binding.action] = FooterKey(
                key,
                self.app.get_key_display(binding),
                binding.description,
                enabled,
                tooltip,
                app_wide,
            )
        compact = self.compact
        shown = [k for k in by_action.values() if not (compact and k.app_wide)]
        palette = None
        palette_active = active.get(self.app.COMMAND_PALETTE_BINDING)
        if self.app.ENABLE_COMMAND_PALETTE and palette_active is not None and not compact:
            _, binding, enabled, tooltip = palette_active
            palette = FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                enabled,
                binding.tooltip or binding.description,
                True,
            )
        return shown, palette

    def placed(self) -> tuple[list[Placed], Placed | None]:
        """The keys and the palette's key with their columns at the present width and
        scroll."""
        width = self.size.width or self.app.size.width
        compact = self.compact
        shown, palette = self.keys()
        placed: list[Placed] = []
        x = -self._scroll
        for item in shown:
            key, description = item.parts(compact)
            end = x + len(key) + len(description)
            placed.append(Placed(item, x, end))
            x = end + (1 if compact else 0)  # a compact key's margin
        palette_at = None
        if palette is not None:
            key, description = palette.parts(compact, palette=True)
            size = len(PALETTE_BORDER) + len(key) + len(description) + 1
            palette_at = Placed(palette, width - size, width)
        return placed, palette_at

    def _keys_width(self) -> int:
        placed, palette = self.placed()
        if not placed:
            return 0
        room = self.size.width - (palette.end - palette.start if palette else 0)
        return placed[-1].end + self._scroll - room

    def item_at(self, x: int) -> FooterKey | None:
        """The key drawn at column x (None between keys)."""
        placed, palette = self.placed()
        if palette is not None and palette.start <= x < palette.end:
            return palette.item
        room = palette.start if palette is not None else self.size.width
        return next((p.item for p in placed if p.start <= x < p.end and x < room), None)

    def _styles(self, item: FooterKey) -> tuple[Style, Style]:
        hover = "hover-" if item.key == self._hover else ""
        key = self.get_component_rich_style(f"key-footer--{hover}key")
        description = self.get_component_rich_style(f"key-footer--{hover}description")
        if not item.enabled:
            key, description = key + Style(dim=True), description + Style(dim=True)
        return key, description

    def _segments(self, placed: Placed, compact: bool, palette: bool = False) -> Iterator[Segment]:
        key, description = placed.item.parts(compact, palette)
        key_style, description_style = self._styles(placed.item)
        yield Segment(key, key_style)
        if description:
            yield Segment(description, description_style)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        background = Style(bgcolor=self.rich_style.bgcolor)
        if y != 0:
            return Strip.blank(width, background)
        compact = self.compact
        placed, palette = self.placed()
        room = palette.start if palette is not None else width
        segments: list[Segment] = []
        for at in placed:
            segments.extend(self._segments(at, compact))
            if compact:
                segments.append(Segment(" ", background))
        keys = Strip(segments).crop(self._scroll, self._scroll + room)
        line = list(keys)
        if keys.cell_length < room:
            line.append(Segment(" " * (room - keys.cell_length), background))
        if palette is not None:
            # The border and the space after are the palette key's own cells: lit with it
            # (the border's colour stays the one blended on the footer, as Textual drew it).
            border = self.get_component_rich_style("key-footer--border")
            if palette.item.key == self._hover:
                lit = self.get_component_rich_style("key-footer--hover-description")
                border = Style(color=border.color, bgcolor=lit.bgcolor)
            line.append(Segment(PALETTE_BORDER, border))
            line.extend(self._segments(palette, compact, palette=True))
            line.append(Segment(" ", Style(bgcolor=border.bgcolor)))
        # Merged as the separate key widgets' cells were: one run per colour.
        return Strip(line).simplify().crop(0, width)

    def _hover_on(self, item: FooterKey | None) -> None:
        key = item.key if item is not None else None
        if key != self._hover:
            self._hover = key
            self.tooltip = item.tooltip if item is not None and item.tooltip else None
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover_on(self.item_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._hover_on(None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self.item_at(event.x)
        if item is None:
            return
        event.stop()
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll_by(event, 4)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll_by(event, -4)

    def _scroll_by(self, event: events.MouseEvent, columns: int) -> None:
        hidden = self._keys_width()
        scroll = max(0, min(self._scroll + columns, self._scroll + max(hidden, 0)))
        if scroll != self._scroll:
            event.stop()
            self._scroll = scroll
            self.refresh()
