"""Reports show a loading sign while a table loads, not an empty table (issue 12 point 8)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from textual.widgets import DataTable

from tests.screens.conftest import SIZE, settle
from tui.app import SwitchboardApp


class Held:
    """The emulator, with the answers to one path held until the test releases them."""

    def __init__(self, app: Starlette, path: str) -> None:
        self.app = app
        self.path = path
        self.release = asyncio.Event()
        self.waiting = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == self.path:
            self.waiting.set()
            await self.release.wait()
        await self.app(scope, receive, send)


async def test_the_campaigns_table_shows_a_loading_sign_until_the_answer(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    sandbox_app: Starlette,
) -> None:
    held = Held(sandbox_app, "/api/rest/campaigns")
    provider_apps["360nrs"] = held
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await asyncio.wait_for(held.waiting.wait(), 5)
        await pilot.pause()
        table = app.screen.query_one("#campaigns-table", DataTable)
        assert table.loading

        held.release.set()
        await settle(pilot)
        assert not table.loading
