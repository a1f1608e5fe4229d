"""The account features in the dashboard, driven by keys as a person would: the check-in
form's With field, people on the detail screen, the search screen, #tag and people in
the filter, tags after names, and the palette's jump to a customer."""

from __future__ import annotations

import pytest
from helpers import SIZE, SMALL
from textual.widgets import DataTable, Input, OptionList

from tempcheck.store.accounts import add_tags
from tempcheck.store.checkins import add_checkin
from tempcheck.store.contacts import add_contact
from tempcheck.store.customers import add_customer
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.checkin_form import CheckInForm
from tempcheck.tui.screens.customer_detail import CustomerDetailScreen
from tempcheck.tui.screens.dashboard import DashboardScreen
from tempcheck.tui.screens.help import HelpScreen
from tempcheck.tui.screens.search import SearchScreen
from tempcheck.tui.widgets.customer_table import CustomerTable
from tempcheck.tui.widgets.field import Field


@pytest.fixture
def book(db_path, conn):
    """Two customers: Acme with three people (Jo primary), and a hostile name."""
    acme = add_customer(conn, "Acme Corp", contact="Jo Baker")
    add_contact(conn, acme.id, "Dana Ruiz", role="CFO")
    add_contact(conn, acme.id, "Dan Brown", role="sponsor")
    other = add_customer(conn, "[/] Corp [URGENT]")
    add_contact(conn, other.id, "Mallory [b]", role="[red]x[/red]")
    add_tags(conn, acme.id, ["fintech", "tier-1"])
    add_checkin(conn, other.id, 3, note="escalation about the [/] parser")
    return acme


def names(app) -> list[str]:
    return [row.name for row in app.screen.query_one(CustomerTable).rows]


async def highlight(pilot, name: str) -> None:
    table = pilot.app.screen.query_one(CustomerTable)
    table.cursor = next(i for i, r in enumerate(table.rows) if r.name == name)
    await pilot.pause()


async def test_with_defaults_to_the_primary_contact(db_path, conn, book):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, "Acme Corp")
        await pilot.press("l")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CheckInForm)
        assert form.query_one("#with", Input).value == "Jo Baker"
        await pilot.press("4", *"all fine", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    assert conn.execute(
        "SELECT k.note, p.name FROM checkins k JOIN contacts p ON p.id = k.contact_id"
    ).fetchall() == [("all fine", "Jo Baker")]


async def test_with_takes_another_person_and_refuses_a_guess(db_path, conn, book):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, "Acme Corp")
        await pilot.press("l", "2", *"budget")
        form = app.screen
        with_box = form.query_one("#with", Input)
        with_box.value = "dan"  # Dana Ruiz and Dan Brown: several, so no guess
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert form.query_one("#with-field", Field).error == (
            "'dan' matches several people: Dan Brown, Dana Ruiz"
        )
        assert conn.execute("SELECT count(*) FROM checkins WHERE note = 'budget'").fetchone() == (
            0,
        )
        with_box.value = "ruiz"  # a unique part of a name
        await pilot.pause()
        assert str(form.query_one("#with-field .field-hint").content) == "Dana Ruiz (CFO)"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    assert conn.execute(
        "SELECT p.name FROM checkins k JOIN contacts p ON p.id = k.contact_id"
        " WHERE k.note = 'budget'"
    ).fetchall() == [("Dana Ruiz",)]


async def test_with_completes_names_as_you_type(db_path, conn, book):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, "Acme Corp")
        await pilot.press("l", "4", *"ok")
        form = app.screen
        form.query_one("#with", Input).value = ""
        form.query_one("#with", Input).focus()
        await pilot.press(*"Dana")
        await pilot.pause()
        box = form.query_one("#with", Input)
        assert box._suggestion == "Dana Ruiz"
        await pilot.press("right")  # accept the completion
        assert box.value == "Dana Ruiz"


async def test_detail_lists_people_and_adds_and_marks_gone(db_path, conn, book):
    add_checkin(conn, book.id, 2, note="worried", contact_id=2)
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, "Acme Corp")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CustomerDetailScreen)
        people = screen.query_one("#people", DataTable)
        rows = [[str(c) for c in people.get_row_at(i)] for i in range(people.row_count)]
        assert [r[0] for r in rows] == ["Jo Baker ★", "Dan Brown", "Dana Ruiz"]
        assert rows[2][1] == "CFO" and rows[2][5] == "2 uneasy"
        assert rows[0][4] == "never"
        header = str(screen.query_one("#detail-header").content)
        assert "tags: #fintech #tier-1" in header
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"Kim Lee", "tab", *"CTO", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert people.row_count == 4
        people.focus()
        people.move_cursor(row=1)  # Dan Brown
        await pilot.press("L")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert conn.execute("SELECT name, role FROM contacts WHERE name = 'Kim Lee'").fetchone() == (
        "Kim Lee",
        "CTO",
    )
    assert conn.execute("SELECT name FROM contacts WHERE gone_at IS NOT NULL").fetchall() == [
        ("Dan Brown",)
    ]


