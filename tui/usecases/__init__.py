"""Use cases: what a user does, once, for both front ends.

One module per user task (sending, contacts, reports, jobs, ...). A use case is plain
async Python: no argparse, no textual. It takes a request object, runs the checks, the
confirmation policy, the journal and the backend calls, and returns typed results with
one JSON shape. The CLI commands (`tui/cli/`) and the console's screens (`screens/`) are
thin adapters over it: they turn arguments or a form into the request and render the
result, so a rule changed here changes in both.

- `accounts`: testing an account (who we are, the balance, or why it cannot tell).
- `confirm`: the one confirmation policy for every bulk or destructive action.
- `contacts`: what a contact must hold before it is created, changed or imported.
- `contacts_io`: contacts from a CSV file (per-row results by line) and to one.
- `otp`: generate and check one-time codes, with their checks.
- `conversations`: WhatsApp conversations: list, open one, messages, reply.
- `jobs`: a send job's result, one typed value and one JSON shape.
- `send`: the send pipeline (recipients, checks, preflight, question, journal) for SMS,
  landing SMS, email, voice and WhatsApp templates.
- `surveys`: survey sends (Xebo) as journaled jobs, their contacts reader, and document
  requests (Collect).
- `survey_batch`: survey batches (8x8) as journaled jobs.
- `recent_ids`: ids that worked on an account (templates, campaigns, surveys, senders,
  groups), offered first by the console's pickers where no provider lists them.
"""
