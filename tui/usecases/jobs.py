"""A send job's result: one typed value and one JSON shape for every front end.

A send (`sms send`, `mail send`, `voice send`, ...), `jobs resume`, `jobs show` and
`jobs list` all say how a job stands with a JobResult: the job's id, its status, why it
paused (if it did), its totals by state and, where the command reports them, each
recipient's outcome. Its `to_json` is the one shape `--json` prints; commands that know
more about a job (its account, channel, cost) add keys beside these, never rename them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tui.engine.journal_rows import JobStatus, RecipientRow, State, Totals


@dataclass(frozen=True)
class RecipientResult:
    """One recipient's outcome."""

    to: str
    state: State
    provider_id: str | None
    parts: int | None
    reason: str | None

    @classmethod
    def of(cls, row: RecipientRow) -> RecipientResult:
        """A journal row's outcome."""
        return cls(row.to, row.state, row.provider_id, row.parts, row.reason)

    def to_json(self) -> dict[str, Any]:
        """{"to", "state", "accepted", "id", "parts", "reason"}."""
        return {
            "to": self.to,
            "state": self.state.value,
            "accepted": self.state is State.ACCEPTED,
            "id": self.provider_id,
            "parts": self.parts,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class JobResult:
    """How a job stands; `results` is None where the command lists no recipients."""

    job: int
    status: JobStatus
    reason: str | None
    totals: Totals
    results: tuple[RecipientResult, ...] | None = None

    @classmethod
    def of(
        cls,
        job: int,
        status: JobStatus,
        reason: str | None,
        totals: Totals,
        rows: Iterable[RecipientRow] | None = None,
    ) -> JobResult:
        """A result from the journal's values (and its recipient rows, when listed)."""
        results = None if rows is None else tuple(RecipientResult.of(r) for r in rows)
        return cls(job, status, reason, totals, results)

    def to_json(self) -> dict[str, Any]:
        """The one shape: {"job", "status", "reason", "totals": {"total", "accepted",
        "rejected", "unknown", "pending", "sending", "parts"}} and, when listed,
        "results": [RecipientResult.to_json(), ...]."""
        t = self.totals
        data: dict[str, Any] = {
            "job": self.job,
            "status": self.status.value,
            "reason": self.reason,
            "totals": {
                "total": t.total,
                "accepted": t.accepted,
                "rejected": t.rejected,
                "unknown": t.unknown,
                "pending": t.pending,
                "sending": t.sending,
                "parts": t.parts,
            },
        }
        if self.results is not None:
            data["results"] = [r.to_json() for r in self.results]
        return data
