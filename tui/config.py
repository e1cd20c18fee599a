"""Account settings (never secrets) in a TOML file, written atomically.

A file that cannot be parsed is reported with its path and the parser's message and is
never overwritten: the user fixes or moves it, nothing is lost.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli_w

from backends.errors import ConfigError
from backends.providers import provider_info
from tui.files import write_atomic

CONFIG_FILE = "config.toml"
NOTES_FILE = "notes.txt"
# The file is rewritten whole from what was parsed, so a comment in it does not survive a
# change: its first lines say so, and where notes belong. Chosen over keeping comments with
# tomlkit: a new dependency whose import took 20-60 ms here (tomli-w: 5-20 ms) and a
# document model to edit in place instead of the plain tables this module validates.
HEADER = f"""\
# Written by Switchboard: rewritten whole whenever an account or a setting changes
# (`switchboard account add|use|remove`, the console's Accounts screen and settings),
# so comments in this file are not kept. Keep notes in {NOTES_FILE} beside it.

"""
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Account:
    """One provider account; `ephemeral` accounts (the sandbox) are never written."""

    name: str
    provider: str
    base_url: str
    username: str = ""
    options: Mapping[str, str] = field(default_factory=dict)
    ephemeral: bool = False

    def to_toml(self) -> dict[str, Any]:
        """The account's table in the config file."""
        out: dict[str, Any] = {"provider": self.provider, "base_url": self.base_url}
        if self.username:
            out["username"] = self.username
        if self.options:
            out["options"] = dict(self.options)
        return out


def validate_name(name: str) -> str:
    """The name, or ConfigError saying what a valid name looks like."""
    if not NAME_RE.match(name):
        raise ConfigError(
            f"invalid account name {name!r}: use letters, digits, '.', '_' or '-' "
            "(up to 64 characters, starting with a letter or digit)"
        )
    return name


def validate_account(account: Account) -> Account:
    """The account, or ConfigError naming the first problem."""
    validate_name(account.name)
    info = provider_info(account.provider)
    if not re.match(r"^https?://[^\s/]+", account.base_url):
        raise ConfigError(
            f"account {account.name!r}: base URL must start with http:// or https:// "
            f"(got {account.base_url!r})"
        )
    if info.needs_username and not account.username:
        raise ConfigError(f"account {account.name!r}: {info.label} needs a username")
    for f in info.extra_fields:
        if f.required and not account.options.get(f.name):
            raise ConfigError(f"account {account.name!r}: {info.label} needs {f.label}")
    return account


def _parse_account(name: str, table: Any, path: Path) -> Account:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [accounts.{name}] must be a table")
    try:
        options = table.get("options", {})
        if not isinstance(options, dict):
            raise ConfigError(f"{path}: [accounts.{name}.options] must be a table")
        account = Account(
            name=name,
            provider=str(table["provider"]),
            base_url=str(table["base_url"]),
            username=str(table.get("username", "")),
            options={str(k): str(v) for k, v in options.items()},
        )
    except KeyError as exc:
        raise ConfigError(f"{path}: account {name!r} is missing {exc.args[0]!r}") from None
    try:
        return validate_account(account)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc.message}") from None


@dataclass
class Config:
    """Everything in the config file; unknown top-level tables are kept as they were."""

    accounts: dict[str, Account] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


class ConfigStore:
    """Reads and atomically writes the config file in one directory."""

    def __init__(self, directory: Path) -> None:
        # Each change reads, edits and replaces the whole file: one at a time, or two
        # threads (a setting saved while an account is added) lose one of the changes.
        self._changing = threading.RLock()
        self.directory = directory
        self.path = directory / CONFIG_FILE

    def load(self) -> Config:
        """The config, an empty one if the file does not exist, or ConfigError."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Config()
        except OSError as exc:
            raise ConfigError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{self.path} is not valid TOML ({exc}). Fix or move the file; "
                "Switchboard will not overwrite it."
            ) from None
        accounts_raw = data.pop("accounts", {})
        if not isinstance(accounts_raw, dict):
            raise ConfigError(f"{self.path}: 'accounts' must be a table")
        settings = data.pop("settings", {})
        if not isinstance(settings, dict):
            raise ConfigError(f"{self.path}: 'settings' must be a table")
        accounts = {n: _parse_account(n, t, self.path) for n, t in accounts_raw.items()}
        return Config(accounts=accounts, settings=settings, extra=data)

    def save(self, config: Config) -> None:
        """Write the config atomically (temp file, fsync, rename); ephemeral accounts skipped."""
        # Refuse to replace a file we could not read: that would lose the user's data.
        if self.path.exists():
            self.load()
        doc: dict[str, Any] = dict(config.extra)
        if config.settings:
            doc["settings"] = config.settings
        doc["accounts"] = {a.name: a.to_toml() for a in config.accounts.values() if not a.ephemeral}
        payload = (HEADER + tomli_w.dumps(doc)).encode("utf-8")
        self.directory.mkdir(parents=True, exist_ok=True)
        # fsync: the accounts must survive a power cut; 0600 before it takes the name.
        write_atomic(self.path, payload, fsync=True, mode=0o600)

    def setting(self, key: str, default: Any = None) -> Any:
        """A console preference from the [settings] table (default if unset or unreadable)."""
        try:
            return self.load().settings.get(key, default)
        except ConfigError:
            return default  # the broken file is reported where accounts are read

    def set_setting(self, key: str, value: Any) -> None:
        """Store a console preference (atomically, like the rest of the file)."""
        with self._changing:
            config = self.load()
            config.settings[key] = value
            self.save(config)

    def add_account(self, account: Account, *, replace_existing: bool = False) -> Config:
        """Validate and store an account; ConfigError if the name is taken."""
        validate_account(account)
        with self._changing:
            config = self.load()
            if account.name in config.accounts and not replace_existing:
                raise ConfigError(f"an account named {account.name!r} already exists")
            config.accounts[account.name] = replace(account, ephemeral=False)
            self.save(config)
        return config

    def remove_account(self, name: str) -> Config:
        """Remove an account; ConfigError if there is none by that name."""
        with self._changing:
            config = self.load()
            if name not in config.accounts:
                raise ConfigError(f"no account named {name!r}")
            del config.accounts[name]
            self.save(config)
        return config
