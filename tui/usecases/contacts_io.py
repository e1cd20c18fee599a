"""Contacts to and from CSV, for `switchboard contacts import|export` and the console alike.

The import reads a CSV file with the recipients loader's sniffing, maps its columns to
contact fields (guessed from their names, or chosen in the console), passes each row
through the contact rules (tui.usecases.contacts: normalisation, the provider's fields and
groups) and creates the contacts it accepts, one request each. Every row gets a typed
result with its file line; a row that is the same contact as an earlier one once
normalised is merged into it (not created twice; the summary counts the merged rows).
The export writes every page of a filter through the one formula-safe CSV writer into an
atomic file, in the shape the import reads back.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from backends.capabilities import ContactsApi, ContactsListingApi
from backends.errors import BadRequest, NotFound, ProviderError
from backends.models.common import Contact, ContactFilter, ContactInput, CustomField
from tui.csvin import CsvProblem, read_rows, sniff_delimiter
from tui.csvout import SafeCsv
from tui.files import atomic_text
from tui.usecases.contacts import (
    ADDRESSES,
    ContactRefused,
    ContactRules,
    check_contact,
    check_groups,
    format_custom_fields,
    or_list,
    parse_custom_fields,
    parse_groups,
)

EXPORT_HEADER: Final = (
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
LIST_FIELDS: Final = ("groups", "custom_fields")
# Columns that never become custom fields: the provider's contact id of an export.
NOT_CUSTOM: Final = ("id",)
GROUP_SEPARATOR: Final = "|"
PREVIEW_ROWS: Final = 5
EXPORT_PAGE: Final = 1000
NO_GROUP: Final = "Give at least one group for the imported contacts."

Groups = tuple[tuple[int, ...], tuple[str, ...]]


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
            reader = read_rows(f, delimiter)
            header = tuple(h.strip() for h in next(reader, (0, []))[1])
            preview = tuple(
                tuple(r) for _, (_, r) in zip(range(PREVIEW_ROWS), reader, strict=False)
            )
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text: save it as CSV UTF-8.") from None
    except CsvProblem as exc:
        raise ValueError(f"{path} {exc}") from None
    except OSError as exc:
        raise ValueError(f"Cannot read {path}: {exc}") from None
    if not any(header):
        raise ValueError(f"{path} is empty: the first line must name the columns.")
    return CsvFile(path, delimiter, header, preview)


def guess_column(header: tuple[str, ...], aliases: tuple[str, ...]) -> int | None:
    """The index of the first column whose name is one of the aliases (any case)."""
    lowered = [h.lower() for h in header]
    return next((lowered.index(a) for a in aliases if a in lowered), None)


def import_fields(rules: ContactRules) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """The IMPORT_FIELDS a provider's contacts take: its fields, a groups column (checked
    row by row), and the custom fields column only if it has custom fields."""
    return tuple(
        item
        for item in IMPORT_FIELDS
        if item[0] in rules.fields
        or item[0] == "groups"
        or (item[0] == "custom_fields" and rules.custom_fields)
    )


def guess_mapping(header: tuple[str, ...], rules: ContactRules) -> dict[str, int]:
    """field -> column index for the columns whose names say which field they fill."""
    return {
        name: index
        for name, _, aliases in import_fields(rules)
        if (index := guess_column(header, aliases)) is not None
    }


def custom_columns(header: tuple[str, ...], mapping: dict[str, int]) -> dict[int, str]:
    """The named columns no field takes, as custom field keys by column index."""
    used = set(mapping.values())
    return {
        i: h for i, h in enumerate(header) if i not in used and h and h.lower() not in NOT_CUSTOM
    }


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
    line = 0
    with path.open(encoding="utf-8-sig", newline="") as f:
        try:
            reader = read_rows(f, source.delimiter)
            next(reader, None)
            for line, row in reader:
                if any(cell.strip() for cell in row):
                    yield line, row
        except UnicodeDecodeError:
            line = bad_byte_line(path) or line + 1
            raise ValueError(f"{path} line {line}: not UTF-8 text (save it as CSV UTF-8)") from None
        except CsvProblem as exc:
            raise ValueError(f"{path} {exc}") from None


def row_input(
    row: list[str],
    mapping: dict[str, int],
    custom: dict[int, str],
    groups: Groups,
    rules: ContactRules | None = None,
) -> ContactInput:
    """One CSV row as a contact, or ValueError (tui.usecases.contacts' ContactRefused)
    when it breaks the provider's `rules`: refused here, the row costs no request."""
    rules = rules or ContactRules()

    def cell(index: int | None) -> str | None:
        if index is None or index >= len(row):
            return None
        return row[index].strip() or None

    values = {name: cell(index) for name, index in mapping.items() if name not in LIST_FIELDS}
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


@dataclass(frozen=True)
class ImportRequest:
    """What to import: the file, which column fills which field, the columns that become
    custom fields, the groups every row joins, and the provider's contact rules."""

    source: CsvFile
    mapping: dict[str, int]
    custom: dict[int, str]
    groups: Groups
    rules: ContactRules

    @classmethod
    def guessed(
        cls, source: CsvFile, rules: ContactRules, groups: Groups = ((), ())
    ) -> ImportRequest:
        """The mapping the column names say, the other named columns as custom fields
        where the provider has them (the console's defaults)."""
        mapping = guess_mapping(source.header, rules)
        custom = custom_columns(source.header, mapping) if rules.custom_fields else {}
        return cls(source, mapping, custom, groups, rules)

    def check(self) -> None:
        """ContactRefused when no row could be imported as asked: no address column, no
        group at all, or groups for every row the provider does not take (said once here
        rather than failing every row)."""
        addresses = [label for f, label, _ in import_fields(self.rules) if f in ADDRESSES]
        if not set(ADDRESSES) & set(self.mapping):
            raise ContactRefused(f"Map a column to {or_list(addresses)}.")
        ids, names = self.groups
        if not (ids or names or "groups" in self.mapping):
            raise ContactRefused(NO_GROUP)
        check_groups(ids, names, self.rules)


class RowStatus(enum.Enum):
    """What became of one row."""

    CREATED = "created"
    VALID = "valid"  # a dry run: the rules accept it, nothing was sent
    REFUSED = "refused"  # by the contact rules, before any request
    REJECTED = "rejected"  # by the provider
    MERGED = "merged"  # the same contact as an earlier row: one contact for both


@dataclass(frozen=True)
class RowResult:
    """One row's outcome, by its line in the file."""

    line: int
    status: RowStatus
    contact_id: int | None = None
    reason: str | None = None

    @property
    def failed(self) -> bool:
        """Whether the row was refused or rejected."""
        return self.status in (RowStatus.REFUSED, RowStatus.REJECTED)

    def to_json(self) -> dict[str, Any]:
        """{"line", "status", "id", "reason"}."""
        return {
            "line": self.line,
            "status": self.status.value,
            "id": self.contact_id,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ImportProgress:
    """How far an import is: rows handled of `total`, contacts created, rows failed."""

    done: int
    total: int
    created: int
    failed: int


@dataclass
class ImportResult:
    """Every row's outcome; `stopped` says why the import ended before the last row."""

    total: int = 0
    rows: list[RowResult] = field(default_factory=list)
    stopped: str | None = None
    dry_run: bool = False

    @property
    def created(self) -> int:
        """Contacts created."""
        return sum(r.status is RowStatus.CREATED for r in self.rows)

    @property
    def failures(self) -> list[RowResult]:
        """The rows refused or rejected, in file order."""
        return [r for r in self.rows if r.failed]

    @property
    def merged(self) -> int:
        """Rows that were the same contact as an earlier row."""
        return sum(r.status is RowStatus.MERGED for r in self.rows)

    def progress(self) -> ImportProgress:
        """How far it is."""
        return ImportProgress(len(self.rows), self.total, self.created, len(self.failures))

    def summary(self) -> str:
        """One line for people: what was done (and why it stopped, if it did)."""
        made = f"{self.created} created" if not self.dry_run else f"{self.valid} valid"
        failed = f"{len(self.failures)} failed"
        if self.merged:
            rows = "row" if self.merged == 1 else "rows"
            made = f"{made}, {self.merged} duplicate {rows} merged"
        if self.stopped:
            return f"Stopped: {self.stopped}. {made}, {failed}"
        state = "Checked" if self.dry_run else "Finished"
        return f"{state}: {len(self.rows)} of {self.total} rows, {made}, {failed}"

    @property
    def valid(self) -> int:
        """Rows a dry run found the rules accept."""
        return sum(r.status is RowStatus.VALID for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        """The one JSON shape of an import's result."""
        return {
            "total": self.total,
            "done": len(self.rows),
            "created": self.created,
            "failed": len(self.failures),
            "merged": self.merged,
            "dry_run": self.dry_run,
            "stopped": self.stopped,
            "rows": [r.to_json() for r in self.rows],
        }


CANCELLED: Final = "cancelled"


async def import_contacts(
    request: ImportRequest,
    api: ContactsApi,
    *,
    dry_run: bool = False,
    progress: Callable[[ImportProgress], None] | None = None,
    result: ImportResult | None = None,
) -> ImportResult:
    """Create one contact per row the rules accept (none with `dry_run`); a refused row
    is recorded with its line and reason, not fatal.

    Auth or outage errors stop the import (they raise: no later row would fare better);
    the contacts created so far stay. A file that cannot be read on (a bad byte or bad
    CSV) ends it with `stopped` naming the line: it is read once first, so that is found
    before any contact is created. Cancelled, `result` (pass one to keep it) holds
    `stopped` = "cancelled" and the rows done; the cancellation goes on.
    """
    result = result if result is not None else ImportResult()
    result.dry_run = dry_run
    # The line of each contact accepted: a row that is the same contact once its number
    # is normalised ("+34 600 111 333" and "34600111333") is not created twice.
    lines: dict[ContactInput, int] = {}
    try:
        # Counted first (fast: no requests) so progress can show a fraction.
        result.total = sum(1 for _ in iter_rows(request.source))
        for line, row in iter_rows(request.source):
            result.rows.append(await _import_row(request, api, line, row, lines, dry_run))
            if progress is not None:
                progress(result.progress())
            # A turn for the front end (its Close, its bar) even when no answer was awaited.
            await asyncio.sleep(0)
    except ValueError as exc:
        # The file itself (iter_rows): no later row can be read.
        result.stopped = str(exc)
    except asyncio.CancelledError:
        result.stopped = CANCELLED
        raise
    return result


async def _import_row(
    request: ImportRequest,
    api: ContactsApi,
    line: int,
    row: list[str],
    lines: dict[ContactInput, int],
    dry_run: bool,
) -> RowResult:
    try:
        data = row_input(row, request.mapping, request.custom, request.groups, request.rules)
    except ValueError as exc:
        return RowResult(line, RowStatus.REFUSED, reason=str(exc))
    if data in lines:
        return RowResult(line, RowStatus.MERGED, reason=f"the same contact as line {lines[data]}")
    if dry_run:
        lines[data] = line
        return RowResult(line, RowStatus.VALID)
    try:
        contact = await api.create_contact(data)
    except (BadRequest, NotFound) as exc:
        # Only this row's problem; other provider errors stop the import.
        reason = exc.message if isinstance(exc, ProviderError) else str(exc)
        return RowResult(line, RowStatus.REJECTED, reason=reason)
    lines[data] = line
    return RowResult(line, RowStatus.CREATED, contact_id=contact.id)


@dataclass(frozen=True)
class ExportProgress:
    """Contacts written so far of the filter's `total`."""

    done: int
    total: int
    path: Path
    finished: bool


async def export_contacts(
    api: ContactsListingApi,
    path: Path,
    filters: ContactFilter | None = None,
    *,
    progress: Callable[[ExportProgress], None] | None = None,
) -> ExportProgress:
    """Write every page of the filter's contacts to `path` as CSV; how many were written.

    Written beside the target and renamed at the end (tui.files): a failed export leaves
    no half file under the chosen name. Formula-safe (tui.csvout): names and fields are
    typed by whoever filled in a form.
    """
    done = total = 0
    with atomic_text(path) as out:
        writer = SafeCsv(out, EXPORT_HEADER)
        page_no = 1
        while True:
            page = await api.contacts_page(
                page_no, limit=EXPORT_PAGE, filters=filters, include_details=True
            )
            total = page.total
            writer.write(export_row(c) for c in page.items)
            done += len(page.items)
            if progress is not None:
                progress(ExportProgress(done, total, path, False))
            if not page.has_next or not page.items:
                break
            page_no += 1
    return ExportProgress(done, total, path, True)
