"""Dialogs of the contacts screen: a contact's fields, a name, a file path."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from backends.capabilities import ContactsApi, ContactsListingApi
from backends.errors import SwitchboardError
from backends.models.common import Contact, ContactInput, CustomField
from screens.widgets.common import WorkerErrors, describe_error, log_shown, sb_app
from tui.usecases.contacts import (
    ContactRules,
    check_contact,
    format_custom_fields,
    parse_custom_fields,
    parse_groups,
    same_contact,
)

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


class WorkerPane(WorkerErrors, Vertical):
    """A tab's body whose workers' failures show in the error modal."""


def format_groups(contact: Contact) -> str:
    """A contact's groups as the form shows them: names when known, else ids."""
    return ", ".join(g.name or str(g.id) for g in contact.groups)


def groups_label(rules: ContactRules) -> str:
    """The label of the groups input."""
    if rules.one_group:
        return "Group id" if not rules.group_names else "Group (a name or an id)"
    return "Groups (names or ids, a, b)" if rules.group_names else "Group ids (a, b)"


@dataclass(frozen=True)
class SavedContact:
    """What the contact dialog returns once the provider has saved the contact."""

    contact: Contact
    created: bool


class ContactModal(WorkerErrors, ModalScreen[SavedContact | None]):
    """Create or edit a contact: plain fields, custom fields and groups, as `rules` allow.

    The dialog saves the contact itself and closes only once the provider has accepted
    it: a refusal shows in its error line, with the provider's code, and the typed data
    stays. When editing, a field the user emptied is sent as "" (clear it); only custom
    fields that are new or changed are sent (providers upsert them by key), and a deleted
    line is sent with an empty value, which removes that field.
    """

    DEFAULT_CSS = """
    ContactModal .dialog-body { width: 90; }
    ContactModal #cf-custom { height: 5; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    @dataclass
    class Saved(Message):
        """The provider accepted the contact."""

        result: SavedContact

    @dataclass
    class Duplicate(Message):
        """The provider has this very contact already."""

        contact_id: int

    @dataclass
    class Failed(Message):
        """The provider refused the save (or could not be reached)."""

        error: SwitchboardError

    def __init__(
        self, contact: Contact | None = None, *, rules: ContactRules | None = None
    ) -> None:
        super().__init__(classes="dialog")
        self.contact = contact
        self.rules = rules or ContactRules()
        self.groups_editable = contact is None or self.rules.groups_movable

    def compose(self) -> ComposeResult:
        c = self.contact
        items = [(f, label) for f, label in CONTACT_FIELDS if f in self.rules.fields]
        items.append(("groups", groups_label(self.rules)))
        with VerticalScroll(classes="dialog-body form", id="contact-form"):
            title = f"Edit contact {c.id}" if c else "New contact"
            yield Label(title, classes="dialog-title")
            # Two fields a row, so the whole dialog fits a 45-line terminal.
            for i in range(0, len(items), 2):
                with Horizontal(classes="field-row"):
                    for field_id, label in items[i : i + 2]:
                        with Vertical():
                            yield Label(label)
                            if field_id == "groups":
                                groups = Input(format_groups(c) if c else "", id="cf-groups")
                                groups.disabled = not self.groups_editable
                                yield groups
                            else:
                                value = getattr(c, field_id, None) if c else None
                                yield Input(value or "", id=f"cf-{field_id}")
            if self.rules.custom_fields:
                yield Label("Custom fields, one per line: key=value or key=value:date|decimal")
                yield TextArea(
                    format_custom_fields(c.custom_fields) if c else "",
                    id="cf-custom",
                    soft_wrap=False,
                )
                if c is not None:
                    yield Static("Delete a line to remove that field.", classes="hint")
            yield Static("", id="cf-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="cf-save")
                yield Button("Cancel", id="cf-cancel")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def _value(self, field_id: str) -> str | None:
        """A field as typed; "" when the user emptied a field that had a value."""
        if field_id not in self.rules.fields:
            return None
        typed = self.query_one(f"#cf-{field_id}", Input).value.strip()
        before = getattr(self.contact, field_id, None) if self.contact else None
        return typed or ("" if before else None)

    def build(self) -> ContactInput:
        """The form's contents as a ContactInput, or ValueError for the inline message."""
        values = {field_id: self._value(field_id) for field_id, _ in CONTACT_FIELDS}
        custom: tuple[CustomField, ...] = ()
        if self.rules.custom_fields:
            custom = parse_custom_fields(self.query_one("#cf-custom", TextArea).text)
            if self.contact is not None:
                before = self.contact.custom_fields
                kept = {f.key for f in custom}
                removed = tuple(CustomField(f.key, "", f.type) for f in before if f.key not in kept)
                custom = tuple(f for f in custom if f not in before) + removed
        ids: tuple[int, ...] = ()
        names: tuple[str, ...] = ()
        if self.groups_editable:
            ids, names = parse_groups(self.query_one("#cf-groups", Input).value)
        data = ContactInput(group_ids=ids, group_names=names, custom_fields=custom, **values)
        # The form shows the whole contact, but only a provider whose update replaces it
        # needs a whole one back (tui.usecases.contacts, as the CLI).
        return check_contact(data, self.rules, update=self.contact is not None)

    @on(Button.Pressed, "#cf-save")
    @on(Input.Submitted, "#contact-form Input")
    def action_save(self) -> None:
        """Check the form and save it; the dialog closes once the provider accepts it."""
        if self.query_one("#cf-save", Button).disabled:
            return  # a save is on its way
        error = self.query_one("#cf-error", Static)
        try:
            data = self.build()
        except ValueError as exc:
            error.update(str(exc))
            return
        error.update("Saving…")
        self.query_one("#cf-save", Button).disabled = True
        self.save(self.contact.id if self.contact else None, data)

    @work(group="contact-save", exit_on_error=False)
    async def save(self, contact_id: int | None, data: ContactInput) -> None:
        """Create or update the contact; a refusal is posted, not raised."""
        backend = await sb_app(self).backend()
        try:
            if contact_id is None and isinstance(backend, ContactsListingApi):
                # The same contact twice is refused (an import merges such rows).
                same = await same_contact(backend, data)
                if same is not None:
                    self.post_message(self.Duplicate(same.id))
                    return
            if contact_id is None:
                saved = await backend.capability(ContactsApi).create_contact(data)
            else:
                saved = await backend.capability(ContactsApi).update_contact(contact_id, data)
        except SwitchboardError as exc:
            self.post_message(self.Failed(exc))
            return
        self.post_message(self.Saved(SavedContact(saved, created=contact_id is None)))

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.dismiss(event.result)

    @on(Duplicate)
    def _duplicate(self, event: Duplicate) -> None:
        self.query_one("#cf-error", Static).update(
            f"Contact {event.contact_id} is this same contact already: nothing was created."
        )
        self.query_one("#cf-save", Button).disabled = False

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        title, message = describe_error(event.error)
        log_shown(title, message)
        self.query_one("#cf-error", Static).update(f"{title}: {message}")
        self.query_one("#cf-save", Button).disabled = False

    def worker_failed(self, error: BaseException) -> None:
        """Anything but a provider's refusal: the error modal, over this dialog (kept)."""
        self.query_one("#cf-error", Static).update("")
        self.query_one("#cf-save", Button).disabled = False
        super().worker_failed(error)

    @on(Button.Pressed, "#cf-cancel")
    def action_cancel(self) -> None:
        """Close without saving; a save on its way is cancelled (it may have arrived)."""
        self.workers.cancel_group(self, "contact-save")
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
