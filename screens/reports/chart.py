"""A sending's event counts as a horizontal bar chart (Rich text, no plotting library)."""

from __future__ import annotations

from typing import Protocol

from rich.text import Text

from backends.models.reports import SendingEvents, SendingSummary

# Eighth blocks give bars a resolution of 1/8 of a cell.
_PARTIAL = " ▏▎▍▌▋▊▉"
_FULL = "█"


def funnel(events: SendingEvents) -> list[tuple[str, int]]:
    """The chart's rows: the issue's six stages plus messages that never arrived."""
    return [
        ("Sent", events.sent),
        ("Delivered", events.delivered),
        ("Opened", events.opened),
        ("Clicked", events.clicked),
        ("Bounced", events.hard_bounced + events.soft_bounced),
        ("Not delivered", events.undelivered + events.rejected + events.expired),
        ("Unsubscribed", events.unsubscribed + events.unsubscribed_landing),
    ]


def bar(value: int, base: int, width: int) -> str:
    """A bar of `width` cells filled in proportion to value/base."""
    if base <= 0 or value <= 0:
        return ""
    eighths = round(min(value / base, 1.0) * width * 8)
    # A non-zero count always shows at least a sliver.
    eighths = max(eighths, 1)
    return _FULL * (eighths // 8) + (_PARTIAL[eighths % 8] if eighths % 8 else "")


def chart_base(sending: SendingSummary) -> int:
    """What percentages are of: the recipients, or the sent count if it is larger."""
    return max(sending.total, sending.events.sent)


def bar_chart(rows: list[tuple[str, int]], base: int, width: int = 40) -> Text:
    """Labelled bars with their counts and their share of `base`."""
    label_width = max((len(label) for label, _ in rows), default=0)
    count_width = max((len(str(n)) for _, n in rows), default=1)
    text = Text()
    for index, (label, count) in enumerate(rows):
        if index:
            text.append("\n")
        share = f"{100 * count / base:5.1f}%" if base > 0 else "     -"
        text.append(f"{label:<{label_width}} ", style="bold")
        filled = bar(count, base, width)
        text.append(filled, style="green" if label != "Bounced" else "red")
        text.append(" " * (width - len(filled)) + " │ ", style="dim")
        text.append(f"{count:>{count_width}}  {share}")
    return text


class Totals(Protocol):
    """What the cost line reads: a sending, or a campaign's sendings added up."""

    @property
    def total(self) -> int: ...
    @property
    def processed(self) -> int: ...
    @property
    def total_sms_parts(self) -> int | None: ...
    @property
    def cost(self) -> float | None: ...
    @property
    def currency(self) -> str: ...


def cost_line(sending: Totals) -> str:
    """The sending's (or campaign's) cost and volume in one line."""
    parts = [f"{sending.processed} of {sending.total} processed"]
    if sending.total_sms_parts is not None:
        parts.append(f"{sending.total_sms_parts} SMS parts")
    if sending.cost is not None:
        parts.insert(0, f"Cost {sending.cost:.2f} {sending.currency}".rstrip())
    else:
        parts.insert(0, "Cost not reported")
    return " · ".join(parts)
