"""The provider-neutral backend: account metadata, connection, and the capability check.

What a provider can do is the capability interfaces it inherits (`backends.capabilities`:
SmsApi, ContactsApi, ...); its `capabilities` are derived from them, so nothing is declared
twice and there are no stubs. The UI and CLI ask `Backend.supports(...)` before showing a
control or a command, and narrow with `backend.capability(SmsApi)` (NotSupported when the
provider lacks it) before calling; they never look at provider names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import ClassVar, TypeVar, cast

import httpx

from backends.capabilities import INTERFACES
from backends.capabilities import Capability as Capability
from backends.errors import NotSupported
from backends.http import HttpClient
from backends.providers import PROVIDER_INFO, AccountField


@dataclass(frozen=True)
class Connection:
    """Where and as whom to connect; the secret never appears in a repr."""

    base_url: str
    username: str = ""
    secret: str = field(default="", repr=False)
    options: Mapping[str, str] = field(default_factory=dict)


_T = TypeVar("_T")


class Backend:
    """Base class of every provider client.

    Subclasses set the class-level metadata and override the methods of the
    capabilities they offer; `capabilities` is derived from those overrides.
    """

    provider: ClassVar[str]
    label: ClassVar[str]
    default_base_url: ClassVar[str]
    # Set for every subclass by __init_subclass__ from the interfaces it inherits.
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    # Whether the account needs a username besides the secret.
    needs_username: ClassVar[bool] = True
    secret_label: ClassVar[str] = "API secret"
    extra_fields: ClassVar[tuple[AccountField, ...]] = ()
    # Contact rules a provider adds to "an email or a number, and a group to create", so
    # callers can refuse input before a round trip. Whether a phone or landline needs a
    # two-letter country code with it:
    contact_number_needs_country: ClassVar[bool] = False
    # Whether an update replaces the contact, needing what a create needs, rather than
    # changing only the fields given:
    contact_update_replaces: ClassVar[bool] = False
    # What a contact holds, so forms offer only that: its fields (ContactInput's names),
    # whether custom fields, whether groups can be named (or only given by id), whether a
    # contact is in exactly one group, and whether an update can change its groups.
    contact_fields: ClassVar[tuple[str, ...]] = (
        "name",
        "surname",
        "email",
        "phone",
        "landline",
        "country",
        "external_id",
    )
    contact_custom_fields: ClassVar[bool] = True
    contact_group_names: ClassVar[bool] = True
    contact_one_group: ClassVar[bool] = False
    contact_groups_movable: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "capabilities" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} declares capabilities; they are derived from the "
                "capability interfaces it inherits (backends.capabilities)"
            )
        cls.capabilities = frozenset(c for c, api in INTERFACES.items() if issubclass(cls, api))
        # A provider's account metadata has one source, read without loading its client.
        info = PROVIDER_INFO.get(cls.__dict__.get("provider", ""))
        if info is not None:
            cls.label = info.label
            cls.default_base_url = info.default_base_url
            cls.needs_username = info.needs_username
            cls.secret_label = info.secret_label
            cls.extra_fields = info.extra_fields

    def capability(self, api: Callable[..., _T]) -> _T:
        """This backend as one of its capability interfaces, or NotSupported."""
        # Callable, not type[_T]: mypy refuses an abstract class where type[_T] is expected.
        if not isinstance(self, cast(type, api)):
            what = getattr(api, "what", getattr(api, "__name__", "it"))
            raise NotSupported(f"{self.label} does not support {what}")
        return cast(_T, self)

    def __init__(
        self, connection: Connection, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.connection = connection
        self.http = self._make_http(connection, transport)

    def _make_http(
        self, connection: Connection, transport: httpx.AsyncBaseTransport | None
    ) -> HttpClient:
        """The account's HTTP client; subclasses choose the auth."""
        raise NotImplementedError

    @classmethod
    def supports(cls, capability: Capability) -> bool:
        """Whether this provider offers a capability."""
        return capability in cls.capabilities

    async def aclose(self) -> None:
        """Release the connection pool."""
        await self.http.aclose()

    async def __aenter__(self) -> Backend:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
