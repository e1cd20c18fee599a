"""Preflight: counts, parts, cost per country, balance and marketing hours, on the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from backends.base import Connection
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app
from tui.engine.preflight import RESTRICTIONS, allowed, format_summary, preflight
from tui.engine.recipients import from_values

ES, FR, CO, US = "34666555444", "33612345678", "573001234567", "12025550123"


def backend() -> Nrs360Backend:
    return Nrs360Backend(
        Connection("http://sandbox/api/rest", DEMO_USERNAME, DEMO_PASSWORD),
        transport=httpx.ASGITransport(create_app()),
    )


async def test_counts_parts_and_cost_per_country() -> None:
    names = [{"name": "Ana"}, {"name": "Bo" * 100}, {"name": "Cy"}, {"name": "Di"}, {}]
    recipients = from_values([ES, "34666555333", FR, "34", ES], subs=names)
    async with backend() as b:
        prices = {p.country_iso: p for p in await b.coverage_by_country()}
        balance = (await b.account()).balance
        s = await preflight(b, recipients, "Hi {name}!")
    assert (s.valid, s.invalid, s.duplicates, s.blacklisted, s.recipients) == (3, 1, 1, 0, 3)
    # "Hi Ana!" 1 part; 200 'Bo' chars -> 204 septets -> 2 parts; "Hi Cy!" 1 part.
    assert (s.parts, s.parts_min, s.parts_max, s.distinct_texts) == (4, 1, 2, 3)
    by = {c.country: c for c in s.countries}
    assert (by["ES"].recipients, by["ES"].parts) == (2, 3)
    assert by["ES"].price == prices["ES"].max_cost
    assert by["FR"].cost == pytest.approx(prices["FR"].max_cost)
    assert s.total_cost == pytest.approx(prices["ES"].max_cost * 3 + prices["FR"].max_cost)
    assert s.balance == balance and s.currency == prices["ES"].currency
    text = format_summary(s, recipients)
    assert "Recipients: 3 to send (3 valid, 1 invalid, 1 duplicates, 0 blacklisted)" in text
    assert "row 4: '34'" in text and "Estimated cost:" in text


async def test_missing_variables_and_unpriced_country() -> None:
    recipients = from_values([ES, "+680 488 1234"])  # Palau: not in the sandbox coverage
    async with backend() as b:
        s = await preflight(b, recipients, "Hello {name}")
    assert s.missing_vars == ("name",)
    assert s.unpriced == ("PW",)
    assert any("no price for PW" in w for w in s.warnings)


def test_restriction_windows() -> None:
    fr, co = RESTRICTIONS["FR"], RESTRICTIONS["CO"]
    # 2025-03-09 is a Sunday; 2025-03-10 a Monday; 2025-03-15 a Saturday.
    assert not allowed(fr, datetime(2025, 3, 9, 13, 0, tzinfo=UTC))  # Sunday 14:00 Paris
    assert allowed(fr, datetime(2025, 3, 10, 7, 0, tzinfo=UTC))  # Monday 08:00 Paris
    assert not allowed(fr, datetime(2025, 3, 10, 21, 0, tzinfo=UTC))  # 22:00 Paris
    assert allowed(co, datetime(2025, 3, 10, 12, 0, tzinfo=UTC))  # Monday 07:00 Bogota
    assert not allowed(co, datetime(2025, 3, 11, 0, 30, tzinfo=UTC))  # Monday 19:30 Bogota
    assert allowed(co, datetime(2025, 3, 15, 19, 59, tzinfo=UTC))  # Saturday 14:59
    assert not allowed(co, datetime(2025, 3, 15, 20, 0, tzinfo=UTC))  # Saturday 15:00


async def test_marketing_warnings_only_when_marketing() -> None:
    recipients = from_values([FR, CO, ES])
    sunday = datetime(2025, 3, 9, 13, 0, tzinfo=UTC)
    async with backend() as b:
        plain = await preflight(b, recipients, "x", when=sunday)
        marketing = await preflight(b, recipients, "x", marketing=True, when=sunday)
    assert not any("marketing" in w for w in plain.warnings)
    france, colombia = (w for w in marketing.warnings if "marketing SMS" in w)
    assert "1 recipients in France" in france and "Sunday 14:00" in france
    assert "Colombia" in colombia and "Sunday 08:00" in colombia


async def test_over_balance_warning() -> None:
    recipients = from_values([ES])
    app = create_app()
    app.state.nrs.balance_cents = 0
    b = Nrs360Backend(
        Connection("http://sandbox/api/rest", DEMO_USERNAME, DEMO_PASSWORD),
        transport=httpx.ASGITransport(app),
    )
    async with b:
        s = await preflight(b, recipients, "x")
    assert s.over_balance and any("exceeds the balance" in w for w in s.warnings)


def test_a_value_a_filter_cannot_take_is_a_warning_not_a_crash() -> None:
    from tui.engine.preflight import summarise

    recipients = from_values([ES, FR], subs=[{"n": "1234.5"}, {"n": "many"}])
    s = summarise(recipients, "Total {n|formatDotComma}", prices={})
    assert (s.recipients, s.filter_errors) == (2, 1)
    assert any("1 recipients' values do not fit their filter (row 2:" in w for w in s.warnings)
    # A filter that does not exist is the template's fault: refused as before.
    with pytest.raises(ValueError, match="unknown filter"):
        summarise(recipients, "Hi {n|foo}", prices={})
