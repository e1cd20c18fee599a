"""Matching a provider's per-recipient answer (202/207) to the recipients of a batch."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from backends.models.common import RecipientResult, SendResult
from tui.engine.journal_rows import Claimed, Outcome, State

__all__ = ["match_results", "reason_text"]


def _key(to: str) -> str:
    # Providers may echo a number with or without its '+', an address in another case.
    return to.casefold() if "@" in to else to.removeprefix("+")


def reason_text(code: int | str | None, message: str | None) -> str:
    """A refusal as the journal records it: `code: description`."""
    text = message or "refused"
    return f"{code}: {text}" if code is not None else text


def _outcome(c: Claimed, r: RecipientResult) -> Outcome:
    if r.accepted:
        return Outcome(c.seq, c.to, State.ACCEPTED, None, r.id, r.parts)
    return Outcome(c.seq, c.to, State.REJECTED, reason_text(r.error_code, r.error))


def match_results(batch: Sequence[Claimed], result: SendResult) -> list[Outcome]:
    """Each claimed recipient's outcome from a per-recipient answer.

    Results are matched by recipient; one listed twice is matched in request order, as
    the provider answers in request order. A recipient the answer does not mention is
    UNKNOWN: it may have been sent.
    """
    results = result.results
    if len(results) == len(batch) and all(
        r.to == c.to for r, c in zip(results, batch, strict=True)
    ):
        # The usual answer: one result per recipient, in request order (a cheap fast path
        # for 100,000-recipient jobs).
        return [_outcome(c, r) for c, r in zip(batch, results, strict=True)]
    waiting: dict[str, deque[Claimed]] = {}
    for c in batch:
        waiting.setdefault(_key(c.to), deque()).append(c)
    outcomes: list[Outcome] = []
    for r in results:
        queue = waiting.get(_key(r.to))
        if not queue:
            continue  # an answer for a recipient we did not send: nothing to record
        outcomes.append(_outcome(queue.popleft(), r))
    missing = "the provider's answer did not mention this recipient"
    for queue in waiting.values():
        outcomes.extend(Outcome(c.seq, c.to, State.UNKNOWN, missing) for c in queue)
    return outcomes
