"""The accounts a user works with, shared by the CLI and the console.

Combines the config file, the secret store and in-memory (ephemeral) accounts such as
the sandbox, and opens connected backends for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from backends.errors import ConfigError
from tui.config import Account, Config, ConfigStore, validate_account
from tui.errors import SecretStoreError
from tui.secrets import SecretStore, env_var_name, shared_variables, sharing_text

if TYPE_CHECKING:
    import httpx

    from backends.base import Backend

# The [settings] key of the default account, shared by the CLI and the console.
DEFAULT_ACCOUNT = "account"

# A string: the CLI's commands that never open a backend start without loading httpx.
TransportFactory = Callable[[Account], "httpx.AsyncBaseTransport | None"]


class Workspace:
    """Accounts from the config file plus ephemeral ones, with their secrets."""

    def __init__(
        self,
        config_dir: Path,
        *,
        secrets: SecretStore | None = None,
        transport_factory: TransportFactory | None = None,
    ) -> None:
        self.store = ConfigStore(config_dir)
        self.secrets = secrets or SecretStore()
        self._ephemeral: dict[str, Account] = {}
        # Tests route an account's traffic into an in-process sandbox app.
        self._transport_factory = transport_factory

    def load(self) -> Config:
        """The config file's contents (ConfigError if it is broken)."""
        return self.store.load()

    def accounts(self) -> dict[str, Account]:
        """Every account: ephemeral ones first, then the config file's."""
        accounts = {**self._ephemeral, **self.load().accounts}
        # Kept current with every read: a variable two accounts share is used for neither.
        shared = shared_variables(accounts)
        self.secrets.ambiguous = frozenset(n for names in shared.values() for n in names)
        return accounts

    def shared_secret_variables(self) -> list[str]:
        """One sentence per secret variable that several accounts share (none: [])."""
        return [
            sharing_text(var, names) for var, names in shared_variables(self.accounts()).items()
        ]

    def check_new_name(self, name: str) -> None:
        """ConfigError if an account by this name, or one sharing its secret variable, exists."""
        accounts = self.accounts()
        if name in accounts:
            raise ConfigError(f"an account named {name!r} already exists")
        var = env_var_name(name)
        for other in accounts:
            if env_var_name(other) == var:
                raise ConfigError(
                    f"account {name!r} would share the secret variable {var} with account "
                    f"{other!r}: names that differ only in case or punctuation cannot be told "
                    "apart there; choose another name"
                )

    def account(self, name: str) -> Account:
        """One account by name, or ConfigError listing the known names."""
        accounts = self.accounts()
        if name not in accounts:
            known = ", ".join(sorted(accounts)) or "none configured"
            raise ConfigError(f"no account named {name!r} (accounts: {known})")
        return accounts[name]

    def default_account(self) -> str | None:
        """The account commands use without -a and the console opens on (`account use`),
        if it still exists."""
        name = self.store.setting(DEFAULT_ACCOUNT)
        return name if isinstance(name, str) and name in self.accounts() else None

    def use_account(self, name: str) -> None:
        """Make a configured account the default (ConfigError if there is none by that
        name; a sandbox account lives only as long as its process, so it is not saved)."""
        if self.account(name).ephemeral:
            return
        if self.store.setting(DEFAULT_ACCOUNT) != name:
            self.store.set_setting(DEFAULT_ACCOUNT, name)

    def add_ephemeral(self, account: Account, secret: str) -> Account:
        """Add an account held in memory only, with its secret."""
        account = validate_account(replace(account, ephemeral=True))
        self._ephemeral[account.name] = account
        self.secrets.remember(account.name, secret)
        return account

    async def add_account(self, account: Account, secret: str) -> str:
        """Store the secret in the keyring, then the settings; says where the secret lives."""
        validate_account(account)
        self.check_new_name(account.name)
        # Check the config can be written before touching the keyring.
        self.store.load()
        if self.secrets.from_environment(account.name) and self.secrets.keyring_problem():
            # No keyring here, but the environment already provides the secret.
            self.store.add_account(account)
            return f"secret read from {env_var_name(account.name)} (not stored)"
        await self.secrets.aset(account.name, secret)
        try:
            self.store.add_account(account)
        except BaseException:
            await self.secrets.adelete(account.name)
            raise
        return "secret stored in the OS keyring"

    async def remove_account(self, name: str) -> None:
        """Remove an account's secret, then its settings.

        In that order: a keyring that refuses (locked, no daemon) leaves the account as it
        was, listed and still removable, instead of a secret no account names any more.
        """
        if name in self._ephemeral:
            del self._ephemeral[name]
            await self.secrets.adelete(name)
            return
        if name not in self.load().accounts:
            raise ConfigError(f"no account named {name!r}")
        try:
            await self.secrets.adelete(name)
        except SecretStoreError as exc:
            raise SecretStoreError(f"account {name!r} was not removed: {exc}") from None
        self.store.remove_account(name)

    async def open(self, name: str) -> Backend:
        """A connected backend for an account (the caller closes it)."""
        # Here, not at the top: every backend and httpx load only when one is opened.
        from backends.base import Connection
        from backends.registry import create_backend

        account = self.account(name)
        secret = await self.secrets.aget(name)
        connection = Connection(
            base_url=account.base_url,
            username=account.username,
            secret=secret,
            options=dict(account.options),
        )
        transport = self._transport_factory(account) if self._transport_factory else None
        return create_backend(account.provider, connection, transport=transport)
