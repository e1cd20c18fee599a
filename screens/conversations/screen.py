"""WhatsApp conversations: list with unread/session marks, thread, reply, template send."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.coordinate import Coordinate
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from backends.base import Capability
from backends.capabilities import WhatsAppTemplatesApi
from backends.models import ChatMessage, Conversation, ConversationMessages, SendResult
from backends.models_send import WhatsAppTemplateRequest
from screens.conversations import view
from screens.conversations.template import TemplateSendModal
from screens.widgets.common import BaseScreen, ConfirmModal, sb_app
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
SESSION = timedelta(hours=24)


class ConversationsScreen(BaseScreen):
    """Browse WhatsApp conversations on the active account and answer them."""

    TITLE = "Conversations"
    CSS_PATH = "conversations.tcss"

    BINDINGS = [
        Binding("ctrl+r", "refresh_now", "Refresh"),
        Binding("ctrl+t", "send_template", "Send template"),
    ]

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
    class Replied(Message):
        """A free-text reply was accepted."""

        key: str
        #: The text sent: the provider's answer may carry no message (360nrs shows none).
        content: str

    @dataclass
    class TemplateSent(Message):
        """The provider answered a template send."""

        key: str
        result: SendResult

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
        self.current: Conversation | None = None
        self.session_active = False
        self.session_expires_at: datetime | None = None
        self.refresh_timer: Timer | None = None
        self._countdown: Timer | None = None
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static("", id="conv-unsupported", classes="notice")
        with Horizontal(id="conv-body"):
            with Vertical(id="conv-list-pane", classes="panel"):
                with Horizontal(classes="field-row", id="conv-filters"):
                    yield Input(placeholder="sender (business number)", id="filter-sender")
                    yield Input(placeholder="recipient (customer)", id="filter-recipient")
                with Horizontal(classes="field-row", id="conv-refresh-row"):
                    yield Label("Auto-refresh every", id="interval-label")
                    yield Select(
                        [(f"{s} s", s) for s in INTERVALS],
                        value=self._interval,
                        allow_blank=False,
                        id="interval",
                    )
                    yield Button("Refresh", id="refresh")
                yield DataTable(id="conversations", cursor_type="row", zebra_stripes=True)
                yield Static("", id="list-status")
            with Vertical(id="thread-pane", classes="panel"):
                yield Label("Select a conversation (Enter)", id="thread-title")
                with VerticalScroll(id="thread-scroll"):
                    yield Static("", id="thread")
                yield Static("", id="session")
                with Horizontal(id="reply-row"):
                    yield Input(placeholder="Reply…", id="reply", disabled=True)
                    yield Button("Send", variant="primary", id="send", disabled=True)
                    yield Button("Send template…", id="template")
                yield Static("", id="reply-error", classes="error-text")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        table = self.query_one("#conversations", DataTable)
        table.add_column("", key="unread", width=1)
        table.add_columns("Customer", "Name", "Session", "Msgs", "Last activity")
        self.query_one("#template").display = False
        self.refresh_timer = self.set_interval(self._interval, self._poll)
        self._countdown = self.set_interval(1.0, self._tick, pause=True)
        self.watch(sb_app(self), "active_account", self._account_changed, init=False)
        self._account_changed(sb_app(self).active_account)
        table.focus()

    # --- account and capability ------------------------------------------------------
    def _supports(self, capability: Capability) -> bool:
        app = sb_app(self)
        if app.active_account is None:
            return False
        from backends.registry import backend_class

        return backend_class(app.workspace.account(app.active_account).provider).supports(
            capability
        )

    def _account_changed(self, name: str | None) -> None:
        notice = self.query_one("#conv-unsupported", Static)
        supported = False
        if name is None:
            notice.update("No account yet: add one on the Accounts screen (F2).")
        else:
            from backends.registry import backend_class

            cls = backend_class(sb_app(self).workspace.account(name).provider)
            supported = cls.supports(Capability.WHATSAPP_CONVERSATIONS)
            notice.update(
                "" if supported else f"{cls.label} does not offer WhatsApp conversations."
            )
        notice.display = not supported
        self.set_offered(supported)
        self.query_one("#conv-body").display = supported
        self._generation += 1  # a list still on its way belongs to the old account
        self.conversations.clear()
        self._newest.clear()
        self._seen.clear()
        self.query_one("#conversations", DataTable).clear()
        self._close_thread()
        if supported:
            self._load_list()

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
        seconds: float = max(5.0, float(event.value))
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

    # --- thread ----------------------------------------------------------------------
    @on(DataTable.RowSelected, "#conversations")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        conversation = self.conversations.get(str(event.row_key.value))
        if conversation is None:
            return
        self.current = conversation
        self.query_one("#thread-title", Label).update(
            f"{view.contact_name(conversation) or 'Customer'} · +{conversation.recipient} "
            f"(from +{conversation.sender})"
        )
        self.query_one("#thread", Static).update("Loading…")
        self.query_one("#reply-error", Static).update("")
        self.load_thread(conversation.sender, conversation.recipient)

    @work(group="conversations-thread", exit_on_error=False)
    async def load_thread(self, sender: str, recipient: str) -> None:
        """Read the newest page of a conversation's messages."""
        backend = await sb_app(self).backend()
        thread = await chats.messages(backend, sender, recipient, limit=THREAD_LIMIT)
        self.post_message(self.ThreadLoaded(f"{sender}/{recipient}", thread))

    @on(ThreadLoaded)
    def _thread_loaded(self, event: ThreadLoaded) -> None:
        if self.current is None or event.key != chats.conversation_key(self.current):
            return  # the operator moved on to another conversation
        scroll = self.query_one("#thread-scroll", VerticalScroll)
        at_end = scroll.scroll_y >= scroll.max_scroll_y
        text = view.thread_text(event.thread.messages, self.current.recipient)
        if event.thread.total_pages > 1:
            text = Text(f"(the newest {THREAD_LIMIT} messages)\n", style="dim") + text
        self.query_one("#thread", Static).update(text)
        if at_end:
            scroll.scroll_end(animate=False)
        self.session_expires_at = event.thread.session_expires_at or self._from_last_inbound(
            event.thread.messages
        )
        self.session_active = event.thread.session_active
        self._seen[event.key] = self.current.updated_at
        table = self.query_one("#conversations", DataTable)
        if event.key in self.conversations:
            table.update_cell(event.key, "unread", "")
        if self._countdown is not None:
            self._countdown.resume()
        self._tick()

    def _from_last_inbound(self, messages: tuple[ChatMessage, ...]) -> datetime | None:
        """24 h after the customer's last message, when the provider gave no end time."""
        assert self.current is not None
        inbound = [m.sent_at for m in messages if m.msisdn == self.current.recipient]
        times = [t for t in inbound if t is not None]
        return max(times) + SESSION if times else None

    def _tick(self) -> None:
        """Update the countdown; at zero the reply box closes and the template opens."""
        if self.current is None:
            return
        left = view.remaining(self.session_expires_at, view.utc_now())
        open_ = self.session_active and left > timedelta(0)
        session = self.query_one("#session", Static)
        if open_:
            session.update(f"Session open · replies allowed for {view.format_countdown(left)}")
        else:
            session.update("Session closed: only an approved template can be sent.")
        session.set_class(not open_, "closed")
        self.query_one("#reply", Input).disabled = not open_
        self.query_one("#send", Button).disabled = not open_
        self.query_one("#template").display = not open_ and self._supports(
            Capability.WHATSAPP_TEMPLATES
        )
        if not open_ and self._countdown is not None:
            self._countdown.pause()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show Ctrl+T only while a closed conversation is open."""
        if action == "send_template":
            return self.current is not None and bool(self.query_one("#template").display)
        return super().check_action(action, parameters)

    def _close_thread(self) -> None:
        self.current = None
        self.session_active = False
        self.session_expires_at = None
        if self._countdown is not None:
            self._countdown.pause()
        self.query_one("#thread-title", Label).update("Select a conversation (Enter)")
        self.query_one("#thread", Static).update("")
        self.query_one("#session", Static).update("")
        self.query_one("#reply", Input).disabled = True
        self.query_one("#send", Button).disabled = True
        self.query_one("#template").display = False

    # --- reply -----------------------------------------------------------------------
    @on(Input.Submitted, "#reply")
    @on(Button.Pressed, "#send")
    def action_reply(self) -> None:
        """Send the draft as a free-text reply (only while the session is open)."""
        error = self.query_one("#reply-error", Static)
        box = self.query_one("#reply", Input)
        if self.current is None or box.disabled:
            return
        try:
            text = chats.checked_reply(box.value)
        except chats.ReplyRefused as exc:
            error.update(str(exc).capitalize() + ".")
            return
        error.update("")
        self.send_reply(self.current.sender, self.current.recipient, text)

    @work(group="conversations-send", exit_on_error=False)
    async def send_reply(self, sender: str, recipient: str, text: str) -> None:
        """Send one reply in the conversation."""
        backend = await sb_app(self).backend()
        await chats.reply(backend, sender, recipient, text)
        self.post_message(self.Replied(f"{sender}/{recipient}", text))

    @on(Replied)
    def _replied(self, event: Replied) -> None:
        box = self.query_one("#reply", Input)
        # Only the text that was sent is cleared; a thread switched meanwhile keeps its draft.
        same = self.current is not None and event.key == chats.conversation_key(self.current)
        if same and box.value.strip() == event.content:
            box.value = ""
        self.action_refresh_now()

    # --- template when the session is closed ----------------------------------------
    def action_send_template(self) -> None:
        """Fill and send an approved template to the open, closed-session conversation."""
        if not self.query_one("#template").display or self.current is None:
            return
        conversation = self.current

        def chosen(request: WhatsAppTemplateRequest | None) -> None:
            if request is None:
                return

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.send_template(chats.conversation_key(conversation), request)

            self.app.push_screen(
                ConfirmModal(
                    f"Send WhatsApp template {request.template_id} from +{request.sender} "
                    f"to +{conversation.recipient}? The provider charges each template.",
                    yes_label="Send",
                    danger=False,
                ),
                confirmed,
            )

        self.app.push_screen(TemplateSendModal(conversation.sender, conversation.recipient), chosen)

    @on(Button.Pressed, "#template")
    def _template_pressed(self) -> None:
        self.action_send_template()

    @work(group="conversations-send", exit_on_error=False)
    async def send_template(self, key: str, request: WhatsAppTemplateRequest) -> None:
        """Send the template."""
        backend = await sb_app(self).backend()
        result = await backend.capability(WhatsAppTemplatesApi).send_whatsapp_template(request)
        self.post_message(self.TemplateSent(key, result))

    @on(TemplateSent)
    def _template_sent(self, event: TemplateSent) -> None:
        refused = [r for r in event.result.results if not r.accepted]
        if refused:
            first = refused[0]
            self.query_one("#reply-error", Static).update(
                f"The template was refused (code {first.error_code}): {first.error}"
            )
        else:
            self.query_one("#reply-error", Static).update("")
            self.notify("Template sent.")
        self.action_refresh_now()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Refresh, and the template send when a closed conversation is open."""
        yield SystemCommand("Refresh conversations", "Reload now", self.action_refresh_now)
        if self.current is not None and self.query_one("#template").display:
            yield SystemCommand(
                "Send WhatsApp template", "To the open conversation", self.action_send_template
            )
