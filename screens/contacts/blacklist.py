"""The Blacklist tab: one channel's blacklist (sms, mailing, voice), add and remove."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from backends.capabilities import BlacklistApi
from backends.models.common import Page
from backends.models.lists import BlacklistEntry, BlacklistKind
from screens.contacts.forms import WorkerPane
from screens.widgets.common import ConfirmModal, sb_app
from screens.widgets.keys import std_key

PAGE_SIZE = 50
KINDS: tuple[tuple[str, BlacklistKind], ...] = (
    ("SMS", "sms"),
    ("Email (mailing)", "mailing"),
    ("Voice", "voice"),
)


def entry_cells(e: BlacklistEntry) -> tuple[str, str, str, str]:
    """A blacklist entry as a table row."""
    added = e.created_at.strftime("%Y-%m-%d %H:%M") if e.created_at else ""
    campaign = e.campaign_name or (str(e.sending_id) if e.sending_id else "")
    return e.recipient, "yes" if e.is_definitive else "", campaign, added


class BlacklistTable(DataTable[str]):
    """The blacklist table (plain-letter keys are safe here)."""

    BINDINGS = [
        std_key("next_page"),
        std_key("prev_page"),
        std_key("delete", "remove", "Remove"),
    ]

    def action_next_page(self) -> None:
        """Show the next page."""
        self.query_ancestor(BlacklistPane).action_next_page()

    def action_prev_page(self) -> None:
        """Show the previous page."""
        self.query_ancestor(BlacklistPane).action_prev_page()

    def action_remove(self) -> None:
        """Remove the selected recipient."""
        self.query_ancestor(BlacklistPane).action_remove()


class BlacklistPane(WorkerPane):
    """Recipients the provider will not send to, per channel."""

    BINDINGS = [std_key("reload")]

    @dataclass
    class Loaded(Message):
        """A page of a blacklist arrived."""

        kind: BlacklistKind
        page: Page[BlacklistEntry]

    @dataclass
    class Changed(Message):
        """A recipient was added or removed."""

        text: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind: BlacklistKind = "sms"
        self.page = 1
        self.total_pages = 1

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row", id="bl-controls"):
            with Vertical():
                yield Label("Channel")
                yield Select(KINDS, value="sms", allow_blank=False, id="bl-kind")
            with Vertical():
                yield Label("Find recipient")
                yield Input(placeholder="exact phone or email", id="bl-filter")
            with Vertical():
                yield Label("Add recipient")
                yield Input(placeholder="phone or email", id="bl-new")
            yield Button("Add", variant="primary", id="bl-add")
        with Horizontal(classes="button-row"):
            yield Button("Remove", variant="error", id="bl-remove")
            yield Button("◀ Prev", id="bl-prev")
            yield Button("Next ▶", id="bl-next")
        table = BlacklistTable(id="blacklist-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Recipient", "Definitive", "Campaign", "Added")
        yield table
        yield Static("", id="bl-status")
        yield Static("", id="bl-error", classes="error-text")

    def on_mount(self) -> None:
        self.load(1)

    def load(self, page: int) -> None:
        """Read one page of the chosen channel's blacklist."""
        recipient = self.query_one("#bl-filter", Input).value.strip() or None
        self.fetch_page(self.kind, page, recipient)

    @work(group="blacklist", exit_on_error=False)
    async def fetch_page(self, kind: BlacklistKind, page: int, recipient: str | None) -> None:
        """Read one page of a blacklist."""
        backend = await sb_app(self).backend()
        result = await backend.capability(BlacklistApi).blacklist_list(
            kind, page=page, limit=PAGE_SIZE, recipient=recipient
        )
        self.post_message(self.Loaded(kind, result))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.kind != self.kind:
            return
        page = event.page
        self.page, self.total_pages = page.page, max(1, page.total_pages)
        table = self.query_one(BlacklistTable)
        table.clear()
        for e in page.items:
            table.add_row(*entry_cells(e), key=e.recipient)
        self.query_one("#bl-prev", Button).disabled = self.page <= 1
        self.query_one("#bl-next", Button).disabled = self.page >= self.total_pages
        self.query_one("#bl-status", Static).update(
            f"Page {self.page} of {self.total_pages} · {page.total} blacklisted"
        )

    @on(Select.Changed, "#bl-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.kind:
            self.kind = event.value  # type: ignore[assignment]  # one of KINDS' values
            self.load(1)

    @on(Input.Submitted, "#bl-filter")
    def _filter(self) -> None:
        self.load(1)

    @on(Button.Pressed, "#bl-next")
    def action_next_page(self) -> None:
        """Show the next page."""
        if self.page < self.total_pages:
            self.load(self.page + 1)

    @on(Button.Pressed, "#bl-prev")
    def action_prev_page(self) -> None:
        """Show the previous page."""
        if self.page > 1:
            self.load(self.page - 1)

    def action_reload(self) -> None:
        """Read the current page again."""
        self.load(self.page)

    @on(Button.Pressed, "#bl-add")
    @on(Input.Submitted, "#bl-new")
    def action_add(self) -> None:
        """Add the typed recipient to the chosen channel's blacklist."""
        field = self.query_one("#bl-new", Input)
        recipient = field.value.strip()
        error = self.query_one("#bl-error", Static)
        if not recipient:
            error.update("Type a phone number or an email to add.")
            return
        if self.kind == "mailing" and "@" not in recipient:
            error.update("The email blacklist takes email addresses.")
            return
        error.update("")
        field.value = ""
        self.add(self.kind, recipient)

    @work(group="blacklist", exit_on_error=False)
    async def add(self, kind: BlacklistKind, recipient: str) -> None:
        """Blacklist one recipient."""
        backend = await sb_app(self).backend()
        entry = await backend.capability(BlacklistApi).blacklist_add(kind, recipient)
        self.post_message(self.Changed(f"Added {entry.recipient} to the {kind} blacklist."))

    @on(Button.Pressed, "#bl-remove")
    def action_remove(self) -> None:
        """Remove the selected recipient, once confirmed."""
        table = self.query_one(BlacklistTable)
        if table.row_count == 0:
            return
        recipient = str(table.get_row_at(table.cursor_row)[0])
        kind = self.kind

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_entry(kind, recipient)

        question = f"Remove {recipient} from the {kind} blacklist? Sends to it will resume."
        self.app.push_screen(ConfirmModal(question, yes_label="Remove"), answered)

    @work(group="blacklist", exit_on_error=False)
    async def remove_entry(self, kind: BlacklistKind, recipient: str) -> None:
        """Take one recipient off a blacklist."""
        backend = await sb_app(self).backend()
        await backend.capability(BlacklistApi).blacklist_remove(kind, recipient)
        self.post_message(self.Changed(f"Removed {recipient} from the {kind} blacklist."))

    @on(Changed)
    def _changed(self, event: Changed) -> None:
        self.app.notify(event.text)
        self.load(self.page)
