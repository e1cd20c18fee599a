"""What a job costs: the prices journaled with it, the running sum, the pending estimate.

A job may carry a price list (`Pricing`): a price per unit for each destination country
it knows, and the unit (an SMS part, or one message). The engine adds each accepted
recipient's units times its country's price as results arrive, so Compose and Jobs show
the cost so far, also after a resume. Prices come from the provider's coverage list
(`maxCost`, the dearest network of the country), so every sum is an estimate (≈). A
recipient whose country has no price is counted as unpriced, never as free.

360nrs publishes prices for SMS only (GET /sms/coverageByCountry); landing SMS are SMS
and use the same prices. Email, voice and WhatsApp have no price list, so their jobs
carry none and show no cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from tui.engine import placeholders, segments

if TYPE_CHECKING:
    from tui.engine.journal import Journal
    from tui.engine.journal_rows import Job
    from tui.engine.preflight import Summary

Unit = Literal["part", "message"]


@dataclass(frozen=True)
class Pricing:
    """Prices per unit by ISO country, in one currency."""

    prices: Mapping[str, float]
    currency: str = ""
    unit: Unit = "part"

    def price(self, country: str | None) -> float | None:
        """The price of one unit to a country, or None when unpriced."""
        return None if country is None else self.prices.get(country)

    def encode(self) -> dict[str, Any]:
        """The journal's JSON form."""
        return {"prices": dict(self.prices), "currency": self.currency, "unit": self.unit}

    @classmethod
    def from_summary(cls, summary: Summary) -> Pricing:
        """The preflight's price per part for each destination country it priced."""
        prices = {c.country: c.price for c in summary.countries if c.price is not None}
        return cls(prices, summary.currency, "part")

    @classmethod
    def of(cls, job: Job) -> Pricing | None:
        """The prices journaled with a job (None when it was created without them)."""
        return cls.decode(job.message.get("pricing"))

    @classmethod
    def decode(cls, raw: Mapping[str, Any] | None) -> Pricing | None:
        """From the journal's JSON form (None when the job has no prices)."""
        if not raw or "prices" not in raw:
            return None
        unit: Unit = "message" if raw.get("unit") == "message" else "part"
        prices = {str(k): float(v) for k, v in raw["prices"].items()}
        return cls(prices, str(raw.get("currency") or ""), unit)


@dataclass
class CostMeter:
    """The running cost of a job's accepted recipients."""

    pricing: Pricing
    cost: float = 0.0
    unpriced: int = 0  # accepted recipients with no price for their country

    def add(self, country: str | None, parts: int | None, recipients: int = 1) -> None:
        """Count accepted recipients of one country (`parts` in all; None: one each)."""
        price = self.pricing.price(country)
        if price is None:
            self.unpriced += recipients
            return
        units = recipients if self.pricing.unit == "message" or parts is None else parts
        self.cost += price * units

    def add_accepted(self, by_country: Mapping[str | None, tuple[int, int]]) -> None:
        """Start from what the journal already holds as accepted (a resumed job)."""
        for country, (recipients, parts) in by_country.items():
            self.add(country, parts, recipients)


def spent(journal: Journal, job_id: int, pricing: Pricing | None) -> CostMeter | None:
    """The cost of what a job's accepted recipients were sent (None without prices)."""
    if pricing is None:
        return None
    meter = CostMeter(pricing)
    meter.add_accepted(journal.accepted_by_country(job_id))
    return meter


@dataclass
class Estimate:
    """What sending a job's remaining recipients would cost."""

    recipients: int = 0
    cost: float = 0.0
    unpriced: int = 0
    currency: str = ""
    countries: dict[str, int] = field(default_factory=dict)


def estimate(
    rows: Iterable[tuple[Mapping[str, str] | None, str | None]],
    pricing: Pricing | None,
    *,
    text: str | None = None,
    max_parts: int = segments.MAX_PARTS_SMS,
    trans: bool = False,
    encoding: str | None = None,
) -> Estimate:
    """The cost of sending to (variables, country) rows; parts from `text` when it is an SMS.

    Parts are counted once per distinct rendered text, as the preflight does, in the
    `encoding` the job's requests carry (None: each text's own, for older jobs).
    """
    out = Estimate(currency=pricing.currency if pricing else "")
    cache: dict[str, int] = {}
    for variables, country in rows:
        out.recipients += 1
        if pricing is None:
            continue
        price = pricing.price(country)
        if price is None:
            out.unpriced += 1
            continue
        units = 1
        if text is not None and pricing.unit == "part":
            try:
                rendered = placeholders.render(text, variables or {}).text
            except ValueError:
                rendered = text
            units = cache.get(rendered, 0)
            if not units:
                units = segments.count(rendered, encoding, trans=trans, max_parts=max_parts).parts
                cache[rendered] = units
        out.cost += price * units
        key = country or "??"
        out.countries[key] = out.countries.get(key, 0) + 1
    return out


def cost_text(cost: float | None, currency: str, unpriced: int = 0, *, so_far: bool = True) -> str:
    """`cost so far ≈ 0.1234 EUR` (and how many recipients had no price); "" without prices."""
    label = "cost so far" if so_far else "estimated cost"
    if cost is None:
        return ""
    if not cost and not currency and unpriced:
        return f"{label}: unknown, no price for {unpriced} recipients' countries"
    line = f"{label} ≈ {cost:.4f} {currency}".rstrip()
    if unpriced:
        line += f" + {unpriced} unpriced"
    return line
