"""The Contacts tab: one server-side page at a time, filters, create/edit/delete, import.

Providers that cannot list contacts get the same tab in "by id" mode: open a contact by
its id, create, edit and delete; the table then holds the contacts handled this session.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Static, Tabs

from backends.capabilities import ContactsApi, ContactsListingApi
from backends.models.common import Contact, ContactFilter, Page
from screens.contacts.forms import ContactModal, SavedContact
from screens.contacts.io import ImportModal
from screens.contacts.search import COLUMNS, FILTERS, SEARCH_INPUT, ContactsSearch, contact_cells
from screens.widgets.common import ConfirmModal, sb_app
from screens.widgets.keys import std_key
from tui.usecases.contacts import ContactRules

PAGE_SIZE = 50


class ContactsTable(DataTable[str]):
    """The contacts table; plain-letter keys are safe here (no text input)."""

    BINDINGS = [
        std_key("next_page"),
        std_key("prev_page"),
        std_key("edit"),
        std_key("delete"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Paging keys only where there are pages (hidden in by-id mode)."""
        if action in ("next_page", "prev_page"):
            # A search's matches are all in the table: no pages to move between.
            return self._pane().listing and not self._pane().searching
        return True

    def action_next_page(self) -> None:
        """Show the next page."""
        self._pane().action_next_page()

    def action_prev_page(self) -> None:
        """Show the previous page."""
        self._pane().action_prev_page()

    def action_edit(self) -> None:
        """Edit the contact under the cursor."""
        self._pane().action_edit()

    def action_delete(self) -> None:
        """Delete the contact under the cursor."""
        self._pane().action_delete()

    def _pane(self) -> ContactsPane:
        return self.query_ancestor(ContactsPane)


