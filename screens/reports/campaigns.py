"""Campaigns tab: filters, the sendings table, a sending's chart and cost, its reports."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, ContentSwitcher, DataTable, Input, Select, Static

from backends.base import Capability
from backends.capabilities import CampaignsApi, ReportsApi
from backends.models.reports import CAMPAIGN_CHANNELS, Campaign, KeysReport, SendingSummary
from screens.reports.chart import bar_chart, chart_base, cost_line, funnel
from screens.reports.common import ActionTable, ReportsPane, parse_day
from screens.reports.events import EventsView, KeysView
from screens.widgets.common import sb_app
from tui.csvin import csv_table
from tui.dates import fmt_time
from tui.usecases.reports import CampaignRollup, rollup

#: Channels whose sendings are calls: only they have a keystroke report. The API lists
#: text-to-speech calls with a key menu under text2speech, so both channels qualify.
VOICE_CHANNELS = frozenset({"text2speech", "voice-interactive"})


@dataclass(frozen=True)
class Filters:
    """The campaign filters as the backend takes them."""

    name: str | None = None
    channel: str | None = None
    after: datetime | None = None
    before: datetime | None = None


class CampaignTable(ActionTable):
    """One row per sending, or per campaign with its sendings added up (g); letters open
    a sending's reports, Enter opens a campaign's batches."""

    BINDINGS = [
        Binding("v", "request('events')", "Events"),
        Binding("k", "request('keys')", "Keys"),
        Binding("g", "request('group')", "Group by campaign"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Which reports the highlighted sending has; the footer offers only those keys.
        self.offers: frozenset[str] = frozenset()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "request" and parameters and parameters[0] != "group":
            return parameters[0] in self.offers
        return super().check_action(action, parameters)


class CampaignsPane(ReportsPane):
    """Campaigns with their sendings; a sending's event counts, cost and reports."""

    LOADING: ClassVar[dict[str, str]] = {
        "reports-campaigns": "#campaigns-table",
        "reports-events": "#campaign-detail",
    }

    @dataclass
    class Loaded(Message):
        """The provider listed the campaigns matching the filters."""

        campaigns: list[Campaign]

    @dataclass
    class EventsLoaded(Message):
        """A sending's events report arrived."""

        sending_id: int
        columns: list[str]
        rows: list[list[str]]

    @dataclass
    class KeysLoaded(Message):
        """A sending's keystroke report arrived."""

        sending_id: int
        report: KeysReport

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sendings: dict[str, SendingSummary] = {}
        self.filters = Filters()
        self.campaigns: list[Campaign] = []
        # Grouped: one row per campaign (its batches added up); the ids of those opened.
        self.grouped = False
        self.rollups: dict[str, CampaignRollup] = {}
        self.expanded: set[int] = set()

    def compose(self) -> ComposeResult:
        with Horizontal(id="campaign-filters", classes="filter-row"):
            yield Input(placeholder="name (* = any text)", id="campaign-name")
            yield Select[str](
                [(c, c) for c in CAMPAIGN_CHANNELS], prompt="Any channel", id="campaign-channel"
            )
            yield Input(placeholder="from YYYY-MM-DD (local)", id="campaign-from")
            yield Input(placeholder="to YYYY-MM-DD (local)", id="campaign-to")
            yield Button("Search", variant="primary", id="campaign-search")
        yield Static("", id="campaign-filter-error", classes="error-text")
        yield CampaignTable(id="campaigns-table")
        with ContentSwitcher(initial="sending-summary", id="campaign-detail"):
            with Vertical(id="sending-summary", classes="panel"):
                yield Static("Select a sending to see its events.", id="sending-title")
                yield Static("", id="sending-chart")
                yield Static("", id="sending-cost")
                with Horizontal(classes="button-row"):
                    yield Button("Events (v)", id="show-events", disabled=True)
                    yield Button("Keys (k)", id="show-keys", disabled=True)
            yield EventsView(id="events-view")
            yield KeysView(id="keys-view")

    def on_mount(self) -> None:
        table = self.query_one(CampaignTable)
        table.add_columns(
            "Campaign", "Sending", "Channel", "Status", "Processed", "Cost", "Created"
        )

    def reload(self) -> None:
        """Forget what was shown and search again with the current filters."""
        self.query_one("#campaign-detail", ContentSwitcher).current = "sending-summary"
        self._show_sending(None)
        self.load(self.filters)

    # --- filters -------------------------------------------------------------------
    def read_filters(self) -> Filters:
        """The filters typed; ValueError says what is wrong."""
        name = self.query_one("#campaign-name", Input).value.strip() or None
        channel = self.query_one("#campaign-channel", Select).value
        after = parse_day(self.query_one("#campaign-from", Input).value)
        before = parse_day(self.query_one("#campaign-to", Input).value, end=True)
        if after and before and after >= before:
            raise ValueError("the 'from' date must be before the 'to' date")
        return Filters(name, channel if isinstance(channel, str) else None, after, before)

    @on(Button.Pressed, "#campaign-search")
    @on(Input.Submitted, "#campaign-filters Input")
    def action_search(self) -> None:
        """Search with the typed filters, or say what is wrong with them."""
        error = self.query_one("#campaign-filter-error", Static)
        try:
            filters = self.read_filters()
        except ValueError as exc:
            error.update(str(exc)[0].upper() + str(exc)[1:] + ".")
            return
        error.update("")
        self.filters = filters
        self.reload()

    @work(group="reports-campaigns", exclusive=True, exit_on_error=False)
    async def load(self, filters: Filters) -> None:
        """List the campaigns matching the filters."""
        backend = await sb_app(self).backend()
        campaigns = await backend.capability(CampaignsApi).campaigns(
            name=filters.name, channel=filters.channel, after=filters.after, before=filters.before
        )
        self.post_message(self.Loaded(campaigns))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.campaigns = event.campaigns
        self._fill()
        table = self.query_one(CampaignTable)
        if not table.row_count:
            self.query_one("#sending-title", Static).update("No campaign matches the filters.")
        else:
            self._highlighted()

    def _fill(self) -> None:
        """The rows: each sending, or each campaign's roll-up with its opened batches."""
        table = self.query_one(CampaignTable)
        table.clear()
        self.sendings = {}
        self.rollups = {}
        for campaign in self.campaigns if not self.grouped else ():
            for s in campaign.sendings:
                self._add_sending(table, campaign.name, s)
            if not campaign.sendings:
                table.add_row(campaign.name, "", "", "no sendings", "", "", "")
        for r in rollup(self.campaigns) if self.grouped else ():
            if r.batches < 2:  # nothing to add up: the sending's own row
                for s in r.sendings:
                    self._add_sending(table, r.name, s)
                if not r.sendings:
                    table.add_row(r.name, "", "", "no sendings", "", "", "")
                continue
            key = f"campaign-{r.campaign_id}"
            self.rollups[key] = r
            opened = r.campaign_id in self.expanded
            table.add_row(
                ("▾ " if opened else "▸ ") + r.name,
                f"{r.batches} batches",
                ", ".join(r.channels),
                ", ".join(r.statuses),
                f"{r.processed}/{r.total}",
                f"{r.cost:.2f} {r.currency}" if r.cost is not None else r.currency,
                fmt_time(r.created_at),
                key=key,
            )
            for s in r.sendings if opened else ():
                self._add_sending(table, "  └ batch", s)

    def _add_sending(self, table: CampaignTable, label: str, s: SendingSummary) -> None:
        key = str(s.id)
        self.sendings[key] = s
        cost = f"{s.cost:.2f} {s.currency}" if s.cost is not None else ""
        table.add_row(
            label,
            key,
            s.channel,
            s.status,
            f"{s.processed}/{s.total}",
            cost,
            fmt_time(s.created_at),
            key=key,
        )

    def action_group(self) -> None:
        """Switch between a row per sending and a row per campaign (its batches added up)."""
        self.grouped = not self.grouped
        self._refill()

    def _refill(self) -> None:
        """Fill the table again, the cursor staying on the row it was on."""
        table = self.query_one(CampaignTable)
        key = self._cursor_key()
        self._fill()
        if key is not None and key in table.rows:
            table.move_cursor(row=table.get_row_index(key), animate=False)
        self._highlighted()

    @on(DataTable.RowSelected, "#campaigns-table")
    def _selected(self) -> None:
        """Enter on a campaign's roll-up opens or closes its batches."""
        r = self.rollups.get(self._cursor_key() or "")
        if r is None:
            return
        self.expanded ^= {r.campaign_id}
        self._refill()

    # --- the selected sending ------------------------------------------------------
    def _cursor_key(self) -> str | None:
        table = self.query_one(CampaignTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _current(self) -> SendingSummary | None:
        return self.sendings.get(self._cursor_key() or "")

    @on(DataTable.RowHighlighted, "#campaigns-table")
    def _highlighted(self) -> None:
        r = self.rollups.get(self._cursor_key() or "")
        if r is not None:
            self._show_rollup(r)
        else:
            self._show_sending(self._current())

    def _show_rollup(self, r: CampaignRollup) -> None:
        """A campaign's batches added up: their events chart and cost; no sending's reports."""
        self._show_sending(None)
        opened = "Enter hides them" if r.campaign_id in self.expanded else "Enter lists them"
        self.query_one("#sending-title", Static).update(
            f"{r.name} · {r.batches} batches added up · {', '.join(r.channels)} · {opened}"
        )
        self.query_one("#sending-chart", Static).update(
            bar_chart(funnel(r.events), max(r.total, r.events.sent))
        )
        cost = cost_line(r)
        if r.cost is None and r.currency:  # several currencies: no total to show
            cost = cost.replace("Cost not reported", f"Costs in {r.currency}, not added up")
        self.query_one("#sending-cost", Static).update(cost)

    def _show_sending(self, sending: SendingSummary | None) -> None:
        title = self.query_one("#sending-title", Static)
        chart = self.query_one("#sending-chart", Static)
        cost = self.query_one("#sending-cost", Static)
        events = self.query_one("#show-events", Button)
        keys = self.query_one("#show-keys", Button)
        if sending is None:
            title.update("Select a sending to see its events.")
            chart.update("")
            cost.update("")
            events.disabled = keys.disabled = True
            self.query_one(CampaignTable).offers = frozenset()
            return
        title.update(f"{sending.campaign_name} · sending {sending.id} · {sending.channel}")
        chart.update(bar_chart(funnel(sending.events), chart_base(sending)))
        cost.update(cost_line(sending))
        reports = self._supports(Capability.REPORTS)
        voice = sending.channel in VOICE_CHANNELS
        events.disabled = not reports
        keys.disabled = not (reports and voice)
        # Buttons that cannot work for this provider or sending are not shown at all.
        events.display = reports
        keys.display = reports and voice
        table = self.query_one(CampaignTable)
        table.offers = frozenset(
            name for name, ok in (("events", reports), ("keys", reports and voice)) if ok
        )
        table.refresh_bindings()

    def _supports(self, capability: Capability) -> bool:
        app = sb_app(self)
        name = app.active_account
        if name is None:
            return False
        from backends.registry import backend_class

        return backend_class(app.workspace.account(name).provider).supports(capability)

    @on(ActionTable.Requested, "#campaigns-table")
    def _requested(self, event: ActionTable.Requested) -> None:
        if event.action == "events":
            self.action_events()
        elif event.action == "keys":
            self.action_keys()
        elif event.action == "group":
            self.action_group()

    @on(Button.Pressed, "#show-events")
    def action_events(self) -> None:
        """Load the selected sending's events report."""
        sending = self._current()
        if sending is not None and not self.query_one("#show-events", Button).disabled:
            self.load_events(sending.id)

    @on(Button.Pressed, "#show-keys")
    def action_keys(self) -> None:
        """Load the selected voice sending's keystroke report."""
        sending = self._current()
        if sending is not None and not self.query_one("#show-keys", Button).disabled:
            self.load_keys(sending.id)

    @work(group="reports-events", exclusive=True, exit_on_error=False)
    async def load_events(self, sending_id: int) -> None:
        """Fetch a sending's events CSV."""
        backend = await sb_app(self).backend()
        report = await backend.capability(ReportsApi).sending_events(sending_id)
        # A big report takes a while to split into cells: not on the UI loop.
        columns, rows = await asyncio.to_thread(csv_table, report.csv)
        self.post_message(self.EventsLoaded(sending_id, columns, rows))

    @on(EventsLoaded)
    def _events_loaded(self, event: EventsLoaded) -> None:
        self.query_one("#campaign-detail", ContentSwitcher).current = "events-view"
        self.query_one(EventsView).show_report(event.sending_id, event.columns, event.rows)

    @work(group="reports-events", exclusive=True, exit_on_error=False)
    async def load_keys(self, sending_id: int) -> None:
        """Fetch a voice sending's keystroke report."""
        backend = await sb_app(self).backend()
        self.post_message(
            self.KeysLoaded(
                sending_id, await backend.capability(ReportsApi).sending_keys(sending_id)
            )
        )

    @on(KeysLoaded)
    def _keys_loaded(self, event: KeysLoaded) -> None:
        self.query_one("#campaign-detail", ContentSwitcher).current = "keys-view"
        self.query_one(KeysView).show_report(event.sending_id, event.report)

    @on(EventsView.Back)
    def _back(self) -> None:
        self.query_one("#campaign-detail", ContentSwitcher).current = "sending-summary"
        self.query_one(CampaignTable).focus()
