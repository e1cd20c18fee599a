"""`switchboard blacklist|validation|templates|forms ...`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import orjson

from backends.base import Backend
from backends.capabilities import BlacklistApi, EmailValidationApi, FormsApi, TemplatesApi
from backends.errors import BadRequest, NotFound, SwitchboardError
from backends.models_lists import (
    BLACKLIST_KINDS,
    BlacklistEntry,
    EmailValidation,
    Form,
    FormInput,
    Template,
)
from tui.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    Context,
    UsageError,
    add_account_arg,
    table,
    with_backend,
)
from tui.dates import fmt_time
from tui.files import write_atomic


def _parser(actions: Any, name: str, common: argparse.ArgumentParser, helptext: str) -> Any:
    p = actions.add_parser(name, parents=[common], help=helptext)
    add_account_arg(p)
    return p


def _paging(p: argparse.ArgumentParser, *, limit: int | None = 100) -> None:
    p.add_argument("--page", type=int, default=1)
    if limit is not None:
        p.add_argument("--limit", type=int, default=limit, help="per page (max 1000)")
    else:
        p.add_argument("--limit", type=int, help="per page (the provider's default if unset)")
    p.add_argument("--all", action="store_true", help="every page")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the blacklist, validation, templates and forms commands."""
    _register_blacklist(sub, common)
    _register_validation(sub, common)
    _register_templates(sub, common)
    _register_forms(sub, common)


def _register_blacklist(sub: Any, common: argparse.ArgumentParser) -> None:
    b = sub.add_parser("blacklist", help="recipients never sent to, per channel")
    bs = b.add_subparsers(dest="blacklist_command", metavar="ACTION", required=True)
    ls = _parser(bs, "list", common, "list a channel's blacklist")
    ls.add_argument("kind", choices=BLACKLIST_KINDS, metavar="TYPE", help="sms, mailing or voice")
    ls.add_argument("--recipient", help="only this phone number or email")
    ls.add_argument("--sending-id", type=int, help="only recipients blacklisted from this sending")
    _paging(ls)
    ls.set_defaults(handler=cmd_blacklist_list)
    for action, helptext in (("add", "blacklist recipients"), ("remove", "unblacklist recipients")):
        p = _parser(bs, action, common, helptext)
        p.add_argument(
            "kind", choices=BLACKLIST_KINDS, metavar="TYPE", help="sms, mailing or voice"
        )
        p.add_argument("recipients", nargs="+", metavar="RECIPIENT")
        if action == "remove":
            p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        p.set_defaults(handler=cmd_blacklist_add if action == "add" else cmd_blacklist_remove)


def _register_validation(sub: Any, common: argparse.ArgumentParser) -> None:
    v = sub.add_parser("validation", help="email validation jobs")
    vs = v.add_subparsers(dest="validation_command", metavar="ACTION", required=True)
    ls = _parser(vs, "list", common, "list validation jobs")
    _paging(ls, limit=None)
    ls.set_defaults(handler=cmd_validation_list)
    show = _parser(vs, "show", common, "show a job's progress")
    show.add_argument("id", type=int)
    show.set_defaults(handler=cmd_validation_show)
    result = _parser(vs, "result", common, "per-email verdicts of a finished job (CSV)")
    result.add_argument("id", type=int)
    result.add_argument("-o", "--output", type=Path, help="write the CSV to this file")
    result.set_defaults(handler=cmd_validation_result)
    create = _parser(vs, "create", common, "validate emails and/or contact groups")
    create.add_argument("--email", action="append", default=[], help="an email (repeatable)")
    create.add_argument(
        "--emails-file", type=Path, help="a file with one email per line ('#' starts a comment)"
    )
    create.add_argument("--group-id", type=int, action="append", default=[], help="repeatable")
    create.add_argument("--force", action="store_true", help="check already-checked emails again")
    create.add_argument(
        "--allow-risky",
        action="store_true",
        help="do not blacklist risky emails (by default the provider blacklists them)",
    )
    create.add_argument("--notification-url", help="callback URL for progress notifications")
    create.set_defaults(handler=cmd_validation_create)
    rm = _parser(vs, "delete", common, "delete a validation job")
    rm.add_argument("id", type=int)
    rm.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rm.set_defaults(handler=cmd_validation_delete)


