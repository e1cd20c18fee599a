"""Compose's inputs kept apart, and a run forgotten when what it was for changes.

One set of widgets serves every channel (a channel's fields are shown by class), and one
recipients input every source. Read as they are, a CSV path typed for "CSV file" became a
group name after switching source, and the SMS sender the WhatsApp business number. So a
channel switch saves the values of the channel left and restores (or empties) those of the
channel shown, and a source switch does the same for the recipients input; typed recipients
are kept per kind too, since phone numbers are not email addresses (a group or a CSV file
holds both, so those follow the source only).

A preflight and a send's results describe one channel, source and recipients: when any of
them changes, both are cleared, and a preflight still running is cancelled. A preflight
that ends after the form changed in any way is dropped (`form_state` tells), so the send
confirmed is always the one the form shows.
"""

from __future__ import annotations

from typing import Any

from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from screens.compose.fields import PREFLIGHT_HINT, ComposeForm
from screens.compose.form import CHANNELS, Channel
from screens.widgets.funnel import DeliveryFunnel
from screens.widgets.progress import SendProgress

# Every kind of widget that holds something typed or chosen in the form.
INPUTS = "Input, TextArea, Checkbox, Select"
ALL_CHANNELS = frozenset(c.key for c in CHANNELS)
# Not a channel's own fields: what is sent on, and the recipients (kept per source).
SHARED = ("channel", "source", "recipients", "to-column", "campaign")

FormState = tuple[tuple[str, object], ...]


def read_value(widget: Widget) -> object:
    """What a form widget holds."""
    if isinstance(widget, TextArea):
        return widget.text
    if isinstance(widget, Input | Checkbox | Select):
        return widget.value
    raise TypeError(f"not a form input: {widget!r}")


def write_value(widget: Widget, value: object) -> None:
    """Put a value read by `read_value` back into its widget."""
    if isinstance(widget, TextArea):
        if widget.text != value:  # loading text resets the cursor and the undo history
            widget.text = str(value)
    elif isinstance(widget, Input):
        widget.value = str(value)
    elif isinstance(widget, Checkbox):
        widget.value = bool(value)
    elif isinstance(widget, Select):
        select: Select[Any] = widget
        select.value = value


def shown_for(widget: Widget, stop: Widget) -> frozenset[str]:
    """The channels whose form shows `widget`: those named by every `.field` around it
    (up to `stop`); none when no `.field` is around it (then it is not a channel's own)."""
    keys = ALL_CHANNELS
    inside = False
    for node in widget.ancestors_with_self:
        if node is stop:
            break
        if node.has_class("field"):
            inside = True
            keys = keys & {key for key in ALL_CHANNELS if node.has_class(f"ch-{key}")}
    return keys if inside else frozenset()


class ComposeInputs(ComposeForm):
    """Each channel's fields and each source's recipients kept apart; stale runs cleared."""

    sending: bool
    # id -> the channels showing it, and its value as composed (what an unfilled one shows).
    _fields: dict[str, frozenset[str]]
    _defaults: dict[str, object]
    # channel key -> {id: value} as that channel was left.
    _kept_fields: dict[str, dict[str, object]]
    # (source, kind for typed recipients) -> the recipients input as that source was left.
    _kept_recipients: dict[tuple[str, str], str]
    _source: str

    def start_keeping(self) -> None:
        """Note each channel field and its value as composed (call once, on mount)."""
        form = self.query_one("#compose-form")
        self._fields, self._defaults = {}, {}
        for widget in form.query(INPUTS):
            if widget.id is None or widget.id in SHARED:
                continue
            self._fields[widget.id] = shown_for(widget, form)
            self._defaults[widget.id] = read_value(widget)
        self._kept_fields, self._kept_recipients = {}, {}
        self._source = "typed"

    def form_state(self) -> FormState:
        """Everything the form holds, to tell whether it changed since a preflight began."""
        form = self.query_one("#compose-form")
        return tuple((w.id or "", read_value(w)) for w in form.query(INPUTS))

    # --- switching ------------------------------------------------------------------------
    def keep_channel(self, old: Channel, new: Channel) -> None:
        """Save `old`'s fields, show `new`'s as it left them (as composed if never shown);
        fields `new` does not show are emptied, so nothing of `old` lingers hidden."""
        kept = self._kept_fields.setdefault(old.key, {})
        for name, channels in self._fields.items():
            if old.key in channels:
                kept[name] = read_value(self.query_one(f"#{name}"))
        restore = self._kept_fields.get(new.key, {})
        for name, channels in self._fields.items():
            default = self._defaults[name]
            value = restore.get(name, default) if new.key in channels else default
            write_value(self.query_one(f"#{name}"), value)
        self._swap_recipients((self._source, old.kind), (self._source, new.kind))

    def keep_source(self, new: str) -> bool:
        """Save the recipients typed for the source left, show those of `new`; whether the
        source changed."""
        old, self._source = self._source, new
        kind = self.channel.kind
        self._swap_recipients((old, kind), (new, kind))
        return old != new

    def _swap_recipients(self, old: tuple[str, str], new: tuple[str, str]) -> None:
        old_key, new_key = self._recipients_key(*old), self._recipients_key(*new)
        if old_key == new_key:
            return
        recipients = self.query_one("#recipients", Input)
        self._kept_recipients[old_key] = recipients.value
        recipients.value = self._kept_recipients.get(new_key, "")

    @staticmethod
    def _recipients_key(source: str, kind: str) -> tuple[str, str]:
        return (source, kind if source == "typed" else "")

    # --- forgetting a run -------------------------------------------------------------------
    def forget_run(self) -> None:
        """The preflight and the last results no longer describe the form: clear them
        (a running send's progress stays: it is live, and its pause is there)."""
        self.workers.cancel_group(self, "prepare")
        self.query_one("#preflight", Static).update(PREFLIGHT_HINT)
        self.query_one("#form-error", Static).update("")
        if not self.sending:
            progress = self.query_one(SendProgress)
            progress.remove_class("active")
            progress.job_id = None  # nothing to export from the palette either
            self.query_one(DeliveryFunnel).forget()
            self.refresh_bindings()  # no job to watch any more
