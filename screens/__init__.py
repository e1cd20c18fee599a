"""The console's screens: one module per screen or tab, on Textual, over `tui`.

A screen turns a form into a call on the engine or a backend and renders the result; its
workers keep the network and the disk off the UI loop. `common.py` holds what every
screen shares (the base screen, error and confirmation dialogs, the one worker-error
handler `WorkerErrors`), `catalog.py` the list of areas the app opens, `*.tcss` the
styles. Screens never import `tui.cli`: what the CLI and a screen both need lives in
`tui` (engine, use cases, dates, files, CSV).
"""
