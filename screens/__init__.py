"""The console's screens: one package per area, on Textual, over `tui`.

A screen turns a form into a call on the engine or a backend and renders the result; its
workers keep the network and the disk off the UI loop. Each area (`accounts/`, `otp/`,
`compose/`, `contacts/`, `conversations/`, `reports/`, `surveys/`, `templates/`, `jobs/`)
holds its screen in `screen.py`, its tabs and panes beside it and its `.tcss` styles.
`widgets/` holds what every screen shares (`common.py`: the base screen, error and
confirmation dialogs, the one worker-error handler `WorkerErrors`; `progress.py`: the send
progress; `help.py`: the keys screen), `catalog.py` the list of areas the app opens and
`app.tcss` the app's own styles. Screens never import `tui.cli`: what the CLI and a screen
both need lives in `tui` (engine, use cases, dates, files, CSV).
"""
