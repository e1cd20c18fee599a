"""Capability interfaces: Contacts, groups, their listings, blacklists and email validation."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from typing import ClassVar

from backends.capabilities.kinds import Capability
from backends.http import paginate
from backends.models.common import (
    Contact,
    ContactFilter,
    ContactInput,
    Group,
    Page,
)
from backends.models.lists import (
    BlacklistEntry,
    BlacklistKind,
    EmailValidation,
    ValidationResult,
)


class ContactsApi(ABC):
    """Capability.CONTACTS."""

    offers: ClassVar[Capability] = Capability.CONTACTS
    what: ClassVar[str] = "contacts"

    @abstractmethod
    async def contact(self, contact_id: int) -> Contact:
        """One contact with its custom fields and groups."""

    @abstractmethod
    async def create_contact(self, data: ContactInput) -> Contact:
        """Create a contact."""

    @abstractmethod
    async def update_contact(self, contact_id: int, data: ContactInput) -> Contact:
        """Change a contact's fields (all of them if `contact_update_replaces`)."""

    @abstractmethod
    async def delete_contact(self, contact_id: int) -> None:
        """Delete a contact."""


class GroupsApi(ABC):
    """Capability.GROUPS."""

    offers: ClassVar[Capability] = Capability.GROUPS
    what: ClassVar[str] = "groups"

    @abstractmethod
    async def group(self, group_id: int) -> Group:
        """One group."""

    @abstractmethod
    async def create_group(self, name: str) -> Group:
        """Create a group."""

    @abstractmethod
    async def update_group(self, group_id: int, name: str) -> Group:
        """Rename a group."""

    @abstractmethod
    async def delete_group(self, group_id: int) -> None:
        """Delete a group."""


class ContactsListingApi(ABC):
    """Capability.CONTACTS_LISTING."""

    offers: ClassVar[Capability] = Capability.CONTACTS_LISTING
    what: ClassVar[str] = "listing contact groups or contacts"

    @abstractmethod
    async def contacts_page(
        self,
        page: int = 1,
        *,
        limit: int = 100,
        filters: ContactFilter | None = None,
        include_details: bool = False,
    ) -> Page[Contact]:
        """One page of contacts matching the filters."""

    @abstractmethod
    async def groups_page(self, page: int = 1, *, limit: int = 100) -> Page[Group]:
        """One page of groups."""

    async def iter_contacts(
        self, *, filters: ContactFilter | None = None, limit: int = 1000
    ) -> AsyncIterator[Contact]:
        """Every contact matching the filters, page by page."""
        async for contact in paginate(
            lambda page: self.contacts_page(page, limit=limit, filters=filters)
        ):
            yield contact

    async def iter_groups(self, *, limit: int = 1000) -> AsyncIterator[Group]:
        """Every group."""
        async for group in paginate(lambda page: self.groups_page(page, limit=limit)):
            yield group


class BlacklistApi(ABC):
    """Capability.BLACKLIST."""

    offers: ClassVar[Capability] = Capability.BLACKLIST
    what: ClassVar[str] = "blacklists"

    @abstractmethod
    async def blacklist_list(
        self,
        kind: BlacklistKind,
        *,
        page: int = 1,
        limit: int = 100,
        recipient: str | None = None,
        sending_id: int | None = None,
    ) -> Page[BlacklistEntry]:
        """One page of a channel's blacklist, optionally filtered by recipient or sending.

        Raises:
            ValueError: `kind` is not sms, mailing or voice.
        """

    @abstractmethod
    async def blacklist_add(self, kind: BlacklistKind, recipient: str) -> BlacklistEntry:
        """Add one recipient to a channel's blacklist (adding it twice is harmless)."""

    @abstractmethod
    async def blacklist_remove(self, kind: BlacklistKind, recipient: str) -> None:
        """Remove one recipient from a channel's blacklist.

        Raises:
            NotFound: the recipient is not on that blacklist.
        """

    async def iter_blacklist(
        self,
        kind: BlacklistKind,
        *,
        recipient: str | None = None,
        sending_id: int | None = None,
        limit: int = 1000,
    ) -> AsyncIterator[BlacklistEntry]:
        """Every entry of a channel's blacklist matching the filters, page by page."""
        async for entry in paginate(
            lambda page: self.blacklist_list(
                kind, page=page, limit=limit, recipient=recipient, sending_id=sending_id
            )
        ):
            yield entry


class EmailValidationApi(ABC):
    """Capability.EMAIL_VALIDATION."""

    offers: ClassVar[Capability] = Capability.EMAIL_VALIDATION
    what: ClassVar[str] = "email validation"

    @abstractmethod
    async def validations_list(
        self, *, page: int = 1, limit: int | None = None
    ) -> Page[EmailValidation]:
        """One page of email validation jobs."""

    @abstractmethod
    async def validation(self, validation_id: int) -> EmailValidation:
        """One validation job with its progress."""

    @abstractmethod
    async def validation_result(self, validation_id: int) -> ValidationResult:
        """The per-email verdicts of a finished validation (CSV text and parsed rows).

        Raises:
            NotFound: unknown id, or the validation has not finished yet.
            MalformedResponse: the CSV could not be read.
        """

    @abstractmethod
    async def validation_create(
        self,
        *,
        emails: Sequence[str] = (),
        group_ids: Sequence[int] = (),
        force: bool | None = None,
        allow_risky: bool | None = None,
        notification_url: str | None = None,
    ) -> EmailValidation:
        """Queue a validation of emails and/or contact groups; it starts as "pending".

        Raises:
            ValueError: neither emails nor groups were given.
            BadRequest: the provider refused the request (422 field errors, 109 bad URL).
        """

    @abstractmethod
    async def validation_delete(self, validation_id: int) -> None:
        """Delete a validation job from the list."""

    async def iter_validations(self) -> AsyncIterator[EmailValidation]:
        """Every email validation job."""
        async for item in paginate(lambda page: self.validations_list(page=page)):
            yield item
