"""The Compose screen driven through Pilot against the sandbox emulators."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, RichLog, Select, Static, TextArea

from screens.compose.form import counter as counter_text
from screens.compose.screen import ComposeScreen
from screens.widgets.common import ConfirmModal, ErrorModal, TypedConfirmModal
from screens.widgets.progress import SendProgress
from tests.screens.conftest import SIZE, settle, type_into
from tui.app import SwitchboardApp
from tui.engine.journal import Journal, sandbox_path
from tui.engine.journal_rows import JobStatus, State

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


async def open_compose(pilot: Any, channel: str | None = None) -> ComposeScreen:
    """F4, on `channel` when given (the form then shows that channel's fields)."""
    await settle(pilot)
    await pilot.press("f4")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ComposeScreen)
    if channel is not None:
        screen.query_one("#channel", Select).value = channel
        await pilot.pause()
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
        assert Journal(sandbox_path()).jobs() == []


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
        journal = Journal(sandbox_path())
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
        journal = Journal(sandbox_path())
        (job,) = journal.jobs()
        totals = journal.totals(job.id)
        assert (totals.accepted, totals.rejected, totals.unknown) == (2, 1, 0)
        assert text(app, "#progress-totals").startswith("accepted 2 · rejected 1 · unknown 0")
        log = app.screen.query_one("#progress-results", RichLog)
        assert [str(line.text).split()[:2] for line in log.lines if line.text.strip()] == [
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
        # "now", what the field's placeholder says, is accepted; a past moment is not.
        await type_into(pilot, "#schedule", "now")
        assert text(app, "#schedule-utc") == ""
        await type_into(pilot, "#schedule", "2020-01-01 09:00")
        assert "has already passed" in text(app, "#schedule-utc")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "has already passed" in text(app, "#form-error")
        # Within the rules' horizon (a date more than a year ahead is refused).
        day = datetime.now(UTC) + timedelta(days=60)
        await type_into(pilot, "#schedule", f"{day:%Y-%m-%d}T09:00+01:00")
        assert text(app, "#schedule-utc") == f"sent as {day:%Y-%m-%d} 08:00 UTC"
        await send_and_answer(pilot, confirm=True)
        (post,) = sms_posts(provider_apps)
        assert post.json()["scheduleDate"] == f"{day:%Y%m%d}080000"


async def test_whatsapp_template_send(app: SwitchboardApp, provider_apps: dict[str, Any]) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot, "whatsapp")
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
        # A journaled job like any other send: in Jobs, resumable, exportable.
        journal = Journal(sandbox_path())
        (job,) = journal.jobs()
        assert (job.channel, job.status) == ("whatsapp", JobStatus.DONE)
        assert journal.totals(job.id).accepted == 2
        assert text(app, "#progress-title") == f"Job {job.id} DONE"
        assert text(app, "#progress-totals").startswith("accepted 2 · rejected 0")
        assert app.screen.query_one(SendProgress).has_class("active")


async def test_email_send(app: SwitchboardApp, provider_apps: dict[str, Any]) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot, "email")
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
        journal = Journal(sandbox_path())
        (job,) = journal.jobs()
        assert (job.channel, job.status) == ("email", JobStatus.DONE)
        assert text(app, "#progress-title") == f"Job {job.id} DONE"
        assert text(app, "#progress-totals").startswith("accepted 1 · rejected 0")
        # The provider publishes no email prices: the panel says so rather than nothing.
        assert text(app, "#progress-cost") == "cost: the provider publishes no prices for Email"


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
        journal = Journal(sandbox_path())
        (job,) = journal.jobs()
        assert job.status is JobStatus.PAUSED
        assert job.pause_reason == "paused by the operator"
        totals = journal.totals(job.id)
        assert 0 < totals.accepted < 300 and totals.pending == 300 - totals.accepted
        sent = sum(len(p.json()["to"]) for p in sms_posts(provider_apps))
        assert sent == totals.accepted
        assert text(app, "#progress-title").startswith(f"Job {job.id} PAUSED")


