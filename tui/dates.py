"""The one reading of a date or time a person types, and the one way it is shown in UTC.

Rule: ISO 8601; without an offset it is this machine's local time (what people type), a
bare date is its local midnight. A local time the clocks skip (spring forward) or show
twice (fall back) is refused with the offsets to choose from, and a date beyond what can
be sent (such as 0001-01-01) is "date out of range". The CLI (argument types) and every
console form (send times, expiries, due dates, report filters) read dates here, so the
same text means the same moment wherever it is typed. Providers are sent UTC; `utc_label`
shows that moment, and `fmt_time` any moment shown to people, in the same label.
"""

from __future__ import annotations

from datetime import UTC, datetime

EXAMPLE = "2026-11-24 09:00 (local time) or 2026-11-24T09:00+01:00"


def is_date_only(text: str) -> bool:
    """Whether `text` names a day without a time of day (YYYY-MM-DD)."""
    return len(text.strip()) <= 10


def parse_when(text: str, *, now: datetime | None = None, need_time: bool = False) -> datetime:
    """An aware date-time from ISO 8601 text; naive text is local time.

    ValueError with a message for the person who typed it: not a date, a bare date when
    `need_time`, or a moment not after `now` (when given).
    """
    raw = text.strip()
    if not raw:
        raise ValueError(f"enter a date and time, e.g. {EXAMPLE}")
    try:
        # "Z" is what most people paste from an API; fromisoformat reads it from 3.11.
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"not a date-time: {raw!r}; type ISO 8601, e.g. {EXAMPLE}") from None
    if need_time and is_date_only(raw):
        raise ValueError(f"add a time of day, e.g. {raw} 09:30")
    moment = moment if moment.tzinfo is not None else _local(moment, raw)
    try:
        moment.astimezone(UTC)  # what providers are sent must exist too
    except (OverflowError, ValueError):
        raise ValueError(f"date out of range: {raw}") from None
    if now is not None and moment <= now:
        raise ValueError(f"{raw} has already passed")
    return moment


def _local(naive: datetime, raw: str) -> datetime:
    """A wall-clock time in this machine's zone; ValueError when the clocks skip it (spring
    forward) or show it twice (fall back): silently taking another moment would send at a
    time nobody typed, so the person adds an offset instead."""
    # astimezone() on a naive value reads it as local time; `fold` picks the first or the
    # second reading where the zone's offset changes (PEP 495).
    try:
        first = naive.replace(fold=0).astimezone()
        second = naive.replace(fold=1).astimezone()
        skipped = first.astimezone().replace(tzinfo=None) != naive
    except (OverflowError, ValueError):  # beyond what the clock can tell (0001-01-01)
        raise ValueError(f"date out of range: {raw}") from None
    if first.utcoffset() == second.utcoffset():
        return first
    if skipped:
        raise ValueError(
            f"{raw} does not exist in this machine's time zone (the clocks skip it that "
            "day): type a time outside the skipped hour, or one with an offset"
        )
    raise ValueError(
        f"{raw} happens twice in this machine's time zone (the clocks go back that day): "
        f"add the offset of the one you mean, {first.isoformat(timespec='minutes')} or "
        f"{second.isoformat(timespec='minutes')}"
    )


def parse_optional(
    text: str | None, *, now: datetime | None = None, need_time: bool = False
) -> datetime | None:
    """`parse_when`, but blank (or None) is None: an optional field left empty."""
    if text is None or not text.strip():
        return None
    return parse_when(text, now=now, need_time=need_time)


def utc_label(moment: datetime) -> str:
    """A moment as it reaches the provider: `2026-11-24 08:00 UTC`."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def fmt_time(moment: datetime | None) -> str:
    """A moment for people wherever it is shown (CLI tables, the console's lists): the
    one label, `utc_label`'s; blank when unknown."""
    return utc_label(moment) if moment else ""
