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


def choices(answer: str) -> list[str]:
    """The options of a multiple-choice answer: XeroChat sends them as one text joined by
    ", " ("Reading, Traveling, Watching Movies" in its get_all_subscriber_flow_info example)."""
    return [part.strip() for part in answer.split(",") if part.strip()]


def multiple_choice(answers: Sequence[str]) -> bool:
    """Whether a question's answers are picks from a set of options.

    The reference marks no question as multiple-choice, and a free-text answer may hold a
    comma ("Nothing, all good"), so a comma alone does not split an answer. The question
    counts as multiple-choice when some answer joins several options and one of them is
    also part of another, different answer (alone or joined): options recur, free text
    rarely repeats a comma-separated part word for word.
    """
    distinct = set(answers)
    holding: Counter[str] = Counter()
    for answer in distinct:
        holding.update(set(choices(answer)))
    return any(
        len(parts) > 1 and any(holding[p] > 1 for p in parts)
        for parts in (choices(a) for a in distinct)
    )


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
        """Per question, in the order questions first appear, the answer counts: a
        multiple-choice answer counts once for each option the respondent picked, and
        `responses` is the respondents who answered (shares may then add up past 100%)."""
        texts: dict[str, str] = {}
        given: dict[str, list[str]] = {}
        for subscriber in self.subscribers:
            for a in subscriber.answers:
                texts.setdefault(a.question_id, a.question)
                given.setdefault(a.question_id, []).append(a.answer)
        out = []
        for qid, answers in given.items():
            several = multiple_choice(answers)
            counter: Counter[str] = Counter()
            for answer in answers:
                # A set: an option named twice in one answer is still one pick.
                counter.update(set(choices(answer)) if several else (answer,))
            counts = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
            out.append(
                QuestionSummary(
                    question_id=qid,
                    question=texts[qid],
                    responses=len(answers),
                    counts=tuple(AnswerCount(answer, n) for answer, n in counts),
                )
            )
        return tuple(out)

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
