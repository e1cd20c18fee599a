"""`switchboard users|packages|subscribers|labels|flows ...` (e.g. XeroChat).

Contacts and contact groups go through `switchboard contacts|groups`. Flow answers print
as one table per question with answer counts, and export to CSV with `--csv`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from backends.base import Backend
from backends.capabilities import FlowsApi, LabelsApi, SubscribersApi, UsersApi
from backends.xerochat.models import FlowAnswers, QuestionSummary, SystemUser, UserInput
from tui.cli.common import (
    EXIT_OK,
    Context,
    UsageError,
    add_account_arg,
    table,
    with_backend,
)
from tui.csvout import count_rows, write_csv
from tui.dates import fmt_time
from tui.files import atomic_text


def _action(actions: Any, name: str, common: argparse.ArgumentParser, helptext: str) -> Any:
    p = actions.add_parser(name, parents=[common], help=helptext)
    add_account_arg(p)
    return p


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the users, packages, subscribers, labels and flows commands."""
    u = sub.add_parser("users", help="platform users (admin)")
    us = u.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    show = _action(us, "show", common, "show a user by id or email")
    who = show.add_mutually_exclusive_group(required=True)
    who.add_argument("--id", type=int)
    who.add_argument("--email")
    show.set_defaults(handler=cmd_user_show)
    create = _action(us, "create", common, "create a user (password from a prompt or stdin)")
    create.add_argument("--name", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--package-id", type=int, required=True)
    create.add_argument("--expires", type=_date, required=True, metavar="YYYY-MM-DD")
    create.add_argument("--mobile")
    create.add_argument("--address")
    create.add_argument("--password-stdin", action="store_true")
    create.set_defaults(handler=cmd_user_create)
    update = _action(us, "update", common, "change a user's name, contact, package or expiry")
    update.add_argument("id", type=int)
    update.add_argument("--name")
    update.add_argument("--mobile")
    update.add_argument("--address")
    update.add_argument("--package-id", type=int)
    update.add_argument("--expires", type=_date, metavar="YYYY-MM-DD")
    update.set_defaults(handler=cmd_user_update)

    p = sub.add_parser("packages", help="subscription packages (admin)")
    ps = p.add_subparsers(dest="packages_command", metavar="ACTION", required=True)
    _action(ps, "list", common, "list packages").set_defaults(handler=cmd_packages)

    s = sub.add_parser("subscribers", help="bot subscribers")
    ss = s.add_subparsers(dest="subscribers_command", metavar="ACTION", required=True)
    sshow = _action(ss, "show", common, "show a subscriber")
    sshow.add_argument("subscriber_id", metavar="PSID")
    sshow.set_defaults(handler=cmd_subscriber)

    lb = sub.add_parser("labels", help="subscriber labels of a bot page")
    ls = lb.add_subparsers(dest="labels_command", metavar="ACTION", required=True)
    llist = _action(ls, "list", common, "list a page's labels")
    llist.add_argument("--page-id", required=True)
    llist.set_defaults(handler=cmd_labels)
    lcreate = _action(ls, "create", common, "create a label")
    lcreate.add_argument("--page-id", required=True)
    lcreate.add_argument("name")
    lcreate.set_defaults(handler=cmd_label_create)
    lassign = _action(ls, "assign", common, "put labels on a subscriber")
    lassign.add_argument("--page-id", required=True)
    lassign.add_argument("--subscriber", required=True, metavar="PSID")
    lassign.add_argument("label_ids", nargs="+", metavar="LABEL_ID")
    lassign.set_defaults(handler=cmd_label_assign)

    f = sub.add_parser("flows", help="flow campaigns and their answers")
    fs = f.add_subparsers(dest="flows_command", metavar="ACTION", required=True)
    _action(fs, "list", common, "list flow campaigns").set_defaults(handler=cmd_flows)
    fshow = _action(fs, "show", common, "show a flow's questions")
    fshow.add_argument("id", type=int)
    fshow.set_defaults(handler=cmd_flow_show)
    fans = _action(fs, "answers", common, "answer counts per question (or one subscriber's)")
    fans.add_argument("id", type=int)
    fans.add_argument("--subscriber", metavar="PSID", help="only this subscriber's answers")
    fans.add_argument("--csv", metavar="FILE", help="write CSV to FILE ('-': standard output)")
    fans.add_argument(
        "--raw", action="store_true", help="CSV of every answer instead of the counts"
    )
    fans.set_defaults(handler=cmd_flow_answers)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def _user_lines(ctx: Context, u: SystemUser) -> None:
    for label, value in (
        ("ID", u.id),
        ("Name", u.name),
        ("Email", u.email),
        ("Mobile", u.mobile),
        ("Address", u.address),
        ("Type", u.user_type),
        ("Active", "yes" if u.active else "no"),
        ("Package", u.package_id),
        ("Created", fmt_time(u.created_at)),
        ("Last login", fmt_time(u.last_login_at)),
        ("Expires", fmt_time(u.expires_at)),
    ):
        ctx.print(f"{label + ':':<12}{'' if value is None else value}")


async def cmd_user_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a user."""

    async def run(backend: Backend) -> int:
        user = await backend.capability(UsersApi).system_user(
            user_id=args.id, email=args.email or ""
        )
        ctx.emit(user, lambda: _user_lines(ctx, user))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_user_create(ctx: Context, args: argparse.Namespace) -> int:
    """Create a user; the password never appears on the command line."""
    password = ctx.read_secret(f"Password for {args.email}: ", from_stdin=args.password_stdin)
    data = UserInput(
        name=args.name,
        email=args.email,
        password=password,
        package_id=args.package_id,
        expires_on=args.expires,
        mobile=args.mobile,
        address=args.address,
    )

    async def run(backend: Backend) -> int:
        user = await backend.capability(UsersApi).create_system_user(data)
        ctx.emit(user, lambda: _user_lines(ctx, user))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_user_update(ctx: Context, args: argparse.Namespace) -> int:
    """Change a user."""
    data = UserInput(
        name=args.name,
        mobile=args.mobile,
        address=args.address,
        package_id=args.package_id,
        expires_on=args.expires,
    )
    if data == UserInput():
        raise UsageError(
            "give at least one of --name, --mobile, --address, --package-id, --expires"
        )

    async def run(backend: Backend) -> int:
        user = await backend.capability(UsersApi).update_system_user(args.id, data)
        ctx.emit(user, lambda: _user_lines(ctx, user))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_packages(ctx: Context, args: argparse.Namespace) -> int:
    """List packages."""

    async def run(backend: Backend) -> int:
        packages = await backend.capability(UsersApi).packages()
        ctx.emit_list(
            packages,
            lambda: table(
                ctx,
                ("ID", "NAME", "PRICE", "DAYS", "VISIBLE", "MODULES"),
                [
                    (
                        p.id,
                        p.name,
                        p.price,
                        p.validity_days,
                        "yes" if p.visible else "no",
                        len(p.module_ids),
                    )
                    for p in packages
                ],
            ),
        )
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_subscriber(ctx: Context, args: argparse.Namespace) -> int:
    """Show a subscriber."""

    async def run(backend: Backend) -> int:
        s = await backend.capability(SubscribersApi).subscriber(args.subscriber_id)

        def show() -> None:
            for label, value in (
                ("ID", s.id),
                ("Name", s.full_name or f"{s.first_name} {s.last_name}".strip()),
                ("Page", f"{s.page_name} ({s.page_id})"),
                ("Email", s.email),
                ("Phone", s.phone),
                ("Locale", s.locale),
                ("Labels", ", ".join(s.label_ids)),
                ("Subscribed", fmt_time(s.subscribed_at)),
                ("Last seen", fmt_time(s.last_interaction_at)),
            ):
                ctx.print(f"{label + ':':<12}{value}")

        ctx.emit(s, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_labels(ctx: Context, args: argparse.Namespace) -> int:
    """List a page's labels."""

    async def run(backend: Backend) -> int:
        labels = await backend.capability(LabelsApi).labels(args.page_id)
        ctx.emit_list(labels, lambda: table(ctx, ("ID", "NAME"), [(x.id, x.name) for x in labels]))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_label_create(ctx: Context, args: argparse.Namespace) -> int:
    """Create a label."""

    async def run(backend: Backend) -> int:
        label = await backend.capability(LabelsApi).create_label(args.page_id, args.name)
        ctx.emit(label, lambda: ctx.print(f"Created label {label.id} ({label.name})."))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_label_assign(ctx: Context, args: argparse.Namespace) -> int:
    """Put labels on a subscriber."""
    ids = [i for arg in args.label_ids for i in arg.split(",") if i]

    async def run(backend: Backend) -> int:
        await backend.capability(LabelsApi).assign_labels(args.page_id, args.subscriber, ids)
        ctx.emit(
            {"subscriber_id": args.subscriber, "label_ids": ids},
            lambda: ctx.print(f"Labelled {args.subscriber}: {', '.join(ids)}."),
        )
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_flows(ctx: Context, args: argparse.Namespace) -> int:
    """List flow campaigns."""

    async def run(backend: Backend) -> int:
        flows = await backend.capability(FlowsApi).flow_campaigns()
        ctx.emit_list(flows, lambda: table(ctx, ("ID", "NAME"), [(x.id, x.name) for x in flows]))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_flow_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a flow's questions."""

    async def run(backend: Backend) -> int:
        flow = await backend.capability(FlowsApi).flow_campaign(args.id)

        def show() -> None:
            ctx.print(f"Flow {flow.id}: {flow.name}")
            for n, question in enumerate(flow.questions, start=1):
                ctx.print(f"  {n}. {question}")

        ctx.emit(flow, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


def answer_rows(
    answers: FlowAnswers, summary: Sequence[QuestionSummary], *, raw: bool
) -> tuple[list[str], list[tuple[object, ...]]]:
    """CSV header and rows: counts per question and answer, or every answer given."""
    if raw:
        return ["subscriber_id", "question_id", "question", "answer"], [
            (s.subscriber_id, a.question_id, a.question, a.answer)
            for s in answers.subscribers
            for a in s.answers
        ]
    return count_rows(summary)


def _show_answers(ctx: Context, answers: FlowAnswers, summary: Sequence[QuestionSummary]) -> None:
    who = len(answers.subscribers)
    ctx.print(f"Flow {answers.flow_id}: {answers.flow_name} ({who} subscriber(s) answered)")
    if not summary:
        ctx.print("(no answers yet)")
    for q in summary:
        ctx.print("")
        ctx.print(f"{q.question} ({q.responses} answer(s))")
        table(ctx, ("ANSWER", "COUNT"), [(c.answer, c.count) for c in q.counts])


async def cmd_flow_answers(ctx: Context, args: argparse.Namespace) -> int:
    """A flow's answers counted per question, as tables or CSV."""

    async def run(backend: Backend) -> int:
        # The flow's own questions too, so that questions nobody answered are listed.
        # One after the other: answers refused before sending (a PSID that is not a
        # number) must leave no request behind, which a concurrent second call could.
        answers = await backend.capability(FlowsApi).flow_answers(
            args.id, subscriber_id=args.subscriber
        )
        flow = await backend.capability(FlowsApi).flow_campaign(args.id)
        summary = answers.summary_for(flow.questions)
        if args.csv is not None:
            header, rows = answer_rows(answers, summary, raw=args.raw)
            if args.csv == "-":
                write_csv(ctx.out, header, rows)
                return EXIT_OK
            path = Path(args.csv)
            try:
                with atomic_text(path) as fh:
                    count = write_csv(fh, header, rows)
            except OSError as exc:
                raise UsageError(f"cannot write {path}: {exc.strerror}") from None
            ctx.emit(
                {"path": str(path), "rows": count},
                lambda: ctx.print(f"Wrote {count} row(s) to {path}."),
            )
            return EXIT_OK
        ctx.emit(
            {
                "flow_id": answers.flow_id,
                "flow_name": answers.flow_name,
                "questions": summary,
                "subscribers": answers.subscribers,
            },
            lambda: _show_answers(ctx, answers, summary),
        )
        return EXIT_OK

    return await with_backend(ctx, args.account, run)