async def test_detail_people_at_80_by_24_with_hostile_text(db_path, conn, book):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SMALL) as pilot:
        await highlight(pilot, "[/] Corp [URGENT]")
        await pilot.press("enter")
        await pilot.pause()
        people = app.screen.query_one("#people", DataTable)
        assert [str(c) for c in people.get_row_at(0)][:2] == ["Mallory [b] ★", "[red]x[/red]"]


async def test_filter_by_tag_and_by_a_persons_name(db_path, conn, book):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"#tier")
        await pilot.pause()
        assert names(app) == ["Acme Corp"]
        app.screen.query_one("#filter", Input).value = ""
        await pilot.press(*"ruiz")
        await pilot.pause()
        assert names(app) == ["Acme Corp"]
        app.screen.query_one("#filter", Input).value = ""
        await pilot.press(*"mallory")
        await pilot.pause()
        assert names(app) == ["[/] Corp [URGENT]"]
        app.screen.query_one("#filter", Input).value = ""
        await pilot.press(*"#nosuchtag")
        await pilot.pause()
        assert names(app) == []


async def test_hash_shows_tags_after_names(db_path, conn, book):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(CustomerTable)
        assert table.tag_text is None
        await pilot.press("number_sign")
        await pilot.pause()
        assert table.tag_text == {1: "#fintech #tier-1"}
        index = next(i for i, r in enumerate(table.rows) if r.name == "Acme Corp")
        name_cell = table._row_cells(index)[0][0]
        assert name_cell.startswith(" Acme Corp #fintech")
        await pilot.press("number_sign")
        await pilot.pause()
        assert table.tag_text is None


async def test_search_screen_shows_results_as_you_type_and_opens_the_item(db_path, conn, book):
    add_checkin(conn, book.id, 2, note="budget worries for next year", contact_id=2)
    add_checkin(conn, book.id, 4, note="lunch")
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"budg")
        await screen.workers.wait_for_complete()
        await pilot.pause()
        results = screen.query_one("#search-results", OptionList)
        assert results.option_count == 1
        prompt = results.get_option_at_index(0).prompt
        assert prompt.plain == "Acme Corp  " + prompt.plain.split("  ")[1] + (
            "  check-in\n  budget worries for next year"
        )
        assert [
            prompt.plain[s.start : s.end] for s in prompt.spans if "reverse" in str(s.style)
        ] == ["budget"]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, CustomerDetailScreen)
        timeline = detail.query_one("#timeline", DataTable)
        assert timeline.has_focus
        row = [str(c) for c in timeline.get_row_at(timeline.cursor_row)]
        assert row[3] == "budget worries for next year"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_search_with_hostile_text_and_names(db_path, conn, book):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        for text in ('"', "NEAR(", "[/]", "*"):
            screen.query_one("#search-query", Input).value = text
            await screen.workers.wait_for_complete()
            await pilot.pause()
        screen.query_one("#search-query", Input).value = "parser"
        await screen.workers.wait_for_complete()
        await pilot.pause()
        results = screen.query_one("#search-results", OptionList)
        assert results.option_count == 1
        assert results.get_option_at_index(0).prompt.plain.startswith("[/] Corp [URGENT]")
        await pilot.press("down")
        assert results.has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
        assert app.screen.customer.name == "[/] Corp [URGENT]"


async def test_search_key_is_in_the_footer_and_help(db_path, conn, book):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        bindings = {b.binding.key: b.binding for b in app.screen.active_bindings.values()}
        assert bindings["f"].description == "Search" and bindings["f"].show
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        entries = dict(help_screen.entries)
        assert entries["f"] == "Search everything said: notes, issues, promises, people"
        assert entries["#"] == "Show or hide each customer's tags"


async def test_palette_opens_any_customer_by_name(db_path, conn, book):
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"urgent")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
        assert app.screen.customer.name == "[/] Corp [URGENT]"
