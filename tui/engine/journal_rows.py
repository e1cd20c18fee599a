"""What the send journal holds, as Python values: job and recipient states, the rows it
stores and returns, and their conversion from and to SQLite columns (tui.engine.journal)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

import orjson


class JobStatus(StrEnum):
    """Where a job stands."""

    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    DONE = "DONE"
    FAILED = "FAILED"


class State(StrEnum):
    """Where one recipient stands."""

    PENDING = "PENDING"
    SENDING = "SENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Job:
    """One send job: the request template and where it stands."""

    id: int
    created_at: datetime
    account: str
    provider: str
    channel: str
    message: dict[str, Any]
    status: JobStatus
    pause_reason: str | None
    pid: int | None


@dataclass(frozen=True)
class Totals:
    """Recipient counts by state, plus the parts the provider accepted."""

    pending: int = 0
    sending: int = 0
    accepted: int = 0
    rejected: int = 0
    unknown: int = 0
    parts: int = 0

    @property
    def total(self) -> int:
        """Every recipient of the job."""
        return self.pending + self.sending + self.accepted + self.rejected + self.unknown


class Claimed(NamedTuple):
    """A recipient taken for sending."""

    seq: int
    to: str
    vars: dict[str, str] | None
    country: str | None = None  # ISO region of a phone number, when known (for pricing)


class Outcome(NamedTuple):
    """A recipient's final state after a request."""

    seq: int
    to: str
    state: State
    reason: str | None = None
    provider_id: str | None = None
    parts: int | None = None


@dataclass(frozen=True)
class RecipientRow:
    """One recipient as the journal holds it (for export and inspection)."""

    seq: int
    to: str
    vars: dict[str, str] | None
    state: State
    reason: str | None
    provider_id: str | None
    parts: int | None
    updated_at: str
    country: str | None = None
    # Sent again after an unknown outcome (`--resend-unknown`): may have received it twice.
    resent: bool = False


# A job's recipient: (to, variables) or (to, variables, ISO country).
JobRecipient = (
    tuple[str, Mapping[str, str] | None] | tuple[str, Mapping[str, str] | None, str | None]
)


def recipient_params(
    job_id: int, seq: int, r: JobRecipient, now: str
) -> tuple[int, int, str, str | None, str | None, str]:
    """A job's recipient as the (job_id, seq, to, vars, country, updated_at) columns it is
    stored in."""
    v = r[1]
    return (
        job_id,
        seq,
        r[0],
        orjson.dumps(dict(v)).decode() if v else None,
        r[2] if len(r) > 2 else None,
        now,
    )


def recipient_row(row: tuple[Any, ...]) -> RecipientRow:
    """A `recipients` row as the journal returns it."""
    seq, to, v, st, reason, pid, parts, updated, country, resent = row
    return RecipientRow(
        seq,
        to,
        orjson.loads(v) if v else None,
        State(st),
        reason,
        pid,
        parts,
        updated,
        country,
        bool(resent),
    )


def totals_of(counts: Mapping[str, tuple[int, int]]) -> Totals:
    """Totals from (recipients, parts) by state."""
    return Totals(
        pending=counts.get(State.PENDING, (0, 0))[0],
        sending=counts.get(State.SENDING, (0, 0))[0],
        accepted=counts.get(State.ACCEPTED, (0, 0))[0],
        rejected=counts.get(State.REJECTED, (0, 0))[0],
        unknown=counts.get(State.UNKNOWN, (0, 0))[0],
        parts=sum(p for _, p in counts.values()),
    )


def job_row(row: tuple[Any, ...]) -> Job:
    """A `jobs` row (id through pid) as a Job."""
    job_id, created, account, provider, channel, message, status, reason, pid = row
    return Job(
        id=job_id,
        created_at=datetime.fromisoformat(created),
        account=account,
        provider=provider,
        channel=channel,
        message=orjson.loads(message),
        status=JobStatus(status),
        pause_reason=reason,
        pid=pid,
    )
