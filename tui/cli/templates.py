"""`switchboard templates list|show|create|update|delete|preview`: HTML templates of the
legacy editor, or with --v2 of the current one."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from backends.base import Backend
from backends.capabilities import TemplatesApi
from backends.models.lists import Template
from tui.cli.common import Context, UsageError
from tui.cli.handlers import (
    add_command,
    add_paging,
    delete_one,
    emit_listing,
    emit_one,
    emit_preview,
    read_text,
    takes_id,
)
from tui.dates import fmt_time


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the templates commands."""
    t = sub.add_parser("templates", help="HTML templates (legacy editor, or --v2 for current)")
    ts = t.add_subparsers(dest="templates_command", metavar="ACTION", required=True)

    def parser(name: str, helptext: str) -> Any:
        p = add_command(ts, name, common, helptext)
        p.add_argument("--v2", action="store_true", help="templates of the current editor")
        return p

    ls = parser("list", "list templates")
    add_paging(ls, limit=None)
    ls.set_defaults(handler=cmd_templates_list)
    takes_id(parser("show", "show a template with its HTML"), cmd_templates_show)
    for action in ("create", "update"):
        p = parser(action, f"{action} a template")
        if action == "update":
            p.add_argument("id", type=int)
            p.add_argument("--name", help="new name (default: keep)")
        else:
            p.add_argument("--name", required=True)
        html = p.add_mutually_exclusive_group(required=action == "create")
        html.add_argument("--html", help="the HTML itself")
        html.add_argument("--html-file", type=Path, help="a file with the HTML (UTF-8)")
        p.set_defaults(handler=cmd_templates_create if action == "create" else cmd_templates_update)
    takes_id(parser("delete", "delete a template"), cmd_templates_delete, confirm=True)
    takes_id(
        parser("preview", "the template as the provider renders it (HTML)"),
        cmd_templates_preview,
        output="HTML",
    )


def _version(args: argparse.Namespace) -> str:
    return "v2 template" if args.v2 else "template"


def print_template(ctx: Context, t: Template) -> None:
    """A template's fields, then its HTML."""
    ctx.print(f"{t.id}: {t.name}" + (f" ({t.type})" if t.type else ""))
    ctx.print(f"created {fmt_time(t.created_at)}; updated {fmt_time(t.updated_at) or 'never'}")
    if t.html is not None:
        ctx.print("")
        ctx.print(t.html)


TEMPLATE_HEADERS = ("ID", "NAME", "TYPE", "CREATED", "UPDATED")


def template_rows(items: list[Template]) -> list[tuple[object, ...]]:
    """Table rows for templates (a template without a type is plain HTML)."""
    return [
        (t.id, t.name, t.type or "HTML", fmt_time(t.created_at), fmt_time(t.updated_at))
        for t in items
    ]


async def cmd_templates_list(ctx: Context, args: argparse.Namespace) -> int:
    """List templates of one editor version."""
    return await emit_listing(
        ctx,
        args,
        TEMPLATE_HEADERS,
        template_rows,
        page=lambda backend: backend.capability(TemplatesApi).templates_list(
            v2=args.v2, page=args.page, limit=args.limit
        ),
        every=lambda backend: backend.capability(TemplatesApi).iter_templates(v2=args.v2),
    )


async def cmd_templates_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a template and its HTML."""
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(TemplatesApi).template(args.id, v2=args.v2),
        lambda template: print_template(ctx, template),
    )


def _html(args: argparse.Namespace) -> str | None:
    if args.html_file is not None:
        return read_text(args.html_file, "HTML file")
    html: str | None = args.html
    return html


async def cmd_templates_create(ctx: Context, args: argparse.Namespace) -> int:
    """Create a template."""
    html = _html(args) or ""
    if not html.strip():
        raise UsageError("the template HTML is empty")
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(TemplatesApi).template_create(
            args.name, html, v2=args.v2
        ),
        lambda t: ctx.print(f"Created {_version(args)} {t.id}: {t.name}"),
    )


async def cmd_templates_update(ctx: Context, args: argparse.Namespace) -> int:
    """Replace a template's name and/or HTML (the API needs both: the other is kept)."""
    html = _html(args)
    if args.name is None and html is None:
        raise UsageError("give --name, --html or --html-file")
    if html is not None and not html.strip():
        raise UsageError("the template HTML is empty")

    async def update(backend: Backend) -> Template:
        name = args.name
        new_html = html
        if name is None or new_html is None:
            current = await backend.capability(TemplatesApi).template(args.id, v2=args.v2)
            name = current.name if name is None else name
            new_html = (current.html or "") if new_html is None else new_html
        return await backend.capability(TemplatesApi).template_update(
            args.id, name, new_html, v2=args.v2
        )

    return await emit_one(
        ctx,
        args.account,
        update,
        lambda t: ctx.print(f"Updated {_version(args)} {t.id}: {t.name}"),
    )


async def cmd_templates_delete(ctx: Context, args: argparse.Namespace) -> int:
    """Delete a template after confirmation."""
    return await delete_one(
        ctx,
        args,
        _version(args),
        lambda backend: backend.capability(TemplatesApi).template_delete(args.id, v2=args.v2),
        data={"deleted": args.id, "v2": args.v2},
    )


async def cmd_templates_preview(ctx: Context, args: argparse.Namespace) -> int:
    """Print or save a template's preview."""
    return await emit_preview(
        ctx,
        args,
        _version(args),
        lambda backend: backend.capability(TemplatesApi).template_preview(args.id, v2=args.v2),
    )