# --- every channel is a journaled job -------------------------------------------------------


def posts_to(provider_apps: dict[str, Any], path: str) -> list[Any]:
    return [
        r.json() for r in provider_apps["360nrs"].state.log.matching("POST", f"/api/rest/{path}")
    ]


def fits(app: SwitchboardApp, selector: str) -> bool:
    """Whether a fixed-height Static shows all of its text (no line cut off)."""
    widget = app.screen.query_one(selector, Static)
    width, height = widget.size
    lines = str(widget.render()).splitlines() or [""]
    return sum(max(1, -(-len(line) // width)) for line in lines) <= height


WIDE = (150, 45)


async def test_landing_send_is_a_job_with_cost_so_far_in_view(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console()
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_compose(pilot, "landing")
        await fill_sms(pilot, "34600000001, 34600000002, 819012345678", "See {LAND_URL}")
        screen.query_one("#html", TextArea).text = "<h1>Hi</h1>"
        await pilot.pause()
        await send_and_answer(pilot, confirm=True)
        (body,) = posts_to(provider_apps, "landingsms")
        assert body["to"] == ["34600000001", "34600000002", "819012345678"]
        journal = Journal(sandbox_path())
        (job,) = journal.jobs()
        assert (job.channel, job.status) == ("landing", JobStatus.DONE)
        assert job.message["pricing"]["prices"].keys() == {"ES"}  # Japan has no price
        assert text(app, "#progress-title") == f"Job {job.id} DONE"
        cost = text(app, "#progress-cost")
        # Two Spanish messages priced, the Japanese one counted apart, never as free.
        price = job.message["pricing"]["prices"]["ES"]
        assert cost == f"cost so far ≈ {2 * price:.4f} EUR + 1 unpriced"
        assert fits(app, "#progress-cost") and fits(app, "#progress-totals")


async def test_sms_cost_survives_an_unpriced_country(
    sandbox_console: Callable[..., SwitchboardApp],
) -> None:
    app = sandbox_console()
    async with app.run_test(size=WIDE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, "34600000001, 819012345678", "Hello")
        await send_and_answer(pilot, confirm=True)
        assert text(app, "#progress-cost").startswith("cost so far ≈ 0.")
        assert text(app, "#progress-cost").endswith("EUR + 1 unpriced")


async def test_long_pause_reason_is_shown_whole_with_the_providers_code_in_a_dialog(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    provider_apps["360nrs"].state.nrs.balance_cents = 0
    app = sandbox_console()
    async with app.run_test(size=WIDE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, "34600000001, 34600000002", "Hello")
        modal = await send_and_answer(pilot, confirm=True)
        # The confirmation repeats the preflight's warning about the balance.
        assert "The preflight warns:" in modal.question and "exceeds the balance" in modal.question
        dialog = app.screen
        assert isinstance(dialog, ErrorModal)
        assert dialog.title_text == "Not enough credit (HTTP 402 · code 111)"
        assert "Not enough credits" in dialog.message
        await pilot.press("escape")
        await pilot.pause()
        (job,) = Journal(sandbox_path()).jobs()
        assert text(app, "#progress-title") == f"Job {job.id} PAUSED"
        reason = text(app, "#progress-reason")
        assert reason.startswith("Not enough credit: ") and reason.endswith("resume.")
        widget = app.screen.query_one("#progress-reason", Static)
        assert widget.size.height >= 2  # wrapped, not cut at the panel's edge


async def test_a_send_that_cannot_start_says_so_in_the_panel(
    app: SwitchboardApp, provider_apps: dict[str, Any], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr("tui.engine.journal.sandbox_path", lambda: blocker / "journal.sqlite3")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot, "voice")
        screen.query_one("#recipients", Input).value = "34600000001"
        screen.query_one("#message", TextArea).text = "Hola"
        await pilot.pause()
        await send_and_answer(pilot, confirm=True)
        dialog = app.screen
        assert isinstance(dialog, ErrorModal) and dialog.title_text == "Send journal"
        await pilot.press("escape")
        await pilot.pause()
        assert text(app, "#progress-title") == "Send failed"
        assert "cannot open the send journal" in text(app, "#progress-reason")
        assert text(app, "#progress-totals") == "nothing was sent"
        assert posts_to(provider_apps, "voice") == []
        # The send button works again.
        assert not app.screen.query_one("#send").disabled


async def test_email_from_a_csv_with_phone_and_email_columns_uses_the_emails(
    app: SwitchboardApp, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "phone;email;name\n34600000001;ana@example.com;Ana\n34600000002;luis@example.com;Luis\n",
        encoding="utf-8",
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot, "email")
        assert screen.query_one("#recipients", Input).placeholder.startswith("ana@example.com")
        screen.query_one("#source", Select).value = "csv"
        await pilot.pause()
        screen.query_one("#recipients", Input).value = str(path)
        screen.query_one("#from-email", Input).value = "news@example.com"
        screen.query_one("#reply-to", Input).value = "help@example.com"
        screen.query_one("#subject", Input).value = "Hello"
        screen.query_one("#html", TextArea).text = "<p>Hi {name}</p>"
        await settle(pilot)
        assert "ana@example.com: <p>Hi Ana</p>" in text(app, "#preview")
        await send_and_answer(pilot, confirm=True)
        (body,) = posts_to(provider_apps, "mailing")
        assert body["to"] == ["ana@example.com", "luis@example.com"]
        assert body["sub"] == [
            {"phone": "34600000001", "name": "Ana"},
            {"phone": "34600000002", "name": "Luis"},
        ]


async def test_a_csv_without_a_known_column_says_what_to_do_here(
    app: SwitchboardApp, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("tel,nombre\n34600000001,Ana\n", encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, str(path), "Hi {nombre}", source="csv")
        assert app.screen.query_one("#column-field").display
        await pilot.click("#check")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ErrorModal)
        assert "type its name in the CSV column field" in dialog.message
        assert "--to-column" not in dialog.message
        await pilot.press("escape")
        await pilot.pause()
        app.screen.query_one("#to-column", Input).value = "tel"
        await send_and_answer(pilot, confirm=True)
        (post,) = sms_posts(provider_apps)
        assert post.json()["to"] == ["34600000001"] and post.json()["sub"] == [{"nombre": "Ana"}]


async def test_a_whatsapp_field_one_recipient_cannot_fill_is_refused_in_the_preflight(
    app: SwitchboardApp, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "wa.csv",
        [{"to": "34600000001", "amt": "12.5"}, {"to": "34600000002", "amt": "abc"}],
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot, "whatsapp")
        screen.query_one("#source", Select).value = "csv"
        await pilot.pause()
        values = {"#recipients": str(path), "#sender": "34666777555", "#template-id": "123",
                  "#wa-body": "{amt|formatDotComma}"}  # fmt: skip
        for selector, value in values.items():
            screen.query_one(selector, Input).value = value
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen  # no confirmation, no error dialog
        assert text(app, "#preflight").startswith("Cannot send: recipient 2 (34600000002): ")
        assert "needs a number" in text(app, "#form-error")
    assert posts_to(provider_apps, "whatsapp") == []


async def test_whatsapp_sends_what_the_preview_shows_with_buttons_and_location(
    app: SwitchboardApp, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "wa.csv",
        [{"to": "34600000001", "name": "ana", "order": "42"},
         {"to": "34600000002", "name": "luis", "order": "43"}],
    )  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot, "whatsapp")
        screen.query_one("#source", Select).value = "csv"
        await pilot.pause()
        values = {
            "#recipients": str(path), "#sender": "34666777555", "#template-id": "123",
            "#wa-header": "Order", "#wa-body": "{name|capitalize}; #{order}",
            "#wa-cta": "{order}", "#wa-buttons": "Yes; No", "#wa-default": "Thanks",
        }  # fmt: skip
        for selector, value in values.items():
            screen.query_one(selector, Input).value = value
        await settle(pilot)
        assert "34600000001: Order | Ana · #42 | 42" in text(app, "#preview")
        await send_and_answer(pilot, confirm=True)
        (body,) = posts_to(provider_apps, "whatsapp")
        assert body["messages"] == [
            {"to": "34600000001", "headerFields": ["Order"], "bodyFields": ["Ana", "#42"],
             "callToActionFields": ["42"], "defaultAnswer": "Thanks",
             "buttonAnswers": ["Yes", "No"]},
            {"to": "34600000002", "headerFields": ["Order"], "bodyFields": ["Luis", "#43"],
             "callToActionFields": ["43"], "defaultAnswer": "Thanks",
             "buttonAnswers": ["Yes", "No"]},
        ]  # fmt: skip
        assert Journal(sandbox_path()).jobs()[0].status is JobStatus.DONE

        # A location template: both coordinates, or an inline error.
        screen.query_one("#source", Select).value = "typed"
        await pilot.pause()
        for selector, value in {"#recipients": "34600000003", "#template-id": "124",
                                "#wa-header": "", "#wa-body": "", "#wa-cta": "",
                                "#wa-buttons": "", "#wa-lat": "39.92"}.items():  # fmt: skip
            screen.query_one(selector, Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "latitude and its longitude" in text(app, "#form-error")
        screen.query_one("#wa-long", Input).value = "-0.10"
        screen.query_one("#wa-loc-name", Input).value = "Shop"
        await send_and_answer(pilot, confirm=True)
        second = posts_to(provider_apps, "whatsapp")[1]
        assert second["messages"][0]["location"] == {
            "lat": "39.92",
            "long": "-0.10",
            "name": "Shop",
        }


async def test_inline_errors_for_filter_typos_and_template_ids(app: SwitchboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(pilot)
        await fill_sms(pilot, "34600000001", "Hi {name|foo}")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ErrorModal)
        error = text(app, "#form-error")
        assert error.startswith("Message: unknown filter 'foo' in {name|foo}; known filters:")
        app.screen.query_one("#channel", Select).value = "whatsapp"
        await pilot.pause()
        app.screen.query_one("#template-id", Input).value = "-"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text(app, "#form-error") == "The template id must be a whole number, not '-'."


def test_landing_counter_counts_what_the_provider_generates() -> None:
    # {LAND_URL} and {UNSUB_URL} are 25-character links, {x|shorten} a 21-character one.
    assert "29 characters" in counter_text("See {LAND_URL}", landing=True).plain
    assert "52 characters" in counter_text("{LAND_URL} {UNSUB_URL} ", landing=True).plain
    assert "21 characters" in counter_text("{url|shorten}").plain
    # A recipient's own variable is counted as written (the preflight counts per recipient).
    assert "6 characters" in counter_text("{name}").plain


async def test_pause_key_and_palette_entries_only_while_they_apply(
    app: SwitchboardApp, provider_apps: dict[str, Any], tmp_path: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(pilot)
        assert screen.check_action("pause", ()) is False
        titles = [c.title for c in screen.palette_commands()]
        assert "Pause send" not in titles and "Export results" not in titles
        await fill_sms(pilot, "34600000001", "Hello")
        await send_and_answer(pilot, confirm=True)
        assert "Export results" in [c.title for c in screen.palette_commands()]
        # A folder is not a file to overwrite.
        screen.query_one("#export-path", Input).value = str(tmp_path)
        await pilot.click("#export")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmModal)
        assert text(app, "#export-status").startswith(f"{tmp_path} is a folder")
