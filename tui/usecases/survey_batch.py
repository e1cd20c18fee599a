"""Survey batches (8x8 SMS Engage), once for both front ends.

`switchboard survey-batch send` and the Surveys screen's batch form turn their input into
a BatchInput; `prepare_batch` reads the recipients (typed numbers, a CSV file), keeps
each number once and checks the send as 8x8 would (ids, `{{url:}}`, lengths, the
destination pattern) before anything is journaled; `batch_question` is what to ask as
the one confirmation policy says; `create_batch` journals it as a "survey-batch" job
(tui.engine.survey_batch: batches of at most 10,000) and `run_batch` sends it, resumable
with `switchboard jobs resume` or the Jobs screen. `batch_results` lists each
recipient's QUEUED/REJECTED outcome with the clientMessageId it went with.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from backends.base import Backend
from backends.capabilities import SurveyBatchApi
from backends.eightbyeight.models import SurveyMessage, SurveyTemplate
from backends.eightbyeight.rules import MAX_MESSAGES
from tui.dates import parse_optional
from tui.engine.journal import Journal
from tui.engine.journal_rows import Claimed, State
from tui.engine.sender import JobControl, Progress, run_job
from tui.engine.survey_batch import (
    SurveyBatchChannel,
    check_job,
    create_survey_batch_job,
    messages_from_rows,
    unique_messages,
)
from tui.usecases.surveys import SurveyRefused, read_csv_rows

# Per-recipient outcomes a front end lists after a send; the journal holds everyone.
SHOW_ROWS: Final = 1_000


class NoRecipients(SurveyRefused):
    """Nothing to send to (each front end says how to give recipients)."""


def batch_time(text: str | None, what: str) -> datetime | None:
    """A time as typed or in a CSV cell (tui.dates: no offset is local time), None when
    blank; SurveyRefused names the field."""
    try:
        return parse_optional(text)
    except ValueError as exc:
        raise SurveyRefused(f"{what}: {exc}") from None


@dataclass(frozen=True)
class BatchInput:
    """A survey batch as given. Times are text (tui.dates). Without a template body the
    batch-wide options (source, encoding, times, delivery URL) go on every message."""

    survey_id: str
    sub_account_id: str
    numbers: Sequence[str] = ()
    country: str | None = None  # of numbers (typed, or CSV rows without one) in national form
    variables: Mapping[str, str] = field(default_factory=dict)  # for the typed numbers
    csv: Path | None = None  # a destination column, message fields, template variables
    template_body: str | None = None
    source: str | None = None
    encoding: str | None = None
    scheduled: str = ""
    expiry: str = ""
    dlr_url: str | None = None
    client_batch_id: str | None = None


@dataclass(frozen=True)
class BatchSend:
    """A checked send, ready to be journaled."""

    survey_id: str
    sub_account_id: str
    messages: tuple[SurveyMessage, ...]
    template: SurveyTemplate | None
    client_batch_id: str | None
    repeated: int = 0  # numbers given more than once, left out

    @property
    def batches(self) -> int:
        """How many requests the send takes (8x8 takes at most 10,000 messages in one)."""
        return -(-len(self.messages) // MAX_MESSAGES)

    def __repr__(self) -> str:
        # Textual reprs a worker's arguments: never tens of thousands of messages.
        return f"BatchSend({self.survey_id!r}, {len(self.messages)} messages)"


def prepare_batch(given: BatchInput) -> BatchSend:
    """The send the input describes, each number once (the recipients loader's
    normalisation) and checked as the job will be; SurveyRefused (NoRecipients when there
    are none) naming the first problem. Reads the CSV: call it off a console's UI loop."""
    scheduled = batch_time(given.scheduled, "scheduled")
    expiry = batch_time(given.expiry, "expiry")
    country = given.country.strip().upper() if given.country and given.country.strip() else None
    template = None
    per_message: dict[str, Any] = {}
    if given.template_body is not None and given.template_body.strip():
        template = SurveyTemplate(
            template_body=given.template_body,
            source=given.source or None,
            encoding=given.encoding or None,
            scheduled=scheduled,
            expiry=expiry,
            dlr_callback_url=given.dlr_url or None,
        )
    else:
        per_message = {
            "source": given.source or None,
            "encoding": given.encoding or None,
            "scheduled": scheduled,
            "expiry": expiry,
            "dlr_callback_url": given.dlr_url or None,
        }
    messages = [
        SurveyMessage(
            destination=to.strip(),
            country=country,
            template_variables=dict(given.variables),
            **per_message,
        )
        for to in given.numbers
        if to.strip()
    ]
    if given.csv is not None:
        rows = read_csv_rows(given.csv)
        try:
            from_csv = messages_from_rows(rows, str(given.csv), batch_time, country)
        except ValueError as exc:
            raise SurveyRefused(str(exc)) from None
        for m in from_csv:
            extra = {k: v for k, v in per_message.items() if getattr(m, k) is None}
            messages.append(dataclasses.replace(m, **extra))
    if not messages:
        raise NoRecipients("no recipients")
    found, repeated = unique_messages(messages)
    client_batch_id = given.client_batch_id or None
    try:
        check_job(given.survey_id, given.sub_account_id, found, template, client_batch_id)
    except ValueError as exc:
        raise SurveyRefused(str(exc)) from None
    return BatchSend(
        given.survey_id, given.sub_account_id, tuple(found), template, client_batch_id, repeated
    )


def batch_question(send: BatchSend) -> str:
    """What to ask before sending (the policy says how: tui.usecases.confirm)."""
    n = len(send.messages)
    question = f"Send survey {send.survey_id} to {n} recipient(s) in {send.batches} batch(es)?"
    if send.repeated:
        question += f"\n{send.repeated} repeated number(s) left out."
    return question


async def create_batch(journal: Journal, account: str, backend: Backend, send: BatchSend) -> int:
    """Journal the send as a job (nothing is sent yet); its id. NotSupported, with nothing
    journaled, when the account does not send survey batches."""
    backend.capability(SurveyBatchApi)
    # Journaling tens of thousands of messages takes a while: in a thread.
    return await asyncio.to_thread(
        lambda: create_survey_batch_job(
            journal,
            account,
            backend.provider,
            survey_id=send.survey_id,
            sub_account_id=send.sub_account_id,
            messages=send.messages,
            template=send.template,
            client_batch_id=send.client_batch_id,
        )
    )


def run_batch(
    journal: Journal, job_id: int, backend: Backend, *, control: JobControl | None = None
) -> AsyncIterator[Progress]:
    """Send the job's pending messages: coalesced progress, the last one final."""
    # Two requests of 10,000 in flight keep 8x8 busy without piling up memory.
    return run_job(journal, job_id, backend, concurrency=2, control=control)


def batch_results(
    journal: Journal, job_id: int, limit: int = SHOW_ROWS
) -> list[dict[str, str | None]]:
    """The first `limit` recipients' outcomes, with the clientMessageId each went with."""
    channel = SurveyBatchChannel(journal.job(job_id))
    out: list[dict[str, str | None]] = []
    for r in itertools.islice(journal.recipients(job_id), limit):
        queued = r.state is State.ACCEPTED
        out.append(
            {
                "destination": r.to,
                "status": "QUEUED" if queued else r.state.value,
                "umid": r.provider_id,
                # The recipient's own id, else the one the engine generated (sb<job>-<seq>).
                "clientMessageId": channel.client_id(Claimed(r.seq, r.to, r.vars)),
                "reason": r.reason,
            }
        )
    return out
