"""Survey sends (Xebo) and document requests (Collect), once for both front ends.

`switchboard survey send` and the Surveys screen's Xebo form read their contacts with
`read_contacts` (typed addresses, JSON objects, a CSV or JSON file: one set of rules for
kinds of address and repeats), ask the question `survey_question` words as the one
confirmation policy says, then `create_survey` and `run_survey`: the send is a journaled
job (channel "survey", tui.engine.survey_send) with progress, a pause when the provider
refuses the account (401/402/403), resumable with `switchboard jobs resume` or the Jobs
screen, and UNKNOWN outcomes when a request may have left before a crash.
`survey_results` is the job's per-contact outcome in the one job-result shape
(tui.usecases.jobs).

`request send` and the Collect form turn their input into a RequestForm;
`document_request` checks it as the Collect reference wants and `send_request` sends it.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import orjson

from backends.base import Backend
from backends.capabilities import DocumentRequestsApi, SurveysApi
from backends.models.surveys import (
    ADDRESS_KEYS,
    DocumentRequest,
    NewRequestContact,
    RequestSample,
    SentRequest,
    SurveyContact,
    SurveyMedium,
    check_contacts,
    check_document_request,
    contact_from_row,
    unique_contacts,
)
from tui.dates import parse_optional
from tui.engine.journal import Journal
from tui.engine.journal_rows import State
from tui.engine.recipients import csv_rows
from tui.engine.sender import JobControl, Progress, run_job
from tui.engine.survey_send import create_survey_job
from tui.usecases.jobs import JobResult

# Per-contact outcomes a front end lists after a send; the journal holds everyone
# (`switchboard jobs export`).
SHOW_ROWS: Final = 1_000


class SurveyRefused(ValueError):
    """Input the checks refuse; its message is one line either front end shows."""


class NoContacts(SurveyRefused):
    """Nothing to send to (each front end says how to give contacts)."""


# --- contacts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactsInput:
    """Where a send's contacts come from: typed addresses (of the medium's kind), flat
    JSON objects (an address and respondent fields), and a file: a CSV with a header
    (email, mobile, other columns respondent fields) or, named *.json, a JSON array."""

    medium: SurveyMedium
    addresses: Sequence[str] = ()
    objects: Sequence[str] = ()
    file: Path | None = None


@dataclass(frozen=True)
class SurveyContacts:
    """Contacts ready to send: each address of the medium's kind, each address once."""

    medium: SurveyMedium
    contacts: tuple[SurveyContact, ...]
    repeated: int = 0  # contacts with an address given before, left out

    def __repr__(self) -> str:
        # Textual reprs a worker's arguments: never thousands of contacts.
        return f"SurveyContacts({self.medium.label}, {len(self.contacts)} contacts)"


def _contact(row: Mapping[str, Any], where: str) -> SurveyContact:
    """A contact from a flat object; an address must be text."""
    try:
        contact = contact_from_row(row)
    except ValueError as exc:
        raise SurveyRefused(f"{where}: {exc}") from None
    for key in ADDRESS_KEYS:
        value = getattr(contact, key)
        if value is not None and not isinstance(value, str):
            raise SurveyRefused(f"{where}: {key} must be a string")
    return contact


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SurveyRefused(f"cannot read {path}: {exc.strerror or exc}") from None


