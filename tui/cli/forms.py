"""`switchboard forms list|show|create|update|delete|preview`: web forms."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import orjson

from backends.capabilities import FormsApi
from backends.models.lists import Form, FormInput
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
    """Add the forms commands."""
    f = sub.add_parser("forms", help="web forms")
    fs = f.add_subparsers(dest="forms_command", metavar="ACTION", required=True)
    ls = add_command(fs, "list", common, "list forms")
    add_paging(ls, limit=None)
    ls.set_defaults(handler=cmd_forms_list)
    takes_id(add_command(fs, "show", common, "show a form"), cmd_forms_show)
    for action in ("create", "update"):
        p = add_command(fs, action, common, f"{action} a form from a JSON file")
        if action == "update":
            p.add_argument("id", type=int)
        p.add_argument(
            "--file",
            type=Path,
            required=True,
            help="JSON as the API takes it: name, formFields, editable, rejectButton, "
            "backgroundUrl, logoUrl",
        )
        p.set_defaults(handler=cmd_forms_create if action == "create" else cmd_forms_update)
    takes_id(add_command(fs, "delete", common, "delete a form"), cmd_forms_delete, confirm=True)
    takes_id(
        add_command(fs, "preview", common, "the form as the provider renders it (HTML)"),
        cmd_forms_preview,
        output="HTML",
    )


def load_form(path: Path) -> FormInput:
    """A form from a JSON file, checked element by element."""
    try:
        data = orjson.loads(read_text(path, "form file"))
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc}") from None
    try:
        return FormInput.from_json(data)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from None


FORM_HEADERS = ("ID", "NAME", "PLACEHOLDER", "CREATED", "UPDATED")


def form_rows(forms: list[Form]) -> list[tuple[object, ...]]:
    """Table rows for forms."""
    return [
        (f.id, f.name, f.placeholder, fmt_time(f.created_at), fmt_time(f.updated_at)) for f in forms
    ]


async def cmd_forms_list(ctx: Context, args: argparse.Namespace) -> int:
    """List forms."""
    return await emit_listing(
        ctx,
        args,
        FORM_HEADERS,
        form_rows,
        page=lambda backend: backend.capability(FormsApi).forms_list(
            page=args.page, limit=args.limit
        ),
        every=lambda backend: backend.capability(FormsApi).iter_forms(),
    )


def print_form(ctx: Context, form: Form) -> None:
    """A form's name, placeholder and times."""
    ctx.print(f"{form.id}: {form.name}  placeholder {form.placeholder}")
    updated = fmt_time(form.updated_at) or "never"
    ctx.print(f"created {fmt_time(form.created_at)}; updated {updated}")


async def cmd_forms_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a form."""
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(FormsApi).form(args.id),
        lambda form: print_form(ctx, form),
    )


async def cmd_forms_create(ctx: Context, args: argparse.Namespace) -> int:
    """Create a form from a JSON file."""
    data = load_form(args.file)
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(FormsApi).form_create(data),
        lambda form: ctx.print(f"Created form {form.id}: {form.name} (use {form.placeholder})"),
    )


async def cmd_forms_update(ctx: Context, args: argparse.Namespace) -> int:
    """Replace a form with the contents of a JSON file."""
    data = load_form(args.file)
    return await emit_one(
        ctx,
        args.account,
        lambda backend: backend.capability(FormsApi).form_update(args.id, data),
        lambda form: ctx.print(f"Updated form {form.id}: {form.name}"),
    )


async def cmd_forms_delete(ctx: Context, args: argparse.Namespace) -> int:
    """Delete a form after confirmation."""
    return await delete_one(
        ctx, args, "form", lambda backend: backend.capability(FormsApi).form_delete(args.id)
    )


async def cmd_forms_preview(ctx: Context, args: argparse.Namespace) -> int:
    """Print or save a form's preview."""
    return await emit_preview(
        ctx, args, "form", lambda backend: backend.capability(FormsApi).form_preview(args.id)
    )
