"""The console's shell: function keys, help, palette entries, account switching."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import DataTable, Input, Static, TextArea

from screens.catalog import AREAS
from screens.widgets.common import TypedConfirmModal
from screens.widgets.help import HelpScreen
from tests.screens.conftest import SIZE, settle
from tui.app import SwitchboardApp


async def test_every_area_opens_with_its_key(sandbox_console: Callable[..., SwitchboardApp]):
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for area in AREAS:
            await pilot.press(area.key)
            await pilot.pause()
            assert app.current_mode == area.mode
            assert app.screen.title == area.title


async def test_help_lists_screen_and_global_keys(sandbox_console: Callable[..., SwitchboardApp]):
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        screen_keys = app.screen.query_one("#screen-keys", DataTable)
        global_keys = app.screen.query_one("#app-keys", DataTable)
        screen_actions = {screen_keys.get_row_at(i)[1] for i in range(screen_keys.row_count)}
        global_actions = {global_keys.get_row_at(i)[1] for i in range(global_keys.row_count)}
        assert "Add" in screen_actions  # the Accounts screen's own key
        assert {"Accounts", "OTP", "Next account", "Quit"} <= global_actions
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_offers_every_area_and_each_account(
    sandbox_console: Callable[..., SwitchboardApp],
):
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {a.title for a in AREAS} <= titles
        assert "Use account sandbox-xebo" in titles
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title == "Use account sandbox-xebo"
        )
        command.callback()
        await pilot.pause()
        assert app.active_account == "sandbox-xebo"
        assert "sandbox-xebo" in str(app.sub_title)


async def test_next_account_key_cycles_from_any_screen(
    sandbox_console: Callable[..., SwitchboardApp],
):
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.active_account != "sandbox-360nrs"
        assert app.active_account in str(app.sub_title)


async def test_typed_confirmation_needs_the_exact_phrase(
    sandbox_console: Callable[..., SwitchboardApp],
):
    app = sandbox_console()
    answers: list[bool | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TypedConfirmModal("Send to 250 recipients?", "250"), answers.append)
        await pilot.pause()
        await pilot.press("2", "5", "enter")
        await pilot.pause()
        assert answers == []  # "25" is not the phrase
        await pilot.press("0", "enter")
        await pilot.pause()
        assert answers == [True]


async def test_a_screen_the_account_does_not_offer_hides_its_keys_and_actions(
    sandbox_console: Callable[..., SwitchboardApp],
):
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert "ctrl+s" in app.screen.active_bindings
        assert "Send" in {c.title for c in app.get_system_commands(app.screen)}
        assert app.focused is app.screen.query_one("#recipients")

        app.active_account = "sandbox-8x8"
        await settle(pilot)
        notice = str(app.screen.query_one("#compose-unsupported", Static).render())
        assert notice.startswith("8x8 SMS Engage does not offer sending from this screen")
        assert notice.endswith("Its sends are on the Surveys screen (F10).")
        assert "ctrl+s" not in app.screen.active_bindings
        assert "ctrl+t" not in app.screen.active_bindings
        assert not {"Send", "Preflight"} & {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert not app.screen.query("#screen-keys")
        await pilot.press("escape")

        # Its own screen takes the keys, and the focus goes to the form's first field.
        await pilot.press("f10")
        await settle(pilot)
        assert "ctrl+s" in app.screen.active_bindings
        assert app.focused is app.screen.query_one("#batch-survey")
        await pilot.press("f6")
        await settle(pilot)
        assert "r" not in app.screen.active_bindings
        app.active_account = "sandbox-360nrs"
        await settle(pilot)
        assert "r" in app.screen.active_bindings


async def test_quitting_while_a_send_runs_asks_first(
    sandbox_console: Callable[..., SwitchboardApp], monkeypatch: pytest.MonkeyPatch
):
    from screens.compose.screen import ComposeScreen
    from tui.app import QuitModal
    from tui.engine.journal import Journal, sandbox_path
    from tui.engine.journal_rows import JobStatus

    # Small batches at a capped rate keep a 300-recipient job running for 30 s, far longer
    # than the test even on a loaded machine (at 5 batches/s it once ended DONE before the
    # second Ctrl+Q); quitting pauses it, so the test does not wait for it.
    monkeypatch.setattr(ComposeScreen, "BATCH_SIZE", 10)
    monkeypatch.setattr(ComposeScreen, "CONCURRENCY", 1)
    monkeypatch.setattr(ComposeScreen, "RATE_LIMIT", 1.0)
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#recipients", Input).value = ", ".join(
            f"34600{i:06d}" for i in range(300)
        )
        screen.query_one("#sender", Input).value = "ACME"
        screen.query_one("#message", TextArea).text = "Hello"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press(*"300", "enter")
        for _ in range(200):
            await pilot.pause(0.02)
            if app.busy_work():
                break
        assert app.busy_work() == ["a send"]

        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitModal)
        assert "A send is still running" in app.screen.question
        await pilot.press("escape")  # Cancel: the app and the send go on
        await pilot.pause()
        assert app.is_running and app.busy_work() == ["a send"]
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("ctrl+q")  # again: quit
        await pilot.pause()
        assert not app.is_running
    with Journal(sandbox_path()) as journal:
        (job,) = journal.jobs()
        assert job.status is not JobStatus.DONE
        totals = journal.totals(job.id)
        assert totals.pending > 0 and totals.sending == 0


async def test_quitting_with_nothing_running_does_not_ask(
    sandbox_console: Callable[..., SwitchboardApp],
):
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_quitting_closes_the_backends_it_opened(
    sandbox_console: Callable[..., SwitchboardApp],
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        name = app.active_account
        assert name is not None
        backend = await app.backend(name)
        assert not backend.http._client.is_closed
    assert backend.http._client.is_closed
