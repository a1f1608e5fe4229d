"""Hostile text on every screen: markup, escape sequences, RTL and zero-width characters,
emoji and very long notes are shown verbatim (escaped), execute nothing, and keep the layout."""

from __future__ import annotations

import pytest
from helpers import screen_text
from textual.widgets import DataTable, Footer

from tempcheck.store.checkins import add_checkin
from tempcheck.store.concerns import add_concern
from tempcheck.store.customers import add_customer
from tempcheck.store.issues import open_issue
from tempcheck.store.promises import add_promise
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.customer_detail import CustomerDetailScreen
from tempcheck.tui.screens.dashboard import DashboardScreen
from tempcheck.tui.widgets.customer_table import CustomerTable
from tempcheck.tui.widgets.today_panel import TodayPanel

SIZE = (160, 50)
# stored text -> what the screen shows, written out by hand (never computed by the code)
SHOWN = {
    "[bold]Bold[/bold] Ltd": "[bold]Bold[/bold] Ltd",
    "[/] Corp": "[/] Corp",
    "[red]x[/red] GmbH": "[red]x[/red] GmbH",
    "[@click=app.quit]hi[/]": "[@click=app.quit]hi[/]",
    "Clear\x1b[2J Inc": "Clear\ufffd[2J Inc",
    "Title\x1b]0;pwn\x07 Co": "Title\ufffd]0;pwn\ufffd Co",
    "\u202eRTL Ltd": "\ufffdRTL Ltd",
    "Zero\u200bWidth": "Zero\u200bWidth",
    "Emoji 🎉 Ltd": "Emoji 🎉 Ltd",
    "Csi\x9b31m Corp": "Csi\ufffd31m Corp",
}
HOSTILE = list(SHOWN)
LONG_NOTE = "long note " * 1000  # 10,000 characters


@pytest.fixture
def hostile_db(db_path, conn):
    from datetime import date, timedelta

    for index, name in enumerate(HOSTILE):
        customer = add_customer(conn, name, contact=f"c {name}"[:60], notes=f"n {name}")
        add_checkin(conn, customer.id, 1 + index % 5, note=f"note {name}", fell_short=name)
        open_issue(
            conn, customer.id, f"issue {name}", detail=name, due=date.today() + timedelta(days=1)
        )
        add_promise(conn, customer.id, f"promise {name}", date.today() + timedelta(days=3))
        add_concern(conn, customer.id, f"concern {name}")
    long = add_customer(conn, "Long Note Ltd")
    add_checkin(conn, long.id, 3, note=LONG_NOTE)
    return db_path


def test_hostile_text_is_stored_byte_for_byte(hostile_db, conn):
    names = [row[0] for row in conn.execute("SELECT name FROM customers ORDER BY id")]
    assert names[: len(HOSTILE)] == HOSTILE
    notes = {row[0] for row in conn.execute("SELECT note FROM checkins")}
    assert LONG_NOTE in notes
    assert {f"note {name}" for name in HOSTILE} <= notes


async def test_dashboard_shows_hostile_names_verbatim(hostile_db):
    app = TempcheckApp(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(CustomerTable)
        assert len(table.rows) == len(HOSTILE) + 1
        text = screen_text(app)
        for name in HOSTILE:
            assert SHOWN[name] in text, name
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        # Moving over every row and filtering by markup-looking text executes nothing.
        await pilot.press(*["down"] * len(HOSTILE), "slash", *"[@click")
        await pilot.pause()
        assert [row.name for row in table.rows] == ["[@click=app.quit]hi[/]"]
        assert app.is_running
        assert isinstance(app.screen, DashboardScreen)


@pytest.mark.parametrize("name", HOSTILE)
async def test_detail_and_forms_show_hostile_text_verbatim(hostile_db, name):
    app = TempcheckApp(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(CustomerTable)
        table.cursor = next(i for i, row in enumerate(table.rows) if row.name == name)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
        text = screen_text(app)
        shown = SHOWN[name]
        for expected in (
            shown,
            f"issue {shown}",
            f"promise {shown}",
            f"concern {shown}",
            f"note {shown}",
            f"contact: c {shown}",
            f"Notes: n {shown}",
        ):
            assert expected in text, expected
        assert "\x1b" not in text
        await pilot.press("l")
        await pilot.pause()
        assert shown in screen_text(app)  # the check-in form's title
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


async def test_long_note_keeps_the_layout(hostile_db):
    app = TempcheckApp(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(CustomerTable)
        table.cursor = next(i for i, row in enumerate(table.rows) if row.name == "Long Note Ltd")
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Long Note Ltd" in text
        assert "long note long note" in text
        timeline = app.screen.query_one("#timeline", DataTable)
        assert timeline.row_count == 1
        # The 10,000-character note stays on one clipped line of its table: no row grows
        # taller, no column runs past the screen, and the footer keeps the last line.
        assert [row.height for row in timeline.rows.values()] == [1]
        columns = list(timeline.columns.values())
        assert sum(column.get_render_width(timeline) for column in columns) <= SIZE[0]
        assert app.screen.query_one(Footer).region.y == SIZE[1] - 1
        assert timeline.region.right <= SIZE[0]
        lines = [line for line in text.splitlines() if "long note long note" in line]
        # The trust bank's entry and the timeline's row, one line each (the People section
        # above may push the timeline below the fold).
        assert 1 <= len(lines) <= 2
        assert all(len(line.rstrip()) <= SIZE[0] for line in lines)


async def test_today_panel_and_portfolio_show_hostile_text_verbatim(hostile_db):
    app = TempcheckApp(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen.query_one(TodayPanel)
        cells = [str(cell) for i in range(panel.row_count) for cell in panel.get_row_at(i)]
        for name in HOSTILE:  # each has an issue due tomorrow: a "call first" line
            assert SHOWN[name] in cells, name
        assert not any("\x1b" in cell or "\x07" in cell for cell in cells)
        app.screen.query_one(CustomerTable).focus()
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        shown = [name for name in HOSTILE if SHOWN[name] in text]
        assert shown  # the most and least contacted lists name some of them
        assert "\x1b" not in text and "\x07" not in text
        assert app.is_running
