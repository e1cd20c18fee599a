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
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from backends.base import Capability
from backends.capabilities import WhatsAppTemplatesApi
from backends.models.common import ChatMessage, SendResult
from backends.models.send import WhatsAppTemplateRequest
from screens.conversations import view
from screens.conversations.reader import THREAD_LIMIT, ConversationsReader
from screens.conversations.template import TemplateSendModal
from screens.widgets.common import ConfirmModal, no_account_text, sb_app
from screens.widgets.keys import std_key
from tui.usecases import conversations as chats
from tui.usecases.recent_ids import IdKind, remember

SESSION = timedelta(hours=24)


class ConversationsScreen(ConversationsReader):
    """Browse WhatsApp conversations on the active account and answer them (what it reads
    and how often is in `ConversationsReader`)."""

    TITLE = "Conversations"
    CSS_PATH = "conversations.tcss"

    BINDINGS = [
        std_key("reload", "refresh_now", "Refresh", form=True),
        Binding("ctrl+t", "send_template", "Send template"),
        # Ctrl: the filters and the reply are inputs, which would take a plain letter.
        Binding("ctrl+f", "toggle_refresh", "Auto-refresh on/off"),
        std_key("back", description="List"),
    ]

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
        self.session_active = False
        self.session_expires_at: datetime | None = None
        self._countdown: Timer | None = None
        # Set when a thread is opened on a narrow screen: once it loads, the reply box
        # takes the focus (the list it was in is hidden there).
        self._focus_reply = False

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
                        self.interval_options(),
                        value=self._interval,
                        allow_blank=False,
                        id="interval",
                    )
                    yield Button("Refresh", id="refresh")
                yield DataTable(id="conversations", cursor_type="row", zebra_stripes=True)
                yield Static("", id="list-status")
                yield Static("", id="refresh-status", classes="error-text")
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
        self.start_refresh()
        self._countdown = self.set_interval(1.0, self._tick, pause=True)
        self.watch(sb_app(self), "active_account", self._account_changed, init=False)
        self._account_changed(sb_app(self).active_account)
        table.focus()

    # --- account and capability ------------------------------------------------------
    def _account_changed(self, name: str | None) -> None:
        notice = self.query_one("#conv-unsupported", Static)
        supported = False
        if name is None:
            notice.update(no_account_text(self))
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
        # Below the wide breakpoint the list and the thread do not fit side by side: the
        # thread replaces the list (conversations.tcss) until Esc.
        self.add_class("-thread-open")
        if self.has_class("-narrow"):
            self.query_one("#thread-scroll").focus()
            self._focus_reply = True
        self.refresh_bindings()
        self.load_thread(conversation.sender, conversation.recipient)

    @on(ConversationsReader.ThreadLoaded)
    def _thread_loaded(self, event: ConversationsReader.ThreadLoaded) -> None:
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
        reply = self.query_one("#reply", Input)
        if self._focus_reply and not reply.disabled:
            reply.focus()
        self._focus_reply = False

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
        if action == "back":
            return self.has_class("-thread-open")
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        """Back from the thread to the list (on a narrow screen the list shows again)."""
        self.remove_class("-thread-open")
        self._focus_reply = False
        self.query_one("#conversations", DataTable).focus()
        self.refresh_bindings()

    def _close_thread(self) -> None:
        self.remove_class("-thread-open")
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
        account = sb_app(self).active_account or ""
        backend = await sb_app(self).backend(account)
        result = await backend.capability(WhatsAppTemplatesApi).send_whatsapp_template(request)
        if any(r.accepted for r in result.results):
            # 360nrs took it: an approved template id on this account, offered first next time.
            await asyncio.to_thread(
                remember, account, IdKind.WHATSAPP_TEMPLATE, str(request.template_id)
            )
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
        yield SystemCommand(
            "Auto-refresh on/off",
            "Stop or restart the periodic refresh (Ctrl+F)",
            self.action_toggle_refresh,
        )
        if self.current is not None and self.query_one("#template").display:
            yield SystemCommand(
                "Send WhatsApp template", "To the open conversation", self.action_send_template
            )
