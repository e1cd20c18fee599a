"""Accounts: list, add (secret masked), test with balance, remove, open the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from backends.errors import ConfigError, SwitchboardError
from backends.providers import PROVIDER_INFO, provider_info
from screens.widgets.common import (
    BaseScreen,
    ConfirmModal,
    WorkerErrors,
    describe_error,
    log_shown,
    sb_app,
)
from screens.widgets.keys import std_key
from tui.config import Account, validate_account

if TYPE_CHECKING:
    from backends.models.common import AccountInfo


def plain(text: str) -> Text:
    """A table cell shown as written: an account's settings are no markup (a username
    with '[' or ':' was read as a style or an emoji), and the console's first frame does
    not load Rich's markup and emoji tables for them (4 ms)."""
    return Text(text, no_wrap=True, end="")


@dataclass(frozen=True)
class AddedAccount:
    """What the add-account dialog returns once the account is stored."""

    name: str
    where: str


class AddAccountModal(WorkerErrors, ModalScreen[AddedAccount | None]):
    """Ask for an account's settings and its secret (masked), and store them.

    The dialog stores the account itself, so a refusal (no keyring, a name taken) is shown
    in it with everything typed kept, instead of closing and losing the form."""

    @dataclass
    class Stored(Message):
        """The account's settings and secret are stored."""

        added: AddedAccount

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def compose(self) -> ComposeResult:
        providers = sorted(PROVIDER_INFO)
        with VerticalScroll(classes="dialog-body form"):
            yield Label("Add account", classes="dialog-title")
            yield Label("Provider")
            yield Select(
                [(PROVIDER_INFO[p].label, p) for p in providers],
                value=providers[0],
                allow_blank=False,
                id="provider",
            )
            yield Label("Name")
            yield Input(placeholder="e.g. production", id="name")
            yield Label("Base URL")
            yield Input(id="base-url")
            yield Label("Username", id="username-label")
            yield Input(id="username")
            yield Vertical(id="extra-fields")
            yield Label("Secret", id="secret-label")
            yield Input(password=True, id="secret")
            yield Static("", id="form-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._show_provider(str(self.query_one("#provider", Select).value))
        self.query_one("#name", Input).focus()

    @on(Select.Changed, "#provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        self._show_provider(str(event.value))

    def _show_provider(self, provider: str) -> None:
        cls = provider_info(provider)
        self.query_one("#base-url", Input).value = cls.default_base_url
        needs_user = cls.needs_username
        self.query_one("#username", Input).display = needs_user
        self.query_one("#username-label", Label).display = needs_user
        self.query_one("#secret-label", Label).update(cls.secret_label)
        extra = self.query_one("#extra-fields", Vertical)
        extra.remove_children()
        for f in cls.extra_fields:
            extra.mount(Label(f.label + ("" if f.required else " (optional)")))
            extra.mount(Input(placeholder=f.help, id=f"opt-{f.name}", classes="extra-field"))

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def _save(self) -> None:
        provider = str(self.query_one("#provider", Select).value)
        cls = provider_info(provider)
        options = {
            f.name: self._value(f"#opt-{f.name}")
            for f in cls.extra_fields
            if self._value(f"#opt-{f.name}")
        }
        account = Account(
            name=self._value("#name"),
            provider=provider,
            base_url=self._value("#base-url"),
            username=self._value("#username") if cls.needs_username else "",
            options=options,
        )
        secret = self.query_one("#secret", Input).value
        error = self.query_one("#form-error", Static)
        try:
            validate_account(account)
        except ConfigError as exc:
            error.update(exc.message)
            return
        if not secret:
            error.update(f"{cls.secret_label} is required.")
            return
        error.update("")
        self.query_one("#save", Button).disabled = True
        self.store(account, secret)

    @work(group="add-account", exclusive=True, exit_on_error=False)
    async def store(self, account: Account, secret: str) -> None:
        """Store the secret in the keyring and the settings in the config file."""
        where = await sb_app(self).workspace.add_account(account, secret)
        self.post_message(self.Stored(AddedAccount(account.name, where)))

    @on(Stored)
    def _stored(self, event: Stored) -> None:
        self.dismiss(event.added)

    def worker_failed(self, error: BaseException) -> None:
        """A refusal the operator can fix is shown in the dialog, which stays open."""
        self.query_one("#save", Button).disabled = False
        if isinstance(error, SwitchboardError):
            title, message = describe_error(error)
            log_shown(title, message)
            self.query_one("#form-error", Static).update(f"{title}: {message}")
            return
        super().worker_failed(error)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without adding."""
        self.dismiss(None)


class AccountsScreen(BaseScreen):
    """Every account with its provider and balance."""

    TITLE = "Accounts"

    BINDINGS = [
        std_key("new", "add", "Add"),
        Binding("t", "test", "Test"),
        std_key("open", "use", "Use", show=False),
        Binding("u", "use", "Use"),
        std_key("delete", "remove", "Remove"),
        Binding("s", "sandbox", "Sandbox"),
    ]

    @dataclass
    class Tested(Message):
        """An account answered (info) or failed (error)."""

        name: str
        info: AccountInfo | None
        error: str | None = None
        note: str | None = None

    @dataclass
    class Changed(Message):
        """Accounts were added or removed."""

        select: str | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Vertical(id="accounts-body"):
            yield Static(
                "No accounts yet. Add one with your provider's API credentials, or open the "
                "built-in sandbox to try the console with demo data.",
                id="empty-hint",
            )
            yield DataTable(id="accounts-table", cursor_type="row", zebra_stripes=True)
            with Horizontal(classes="button-row"):
                yield Button("Add account", id="add", variant="primary")
                yield Button("Test", id="test")
                yield Button("Use", id="use")
                yield Button("Remove", id="remove", variant="error")
                yield Button("Open the sandbox", id="sandbox")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Balance and Status before the long Base URL: at 80 columns they were off-screen.
        table.add_column(plain("Name"), key="name")
        table.add_column(plain("Provider"), key="provider")
        table.add_column(plain("Balance"), key="balance")
        table.add_column(plain("Status"), key="status")
        table.add_column(plain("Username"), key="username")
        table.add_column(plain("Base URL"), key="base_url")
        self.refresh_accounts()
        # Textual may still call an init=False watcher once when the app's reactives are
        # initialised after this mount; the version guard keeps that from testing twice.
        self._seen_version = sb_app(self).accounts_version
        self.watch(sb_app(self), "active_account", self._active_changed, init=False)
        self.watch(sb_app(self), "accounts_version", self._accounts_changed, init=False)

    def _accounts_changed(self, version: int) -> None:
        if version == self._seen_version:
            return
        self._seen_version = version
        self.refresh_accounts(select=sb_app(self).active_account)

    def _active_changed(self, active: str | None) -> None:
        table = self.query_one(DataTable)
        for key in table.rows:
            name = str(key.value)
            table.update_cell(key, "name", plain(("● " if name == active else "  ") + name))

    def refresh_accounts(self, select: str | None = None) -> None:
        """Redraw the table from the workspace; balances are fetched again."""
        app = sb_app(self)
        table = self.query_one(DataTable)
        table.clear()
        try:
            accounts = app.workspace.accounts()
        except ConfigError as exc:
            app.show_error(exc)
            accounts = {}
        for account in accounts.values():
            marker = "● " if account.name == app.active_account else "  "
            table.add_row(
                plain(marker + account.name),
                plain(provider_info(account.provider).label),
                plain("…"),
                plain("sandbox (in memory)" if account.ephemeral else ""),
                plain(account.username),
                plain(account.base_url),
                key=account.name,
            )
        has_accounts = bool(accounts)
        self.query_one("#empty-hint").display = not has_accounts
        for button in ("#test", "#use", "#remove"):
            self.query_one(button, Button).disabled = not has_accounts
        self.query_one("#sandbox", Button).display = not app.sandboxes
        if select in accounts:
            table.move_cursor(row=table.get_row_index(select))
        for name in accounts:
            self.test_account(name)

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    @work(group="accounts", exit_on_error=False)
    async def test_account(self, name: str) -> None:
        """Fetch an account's balance; the result comes back as a Tested message."""
        # The backends (httpx, every provider's client) load after the console's first
        # frame, which lists the accounts without them.
        await sb_app(self).first_frame_drawn()
        from tui.usecases.accounts import check_account

        try:
            check = await check_account(name, await sb_app(self).backend(name))
        except Exception as exc:
            title, message = describe_error(exc)
            log_shown(title, message)
            self.post_message(self.Tested(name, None, f"{title}: {message}"))
            return
        note = None if check.tested else "no balance endpoint"
        self.post_message(self.Tested(name, check.info, note=note))

    @on(Tested)
    def _tested(self, event: Tested) -> None:
        table = self.query_one(DataTable)
        if event.name not in table.rows:
            return
        if event.info is not None:
            info = event.info
            balance = "—" if info.balance is None else f"{info.balance:,.2f} {info.currency}"
            table.update_cell(event.name, "balance", plain(balance), update_width=True)
            table.update_cell(event.name, "status", plain("OK"), update_width=True)
        elif event.note:
            table.update_cell(event.name, "balance", plain("—"))
            table.update_cell(event.name, "status", plain(event.note), update_width=True)
        else:
            table.update_cell(event.name, "balance", plain("—"))
            status = plain(event.error or "failed")
            table.update_cell(event.name, "status", status, update_width=True)

    @on(Changed)
    def _changed(self, event: Changed) -> None:
        sb_app(self).accounts_changed(select=event.select)

    @on(Button.Pressed, "#add")
    def action_add(self) -> None:
        """Open the add-account dialog."""
        self.app.push_screen(AddAccountModal(), self._add_result)

    def _add_result(self, result: AddedAccount | None) -> None:
        if result is not None:
            self.post_message(self.Changed(select=result.name))
            self.app.notify(f"Added account {result.name}; {result.where}.")

    @on(Button.Pressed, "#test")
    def action_test(self) -> None:
        """Test the selected account."""
        name = self._selected()
        if name:
            self.query_one(DataTable).update_cell(name, "status", plain("testing…"))
            self.test_account(name)

    @on(Button.Pressed, "#use")
    def action_use(self) -> None:
        """Make the selected account the active one."""
        name = self._selected()
        if name:
            sb_app(self).active_account = name
            self.app.notify(f"Active account: {name}")

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_use()

    @on(Button.Pressed, "#remove")
    def action_remove(self) -> None:
        """Remove the selected account after confirmation."""
        name = self._selected()
        if not name:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.remove_account(name)

        self.app.push_screen(
            ConfirmModal(f"Remove account {name!r} and its stored secret?", yes_label="Remove"),
            confirmed,
        )

    @work(group="accounts-write", exit_on_error=False)
    async def remove_account(self, name: str) -> None:
        """Remove an account and its secret."""
        await sb_app(self).workspace.remove_account(name)
        self.post_message(self.Changed())
        self.app.notify(f"Removed account {name}.")

    @on(Button.Pressed, "#sandbox")
    def action_sandbox(self) -> None:
        """Start the built-in sandbox and use its demo account."""
        if sb_app(self).sandboxes:
            self.app.notify("The sandbox is already running.")
            return
        self.start_sandbox()

    @work(group="sandbox", exit_on_error=False)
    async def start_sandbox(self) -> None:
        """Start the emulators off the UI thread, then select the sandbox account."""
        await sb_app(self).open_sandbox()
        self.app.notify("Sandbox started on 127.0.0.1 with demo data.")
