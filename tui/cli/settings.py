"""`switchboard settings list|set`: the console's preferences in config.toml's [settings].

Each setting has one check, shared with the console (which says the same when it finds a
bad value in the file): a bad value is refused here with that message and never written.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from backends.errors import ConfigError
from tui import receiver_process as receiving
from tui.cli.common import EXIT_OK, Context, UsageError, table
from tui.usecases import conversations as chats

#: Setting name -> the check that turns the typed text into the stored value.
SETTINGS: dict[str, Callable[[object], Any]] = {
    chats.REFRESH_SETTING: chats.refresh_seconds,
    receiving.LISTEN_SETTING: receiving.listen_address,
}
#: What an unset setting means.
DEFAULTS: dict[str, object] = {
    chats.REFRESH_SETTING: chats.DEFAULT_REFRESH,
    receiving.LISTEN_SETTING: receiving.DEFAULT_LISTEN,
}


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the settings commands."""
    p = sub.add_parser("settings", help="the console's preferences (refresh interval, ...)")
    cmds = p.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    ls = cmds.add_parser("list", parents=[common], help="show every setting and its value")
    ls.set_defaults(handler=cmd_list)
    st = cmds.add_parser("set", parents=[common], help="change a setting")
    st.add_argument("name", help=" or ".join(SETTINGS))
    st.add_argument(
        "value",
        help=f"{chats.REFRESH_SETTING}: seconds, or off; {receiving.LISTEN_SETTING}: HOST:PORT "
        "the console's delivery receiver listens on",
    )
    st.set_defaults(handler=cmd_set)


async def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    """Show the settings, unset ones with their defaults."""
    store = ctx.workspace.store
    values = {name: store.setting(name, DEFAULTS[name]) for name in SETTINGS}
    ctx.emit_list(
        [{"name": k, "value": v} for k, v in values.items()],
        lambda: table(ctx, ("SETTING", "VALUE"), values.items()),
    )
    return EXIT_OK


async def cmd_set(ctx: Context, args: argparse.Namespace) -> int:
    """Check and store one setting."""
    check = SETTINGS.get(args.name)
    if check is None:
        raise UsageError(f"no setting named {args.name!r}: use {' or '.join(SETTINGS)}")
    try:
        value = check(args.value)
    except ConfigError as exc:
        raise UsageError(exc.message) from None  # what the console says of a bad file
    ctx.workspace.store.set_setting(args.name, value)
    ctx.emit({args.name: value}, lambda: ctx.print(f"{args.name} = {value}"))
    return EXIT_OK