class ContactsPane(ContactsSearch):
    """Contacts of the active account: paged and filtered, or opened by id; the search is
    in `ContactsSearch`, the CSV export in `ContactsExport`."""

    BINDINGS = [
        std_key("new", description="New contact"),
        std_key("reload"),
        std_key("filter", description="Search"),
        std_key("back", "stop_search", "Stop search"),
    ]

    @dataclass
    class Loaded(Message):
        """A page of contacts arrived."""

        page: Page[Contact]
        token: int

    @dataclass
    class Opened(Message):
        """A contact was read in full (to edit it, or to show it in by-id mode)."""

        contact: Contact
        edit: bool

    @dataclass
    class Deleted(Message):
        """A contact was deleted."""

        contact_id: int

    class Changed(Message):
        """Contacts were created, edited or deleted (one, or by an import): the screen's
        group member counts no longer hold."""

    def __init__(
        self,
        *,
        label: str,
        listing: bool,
        rules: ContactRules | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.label = label
        self.listing = listing
        self.rules = rules or ContactRules()
        self.page = 1
        self.total_pages = 1
        self.filters = ContactFilter()
        self._token = 0
        # By-id mode: the contacts handled this session, by id.
        self.known: dict[int, Contact] = {}
        # The contacts in the table (the page's, or `known`), for the detail line.
        self.shown: dict[int, Contact] = {}

    def compose(self) -> ComposeResult:
        if self.listing:
            with Horizontal(id="contact-filters", classes="field-row"):
                with Vertical(id="f-text-box"):
                    yield Label("Name, email, number")
                    yield Input(id=SEARCH_INPUT, placeholder="e.g. laura")
                for input_id, label, _ in FILTERS:
                    with Vertical():
                        yield Label(label)
                        yield Input(id=input_id, placeholder="any")
                yield Button("Search", variant="primary", id="c-search")
                yield Button("Clear", id="c-clear")
        else:
            yield Static(
                f"{self.label} cannot list contacts: open one by its id, or create one.",
                classes="hint",
            )
            with Horizontal(classes="field-row", id="open-row"):
                yield Input(placeholder="contact id", id="c-open-id", type="integer")
                yield Button("Open", variant="primary", id="c-open")
        with Horizontal(classes="button-row"):
            yield Button("New", id="c-new")
            yield Button("Edit", id="c-edit")
            yield Button("Delete", variant="error", id="c-delete")
            yield Button("Import CSV", id="c-import")
            if self.listing:
                yield Button("Export CSV", id="c-export")
                yield Button("◀ Prev", id="c-prev")
                yield Button("Next ▶", id="c-next")
        table = ContactsTable(id="contacts-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="contact-detail", markup=False)
        yield Static("", id="contacts-status")
        yield ProgressBar(id="export-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one("#export-progress").display = False
        if self.listing:
            self.load(1)
        else:
            self.query_one("#c-open-id", Input).focus()  # what this mode starts with

    # --- listing -------------------------------------------------------------------
    def load(self, page: int) -> None:
        """Ask for one page with the current filters; older answers are then ignored."""
        self._token += 1
        self.query_one("#contacts-status", Static).update("Loading…")
        self.fetch_page(page, self.filters, self._token)

    @work(group="contacts", exit_on_error=False)
    async def fetch_page(self, page: int, filters: ContactFilter, token: int) -> None:
        """Read one page of contacts (with their groups)."""
        backend = await sb_app(self).backend()
        result = await backend.capability(ContactsListingApi).contacts_page(
            page, limit=PAGE_SIZE, filters=filters, include_details=True
        )
        self.post_message(self.Loaded(result, token))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.token != self._token:
            return  # a later page or filter was asked for meanwhile
        page = event.page
        self.page = page.page
        self.total_pages = max(1, page.total_pages)
        table = self.query_one(ContactsTable)
        self.show_contacts(page.items)
        self.query_one("#c-prev", Button).disabled = self.page <= 1
        self.query_one("#c-next", Button).disabled = self.page >= self.total_pages
        # Ready for n / p / e / d, unless the operator is already somewhere else.
        if self.app.focused is None or isinstance(self.app.focused, Tabs):
            table.focus()
        noun = "contact" if page.total == 1 else "contacts"
        self.query_one("#contacts-status", Static).update(
            f"Page {self.page} of {self.total_pages} · {page.total} {noun}"
        )

    @on(Button.Pressed, "#c-next")
    def action_next_page(self) -> None:
        """Show the next page."""
        if self.listing and not self.searching and self.page < self.total_pages:
            self.load(self.page + 1)

    @on(Button.Pressed, "#c-prev")
    def action_prev_page(self) -> None:
        """Show the previous page."""
        if self.listing and not self.searching and self.page > 1:
            self.load(self.page - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Reload and search only where there is a listing (its filters) to read again;
        Esc stops a search only while one runs."""
        if action == "stop_search":
            return self.search_running()
        return self.listing if action in ("reload", "filter") else True

    def action_reload(self) -> None:
        """Read the current page (or search) again."""
        if self.listing:
            self.refresh_listing(self.page)

    # --- one contact ---------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#contacts-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        self._show_detail(self.shown.get(int(key)) if key is not None else None)

    def _show_detail(self, contact: Contact | None) -> None:
        """The custom fields of the contact under the cursor (the table has no room)."""
        detail = self.query_one("#contact-detail", Static)
        if contact is None:
            detail.update("")
            return
        fields = " · ".join(f"{f.key}={f.value}" for f in contact.custom_fields)
        if fields:
            detail.update(f"Contact {contact.id} custom fields: {fields}")
        else:
            detail.update(f"Contact {contact.id} has no custom fields.")

    def _selected_id(self) -> int | None:
        table = self.query_one(ContactsTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(str(row_key.value))

    @on(Button.Pressed, "#c-open")
    @on(Input.Submitted, "#c-open-id")
    def _open_by_id(self) -> None:
        raw = self.query_one("#c-open-id", Input).value.strip()
        if not raw.isdigit():
            self.query_one("#contacts-status", Static).update("Type a contact id to open.")
            return
        self.open_contact(int(raw), edit=False)

    @work(group="contacts", exit_on_error=False)
    async def open_contact(self, contact_id: int, edit: bool) -> None:
        """Read one contact in full."""
        backend = await sb_app(self).backend()
        self.post_message(
            self.Opened(await backend.capability(ContactsApi).contact(contact_id), edit)
        )

    @on(Opened)
    def _opened(self, event: Opened) -> None:
        if not self.listing:
            self._remember(event.contact)
        if event.edit:
            self.app.push_screen(ContactModal(event.contact, rules=self.rules), self._saved)

    def _remember(self, contact: Contact) -> None:
        self.known[contact.id] = contact
        self.shown = self.known
        table = self.query_one(ContactsTable)
        if str(contact.id) in table.rows:
            table.remove_row(str(contact.id))
        table.add_row(*contact_cells(contact), key=str(contact.id))
        table.move_cursor(row=table.get_row_index(str(contact.id)))
        table.focus()  # ready for e / d on the contact just handled
        self.query_one("#contacts-status", Static).update(f"{len(self.known)} contact(s) open")

    @on(Button.Pressed, "#c-new")
    def action_new(self) -> None:
        """Open the new-contact dialog."""
        self.app.push_screen(ContactModal(rules=self.rules), self._saved)

    @on(Button.Pressed, "#c-edit")
    @on(DataTable.RowSelected, "#contacts-table")
    def action_edit(self) -> None:
        """Edit the selected contact, read again first: the dialog edits what the provider
        has now (an update replaces the whole contact on 360nrs), not the page as loaded."""
        contact_id = self._selected_id()
        if contact_id is not None:
            self.open_contact(contact_id, edit=True)

    def _saved(self, event: SavedContact | None) -> None:
        """The contact dialog closed: after a save, show the contact as the provider has it."""
        if event is None:
            return
        verb = "Created" if event.created else "Saved"
        self.app.notify(f"{verb} contact {event.contact.id}.")
        self.post_message(self.Changed())
        if self.listing:
            self.refresh_listing(self.page)
        else:
            self._remember(event.contact)

    @on(Button.Pressed, "#c-delete")
    def action_delete(self) -> None:
        """Delete the selected contact, once confirmed."""
        contact_id = self._selected_id()
        if contact_id is None:
            return
        row = self.query_one(ContactsTable).get_row(str(contact_id))
        who = " ".join(p for p in (row[1], row[2]) if p) or row[4] or row[3]
        question = f"Delete contact {contact_id} ({who})? This cannot be undone."

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(contact_id)

        self.app.push_screen(ConfirmModal(question, yes_label="Delete"), answered)

    @work(group="contacts", exit_on_error=False)
    async def delete(self, contact_id: int) -> None:
        """Delete a contact."""
        backend = await sb_app(self).backend()
        await backend.capability(ContactsApi).delete_contact(contact_id)
        self.post_message(self.Deleted(contact_id))

    @on(Deleted)
    def _deleted(self, event: Deleted) -> None:
        self.app.notify(f"Deleted contact {event.contact_id}.")
        self.post_message(self.Changed())
        if self.listing:
            self.refresh_listing(self.page)
            return
        self.known.pop(event.contact_id, None)
        table = self.query_one(ContactsTable)
        if str(event.contact_id) in table.rows:
            table.remove_row(str(event.contact_id))
        if not table.row_count:
            self._show_detail(None)

    # --- import ---------------------------------------------------------
    @on(Button.Pressed, "#c-import")
    def action_import(self) -> None:
        """Import contacts from a CSV file (with a column-mapping step)."""

        modal = ImportModal(rules=self.rules)

        def closed(created: int | None) -> None:
            # A stopped import may have created more than its last progress said.
            if modal.started:
                self.post_message(self.Changed())
            if created and self.listing:
                self.refresh_listing(self.page)

        self.app.push_screen(modal, closed)
