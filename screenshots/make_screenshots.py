"""Regenerate the SVG screenshots in this folder from the sample data.

Run from the repository root: ``python screenshots/make_screenshots.py``.
Each picture drives the real app with the same keys a person would press.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).parent
SIZE = (120, 40)

# file name -> keys pressed after the dashboard appears
SHOTS: dict[str, Sequence[str]] = {
    "dashboard": [],
    "checkin-form": ["down", "l", "4", *"replacement order was fine"],
    "low-temperature-prompt": ["l", "2", *"report late again", "tab", *"nobody warned them"],
    "customer-detail": ["slash", *"acme", "enter"],
    "portfolio": ["v"],
    "help": ["question_mark"],
}


async def shoot(db_path: Path, name: str, keys: Sequence[str]) -> Path:
    from textual.widgets import Input

    from tempcheck.tui.app import TempcheckApp

    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
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
        for name in names or SHOTS:
            path = await shoot(db_path, name, SHOTS[name])
            print(f"wrote {path}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
