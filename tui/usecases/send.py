"""Send a message: THE pipeline for SMS, landing SMS, email, voice (text or audio) and
WhatsApp templates, shared by the CLI's send commands and the console's Compose screen.

recipients (typed, CSV file or contact group; normalised, validated, de-duplicated, the
channel's blacklist flagged) -> the request's checks for every recipient -> the preflight
(parts, prices, balance) for SMS-like channels -> the first request through the provider's
rules -> the confirmation question (tui.usecases.confirm decides whether it is asked) ->
the journal (`create_job`). The front ends run the job with tui.engine.sender.run_job and
render its progress their own way.

What stops a send is said once, here: `SendRefused` when nothing can be prepared (the
recipients cannot be loaded...), or `Prepared.refusal` when the preflight or the
provider's rules refuse what was prepared (the preflight text then explains it).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
from collections.abc import Awaitable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from backends.base import Backend
from backends.errors import InvalidInput
from backends.models.send import (
    LandingRequest,
    MailingRequest,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppTemplateRequest,
)
from tui.engine import segments
from tui.engine.channels import Request, check_request, create_channel_job
from tui.engine.delivery_url import BASE_URL_OPTION, new_token, notification_url
from tui.engine.export import export_job
from tui.engine.journal import Journal
from tui.engine.phones import DEFAULT_REGION
from tui.engine.prechecks import check_channel_send, check_sms_send
from tui.engine.preflight import Quote, Summary, format_summary, preflight, quote
from tui.engine.pricing import Pricing
from tui.engine.recipients import (
    CLI_COLUMN_HINT,
    Kind,
    Recipient,
    Recipients,
    RecipientsError,
    fetch_blacklist,
    from_csv,
    from_group,
    from_values,
)
from tui.engine.sms_job import create_sms_job, otp_length_of
from tui.usecases.confirm import Confirmation, needed

# Channel keys (the Compose form's too) by the request that sends them.
SMS: Final = "sms"
_CHANNEL_OF: Final[dict[type, str]] = {
    LandingRequest: "landing",
    MailingRequest: "email",
    VoiceRequest: "voice",
    VoiceAudioRequest: "audio",
    WhatsAppTemplateRequest: "whatsapp",
}
# Channels whose text is an SMS: they get the preflight's parts, prices and balance.
SMS_LIKE: Final = frozenset({SMS, "landing"})
# The provider keeps SMS and email blacklists; voice and WhatsApp have none to check.
_BLACKLISTED: Final = frozenset({SMS, "landing", "email"})


class SendRefused(InvalidInput):
    """Nothing can be prepared or journaled as asked; the message says why, for the user.

    An InvalidInput: the CLI reports it as a usage error (exit 2), nothing sent."""

    title = "Cannot send"


@dataclass(frozen=True)
class SmsMessage:
    """An SMS: sender, text and SmsRequest options (what create_sms_job journals).

    `options["notification_url"]` may be one URL per typed recipient (a tuple in their
    order) or, with `notification_url_column`, each CSV row's own."""

    sender: str
    text: str
    options: Mapping[str, Any] = field(default_factory=dict)
    marketing: bool = False  # check the countries' marketing hours
    notification_url_column: str | None = None


@dataclass(frozen=True)
class Source:
    """Where the recipients come from: typed values (with per-value variables), a CSV file
    (and the column holding them), or a contact group."""

    values: tuple[str, ...] = ()
    subs: tuple[Mapping[str, str], ...] = ()
    csv: str | Path | None = None
    to_column: str | None = None
    group: str | None = None
    region: str = DEFAULT_REGION
    # What to do when no CSV column looks like the recipients', in the front end's words.
    column_hint: str = CLI_COLUMN_HINT


@dataclass(frozen=True)
class SendRequest:
    """One send: the account, what to send (an SMS or a channel's template Request, its own
    recipients ignored) and where the recipients come from."""

    account: str
    what: SmsMessage | Request
    source: Source
    label: str = ""  # the channel as the operator knows it ("SMS", "Email", ...)

    @property
    def channel(self) -> str:
        """The channel key: sms, landing, email, voice, audio or whatsapp."""
        if isinstance(self.what, SmsMessage):
            return SMS
        return _CHANNEL_OF[type(self.what)]

    @property
    def kind(self) -> Kind:
        """What a recipient is on this channel."""
        return "email" if self.channel == "email" else "phone"


