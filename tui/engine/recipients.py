"""Recipients for a send: typed, from a CSV file or from a contact group; validated offline.

Phones are normalised to E.164 digits without the '+' (what 360nrs expects), emails checked
by backends.emails (email-validator, offline). Duplicates keep their first occurrence;
invalid rows are listed with their row number and reason; blacklisted ones are flagged, not
dropped, so the preflight can show them. Built for 100,000 rows: one `phonenumbers.parse`
or one email-validator check per row (each some tens of µs) and nothing else per row that
is not needed.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from backends.base import Backend
from backends.capabilities import BlacklistApi, ContactsListingApi
from backends.emails import check_email
from backends.errors import NotSupported, SwitchboardError
from backends.http import paginate
from backends.models.common import Contact
from tui.csvin import CsvProblem, read_rows, sniff_delimiter
from tui.engine.phones import DEFAULT_REGION, normalise_phone, plain_digits

Kind = Literal["phone", "email"]
# Column names taken as the recipient when no column is named (case-insensitive, in order),
# by the kind of recipient: an email send from a file with phone and email columns takes
# the emails.
PHONE_COLUMNS: Final = ("to", "phone", "mobile", "number", "msisdn")
EMAIL_COLUMNS: Final = ("email", "e-mail", "mail", "to")
# What to do when no column looks like the recipients' (the CLI's words; screens pass theirs).
CLI_COLUMN_HINT: Final = "name one with --to-column"
# Raw values whose normalisation a build() remembers (see there).
_CACHE_SIZE: Final = 65_536


class RecipientsError(SwitchboardError):
    """Recipients could not be loaded at all (missing file, no header, unknown column...)."""

    title = "Recipients"


@dataclass(frozen=True, slots=True)
class Recipient:
    """One valid recipient."""

    to: str  # E.164 digits without '+', or a lower-cased email
    row: int  # 1-based: the CSV line, the --to position, or the contact's position
    vars: dict[str, str] | None = None
    country: str | None = None  # ISO region of a phone number
    blacklisted: bool = False


@dataclass(frozen=True, slots=True)
class Invalid:
    """A row that cannot be sent to, and why."""

    row: int
    value: str
    reason: str


@dataclass
class Recipients:
    """The outcome of loading: valid recipients (first occurrences), invalid rows, dups."""

    valid: list[Recipient] = field(default_factory=list)
    invalid: list[Invalid] = field(default_factory=list)
    duplicates: int = 0

    @property
    def blacklisted(self) -> int:
        """How many valid recipients are on the blacklist."""
        return sum(1 for r in self.valid if r.blacklisted)

    def flag(self, blacklist: frozenset[str] | set[str]) -> None:
        """Mark the valid recipients on `blacklist` (as `build` would have)."""
        if blacklist:
            self.valid = [
                dataclasses.replace(r, blacklisted=True) if r.to in blacklist else r
                for r in self.valid
            ]

    @property
    def sendable(self) -> list[Recipient]:
        """Valid recipients not on the blacklist (the provider would refuse those anyway)."""
        return [r for r in self.valid if not r.blacklisted]


def build(
    rows: Iterable[tuple[int, str, dict[str, str] | None]],
    *,
    kind: Kind = "phone",
    region: str = DEFAULT_REGION,
    blacklist: frozenset[str] | set[str] = frozenset(),
) -> Recipients:
    """Validate, normalise and dedupe (row number, value, variables) rows."""
    out = Recipients()
    seen: set[str] = set()
    valid, invalid = out.valid, out.invalid
    region = region.upper()
    # The same raw value (a list pasted twice, a number typed alike in many rows) is
    # parsed once: parsing and checking a number costs ~25 us. Plain digits are read by
    # plain_digits in ~2 us and not remembered: 65,536 of them held ~10 MB, the peak of
    # a 100,000-recipient send. Bounded, so a million distinct values do not hold a
    # million more strings.
    cache: dict[str, tuple[str, str] | str] = {}
    for row, value, variables in rows:
        country: str | None = None
        if kind == "phone":
            got: tuple[str, str] | str | None = (
                plain_digits(value, region) if value[:1].isdigit() else None
            )
            if got is None:
                got = cache.get(value)
            if got is None:
                if len(cache) >= _CACHE_SIZE:
                    cache.clear()
                got = cache[value] = normalise_phone(value, region)
            if isinstance(got, str):
                invalid.append(Invalid(row, value, got))
                continue
            to, country = got
        else:
            email, problem = check_email(value)
            if email is None:
                reason = problem if problem == "empty" else f"not a valid email: {problem}"
                invalid.append(Invalid(row, value, reason))
                continue
            to = email
        if to in seen:
            out.duplicates += 1
            continue
        seen.add(to)
        valid.append(Recipient(to, row, variables or None, country, to in blacklist))
    return out


def from_values(
    values: Sequence[str],
    *,
    kind: Kind = "phone",
    region: str = DEFAULT_REGION,
    subs: Sequence[Mapping[str, str]] = (),
    blacklist: frozenset[str] | set[str] = frozenset(),
) -> Recipients:
    """Typed recipients (e.g. repeated --to), with optional variables in the same order."""
    if subs and len(subs) != len(values):
        raise RecipientsError(f"{len(subs)} sets of variables for {len(values)} recipients")
    rows = ((i, v, dict(subs[i - 1]) if subs else None) for i, v in enumerate(values, start=1))
    return build(rows, kind=kind, region=region, blacklist=blacklist)


def csv_rows(text: str) -> list[dict[str, str]]:
    """The rows of CSV text with a header, as {column: cell} with names and cells
    stripped; the separator is sniffed (comma, semicolon or tab) and quoted cells may
    hold newlines. ValueError when there is no header or the CSV is malformed (tui.csvin:
    an unbalanced quote is found, never swallows rows)."""
    rows = read_rows(io.StringIO(text, newline=""), sniff_delimiter(text[:65536]))
    header = next(rows, None)
    if header is None:
        raise ValueError("the file is empty: it needs a header line")
    names = [n.strip() for n in header[1]]
    out = []
    for _, fields in rows:
        if fields:  # not a blank line; a short row's missing cells are empty
            cells = [*fields, *[""] * (len(names) - len(fields))]
            out.append({n: v.strip() for n, v in zip(names, cells, strict=False) if n})
    return out


def pick_column(
    header: Sequence[str], to_column: str | None, *, kind: Kind = "phone"
) -> int | None:
    """The index of the recipients' column: the named one, else the first usual name for
    the kind; None when nothing matches. RecipientsError when a named column is missing."""
    folded = [h.strip().casefold() for h in header]
    if to_column is not None and to_column.strip():
        try:
            return folded.index(to_column.strip().casefold())
        except ValueError:
            raise RecipientsError(
                f"no column {to_column!r}; the header has {', '.join(header)}"
            ) from None
    for name in EMAIL_COLUMNS if kind == "email" else PHONE_COLUMNS:
        if name in folded:
            return folded.index(name)
    return None


def _pick_column(
    header: Sequence[str], to_column: str | None, path: Path, kind: Kind, hint: str
) -> int:
    try:
        col = pick_column(header, to_column, kind=kind)
    except RecipientsError as exc:
        raise RecipientsError(f"{path}: {exc.message}") from None
    if col is None:
        what = "email addresses" if kind == "email" else "phone numbers"
        raise RecipientsError(
            f"{path}: which column holds the {what}? The header has {', '.join(header)}; {hint}"
        )
    return col


@dataclass
class _Sheet:
    """A CSV file's header as read for recipients: the recipients' column and the rest."""

    path: Path
    names: list[str]
    col: int
    others: list[tuple[int, str]]

    def variables(self, fields: Sequence[str]) -> dict[str, str] | None:
        return {n: fields[i] for i, n in self.others} if self.others else None


@contextmanager
def _open_sheet(
    path: str | Path, to_column: str | None, kind: Kind, column_hint: str
) -> Iterator[tuple[_Sheet, Iterator[tuple[int, list[str]]]]]:
    """The header and the non-blank rows (line number, fields) of a recipients CSV, read
    the one way for sending and for previews. RecipientsError says what is wrong."""
    p = Path(path)
    try:
        fh = p.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise RecipientsError(f"{p}: no such file") from None
    except OSError as exc:
        raise RecipientsError(f"cannot read {p}: {exc.strerror or exc}") from None
    try:
        with fh:
            delimiter = sniff_delimiter(fh.read(64 * 1024))
            fh.seek(0)
            reader = read_rows(fh, delimiter)
            header = next(reader, (0, []))[1]
            if not header or not any(h.strip() for h in header):
                raise RecipientsError(f"{p}: empty file, expected a header row")
            names = [h.strip() for h in header]
            dup = {n for n in names if names.count(n) > 1 and n}
            if dup:
                raise RecipientsError(f"{p}: repeated column names: {', '.join(sorted(dup))}")
            col = _pick_column(names, to_column, p, kind, column_hint)
            others = [(i, n) for i, n in enumerate(names) if i != col and n]

            def rows() -> Iterator[tuple[int, list[str]]]:
                for line, fields in reader:
                    if not fields or (len(fields) == 1 and not fields[0].strip()):
                        continue
                    yield line, fields

            yield _Sheet(p, names, col, others), rows()
    except UnicodeDecodeError as exc:
        raise RecipientsError(
            f"{p}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV"
        ) from None
    except CsvProblem as exc:
        raise RecipientsError(f"{p} {exc}") from None


def from_csv(
    path: str | Path,
    *,
    to_column: str | None = None,
    kind: Kind = "phone",
    region: str = DEFAULT_REGION,
    blacklist: frozenset[str] | set[str] = frozenset(),
    column_hint: str = CLI_COLUMN_HINT,
) -> Recipients:
    """Recipients from a CSV file with a header row; the other columns become variables.

    Comma, semicolon and tab separated files are told apart from the first lines. Row
    numbers are the file's line numbers (the header is line 1). A row with more fields
    than the header is invalid; missing trailing fields are empty; blank lines are
    skipped. UTF-8 (with or without BOM) only: anything else is a clear error.
    `column_hint` says what to do when no column is the recipients'.
    """
    bad: list[Invalid] = []
    with _open_sheet(path, to_column, kind, column_hint) as (sheet, lines):
        width, col = len(sheet.names), sheet.col

        def rows() -> Iterator[tuple[int, str, dict[str, str] | None]]:
            for line, fields in lines:
                if len(fields) > width:
                    bad.append(
                        Invalid(line, fields[col] if col < len(fields) else "",
                                f"{len(fields)} fields, the header has {width}")
                    )  # fmt: skip
                    continue
                if len(fields) < width:
                    fields += [""] * (width - len(fields))
                yield line, fields[col], sheet.variables(fields)

        # Streamed: each row is read, checked and dropped (only recipients are kept), so
        # a million-row file is never held twice.
        out = build(rows(), kind=kind, region=region, blacklist=blacklist)
    if bad:
        out.invalid = sorted([*out.invalid, *bad], key=lambda i: i.row)
    return out


def peek_csv(
    path: str | Path, *, to_column: str | None = None, kind: Kind = "phone", limit: int = 3
) -> list[tuple[str, dict[str, str] | None]]:
    """The first rows of a recipients CSV as (recipient, variables), read as `from_csv`
    reads them, for a preview: nothing is checked beyond the header."""
    out: list[tuple[str, dict[str, str] | None]] = []
    with _open_sheet(path, to_column, kind, CLI_COLUMN_HINT) as (sheet, lines):
        for _, fields in lines:
            fields = fields + [""] * (len(sheet.names) - len(fields))
            out.append((fields[sheet.col], sheet.variables(fields)))
            if len(out) >= limit:
                break
    return out


def _contact_value(contact: Contact, kind: Kind) -> str:
    return (contact.email if kind == "email" else contact.phone) or ""


def _contact_vars(contact: Contact) -> dict[str, str]:
    variables = {"name": contact.name or "", "surname": contact.surname or ""}
    variables.update({f.key: str(f.value) for f in contact.custom_fields})
    return variables


async def group_contacts(backend: Backend, group: str) -> AsyncIterator[Contact]:
    """The contacts in a group (by name, case-insensitive, or by numeric id).

    The 360nrs contacts listing has no group filter (only email, phone, landline,
    countryIso and externalId), so we page through every contact with
    `include=customFields,groups` and keep the group's members client-side.
    """
    wanted = group.strip()
    by_id = int(wanted) if wanted.isdigit() else None
    folded = wanted.casefold()
    async for contact in paginate(
        lambda page: backend.capability(ContactsListingApi).contacts_page(
            page, limit=1000, include_details=True
        )
    ):
        if any(g.id == by_id or g.name.casefold() == folded for g in contact.groups):
            yield contact


async def from_group(
    backend: Backend,
    group: str,
    *,
    kind: Kind = "phone",
    region: str = DEFAULT_REGION,
    blacklist: frozenset[str] | set[str] = frozenset(),
) -> Recipients:
    """A group's contacts; name, surname and custom fields become variables."""
    rows: list[tuple[int, str, dict[str, str] | None]] = []
    async for contact in group_contacts(backend, group):
        rows.append((len(rows) + 1, _contact_value(contact, kind), _contact_vars(contact)))
    if not rows:
        raise RecipientsError(f"no contacts in group {group!r} (or no such group)")
    return build(rows, kind=kind, region=region, blacklist=blacklist)


async def fetch_blacklist(backend: Backend, kind: Kind = "phone") -> frozenset[str]:
    """The channel's blacklist, fetched once, normalised like recipients (empty if none)."""
    channel: Literal["sms", "mailing"] = "sms" if kind == "phone" else "mailing"
    out: set[str] = set()
    try:
        async for entry in backend.capability(BlacklistApi).iter_blacklist(channel):
            value = entry.recipient.strip()
            out.add(value.lower() if kind == "email" else value.removeprefix("+"))
    except NotSupported:
        return frozenset()
    return frozenset(out)
