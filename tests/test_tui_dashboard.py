"""The dashboard driven with Pilot: rows, filter, detail, help, sorting, palette."""

from __future__ import annotations

from helpers import SIZE

from tempcheck.domain.staleness import Staleness
from tempcheck.store.dashboard import dashboard_rows
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.customer_detail import CustomerDetailScreen
from tempcheck.tui.screens.dashboard import DashboardScreen
from tempcheck.tui.screens.help import HelpScreen
from tempcheck.tui.widgets.customer_table import CustomerTable


async def test_rows_are_shown_in_attention_order(sample_db, conn):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(CustomerTable)
        expected = [row.name for row in dashboard_rows(conn)]
        assert [row.name for row in table.rows] == expected
        assert len(table.rows) == 25
        assert table.rows[0].staleness in (Staleness.COLD, Staleness.NEVER)
        assert table.rows[-1].staleness is Staleness.FRESH


async def test_filter_as_you_type_and_escape_clears(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"acme")
        table = app.screen.query_one(CustomerTable)
        assert [row.name for row in table.rows] == ["Acme Corp"]
        await pilot.press("escape")
        assert len(table.rows) == 25
        assert table.has_focus


async def test_enter_opens_detail_and_escape_returns(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(CustomerTable)
        first = table.current_row.name
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
        assert app.screen.customer.name == first
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_filter_then_enter_opens_the_match(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"wonka", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
        assert app.screen.customer.name == "Wonka Confections"


async def test_help_lists_every_dashboard_binding(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        descriptions = {description for _key, description in app.screen.entries}
        keys = {key for key, _description in app.screen.entries}
        assert {"l", "/", "a", "e", "?", "q"} <= keys
        firsts = [key for key, _description in app.screen.entries[:12]]
        assert "l" in firsts and "↑" not in firsts  # tempcheck's own keys come first
        for description in (
            "Log a check-in",
            "Filter",
            "Add a customer",
            "Open an issue",
            "Record a promise",
            "Export CSV, xlsx or ics",
            "Sort by the next column",
            "Quit",
        ):
            assert description in descriptions
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_palette_offers_the_screen_bindings(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in (
            "Log a check-in",
            "Filter",
            "Add a customer",
            "Export CSV, xlsx or ics",
            "Help",
        ):
            assert title in titles


async def test_sort_cycles_columns_and_reverse(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(CustomerTable)
        await pilot.press("s")
        assert table.sort_column == "name"
        names = [row.name for row in table.rows]
        assert names == sorted(names, key=str.casefold)
        await pilot.press("r")
        assert [row.name for row in table.rows] == list(reversed(names))


async def test_cursor_keys_move_and_page(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(CustomerTable)
        await pilot.press("down", "down")
        assert table.cursor == 2
        await pilot.press("end")
        assert table.cursor == 24
        await pilot.press("home")
        assert table.cursor == 0


async def test_add_customer_from_dashboard(db_path, conn):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", *"Initrode", "tab")
        await pilot.press(*"3w")
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one(CustomerTable)
        assert [row.name for row in table.rows] == ["Initrode"]
        assert table.rows[0].cadence_days == 21


async def test_filter_with_no_match_offers_to_add_and_log(db_path, conn):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"Brand New Co", "enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("5", *"first chat", "enter")
        await pilot.pause()
    row = conn.execute(
        "SELECT c.name, k.temperature, k.note FROM checkins k JOIN customers c"
        " ON c.id = k.customer_id"
    ).fetchone()
    assert row == ("Brand New Co", 5, "first chat")


async def test_empty_database_shows_a_hint(db_path):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)  # nothing to log for: stays
