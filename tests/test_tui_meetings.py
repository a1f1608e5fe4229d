"""The Today panel's "met, not logged" prompt: shown with the meeting's title and time,
``l`` opens the check-in form filled in from the meeting, ``x`` dismisses it for good."""

from __future__ import annotations

import pytest
import time_machine
from helpers import settled
from meeting_calendar import NOW, ics_file
from textual.widgets import Input, Label, Select

from tempcheck.exchange.calendar import import_file
from tempcheck.store import contacts, customers, open_db, settings
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.checkin_form import CheckInForm
from tempcheck.tui.widgets.today_panel import TodayPanel


@pytest.fixture
def meetings_db(db_path, tmp_path, local_tz):
    """Customers (one named with markup) and the test calendar, at a clock ticking from NOW."""
    local_tz("UTC")
    with time_machine.travel(NOW, tick=True):
        conn = open_db(db_path)
        acme = customers.add_customer(conn, "[/] Acme Corp").id
        contacts.add_contact(conn, acme, "Sam Lee")  # the primary contact, not in the meeting
        contacts.add_contact(conn, acme, "Dana [b]Ruiz", email="dana@acme.example")
        globex = customers.add_customer(conn, "Globex").id
        customers.set_domain(conn, globex, "globex.example")
        path = tmp_path / "work.ics"
        path.write_text(ics_file(1), encoding="utf-8", newline="")
        settings.put(conn, "calendar.prompt_days", "30")  # the calendar reaches back to 8 Oct
        import_file(conn, path, since_days=28)
        conn.close()
        yield db_path


def prompts(panel: TodayPanel) -> list[tuple[str, str]]:
    return [(i.customer_name, i.detail) for i in panel.items if i.reason == "met, not logged"]


async def test_the_prompt_lists_meetings_met_and_not_logged(meetings_db):
    app = TempcheckApp(meetings_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        panel = app.screen.query_one(TodayPanel)
        assert prompts(panel) == [
            ("Globex", "Weekly sync, Thu 8 Oct 08:00–08:30"),
            ("Globex", "Weekly sync (moved to Friday), Fri 23 Oct 13:00–13:30"),
            ("[/] Acme Corp", "Quarterly review, Tue 27 Oct 13:00–14:00, with Dana [b]Ruiz"),
            ("Globex", "Weekly sync, Thu 29 Oct 09:00–09:30"),
            ("Globex", "Partner call, Tue 3 Nov 16:00–17:00"),
        ]
        first = panel.get_row_at(0)
        assert str(first[0]) == "✎ met, not logged"
        assert str(first[2]) == "Weekly sync, Thu 8 Oct 08:00–08:30"


async def test_l_opens_the_form_filled_in_from_the_meeting(meetings_db):
    app = TempcheckApp(meetings_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        panel = app.screen.query_one(TodayPanel)
        panel.focus()
        panel.move_cursor(row=2)
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CheckInForm)
        assert form.customer.name == "[/] Acme Corp"
        assert str(form.query_one("#meeting", Label).render()) == (
            "Meeting: Quarterly review · Tue 27 Oct 13:00–14:00 (logged at its end)"
        )
        assert form.query_one("#channel", Select).value == "video"
        assert form.query_one("#with", Input).value == "Dana [b]Ruiz"
        await pilot.press("4", *"signed off", "enter")
        await settled(pilot)
        assert not isinstance(app.screen, CheckInForm)
        conn = open_db(meetings_db)
        saved = conn.execute(
            "SELECT k.at, k.channel, k.temperature, k.note, p.name FROM checkins k"
            " LEFT JOIN contacts p ON p.id = k.contact_id"
        ).fetchall()
        conn.close()
        assert saved == [("2026-10-27T14:00:00.000000Z", "video", 4, "signed off", "Dana [b]Ruiz")]
        assert [name for name, _ in prompts(app.screen.query_one(TodayPanel))] == [
            "Globex",
            "Globex",
            "Globex",
            "Globex",
        ]


async def test_x_dismisses_the_meeting_for_good(meetings_db):
    app = TempcheckApp(meetings_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        panel = app.screen.query_one(TodayPanel)
        panel.focus()
        panel.move_cursor(row=1)
        await pilot.pause()
        assert app.screen.check_action("dismiss_meeting", ()) is True
        await pilot.press("x")
        await settled(pilot)
        assert [d for _, d in prompts(panel)] == [
            "Weekly sync, Thu 8 Oct 08:00–08:30",
            "Quarterly review, Tue 27 Oct 13:00–14:00, with Dana [b]Ruiz",
            "Weekly sync, Thu 29 Oct 09:00–09:30",
            "Partner call, Tue 3 Nov 16:00–17:00",
        ]
    # Opened again: still gone.
    app = TempcheckApp(meetings_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert len(prompts(app.screen.query_one(TodayPanel))) == 4


async def test_x_does_nothing_off_a_meeting(meetings_db):
    app = TempcheckApp(meetings_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert app.screen.check_action("dismiss_meeting", ()) is False  # the table has focus
        await pilot.press("x")
        await settled(pilot)
        assert len(prompts(app.screen.query_one(TodayPanel))) == 5
        assert not app.screen.query(Input).filter(".-invalid")


async def test_m_assigns_a_waiting_meeting_to_the_highlighted_customer(meetings_db):
    from tempcheck.tui.screens.meeting_assign import MeetingAssignDialog
    from tempcheck.tui.widgets.customer_table import CustomerTable

    app = TempcheckApp(meetings_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        table = app.screen.query_one(CustomerTable)
        table.focus()
        names = [row.name for row in table.rows]
        table.cursor = names.index("[/] Acme Corp")
        await pilot.pause()
        assert app.screen.check_action("assign_meetings", ()) is True
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, MeetingAssignDialog)
        assert str(dialog.query_one(".title", Label).render()) == (
            "Meetings waiting for a customer → [/] Acme Corp"
        )
        assert [m.title for m in dialog.meetings] == ["Initech kickoff", "Lunch"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert [m.title for m in dialog.meetings] == ["Initech kickoff"]
        await pilot.press("x")  # nothing to log: the last one gone closes the dialog
        await settled(pilot)
        assert not isinstance(app.screen, MeetingAssignDialog)
        assert ("[/] Acme Corp", "Lunch, Tue 3 Nov 12:00–13:00") in prompts(
            app.screen.query_one(TodayPanel)
        )
        assert app.screen.check_action("assign_meetings", ()) is False  # none left