class Stage(enum.Enum):
    """What refused a prepared send."""

    TEMPLATE = "template"  # the request cannot be sent to some recipient as written
    PREFLIGHT = "preflight"  # the preflight (its text says why)
    RULES = "rules"  # the provider's rules on the first request


@dataclass(frozen=True)
class Refusal:
    """Why a prepared send cannot go."""

    stage: Stage
    reason: str


@dataclass(repr=False)
class Prepared:
    """A send checked and ready for the confirmation and the journal."""

    request: SendRequest
    recipients: Recipients
    summary: Summary | None = None
    refusal: Refusal | None = None
    # The SMS options as journaled (per-recipient notification URLs resolved).
    sms_options: dict[str, Any] = field(default_factory=dict)
    # The job's receiver token, when the account has a public delivery URL
    # (tui.engine.receiver): its notificationUrl carries it.
    delivery_token: str | None = None
    # The SMS job's template as the first request's check built it (tui.engine.sms_job),
    # for create_job; None until then.
    sms_template: dict[str, Any] | None = None

    def __repr__(self) -> str:
        # Short: Textual's @work puts the repr of every argument in the worker's
        # description (20,000 recipients' reprs froze the UI ~0.5 s).
        return f"<Prepared {self.request.channel} to {len(self.recipients.valid)} recipients>"

    @property
    def sendable(self) -> list[Recipient]:
        """Valid recipients not on the blacklist."""
        return self.recipients.sendable

    @property
    def not_sent(self) -> int:
        """Recipients left out: invalid or blacklisted."""
        return len(self.recipients.invalid) + self.recipients.blacklisted

    @property
    def warnings(self) -> list[str]:
        """What the operator should read before confirming."""
        out = list(self.summary.warnings) if self.summary is not None else []
        if self.recipients.invalid:
            out.insert(0, f"{len(self.recipients.invalid)} invalid recipients are left out")
        return out

    @property
    def pricing(self) -> Pricing | None:
        """The preflight's prices, journaled with the job (None: the channel has none)."""
        return Pricing.from_summary(self.summary) if self.summary is not None else None

    @property
    def text(self) -> str:
        """The preflight as text: counts, and for SMS-like channels parts and cost."""
        if self.summary is not None:
            return format_summary(self.summary, self.recipients)
        return counts_text(self.recipients)

    def confirmation(self, *, assume_yes: bool = False, review: bool = False) -> Confirmation:
        """What the confirmation policy needs before this send."""
        return needed(len(self.sendable), assume_yes=assume_yes, review=review)

    def question(self, *, detailed: bool = False) -> str:
        """The confirmation's question; `detailed` names the channel, the account, the
        estimated cost and the preflight's warnings (where the preflight is not shown
        beside it)."""
        count = len(self.sendable)
        if not detailed:
            return f"Send to {count} recipients?"
        summary = self.summary
        cost = ""
        if summary is not None and summary.currency:
            unpriced = f", {', '.join(summary.unpriced)} unpriced" if summary.unpriced else ""
            cost = f" (estimated {summary.total_cost:.4f} {summary.currency}{unpriced})"
        label = self.request.label or self.request.channel
        question = (
            f"Send {label} from account {self.request.account} "
            f"to {count} recipient{'s' if count != 1 else ''}{cost}?"
        )
        if self.warnings:
            question += "\n\nThe preflight warns:\n" + "\n".join(f"• {w}" for w in self.warnings)
        return question


def counts_text(r: Recipients) -> str:
    """The recipients part of a preflight, for channels without SMS parts."""
    lines = [
        f"Recipients: {len(r.sendable)} to send ({len(r.valid)} valid, {len(r.invalid)} invalid, "
        f"{r.duplicates} duplicates, {r.blacklisted} blacklisted)"
    ]
    lines.extend(f"  row {bad.row}: {bad.value!r}: {bad.reason}" for bad in r.invalid[:10])
    if len(r.invalid) > 10:
        lines.append(f"  ... and {len(r.invalid) - 10} more")
    return "\n".join(lines)


