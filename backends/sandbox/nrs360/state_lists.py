"""Emulator state of lists: blacklist, email validations, templates, forms."""

from __future__ import annotations


class ListsState:
    """Blacklists per type (sms, mailing, voice), validations, templates and forms."""

    def __init__(self) -> None:
        self.blacklist: dict[str, dict[str, object]] = {"sms": {}, "mailing": {}, "voice": {}}

    def is_blacklisted(self, kind: str, recipient: str) -> bool:
        """Whether a recipient is on the blacklist of a type (sms, mailing or voice)."""
        return recipient in self.blacklist.get(kind, {})
