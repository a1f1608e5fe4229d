"""Quick capture in the dashboard: the fastest path, inline errors, undo, low temperatures,
and check-ins written by another process appearing live."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from helpers import SIZE
from textual import events
from textual.widgets import Checkbox, Input

from tempcheck.domain import clock
from tempcheck.store.checkins import add_checkin
from tempcheck.store.customers import add_customer
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.checkin_form import CheckInForm
from tempcheck.tui.screens.confirm import ConfirmDialog
from tempcheck.tui.screens.dashboard import DashboardScreen
from tempcheck.tui.widgets.customer_table import CustomerTable
from tempcheck.tui.widgets.field import Field


@pytest.fixture
def three_customers(db_path, conn):
    """Acme is fresh; Globex went cold 40 days ago; Initech was never contacted (first row)."""
    acme = add_customer(conn, "Acme Corp")
    globex = add_customer(conn, "Globex")
    add_customer(conn, "Initech")
    add_checkin(conn, acme.id, 4, note="fine", at=clock.now().replace(microsecond=0))
    add_checkin(conn, globex.id, 3, note="old", at=clock.now() - timedelta(days=40))
    return db_path


def checkins(conn, name):
    return conn.execute(
        "SELECT k.temperature, k.note, k.channel, k.initiated_by, k.follow_up, k.fell_short"
        " FROM checkins k JOIN customers c ON c.id = k.customer_id WHERE c.name = ?"
        " ORDER BY k.id",
        (name,),
    ).fetchall()


async def test_fastest_path_l_digit_note_enter(three_customers, conn):
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(CustomerTable)
        assert table.current_row.name == "Initech"  # never contacted comes first
        await pilot.press("l", "4", *"renewal looks good", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert table.current_row.name == "Initech"  # the cursor followed the customer
        assert table.current_row.last_temperature == 4
        assert clock.ago(table.current_row.last_contact) == "just now"
        assert table.rows[-1].name == "Initech" or table.current_row.staleness.value == "fresh"
    assert checkins(conn, "Initech")[-1] == (4, "renewal looks good", "hallway", "us", None, "")


async def test_temperature_word_is_shown_as_you_type(three_customers):
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "2")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CheckInForm)
        hint = form.query_one("#temp-field .field-hint")
        assert "uneasy" in str(hint.render())
        assert form.query_one("#short-box").display  # where did we fall short?
        assert form.query_one("#note", Input).has_focus


@pytest.mark.parametrize("typed", ["0", "6", "x"])
async def test_bad_temperature_is_shown_inline_and_nothing_is_lost(three_customers, conn, typed):
    app = TempcheckApp(three_customers)
    before = conn.execute("SELECT count(*) FROM checkins").fetchone()[0]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", typed, "tab", *"kept text", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CheckInForm)  # still open
        assert form.query_one("#temp-field", Field).error
        assert form.query_one("#note", Input).value == "kept text"
        assert form.query_one("#temp", Input).value == typed
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == before


async def test_missing_temperature_is_required(three_customers, conn):
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "tab", *"no temperature", "enter")
        await pilot.pause()
        form = app.screen
        assert "required" in form.query_one("#temp-field", Field).error
        assert form.query_one("#temp", Input).has_focus
        await pilot.press("3", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    assert checkins(conn, "Initech")[-1][:2] == (3, "no temperature")


async def test_bad_and_past_follow_up_dates_are_shown_inline(three_customers, conn):
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "4", *"note")
        form = app.screen
        form.query_one("#follow-up", Input).focus()
        await pilot.press(*"blah", "enter")
        await pilot.pause()
        assert "blah" in form.query_one("#follow-up-field", Field).error
        assert form.query_one("#note", Input).value == "note"
        form.query_one("#follow-up", Input).value = "2020-01-01"
        await pilot.press("enter")
        await pilot.pause()
        # The same words as `tempcheck log --follow-up` and the store: one rule, one message.
        assert form.query_one("#follow-up-field", Field).error == (
            "the follow-up date is in the past (2020-01-01)"
        )
        form.query_one("#follow-up", Input).value = "+3d"
        await pilot.pause()
        assert form.query_one("#follow-up-field .field-hint").render()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    expected = (clock.today() + timedelta(days=3)).isoformat()
    assert checkins(conn, "Initech")[-1][4] == expected
    assert conn.execute("SELECT due FROM followups").fetchall() == [(expected,)]


async def test_undo_removes_the_check_in(three_customers, conn):
    app = TempcheckApp(three_customers)
    before = checkins(conn, "Initech")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "5", *"oops", "enter")
        await pilot.pause()
        assert len(checkins(conn, "Initech")) == len(before) + 1
        await pilot.press("u")
        await pilot.pause()
        table = app.screen.query_one(CustomerTable)
        assert table.current_row.name == "Initech"
        assert table.current_row.last_temperature is None
        assert table.current_row.last_contact is None
    assert checkins(conn, "Initech") == before


async def test_low_temperature_asks_where_we_fell_short_and_opens_an_issue(three_customers, conn):
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "1", *"angry about the outage", "tab")
        await pilot.press(*"no warning before maintenance", "ctrl+o")
        form = app.screen
        assert form.query_one("#open-issue", Checkbox).value
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    temp, note, *_rest, fell_short = checkins(conn, "Initech")[-1]
    assert (temp, note, fell_short) == (
        1,
        "angry about the outage",
        "no warning before maintenance",
    )
    issue = conn.execute("SELECT title, from_checkin_id FROM issues").fetchone()
    assert issue[0] == "no warning before maintenance"
    assert issue[1] == conn.execute("SELECT max(id) FROM checkins").fetchone()[0]


async def test_channel_and_who_reached_out_and_remembered_channel(three_customers, conn):
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "4")
        form = app.screen
        form.query_one("#channel").value = "call"
        form.query_one("#by").value = "them"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert app.screen.query_one("#channel").value == "call"
    assert checkins(conn, "Initech")[-1][2:4] == ("call", "them")


async def test_escape_with_typed_text_asks_before_discarding(three_customers, conn):
    app = TempcheckApp(three_customers)
    before = conn.execute("SELECT count(*) FROM checkins").fetchone()[0]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "4", *"half a thought", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, CheckInForm)
        assert app.screen.query_one("#note", Input).value == "half a thought"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == before


async def test_escape_on_empty_form_closes_at_once(three_customers):
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_check_ins_from_another_process_appear_within_two_seconds(three_customers):
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(CustomerTable)
        acme = next(row for row in table.rows if row.name == "Acme Corp")
        assert acme.last_temperature == 4
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tempcheck",
                "--db",
                str(three_customers),
                "log",
                "Acme",
                "5",
                "from the shell",
            ],
            check=True,
            capture_output=True,
        )
        started = time.monotonic()
        while time.monotonic() - started < 2.0:
            await pilot.pause(0.1)
            acme = next(row for row in table.rows if row.name == "Acme Corp")
            if acme.last_temperature == 5:
                break
        assert acme.last_temperature == 5
        assert time.monotonic() - started < 2.0


async def test_keys_typed_in_one_burst_after_the_digit_go_to_the_note(three_customers, conn):
    """A paste or a browser session delivers the digit and the note before focus moves."""
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        form = app.screen
        temp = form.query_one("#temp", Input)
        for character in "4fast typist":
            await temp._on_key(events.Key(character, character))  # no pause in between
        assert temp.value == "4"
        assert form.query_one("#note", Input).value == "fast typist"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    assert checkins(conn, "Initech")[-1][:2] == (4, "fast typist")


def key_event(character: str) -> events.Key:
    """The event a terminal's key press gives (Textual names "/" slash, " " space)."""
    return events.Key({"/": "slash", " ": "space"}.get(character, character), character)


