"""The footer: this screen's keys first; on a narrow terminal only those and Help.

At 80 columns the screen's own keys, Quit, Help, Next account and the palette did not fit
in one line and the last ones were cut mid-word. The keys that work everywhere are listed
by Help (F1, ?), so below the wide breakpoint (app.tcss: `Screen.-narrow`) the footer
keeps the screen's keys and Help, and hides the app-wide ones.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: The width from which screens are -wide (SwitchboardApp.HORIZONTAL_BREAKPOINTS).
WIDE_FROM = 110
#: The height from which screens are -tall (SwitchboardApp.VERTICAL_BREAKPOINTS).
TALL_FROM = 36

#: The app-wide key the narrow footer keeps: the way to every other key.
KEPT_APP_KEYS = frozenset({"std.help"})


class KeyFooter(Footer):
    """Textual's footer with the app-wide keys marked `-app-key` (hidden when narrow),
    compact (one space less around each key) when narrow."""

    #: What the footer last showed (key, description, enabled, app-wide), to skip a
    #: recompose that would draw the same keys: each one relayouts the screen (20-50 ms
    #: on a busy machine) and a send's start changed the bindings three times.
    _shown: tuple[Any, ...] | None = None

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < WIDE_FROM

    def _signature(self) -> tuple[Any, ...]:
        return tuple(
            (b.key, b.action, b.description, enabled, tooltip, active.node is self.app)
            for active in self.screen.active_bindings.values()
            for (_, b, enabled, tooltip) in (active,)
            if b.show
        )

    _recompose_due = False

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Recompose once for the changes made before the next refresh, and only if the
        keys shown changed: Textual's footer recomposes on every signal, and a new screen
        sends three as it mounts and takes focus (the console's first frame waited for
        three recomposes)."""
        self._bindings_ready = True
        if not screen.app.app_focus or self._recompose_due:
            return
        if self.is_attached and screen is self.screen:
            self._recompose_due = True
            self.call_after_refresh(self._recompose_now)

    async def _recompose_now(self) -> None:
        self._recompose_due = False  # changes from here on are seen by a later recompose
        if self._signature() != self._shown:
            await self.recompose()

    def compose(self) -> ComposeResult:
        # Before the first resize too, so the first layout of a new screen already fits.
        self.compact = self.app.size.width < WIDE_FROM
        # The keys from the first compose, not after the first refresh as Textual's footer
        # does (that recompose cost the console's first frame 40 ms): a change once focus
        # is given recomposes it (bindings_changed).
        self._bindings_ready = True
        self._shown = self._signature()
        app_keys = {
            key
            for key, active in self.screen.active_bindings.items()
            if active.node is self.app and active.binding.id not in KEPT_APP_KEYS
        }
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                palette = widget.has_class("-command-palette")
                # Born in the style it ends up with: a FooterKey starts compact and was
                # restyled twice as the footer's value reached it (18 restyles a screen).
                # Textual leaves the palette's key compact.
                compact = True if palette else self.compact
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
                if widget.key in app_keys or palette:
                    widget.add_class("-app-key", update=False)
            yield widget
