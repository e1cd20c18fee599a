"""The Templates screen driven through Pilot against the 360nrs emulator, and HTML to text."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from textual.widgets import Checkbox, DataTable, Input, Select, Static, TabbedContent, TextArea

from screens.templates.edit import STARTER_FIELDS, FormEditModal, TemplateEditModal
from screens.templates.screen import TemplatesScreen
from screens.templates.text import html_to_text
from screens.widgets.common import ConfirmModal
from tests.screens.conftest import SIZE, settle, type_into
from tui.app import SwitchboardApp

V2 = "/api/rest/v2/templates"
V1 = "/api/rest/templates"
FORMS = "/api/rest/forms"
SAMPLE = """<!doctype html><html><head><title>Hidden title</title>
<style>p { color: red }</style><script>alert(1)</script></head>
<body><h1>Hello   {name}</h1>
<p>Your order is <b>ready</b>.<br>Pick it up today.</p>
<ul><li>Open 9-18</li><li>See the <a href="https://shop.example/map">map</a></li></ul>
<p><a href="[unsubscribe_link]">Unsubscribe</a> &amp; <a href="https://x.example">https://x.example</a></p>
</body></html>"""


def test_html_to_text_keeps_blocks_breaks_and_link_targets() -> None:
    assert html_to_text(SAMPLE) == (
        "Hello {name}\n"
        "\n"
        "Your order is ready.\n"
        "Pick it up today.\n"
        "\n"
        "• Open 9-18\n"
        "• See the map (https://shop.example/map)\n"
        "\n"
        "Unsubscribe ([unsubscribe_link]) & https://x.example"
    )


def test_html_to_text_draws_form_controls() -> None:
    html = (
        '<form><label for="a">Name</label><input id="a" type="text" placeholder="Your name">'
        '<label><input type="radio" name="r" value="1"> Yes</label>'
        '<label><input type="radio" name="r" value="0"> No</label>'
        '<select><option value="1">Morning</option><option value="2">Evening</option></select>'
        '<input type="hidden" name="t" value="x"><button type="submit">Send</button></form>'
    )
    assert html_to_text(html) == (
        "Name\n[Your name]\n( ) Yes\n( ) No\n◦ Morning\n◦ Evening\n[ Send ]"
    )


def test_html_to_text_of_plain_text_and_empty_input() -> None:
    assert html_to_text("just text") == "just text"
    assert html_to_text("") == ""
    rule = "――――――――――"
    assert html_to_text("<hr><p>a</p><img src='x' alt='Logo'>") == f"{rule}\n\na\n\n[image: Logo]"


def state(provider_apps: dict[str, Any]) -> Any:
    return provider_apps["360nrs"].state.nrs.lists


def log(provider_apps: dict[str, Any]) -> Any:
    return provider_apps["360nrs"].state.log


def plain(app: SwitchboardApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def table_ids(app: SwitchboardApp, selector: str) -> list[int]:
    table = app.screen.query_one(selector, DataTable)
    return [int(str(k.value)) for k in table.rows]


async def open_screen(pilot: Any) -> TemplatesScreen:
    await settle(pilot)
    await pilot.press("f8")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TemplatesScreen)
    return screen


async def pick(pilot: Any, selector: str, row_id: int) -> None:
    table = pilot.app.screen.query_one(selector, DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(str(row_id)))
    await settle(pilot)


async def test_lists_both_editors_with_a_text_preview(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console()
    lists = state(provider_apps)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        assert table_ids(app, "#templates") == sorted(lists.templates[2])
        # v2 listings carry no HTML: the screen asked for the template to preview it.
        first = min(lists.templates[2])
        assert log(provider_apps).matching("GET", f"{V2}/{first}")
        assert plain(app, "#tpl-preview") == html_to_text(lists.templates[2][first].html)

        last = max(lists.templates[2])
        await pick(pilot, "#templates", last)
        assert plain(app, "#tpl-preview") == html_to_text(lists.templates[2][last].html)

        app.screen.query_one("#tpl-version", Select).value = 1
        await settle(pilot)
        assert table_ids(app, "#templates") == sorted(lists.templates[1])
        assert log(provider_apps).matching("GET", V1)
        assert "legacy editor" in plain(app, "#tpl-status")


async def test_create_edit_and_delete_a_template(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console()
    lists = state(provider_apps)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, TemplateEditModal)
        await pilot.press("ctrl+s")
        assert plain(app, "#edit-error") == "Enter a name."
        await type_into(pilot, "#tpl-name", "Spring sale")
        app.screen.query_one("#tpl-html", TextArea).load_text(SAMPLE)
        await pilot.pause()
        assert plain(app, "#edit-preview") == html_to_text(SAMPLE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [r.json() for r in log(provider_apps).matching("POST", V2)] == [
            {"name": "Spring sale", "html": SAMPLE}
        ]
        created = max(lists.templates[2].values(), key=lambda t: t.id)
        assert created.name == "Spring sale"
        screen = app.screen
        assert isinstance(screen, TemplatesScreen)
        assert screen.query_one("#templates", DataTable).cursor_row == table_ids(
            app, "#templates"
        ).index(created.id)
        assert plain(app, "#tpl-preview") == html_to_text(SAMPLE)

        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, TemplateEditModal)
        assert app.screen.query_one("#tpl-html", TextArea).text == SAMPLE
        await type_into(pilot, "#tpl-name", "Spring sale 2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert log(provider_apps).matching("PUT", f"{V2}/{created.id}")[-1].json() == {
            "name": "Spring sale 2",
            "html": SAMPLE,
        }
        assert lists.templates[2][created.id].name == "Spring sale 2"

        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.click("#no")
        await settle(pilot)
        assert not log(provider_apps).matching("DELETE", f"{V2}/{created.id}")
        await pilot.press("delete")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert log(provider_apps).matching("DELETE", f"{V2}/{created.id}")
        assert created.id not in lists.templates[2]
        assert created.id not in table_ids(app, "#templates")


async def test_forms_create_edit_preview_and_delete(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console()
    lists = state(provider_apps)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        screen.query_one("#tpl-tabs", TabbedContent).active = "tab-forms"
        await settle(pilot)
        assert table_ids(app, "#forms") == sorted(lists.forms)
        await pick(pilot, "#forms", min(lists.forms))
        assert log(provider_apps).matching("GET", f"{FORMS}/{min(lists.forms)}/preview")
        assert "( ) Very satisfied" in plain(app, "#form-preview")

        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormEditModal)
        await type_into(pilot, "#form-name", "Feedback")
        await pilot.press("ctrl+s")
        await settle(pilot)
        sent = log(provider_apps).matching("POST", FORMS)[-1].json()
        assert sent == {
            "name": "Feedback",
            "editable": True,
            "rejectButton": False,
            "formFields": json.loads(STARTER_FIELDS),
        }
        created = max(lists.forms.values(), key=lambda f: f.id)
        assert created.name == "Feedback"
        assert [f["type"] for f in created.fields] == ["h3", "text", "email"]

        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FormEditModal)
        assert app.screen.query_one("#form-name", Input).value == "Feedback"
        area = app.screen.query_one("#form-fields", TextArea)
        area.load_text('[{"type": "text", "label": "City"}]')
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = plain(app, "#edit-error")
        assert "missing required key(s) customField" in error
        area.load_text('[{"type": "p", "label": "Thanks!"}')
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert plain(app, "#edit-error").startswith("The elements are not valid JSON")
        area.load_text('[{"type": "p", "label": "Thanks!"}]')
        app.screen.query_one("#form-reject", Checkbox).toggle()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert log(provider_apps).matching("PUT", f"{FORMS}/{created.id}")[-1].json() == {
            "name": "Feedback",
            "editable": True,
            "rejectButton": True,
            "formFields": [{"type": "p", "label": "Thanks!"}],
        }
        assert lists.forms[created.id].fields == [{"type": "p", "label": "Thanks!"}]
        assert plain(app, "#form-preview").startswith("Thanks!")

        await pilot.press("delete")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert log(provider_apps).matching("DELETE", f"{FORMS}/{created.id}")
        assert created.id not in lists.forms
        assert created.id not in table_ids(app, "#forms")


async def test_provider_errors_show_in_a_modal(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console()
    lists = state(provider_apps)
    taken = next(iter(lists.forms.values())).name
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        screen.query_one("#tpl-tabs", TabbedContent).active = "tab-forms"
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await type_into(pilot, "#form-name", taken)
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(app.screen.query_one(".dialog-message", Static).render())
        assert "The name has already been taken." in message


async def test_other_provider_shows_the_capability_notice(
    sandbox_console: Callable[..., SwitchboardApp], provider_apps: dict[str, Any]
) -> None:
    app = sandbox_console("sandbox-xebo")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        notice = screen.query_one("#tpl-unsupported", Static)
        assert notice.display
        assert "does not offer templates or forms" in str(notice.render())
        assert not screen.query_one("#tpl-tabs").display
        assert not log(provider_apps).matching("GET", V2)

        app.active_account = "sandbox-360nrs"
        await settle(pilot)
        assert not notice.display
        assert table_ids(app, "#templates") == sorted(state(provider_apps).templates[2])
