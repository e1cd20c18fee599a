"""Templates and forms: list, create, edit, delete, and a text preview of the HTML."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    DataTable,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from backends.base import Capability
from backends.capabilities import TemplatesApi
from backends.models.lists import Template
from screens.templates.common import PAGE_LIMIT, day, selected_id
from screens.templates.edit import TemplateDraft, TemplateEditModal
from screens.templates.forms import FormsTab
from screens.templates.text import html_to_text
from screens.widgets.common import ConfirmModal, no_account_text, sb_app
from screens.widgets.keys import std_key

VERSIONS = [("Current editor (v2)", 2), ("Legacy editor (v1)", 1)]


class TemplatesScreen(FormsTab):
    """HTML templates (both editors) and web forms of the active account (the Forms tab's
    work is in `FormsTab`)."""

    TITLE = "Templates"
    CSS_PATH = "templates.tcss"

    BINDINGS = [
        std_key("new"),
        std_key("edit"),
        std_key("delete"),
        std_key("reload"),
    ]

    @dataclass
    class TemplatesLoaded(Message):
        """A page of templates of one editor version."""

        account: str | None
        v2: bool
        templates: tuple[Template, ...]
        total: int

    @dataclass
    class TemplateShown(Message):
        """One template with its HTML, for the preview."""

        template: Template

    @dataclass
    class TemplateToEdit(Message):
        """A template fetched with its HTML, to open in the editor."""

        template: Template

    @dataclass
    class TemplateChanged(Message):
        """A template was saved (or deleted when `template` is None)."""

        template: Template | None

    def __init__(self) -> None:
        super().__init__()
        self.templates: dict[int, Template] = {}
        # Selected after the next reload (the template just saved).
        self._select_template: int | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static("", id="tpl-unsupported", classes="notice")
        with TabbedContent(id="tpl-tabs"):
            with TabPane("Templates", id="tab-templates"):
                with Horizontal(classes="button-row"):
                    yield Select(VERSIONS, value=2, allow_blank=False, id="tpl-version")
                    yield Button("New", variant="primary", id="tpl-new")
                    yield Button("Edit", id="tpl-edit")
                    yield Button("Delete", variant="error", id="tpl-delete")
                with Horizontal(classes="tpl-main"):
                    yield DataTable(id="templates", cursor_type="row", zebra_stripes=True)
                    with Vertical(classes="panel tpl-preview-pane"):
                        yield Label("Text preview", classes="section-title")
                        with VerticalScroll():
                            yield Static("", id="tpl-preview", markup=False)
                yield Static("", id="tpl-status", classes="tpl-status")
            with TabPane("Forms", id="tab-forms"):
                yield from self.compose_forms_tab()
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#templates", DataTable).add_columns(
            "ID", "Name", "Type", "Created", "Updated"
        )
        self.query_one("#forms", DataTable).add_columns(
            "ID", "Name", "Placeholder", "Created", "Updated"
        )
        self.watch(sb_app(self), "active_account", self._account_changed, init=False)
        self._account_changed(sb_app(self).active_account)

    # --- account and capabilities ----------------------------------------------------
    def _capabilities(self) -> tuple[bool, bool]:
        app = sb_app(self)
        if app.active_account is None:
            return False, False
        from backends.registry import backend_class

        cls = backend_class(app.workspace.account(app.active_account).provider)
        return cls.supports(Capability.TEMPLATES), cls.supports(Capability.FORMS)

    def _account_changed(self, name: str | None) -> None:
        templates, forms = self._capabilities()
        notice = self.query_one("#tpl-unsupported", Static)
        tabs = self.query_one("#tpl-tabs", TabbedContent)
        if name is None:
            notice.update(no_account_text(self))
        else:
            from backends.registry import backend_class

            label = backend_class(sb_app(self).workspace.account(name).provider).label
            missing = [w for w, ok in (("templates", templates), ("forms", forms)) if not ok]
            notice.update(f"{label} does not offer {' or '.join(missing)}." if missing else "")
        notice.display = not (templates and forms)
        tabs.display = templates or forms
        self.set_offered(templates or forms)
        for pane, ok in (("tab-templates", templates), ("tab-forms", forms)):
            if ok:
                tabs.show_tab(pane)
            else:
                tabs.hide_tab(pane)
        if not templates and forms:
            tabs.active = "tab-forms"
        elif templates:
            tabs.active = "tab-templates"
        for table in self.query(DataTable):
            table.clear()
        self.templates.clear()
        self.forms.clear()
        self.query_one("#tpl-preview", Static).update("")
        self.query_one("#form-preview", Static).update("")
        self.refresh_bindings()
        if templates:
            self.load_templates(self._v2())
        if forms:
            self.load_forms()

    def _v2(self) -> bool:
        return self.query_one("#tpl-version", Select).value == 2

    def _on_templates_tab(self) -> bool:
        return self.query_one("#tpl-tabs", TabbedContent).active == "tab-templates"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys act only when the account offers what the open tab shows."""
        if action in ("new", "edit", "delete", "reload"):
            return any(self._capabilities())
        return True

    # --- templates -------------------------------------------------------------------
    @on(Select.Changed, "#tpl-version")
    def _version_changed(self) -> None:
        if self._capabilities()[0]:
            self.query_one("#tpl-preview", Static).update("")
            self.load_templates(self._v2())

    @work(group="templates-list", exit_on_error=False)
    async def load_templates(self, v2: bool) -> None:
        """Read the first page of templates of one editor version."""
        account = sb_app(self).active_account
        backend = await sb_app(self).backend(account)
        page = await backend.capability(TemplatesApi).templates_list(v2=v2, limit=PAGE_LIMIT)
        self.post_message(self.TemplatesLoaded(account, v2, page.items, page.total))

    @on(TemplatesLoaded)
    def _templates_loaded(self, event: TemplatesLoaded) -> None:
        if event.v2 != self._v2() or event.account != sb_app(self).active_account:
            return  # the operator switched editor or account meanwhile
        table = self.query_one("#templates", DataTable)
        keep = self._select_template or selected_id(table)
        self._select_template = None
        table.clear()
        self.templates = {t.id: t for t in event.templates}
        for t in event.templates:
            table.add_row(
                str(t.id), t.name, t.type or "", day(t.created_at), day(t.updated_at), key=str(t.id)
            )
        if keep in self.templates:
            table.move_cursor(row=table.get_row_index(str(keep)), animate=False)
        shown = len(event.templates)
        more = f" (first {shown} of {event.total})" if event.total > shown else ""
        editor = "current" if event.v2 else "legacy"
        self.query_one("#tpl-status", Static).update(
            f"{shown} template{'s' if shown != 1 else ''} of the {editor} editor{more}"
        )
        if not event.templates:
            self.query_one("#tpl-preview", Static).update("No templates yet: n creates one.")

    @on(DataTable.RowHighlighted, "#templates")
    def _template_highlighted(self, event: DataTable.RowHighlighted) -> None:
        template = self.templates.get(int(str(event.row_key.value)))
        if template is None:
            return
        if template.html is not None:
            self.query_one("#tpl-preview", Static).update(html_to_text(template.html))
        else:  # v2 listings carry no HTML: ask for the template itself
            self.query_one("#tpl-preview", Static).update("Loading…")
            self.show_template(template.id, template.version == 2)

    @work(group="templates-preview", exit_on_error=False)
    async def show_template(self, template_id: int, v2: bool) -> None:
        """Read one template with its HTML for the preview."""
        templates = (await sb_app(self).backend()).capability(TemplatesApi)
        self.post_message(self.TemplateShown(await templates.template(template_id, v2=v2)))

    @on(TemplateShown)
    def _template_shown(self, event: TemplateShown) -> None:
        if selected_id(self.query_one("#templates", DataTable)) == event.template.id:
            self.query_one("#tpl-preview", Static).update(html_to_text(event.template.html or ""))

    def _new_template(self) -> None:
        v2 = self._v2()

        def saved(draft: TemplateDraft | None) -> None:
            if draft is not None:
                self.save_template(None, draft, v2)

        editor = "current" if v2 else "legacy"
        self.app.push_screen(TemplateEditModal(f"New template ({editor} editor)"), saved)

    def _edit_template(self) -> None:
        template_id = selected_id(self.query_one("#templates", DataTable))
        if template_id is not None:
            self.fetch_for_edit(template_id, self._v2())

    @work(group="templates", exit_on_error=False)
    async def fetch_for_edit(self, template_id: int, v2: bool) -> None:
        """Read the template's current HTML before opening the editor."""
        templates = (await sb_app(self).backend()).capability(TemplatesApi)
        self.post_message(self.TemplateToEdit(await templates.template(template_id, v2=v2)))

    @on(TemplateToEdit)
    def _open_editor(self, event: TemplateToEdit) -> None:
        template = event.template

        def saved(draft: TemplateDraft | None) -> None:
            if draft is not None:
                self.save_template(template.id, draft, template.version == 2)

        modal = TemplateEditModal(
            f"Edit template {template.id}", template.name, template.html or ""
        )
        self.app.push_screen(modal, saved)

    @work(group="templates", exit_on_error=False)
    async def save_template(self, template_id: int | None, draft: TemplateDraft, v2: bool) -> None:
        """Create the template, or replace its name and HTML."""
        templates = (await sb_app(self).backend()).capability(TemplatesApi)
        if template_id is None:
            saved = await templates.template_create(draft.name, draft.html, v2=v2)
        else:
            saved = await templates.template_update(template_id, draft.name, draft.html, v2=v2)
        self.post_message(self.TemplateChanged(saved))

    def _delete_template(self) -> None:
        template = self.templates.get(selected_id(self.query_one("#templates", DataTable)) or -1)
        if template is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete_template(template.id, template.version == 2)

        question = f"Delete template {template.id} “{template.name}”? This cannot be undone."
        self.app.push_screen(ConfirmModal(question, yes_label="Delete"), confirmed)

    @work(group="templates", exit_on_error=False)
    async def delete_template(self, template_id: int, v2: bool) -> None:
        """Delete a template."""
        backend = await sb_app(self).backend()
        await backend.capability(TemplatesApi).template_delete(template_id, v2=v2)
        self.post_message(self.TemplateChanged(None))

    @on(TemplateChanged)
    def _template_changed(self, event: TemplateChanged) -> None:
        if event.template is not None:
            self._select_template = event.template.id
            self.notify(f"Template “{event.template.name}” saved.")
        else:
            self.notify("Template deleted.")
        self.load_templates(self._v2())

    # --- actions on the open tab -----------------------------------------------------
    @on(Button.Pressed, "#tpl-new, #form-new")
    def action_new(self) -> None:
        """Create a template or a form (whichever tab is open)."""
        if self._on_templates_tab():
            self._new_template()
        else:
            self._open_form_editor(None)

    @on(Button.Pressed, "#tpl-edit, #form-edit")
    def action_edit(self) -> None:
        """Edit the selected template or form."""
        if self._on_templates_tab():
            self._edit_template()
        else:
            form = self.forms.get(selected_id(self.query_one("#forms", DataTable)) or -1)
            if form is not None:
                self._open_form_editor(form)

    @on(Button.Pressed, "#tpl-delete, #form-delete")
    def action_delete(self) -> None:
        """Delete the selected template or form, after confirmation."""
        if self._on_templates_tab():
            self._delete_template()
        else:
            self._delete_form()

    def action_reload(self) -> None:
        """Reload both lists."""
        templates, forms = self._capabilities()
        if templates:
            self.load_templates(self._v2())
        if forms:
            self.load_forms()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """New, edit, delete on the open tab, and refresh."""
        what = "template" if self._on_templates_tab() else "form"
        yield SystemCommand(f"New {what}", f"Create a {what}", self.action_new)
        yield SystemCommand(f"Edit {what}", f"Edit the selected {what}", self.action_edit)
        yield SystemCommand(f"Delete {what}", f"Delete the selected {what}", self.action_delete)
        yield SystemCommand("Refresh templates and forms", "Reload the lists", self.action_reload)
