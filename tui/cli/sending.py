"""`switchboard mail|voice|landing send, whatsapp send-template, scheduled`.

Sends go through the send use case (tui.usecases.send) and are journaled engine jobs, as
in the console: they appear in `switchboard jobs`, a paused or interrupted one resumes
with `jobs resume`, and each recipient's result comes from the journal (exit 3 when any
recipient was not sent or not accepted). The options they share with `sms send` are in
tui/cli/send_options.py.
"""

from __future__ import annotations

import argparse
from datetime import UTC
from typing import Any

from backends.base import Backend
from backends.capabilities import ScheduledApi
from backends.models.send import (
    MAX_VOICE_RETRIES,
    SCHEDULED_TYPES,
    VOICE_GENDERS,
    VOICE_LANGUAGES,
    Attachment,
    LandingRequest,
    MailingRequest,
    ScheduledChange,
    ScheduledType,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppLocation,
    WhatsAppTemplateMessage,
    WhatsAppTemplateRequest,
)
from tui.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REJECTED,
    Context,
    UsageError,
    add_account_arg,
    add_text_arg,
    add_yes_arg,
    resumable,
    say_not_done,
    table,
    with_backend,
)
from tui.cli.send_options import (
    add_campaign_args,
    add_otp_args,
    add_sms_options,
    flag_option,
    load_subs,
    otp_config,
    parse_caller,
    read_text,
    schedule_arg,
    sms_options,
    when_arg,
)
from tui.dates import fmt_time
from tui.engine.channels import Request
from tui.engine.journal import Journal, default_path
from tui.engine.journal_rows import JobStatus, State
from tui.engine.sender import Progress, run_job
from tui.usecases import send as send_usecase
from tui.usecases.confirm import DELETE_ALL_PHRASE, RESCHEDULE_ALL_PHRASE, Need
from tui.usecases.jobs import JobResult
from tui.usecases.recent_ids import remember_sent
from tui.usecases.send import Prepared, SendRequest, Source, Stage


def show_job_result(ctx: Context, journal: Journal, job_id: int, last: Progress) -> int:
    """Each recipient's outcome from the journal (JSON with --json); the exit code.

    Exit 3 if any recipient was rejected or has an unknown outcome, 1 if the job paused.
    """
    rows = list(journal.recipients(job_id))
    t = last.totals
    data = JobResult.of(job_id, last.status, last.reason, t, rows).to_json()

    def text() -> None:
        table(
            ctx,
            ("TO", "RESULT", "ID / REASON", "PARTS"),
            [
                (
                    r.to,
                    r.state.value.lower(),
                    (r.provider_id if r.state is State.ACCEPTED else r.reason) or "",
                    "" if r.parts is None else r.parts,
                )
                for r in rows
            ],
        )
        line = f"{t.accepted} accepted, {t.rejected} rejected"
        if t.unknown:
            line += f", {t.unknown} unknown"
        if t.pending + t.sending:
            line += f", {t.pending + t.sending} not sent"
        ctx.print(line)

    ctx.emit(data, text)
    for state, reason, n in journal.reasons(job_id):
        print(f"switchboard: {n} {state.value.lower()}: {reason}", file=ctx.err)
    if last.status is not JobStatus.DONE:
        say_not_done(ctx, job_id, last.status.value, last.reason)
        return EXIT_ERROR
    if t.unknown:
        print(
            f"switchboard: {t.unknown} recipients have an unknown outcome; check the "
            f"provider's reports, then `switchboard jobs resume {job_id} --resend-unknown` "
            "if they did not receive it",
            file=ctx.err,
        )
    return EXIT_REJECTED if t.rejected or t.unknown else EXIT_OK


