"""Survey-batch jobs (8x8 SMS Engage) in the send engine: the "survey-batch" channel.

A job stores the survey, the subaccount, the shared `template` block and the clientBatchId;
each recipient stores its destination plus a flat dict: the message fields named like the
provider's JSON (`country`, `templateBody`, `source`, `clientMessageId`, `encoding`,
`scheduled`, `expiry`, `dlrCallbackUrl`) and, under every other key, template variables
(the same convention as the CLI's CSV columns).

Every message carries a clientMessageId (the recipient's own, else `sb<job>-<seq>`), so each
QUEUED/REJECTED result is matched to its recipient by id, not by position. A job of more
than 10,000 recipients is sent as several batches: 8x8 takes at most 10,000 per request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from backends.base import Backend
from backends.capabilities import SurveyBatchApi
from backends.eightbyeight.client import MAX_CLIENT_BATCH_ID, validate_batch
from backends.eightbyeight.models import (
    SurveyBatch,
    SurveyBatchResult,
    SurveyMessage,
    SurveyRecipientResult,
    SurveyTemplate,
)
from backends.eightbyeight.rules import MAX_MESSAGES
from backends.errors import ConfigError
from tui.engine.journal import Journal
from tui.engine.journal_rows import Claimed, Job, Outcome, State
from tui.engine.phones import DEFAULT_REGION, normalise_phone

__all__ = [
    "CHANNEL",
    "MESSAGE_FIELDS",
    "SurveyBatchChannel",
    "check_job",
    "create_survey_batch_job",
    "match_survey_results",
    "messages_from_rows",
    "unique_messages",
]

CHANNEL = "survey-batch"
# Recipient keys that are message fields; any other key is a template variable.
MESSAGE_FIELDS = frozenset(
    {
        "country",
        "templateBody",
        "source",
        "clientMessageId",
        "encoding",
        "scheduled",
        "expiry",
        "dlrCallbackUrl",
    }
)
_TIME_FIELDS = ("scheduled", "expiry")


def messages_from_rows(
    rows: Sequence[Mapping[str, str]],
    source: str,
    when: Callable[[str, str], datetime | None],
    country: str | None = None,
) -> list[SurveyMessage]:
    """CSV rows as messages: a destination column, the MESSAGE_FIELDS columns, every other
    column a template variable. `when(text, what)` reads a time cell ("" for none; `what`
    names the cell as "<source>:<line> scheduled"); `country` is for rows without one.
    ValueError when there is no destination column."""
    if rows and "destination" not in rows[0]:
        raise ValueError(f"{source}: no 'destination' column")
    out = []
    for line, row in enumerate(rows, start=2):
        where = f"{source}:{line}"
        out.append(
            SurveyMessage(
                destination=row.get("destination", ""),
                country=row.get("country") or country or None,
                template_body=row.get("templateBody") or None,
                template_variables={
                    k: v for k, v in row.items() if k not in MESSAGE_FIELDS | {"destination"}
                },
                source=row.get("source") or None,
                client_message_id=row.get("clientMessageId") or None,
                encoding=row.get("encoding") or None,
                scheduled=when(row.get("scheduled", ""), f"{where} scheduled"),
                expiry=when(row.get("expiry", ""), f"{where} expiry"),
                dlr_callback_url=row.get("dlrCallbackUrl") or None,
            )
        )
    return out


def number_key(destination: str, country: str | None) -> str:
    """The number a destination reaches, as the recipients loader normalises it (E.164
    digits), so "+65 9876 0001", "6598760001" and "98760001" with country SG are one.
    A number it cannot read keys by its digits: the provider's pattern (check_job) and its
    per-message answer say what is wrong with it."""
    raw = destination.strip()
    # 8x8 reads a number without `country` as international, so its key does too.
    text = raw if country or raw.startswith("+") else "+" + raw
    got = normalise_phone(text, (country or DEFAULT_REGION).upper())
    return got[0] if isinstance(got, tuple) else raw.lstrip("+")


def unique_messages(messages: Iterable[SurveyMessage]) -> tuple[list[SurveyMessage], int]:
    """Each number's first message, and how many repeats were left out (a number queued
    twice is surveyed twice: 8x8 does not de-duplicate a batch)."""
    seen: set[str] = set()
    out: list[SurveyMessage] = []
    repeated = 0
    for m in messages:
        key = number_key(m.destination, m.country)
        if key in seen:
            repeated += 1
            continue
        seen.add(key)
        out.append(m)
    return out, repeated


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _encode_template(t: SurveyTemplate | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {
        "templateBody": t.template_body,
        "source": t.source,
        "encoding": t.encoding,
        "scheduled": _iso(t.scheduled),
        "expiry": _iso(t.expiry),
        "dlrCallbackUrl": t.dlr_callback_url,
    }


def _decode_template(raw: Mapping[str, Any] | None) -> SurveyTemplate | None:
    if raw is None:
        return None
    return SurveyTemplate(
        template_body=raw["templateBody"],
        source=raw.get("source"),
        encoding=raw.get("encoding"),
        scheduled=_time(raw.get("scheduled")),
        expiry=_time(raw.get("expiry")),
        dlr_callback_url=raw.get("dlrCallbackUrl"),
    )


def encode_message(m: SurveyMessage) -> dict[str, str]:
    """A message's fields and template variables as one flat journal dict."""
    clash = MESSAGE_FIELDS & set(m.template_variables)
    if clash:
        raise ValueError(f"template variables may not be named {', '.join(sorted(clash))}")
    fields: dict[str, str | None] = {
        "country": m.country,
        "templateBody": m.template_body,
        "source": m.source,
        "clientMessageId": m.client_message_id,
        "encoding": m.encoding,
        "scheduled": _iso(m.scheduled),
        "expiry": _iso(m.expiry),
        "dlrCallbackUrl": m.dlr_callback_url,
    }
    out = {k: v for k, v in fields.items() if v is not None}
    out.update(m.template_variables)
    return out


