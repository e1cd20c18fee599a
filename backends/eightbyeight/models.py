"""8x8 SMS Engage survey batch models: a batch, its messages and template, and its result.

Apart from the client (`backends/eightbyeight/client.py`) so the base interface can name them in
`Backend.send_survey_batch` without importing a provider module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from backends.models.common import RecipientResult, SendResult


@dataclass(frozen=True)
class SurveyTemplate:
    """The batch-wide `template` block: defaults for messages that leave a field out."""

    template_body: str
    source: str | None = None
    encoding: str | None = None
    scheduled: datetime | None = None
    expiry: datetime | None = None
    dlr_callback_url: str | None = None


@dataclass(frozen=True)
class SurveyMessage:
    """One survey SMS of a batch; unset fields fall back to the batch template."""

    destination: str
    country: str | None = None
    template_body: str | None = None
    template_variables: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    client_message_id: str | None = None
    encoding: str | None = None
    scheduled: datetime | None = None
    expiry: datetime | None = None
    dlr_callback_url: str | None = None


@dataclass(frozen=True)
class SurveyBatch:
    """Up to 10,000 survey messages sent in one request."""

    survey_id: str
    messages: tuple[SurveyMessage, ...]
    template: SurveyTemplate | None = None
    client_batch_id: str | None = None
    # Without per-message results the engine cannot tell recipients apart; keep it on.
    include_messages: bool = True
    # None: the account's subaccount_id option.
    sub_account_id: str | None = None


@dataclass(frozen=True)
class SurveyRecipientResult(RecipientResult):
    """A recipient's result with 8x8's status code, detected encoding and client id."""

    status: str = ""
    encoding: str | None = None
    client_message_id: str | None = None


@dataclass(frozen=True)
class SurveyBatchResult(SendResult):
    """The answer to a survey batch; `results[i]` is the outcome of `messages[i]`."""

    results: tuple[SurveyRecipientResult, ...]
    batch_id: str = ""
    client_batch_id: str | None = None
    accepted_count: int = 0
    rejected_count: int = 0

    @property
    def accepted(self) -> int:
        """Messages 8x8 queued (its own count, also without per-message results)."""
        return self.accepted_count

    @property
    def rejected(self) -> int:
        """Messages 8x8 rejected."""
        return self.rejected_count
