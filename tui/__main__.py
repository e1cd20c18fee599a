"""`python -m tui` runs the `switchboard` command."""

from tui.cli import main

main()
