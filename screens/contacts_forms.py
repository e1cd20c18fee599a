"""Dialogs of the contacts screen: a contact's fields, a name, a file path."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea
from textual.worker import Worker, WorkerState

from backends.models import Contact, ContactInput, CustomField
from screens.common import sb_app

FIELD_TYPES = ("string", "date", "decimal")
# (input id, label) of a contact's plain fields, in form order.
CONTACT_FIELDS = (
    ("name", "Name"),
    ("surname", "Surname"),
    ("email", "Email"),
    ("phone", "Mobile (e.g. 34666555444)"),
    ("landline", "Landline"),
    ("country", "Country (ISO, with a phone)"),
    ("external_id", "External id"),
)


def show_worker_error(node: DOMNode, event: Worker.StateChanged) -> None:
    """Show a failed worker's error in the error modal."""
    if event.state == WorkerState.ERROR and event.worker.error is not None:
        sb_app(node).show_error(event.worker.error)


class WorkerPane(Vertical):
    """A tab's body whose workers' failures show in the error modal.

    Worker.StateChanged does not bubble, so the screen's handler never sees the
    failures of workers that run on a widget.
    """

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        show_worker_error(self, event)


def parse_custom_fields(text: str) -> tuple[CustomField, ...]:
    """`key=value[:type]` lines as custom fields, or ValueError naming the bad line."""
    fields = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, sep, rest = line.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"custom field line {number}: write key=value or key=value:type")
        value, kind = rest.strip(), "string"
        # Only a known type after the last colon is a type: ISO times keep their colons.
        head, colon, tail = value.rpartition(":")
        if colon and tail.strip() in FIELD_TYPES:
            value, kind = head.strip(), tail.strip()
        fields.append(CustomField(key.strip(), value, kind))
    return tuple(fields)


def format_custom_fields(fields: tuple[CustomField, ...]) -> str:
    """Custom fields as the `key=value[:type]` lines the form edits."""
    return "\n".join(
        f"{f.key}={f.value}" + (f":{f.type}" if f.type != "string" else "") for f in fields
    )


def parse_groups(text: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Comma-separated groups as (ids, names): entries that are whole numbers are ids."""
    ids: list[int] = []
    names: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if part.isdigit():
            ids.append(int(part))
        elif part:
            names.append(part)
    return tuple(ids), tuple(names)


def format_groups(contact: Contact) -> str:
    """A contact's groups as the form shows them: names when known, else ids."""
    return ", ".join(g.name or str(g.id) for g in contact.groups)


@dataclass(frozen=True)
class ContactEdit:
    """What the contact dialog returns: the fields to send (and the id when editing)."""

    contact_id: int | None
    data: ContactInput


class ContactModal(ModalScreen[ContactEdit | None]):
    """Create or edit a contact: plain fields, custom fields and groups.

    When editing, only custom fields that are new or changed are sent: providers upsert
    custom fields by key, and some accept none at all, so unchanged ones stay untouched.
    `groups_editable=False` (providers that cannot move a contact) shows the groups but
    leaves them out of the update.
    """

    DEFAULT_CSS = """
    ContactModal .dialog-body { width: 90; }
    ContactModal #cf-custom { height: 5; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, contact: Contact | None = None, *, groups_editable: bool = True) -> None:
        super().__init__(classes="dialog")
        self.contact = contact
        self.groups_editable = groups_editable or contact is None

    def compose(self) -> ComposeResult:
        c = self.contact
        with VerticalScroll(classes="dialog-body form", id="contact-form"):
            title = f"Edit contact {c.id}" if c else "New contact"
            yield Label(title, classes="dialog-title")
            # Two fields a row, so the whole dialog fits a 45-line terminal.
            pairs = [CONTACT_FIELDS[i : i + 2] for i in range(0, len(CONTACT_FIELDS), 2)]
            for pair in pairs:
                with Horizontal(classes="field-row"):
                    for field_id, label in pair:
                        with Vertical():
                            yield Label(label)
                            value = getattr(c, field_id, None) if c else None
                            yield Input(value or "", id=f"cf-{field_id}")
                    if len(pair) == 1:
                        with Vertical():
                            yield Label("Groups (names or ids, a, b)")
                            groups = Input(format_groups(c) if c else "", id="cf-groups")
                            groups.disabled = not self.groups_editable
                            yield groups
            yield Label("Custom fields, one per line: key=value or key=value:date|decimal")
            yield TextArea(
                format_custom_fields(c.custom_fields) if c else "",
                id="cf-custom",
                soft_wrap=False,
            )
            yield Static("", id="cf-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="cf-save")
                yield Button("Cancel", id="cf-cancel")

    def on_mount(self) -> None:
        self.query_one("#cf-name", Input).focus()

    def _value(self, field_id: str) -> str | None:
        return self.query_one(f"#cf-{field_id}", Input).value.strip() or None

    def build(self) -> ContactInput:
        """The form's contents as a ContactInput, or ValueError for the inline message."""
        values = {field_id: self._value(field_id) for field_id, _ in CONTACT_FIELDS}
        if not (values["email"] or values["phone"] or values["landline"]):
            raise ValueError("Give an email, a mobile phone or a landline.")
        if values["country"]:
            values["country"] = values["country"].upper()
        custom = parse_custom_fields(self.query_one("#cf-custom", TextArea).text)
        if self.contact is not None:
            before = set(self.contact.custom_fields)
            custom = tuple(f for f in custom if f not in before)
        ids: tuple[int, ...] = ()
        names: tuple[str, ...] = ()
        if self.groups_editable:
            ids, names = parse_groups(self.query_one("#cf-groups", Input).value)
            if not (ids or names):
                raise ValueError("Give at least one group (a name or an id).")
        return ContactInput(group_ids=ids, group_names=names, custom_fields=custom, **values)

    @on(Button.Pressed, "#cf-save")
    @on(Input.Submitted, "#contact-form Input")
    def action_save(self) -> None:
        """Check the form and return it."""
        try:
            data = self.build()
        except ValueError as exc:
            self.query_one("#cf-error", Static).update(str(exc))
            return
        self.dismiss(ContactEdit(self.contact.id if self.contact else None, data))

    @on(Button.Pressed, "#cf-cancel")
    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)


class TextPromptModal(ModalScreen[str | None]):
    """Ask for one line of text (a group name, a file path, an id)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, label: str, value: str = "", *, integer: bool = False) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.label = label
        self.value = value
        self.integer = integer

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-body form"):
            yield Label(self.title_text, classes="dialog-title")
            yield Label(self.label)
            yield Input(self.value, id="prompt-value", type="integer" if self.integer else "text")
            yield Static("", id="prompt-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", variant="primary", id="prompt-ok")
                yield Button("Cancel", id="prompt-cancel")

    def on_mount(self) -> None:
        self.query_one("#prompt-value", Input).focus()

    @on(Button.Pressed, "#prompt-ok")
    @on(Input.Submitted, "#prompt-value")
    def action_ok(self) -> None:
        """Return the text, unless it is empty."""
        value = self.query_one("#prompt-value", Input).value.strip()
        if not value:
            self.query_one("#prompt-error", Static).update("Type a value, or press Escape.")
            return
        self.dismiss(value)

    @on(Button.Pressed, "#prompt-cancel")
    def action_cancel(self) -> None:
        """Close without a value."""
        self.dismiss(None)
