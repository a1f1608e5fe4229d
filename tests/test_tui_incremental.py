"""Saving a check-in updates the dashboard and the brief in place: what they show
afterwards is exactly what reading everything again shows, and nothing else is read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import SIZE, settled
from textual.widgets import Static

from tempcheck.services import brief as brief_service
from tempcheck.services.brief import brief
from tempcheck.store import dashboard as dashboard_store
from tempcheck.store.dashboard import dashboard_rows
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens import dashboard as dashboard_screen
from tempcheck.tui.screens.dashboard import DashboardScreen
from tempcheck.tui.widgets.customer_table import CustomerTable
from tempcheck.tui.widgets.today_panel import TodayPanel


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The customer id of every dashboard query (None: everyone)."""
    seen: list[int | None] = []
    original = dashboard_store.dashboard_rows

    def recording(conn, **kwargs):  # noqa: ANN001, ANN202 - a transparent wrapper
        seen.append(kwargs.get("customer_id"))
        return original(conn, **kwargs)

    monkeypatch.setattr(dashboard_store, "dashboard_rows", recording)
    monkeypatch.setattr(brief_service, "dashboard_rows", recording)  # the brief's own import
    monkeypatch.setattr(dashboard_screen, "dashboard_rows", recording)  # the screen's own import
    return seen


def assert_same_as_reading_everything(screen: DashboardScreen, conn: sqlite3.Connection) -> None:
    table = screen.query_one(CustomerTable)
    # Everyone's rows are computed for the moment of the last full read; so is a full read
    # now, at that moment, and the two agree to the last figure.
    expected = dashboard_rows(conn, now=screen.loaded_at)
    assert [r.name for r in table.rows] == [r.name for r in expected]
    assert table.rows == expected
    assert screen.all_rows == expected
    panel = screen.query_one(TodayPanel)
    assert panel.items == brief(conn, now=screen.brief_at)
    shown = [panel.get_row_at(i)[1].plain for i in range(panel.row_count)]
    assert shown == [i.customer_name for i in panel.items]


@pytest.mark.parametrize(
    ("who", "keys"),
    [
        ("Umbrella Health", ["5", *"all good now"]),  # cold and unhappy, now fresh
        ("Acme Corp", ["1", *"very cross"]),  # fresh and happy, now unhappy
        ("Monarch Analytics", ["3", *"first call"]),  # never contacted
    ],
)
async def test_a_saved_checkin_moves_the_row_and_brief_lines_like_a_full_reload(
    sample_db: Path, conn: sqlite3.Connection, reads: list[int | None], who: str, keys: list[str]
) -> None:
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        table = screen.query_one(CustomerTable)
        before = [r.name for r in table.rows]
        table.cursor = before.index(who)
        reads.clear()
        await pilot.press("l", *keys, "enter")
        await settled(pilot)
        assert app.screen is screen
        cid = conn.execute("SELECT id FROM customers WHERE name = ?", (who,)).fetchone()[0]
        assert reads == [cid, cid]  # their row, their brief lines: nobody else was read
        assert [r.name for r in table.rows] != before  # the row moved
        assert table.current_row.name == who  # and the cursor with it
        assert_same_as_reading_everything(screen, conn)
        summary = " · ".join(screen._summary_parts)  # all of it, however much fits
        rows = dashboard_rows(conn, now=screen.loaded_at)
        unhappy = sum(r.last_temperature in (1, 2) for r in rows)
        cold = sum(r.staleness.value == "cold" for r in rows)
        assert f"{len(rows)} customers" in summary
        assert f"☹{unhappy} unhappy" in summary
        assert f"❄{cold} cold" in summary
        # Undo (the app's, for every kind of write) takes back one customer's records:
        # their row and lines are read again, nobody else's.
        reads.clear()
        await pilot.press("u")
        await settled(pilot)
        assert reads == [cid, cid]
        assert sorted(r.name for r in table.rows) == sorted(before)
        assert_same_as_reading_everything(screen, conn)
        summary = list(screen._summary_parts)
        screen.reload()
        assert screen._summary_parts == summary


async def test_a_write_by_another_program_still_reloads_everything(
    sample_db: Path, conn: sqlite3.Connection, reads: list[int | None]
) -> None:
    from tempcheck.store.checkins import add_checkin

    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        reads.clear()
        add_checkin(conn, 2, 5, note="from the shell")  # another connection
        app._poll_for_changes()
        await settled(pilot)
        assert None in reads
        assert_same_as_reading_everything(app.screen, conn)


