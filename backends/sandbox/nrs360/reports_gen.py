"""Deterministic life stories of sent messages: the events a report shows for each recipient.

Nothing is stored: every event derives from a hash of (sending id, recipient), so a report
is the same on every request and in every session, and events appear as the injected clock
reaches them (a scheduled sending has none before its time). Shares are plausible rather
than exact: about 90% delivered, 15% of recipients click when the message has a link, and
about 40% of delivered emails are opened.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .state_sending import Sending, SentItem

#: Emulator channel -> channel name the campaigns API and reports use.
API_CHANNELS = {
    "sms": "sms",
    "mailing": "mailing",
    "landingsms": "landing",
    "voice": "text2speech",
    # An audio-file call is the same voice channel to the platform; only the source differs.
    "voiceAudio": "text2speech",
    "voice-interactive": "voice-interactive",
    # Not in the reference's list; the dashboard names it so and it cannot be filtered on.
    "whatsapp": "whatsapp",
}
VOICE_CHANNELS = frozenset({"voice", "voiceAudio", "voice-interactive"})
DELIVERED_SHARE = 0.90
CLICK_SHARE = 0.15
OPEN_SHARE = 0.40
KEY_SHARE = 0.60
_URL_RE = re.compile(r"https?://[^\s\"'<>]+")
_SHORTEN_RE = re.compile(r"\{[^{}|]+\|shorten\}")
# (browser, os) pairs; SMS links are opened on phones, emails anywhere.
_PHONE_CLIENTS = (("Chrome", "Android"), ("Safari", "iOS"), ("Samsung Internet", "Android"))
_ANY_CLIENTS = (
    *_PHONE_CLIENTS,
    ("Chrome", "Windows"),
    ("Outlook", "Windows"),
    ("Safari", "macOS"),
    ("Firefox", "Linux"),
)


@dataclass(frozen=True)
class Event:
    """One event of one recipient."""

    kind: str
    at: datetime
    item: SentItem
    browser: str = ""
    os: str = ""
    url: str = ""
    call_duration: int | None = None


@dataclass(frozen=True)
class KeyEvent:
    """A key pressed during an interactive call."""

    at: datetime
    item: SentItem
    key: str
    message: str


def chance(sending_id: int, recipient: str, salt: str) -> float:
    """A uniform number in [0, 1) fixed by (sending, recipient, salt)."""
    digest = hashlib.sha256(f"360nrs|{sending_id}|{recipient}|{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _spread(sending: Sending, item: SentItem, salt: str, low: float, high: float) -> timedelta:
    """A delay between `low` and `high` seconds, fixed by (sending, recipient, salt)."""
    return timedelta(seconds=round(low + (high - low) * chance(sending.id, item.to, salt)))


def sent_at(sending: Sending, item: SentItem | None = None) -> datetime:
    """When a recipient's message leaves (a rescheduled one keeps its own date).

    Without a recipient: when the sending's first message leaves.
    """
    if item is not None and item.scheduled_at is not None:
        return item.scheduled_at
    return sending.scheduled_at or sending.created_at


def _text_values(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _text_values(v)
    elif isinstance(value, list):
        for v in value:
            yield from _text_values(v)


def link_of(sending: Sending) -> str | None:
    """The link a recipient can click, or None when the message has none.

    Landing SMS always carry their landing page; a `{var|shorten}` placeholder is a link
    whose address differs per recipient, reported as the short domain.
    """
    for text in _text_values(sending.content):
        found = _URL_RE.search(text)
        if found:
            return found.group(0).rstrip(".,;)")
    if sending.channel == "landingsms" or any(
        _SHORTEN_RE.search(t) for t in _text_values(sending.content)
    ):
        code = hashlib.sha256(f"landing|{sending.id}".encode()).hexdigest()[:6]
        return f"https://sms.tl/{code}"
    return None


def _client(sending: Sending, item: SentItem) -> tuple[str, str]:
    clients = _ANY_CLIENTS if sending.channel == "mailing" else _PHONE_CLIENTS
    return clients[int(chance(sending.id, item.to, "client") * len(clients))]


def item_events(sending: Sending, item: SentItem) -> list[Event]:
    """Every event one recipient will ever have, in time order (the clock is not applied)."""
    start = sent_at(sending, item)
    events = [Event("sent", start, item)]
    delivered = chance(sending.id, item.to, "delivered") < DELIVERED_SHARE
    if sending.channel in VOICE_CHANNELS:
        # "delivered" is an answered call; the report's duration column belongs to it.
        if delivered:
            at = start + _spread(sending, item, "ring", 5, 25)
            duration = 8 + int(chance(sending.id, item.to, "duration") * 88)
            events.append(Event("delivered", at, item, call_duration=duration))
        else:
            at = start + _spread(sending, item, "ring", 30, 60)
            events.append(Event("undelivered", at, item, call_duration=0))
        return events
    if not delivered:
        at = start + _spread(sending, item, "bounce", 5, 180)
        kind = "undelivered"
        if sending.channel == "mailing":
            hard = chance(sending.id, item.to, "hard") < 0.4
            kind = "hard_bounced" if hard else "soft_bounced"
        events.append(Event(kind, at, item))
        return events
    delivered_at = start + _spread(sending, item, "delivered", 2, 40)
    events.append(Event("delivered", delivered_at, item))
    browser, os = _client(sending, item)
    link = link_of(sending)
    opened_at: datetime | None = None
    opens = sending.channel in ("mailing", "whatsapp")
    if opens and chance(sending.id, item.to, "opened") < OPEN_SHARE / DELIVERED_SHARE:
        opened_at = delivered_at + _spread(sending, item, "open", 60, 36 * 3600)
        events.append(Event("opened", opened_at, item, browser, os))
    if sending.channel == "mailing":
        # An email is clicked from an opened one; odds scaled so ~15% of all recipients click.
        if opened_at is not None and chance(sending.id, item.to, "clicked") < (
            CLICK_SHARE / OPEN_SHARE
        ):
            at = opened_at + _spread(sending, item, "click", 5, 600)
            events.append(Event("clicked", at, item, browser, os, link or ""))
    elif link is not None and chance(sending.id, item.to, "clicked") < (
        CLICK_SHARE / DELIVERED_SHARE
    ):
        at = delivered_at + _spread(sending, item, "click", 20, 6 * 3600)
        events.append(Event("clicked", at, item, browser, os, link))
    return events


def sending_events(sending: Sending, now: datetime) -> list[Event]:
    """The events of a sending that have happened by `now`, oldest first."""
    out = [
        (event.at, index, order, event)
        for index, item in enumerate(sending.items)
        for order, event in enumerate(item_events(sending, item))
        if event.at <= now
    ]
    out.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in out]


def voice_message(sending: Sending) -> str:
    """What the call said: the text-to-speech message or the audio file's address."""
    for key in ("message", "audioUrl"):
        value = sending.content.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def key_events(sending: Sending, now: datetime) -> list[KeyEvent]:
    """Keys pressed in the answered calls of a voice sending by `now`, oldest first.

    Most callers press a menu option (1-3); some press 9 (the usual "talk to an agent").
    """
    out = []
    message = voice_message(sending)
    for index, item in enumerate(sending.items):
        answered = next((e for e in item_events(sending, item) if e.kind == "delivered"), None)
        if answered is None or chance(sending.id, item.to, "key") >= KEY_SHARE:
            continue
        roll = chance(sending.id, item.to, "digit")
        key = "9" if roll > 0.9 else str(1 + int(roll / 0.9 * 3))
        at = answered.at + timedelta(seconds=(answered.call_duration or 10) // 2)
        if at <= now:
            out.append((at, index, KeyEvent(at, item, key, message)))
    out.sort(key=lambda entry: entry[:2])
    return [entry[2] for entry in out]


def event_counts(events: list[Event]) -> dict[str, int]:
    """The campaigns API's `events` summary of a sending."""
    counts = dict.fromkeys(
        (
            "delivered",
            "opened",
            "opened_unique",
            "clicked",
            "clicked_unique",
            "unsubscribed",
            "hard_bounced",
            "complaint",
            "sent",
            "soft_bounced",
            "undelivered",
            "rejected",
            "expired",
            "unsubscribed_landing",
        ),
        0,
    )
    for event in events:
        counts[event.kind] += 1
    # Each recipient opens or clicks at most once here, so unique equals total.
    counts["opened_unique"] = counts["opened"]
    counts["clicked_unique"] = counts["clicked"]
    return counts


# --- certificates -----------------------------------------------------------------------------


def _pdf_text(line: str) -> bytes:
    """A PDF literal string in WinAnsi (Helvetica's encoding); other characters become ?."""
    raw = line.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _wrap(line: str, width: int = 88) -> list[str]:
    out = []
    while len(line) > width:
        cut = line.rfind(" ", 0, width)
        cut = cut if cut > 0 else width
        out.append(line[:cut])
        line = "    " + line[cut:].lstrip()
    out.append(line)
    return out


def certificate_pdf(title: str, lines: list[str], created: datetime) -> bytes:
    """A one-page PDF 1.4 document: a title and lines of Helvetica text.

    Written by hand (catalog, page tree, page, font, content stream, info and an exact
    cross-reference table) so that every PDF reader opens it and the bytes are the same
    each time for the same message.
    """
    text = [b"BT", b"/F1 16 Tf", b"56 780 Td", b"20 TL", _pdf_text(title) + b" Tj", b"T*"]
    text += [b"/F1 10 Tf", b"14 TL"]
    for line in lines:
        for part in _wrap(line):
            text.append(b"T* " + _pdf_text(part) + b" Tj")
    text.append(b"ET")
    stream = b"\n".join(text)
    stamp = created.strftime("D:%Y%m%d%H%M%SZ").encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title "
        + _pdf_text(title)
        + b" /Producer (360nrs sandbox) /CreationDate ("
        + stamp
        + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (
        len(objects) + 1,
        len(objects),
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
