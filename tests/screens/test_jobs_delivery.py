"""The Jobs screen's delivery funnel (screens/widgets/funnel.py), driven through Pilot:
polling the 360nrs sandbox, and reports written to the journal from outside (a receiver)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable

from backends.sandbox.nrs360.dlr import fate_of
from screens.widgets.funnel import PER_UPDATE, ROWS, WATCH_GROUP, DeliveryFunnel
from tests.screens.conftest import SIZE, FakeClock, settle
from tests.screens.test_jobs_screen import make_job, numbers, open_jobs, text
from tests.screens.test_sizes_snapshots import NARROW, on_screen
from tui.app import SwitchboardApp
from tui.engine.delivery import DeliveryState, Funnel, Report
from tui.engine.journal import Journal, sandbox_path
from tui.engine.journal_rows import Outcome, State
from tui.engine.sender import run_job
from tui.usecases.delivery import LATEST

AT = "2025-03-01T12:00:0{}+00:00"


@pytest.fixture
def app(sandbox_console: Callable[..., SwitchboardApp]) -> SwitchboardApp:
    return sandbox_console()


@pytest.fixture
def quick_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """The funnel's journal refresh every 0.1 s instead of every second."""
    monkeypatch.setattr(DeliveryFunnel, "REFRESH", 0.1)


def funnel_of(app: SwitchboardApp) -> DeliveryFunnel:
    return app.screen.query_one("#delivery-funnel", DeliveryFunnel)


def rows(app: SwitchboardApp) -> list[tuple[str, str, str]]:
    """The funnel table's rows as shown: (to, delivery, at), top to bottom."""
    table: DataTable[Any] = app.screen.query_one("#funnel-table", DataTable)
    out = []
    for i in range(table.row_count):
        to, state, at = table.get_row_at(i)
        out.append((str(to), state.plain if isinstance(state, Text) else str(state), str(at)))
    return out


async def watch_ends(pilot: Any) -> None:
    """Wait for the delivery watch to finish by itself, then for what it posted."""
    watches = [w for w in pilot.app.workers if w.group == WATCH_GROUP]
    if watches:  # (it may have ended already: an empty list would wait for every worker)
        await asyncio.wait_for(pilot.app.workers.wait_for_complete(watches), 30)
    await settle(pilot)


