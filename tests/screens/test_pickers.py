"""Pickers instead of raw ids (issue 12 point 5): lists to pick from, ids remembered per
account after they worked, and placeholders that are hints, never values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Input, OptionList, Static

from backends.sandbox.collect import DEMO_CAMPAIGN_ID
from backends.sandbox.eightbyeight import DEMO_SURVEY
from screens.conversations.template import TemplateSendModal
from screens.widgets.common import ConfirmModal, ErrorModal
from screens.widgets.picker import PickList
from tests.screens.conftest import SIZE, settle, type_into
from tests.screens.test_contacts_screen import open_contacts, show_tab
from tests.screens.test_conversations_screen import find, open_screen, open_thread
from tui.app import SwitchboardApp
from tui.config import Account
from tui.usecases.recent_ids import IdKind, recent
from tui.workspace import Workspace

Console = Callable[..., SwitchboardApp]


def field(app: SwitchboardApp, selector: str) -> Input:
    return app.screen.query_one(selector, Input)


def offered(app: SwitchboardApp) -> list[str]:
    """The lines of the open pick list (value, then its note)."""
    assert isinstance(app.screen, PickList)
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def pick_status(app: SwitchboardApp) -> str:
    return str(app.screen.query_one("#pick-status", Static).render())


def second_account(ws: Workspace, like: str, name: str, **options: str) -> None:
    """Another account on the same emulator (its own options)."""
    account = ws.account(like)
    ws.add_ephemeral(
        Account(
            name=name,
            provider=account.provider,
            base_url=account.base_url,
            username=account.username,
            options=options,
        ),
        ws.secrets.get(like),
    )


async def confirm(pilot: Any) -> None:
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConfirmModal)
    await pilot.click("#yes")
    await settle(pilot)


# --- 8x8 survey id -------------------------------------------------------------------------


async def test_survey_id_is_empty_on_open_and_typing_gives_what_was_typed(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-8x8")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        survey = field(app, "#batch-survey")
        # The account's default is a dim hint, not text to type after.
        assert survey.value == ""
        assert survey.placeholder == f"default {DEMO_SURVEY}"
        survey.focus()
        await pilot.press(*"csat-2025")
        assert survey.value == "csat-2025"
        # An empty field sends the account's default survey, as the CLI does.
        survey.value = ""
        await type_into(pilot, "#batch-to", "98760001")
        await type_into(pilot, "#batch-country", "SG")
        await type_into(pilot, "#batch-template", "Rate us {{url:}}")
        await pilot.press("enter")
        await confirm(pilot)
    (request,) = provider_apps["8x8"].state.log.requests
    assert f"/surveys/{DEMO_SURVEY}/" in request.path


async def test_survey_ids_that_worked_are_offered_first_on_that_account_only(
    sandbox_console: Console, all_providers: Workspace
) -> None:
    second_account(all_providers, "sandbox-8x8", "other-8x8", subaccount_id="x")
    app = sandbox_console("sandbox-8x8")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#batch-survey", DEMO_SURVEY)
        await type_into(pilot, "#batch-to", "98760001")
        await type_into(pilot, "#batch-country", "SG")
        await type_into(pilot, "#batch-template", "Rate us {{url:}}")
        await pilot.press("enter")
        await confirm(pilot)
        assert recent("sandbox-8x8", IdKind.SURVEY_BATCH) == [DEMO_SURVEY]
        # Back in the (now empty) field: Down opens the list, the used id first.
        survey = field(app, "#batch-survey")
        survey.value = ""
        survey.focus()
        await pilot.press("down")
        await settle(pilot)
        assert offered(app) == [f"{DEMO_SURVEY}  used before on this account"]
        await pilot.press("enter")
        assert not isinstance(app.screen, PickList)
        assert survey.value == DEMO_SURVEY
        assert app.focused is survey

        # Another account (no default survey) is not offered this one's ids.
        app.active_account = "other-8x8"
        await settle(pilot)
        survey.focus()
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert "Nothing to offer yet" in pick_status(app)
        await pilot.press("escape")
        assert survey.value == ""


async def test_a_refused_batch_remembers_nothing(
    sandbox_console: Console, provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-8x8")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#batch-survey", "nosuch-survey")
        await type_into(pilot, "#batch-to", "98760001")
        await type_into(pilot, "#batch-country", "SG")
        await type_into(pilot, "#batch-template", "Rate us {{url:}}")
        await pilot.press("enter")
        await confirm(pilot)
        # Whatever 8x8 answered, nothing was queued for this survey.
        assert "0 queued" in str(app.screen.query_one("#batch-totals", Static).render())
    assert recent("sandbox-8x8", IdKind.SURVEY_BATCH) == []


# --- Collect campaign id -------------------------------------------------------------------


async def test_collect_campaign_used_before_is_offered_and_typing_filters(
    sandbox_console: Console,
) -> None:
    app = sandbox_console("sandbox-collect")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        await type_into(pilot, "#collect-campaign", DEMO_CAMPAIGN_ID)
        await type_into(pilot, "#collect-email", "jane@example.com")
        await pilot.press("ctrl+s")
        await confirm(pilot)
        assert str(app.screen.query_one("#collect-portal", Static).render()).startswith("Portal")
        campaign = field(app, "#collect-campaign")
        campaign.value = DEMO_CAMPAIGN_ID[:3].lower()  # part of it, any case
        campaign.focus()
        await pilot.press("down")
        await settle(pilot)
        assert offered(app) == [f"{DEMO_CAMPAIGN_ID}  used before on this account"]
        # A click picks too.
        await pilot.click(OptionList, offset=(2, 1))
        await settle(pilot)
        assert campaign.value == DEMO_CAMPAIGN_ID
    assert recent("sandbox-collect", IdKind.COLLECT_CAMPAIGN) == [DEMO_CAMPAIGN_ID]


# --- WhatsApp template id (Conversations) --------------------------------------------------


async def send_template(pilot: Any, template_id: str, body: str = "") -> None:
    """From the open, closed conversation: the template dialog, its id, send, confirm."""
    await pilot.press("ctrl+t")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TemplateSendModal)
    await type_into(pilot, "#template-id", template_id)
    if body:
        await type_into(pilot, "#body", body)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("y")
    await settle(pilot)


async def test_template_ids_sent_before_are_offered_on_that_account_only(
    sandbox_console: Console, provider_apps: dict[str, Any], all_providers: Workspace
) -> None:
    second_account(all_providers, "sandbox-360nrs", "other-360nrs")
    app = sandbox_console()
    expired = find(provider_apps, "Posso pagar por transferência")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await open_thread(pilot, expired)
        await send_template(pilot, "125", "4821")
        await send_template(pilot, "999")  # refused by 360nrs ("Invalid template")
        assert isinstance(app.screen, ErrorModal)
        await pilot.press("escape")
        assert recent("sandbox-360nrs", IdKind.WHATSAPP_TEMPLATE) == ["125"]

        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#template-id")
        await pilot.press("down")
        await settle(pilot)
        assert offered(app) == ["125  used before on this account"]
        await pilot.press("enter")
        assert app.screen.query_one("#template-id", Input).value == "125"
        await pilot.press("escape")

        app.active_account = "other-360nrs"
        await open_screen(pilot)
        await open_thread(pilot, expired)
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("down")
        await settle(pilot)
        assert "Nothing to offer yet" in pick_status(app)


# --- groups where the provider cannot list them (XeroChat) ---------------------------------


async def test_groups_opened_or_created_by_id_are_offered_and_deleted_ones_not(
    sandbox_console: Console, provider_apps: dict[str, Any], all_providers: Workspace
) -> None:
    second_account(all_providers, "sandbox-xerochat", "other-xerochat")
    state = provider_apps["xerochat"].state.xerochat
    app = sandbox_console("sandbox-xerochat")
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot)
        await show_tab(pilot, "tab-groups")
        await type_into(pilot, "#g-open-id", "67")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.click("#g-new")
        await pilot.pause()
        app.screen.query_one("#prompt-value", Input).value = "Walk-ins"
        await pilot.press("enter")
        await settle(pilot)
        gid = str(max(state.groups))
        assert recent("sandbox-xerochat", IdKind.GROUP) == [gid, "67"]

        opener = field(app, "#g-open-id")
        opener.value = ""
        opener.focus()
        await pilot.press("down")
        await settle(pilot)
        assert [line.split()[0] for line in offered(app)] == [gid, "67"]
        await pilot.press("down", "enter")
        assert opener.value == "67"

        # Deleting the new group (selected in the table) stops offering it.
        app.screen.query_one("#groups-table").focus()
        await pilot.press("delete")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert recent("sandbox-xerochat", IdKind.GROUP) == ["67"]
        assert recent("other-xerochat", IdKind.GROUP) == []
