"""The Reports screen's pure parts: the bar chart, filter dates, CSV round trip, matching."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backends.models.reports import SendingEvents, SendingSummary
from screens.reports.chart import bar, bar_chart, chart_base, cost_line, funnel
from screens.reports.common import parse_day
from screens.reports.events import ALL_COLUMNS, matching
from screens.reports.screen import _join
from tui.csvin import csv_table
from tui.csvout import csv_text


def test_bars_are_proportional_in_eighths_of_a_cell() -> None:
    assert bar(10, 10, 8) == "█" * 8
    assert bar(5, 10, 8) == "█" * 4
    assert bar(1, 16, 8) == "▌"  # half a cell
    assert bar(3, 16, 8) == "█▌"
    assert bar(1, 10_000, 8) == "▏"  # tiny but not invisible
    assert bar(0, 10, 8) == "" and bar(3, 0, 8) == ""
    assert bar(20, 10, 8) == "█" * 8  # never wider than the chart


def test_chart_lines_have_counts_and_shares_aligned() -> None:
    lines = bar_chart([("Sent", 40), ("Clicked", 7)], 40, width=10).plain.splitlines()
    assert lines == [
        "Sent    ██████████ │ 40  100.0%",
        "Clicked █▊         │  7   17.5%",
    ]


def test_funnel_groups_the_failure_kinds() -> None:
    events = SendingEvents(
        sent=10, delivered=6, hard_bounced=1, soft_bounced=1, undelivered=1, expired=1
    )
    rows = dict(funnel(events))
    assert rows["Bounced"] == 2 and rows["Not delivered"] == 2 and rows["Sent"] == 10


def test_share_base_and_cost_line() -> None:
    sending = SendingSummary(
        id=1,
        campaign_name="x",
        status="OPENED",
        channel="sms",
        total=40,
        processed=30,
        total_sms_parts=45,
        cost=2.0,
        currency="EUR",
        events=SendingEvents(sent=30),
    )
    assert chart_base(sending) == 40
    assert cost_line(sending) == "Cost 2.00 EUR · 30 of 40 processed · 45 SMS parts"


def test_filter_dates() -> None:
    assert parse_day("") is None
    # tui.dates' rule: no offset is local time (the tests run in UTC, see tests/conftest.py).
    assert parse_day("2025-02-01") == datetime(2025, 2, 1, tzinfo=UTC)
    # A bare end date includes its whole day (the provider's beforeDate is exclusive).
    assert parse_day("2025-02-01", end=True) == datetime(2025, 2, 2, tzinfo=UTC)
    assert parse_day("2025-02-01T10:00", end=True) == datetime(2025, 2, 1, 10, tzinfo=UTC)
    assert parse_day("2025-02-01T10:00+02:00") == datetime(2025, 2, 1, 8, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a date"):
        parse_day("01/02/2025")


def test_csv_round_trip_and_semicolons() -> None:
    text = 'event,phone,url\nclicked,346,"https://a.b/?x=1,2"\ndelivered,347,\n'
    columns, rows = csv_table(text)
    assert columns == ["event", "phone", "url"]
    assert rows == [["clicked", "346", "https://a.b/?x=1,2"], ["delivered", "347", ""]]
    # What the events export writes (the one CSV writer) reads back the same.
    assert csv_table(csv_text(columns, rows)[0]) == (columns, rows)
    assert csv_table("\ufeffevent;phone\nsent;34\n") == (["event", "phone"], [["sent", "34"]])


def test_matching_one_column_or_any() -> None:
    rows = [["clicked", "Chrome"], ["delivered", "clicked-app"], ["sent", ""]]
    assert matching(rows, 0, "CLICK") == [rows[0]]
    assert matching(rows, ALL_COLUMNS, "click") == rows[:2]
    assert matching(rows, 1, "  ") == rows


def test_notice_lists_read_naturally() -> None:
    assert _join(["a"]) == "a"
    assert _join(["a", "b", "c"]) == "a, b or c"
