"""The Groups tab: groups with member counts; create, rename, delete.

The counts come from the Contacts screen, which counts members in the background (the
providers' group listings carry no sizes); the tab shows "counting…" until then.

Providers that cannot list groups get a "by id" mode: open a group by its id; the table
holds the groups handled this session.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Static

from backends.capabilities import ContactsListingApi, GroupsApi
from backends.models.common import Group, Page
from screens.contacts.counts import MemberCounts, MembersWanted
from screens.contacts.forms import TextPromptModal, WorkerPane
from screens.widgets.common import ConfirmModal, sb_app
from screens.widgets.keys import std_key
from screens.widgets.picker import Picker
from tui.usecases.recent_ids import Choice, IdKind, choices, forget, remember

PAGE_SIZE = 100


def group_cells(g: Group, members: MemberCounts | None = None) -> tuple[str, str, str]:
    """A group as a table row: its size as counted, or "—"."""
    return (str(g.id), g.name, members.cell(g.id) if members is not None else "—")


class GroupsTable(DataTable[str]):
    """The groups table (plain-letter keys are safe here)."""

    BINDINGS = [
        std_key("next_page"),
        std_key("prev_page"),
        std_key("edit", "rename", "Rename"),
        std_key("delete"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Paging keys only where there are pages (hidden in by-id mode)."""
        if action in ("next_page", "prev_page"):
            return self.query_ancestor(GroupsPane).listing
        return True

    def action_next_page(self) -> None:
        """Show the next page."""
        self.query_ancestor(GroupsPane).action_next_page()

    def action_prev_page(self) -> None:
        """Show the previous page."""
        self.query_ancestor(GroupsPane).action_prev_page()

    def action_rename(self) -> None:
        """Rename the selected group."""
        self.query_ancestor(GroupsPane).action_rename()

    def action_delete(self) -> None:
        """Delete the selected group."""
        self.query_ancestor(GroupsPane).action_delete()


