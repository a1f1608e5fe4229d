"""The customer detail screen driven by keyboard: issues, promises, follow-ups,
concerns, editing, pausing and ending — each action lands in the store as a new row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import SIZE

from tempcheck.store.checkins import add_checkin
from tempcheck.store.concerns import add_concern
from tempcheck.store.customers import add_customer
from tempcheck.store.followups import add_followup
from tempcheck.store.issues import open_issue
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.customer_detail import CustomerDetailScreen
from tempcheck.tui.screens.dashboard import DashboardScreen
from tempcheck.tui.screens.form_dialog import FormDialog
from tempcheck.tui.widgets.customer_table import CustomerTable
from tempcheck.tui.widgets.field import Field


@pytest.fixture
def acme(db_path, conn):
    customer = add_customer(conn, "Acme Corp", contact="Dana")
    add_checkin(conn, customer.id, 4, note="all good")
    return customer


def row_with(table, text: str) -> int:
    """The index of the row with a cell equal to ``text``."""
    for index in range(table.row_count):
        if any(str(cell) == text for cell in table.get_row_at(index)):
            return index
    raise AssertionError(f"no row with {text!r}")


async def open_detail(pilot) -> CustomerDetailScreen:
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, CustomerDetailScreen)
    return screen


async def test_open_issue_from_dashboard(db_path, conn, acme):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i", *"Late weekly report", "tab", "tab", *"+2d", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        row = app.screen.query_one(CustomerTable).current_row
        assert row.open_issues == 1 and row.at_risk == 1
    title, due = conn.execute("SELECT title, due FROM issues").fetchone()
    assert title == "Late weekly report"
    assert due == (date.today() + timedelta(days=2)).isoformat()


async def test_issue_form_keeps_text_on_bad_due_date(db_path, conn, acme):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i", *"Broken export", "tab", "tab", *"someday", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "someday" in app.screen.query_one("#due-field", Field).error
        assert app.screen.query_one("#title").value == "Broken export"
    assert conn.execute("SELECT count(*) FROM issues").fetchone()[0] == 0


async def test_close_issue_asks_resolution_then_temperature(db_path, conn, acme):
    issue = open_issue(conn, acme.id, "Slow dashboard", due=date.today() + timedelta(days=5))
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot)
        await pilot.press("c", "enter")  # Enter on an empty resolution does not save
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press(*"Added an index", "enter", "5", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
    resolution, checkin_id = conn.execute(
        "SELECT resolution, checkin_id FROM issue_closures WHERE issue_id = ?", (issue.id,)
    ).fetchone()
    assert resolution == "Added an index"
    temp, linked = conn.execute(
        "SELECT temperature, issue_id FROM checkins WHERE id = ?", (checkin_id,)
    ).fetchone()
    assert (temp, linked) == (5, issue.id)


async def test_make_keep_and_break_promises(db_path, conn, acme):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot)
        await pilot.press("p", *"Send the report", "tab", *"+3d", "enter")
        await pilot.pause()
        await pilot.press("p", *"Call back", "tab", *"tomorrow", "enter")
        await pilot.pause()
        promises = screen.query_one("#promises")
        assert promises.row_count == 2
        promises.move_cursor(row=row_with(promises, "Send the report"))
        await pilot.press("K", "y")  # asks first; y settles
        await pilot.pause()
        promises.move_cursor(row=row_with(promises, "Call back"))
        await pilot.press("b", *"Vendor slipped", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
    outcomes = conn.execute(
        "SELECT p.text, s.outcome, s.note FROM promises p JOIN promise_settlements s"
        " ON s.promise_id = p.id ORDER BY p.id"
    ).fetchall()
    assert outcomes == [("Send the report", "kept", ""), ("Call back", "broken", "Vendor slipped")]


async def test_follow_up_done_and_snooze(db_path, conn, acme):
    first = add_followup(conn, acme.id, date.today(), "Check the pilot")
    second = add_followup(conn, acme.id, date.today() + timedelta(days=1), "Ask about budget")
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot)
        table = screen.query_one("#followups")
        table.move_cursor(row=0)
        await pilot.press("d", "y")
        await pilot.pause()
        table.move_cursor(row=0)
        await pilot.press("z", *"+7d", "enter")
        await pilot.pause()
    events = conn.execute(
        "SELECT followup_id, kind, until FROM followup_events ORDER BY id"
    ).fetchall()
    assert events[0][:2] == (first.id, "done")
    assert events[1] == (second.id, "snoozed", (date.today() + timedelta(days=7)).isoformat())


async def test_concerns_add_confirm_drop(db_path, conn, acme):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot)
        await pilot.press("n", *"Cut cloud spend", "enter")
        await pilot.pause()
        table = screen.query_one("#concerns")
        table.move_cursor(row=0)
        await pilot.press("f", "y")
        await pilot.pause()
        assert "confirmed" in str(table.get_row_at(0))
        await pilot.press("x", "y")
        await pilot.pause()
    kinds = [row[0] for row in conn.execute("SELECT kind FROM concern_events ORDER BY id")]
    assert kinds == ["confirmed", "dropped"]


async def test_edit_pause_and_reactivate(db_path, conn, acme):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot)
        await pilot.press("E")
        await pilot.pause()
        cadence = app.screen.query_one("#cadence")
        cadence.value = "1m"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("P", *"+30d", "tab", *"budget freeze", "enter")
        await pilot.pause()
        assert "paused" in app.screen.query_one("#detail-header").render().plain
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen.query_one(CustomerTable).rows) == 1
    assert conn.execute("SELECT cadence_days, status FROM customers").fetchone() == (30, "active")
    statuses = [r[0] for r in conn.execute("SELECT status FROM customer_events ORDER BY id")]
    assert statuses == ["paused", "active"]


async def test_end_with_honour_leaves_the_daily_view(db_path, conn, acme):
    add_customer(conn, "Globex")
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(CustomerTable)
        table.cursor = next(i for i, r in enumerate(table.rows) if r.name == "Acme Corp")
        await open_detail(pilot)
        await pilot.press("X", *"Project delivered, parted as friends", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert [r.name for r in app.screen.query_one(CustomerTable).rows] == ["Globex"]
    (status,) = conn.execute("SELECT status FROM customers WHERE name = 'Acme Corp'").fetchone()
    assert status == "ended"
    (note,) = conn.execute("SELECT note FROM customer_events").fetchone()
    assert note == "Project delivered, parted as friends"
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == 1  # history kept


async def test_detail_flags_at_risk_and_recalibration(db_path, conn, acme):
    open_issue(conn, acme.id, "Outage follow-up", due=date.today())
    add_concern(conn, acme.id, "Audit in spring")
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot)
        flags = screen.query_one("#detail-flags").render().plain
        assert "at risk" in flags
        assert "call them first" in flags
        assert "priorities may have shifted" in flags
