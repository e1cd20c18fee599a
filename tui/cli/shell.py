"""`switchboard completion bash|zsh|fish`: the shell's completion script (shtab)."""

from __future__ import annotations

import argparse
from typing import Any

from tui.cli.common import EXIT_OK, Context

SHELLS = ("bash", "zsh", "fish")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add `completion`."""
    p = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, fish)",
        description="Print the completion script for SHELL. Bash: "
        "`switchboard completion bash > ~/.local/share/bash-completion/completions/switchboard`; "
        "zsh: into a directory of $fpath as _switchboard; fish: "
        "`switchboard completion fish > ~/.config/fish/completions/switchboard.fish`.",
    )
    p.add_argument("shell", choices=SHELLS)
    p.set_defaults(handler=cmd_completion)


async def cmd_completion(ctx: Context, args: argparse.Namespace) -> int:
    """Print the script shtab writes from the full parser (every command and option)."""
    import shtab  # only here: no other command pays for it

    from tui.cli import build_parser

    ctx.out.write(shtab.complete(build_parser(), shell=args.shell))
    return EXIT_OK
