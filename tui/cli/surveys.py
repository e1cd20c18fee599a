"""`switchboard survey send` and `switchboard request send`.

Commands are named after what they do, like `sms send`, not after a provider: the
account (-a) picks the provider, and the command refuses accounts whose backend does not
declare the capability. A survey send is a journaled job (tui.usecases.surveys): its
progress, each contact's outcome, and `switchboard jobs resume` after a pause or a crash.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from backends.base import Backend
from backends.capabilities import DocumentRequestsApi, SurveysApi
from backends.models.surveys import SentRequest, SurveyMedium
from tui.cli.common import (
    EXIT_OK,
    Context,
    HeldContext,
    UsageError,
    add_account_arg,
    add_yes_arg,
    require,
    resumable,
    table,
    with_backend,
)
from tui.cli.jobs import follow
from tui.dates import fmt_time
from tui.engine.journal import Journal, default_path
from tui.engine.journal_rows import State
from tui.usecases.jobs import JobResult
from tui.usecases.surveys import (
    ContactsInput,
    NoContacts,
    RequestForm,
    SurveyRefused,
    create_survey,
    document_request,
    read_contacts,
    run_survey,
    send_request,
    survey_question,
    survey_results,
)

MEDIUMS = {m.name.lower(): m for m in SurveyMedium}


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the survey and request commands."""
    s = sub.add_parser("survey", help="send surveys (e.g. Xebo collectors)")
    ss = s.add_subparsers(dest="survey_command", metavar="ACTION", required=True)
    send = ss.add_parser(
        "send", parents=[common], help="send a survey to contacts (a journaled, resumable job)"
    )
    add_account_arg(send)
    send.add_argument("--medium", required=True, choices=sorted(MEDIUMS), help="channel")
    send.add_argument(
        "--to", action="append", default=[], metavar="ADDRESS", help="a mobile or email"
    )
    send.add_argument(
        "--contact",
        action="append",
        default=[],
        metavar="JSON",
        help='a contact with custom fields: \'{"email": "a@b.c", "city": "Delhi"}\'',
    )
    send.add_argument(
        "--contacts-file",
        type=Path,
        help="CSV with a header row (email, mobile, custom columns) or a JSON array",
    )
    add_yes_arg(send)
    send.set_defaults(handler=cmd_survey_send)

    r = sub.add_parser("request", help="document/information requests (e.g. Collect)")
    rs = r.add_subparsers(dest="request_command", metavar="ACTION", required=True)
    rq = rs.add_parser("send", parents=[common], help="send a request for a campaign")
    add_account_arg(rq)
    rq.add_argument("--campaign", required=True, help="campaign id")
    who = rq.add_mutually_exclusive_group(required=True)
    who.add_argument("--contact-id", help="an existing contact's id")
    who.add_argument("--email", help="a new contact's email (an existing one is reused)")
    rq.add_argument("--first-name")
    rq.add_argument("--last-name")
    rq.add_argument("--company")
    rq.add_argument(
        "--contact-data", action="append", default=[], metavar="KEY=VALUE", help="repeatable"
    )
    rq.add_argument("--item", action="append", default=[], help="only this item id (repeatable)")
    rq.add_argument("--data", action="append", default=[], metavar="KEY=VALUE", help="request data")
    rq.add_argument("--sample-item", help="item id the sample file illustrates")
    rq.add_argument("--sample-url", help="URL of the sample file")
    rq.add_argument("--due", help="due date, ISO 8601 (no offset: local time)")
    rq.add_argument("--created-by", help="id of the user sending the request")
    rq.add_argument("--assigned-to", help="team member id or email")
    rq.add_argument(
        "--send-message",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="send the campaign's planned messages (default: the campaign's setting)",
    )
    rq.set_defaults(handler=cmd_request_send)


# --- surveys -------------------------------------------------------------------------------


