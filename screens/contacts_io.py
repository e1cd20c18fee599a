"""CSV import (preview, column mapping, progress, results) and the export row format."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DataTable, Input, Label, ProgressBar, Select, Static

from backends.capabilities import ContactsApi
from backends.errors import BadRequest, NotFound, ProviderError
from backends.models import Contact, ContactInput, CustomField
from screens.common import Coalesce, ConfirmModal, WorkerErrors, or_list, sb_app
from screens.contacts_forms import (
    format_custom_fields,
    parse_custom_fields,
    parse_groups,
)
from tui.engine.recipients import sniff_delimiter
from tui.usecases.contacts import ContactRefused, ContactRules, check_contact, check_groups

EXPORT_HEADER = (
    "id",
    "email",
    "phone",
    "landline",
    "countryIso",
    "name",
    "surname",
    "groups",
    "customFields",
)
# Contact fields an import can fill, with the header names that map to them by default.
# `id` is not among External id's names: in our own export it is the provider's contact
# id, which a new contact cannot take (and which is never a custom field either).
IMPORT_FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("email", "Email", ("email", "e-mail", "mail")),
    ("phone", "Mobile phone", ("phone", "mobile", "msisdn", "phone_number")),
    ("landline", "Landline", ("landline",)),
    ("country", "Country (ISO)", ("country", "countryiso", "country_iso", "iso")),
    ("name", "Name", ("name", "first_name", "firstname", "first name")),
    ("surname", "Surname", ("surname", "last_name", "lastname", "last name")),
    ("external_id", "External id", ("external_id", "externalid", "external id")),
    # The export's own columns: groups as a|b, custom fields as the dialog's lines.
    ("groups", "Groups (a|b)", ("groups",)),
    ("custom_fields", "Custom fields", ("customfields", "custom_fields", "custom fields")),
)
# Mapped fields that are not plain contact fields.
LIST_FIELDS = ("groups", "custom_fields")
# Columns that never become custom fields: the provider's contact id of an export.
NOT_CUSTOM = ("id",)
GROUP_SEPARATOR = "|"
PREVIEW_ROWS = 5


def export_row(c: Contact) -> tuple[str, ...]:
    """A contact as an export CSV row: groups by name (a|b; by id when the name is all
    digits, which an import would read as an id), custom fields as the contact dialog
    writes them (key=value[:type], one a line), so an import reads them back."""
    return (
        str(c.id),
        c.email or "",
        c.phone or "",
        c.landline or "",
        c.country or "",
        c.name or "",
        c.surname or "",
        GROUP_SEPARATOR.join(
            g.name if g.name and not g.name.isdigit() else str(g.id) for g in c.groups
        ),
        format_custom_fields(c.custom_fields),
    )


@dataclass(frozen=True)
class CsvFile:
    """A CSV file's dialect and header, read before importing it."""

    path: Path
    delimiter: str
    header: tuple[str, ...]
    preview: tuple[tuple[str, ...], ...]


def read_csv_head(path: Path) -> CsvFile:
    """The header and first rows of a CSV file, or ValueError saying what is wrong."""
    if not path.is_file():
        raise ValueError(f"{path} is not a file.")
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            sample = f.read(64 * 1024)
            f.seek(0)
            delimiter = sniff_delimiter(sample)
            reader = csv.reader(f, delimiter=delimiter)
            header = tuple(h.strip() for h in next(reader, []))
            preview = tuple(tuple(r) for _, r in zip(range(PREVIEW_ROWS), reader, strict=False))
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text: save it as CSV UTF-8.") from None
    except (OSError, csv.Error) as exc:
        raise ValueError(f"Cannot read {path}: {exc}") from None
    if not any(header):
        raise ValueError(f"{path} is empty: the first line must name the columns.")
    return CsvFile(path, delimiter, header, preview)


def guess_column(header: tuple[str, ...], aliases: tuple[str, ...]) -> int | None:
    """The index of the first column whose name is one of the aliases (any case)."""
    lowered = [h.lower() for h in header]
    return next((lowered.index(a) for a in aliases if a in lowered), None)


