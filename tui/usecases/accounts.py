"""Accounts: checking that an account's settings and secret work, for the CLI and the console.

Adding and removing accounts (config.toml and the keyring) is `tui.workspace.Workspace`;
this is what a user does with an account once it is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backends.base import Backend, Capability
from backends.capabilities import AccountApi
from backends.models.common import AccountInfo

NO_ACCOUNT_ENDPOINT = "no account endpoint"


@dataclass(frozen=True)
class AccountCheck:
    """What a test of an account found: who we are and the balance, or why it cannot tell.

    `info` is None when the provider has no read-only account endpoint (Xebo, Collect,
    8x8): the settings are stored but can only be proved by sending.
    """

    name: str
    label: str
    info: AccountInfo | None

    @property
    def tested(self) -> bool:
        """Whether the provider was asked (an account endpoint exists)."""
        return self.info is not None

    def balance_text(self) -> str:
        """The balance with its currency, or 'unknown'."""
        if self.info is None or self.info.balance is None:
            return "unknown"
        return f"{self.info.balance:,.2f} {self.info.currency}".rstrip()

    def summary(self) -> str:
        """One line for a person."""
        if self.info is None:
            return (
                f"{self.name}: {self.label} has no account endpoint; the settings are "
                "stored but cannot be checked without sending."
            )
        return f"{self.name}: OK, logged in as {self.info.username}; balance {self.balance_text()}"

    def to_json(self) -> dict[str, Any]:
        """The one JSON shape of an account test."""
        if self.info is None:
            return {"name": self.name, "tested": False, "reason": NO_ACCOUNT_ENDPOINT}
        info = self.info
        return {
            "name": self.name,
            "tested": True,
            "username": info.username,
            "balance": info.balance,
            "currency": info.currency,
            "email": info.email,
            "country": info.country,
            "timezone": info.timezone,
            "language": info.language,
            "created_at": info.created_at.isoformat() if info.created_at else None,
        }


async def check_account(name: str, backend: Backend) -> AccountCheck:
    """Ask the provider who we are (raises the provider's error when it refuses)."""
    if not backend.supports(Capability.ACCOUNT):
        return AccountCheck(name, backend.label, None)
    info = await backend.capability(AccountApi).account()
    return AccountCheck(name, backend.label, info)