def _show_survey(ctx: Context, result: JobResult) -> None:
    """The contacts not accepted, with the provider's reason (accepted ones: in --json
    and `jobs export`)."""
    rows = [
        (r.to, r.state.value, r.reason or "")
        for r in result.results or ()
        if r.state is not State.ACCEPTED
    ]
    if rows:
        table(ctx, ("CONTACT", "STATE", "REASON"), rows)
    # One msgId per request: a job of several batches has several.
    refs = sorted({r.provider_id for r in result.results or () if r.provider_id})
    if len(refs) == 1:
        ctx.print(f"Provider message id: {refs[0]}")
    elif refs:
        ctx.print(f"Provider message ids (one per request): {', '.join(refs)}")


async def cmd_survey_send(ctx: Context, args: argparse.Namespace) -> int:
    """Send a survey as a journaled job; each contact's outcome (exit 3 if any was not
    accepted, 1 if the job paused: `jobs resume` carries on)."""
    given = ContactsInput(MEDIUMS[args.medium], args.to, args.contact, args.contacts_file)
    try:
        found = read_contacts(given)
    except NoContacts:
        raise UsageError("no contacts: use --to, --contact or --contacts-file") from None
    except SurveyRefused as exc:
        raise UsageError(str(exc)) from None
    if found.repeated:
        print(f"switchboard: {found.repeated} repeated address(es) left out", file=ctx.err)
    require(ctx, args.account, SurveysApi)
    # A 5,000-row --contacts-file once went out unasked: confirmed as any bulk send.
    n = len(found.contacts)
    ctx.confirm(survey_question(found), assume_yes=args.yes, count=n, destructive=False)
    backend = await ctx.workspace.open(args.account)
    async with backend:
        with Journal(default_path()) as journal:
            job_id = await create_survey(journal, args.account, backend, found)
            # With --json, the job's summary and its contacts' outcomes are one document.
            held = HeldContext.of(ctx)
            with resumable(ctx, job_id):
                code = await follow(held, run_survey(journal, job_id, backend))
            result = survey_results(journal, job_id)
    omitted = result.totals.total - len(result.results or ())
    ctx.emit(
        result.to_json() | {"results_omitted": omitted},
        lambda: _show_survey(ctx, result),
    )
    return code


# --- document requests -----------------------------------------------------------------------


def key_values(items: list[str], option: str) -> dict[str, str]:
    """KEY=VALUE pairs, or UsageError."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value
    return out


def document_form(args: argparse.Namespace) -> RequestForm:
    """The request the arguments describe, as the use case takes it."""
    return RequestForm(
        campaign=args.campaign,
        contact_id=args.contact_id or "",
        email=args.email or "",
        first_name=args.first_name or "",
        last_name=args.last_name or "",
        company=args.company or "",
        contact_data=key_values(args.contact_data, "--contact-data"),
        items=tuple(args.item),
        data=key_values(args.data, "--data"),
        sample_item=args.sample_item or "",
        sample_url=args.sample_url or "",
        due=args.due or "",
        created_by=args.created_by or "",
        assigned_to=args.assigned_to or "",
        send_message=args.send_message,
    )


def _show_request(ctx: Context, sent: SentRequest) -> None:
    who = sent.contact.email if sent.contact else ""
    ctx.print(f"Request {sent.id} created for {who or 'the contact'}: {sent.status}.")
    ctx.print(f"Portal URL: {sent.portal_url}")
    if sent.due_date:
        ctx.print(f"Due: {fmt_time(sent.due_date)}")
    for error in sent.errors:
        ctx.print(f"Warning: {error}")


async def cmd_request_send(ctx: Context, args: argparse.Namespace) -> int:
    """Send a document request; show the portal URL and status."""
    try:
        request = document_request(document_form(args))
    except SurveyRefused as exc:
        raise UsageError(str(exc)) from None
    require(ctx, args.account, DocumentRequestsApi)

    async def send(backend: Backend) -> int:
        sent = await send_request(backend, request)
        ctx.emit(sent, lambda: _show_request(ctx, sent))
        return EXIT_OK

    return await with_backend(ctx, args.account, send)
