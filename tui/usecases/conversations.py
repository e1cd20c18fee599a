"""WhatsApp conversations: list them, open one, read its messages, reply, for both front ends.

`switchboard whatsapp conversations|conversation|messages|reply` and the Conversations
screen call these with what was typed or selected; a reply that cannot be sent is refused
before the provider is asked (ReplyRefused, one line).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from datetime import datetime

from backends.base import Backend
from backends.capabilities import ConversationsApi
from backends.errors import ConfigError
from backends.models.common import ChatMessage, Conversation, ConversationMessages, Page

# Reads of each conversation's newest message (for the unread mark) run a few at a time.
NEWEST_CONCURRENCY = 4

# The Conversations screen refreshes every 5 s unless the agent picks a slower pace (never
# faster: each refresh reads the list and the newest message of each changed conversation),
# or turns auto-refresh off (REFRESH_OFF). The choice is kept in config.toml's [settings].
REFRESH_INTERVALS = (5, 10, 30, 60)
REFRESH_OFF = 0
DEFAULT_REFRESH = 5
REFRESH_SETTING = "conversations_refresh_seconds"


class ReplyRefused(ValueError):
    """A reply the checks refuse; its message is one line either front end shows."""


def conversation_key(conversation: Conversation) -> str:
    """A stable key for a conversation: sender/recipient."""
    return f"{conversation.sender}/{conversation.recipient}"


async def list_conversations(
    backend: Backend,
    *,
    page: int = 1,
    limit: int = 100,
    sender: str | None = None,
    recipient: str | None = None,
) -> Page[Conversation]:
    """A page of conversations, filtered by business sender and customer when given."""
    return await backend.capability(ConversationsApi).conversations_page(
        page, limit=limit, sender=sender or None, recipient=recipient or None
    )


async def newest_messages(
    backend: Backend,
    conversations: Iterable[Conversation],
    known: Mapping[str, tuple[datetime | None, ChatMessage | None]] | None = None,
) -> dict[str, ChatMessage | None]:
    """Each conversation's newest message by conversation_key.

    `known` holds (updated_at, newest) from an earlier read: a conversation not updated
    since is not read again.
    """
    known = known or {}
    limiter = asyncio.Semaphore(NEWEST_CONCURRENCY)

    async def newest(c: Conversation) -> tuple[str, ChatMessage | None]:
        key = conversation_key(c)
        cached = known.get(key)
        if cached is not None and cached[0] == c.updated_at:
            return key, cached[1]
        async with limiter:
            found = await backend.capability(ConversationsApi).conversation_messages(
                c.sender, c.recipient, limit=1
            )
        return key, found.messages[0] if found.messages else None

    return dict(await asyncio.gather(*(newest(c) for c in conversations)))


async def open_conversation(backend: Backend, sender: str, recipient: str) -> Conversation:
    """One conversation: its customer, status and session."""
    return await backend.capability(ConversationsApi).conversation(sender, recipient)


async def messages(
    backend: Backend, sender: str, recipient: str, *, page: int = 1, limit: int = 100
) -> ConversationMessages:
    """A page of a conversation's messages with its session state."""
    return await backend.capability(ConversationsApi).conversation_messages(
        sender, recipient, page=page, limit=limit
    )


def refresh_seconds(value: object) -> int:
    """The auto-refresh interval a setting names: one of REFRESH_INTERVALS, or REFRESH_OFF
    for 0 or "off"; ConfigError says what is allowed."""
    if isinstance(value, str):
        text = value.strip().lower()
        value = REFRESH_OFF if text == "off" else int(text) if text.isdigit() else value
    # bool is an int to Python, but `true` in the file is no number of seconds.
    number = isinstance(value, int) and not isinstance(value, bool)
    if number and (value == REFRESH_OFF or value in REFRESH_INTERVALS):
        assert isinstance(value, int)
        return value
    allowed = ", ".join(str(s) for s in REFRESH_INTERVALS)
    raise ConfigError(
        f"{REFRESH_SETTING} = {value!r} is not a refresh interval: use {allowed} (seconds), "
        f'or 0 or "off" to turn auto-refresh off'
    )


def checked_reply(text: str) -> str:
    """The reply's text trimmed, or ReplyRefused when there is none."""
    content = text.strip()
    if not content:
        raise ReplyRefused("type a message first")
    return content


async def reply(backend: Backend, sender: str, recipient: str, text: str) -> ChatMessage | None:
    """Send a free-text reply in the conversation's open session.

    The sent message when the provider's answer carries one, else None.
    """
    return await backend.capability(ConversationsApi).reply(sender, recipient, checked_reply(text))