def bad_byte_line(path: Path) -> int | None:
    """The line of a file's first byte that is not UTF-8 (None if every byte is).

    The text reader decodes a chunk at a time, so its line count at a decoding error
    can be lines short of the bad byte: only the bytes tell the line.
    """
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1
    return None


def iter_rows(source: CsvFile) -> Iterator[tuple[int, list[str]]]:
    """(file line number, cells) of every data row.

    A bad byte or CSV syntax later in the file (read_csv_head reads only its head) is a
    ValueError naming the line, for the import to say, not an unexpected error.
    """
    path = source.path
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=source.delimiter)
        try:
            next(reader, None)
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield reader.line_num, row
        except UnicodeDecodeError:
            line = bad_byte_line(path) or reader.line_num + 1
            raise ValueError(f"{path} line {line}: not UTF-8 text (save it as CSV UTF-8)") from None
        except csv.Error as exc:
            raise ValueError(f"{path} line {reader.line_num}: {exc}") from None


def row_input(
    row: list[str],
    mapping: dict[str, int],
    custom: dict[int, str],
    groups: tuple[tuple[int, ...], tuple[str, ...]],
    rules: ContactRules | None = None,
) -> ContactInput:
    """One CSV row as a contact, or ValueError (tui.usecases.contacts' ContactRefused)
    when it breaks the provider's `rules`: refused here, the row costs no request."""
    rules = rules or ContactRules()

    def cell(index: int | None) -> str | None:
        if index is None or index >= len(row):
            return None
        return row[index].strip() or None

    values = {field: cell(index) for field, index in mapping.items() if field not in LIST_FIELDS}
    ids, names = groups
    own = cell(mapping.get("groups"))
    if own:
        # Names may hold commas, so a cell separates its groups with | only.
        row_ids, row_names = parse_groups(own, GROUP_SEPARATOR)
        ids, names = tuple(dict.fromkeys(ids + row_ids)), tuple(dict.fromkeys(names + row_names))
    fields = tuple(
        CustomField(key, value) for index, key in custom.items() if (value := cell(index))
    )
    typed = cell(mapping.get("custom_fields"))
    if typed:
        # The column's fields come after the other columns': the same key takes its type.
        given = {f.key: f for f in fields}
        given.update({f.key: f for f in parse_custom_fields(typed)})
        fields = tuple(given.values())
    data = ContactInput(group_ids=ids, group_names=names, custom_fields=fields, **values)
    return check_contact(data, rules)


