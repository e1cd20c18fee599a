"""The Email validation tab: start a validation, watch its status, read the result CSV."""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Input,
    Label,
    SelectionList,
    Static,
)
from textual.widgets.selection_list import Selection

from backends.capabilities import ContactsListingApi, EmailValidationApi
from backends.models.common import Group
from backends.models.lists import EmailValidation, ValidationResult
from screens.contacts.counts import MemberCounts
from screens.contacts.forms import WorkerPane
from screens.widgets.common import describe_error, refresh_failed_text, sb_app
from screens.widgets.keys import std_key

# How often running validations are polled; tests shorten it.
POLL_SECONDS = 2.0
RUNNING = ("pending", "started")
RESULT_ROWS = 1000
_EMAIL_RE = re.compile(r"[^@\s,;]+@[^@\s,;]+")

log = logging.getLogger("switchboard.console")


def utc_now() -> datetime:
    """Now, for the poll's status line (tests may replace it)."""
    return datetime.now(UTC)


def emails_in(text: str) -> list[str]:
    """Email addresses in free text (commas, spaces or new lines between), deduplicated."""
    return list(dict.fromkeys(_EMAIL_RE.findall(text)))


def emails_in_csv(path: Path) -> list[str]:
    """Every email address in a CSV file's cells, or ValueError saying what is wrong."""
    if not path.is_file():
        raise ValueError(f"{path} is not a file.")
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            found = [m for row in csv.reader(f) for cell in row for m in emails_in(cell)]
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text.") from None
    except (OSError, csv.Error) as exc:
        raise ValueError(f"Cannot read {path}: {exc}") from None
    if not found:
        raise ValueError(f"No email addresses in {path}.")
    return list(dict.fromkeys(found))


def group_label(g: Group, members: MemberCounts | None = None) -> str:
    """A group as a choice: its name and its counted size, when known."""
    if members is None or members.error:
        return g.name
    if not members.finished:
        return f"{g.name} (counting…)"
    return f"{g.name} ({members.cell(g.id)} contacts)"


def validation_cells(v: EmailValidation) -> tuple[str, ...]:
    """A validation job as a table row."""
    cost = v.cost if v.cost else v.estimated_cost
    created = v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else ""
    return (
        str(v.id),
        v.status + (f" ({v.error})" if v.error else ""),
        f"{v.processed}/{v.total}",
        str(v.valid),
        f"{cost:.4f} {v.currency}".strip() if cost is not None else "",
        created,
    )


