"""`switchboard sms|otp|whatsapp ...`: sending, codes and conversations."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from backends.base import Backend
from backends.capabilities import SmsStatusApi
from tui.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    Context,
    UsageError,
    add_account_arg,
    add_rate_args,
    add_text_arg,
    add_yes_arg,
    limiter_of,
    reads_stdin,
    resumable,
    table,
    with_backend,
)
from tui.cli.jobs import follow
from tui.cli.send_options import add_sms_options, sms_options
from tui.cli.sending import add_whatsapp_template, confirm_send
from tui.dates import fmt_time
from tui.engine.journal import Journal, default_path
from tui.engine.phones import DEFAULT_REGION
from tui.engine.placeholders import check_filters
from tui.engine.sender import run_job
from tui.usecases import conversations as chats
from tui.usecases import otp as otp_usecase
from tui.usecases import send as send_usecase
from tui.usecases.otp import (
    CheckRequest,
    GenerateRequest,
    OtpRefused,
    checked_check,
    checked_generate,
)
from tui.usecases.send import SendRequest, SmsMessage, Source


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the sms, otp and whatsapp commands."""
    sms = sub.add_parser("sms", help="send SMS and look them up")
    sms_sub = sms.add_subparsers(dest="sms_command", metavar="ACTION", required=True)
    send = sms_sub.add_parser("send", parents=[common], help="send an SMS")
    add_account_arg(send)
    add_text_arg(send, "--from", dest="sender", required=True, help="sender id")
    send.add_argument("--to", action="append", help="recipient (repeatable)")
    send.add_argument(
        "--csv", metavar="FILE", help="recipients from a CSV file with a header ('-': stdin)"
    )
    reads_stdin(send, "csv")
    send.add_argument("--to-column", metavar="COL", help="the CSV column holding the numbers")
    send.add_argument("--group", metavar="NAME", help="recipients from a contact group (or id)")
    send.add_argument("--region", default=DEFAULT_REGION, help="region of national numbers")
    add_text_arg(send, "--message", required=True)
    send.add_argument("--dry-run", action="store_true", help="preflight only: send nothing")
    add_yes_arg(send)
    send.add_argument("--marketing", action="store_true", help="check countries' marketing hours")
    send.add_argument("--results", metavar="FILE", help="write each recipient's result as CSV")
    add_rate_args(send)
    add_sms_options(send)
    send.set_defaults(handler=cmd_sms_send)
    status = sms_sub.add_parser("status", parents=[common], help="show sent messages by id")
    add_account_arg(status)
    status.add_argument("ids", nargs="+")
    status.set_defaults(handler=cmd_sms_status)

    otp = sub.add_parser("otp", help="generate and check one-time codes")
    otp_sub = otp.add_subparsers(dest="otp_command", metavar="ACTION", required=True)
    gen = otp_sub.add_parser("generate", parents=[common], help="generate a code")
    add_account_arg(gen)
    gen.add_argument("--recipient", required=True, help="phone number or email")
    gen.add_argument("--length", type=int, help="code length (3-10)")
    gen.add_argument("--alpha", action="store_true", help="alphanumeric code")
    gen.add_argument("--max-attempts", type=int, help="checks allowed (1-10)")
    gen.add_argument("--validity", type=int, help="seconds the code is valid (30-600)")
    gen.add_argument("--app-id", help="separate codes per application")
    gen.add_argument(
        "--reject-if-pending", action="store_true", help="refuse while a code is pending"
    )
    gen.set_defaults(handler=cmd_otp_generate)
    check = otp_sub.add_parser("check", parents=[common], help="check a code")
    add_account_arg(check)
    check.add_argument("--recipient", required=True)
    check.add_argument("--code", required=True)
    check.add_argument("--app-id")
    check.add_argument("--case-sensitive", action="store_true")
    check.set_defaults(handler=cmd_otp_check)

    wa = sub.add_parser("whatsapp", help="WhatsApp conversations")
    wa_sub = wa.add_subparsers(dest="wa_command", metavar="ACTION", required=True)
    convs = wa_sub.add_parser("conversations", parents=[common], help="list conversations")
    add_account_arg(convs)
    convs.add_argument("--from", dest="sender", help="filter by business sender")
    convs.add_argument("--to", dest="recipient", help="filter by customer")
    convs.add_argument("--page", type=int, default=1)
    convs.add_argument("--limit", type=int, default=100)
    convs.set_defaults(handler=cmd_wa_conversations)
    conv = wa_sub.add_parser("conversation", parents=[common], help="show one conversation")
    add_account_arg(conv)
    conv.add_argument("sender", metavar="FROM")
    conv.add_argument("recipient", metavar="TO")
    conv.set_defaults(handler=cmd_wa_conversation)
    msgs = wa_sub.add_parser("messages", parents=[common], help="show a conversation's messages")
    add_account_arg(msgs)
    msgs.add_argument("sender", metavar="FROM")
    msgs.add_argument("recipient", metavar="TO")
    msgs.add_argument("--page", type=int, default=1)
    msgs.add_argument("--limit", type=int, default=100)
    msgs.set_defaults(handler=cmd_wa_messages)
    reply = wa_sub.add_parser("reply", parents=[common], help="reply inside the 24 h session")
    add_account_arg(reply)
    reply.add_argument("sender", metavar="FROM")
    reply.add_argument("recipient", metavar="TO")
    # Not add_text_arg: the reply use case refuses a blank message before any request, in the
    # words the console uses too ("type a message first").
    reply.add_argument("--message", required=True)
    reply.set_defaults(handler=cmd_wa_reply)
    add_whatsapp_template(wa_sub, common)


