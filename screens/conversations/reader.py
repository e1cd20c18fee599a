"""What the Conversations screen reads: the conversation list with its filters, the open
thread's messages, and the refresh pace the agent picks."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from textual import on, work
from textual.coordinate import Coordinate
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Select, Static

from backends.base import Capability
from backends.errors import ConfigError
from backends.models.common import ChatMessage, Conversation, ConversationMessages
from screens.conversations import view
from screens.widgets.common import (
    BaseScreen,
    describe_error,
    log_shown,
    refresh_failed_text,
    sb_app,
)
from tui.usecases import conversations as chats

# One page is plenty for a console; the filters narrow a bigger inbox.
LIST_LIMIT = 100
THREAD_LIMIT = 100

log = logging.getLogger("switchboard.console")


class ConversationsReader(BaseScreen):
    """The list, thread and refresh workers of `ConversationsScreen`, which lays them out
    and adds the session, the reply and the template send."""

    @dataclass
    class ListLoaded(Message):
        """A page of conversations and each one's newest message."""

        generation: int
        conversations: tuple[Conversation, ...]
        total: int
        newest: dict[str, ChatMessage | None]

    @dataclass
    class ThreadLoaded(Message):
        """The messages of one conversation with its session state."""

        key: str
        thread: ConversationMessages

    @dataclass
    class RefreshFailed(Message):
        """A periodic refresh failed: the status line says so, never a modal (a modal
        every few seconds would stack up and swallow what the agent types)."""

        generation: int
        title: str
        message: str

    def __init__(self) -> None:
        super().__init__()
        self.conversations: dict[str, Conversation] = {}
        self._shown = "Loading conversations…"
        self._chosen_interval: int | None = None
        # Newest message per conversation, keyed with the updatedAt it was read at, so a
        # refresh re-reads only the conversations that changed.
        self._newest: dict[str, tuple[datetime | None, ChatMessage | None]] = {}
        # updatedAt of each conversation when the operator last saw its thread.
        self._seen: dict[str, datetime | None] = {}
        self._generation = 0
        # The conversation whose thread is open (chosen on the screen).
        self.current: Conversation | None = None
        self.refresh_timer: Timer | None = None
        self._filter_timer: Timer | None = None
        # When a list last arrived, for the failure line; and the pace auto-refresh
        # returns to when it is turned back on.
        self._last_success: datetime | None = None
        self._resume_interval = chats.DEFAULT_REFRESH
        self._config_problem: str | None = None

    def _supports(self, capability: Capability) -> bool:
        app = sb_app(self)
        if app.active_account is None:
            return False
        from backends.registry import backend_class

        return backend_class(app.workspace.account(app.active_account).provider).supports(
            capability
        )

    # --- list ------------------------------------------------------------------------
    def _filters(self) -> tuple[str | None, str | None]:
        sender = self.query_one("#filter-sender", Input).value.strip().lstrip("+")
        recipient = self.query_one("#filter-recipient", Input).value.strip().lstrip("+")
        return sender or None, recipient or None

    def _load_list(self, *, background: bool = False) -> None:
        self._generation += 1
        sender, recipient = self._filters()
        known = {k: v for k, v in self._newest.items()}
        self.load_list(self._generation, sender, recipient, known, background=background)

    @work(group="conversations-list", exit_on_error=False)
    async def load_list(
        self,
        generation: int,
        sender: str | None,
        recipient: str | None,
        known: dict[str, tuple[datetime | None, ChatMessage | None]],
        *,
        background: bool = False,
    ) -> None:
        """Read the first page of conversations and the newest message of changed ones;
        a `background` (timer) read reports its failure on the status line."""
        try:
            backend = await sb_app(self).backend()
            page = await chats.list_conversations(
                backend, limit=LIST_LIMIT, sender=sender, recipient=recipient
            )
            newest = await chats.newest_messages(backend, page.items, known)
        except Exception as exc:
            if not background:
                raise  # the agent asked: the error modal answers
            self._background_failed(generation, exc)
            return
        self.post_message(self.ListLoaded(generation, page.items, page.total, newest))

    def _background_failed(self, generation: int, exc: Exception) -> None:
        title, message = describe_error(exc)
        if title == "Unexpected error":
            log.error("background refresh failed", exc_info=exc)
        self.post_message(self.RefreshFailed(generation, title, message))

    @on(RefreshFailed)
    def _refresh_failed(self, event: RefreshFailed) -> None:
        if event.generation != self._generation:
            return  # another account's or an older filter's read
        text = refresh_failed_text(
            "Conversations refresh", event.title, event.message, view.utc_now(), self._last_success
        )
        self._show_refresh_problem(text)

    def _show_refresh_problem(self, text: str) -> None:
        line = self.query_one("#refresh-status", Static)
        line.update(text)
        line.display = bool(text)

    @on(ListLoaded)
    def _list_loaded(self, event: ListLoaded) -> None:
        if event.generation != self._generation:
            return  # a newer filter or refresh is on its way
        self._last_success = view.utc_now()
        self._show_refresh_problem(self._config_problem or "")
        table = self.query_one("#conversations", DataTable)
        selected = self._cursor_key(table)
        table.clear()
        self.conversations = {chats.conversation_key(c): c for c in event.conversations}
        for key, c in self.conversations.items():
            newest = event.newest.get(key)
            self._newest[key] = (c.updated_at, newest)
            if self.current is not None and key == chats.conversation_key(self.current):
                self._seen[key] = c.updated_at  # the open thread is being read
            unread = view.is_unread(newest, c) and self._seen.get(key) != c.updated_at
            table.add_row(
                "●" if unread else "",
                f"+{c.recipient}",
                view.contact_name(c),
                "● open" if c.session_active else "closed",
                str(c.total_messages),
                view.hhmm(c.updated_at),
                key=key,
            )
        if selected in self.conversations:
            table.move_cursor(row=table.get_row_index(selected), animate=False)
        shown = len(event.conversations)
        more = (
            f" (first {shown} of {event.total}: narrow with the filters)"
            if (event.total > shown)
            else ""
        )
        self._shown = f"{shown} conversation{'s' if shown != 1 else ''}{more}"
        self._show_list_status()

    def _show_list_status(self) -> None:
        interval = self.query_one("#interval", Select).value
        pace = (
            f"refreshes every {interval} s"
            if interval != chats.REFRESH_OFF
            else "auto-refresh off (Ctrl+F turns it on)"
        )
        self.query_one("#list-status", Static).update(f"{self._shown} · {pace}, Ctrl+R now")

    @staticmethod
    def _cursor_key(table: DataTable[object]) -> str | None:
        if table.row_count == 0:
            return None
        row_key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
        return row_key.value

    @on(Input.Changed, "#conv-filters Input")
    def _filter_changed(self) -> None:
        # Wait for a pause in typing rather than asking the provider on every key.
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(0.4, self._load_list)

    @on(Input.Submitted, "#conv-filters Input")
    def _filter_submitted(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        self._load_list()

    @property
    def _interval(self) -> int:
        """The refresh interval the agent chose, REFRESH_OFF for none (config.toml is read
        once, on first use; a bad value there is said on the status line)."""
        if self._chosen_interval is None:
            saved = sb_app(self).workspace.store.setting(
                chats.REFRESH_SETTING, chats.DEFAULT_REFRESH
            )
            try:
                self._chosen_interval = chats.refresh_seconds(saved)
            except ConfigError as exc:
                self._config_problem = (
                    f"config.toml: {exc.message}; refreshing every {chats.DEFAULT_REFRESH} s"
                )
                log_shown("Conversations settings", self._config_problem)
                self._chosen_interval = chats.DEFAULT_REFRESH
        return self._chosen_interval

    def interval_options(self) -> list[tuple[str, int]]:
        """The paces the agent can pick, and off."""
        return [(f"{s} s", s) for s in chats.REFRESH_INTERVALS] + [("off", chats.REFRESH_OFF)]

    def start_refresh(self) -> None:
        """Start the timer at the chosen pace (none when off); say if the setting was bad."""
        self._set_timer(self._interval)
        self._show_refresh_problem(self._config_problem or "")

    def _set_timer(self, seconds: int) -> None:
        if self.refresh_timer is not None:
            self.refresh_timer.stop()
            self.refresh_timer = None
        if seconds != chats.REFRESH_OFF:
            self._resume_interval = seconds
            self.refresh_timer = self.set_interval(float(seconds), self._poll)

    @on(Select.Changed, "#interval")
    def _interval_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, int):
            return
        self._set_timer(event.value)
        self._show_list_status()
        if event.value != self._interval:
            self._chosen_interval = event.value
            self.save_interval(event.value)

    def action_toggle_refresh(self) -> None:
        """Turn auto-refresh off, or back on at the pace it had."""
        select = self.query_one("#interval", Select)
        on_ = select.value != chats.REFRESH_OFF
        select.value = chats.REFRESH_OFF if on_ else self._resume_interval

    @work(group="settings", exclusive=True, exit_on_error=False)
    async def save_interval(self, seconds: int) -> None:
        """Remember the agent's refresh pace for the next session."""
        store = sb_app(self).workspace.store
        await asyncio.to_thread(store.set_setting, chats.REFRESH_SETTING, seconds)

    def _poll(self) -> None:
        # Only the screen on view polls; another area's screen stays quiet.
        if self.is_current and self.query_one("#conv-body").display:
            self._reload(background=True)

    @on(Button.Pressed, "#refresh")
    def action_refresh_now(self) -> None:
        """Reload the list and the open thread; the draft and the selection stay."""
        self._reload(background=False)

    def _reload(self, *, background: bool) -> None:
        if not self._supports(Capability.WHATSAPP_CONVERSATIONS):
            return
        self._load_list(background=background)
        if self.current is not None:
            self.load_thread(self.current.sender, self.current.recipient, background=background)

    @work(group="conversations-thread", exit_on_error=False)
    async def load_thread(self, sender: str, recipient: str, *, background: bool = False) -> None:
        """Read the newest page of a conversation's messages (a `background` read's
        failure goes to the status line)."""
        try:
            backend = await sb_app(self).backend()
            thread = await chats.messages(backend, sender, recipient, limit=THREAD_LIMIT)
        except Exception as exc:
            if not background:
                raise
            self._background_failed(self._generation, exc)
            return
        self.post_message(self.ThreadLoaded(f"{sender}/{recipient}", thread))