def decode_message(to: str, data: Mapping[str, str] | None) -> SurveyMessage:
    """The message a journal row describes."""
    d = dict(data or {})
    return SurveyMessage(
        destination=to,
        country=d.get("country"),
        template_body=d.get("templateBody"),
        template_variables={k: v for k, v in d.items() if k not in MESSAGE_FIELDS},
        source=d.get("source"),
        client_message_id=d.get("clientMessageId"),
        encoding=d.get("encoding"),
        scheduled=_time(d.get("scheduled")),
        expiry=_time(d.get("expiry")),
        dlr_callback_url=d.get("dlrCallbackUrl"),
    )


def check_job(
    survey_id: str,
    sub_account_id: str,
    messages: Sequence[SurveyMessage],
    template: SurveyTemplate | None = None,
    client_batch_id: str | None = None,
) -> None:
    """ValueError naming the first problem 8x8 would refuse in a job of any size."""
    if not messages:
        raise ValueError("no recipients")
    own_ids = [m.client_message_id for m in messages if m.client_message_id]
    if len(set(own_ids)) != len(own_ids):
        raise ValueError("clientMessageId values must be unique within a send")
    for m in messages:
        encode_message(m)  # refuses template variables named like message fields
    for start in range(0, len(messages), MAX_MESSAGES):
        chunk = tuple(messages[start : start + MAX_MESSAGES])
        try:
            validate_batch(SurveyBatch(survey_id, chunk, template, client_batch_id), sub_account_id)
        except ValueError as exc:
            if start:
                raise ValueError(f"{exc} (messages counted from recipient {start + 1})") from None
            raise


