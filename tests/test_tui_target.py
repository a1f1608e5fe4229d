"""One visible target: what a key acts on is the customer named on screen; every settle is
deliberate and can be undone; the check-in form closes the loop; a burst of keys lands
field by field. Expectations are literal customer names from the sample portfolio."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import SIZE, settled
from textual import events
from textual.widgets import Checkbox, Input, Label, Static

from tempcheck.domain import clock
from tempcheck.store.customers import add_customer
from tempcheck.store.promises import add_promise
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.checkin_form import CheckInForm
from tempcheck.tui.screens.confirm import ConfirmDialog
from tempcheck.tui.screens.customer_detail import CustomerDetailScreen
from tempcheck.tui.screens.dashboard import DashboardScreen
from tempcheck.tui.widgets.customer_table import CustomerTable
from tempcheck.tui.widgets.today_panel import TodayPanel


def form_customer(app) -> str:
    assert isinstance(app.screen, CheckInForm), app.screen
    return app.screen.customer.name


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


def last_checkin(conn) -> tuple:
    return conn.execute(
        "SELECT c.name, k.temperature, k.note, k.fell_short FROM checkins k"
        " JOIN customers c ON c.id = k.customer_id ORDER BY k.id DESC LIMIT 1"
    ).fetchone()


# --- the filter ---------------------------------------------------------------------------


@pytest.mark.parametrize("move", ["down", "tab"])
async def test_filter_then_down_or_tab_then_l_logs_for_the_match(sample_db, conn, move):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("slash", *"glob", move)
        await pilot.pause()
        table = app.screen.query_one(CustomerTable)
        assert table.has_focus
        assert [r.name for r in table.rows] == ["Globex Logistics"]
        assert "▶ Globex Logistics" in str(app.screen.query_one("#summary", Static).content)
        await pilot.press("l")
        await pilot.pause()
        assert form_customer(app) == "Globex Logistics"
        title = app.screen.query_one(".title", Label)
        assert str(title.content) == "Check-in · Globex Logistics"
        await pilot.press("4", *"fine", "enter")
        await pilot.pause()
    assert last_checkin(conn) == ("Globex Logistics", 4, "fine", "")


async def test_filter_then_enter_opens_the_match_and_l_logs_for_it(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("slash", *"glob", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
        assert app.screen.customer.name == "Globex Logistics"
        await pilot.press("l")
        await pilot.pause()
        assert form_customer(app) == "Globex Logistics"


async def test_the_today_panel_shows_only_the_filtered_customers(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("slash", *"umbrella")
        await pilot.pause()
        panel = app.screen.query_one(TodayPanel)
        assert {i.customer_name for i in panel.items} == {"Umbrella Health"}
        await pilot.press("escape")
        await pilot.pause()
        assert len({i.customer_name for i in panel.items}) > 1


# --- the table, the Today panel -------------------------------------------------------------


async def test_t_t_then_l_logs_for_the_highlighted_row(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        table = app.screen.query_one(CustomerTable)
        await pilot.press("j", "j")
        assert table.current_row.name == "Oceanic Airlines"
        await pilot.press("t", "t")
        await settled(pilot)
        await pilot.press("l")
        await pilot.pause()
        assert form_customer(app) == "Oceanic Airlines"


async def test_after_a_save_from_today_the_cursor_keeps_its_line(sample_db, conn):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        panel = app.screen.query_one(TodayPanel)
        await pilot.press("shift+tab")  # from the table back to the Today panel
        assert panel.has_focus
        await pilot.press(*"jjjjj")
        assert panel.current_item.customer_name == "Pied Piper"
        summary = str(app.screen.query_one("#summary", Static).content)
        assert summary.startswith("▶ Pied Piper · ")
        await pilot.press("l", "4", *"all good", "enter")
        await settled(pilot)
        await settled(pilot)
        assert last_checkin(conn) == ("Pied Piper", 4, "all good", "")
        assert panel.current_item.customer_name == "Pied Piper"
        await pilot.press("l")
        await pilot.pause()
        assert form_customer(app) == "Pied Piper"


# --- the detail screen: moving never writes; settling asks and can be undone --------------


@pytest.fixture
def two_promises(db_path, conn):
    acme = add_customer(conn, "Acme Corp")
    due = clock.today() + timedelta(days=3)
    add_promise(conn, acme.id, "Send the capacity plan", due)
    add_promise(conn, acme.id, "Call back about the invoice", due + timedelta(days=1))
    return db_path


async def open_acme_promises(pilot) -> CustomerDetailScreen:
    await settled(pilot)
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, CustomerDetailScreen)
    assert screen.customer.name == "Acme Corp"
    await pilot.press("tab")  # from the open issues to the promises
    assert screen.query_one("#promises").has_focus
    return screen


async def test_j_j_k_on_the_detail_screen_only_moves(two_promises, conn):
    app = TempcheckApp(two_promises)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_acme_promises(pilot)
        promises = screen.query_one("#promises")
        await pilot.press("j", "j", "k")
        await pilot.pause()
        assert promises.cursor_row == 0
        await pilot.press("G")
        assert promises.cursor_row == 1
        await pilot.press("g")
        assert promises.cursor_row == 0
        assert isinstance(app.screen, CustomerDetailScreen)
    assert conn.execute("SELECT count(*) FROM promise_settlements").fetchone() == (0,)


async def test_keeping_asks_first_enter_cancels_and_u_undoes(two_promises, conn):
    app = TempcheckApp(two_promises)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_acme_promises(pilot)
        await pilot.press("j", "K")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "Call back about the invoice" in dialog.question
        assert "Acme Corp" in dialog.question
        await pilot.press("enter")  # the default is to cancel
        await pilot.pause()
        assert app.screen is screen
        assert conn.execute("SELECT count(*) FROM promise_settlements").fetchone() == (0,)
        await pilot.press("K", "y")
        await pilot.pause()
        assert conn.execute(
            "SELECT p.text, s.outcome FROM promise_settlements s"
            " JOIN promises p ON p.id = s.promise_id"
        ).fetchall() == [("Call back about the invoice", "kept")]
        assert (
            'Kept promise #2 "Call back about the invoice" (Acme Corp). Press u to undo.'
            in notices(app)
        )
        await pilot.press("u")
        await pilot.pause()
        assert conn.execute("SELECT count(*) FROM promise_settlements").fetchone() == (0,)
        assert 'Undone: kept promise #2 "Call back about the invoice" (Acme Corp).' in notices(app)
        assert "open" in str(screen.query_one("#promises").get_row_at(1))


async def test_a_check_in_from_the_detail_screen_is_announced_and_undone(two_promises, conn):
    app = TempcheckApp(two_promises)
    async with app.run_test(size=SIZE) as pilot:
        await open_acme_promises(pilot)
        await pilot.press("l", "5", *"great call", "enter")
        await pilot.pause()
        assert last_checkin(conn) == ("Acme Corp", 5, "great call", "")
        assert "Logged Acme Corp: 5 delighted. Press u to undo." in notices(app)
        await pilot.press("u")
        await pilot.pause()
    assert conn.execute("SELECT count(*) FROM checkins").fetchone() == (0,)


# --- the check-in form ------------------------------------------------------------------------


async def test_the_form_closes_the_loop_on_a_due_follow_up(sample_db, conn):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("slash", *"pied", "down", "l")
        await pilot.pause()
        form = app.screen
        [box] = form.query(".loop").results(Checkbox)
        assert "Ask how the compression rollout went" in str(box.label)
        box.value = True
        await pilot.press("4", *"the rollout went fine", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    done = conn.execute(
        "SELECT f.note FROM followup_events e JOIN followups f ON f.id = e.followup_id"
        " JOIN customers c ON c.id = f.customer_id WHERE e.kind = 'done' AND c.name = ?",
        ("Pied Piper",),
    ).fetchall()
    assert done == [("Ask how the compression rollout went",)]


async def test_enter_on_a_closed_drop_down_saves(sample_db, conn):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("slash", *"hooli", "down", "l", "4", *"ok", "tab")
        await pilot.pause()
        assert app.screen.focused.id == "channel"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    assert last_checkin(conn) == ("Hooli Cloud", 4, "ok", "")


def key_event(character: str) -> events.Key:
    names = {"/": "slash", " ": "space", "\t": "tab", "\r": "enter"}
    return events.Key(names.get(character, character), character)


async def test_a_whole_burst_lands_field_by_field(sample_db, conn):
    """l, 2, the note, Tab, the answer, Enter: written in one go, as over SSH."""
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        table = app.screen.query_one(CustomerTable)
        assert table.current_row.name == "Umbrella Health"
        for character in "l2roadmap still late\tnobody sent the dates\r":
            app.post_message(key_event(character))
        await pilot.pause()
        await pilot.pause()
        await settled(pilot)
        assert isinstance(app.screen, DashboardScreen)
    assert last_checkin(conn) == (
        "Umbrella Health",
        2,
        "roadmap still late",
        "nobody sent the dates",
    )


async def test_a_burst_with_tab_fills_each_field_before_saving(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        for character in "l1angry\tno warning":
            app.post_message(key_event(character))
        await pilot.pause()
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CheckInForm)
        assert form.query_one("#temp", Input).value == "1"
        assert form.query_one("#note", Input).value == "angry"
        assert form.query_one("#short", Input).value == "no warning"
        assert form.focused.id == "short"


async def test_stored_text_is_never_markup_in_dialogs_ticks_and_notices(db_path, conn):
    hostile = add_customer(conn, "[/] Corp")
    add_promise(conn, hostile.id, "[URGENT] send the [b]plan", clock.today())
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("l")
        await pilot.pause()
        assert form_customer(app) == "[/] Corp"
        [box] = app.screen.query(".loop").results(Checkbox)
        assert str(box.label).startswith("kept: promise [URGENT] send the [b]plan (due ")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter", "tab", "K")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert '"[URGENT] send the [b]plan"' in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert 'Kept promise #1 "[URGENT] send the [b]plan" ([/] Corp). Press u to undo.' in (
            notices(app)
        )