def _register_templates(sub: Any, common: argparse.ArgumentParser) -> None:
    t = sub.add_parser("templates", help="HTML templates (legacy editor, or --v2 for current)")
    ts = t.add_subparsers(dest="templates_command", metavar="ACTION", required=True)

    def parser(name: str, helptext: str) -> Any:
        p = _parser(ts, name, common, helptext)
        p.add_argument("--v2", action="store_true", help="templates of the current editor")
        return p

    ls = parser("list", "list templates")
    _paging(ls, limit=None)
    ls.set_defaults(handler=cmd_templates_list)
    show = parser("show", "show a template with its HTML")
    show.add_argument("id", type=int)
    show.set_defaults(handler=cmd_templates_show)
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
    rm = parser("delete", "delete a template")
    rm.add_argument("id", type=int)
    rm.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rm.set_defaults(handler=cmd_templates_delete)
    preview = parser("preview", "the template as the provider renders it (HTML)")
    preview.add_argument("id", type=int)
    preview.add_argument("-o", "--output", type=Path, help="write the HTML to this file")
    preview.set_defaults(handler=cmd_templates_preview)


def _register_forms(sub: Any, common: argparse.ArgumentParser) -> None:
    f = sub.add_parser("forms", help="web forms")
    fs = f.add_subparsers(dest="forms_command", metavar="ACTION", required=True)
    ls = _parser(fs, "list", common, "list forms")
    _paging(ls, limit=None)
    ls.set_defaults(handler=cmd_forms_list)
    show = _parser(fs, "show", common, "show a form")
    show.add_argument("id", type=int)
    show.set_defaults(handler=cmd_forms_show)
    for action in ("create", "update"):
        p = _parser(fs, action, common, f"{action} a form from a JSON file")
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
    rm = _parser(fs, "delete", common, "delete a form")
    rm.add_argument("id", type=int)
    rm.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rm.set_defaults(handler=cmd_forms_delete)
    preview = _parser(fs, "preview", common, "the form as the provider renders it (HTML)")
    preview.add_argument("id", type=int)
    preview.add_argument("-o", "--output", type=Path, help="write the HTML to this file")
    preview.set_defaults(handler=cmd_forms_preview)


# --- helpers ---------------------------------------------------------------------------------


def read_text(path: Path, what: str) -> str:
    """A UTF-8 file's text, or UsageError saying why not."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{what} {path} is not UTF-8 text") from None


def write_text(path: Path, text: str) -> None:
    """Write a file whole (atomically), or UsageError saying why not."""
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


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


def read_emails(path: Path) -> list[str]:
    """Emails from a file, one a line; blank lines and # comments skipped."""
    lines = read_text(path, "emails file").splitlines()
    return [s for line in lines if (s := line.split("#", 1)[0].strip())]


def _page_footer(ctx: Context, page: Any) -> None:
    ctx.print(f"page {page.page} of {page.total_pages}, {page.total} in all")


# --- blacklist -------------------------------------------------------------------------------

BLACKLIST_HEADERS = ("RECIPIENT", "DEFINITIVE", "SENDING", "CAMPAIGN", "SINCE")


def blacklist_rows(entries: list[BlacklistEntry]) -> list[tuple[object, ...]]:
    """Table rows for blacklist entries."""
    return [
        (
            e.recipient,
            "yes" if e.is_definitive else "",
            e.sending_id,
            e.campaign_name,
            fmt_time(e.created_at),
        )
        for e in entries
    ]