async def cmd_sms_send(ctx: Context, args: argparse.Namespace) -> int:
    """Preflight, confirm, journal and send an SMS job; exit 3 if anyone was not sent."""
    if sum(map(bool, (args.to, args.csv, args.group))) != 1:
        raise UsageError("give the recipients with --to, --csv or --group (one of them)")
    if args.to_column and not args.csv:
        raise UsageError("--to-column goes with --csv")
    args.to = args.to or []
    # A known rate is kept from the start; without one the engine learns it from the
    # provider's 429s (each costs a Retry-After pause).
    limiter = limiter_of(args)
    try:
        check_filters(args.message)
    except ValueError as exc:
        raise UsageError(f"--message: {exc}") from None
    options = sms_options(args)
    subs: tuple[Mapping[str, str], ...] = options.pop("sub")
    if subs and not args.to:
        raise UsageError("--sub-file goes with --to; CSV columns and contacts carry variables")
    if args.notification_url_column and not args.csv:
        raise UsageError("--notification-url-column goes with --csv")
    if args.notification_url_column and args.notification_url:
        raise UsageError("give --notification-url or --notification-url-column, not both")
    request = SendRequest(
        args.account,
        SmsMessage(
            args.sender,
            args.message,
            options,
            marketing=args.marketing,
            notification_url_column=args.notification_url_column,
        ),
        Source(
            values=tuple(args.to),
            subs=subs,
            csv=args.csv,
            to_column=args.to_column,
            group=args.group,
            region=args.region,
        ),
        label="SMS",
    )
    backend = await ctx.workspace.open(args.account)
    async with backend:
        prepared = await send_usecase.prepare(backend, request, check_first=not args.dry_run)
        if args.dry_run and prepared.refusal is None:
            data = {"preflight": prepared.summary, "invalid": prepared.recipients.invalid}
            ctx.emit(data, lambda: ctx.print(prepared.text))
            return EXIT_OK
        if not confirm_send(ctx, prepared, assume_yes=args.yes):
            return EXIT_REJECTED
        with Journal(default_path()) as journal:
            job_id = send_usecase.create_job(journal, prepared, backend.provider)
            with resumable(ctx, job_id):
                code = await follow(ctx, run_job(journal, job_id, backend, limiter=limiter))
            totals = journal.totals(job_id)
            for state, reason, n in journal.reasons(job_id):
                print(f"switchboard: {n} {state.value.lower()}: {reason}", file=ctx.err)
            if totals.unknown:
                print(
                    f"switchboard: {totals.unknown} recipients have an unknown outcome; check "
                    f"the provider's reports, then `switchboard jobs resume {job_id} "
                    "--resend-unknown` if they did not receive it",
                    file=ctx.err,
                )
            if args.results:
                send_usecase.write_results(args.results, journal, job_id, prepared)
    return EXIT_REJECTED if code == EXIT_OK and prepared.not_sent else code


async def cmd_sms_status(ctx: Context, args: argparse.Namespace) -> int:
    """Show sent messages and their events."""

    async def status(backend: Backend) -> int:
        ids = [i for arg in args.ids for i in arg.split(",") if i]
        messages = await backend.capability(SmsStatusApi).sms_status(ids)
        ctx.emit(
            messages,
            lambda: table(
                ctx,
                ("ID", "TO", "FROM", "DELIVERED", "EVENTS"),
                [
                    (
                        m.id,
                        m.to,
                        m.sender,
                        "yes" if m.delivered else "no",
                        ", ".join(e.type for e in m.events),
                    )
                    for m in messages
                ],
            ),
        )
        return EXIT_OK

    return await with_backend(ctx, args.account, status)


