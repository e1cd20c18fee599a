"""The campaign roll-up (issue 12 point 8): a campaign sent in batches, added up."""

from __future__ import annotations

from datetime import UTC, datetime

from backends.models.reports import Campaign, SendingEvents, SendingSummary
from tui.usecases.reports import add_events, rollup

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def batch(
    sid: int, n: int, *, cost: float | None = 0.05, currency: str = "EUR", **kw: object
) -> SendingSummary:
    return SendingSummary(
        id=sid,
        campaign_name="Spring sale",
        status=str(kw.get("status", "OPENED")),
        channel=str(kw.get("channel", "sms")),
        total=n,
        processed=n - 1,
        total_sms_parts=n * 2,
        cost=None if cost is None else cost * n,
        currency=currency,
        created_at=T0.replace(minute=sid % 60),
        events=SendingEvents(sent=n, delivered=n - 2, undelivered=1, clicked=sid % 3),
    )


def test_the_batches_of_a_campaign_add_up() -> None:
    batches = (batch(3, 500), batch(1, 500), batch(2, 120, status="FINISHED"))
    campaigns = [
        Campaign(7, "Spring sale", "basic", sendings=batches),
        Campaign(8, "Solo", "basic"),
    ]
    spring, solo = rollup(campaigns)
    assert spring.campaign_id == 7 and spring.name == "Spring sale"
    assert spring.batches == 3 and [s.id for s in spring.sendings] == [1, 2, 3]
    assert (spring.total, spring.processed, spring.total_sms_parts) == (1120, 1117, 2240)
    assert spring.cost is not None and round(spring.cost, 2) == 56.0
    assert spring.currency == "EUR"
    assert spring.events == SendingEvents(sent=1120, delivered=1114, undelivered=3, clicked=3)
    assert spring.statuses == ("OPENED", "FINISHED") and spring.channels == ("sms",)
    assert spring.created_at == T0.replace(minute=1)
    assert (solo.batches, solo.total, solo.cost, solo.total_sms_parts) == (0, 0, None, None)


def test_a_campaign_listed_twice_counts_each_sending_once() -> None:
    first = Campaign(7, "Spring sale", "basic", sendings=(batch(1, 500),))
    again = Campaign(7, "Spring sale", "basic", sendings=(batch(1, 500), batch(2, 500)))
    (spring,) = rollup([first, again])
    assert spring.batches == 2 and spring.total == 1000


def test_costs_in_different_currencies_are_not_added() -> None:
    mixed = (batch(1, 10), batch(2, 10, currency="USD"), batch(3, 10, cost=None))
    (campaign,) = rollup([Campaign(1, "Mixed", "basic", sendings=mixed)])
    assert campaign.cost is None and campaign.currency == "EUR, USD"
    (unpriced,) = rollup([Campaign(2, "Free", "basic", sendings=(batch(4, 3, cost=None),))])
    assert unpriced.cost is None and unpriced.currency == ""


def test_events_add_kind_by_kind() -> None:
    total = add_events([SendingEvents(sent=2, opened=1), SendingEvents(sent=3, expired=4)])
    assert total == SendingEvents(sent=5, opened=1, expired=4)
    assert add_events([]) == SendingEvents()