def _file_contacts(path: Path) -> list[SurveyContact]:
    path = path.expanduser()
    if path.suffix.lower() != ".json":
        # Data lines start at line 2, after the header.
        rows = read_csv_rows(path)
        return [_contact(r, f"{path} line {i}") for i, r in enumerate(rows, 2)]
    try:
        items = orjson.loads(_read(path))
    except orjson.JSONDecodeError as exc:
        raise SurveyRefused(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(items, list) or not all(isinstance(r, dict) for r in items):
        raise SurveyRefused(f"{path}: expected a JSON array of objects")
    return [_contact(r, f"{path} item {i}") for i, r in enumerate(items, 1)]


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file with a header (tui.engine.recipients.csv_rows: the
    separator sniffed, quoted cells may hold newlines); SurveyRefused naming the file."""
    path = path.expanduser()
    try:
        text = _read(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SurveyRefused(f"{path} is not UTF-8 text") from None
    try:
        return csv_rows(text)
    except ValueError as exc:
        raise SurveyRefused(f"{path}: {exc}") from None


def read_contacts(given: ContactsInput) -> SurveyContacts:
    """The contacts to send to, in the order given, each address once; SurveyRefused
    (NoContacts when there are none) naming what is wrong. Reads the file: call it off
    a console's UI loop."""
    medium = given.medium
    key = medium.address_key
    contacts = [
        SurveyContact(email=a.strip()) if key == "email" else SurveyContact(mobile=a.strip())
        for a in given.addresses
        if a.strip()
    ]
    for i, text in enumerate(given.objects, 1):
        try:
            row = orjson.loads(text)
        except orjson.JSONDecodeError:
            row = None
        if not isinstance(row, dict):
            raise SurveyRefused(f"contact #{i} is not a JSON object")
        contacts.append(_contact(row, f"contact #{i}"))
    if given.file is not None:
        contacts.extend(_file_contacts(given.file))
    if not contacts:
        raise NoContacts("no contacts")
    # An email typed for SMS is not a number (it was once sent as a mobile, and every
    # such entry counted as one "repeated address"): the kind must match the medium.
    try:
        check_contacts(contacts, medium)
    except ValueError as exc:
        raise SurveyRefused(str(exc)) from None
    unique, repeated = unique_contacts(contacts, medium)
    return SurveyContacts(medium, tuple(unique), repeated)


# --- the survey job ----------------------------------------------------------------------


def survey_question(found: SurveyContacts) -> str:
    """What to ask before sending (the policy says how: tui.usecases.confirm)."""
    n = len(found.contacts)
    question = f"Send the survey by {found.medium.label} to {n} contact(s)?"
    if found.repeated:
        question += f" ({found.repeated} repeated address(es) left out.)"
    return question


async def create_survey(
    journal: Journal, account: str, backend: Backend, found: SurveyContacts
) -> int:
    """Journal the send as a job (nothing is sent yet); its id. NotSupported, with nothing
    journaled, when the account does not send surveys."""
    backend.capability(SurveysApi)
    # Journaling thousands of rows takes a while: in a thread (a console's UI is here).
    return await asyncio.to_thread(
        create_survey_job, journal, account, backend.provider, found.medium, found.contacts
    )


def run_survey(
    journal: Journal,
    job_id: int,
    backend: Backend,
    *,
    control: JobControl | None = None,
    batch_size: int | None = None,
    concurrency: int = 4,
) -> AsyncIterator[Progress]:
    """Send the job's pending contacts (tui.engine.sender.run_job): coalesced progress,
    the last one final; `control` pauses it. Contacts per request: `batch_size`, else the
    engine's (the reference sets no limit). A paused job goes on with `jobs resume`."""
    return run_job(
        journal, job_id, backend, control=control, batch_size=batch_size, concurrency=concurrency
    )


def survey_results(journal: Journal, job_id: int, limit: int = SHOW_ROWS) -> JobResult:
    """How the job stands with its first `limit` contacts' outcomes, those not accepted
    first (what the operator has to act on)."""
    job = journal.job(job_id)
    totals = journal.totals(job_id)
    problems = list(
        itertools.islice(
            (r for r in journal.recipients(job_id) if r.state is not State.ACCEPTED), limit
        )
    )
    room = limit - len(problems)
    accepted = itertools.islice(journal.recipients(job_id, State.ACCEPTED), max(room, 0))
    rows = [*problems, *accepted]
    return JobResult.of(job_id, job.status, job.pause_reason, totals, rows)


# --- document requests -------------------------------------------------------------------


@dataclass(frozen=True)
class RequestForm:
    """A document request as typed: an existing contact's id, or a new contact."""

    campaign: str
    contact_id: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    contact_data: Mapping[str, Any] = field(default_factory=dict)
    items: Sequence[str] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    sample_item: str = ""
    sample_url: str = ""
    due: str = ""  # ISO 8601; no offset is local time (tui.dates)
    created_by: str = ""
    assigned_to: str = ""
    send_message: bool | None = None  # None: the campaign's setting


def document_request(form: RequestForm) -> DocumentRequest:
    """The request the form describes, checked as the Collect reference wants (what
    collect_rules would refuse is said here, before any request); SurveyRefused."""
    contact: NewRequestContact | str
    new = (form.email, form.first_name, form.last_name, form.company)
    if form.contact_id.strip():
        if any(v.strip() for v in new) or form.contact_data:
            raise SurveyRefused("give an existing contact id or a new contact, not both")
        contact = form.contact_id.strip()
    elif not form.email.strip():
        contact = ""  # check_document_request: "a contact id is required (or ...)"
    else:
        contact = NewRequestContact(
            email=form.email.strip(),
            first_name=form.first_name.strip() or None,
            last_name=form.last_name.strip() or None,
            company=form.company.strip() or None,
            data=dict(form.contact_data),
        )
    if bool(form.sample_item.strip()) != bool(form.sample_url.strip()):
        raise SurveyRefused("a sample needs both its item id and its file URL")
    try:
        due = parse_optional(form.due)
    except ValueError as exc:
        raise SurveyRefused(f"due date: {exc}") from None
    request = DocumentRequest(
        campaign_id=form.campaign,
        contact=contact,
        items=tuple(form.items),
        data=dict(form.data),
        sample=(
            RequestSample(form.sample_item.strip(), form.sample_url.strip())
            if form.sample_item.strip()
            else None
        ),
        due_date=due,
        created_by=form.created_by.strip() or None,
        assigned_to=form.assigned_to.strip() or None,
        send_message=form.send_message,
    )
    try:
        check_document_request(request)
    except ValueError as exc:
        raise SurveyRefused(str(exc)) from None
    return request


def request_question(request: DocumentRequest) -> str:
    """What to ask before sending a request (one contact: a yes/no in the console)."""
    who = request.contact if isinstance(request.contact, str) else request.contact.email
    return f"Send a request for campaign {request.campaign_id} to {who}?"


async def send_request(backend: Backend, request: DocumentRequest) -> SentRequest:
    """Create the request; NotSupported when the account does not send requests."""
    return await backend.capability(DocumentRequestsApi).send_request(request)
