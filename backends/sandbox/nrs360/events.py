"""Event notifications: the POSTs 360nrs makes to the account's event URL.

The reference ("Event Notifications"): "the customer must provide a URL where http POST
requests will be made to notify an event" (form-encoded: id, channel, contactId,
campaignId, campaignName, formId, event, extra, smtpResponse, eventDate); "Notifications
will be retried up to 5 times in case the client's server responds with an HTTP code other
than 200 OK", the waits progressive: the first retry within 1 minute, the second 2 minutes
after it, the third 3... The URL is set once for the account in the provider's dashboard.

The emulator has no dashboard. Its stand-in is the emulator's `events.url`: given to
`create_app(event_url=...)` or set later on `app.state.events.url` (None: no events), by
the tests, `switchboard sandbox serve --event-url URL`, and a console that runs the sandbox
in its own process. It is not an HTTP
route: every request the emulator receives must be one the 360nrs reference documents
(backends/nrs360/rules.py checks them), and the dashboard is not part of the API.

Each accepted SMS (and landing SMS) sent while a URL is set gets two events, from the
same seeded fate as `GET /sms/{ids}` and the notificationUrl (dlr.py):
`sent` when it leaves and its final event (delivered, undelivered, rejected, expired)
when that comes. The waits, the retries' included, are divided by the emulator's `speed`
(`create_app(dlr_speed=...)`), so tests run minutes in seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from starlette.requests import Request

from .common import iso, state_of
from .dlr import CallbackClient, fate_of
from .state import SmsMessage
from .state_sending import SentItem

log = logging.getLogger("switchboard.sandbox.events")

#: "retried up to 5 times": six attempts in all.
RETRIES = 5
#: "the first retry will be made within 1 minute, the second after 2 minutes...".
RETRY_UNIT_SECONDS = 60.0


@dataclass(frozen=True)
class Attempt:
    """One POST of an event notification and how it was answered (None: no answer)."""

    event: str
    message_id: str
    status: int | None
    at: float  # time.monotonic()


@dataclass
class EventNotifier:
    """Posts each accepted message's events to the account's event URL, retrying.

    `url` is the dashboard setting (None: no events). What was posted and how it was
    answered is kept in `attempts`, the forms posted in `posted`.
    """

    seed: int
    now: Callable[[], datetime]
    speed: float = 1.0
    url: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    posted: list[dict[str, str]] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    client: CallbackClient = field(default_factory=CallbackClient)

    def schedule(
        self, sms: SmsMessage, channel: str, campaign_name: str | None, contact_id: int
    ) -> None:
        """Post `sent` and the final event of `sms` when their times come (if a URL is set
        now: the events of a message go where the setting said when it was accepted)."""
        url = self.url
        if url is None:
            return
        fate = fate_of(self.seed, sms)
        base = {
            "id": sms.id,
            "channel": channel,
            "contactId": str(contact_id),
            # "If it was sent by API and you did not specify campaignName in the mailing,
            # its value will be 0" (and the name's "chain value will be blank").
            "campaignId": str(sms.campaign_id if campaign_name else 0),
            "campaignName": campaign_name or "",
            "extra": "",
        }
        loop = asyncio.get_running_loop()
        for event, when in (("sent", fate.sent_at), (fate.event, fate.final_at)):
            form = {**base, "event": event, "eventDate": iso(when) or ""}
            task = loop.create_task(self._deliver(url, form, when))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, url: str, form: dict[str, str], when: datetime) -> None:
        await asyncio.sleep(max(0.0, (when - self.now()).total_seconds() / self.speed))
        client = self.client.get()
        for attempt in range(RETRIES + 1):
            if attempt:
                # Progressive: 1 unit before the first retry, 2 before the second...
                await asyncio.sleep(attempt * RETRY_UNIT_SECONDS / self.speed)
            try:
                # A form: httpx sends application/x-www-form-urlencoded.
                status: int | None = (await client.post(url, data=form)).status_code
            except httpx.HTTPError as exc:
                log.info("event %s of %s not delivered: %s", form["event"], form["id"], exc)
                status = None
            self.attempts.append(Attempt(form["event"], form["id"], status, time.monotonic()))
            self.posted.append(form)
            if status == 200:
                return


def events_of(request: Request) -> EventNotifier:
    """The emulator's event notifier."""
    notifier: Any = request.app.state.events
    assert isinstance(notifier, EventNotifier)
    return notifier


def schedule_events(
    request: Request, items: list[SentItem], channel: str, campaign_name: str | None
) -> None:
    """Have the events of a send's accepted messages posted, if the account has an event
    URL (`channel`: the event's, sms or landing)."""
    events = events_of(request)
    if events.url is None or not items:
        return
    state = state_of(request)
    # "Unique contact identifier": the address book's contact with that number, else 0.
    contacts = {(c.phone or "").lstrip("+"): c.id for c in state.contacts.values() if c.phone}
    for item in items:
        contact_id = contacts.get(item.to.lstrip("+"), 0)
        events.schedule(state.sms[item.id], channel, campaign_name, contact_id)
