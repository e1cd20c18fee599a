"""`switchboard survey send` and `switchboard request send`.

Commands are named after what they do, like `sms send`, not after a provider: the
account (-a) picks the provider, and the command refuses accounts whose backend does not
declare the capability.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from backends.base import Backend, Capability
from backends.capabilities import DocumentRequestsApi, SurveysApi
from backends.models_surveys import (
    ADDRESS_KEYS,
    DocumentRequest,
    NewRequestContact,
    RequestSample,
    SentRequest,
    SurveyContact,
    SurveyMedium,
    SurveySend,
    SurveySendResult,
    check_contacts,
    check_document_request,
    contact_from_row,
    unique_contacts,
)
from tui.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    Context,
    UsageError,
    add_account_arg,
    add_yes_arg,
    table,
    with_backend,
)
from tui.dates import fmt_time, parse_when
from tui.engine.recipients import csv_rows

MEDIUMS = {m.name.lower(): m for m in SurveyMedium}


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the survey and request commands."""
    s = sub.add_parser("survey", help="send surveys (e.g. Xebo collectors)")
    ss = s.add_subparsers(dest="survey_command", metavar="ACTION", required=True)
    send = ss.add_parser("send", parents=[common], help="send a survey to contacts")
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


def _require(backend: Backend, capability: Capability, what: str) -> None:
    if not backend.supports(capability):
        raise UsageError(f"{backend.label} accounts cannot send {what}")


# --- surveys -------------------------------------------------------------------------------


def contact_from(row: dict[str, Any], where: str) -> SurveyContact:
    """A survey contact from a flat object; empty values are dropped."""
    contact = contact_from_row(row)
    for key in ADDRESS_KEYS:
        value = getattr(contact, key)
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{where}: {key} must be a string")
    return contact


def _read_contacts_file(path: Path) -> list[SurveyContact]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if path.suffix.lower() == ".json":
        try:
            rows = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise UsageError(f"{path} is not valid JSON: {exc}") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise UsageError(f"{path}: expected a JSON array of objects")
        return [contact_from(r, f"{path} item {i}") for i, r in enumerate(rows, 1)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    try:
        rows = csv_rows(text)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from None
    return [contact_from(r, f"{path} row {i}") for i, r in enumerate(rows, 1)]


def survey_contacts(args: argparse.Namespace, medium: SurveyMedium) -> list[SurveyContact]:
    """Contacts from --to, --contact and --contacts-file; each must have the medium's kind of
    address (an email for email, a mobile number for SMS and WhatsApp)."""
    key = medium.address_key
    contacts = [
        SurveyContact(email=a.strip()) if key == "email" else SurveyContact(mobile=a.strip())
        for a in args.to
    ]
    for i, text in enumerate(args.contact, 1):
        try:
            row = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise UsageError(f"--contact #{i} is not a JSON object") from None
        if not isinstance(row, dict):
            raise UsageError(f"--contact #{i} is not a JSON object")
        contacts.append(contact_from(row, f"--contact #{i}"))
    if args.contacts_file is not None:
        contacts.extend(_read_contacts_file(args.contacts_file))
    if not contacts:
        raise UsageError("no contacts: use --to, --contact or --contacts-file")
    try:
        check_contacts(contacts, medium)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return contacts


def _show_survey_result(ctx: Context, result: SurveySendResult) -> None:
    ref = f" (message id {result.message_id})" if result.message_id else ""
    ctx.print(f"Accepted {result.accepted}, rejected {result.rejected}{ref}.")
    if result.rejected_list:
        rows = [
            (", ".join(f"{k}={v}" for k, v in r.contact.items()), r.reason or "?")
            for r in result.rejected_list
        ]
        table(ctx, ("REJECTED CONTACT", "REASON"), rows)


async def cmd_survey_send(ctx: Context, args: argparse.Namespace) -> int:
    """Send a survey and show accepted/rejected counts and the rejected contacts."""
    medium = MEDIUMS[args.medium]
    contacts, repeated = unique_contacts(survey_contacts(args, medium), medium)
    if repeated:
        print(f"switchboard: {repeated} repeated address(es) left out", file=ctx.err)

    async def send(backend: Backend) -> int:
        _require(backend, Capability.SURVEYS, "surveys")
        # One request carries every contact: confirmed as any bulk send (a 5,000-row
        # --contacts-file once went out unasked); refused means nothing sent.
        ctx.confirm(
            f"Send the survey by {args.medium} to {len(contacts)} contacts?",
            assume_yes=args.yes,
            count=len(contacts),
            destructive=False,
        )
        result = await backend.capability(SurveysApi).send_survey(
            SurveySend(medium, tuple(contacts))
        )
        ctx.emit(result, lambda: _show_survey_result(ctx, result))
        return EXIT_REJECTED if result.rejected else EXIT_OK

    return await with_backend(ctx, args.account, send)


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


def parse_due(text: str) -> datetime:
    """An ISO 8601 date or date-time (tui.dates: local time without an offset)."""
    try:
        return parse_when(text)
    except ValueError as exc:
        raise UsageError(f"--due: {exc}") from None


def document_request(args: argparse.Namespace) -> DocumentRequest:
    """The request the arguments describe."""
    contact: NewRequestContact | str
    if args.contact_id is not None:
        if args.first_name or args.last_name or args.company or args.contact_data:
            raise UsageError("--first-name, --last-name, --company and --contact-data need --email")
        contact = args.contact_id
    else:
        contact = NewRequestContact(
            email=args.email,
            first_name=args.first_name,
            last_name=args.last_name,
            company=args.company,
            data=key_values(args.contact_data, "--contact-data"),
        )
    if bool(args.sample_item) != bool(args.sample_url):
        raise UsageError("--sample-item and --sample-url go together")
    request = DocumentRequest(
        campaign_id=args.campaign,
        contact=contact,
        items=tuple(args.item),
        data=key_values(args.data, "--data"),
        sample=RequestSample(args.sample_item, args.sample_url) if args.sample_item else None,
        due_date=parse_due(args.due) if args.due else None,
        created_by=args.created_by,
        assigned_to=args.assigned_to,
        send_message=args.send_message,
    )
    try:
        check_document_request(request)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return request


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
    request = document_request(args)

    async def send(backend: Backend) -> int:
        _require(backend, Capability.DOCUMENT_REQUESTS, "document requests")
        sent = await backend.capability(DocumentRequestsApi).send_request(request)
        ctx.emit(sent, lambda: _show_request(ctx, sent))
        return EXIT_OK

    return await with_backend(ctx, args.account, send)
