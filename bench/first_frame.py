"""Child process for ``bench/run.py``: time from spawn to tempcheck's first painted dashboard.

Usage: ``BENCH_T0=<time.time() of the parent> python bench/first_frame.py DB [COLUMNS ROWS]``.
Prints one JSON line, every time in seconds since the parent spawned us:

- ``seconds``: the first frame with customer rows in it, i.e. the end of the first
  compositor refresh of the DashboardScreen during which the CustomerTable rendered rows;
- ``settled``: when a ``call_after_refresh`` callback queued from ``on_mount`` finally saw
  those rows. It runs in the same batch as the screen's own after-refresh work (the
  deferred trust trend), so it is later than the frame by that much;
- ``imported``, ``opened``, ``mounted``: the phases before, and ``rows``/``painted_lines``;
- ``reloads``: how many times the dashboard loaded its rows before that frame.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

T0 = float(os.environ["BENCH_T0"])

from tempcheck.tui.app import TempcheckApp  # noqa: E402 - imported the way `tempcheck` does

IMPORTED = time.time() - T0


class FirstFrameApp(TempcheckApp):
    """The real app, reporting once the dashboard has painted rows of customers."""

    # Textual resolves CSS_PATH next to the class's own file: point it back at tempcheck's.
    CSS_PATH = str(Path(sys.modules[TempcheckApp.__module__].__file__).with_name("tempcheck.tcss"))

    def __init__(self, db_path: str) -> None:
        super().__init__(db_path)
        self.opened = time.time() - T0
        self.mounted = 0.0
        self.frame: float | None = None
        self.reloads = 0  # dashboard reloads (each one runs the dashboard query) before it
        self.painted: set[int] = set()
        self.result: dict[str, object] = {}
        self._checks = 0

    def on_mount(self) -> None:
        # No super().on_mount(): Textual itself calls every on_mount along the class's MRO
        # (ours first, then TempcheckApp's, which pushes the DashboardScreen); calling it
        # here too would push a second dashboard and query twice.
        self.mounted = time.time() - T0
        self._hook_paint()
        self.call_after_refresh(self._check)

    def _hook_paint(self) -> None:
        """Note which table lines get rendered, and when a dashboard refresh first shows rows."""
        from tempcheck.tui.screens.dashboard import DashboardScreen
        from tempcheck.tui.widgets.customer_table import CustomerTable

        app, painted = self, self.painted
        render_line = CustomerTable.render_line
        refresh = DashboardScreen._compositor_refresh  # Textual 8: renders and writes a frame
        reload = DashboardScreen.reload

        def counting_reload(screen: DashboardScreen, *args: object, **kwargs: object) -> None:
            if app.frame is None:
                app.reloads += 1
            reload(screen, *args, **kwargs)

        def counting_render_line(table: CustomerTable, y: int):  # noqa: ANN202 - a Strip
            if y >= 1 and table.rows:
                painted.add(y)
            return render_line(table, y)

        def timed_refresh(screen: DashboardScreen) -> None:
            refresh(screen)
            if app.frame is None and painted and screen is app.screen:
                app.frame = time.time() - T0

        CustomerTable.render_line = counting_render_line  # type: ignore[method-assign]
        DashboardScreen.reload = counting_reload  # type: ignore[method-assign]
        DashboardScreen._compositor_refresh = timed_refresh  # type: ignore[method-assign]

    def _check(self) -> None:
        """After each refresh: done once the dashboard is current and has painted its rows."""
        from tempcheck.tui.screens.dashboard import DashboardScreen
        from tempcheck.tui.widgets.customer_table import CustomerTable

        self._checks += 1
        screen = self.screen
        if isinstance(screen, DashboardScreen) and self.painted:
            table = screen.query_one(CustomerTable)
            if table.rows:
                settled = time.time() - T0
                self.result = {
                    "seconds": self.frame or settled,
                    "settled": settled,
                    "hooked": self.frame is not None,
                    "rows": len(table.rows),
                    "painted_lines": len(self.painted),
                    "reloads": self.reloads,
                    "imported": IMPORTED,
                    "opened": self.opened,
                    "mounted": self.mounted,
                }
                self.exit()
                return
        if self._checks > 10_000:
            self.result = {"error": "the dashboard never painted any rows"}
            self.exit()
            return
        self.call_after_refresh(self._check)


def main() -> None:
    """Run the app headless on the database in argv and print the result as JSON."""
    db = sys.argv[1]
    size = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (120, 40)
    app = FirstFrameApp(db)
    app.run(headless=True, size=size)
    print(json.dumps(app.result or {"error": "the app exited before its first frame"}))


if __name__ == "__main__":
    main()
