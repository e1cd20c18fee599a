"""`switchboard contacts|groups ...`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from backends.base import Backend
from backends.capabilities import ContactsApi, ContactsListingApi, GroupsApi
from backends.models.common import Contact, ContactFilter, ContactInput, CustomField, split_type
from backends.registry import backend_class
from tui.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    Context,
    UsageError,
    add_account_arg,
    check_writable,
    table,
    with_backend,
)
from tui.cli.handlers import add_paging, delete_one, emit_listing, emit_one
from tui.usecases.confirm import CONFIRM_ABOVE
from tui.usecases.contacts import (
    ContactRefused,
    ContactRules,
    check_contact,
    parse_groups,
    search_contacts,
)
from tui.usecases.contacts_io import (
    GROUP_SEPARATOR,
    ImportRequest,
    ImportResult,
    export_contacts,
    import_contacts,
    iter_rows,
    read_csv_head,
)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the contacts and groups commands."""
    c = sub.add_parser("contacts", help="address-book contacts")
    cs = c.add_subparsers(dest="contacts_command", metavar="ACTION", required=True)
    ls = cs.add_parser("list", parents=[common], help="list contacts (server-side filters)")
    add_account_arg(ls)
    add_filter_args(ls)
    ls.add_argument(
        "--search",
        metavar="TEXT",
        help="any part of a name, surname, email or number (every page is read; the "
        "filters above still apply)",
    )
    add_paging(ls)
    ls.set_defaults(handler=cmd_contacts_list)
    show = cs.add_parser("show", parents=[common], help="show a contact")
    add_account_arg(show)
    show.add_argument("id", type=int)
    show.set_defaults(handler=cmd_contacts_show)
    for action, helptext in (
        ("create", "create a contact"),
        ("update", "change a contact (what the provider allows; some replace it whole)"),
    ):
        p = cs.add_parser(action, parents=[common], help=helptext)
        add_account_arg(p)
        if action == "update":
            p.add_argument("id", type=int)
        p.add_argument("--email")
        p.add_argument("--phone")
        p.add_argument("--landline")
        p.add_argument(
            "--country", help="two-letter ISO code (some providers need it with a phone)"
        )
        p.add_argument("--name")
        p.add_argument("--surname")
        p.add_argument("--external-id")
        p.add_argument("--group-id", type=int, action="append", default=[])
        p.add_argument("--group", action="append", default=[], help="group name (repeatable)")
        p.add_argument(
            "--field",
            action="append",
            default=[],
            metavar="KEY=VALUE[:TYPE]",
            help="custom field; TYPE is string, date or decimal",
        )
        p.set_defaults(handler=cmd_contacts_create if action == "create" else cmd_contacts_update)
    imp = cs.add_parser(
        "import",
        parents=[common],
        help="create contacts from a CSV file (columns matched by name, as the console's export"
        " writes them)",
    )
    add_account_arg(imp)
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="G",
        help="a group every contact joins, by name or id (repeatable), besides a groups column",
    )
    imp.add_argument("--dry-run", action="store_true", help="check every row, create nothing")
    imp.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help=f"do not ask for confirmation (asked above {CONFIRM_ABOVE} rows)",
    )
    imp.set_defaults(handler=cmd_contacts_import)
    ex = cs.add_parser("export", parents=[common], help="write contacts to a CSV file")
    add_account_arg(ex)
    ex.add_argument("file", type=Path, metavar="FILE")
    add_filter_args(ex)
    ex.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    ex.set_defaults(handler=cmd_contacts_export)
    rm = cs.add_parser("delete", parents=[common], help="delete a contact")
    add_account_arg(rm)
    rm.add_argument("id", type=int)
    rm.add_argument("--yes", action="store_true")
    rm.set_defaults(handler=cmd_contacts_delete)

    g = sub.add_parser("groups", help="contact groups")
    gs = g.add_subparsers(dest="groups_command", metavar="ACTION", required=True)
    gl = gs.add_parser("list", parents=[common], help="list groups")
    add_account_arg(gl)
    gl.add_argument("--page", type=int, default=1)
    gl.add_argument("--limit", type=int, default=100)
    gl.set_defaults(handler=cmd_groups_list)
    gshow = gs.add_parser("show", parents=[common], help="show a group")
    add_account_arg(gshow)
    gshow.add_argument("id", type=int)
    gshow.set_defaults(handler=cmd_groups_show)
    gc = gs.add_parser("create", parents=[common], help="create a group")
    add_account_arg(gc)
    gc.add_argument("name")
    gc.set_defaults(handler=cmd_groups_create)
    gu = gs.add_parser("update", parents=[common], help="rename a group")
    add_account_arg(gu)
    gu.add_argument("id", type=int)
    gu.add_argument("name")
    gu.set_defaults(handler=cmd_groups_update)
    gd = gs.add_parser("delete", parents=[common], help="delete a group")
    add_account_arg(gd)
    gd.add_argument("id", type=int)
    gd.add_argument("--yes", action="store_true")
    gd.set_defaults(handler=cmd_groups_delete)


