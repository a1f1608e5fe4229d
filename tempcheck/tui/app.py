"""The Textual application: one connection to the store, the dashboard as home screen."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tempcheck import __version__
from tempcheck.store import open_db


class TempcheckApp(App[None]):
    """Which customer relationships are going cold or hot, and a fast way to log how they feel."""

    CSS_PATH = "tempcheck.tcss"
    TITLE = "tempcheck"
    SUB_TITLE = f"v{__version__}"
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="tempcheck.help"),
        Binding("q", "quit", "Quit", id="tempcheck.quit"),
        Binding("S", "sync", "Sync", tooltip="Sync with the team", id="tempcheck.sync"),
    ]
    REFRESH_SECONDS = 1.0  # how often to look for writes by other programs
    SYNC_SECONDS = 300.0  # team databases sync at start, then this often, and on S
    COMMANDS = App.COMMANDS | {lambda: _customer_commands()}

    def __init__(self, db_path: str | Path, *, conn: sqlite3.Connection | None = None) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.conn = conn or open_db(self.db_path)
        self._data_version = self._read_data_version()
        from tempcheck.domain.fileformat import engine_loaded, is_team_file

        self.team = engine_loaded() and is_team_file(self.db_path)
        self.sync_state = ""

    def on_mount(self) -> None:
        from tempcheck.tui.screens.dashboard import DashboardScreen

        self.push_screen(DashboardScreen())
        self.set_interval(self.REFRESH_SECONDS, self._poll_for_changes)
        if self.team:
            self._show_sync_state("team: syncing…")
            self.action_sync()
            self.set_interval(self.SYNC_SECONDS, self.action_sync)

    # --- team sync ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sync":
            return self.team  # solo databases have nothing to sync: no key in the footer
        return True

    def action_sync(self) -> None:
        """Sync in a worker thread with its own connection: typing never waits for the network."""
        if not self.team:
            return
        self._show_sync_state("team: syncing…")
        self.run_worker(self._sync_worker, thread=True, exclusive=True, group="team-sync")

    def _sync_worker(self) -> None:
        from tempcheck.store import identity
        from tempcheck.store import team as engine

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
            from tempcheck.domain.text import printable

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

    # --- changes made by other processes -----------------------------------------------------

    def _read_data_version(self) -> int:
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _poll_for_changes(self) -> None:
        """PRAGMA data_version moves when another connection commits; a cheap read."""
        try:
            version = self._read_data_version()
        except sqlite3.Error:
            return
        if version != self._data_version:
            self._data_version = version
            self.data_changed()

    def data_changed(self) -> None:
        """Tell every screen that knows how to reload that the data moved."""
        for screen in self.screen_stack:
            reload = getattr(screen, "reload", None)
            if callable(reload):
                reload()

    # --- help and palette ---------------------------------------------------------------------

    def action_help(self) -> None:
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
    from tempcheck.domain import clock

    return clock.local(clock.now()).strftime("%H:%M")


def _customer_commands() -> type:
    """The palette's "Open <customer>" provider, imported when the palette first opens."""
    from tempcheck.tui.commands import CustomerCommands

    return CustomerCommands


def run(db_path: str | Path) -> None:
    """Start the dashboard on ``db_path``."""
    TempcheckApp(db_path).run()
