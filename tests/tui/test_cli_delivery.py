"""`switchboard jobs watch`, and delivery states in `jobs show` and `jobs export`."""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app
from backends.sandbox.nrs360.dlr import fate_of
from tests.tui.test_cli_jobs import cli, cli_json
from tui.config import Account, ConfigStore
from tui.engine.journal import Journal
from tui.engine.sms_job import create_sms_job

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Fast:
    """The sandbox's clock: still until `go`, then 30 s per real second, so the messages'
    fates (at most two minutes) come within seconds of watching."""

    def __init__(self) -> None:
        self.t0: float | None = None

    def go(self) -> None:
        self.t0 = time.monotonic()

    def __call__(self) -> datetime:
        if self.t0 is None:
            return START
        return START + timedelta(seconds=30 * (time.monotonic() - self.t0))


CLOCK = Fast()


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    CLOCK.t0 = None
    app = create_app(clock=CLOCK)
    app.state.nrs.balance_cents = 10**9
    s = SandboxServer(app)
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def account(server: SandboxServer, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", DEMO_PASSWORD)
    ConfigStore(isolated_dirs / "config").add_account(
        Account(
            name="demo",
            provider="360nrs",
            base_url=server.url + "/api/rest",
            username=DEMO_USERNAME,
        )
    )
    return "demo"


def sent_job(n: int) -> int:
    with Journal() as journal:
        job_id = create_sms_job(
            journal, "demo", "360nrs", "TEST", "Hi", [(f"346{i:08d}", None) for i in range(n)]
        )
    code, _ = cli("jobs", "resume", str(job_id))
    assert code == 0
    return job_id


def test_watch_follows_the_job_to_final_states_then_show_and_export_have_them(
    account: str, server: SandboxServer, tmp_path: Path
) -> None:
    job_id = sent_job(40)
    CLOCK.go()
    code, text = cli("jobs", "watch", str(job_id))
    assert code == 0
    lines = text.splitlines()
    assert lines[0].strip().startswith("[") and "40 accepted -> " in lines[0]
    assert " 0 waiting" not in lines[0]  # some fates were still to come
    assert lines[-1] == f"Every accepted recipient of job {job_id} has a final state."
    assert "0 waiting" in lines[-2]

    nrs = server.app.state.nrs  # type: ignore[attr-defined]
    fates = {m.id: fate_of(nrs.seed, m) for m in nrs.sms.values()}
    counts = Counter(f.status for f in fates.values())
    failed = {s: counts[s] for s in ("UNDELIV", "REJECTD", "DELETED") if counts[s]}

    code, shown = cli_json("jobs", "show", str(job_id))
    assert code == 0
    assert shown["delivery"] == {
        "accepted": 40,
        "delivered": counts["DELIVRD"],
        "failed": sum(failed.values()),
        "expired": counts["EXPIRED"],
        "waiting": 0,
        "failures": failed,
    }
    code, text = cli("jobs", "show", str(job_id))
    assert f"40 accepted -> {counts['DELIVRD']} delivered" in text

    # Watching a finished job says so at once, with no request.
    before = len(server.app.state.log.requests)  # type: ignore[attr-defined]
    code, done = cli_json("jobs", "watch", str(job_id))
    assert code == 0 and done["delivery"]["waiting"] == 0 and not done["expired"]
    assert len(server.app.state.log.requests) == before  # type: ignore[attr-defined]

    out = tmp_path / "out.csv"
    assert cli("jobs", "export", str(job_id), "-o", str(out))[0] == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 40
    for row in rows:
        fate = fates[row["provider_id"]]
        assert row["delivery"] == fate.status
        assert datetime.fromisoformat(row["delivery_at"]) == fate.final_at
        assert row["delivery_parts"] == ""


def test_watch_refuses_a_channel_without_delivery_states(
    account: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Journal() as journal:
        job_id = journal.create_job(
            account="demo",
            provider="360nrs",
            channel="email",
            message={"request": {}},
            recipients=[("a@example.com", None)],
        )
    code, text = cli("jobs", "watch", str(job_id))
    assert code == 1 and text == ""
    err = capsys.readouterr().err
    assert f"job {job_id}: the provider gives no delivery state for email jobs" in err
    assert "Traceback" not in err


def test_watch_of_an_unknown_job_is_a_clear_error(
    account: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = cli("jobs", "watch", "999")
    assert code == 1
    err = capsys.readouterr().err
    assert "999" in err and "Traceback" not in err