async def test_a_large_portfolio_paints_its_first_page_then_every_row(
    sample_db: Path, conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    monkeypatch.setattr(DashboardScreen, "FIRST_PAGE_FROM", 10)
    monkeypatch.setattr(DashboardScreen, "FIRST_PAGE", 6)
    release = threading.Event()
    original = dashboard_store.dashboard_rows

    def held_back(conn, **kwargs):  # noqa: ANN001, ANN202 - the rows thread waits for the test
        if kwargs.get("customer_id") is None and threading.current_thread().name != "MainThread":
            if kwargs.get("with_trust", True):
                release.wait(30)
        return original(conn, **kwargs)

    monkeypatch.setattr(dashboard_store, "dashboard_rows", held_back)
    monkeypatch.setattr(dashboard_screen, "dashboard_rows", held_back)  # the screen's own import
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        table = screen.query_one(CustomerTable)
        full = original(conn, now=screen.loaded_at)
        assert screen.first_page_only
        assert table.rows == full[:6]  # the first page, trust trend and all
        assert "reading them all…" in screen._summary_parts
        release.set()
        await settled(pilot)
        assert not screen.first_page_only
        assert table.rows == full
        assert screen._summary_parts[:2] == ["25 customers", "○2 never"]


async def _on_screen(pilot) -> tuple[list[str], list[str]]:  # noqa: ANN001
    """The table's rows and the Today panel's lines, cell by cell, then the panel's lines
    as painted, a screenful at a time from the top to the bottom."""
    app = pilot.app
    table = app.screen.query_one(CustomerTable)
    panel = app.screen.query_one(TodayPanel)
    rows = [" | ".join(c.strip() for c in table._row_cells(i)[0]) for i in range(len(table.rows))]
    lines = [" | ".join(c.plain for c in panel.get_row_at(i)) for i in range(panel.row_count)]
    for top in range(0, panel.row_count, panel.size.height - 1):
        panel.scroll_to(y=top, animate=False)
        await pilot.pause()
        lines += [panel.render_line(y).text for y in range(panel.size.height)]
    return rows, lines


async def test_after_a_save_the_dashboard_reads_as_a_freshly_started_app_on_the_same_file(
    sample_db: Path, conn: sqlite3.Connection
) -> None:
    """Umbrella Health, cold and unhappy at the top, is logged as delighted: their row goes
    to the bottom with the cursor on it, their "call first" and "gone cold" lines leave
    the brief and a "key person unhappy" line comes in, all in place; an app started
    afterwards on the same file draws the same rows and lines."""
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        table = app.screen.query_one(CustomerTable)
        assert table.rows[0].name == "Umbrella Health"
        await pilot.press("l", "5", *"all good now", "enter")
        await settled(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert table.current_row.name == "Umbrella Health"  # one visible target: the saved one
        assert app.screen.query_one("#summary").full_text.startswith("▶ Umbrella Health · ")
        saved_rows, saved_lines = await _on_screen(pilot)
        reasons = [i.reason for i in app.screen.query_one(TodayPanel).items]
        counted = str(app.screen.query_one("#today-summary", Static).render())
    assert [row.split(" | ")[0] for row in saved_rows] == [
        "Prestige Worldwide",
        "Oceanic Airlines",
        "Tyrell Biotech",
        "Monarch Analytics",
        "Nakatomi Trading",
        "Hooli Cloud",
        "Globex Logistics",
        "Gringotts Finance",
        "Initech",
        "Pied Piper",
        "Zorg Industries",
        "Soylent Foods",
        "Vandelay Imports",
        "Wayne Foundation",
        "Wonka Confections",
        "Blue Sun Mining",
        "Aperture Science",
        "Massive Dynamic",
        "Oscorp Labs",
        "Dunder Mifflin Paper",
        "Cyberdyne Systems",
        "Acme Corp",
        "Stark Renewables",
        "Sirius Cybernetics",
        "Umbrella Health",
    ]
    assert saved_rows[-1].startswith("Umbrella Health | ✓ fresh ⟳ | just now | 5 delighted ↑ |")
    theirs = [line for line in saved_lines if " | Umbrella Health | " in line]
    assert [line.split(" | ")[0] for line in theirs] == [
        "◷ renewal coming",
        "☹ person unhappy",
        "⚖ recalibrate",
    ]
    assert all(line.endswith('| "all good now" now') for line in theirs)
    assert len(reasons) == 20 and len(saved_lines) > 20
    assert reasons.count("call first") == 2 and reasons.count("gone cold") == 3
    assert counted == (  # one fewer to call and gone cold than before the save
        "Today: ☎ 2 to call · ⚑ 2 promises due · ↻ 2 follow-ups due · ◷ 4 renewals coming"
        " · ❄ 3 gone cold · … · t shows all"
    )

    fresh = TempcheckApp(sample_db)
    async with fresh.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert await _on_screen(pilot) == (saved_rows, saved_lines)
        assert str(fresh.screen.query_one("#today-summary", Static).render()) == counted


async def test_the_undo_key_joins_the_footer_where_a_rebuilt_footer_has_it(
    sample_db: Path,
) -> None:
    """After a save only the new key is added to the footer (where there is room for it:
    160 columns); the keys and their order are what building the whole footer again gives."""
    from textual.widgets._footer import FooterKey

    from tempcheck.tui.widgets.key_footer import KeyFooter

    app = TempcheckApp(sample_db)
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(pilot)
        footer = app.screen.query_one(KeyFooter)

        def keys() -> list[str]:
            return [f"{k.key_display} {k.description}" for k in footer.query(FooterKey)]

        before = keys()
        assert "u Undo" not in before
        await pilot.press("l", "4", *"fine", "enter")
        await settled(pilot)
        after = keys()
        assert after == [*before[:-3], "u Undo", *before[-3:]]
        assert after[-5:] == ["s Sort", "u Undo", "? Help", "q Quit", "^p palette"]
        await footer.recompose()
        await settled(pilot)
        assert keys() == after
