"""The journal's delivery states: reports stored beside the send outcome (tui.engine.journal).

A report names a message by the provider's id; it is stored against the recipient that
id belongs to, in one transaction per batch. The upsert's condition (`excluded.rank >
deliveries.rank`) is the whole "never back to an earlier state" rule, so a duplicate, a
late ACCEPTD after DELIVRD, or a second final state changes nothing. Event notifications
come per account (its event token), name a message by its id among all the account's jobs,
and keep the events that are not about delivery once each (`delivery_events`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime

from tui.engine.delivery import (
    FINAL,
    RANK_FINAL,
    Delivery,
    DeliveryState,
    Funnel,
    RecipientEvent,
    Report,
    combine,
    rank,
)
from tui.engine.journal_db import EVENT_INDEX, transaction
from tui.engine.journal_ids import ProviderIds
from tui.engine.journal_rows import Totals

_UPSERT = (
    "INSERT INTO deliveries (job_id, seq, part, state, rank, at, received_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (job_id, seq, part) DO UPDATE SET state = excluded.state,"
    " rank = excluded.rank, at = excluded.at, received_at = excluded.received_at"
    " WHERE excluded.rank > deliveries.rank"
)


# (job_id, seq, part, state, rank, at, received_at)
_Row = tuple[int, int, int, str, int, str, str]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class DeliveryJournal(ProviderIds):
    """Delivery-state methods of tui.engine.journal.Journal (mixed into it)."""

    # Journal's totals, read from its per-job counters rather than by counting rows.
    totals: Callable[[int], Totals]

    def record_deliveries(self, job_id: int, reports: Iterable[Report]) -> list[str]:
        """Store a batch of reports in one commit; the ids no recipient of the job carries."""
        batch = list(reports)
        now = _now()
        with self._locked(), transaction(self._db):
            seqs = self._seqs_of(job_id, sorted({r.provider_id for r in batch}))
            unknown = sorted({r.provider_id for r in batch if r.provider_id not in seqs})
            whole: list[_Row] = []
            touched: dict[int, int] = {}
            parted: list[_Row] = []
            for r in batch:
                if r.provider_id not in seqs:
                    continue
                seq, parts = seqs[r.provider_id]
                # A one-part message's part 1 is the message itself.
                if r.part is None or parts <= 1:
                    whole.append((job_id, seq, 0, r.state, rank(r.state), r.at, now))
                else:
                    parted.append((job_id, seq, r.part, r.state, rank(r.state), r.at, now))
                    touched[seq] = parts
            self._db.executemany(_UPSERT, parted)
            whole.extend(self._combined(job_id, touched, now))
            self._db.executemany(_UPSERT, whole)
        return unknown

    def _combined(self, job_id: int, touched: dict[int, int], now: str) -> Iterator[_Row]:
        """The recipient rows (part 0) that follow from the parts' rows of `touched`."""
        for seq, expected in touched.items():
            rows = self._db.execute(
                "SELECT part, state, at FROM deliveries WHERE job_id = ? AND seq = ? AND part > 0",
                (job_id, seq),
            ).fetchall()
            parts = {p: DeliveryState(s) for p, s, _ in rows}
            state = combine(parts, expected)
            at = max(a for _, _, a in rows)
            yield (job_id, seq, 0, state, rank(state), at, now)

    def delivery_funnel(self, job_id: int) -> Funnel:
        """The job's funnel: accepted recipients and where their delivery stands."""
        accepted = self.totals(job_id).accepted
        with self._locked():
            counts = {
                DeliveryState(s): n
                for s, n in self._db.execute(
                    "SELECT state, COUNT(*) FROM deliveries WHERE job_id = ? AND part = 0"
                    " AND rank = ? GROUP BY state",
                    (job_id, RANK_FINAL),
                )
            }
        return Funnel.of(accepted, counts)

    def deliveries(self, job_id: int) -> dict[int, Delivery]:
        """Every recipient's delivery state by seq, with its parts' where they differ."""
        out: dict[int, Delivery] = {}
        parts: dict[int, dict[int, tuple[DeliveryState, str]]] = defaultdict(dict)
        with self._locked():
            rows = self._db.execute(
                "SELECT seq, part, state, at FROM deliveries WHERE job_id = ? ORDER BY seq, part",
                (job_id,),
            ).fetchall()
        for seq, part, state, at in rows:
            if part == 0:
                out[seq] = Delivery(DeliveryState(state), at)
            else:
                parts[seq][part] = (DeliveryState(state), at)
        for seq, by_part in parts.items():
            whole = out.get(seq)
            if whole is not None and any(s != whole.state for s, _ in by_part.values()):
                out[seq] = Delivery(whole.state, whole.at, by_part)
        return out

    def awaiting_delivery(self, job_id: int) -> list[str]:
        """Provider ids of accepted recipients whose delivery is not final yet, in order."""
        marks = ",".join("?" * len(FINAL))
        with self._locked():
            rows = self._db.execute(
                "SELECT r.provider_id FROM recipients r LEFT JOIN deliveries d"
                " ON d.job_id = r.job_id AND d.seq = r.seq AND d.part = 0"
                " WHERE r.job_id = ? AND r.state = 'ACCEPTED' AND r.provider_id IS NOT NULL"
                f" AND (d.state IS NULL OR d.state NOT IN ({marks})) ORDER BY r.seq",
                (job_id, *sorted(FINAL)),
            ).fetchall()
        return [str(pid) for (pid,) in rows]

    def set_delivery_token(self, job_id: int, token: str) -> None:
        """The token the job's notification URL carries."""
        with self._locked(), transaction(self._db):
            self._db.execute(
                "INSERT INTO delivery_tokens (token, job_id) VALUES (?, ?)", (token, job_id)
            )

    def job_of_token(self, token: str) -> int | None:
        """The job whose notification URL carries `token` (None: no such job)."""
        with self._locked():
            row = self._db.execute(
                "SELECT job_id FROM delivery_tokens WHERE token = ?", (token,)
            ).fetchone()
        return None if row is None else int(row[0])

    def latest_deliveries(self, job_id: int, n: int) -> list[tuple[str, Delivery]]:
        """The `n` recipients (number, delivery) whose report came last, newest first."""
        with self._locked():
            rows = self._db.execute(
                'SELECT r."to", d.state, d.at FROM deliveries d JOIN recipients r'
                " ON r.job_id = d.job_id AND r.seq = d.seq"
                " WHERE d.job_id = ? AND d.part = 0 ORDER BY d.received_at DESC, d.seq DESC"
                " LIMIT ?",
                (job_id, n),
            ).fetchall()
        return [(to, Delivery(DeliveryState(state), at)) for to, state, at in rows]

    def event_token(self, account: str, new: Callable[[], str]) -> str:
        """The token of the account's event URL: made (by `new`) the first time it is asked
        for, the same ever after."""
        with self._locked(), transaction(self._db):
            row = self._db.execute(
                "SELECT token FROM event_tokens WHERE account = ?", (account,)
            ).fetchone()
            if row is not None:
                return str(row[0])
            token = new()
            self._db.execute(
                "INSERT INTO event_tokens (token, account) VALUES (?, ?)", (token, account)
            )
            self._db.execute(EVENT_INDEX)
        return token

    def account_of_event_token(self, token: str) -> str | None:
        """The account whose event URL carries `token` (None: no such account)."""
        with self._locked():
            row = self._db.execute(
                "SELECT account FROM event_tokens WHERE token = ?", (token,)
            ).fetchone()
        return None if row is None else str(row[0])

    def event_recipient(
        self, account: str, provider_id: str, channels: Sequence[str]
    ) -> tuple[int, int] | None:
        """(job id, seq) of the account's recipient, in a job of one of `channels`, that
        carries `provider_id` (the newest if several do); None when none does."""
        marks = ",".join("?" * len(channels))
        with self._locked():
            row = self._db.execute(
                "SELECT r.job_id, r.seq FROM recipients r JOIN jobs j ON j.id = r.job_id"
                f" WHERE r.provider_id = ? AND j.account = ? AND j.channel IN ({marks})"
                " ORDER BY r.job_id DESC LIMIT 1",
                (provider_id, account, *channels),
            ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]))

    def record_events(self, events: Iterable[RecipientEvent]) -> int:
        """Store a batch of events in one commit, each once (a repeat is ignored); how many
        were new."""
        now = _now()
        with self._locked(), transaction(self._db):
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO delivery_events"
                " (job_id, seq, event, at, extra, received_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(*e, now) for e in events],
            )
            return self._db.total_changes - before

    def event_counts(self, job_id: int) -> dict[str, int]:
        """The job's events that are not about delivery, counted by type."""
        with self._locked():
            rows = self._db.execute(
                "SELECT event, COUNT(*) FROM delivery_events WHERE job_id = ?"
                " GROUP BY event ORDER BY COUNT(*) DESC, event",
                (job_id,),
            ).fetchall()
        return {str(event): int(n) for event, n in rows}
