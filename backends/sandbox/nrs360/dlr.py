"""What happens to an accepted SMS after the emulator took it: a seeded fate per message.

Each message's outcome and delay come from the emulator's seed and the message id, so a
run is reproducible and `GET /sms/{ids}` (and the delivery notifications) agree with each
other whenever they are asked. Delays are what a handset network gives: a DLR for a
delivered message within seconds, an undelivered one later, a rejection at once. A real
operator keeps an undelivered message for up to days; the emulator gives up after two
minutes (or at the message's own expirationDate, if sooner), so a watched job ends.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .state import SmsMessage

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