async def until(pilot: Any, check: Callable[[], bool], seconds: float = 5.0) -> None:
    """Let the console run until `check()` holds (the funnel refreshes on a timer)."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await pilot.pause(0.05)
        await settle(pilot)
    assert check()


async def sent_job(app: SwitchboardApp, n: int = 5) -> int:
    """A job of `n` SMS the 360nrs sandbox accepted."""
    job_id = make_job(n)
    with Journal(sandbox_path()) as journal:
        async for _ in run_job(journal, job_id, await app.backend("sandbox-360nrs")):
            pass
    return job_id


async def test_watch_polls_the_sandbox_and_the_funnel_and_table_move(
    app: SwitchboardApp, provider_apps: dict[str, Any], sandbox_clock: FakeClock
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job_id = await sent_job(app)
        await open_jobs(pilot)
        funnel = funnel_of(app)
        # Accepted, nothing asked yet: all five are waiting, no report in the table.
        assert funnel.funnel == Funnel(accepted=5)
        assert text(app, "#funnel-counts").splitlines()[4].split()[:2] == ["waiting", "5"]
        assert rows(app) == []
        assert text(app, "#funnel-status").startswith("w watches")
        sandbox_clock.advance(300)  # every fate has come at the sandbox
        app.screen.query_one("#jobs-table").focus()
        await pilot.press("w")
        await watch_ends(pilot)
        nrs = provider_apps["360nrs"].state.nrs
        fates = {m.to: fate_of(nrs.seed, m) for m in nrs.sms.values()}
        by_state: dict[str, int] = {}
        for fate in fates.values():
            by_state[fate.status] = by_state.get(fate.status, 0) + 1
        shown = funnel.funnel
        assert shown is not None and shown.done
        assert shown.delivered == by_state.get("DELIVRD", 0)
        assert shown.expired == by_state.get("EXPIRED", 0)
        assert shown.failed == 5 - shown.delivered - shown.expired
        lines = text(app, "#funnel-counts").splitlines()
        assert lines[1].split()[:2] == ["delivered", str(shown.delivered)]
        assert lines[4].split()[:2] == ["waiting", "0"]
        assert text(app, "#funnel-status") == "Every accepted recipient has a final state."
        # Each recipient with its state and the time of its report (UTC).
        assert sorted(rows(app)) == sorted(
            (to, f.status, f.final_at.strftime("%H:%M:%S")) for to, f in fates.items()
        )
        assert text(app, "#jobs-error") == ""
        assert job_id == funnel.job_id


async def test_reports_written_from_outside_move_the_funnel_without_polling(
    app: SwitchboardApp, provider_apps: dict[str, Any], quick_refresh: None
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job_id = await sent_job(app, 3)
        await open_jobs(pilot)
        funnel = funnel_of(app)
        first, second, third = numbers(3)
        ids = {r.to: r.provider_id for r in Journal(sandbox_path()).recipients(job_id)}

        def report(to: str, state: DeliveryState, second: int) -> Report:
            return Report(str(ids[to]), state, AT.format(second))

        # A receiver in another thread writes as an operator's network answers.
        with Journal(sandbox_path()) as journal:
            journal.record_deliveries(
                job_id,
                [report(first, DeliveryState.ACCEPTD, 1), report(second, DeliveryState.UNDELIV, 2)],
            )
        await until(pilot, lambda: rows(app) == [
            (first, "ACCEPTD", "12:00:01"), (second, "UNDELIV", "12:00:02"),
        ])  # fmt: skip
        assert funnel.funnel == Funnel(3, 0, 1, 0, ((DeliveryState.UNDELIV, 1),))
        assert "failures: UNDELIV 1" in text(app, "#funnel-counts")

        # The first number's next state updates its row where it is; a new one is added.
        later = [report(first, DeliveryState.DELIVRD, 5), report(third, DeliveryState.REJECTD, 6)]

        def receive() -> None:  # as a receiver does, from another thread
            with Journal(sandbox_path()) as journal:
                journal.record_deliveries(job_id, later)

        await asyncio.to_thread(receive)
        await until(pilot, lambda: funnel.funnel is not None and funnel.funnel.done)
        assert rows(app) == [
            (first, "DELIVRD", "12:00:05"),
            (second, "UNDELIV", "12:00:02"),
            (third, "REJECTD", "12:00:06"),
        ]
        assert "failures: REJECTD 1 · UNDELIV 1" in text(app, "#funnel-counts")
        assert text(app, "#funnel-status") == "Every accepted recipient has a final state."
        # Nothing asked the provider: the journal alone moved the funnel.
        assert not provider_apps["360nrs"].state.log.matching("GET", "/api/rest/sms/")
        assert not [w for w in app.workers if w.group == WATCH_GROUP]


async def test_w_again_stops_the_watch(app: SwitchboardApp, provider_apps: dict[str, Any]) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await sent_job(app, 2)
        await open_jobs(pilot)
        app.screen.query_one("#jobs-table").focus()
        await pilot.press("w")
        await settle(pilot)
        funnel = funnel_of(app)
        # The sandbox's clock stands still: nothing becomes final, the watch goes on.
        await until(pilot, lambda: "status requests so far" in text(app, "#funnel-status"))
        assert funnel.watching
        assert text(app, "#funnel-status").startswith("Watching job")
        (watch,) = [w for w in app.workers if w.group == WATCH_GROUP]
        await pilot.press("w")
        await settle(pilot)
        assert not funnel.watching
        assert text(app, "#funnel-status").startswith(
            "Stopped watching (reports journaled still show). w watches"
        )
        # Its thread notices at its next wait and ends.
        await until(pilot, lambda: watch not in app.workers)
        asked = len(provider_apps["360nrs"].state.log.matching("GET", "/api/rest/sms/"))
        await pilot.pause(2.5)  # longer than the first wait between rounds
        assert len(provider_apps["360nrs"].state.log.matching("GET", "/api/rest/sms/")) == asked


@pytest.fixture
def on_the_ui_loop(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The delivery journal calls made on the main thread (the UI loop's), by name."""
    found: list[str] = []
    for name in ("delivery_funnel", "latest_deliveries", "awaiting_delivery", "record_deliveries"):
        original = getattr(Journal, name)

        def spy(self: Journal, *args: Any, _name: str = name, _f: Any = original) -> Any:
            if threading.current_thread() is threading.main_thread():
                found.append(_name)
            return _f(self, *args)

        monkeypatch.setattr(Journal, name, spy)
    yield found