async def test_l_digit_and_note_in_one_burst_land_in_the_right_fields(three_customers, conn):
    """Keys queued together (a paste, a browser session) before the form has mounted."""
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        for character in "l4quick note":
            app.post_message(key_event(character))
        await pilot.pause()
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CheckInForm)
        assert form.query_one("#temp", Input).value == "4"
        assert form.query_one("#note", Input).value == "quick note"
        await pilot.press("enter")
        await pilot.pause()
    assert checkins(conn, "Initech")[-1][:2] == (4, "quick note")


async def test_slash_and_a_name_in_one_burst_filter(three_customers):
    """Letters right after "/" filter; none of them triggers a dashboard key ("a", "e")."""
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        for character in "/acme":
            app.post_message(key_event(character))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.query_one("#filter", Input).value == "acme"
        assert [r.name for r in app.screen.query_one(CustomerTable).rows] == ["Acme Corp"]


async def test_slash_and_l_typed_inside_the_filter_are_just_text(three_customers, conn):
    add_customer(conn, "Sl/ow Loris")
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"sl", "slash", "o")
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).value == "sl/o"
        assert [r.name for r in app.screen.query_one(CustomerTable).rows] == ["Sl/ow Loris"]


async def burst(app: TempcheckApp, pilot, keys: list[tuple[str, str | None]]) -> None:
    """Queue every key before the app handles the first: a paste, a fast typist, tmux."""
    await app.workers.wait_for_complete()
    for name, character in keys:
        app.post_message(events.Key(name, character))
    for _ in range(4):
        await pilot.pause()


def typed(text: str) -> list[tuple[str, str | None]]:
    return [(key_event(c).key, c) for c in text]


async def test_moves_typed_ahead_of_l_in_one_burst_choose_the_customer(three_customers, conn):
    """ "jl4 note": the move lands before "l" acts, so the second row (Globex) is logged."""
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await burst(app, pilot, typed("jl4note"))
        form = app.screen
        assert isinstance(form, CheckInForm)
        assert form.query_one("#note", Input).value == "note"
        await pilot.press("enter")
        await pilot.pause()
    assert checkins(conn, "Globex")[-1][:2] == (4, "note")
    assert [row[:2] for row in checkins(conn, "Initech")] == []


async def test_filter_tab_move_and_l_in_one_burst_log_the_match_under_the_cursor(
    three_customers, conn
):
    """ "/cx<BS><Tab>jl4x": the filter narrows to Initech and Acme Corp before Tab moves to
    the matches, j moves to Acme Corp, and l logs Acme Corp; nothing stays in the filter."""
    app = TempcheckApp(three_customers)
    async with app.run_test(size=SIZE) as pilot:
        await burst(app, pilot, [*typed("/cx"), ("backspace", None), ("tab", "\t"), *typed("jl4x")])
        form = app.screen
        assert isinstance(form, CheckInForm)
        await pilot.press("enter")
        await pilot.pause()
        dashboard = app.screen
        assert dashboard.query_one("#filter", Input).value == "c"
        table = dashboard.query_one(CustomerTable)
        assert [r.name for r in table.rows] == ["Initech", "Acme Corp"]
        assert table.current_row.name == "Acme Corp"
    assert checkins(conn, "Acme Corp")[-1][:2] == (4, "x")
    assert [row[:2] for row in checkins(conn, "Initech")] == []
