"""A journaled job's per-recipient outcomes as CSV: `jobs export`, `--results` and the console.

One place for the columns and the rows, written through the formula-safe CSV writer and
the atomic file write, so the CLI and the console export the same file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from tui.csvout import SafeCsv, cell
from tui.engine.delivery import Delivery, DeliveryState
from tui.engine.journal import Journal
from tui.engine.journal_rows import State
from tui.files import atomic_text

# `delivery` and `delivery_at` are the recipient's delivery state and its time (empty until
# a report comes); `delivery_parts` lists the parts' (`1:DELIVRD@time;2:UNDELIV@time`) only
# when they differ from the recipient's.
# `resent` is "yes" for a recipient sent the job again after an unknown outcome
# (`--resend-unknown`): the first request may have reached them too.
EXPORT_COLUMNS = (
    "seq",
    "to",
    "state",
    "reason",
    "provider_id",
    "parts",
    "updated_at",
    "vars",
    "resent",
    "delivery",
    "delivery_at",
    "delivery_parts",
)


def job_rows(
    journal: Journal, job_id: int, state: State | None = None
) -> Iterator[tuple[object, ...]]:
    """One row per journaled recipient (of `state` if given), in EXPORT_COLUMNS order, its
    cells formula-safe.

    Only the number or address, the provider's reason and its id can hold someone else's
    text; the other cells are the journal's own (seq, state, parts, time, the variables as
    a JSON object, 'yes', the delivery states and times), so they skip `cell`: an export
    costs about a plain dump's time.
    """
    deliveries = journal.deliveries(job_id)
    for seq, to, st, reason, provider_id, parts, updated, v, resent in journal.export_rows(
        job_id, state
    ):
        yield (
            seq,
            cell(to),
            st,
            cell(reason),
            cell(provider_id),
            parts,
            updated,
            v,
            resent,
            *delivery_cells(deliveries.get(seq)),
        )


def delivery_cells(d: Delivery | None) -> tuple[str, str, str]:
    """The delivery, delivery_at and delivery_parts cells ("" until a report comes)."""
    if d is None:
        return "", "", ""
    return d.state.value, d.at, parts_text(d.parts) if d.parts else ""


def parts_text(parts: Mapping[int, tuple[DeliveryState, str]]) -> str:
    """The parts' states in one cell: `1:DELIVRD@<time>;2:UNDELIV@<time>`."""
    return ";".join(f"{n}:{s.value}@{at}" for n, (s, at) in sorted(parts.items()))


def write_job_csv(
    out: TextIO,
    journal: Journal,
    job_id: int,
    state: State | None = None,
    *,
    more: Iterable[Sequence[object]] = (),
) -> int:
    """The job's rows, then `more` (rows never journaled), to `out`; how many rows."""
    writer = SafeCsv(out, EXPORT_COLUMNS)
    writer.write_neutralised(job_rows(journal, job_id, state))
    writer.write(more)
    return writer.rows


def export_job(
    path: Path,
    journal: Journal,
    job_id: int,
    state: State | None = None,
    *,
    more: Iterable[Sequence[object]] = (),
) -> int:
    """`write_job_csv` into `path`, atomically: a failed export never replaces a good file."""
    with atomic_text(path) as fh:
        return write_job_csv(fh, journal, job_id, state, more=more)