class ValidationPane(WorkerPane):
    """Email validation jobs of the active account."""

    BINDINGS = [std_key("reload")]

    @dataclass
    class Listed(Message):
        """The validation jobs (first page, newest last)."""

        jobs: tuple[EmailValidation, ...]

    @dataclass
    class GroupsLoaded(Message):
        """The groups a validation can cover."""

        groups: list[Group]

    @dataclass
    class Started(Message):
        """A validation was queued."""

        job: EmailValidation

    @dataclass
    class Result(Message):
        """A finished validation's result CSV."""

        validation_id: int
        result: ValidationResult

    def __init__(self, *, with_groups: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.with_groups = with_groups
        self._timer: Timer | None = None
        self.groups: list[Group] = []
        self.members: MemberCounts | None = None
        self._last_success: datetime | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="val-form", classes="field-row"):
            with Vertical():
                yield Label("Emails to check (commas, spaces or lines between)")
                yield Input(placeholder="e.g. ana@example.com, bob@example.org", id="val-emails")
                yield Label("…or every email in a CSV file")
                with Horizontal(classes="field-row"):
                    yield Input(placeholder="/path/to/emails.csv", id="val-csv")
                    yield Button("Load", id="val-load")
                yield Checkbox("Allow risky emails (do not blacklist them)", id="val-risky")
            if self.with_groups:
                with Vertical():
                    yield Label("…and/or the contacts of groups")
                    yield SelectionList[int](id="val-groups")
        with Horizontal(classes="button-row"):
            yield Button("Start validation", variant="primary", id="val-start")
            yield Button("View result", id="val-view")
        yield Static("", id="val-error", classes="error-text")
        status = Static("", id="val-poll-status", classes="error-text")
        status.display = False
        yield status
        table = DataTable[str](id="validations-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("ID", "Status", "Processed", "Valid", "Cost", "Created")
        yield table
        yield Static("", id="val-summary")
        result = DataTable[str](id="val-result", cursor_type="row", zebra_stripes=True)
        result.add_columns("Email", "Result")
        yield result

    def on_mount(self) -> None:
        self.query_one("#val-result").display = False
        self._timer = self.set_interval(POLL_SECONDS, self._poll, pause=True)
        self.refresh_list()
        if self.with_groups:
            self.load_groups()

    @work(group="validation", exit_on_error=False)
    async def refresh_list(self, *, background: bool = False) -> None:
        """Read the validation jobs (their status moves on the provider's side); a
        `background` (poll) read that fails says so on the status line, not in a modal."""
        try:
            backend = await sb_app(self).backend()
            api = backend.capability(EmailValidationApi)
            page = await api.validations_list(page=1, limit=100)
            if page.total_pages > 1:  # the newest are on the last page
                page = await api.validations_list(page=page.total_pages, limit=100)
        except Exception as exc:
            if not background:
                raise  # the user asked: the error modal answers
            title, message = describe_error(exc)
            if title == "Unexpected error":
                log.error("validation poll failed", exc_info=exc)
            self.post_message(self.PollFailed(title, message))
            return
        self.post_message(self.Listed(page.items))

    @dataclass
    class PollFailed(Message):
        """A background poll of the validation jobs failed."""

        title: str
        message: str

    @on(PollFailed)
    def _poll_failed(self, event: PollFailed) -> None:
        text = refresh_failed_text(
            "Email validation poll", event.title, event.message, utc_now(), self._last_success
        )
        self._show_poll_status(text)

    def _show_poll_status(self, text: str) -> None:
        line = self.query_one("#val-poll-status", Static)
        line.update(text)
        line.display = bool(text)  # no empty line while all is well

    @work(group="validation", exit_on_error=False)
    async def load_groups(self) -> None:
        """Read the groups a validation can cover."""
        backend = await sb_app(self).backend()
        self.post_message(
            self.GroupsLoaded(
                [g async for g in backend.capability(ContactsListingApi).iter_groups()]
            )
        )

    @on(GroupsLoaded)
    def _groups_loaded(self, event: GroupsLoaded) -> None:
        self.groups = event.groups
        self._fill_groups()

    def _fill_groups(self) -> None:
        selection: SelectionList[int] = self.query_one("#val-groups", SelectionList)
        chosen = set(selection.selected)
        highlighted = selection.highlighted
        selection.clear_options()
        selection.add_options(
            [Selection(group_label(g, self.members), g.id, g.id in chosen) for g in self.groups]
        )
        if highlighted is not None and highlighted < selection.option_count:
            selection.highlighted = highlighted

    def show_members(self, counts: MemberCounts) -> None:
        """New member counts: the labels change when counting starts or ends."""
        before = self.members
        self.members = counts
        if self.with_groups and (before is None or before.phase != counts.phase):
            self._fill_groups()

    @on(Listed)
    def _listed(self, event: Listed) -> None:
        self._last_success = utc_now()
        self._show_poll_status("")
        table = self.query_one("#validations-table", DataTable)
        selected = self._selected_id()
        table.clear()
        for job in event.jobs:
            table.add_row(*validation_cells(job), key=str(job.id))
        if selected is not None and str(selected) in table.rows:
            table.move_cursor(row=table.get_row_index(str(selected)))
        elif table.row_count:
            table.move_cursor(row=table.row_count - 1)
        running = any(job.status in RUNNING for job in event.jobs)
        if self._timer is not None:
            if running:
                self._timer.resume()
            else:
                self._timer.pause()

    def _poll(self) -> None:
        self.refresh_list(background=True)

    def action_reload(self) -> None:
        """Read the jobs again."""
        self.refresh_list()

    @on(Button.Pressed, "#val-load")
    @on(Input.Submitted, "#val-csv")
    def _load_csv(self) -> None:
        raw = self.query_one("#val-csv", Input).value.strip()
        error = self.query_one("#val-error", Static)
        try:
            if not raw:
                raise ValueError("Type the path of a CSV file.")
            found = emails_in_csv(Path(raw).expanduser())
        except ValueError as exc:
            error.update(str(exc))
            return
        field = self.query_one("#val-emails", Input)
        field.value = ", ".join(dict.fromkeys(emails_in(field.value) + found))
        error.update("")
        self.query_one("#val-summary", Static).update(f"Loaded {len(found)} emails from {raw}.")

    @on(Button.Pressed, "#val-start")
    @on(Input.Submitted, "#val-emails")
    def action_start(self) -> None:
        """Queue a validation of the typed emails and the chosen groups."""
        emails = emails_in(self.query_one("#val-emails", Input).value)
        groups: list[int] = []
        if self.with_groups:
            groups = list(self.query_one("#val-groups", SelectionList).selected)
        error = self.query_one("#val-error", Static)
        if not emails and not groups:
            error.update("Type at least one email, load a CSV, or choose a group.")
            return
        error.update("")
        risky = self.query_one("#val-risky", Checkbox).value
        self.start(emails, groups, allow_risky=risky or None)

    @work(group="validation", exit_on_error=False)
    async def start(
        self, emails: list[str], groups: list[int], *, allow_risky: bool | None
    ) -> None:
        """Queue a validation job."""
        backend = await sb_app(self).backend()
        job = await backend.capability(EmailValidationApi).validation_create(
            emails=emails, group_ids=groups, allow_risky=allow_risky
        )
        self.post_message(self.Started(job))

    @on(Started)
    def _started(self, event: Started) -> None:
        self.app.notify(f"Validation {event.job.id} queued ({event.job.total} emails).")
        self.query_one("#val-emails", Input).value = ""
        table = self.query_one("#validations-table", DataTable)
        table.add_row(*validation_cells(event.job), key=str(event.job.id))
        table.move_cursor(row=table.row_count - 1)
        table.focus()
        if self._timer is not None:
            self._timer.resume()

    def _selected_id(self) -> int | None:
        table = self.query_one("#validations-table", DataTable)
        if table.row_count == 0:
            return None
        return int(str(table.get_row_at(table.cursor_row)[0]))

    @on(Button.Pressed, "#val-view")
    @on(DataTable.RowSelected, "#validations-table")
    def action_view(self) -> None:
        """Show the selected validation's result, once it has finished."""
        validation_id = self._selected_id()
        if validation_id is None:
            return
        table = self.query_one("#validations-table", DataTable)
        status = str(table.get_row(str(validation_id))[1])
        if not status.startswith("finished"):
            self.query_one("#val-error", Static).update(
                f"Validation {validation_id} is {status}: its result comes when it finishes."
            )
            return
        self.query_one("#val-error", Static).update("")
        self.fetch_result(validation_id)

    @work(group="validation", exit_on_error=False)
    async def fetch_result(self, validation_id: int) -> None:
        """Read a finished validation's result CSV."""
        backend = await sb_app(self).backend()
        result = await backend.capability(EmailValidationApi).validation_result(validation_id)
        self.post_message(self.Result(validation_id, result))

    @on(Result)
    def _result(self, event: Result) -> None:
        table = self.query_one("#val-result", DataTable)
        table.clear()
        # A group validation can cover many thousands: counts cover all, the table a window.
        for row in event.result.rows[:RESULT_ROWS]:
            table.add_row(row.email, row.result)
        table.display = True
        counts = ", ".join(f"{n} {verdict}" for verdict, n in event.result.counts().items())
        shown = len(event.result.rows)
        more = f" (first {RESULT_ROWS} of {shown} shown)" if shown > RESULT_ROWS else ""
        self.query_one("#val-summary", Static).update(
            f"Validation {event.validation_id}: {counts or 'no emails'}{more}"
        )
