"""The morning brief panel, snoozing a customer's reminders, and the portfolio screen."""

from __future__ import annotations

from datetime import date, timedelta

from helpers import SIZE, settled

from tempcheck.services.brief import brief
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.checkin_form import CheckInForm
from tempcheck.tui.screens.customer_detail import CustomerDetailScreen
from tempcheck.tui.screens.dashboard import DashboardScreen
from tempcheck.tui.screens.portfolio import PortfolioScreen
from tempcheck.tui.widgets.customer_table import CustomerTable
from tempcheck.tui.widgets.today_panel import TodayPanel


async def test_today_panel_lists_the_brief_in_order(sample_db, conn):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        panel = app.screen.query_one(TodayPanel)
        assert panel.display
        expected = brief(conn)
        assert [(i.customer_name, i.reason) for i in panel.items] == [
            (i.customer_name, i.reason) for i in expected
        ]
        assert panel.items[0].reason == "call first"
        assert panel.row_count == len(expected)


async def test_enter_on_a_brief_line_opens_that_customer(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        panel = app.screen.query_one(TodayPanel)
        panel.focus()
        panel.move_cursor(row=1)
        wanted = panel.items[1].customer_name
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
        assert app.screen.customer.name == wanted


async def test_l_on_a_brief_line_logs_for_that_customer(sample_db, conn):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        panel = app.screen.query_one(TodayPanel)
        panel.focus()
        panel.move_cursor(row=2)
        wanted = panel.items[2].customer_name
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, CheckInForm)
        assert app.screen.customer.name == wanted
        await pilot.press("3", *"called about it", "enter")
        await pilot.pause()
    name, note = conn.execute(
        "SELECT c.name, k.note FROM checkins k JOIN customers c ON c.id = k.customer_id"
        " ORDER BY k.id DESC LIMIT 1"
    ).fetchone()
    assert (name, note) == (wanted, "called about it")


async def test_t_toggles_the_panel(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        panel = app.screen.query_one(TodayPanel)
        await pilot.press("t")
        assert not panel.display
        assert app.screen.query_one(CustomerTable).has_focus
        await pilot.press("t")
        await settled(pilot)
        # Shown again, but the focus (what l acts on) stays on the table; Tab reaches it.
        assert panel.display and panel.items
        assert app.screen.query_one(CustomerTable).has_focus and not panel.has_focus


async def test_z_snoozes_reminders_without_changing_the_cadence(sample_db, conn):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        table = app.screen.query_one(CustomerTable)
        table.focus()
        table.cursor = next(i for i, r in enumerate(table.rows) if r.name == "Prestige Worldwide")
        before = table.current_row
        await pilot.press("z", *"+7d", "enter")
        await settled(pilot)
        assert isinstance(app.screen, DashboardScreen)
        row = next(r for r in table.rows if r.name == "Prestige Worldwide")
        assert row.snoozed_until == date.today() + timedelta(days=7)
        assert row.staleness == before.staleness and row.cadence_days == before.cadence_days
        panel = app.screen.query_one(TodayPanel)
        assert ("Prestige Worldwide", "gone cold") not in [
            (i.customer_name, i.reason) for i in panel.items
        ]


async def test_z_refuses_a_date_that_is_not_in_the_future(sample_db, conn):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        app.screen.query_one(CustomerTable).focus()
        await pilot.press("z", *"yesterday", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, DashboardScreen)  # the form stays open
    assert conn.execute("SELECT count(*) FROM reminder_snoozes").fetchone()[0] == 0


async def test_portfolio_screen_shows_the_figures(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        app.screen.query_one(CustomerTable).focus()
        await pilot.press("v")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, PortfolioScreen)
        figures = screen.figures
        assert figures.active_customers == 25
        assert sum(figures.by_staleness.values()) == 25
        assert figures.most_contacted and figures.least_contacted
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_moves_typed_ahead_of_l_on_a_brief_line_choose_the_line(sample_db, conn):
    """ "jjk↓l" in one burst on the Today panel: the four moves land before "l" acts, so the
    third line (Tyrell Biotech, the last "call first") gets the check-in."""
    from textual import events

    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        panel = app.screen.query_one(TodayPanel)
        panel.focus()
        await pilot.pause()
        for name, character in [("j", "j"), ("j", "j"), ("k", "k"), ("down", None), ("l", "l")]:
            app.post_message(events.Key(name, character))
        await settled(pilot)
        assert isinstance(app.screen, CheckInForm)
        assert app.screen.customer.name == "Tyrell Biotech"
