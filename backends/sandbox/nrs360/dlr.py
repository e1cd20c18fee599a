"""What happens to an accepted SMS after the emulator took it: a seeded fate per message.

Each message's outcome and delay come from the emulator's seed and the message id, so a
run is reproducible and `GET /sms/{ids}` (and the delivery notifications) agree with each
other whenever they are asked. Delays are what a handset network gives: a DLR for a
delivered message within seconds, an undelivered one later, a rejection at once. A real
operator keeps an undelivered message for up to days; the emulator gives up after two
minutes (or at the message's own expirationDate, if sooner), so a watched job ends.
A message sent with a `notificationUrl` has it called with the same fate (`Notifier`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

import httpx

from .state import SmsMessage


class CallbackClient:
    """The one HTTP client an emulator's callbacks share, made on the emulator's loop at
    the first call: a client a call cost an SSL context each (~20-100 ms of the loop), and
    60 callbacks due at once held the first back for seconds."""

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    def get(self) -> httpx.AsyncClient:
        """The client."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10.0)
        return self._client


#: How long the emulator keeps trying a message that has no expirationDate.
VALIDITY = timedelta(minutes=2)

# (share, %s status, GET /sms event, shortest and longest delay in seconds)
_MIX = (
    (0.88, "DELIVRD", "delivered", 2.0, 20.0),
    (0.05, "UNDELIV", "undelivered", 10.0, 60.0),
    (0.03, "REJECTD", "rejected", 1.0, 3.0),
    (0.04, "EXPIRED", "expired", VALIDITY.total_seconds(), VALIDITY.total_seconds()),
)


@dataclass(frozen=True)
class Fate:
    """Where a message ends and when."""

    status: str  # the notification's %s
    event: str  # the event type GET /sms/{ids} lists
    sent_at: datetime
    final_at: datetime


def sent_at(sms: SmsMessage) -> datetime:
    """When the message leaves (its schedule, or its acceptance)."""
    return sms.scheduled_at or sms.accepted_at


def fate_of(seed: int, sms: SmsMessage) -> Fate:
    """The message's seeded outcome."""
    rng = random.Random(f"{seed}/{sms.id}")
    pick = rng.random()
    start = sent_at(sms)
    chosen = _MIX[-1]
    for row in _MIX:
        pick -= row[0]
        if pick < 0:
            chosen = row
            break
    _, status, event, low, high = chosen
    final_at = start + timedelta(seconds=round(rng.uniform(low, high)))
    if sms.expires_at is not None and sms.expires_at < final_at:
        # Still undelivered when its own expiry comes: the operator drops it.
        status, event, final_at = "EXPIRED", "expired", max(start, sms.expires_at)
    return Fate(status, event, start, final_at)


def events_at(seed: int, sms: SmsMessage, now: datetime) -> list[tuple[str, datetime]]:
    """The (event type, time) pairs known at `now`: sent, then the final one."""
    fate = fate_of(seed, sms)
    if fate.sent_at > now:
        return []
    events = [("sent", fate.sent_at)]
    if fate.final_at <= now:
        events.append((fate.event, fate.final_at))
    return events


# --- delivery notifications (notificationUrl) ---------------------------------------------

log = logging.getLogger("switchboard.sandbox.dlr")
# An escape: "the % character followed by a letter" the reference defines.
_ESCAPE = re.compile(r"%([ipPtcsmynCS])")


def _minute(moment: datetime) -> str:
    # %t and %y: "format YYYY-MM-DD HH:MM".
    return moment.strftime("%Y-%m-%d %H:%M")


def filled(url: str, sms: SmsMessage, fate: Fate, part: int, cost: str) -> str:
    """The notification URL with the reference's escapes filled (each value URL-encoded)."""
    values = {
        "i": sms.id,
        "p": sms.sender,
        "P": sms.to,
        "t": _minute(fate.sent_at),
        "c": cost,
        "s": fate.status,
        "m": "",  # "operator mnc (only in countries where available)"
        "y": _minute(fate.final_at),
        "n": str(part),
        "C": str(sms.campaign_id),
        "S": str(sms.sending_id),
    }
    return _ESCAPE.sub(lambda m: quote(values[m.group(1)], safe=""), url)


@dataclass
class Notifier:
    """Calls each accepted message's notification URL when its fate comes.

    `speed` divides the waits (tests run the delays faster than the clock); what was
    called and how it answered is kept in `calls`. The reference states no retry for the
    notificationUrl GET (its "retried up to 5 times" is the event notifications'), so
    each part is called once.
    """

    seed: int
    now: Callable[[], datetime]
    speed: float = 1.0
    calls: list[tuple[str, int | None]] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    client: CallbackClient = field(default_factory=CallbackClient)

    def schedule(self, sms: SmsMessage, url: str, cost: str) -> None:
        """Call `url` (escapes filled) for each part of `sms` after its fate's delay."""
        task = asyncio.get_running_loop().create_task(self._notify(sms, url, cost))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self, sms: SmsMessage, url: str, cost: str) -> None:
        fate = fate_of(self.seed, sms)
        wait = (fate.final_at - self.now()).total_seconds() / self.speed
        await asyncio.sleep(max(0.0, wait))
        client = self.client.get()
        for part in range(1, max(1, sms.parts) + 1):
            target = filled(url, sms, fate, part, cost)
            try:
                status: int | None = (await client.get(target)).status_code
            except httpx.HTTPError as exc:
                log.info("notification for %s not delivered: %s", sms.id, exc)
                status = None
            self.calls.append((target, status))
