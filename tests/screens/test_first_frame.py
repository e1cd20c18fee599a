"""The console's first frame (issue 14): the first screen is styled once, as it mounts.

Textual restyled every widget of a new screen twice more before its first frame (at its
first resize, which set the -narrow/-wide and -short/-tall classes, and at its first
resume), and refreshed the whole CSS for it (every source parsed again, every node
restyled). A restyle pass over the whole screen shows here as one update of many nodes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
import textual.css.stylesheet
from textual.dom import DOMNode

from screens.widgets.footer import TALL_FROM, WIDE_FROM
from screens.widgets.nav import NavBar
from tests.screens.conftest import settle
from tui.app import SwitchboardApp

# More nodes than any single widget and its parts restyled for a change of its own
# (a focused table, a button's variant): a pass over a whole screen.
WHOLE_SCREEN = 12
SIZE_CLASSES = {"-narrow", "-wide", "-short", "-tall"}


class StyleWork:
    """What the app's stylesheet does: each update's node count and each CSS refresh, and
    whether the first frame had been drawn then."""

    def __init__(self, app: SwitchboardApp) -> None:
        self.frame_drawn = False
        self.updates: list[tuple[bool, int]] = []
        self.refreshes: list[bool] = []
        update_nodes = app.stylesheet.update_nodes
        refresh_css = app.refresh_css
        display = app._display

        def counted_update(nodes: Iterable[DOMNode], animate: bool = False) -> None:
            nodes = list(nodes)
            self.updates.append((self.frame_drawn, len(nodes)))
            update_nodes(nodes, animate=animate)

        def counted_refresh(animate: bool = True) -> None:
            self.refreshes.append(self.frame_drawn)
            refresh_css(animate=animate)

        def drawn(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            self.frame_drawn = True

        app.stylesheet.update_nodes = counted_update  # type: ignore[method-assign]
        app.refresh_css = counted_refresh  # type: ignore[method-assign]
        app._display = drawn  # type: ignore[method-assign]

    def before_frame(self) -> list[int]:
        """The node counts of the updates before the first frame."""
        return [n for drawn, n in self.updates if not drawn]


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_first_screen_is_styled_once_before_its_first_frame(
    make_app: Callable[..., SwitchboardApp], size: tuple[int, int]
) -> None:
    app = make_app()
    work = StyleWork(app)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert work.frame_drawn
        assert all(n < WHOLE_SCREEN for n in work.before_frame()), work.before_frame()
        assert False not in work.refreshes  # no CSS refresh before the frame
        wide, tall = size[0] >= WIDE_FROM, size[1] >= TALL_FROM
        expected = {"-wide" if wide else "-narrow", "-tall" if tall else "-short"}
        assert {c for c in app.screen.classes if c in SIZE_CLASSES} == expected
        # The probe sees a whole-screen pass: a theme change restyles every widget.
        seen = len(work.updates)
        app.theme = "textual-light"
        await settle(pilot)
        assert max(n for _, n in work.updates[seen:]) >= WHOLE_SCREEN


async def test_a_new_area_opens_in_the_size_classes_and_colours_of_the_moment(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        assert app.screen.has_class("-wide", "-tall")
        app.theme = "textual-light"
        await settle(pilot)
        panel = app.screen.query_one(NavBar).styles.background
        await pilot.press("f3")
        await settle(pilot)
        assert app.current_mode == "otp"
        # Born at the new size, in the new theme's colours.
        assert app.screen.has_class("-wide", "-tall")
        assert not app.screen.has_class("-narrow") and not app.screen.has_class("-short")
        assert app.screen.query_one(NavBar).styles.background == panel
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert app.screen.has_class("-narrow", "-short")


async def test_opening_an_area_parses_its_own_css_not_the_whole_stylesheet_again(
    make_app: Callable[..., SwitchboardApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Textual parsed every source again (in a new stylesheet, without its cache) for each
    # area with a CSS file of its own: 20-30 ms on each area's first opening.
    parsed: list[str] = []
    parse = textual.css.stylesheet.parse  # type: ignore[attr-defined]  # called when not cached

    def counted(scope: str, css: str, read_from: Any, **kwargs: Any) -> Any:
        parsed.append(str(read_from[0]))
        return parse(scope, css, read_from, **kwargs)

    monkeypatch.setattr(textual.css.stylesheet, "parse", counted)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert any(path.endswith("app.tcss") for path in parsed)  # the probe sees parses
        parsed.clear()
        await pilot.press("f3")
        await settle(pilot)
        assert app.current_mode == "otp"
        assert any(path.endswith("otp.tcss") for path in parsed)
        assert not any(path.endswith("app.tcss") for path in parsed), parsed
        # The area is styled by its file.
        assert app.screen.query_one("#otp-body").styles.padding.left == 1
