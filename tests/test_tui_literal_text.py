"""Stored text with markup, escape sequences and bidi controls shows literally in the TUI.

Every expected string is written out by hand: a bracket the screen lost, a control
character that reached it or a crash when a drop-down opens fails these tests.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import SIZE, screen_text
from textual.widgets import Input, Select

from tempcheck.store.customers import add_customer
from tempcheck.store.issues import open_issue
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.checkin_form import CheckInForm
from tempcheck.tui.screens.confirm import ConfirmDialog
from tempcheck.tui.screens.customer_detail import CustomerDetailScreen
from tempcheck.tui.screens.customer_form import CustomerForm
from tempcheck.tui.screens.form_dialog import FormDialog
from tempcheck.tui.widgets.customer_table import CustomerTable

# stored name -> what the screen must show, character for character
NAMES = {
    "[/] Corp": "[/] Corp",
    "[URGENT] Ltd": "[URGENT] Ltd",
    "Clear\x1b[2J Inc": "Clear\ufffd[2J Inc",
    "Csi\x9b31m Corp": "Csi\ufffd31m Corp",
    "\u202eRTL Ltd": "\ufffdRTL Ltd",
}
ISSUES = {
    "Broken [/] issue": "Broken [/] issue",
    "[URGENT] outage": "[URGENT] outage",
    "Ticket [#123]": "Ticket [#123]",
    "Red\x1b[31m alert": "Red\ufffd[31m alert",
    "Flip\u202e\u2066 here": "Flip\ufffd\ufffd here",
}
RAW = ("\x1b", "\x9b", "\u202e", "\u2066")


def assert_no_raw_controls(text: str) -> None:
    for raw in RAW:
        assert raw not in text, repr(raw)


@pytest.fixture
def hostile_book(db_path, conn):
    due = date.today() + timedelta(days=5)
    for name in NAMES:
        customer = add_customer(conn, name)
        for title in ISSUES:
            open_issue(conn, customer.id, title, due=due)
    return db_path


async def select_customer(pilot, name: str) -> None:
    await pilot.app.workers.wait_for_complete()
    table = pilot.app.screen.query_one(CustomerTable)
    table.focus()
    table.cursor = next(i for i, row in enumerate(table.rows) if row.name == name)
    await pilot.pause()


@pytest.mark.parametrize("name", list(NAMES))
async def test_checkin_form_title_issue_drop_down_and_save_notice(hostile_book, name):
    app = TempcheckApp(hostile_book)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await select_customer(pilot, name)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, CheckInForm)
        assert f"Check-in · {NAMES[name]}" in screen_text(app)
        await pilot.press("4", *"fine")
        select = app.screen.query_one("#issue", Select)
        select.focus()
        await pilot.press("space")  # opens the drop-down (Enter saves the form)
        await pilot.pause()
        assert select.expanded
        text = screen_text(app)
        for shown in ISSUES.values():
            assert shown in text, shown
        assert_no_raw_controls(text)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, CheckInForm)
        app.screen.query_one("#note", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause(0.1)  # the toast is mounted after the screen returns
        text = screen_text(app)
        assert "Check-in saved" in text
        assert f"Logged {NAMES[name]}: 4 content. Press u to undo." in text
        assert_no_raw_controls(text)


async def test_the_selected_issue_keeps_its_brackets_in_the_closed_drop_down(hostile_book):
    app = TempcheckApp(hostile_book)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await select_customer(pilot, "[/] Corp")
        await pilot.press("l")
        await pilot.pause()
        select = app.screen.query_one("#issue", Select)
        issue_id = app.conn.execute(
            "SELECT id FROM issues WHERE title = '[URGENT] outage'"
        ).fetchone()[0]
        select.value = issue_id
        await pilot.pause()
        assert "[URGENT] outage" in screen_text(app)


@pytest.mark.parametrize("name", list(NAMES))
async def test_export_dialog_names_the_customer_literally(hostile_book, name):
    app = TempcheckApp(hostile_book)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await select_customer(pilot, name)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        scope = dialog.query_one("#scope", Select)
        scope.focus()
        await pilot.press("space")  # opens the drop-down (Enter saves the form)
        await pilot.pause()
        assert scope.expanded
        text = screen_text(app)
        assert f"only {NAMES[name]}" in text
        assert_no_raw_controls(text)
        await pilot.press("down", "enter")  # from "all customers" to "only <name>"
        await pilot.pause()
        assert scope.value == "one"
        assert f"only {NAMES[name]}" in screen_text(app)
        assert app.is_running


async def test_confirmation_names_a_new_customer_literally(hostile_book):
    app = TempcheckApp(hostile_book)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.press("slash", *"[b] x[/]", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(app)
        assert "Nobody is called '[b] x[/]'. Add them and log a check-in?" in text


@pytest.mark.parametrize("name", list(NAMES))
async def test_edit_form_holds_the_name_literally_and_saves_it_unchanged(hostile_book, conn, name):
    app = TempcheckApp(hostile_book)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await select_customer(pilot, name)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, CustomerForm)
        assert app.screen.query_one("#name", Input).value == name  # byte for byte
        text = screen_text(app)
        assert NAMES[name] in text
        assert_no_raw_controls(text)
        app.screen.query_one("#contact", Input).value = "[i]Dana[/i]"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
        assert "contact: [i]Dana[/i]" in screen_text(app)
    stored = conn.execute("SELECT name, contact FROM customers WHERE name = ?", (name,)).fetchone()
    assert stored == (name, "[i]Dana[/i]")
