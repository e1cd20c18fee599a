"""Group member counts, for the Groups tab and the email validation group list.

360nrs's /groups gives ids and names only, so members are counted the way any account
allows: every contact is read with its groups, 1,000 a page (the listing's maximum), in a
background worker of the Contacts screen. The counts are kept per account until a reload.
Contacts that change while the pages are read can be counted once, twice or not at all:
the counts are a snapshot of a moving listing, which is what a size column needs.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from textual.message import Message

from backends.base import Backend
from backends.capabilities import ContactsListingApi

COUNT_PAGE = 1000


@dataclass(frozen=True)
class MemberCounts:
    """Members per group id, from the `done` contacts read so far of `total`."""

    counts: Mapping[int, int] = field(default_factory=dict)
    done: int = 0
    total: int = 0
    finished: bool = False
    error: str = ""

    @property
    def phase(self) -> tuple[bool, bool]:
        """What the cells and labels show besides progress: finished, failed."""
        return (self.finished, bool(self.error))

    def cell(self, group_id: int) -> str:
        """A group's member count as a table cell: known only once every contact is read."""
        if self.error:
            return "—"
        if not self.finished:
            return "counting…"
        # A group no contact named has no members (or was created after the count).
        return str(self.counts.get(group_id, 0))

    def status(self) -> str:
        """What the count is doing, for a status line ("" once finished)."""
        if self.error:
            return f"member counts unavailable: {self.error}"
        if self.finished:
            return ""
        if not self.total:
            return "counting members…"
        return f"counting members… {self.done:,} of {self.total:,} contacts"


async def count_members(backend: Backend) -> AsyncIterator[MemberCounts]:
    """Read every contact with its groups; the counts so far after each page, last finished."""
    counts: Counter[int] = Counter()
    done = 0
    page_no = 1
    while True:
        # include_details asks for the custom fields too: the interface has no groups-only
        # listing, and the groups are what is counted.
        page = await backend.capability(ContactsListingApi).contacts_page(
            page_no, limit=COUNT_PAGE, include_details=True
        )
        for contact in page.items:
            counts.update({g.id for g in contact.groups})
        done += len(page.items)
        finished = not page.has_next or not page.items
        yield MemberCounts(dict(counts), done, max(page.total, done), finished)
        if finished:
            return
        page_no += 1
        # A turn for the UI between pages, even when the answer needed no waiting (an
        # in-process emulator): the screen keeps answering keys while a big book is read.
        await asyncio.sleep(0)


@dataclass
class MembersWanted(Message):
    """A pane shows member counts: the screen counts them (again, if `reload`) or replays
    what it has."""

    reload: bool = False


@dataclass
class MembersCounted(Message):
    """Counting progressed or ended for an account (posted by the counting worker)."""

    account: str
    counts: MemberCounts
    token: int