def add_filter_args(parser: argparse.ArgumentParser) -> None:
    """The server-side contact filters of `contacts list` and `contacts export`."""
    parser.add_argument("--email")
    parser.add_argument("--phone")
    parser.add_argument("--landline")
    parser.add_argument("--country", help="two-letter ISO code")
    parser.add_argument("--external-id")


def contact_filter(args: argparse.Namespace) -> ContactFilter:
    """The filters given on the command line."""
    return ContactFilter(
        email=args.email,
        phone=args.phone,
        landline=args.landline,
        country=args.country.upper() if args.country else None,
        external_id=args.external_id,
    )


def parse_field(text: str) -> CustomField:
    """KEY=VALUE[:TYPE] as a custom field, or UsageError."""
    key, sep, rest = text.partition("=")
    if not sep or not key:
        raise UsageError(f"--field expects KEY=VALUE[:TYPE], got {text!r}")
    value, typ = split_type(rest) or (rest, "string")
    return CustomField(key=key, value=value, type=typ)


def contact_input(
    args: argparse.Namespace, backend: type[Backend], *, update: bool = False
) -> ContactInput:
    """The contact fields given on the command line, as the contact rules
    (tui.usecases.contacts) accept them, or UsageError with their one line."""
    data = ContactInput(
        email=args.email,
        phone=args.phone,
        landline=args.landline,
        country=args.country,
        name=args.name,
        surname=args.surname,
        external_id=args.external_id,
        group_ids=tuple(args.group_id),
        group_names=tuple(args.group),
        custom_fields=tuple(parse_field(f) for f in args.field),
    )
    try:
        return check_contact(data, ContactRules.of(backend), update=update)
    except ContactRefused as exc:
        raise UsageError(str(exc)) from None


def contact_rows(contacts: list[Contact]) -> list[tuple[object, ...]]:
    """Table rows for contacts."""
    return [
        (c.id, c.name or "", c.surname or "", c.phone or "", c.email or "", c.country or "")
        for c in contacts
    ]


CONTACT_HEADERS = ("ID", "NAME", "SURNAME", "PHONE", "EMAIL", "COUNTRY")


async def cmd_contacts_list(ctx: Context, args: argparse.Namespace) -> int:
    """List contacts with filters (or every contact holding --search TEXT)."""
    filters = contact_filter(args)
    if args.search is not None:
        return await _search(ctx, args, filters)

    return await emit_listing(
        ctx,
        args,
        CONTACT_HEADERS,
        contact_rows,
        page=lambda backend: backend.capability(ContactsListingApi).contacts_page(
            args.page, limit=args.limit, filters=filters
        ),
        every=lambda backend: backend.capability(ContactsListingApi).iter_contacts(
            filters=filters, limit=1000
        ),
    )


async def _search(ctx: Context, args: argparse.Namespace, filters: ContactFilter) -> int:
    """Every contact holding the search text: one table (or JSON list) of the matches."""

    async def run(backend: Backend) -> int:
        api = backend.capability(ContactsListingApi)
        try:
            result = await search_contacts(api, args.search, filters)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        items = list(result.contacts)

        def show() -> None:
            table(ctx, CONTACT_HEADERS, contact_rows(items))
            ctx.print(result.summary())

        ctx.emit_list(items, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


def print_contact(ctx: Context, c: Contact) -> None:
    """A contact, one field per line."""
    for label, value in (
        ("id", c.id),
        ("name", c.name),
        ("surname", c.surname),
        ("email", c.email),
        ("phone", c.phone),
        ("landline", c.landline),
        ("country", c.country),
        ("external id", c.external_id),
        ("groups", ", ".join(f"{g.name} ({g.id})" for g in c.groups)),
    ):
        if value not in (None, ""):
            ctx.print(f"{label:>12}: {value}")
    for f in c.custom_fields:
        ctx.print(f"{f.key:>12}: {f.value} ({f.type})")


async def cmd_contacts_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a contact."""
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(ContactsApi).contact(args.id),
        lambda contact: print_contact(ctx, contact),
    )


async def cmd_contacts_create(ctx: Context, args: argparse.Namespace) -> int:
    """Create a contact."""
    data = contact_input(args, backend_class(ctx.workspace.account(args.account).provider))
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(ContactsApi).create_contact(data),
        lambda contact: ctx.print(f"Created contact {contact.id}."),
    )


async def cmd_contacts_update(ctx: Context, args: argparse.Namespace) -> int:
    """Change a contact's fields (the backend says whether an update replaces them all)."""
    cls = backend_class(ctx.workspace.account(args.account).provider)
    data = contact_input(args, cls, update=True)
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(ContactsApi).update_contact(args.id, data),
        lambda contact: ctx.print(f"Updated contact {contact.id}."),
    )


