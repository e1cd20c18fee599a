"""Emulator state of lists: blacklist, email validations, templates, forms.

Email validations progress with the injected clock, never with wall time or a background
task: a job is "pending" for `START_DELAY`, then "started" while it checks
`EMAILS_PER_SECOND`, then "finished" (or "failed" when there was nothing to check). The
state is derived again on every read (`advance`), so tests move a fake clock and look.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

#: A queued validation waits this long before it starts.
START_DELAY = timedelta(seconds=5)
EMAILS_PER_SECOND = 5
#: Price per checked email, as in the reference's examples (1 email: 0.0035 EUR).
EMAIL_CHECK_COST = 0.0035
FAILED_MESSAGE = "Failed to process email validation"
# Mailbox names that accept anything or go to a team: typical "risky" addresses.
_ROLE_ACCOUNTS = frozenset({"info", "admin", "sales", "contact", "support", "noreply", "hello"})

Clock = Callable[[], datetime]


def normalise_recipient(kind: str, recipient: str) -> str:
    """The form a recipient is stored and compared in: emails lower-case, phones without +."""
    recipient = recipient.strip()
    return recipient.lower() if kind == "mailing" else recipient.lstrip("+")


@dataclass
class BlacklistEntry:
    """A blacklisted recipient; definitive entries (hard bounces, complaints) stay forever."""

    type: str
    recipient: str
    created_at: datetime
    is_definitive: bool = False
    sending_id: int | None = None
    campaign_name: str | None = None


@dataclass
class Validation:
    """An email validation job; status fields are refreshed by `ListsState.advance`."""

    id: int
    emails: list[str]
    verdicts: dict[str, str]
    allow_risky: bool
    notification_url: str | None
    created_at: datetime
    status: str = "pending"
    processed: int = 0
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    error: str = ""

    @property
    def total(self) -> int:
        """Emails to check."""
        return len(self.emails)

    @property
    def estimated_cost(self) -> float:
        """What the job will cost when finished."""
        return round(self.total * EMAIL_CHECK_COST, 4)

    @property
    def valid(self) -> int:
        """Deliverable emails among those processed."""
        return sum(1 for e in self.emails[: self.processed] if self.verdicts[e] == "deliverable")

    def starts_at(self) -> datetime:
        """When the job leaves the queue."""
        return self.created_at + START_DELAY

    def ends_at(self) -> datetime:
        """When the last email will have been checked."""
        seconds = max(1, math.ceil(self.total / EMAILS_PER_SECOND))
        return self.starts_at() + timedelta(seconds=seconds)


@dataclass
class Template:
    """An HTML template of the legacy (v1) or current (v2) editor."""

    id: int
    name: str
    html: str
    created_at: datetime
    updated_at: datetime | None = None
    type: str = "HTML"


@dataclass
class Form:
    """A web form with its elements exactly as they were sent."""

    id: int
    name: str
    fields: list[dict[str, object]]
    created_at: datetime
    updated_at: datetime | None = None
    editable: bool = True
    reject_button: bool = False
    background_url: str | None = None
    logo_url: str | None = None

    @property
    def placeholder(self) -> str:
        """What a message contains to link this form."""
        return f"{{FORM_{self.id}}}"


@dataclass
class _Ids:
    next: int = 1

    def take(self) -> int:
        self.next += 1
        return self.next - 1


class ListsState:
    """Blacklists per type (sms, mailing, voice), validations, templates and forms."""

    def __init__(self) -> None:
        self.blacklist: dict[str, dict[str, BlacklistEntry]] = {
            "sms": {},
            "mailing": {},
            "voice": {},
        }
        self.validations: dict[int, Validation] = {}
        self.templates: dict[int, dict[int, Template]] = {1: {}, 2: {}}
        self.forms: dict[int, Form] = {}
        #: Emails checked by a finished validation, with their verdict (for `force`).
        self.verified: dict[str, str] = {}
        self.seeded = False
        self._clock: Clock | None = None
        self._salt = 0
        self._validation_ids = _Ids()
        self._template_ids = {1: _Ids(), 2: _Ids()}
        self._form_ids = _Ids()

    # --- blacklist -------------------------------------------------------------------
    def is_blacklisted(self, kind: str, recipient: str) -> bool:
        """Whether a recipient is on the blacklist of a type (sms, mailing or voice)."""
        self.advance()  # a validation may just have blacklisted risky emails
        return normalise_recipient(kind, recipient) in self.blacklist.get(kind, {})

    def blacklist_add(
        self,
        kind: str,
        recipient: str,
        now: datetime,
        *,
        definitive: bool = False,
        sending_id: int | None = None,
        campaign_name: str | None = None,
    ) -> BlacklistEntry:
        """Blacklist a recipient; an existing entry is kept as it was."""
        key = normalise_recipient(kind, recipient)
        entries = self.blacklist[kind]
        if key not in entries:
            entries[key] = BlacklistEntry(
                kind, key, now, definitive, sending_id=sending_id, campaign_name=campaign_name
            )
        return entries[key]

    # --- email validation ------------------------------------------------------------
    def verdict(self, email: str) -> str:
        """The deterministic verdict for an email (same seed, same answer)."""
        local, _, domain = email.lower().partition("@")
        if "." not in domain or domain.endswith((".invalid", ".test")):
            return "undeliverable"
        if local in _ROLE_ACCOUNTS:
            return "risky"
        digest = hashlib.sha256(f"{self._salt}:{email.lower()}".encode()).digest()
        roll = digest[0] % 100
        return "deliverable" if roll < 80 else "undeliverable" if roll < 92 else "risky"

    def new_validation(
        self,
        emails: list[str],
        now: datetime,
        *,
        allow_risky: bool,
        notification_url: str | None,
    ) -> Validation:
        """Queue a validation of these (already de-duplicated) emails."""
        job = Validation(
            id=self._validation_ids.take(),
            emails=emails,
            verdicts={e: self.verdict(e) for e in emails},
            allow_risky=allow_risky,
            notification_url=notification_url,
            created_at=now,
            updated_at=now,
        )
        self.validations[job.id] = job
        return job

    def advance(self, now: datetime | None = None) -> None:
        """Bring every validation's status up to `now` (the clock's time by default)."""
        if now is None:
            if self._clock is None:
                return
            now = self._clock()
        for job in self.validations.values():
            if job.status in ("finished", "failed") or now < job.starts_at():
                continue
            if job.total == 0:
                # Nothing to check (empty groups, or every email checked before).
                job.status, job.error = "failed", FAILED_MESSAGE
                job.updated_at = job.starts_at()
                continue
            if now < job.ends_at():
                job.status = "started"
                elapsed = (now - job.starts_at()).total_seconds()
                job.processed = min(job.total, int(elapsed * EMAILS_PER_SECOND))
                job.updated_at = now
                continue
            self._finish(job)

    def _finish(self, job: Validation) -> None:
        job.status, job.processed = "finished", job.total
        job.updated_at = job.finished_at = job.ends_at()
        for email, verdict in job.verdicts.items():
            self.verified[email.lower()] = verdict
            # Per the reference, unless allowRisky, risky emails go to the blacklist.
            if verdict == "risky" and not job.allow_risky:
                self.blacklist_add("mailing", email, job.ends_at())

    # --- templates and forms ---------------------------------------------------------
    def new_template(self, version: int, name: str, html: str, now: datetime) -> Template:
        """Store a template of editor `version` (1 or 2)."""
        template = Template(self._template_ids[version].take(), name, html, now, now)
        self.templates[version][template.id] = template
        return template

    def new_form(self, name: str, fields: list[dict[str, object]], now: datetime) -> Form:
        """Store a form (settings are applied by the caller)."""
        form = Form(self._form_ids.take(), name, fields, now, now)
        self.forms[form.id] = form
        return form

    def form_by_name(self, name: str) -> Form | None:
        """The form with this name (names are unique, compared case-insensitively)."""
        return next((f for f in self.forms.values() if f.name.lower() == name.lower()), None)

    # --- demo data -------------------------------------------------------------------
    def seed(self, rng: random.Random, clock: Clock) -> None:
        """Attach the clock and add the demo data, relative to the clock's now (once)."""
        self._clock = clock
        if self.seeded:
            return
        self.seeded = True
        self._salt = rng.getrandbits(32)
        now = clock()
        _seed_blacklist(self, rng, now)
        _seed_validations(self, now)
        _seed_templates(self, now)
        _seed_forms(self, now)