# --- preparing ------------------------------------------------------------------------


async def load_recipients(backend: Backend, request: SendRequest) -> Recipients:
    """The recipients, loaded by the engine's loaders for the channel's kind, with its
    blacklist flagged; SendRefused when they cannot be loaded at all."""
    source, kind = request.source, request.kind
    # The blacklist is fetched while the recipients load (a CSV is read in a thread), and
    # flagged once both are there.
    listed = request.channel in _BLACKLISTED
    blacklist = asyncio.ensure_future(fetch_blacklist(backend, kind)) if listed else None
    try:
        if source.csv is not None:
            recipients = await asyncio.to_thread(
                from_csv,
                Path(source.csv).expanduser(),
                to_column=source.to_column,
                kind=kind,
                region=source.region,
                column_hint=source.column_hint,
            )
        elif source.group is not None:
            recipients = await from_group(backend, source.group, kind=kind, region=source.region)
        else:
            recipients = from_values(
                source.values, kind=kind, region=source.region, subs=source.subs
            )
        if blacklist is not None:
            recipients.flag(await blacklist)
        return recipients
    except RecipientsError as exc:
        raise SendRefused(exc.message) from None
    finally:
        await settle(blacklist)


Row = tuple[str, dict[str, str] | None, str | None]


def _rows(recipients: Sequence[Recipient]) -> list[Row]:
    return [(r.to, r.vars, r.country) for r in recipients]


def _row_iter(recipients: Sequence[Recipient]) -> Iterator[Row]:
    """The rows one at a time: an SMS job's checks and journal make their own list of
    them, and a second list of 100,000 tuples beside it was 7 MB of the send's peak."""
    return ((r.to, r.vars, r.country) for r in recipients)


def _notification_urls(sms: SmsMessage, sendable: Sequence[Recipient]) -> Any:
    """One URL for all, or each recipient's own: the one given in its typed position, or
    its notification_url_column cell."""
    urls = sms.options.get("notification_url")
    if isinstance(urls, tuple):
        # Recipient rows are typed positions (1-based); invalid ones and duplicates are gone.
        return tuple(urls[r.row - 1] for r in sendable)
    column = sms.notification_url_column
    if column is None:
        return urls
    missing = [r.row for r in sendable if not (r.vars or {}).get(column)]
    if missing:
        raise SendRefused(f"no {column!r} notification URL in CSV row {missing[0]}")
    return tuple((r.vars or {})[column] for r in sendable)


async def _summary(
    backend: Backend, request: SendRequest, recipients: Recipients, quoted: Awaitable[Quote]
) -> Summary:
    what = request.what
    if isinstance(what, SmsMessage):
        options = what.options
        return await preflight(
            backend,
            recipients,
            what.text,
            encoding=options.get("encoding"),
            parts=options.get("parts"),
            trans=bool(options.get("trans")),
            max_parts=segments.MAX_PARTS_SMS,
            otp_length=otp_length_of(options),
            marketing=what.marketing,
            when=options.get("schedule_date"),
            quoted=quoted,
        )
    assert isinstance(what, LandingRequest)  # the one SMS-like channel Request
    return await preflight(
        backend,
        recipients,
        what.message,
        encoding=what.encoding,
        parts=what.parts,
        trans=bool(what.trans),
        max_parts=segments.MAX_PARTS_LANDING,
        when=what.schedule_date,
        quoted=quoted,
    )


async def settle(task: asyncio.Future[Any] | None) -> None:
    """Cancel a helper task the caller no longer waits for; its error is not lost in a
    "never retrieved" warning (the caller's own error, if any, is the one that counts)."""
    if task is None:
        return
    if not task.done():
        task.cancel()
    with contextlib.suppress(BaseException):
        await task


async def prepare(backend: Backend, request: SendRequest, *, check_first: bool) -> Prepared:
    """Load and check the recipients, preflight an SMS-like send and, with `check_first`,
    put the first request through the provider's rules (nothing journaled, nothing sent).

    SendRefused when the recipients cannot be loaded; a refusal of what was loaded is
    `Prepared.refusal`."""
    # The prices and the balance are asked for while the recipients load.
    quoted = asyncio.ensure_future(quote(backend)) if request.channel in SMS_LIKE else None
    try:
        return await _prepare(backend, request, check_first, quoted)
    finally:
        await settle(quoted)


