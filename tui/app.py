"""The Textual console: modes for the areas that work, the active account, shared backends."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from backends.errors import ConfigError
from screens.catalog import AREAS
from screens.widgets.common import BaseScreen, ConfirmModal, ErrorModal, describe_error, log_shown
from screens.widgets.footer import TALL_FROM, WIDE_FROM
from screens.widgets.help import HelpScreen, KeyRow, key_label
from screens.widgets.keys import std_key
from tui.config import Account
from tui.interpreter import freeze_start_up, tune_interpreter
from tui.sandbox_start import SandboxStart
from tui.workspace import Workspace

if TYPE_CHECKING:
    from backends.base import Backend
    from tui import sandbox
    from tui.receiver_process import ReceiverChild, Receivers

log = logging.getLogger("switchboard.app")

CSS_DIR = Path(__file__).resolve().parent.parent / "screens"


class SwitchboardApp(App[None]):
    """The console."""

    TITLE = "Switchboard"
    CSS_PATH = [CSS_DIR / "app.tcss"]
    MODES = {area.mode: area.screen for area in AREAS}
    DEFAULT_MODE = "accounts"
    # Every screen gets -narrow or -wide (below 110 columns side-by-side panels stack or
    # collapse) and -short or -tall (below 36 lines); the .tcss files react to them.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE_FROM, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL_FROM, "-tall")]
    BINDINGS = [
        std_key("help"),
        *(
            Binding(area.key, f"switch_mode('{area.mode}')", area.title, show=False)
            for area in AREAS
        ),
        Binding("ctrl+o", "next_account", "Next account"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    QUIT_GRACE = 5.0  # seconds the running work gets to write its journal on quit

    active_account: reactive[str | None] = reactive(None)
    # Bumped whenever accounts are added or removed, so screens redraw their lists.
    accounts_version: reactive[int] = reactive(0)
    # Bumped whenever a delivery receiver starts, stops or fails (the Jobs screen says so).
    receivers_version: reactive[int] = reactive(0)

    def __init__(self, workspace: Workspace, *, start_sandbox: bool = False) -> None:
        super().__init__()
        self.workspace = workspace
        self.start_sandbox = start_sandbox
        self._backends: dict[str, Backend] = {}
        # The delivery receivers this console runs (tui.receiver_process), once needed.
        self.receivers: Receivers | None = None
        self._account_title = ""
        # Set once the first frame is drawn: what it does not need waits for it.
        self._first_frame = asyncio.Event()
        self._sandbox = SandboxStart(start_sandbox, self.first_frame_drawn)

    async def on_event(self, event: events.Event) -> None:
        """Move focus on Tab as it arrives, in fields where Tab does nothing else.

        Textual hands each key to the widget focused when the key arrives, and Tab moves
        focus only once that widget has processed it (a binding, after the widget). Keys
        that arrive together (a paste, tmux send-keys "abc\tdef") were all queued to the
        first field: the text after the Tab landed there and the Tab looked lost."""
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and event.key in ("tab", "shift+tab")
            and tab_only_moves_focus(self.focused)
        ):
            self.app_focus = True
            if event.key == "tab":
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
            return
        await super().on_event(event)

    def _load_screen_css(self, screen: Screen[object]) -> None:
        # An area with its own CSS file: Textual parsed every source of the stylesheet
        # again, in a new stylesheet without its parse cache (20-30 ms on each area's
        # first opening, most of it Button's and DataTable's CSS). The file is added to
        # this stylesheet instead, and only it is parsed.
        stylesheet = self.stylesheet
        stylesheet.reparse = stylesheet.parse  # type: ignore[method-assign]
        try:
            super()._load_screen_css(screen)
        finally:
            del stylesheet.reparse

    def on_load(self) -> None:
        # The active account before the first screen is built: its header colour is a
        # class on the app, and changing one restyles every widget below it (~20 ms of
        # the first frame once the screen is there). A problem is shown by on_mount.
        with contextlib.suppress(Exception):
            self._pick_default_account(show_errors=False)

    def on_mount(self) -> None:
        tune_interpreter()  # `switchboard` did so before importing Textual; tests do not
        self.call_after_refresh(freeze_start_up)
        self._pick_default_account()
        with contextlib.suppress(ConfigError):  # a broken config is shown above
            for text in self.workspace.shared_secret_variables():
                self.notify(text[0].upper() + text[1:] + ".", severity="warning", timeout=30)
        self.call_after_refresh(self._first_frame.set)
        if self.start_sandbox:
            self.run_worker(self.open_sandbox(), group="sandbox", exit_on_error=False)
        self.sync_receivers()

    async def on_unmount(self) -> None:
        # The backends' connection pools first, while the emulators they talk to still run.
        for backend in self._backends.values():
            await backend.aclose()
        self._backends.clear()
        if self.receivers is not None:
            await self.receivers.stop()
        await self._sandbox.close()

    def _pick_default_account(self, *, show_errors: bool = True) -> None:
        try:
            names = list(self.workspace.accounts())
        except Exception as exc:
            if not show_errors:
                raise
            self.show_error(exc)
            return
        if self.active_account not in names:
            # The default account (`switchboard account use`), else the first one.
            default = self.workspace.default_account()
            self.active_account = default or (names[0] if names else None)

    async def first_frame_drawn(self) -> None:
        """Return once the first frame is drawn: start-up work that it does not need
        (the sandbox, testing accounts) waits for it, so the console shows at once."""
        await self._first_frame.wait()

    @property
    def sandboxes(self) -> list[sandbox.RunningSandbox]:
        """The sandbox's running emulators."""
        return self._sandbox.running

    @property
    def sandbox_starting(self) -> bool:
        """Whether the sandbox's emulators are starting: screens say so instead of "no
        account", and backend() waits for them."""
        return self._sandbox.starting

    async def open_sandbox(self) -> list[Account]:
        """Start the emulators (once, after the first frame) and add their in-memory
        accounts; the first becomes active."""
        try:
            running = await self._sandbox.start()
        except Exception:
            # The screens waiting for it say "no account" again (the error is shown).
            self.mutate_reactive(SwitchboardApp.active_account)
            raise
        from tui import sandbox  # imported by the thread that started them: no cost here

        accounts = sandbox.add_accounts(self.workspace, running)
        self.accounts_changed(select=accounts[0].name)
        return accounts

    def watch_active_account(self, name: str | None) -> None:
        # The header says which account, in its own colour, and SANDBOX for the emulators,
        # so a send on a real account is never mistaken for a rehearsal.
        for index in range(ACCOUNT_COLOURS):
            self.set_class(name is not None and index == account_colour(name), f"-account-{index}")
        self.set_class(False, "-sandbox")
        if name is None:
            self._show_sub_title("starting the sandbox…" if self.sandbox_starting else "no account")
            return
        try:
            account = self.workspace.account(name)
        except Exception:
            self._show_sub_title(name)
            return
        self.set_class(account.ephemeral, "-sandbox")
        # One setting with the CLI: the account chosen here is the default of commands.
        with contextlib.suppress(ConfigError, OSError):  # unsaved: still the active one
            self.workspace.use_account(name)
        badge = "SANDBOX · " if account.ephemeral else ""
        self._show_sub_title(f"{badge}account: {name} ({account.provider})")

    def _show_sub_title(self, account_title: str) -> None:
        """The header's second part: the active account, then the receivers' status."""
        self._account_title = account_title
        status = self.receivers.status if self.receivers is not None else ""
        self.sub_title = f"{account_title} · {status}" if status else account_title

    def sync_receivers(self) -> None:
        """Run the delivery receivers the accounts need, stop those they no longer need
        (in a worker: starting one waits for it to listen)."""
        self.run_worker(self._sync_receivers(), group="receivers", exit_on_error=False)

    async def _sync_receivers(self) -> None:
        # After the first frame, which shows nothing of them (the child takes a moment to
        # listen anyway).
        await self.first_frame_drawn()
        from tui import receiver_process

        try:
            accounts = self.workspace.accounts().values()
            setting = self.workspace.store.setting(
                receiver_process.LISTEN_SETTING, receiver_process.DEFAULT_LISTEN
            )
            needed = receiver_process.wanted(accounts, setting)
        except ConfigError as exc:
            self.notify(
                f"Delivery receiver not started: {exc.message}", severity="error", timeout=30
            )
            needed = {}
        if not needed and self.receivers is None:
            return
        if self.receivers is None:
            config_dir = self.workspace.store.directory
            self.receivers = receiver_process.Receivers(config_dir, self._receiver_changed)
        await self.receivers.sync(needed)

    def receiver_status(self, journal: Path) -> str:
        """What the receiver of that journal file is doing ("" when there is none)."""
        child = self.receivers.children.get(journal) if self.receivers is not None else None
        return child.status if child is not None else ""

    def _receiver_changed(self, child: ReceiverChild) -> None:
        self._show_sub_title(self._account_title)
        self.receivers_version += 1
        if child.problem is not None:
            # The console works on; only the reports for that journal wait (the provider
            # retries, and `switchboard receive` can take them).
            self.notify(
                f"Delivery receiver on {child.listen} is not running: {child.problem}",
                severity="error",
                timeout=30,
            )

    def accounts_changed(self, select: str | None = None) -> None:
        """Forget backends of removed accounts, pick the active one, tell the screens."""
        known = self.workspace.accounts()
        for name in list(self._backends):
            if name not in known:
                backend = self._backends.pop(name)
                self.run_worker(backend.aclose(), group="close")
        if select in known:
            self.active_account = select
        else:
            self._pick_default_account()
        self.accounts_version += 1
        self.sync_receivers()

    async def backend(self, name: str | None = None) -> Backend:
        """The long-lived backend of an account (the active one by default)."""
        if name is None and self.sandbox_starting:
            await self.open_sandbox()  # its first account becomes the active one
        name = name or self.active_account
        if name is None:
            raise ConfigError("No account is selected: add one on the Accounts screen (F2).")
        if name not in self._backends:
            self._backends[name] = await self.workspace.open(name)
        return self._backends[name]

    def journal_path(self, name: str | None = None) -> Path:
        """The journal of an account's jobs (the active one by default): sandbox accounts
        have their own."""
        from tui.engine.journal import default_path, path_for

        name = name or self.active_account
        if name is None:
            return default_path()
        try:
            return path_for(sandbox=self.workspace.account(name).ephemeral)
        except ConfigError:
            return default_path()

    def action_next_account(self) -> None:
        """Make the next account active."""
        try:
            names = list(self.workspace.accounts())
        except ConfigError as exc:
            self.show_error(exc)
            return
        if not names:
            self.notify("No accounts yet.", severity="warning")
            return
        index = names.index(self.active_account) + 1 if self.active_account in names else 0
        name = names[index % len(names)]
        self.active_account = name
        if self.workspace.account(name).ephemeral:
            self.notify(f"Active account: {name} (sandbox)")
        else:
            self.notify(
                f"Active account: {name}, a REAL account: sends reach people and cost money.",
                severity="warning",
            )

    def _busy(self) -> dict[Worker[object], str]:
        """Running work that quitting would cut short, with what it is ("a send").

        A screen or widget names its own: a class attribute BUSY_WORK maps the group of
        such workers to what they do (ComposeScreen: {"send": "a send"})."""
        busy: dict[Worker[object], str] = {}
        for worker in self.workers:
            what = getattr(worker.node, "BUSY_WORK", {}).get(worker.group)
            if what is not None and not worker.is_finished:
                busy[worker] = what
        return busy

    def busy_work(self) -> list[str]:
        """What is still running that quitting would stop (a send, an import, ...)."""
        return sorted(set(self._busy().values()))

    async def action_quit(self) -> None:
        """Quit, asking first while a send, import or export runs (Ctrl+Q again: quit)."""
        busy = self.busy_work()
        if not busy or isinstance(self.screen, QuitModal):
            await self._stop_work_and_exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_later(self._stop_work_and_exit)

        what = " and ".join(busy)
        self.push_screen(
            QuitModal(
                f"{what[0].upper()}{what[1:]} is still running. Quit now? A send stops at "
                "once: recipients whose request is in flight are marked unknown, the others "
                "stay pending, and Jobs (F9) resumes them. Press Ctrl+Q again to quit.",
                yes_label="Quit",
            ),
            answered,
        )

    async def _stop_work_and_exit(self) -> None:
        """Cancel the running work and let it write its journal before the app exits.

        Textual cancels workers on exit without waiting for them; a send's clean-up
        (in-flight recipients marked unknown, the job paused) takes milliseconds, so it
        is waited for here, at most QUIT_GRACE seconds.
        """
        busy = list(self._busy())
        for worker in busy:
            worker.cancel()
        if busy:
            # Each wait ends with WorkerCancelled once the worker's clean-up has run.
            waits = asyncio.gather(*(w.wait() for w in busy), return_exceptions=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waits, self.QUIT_GRACE)
        self.exit()

    def action_help(self) -> None:
        """Show the keys of the current screen and the keys that work everywhere."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        # Only this app's own keys and those the screen and its panes define (the same
        # the footer shows): the focused widget's cursor keys and Textual's built-ins
        # (focus, copy) would bury the ones that matter.
        rows: dict[tuple[bool, str], list[str]] = {}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if active.node is self:
                own = binding.action in _actions(self.BINDINGS)
            else:
                own = _defined_here(active.node, binding)
            if own and binding.description:
                rows.setdefault((active.node is self, binding.description), []).append(key)
        screen_rows: list[KeyRow] = []
        app_rows: list[KeyRow] = []
        for (is_app, description), keys in rows.items():
            row = (" / ".join(key_label(k) for k in keys), description)
            (app_rows if is_app else screen_rows).append(row)
        app_rows.append(("Ctrl+P", "Command palette"))
        title = screen.title or type(screen).__name__
        self.push_screen(HelpScreen(f"This screen: {title}", screen_rows, app_rows))

    def show_error(self, exc: BaseException) -> None:
        """Show an error in a modal; unexpected ones are logged with their traceback."""
        title, message = describe_error(exc)
        top = self.screen_stack[-1] if self.screen_stack else None
        if isinstance(top, ErrorModal) and (top.title_text, top.message) == (title, message):
            return  # the same problem found again by another reader (a broken config file)
        if title == "Unexpected error":
            log.error("unexpected error in the console", exc_info=exc)
        else:
            log_shown(title, message)
        self.push_screen(ErrorModal(title, message))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for area in AREAS:
            yield SystemCommand(
                area.title,
                f"{area.help} ({key_label(area.key)})",
                lambda mode=area.mode: self.switch_mode(mode),
            )
        yield SystemCommand("Help", "Keys for this screen and everywhere (F1)", self.action_help)
        yield SystemCommand("Next account", "Switch the active account", self.action_next_account)
        if isinstance(screen, BaseScreen) and screen.offered:
            yield from screen.palette_commands()
        try:
            names = list(self.workspace.accounts())
        except ConfigError:
            names = []  # already reported in a modal; the palette still opens
        for name in names:
            yield SystemCommand(
                f"Use account {name}",
                "Make this the active account",
                lambda n=name: setattr(self, "active_account", n),
            )


def _actions(bindings: Iterable[object]) -> set[str]:
    return {b.action for b in bindings if isinstance(b, Binding)}


def _defined_here(node: object, binding: Binding) -> bool:
    """Whether one of this project's screen or widget classes binds the action (not only
    a Textual base class such as DataTable or Screen)."""
    return any(
        binding.action in _actions(vars(cls).get("BINDINGS", ()))
        for cls in type(node).__mro__
        if cls.__module__.startswith("screens.")
    )


def run_console(workspace: Workspace, *, sandbox: bool = False) -> int:
    """Open the console; the exit code."""
    workspace.load()  # a broken config is reported before the screen takes over
    SwitchboardApp(workspace, start_sandbox=sandbox).run()
    return 0


class QuitModal(ConfirmModal):
    """The question asked when quitting would stop running work."""


#: How many header colours accounts are spread over (SwitchboardApp.-account-N in app.tcss).
ACCOUNT_COLOURS = 6


def account_colour(name: str) -> int:
    """The account's header colour: stable across runs (not Python's salted hash)."""
    return zlib.crc32(name.encode()) % ACCOUNT_COLOURS


def tab_only_moves_focus(widget: Widget | None) -> bool:
    """Whether Tab means "next field" in this widget (it types nothing and picks nothing)."""
    # Here, not at the top: TextArea (its document and syntax modules) is not needed for
    # the first frame, and is loaded by the first Tab or the first screen that has one.
    from textual.widgets import Input, TextArea

    if isinstance(widget, TextArea):
        return widget.tab_behavior == "focus"
    return isinstance(widget, Input)
