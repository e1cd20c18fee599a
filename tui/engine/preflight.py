"""What a send will do before it is sent: counts, parts, cost per country, balance, warnings.

Parts are counted once per distinct rendered text (a dict cache), so 100,000 recipients of
one template cost one `segments.count` per distinct name, not per recipient. Prices are the
`maxCost` of GET /sms/coverageByCountry (the worst case over the country's networks) times
the parts; a country the provider does not list is shown as unpriced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Final
from zoneinfo import ZoneInfo

from backends.base import Backend
from backends.capabilities import AccountApi, CoverageApi
from backends.errors import NotSupported
from backends.models.reports import CountryPrice
from tui.engine import placeholders, segments
from tui.engine.recipients import Recipients


@dataclass(frozen=True)
class Window:
    """Hours marketing SMS may be sent on some weekdays (0 = Monday), local time."""

    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class Restriction:
    """A country's marketing sending hours, as the 360nrs reference states them."""

    country: str
    name: str
    timezone: str
    windows: tuple[Window, ...]
    text: str


# "Sending Restrictions by Country" in the 360nrs reference. Outside these hours the
# provider blocks marketing SMS and sends them at the next permitted time.
RESTRICTIONS: Final[Mapping[str, Restriction]] = {
    "FR": Restriction(
        "FR",
        "France",
        "Europe/Paris",
        (Window(frozenset(range(6)), time(8), time(22)),),
        "Monday to Saturday, 8:00 AM to 10:00 PM",
    ),
    "CO": Restriction(
        "CO",
        "Colombia",
        "America/Bogota",
        (
            Window(frozenset(range(5)), time(7), time(19)),
            Window(frozenset({5}), time(8), time(15)),
        ),
        # Public holidays are not checked: we hold no Colombian holiday calendar.
        "Monday to Friday 7:00 AM to 7:00 PM, Saturday 8:00 AM to 3:00 PM; "
        "not Sundays or public holidays",
    ),
}


def allowed(restriction: Restriction, when: datetime) -> bool:
    """Whether `when` (aware) falls inside the country's marketing hours."""
    local = when.astimezone(ZoneInfo(restriction.timezone))
    t = local.time()
    return any(local.weekday() in w.days and w.start <= t < w.end for w in restriction.windows)


@dataclass(frozen=True)
class CountryCost:
    """One destination country's share of the send."""

    country: str
    recipients: int
    parts: int
    price: float | None  # per part; None when the provider lists no price
    cost: float | None


@dataclass
class Summary:
    """The preflight of a send."""

    valid: int
    invalid: int
    duplicates: int
    blacklisted: int
    recipients: int  # what will be sent to: valid and not blacklisted
    parts: int
    parts_min: int
    parts_max: int
    distinct_texts: int
    encodings: tuple[str, ...]
    too_long: int  # recipients whose text exceeds the parts limit
    missing_vars: tuple[str, ...]
    # Recipients whose values a filter cannot take ({n|formatDotComma} of "abc"), and why
    # the first one failed; their text is counted as written.
    filter_errors: int = 0
    filter_error: str = ""
    countries: list[CountryCost] = field(default_factory=list)
    total_cost: float = 0.0
    currency: str = ""
    unpriced: tuple[str, ...] = ()
    balance: float | None = None
    warnings: list[str] = field(default_factory=list)
    # What the request carries (encoding, parts), or why it cannot be sent as asked.
    plan: segments.Plan | None = None
    refusal: str = ""

    @property
    def over_balance(self) -> bool:
        """Whether the estimate exceeds the balance."""
        return self.balance is not None and self.total_cost > self.balance


# Rendered texts a summarise() remembers by their variables (see there).
_RENDERED: Final = 65_536


def render_for_count(
    message: str,
    variables: Mapping[str, str] | None,
    *,
    otp_length: int = placeholders.OTP_LENGTH_DEFAULT,
) -> placeholders.Rendered:
    """The text one recipient gets, as counted: its variables substituted, what the provider
    generates ({OTP_CODE}, {LAND_URL}, short links) at full length. ValueError when one of
    its values does not fit its filter."""
    return placeholders.render(message, variables or {}, otp_length=otp_length)


def _counted_text(message: str, variables: Mapping[str, str] | None, otp_length: int) -> str:
    try:
        return render_for_count(message, variables, otp_length=otp_length).text
    except ValueError:
        # The value the filter cannot take goes as written: counted that way (see summarise).
        return message


def plan_message(
    message: str,
    variables: Iterable[Mapping[str, str] | None],
    *,
    encoding: str | None = None,
    parts: int | None = None,
    trans: bool = False,
    max_parts: int = segments.MAX_PARTS_SMS,
    otp_length: int = placeholders.OTP_LENGTH_DEFAULT,
) -> segments.Plan:
    """The `encoding` and `parts` a send of message to recipients with these variables
    carries; segments.PlanError (a ValueError) saying why it cannot be sent.

    The one place every SMS and landing SMS path resolves them (CLI, Compose, job creation,
    resume of a job journaled without them), so the preflight and the request agree.
    """
    placeholders.check_filters(message)
    if "{" not in message:
        texts: Iterable[str] = (message,)
    else:
        texts = (_counted_text(message, v, otp_length) for v in variables)
    return segments.plan(texts, encoding=encoding, parts=parts, trans=trans, max_parts=max_parts)


