"""The Compose screen driven through Pilot against the sandbox emulators."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, RichLog, Select, Static, TextArea

from screens.common import ConfirmModal, TypedConfirmModal
from screens.compose import ComposeScreen
from screens.compose_form import counter as counter_text
from screens.send_progress import SendProgress
from tests.screens.conftest import SIZE, settle, type_into
from tui.app import SwitchboardApp
from tui.engine.journal import JobStatus, Journal, State, default_path

SMS = "/api/rest/sms"


def text(app: SwitchboardApp, selector: str) -> str:
    """The plain text a Static shows."""
    return str(app.screen.query_one(selector, Static).render())


def sms_posts(provider_apps: dict[str, Any]) -> list[Any]:
    return list(provider_apps["360nrs"].state.log.matching("POST", SMS))


def numbers(n: int, start: int = 0) -> list[str]:
    return [f"34600{i:06d}" for i in range(start, start + n)]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def shown(screen: Any, selector: str) -> bool:
    """Whether a widget and every container around it are displayed."""
    node = screen.query_one(selector)
    while node is not None and node is not screen:
        if not node.display:
            return False
        node = node.parent
    return True


async def open_compose(pilot: Any) -> ComposeScreen:
    await settle(pilot)
    await pilot.press("f4")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ComposeScreen)
    return screen


async def fill_sms(
    pilot: Any, recipients: str, message: str, *, source: str = "typed", sender: str = "ACME"
) -> None:
    screen = pilot.app.screen
    screen.query_one("#source", Select).value = source
    await pilot.pause()
    screen.query_one("#recipients", Input).value = recipients
    screen.query_one("#sender", Input).value = sender
    screen.query_one("#message", TextArea).text = message
    await pilot.pause()


async def send_and_answer(pilot: Any, *, confirm: bool, typed: str | None = None) -> Any:
    """Ctrl+S, wait for the confirmation, answer it; the modal that was shown."""
    await pilot.press("ctrl+s")
    await settle(pilot)
    modal = pilot.app.screen
    assert isinstance(modal, ConfirmModal | TypedConfirmModal), modal
    if not confirm:
        await pilot.press("escape")
    elif isinstance(modal, TypedConfirmModal):
        await type_into(pilot, "#phrase", typed or "")
        await pilot.press("enter")
    else:
        await pilot.click("#yes")
    await settle(pilot)
    return modal


@pytest.fixture
def app(sandbox_console: Callable[..., SwitchboardApp]) -> SwitchboardApp:
    return sandbox_console()


async def test_channels_follow_the_account_capabilities(
    sandbox_console: Callable[..., SwitchboardApp],
) -> None:
    app = sandbox_console("sandbox-xebo")
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        notice = app.screen.query_one("#compose-unsupported", Static)
        assert notice.display
        assert "SMS sending is not available" in text(app, "#compose-unsupported")
        assert not app.screen.query_one("#compose-body").display

        app.active_account = "sandbox-360nrs"
        await pilot.pause()
        assert not notice.display
        assert app.screen.query_one("#compose-body").display
        select = app.screen.query_one("#channel", Select)
        labels = [str(label) for label, _ in select._options if _ != Select.BLANK]
        assert labels == [
            "SMS",
            "Landing SMS",
            "Email",
            "Voice (text to speech)",
            "Voice (audio file)",
            "WhatsApp template",
        ]
        # SMS shows the counter and the sender, not the email fields.
        screen = app.screen
        assert shown(screen, "#counter")
        assert not shown(screen, "#subject")
        select.value = "email"
        await pilot.pause()
        assert shown(screen, "#subject")
        assert not shown(screen, "#message")
        assert not shown(screen, "#expires")
        select.value = "whatsapp"
        await pilot.pause()
        assert str(screen.query_one("#sender-label").render()) == "WhatsApp business number"
        assert not shown(screen, "#schedule")


async def test_live_counter_gsm_and_ucs2(app: SwitchboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        area = app.screen.query_one("#message", TextArea)
        area.focus()
        await pilot.press(*"Hola")
        await pilot.pause()
        assert text(app, "#counter").startswith(
            "GSM 7-bit · 4 characters · 1 part · 156 left (max 15 parts)"
        )
        area.text = "x" * 161
        await pilot.pause()
        assert "161 characters · 2 parts · 145 left" in text(app, "#counter")
        area.text = "Olá ção 😀"
        await pilot.pause()
        counter = text(app, "#counter")
        assert counter.startswith("UCS-2 (UTF-16) · 9 characters · 1 part")
        # ç is not in the GSM table (only Ç is), á and ã neither; the emoji takes two units.
        assert "Force UCS-2:  á   ç   ã   😀" in counter
        assert "60 left" in counter
        # The offending characters are highlighted.
        shown_text = counter_text("Olá ção 😀")
        marked = {
            shown_text.plain[s.start : s.end].strip()
            for s in shown_text.spans
            if "red" in str(s.style)
        }
        assert marked == {"á", "ç", "ã", "😀"}
        assert "60 left" in counter


async def test_preview_substitutes_csv_columns(app: SwitchboardApp, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "people.csv",
        [{"phone": "34600000001", "name": "Ana"}, {"phone": "34600000002", "name": ""}],
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, str(path), "Hi {name|upper}, see {city}", source="csv")
        await settle(pilot)
        shown = text(app, "#preview")
        assert "34600000001: Hi ANA, see {city}  (no value for city)" in shown
        assert "34600000002: Hi , see {city}" in shown


async def test_preflight_shows_counts_cost_and_balance(
    app: SwitchboardApp, provider_apps: dict[str, Any]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, "34600000001, 34600000001, 12, 99000000001", "Hello")
        await pilot.click("#check")
        await settle(pilot)
        shown = text(app, "#preflight")
        assert "Recipients: 1 to send (1 valid, 2 invalid, 1 duplicates, 0 blacklisted)" in shown
        assert "Estimated cost:" in shown and "balance" in shown
        # Preflight reads prices and balance but sends nothing.
        assert sms_posts(provider_apps) == []


async def test_bad_input_is_an_inline_error(app: SwitchboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, "34600000001", "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text(app, "#form-error") == "Type the message."
        await type_into(pilot, "#schedule", "tomorrow")
        assert "not a date-time" in text(app, "#schedule-utc")
        assert app.screen.query_one("#schedule-utc").has_class("error-text")


async def test_cancel_sends_nothing(app: SwitchboardApp, provider_apps: dict[str, Any]) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, "34600000001, 34600000002", "Hello")
        modal = await send_and_answer(pilot, confirm=False)
        assert isinstance(modal, ConfirmModal)
        assert "to 2 recipients" in modal.question
        assert sms_posts(provider_apps) == []
        assert Journal(default_path()).jobs() == []


async def test_over_100_recipients_needs_the_typed_count(
    app: SwitchboardApp, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "many.csv", [{"to": n, "name": f"N{n[-3:]}"} for n in numbers(150)])
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, str(path), "Hi {name}", source="csv")
        await pilot.press("ctrl+s")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, TypedConfirmModal) and modal.phrase == "150"
        await type_into(pilot, "#phrase", "15")
        await pilot.press("enter")  # the wrong count does not confirm
        await pilot.pause()
        assert app.screen is modal
        await pilot.press("escape")
        await settle(pilot)
        assert sms_posts(provider_apps) == []

        await send_and_answer(pilot, confirm=True, typed="150")
        posts = sms_posts(provider_apps)
        sent = [to for p in posts for to in p.json()["to"]]
        assert sorted(sent) == numbers(150)
        # Each recipient's CSV columns went as its `sub` variables.
        first = posts[0].json()
        assert first["sub"][0] == {"name": f"N{first['to'][0][-3:]}"}
        journal = Journal(default_path())
        (job,) = journal.jobs()
        assert job.status is JobStatus.DONE
        totals = journal.totals(job.id)
        assert totals.accepted == 150
        shown = text(app, "#progress-totals")
        assert shown.startswith("accepted 150 · rejected 0 · unknown 0 · pending 0 of 150")


async def test_sms_send_with_a_207_partial_result_and_export(
    app: SwitchboardApp, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    nrs = provider_apps["360nrs"].state.nrs
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, "34600000001, 34600000002, 34600000003", "Hello")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Blacklisted at the provider after our preflight read the list: the provider
        # refuses that one recipient in a 207 answer.
        nrs.lists.blacklist_add("sms", "34600000002", nrs.now())
        await pilot.click("#yes")
        await settle(pilot)

        (post,) = sms_posts(provider_apps)
        assert post.json()["to"] == ["34600000001", "34600000002", "34600000003"]
        journal = Journal(default_path())
        (job,) = journal.jobs()
        totals = journal.totals(job.id)
        assert (totals.accepted, totals.rejected, totals.unknown) == (2, 1, 0)
        assert text(app, "#progress-totals").startswith("accepted 2 · rejected 1 · unknown 0")
        log = app.screen.query_one("#progress-results", RichLog)
        assert [str(line.text).split()[:2] for line in log.lines] == [
            ["34600000001", "ACCEPTED"],
            ["34600000002", "REJECTED"],
            ["34600000003", "ACCEPTED"],
        ]
        rejected = [r for r in journal.recipients(job.id) if r.state is State.REJECTED]
        assert [r.to for r in rejected] == ["34600000002"]
        assert "blacklisted" in (rejected[0].reason or "")

        out = tmp_path / "results.csv"
        app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.click("#export")
        await settle(pilot)
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert [(r["to"], r["state"]) for r in rows] == [
            ("34600000001", "ACCEPTED"),
            ("34600000002", "REJECTED"),
            ("34600000003", "ACCEPTED"),
        ]
        assert text(app, "#export-status") == f"Wrote 3 recipients to {out}"

        # A second export to the same file asks first; No leaves the file alone.
        out.write_text("keep me", encoding="utf-8")
        await pilot.click("#export")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert out.read_text(encoding="utf-8") == "keep me"


async def test_schedule_shows_utc_and_reaches_the_provider(
    app: SwitchboardApp, provider_apps: dict[str, Any]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, "34600000001", "Later")
        await type_into(pilot, "#schedule", "2026-11-24T09:00+01:00")
        assert text(app, "#schedule-utc") == "sent as 2026-11-24 08:00 UTC"
        await send_and_answer(pilot, confirm=True)
        (post,) = sms_posts(provider_apps)
        assert post.json()["scheduleDate"] == "20261124080000"


async def test_whatsapp_template_send(app: SwitchboardApp, provider_apps: dict[str, Any]) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot)
        screen.query_one("#channel", Select).value = "whatsapp"
        await pilot.pause()
        screen.query_one("#recipients", Input).value = "34600000001, 34600000002"
        screen.query_one("#sender", Input).value = "34666777555"
        screen.query_one("#template-id", Input).value = "125"
        await type_into(pilot, "#wa-body", "4321")
        assert "34600000001: 4321" in text(app, "#preview")
        await send_and_answer(pilot, confirm=True)
        (post,) = provider_apps["360nrs"].state.log.matching("POST", "/api/rest/whatsapp")
        body = post.json()
        assert body["templateId"] == 125 and body["from"] == "34666777555"
        assert [m["to"] for m in body["messages"]] == ["34600000001", "34600000002"]
        assert body["messages"][0]["bodyFields"] == ["4321"]
        assert text(app, "#progress-title") == "WhatsApp template: 2 accepted, 0 rejected"
        assert app.screen.query_one(SendProgress).has_class("active")


async def test_email_send(app: SwitchboardApp, provider_apps: dict[str, Any]) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot)
        screen.query_one("#channel", Select).value = "email"
        await pilot.pause()
        screen.query_one("#recipients", Input).value = "ana@example.com, Bad-Address"
        screen.query_one("#from-email", Input).value = "news@example.com"
        screen.query_one("#reply-to", Input).value = "help@example.com"
        screen.query_one("#subject", Input).value = "Hello"
        screen.query_one("#html", TextArea).text = "<p>Hi {name}</p>"
        await pilot.pause()
        await send_and_answer(pilot, confirm=True)
        (post,) = provider_apps["360nrs"].state.log.matching("POST", "/api/rest/mailing")
        body = post.json()
        assert body["to"] == ["ana@example.com"]  # the invalid address never left
        assert body["subject"] == "Hello" and body["fromEmail"] == "news@example.com"
        assert "1 invalid" in text(app, "#preflight")
        assert text(app, "#progress-title") == "Email: 1 accepted, 0 rejected"


async def test_ui_handles_keys_while_a_send_runs(
    app: SwitchboardApp, provider_apps: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches at a capped rate keep a 300-recipient job running for a few seconds.
    monkeypatch.setattr(ComposeScreen, "BATCH_SIZE", 10)
    monkeypatch.setattr(ComposeScreen, "CONCURRENCY", 1)
    monkeypatch.setattr(ComposeScreen, "RATE_LIMIT", 10.0)
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, ", ".join(numbers(300)), "Hello")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_into(pilot, "#phrase", "300")
        await pilot.press("enter")
        # Wait for the first results, then pause with the keyboard while it sends.
        for _ in range(200):
            await pilot.pause(0.02)
            if "accepted" in text(app, "#progress-totals"):
                break
        await pilot.press("ctrl+b")
        await settle(pilot)
        journal = Journal(default_path())
        (job,) = journal.jobs()
        assert job.status is JobStatus.PAUSED
        assert job.pause_reason == "paused by the operator"
        totals = journal.totals(job.id)
        assert 0 < totals.accepted < 300 and totals.pending == 300 - totals.accepted
        sent = sum(len(p.json()["to"]) for p in sms_posts(provider_apps))
        assert sent == totals.accepted
        assert text(app, "#progress-title").startswith(f"Job {job.id} PAUSED")
