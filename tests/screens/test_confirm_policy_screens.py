"""The console under the one confirmation policy (tui.usecases.confirm), and the 8x8 batch
form checking its recipients as Compose does: each number once, bad ones refused inline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Static

from backends.sandbox.eightbyeight import DEMO_SUBACCOUNT, DEMO_SURVEY
from screens.widgets.common import ConfirmModal, TypedConfirmModal, count_confirm
from tests.screens.conftest import SIZE, settle, type_into
from tui.app import SwitchboardApp
from tui.usecases.confirm import CONFIRM_ABOVE

Console = Callable[..., SwitchboardApp]
BATCH_PATH = f"/api/v1/subaccounts/{DEMO_SUBACCOUNT}/surveys/{DEMO_SURVEY}/messages/batch"


def text(app: SwitchboardApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def test_the_console_types_the_count_above_the_clis_threshold() -> None:
    """One threshold: the CLI refuses CONFIRM_ABOVE + 1 without --yes, the console asks
    for the count from the same number (it used to wait for 101)."""
    above = count_confirm(CONFIRM_ABOVE + 1, "Send?", "Send")
    assert isinstance(above, TypedConfirmModal) and above.phrase == str(CONFIRM_ABOVE + 1)
    at = count_confirm(CONFIRM_ABOVE, "Send?", "Send")
    assert isinstance(at, ConfirmModal)


async def open_batch(pilot: Any) -> None:
    await pilot.press("f10")
    await settle(pilot)
    await type_into(pilot, "#batch-template", "Rate us {{url:}}")
    await type_into(pilot, "#batch-country", "SG")


async def test_batch_form_drops_a_repeated_number(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-8x8")
    async with app.run_test(size=SIZE) as pilot:
        await open_batch(pilot)
        # One number typed three ways (international, with +, national with SG): once.
        await type_into(pilot, "#batch-to", "+6598760001, 6598760001, 98760001, 98760002")
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert "to 2 recipient(s)" in modal.question
        assert "2 repeated number(s) left out" in modal.question
        await pilot.click("#yes")
        await settle(pilot)
        assert "2 queued, 0 rejected" in text(app, "#batch-totals")
    (request,) = provider_apps["8x8"].state.log.matching("POST", BATCH_PATH)
    assert [m["destination"] for m in request.json()["messages"]] == ["+6598760001", "98760002"]


async def test_batch_form_refuses_123_inline_and_sends_nothing(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-8x8")
    async with app.run_test(size=SIZE) as pilot:
        await open_batch(pilot)
        await type_into(pilot, "#batch-to", "98760001, 123")
        await pilot.press("enter")
        await settle(pilot)
        assert "(123): Invalid MSISDN format" in text(app, "#batch-error")
        assert not isinstance(app.screen, ConfirmModal | TypedConfirmModal)
    assert len(provider_apps["8x8"].state.log) == 0


async def test_batch_form_asks_for_the_count_above_the_threshold(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-8x8")
    async with app.run_test(size=SIZE) as pilot:
        await open_batch(pilot)
        numbers = [f"9876{i:04d}" for i in range(CONFIRM_ABOVE + 1)]
        await type_into(pilot, "#batch-to", ", ".join(numbers))
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, TypedConfirmModal) and modal.phrase == str(CONFIRM_ABOVE + 1)
        await pilot.press("escape")
        await settle(pilot)
    assert len(provider_apps["8x8"].state.log) == 0
