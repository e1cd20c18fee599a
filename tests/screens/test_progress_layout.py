"""The send progress panel never makes the screen lay itself out again per update (issue
14's UI stall): a relayout of the whole screen cost 15-95 ms an update on a busy machine.
Its results log starts full, so new lines only scroll it; fixed-size lines change without
a layout pass."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.screen import Screen

from screens.widgets.progress import PER_UPDATE, RECENT, SendProgress
from tui.engine.journal_rows import JobStatus, Outcome, State, Totals
from tui.engine.sender import Progress


class Panel(App[None]):
    def compose(self) -> ComposeResult:
        yield SendProgress()


def update(done: int, total: int) -> SendProgress.Progressed:
    outcomes = tuple(
        Outcome(i, f"3460000{i:04d}", State.ACCEPTED, None, f"id-{i}", 1)
        for i in range(done - PER_UPDATE, done)
    )
    totals = Totals(pending=total - done, accepted=done, parts=done)
    return SendProgress.Progressed(Progress(1, JobStatus.RUNNING, totals, outcomes), outcomes)


async def test_updates_after_the_start_do_not_relayout_the_screen(monkeypatch: object) -> None:
    layouts: list[str] = []
    refresh_layout = Screen._refresh_layout

    def counted(self: Screen[object], *args: object, **kwargs: object) -> None:
        layouts.append("layout")
        refresh_layout(self, *args, **kwargs)  # type: ignore[arg-type]

    app = Panel()
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(SendProgress)
        total = PER_UPDATE * 10
        panel.begin("Job 1: sending SMS to 400…", total, job_id=1)
        panel.show_update(update(PER_UPDATE, total))
        await pilot.pause()
        setattr(Screen, "_refresh_layout", counted)  # noqa: B010 - counts from here on
        try:
            for n in range(2, 11):
                panel.show_update(update(PER_UPDATE * n, total))
                await pilot.pause()
        finally:
            setattr(Screen, "_refresh_layout", refresh_layout)  # noqa: B010
        assert layouts == []
        log = panel.query_one("#progress-results")
        shown = [str(line.text).split()[0] for line in log.lines if line.text.strip()]  # type: ignore[attr-defined]
        assert len(log.lines) == RECENT  # type: ignore[attr-defined]
        assert shown[-1] == f"3460000{total - 1:04d}"
        assert len(shown) == min(RECENT, total)
