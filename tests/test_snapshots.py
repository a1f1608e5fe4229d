"""Screen snapshots of the main screens on fixed sample data at a pinned clock.

Update after an intended change with ``pytest tests/test_snapshots.py --snapshot-update``
and look at the SVGs in ``tests/__snapshots__``.
"""

from __future__ import annotations

import pytest
import time_machine
from helpers import NINE_THIRTY as PINNED
from helpers import SIZE, SMALL
from textual.widgets import Input

from tempcheck.store import open_db
from tempcheck.store import sample as demo
from tempcheck.tui.app import TempcheckApp

# The screens the layout must hold at a laptop's default terminal and at a larger one.
BOTH = pytest.mark.parametrize("size", [SMALL, SIZE], ids=["80x24", "120x40"])


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch, local_tz, tmp_path):
    """UTC, a fixed instant (ticking from there), and sample data written at that instant;
    the working folder is the test's own home, which the export dialog shows as ``~``."""
    local_tz("UTC")
    monkeypatch.chdir(tmp_path / "home")
    with time_machine.travel(PINNED, tick=True):
        yield


@pytest.fixture
def sample_app(pinned, db_path) -> TempcheckApp:
    conn = open_db(db_path)
    demo.write_sample(conn, now=PINNED)
    conn.close()
    app = TempcheckApp(db_path)
    app.sub_title = ""  # no version in the picture
    return app


async def _still_cursor(pilot) -> None:
    """Wait for the Today panel's thread and the footer's relayout; stop cursors blinking."""
    await pilot.app.workers.wait_for_complete()  # the Today panel loads in a thread
    await pilot.pause()
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()
    await pilot.pause()


@BOTH
def test_dashboard(snap_compare, sample_app, size):
    assert snap_compare(sample_app, terminal_size=size, run_before=_still_cursor)


def test_checkin_form(snap_compare, sample_app):
    async def open_form(pilot) -> None:
        await _still_cursor(pilot)
        await pilot.press("down", "l", "4", *"replacement order was fine")
        await _still_cursor(pilot)

    assert snap_compare(sample_app, terminal_size=SIZE, run_before=open_form)


@BOTH
def test_low_temperature_prompt(snap_compare, sample_app, size):
    """The check-in form at temperature 2: "Where did we fall short?" and its checkbox."""

    async def open_form(pilot) -> None:
        await _still_cursor(pilot)
        await pilot.press("l", "2", *"report late again", "tab", *"nobody warned them")
        await _still_cursor(pilot)

    assert snap_compare(sample_app, terminal_size=size, run_before=open_form)


@BOTH
def test_customer_detail(snap_compare, sample_app, size):
    async def open_detail(pilot) -> None:
        await _still_cursor(pilot)
        await pilot.press("slash", *"acme", "enter")
        await pilot.pause()
        await _still_cursor(pilot)

    assert snap_compare(sample_app, terminal_size=size, run_before=open_detail)


@BOTH
def test_export_dialog(snap_compare, sample_app, size):
    """The export dialog with an error the save found, in view."""

    async def open_export(pilot) -> None:
        await _still_cursor(pilot)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("tab", "tab", "3", "m", "ctrl+s")
        await _still_cursor(pilot)

    assert snap_compare(sample_app, terminal_size=size, run_before=open_export)


def test_help(snap_compare, sample_app):
    async def open_help(pilot) -> None:
        await _still_cursor(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(sample_app, terminal_size=SIZE, run_before=open_help)


@BOTH
def test_portfolio(snap_compare, sample_app, size):
    async def open_portfolio(pilot) -> None:
        await _still_cursor(pilot)
        await pilot.press("v")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(sample_app, terminal_size=size, run_before=open_portfolio)
