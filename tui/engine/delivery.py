"""Delivery states: what happened to an accepted message after the provider took it.

The 360nrs reference names the states a delivery notification carries (`%s`: REJECTD,
DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, RECEIVED) and the events
`GET /sms/{ids}` lists (sent, delivered, undelivered, rejected, expired...). Reports come
from both, more than once and in any order, so a state only ever moves forward: ACCEPTD and
the other non-final states rank below every final one, and a final state never changes.
The journal stores the rank beside the state so that rule is one SQL condition
(tui.engine.journal_delivery).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


class DeliveryState(StrEnum):
    """A recipient's (or a part's) delivery state, in the reference's own words."""

    ACCEPTD = "ACCEPTD"
    UNKNOWN = "UNKNOWN"
    RECEIVED = "RECEIVED"
    DELIVRD = "DELIVRD"
    UNDELIV = "UNDELIV"
    REJECTD = "REJECTD"
    EXPIRED = "EXPIRED"
    DELETED = "DELETED"


FINAL = frozenset(
    {
        DeliveryState.DELIVRD,
        DeliveryState.UNDELIV,
        DeliveryState.REJECTD,
        DeliveryState.EXPIRED,
        DeliveryState.DELETED,
    }
)
FAILED = frozenset({DeliveryState.UNDELIV, DeliveryState.REJECTD, DeliveryState.DELETED})

# The only order that matters: anything final beats anything still on its way. Two states
# of the same rank never replace each other, so a duplicate or a second final is ignored.
RANK_WAITING = 1
RANK_FINAL = 2

# `GET /sms/{ids}` event types (the event notification's list) that say where a message is.
_EVENTS = {
    "sent": DeliveryState.ACCEPTD,
    "delivered": DeliveryState.DELIVRD,
    "undelivered": DeliveryState.UNDELIV,
    "rejected": DeliveryState.REJECTD,
    "expired": DeliveryState.EXPIRED,
}


def rank(state: DeliveryState) -> int:
    """Where a state stands in the only order reports must respect."""
    return RANK_FINAL if state in FINAL else RANK_WAITING


def event_state(kind: str) -> DeliveryState | None:
    """The state an event type says a message is in (`sent`, `delivered`...); None for the
    events that are not about delivery (opened, clicked, bounces, unsubscribes, forms)."""
    return _EVENTS.get(kind.lower())


def parse_state(text: str) -> DeliveryState | None:
    """A `%s` status as the reference spells it (any case); None when it is not one."""
    try:
        return DeliveryState(text.strip().upper())
    except ValueError:
        return None


class Report(NamedTuple):
    """One delivery report: a message id, its state, when, and which part (None: all)."""

    provider_id: str
    state: DeliveryState
    at: str  # ISO 8601, UTC
    part: int | None = None


class RecipientEvent(NamedTuple):
    """An event notification that is not about delivery (opened, clicked, a bounce, a form
    answer...), as the journal keeps it against the recipient it names."""

    job_id: int
    seq: int
    event: str
    at: str  # ISO 8601, UTC
    extra: str  # the notification's `extra` (JSON text, or "")


@dataclass(frozen=True)
class Delivery:
    """A recipient's delivery state as the journal holds it."""

    state: DeliveryState
    at: str
    # The parts' states when they differ from the recipient's (part number -> state, time).
    parts: Mapping[int, tuple[DeliveryState, str]] | None = None

    @property
    def final(self) -> bool:
        """No later report can change it."""
        return self.state in FINAL


def combine(parts: Mapping[int, DeliveryState], expected: int) -> DeliveryState:
    """The recipient's state from its parts' states.

    Delivered only when every expected part is delivered; final (the first failing part's
    state) once every expected part is final and one did not arrive; still waiting otherwise.
    """
    expected = max(expected, max(parts, default=0), 1)
    states = [parts[n] for n in range(1, expected + 1) if n in parts]
    if len(states) < expected or any(s not in FINAL for s in states):
        return DeliveryState.ACCEPTD
    failures = [s for s in states if s is not DeliveryState.DELIVRD]
    return failures[0] if failures else DeliveryState.DELIVRD


def from_events(events: Iterable[tuple[str, datetime | None]]) -> tuple[DeliveryState, str] | None:
    """The furthest state a message's `GET /sms/{ids}` events show, with its time."""
    best: tuple[DeliveryState, str] | None = None
    for kind, when in events:
        state = event_state(kind)
        if state is None:
            continue
        at = when.isoformat() if when is not None else ""
        if best is None or rank(state) > rank(best[0]):
            best = (state, at)
    return best


@dataclass(frozen=True)
class Funnel:
    """A job's delivery funnel: accepted, then where the accepted ones stand."""

    accepted: int = 0
    delivered: int = 0
    failed: int = 0
    expired: int = 0
    # Failures by state (UNDELIV, REJECTD, DELETED), most frequent first.
    reasons: tuple[tuple[DeliveryState, int], ...] = ()

    @property
    def waiting(self) -> int:
        """Accepted and not final yet."""
        return max(0, self.accepted - self.delivered - self.failed - self.expired)

    @property
    def done(self) -> bool:
        """Every accepted recipient has a final state."""
        return self.waiting == 0

    @classmethod
    def of(cls, accepted: int, counts: Mapping[DeliveryState, int]) -> Funnel:
        """From the number accepted and the final states' counts."""
        failed = sorted(((s, n) for s, n in counts.items() if s in FAILED and n), key=_by_count)
        return cls(
            accepted=accepted,
            delivered=counts.get(DeliveryState.DELIVRD, 0),
            failed=sum(n for _, n in failed),
            expired=counts.get(DeliveryState.EXPIRED, 0),
            reasons=tuple(failed),
        )

    def to_json(self) -> dict[str, object]:
        """The funnel as `--json` prints it."""
        return {
            "accepted": self.accepted,
            "delivered": self.delivered,
            "failed": self.failed,
            "expired": self.expired,
            "waiting": self.waiting,
            "failures": {s.value: n for s, n in self.reasons},
        }

    def line(self) -> str:
        """One line for a person: `120 accepted -> 100 delivered, 5 failed, ...`."""
        text = (
            f"{self.accepted} accepted -> {self.delivered} delivered, {self.failed} failed, "
            f"{self.expired} expired, {self.waiting} waiting"
        )
        if self.reasons:
            text += " (" + ", ".join(f"{s.value} {n}" for s, n in self.reasons) + ")"
        return text


def _by_count(item: tuple[DeliveryState, int]) -> tuple[int, str]:
    return -item[1], item[0].value
