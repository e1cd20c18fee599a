"""One reading of a typed date for the CLI and every console form: no offset is local time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from screens.compose.form import parse_send_time
from screens.reports.common import parse_day
from tui.cli.reports import parse_date
from tui.cli.send_options import when_arg
from tui.dates import fmt_time, parse_optional, parse_when, utc_label
from tui.usecases.survey_batch import batch_time
from tui.usecases.surveys import RequestForm, document_request


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This machine's local time is New York's (UTC-5 in January)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


READERS: dict[str, Callable[[str], datetime | None]] = {
    "tui.dates": parse_when,
    "CLI --schedule/--expires/--date": when_arg,
    "CLI report --after/--before": parse_date,
    # One use case each for the CLI and the console's form (tui.usecases).
    "request send --due and the Collect form": lambda text: (
        document_request(RequestForm("c", contact_id="x", due=text)).due_date
    ),
    "survey-batch --scheduled/--expiry, the 8x8 form and CSV": lambda text: batch_time(
        text, "scheduled"
    ),
    "Compose schedule/expiry": parse_send_time,
    "Reports filter dates": parse_day,
}


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_every_front_end_reads_a_naive_time_as_local(
    new_york: None, reader: Callable[[str], datetime | None]
) -> None:
    # Several of these read it as UTC before (reports, Collect, 8x8 form; 8x8 CLI refused).
    assert reader("2025-01-15 09:30") == datetime(2025, 1, 15, 14, 30, tzinfo=UTC)
    assert reader("2025-01-15T09:30+01:00") == datetime(2025, 1, 15, 8, 30, tzinfo=UTC)
    assert reader("2025-01-15T09:30Z") == datetime(2025, 1, 15, 9, 30, tzinfo=UTC)


def test_a_bare_date_is_local_midnight_and_an_end_bound_the_next_one(new_york: None) -> None:
    assert parse_when("2025-01-15") == datetime(2025, 1, 15, 5, tzinfo=UTC)
    assert parse_day("2025-01-15", end=True) == datetime(2025, 1, 16, 5, tzinfo=UTC)
    # The day summer time starts has 23 hours: the end bound is still local midnight.
    assert parse_day("2025-03-09", end=True) == datetime(2025, 3, 10, 4, tzinfo=UTC)


def test_one_label_and_one_set_of_refusals() -> None:
    moment = parse_when("2025-03-05 10:30+02:00")
    assert utc_label(moment) == "2025-03-05 08:30 UTC"
    # Every moment shown to people (CLI and console) has that label, in UTC even when the
    # provider gave it with an offset (the CLI's own formatter used to call it UTC as is).
    assert fmt_time(moment) == "2025-03-05 08:30 UTC"
    assert fmt_time(None) == ""
    assert parse_optional("  ") is None and parse_optional(None) is None
    assert parse_send_time("now") is None
    with pytest.raises(ValueError, match="add a time of day"):
        parse_when("2025-03-05", need_time=True)
    with pytest.raises(ValueError, match="has already passed"):
        parse_when("2025-03-05 10:30+02:00", now=moment)
    with pytest.raises(ValueError, match="not a date-time: 'tomorrow'"):
        parse_when("tomorrow")
    with pytest.raises(ValueError, match="enter a date"):
        parse_when("")
