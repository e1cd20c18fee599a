"""Scheduled tab: messages waiting for their date; reschedule or delete one, or all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from backends.capabilities import ScheduledApi
from backends.models.send import SCHEDULED_TYPES, ScheduledList, ScheduledType
from screens.reports.common import ActionTable, ReportsPane
from screens.widgets.common import ConfirmModal, TypedConfirmModal, sb_app
from screens.widgets.keys import std_key
from tui.dates import fmt_time, parse_when, utc_label
from tui.usecases.confirm import DELETE_ALL_PHRASE, RESCHEDULE_ALL_PHRASE

#: Rows shown at most; the count line says how many the provider listed.
SHOWN_ROWS = 1000


class RescheduleModal(ModalScreen[datetime | None]):
    """Ask for a new send time, showing the UTC value that will be sent."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, what: str) -> None:
        super().__init__(classes="dialog")
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body form"):
            yield Label(f"Reschedule {self.what}", classes="dialog-title")
            yield Label("New send time (local time, or add an offset such as +01:00)")
            yield Input(placeholder="e.g. 2025-03-10 09:30", id="when")
            yield Static("", id="when-utc")
            yield Static("", id="when-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Reschedule", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#when", Input).focus()

    @on(Input.Changed, "#when")
    def _typed(self, event: Input.Changed) -> None:
        try:
            text = f"Sent as {utc_label(parse_when(event.value, need_time=True))}"
        except ValueError:
            text = ""
        self.query_one("#when-utc", Static).update(text)

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#when")
    def _save(self) -> None:
        try:
            when = parse_when(self.query_one("#when", Input).value, need_time=True)
        except ValueError as exc:
            message = str(exc)
            self.query_one("#when-error", Static).update(message[0].upper() + message[1:] + ".")
            return
        self.dismiss(when)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without rescheduling."""
        self.dismiss(None)


class ScheduledTable(ActionTable):
    """One row per scheduled message; letters act on the highlighted one."""

    BINDINGS = [
        std_key("edit", "request('reschedule')", "Reschedule"),
        std_key("delete", "request('delete')"),
    ]


class ScheduledPane(ReportsPane):
    """The provider's scheduled messages, by type as the API filters them."""

    LOADING: ClassVar[dict[str, str]] = {"reports-scheduled": "#scheduled-table"}

    @dataclass
    class Loaded(Message):
        """The provider listed the scheduled messages."""

        listing: ScheduledList

    @dataclass
    class Changed(Message):
        """A reschedule or delete was answered."""

        done: str
        count: int

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filter-row"):
            yield Select[str](
                [(t, t) for t in SCHEDULED_TYPES], prompt="Every type", id="scheduled-type"
            )
            yield Button("Refresh", id="scheduled-refresh")
        yield ScheduledTable(id="scheduled-table")
        yield Static("", id="scheduled-count")
        with Horizontal(classes="button-row"):
            yield Button("Reschedule… (r)", id="reschedule")
            yield Button("Delete (d)", variant="error", id="delete")
            yield Button("Reschedule all…", id="reschedule-all")
            yield Button("Delete all…", variant="error", id="delete-all")
        yield Static("", id="scheduled-status")

    def on_mount(self) -> None:
        self.query_one(ScheduledTable).add_columns(
            "GUID", "Type", "Sending", "Scheduled (UTC)", "Updated (UTC)"
        )

    def _type(self) -> ScheduledType | None:
        value = self.query_one("#scheduled-type", Select).value
        return "SMS" if value == "SMS" else "MAILING" if value == "MAILING" else None

    def _scope(self) -> str:
        kind = self._type()
        return f"EVERY scheduled {kind} message" if kind else "EVERY scheduled message"

    @on(Select.Changed, "#scheduled-type")
    @on(Button.Pressed, "#scheduled-refresh")
    def reload(self) -> None:
        """List the scheduled messages of the chosen type again."""
        self.load(self._type())

    @work(group="reports-scheduled", exclusive=True, exit_on_error=False)
    async def load(self, kind: ScheduledType | None) -> None:
        """List the scheduled messages (of a type)."""
        backend = await sb_app(self).backend()
        self.post_message(
            self.Loaded(await backend.capability(ScheduledApi).scheduled_list(type=kind))
        )

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        table = self.query_one(ScheduledTable)
        table.clear()
        for m in event.listing.items[:SHOWN_ROWS]:
            sending = "" if m.sending_id is None else str(m.sending_id)
            updated = fmt_time(m.updated_at)
            table.add_row(m.guid, m.type, sending, fmt_time(m.scheduled_at), updated, key=m.guid)
        listed = len(event.listing.items)
        count = f"{event.listing.total} scheduled"
        if listed > SHOWN_ROWS:
            count += f"; the first {SHOWN_ROWS} are shown"
        self.query_one("#scheduled-count", Static).update(count)
        has_rows = bool(listed)
        for button in ("#reschedule", "#delete", "#reschedule-all", "#delete-all"):
            self.query_one(button, Button).disabled = not has_rows

    def _selected(self) -> str | None:
        table = self.query_one(ScheduledTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _status(self, text: str) -> None:
        self.query_one("#scheduled-status", Static).update(text)

    @on(ActionTable.Requested, "#scheduled-table")
    def _requested(self, event: ActionTable.Requested) -> None:
        if event.action == "reschedule":
            self.action_reschedule()
        elif event.action == "delete":
            self.action_delete()

    @on(Button.Pressed, "#reschedule")
    def action_reschedule(self) -> None:
        """Ask for a new time for the highlighted message."""
        guid = self._selected()
        if guid is None:
            return

        def chosen(when: datetime | None) -> None:
            if when is not None:
                self.change("reschedule", [guid], when)

        self.app.push_screen(RescheduleModal(f"scheduled message {guid}"), chosen)

    @on(Button.Pressed, "#delete")
    def action_delete(self) -> None:
        """Delete the highlighted message once confirmed."""
        guid = self._selected()
        if guid is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.change("delete", [guid], None)
            else:
                self._status(f"Kept scheduled message {guid}.")

        question = f"Delete scheduled message {guid}? It will not be sent."
        self.app.push_screen(ConfirmModal(question, yes_label="Delete"), confirmed)

    @on(Button.Pressed, "#reschedule-all")
    def action_reschedule_all(self) -> None:
        """Move every scheduled message (of the type shown), after a typed confirmation."""
        scope, kind = self._scope(), self._type()

        def confirmed(when: datetime, yes: bool | None) -> None:
            if yes:
                self.change("reschedule", None, when, kind)
            else:
                self._status("Nothing was rescheduled.")

        def chosen(when: datetime | None) -> None:
            if when is None:
                return
            question = f"Move {scope} to {utc_label(when)}? This is not limited to the list."
            self.app.push_screen(
                TypedConfirmModal(question, RESCHEDULE_ALL_PHRASE, yes_label="Reschedule all"),
                lambda yes: confirmed(when, yes),
            )

        self.app.push_screen(RescheduleModal(scope), chosen)

    @on(Button.Pressed, "#delete-all")
    def action_delete_all(self) -> None:
        """Delete every scheduled message (of the type shown), after a typed confirmation."""
        question = f"Delete {self._scope()}? None of them will be sent."
        kind = self._type()

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.change("delete", None, None, kind)
            else:
                self._status("Nothing was deleted.")

        self.app.push_screen(
            TypedConfirmModal(question, DELETE_ALL_PHRASE, yes_label="Delete all"), confirmed
        )

    @work(group="reports-scheduled-change", exit_on_error=False)
    async def change(
        self,
        action: str,
        guids: list[str] | None,
        when: datetime | None,
        kind: ScheduledType | None = None,
    ) -> None:
        """Reschedule or delete some messages, or (guids None) every one of `kind`."""
        backend = await sb_app(self).backend()
        if action == "reschedule" and when is not None:
            if guids is None:
                result = await backend.capability(ScheduledApi).scheduled_update_all(when, kind)
            else:
                result = await backend.capability(ScheduledApi).scheduled_update(guids, when)
            done = "Rescheduled"
        elif guids is None:
            result = await backend.capability(ScheduledApi).scheduled_delete_all(kind)
            done = "Deleted"
        else:
            result = await backend.capability(ScheduledApi).scheduled_delete(guids)
            done = "Deleted"
        self.post_message(self.Changed(done, result.count))

    @on(Changed)
    def _changed(self, event: Changed) -> None:
        self._status(f"{event.done} {event.count} scheduled message(s).")
        self.reload()
