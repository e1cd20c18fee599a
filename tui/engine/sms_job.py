"""SMS jobs: the journaled template (options encoded for the journal), job creation with
the one SMS plan (tui.engine.segments), and the channel that sends a claimed batch."""

from __future__ import annotations

import dataclasses
from collections.abc import (
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import datetime
from typing import Any

from backends.base import Backend
from backends.capabilities import (
    SmsApi,
)
from backends.models.common import AvailableTime, OtpConfig, SendResult, SmsRequest
from tui.engine import placeholders, segments
from tui.engine.channels import (
    RequestChannel,
    Row,
    iter_job_rows,
    job_rows,
)
from tui.engine.journal import Journal
from tui.engine.journal_rows import Claimed, Job, JobRecipient
from tui.engine.preflight import plan_message
from tui.engine.pricing import Pricing

# SmsRequest fields a job template may set (the recipients and their `sub` come per batch).
_OPTION_FIELDS = frozenset(f.name for f in dataclasses.fields(SmsRequest)) - {
    "to",
    "sender",
    "message",
    "sub",
}
_DATE_OPTIONS = frozenset({"schedule_date", "expiration_date"})


def encode_options(options: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in options.items():
        if key not in _OPTION_FIELDS:
            raise ValueError(f"unknown SMS option {key!r}")
        if value is None or value == ():
            continue
        if key in _DATE_OPTIONS:
            value = value.isoformat()
        elif key == "tags":
            value = list(value)
        elif key == "available_times":
            value = [dataclasses.asdict(t) for t in value]
        elif key == "otp_config":
            value = dataclasses.asdict(value)
        elif key == "notification_url" and not isinstance(value, str):
            # One URL per recipient would have to be split along with the batches.
            raise ValueError("a job takes one notification URL, not one per recipient")
        out[key] = value
    return out


def decode_options(options: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(options)
    for key in _DATE_OPTIONS & out.keys():
        out[key] = datetime.fromisoformat(out[key])
    if "tags" in out:
        out["tags"] = tuple(out["tags"])
    if "available_times" in out:
        out["available_times"] = tuple(AvailableTime(**t) for t in out["available_times"])
    if "otp_config" in out:
        out["otp_config"] = OtpConfig(**out["otp_config"])
    return out


def template_request(job: Job) -> SmsRequest:
    """The job's SMS request without recipients."""
    m = job.message
    return SmsRequest(
        to=(), sender=m["sender"], message=m["message"], **decode_options(m.get("options", {}))
    )


def otp_length_of(options: Mapping[str, Any]) -> int:
    """The {OTP_CODE} length an SMS's otpConfig asks for (the provider's default without)."""
    cfg = options.get("otp_config")
    length = cfg.length if isinstance(cfg, OtpConfig) else None
    return length or placeholders.OTP_LENGTH_DEFAULT


def sms_template(
    sender: str,
    message: str,
    rows: Iterable[tuple[str, Mapping[str, str] | None, str | None]],
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The SMS job's journaled template: sender, text and options with the resolved
    `encoding` and `parts` (segments.PlanError, a ValueError, when it cannot be sent).

    A `notification_url` tuple is one URL per row, kept apart and sliced per batch.
    The rows are read once, as they come (iter_job_rows checks each as it goes).
    """
    if not sender.strip():
        raise ValueError("the sender is empty")
    if not message:
        raise ValueError("the message is empty")
    placeholders.check_filters(message)
    opts = dict(options or {})
    count = 0

    def variables() -> Iterator[Mapping[str, str] | None]:
        nonlocal count
        for _, v, _ in rows:
            count += 1
            yield v

    each = variables()
    plan = plan_message(
        message,
        each,
        encoding=opts.get("encoding"),
        parts=opts.get("parts"),
        trans=bool(opts.get("trans")),
        max_parts=segments.MAX_PARTS_SMS,
        otp_length=otp_length_of(opts),
    )
    for _ in each:  # a text without placeholders is counted once: the rest is counted here
        pass
    opts["encoding"], opts["parts"] = plan.encoding, plan.parts
    urls = opts.get("notification_url")
    template: dict[str, Any] = {"sender": sender, "message": message}
    if isinstance(urls, tuple):
        # POST /sms: "When using multiple notification URLs, the array must contain as many
        # elements as the send recipients": one per row, each batch takes its rows' URLs.
        if len(urls) != count:
            raise ValueError(f"{len(urls)} notification URLs for {count} recipients")
        del opts["notification_url"]
        template["notification_urls"] = list(urls)
    template["options"] = encode_options(opts)
    return template


def create_sms_job(
    journal: Journal,
    account: str,
    provider: str,
    sender: str,
    message: str,
    recipients: Iterable[JobRecipient],
    options: Mapping[str, Any] | None = None,
    *,
    pricing: Pricing | None = None,
    template: Mapping[str, Any] | None = None,
) -> int:
    """Journal an SMS job; its id. Nothing is sent.

    Recipients are (to, `sub` variables[, ISO country]); the country prices a recipient.
    The job's options carry the `encoding` and `parts` every batch sends (plan_message).
    `template` is sms_template's result for these very arguments when the caller has it
    (check_sms_send returns it): every recipient's text is not counted twice.
    """
    rows: Iterable[Row]
    if template is None:
        rows = job_rows(recipients)
        template = sms_template(sender, message, rows, options)
    else:
        rows = iter_job_rows(recipients)
    template = dict(template)
    if pricing is not None:
        template["pricing"] = pricing.encode()
    return journal.create_job(
        account=account, provider=provider, channel="sms", message=template, recipients=rows
    )


# --- checking a send before it is journaled -------------------------------------------


class SmsChannel(RequestChannel):
    """SMS jobs: one send_sms request per batch (one `sub` item per recipient when any
    has variables, as the reference wants), results matched by number."""

    def __init__(self, job: Job) -> None:
        self.template = template_request(job)
        urls = job.message.get("notification_urls")
        self.urls: list[str] | None = list(urls) if urls else None

    @classmethod
    def from_template(cls, template: Mapping[str, Any]) -> SmsChannel:
        """The channel of a template not journaled yet (to check its first request)."""
        channel = cls.__new__(cls)
        channel.template = SmsRequest(
            to=(),
            sender=template["sender"],
            message=template["message"],
            **decode_options(template.get("options", {})),
        )
        urls = template.get("notification_urls")
        channel.urls = list(urls) if urls else None
        return channel

    def request(self, batch: Sequence[Claimed]) -> Any:
        """The batch's request, with its recipients' own notification URLs when they have."""
        request = super().request(batch)
        if self.urls is not None:
            return dataclasses.replace(
                request, notification_url=tuple(self.urls[c.seq] for c in batch)
            )
        return request

    async def call(self, backend: Backend, request: Any) -> SendResult:
        return await backend.capability(SmsApi).send_sms(request)