def summarise(
    recipients: Recipients,
    message: str,
    *,
    prices: Mapping[str, CountryPrice],
    balance: float | None = None,
    encoding: str | None = None,
    parts: int | None = None,
    trans: bool = False,
    max_parts: int = segments.MAX_PARTS_SMS,
    otp_length: int = placeholders.OTP_LENGTH_DEFAULT,
    marketing: bool = False,
    when: datetime | None = None,
) -> Summary:
    """The preflight from data already fetched (pure; what the benchmark times).

    Every recipient is counted with the one encoding the request will carry (see
    plan_message); `plan` is what the request carries, or `refusal` says why it cannot go.
    """
    filter_errors = 0
    filter_error = ""
    missing: dict[str, None] = {}
    # An unknown filter is the template's fault, whoever the recipient: refused outright.
    placeholders.check_filters(message)
    sendable = recipients.sendable
    texts: list[str] = []
    if "{" in message:
        # Recipients with the same variables get the same text: rendered once (a name
        # column repeats; a render costs ~7 us). Bounded like recipients.build's cache.
        seen: dict[tuple[tuple[str, str], ...], placeholders.Rendered] = {}
        for r in sendable:
            key = tuple(r.vars.items()) if r.vars else ()
            done = seen.get(key)
            if done is not None:
                texts.append(done.text)
                continue
            try:
                rendered = render_for_count(message, r.vars, otp_length=otp_length)
                if len(seen) >= _RENDERED:
                    seen.clear()
                seen[key] = rendered
            except ValueError as exc:
                # One recipient's value, not the template: report it, count it as written.
                filter_errors += 1
                filter_error = filter_error or f"row {r.row}: {exc}"
                rendered = placeholders.Rendered(message, ())
            if rendered.missing:
                missing.update(dict.fromkeys(rendered.missing))
            texts.append(rendered.text)
    distinct = list(dict.fromkeys(texts)) if texts else [message]
    plan: segments.Plan | None = None
    refusal = ""
    try:
        plan = segments.plan(
            distinct, encoding=encoding, parts=parts, trans=trans, max_parts=max_parts
        )
    except segments.PlanError as exc:
        refusal = str(exc)
    # Refused: the texts are still counted, as asked when the encoding is one we know.
    counting = (
        plan.encoding
        if plan is not None
        else (encoding if encoding in segments.ENCODINGS else None)
    )
    cache = {t: segments.count(t, counting, trans=trans, max_parts=max_parts) for t in distinct}
    per_country: dict[str, list[int]] = {}  # country -> [recipients, parts]
    encodings: dict[str, None] = {}
    parts_total = too_long = 0
    lo, hi = 0, 0
    plain = cache[message] if not texts else None
    for i, r in enumerate(sendable):
        info = plain if plain is not None else cache[texts[i]]
        n = info.parts
        parts_total += n
        lo = n if not lo or n < lo else lo
        hi = max(hi, n)
        too_long += info.too_long
        encodings[info.encoding] = None
        acc = per_country.get(r.country or "??")
        if acc is None:
            per_country[r.country or "??"] = [1, n]
        else:
            acc[0] += 1
            acc[1] += n
    countries: list[CountryCost] = []
    unpriced: list[str] = []
    total = 0.0
    currency = ""
    for country, (count, country_parts) in sorted(per_country.items(), key=lambda kv: -kv[1][1]):
        price = prices.get(country)
        if price is None:
            unpriced.append(country)
            countries.append(CountryCost(country, count, country_parts, None, None))
            continue
        cost = round(price.max_cost * country_parts, 6)
        total += cost
        currency = currency or price.currency
        countries.append(CountryCost(country, count, country_parts, price.max_cost, cost))
    summary = Summary(
        valid=len(recipients.valid),
        invalid=len(recipients.invalid),
        duplicates=recipients.duplicates,
        blacklisted=recipients.blacklisted,
        recipients=len(sendable),
        parts=parts_total,
        parts_min=lo,
        parts_max=hi,
        distinct_texts=len(distinct) if texts else min(1, len(sendable)),
        encodings=tuple(encodings),
        too_long=too_long,
        missing_vars=tuple(missing),
        filter_errors=filter_errors,
        filter_error=filter_error,
        countries=countries,
        total_cost=round(total, 6),
        currency=currency,
        unpriced=tuple(unpriced),
        balance=balance,
        plan=plan if sendable else None,
        refusal=refusal if sendable else "",
    )
    summary.warnings = _warnings(summary, per_country, marketing=marketing, when=when)
    return summary