def confirm_send(ctx: Context, prepared: Prepared, *, assume_yes: bool) -> bool:
    """Say why a prepared send is refused (exit 2), show its preflight when the operator
    should read it, and ask what the confirmation policy needs; False (nothing sent) when
    nobody is left to send to."""
    refusal = prepared.refusal
    if refusal is not None:
        if refusal.stage is Stage.PREFLIGHT:
            # The request could not carry the text as asked: the preflight says why.
            if not ctx.json:
                print(prepared.text, file=ctx.err)
            raise UsageError(f"cannot send: {refusal.reason}")
        raise UsageError(refusal.reason)
    # A send the operator must confirm shows its preflight first, as in the console.
    asks = prepared.confirmation().need is not Need.NOTHING
    if prepared.warnings or asks:
        print(prepared.text, file=ctx.err)
    count = len(prepared.sendable)
    if not count:
        print("switchboard: nobody to send to", file=ctx.err)
        return False
    # After the checks (a send that cannot go is not worth a question), before the
    # journal: refused means nothing journaled and nothing sent.
    ctx.confirm(prepared.question(), assume_yes=assume_yes, count=count, destructive=False)
    return True


async def send_job(
    ctx: Context, args: argparse.Namespace, template: Request, values: list[str]
) -> int:
    """A landing, email, voice or WhatsApp send through the send use case: recipients
    normalised, validated and de-duplicated, checked, confirmed, journaled and sent;
    each recipient's result shown (exit 3 when any was not sent)."""
    subs = load_subs(getattr(args, "sub_file", None))
    request = SendRequest(args.account, template, Source(values=tuple(values), subs=subs))

    async def send(backend: Backend) -> int:
        prepared = await send_usecase.prepare(backend, request, check_first=True)
        if not confirm_send(ctx, prepared, assume_yes=args.yes):
            return EXIT_REJECTED
        with Journal(default_path()) as journal:
            job_id = send_usecase.create_job(journal, prepared, backend.provider)
            last: Progress | None = None
            with resumable(ctx, job_id):
                async for progress in run_job(journal, job_id, backend):
                    last = progress
            assert last is not None  # run_job always yields a final update
            code = show_job_result(ctx, journal, job_id, last)
        if last.totals.accepted:
            # The sender or template worked: the console offers it first on this account.
            remember_sent(args.account, template)
        return EXIT_REJECTED if code == EXIT_OK and prepared.not_sent else code

    return await with_backend(ctx, args.account, send)


