"""The Picker widget over a provider's list endpoint (tui.usecases.pick_lists), on the
sandbox: the list is loaded through the backend's capability, picking fills the field, a
provider without the listing says so in the list's place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList, Static

from backends.base import Backend
from screens.widgets.picker import Picker, PickList
from tests.screens.conftest import settle
from tui.usecases.pick_lists import group_choices, template_choices
from tui.usecases.recent_ids import Choice
from tui.workspace import Workspace


class PickerApp(App[None]):
    """One Picker and one plain Input (to type into after picking)."""

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend

    async def groups(self) -> Sequence[Choice]:
        return await group_choices(self.backend)

    def compose(self) -> ComposeResult:
        yield Picker(id="group", loader=self.groups, title="Contact groups")
        yield Input(id="next")


def lines(app: App[Any]) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_groups_listed_by_the_provider_are_picked_with_the_keyboard(
    all_providers: Workspace, provider_apps: dict[str, Any]
) -> None:
    backend = await all_providers.open("sandbox-360nrs")
    groups = list(provider_apps["360nrs"].state.nrs.groups.values())
    assert len(groups) >= 2
    app = PickerApp(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        picker = app.query_one("#group", Picker)
        picker.focus()
        await pilot.press("down")
        await settle(pilot)
        assert isinstance(app.screen, PickList)
        assert lines(app) == [f"{g.id}  {g.name}" for g in groups]
        await pilot.press("down", "enter")
        assert picker.value == str(groups[1].id)
        assert app.focused is picker
        # Typed text narrows the list (by name too), Ctrl+L opens it as Down does.
        picker.value = groups[0].name[:4].upper()
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert all(groups[0].name[:4].casefold() in line.casefold() for line in lines(app))
        await pilot.press("escape")
        assert picker.value == groups[0].name[:4].upper()  # Esc keeps what was typed
    await backend.aclose()


async def test_a_provider_without_the_listing_says_so_in_the_list(
    all_providers: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    backend = await all_providers.open("sandbox-xerochat")
    app = PickerApp(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        picker = app.query_one("#group", Picker)
        picker.focus()
        await pilot.press("4", "2", "down")
        await settle(pilot)
        status = str(app.screen.query_one("#pick-status", Static).render())
        assert "Could not load the list: Not supported" in status
        await pilot.press("escape")
        assert picker.value == "42"
    assert "Not supported" in caplog.text  # shown, so logged
    await backend.aclose()


async def test_listed_templates_and_the_cap(
    all_providers: Workspace, provider_apps: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = await all_providers.open("sandbox-360nrs")
    offered = await template_choices(backend)
    assert offered and all(c.value.isdigit() and c.note for c in offered)
    monkeypatch.setattr("tui.usecases.pick_lists.MAX_LISTED", 1)
    assert len(await group_choices(backend, by_name=True)) == 1
    await backend.aclose()
