"""Group member counts: counted from the contacts listing, shown as cells and a status."""

from __future__ import annotations

from backends.sandbox.nrs360 import create_app
from screens.contacts.counts import MemberCounts, count_members
from tests.backends.conftest import connect
from tests.screens.test_contacts_many import seed_many


def test_cells_and_status_follow_the_count() -> None:
    running = MemberCounts({1: 5}, done=1000, total=2500)
    assert (running.cell(1), running.status()) == (
        "counting…",
        "counting members… 1,000 of 2,500 contacts",
    )
    assert MemberCounts().status() == "counting members…"
    done = MemberCounts({1: 5}, done=2500, total=2500, finished=True)
    # A group no contact belongs to has no members.
    assert (done.cell(1), done.cell(2), done.status()) == ("5", "0", "")
    failed = MemberCounts(error="Too many requests")
    assert (failed.cell(1), failed.status()) == (
        "—",
        "member counts unavailable: Too many requests",
    )


async def test_count_members_reads_every_page_with_groups() -> None:
    app = create_app()
    seed_many(app, 2500)
    state = app.state.nrs
    expected = {
        g: sum(1 for c in state.contacts.values() if g in c.group_ids) for g in state.groups
    }
    async with connect(app) as backend:
        reports = [c async for c in count_members(backend)]
    assert [(r.done, r.total, r.finished) for r in reports] == [
        (1000, 2500, False),
        (2000, 2500, False),
        (2500, 2500, True),
    ]
    assert reports[-1].counts == expected
    pages = app.state.log.matching("GET", "/api/rest/contacts")
    assert [(r.query["page"], r.query["limit"]) for r in pages] == [
        (["1"], ["1000"]),
        (["2"], ["1000"]),
        (["3"], ["1000"]),
    ]
