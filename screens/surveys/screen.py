"""Surveys (F10): the send form for what the active account offers.

SURVEYS → survey invitations (e.g. Xebo), DOCUMENT_REQUESTS → document requests (e.g.
Collect), SURVEY_BATCH → survey batches through the send engine (e.g. 8x8). The choice
comes from the backend's capabilities only; an account with none of them gets a notice.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import ContentSwitcher, Static

from backends.base import Capability
from screens.surveys.batch import BatchPane
from screens.surveys.collect import CollectPane
from screens.surveys.common import SendPane
from screens.surveys.xebo import XeboPane
from screens.widgets.common import BaseScreen, no_account_text, sb_app

# Checked in this order; the first capability the backend has picks the form.
FORMS: tuple[tuple[Capability, str], ...] = (
    (Capability.SURVEYS, "surveys-xebo"),
    (Capability.DOCUMENT_REQUESTS, "surveys-collect"),
    (Capability.SURVEY_BATCH, "surveys-batch"),
)
WHAT = "survey sends, document requests or survey batches"


class SurveysScreen(BaseScreen):
    """Send surveys, document requests or survey batches on the active account."""

    TITLE = "Surveys"
    CSS_PATH = "surveys.tcss"
    # The visible form's first field takes the focus (see _account_changed), not the
    # scrolling pane around it nor a field of a hidden form.
    AUTO_FOCUS = ""

    BINDINGS = [Binding("ctrl+s", "send", "Send")]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static("", id="surveys-notice", classes="notice")
        with ContentSwitcher(id="surveys-forms"):
            yield XeboPane(id="surveys-xebo")
            yield CollectPane(id="surveys-collect")
            yield BatchPane(id="surveys-batch")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.watch(sb_app(self), "active_account", self._account_changed, init=False)
        self._account_changed(sb_app(self).active_account)

    def _account_changed(self, name: str | None) -> None:
        app = sb_app(self)
        notice = self.query_one("#surveys-notice", Static)
        switcher = self.query_one("#surveys-forms", ContentSwitcher)
        form = None
        if name is None:
            notice.update(no_account_text(self))
        else:
            from backends.registry import backend_class

            account = app.workspace.account(name)
            cls = backend_class(account.provider)
            form = next((f for cap, f in FORMS if cls.supports(cap)), None)
            notice.update("" if form else f"{cls.label} does not offer {WHAT}.")
            if form == "surveys-batch":
                self.query_one(BatchPane).reset(account.options.get("survey_id", ""))
        notice.display = form is None
        switcher.display = form is not None
        self.set_offered(form is not None)
        if form is not None:
            switcher.current = form
            self.call_after_refresh(self.query_one(f"#{form}", SendPane).focus_first_field)

    def _pane(self) -> SendPane | None:
        switcher = self.query_one("#surveys-forms", ContentSwitcher)
        if not switcher.display or switcher.current is None:
            return None
        return self.query_one(f"#{switcher.current}", SendPane)

    def action_send(self) -> None:
        """Send what the visible form describes."""
        pane = self._pane()
        if isinstance(pane, XeboPane | CollectPane | BatchPane):
            pane.action_send()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The send action of the visible form."""
        if self._pane() is not None:
            yield SystemCommand("Surveys: send", "Send what the form describes", self.action_send)
