"""`switchboard contacts|groups ...`."""

from __future__ import annotations

import argparse
from typing import Any

from backends.base import Backend
from backends.capabilities import ContactsApi, ContactsListingApi, GroupsApi
from backends.models import Contact, ContactFilter, ContactInput, CustomField, split_type
from backends.registry import backend_class
from tui.cli.common import EXIT_OK, Context, UsageError, add_account_arg, table, with_backend
from tui.usecases.contacts import ContactRefused, ContactRules, check_contact


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the contacts and groups commands."""
    c = sub.add_parser("contacts", help="address-book contacts")
    cs = c.add_subparsers(dest="contacts_command", metavar="ACTION", required=True)
    ls = cs.add_parser("list", parents=[common], help="list contacts (server-side filters)")
    add_account_arg(ls)
    ls.add_argument("--email")
    ls.add_argument("--phone")
    ls.add_argument("--landline")
    ls.add_argument("--country", help="two-letter ISO code")
    ls.add_argument("--external-id")
    ls.add_argument("--page", type=int, default=1)
    ls.add_argument("--limit", type=int, default=100, help="per page (max 1000)")
    ls.add_argument("--all", action="store_true", help="every page")
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
    """List contacts with filters."""
    filters = ContactFilter(
        email=args.email,
        phone=args.phone,
        landline=args.landline,
        country=args.country.upper() if args.country else None,
        external_id=args.external_id,
    )

    async def run(backend: Backend) -> int:
        if args.all:
            contacts = [
                c
                async for c in backend.capability(ContactsListingApi).iter_contacts(
                    filters=filters, limit=1000
                )
            ]
            ctx.emit(contacts, lambda: table(ctx, CONTACT_HEADERS, contact_rows(contacts)))
            return EXIT_OK
        page = await backend.capability(ContactsListingApi).contacts_page(
            args.page, limit=args.limit, filters=filters
        )

        def show() -> None:
            table(ctx, CONTACT_HEADERS, contact_rows(list(page.items)))
            ctx.print(f"page {page.page} of {page.total_pages}, {page.total} in all")

        ctx.emit(page, show)
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

    async def run(backend: Backend) -> int:
        contact = await backend.capability(ContactsApi).contact(args.id)
        ctx.emit(contact, lambda: print_contact(ctx, contact))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_contacts_create(ctx: Context, args: argparse.Namespace) -> int:
    """Create a contact."""
    data = contact_input(args, backend_class(ctx.workspace.account(args.account).provider))

    async def run(backend: Backend) -> int:
        contact = await backend.capability(ContactsApi).create_contact(data)
        ctx.emit(contact, lambda: ctx.print(f"Created contact {contact.id}."))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_contacts_update(ctx: Context, args: argparse.Namespace) -> int:
    """Change a contact's fields (the backend says whether an update replaces them all)."""
    cls = backend_class(ctx.workspace.account(args.account).provider)
    data = contact_input(args, cls, update=True)

    async def run(backend: Backend) -> int:
        contact = await backend.capability(ContactsApi).update_contact(args.id, data)
        ctx.emit(contact, lambda: ctx.print(f"Updated contact {contact.id}."))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_contacts_delete(ctx: Context, args: argparse.Namespace) -> int:
    """Delete a contact after confirmation."""
    ctx.confirm(f"Delete contact {args.id}?", assume_yes=args.yes)

    async def run(backend: Backend) -> int:
        await backend.capability(ContactsApi).delete_contact(args.id)
        ctx.emit({"deleted": args.id}, lambda: ctx.print(f"Deleted contact {args.id}."))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_groups_list(ctx: Context, args: argparse.Namespace) -> int:
    """List groups."""

    async def run(backend: Backend) -> int:
        page = await backend.capability(ContactsListingApi).groups_page(args.page, limit=args.limit)

        def show() -> None:
            # Providers list groups without sizes: the console counts them from /contacts.
            table(ctx, ("ID", "NAME"), [(g.id, g.name) for g in page.items])
            ctx.print(f"page {page.page} of {page.total_pages}, {page.total} in all")

        ctx.emit(page, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_groups_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a group."""

    async def run(backend: Backend) -> int:
        group = await backend.capability(GroupsApi).group(args.id)
        ctx.emit(group, lambda: ctx.print(f"{group.id}: {group.name}"))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_groups_create(ctx: Context, args: argparse.Namespace) -> int:
    """Create a group."""

    async def run(backend: Backend) -> int:
        group = await backend.capability(GroupsApi).create_group(args.name)
        ctx.emit(group, lambda: ctx.print(f"Created group {group.id}: {group.name}"))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_groups_update(ctx: Context, args: argparse.Namespace) -> int:
    """Rename a group."""

    async def run(backend: Backend) -> int:
        group = await backend.capability(GroupsApi).update_group(args.id, args.name)
        ctx.emit(group, lambda: ctx.print(f"Renamed group {group.id} to {group.name}"))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_groups_delete(ctx: Context, args: argparse.Namespace) -> int:
    """Delete a group after confirmation."""
    ctx.confirm(f"Delete group {args.id}?", assume_yes=args.yes)

    async def run(backend: Backend) -> int:
        await backend.capability(GroupsApi).delete_group(args.id)
        ctx.emit({"deleted": args.id}, lambda: ctx.print(f"Deleted group {args.id}."))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)