class GroupsPane(WorkerPane):
    """Contact groups of the active account."""

    BINDINGS = [std_key("new", description="New group"), std_key("reload")]

    @dataclass
    class Loaded(Message):
        """A page of groups arrived."""

        page: Page[Group]

    @dataclass
    class Changed(Message):
        """A group was read, created or renamed."""

        group: Group
        verb: str

    @dataclass
    class Deleted(Message):
        """A group was deleted."""

        group_id: int

    def __init__(self, *, label: str, listing: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.listing = listing
        self.page = 1
        self.total_pages = 1
        self.groups: tuple[Group, ...] = ()
        self.total = 0
        self.members: MemberCounts | None = None

    def compose(self) -> ComposeResult:
        if not self.listing:
            yield Static(
                f"{self.label} cannot list groups: open one by its id, or create one.",
                classes="hint",
            )
            with Horizontal(classes="field-row", id="g-open-row"):
                yield Picker(
                    placeholder="group id  ↓ pick",
                    id="g-open-id",
                    type="integer",
                    title="Groups opened or created before on this account",
                    loader=self._group_choices,
                )
                yield Button("Open", variant="primary", id="g-open")
        with Horizontal(classes="button-row"):
            yield Button("New", id="g-new")
            yield Button("Rename", id="g-rename")
            yield Button("Delete", variant="error", id="g-delete")
            if self.listing:
                yield Button("◀ Prev", id="g-prev")
                yield Button("Next ▶", id="g-next")
        table = GroupsTable(id="groups-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("ID", "Name", "Members")
        yield table
        yield Static("", id="groups-status")

    def on_mount(self) -> None:
        if self.listing:
            self.load(1)

    def load(self, page: int) -> None:
        """Read one page of groups."""
        self.fetch_page(page)

    @work(group="groups", exit_on_error=False)
    async def fetch_page(self, page: int) -> None:
        """Read one page of groups (with member counts when the provider gives them)."""
        backend = await sb_app(self).backend()
        self.post_message(
            self.Loaded(
                await backend.capability(ContactsListingApi).groups_page(page, limit=PAGE_SIZE)
            )
        )

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        page = event.page
        self.page, self.total_pages = page.page, max(1, page.total_pages)
        self.groups, self.total = page.items, page.total
        self._fill()
        self.query_one("#g-prev", Button).disabled = self.page <= 1
        self.query_one("#g-next", Button).disabled = self.page >= self.total_pages
        self._status()

    def _fill(self) -> None:
        table = self.query_one(GroupsTable)
        cursor = table.cursor_row
        table.clear()
        for g in self.groups:
            table.add_row(*group_cells(g, self.members), key=str(g.id))
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def _status(self) -> None:
        parts = [f"Page {self.page} of {self.total_pages} · {self.total} groups"]
        if self.members is not None and self.members.status():
            parts.append(self.members.status())
        self.query_one("#groups-status", Static).update(" · ".join(parts))

    def show_members(self, counts: MemberCounts) -> None:
        """New member counts: the cells change when counting starts or ends, the status
        line with every progress report."""
        before = self.members
        self.members = counts
        if not self.listing:
            return
        if before is None or before.phase != counts.phase:
            self._fill()
        self._status()

    def focus_first(self) -> None:
        """Focus what this tab is used with first: the table, or the id to open."""
        if self.listing:
            self.query_one(GroupsTable).focus()
        else:
            self.query_one("#g-open-id", Input).focus()

    @on(Button.Pressed, "#g-next")
    def action_next_page(self) -> None:
        """Show the next page."""
        if self.listing and self.page < self.total_pages:
            self.load(self.page + 1)

    @on(Button.Pressed, "#g-prev")
    def action_prev_page(self) -> None:
        """Show the previous page."""
        if self.listing and self.page > 1:
            self.load(self.page - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Reload only where there is a listing to read again."""
        return self.listing if action == "reload" else True

    def action_reload(self) -> None:
        """Read the current page again, and count the members again."""
        if self.listing:
            self.load(self.page)
            self.post_message(MembersWanted(reload=True))

    def _selected(self) -> tuple[int, str] | None:
        table = self.query_one(GroupsTable)
        if table.row_count == 0:
            return None
        row = table.get_row_at(table.cursor_row)
        return int(row[0]), str(row[1])

    @on(Button.Pressed, "#g-open")
    @on(Input.Submitted, "#g-open-id")
    def _open_by_id(self) -> None:
        raw = self.query_one("#g-open-id", Input).value.strip()
        if not raw.isdigit():
            self.query_one("#groups-status", Static).update("Type a group id to open.")
            return
        self.open_group(int(raw))

    async def _group_choices(self) -> list[Choice]:
        account = sb_app(self).active_account or ""
        return await asyncio.to_thread(choices, account, IdKind.GROUP)

    async def _remember(self, account: str, group: Group) -> None:
        # The provider cannot list its groups: the ids that worked are the only list.
        if not self.listing:
            await asyncio.to_thread(remember, account, IdKind.GROUP, str(group.id))

    @work(group="groups", exit_on_error=False)
    async def open_group(self, group_id: int) -> None:
        """Read one group."""
        account = sb_app(self).active_account or ""
        backend = await sb_app(self).backend(account)
        group = await backend.capability(GroupsApi).group(group_id)
        await self._remember(account, group)
        self.post_message(self.Changed(group, "Opened"))

    @on(Button.Pressed, "#g-new")
    def action_new(self) -> None:
        """Ask for a name and create a group."""

        def named(name: str | None) -> None:
            if name:
                self.create(name)

        self.app.push_screen(TextPromptModal("New group", "Group name"), named)

    @work(group="groups", exit_on_error=False)
    async def create(self, name: str) -> None:
        """Create a group."""
        account = sb_app(self).active_account or ""
        backend = await sb_app(self).backend(account)
        group = await backend.capability(GroupsApi).create_group(name)
        await self._remember(account, group)
        self.post_message(self.Changed(group, "Created"))

    @on(Button.Pressed, "#g-rename")
    def action_rename(self) -> None:
        """Ask for a new name for the selected group."""
        selected = self._selected()
        if selected is None:
            return
        group_id, name = selected

        def named(new: str | None) -> None:
            if new and new != name:
                self.rename(group_id, new)

        self.app.push_screen(TextPromptModal(f"Rename group {group_id}", "Name", name), named)

    @work(group="groups", exit_on_error=False)
    async def rename(self, group_id: int, name: str) -> None:
        """Rename a group."""
        backend = await sb_app(self).backend()
        self.post_message(
            self.Changed(
                await backend.capability(GroupsApi).update_group(group_id, name), "Renamed"
            )
        )

    @on(Changed)
    def _changed(self, event: Changed) -> None:
        if event.verb != "Opened":
            self.app.notify(f"{event.verb} group {event.group.id} ({event.group.name}).")
        if self.listing:
            self.load(self.page)  # the order comes from the provider
            return
        table = self.query_one(GroupsTable)
        key = str(event.group.id)
        if key in table.rows:
            table.remove_row(key)
        table.add_row(*group_cells(event.group), key=key)
        table.move_cursor(row=table.get_row_index(key))
        table.focus()

    @on(Button.Pressed, "#g-delete")
    def action_delete(self) -> None:
        """Delete the selected group, once confirmed."""
        selected = self._selected()
        if selected is None:
            return
        group_id, name = selected
        question = f"Delete group {group_id} ({name})? This cannot be undone."

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(group_id)

        self.app.push_screen(ConfirmModal(question, yes_label="Delete"), answered)

    @work(group="groups", exit_on_error=False)
    async def delete(self, group_id: int) -> None:
        """Delete a group."""
        account = sb_app(self).active_account or ""
        backend = await sb_app(self).backend(account)
        await backend.capability(GroupsApi).delete_group(group_id)
        if not self.listing:
            await asyncio.to_thread(forget, account, IdKind.GROUP, str(group_id))
        self.post_message(self.Deleted(group_id))

    @on(Deleted)
    def _deleted(self, event: Deleted) -> None:
        self.app.notify(f"Deleted group {event.group_id}.")
        if self.listing:
            self.load(self.page)
            return
        table = self.query_one(GroupsTable)
        if str(event.group_id) in table.rows:
            table.remove_row(str(event.group_id))