def _warnings(
    s: Summary, per_country: Mapping[str, list[int]], *, marketing: bool, when: datetime | None
) -> list[str]:
    out: list[str] = []
    if s.refusal:
        out.append(f"cannot be sent: {s.refusal}")
    elif s.too_long:
        out.append(f"{s.too_long} recipients' text is longer than the parts limit")
    if s.missing_vars:
        out.append(f"variables with no value for some recipients: {', '.join(s.missing_vars)}")
    if s.filter_errors:
        out.append(
            f"{s.filter_errors} recipients' values do not fit their filter ({s.filter_error}); "
            "the provider may send them unfiltered or refuse them"
        )
    if s.unpriced:
        out.append(f"no price for {', '.join(s.unpriced)}: the estimate leaves them out")
    if s.over_balance:
        out.append(f"estimated cost {s.total_cost:.4f} exceeds the balance {s.balance:.2f}")
    if marketing:
        moment = when or datetime.now(UTC)
        for code, restriction in RESTRICTIONS.items():
            if code in per_country and not allowed(restriction, moment):
                local = moment.astimezone(ZoneInfo(restriction.timezone))
                out.append(
                    f"{per_country[code][0]} recipients in {restriction.name}: marketing SMS "
                    f"only {restriction.text}; it is {local:%A %H:%M} there, so the provider "
                    "will hold them until the next permitted time"
                )
        if "CO" in per_country and allowed(RESTRICTIONS["CO"], moment):
            out.append("Colombia: public holidays are not checked; no marketing SMS on them")
    return out


def price_map(rows: Iterable[CountryPrice]) -> dict[str, CountryPrice]:
    """Coverage rows by upper-case ISO country."""
    return {p.country_iso.upper(): p for p in rows if p.country_iso}


Quote = tuple[dict[str, CountryPrice], float | None]


async def quote(backend: Backend) -> Quote:
    """The prices by country and the balance, asked at the same time ({} and None where
    the provider has no such request)."""

    async def prices() -> dict[str, CountryPrice]:
        try:
            return price_map(await backend.capability(CoverageApi).coverage_by_country())
        except NotSupported:
            return {}

    async def balance() -> float | None:
        try:
            return (await backend.capability(AccountApi).account()).balance
        except NotSupported:
            return None

    return await asyncio.gather(prices(), balance())


async def preflight(
    backend: Backend,
    recipients: Recipients,
    message: str,
    *,
    encoding: str | None = None,
    parts: int | None = None,
    trans: bool = False,
    max_parts: int = segments.MAX_PARTS_SMS,
    otp_length: int = placeholders.OTP_LENGTH_DEFAULT,
    marketing: bool = False,
    when: datetime | None = None,
    quoted: Awaitable[Quote] | None = None,
) -> Summary:
    """Fetch prices (once) and the balance (or take `quoted`, a quote() started earlier),
    then summarise (off the event loop: it counts every recipient's text, and a console's
    UI runs on that loop)."""
    prices, balance = await (quoted if quoted is not None else quote(backend))
    return await asyncio.to_thread(
        summarise,
        recipients,
        message,
        prices=prices,
        balance=balance,
        encoding=encoding,
        parts=parts,
        trans=trans,
        max_parts=max_parts,
        otp_length=otp_length,
        marketing=marketing,
        when=when,
    )


def format_summary(
    s: Summary, recipients: Recipients | None = None, *, max_invalid: int = 20
) -> str:
    """The preflight as text for the CLI."""
    lines = [
        f"Recipients: {s.recipients} to send ({s.valid} valid, {s.invalid} invalid, "
        f"{s.duplicates} duplicates, {s.blacklisted} blacklisted)",
    ]
    if s.recipients:
        span = f"{s.parts_min}" if s.parts_min == s.parts_max else f"{s.parts_min}-{s.parts_max}"
        lines.append(
            f"Parts: {s.parts} in all, {span} per message "
            f"({', '.join(s.encodings)}; {s.distinct_texts} distinct texts)"
        )
        if s.plan is not None:
            lines.append(f"Request: encoding {s.plan.encoding}, parts {s.plan.parts}")
    for c in s.countries:
        price = "unpriced" if c.price is None else f"{c.price:.4f} x {c.parts} = {c.cost:.4f}"
        lines.append(f"  {c.country}: {c.recipients} recipients, {c.parts} parts, {price}")
    cost = f"Estimated cost: {s.total_cost:.4f} {s.currency}".rstrip()
    if s.balance is not None:
        cost += f" (balance {s.balance:.2f})"
    lines.append(cost)
    if recipients is not None and recipients.invalid:
        lines.append("Invalid:")
        for bad in recipients.invalid[:max_invalid]:
            lines.append(f"  row {bad.row}: {bad.value!r}: {bad.reason}")
        if len(recipients.invalid) > max_invalid:
            lines.append(f"  ... and {len(recipients.invalid) - max_invalid} more")
    lines.extend(f"Warning: {w}" for w in s.warnings)
    return "\n".join(lines)
