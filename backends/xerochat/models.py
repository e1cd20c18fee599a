"""Models of the chatbot-platform areas: system users, packages, subscribers, labels, flows.

XeroChat is the provider that documents these; contacts and groups map to the shared
`backends.models.common.Contact` and `Group` instead.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class SystemUser:
    """A user of the platform (managed by an admin)."""

    id: int
    name: str
    email: str
    mobile: str = ""
    address: str = ""
    user_type: str = ""
    active: bool = True
    package_id: int | None = None
    created_at: datetime | None = None
    last_login_at: datetime | None = None
    last_login_ip: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True)
class UserInput:
    """Fields to create or update a system user; None means 'not sent'."""

    name: str | None = None
    email: str | None = None
    password: str | None = None
    package_id: int | None = None
    expires_on: date | None = None
    mobile: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Package:
    """A subscription package of the platform."""

    id: int
    name: str
    module_ids: tuple[int, ...] = ()
    # Kept as the provider's decimal text: money must not pass through a float.
    price: str = "0"
    validity_days: int = 0
    deleted: bool = False
    visible: bool = True
    highlight: bool = False


@dataclass(frozen=True)
class Subscriber:
    """A Messenger subscriber of one of the account's bot pages."""

    id: str
    page_id: str
    page_name: str = ""
    first_name: str = ""
    last_name: str = ""
    full_name: str = ""
    email: str = ""
    phone: str = ""
    gender: str = ""
    locale: str = ""
    timezone: str = ""
    label_ids: tuple[str, ...] = ()
    unavailable: bool = False
    last_error_message: str = ""
    referrer_source: str = ""
    birthdate: date | None = None
    subscribed_at: datetime | None = None
    last_interaction_at: datetime | None = None


@dataclass(frozen=True)
class Label:
    """A subscriber label of a bot page."""

    id: str
    name: str


@dataclass(frozen=True)
class FlowCampaign:
    """A flow campaign (a questionnaire the bot walks subscribers through)."""

    id: int
    name: str
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlowAnswer:
    """One subscriber's answer to one question of a flow."""

    question_id: str
    question: str
    answer: str


@dataclass(frozen=True)
class SubscriberAnswers:
    """Every answer one subscriber gave in a flow."""

    subscriber_id: str
    answers: tuple[FlowAnswer, ...]


@dataclass(frozen=True)
class AnswerCount:
    """How many subscribers gave one answer."""

    answer: str
    count: int


@dataclass(frozen=True)
class QuestionSummary:
    """One question of a flow with its answers counted, most frequent first."""

    question_id: str
    question: str
    responses: int
    counts: tuple[AnswerCount, ...]


@dataclass(frozen=True)
class FlowAnswers:
    """A flow's answers, per subscriber (one subscriber or all of them)."""

    flow_id: int
    flow_name: str
    subscribers: tuple[SubscriberAnswers, ...]

    def summary(self) -> tuple[QuestionSummary, ...]:
        """Per question, in the order questions first appear, the answer counts."""
        texts: dict[str, str] = {}
        counters: dict[str, Counter[str]] = {}
        for subscriber in self.subscribers:
            for a in subscriber.answers:
                texts.setdefault(a.question_id, a.question)
                counters.setdefault(a.question_id, Counter())[a.answer] += 1
        # Answers are counted as given: multiple-choice answers arrive as one
        # comma-joined string, and splitting it would also split free text with commas.
        return tuple(
            QuestionSummary(
                question_id=qid,
                question=texts[qid],
                responses=sum(counter.values()),
                counts=tuple(
                    AnswerCount(answer, n)
                    for answer, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
                ),
            )
            for qid, counter in counters.items()
        )

    def summary_for(self, questions: Sequence[str]) -> tuple[QuestionSummary, ...]:
        """Every question of the flow in its order, answered or not, then any other answered.

        The flow's info names its questions by text only (no ids), so they are matched by
        text. Two questions may share a text, so each text keeps a queue of its answered
        questions (in answer order) and each flow question takes one; a dict keyed by text
        would lose all but one of them. An unanswered question has no id and no counts.
        """
        summary = self.summary()
        pending: dict[str, deque[QuestionSummary]] = {}
        for q in summary:
            pending.setdefault(q.question, deque()).append(q)
        ordered = [
            pending[text].popleft() if pending.get(text) else QuestionSummary("", text, 0, ())
            for text in questions
        ]
        taken = {id(q) for q in ordered}
        return (*ordered, *(q for q in summary if id(q) not in taken))
