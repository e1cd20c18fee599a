"""Capability interfaces: surveys, document requests and batches, flows, labels, users."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from backends.capabilities.kinds import Capability
from backends.eightbyeight.models import SurveyBatch, SurveyBatchResult
from backends.models.surveys import DocumentRequest, SentRequest, SurveySend, SurveySendResult
from backends.xerochat.models import (
    FlowAnswers,
    FlowCampaign,
    Label,
    Package,
    Subscriber,
    SystemUser,
    UserInput,
)


class SurveysApi(ABC):
    """Capability.SURVEYS."""

    offers: ClassVar[Capability] = Capability.SURVEYS
    what: ClassVar[str] = "surveys"

    @abstractmethod
    async def send_survey(self, send: SurveySend) -> SurveySendResult:
        """Send a survey to contacts through the account's collector; counts and rejects."""


class DocumentRequestsApi(ABC):
    """Capability.DOCUMENT_REQUESTS."""

    offers: ClassVar[Capability] = Capability.DOCUMENT_REQUESTS
    what: ClassVar[str] = "document requests"

    @abstractmethod
    async def send_request(self, request: DocumentRequest) -> SentRequest:
        """Send a document/information request for a campaign to a contact."""


class SurveyBatchApi(ABC):
    """Capability.SURVEY_BATCH."""

    offers: ClassVar[Capability] = Capability.SURVEY_BATCH
    what: ClassVar[str] = "survey batches"

    @abstractmethod
    async def send_survey_batch(self, batch: SurveyBatch) -> SurveyBatchResult:
        """Send one batch of survey SMS; `results[i]` is the outcome of `messages[i]`."""


class FlowsApi(ABC):
    """Capability.FLOWS."""

    offers: ClassVar[Capability] = Capability.FLOWS
    what: ClassVar[str] = "flow campaigns"

    @abstractmethod
    async def flow_campaigns(self) -> list[FlowCampaign]:
        """Every flow campaign (without questions)."""

    @abstractmethod
    async def flow_campaign(self, flow_id: int) -> FlowCampaign:
        """One flow campaign with its questions."""

    @abstractmethod
    async def flow_answers(self, flow_id: int, *, subscriber_id: str | None = None) -> FlowAnswers:
        """A flow's answers: every subscriber's, or one subscriber's."""


class LabelsApi(ABC):
    """Capability.LABELS."""

    offers: ClassVar[Capability] = Capability.LABELS
    what: ClassVar[str] = "labels"

    @abstractmethod
    async def labels(self, page_id: str) -> list[Label]:
        """A bot page's subscriber labels."""

    @abstractmethod
    async def create_label(self, page_id: str, name: str) -> Label:
        """Create a label on a bot page."""

    @abstractmethod
    async def assign_labels(self, page_id: str, subscriber_id: str, label_ids: list[str]) -> None:
        """Put labels on a subscriber."""


class SubscribersApi(ABC):
    """Capability.SUBSCRIBERS."""

    offers: ClassVar[Capability] = Capability.SUBSCRIBERS
    what: ClassVar[str] = "subscribers"

    @abstractmethod
    async def subscriber(self, subscriber_id: str) -> Subscriber:
        """One subscriber's information."""


class UsersApi(ABC):
    """Capability.USERS."""

    offers: ClassVar[Capability] = Capability.USERS
    what: ClassVar[str] = "user management"

    @abstractmethod
    async def system_user(self, *, user_id: int | None = None, email: str = "") -> SystemUser:
        """One platform user, by id or email (admin)."""

    @abstractmethod
    async def create_system_user(self, data: UserInput) -> SystemUser:
        """Create a platform user (admin)."""

    @abstractmethod
    async def update_system_user(self, user_id: int, data: UserInput) -> SystemUser:
        """Change a platform user (admin)."""

    @abstractmethod
    async def packages(self) -> list[Package]:
        """The platform's packages (admin)."""
