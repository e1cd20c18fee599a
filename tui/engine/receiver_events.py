"""360nrs event notifications: what the receiver's `POST /events/{token}` takes.

The reference ("Event Notifications"): the customer gives one URL for the account, where
"http POST requests will be made to notify an event", `Content-Type:
application/x-www-form-urlencoded`, with the fields `id`, `channel`, `contactId`,
`campaignId`, `campaignName`, `formId`, `event`, `extra`, `smtpResponse` and `eventDate`;
a notification is "retried up to 5 times in case the client's server responds with an
HTTP code other than 200 OK". So 200 means taken (or deliberately ignored, where a retry
would not help), and anything that cannot be taken is a 4xx the provider will retry.

This module checks a notification's form and says what it is; the receiver
(tui.engine.receiver) resolves the id and queues the write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import parse_qsl

import orjson

from tui.engine.delivery import DeliveryState, event_state

CONTENT_TYPE: Final = "application/x-www-form-urlencoded"
# The parameters the reference lists, in its order; others are not read.
FIELDS: Final = (
    "id",
    "channel",
    "contactId",
    "campaignId",
    "campaignName",
    "formId",
    "event",
    "extra",
    "smtpResponse",
    "eventDate",
)
_INTEGERS: Final = ("contactId", "campaignId", "formId")
# "The possible values are: sms, mailing, landing, text2speech", and the journal channels
# of the jobs such a message belongs to (tui.engine.channels).
CHANNELS: Final = {
    "sms": ("sms",),
    "mailing": ("email",),
    "landing": ("landing",),
    "text2speech": ("voice", "voice-audio"),
}
# "The possible values are: ..." for `event`, as the reference lists them.
EVENTS: Final = frozenset(
    {
        "delivered",
        "opened",
        "clicked",
        "unsubscribed",
        "hard_bounced",
        "complaint",
        "sent",
        "soft_bounced",
        "undelivered",
        "rejected",
        "expired",
        "unsubscribed_landing",
        "form_opened",
        "form_submitted",
        "form_rejected",
    }
)
# A notification is a few short fields and a small JSON `extra` (a form's answers, a URL):
# anything longer is not one, and is not read into memory.
MAX_BODY: Final = 64 * 1024


@dataclass(frozen=True)
class Event:
    """One event notification, checked."""

    provider_id: str  # "" for a message sent from the website
    channel: str
    event: str
    at: str  # eventDate as ISO 8601, UTC
    extra: str  # JSON text, or ""
    # The delivery state the event reports (None: an event not about delivery).
    state: DeliveryState | None

    @property
    def job_channels(self) -> tuple[str, ...]:
        """The journal channels of the jobs this event's message can belong to."""
        return CHANNELS[self.channel]


class Malformed(ValueError):
    """A notification that is not the reference's form (answered 400)."""


def is_form(content_type: str | None) -> bool:
    """Whether a Content-Type header is the reference's (any parameters allowed)."""
    return (content_type or "").split(";", 1)[0].strip().lower() == CONTENT_TYPE


def event_time(text: str) -> str | None:
    """`eventDate` as ISO 8601 in UTC; None when it is not a date and time.

    The reference gives no example for it; its other dates are ISO 8601 with an offset
    ("2021-07-19T15:00:33+00:00"), which is what is expected. Without an offset (or in the
    `%y` form "YYYY-MM-DD HH:MM") it is taken as UTC, as the API's times are.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def parse_event(body: bytes) -> Event:
    """The notification in a form-encoded body; Malformed says what is wrong with it."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError):
        raise Malformed("the body is not form-encoded UTF-8") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:
            raise Malformed(f"{key} is given twice")
        form[key] = value
    channel = form.get("channel", "").strip()
    if channel not in CHANNELS:
        raise Malformed(f"channel must be one of {', '.join(CHANNELS)}")
    event = form.get("event", "").strip()
    if event not in EVENTS:
        raise Malformed("event is not one the reference lists")
    at = event_time(form.get("eventDate", ""))
    if at is None:
        raise Malformed("eventDate must be a date and time (ISO 8601)")
    for name in _INTEGERS:
        value = form.get(name, "").strip()
        if value and not value.lstrip("-").isdigit():
            raise Malformed(f"{name} must be an integer")
    extra = form.get("extra", "").strip()
    if extra:
        try:
            orjson.loads(extra)
        except orjson.JSONDecodeError:
            raise Malformed("extra must be JSON") from None
    return Event(form.get("id", "").strip(), channel, event, at, extra, event_state(event))
