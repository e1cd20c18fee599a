"""The Contacts screen against a provider that takes its time (5 ms a request): long
operations run in the background and can be stopped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import Input

from backends.sandbox.faults import FaultProfile
from backends.sandbox.nrs360 import create_app
from screens.contacts.screen import ContactsScreen
from screens.widgets.common import ConfirmModal
from tests.screens.conftest import SIZE, FakeClock
from tests.screens.test_contacts_io import open_import
from tests.screens.test_contacts_screen import open_contacts
from tui.app import SwitchboardApp


@pytest.fixture
def sandbox_app(sandbox_clock: FakeClock) -> Starlette:
    """The 360nrs emulator with 5 ms of latency on every request."""
    return create_app(clock=sandbox_clock, faults=FaultProfile(latency_ms=5))


async def test_closing_a_running_import_asks_before_stopping_it(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    tmp_path: Path,
) -> None:
    nrs: Starlette = provider_apps["360nrs"]
    state = nrs.state.nrs
    rows = 2000
    source = tmp_path / "many.csv"
    source.write_text(
        "email\n" + "".join(f"bulk{i}@example.com\n" for i in range(rows)), encoding="utf-8"
    )
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        before = len(state.contacts)
        modal = await open_import(pilot, source)
        modal.query_one("#imp-groups", Input).value = "Bulk"
        await pilot.press("ctrl+s")
        # While the import runs, act directly and wait briefly: Pilot's key presses wait
        # for an idle app, which a running import does not give.
        await pilot.pause(0.05)
        assert app.busy_work() == ["a contacts import"]  # Ctrl+Q would ask first
        modal.action_close()  # Escape and Close both land here
        await pilot.pause(0.05)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        assert confirm.question.startswith("Stop the import? ")
        assert confirm.question.endswith(" rows are done; the contacts created so far stay.")
        confirm.action_no()  # the dialog and the import go on
        await pilot.pause(0.05)
        assert app.screen is modal
        going = len(state.contacts)
        await pilot.pause(0.05)
        assert len(state.contacts) > going
        modal.action_close()
        await pilot.pause(0.05)
        assert isinstance(app.screen, ConfirmModal)
        app.screen.action_yes()
        # (Not settle: waiting on a cancelled worker raises WorkerCancelled.)
        for _ in range(40):
            await pilot.pause(0.05)
            if not any(w.group == "contacts-import" and not w.is_finished for w in app.workers):
                break
        assert isinstance(app.screen, ContactsScreen)
        created = len(state.contacts) - before
        assert 0 < created < rows
        await pilot.pause(0.1)
        assert len(state.contacts) - before == created  # stopped: nothing more arrives
