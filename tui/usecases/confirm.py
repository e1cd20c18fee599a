"""The one confirmation policy for every bulk or destructive action, CLI and console alike.

`needed` decides what an action needs before it runs: nothing, a yes/no question, or the
operator typing the count (or, when the count is unknown, a phrase). Above CONFIRM_ABOVE
targets it is always the typed count, so a slip of the Enter key cannot send to thousands.
`--yes` (assume_yes) skips it for scripts; a CLI without a terminal and without --yes
refuses what needs a confirmation (exit 2, nothing done).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

# Above this many recipients (or items deleted) the operator types the count to go on.
CONFIRM_ABOVE: Final = 10
# What to type for an action on every item when nobody knows how many there are.
DELETE_ALL_PHRASE: Final = "DELETE ALL"
RESCHEDULE_ALL_PHRASE: Final = "RESCHEDULE ALL"


class Need(enum.Enum):
    """What an action needs from the operator before it runs."""

    NOTHING = "nothing"
    ASK = "ask"  # a yes/no question
    TYPE = "type"  # type Confirmation.phrase


@dataclass(frozen=True, slots=True)
class Confirmation:
    """The policy's answer: what is needed and, for Need.TYPE, the phrase to type."""

    need: Need
    phrase: str = ""

    def accepts(self, answer: str) -> bool:
        """Whether an operator's answer confirms (the phrase, or y/yes for a question)."""
        if self.need is Need.TYPE:
            return answer.strip() == self.phrase
        if self.need is Need.ASK:
            return answer.strip().lower() in ("y", "yes")
        return True


def needed(
    count: int | None,
    *,
    destructive: bool = False,
    review: bool = False,
    assume_yes: bool = False,
    every: str = DELETE_ALL_PHRASE,
) -> Confirmation:
    """What an action on `count` targets needs before it runs.

    `count` None means every item, however many (e.g. all scheduled messages): the
    operator types `every`. `destructive` (a delete, a re-send that may reach people
    twice) asks even for one item; a send of CONFIRM_ABOVE or fewer does not, unless the
    front end shows it for `review` first (the console's send dialog holds the preflight
    the operator reads). `assume_yes` (--yes) needs nothing.
    """
    if assume_yes:
        return Confirmation(Need.NOTHING)
    if count is None:
        return Confirmation(Need.TYPE, every)
    if count > CONFIRM_ABOVE:
        return Confirmation(Need.TYPE, str(count))
    if destructive or review:
        return Confirmation(Need.ASK)
    return Confirmation(Need.NOTHING)
