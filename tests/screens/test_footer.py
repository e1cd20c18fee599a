"""The footer (screens/widgets/footer.py) is one widget drawing every key, as Textual's
footer of one widget per key drew them (the snapshots): a click presses a key, the mouse
lights a key and shows its tooltip, the wheel scrolls keys that do not fit, and the keys
follow the screen's bindings."""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from textual import events
from textual.command import CommandPalette

from screens.accounts.screen import AddAccountModal
from screens.widgets.common import BaseScreen
from screens.widgets.footer import KeyFooter, Placed
from tests.screens.conftest import settle
from tui.app import SwitchboardApp


def footer_line(app: SwitchboardApp) -> str:
    return app.screen._compositor.render_strips()[-1].text


def key_style(app: SwitchboardApp, at: Placed) -> Style:
    """The style the footer's key is drawn in (its first cell)."""
    strip = app.screen._compositor.render_strips()[-1]
    x = 0
    for segment in strip:
        if x <= at.start < x + len(segment.text):
            return segment.style or Style()
        x += len(segment.text)
    raise AssertionError(f"nothing drawn at {at.start}")


def placed(app: SwitchboardApp, key: str) -> Placed:
    shown, palette = app.screen.query_one(KeyFooter).placed()
    return next(p for p in [*shown, *([palette] if palette else [])] if p.item.key == key)


async def test_a_click_on_a_key_presses_it(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        add = placed(app, "n")
        assert footer_line(app)[add.start : add.end] == " n Add "
        await pilot.click(KeyFooter, offset=(add.end - 1, 0))
        await pilot.pause()
        assert isinstance(app.screen, AddAccountModal)
        await pilot.press("escape")
        await pilot.pause()
        palette = placed(app, "ctrl+p")
        assert palette.end == 160
        await pilot.click(KeyFooter, offset=(palette.start + 2, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_a_click_between_keys_presses_nothing(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        add = placed(app, "n")
        assert footer_line(app)[add.start : add.end + 1] == "n Add "  # compact: a gap
        await pilot.click(KeyFooter, offset=(add.end, 0))
        await pilot.pause()
        assert not isinstance(app.screen, AddAccountModal)


async def test_the_key_under_the_mouse_is_lit_and_shows_its_tooltip(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        palette = placed(app, "ctrl+p")
        add = placed(app, "n")
        plain = key_style(app, palette)
        await pilot.hover(KeyFooter, offset=(palette.start + 2, 0))
        await pilot.pause()
        # All its cells, from its border to the space after it.
        lit = {key_style(app, palette._replace(start=x)).bgcolor for x in range(148, 160)}
        assert len(lit) == 1 and plain.bgcolor not in lit
        assert key_style(app, add) == key_style(app, placed(app, "t"))  # the others: not
        assert footer.tooltip == palette.item.tooltip and palette.item.tooltip
        await pilot.hover(KeyFooter, offset=(add.start, 0))
        await pilot.pause()
        assert key_style(app, palette) == plain
        assert footer.tooltip is None  # the screen's keys have none


async def test_keys_that_do_not_fit_scroll_with_the_wheel(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(30, 24)) as pilot:
        await settle(pilot)
        shown, _ = app.screen.query_one(KeyFooter).placed()
        assert shown[0].start == 0 and shown[-1].end > 30
        assert footer_line(app).startswith("/ Filter n Add")
        await pilot._post_mouse_events([events.MouseScrollDown], KeyFooter, offset=(5, 0))
        await pilot.pause()
        moved, _ = app.screen.query_one(KeyFooter).placed()
        assert moved[0].start < 0
        assert footer_line(app) != "/ Filter n Add t Test u Use d"[:30]
        # Back, and no further than the first key.
        for _ in range(20):
            await pilot._post_mouse_events([events.MouseScrollUp], KeyFooter, offset=(5, 0))
        await pilot.pause()
        assert footer_line(app).startswith("/ Filter n Add")


async def test_the_keys_follow_the_screens_bindings(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert " n Add " in footer_line(app)
        screen = app.screen
        assert isinstance(screen, BaseScreen)
        screen.set_offered(False)  # the screen's own keys leave the footer
        await pilot.pause()
        assert " n Add " not in footer_line(app) and " f1 Help " in footer_line(app)
        screen.set_offered(True)
        await pilot.pause()
        assert " n Add " in footer_line(app)
