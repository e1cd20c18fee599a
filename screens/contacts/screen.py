"""Contacts: browse (server-side filters, paged), create/edit/delete, import/export, and the
groups, blacklist and email validation tabs, each shown only when the provider offers it."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.containers import Vertical
from textual.widgets import Static, TabbedContent, TabPane

from backends.base import Backend, Capability
from backends.errors import SwitchboardError
from backends.registry import backend_class
from screens.contacts.blacklist import BlacklistPane
from screens.contacts.counts import MemberCounts, MembersCounted, MembersWanted, count_members
from screens.contacts.groups import GroupsPane
from screens.contacts.list import ContactsPane
from screens.contacts.validation import ValidationPane
from screens.widgets.common import BaseScreen, Coalesce, no_account_text, or_list, sb_app
from tui.usecases.contacts import ContactRules

# (capability, what a user calls it) for the notice that says what a provider lacks.
TAB_NEEDS = (
    (Capability.CONTACTS, "contacts"),
    (Capability.CONTACTS_LISTING, "contact and group listings"),
    (Capability.GROUPS, "groups"),
    (Capability.BLACKLIST, "blacklists"),
    (Capability.EMAIL_VALIDATION, "email validation"),
)


def missing_text(cls: type[Backend]) -> str:
    """'X does not offer a, b or c.' for what this screen could show but the provider lacks."""
    missing = [what for cap, what in TAB_NEEDS if not cls.supports(cap)]
    if not missing:
        return ""
    return f"{cls.label} does not offer {or_list(missing)}."


class ContactsScreen(BaseScreen):
    """Contacts, groups, blacklist and email validation of the active account."""

    TITLE = "Contacts"
    CSS_PATH = "contacts.tcss"

    def __init__(
        self, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name, id, classes)
        # Group member counts per account, finished or being counted; kept until a reload
        # or until the Contacts tab changes contacts.
        self._members: dict[str, MemberCounts] = {}
        self._count_token = 0  # answers of a cancelled count are told apart by it
        self._listing = False

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static("", id="contacts-notice", classes="notice")
        yield Vertical(id="contacts-body")
        yield from self.compose_footer()

    async def on_mount(self) -> None:
        self.watch(sb_app(self), "active_account", self._account_changed, init=False)
        await self._build(sb_app(self).active_account)

    async def _account_changed(self, name: str | None) -> None:
        await self._build(name)

    async def _build(self, name: str | None) -> None:
        """Mount one tab per capability the active account's provider has (fresh state)."""
        body = self.query_one("#contacts-body", Vertical)
        await body.remove_children()
        # A count of another account stops; what it had counted is of no use unfinished.
        self.workers.cancel_group(self, "member-counts")
        self._members = {k: v for k, v in self._members.items() if v.finished}
        notice = self.query_one("#contacts-notice", Static)
        if name is None:
            notice.update(no_account_text(self))
            notice.display = True
            return
        cls = backend_class(sb_app(self).workspace.account(name).provider)
        listing = cls.supports(Capability.CONTACTS_LISTING)
        self._listing = listing
        panes = []
        if cls.supports(Capability.CONTACTS):
            rules = ContactRules.of(cls)
            pane = ContactsPane(label=cls.label, listing=listing, rules=rules, id="contacts-pane")
            panes.append(TabPane("Contacts", pane, id="tab-contacts"))
        if cls.supports(Capability.GROUPS):
            groups = GroupsPane(label=cls.label, listing=listing, id="groups-pane")
            panes.append(TabPane("Groups", groups, id="tab-groups"))
        if cls.supports(Capability.BLACKLIST):
            panes.append(
                TabPane("Blacklist", BlacklistPane(id="blacklist-pane"), id="tab-blacklist")
            )
        if cls.supports(Capability.EMAIL_VALIDATION):
            validation = ValidationPane(with_groups=listing, id="validation-pane")
            panes.append(TabPane("Email validation", validation, id="tab-validation"))
        notice.update(missing_text(cls))
        notice.display = bool(missing_text(cls))
        if panes:
            tabs = TabbedContent(id="contacts-tabs")
            await body.mount(tabs)
            for tab in panes:
                await tabs.add_pane(tab)

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        pane_id = event.pane.id
        if pane_id == "tab-groups":
            self.query_one(GroupsPane).focus_first()
        if pane_id in ("tab-groups", "tab-validation") and self._listing:
            self.post_message(MembersWanted())

    # --- group member counts ---------------------------------------------------------
    @on(MembersWanted)
    def _members_wanted(self, event: MembersWanted) -> None:
        """Count the active account's group members, unless known (or being counted)."""
        event.stop()
        name = sb_app(self).active_account
        if name is None or not self._listing:
            return
        if event.reload:
            self.workers.cancel_group(self, "member-counts")
            self._members.pop(name, None)
        known = self._members.get(name)
        if known is None:
            known = self._members[name] = MemberCounts()
            self._count_token += 1
            self.count(name, self._count_token)
        self._show_members(known)

    @on(ContactsPane.Changed)
    def _contacts_changed(self, event: ContactsPane.Changed) -> None:
        """Drop the active account's counts: a changed contact can change any group's size."""
        event.stop()
        name = sb_app(self).active_account
        if name is None:
            return
        self.workers.cancel_group(self, "member-counts")
        self._members.pop(name, None)
        # A tab showing the counts counts again now; the others do when next shown.
        tabs = self.query(TabbedContent)
        if tabs and tabs.first().active in ("tab-groups", "tab-validation"):
            self.post_message(MembersWanted())

    @work(group="member-counts", exit_on_error=False)
    async def count(self, account: str, token: int) -> None:
        """Count every group's members of an account, posting coalesced progress."""
        posts = Coalesce()
        try:
            backend = await sb_app(self).backend(account)
            async for counts in count_members(backend):
                if posts.due() or counts.finished:
                    self.post_message(MembersCounted(account, counts, token))
        except SwitchboardError as exc:
            # A size column is not worth a modal: the panes say it in their status line.
            self.post_message(MembersCounted(account, MemberCounts(error=exc.message), token))

    @on(MembersCounted)
    def _members_counted(self, event: MembersCounted) -> None:
        if event.token != self._count_token or event.account not in self._members:
            return  # reloaded or switched away meanwhile
        self._members[event.account] = event.counts
        if event.account == sb_app(self).active_account:
            self._show_members(event.counts)

    def _show_members(self, counts: MemberCounts) -> None:
        for groups in self.query(GroupsPane):
            groups.show_members(counts)
        for validation in self.query(ValidationPane):
            validation.show_members(counts)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """New contact, import, export and new group, when the active tab set has them."""
        if self.query("#contacts-pane"):
            pane = self.query_one(ContactsPane)
            yield SystemCommand("New contact", "Create a contact", pane.action_new)
            yield SystemCommand("Import contacts", "From a CSV file", pane.action_import)
            if pane.listing:
                yield SystemCommand(
                    "Export contacts", "The current filter's contacts to CSV", pane.action_export
                )
        if self.query("#groups-pane"):
            groups = self.query_one(GroupsPane)
            yield SystemCommand("New group", "Create a contact group", groups.action_new)