async def cmd_blacklist_list(ctx: Context, args: argparse.Namespace) -> int:
    """List a channel's blacklist."""

    async def run(backend: Backend) -> int:
        filters = {"recipient": args.recipient, "sending_id": args.sending_id}
        if args.all:
            entries = [
                e
                async for e in backend.capability(BlacklistApi).iter_blacklist(args.kind, **filters)
            ]
            ctx.emit(entries, lambda: table(ctx, BLACKLIST_HEADERS, blacklist_rows(entries)))
            return EXIT_OK
        page = await backend.capability(BlacklistApi).blacklist_list(
            args.kind, page=args.page, limit=args.limit, **filters
        )

        def show() -> None:
            table(ctx, BLACKLIST_HEADERS, blacklist_rows(list(page.items)))
            _page_footer(ctx, page)

        ctx.emit(page, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_blacklist_add(ctx: Context, args: argparse.Namespace) -> int:
    """Blacklist recipients one by one; refused ones are reported, the rest still added."""

    async def run(backend: Backend) -> int:
        added: list[BlacklistEntry] = []
        refused: list[dict[str, str]] = []
        for recipient in args.recipients:
            try:
                added.append(
                    await backend.capability(BlacklistApi).blacklist_add(args.kind, recipient)
                )
            except BadRequest as exc:
                refused.append({"recipient": recipient, "error": exc.message})

        def show() -> None:
            for entry in added:
                ctx.print(f"Blacklisted {entry.recipient} ({args.kind}).")
            for item in refused:
                ctx.print(f"Refused {item['recipient']}: {item['error']}")

        ctx.emit({"added": added, "refused": refused}, show)
        return EXIT_REJECTED if refused else EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_blacklist_remove(ctx: Context, args: argparse.Namespace) -> int:
    """Remove recipients from a blacklist after confirmation."""
    count = len(args.recipients)
    ctx.confirm(
        f"Remove {count} recipient{'s' if count > 1 else ''} from the {args.kind} blacklist?",
        assume_yes=args.yes,
        count=count,
    )

    async def run(backend: Backend) -> int:
        removed: list[str] = []
        refused: list[dict[str, str]] = []
        for recipient in args.recipients:
            try:
                await backend.capability(BlacklistApi).blacklist_remove(args.kind, recipient)
                removed.append(recipient)
            except NotFound:
                refused.append({"recipient": recipient, "error": "not on the blacklist"})
            except BadRequest as exc:
                refused.append({"recipient": recipient, "error": exc.message})

        def show() -> None:
            for recipient in removed:
                ctx.print(f"Removed {recipient} from the {args.kind} blacklist.")
            for item in refused:
                ctx.print(f"Not removed {item['recipient']}: {item['error']}")

        ctx.emit({"removed": removed, "refused": refused}, show)
        return EXIT_REJECTED if refused else EXIT_OK

    return await with_backend(ctx, args.account, run)


# --- email validation -------------------------------------------------------------------------

VALIDATION_HEADERS = ("ID", "STATUS", "PROCESSED", "VALID", "COST", "CREATED", "FINISHED")


def validation_rows(jobs: list[EmailValidation]) -> list[tuple[object, ...]]:
    """Table rows for validation jobs."""
    return [
        (
            v.id,
            v.status,
            f"{v.processed}/{v.total}",
            v.valid,
            f"{v.cost if v.cost is not None else 0:g} {v.currency}".strip(),
            fmt_time(v.created_at),
            fmt_time(v.finished_at),
        )
        for v in jobs
    ]


def print_validation(ctx: Context, v: EmailValidation) -> None:
    """A validation job, one field per line."""
    for label, value in (
        ("id", v.id),
        ("status", v.status),
        ("processed", f"{v.processed} of {v.total}"),
        ("valid", v.valid),
        ("estimated", f"{v.estimated_cost:g} {v.currency}" if v.estimated_cost is not None else ""),
        ("cost", f"{v.cost:g} {v.currency}" if v.cost is not None else ""),
        ("created", fmt_time(v.created_at)),
        ("updated", fmt_time(v.updated_at)),
        ("finished", fmt_time(v.finished_at)),
        ("result", v.result_url),
        ("error", v.error),
    ):
        if value not in (None, ""):
            ctx.print(f"{label:>10}: {value}")


async def cmd_validation_list(ctx: Context, args: argparse.Namespace) -> int:
    """List validation jobs."""

    async def run(backend: Backend) -> int:
        if args.all:
            jobs = [v async for v in backend.capability(EmailValidationApi).iter_validations()]
            ctx.emit(jobs, lambda: table(ctx, VALIDATION_HEADERS, validation_rows(jobs)))
            return EXIT_OK
        page = await backend.capability(EmailValidationApi).validations_list(
            page=args.page, limit=args.limit
        )

        def show() -> None:
            table(ctx, VALIDATION_HEADERS, validation_rows(list(page.items)))
            _page_footer(ctx, page)

        ctx.emit(page, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_validation_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a validation job."""

    async def run(backend: Backend) -> int:
        job = await backend.capability(EmailValidationApi).validation(args.id)
        ctx.emit(job, lambda: print_validation(ctx, job))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_validation_result(ctx: Context, args: argparse.Namespace) -> int:
    """Print or save the result CSV of a finished job."""

    async def run(backend: Backend) -> int:
        try:
            result = await backend.capability(EmailValidationApi).validation_result(args.id)
        except NotFound:
            # The result exists only once the job finished; say which case this is.
            job = await backend.capability(EmailValidationApi).validation(args.id)
            raise SwitchboardError(
                f"validation {job.id} is {job.status} ({job.processed} of {job.total} checked);"
                " its result is available once it has finished"
            ) from None
        if args.output is not None:
            write_text(args.output, result.csv)
        counts = result.counts()
        summary = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))

        def show() -> None:
            if args.output is None:
                ctx.out.write(result.csv if result.csv.endswith("\n") else result.csv + "\n")
            else:
                ctx.print(f"Wrote {len(result.rows)} rows to {args.output} ({summary or 'empty'}).")

        data = {"rows": result.rows, "counts": counts, "output": args.output}
        ctx.emit(data, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_validation_create(ctx: Context, args: argparse.Namespace) -> int:
    """Queue a validation."""
    emails = list(args.email)
    if args.emails_file is not None:
        emails += read_emails(args.emails_file)
    if not emails and not args.group_id:
        raise UsageError("give at least one --email, --emails-file or --group-id")

    async def run(backend: Backend) -> int:
        job = await backend.capability(EmailValidationApi).validation_create(
            emails=emails,
            group_ids=args.group_id,
            force=True if args.force else None,
            allow_risky=True if args.allow_risky else None,
            notification_url=args.notification_url,
        )
        ctx.emit(
            job,
            lambda: ctx.print(
                f"Queued validation {job.id}: {job.total} email(s), status {job.status}, "
                f"estimated {job.estimated_cost or 0:g} {job.currency}".rstrip()
            ),
        )
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_validation_delete(ctx: Context, args: argparse.Namespace) -> int:
    """Delete a validation job after confirmation."""
    ctx.confirm(f"Delete validation {args.id}?", assume_yes=args.yes)

    async def run(backend: Backend) -> int:
        await backend.capability(EmailValidationApi).validation_delete(args.id)
        ctx.emit({"deleted": args.id}, lambda: ctx.print(f"Deleted validation {args.id}."))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


# --- templates -------------------------------------------------------------------------------


def _version(args: argparse.Namespace) -> str:
    return "v2 template" if args.v2 else "template"


def print_template(ctx: Context, t: Template) -> None:
    """A template's fields, then its HTML."""
    ctx.print(f"{t.id}: {t.name}" + (f" ({t.type})" if t.type else ""))
    ctx.print(f"created {fmt_time(t.created_at)}; updated {fmt_time(t.updated_at) or 'never'}")
    if t.html is not None:
        ctx.print("")
        ctx.print(t.html)


async def cmd_templates_list(ctx: Context, args: argparse.Namespace) -> int:
    """List templates of one editor version."""
    headers = ("ID", "NAME", "TYPE", "CREATED", "UPDATED")

    def rows(items: list[Template]) -> list[tuple[object, ...]]:
        return [
            (t.id, t.name, t.type or "HTML", fmt_time(t.created_at), fmt_time(t.updated_at))
            for t in items
        ]

    async def run(backend: Backend) -> int:
        if args.all:
            items = [t async for t in backend.capability(TemplatesApi).iter_templates(v2=args.v2)]
            ctx.emit(items, lambda: table(ctx, headers, rows(items)))
            return EXIT_OK
        page = await backend.capability(TemplatesApi).templates_list(
            v2=args.v2, page=args.page, limit=args.limit
        )

        def show() -> None:
            table(ctx, headers, rows(list(page.items)))
            _page_footer(ctx, page)

        ctx.emit(page, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_templates_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a template and its HTML."""

    async def run(backend: Backend) -> int:
        template = await backend.capability(TemplatesApi).template(args.id, v2=args.v2)
        ctx.emit(template, lambda: print_template(ctx, template))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


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

    async def run(backend: Backend) -> int:
        t = await backend.capability(TemplatesApi).template_create(args.name, html, v2=args.v2)
        ctx.emit(t, lambda: ctx.print(f"Created {_version(args)} {t.id}: {t.name}"))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_templates_update(ctx: Context, args: argparse.Namespace) -> int:
    """Replace a template's name and/or HTML (the API needs both: the other is kept)."""
    html = _html(args)
    if args.name is None and html is None:
        raise UsageError("give --name, --html or --html-file")
    if html is not None and not html.strip():
        raise UsageError("the template HTML is empty")

    async def run(backend: Backend) -> int:
        name = args.name
        new_html = html
        if name is None or new_html is None:
            current = await backend.capability(TemplatesApi).template(args.id, v2=args.v2)
            name = current.name if name is None else name
            new_html = (current.html or "") if new_html is None else new_html
        t = await backend.capability(TemplatesApi).template_update(
            args.id, name, new_html, v2=args.v2
        )
        ctx.emit(t, lambda: ctx.print(f"Updated {_version(args)} {t.id}: {t.name}"))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_templates_delete(ctx: Context, args: argparse.Namespace) -> int:
    """Delete a template after confirmation."""
    ctx.confirm(f"Delete {_version(args)} {args.id}?", assume_yes=args.yes)

    async def run(backend: Backend) -> int:
        await backend.capability(TemplatesApi).template_delete(args.id, v2=args.v2)
        ctx.emit(
            {"deleted": args.id, "v2": args.v2},
            lambda: ctx.print(f"Deleted {_version(args)} {args.id}."),
        )
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


def _emit_html(ctx: Context, args: argparse.Namespace, what: str, html: str) -> None:
    if args.output is not None:
        write_text(args.output, html)

    def show() -> None:
        if args.output is None:
            ctx.out.write(html if html.endswith("\n") else html + "\n")
        else:
            ctx.print(f"Wrote the {what} preview to {args.output}.")

    ctx.emit({"id": args.id, "html": html, "output": args.output}, show)


async def cmd_templates_preview(ctx: Context, args: argparse.Namespace) -> int:
    """Print or save a template's preview."""

    async def run(backend: Backend) -> int:
        html = await backend.capability(TemplatesApi).template_preview(args.id, v2=args.v2)
        _emit_html(ctx, args, _version(args), html)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


# --- forms -----------------------------------------------------------------------------------

FORM_HEADERS = ("ID", "NAME", "PLACEHOLDER", "CREATED", "UPDATED")


def form_rows(forms: list[Form]) -> list[tuple[object, ...]]:
    """Table rows for forms."""
    return [
        (f.id, f.name, f.placeholder, fmt_time(f.created_at), fmt_time(f.updated_at)) for f in forms
    ]


async def cmd_forms_list(ctx: Context, args: argparse.Namespace) -> int:
    """List forms."""

    async def run(backend: Backend) -> int:
        if args.all:
            forms = [f async for f in backend.capability(FormsApi).iter_forms()]
            ctx.emit(forms, lambda: table(ctx, FORM_HEADERS, form_rows(forms)))
            return EXIT_OK
        page = await backend.capability(FormsApi).forms_list(page=args.page, limit=args.limit)

        def show() -> None:
            table(ctx, FORM_HEADERS, form_rows(list(page.items)))
            _page_footer(ctx, page)

        ctx.emit(page, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_forms_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a form."""

    async def run(backend: Backend) -> int:
        form = await backend.capability(FormsApi).form(args.id)

        def show() -> None:
            ctx.print(f"{form.id}: {form.name}  placeholder {form.placeholder}")
            updated = fmt_time(form.updated_at) or "never"
            ctx.print(f"created {fmt_time(form.created_at)}; updated {updated}")

        ctx.emit(form, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_forms_create(ctx: Context, args: argparse.Namespace) -> int:
    """Create a form from a JSON file."""
    data = load_form(args.file)

    async def run(backend: Backend) -> int:
        form = await backend.capability(FormsApi).form_create(data)
        ctx.emit(
            form,
            lambda: ctx.print(f"Created form {form.id}: {form.name} (use {form.placeholder})"),
        )
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_forms_update(ctx: Context, args: argparse.Namespace) -> int:
    """Replace a form with the contents of a JSON file."""
    data = load_form(args.file)

    async def run(backend: Backend) -> int:
        form = await backend.capability(FormsApi).form_update(args.id, data)
        ctx.emit(form, lambda: ctx.print(f"Updated form {form.id}: {form.name}"))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_forms_delete(ctx: Context, args: argparse.Namespace) -> int:
    """Delete a form after confirmation."""
    ctx.confirm(f"Delete form {args.id}?", assume_yes=args.yes)

    async def run(backend: Backend) -> int:
        await backend.capability(FormsApi).form_delete(args.id)
        ctx.emit({"deleted": args.id}, lambda: ctx.print(f"Deleted form {args.id}."))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_forms_preview(ctx: Context, args: argparse.Namespace) -> int:
    """Print or save a form's preview."""

    async def run(backend: Backend) -> int:
        _emit_html(ctx, args, "form", await backend.capability(FormsApi).form_preview(args.id))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)
