"""How conversations and their messages read on screen: marks, times, session countdown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.text import Text

from backends.models.common import ChatMessage, Conversation

# One glyph per delivery state, as messaging apps show them.
MARKS = {
    "pending": ("…", "dim"),
    "sent": ("✓", "dim"),
    "delivered": ("✓✓", ""),
    "read": ("✓✓", "bold cyan"),
    "failed": ("✗", "bold red"),
}


def utc_now() -> datetime:
    """The current UTC time (tests replace it to freeze the countdown)."""
    return datetime.now(UTC)


def contact_name(conversation: Conversation) -> str:
    """The customer's name, or empty when the provider has none."""
    contact = conversation.contact
    if contact is None:
        return ""
    return " ".join(p for p in (contact.first_name, contact.last_name) if p)


def hhmm(moment: datetime | None) -> str:
    """A compact UTC date and time, e.g. "Feb 27 10:05" (empty when unknown)."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%b %d %H:%M")


def remaining(expires_at: datetime | None, now: datetime) -> timedelta:
    """Time left in the session (zero when there is none or it has ended)."""
    if expires_at is None:
        return timedelta(0)
    return max(timedelta(0), expires_at - now)


def format_countdown(left: timedelta) -> str:
    """H:MM:SS left, rounded up so it never shows 0:00:00 while still open."""
    seconds = int(left.total_seconds() + 0.999)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def is_unread(newest: ChatMessage | None, conversation: Conversation) -> bool:
    """Whether the newest message came from the customer and nobody has read it yet."""
    return newest is not None and newest.msisdn == conversation.recipient and not newest.read_at


def message_line(message: ChatMessage, recipient: str) -> Text:
    """One message of the thread: direction, time, text, delivery mark and reactions."""
    inbound = message.msisdn == recipient
    line = Text()
    line.append("◀ " if inbound else "▶ ", style="bold green" if inbound else "bold blue")
    line.append(hhmm(message.sent_at), style="dim")
    if message.type != "text":
        line.append(f" [{message.type}]", style="italic")
    line.append("  ")
    line.append(message.content)
    if inbound:
        # The customer's own messages: "read" means the business has read them.
        if not message.read_at:
            line.append("  ● unread", style="bold yellow")
    else:
        glyph, style = MARKS[message.state]
        line.append(f"  {glyph} {message.state}", style=style)
    if message.reactions:
        line.append("  " + " ".join(message.reactions))
    return line


def thread_text(messages: tuple[ChatMessage, ...], recipient: str) -> Text:
    """A whole thread, oldest first, one message a line."""
    ordered = sorted(messages, key=lambda m: m.sent_at or datetime.min.replace(tzinfo=UTC))
    if not ordered:
        return Text("No messages yet.", style="dim")
    return Text("\n").join(message_line(m, recipient) for m in ordered)