async def cmd_otp_generate(ctx: Context, args: argparse.Namespace) -> int:
    """Generate an OTP code."""
    request = GenerateRequest(
        args.recipient,
        length=args.length,
        alpha=args.alpha,
        max_attempts=args.max_attempts,
        validity=args.validity,
        app_id=args.app_id,
        reject_if_pending=args.reject_if_pending,
    )
    try:
        checked_generate(request)
    except OtpRefused as exc:
        raise UsageError(str(exc)) from None

    async def generate(backend: Backend) -> int:
        otp = await otp_usecase.generate(backend, request)
        ctx.emit(
            otp,
            lambda: ctx.print(
                f"Code {otp.code} for {otp.recipient}: {otp.attempts_left} attempts, "
                f"expires {fmt_time(otp.expires_at)}"
            ),
        )
        return EXIT_OK

    return await with_backend(ctx, args.account, generate)


async def cmd_otp_check(ctx: Context, args: argparse.Namespace) -> int:
    """Check an OTP code; exit 3 when it is not valid."""
    request = CheckRequest(args.recipient, args.code, args.app_id, args.case_sensitive)
    try:
        checked_check(request)
    except OtpRefused as exc:
        raise UsageError(str(exc)) from None

    async def check(backend: Backend) -> int:
        result = await otp_usecase.check(backend, request)
        left = f" ({result.otp.attempts_left} attempts left)" if result.otp else ""
        ctx.emit(
            result,
            lambda: ctx.print(f"{'valid' if result.valid else 'not valid'}: {result.reason}{left}"),
        )
        return EXIT_OK if result.valid else EXIT_REJECTED

    return await with_backend(ctx, args.account, check)


async def cmd_wa_conversations(ctx: Context, args: argparse.Namespace) -> int:
    """List WhatsApp conversations."""

    async def conversations(backend: Backend) -> int:
        page = await chats.list_conversations(
            backend, page=args.page, limit=args.limit, sender=args.sender, recipient=args.recipient
        )

        def show() -> None:
            rows = [
                (
                    c.sender,
                    c.recipient,
                    f"{c.contact.first_name} {c.contact.last_name}".strip() if c.contact else "",
                    c.total_messages,
                    "active" if c.session_active else "closed",
                    fmt_time(c.session_expires_at),
                )
                for c in page.items
            ]
            table(ctx, ("FROM", "TO", "NAME", "MESSAGES", "SESSION", "EXPIRES"), rows)
            ctx.print(f"page {page.page} of {page.total_pages}, {page.total} in all")

        ctx.emit(page, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, conversations)


async def cmd_wa_conversation(ctx: Context, args: argparse.Namespace) -> int:
    """Show one conversation (GET /whatsapp/conversations/{from}/{to})."""

    async def conversation(backend: Backend) -> int:
        c = await chats.open_conversation(backend, args.sender, args.recipient)

        def show() -> None:
            who = c.contact
            name = f"{who.first_name} {who.last_name}".strip() if who else ""
            session = (
                f"active until {fmt_time(c.session_expires_at)}"
                if c.session_active
                else "closed: only a template can be sent"
            )
            for label, value in (
                ("from", c.sender),
                ("to", c.recipient),
                ("name", name),
                ("email", who.email if who else ""),
                ("country", who.country if who else ""),
                ("status", c.status),
                ("messages", c.total_messages),
                ("session", session),
                ("started", fmt_time(c.created_at)),
                ("last", fmt_time(c.updated_at)),
            ):
                if value not in (None, ""):
                    ctx.print(f"{label:>9}: {value}")

        ctx.emit(c, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, conversation)


async def cmd_wa_messages(ctx: Context, args: argparse.Namespace) -> int:
    """Show a conversation's messages."""

    async def messages(backend: Backend) -> int:
        result = await chats.messages(
            backend, args.sender, args.recipient, page=args.page, limit=args.limit
        )
        session = (
            f"session active until {fmt_time(result.session_expires_at)}"
            if result.session_active
            else "session closed: only a template can be sent"
        )

        def show() -> None:
            rows = [
                (fmt_time(m.sent_at), m.msisdn, m.state, m.content, " ".join(m.reactions))
                for m in result.messages
            ]
            table(ctx, ("SENT", "FROM", "STATE", "TEXT", "REACTIONS"), rows)
            ctx.print(session)

        ctx.emit(result, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, messages)


async def cmd_wa_reply(ctx: Context, args: argparse.Namespace) -> int:
    """Reply in a conversation."""
    try:
        text = chats.checked_reply(args.message)
    except chats.ReplyRefused as exc:
        raise UsageError(str(exc)) from None

    async def reply(backend: Backend) -> int:
        message = await chats.reply(backend, args.sender, args.recipient, text)
        # A provider may answer a reply with no body (360nrs documents none): then there
        # is no id to show, and --json prints null.
        said = f"Sent ({message.id})." if message is not None and message.id else "Sent."
        ctx.emit(message, lambda: ctx.print(said))
        return EXIT_OK

    return await with_backend(ctx, args.account, reply)
