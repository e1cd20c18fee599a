"""The Conversations screen driven through Pilot against the 360nrs emulator."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, DataTable, Input, Select, Static

import screens.conversations.view
from backends.sandbox.nrs360.seed import BUSINESS_NUMBER
from backends.sandbox.nrs360.state import Conversation, WaMessage
from screens.conversations.screen import ConversationsScreen
from screens.conversations.template import TemplateSendModal, build_request, split_fields
from screens.conversations.view import format_countdown, thread_text
from tests.screens.conftest import SIZE, FakeClock, settle, type_into
from tui.app import SwitchboardApp

LIST = "/api/rest/whatsapp/conversations"


@pytest.fixture(autouse=True)
def frozen_countdown(monkeypatch: pytest.MonkeyPatch, sandbox_clock: FakeClock) -> None:
    """The screen reads the same clock as the emulator, so sessions end when it says."""
    monkeypatch.setattr(screens.conversations.view, "utc_now", sandbox_clock)


def conversations(provider_apps: dict[str, Any]) -> dict[tuple[str, str], Conversation]:
    return dict(provider_apps["360nrs"].state.nrs.conversations)


def find(provider_apps: dict[str, Any], text: str) -> Conversation:
    """The seeded conversation with a message containing `text`."""
    for conversation in conversations(provider_apps).values():
        if any(text in m.content for m in conversation.messages):
            return conversation
    raise AssertionError(f"no conversation mentions {text!r}")


def key(conversation: Conversation) -> str:
    return f"{conversation.business}/{conversation.customer}"


def plain(app: SwitchboardApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def rows(app: SwitchboardApp) -> dict[str, list[str]]:
    """Table rows by key: the cells as text."""
    table = app.screen.query_one("#conversations", DataTable)
    return {str(row_key.value): [str(c) for c in table.get_row(row_key)] for row_key in table.rows}


async def open_screen(pilot: Any) -> ConversationsScreen:
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ConversationsScreen)
    return screen


async def open_thread(pilot: Any, conversation: Conversation) -> None:
    table = pilot.app.screen.query_one("#conversations", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(key(conversation)))
    await pilot.press("enter")
    await settle(pilot)


def inbound(conversation: Conversation, clock: FakeClock, text: str) -> None:
    """The customer writes: a new message appears in the emulator."""
    now = clock.now
    conversation.messages.append(
        WaMessage(f"in-{text}", "text", conversation.customer, text, True, now, now)
    )


async def test_list_shows_unread_and_session_marks(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    sandbox_clock: FakeClock,
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        shown = rows(app)
        seeded = conversations(provider_apps)
        assert len(shown) == len(seeded) == 5
        for conversation in seeded.values():
            cells = shown[key(conversation)]
            newest = max(conversation.messages, key=lambda m: m.sent_at)
            unread = newest.inbound and newest.read_at is None
            assert cells[0] == ("●" if unread else "")
            active = conversation.is_session_active(sandbox_clock.now)
            assert cells[3] == ("● open" if active else "closed")
            assert cells[1] == f"+{conversation.customer}"
        assert sum(1 for cells in shown.values() if cells[0] == "●") == 1
        assert "5 conversations" in plain(app, "#list-status")


async def test_filters_reach_the_provider(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console()
    log = provider_apps["360nrs"].state.log
    target = find(provider_apps, "Thursday afternoon")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await type_into(pilot, "#filter-recipient", f"+{target.customer}")
        await pilot.press("enter")
        await settle(pilot)
        assert list(rows(app)) == [key(target)]
        assert log.matching("GET", LIST)[-1].query["to"] == [target.customer]

        await type_into(pilot, "#filter-recipient", "")
        await type_into(pilot, "#filter-sender", "34600000000")
        await pilot.press("enter")
        await settle(pilot)
        assert rows(app) == {}
        assert log.matching("GET", LIST)[-1].query == {
            "page": ["1"],
            "limit": ["100"],
            "from": ["34600000000"],
        }

        await type_into(pilot, "#filter-sender", BUSINESS_NUMBER)
        await pilot.press("enter")
        await settle(pilot)
        assert len(rows(app)) == 5


async def test_thread_shows_marks_reactions_and_closed_session(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console()
    expired = find(provider_apps, "Posso pagar por transferência")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await open_thread(pilot, expired)
        thread = plain(app, "#thread")
        assert "Sim, os dados bancários estão no PDF da fatura.  ✓✓ read  ❤️" in thread
        assert "Mais alguma questão?  ✗ failed" in thread
        assert "◀" in thread and "[template]" in thread
        # Oldest first, as people read a chat.
        assert thread.index("Obrigado. Posso") < thread.index("Ótimo, obrigado!")
        assert plain(app, "#session") == "Session closed: only an approved template can be sent."
        assert app.screen.query_one("#reply", Input).disabled
        assert app.screen.query_one("#send", Button).disabled
        assert app.screen.query_one("#template", Button).display


async def test_reply_while_the_session_is_open(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    sandbox_clock: FakeClock,
) -> None:
    app = sandbox_console()
    active = find(provider_apps, "Thursday afternoon")
    log = provider_apps["360nrs"].state.log
    path = f"{LIST}/{active.business}/{active.customer}/messages"
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await open_thread(pilot, active)
        expires = active.session_expires_at()
        assert expires is not None
        left = format_countdown(expires - sandbox_clock.now)
        assert plain(app, "#session") == f"Session open · replies allowed for {left}"
        assert "👍" in plain(app, "#thread")
        assert not app.screen.query_one("#template", Button).display

        await type_into(pilot, "#reply", "Thursday 16:00 works")
        await pilot.press("enter")
        await settle(pilot)
        assert [r.json() for r in log.matching("POST", path)] == [
            {"content": "Thursday 16:00 works"}
        ]
        assert active.messages[-1].content == "Thursday 16:00 works"
        assert app.screen.query_one("#reply", Input).value == ""
        assert "Thursday 16:00 works  ✓ sent" in plain(app, "#thread")


async def test_expired_session_closes_the_reply_box_and_sends_a_template(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    sandbox_clock: FakeClock,
) -> None:
    app = sandbox_console()
    active = find(provider_apps, "Thursday afternoon")
    log = provider_apps["360nrs"].state.log
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await open_thread(pilot, active)
        await type_into(pilot, "#reply", "draft")
        assert not app.screen.query_one("#reply", Input).disabled
        expires = active.session_expires_at()
        assert expires is not None
        sandbox_clock.now = expires + timedelta(seconds=1)
        await pilot.pause(1.2)  # the countdown ticks once a second
        assert app.screen.query_one("#reply", Input).disabled
        assert app.screen.query_one("#send", Button).disabled
        assert plain(app, "#session").startswith("Session closed")

        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, TemplateSendModal)
        await type_into(pilot, "#template-id", "125")
        await type_into(pilot, "#body", "4821")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")  # the confirmation
        await settle(pilot)
        sent = [r.json() for r in log.matching("POST", "/api/rest/whatsapp")]
        assert sent == [
            {
                "templateId": 125,
                "from": active.business,
                "messages": [{"to": active.customer, "bodyFields": ["4821"]}],
            }
        ]
        assert "4821 is your verification code." in plain(app, "#thread")
        # A template does not reopen the session: only the customer's answer does.
        assert app.screen.query_one("#reply", Input).disabled
        assert app.screen.query_one("#reply", Input).value == "draft"


async def test_template_refused_by_the_provider_shows_its_error(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console()
    expired = find(provider_apps, "Posso pagar por transferência")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await open_thread(pilot, expired)
        await pilot.click("#template")
        await pilot.pause()
        await type_into(pilot, "#template-id", "999")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        modal = app.screen
        assert "code 140" in str(modal.query_one(".dialog-title", Static).render())
        assert "Invalid template" in str(modal.query_one(".dialog-message", Static).render())


async def test_ctrl_r_picks_up_new_messages_and_keeps_draft_focus_and_selection(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    sandbox_clock: FakeClock,
) -> None:
    app = sandbox_console()
    active = find(provider_apps, "Thursday afternoon")
    other = find(provider_apps, "Perfecto, ¡gracias!")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await open_thread(pilot, active)
        await type_into(pilot, "#reply", "Half-written answ")
        sandbox_clock.advance(60)
        inbound(active, sandbox_clock, "Actually, Friday is better")
        inbound(other, sandbox_clock, "One more question")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Actually, Friday is better  ● unread" in plain(app, "#thread")
        reply = screen.query_one("#reply", Input)
        assert reply.value == "Half-written answ"
        assert reply.has_focus
        table = screen.query_one("#conversations", DataTable)
        assert screen._cursor_key(table) == key(active)
        shown = rows(app)
        assert shown[key(other)][0] == "●"  # new activity elsewhere
        assert shown[key(active)][0] == ""  # the open thread counts as read


async def test_auto_refresh_at_the_chosen_interval(
    sandbox_console: Callable[..., SwitchboardApp],
    provider_apps: dict[str, Any],
    sandbox_clock: FakeClock,
) -> None:
    app = sandbox_console()
    active = find(provider_apps, "Thursday afternoon")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        select = screen.query_one("#interval", Select)
        assert [value for _, value in select._options] == [5, 10, 30, 60, 0]  # 0: off
        select.value = 5
        await pilot.pause()
        await open_thread(pilot, active)
        inbound(active, sandbox_clock, "Are you there?")
        await asyncio.sleep(5.5)
        await settle(pilot)
        assert "Are you there?" in plain(app, "#thread")
        assert "refreshes every 5 s" in plain(app, "#list-status")


async def test_other_provider_shows_the_capability_notice_then_reloads_on_switch(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-xebo")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        notice = screen.query_one("#conv-unsupported", Static)
        assert notice.display
        assert "does not offer WhatsApp conversations" in str(notice.render())
        assert not screen.query_one("#conv-body").display
        assert not provider_apps["360nrs"].state.log.matching("GET", LIST)

        app.active_account = "sandbox-360nrs"
        await settle(pilot)
        assert not notice.display
        assert len(rows(app)) == 5


def test_template_request_from_the_form() -> None:
    assert split_fields(" a | b |c ") == ("a", "b", "c")
    assert split_fields("  ") == ()
    request = build_request(
        "34666777555", "34666555444", template_id="124", lat="39.9", long="-0.1"
    )
    assert request.template_id == 124
    assert request.messages[0].location is not None
    with pytest.raises(ValueError, match="whole number"):
        build_request("1", "2", template_id="abc")
    with pytest.raises(ValueError, match="both latitude and longitude"):
        build_request("1", "2", template_id="1", lat="39.9")


def test_empty_thread_reads_as_such() -> None:
    assert thread_text((), "34666555444").plain == "No messages yet."


async def test_the_refresh_interval_is_kept_for_the_next_session(
    sandbox_console: Callable[..., SwitchboardApp], config_dir: Path
) -> None:
    app = sandbox_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        select = screen.query_one("#interval", Select)
        assert select.value == 5  # by default, at least every 5 s
        select.value = 30
        await settle(pilot)
    saved = tomllib.loads((config_dir / "config.toml").read_text(encoding="utf-8"))
    assert saved["settings"] == {"conversations_refresh_seconds": 30}
    again = sandbox_console()
    async with again.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        assert screen.query_one("#interval", Select).value == 30
        assert screen.refresh_timer is not None
        assert screen.refresh_timer._interval == 30
