"""The Contacts tab's search: a typed part of a name, surname, email or number, found by
the use case (tui.usecases.contacts.search_contacts) across every page, with its progress
shown and Esc to stop it; the provider-side filters (country, external id) narrow it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widgets import Button, DataTable, Input, ProgressBar, Static

from backends.capabilities import ContactsListingApi
from backends.models.common import Contact, ContactFilter
from screens.contacts.export import ContactsExport
from screens.widgets.common import sb_app
from tui.usecases.contacts import SearchProgress, SearchResult, search_contacts

# (input id, label, ContactFilter field) of the provider-side filters.
FILTERS = (
    ("f-country", "Country", "country"),
    ("f-external", "External id", "external_id"),
)
SEARCH_INPUT = "f-text"
#: Contacts read a request while searching: a page's progress shows soon enough.
SEARCH_PAGE = 100
COLUMNS = ("ID", "Name", "Surname", "Phone", "Email", "Country", "Groups")


def contact_cells(c: Contact) -> tuple[str, ...]:
    """A contact as a table row."""
    groups = ", ".join(g.name or f"#{g.id}" for g in c.groups)
    return (
        str(c.id),
        c.name or "",
        c.surname or "",
        c.phone or c.landline or "",
        c.email or "",
        c.country or "",
        groups,
    )


class ContactsSearch(ContactsExport):
    """The search half of the Contacts tab (`ContactsPane` pages and edits): the search
    text and filters in effect, the search worker and what it shows."""

    #: The search text in effect ("" while the table shows the provider's pages).
    searching: str = ""
    #: Counts the listings asked for: an answer to an older one is not shown.
    _token: int
    #: The contacts in the table, for the detail line.
    shown: dict[int, Contact]
    #: Asks for one page of the provider's listing (ContactsPane).
    load: Callable[[int], None]
    #: Shows the custom fields of a contact, or nothing (ContactsPane).
    _show_detail: Callable[[Contact | None], None]

    @dataclass
    class Searched(Message):
        """A search went on (`progress`, matches so far) or ended (`result`)."""

        progress: SearchProgress | None
        result: SearchResult | None
        token: int

    def show_contacts(self, contacts: tuple[Contact, ...]) -> None:
        """Put contacts in the table (a page, or a search's matches)."""
        table: DataTable[str] = self.query_one("#contacts-table", DataTable)
        table.clear()
        self.shown = {c.id: c for c in contacts}
        self._show_detail(None)
        for c in contacts:
            table.add_row(*contact_cells(c), key=str(c.id))

    def read_filters(self) -> ContactFilter:
        """The provider-side filters typed in the filter row."""
        values = {
            name: self.query_one(f"#{input_id}", Input).value.strip() or None
            for input_id, _, name in FILTERS
        }
        if values["country"]:
            values["country"] = values["country"].upper()
        return ContactFilter(**values)

    @on(Button.Pressed, "#c-search")
    @on(Input.Submitted, "#contact-filters Input")
    def action_search(self) -> None:
        """Search for the typed text within the filters (or list the filters' contacts,
        paged, when no text is typed)."""
        self.filters = self.read_filters()
        self.searching = self.query_one(f"#{SEARCH_INPUT}", Input).value.strip()
        self.refresh_listing(1)

    def refresh_listing(self, page: int) -> None:
        """Show the listing again: the search run again, else the page read again."""
        self.workers.cancel_group(self, "contacts-search")
        if self.searching:
            self._token += 1
            self.query_one("#contacts-status", Static).update("Searching…")
            self.search(self.searching, self.filters, self._token)
        else:
            self.load(page)
        self.refresh_bindings()
        for button in ("#c-prev", "#c-next"):
            self.query_one(button, Button).disabled = bool(self.searching)

    @on(Button.Pressed, "#c-clear")
    def _clear(self) -> None:
        for input_id in (SEARCH_INPUT, *(f[0] for f in FILTERS)):
            self.query_one(f"#{input_id}", Input).value = ""
        self.action_search()

    def action_filter(self) -> None:
        """Put the cursor in the search box (Enter there searches)."""
        self.query_one(f"#{SEARCH_INPUT}", Input).focus()

    @work(group="contacts-search", exclusive=True, exit_on_error=False)
    async def search(self, text: str, filters: ContactFilter, token: int) -> None:
        """Find the contacts holding `text`, every page if need be."""
        api = (await sb_app(self).backend()).capability(ContactsListingApi)

        def progress(event: SearchProgress) -> None:
            # Each page is a request: a post per page is few enough to show them all.
            self.post_message(self.Searched(event, None, token))

        result = await search_contacts(api, text, filters, page_size=SEARCH_PAGE, progress=progress)
        self.post_message(self.Searched(None, result, token))

    @on(Searched)
    def _searched(self, event: Searched) -> None:
        if event.token != self._token:
            return  # another search or page was asked for meanwhile
        bar = self.query_one("#export-progress", ProgressBar)
        status = self.query_one("#contacts-status", Static)
        if event.result is not None:
            bar.display = False
            self.show_contacts(event.result.contacts)
            status.update(event.result.summary())
            self.refresh_bindings()
            return
        now = event.progress
        assert now is not None
        bar.display = True
        bar.update(total=max(now.total, 1), progress=now.searched)
        self.show_contacts(now.matches)
        status.update(f"Searching… {now.text()} (Esc stops)")
        self.refresh_bindings()

    def search_running(self) -> bool:
        """Whether a search is reading pages now."""
        return any(
            w.group == "contacts-search" and w.node is self and not w.is_finished
            for w in self.workers
        )

    def action_stop_search(self) -> None:
        """Stop a running search: the contacts found so far stay in the table."""
        if not self.search_running():
            return
        self.workers.cancel_group(self, "contacts-search")
        self._token += 1  # a page answer already on its way is not shown
        self.query_one("#export-progress", ProgressBar).display = False
        status = self.query_one("#contacts-status", Static)
        table = self.query_one("#contacts-table", DataTable)
        status.update(f"Search stopped: {table.row_count} found so far")
        self.refresh_bindings()
