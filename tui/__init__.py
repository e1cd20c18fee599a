"""The application without its screens: CLI, console app, use cases, engine, settings.

`cli/` is the `switchboard` command, `app.py` the Textual console (the only module of
this package that imports Textual or `screens`), `usecases/` what a user does once for
both front ends, `engine/` recipients, preflight and the journaled send engine.
`config.py`, `secrets.py` and `workspace.py` hold accounts, keyring secrets and open
backends; `dates.py`, `files.py` and `csvout.py` are the one date reading, atomic file
write and formula-safe CSV writer that the CLI and the screens share.
"""
