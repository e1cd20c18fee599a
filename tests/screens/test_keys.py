"""The one key map (issue 12 point 3): every area takes the shared keys from it, `?` opens
the help the footer agrees with, the navigation bar switches areas, and form screens'
main actions work from inside their inputs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import DataTable, Input

from screens.catalog import AREAS
from screens.widgets.help import HelpScreen, key_label
from screens.widgets.keys import STANDARD, STANDARD_KEYS, std_key
from screens.widgets.nav import NavBar
from tests.screens.conftest import SIZE, settle
from tui.app import SwitchboardApp


def own_bindings(node: DOMNode) -> Iterator[Binding]:
    """The bindings this project's classes give a node (not Textual's own)."""
    for cls in type(node).__mro__:
        if cls.__module__.startswith("screens."):
            for binding in vars(cls).get("BINDINGS", ()):
                assert isinstance(binding, Binding)
                yield binding


def misused(bindings: list[Binding]) -> list[str]:
    """The bindings that give a shared action another key, or a shared key another action."""
    wrong: list[str] = []
    for binding in bindings:
        std = binding.id[4:] if binding.id and binding.id.startswith("std.") else None
        if std is None and binding.action in STANDARD:
            wrong.append(f"{binding.key} -> {binding.action}: not from the key map")
        allowed = (
            {STANDARD[std].keys, f"{STANDARD[std].form},{STANDARD[std].keys}"} if std else set()
        )
        if std is not None and binding.key not in allowed:
            wrong.append(f"{binding.key} -> {binding.action}: not the map's key for {std}")
        for key in binding.key.split(","):
            if key in STANDARD_KEYS and std != STANDARD_KEYS[key]:
                wrong.append(f"{key} -> {binding.action}: the map's key for {STANDARD_KEYS[key]}")
    return wrong


def test_the_check_catches_a_private_key_for_a_shared_action():
    assert misused([Binding("ctrl+n", "new", "New")]) == ["ctrl+n -> new: not from the key map"]
    assert misused([Binding("r", "rename", "Rename")]) == ["r -> rename: the map's key for reload"]
    assert misused([std_key("new", "add", "Add"), Binding("u", "use", "Use")]) == []
    assert misused([std_key("reload", form=True)]) == []


async def test_every_area_takes_the_shared_keys_from_the_map(
    sandbox_console: Callable[..., SwitchboardApp],
):
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        wrong: dict[str, list[str]] = {}
        for area in AREAS:
            await pilot.press(area.key)
            await settle(pilot)
            screen = app.screen
            nodes = [screen, *screen.walk_children(with_self=False)]
            bindings = [b for node in nodes for b in own_bindings(node)]
            if problems := misused(bindings):
                wrong[area.mode] = problems
        assert wrong == {}


async def test_question_mark_opens_the_help_which_lists_what_the_footer_shows(
    sandbox_console: Callable[..., SwitchboardApp],
):
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")  # Contacts: its keys are on the table and its pane
        await settle(pilot)
        app.screen.query_one("#contacts-table", DataTable).focus()
        await pilot.pause()
        footer = {
            a.binding.description
            for a in app.screen.active_bindings.values()
            if a.binding.show and a.enabled and a.node is not app
        }
        assert {"New contact", "Edit", "Delete", "Reload", "Next page"} <= footer
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#screen-keys", DataTable)
        rows = dict(table.get_row_at(i)[::-1] for i in range(table.row_count))
        assert footer <= set(rows)
        assert rows["New contact"] == "n"
        assert set(rows["Next page"].split(" / ")) == {"]", "PgDn"}
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_question_mark_is_typed_inside_an_input(
    sandbox_console: Callable[..., SwitchboardApp],
):
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        field = app.screen.query_one("#check-code", Input)
        field.focus()
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert field.value == "?"


def nav_line(app: SwitchboardApp) -> str:
    """The navigation bar's line as drawn (the line under the header)."""
    return app.screen._compositor.render_strips()[1].text


@pytest.mark.parametrize("width", [80, 120])
async def test_the_nav_bar_shows_every_area_and_a_click_on_each_switches_to_it(
    sandbox_console: Callable[..., SwitchboardApp], width: int
):
    app = sandbox_console()
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(NavBar)
        assert bar.region.y == 1 and bar.region.width == width
        items = bar.items()
        assert [i.mode for i in items] == [a.mode for a in AREAS]
        # Every item fits on the one line, each with its key, as drawn.
        assert items[-1].end <= width
        line = nav_line(app)
        for item, area in zip(items, AREAS, strict=True):
            assert item.text.startswith(key_label(area.key))
            assert line[item.start : item.end] == item.text
        assert bar.current == "accounts"
        # A click anywhere on an item opens its area, whose bar lights that item; the
        # gap between two items opens nothing.
        await pilot.click(NavBar, offset=(items[1].end, 0))
        await settle(pilot)
        assert app.current_mode == "accounts"
        for item in reversed(items):
            x = item.end - 1 if item.mode == "otp" else item.start
            await pilot.click(NavBar, offset=(x, 0))
            await settle(pilot)
            assert app.current_mode == item.mode
            assert app.screen.query_one(NavBar).current == item.mode
        await pilot.press("f9")
        await settle(pilot)
        assert app.screen.query_one(NavBar).current == "jobs"


async def test_the_nav_bar_underlines_the_item_under_the_mouse(
    sandbox_console: Callable[..., SwitchboardApp],
):
    app = sandbox_console()
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(NavBar)
        otp = next(i for i in bar.items() if i.mode == "otp")

        def underlined() -> str:
            strip = app.screen._compositor.render_strips()[1]
            return "".join(s.text for s in strip if s.style and s.style.underline)

        assert underlined() == ""
        await pilot.hover(NavBar, offset=(otp.start + 1, 0))
        await pilot.pause()
        assert underlined() == otp.text
        await pilot.hover(NavBar, offset=(otp.end, 0))  # the gap after it
        await pilot.pause()
        assert underlined() == ""


async def test_compose_preflight_key_works_from_inside_an_input(
    sandbox_console: Callable[..., SwitchboardApp],
):
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert app.focused is app.screen.query_one("#recipients", Input)
        checked: list[bool] = []
        app.screen.action_check = lambda: checked.append(True)  # type: ignore[attr-defined]
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert checked == [True]
        assert "ctrl+r" not in app.screen.active_bindings


async def test_otp_check_key_works_from_inside_the_code_input(
    sandbox_console: Callable[..., SwitchboardApp],
):
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        code = app.screen.query_one("#check-code", Input)
        code.focus()
        code.value = "123456"
        code.cursor_position = 0
        checked: list[bool] = []
        app.screen.action_check = lambda: checked.append(True)  # type: ignore[attr-defined]
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert checked == [True]
        assert code.value == "123456"  # Ctrl+K, the old key, deleted it to the right
