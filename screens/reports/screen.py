"""Reports: campaigns and their sendings' events, scheduled sends, coverage, flow answers.

Each tab is shown only when the active account's provider declares its capability; a
new tab is one more `ReportsTab` line (a `ReportsPane` subclass and what it needs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from textual.app import ComposeResult, SystemCommand
from textual.widgets import Static, TabbedContent, TabPane

from backends.base import Capability
from screens.reports.campaigns import CampaignsPane
from screens.reports.common import ReportsPane
from screens.reports.coverage import CoveragePane
from screens.reports.flow_answers import FlowAnswersPane
from screens.reports.scheduled import ScheduledPane
from screens.widgets.common import BaseScreen, no_account_text, sb_app
from screens.widgets.keys import std_key


@dataclass(frozen=True)
class ReportsTab:
    """A tab: its id, title, the capability it needs (and its name for the notice)."""

    id: str
    title: str
    capability: Capability
    needs: str
    pane: Callable[[], ReportsPane]


TABS: tuple[ReportsTab, ...] = (
    ReportsTab(
        "campaigns",
        "Campaigns",
        Capability.CAMPAIGNS,
        "campaign reports",
        lambda: CampaignsPane(id="campaigns-pane"),
    ),
    ReportsTab(
        "scheduled",
        "Scheduled",
        Capability.SCHEDULED,
        "scheduled sends",
        lambda: ScheduledPane(id="scheduled-pane"),
    ),
    ReportsTab(
        "coverage",
        "Coverage",
        Capability.COVERAGE,
        "coverage and prices",
        lambda: CoveragePane(id="coverage-pane"),
    ),
    ReportsTab(
        "flows",
        "Flow answers",
        Capability.FLOWS,
        "flow answers",
        lambda: FlowAnswersPane(id="flow-answers-pane"),
    ),
)


class ReportsScreen(BaseScreen):
    """Campaign reports, scheduled sends, coverage and flow answers of the active account."""

    TITLE = "Reports"
    CSS_PATH = "reports.tcss"

    # Tabs are switched with the mouse, with the arrow keys on the tab bar, or from the
    # palette; Alt+digit keys do not reach the app in every terminal.
    BINDINGS = [std_key("reload")]

    def __init__(self) -> None:
        super().__init__()
        self.supported: set[str] = set()

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static("", id="reports-notice", classes="notice")
        with TabbedContent(id="reports-tabs"):
            for tab in TABS:
                with TabPane(tab.title, id=tab.id):
                    yield tab.pane()
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.watch(sb_app(self), "active_account", self._account_changed, init=False)
        self._account_changed(sb_app(self).active_account)

    def _account_changed(self, name: str | None) -> None:
        app = sb_app(self)
        notice = self.query_one("#reports-notice", Static)
        tabs = self.query_one("#reports-tabs", TabbedContent)
        if name is None:
            self.supported = set()
            notice.update(no_account_text(self))
        else:
            from backends.registry import backend_class

            cls = backend_class(app.workspace.account(name).provider)
            self.supported = {t.id for t in TABS if cls.supports(t.capability)}
            # Only an account with no report at all gets a notice: the others see their tabs.
            missing = [t.needs for t in TABS if t.id not in self.supported]
            if not self.supported:
                notice.update(f"{cls.label} offers no reports: it has no {_join(missing)}.")
            else:
                notice.update("")
        notice.display = bool(str(notice.render()))
        tabs.display = bool(self.supported)
        self.set_offered(bool(self.supported))
        for tab in TABS:
            if tab.id in self.supported:
                tabs.show_tab(tab.id)
        # The first offered tab opens when the one open is going (hiding the open tab would
        # open its neighbour instead).
        if self.supported and tabs.active not in self.supported:
            tabs.active = next(t.id for t in TABS if t.id in self.supported)
        for tab in TABS:
            if tab.id not in self.supported:
                tabs.hide_tab(tab.id)
        for pane in self._panes():
            pane.reload()

    def _panes(self) -> list[ReportsPane]:
        return [
            pane
            for tab in TABS
            if tab.id in self.supported
            for pane in self.query_one(f"#{tab.id}", TabPane).query(ReportsPane)
        ]

    def action_reload(self) -> None:
        """Load the current tab again."""
        tabs = self.query_one("#reports-tabs", TabbedContent)
        if tabs.active in self.supported:
            for pane in self.query_one(f"#{tabs.active}", TabPane).query(ReportsPane):
                pane.reload()

    def action_tab(self, tab_id: str) -> None:
        """Show a tab, if this provider offers it."""
        if tab_id in self.supported:
            self.query_one("#reports-tabs", TabbedContent).active = tab_id

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Open each offered tab, and reload."""
        for tab in TABS:
            if tab.id in self.supported:
                yield SystemCommand(
                    f"Reports: {tab.title}",
                    f"Show {tab.needs}",
                    lambda t=tab.id: self.action_tab(t),
                )
        yield SystemCommand("Reports: reload", "Load the current tab again", self.action_reload)


def _join(items: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
