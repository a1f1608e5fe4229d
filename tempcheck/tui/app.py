"""The Textual application: one connection to the store, the dashboard as home screen."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from tempcheck import __version__
from tempcheck.domain import clock
from tempcheck.domain.fileformat import engine_loaded, is_team_file
from tempcheck.domain.text import printable
from tempcheck.services.undo import Undo, undo
from tempcheck.store import StoreError, open_db
from tempcheck.tui.screens.dashboard import DashboardScreen

if TYPE_CHECKING:
    from textual.timer import Timer


class TempcheckApp(App[None]):
    """Which customer relationships are going cold or hot, and a fast way to log how they feel."""

    CSS_PATH = "tempcheck.tcss"
    TITLE = "tempcheck"
    SUB_TITLE = f"v{__version__}"
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="tempcheck.help"),
        Binding("q", "quit", "Quit", id="tempcheck.quit"),
        Binding("S", "sync", "Sync", tooltip="Sync with the team", id="tempcheck.sync"),
        Binding("u", "undo", "Undo", tooltip="Undo the last change", id="tempcheck.undo"),
    ]
    # Screen classes by size, for the stylesheet: forms go compact on short terminals.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    REFRESH_SECONDS = 1.0  # how often to look for writes by other programs
    SYNC_SECONDS = 300.0  # team databases sync at start, then this often, and on S
    UNDO_SECONDS = 10.0  # how long the last write can be taken back with u
    COMMANDS = App.COMMANDS | {lambda: _customer_commands()}

    def __init__(self, db_path: str | Path, *, conn: sqlite3.Connection | None = None) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.conn = conn or open_db(self.db_path)
        self._data_version = self._read_data_version()

        self.team = engine_loaded() and is_team_file(self.db_path)
        self.sync_state = ""
        self._day = date.today()  # screens read everything again when the day changes
        self.last_undo: Undo | None = None
        self._undo_timer: Timer | None = None
        self.rescued: Path | None = None  # where typed text went when the app stopped on an error
        self.rescue_folder: Path | None = None  # where to put it (default: beside the database)

    def _handle_exception(self, error: Exception) -> None:
        """Before Textual shuts down on an unexpected error, keep what the user typed."""
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.tui.rescue import rescue_typed_text

        if self.rescued is None:
            try:
                self.rescued = rescue_typed_text(self, self.rescue_folder or self.db_path.parent)
            except Exception:  # noqa: BLE001 - the original error matters more
                self.rescued = None
        super()._handle_exception(error)

    def on_mount(self) -> None:
        self.push_screen(DashboardScreen())
        self.set_interval(self.REFRESH_SECONDS, self._poll_for_changes)
        if self.team:
            self._show_sync_state("team: syncing…")
            self.action_sync()
            self.set_interval(self.SYNC_SECONDS, self.action_sync)

    # --- team sync ----------------------------------------------------------------------------

    def action_sync(self) -> None:
        """Sync in a worker thread with its own connection: typing never waits for the network."""
        if not self.team:
            return
        self._show_sync_state("team: syncing…")
        self.run_worker(self._sync_worker, thread=True, exclusive=True, group="team-sync")

    def _sync_worker(self) -> None:
        from tempcheck.store import identity  # lazy: keeps the dashboard's first frame fast
        from tempcheck.store import team as engine  # lazy: keeps the dashboard's first frame fast

        try:
            conn = open_db(self.db_path)
        except Exception as exc:  # noqa: BLE001 - reported in the header, never a crash
            self.call_from_thread(self._sync_done, None, f"team: cannot open ({exc})")
            return
        try:
            report = engine.sync(conn, identity.name_for_path(self.db_path))
            state = "team: synced " + _clock_now()
            if report.conflicts:
                state += f" · {len(report.conflicts)} conflict(s): tempcheck team conflicts"
            self.call_from_thread(self._sync_done, report, state)
        except engine.Offline:
            self.call_from_thread(self._sync_done, None, "team: offline, work kept locally")
        except Exception as exc:  # noqa: BLE001
            message = printable(str(exc), single_line=True)[:60].replace("[", "(").replace("]", ")")
            self.call_from_thread(self._sync_done, None, f"team: sync failed ({message})")
        finally:
            conn.close()

    def _sync_done(self, report: object | None, state: str) -> None:
        self._show_sync_state(state)
        if report is not None and getattr(report, "pulled", False):
            self.data_changed()

    def _show_sync_state(self, state: str) -> None:
        self.sync_state = state
        self.sub_title = f"v{__version__} · {state}"

    async def on_event(self, event: events.Event) -> None:
        """A form that routes its own keys (see CheckInForm.route_key) gets them here, as
        they arrive and in order, so a burst of typing lands field by field."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            route = getattr(self.screen, "route_key", None)
            if route is not None and route(event):
                return
        await super().on_event(event)

    # --- changes made by other processes -----------------------------------------------------

    def _read_data_version(self) -> int:
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _poll_for_changes(self) -> None:
        """PRAGMA data_version moves when another connection commits; a cheap read.
        Past midnight every date ("today", "3 days late") moves, so that reloads too."""
        try:
            version = self._read_data_version()
        except sqlite3.Error:
            return
        today = date.today()
        if version != self._data_version or today != self._day:
            self._data_version, self._day = version, today
            self.data_changed()

    def data_changed(self, *, customer_id: int | None = None) -> None:
        """Tell every screen that knows how to reload that the data moved; when only one
        customer's records did (``customer_id``), screens that can show just that
        customer again (the dashboard) do so."""
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_customer", None)
            if customer_id is not None and callable(refresh):
                refresh(customer_id)
                continue
            reload = getattr(screen, "reload", None)
            if callable(reload):
                reload()

    # --- every write: a notice naming customer and item, and u to take it back ----------

    def wrote(self, message: str, undo: Undo | None = None, *, title: str = "Saved") -> None:
        """Say what was written (customer and item); offer ``u`` for a few seconds."""
        self._stop_undo_timer()
        self.last_undo = undo
        if undo is not None:
            self._undo_timer = self.set_timer(self.UNDO_SECONDS, self._expire_undo)
        self.refresh_bindings()
        text = printable(message, single_line=True).rstrip()
        if not text.endswith((".", "!", "?")):
            text += "."
        hint = " Press u to undo." if undo is not None else ""
        self.notify(
            text + hint,
            title=title,
            timeout=self.UNDO_SECONDS,
            markup=False,
        )

    def _stop_undo_timer(self) -> None:
        if self._undo_timer is not None:
            self._undo_timer.stop()
            self._undo_timer = None

    def _expire_undo(self) -> None:
        # Stopped, not just forgotten: a timer left running after an undo would take
        # the next write's u away before its time.
        self._stop_undo_timer()
        self.last_undo = None
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sync":
            return self.team  # solo databases have nothing to sync: no key in the footer
        if action == "undo":  # not inside a form or dialog: there u is a letter or a choice
            return self.last_undo is not None and not isinstance(self.screen, ModalScreen)
        if action == "quit":  # q on a form's drop-down or tick-box must not lose what was typed
            from textual.widgets import Checkbox, Input, Select

            focused = self.screen.focused
            return not (
                isinstance(self.screen, ModalScreen)
                and isinstance(focused, Input | Select | Checkbox)
            )
        return True

    def action_undo(self) -> None:
        token = self.last_undo
        if token is None or isinstance(self.screen, ModalScreen):
            return
        self._expire_undo()
        try:
            undo(self.conn, token)
        except (StoreError, sqlite3.Error) as exc:
            self.notify(str(exc), title="Not undone", severity="error", markup=False)
            return
        self.data_changed(customer_id=token.customer_id)  # every undoable write is one customer's
        self.notify(f"Undone: {token.what}.", title="Undone", markup=False)

    # --- help and palette ---------------------------------------------------------------------

    def action_help(self) -> None:
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key binding of the current screen is also a palette command."""
        seen = set()
        for _key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.tooltip or binding.description,
                f"key: {self.get_key_display(binding)}",
                partial(active.node.run_action, binding.action),
            )
        yield from super().get_system_commands(screen)


def _clock_now() -> str:
    return clock.local(clock.now()).strftime("%H:%M")


def _customer_commands() -> type:
    """The palette's "Open <customer>" provider, imported when the palette first opens."""
    # lazy: keeps the dashboard's first frame fast
    from tempcheck.tui.commands import CustomerCommands

    return CustomerCommands


def run(db_path: str | Path, *, rescue_folder: Path | None = None) -> int:
    """Start the dashboard on ``db_path``; returns the exit code (non-zero after an error).

    Textual prints the error itself; one line after it says where typed text went
    (``rescue_folder``, else beside the database).
    """
    app = TempcheckApp(db_path)
    if rescue_folder is None and app.db_path.parent.name.startswith("tempcheck-demo-"):
        rescue_folder = Path.cwd()  # the demo's folder goes when it closes
    app.rescue_folder = rescue_folder
    app.run()
    code = app.return_code or 0
    if code:
        where = (
            f"what you had typed is saved in {app.rescued}"
            if app.rescued is not None
            else "no typed text was lost"
        )
        print(f"tempcheck: the dashboard stopped on an unexpected error; {where}", file=sys.stderr)
    return code