def import_request(ctx: Context, args: argparse.Namespace) -> tuple[ImportRequest, int]:
    """The import the command line asks for and its row count, or UsageError: an
    unreadable file, no address column, no group, groups the provider does not take."""
    rules = ContactRules.of(backend_class(ctx.workspace.account(args.account).provider))
    # Each --group is one group: a name may hold commas.
    groups = parse_groups(GROUP_SEPARATOR.join(args.group), GROUP_SEPARATOR)
    try:
        source = read_csv_head(args.file.expanduser())
        request = ImportRequest.guessed(source, rules, groups)
        request.check()
        # Read whole before anything is asked or sent: a bad line is a usage error.
        return request, sum(1 for _ in iter_rows(source))
    except ValueError as exc:  # ContactRefused among them
        raise UsageError(str(exc)) from None


async def cmd_contacts_import(ctx: Context, args: argparse.Namespace) -> int:
    """Create contacts from a CSV file: 0 all imported, 3 some rows refused (each said
    with its line), 2 bad input."""
    request, rows = import_request(ctx, args)
    if not args.dry_run:
        ctx.confirm(
            f"Import {rows} contacts into {args.account}?",
            assume_yes=args.yes,
            count=rows,
            destructive=False,
        )

    async def run(backend: Backend) -> int:
        result = ImportResult()
        try:
            await import_contacts(
                request, backend.capability(ContactsApi), dry_run=args.dry_run, result=result
            )
        except (asyncio.CancelledError, KeyboardInterrupt):
            # What was done stays done: say it before the interruption is reported.
            print(f"switchboard: {result.summary()}", file=ctx.err)
            raise

        def show() -> None:
            for row in result.failures:
                ctx.print(f"line {row.line}: {row.reason}")
            ctx.print(result.summary())

        ctx.emit(result.to_json(), show)
        if result.stopped:
            print(f"switchboard: {result.stopped}", file=ctx.err)
            return EXIT_USAGE
        return EXIT_REJECTED if result.failures else EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_contacts_export(ctx: Context, args: argparse.Namespace) -> int:
    """Write the filter's contacts to a CSV file the import reads back."""
    path = args.file.expanduser()
    check_writable(path, args.force)
    filters = contact_filter(args)

    async def run(backend: Backend) -> int:
        api = backend.capability(ContactsListingApi)
        try:
            done = await export_contacts(api, path, filters)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        data = {"path": str(path), "exported": done.done, "total": done.total}
        ctx.emit(data, lambda: ctx.print(f"Exported {done.done} contacts to {path}"))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_contacts_delete(ctx: Context, args: argparse.Namespace) -> int:
    """Delete a contact after confirmation."""
    return await delete_one(
        ctx,
        args,
        "contact",
        lambda backend: backend.capability(ContactsApi).delete_contact(args.id),
    )


async def cmd_groups_list(ctx: Context, args: argparse.Namespace) -> int:
    """List groups."""
    return await emit_listing(
        ctx,
        args,
        ("ID", "NAME"),
        # Providers list groups without sizes: the console counts them from /contacts.
        lambda groups: [(g.id, g.name) for g in groups],
        page=lambda backend: backend.capability(ContactsListingApi).groups_page(
            args.page, limit=args.limit
        ),
    )


async def cmd_groups_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a group."""
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(GroupsApi).group(args.id),
        lambda group: ctx.print(f"{group.id}: {group.name}"),
    )


async def cmd_groups_create(ctx: Context, args: argparse.Namespace) -> int:
    """Create a group."""
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(GroupsApi).create_group(args.name),
        lambda group: ctx.print(f"Created group {group.id}: {group.name}"),
    )


async def cmd_groups_update(ctx: Context, args: argparse.Namespace) -> int:
    """Rename a group."""
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(GroupsApi).update_group(args.id, args.name),
        lambda group: ctx.print(f"Renamed group {group.id} to {group.name}"),
    )


async def cmd_groups_delete(ctx: Context, args: argparse.Namespace) -> int:
    """Delete a group after confirmation."""
    return await delete_one(
        ctx, args, "group", lambda backend: backend.capability(GroupsApi).delete_group(args.id)
    )