def create_survey_batch_job(
    journal: Journal,
    account: str,
    provider: str,
    *,
    survey_id: str,
    sub_account_id: str,
    messages: Iterable[SurveyMessage],
    template: SurveyTemplate | None = None,
    client_batch_id: str | None = None,
) -> int:
    """Validate and journal a survey-batch job of any size; its id. Nothing is sent.

    ValueError names the first problem 8x8 would refuse (ids, `{{url:}}`, lengths...).
    """
    msgs = list(messages)
    check_job(survey_id, sub_account_id, msgs, template, client_batch_id)
    rows = [(m.destination.strip(), encode_message(m) or None) for m in msgs]
    message = {
        "survey_id": survey_id,
        "sub_account_id": sub_account_id,
        "template": _encode_template(template),
        "client_batch_id": client_batch_id,
        # How many requests the job takes: above one, each batch's clientBatchId gets a part
        # suffix, since 8x8 calls it "your own unique reference" for a batch.
        "batches": -(-len(msgs) // MAX_MESSAGES),
    }
    return journal.create_job(
        account=account, provider=provider, channel=CHANNEL, message=message, recipients=rows
    )


def survey_template(job: Job) -> SurveyTemplate | None:
    """The job's shared template block."""
    raw: Mapping[str, Any] | None = job.message.get("template")
    return _decode_template(raw)


def _reason(r: SurveyRecipientResult) -> str:
    return r.error or r.status or "refused"


def match_survey_results(
    batch: Sequence[Claimed], ids: Sequence[str], result: SurveyBatchResult
) -> list[Outcome]:
    """Each claimed recipient's outcome, matched by clientMessageId (`ids[i]` is batch[i]'s).

    A result without a clientMessageId is matched by position when its destination agrees;
    a recipient no result names is UNKNOWN: it may have been sent.
    """
    waiting = dict(zip(ids, batch, strict=True))
    outcomes: list[Outcome] = []
    for pos, r in enumerate(result.results):
        key = r.client_message_id
        if key is None and pos < len(batch) and batch[pos].to == r.to:
            key = ids[pos]
        c = waiting.pop(key, None) if key is not None else None
        if c is None:
            continue  # a result for a message we did not send, or named twice
        if r.accepted:
            outcomes.append(Outcome(c.seq, c.to, State.ACCEPTED, None, r.id))
        else:
            outcomes.append(Outcome(c.seq, c.to, State.REJECTED, _reason(r), r.id))
    missing = "the provider's answer did not mention this message"
    outcomes.extend(Outcome(c.seq, c.to, State.UNKNOWN, missing) for c in waiting.values())
    return outcomes


class SurveyBatchChannel:
    """Sends one claimed batch of a survey-batch job and maps the per-message results."""

    # Full batches unless the caller asks for smaller ones (run_job sets the run's size,
    # which numbers the parts' clientBatchIds).
    batch_size: int | None = MAX_MESSAGES
    batch_fixed = False
    max_batch: int | None = MAX_MESSAGES

    def __init__(self, job: Job) -> None:
        self.job_id = job.id
        self.survey_id: str = job.message["survey_id"]
        self.sub_account_id: str = job.message["sub_account_id"]
        self.client_batch_id: str | None = job.message.get("client_batch_id")
        self.batches: int = int(job.message.get("batches") or 1)
        self.template = survey_template(job)

    def batch_id_for(self, first: Claimed) -> str | None:
        """The operator's clientBatchId; "-2", "-3"... per part when the job takes several
        requests (cut to stay within 20 characters). A part is numbered by its first
        recipient, so a part resumed with the same batch size keeps its id."""
        base = self.client_batch_id
        size = self.batch_size or MAX_MESSAGES
        if not base or (self.batches <= 1 and size >= MAX_MESSAGES):
            return base  # the whole job is one request
        suffix = f"-{first.seq // size + 1}"
        return base[: MAX_CLIENT_BATCH_ID - len(suffix)] + suffix

    def client_id(self, c: Claimed) -> str:
        """The clientMessageId a recipient's message carries (stable across resends)."""
        own = (c.vars or {}).get("clientMessageId")
        return own or f"sb{self.job_id}-{c.seq}"

    async def send(self, backend: Backend, batch: Sequence[Claimed]) -> list[Outcome]:
        """One request for the batch; outcomes per recipient."""
        ids = [self.client_id(c) for c in batch]
        messages = tuple(
            dataclasses.replace(decode_message(c.to, c.vars), client_message_id=i)
            for c, i in zip(batch, ids, strict=True)
        )
        request = SurveyBatch(
            survey_id=self.survey_id,
            messages=messages,
            template=self.template,
            client_batch_id=self.batch_id_for(batch[0]),
            include_messages=True,  # without them, recipients cannot be told apart
            sub_account_id=self.sub_account_id,
        )
        try:
            validate_batch(request, self.sub_account_id)
        except ValueError as exc:
            # Checked when the job was created; only a hand-edited journal gets here.
            raise ConfigError(f"job {self.job_id}: {exc}") from None
        result = await backend.capability(SurveyBatchApi).send_survey_batch(request)
        return match_survey_results(batch, ids, result)
