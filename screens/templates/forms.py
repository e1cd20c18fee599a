"""The Templates screen's Forms tab: list, preview, create, edit and delete web forms."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Label, Static

from backends.capabilities import FormsApi
from backends.models.lists import Form, FormInput
from screens.templates.common import PAGE_LIMIT, day, selected_id
from screens.templates.edit import FormEditModal
from screens.templates.text import html_to_text
from screens.widgets.common import BaseScreen, ConfirmModal, sb_app


class FormsTab(BaseScreen):
    """The Forms tab's workers and handlers; `TemplatesScreen` lays the tab out and routes
    its keys and buttons here when the tab is open."""

    @dataclass
    class FormsLoaded(Message):
        """A page of forms."""

        account: str | None
        forms: tuple[Form, ...]
        total: int

    @dataclass
    class FormPreview(Message):
        """A form rendered by the provider (HTML)."""

        form_id: int
        html: str

    @dataclass
    class FormChanged(Message):
        """A form was saved (or deleted when `form` is None)."""

        form: Form | None

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[int, Form] = {}
        # Selected after the next reload (the form just saved).
        self._select_form: int | None = None

    # --- forms -----------------------------------------------------------------------
    def compose_forms_tab(self) -> ComposeResult:
        """The Forms tab's body: buttons, the forms table and the preview."""
        with Horizontal(classes="button-row"):
            yield Button("New", variant="primary", id="form-new")
            yield Button("Edit", id="form-edit")
            yield Button("Delete", variant="error", id="form-delete")
        with Horizontal(classes="tpl-main"):
            yield DataTable(id="forms", cursor_type="row", zebra_stripes=True)
            with Vertical(classes="panel tpl-preview-pane"):
                yield Label("Form preview (text)", classes="section-title")
                with VerticalScroll():
                    yield Static("", id="form-preview", markup=False)
        yield Static("", id="form-status", classes="tpl-status")

    @work(group="forms-list", exit_on_error=False)
    async def load_forms(self) -> None:
        """Read the first page of forms."""
        account = sb_app(self).active_account
        backend = await sb_app(self).backend(account)
        page = await backend.capability(FormsApi).forms_list(limit=PAGE_LIMIT)
        self.post_message(self.FormsLoaded(account, page.items, page.total))

    @on(FormsLoaded)
    def _forms_loaded(self, event: FormsLoaded) -> None:
        if event.account != sb_app(self).active_account:
            return  # a list of the account that was active before
        table = self.query_one("#forms", DataTable)
        keep = self._select_form or selected_id(table)
        self._select_form = None
        table.clear()
        self.forms = {f.id: f for f in event.forms}
        for f in event.forms:
            table.add_row(
                str(f.id),
                f.name,
                f.placeholder,
                day(f.created_at),
                day(f.updated_at),
                key=str(f.id),
            )
        if keep in self.forms:
            table.move_cursor(row=table.get_row_index(str(keep)), animate=False)
        shown = len(event.forms)
        more = f" (first {shown} of {event.total})" if event.total > shown else ""
        self.query_one("#form-status", Static).update(
            f"{shown} form{'s' if shown != 1 else ''}{more} · put the placeholder in a message "
            "to link the form"
        )
        if not event.forms:
            self.query_one("#form-preview", Static).update("No forms yet: n creates one.")

    @on(DataTable.RowHighlighted, "#forms")
    def _form_highlighted(self, event: DataTable.RowHighlighted) -> None:
        form_id = int(str(event.row_key.value))
        self.query_one("#form-preview", Static).update("Loading…")
        self.preview_form(form_id)

    @work(group="forms-preview", exit_on_error=False)
    async def preview_form(self, form_id: int) -> None:
        """Read the provider's rendering of a form."""
        forms = (await sb_app(self).backend()).capability(FormsApi)
        self.post_message(self.FormPreview(form_id, await forms.form_preview(form_id)))

    @on(FormPreview)
    def _form_previewed(self, event: FormPreview) -> None:
        if selected_id(self.query_one("#forms", DataTable)) == event.form_id:
            self.query_one("#form-preview", Static).update(html_to_text(event.html))

    def _open_form_editor(self, form: Form | None) -> None:
        def saved(data: FormInput | None) -> None:
            if data is not None:
                self.save_form(form.id if form else None, data)

        if form is None:
            modal = FormEditModal("New form")
        else:
            modal = FormEditModal(f"Edit form {form.id}", form.name, editing=True)
        self.app.push_screen(modal, saved)

    @work(group="forms", exit_on_error=False)
    async def save_form(self, form_id: int | None, data: FormInput) -> None:
        """Create a form, or replace its settings and elements."""
        backend = await sb_app(self).backend()
        if form_id is None:
            saved = await backend.capability(FormsApi).form_create(data)
        else:
            saved = await backend.capability(FormsApi).form_update(form_id, data)
        self.post_message(self.FormChanged(saved))

    def _delete_form(self) -> None:
        form = self.forms.get(selected_id(self.query_one("#forms", DataTable)) or -1)
        if form is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete_form(form.id)

        question = (
            f"Delete form {form.id} “{form.name}”? Messages that use {form.placeholder} "
            "will link to a missing form."
        )
        self.app.push_screen(ConfirmModal(question, yes_label="Delete"), confirmed)

    @work(group="forms", exit_on_error=False)
    async def delete_form(self, form_id: int) -> None:
        """Delete a form."""
        backend = await sb_app(self).backend()
        await backend.capability(FormsApi).form_delete(form_id)
        self.post_message(self.FormChanged(None))

    @on(FormChanged)
    def _form_changed(self, event: FormChanged) -> None:
        if event.form is not None:
            self._select_form = event.form.id
            self.notify(f"Form “{event.form.name}” saved.")
        else:
            self.notify("Form deleted.")
        self.load_forms()
