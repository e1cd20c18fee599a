"""Coverage tab: SMS prices by country, searched as you type; a country's networks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from backends.capabilities import CoverageApi
from backends.models.reports import CountryPrice, NetworkPrice
from screens.reports.common import ReportsPane
from screens.widgets.common import sb_app


def search(prices: list[CountryPrice], text: str) -> list[CountryPrice]:
    """Countries whose name contains the text, or whose ISO code is it."""
    needle = text.strip().casefold()
    if not needle:
        return prices
    return [
        p
        for p in prices
        if needle in p.country_name.casefold() or needle == p.country_iso.casefold()
    ]


def price_range(p: CountryPrice) -> tuple[str, str]:
    """Lowest and highest price, with the currency symbol when the provider gave one."""
    unit = p.currency_symbol or p.currency
    return f"{p.min_cost:.4f} {unit}", f"{p.max_cost:.4f} {unit}"


class CoveragePane(ReportsPane):
    """Countries and their SMS price ranges; Enter on one lists its networks' prices."""

    LOADING: ClassVar[dict[str, str]] = {
        "reports-coverage": "#countries-table",
        "reports-networks": "#networks-table",
    }

    @dataclass
    class Loaded(Message):
        """The provider listed the countries it covers."""

        prices: list[CountryPrice]

    @dataclass
    class NetworksLoaded(Message):
        """The provider listed one country's networks."""

        country: str
        networks: list[NetworkPrice]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.prices: list[CountryPrice] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filter-row"):
            yield Input(placeholder="search: country name or ISO code", id="coverage-search")
            yield Static("", id="coverage-count")
        with Horizontal(id="coverage-body"):
            yield DataTable(id="countries-table", zebra_stripes=True, cursor_type="row")
            with Vertical(id="networks-side"):
                yield Static("Enter on a country lists its networks.", id="networks-title")
                yield DataTable(id="networks-table", zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        countries = self.query_one("#countries-table", DataTable)
        countries.add_columns("ISO", "Country", "Networks", "From", "To")
        self.query_one("#networks-table", DataTable).add_columns("Network", "MCC", "MNC", "Price")

    def reload(self) -> None:
        """Fetch the countries again."""
        self.query_one("#networks-table", DataTable).clear()
        self.load()

    @work(group="reports-coverage", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        """List SMS prices by country."""
        backend = await sb_app(self).backend()
        self.post_message(self.Loaded(await backend.capability(CoverageApi).coverage_by_country()))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.prices = sorted(event.prices, key=lambda p: p.country_name)
        self._refilter()

    @on(Input.Changed, "#coverage-search")
    def _refilter(self) -> None:
        found = search(self.prices, self.query_one("#coverage-search", Input).value)
        table = self.query_one("#countries-table", DataTable)
        table.clear()
        for p in found:
            low, high = price_range(p)
            table.add_row(
                p.country_iso, p.country_name, str(len(p.networks)), low, high, key=p.country_iso
            )
        self.query_one("#coverage-count", Static).update(
            f"{len(found)} of {len(self.prices)} countries"
        )

    @on(Input.Submitted, "#coverage-search")
    def _focus_table(self) -> None:
        self.query_one("#countries-table", DataTable).focus()

    @on(DataTable.RowSelected, "#countries-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.load_networks(event.row_key.value)

    @work(group="reports-networks", exclusive=True, exit_on_error=False)
    async def load_networks(self, country: str) -> None:
        """List one country's networks and their prices."""
        backend = await sb_app(self).backend()
        self.post_message(
            self.NetworksLoaded(country, await backend.capability(CoverageApi).coverage(country))
        )

    @on(NetworksLoaded)
    def _networks_loaded(self, event: NetworksLoaded) -> None:
        table = self.query_one("#networks-table", DataTable)
        table.clear()
        for n in event.networks:
            unit = n.currency_symbol or n.currency
            table.add_row(n.network, n.mcc, n.mnc or "", f"{n.cost:.4f} {unit}")
        name = event.networks[0].country_name if event.networks else event.country
        self.query_one("#networks-title", Static).update(
            f"{len(event.networks)} networks in {name} ({event.country})"
        )
