"""The console's CSV import dialog: preview, column mapping, progress and results, over
the import use case (tui.usecases.contacts_io)."""

from __future__ import annotations

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
from screens.widgets.common import Coalesce, ConfirmModal, WorkerErrors, sb_app
from tui.usecases.contacts import ContactRefused, ContactRules, parse_groups
from tui.usecases.contacts_io import (
    CsvFile,
    ImportProgress,
    ImportRequest,
    ImportResult,
    custom_columns,
    guess_column,
    import_contacts,
    import_fields,
    read_csv_head,
)


class ImportModal(WorkerErrors, ModalScreen[int | None]):
    """Import contacts from a CSV file; returns how many were created.

    Only what the provider's `rules` let a contact hold is offered, and rows that break
    them fail before their request: a refused field would fail every row at the provider.
    """

    BUSY_WORK: ClassVar[dict[str, str]] = {"contacts-import": "a contacts import"}

    BINDINGS = [Binding("escape", "close", "Close"), Binding("ctrl+s", "start", "Import")]

    @dataclass
    class Progress(Message):
        """How far the import is; `result` once it has ended."""

        progress: ImportProgress
        result: ImportResult | None = None

    def __init__(self, *, rules: ContactRules | None = None) -> None:
        super().__init__(classes="dialog")
        self.rules = rules or ContactRules()
        self.fields = import_fields(self.rules)
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
        groups = parse_groups(self.query_one("#imp-groups", Input).value)
        mapping = self._mapping()
        custom = self.query_one("#imp-custom", Checkbox).value and self.rules.custom_fields
        request = ImportRequest(
            source,
            mapping,
            custom_columns(source.header, mapping) if custom else {},
            groups,
            self.rules,
        )
        try:
            request.check()
        except ContactRefused as exc:
            error.update(str(exc))
            return
        error.update("")
        self.query_one("#imp-start", Button).disabled = True
        self.started = True
        self.query_one("#imp-progress").display = True
        self.call_after_refresh(self.query_one("#imp-summary").scroll_visible)
        self.run_import(request)

    @work(group="contacts-import", exit_on_error=False)
    async def run_import(self, request: ImportRequest) -> None:
        """Create one contact per row (tui.usecases.contacts_io); a refused row is
        recorded, not fatal; auth or outage errors stop it (the error modal)."""
        api = (await sb_app(self).backend()).capability(ContactsApi)
        posts = Coalesce()

        def progress(event: ImportProgress) -> None:
            if posts.due():
                self.post_message(self.Progress(event))

        result = await import_contacts(request, api, progress=progress)
        self.post_message(self.Progress(result.progress(), result))

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        now = event.progress
        self.created, self.done, self.total = now.created, now.done, now.total
        bar = self.query_one("#imp-progress", ProgressBar)
        bar.update(total=max(now.total, 1), progress=now.done)
        result = event.result
        if result is None:
            summary = f"Importing: {now.done} of {now.total} rows, {now.created} created, "
            self.query_one("#imp-summary", Static).update(f"{summary}{now.failed} failed")
            return
        self.query_one("#imp-summary", Static).update(result.summary())
        if result.failures:
            table = self.query_one("#imp-failures", DataTable)
            table.clear()
            for row in result.failures:
                table.add_row(str(row.line), row.reason or "")
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
