"""Survey sends (Xebo collectors) in the send engine: the "survey" channel.

A job stores the medium (`xebo-survey-send.txt`: "medium | number | 1: SMS 2: Email
3: Whatsapp"); each recipient row stores the address the medium sends to and, as its
variables, the whole contact as the provider's flat object (addresses beside the custom
respondent fields: "You can also send custom respondent information").

A batch is one request whose `contacts` are the batch's rows. The answer says per request
`accepted`, `rejected` and a `rejected_list` echoing each refused contact: a refused
contact is matched to its row by address; the rest are accepted when the counts agree,
else their outcome is UNKNOWN (they may have been surveyed). The reference sets no limit
on contacts per request, so the engine's batch size applies.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, cast

from backends.base import Backend
from backends.capabilities import SurveysApi
from backends.errors import ConfigError
from backends.models.surveys import (
    SurveyContact,
    SurveyMedium,
    SurveySend,
    SurveySendResult,
    check_contacts,
    contact_from_row,
    same_address,
)
from tui.engine.journal import Journal
from tui.engine.journal_rows import Claimed, Job, Outcome, State

__all__ = [
    "CHANNEL",
    "SurveyChannel",
    "create_survey_job",
    "match_survey_send",
    "medium_of",
    "survey_summary",
]

CHANNEL: Final = "survey"


def medium_of(job: Job) -> SurveyMedium:
    """The medium a survey job sends on (ConfigError for a hand-edited journal)."""
    try:
        return SurveyMedium(int(job.message["medium"]))
    except (KeyError, TypeError, ValueError):
        raise ConfigError(f"job {job.id}: no survey medium (1, 2 or 3)") from None


def survey_summary(job: Job) -> str:
    """What a survey job sends, in one line (for Jobs and `jobs show`)."""
    try:
        return f"Survey invitations by {medium_of(job).label}"
    except ConfigError:
        return "Survey invitations"


def create_survey_job(
    journal: Journal,
    account: str,
    provider: str,
    medium: SurveyMedium,
    contacts: Iterable[SurveyContact],
) -> int:
    """Validate and journal a survey job; its id. Nothing is sent.

    ValueError when a contact has no address of the medium's kind (check_contacts).
    """
    found = list(contacts)
    check_contacts(found, medium)
    # The journal's variables are strings for text channels; a survey contact's custom
    # fields are any JSON value ("tier": 2), which the journal stores as JSON all the same.
    rows = [(str(c.address(medium)).strip(), cast(Mapping[str, str], c.to_json())) for c in found]
    return journal.create_job(
        account=account,
        provider=provider,
        channel=CHANNEL,
        message={"medium": int(medium)},
        recipients=rows,
    )


def contact_of(c: Claimed) -> SurveyContact:
    """The contact a journal row describes."""
    return contact_from_row(cast(Mapping[str, Any], c.vars or {}))


def match_survey_send(
    batch: Sequence[Claimed], medium: SurveyMedium, result: SurveySendResult
) -> list[Outcome]:
    """Each claimed contact's outcome: REJECTED when the rejected_list names its address
    (with the provider's reason), ACCEPTED when the counts say everyone else was, else
    UNKNOWN. Every outcome carries the send's msgId."""
    ref = result.message_id or None
    waiting: dict[str, deque[Claimed]] = {}
    for c in batch:
        waiting.setdefault(same_address(c.to, medium), deque()).append(c)
    outcomes: list[Outcome] = []
    for r in result.rejected_list:
        address = r.contact.get(medium.address_key)
        queue = waiting.get(same_address(address, medium)) if isinstance(address, str) else None
        if not queue:
            continue  # a contact we did not send, or named twice: nothing to record
        c = queue.popleft()
        outcomes.append(Outcome(c.seq, c.to, State.REJECTED, r.reason or "rejected", ref))
    rest = sorted((c for q in waiting.values() for c in q), key=lambda c: c.seq)
    unnamed = result.rejected - len(outcomes)
    if result.accepted == len(rest) and unnamed <= 0:
        outcomes.extend(Outcome(c.seq, c.to, State.ACCEPTED, None, ref) for c in rest)
    elif result.accepted == 0 and unnamed >= len(rest):
        why = "rejected (the provider did not say why)"
        outcomes.extend(Outcome(c.seq, c.to, State.REJECTED, why, ref) for c in rest)
    else:
        why = (
            f"the provider accepted {result.accepted} and rejected {result.rejected} of "
            f"{len(batch)} contacts without naming which"
        )
        outcomes.extend(Outcome(c.seq, c.to, State.UNKNOWN, why, ref) for c in rest)
    return outcomes


class SurveyChannel:
    """Sends one claimed batch of a survey job as one survey send."""

    batch_size: int | None = None
    batch_fixed = False
    max_batch: int | None = None

    def __init__(self, job: Job) -> None:
        self.job_id = job.id
        self.medium = medium_of(job)

    async def send(self, backend: Backend, batch: Sequence[Claimed]) -> list[Outcome]:
        """One request for the batch; outcomes per contact."""
        contacts = tuple(contact_of(c) for c in batch)
        try:
            check_contacts(contacts, self.medium)
        except ValueError as exc:
            # Checked when the job was created; only a hand-edited journal gets here.
            raise ConfigError(f"job {self.job_id}: {exc}") from None
        result = await backend.capability(SurveysApi).send_survey(SurveySend(self.medium, contacts))
        return match_survey_send(batch, self.medium, result)
