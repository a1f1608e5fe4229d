"""Regenerate the SVG screenshots in this folder from the sample data.

Run from the repository root: ``python screenshots/make_screenshots.py``.
Each picture drives the real app with the same keys a person would press.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = (120, 40)
SMALL = (80, 24)  # a laptop's default terminal

CHECKIN_LOW = ["l", "2", *"report late again", "tab", *"nobody warned them"]
EXPORT_ERROR = ["e", "tab", "tab", "3", "m", "ctrl+s"]  # a date range the dashboard refuses
# file name -> (terminal size, keys pressed after the dashboard appears)
SHOTS: dict[str, tuple[tuple[int, int], Sequence[str]]] = {
    "dashboard": (SIZE, []),
    "checkin-form": (SIZE, ["down", "l", "4", *"replacement order was fine"]),
    "low-temperature-prompt": (SIZE, CHECKIN_LOW),
    "customer-detail": (SIZE, ["slash", *"acme", "enter"]),
    "portfolio": (SIZE, ["v"]),
    "help": (SIZE, ["question_mark"]),
    "dashboard-80x24": (SMALL, []),
    "today-collapsed-80x24": (SMALL, ["t"]),
    "low-temperature-prompt-80x24": (SMALL, CHECKIN_LOW),
    "customer-detail-80x24": (SMALL, ["slash", *"acme", "enter"]),
    "export-80x24": (SMALL, EXPORT_ERROR),
    "meeting-prompt": (SIZE, ["tab"]),  # the Today panel, with yesterday's meetings on top
}
# Shots that need more than the sample data get a database of their own.
WITH_MEETINGS = {"meeting-prompt"}


def add_meetings(conn) -> None:  # noqa: ANN001 - a sqlite3 connection
    """Two of yesterday's meetings with sample customers, matched by their names in the title."""
    from datetime import datetime, time, timedelta

    from tempcheck.domain import clock
    from tempcheck.domain.meetings import Occurrence
    from tempcheck.store.calendar import save_occurrences

    yesterday = clock.local(clock.now()).date() - timedelta(days=1)

    def at(hour: int, minute: int = 0) -> datetime:
        return datetime.combine(yesterday, time(hour, minute)).astimezone()

    meetings = [
        Occurrence(
            "review@demo", "", at(10), at(11), "Umbrella Health: export review", "Room 2", False, ()
        ),
        Occurrence(
            "weekly@demo",
            "",
            at(16),
            at(16, 30),
            "Globex Logistics weekly",
            "https://meet.google.com/abc-defg-hij",
            True,
            (),
        ),
    ]
    save_occurrences(conn, meetings, source="demo", start=at(0), end=at(23))


async def shoot(db_path: Path, name: str, size: tuple[int, int], keys: Sequence[str]) -> Path:
    from textual.widgets import Input

    from tempcheck.tui.app import TempcheckApp

    app = TempcheckApp(db_path)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()  # the Today panel
        await pilot.pause()
        await pilot.press(*keys)
        await app.workers.wait_for_complete()  # the portfolio's figures
        await pilot.pause(0.3)
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause()
        return Path(app.save_screenshot(filename=f"{name}.svg", path=str(HERE)))


async def main(names: Sequence[str]) -> None:
    from tempcheck.store import open_db
    from tempcheck.store import sample as demo

    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "demo.db"
        conn = open_db(db_path)
        demo.write_sample(conn)
        conn.close()
        unknown = [name for name in names if name not in SHOTS]
        if unknown:
            raise SystemExit(f"no such screenshot: {', '.join(unknown)} (see SHOTS)")
        # The export dialog names the folder files go to: the home folder reads as "~".
        os.chdir(Path.home())
        for name in names or SHOTS:
            size, keys = SHOTS[name]
            shot_db = db_path
            if name in WITH_MEETINGS:
                shot_db = Path(folder) / f"{name}.db"
                conn = open_db(shot_db)
                demo.write_sample(conn)
                add_meetings(conn)
                conn.close()
            path = await shoot(shot_db, name, size, keys)
            print(f"wrote {path}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