async def _prepare(
    backend: Backend, request: SendRequest, check_first: bool, quoted: Awaitable[Quote] | None
) -> Prepared:
    recipients = await load_recipients(backend, request)
    prepared = Prepared(request, recipients)
    what = request.what
    # Only the other channels' checks need a list of the rows here (an SMS job's check
    # makes its own from _row_iter): a dry run of a million recipients does not hold
    # another million tuples beside them.
    rows = [] if isinstance(what, SmsMessage) else _rows(recipients.sendable)
    if not isinstance(what, SmsMessage):
        # What the job would refuse for some recipient (a WhatsApp field's filter on a
        # value that is not a number...) is said before anything is journaled.
        try:
            await asyncio.to_thread(check_request, what, rows)
        except ValueError as exc:
            prepared.refusal = Refusal(Stage.TEMPLATE, str(exc))
            return prepared
    if quoted is not None:
        prepared.summary = await _summary(backend, request, recipients, quoted)
        if prepared.summary.refusal:
            prepared.refusal = Refusal(Stage.PREFLIGHT, prepared.summary.refusal)
            return prepared
    if isinstance(what, SmsMessage) and recipients.sendable:
        prepared.sms_options = dict(what.options)
        prepared.sms_options["notification_url"] = _notification_urls(what, recipients.sendable)
        base = backend.connection.options.get(BASE_URL_OPTION)
        if base and prepared.sms_options["notification_url"] is None:
            # The operator's own notificationUrl wins; else the account's receiver gets them.
            prepared.delivery_token = new_token()
            prepared.sms_options["notification_url"] = notification_url(
                base, prepared.delivery_token
            )
    if check_first and recipients.sendable:
        # The first batch's request through the provider's rules, and the job's own
        # checks: what every batch would fail alike is refused here (InvalidInput is a
        # ValueError too).
        try:
            if isinstance(what, SmsMessage):
                prepared.sms_template = await check_sms_send(
                    backend, what.sender, what.text, _row_iter(recipients.sendable),
                    prepared.sms_options,
                )  # fmt: skip
            else:
                await check_channel_send(backend, what, rows)
        except ValueError as exc:
            prepared.refusal = Refusal(Stage.RULES, str(exc))
    return prepared


# --- journaling and results -----------------------------------------------------------


def create_job(journal: Journal, prepared: Prepared, provider: str) -> int:
    """Journal the prepared send to its sendable recipients; the job's id. Nothing is sent
    (run it with tui.engine.sender.run_job). Slow for 100,000 rows: a console calls it in
    a thread. SendRefused when the job's checks refuse it."""
    request = prepared.request
    what = request.what
    try:
        if isinstance(what, SmsMessage):
            job_id = create_sms_job(
                journal, request.account, provider, what.sender, what.text,
                _row_iter(prepared.sendable),
                prepared.sms_options or dict(what.options), pricing=prepared.pricing,
                template=prepared.sms_template,
            )  # fmt: skip
            if prepared.delivery_token is not None:
                journal.set_delivery_token(job_id, prepared.delivery_token)
            return job_id
        return create_channel_job(
            journal, request.account, provider, what, _rows(prepared.sendable),
            pricing=prepared.pricing,
        )  # fmt: skip
    except ValueError as exc:
        raise SendRefused(str(exc)) from None


def write_results(path: str | Path, journal: Journal, job_id: int, prepared: Prepared) -> int:
    """Each recipient's outcome as CSV: the journal's, then the rows never sent (invalid,
    blacklisted); how many rows were written."""
    recips = prepared.recipients
    never_sent = [
        ("", bad.value, "INVALID", f"row {bad.row}: {bad.reason}") for bad in recips.invalid
    ]
    never_sent += [
        ("", r.to, "BLACKLISTED", f"row {r.row}: on the blacklist")
        for r in recips.valid
        if r.blacklisted
    ]
    return export_job(Path(path), journal, job_id, more=never_sent)
