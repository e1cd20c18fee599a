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

from tui.engine.journal_rows import Job, JobStatus, RecipientRow, State, Totals

# What every front end says of a job marked RUNNING whose process is gone (killed, crashed):
# the journal still says RUNNING, but nothing is sending it.
INTERRUPTED = "interrupted"


def resume_command(job_id: int) -> str:
    """The command that carries on a job."""
    return f"switchboard jobs resume {job_id}"


def shown_status(job: Job, interrupted: bool) -> tuple[str, str]:
    """(status, reason) as `jobs list`/`jobs show` and the Jobs screen show a job: one left
    RUNNING by a dead process is "interrupted", with the command that resumes it."""
    if interrupted:
        return INTERRUPTED, f"resume with: {resume_command(job.id)}"
    return job.status.value, job.pause_reason or ""


def status_line(job: Job, interrupted: bool) -> str:
    """The status with its reason in one phrase: "PAUSED: <why>", "interrupted — resume
    with: switchboard jobs resume N"."""
    status, reason = shown_status(job, interrupted)
    if not reason:
        return status
    return f"{status} — {reason}" if interrupted else f"{status}: {reason}"


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
