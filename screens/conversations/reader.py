"""What the Conversations screen reads: the conversation list with its filters, the open
thread's messages, and the refresh pace the agent picks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from textual import on, work
from textual.coordinate import Coordinate
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Select, Static

from backends.base import Capability
from backends.models.common import ChatMessage, Conversation, ConversationMessages
from screens.conversations import view
from screens.widgets.common import BaseScreen, sb_app
from tui.usecases import conversations as chats

# Refreshes come every 5 s unless the agent picks a slower pace (never faster: each one
# reads the list and the newest message of each conversation).
INTERVALS = (5, 10, 30, 60)
DEFAULT_INTERVAL = 5
# The agent's choice, kept in config.toml's [settings].
INTERVAL_SETTING = "conversations_refresh_seconds"
# One page is plenty for a console; the filters narrow a bigger inbox.
LIST_LIMIT = 100
THREAD_LIMIT = 100


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

    def __init__(self) -> None:
        super().__init__()
        self.conversations: dict[str, Conversation] = {}
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

    def _load_list(self) -> None:
        self._generation += 1
        sender, recipient = self._filters()
        known = {k: v for k, v in self._newest.items()}
        self.load_list(self._generation, sender, recipient, known)

    @work(group="conversations-list", exit_on_error=False)
    async def load_list(
        self,
        generation: int,
        sender: str | None,
        recipient: str | None,
        known: dict[str, tuple[datetime | None, ChatMessage | None]],
    ) -> None:
        """Read the first page of conversations and the newest message of changed ones."""
        backend = await sb_app(self).backend()
        page = await chats.list_conversations(
            backend, limit=LIST_LIMIT, sender=sender, recipient=recipient
        )
        newest = await chats.newest_messages(backend, page.items, known)
        self.post_message(self.ListLoaded(generation, page.items, page.total, newest))

    @on(ListLoaded)
    def _list_loaded(self, event: ListLoaded) -> None:
        if event.generation != self._generation:
            return  # a newer filter or refresh is on its way
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
        interval = self.query_one("#interval", Select).value
        self.query_one("#list-status", Static).update(
            f"{shown} conversation{'s' if shown != 1 else ''}{more} · "
            f"refreshes every {interval} s, Ctrl+R now"
        )

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
        """The refresh interval the agent chose (config.toml is read once, on first use)."""
        if self._chosen_interval is None:
            saved = sb_app(self).workspace.store.setting(INTERVAL_SETTING, DEFAULT_INTERVAL)
            self._chosen_interval = saved if saved in INTERVALS else DEFAULT_INTERVAL
        return self._chosen_interval

    @on(Select.Changed, "#interval")
    def _interval_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, int):
            return
        seconds = float(max(min(INTERVALS), int(event.value)))
        if self.refresh_timer is not None:
            self.refresh_timer.stop()
        self.refresh_timer = self.set_interval(seconds, self._poll)
        if event.value != self._interval:
            self._chosen_interval = event.value
            self.save_interval(event.value)

    @work(group="settings", exclusive=True, exit_on_error=False)
    async def save_interval(self, seconds: int) -> None:
        """Remember the agent's refresh pace for the next session."""
        store = sb_app(self).workspace.store
        await asyncio.to_thread(store.set_setting, INTERVAL_SETTING, seconds)

    def _poll(self) -> None:
        # Only the screen on view polls; another area's screen stays quiet.
        if self.is_current and self.query_one("#conv-body").display:
            self.action_refresh_now()

    @on(Button.Pressed, "#refresh")
    def action_refresh_now(self) -> None:
        """Reload the list and the open thread; the draft and the selection stay."""
        if not self._supports(Capability.WHATSAPP_CONVERSATIONS):
            return
        self._load_list()
        if self.current is not None:
            self.load_thread(self.current.sender, self.current.recipient)

    @work(group="conversations-thread", exit_on_error=False)
    async def load_thread(self, sender: str, recipient: str) -> None:
        """Read the newest page of a conversation's messages."""
        backend = await sb_app(self).backend()
        thread = await chats.messages(backend, sender, recipient, limit=THREAD_LIMIT)
        self.post_message(self.ThreadLoaded(f"{sender}/{recipient}", thread))