def _seed_blacklist(state: ListsState, rng: random.Random, now: datetime) -> None:
    def ago() -> datetime:
        return now - timedelta(days=rng.randint(1, 200), minutes=rng.randint(0, 1439))

    # Numbers in the 99 range never belong to a real subscriber (see the reference's own).
    for number, sending, campaign in (
        ("99000000001", 100_017, "Spring sale"),
        ("99000000002", 100_017, "Spring sale"),
        ("99000000003", None, None),
    ):
        state.blacklist_add("sms", number, ago(), sending_id=sending, campaign_name=campaign)
    state.blacklist_add("sms", "99000000004", ago(), definitive=True)
    state.blacklist_add("voice", "99000000005", ago())
    state.blacklist_add("mailing", "bounced@example.invalid", ago(), definitive=True)
    state.blacklist_add(
        "mailing", "unsubscribed@example.com", ago(), sending_id=100_021, campaign_name="Newsletter"
    )


def _seed_validations(state: ListsState, now: datetime) -> None:
    done = [
        "ana.garcia@example.com",
        "info@example.org",
        "john.smith@example.net",
        "nobody@example.invalid",
        "lucia.martin@example.com",
    ]
    old = state.new_validation(
        done, now - timedelta(days=3), allow_risky=False, notification_url=None
    )
    state.advance(old.ends_at())
    # Created just now, so a demo shows it go pending -> started -> finished.
    fresh = ["paula.ruiz@example.com", "sales@example.net", "marta.lopez@example.org"]
    state.new_validation(fresh, now, allow_risky=True, notification_url=None)