class ImportModal(WorkerErrors, ModalScreen[int | None]):
    """Import contacts from a CSV file; returns how many were created.

    Only what the provider's `rules` let a contact hold is offered, and rows that break
    them fail before their request: a refused field would fail every row at the provider.
    """

    BUSY_WORK: ClassVar[dict[str, str]] = {"contacts-import": "a contacts import"}

    BINDINGS = [Binding("escape", "close", "Close"), Binding("ctrl+s", "start", "Import")]

    @dataclass
    class Progress(Message):
        """Rows handled so far; `failures` are (line, reason)."""

        done: int
        total: int
        created: int
        failures: list[tuple[int, str]]
        finished: bool
        # Why the import stopped before the end of the file (a bad line), if it did.
        error: str = ""

    def __init__(self, *, rules: ContactRules | None = None) -> None:
        super().__init__(classes="dialog")
        self.rules = rules or ContactRules()
        # The mapping targets this provider takes: its fields, a groups column (checked
        # row by row), and the custom fields column only if it has custom fields.
        self.fields = tuple(
            item
            for item in IMPORT_FIELDS
            if item[0] in self.rules.fields
            or item[0] == "groups"
            or (item[0] == "custom_fields" and self.rules.custom_fields)
        )
        self.source: CsvFile | None = None
        self.created = 0
        self.done = self.total = 0
        self.started = False  # whether an import ran (and may have created contacts)

    def compose(self) -> ComposeResult:
        # The buttons stay in view; the form above them scrolls.
        with Vertical(classes="dialog-body", id="import-body"):
            with VerticalScroll(classes="form", id="imp-scroll"):
                yield Label("Import contacts from CSV", classes="dialog-title")
                yield Label("CSV file (first line: column names)")
                with Horizontal(classes="field-row"):
                    yield Input(placeholder="/path/to/contacts.csv", id="imp-path")
                    yield Button("Load", id="imp-load")
                yield Static("", id="imp-error", classes="error-text")
                with Vertical(id="imp-mapping"):
                    yield Label("First rows", classes="section-title")
                    yield DataTable(id="imp-preview", show_cursor=False)
                    yield Label("Which column fills each field", classes="section-title")
                    with Grid(id="imp-map-grid"):
                        for field, label, _ in self.fields:
                            yield Label(label, classes="map-label")
                            yield Select[int]([], prompt="(not imported)", id=f"map-{field}")
                    # Hidden (and off) where contacts have no custom fields.
                    custom = self.rules.custom_fields
                    checkbox = Checkbox(
                        "Other columns become custom fields", custom, id="imp-custom"
                    )
                    checkbox.display = custom
                    yield checkbox
                    yield Label(
                        "Groups every contact joins (names or ids, a, b), besides a groups column"
                    )
                    yield Input(id="imp-groups")
                    yield ProgressBar(id="imp-progress", show_eta=False)
                    yield Static("", id="imp-summary")
                    yield DataTable(id="imp-failures", show_cursor=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Import", variant="primary", id="imp-start", disabled=True)
                yield Button("Close", id="imp-close")

    def on_mount(self) -> None:
        self.query_one("#imp-mapping").display = False
        self.query_one("#imp-progress").display = False
        self.query_one("#imp-failures").display = False
        self.query_one("#imp-failures", DataTable).add_columns("Line", "Reason")
        self.query_one("#imp-path", Input).focus()

    @on(Button.Pressed, "#imp-load")
    @on(Input.Submitted, "#imp-path")
    def load(self) -> None:
        """Read the file's header and first rows and propose a mapping."""
        raw = self.query_one("#imp-path", Input).value.strip()
        error = self.query_one("#imp-error", Static)
        try:
            if not raw:
                raise ValueError("Type the path of a CSV file.")
            source = read_csv_head(Path(raw).expanduser())
        except ValueError as exc:
            error.update(str(exc))
            self.query_one("#imp-mapping").display = False
            self.query_one("#imp-start", Button).disabled = True
            return
        error.update("")
        self.source = source
        preview = self.query_one("#imp-preview", DataTable)
        preview.clear(columns=True)
        preview.add_columns(*(h or f"column {i + 1}" for i, h in enumerate(source.header)))
        width = len(source.header)
        for row in source.preview:
            preview.add_row(*(list(row) + [""] * width)[:width])
        options = [(h or f"column {i + 1}", i) for i, h in enumerate(source.header)]
        for field, _, aliases in self.fields:
            select = self.query_one(f"#map-{field}", Select)
            select.set_options(options)
            guess = guess_column(source.header, aliases)
            if guess is not None:
                select.value = guess
        self.query_one("#imp-mapping").display = True
        self.query_one("#imp-start", Button).disabled = False

    def _mapping(self) -> dict[str, int]:
        mapping = {}
        for field, _, _ in self.fields:
            value = self.query_one(f"#map-{field}", Select).value
            if isinstance(value, int):
                mapping[field] = value
        return mapping

    @on(Button.Pressed, "#imp-start")
    def action_start(self) -> None:
        """Check the mapping and create the contacts in a worker."""
        source = self.source
        error = self.query_one("#imp-error", Static)
        if source is None or self.query_one("#imp-start", Button).disabled:
            return
        mapping = self._mapping()
        addresses = [label for f, label, _ in self.fields if f in ("email", "phone", "landline")]
        if not {"email", "phone", "landline"} & set(mapping):
            error.update(f"Map a column to {or_list(addresses)}.")
            return
        groups = parse_groups(self.query_one("#imp-groups", Input).value)
        if not (groups[0] or groups[1] or "groups" in mapping):
            error.update("Give at least one group for the imported contacts.")
            return
        # The groups for every row, checked once here rather than failing every row.
        try:
            check_groups(*groups, self.rules)
        except ContactRefused as exc:
            error.update(str(exc))
            return
        used = set(mapping.values())
        custom = (
            {
                i: h
                for i, h in enumerate(source.header)
                if i not in used and h and h.lower() not in NOT_CUSTOM
            }
            if self.rules.custom_fields and self.query_one("#imp-custom", Checkbox).value
            else {}
        )
        error.update("")
        self.query_one("#imp-start", Button).disabled = True
        self.started = True
        self.query_one("#imp-progress").display = True
        self.call_after_refresh(self.query_one("#imp-summary").scroll_visible)
        self.run_import(source, mapping, custom, groups)

    @work(group="contacts-import", exit_on_error=False)
    async def run_import(
        self,
        source: CsvFile,
        mapping: dict[str, int],
        custom: dict[int, str],
        groups: tuple[tuple[int, ...], tuple[str, ...]],
    ) -> None:
        """Create one contact per row; a refused row is recorded, not fatal."""
        backend = await sb_app(self).backend()
        done = total = created = 0
        failures: list[tuple[int, str]] = []
        # The line of each contact created: a row that is the same contact once its number
        # is normalised ("+34 600 111 333" and "34600111333") is not created twice.
        lines: dict[ContactInput, int] = {}
        posts = Coalesce()
        try:
            # Counted first (fast: no requests) so the bar can show a fraction; a bad
            # line is found here, before any contact is created.
            total = sum(1 for _ in iter_rows(source))
            for line, row in iter_rows(source):
                try:
                    data = row_input(row, mapping, custom, groups, self.rules)
                    if data in lines:
                        raise ValueError(f"the same contact as line {lines[data]}")
                    await backend.capability(ContactsApi).create_contact(data)
                    lines[data] = line
                    created += 1
                except (ValueError, BadRequest, NotFound) as exc:
                    # Only this row's problem; auth or outage errors stop the import (modal).
                    reason = exc.message if isinstance(exc, ProviderError) else str(exc)
                    failures.append((line, reason))
                done += 1
                if posts.due():
                    self.post_message(self.Progress(done, total, created, list(failures), False))
                # A turn for the UI (Close, the bar) even when an answer needed no waiting.
                await asyncio.sleep(0)
        except ValueError as exc:
            # The file itself (iter_rows): no later row can be read, so the import stops;
            # the contacts created so far stay.
            self.post_message(self.Progress(done, total, created, failures, True, str(exc)))
            return
        self.post_message(self.Progress(done, total, created, failures, True))

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        self.created, self.done, self.total = event.created, event.done, event.total
        bar = self.query_one("#imp-progress", ProgressBar)
        bar.update(total=max(event.total, 1), progress=event.done)
        failed = len(event.failures)
        state = "Finished" if event.finished else "Importing"
        if event.error:
            # The file could not be read on: its row count may be unknown, so none is said.
            summary = f"Stopped: {event.error}. {event.created} created, {failed} failed"
        else:
            rows = f"{event.done} of {event.total} rows"
            summary = f"{state}: {rows}, {event.created} created, {failed} failed"
        self.query_one("#imp-summary", Static).update(summary)
        if event.finished and event.failures:
            table = self.query_one("#imp-failures", DataTable)
            table.clear()
            for line, reason in event.failures:
                table.add_row(str(line), reason)
            table.display = True
            self.call_after_refresh(table.scroll_visible)

    @on(Button.Pressed, "#imp-close")
    def action_close(self) -> None:
        """Close, saying how many contacts were created; a running import asks first."""
        running = [
            w
            for w in self.workers
            if w.node is self and w.group == "contacts-import" and not w.is_finished
        ]
        if not running:
            self.dismiss(self.created)
            return

        def answered(stop: bool | None) -> None:
            if stop:
                self.workers.cancel_group(self, "contacts-import")
                self.dismiss(self.created)

        question = (
            f"Stop the import? {self.done} of {self.total} rows are done; "
            "the contacts created so far stay."
        )
        self.app.push_screen(ConfirmModal(question, yes_label="Stop import"), answered)
