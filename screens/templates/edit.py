"""Dialogs that create or edit an HTML template or a web form."""

from __future__ import annotations

import json
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from backends.models.lists import FormInput
from screens.templates.text import html_to_text

# A starting point for a new form: the reference's own example, minus the image URLs.
STARTER_FIELDS = """[
  {"type": "h3", "label": "Your opinion is very important to us"},
  {"type": "text", "label": "Name", "required": true, "customField": "form_name"},
  {"type": "email", "label": "Email", "required": true, "customField": "form_email"}
]"""


@dataclass(frozen=True)
class TemplateDraft:
    """What the template dialog answers: a name and the HTML."""

    name: str
    html: str


class TemplateEditModal(ModalScreen[TemplateDraft | None]):
    """Name and HTML of a template, with a live text preview; Ctrl+S saves."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, heading: str, name: str = "", html: str = "") -> None:
        super().__init__(classes="dialog edit-dialog")
        self.heading = heading
        self.initial = TemplateDraft(name, html)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body"):
            yield Label(self.heading, classes="dialog-title")
            yield Label("Name")
            yield Input(self.initial.name, id="tpl-name")
            with Horizontal(id="edit-columns"):
                with Vertical():
                    yield Label("HTML")
                    yield TextArea(self.initial.html, id="tpl-html", show_line_numbers=True)
                with Vertical():
                    yield Label("Text preview")
                    with VerticalScroll(id="edit-preview-scroll"):
                        yield Static("", id="edit-preview", markup=False)
            yield Static("", id="edit-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._preview()
        self.query_one("#tpl-name", Input).focus()

    @on(TextArea.Changed, "#tpl-html")
    def _preview(self) -> None:
        html = self.query_one("#tpl-html", TextArea).text
        self.query_one("#edit-preview", Static).update(html_to_text(html))

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Check the fields and answer the draft."""
        name = self.query_one("#tpl-name", Input).value.strip()
        html = self.query_one("#tpl-html", TextArea).text
        error = self.query_one("#edit-error", Static)
        if not name:
            error.update("Enter a name.")
        elif not html.strip():
            error.update("The HTML is empty.")
        else:
            self.dismiss(TemplateDraft(name, html))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)


def form_input(
    name: str,
    fields_json: str,
    *,
    editable: bool,
    reject_button: bool,
    background_url: str = "",
    logo_url: str = "",
) -> FormInput:
    """A form from the dialog's fields, or ValueError saying what to fix."""
    if not name.strip():
        raise ValueError("Enter a name.")
    try:
        fields = json.loads(fields_json)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"The elements are not valid JSON: {exc.msg} (line {exc.lineno})."
        ) from None
    if not isinstance(fields, list) or not fields:
        raise ValueError("The elements must be a JSON list with at least one element.")
    data = {
        "name": name.strip(),
        "formFields": fields,
        "editable": editable,
        "rejectButton": reject_button,
        "backgroundUrl": background_url.strip() or None,
        "logoUrl": logo_url.strip() or None,
    }
    return FormInput.from_json(data)


class FormEditModal(ModalScreen[FormInput | None]):
    """A form's settings and its elements (JSON, as the provider's annex lists them)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, heading: str, name: str = "", *, editing: bool = False) -> None:
        super().__init__(classes="dialog edit-dialog")
        self.heading = heading
        self.initial_name = name
        self.editing = editing

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body"):
            yield Label(self.heading, classes="dialog-title")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Label("Name (unique)")
                    yield Input(self.initial_name, id="form-name")
                with Vertical():
                    yield Label("Background image URL (optional)")
                    yield Input(id="form-background")
                with Vertical():
                    yield Label("Logo URL (optional)")
                    yield Input(id="form-logo")
            with Horizontal(classes="field-row"):
                yield Checkbox("Answers can be edited", True, id="form-editable")
                yield Checkbox("Show a reject button", id="form-reject")
            if self.editing:
                # The provider's show/list answers carry only id and name, so an edit restates all.
                yield Static(
                    "The provider does not return a form's elements or settings: what "
                    "you enter here replaces them all.",
                    classes="notice",
                )
            with Horizontal(id="edit-columns"), Vertical():
                yield Label("Elements (JSON list: type, label, customField, ...)")
                yield TextArea(
                    "" if self.editing else STARTER_FIELDS,
                    id="form-fields",
                    show_line_numbers=True,
                )
            yield Static("", id="edit-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#form-name", Input).focus()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Check the form element by element and answer it."""
        try:
            form = form_input(
                self.query_one("#form-name", Input).value,
                self.query_one("#form-fields", TextArea).text,
                editable=self.query_one("#form-editable", Checkbox).value,
                reject_button=self.query_one("#form-reject", Checkbox).value,
                background_url=self.query_one("#form-background", Input).value,
                logo_url=self.query_one("#form-logo", Input).value,
            )
        except ValueError as exc:
            self.query_one("#edit-error", Static).update(str(exc))
            return
        self.dismiss(form)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