_HTML_V1 = (
    ("Welcome", "<h1>Welcome, {name}!</h1><p>Thanks for joining us.</p>"
     '<p><a href="[unsubscribe_link]">Unsubscribe</a></p>'),
    ("Monthly newsletter", "<h1>News for {name}</h1><p>What happened this month.</p>"
     '<p><a href="[show_link]">View in your browser</a></p>'),
    ("Satisfaction survey", "<p>Hello {name}, tell us how we did:</p>"
     '<p><a href="[form_1]">Answer the survey</a></p>'),
)  # fmt: skip
_HTML_V2 = (
    ("Order shipped", "<h1>Your order is on its way</h1><p>Hi {name}, it ships today.</p>"),
    ("Appointment reminder", "<p>Hi {name}, see you tomorrow at {time}.</p>"
     '<p><a href="[form_2]">Change the appointment</a></p>'),
    ("Invoice available", "<p>Dear {name}, your invoice is attached.</p>"
     '<p><a href="[attachment_1]">Download</a></p>'),
)  # fmt: skip


def _seed_templates(state: ListsState, now: datetime) -> None:
    for version, rows in ((1, _HTML_V1), (2, _HTML_V2)):
        for index, (name, html) in enumerate(rows):
            created = now - timedelta(days=90 - 20 * index + 30 * (2 - version))
            template = state.new_template(version, name, html, created)
            # Only some templates were ever edited, as in the reference (updatedAt null).
            template.updated_at = created + timedelta(days=3) if index == 1 else None


def _seed_forms(state: ListsState, now: datetime) -> None:
    survey: list[dict[str, object]] = [
        {"type": "h3", "label": "Your opinion is very important to us"},
        {"type": "text", "label": "Name", "required": True, "customField": "form_name"},
        {"type": "email", "label": "Email", "required": True, "customField": "form_email"},
        {
            "type": "radio",
            "label": "How satisfied are you with our service?",
            "required": True,
            "customField": "form_satisfaction",
            "options": [
                {"label": "Very satisfied", "value": "10"},
                {"label": "Neither satisfied nor dissatisfied", "value": "6"},
                {"label": "Very dissatisfied", "value": "2"},
            ],
        },
        {"type": "textarea", "label": "Anything else?", "customField": "form_comments", "rows": 3},
    ]
    booking: list[dict[str, object]] = [
        {"type": "h2", "label": "Change your appointment"},
        {"type": "date", "label": "New date", "required": True, "customField": "appointment"},
        {
            "type": "select",
            "label": "Preferred time",
            "customField": "appointment_slot",
            "options": [
                {"label": "Morning", "value": "am"},
                {"label": "Afternoon", "value": "pm"},
            ],
        },
        {"type": "checkbox", "label": "Remind me by SMS", "customField": "sms_reminder"},
    ]
    first = state.new_form("Satisfaction survey", survey, now - timedelta(days=60))
    first.reject_button = True
    first.updated_at = None
    second = state.new_form("Appointment change", booking, now - timedelta(days=20))
    second.editable = False
    second.updated_at = None
