"""The export dialog: the chosen kind lands in a new private file, and nothing is
overwritten unless asked."""

from __future__ import annotations

import csv
import os
import stat

import pytest
from helpers import SIZE
from textual.widgets import Input, Select

from tempcheck.store import sample as demo
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.dashboard import DashboardScreen
from tempcheck.tui.screens.form_dialog import FormDialog
from tempcheck.tui.widgets.customer_table import CustomerTable
from tempcheck.tui.widgets.field import Field


@pytest.fixture
def sample_db(db_path, conn, tmp_path, monkeypatch):
    demo.write_sample(conn)
    monkeypatch.chdir(tmp_path)
    return db_path


async def open_export(pilot) -> FormDialog:
    await pilot.app.workers.wait_for_complete()
    pilot.app.screen.query_one(CustomerTable).focus()
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(pilot.app.screen, FormDialog)
    return pilot.app.screen


async def test_export_checkins_to_the_default_file(sample_db, conn, tmp_path):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(pilot)
        dialog.query_one("#kind", Select).value = "checkins"
        await pilot.press("ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    files = list(tmp_path.glob("tempcheck-checkins-*.csv"))
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    rows = list(csv.DictReader(files[0].open(encoding="utf-8")))
    assert len(rows) == conn.execute("SELECT count(*) FROM checkins").fetchone()[0]


async def test_export_one_customer_since_a_date(sample_db, conn, tmp_path):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.workers.wait_for_complete()
        table = app.screen.query_one(CustomerTable)
        table.cursor = next(i for i, r in enumerate(table.rows) if r.name == "Acme Corp")
        dialog = await open_export(pilot)
        dialog.query_one("#kind", Select).value = "checkins"
        dialog.query_one("#scope", Select).value = "one"
        dialog.query_one("#since", Input).value = "1m"
        dialog.query_one("#path", Input).value = "acme.csv"
        await pilot.press("ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    rows = list(csv.DictReader((tmp_path / "acme.csv").open(encoding="utf-8")))
    assert rows
    assert {row["customer"] for row in rows} == {"Acme Corp"}
    # "1m" is a month back from today: no exported check-in is older than 31 days, and
    # the sample has older Acme check-ins that the range left out.
    from datetime import date, datetime, timedelta

    days = [datetime.fromisoformat(row["at"]).date() for row in rows]
    assert min(days) >= date.today() - timedelta(days=31), min(days)
    stored = conn.execute(
        "SELECT count(*) FROM checkins JOIN customers c ON c.id = customer_id"
        " WHERE c.name = 'Acme Corp'"
    ).fetchone()[0]
    assert stored > len(rows)


async def test_existing_file_is_kept_unless_replace_is_chosen(sample_db, tmp_path):
    (tmp_path / "keep.csv").write_text("precious\n")
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(pilot)
        dialog.query_one("#path", Input).value = "keep.csv"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog  # stays open, says why
        assert "already exists" in dialog.query_one("#path-field", Field).error  # beside File
        assert (tmp_path / "keep.csv").read_text() == "precious\n"
        dialog.query_one("#existing", Select).value = "replace"
        await pilot.press("ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    assert (tmp_path / "keep.csv").read_text() != "precious\n"


async def test_a_date_range_on_the_dashboard_export_is_refused_inline(sample_db, tmp_path):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(pilot)
        dialog.query_one("#kind", Select).value = "dashboard"
        dialog.query_one("#since", Input).value = "3m"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "no date range" in str(dialog.query_one("#form-error").render())
    assert not list(tmp_path.glob("*.csv"))


async def test_export_the_customers_matching_the_filter(sample_db, tmp_path):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.press("slash", *"co", "enter")  # opens the first match's detail
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).value == "co"
        dialog = await open_export(pilot)
        dialog.query_one("#kind", Select).value = "customers"
        dialog.query_one("#scope", Select).value = "matching"
        dialog.query_one("#path", Input).value = "co.csv"
        await pilot.press("ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    names = {row["name"] for row in csv.DictReader((tmp_path / "co.csv").open(encoding="utf-8"))}
    expected = {name for name, *_ in demo.SAMPLE_CUSTOMERS if "co" in name.casefold()}
    assert names == expected
    assert len(expected) >= 2


async def test_a_review_workbook_for_the_highlighted_customer(sample_db, tmp_path):
    pytest.importorskip("xlsxwriter")
    import zipfile

    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.workers.wait_for_complete()
        table = app.screen.query_one(CustomerTable)
        table.cursor = next(i for i, r in enumerate(table.rows) if r.name == "Acme Corp")
        dialog = await open_export(pilot)
        dialog.query_one("#kind", Select).value = "review"
        dialog.query_one("#scope", Select).value = "one"
        await pilot.press("ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    files = list(tmp_path.glob("tempcheck-review-*.xlsx"))
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    with zipfile.ZipFile(files[0]) as book:
        workbook_xml = book.read("xl/workbook.xml").decode()
    for sheet in ("Dashboard", "Check-ins", "Issues", "Promises", "Follow-ups"):
        assert f'name="{sheet}"' in workbook_xml


async def test_any_kind_as_a_workbook_from_the_format_choice(sample_db, tmp_path):
    pytest.importorskip("xlsxwriter")
    import zipfile

    app = TempcheckApp(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(pilot)
        dialog.query_one("#kind", Select).value = "issues"
        dialog.query_one("#excel", Select).value = "xlsx"
        await pilot.press("ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    (target,) = tmp_path.glob("tempcheck-issues-*.xlsx")
    with zipfile.ZipFile(target) as book:
        assert 'name="Issues"' in book.read("xl/workbook.xml").decode()
    assert not list(tmp_path.glob("*.csv"))
