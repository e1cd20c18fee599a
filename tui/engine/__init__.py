"""The send engine and what it needs, with no UI: every send from the CLI or a screen.

`recipients.py` loads and validates recipients (typed, CSV, groups), `segments.py` and
`placeholders.py` count SMS parts, `preflight.py` and `pricing.py` say what a send will
do and cost, `sender.py` (with `channels.py`, `sms_job.py`, `survey_batch.py` and `survey_send.py`)
journals a job and `run.py` sends it in batches under a rate limiter (`ratelimit.py`);
`prechecks.py` checks the first request before anything is journaled, matching answers per
recipient (`results.py`), and `journal.py` is its SQLite journal (rows and states typed in
`journal_rows.py`, the file's schema in `journal_db.py`, a recording process's liveness in
`processes.py`), exported as CSV by `export.py`.
"""