def _to_arg(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--to", action="append", required=True, help=f"{what} (repeatable)")
    add_yes_arg(parser)


# --- commands -------------------------------------------------------------------------------


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the commands of this area."""
    _register_mail(sub, common)
    _register_voice(sub, common)
    _register_landing(sub, common)
    _register_scheduled(sub, common)


def _register_mail(sub: Any, common: argparse.ArgumentParser) -> None:
    mail = sub.add_parser("mail", help="send email")
    mail_sub = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)
    send = mail_sub.add_parser("send", parents=[common], help="send an email")
    add_account_arg(send)
    _to_arg(send, "recipient email")
    send.add_argument("--cc", action="append", default=[], help="carbon copy (repeatable)")
    send.add_argument("--bcc", action="append", default=[], help="blind copy (repeatable)")
    add_text_arg(send, "--from-email", required=True, help="verified sender address")
    send.add_argument("--from-name", help="sender name")
    add_text_arg(send, "--reply-to", required=True, help="verified reply-to address")
    add_text_arg(send, "--subject", required=True)
    content = send.add_mutually_exclusive_group(required=True)
    content.add_argument("--body", help="HTML body")
    content.add_argument("--body-file", help="file holding the HTML body")
    content.add_argument("--template-id", type=int, help="legacy template id")
    content.add_argument("--template-v2-id", type=int, help="template id")
    send.add_argument("--schedule", type=schedule_arg, help="send at (ISO 8601; local if naive)")
    add_campaign_args(send)
    send.add_argument("--certified", action="store_true", help="send as certified (costs more)")
    send.add_argument("--sub-file", help="JSON array of variables, one object per recipient")
    send.add_argument(
        "--attach", action="append", default=[], metavar="PATH", help="attach a file (repeatable)"
    )
    send.add_argument(
        "--track-opens", action=argparse.BooleanOptionalAction, help="opening pixel (default on)"
    )
    send.add_argument(
        "--track-clicks", action=argparse.BooleanOptionalAction, help="link tracking (default on)"
    )
    add_otp_args(send)
    send.set_defaults(handler=cmd_mail_send)


async def cmd_mail_send(ctx: Context, args: argparse.Namespace) -> int:
    """Send an email as a journaled job and print each recipient's result."""
    try:
        attachments = tuple(Attachment.from_path(p) for p in args.attach)
    except OSError as exc:
        raise UsageError(f"cannot attach: {exc}") from None
    request = MailingRequest(
        to=(),
        sender_email=args.from_email,
        subject=args.subject,
        reply_to=args.reply_to,
        body=read_text(args.body_file) if args.body_file else args.body,
        template_id=args.template_id,
        template_v2_id=args.template_v2_id,
        sender_name=args.from_name,
        cc=tuple(args.cc),
        bcc=tuple(args.bcc),
        schedule_date=args.schedule,
        campaign_name=args.campaign,
        tags=tuple(args.tag),
        certified=flag_option(args.certified),
        attachments=attachments,
        track_opens=args.track_opens,
        track_clicks=args.track_clicks,
        otp_config=otp_config(args),
    )
    return await send_job(ctx, args, request, args.to)


def _register_voice(sub: Any, common: argparse.ArgumentParser) -> None:
    voice = sub.add_parser("voice", help="voice calls")
    voice_sub = voice.add_subparsers(dest="voice_command", metavar="ACTION", required=True)
    send = voice_sub.add_parser(
        "send", parents=[common], help="call and read a text, or play an audio file"
    )
    add_account_arg(send)
    _to_arg(send, "phone number")
    what = send.add_mutually_exclusive_group(required=True)
    add_text_arg(what, "--message", help="text to read (at most 500 characters)")
    what.add_argument("--audio-url", help="play this audio file instead (mp3 or wav)")
    send.add_argument("--language", choices=VOICE_LANGUAGES, help="voice language (with --message)")
    send.add_argument("--gender", choices=VOICE_GENDERS, help="voice gender (with --message)")
    send.add_argument(
        "--caller",
        type=parse_caller,
        action="append",
        default=[],
        metavar="CC=NUMBER",
        help="caller id for a country (repeatable)",
    )
    send.add_argument("--schedule", type=schedule_arg, help="call at (ISO 8601; local if naive)")
    send.add_argument(
        "--retries", type=int, help=f"retries when unanswered (0-{MAX_VOICE_RETRIES})"
    )
    send.add_argument("--expires", type=when_arg, help="give up calling after (ISO 8601)")
    add_campaign_args(send)
    send.add_argument("--sub-file", help="JSON array of variables, one object per recipient")
    send.add_argument("--amd", action="store_true", help="hang up on answering machines")
    send.set_defaults(handler=cmd_voice_send)


async def cmd_voice_send(ctx: Context, args: argparse.Namespace) -> int:
    """Place calls as a journaled job (text to speech, or an audio file with --audio-url)."""
    common: dict[str, Any] = {
        "to": (),
        "callers": dict(args.caller),
        "schedule_date": args.schedule,
        "retries": args.retries,
        "expiration_date": args.expires,
        "campaign_name": args.campaign,
        "tags": tuple(args.tag),
        "amd": flag_option(args.amd),
    }
    request: VoiceRequest | VoiceAudioRequest
    if args.audio_url:
        if args.language or args.gender or args.sub_file:
            raise UsageError("--language, --gender and --sub-file go with --message, not audio")
        request = VoiceAudioRequest(audio_url=args.audio_url, **common)
    else:
        if not args.language or not args.gender:
            raise UsageError("a spoken message needs --language and --gender")
        request = VoiceRequest(
            message=args.message, language=args.language, gender=args.gender, **common
        )
    return await send_job(ctx, args, request, args.to)


def _register_landing(sub: Any, common: argparse.ArgumentParser) -> None:
    landing = sub.add_parser("landing", help="landing-page SMS")
    landing_sub = landing.add_subparsers(dest="landing_command", metavar="ACTION", required=True)
    send = landing_sub.add_parser("send", parents=[common], help="send an SMS with a landing page")
    add_account_arg(send)
    add_text_arg(send, "--from", dest="sender", required=True, help="sender id")
    _to_arg(send, "phone number")
    add_text_arg(send, "--message", required=True, help="SMS text; must contain {LAND_URL}")
    page = send.add_mutually_exclusive_group(required=True)
    page.add_argument("--template-body", help="landing page HTML")
    page.add_argument("--template-file", help="file holding the landing page HTML")
    page.add_argument("--template-id", type=int, help="legacy template id")
    page.add_argument("--template-v2-id", type=int, help="template id")
    add_sms_options(send, landing=True)
    send.set_defaults(handler=cmd_landing_send)


async def cmd_landing_send(ctx: Context, args: argparse.Namespace) -> int:
    """Send a landing SMS as a journaled job and print each recipient's result."""
    options = sms_options(args)
    del options["sub"]  # send_job reads --sub-file
    request = LandingRequest(
        to=(),
        sender=args.sender,
        message=args.message,
        template_body=read_text(args.template_file) if args.template_file else args.template_body,
        template_id=args.template_id,
        template_v2_id=args.template_v2_id,
        **options,
    )
    return await send_job(ctx, args, request, args.to)


def add_whatsapp_template(wa_sub: Any, common: argparse.ArgumentParser) -> None:
    """`whatsapp send-template` (registered by messaging, beside the conversations)."""
    send = wa_sub.add_parser(
        "send-template", parents=[common], help="send an approved template to numbers"
    )
    add_account_arg(send)
    add_text_arg(send, "--from", dest="sender", required=True, help="registered business number")
    _to_arg(send, "phone number")
    send.add_argument("--template-id", type=int, required=True)
    for flag, what in (
        ("--header-field", "header variable"),
        ("--body-field", "body variable"),
        ("--cta-field", "call-to-action variable"),
        ("--button-answer", "answer to a quick-reply button"),
    ):
        send.add_argument(flag, action="append", default=[], help=f"{what}, in order (repeatable)")
    send.add_argument("--default-answer", help="answer to the customer's first message")
    send.add_argument("--lat", help="latitude (location templates)")
    send.add_argument("--long", help="longitude (location templates)")
    send.add_argument("--location-name")
    send.add_argument("--location-address")
    add_campaign_args(send)
    send.set_defaults(handler=cmd_wa_send_template)


async def cmd_wa_send_template(ctx: Context, args: argparse.Namespace) -> int:
    """Send a WhatsApp template as a journaled job, the same variables to every recipient."""
    if (args.lat is None) != (args.long is None):
        raise UsageError("a location needs both --lat and --long")
    location = (
        WhatsAppLocation(args.lat, args.long, args.location_name, args.location_address)
        if args.lat is not None
        else None
    )
    request = WhatsAppTemplateRequest(
        template_id=args.template_id,
        sender=args.sender,
        messages=(
            WhatsAppTemplateMessage(
                to="",
                header_fields=tuple(args.header_field),
                body_fields=tuple(args.body_field),
                call_to_action_fields=tuple(args.cta_field),
                default_answer=args.default_answer,
                button_answers=tuple(args.button_answer),
                location=location,
            ),
        ),
        campaign_name=args.campaign,
        tags=tuple(args.tag),
    )
    return await send_job(ctx, args, request, args.to)


# --- scheduled ------------------------------------------------------------------------------


def _register_scheduled(sub: Any, common: argparse.ArgumentParser) -> None:
    scheduled = sub.add_parser("scheduled", help="messages waiting for their send date")
    s_sub = scheduled.add_subparsers(dest="scheduled_command", metavar="ACTION", required=True)
    listing = s_sub.add_parser("list", parents=[common], help="list scheduled messages")
    add_account_arg(listing)
    listing.add_argument("--guid", action="append", default=[], help="only these (repeatable)")
    listing.add_argument("--type", choices=SCHEDULED_TYPES)
    listing.add_argument("--sending-id", type=int)
    listing.set_defaults(handler=cmd_scheduled_list)
    for name, verb in (("reschedule", "move"), ("delete", "cancel")):
        cmd = s_sub.add_parser(name, parents=[common], help=f"{verb} scheduled messages")
        add_account_arg(cmd)
        cmd.add_argument("--guid", action="append", default=[], help="message GUID (repeatable)")
        cmd.add_argument(
            "--all", action="store_true", help=f"{verb} EVERY scheduled message (of --type)"
        )
        cmd.add_argument("--type", choices=SCHEDULED_TYPES)
        cmd.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
        if name == "reschedule":
            cmd.add_argument(
                "--date", type=when_arg, required=True, help="new date (ISO 8601; local if naive)"
            )
        cmd.set_defaults(handler=cmd_scheduled_change, action_name=name)


async def cmd_scheduled_list(ctx: Context, args: argparse.Namespace) -> int:
    """List scheduled messages; one --guid also shows its content."""
    kind: ScheduledType | None = args.type

    async def listing(backend: Backend) -> int:
        result = await backend.capability(ScheduledApi).scheduled_list(
            args.guid or None, kind, args.sending_id
        )

        def text() -> None:
            rows = [
                (m.guid, m.type, m.sending_id, fmt_time(m.scheduled_at), fmt_time(m.updated_at))
                for m in result.items
            ]
            table(ctx, ("GUID", "TYPE", "SENDING", "SCHEDULED", "UPDATED"), rows)
            for m in result.items:
                for key, value in (m.content or {}).items():
                    ctx.print(f"  {key}: {value}")
            ctx.print(f"{result.total} scheduled")

        ctx.emit_list(result.items, text, total=result.total)
        return EXIT_OK

    return await with_backend(ctx, args.account, listing)


async def cmd_scheduled_change(ctx: Context, args: argparse.Namespace) -> int:
    """Reschedule or delete; every message only with --all, confirmed."""
    kind: ScheduledType | None = args.type
    rescheduling = args.action_name == "reschedule"
    if args.guid and args.all:
        raise UsageError("give --guid or --all, not both")
    if not args.guid:
        if not args.all:
            raise UsageError(
                f"no --guid given: refusing to {args.action_name} every scheduled message "
                "(use --all for that)"
            )
        scope = f"EVERY scheduled {kind} message" if kind else "EVERY scheduled message"
        when = f" to {fmt_time(args.date.astimezone(UTC))}" if rescheduling else ""
        # Every message, however many: the operator types the phrase, as in the console.
        ctx.confirm(
            f"{args.action_name.capitalize()} {scope}{when}?",
            assume_yes=args.yes,
            count=None,
            every=RESCHEDULE_ALL_PHRASE if rescheduling else DELETE_ALL_PHRASE,
        )

    async def change(backend: Backend) -> int:
        result: ScheduledChange
        if rescheduling and args.guid:
            result = await backend.capability(ScheduledApi).scheduled_update(
                args.guid, args.date, kind
            )
        elif rescheduling:
            result = await backend.capability(ScheduledApi).scheduled_update_all(args.date, kind)
        elif args.guid:
            result = await backend.capability(ScheduledApi).scheduled_delete(args.guid, kind)
        else:
            result = await backend.capability(ScheduledApi).scheduled_delete_all(kind)
        done = "Rescheduled" if rescheduling else "Deleted"
        ctx.emit(result, lambda: ctx.print(f"{done} {result.count} scheduled message(s)."))
        return EXIT_OK if result.result else EXIT_REJECTED

    return await with_backend(ctx, args.account, change)
