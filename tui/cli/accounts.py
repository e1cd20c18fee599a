"""`switchboard account add|list|test|remove|event-url`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backends.providers import PROVIDER_INFO
from tui.cli.common import EXIT_OK, Context, UsageError, table, with_backend
from tui.config import Account
from tui.secrets import env_var_name

if TYPE_CHECKING:
    from backends.base import Backend


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the account commands."""
    p = sub.add_parser("account", help="manage provider accounts")
    acc = p.add_subparsers(dest="account_command", metavar="ACTION", required=True)

    add = acc.add_parser("add", parents=[common], help="add an account (secret to the keyring)")
    add.add_argument("name")
    add.add_argument("--provider", required=True, choices=sorted(PROVIDER_INFO))
    add.add_argument("--base-url", help="API base URL (default: the provider's)")
    add.add_argument("--username", default="")
    add.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="provider-specific setting (repeatable)",
    )
    add.add_argument(
        "--secret-stdin", action="store_true", help="read the secret from standard input"
    )
    add.set_defaults(handler=cmd_add)

    use = acc.add_parser(
        "use", parents=[common], help="make an account the default (commands without -a)"
    )
    use.add_argument("name")
    use.set_defaults(handler=cmd_use)

    ls = acc.add_parser("list", parents=[common], help="list accounts")
    ls.set_defaults(handler=cmd_list)

    test = acc.add_parser("test", parents=[common], help="connect and show the balance")
    test.add_argument("name")
    test.set_defaults(handler=cmd_test)

    ev = acc.add_parser(
        "event-url",
        parents=[common],
        help="the account's event notification URL, to set in the provider's settings",
        description=(
            "Print the URL to give 360nrs for its event notifications (set once for the "
            "account in its settings, not per send): the account's delivery_url option "
            "followed by /events/ and a token made for the account the first time it is "
            "asked for. `switchboard receive` takes the events it posts there. The token is "
            "what lets a caller in: share the URL with the provider only."
        ),
    )
    ev.add_argument("name")
    ev.add_argument("--journal", type=Path, help="journal file (default: in the data dir)")
    ev.set_defaults(handler=cmd_event_url)

    rm = acc.add_parser("remove", parents=[common], help="remove an account and its secret")
    rm.add_argument("name")
    rm.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rm.set_defaults(handler=cmd_remove)


def parse_options(items: list[str]) -> dict[str, str]:
    """KEY=VALUE pairs, or UsageError."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--option expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value.strip()
    return out


async def cmd_add(ctx: Context, args: argparse.Namespace) -> int:
    """Add an account."""
    from backends.registry import backend_class

    cls = backend_class(args.provider)
    account = Account(
        name=args.name,
        provider=args.provider,
        base_url=args.base_url or cls.default_base_url,
        username=args.username,
        options=parse_options(args.option),
    )
    # Refused before the secret is asked for: typing it would be wasted.
    ctx.workspace.check_new_name(account.name)
    secret = _secret(ctx, args, cls.secret_label)
    where = await ctx.workspace.add_account(account, secret)
    ctx.emit(
        {"added": account.name, "provider": account.provider, "secret": where},
        lambda: ctx.print(f"Added account {account.name} ({cls.label}); {where}."),
    )
    return EXIT_OK


def _secret(ctx: Context, args: argparse.Namespace, label: str) -> str:
    """The new account's secret: its SWITCHBOARD_SECRET_<NAME> variable when set (nothing
    is asked), else standard input or a hidden prompt."""
    secrets = ctx.workspace.secrets
    var = env_var_name(args.name)
    if secrets.from_environment(args.name) and args.secret_stdin:
        if secrets.keyring_problem():
            # The variable would win over what is typed, and nothing can store it anyway.
            raise UsageError(
                f"{var} provides the secret (no keyring to store another): "
                "drop --secret-stdin, or unset the variable"
            )
        return ctx.read_secret("", from_stdin=True)  # asked for: stored in the keyring
    if secrets.from_environment(args.name):
        print(f"switchboard: taking the secret from {var}", file=ctx.err)
        return secrets.get(args.name)
    return ctx.read_secret(f"{label} for {args.name}: ", from_stdin=args.secret_stdin)


async def cmd_use(ctx: Context, args: argparse.Namespace) -> int:
    """Make an account the default one (the console opens on it too)."""
    ctx.workspace.use_account(args.name)
    ctx.emit(
        {"default": args.name},
        lambda: ctx.print(f"Commands without -a now use account {args.name}."),
    )
    return EXIT_OK


async def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    """List accounts."""
    accounts = list(ctx.workspace.accounts().values())
    default = ctx.workspace.default_account()
    ctx.emit_list(
        [
            {
                "name": a.name,
                "provider": a.provider,
                "base_url": a.base_url,
                "username": a.username,
                "options": dict(a.options),
                "default": a.name == default,
            }
            for a in accounts
        ],
        lambda: table(
            ctx,
            ("NAME", "PROVIDER", "BASE URL", "USERNAME", "DEFAULT"),
            [
                (a.name, a.provider, a.base_url, a.username, "yes" if a.name == default else "")
                for a in accounts
            ],
        ),
    )
    return EXIT_OK


async def cmd_test(ctx: Context, args: argparse.Namespace) -> int:
    """Connect to an account and show its balance (tui.usecases.accounts)."""
    from tui.usecases.accounts import check_account  # the backends' models: only here

    async def test(backend: Backend) -> int:
        check = await check_account(args.name, backend)
        ctx.emit(check.to_json(), lambda: ctx.print(check.summary()))
        return EXIT_OK

    return await with_backend(ctx, args.name, test)


async def cmd_remove(ctx: Context, args: argparse.Namespace) -> int:
    """Remove an account and its secret."""
    ctx.workspace.account(args.name)
    ctx.confirm(f"Remove account {args.name!r} and its stored secret?", assume_yes=args.yes)
    await ctx.workspace.remove_account(args.name)
    ctx.emit({"removed": args.name}, lambda: ctx.print(f"Removed account {args.name}."))
    return EXIT_OK


# The provider whose event notifications the receiver takes (tui.engine.receiver_events).
EVENTS_PROVIDER = "360nrs"


async def cmd_event_url(ctx: Context, args: argparse.Namespace) -> int:
    """Print the account's event URL (its token made in the journal on first need)."""
    # The journal only here: `account list` and the others start without it.
    from tui.engine.delivery_url import BASE_URL_OPTION, event_url, new_token
    from tui.engine.journal import Journal

    account = ctx.workspace.account(args.name)
    if account.provider != EVENTS_PROVIDER:
        raise UsageError(
            f"account {account.name} is a {account.provider} account: event notifications "
            f"are {EVENTS_PROVIDER}'s"
        )
    base = account.options.get(BASE_URL_OPTION, "").strip()
    if not base:
        raise UsageError(
            f"account {account.name} has no {BASE_URL_OPTION} option (the public URL that "
            "reaches `switchboard receive`): add the account with "
            f"--option {BASE_URL_OPTION}=URL"
        )
    with Journal(args.journal) as journal:
        url = event_url(base, journal.event_token(account.name, new_token))
    ctx.emit(
        {"account": account.name, "event_url": url},
        lambda: ctx.print(
            f"{url}\nSet it as the event notification URL in {EVENTS_PROVIDER}'s settings for "
            f"{account.name}; `switchboard receive` takes the events posted to it."
        ),
    )
    return EXIT_OK
