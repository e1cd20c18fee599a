"""The provider-neutral backend interface.

The UI and CLI ask `Backend.supports(...)` before showing a control or a command; they
never look at provider names. Every method not overridden raises `NotSupported`.

A provider's capabilities are derived, never declared: `CAPABILITY_METHODS` names the
methods each capability needs, and a provider class has the capability iff it overrides
all of them. Overriding only some of them is refused when the class is created, so an
advertised capability never reaches a stub and an implemented one is never hidden.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType, TracebackType
from typing import ClassVar

import httpx

from backends.api_lists import ListsApi
from backends.api_reports import ReportsApi
from backends.api_send import SendApi
from backends.errors import NotSupported
from backends.http import HttpClient, paginate
from backends.models import (
    AccountInfo,
    ChatMessage,
    Contact,
    ContactFilter,
    ContactInput,
    Conversation,
    ConversationMessages,
    Group,
    Otp,
    OtpCheck,
    Page,
    SendResult,
    SmsMessage,
    SmsRequest,
)
from backends.models_eightbyeight import SurveyBatch, SurveyBatchResult
from backends.models_surveys import DocumentRequest, SentRequest, SurveySend, SurveySendResult
from backends.models_xerochat import (
    FlowAnswers,
    FlowCampaign,
    Label,
    Package,
    Subscriber,
    SystemUser,
    UserInput,
)


class Capability(StrEnum):
    """Things a provider can do; the UI shows only what a backend implements."""

    ACCOUNT = "account"
    SMS = "sms"
    SMS_STATUS = "sms-status"
    OTP = "otp"
    CONTACTS = "contacts"
    GROUPS = "groups"
    # Listing pages of contacts/groups; some providers (XeroChat) only create/update/delete.
    CONTACTS_LISTING = "contacts-listing"
    WHATSAPP_CONVERSATIONS = "whatsapp-conversations"
    MAILING = "mailing"
    VOICE = "voice"
    VOICE_AUDIO = "voice-audio"
    LANDING_SMS = "landing-sms"
    WHATSAPP_TEMPLATES = "whatsapp-templates"
    SCHEDULED = "scheduled"
    CAMPAIGNS = "campaigns"
    REPORTS = "reports"
    CERTIFICATES = "certificates"
    BLACKLIST = "blacklist"
    EMAIL_VALIDATION = "email-validation"
    TEMPLATES = "templates"
    FORMS = "forms"
    SHORTENER = "shortener"
    IMAGES = "images"
    COVERAGE = "coverage"
    SURVEYS = "surveys"
    DOCUMENT_REQUESTS = "document-requests"
    SURVEY_BATCH = "survey-batch"
    FLOWS = "flows"
    LABELS = "labels"
    SUBSCRIBERS = "subscribers"
    USERS = "users"


# The methods a provider must override to have each capability. Methods built on these
# (the `iter_*` pagers, `sms_certificate`/`mail_certificate`) come with them.
CAPABILITY_METHODS: Mapping[Capability, tuple[str, ...]] = MappingProxyType(
    {
        Capability.ACCOUNT: ("account",),
        Capability.SMS: ("send_sms",),
        Capability.SMS_STATUS: ("sms_status",),
        Capability.OTP: ("otp_generate", "otp_check"),
        Capability.CONTACTS: ("contact", "create_contact", "update_contact", "delete_contact"),
        Capability.GROUPS: ("group", "create_group", "update_group", "delete_group"),
        Capability.CONTACTS_LISTING: ("contacts_page", "groups_page"),
        Capability.WHATSAPP_CONVERSATIONS: (
            "conversations_page",
            "conversation",
            "conversation_messages",
            "reply",
        ),
        Capability.MAILING: ("send_mailing",),
        Capability.VOICE: ("send_voice",),
        Capability.VOICE_AUDIO: ("send_voice_audio",),
        Capability.LANDING_SMS: ("send_landing",),
        Capability.WHATSAPP_TEMPLATES: ("send_whatsapp_template",),
        Capability.SCHEDULED: (
            "scheduled_list",
            "scheduled_update",
            "scheduled_update_all",
            "scheduled_delete",
            "scheduled_delete_all",
        ),
        Capability.CAMPAIGNS: ("campaigns",),
        Capability.REPORTS: ("sending_events", "sending_keys"),
        Capability.CERTIFICATES: ("certificate",),
        Capability.BLACKLIST: ("blacklist_list", "blacklist_add", "blacklist_remove"),
        Capability.EMAIL_VALIDATION: (
            "validations_list",
            "validation",
            "validation_result",
            "validation_create",
            "validation_delete",
        ),
        Capability.TEMPLATES: (
            "templates_list",
            "template",
            "template_create",
            "template_update",
            "template_delete",
            "template_preview",
        ),
        Capability.FORMS: (
            "forms_list",
            "form",
            "form_create",
            "form_update",
            "form_delete",
            "form_preview",
        ),
        Capability.SHORTENER: ("shorten",),
        Capability.IMAGES: ("image_generate",),
        Capability.COVERAGE: ("coverage", "coverage_by_country"),
        Capability.SURVEYS: ("send_survey",),
        Capability.DOCUMENT_REQUESTS: ("send_request",),
        Capability.SURVEY_BATCH: ("send_survey_batch",),
        Capability.FLOWS: ("flow_campaigns", "flow_campaign", "flow_answers"),
        Capability.LABELS: ("labels", "create_label", "assign_labels"),
        Capability.SUBSCRIBERS: ("subscriber",),
        Capability.USERS: ("system_user", "create_system_user", "update_system_user", "packages"),
    }
)


@dataclass(frozen=True)
class AccountField:
    """A non-secret account setting a provider needs besides the base URL."""

    name: str
    label: str
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Connection:
    """Where and as whom to connect; the secret never appears in a repr."""

    base_url: str
    username: str = ""
    secret: str = field(default="", repr=False)
    options: Mapping[str, str] = field(default_factory=dict)


class Backend(SendApi, ListsApi, ReportsApi):
    """Base class of every provider client.

    Subclasses set the class-level metadata and override the methods of the
    capabilities they offer; `capabilities` is derived from those overrides.
    """

    provider: ClassVar[str]
    label: ClassVar[str]
    default_base_url: ClassVar[str]
    # Set for every subclass by __init_subclass__ from what it overrides; never declared.
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
                "methods it overrides (CAPABILITY_METHODS)"
            )
        offered: set[Capability] = set()
        for capability, names in CAPABILITY_METHODS.items():
            done = [name for name in names if cls.implements(name)]
            if len(done) == len(names):
                offered.add(capability)
            elif done and "provider" in cls.__dict__:
                # A provider class (the one the registry lists) must offer a capability
                # whole; partial mixins (e.g. 360nrs's per-area classes) are checked
                # through the class that combines them.
                missing = ", ".join(name for name in names if name not in done)
                raise TypeError(
                    f"{cls.__name__} implements part of {capability.value!r}; missing: {missing}"
                )
        cls.capabilities = frozenset(offered)

    @classmethod
    def implements(cls, method: str) -> bool:
        """Whether this class overrides one of the base's capability methods."""
        return getattr(cls, method) is not getattr(Backend, method)

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

    def _unsupported(self, what: str) -> NotSupported:
        return NotSupported(f"{self.label} does not support {what}")

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

    # --- account -------------------------------------------------------------------
    async def account(self) -> AccountInfo:
        """The account's identity and balance.

        Raises:
            AuthError: credentials refused.
        """
        raise self._unsupported("account information")

    # --- sending -------------------------------------------------------------------
    async def send_sms(self, request: SmsRequest) -> SendResult:
        """Send one SMS request (one or many recipients).

        Returns:
            Per-recipient results (a 207 answer is applied per recipient).
        Raises:
            BadRequest: the whole request was refused, with the provider's code.
        """
        raise self._unsupported("SMS")

    async def sms_status(self, ids: list[str]) -> list[SmsMessage]:
        """Sent messages by id, with their events."""
        raise self._unsupported("SMS status")

    # --- OTP -----------------------------------------------------------------------
    async def otp_generate(
        self,
        recipient: str,
        *,
        length: int | None = None,
        alpha: bool | None = None,
        max_attempts: int | None = None,
        validity: int | None = None,
        app_id: str | None = None,
        reject_if_pending: bool | None = None,
    ) -> Otp:
        """Generate a code for a phone number or email."""
        raise self._unsupported("OTP")

    async def otp_check(
        self,
        recipient: str,
        code: str,
        *,
        app_id: str | None = None,
        case_sensitive: bool | None = None,
    ) -> OtpCheck:
        """Check a code; the result says valid or why not."""
        raise self._unsupported("OTP")

    # --- contacts and groups -------------------------------------------------------
    async def contacts_page(
        self,
        page: int = 1,
        *,
        limit: int = 100,
        filters: ContactFilter | None = None,
        include_details: bool = False,
    ) -> Page[Contact]:
        """One page of contacts matching the filters."""
        raise self._unsupported("listing contacts")

    async def iter_contacts(
        self, *, filters: ContactFilter | None = None, limit: int = 1000
    ) -> AsyncIterator[Contact]:
        """Every contact matching the filters, page by page."""
        async for contact in paginate(
            lambda page: self.contacts_page(page, limit=limit, filters=filters)
        ):
            yield contact

    async def contact(self, contact_id: int) -> Contact:
        """One contact with its custom fields and groups."""
        raise self._unsupported("contacts")

    async def create_contact(self, data: ContactInput) -> Contact:
        """Create a contact."""
        raise self._unsupported("contacts")

    async def update_contact(self, contact_id: int, data: ContactInput) -> Contact:
        """Change a contact's fields (all of them if `contact_update_replaces`)."""
        raise self._unsupported("contacts")

    async def delete_contact(self, contact_id: int) -> None:
        """Delete a contact."""
        raise self._unsupported("contacts")

    async def groups_page(self, page: int = 1, *, limit: int = 100) -> Page[Group]:
        """One page of groups."""
        raise self._unsupported("listing contact groups")

    async def iter_groups(self, *, limit: int = 1000) -> AsyncIterator[Group]:
        """Every group."""
        async for group in paginate(lambda page: self.groups_page(page, limit=limit)):
            yield group

    async def group(self, group_id: int) -> Group:
        """One group."""
        raise self._unsupported("groups")

    async def create_group(self, name: str) -> Group:
        """Create a group."""
        raise self._unsupported("groups")

    async def update_group(self, group_id: int, name: str) -> Group:
        """Rename a group."""
        raise self._unsupported("groups")

    async def delete_group(self, group_id: int) -> None:
        """Delete a group."""
        raise self._unsupported("groups")

    # --- WhatsApp conversations ----------------------------------------------------
    async def conversations_page(
        self,
        page: int = 1,
        *,
        limit: int = 100,
        sender: str | None = None,
        recipient: str | None = None,
    ) -> Page[Conversation]:
        """One page of WhatsApp conversations, optionally filtered."""
        raise self._unsupported("WhatsApp conversations")

    async def conversation(self, sender: str, recipient: str) -> Conversation:
        """One conversation with its session state."""
        raise self._unsupported("WhatsApp conversations")

    async def conversation_messages(
        self, sender: str, recipient: str, *, page: int = 1, limit: int = 100
    ) -> ConversationMessages:
        """A page of a conversation's messages."""
        raise self._unsupported("WhatsApp conversations")

    async def reply(self, sender: str, recipient: str, content: str) -> ChatMessage | None:
        """Send a free-text message inside an active 24-hour session.

        Returns the sent message when the provider's answer carries one, else None.
        """
        raise self._unsupported("WhatsApp conversations")

    # --- surveys and document requests ---------------------------------------------
    async def send_survey(self, send: SurveySend) -> SurveySendResult:
        """Send a survey to contacts through the account's collector; counts and rejects."""
        raise self._unsupported("surveys")

    async def send_request(self, request: DocumentRequest) -> SentRequest:
        """Send a document/information request for a campaign to a contact."""
        raise self._unsupported("document requests")

    # --- survey batches, flows, labels, subscribers, users (8x8, XeroChat) --------------
    async def send_survey_batch(self, batch: SurveyBatch) -> SurveyBatchResult:
        """Send one batch of survey SMS; `results[i]` is the outcome of `messages[i]`."""
        raise self._unsupported("survey batches")

    async def flow_campaigns(self) -> list[FlowCampaign]:
        """Every flow campaign (without questions)."""
        raise self._unsupported("flow campaigns")

    async def flow_campaign(self, flow_id: int) -> FlowCampaign:
        """One flow campaign with its questions."""
        raise self._unsupported("flow campaigns")

    async def flow_answers(self, flow_id: int, *, subscriber_id: str | None = None) -> FlowAnswers:
        """A flow's answers: every subscriber's, or one subscriber's."""
        raise self._unsupported("flow campaigns")

    async def labels(self, page_id: str) -> list[Label]:
        """A bot page's subscriber labels."""
        raise self._unsupported("labels")

    async def create_label(self, page_id: str, name: str) -> Label:
        """Create a label on a bot page."""
        raise self._unsupported("labels")

    async def assign_labels(self, page_id: str, subscriber_id: str, label_ids: list[str]) -> None:
        """Put labels on a subscriber."""
        raise self._unsupported("labels")

    async def subscriber(self, subscriber_id: str) -> Subscriber:
        """One subscriber's information."""
        raise self._unsupported("subscribers")

    async def system_user(self, *, user_id: int | None = None, email: str = "") -> SystemUser:
        """One platform user, by id or email (admin)."""
        raise self._unsupported("user management")

    async def create_system_user(self, data: UserInput) -> SystemUser:
        """Create a platform user (admin)."""
        raise self._unsupported("user management")

    async def update_system_user(self, user_id: int, data: UserInput) -> SystemUser:
        """Change a platform user (admin)."""
        raise self._unsupported("user management")

    async def packages(self) -> list[Package]:
        """The platform's packages (admin)."""
        raise self._unsupported("user management")