async def test_no_delivery_journal_work_runs_on_the_ui_loop(
    app: SwitchboardApp, sandbox_clock: FakeClock, on_the_ui_loop: list[str]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await sent_job(app)
        await open_jobs(pilot)
        sandbox_clock.advance(300)
        app.screen.query_one("#jobs-table").focus()
        await pilot.press("w")
        await watch_ends(pilot)
        funnel = funnel_of(app).funnel
        assert funnel is not None and funnel.done  # the watch and the reads did run
        assert on_the_ui_loop == []


async def test_watch_refuses_a_channel_without_delivery_states(
    app: SwitchboardApp,
) -> None:
    with Journal(sandbox_path()) as journal:
        job_id = journal.create_job(
            account="sandbox-360nrs",
            provider="360nrs",
            channel="email",
            message={"request": {}},
            recipients=[("a@example.com", None)],
        )
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        assert text(app, "#funnel-status") == (
            "Delivery not followed: the provider gives no delivery state for email jobs."
        )
        assert not app.screen.query_one("#funnel-table").display
        app.screen.query_one("#jobs-table").focus()
        await pilot.press("w")
        await settle(pilot)
        assert text(app, "#jobs-error") == (
            f"Job {job_id}: the provider gives no delivery state for email jobs."
        )
        assert not [w for w in app.workers if w.group == WATCH_GROUP]


async def test_at_80x24_w_brings_the_funnel_into_view(app: SwitchboardApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await sent_job(app, 2)
        await open_jobs(pilot)
        assert not on_screen(app.screen.query_one("#funnel-counts"))  # below the details
        app.screen.query_one("#jobs-table").focus()
        await pilot.press("w")
        await settle(pilot)
        assert on_screen(app.screen.query_one("#funnel-status"))
        assert on_screen(app.screen.query_one("#funnel-counts"))


async def test_the_table_shows_the_newest_reports_a_refresh_and_stays_bounded(
    app: SwitchboardApp, quick_refresh: None
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        job_id = await sent_job(app, 130)
        await open_jobs(pilot)
        ids = [str(r.provider_id) for r in Journal(sandbox_path()).recipients(job_id)]
        to = numbers(130)

        def receive(first: int, last: int) -> None:
            with Journal(sandbox_path()) as journal:
                reports = [
                    Report(ids[i], DeliveryState.DELIVRD, AT.format(1)) for i in range(first, last)
                ]
                journal.record_deliveries(job_id, reports)

        # 30 reports in one batch: the table adds the newest PER_UPDATE of them.
        receive(0, 30)
        await until(pilot, lambda: len(rows(app)) == PER_UPDATE)
        await pilot.pause(0.3)  # more refreshes: the older ten stay skipped
        assert [r[0] for r in rows(app)] == to[30 - PER_UPDATE : 30]
        # Batch after batch, past ROWS rows it keeps the newest LATEST, in order.
        for start in range(30, 130, PER_UPDATE):
            receive(start, start + PER_UPDATE)
            await until(pilot, lambda s=start: rows(app)[-1][0] == to[s + PER_UPDATE - 1])
            assert len(rows(app)) <= ROWS
        assert [r[0] for r in rows(app)][-LATEST:] == to[130 - LATEST :]
        assert funnel_of(app).funnel == Funnel(130, delivered=130)


async def test_a_job_its_provider_cannot_be_asked_about_says_so_and_still_moves(
    app: SwitchboardApp, quick_refresh: None
) -> None:
    # An SMS job on an account whose provider has no status request.
    job_id = make_job(2, account="sandbox-xebo")
    with Journal(sandbox_path()) as journal:
        claimed = journal.claim_batch(job_id, 2)
        journal.record_results(
            job_id, [Outcome(c.seq, c.to, State.ACCEPTED, None, f"id{c.seq}", 1) for c in claimed]
        )
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        app.screen.query_one("#jobs-table").focus()
        await pilot.press("w")
        await until(pilot, lambda: text(app, "#funnel-status").startswith("Not polled"))
        assert text(app, "#funnel-status") == (
            f"Not polled: job {job_id}: Xebo gives no delivery state. "
            "Reports a receiver journals show here."
        )
        assert not funnel_of(app).watching
        with Journal(sandbox_path()) as journal:
            first = next(journal.recipients(job_id))
            report = Report(str(first.provider_id), DeliveryState.DELIVRD, AT.format(3))
            journal.record_deliveries(job_id, [report])
        await until(pilot, lambda: rows(app) == [(first.to, "DELIVRD", "12:00:03")])
        assert funnel_of(app).funnel == Funnel(2, delivered=1)
