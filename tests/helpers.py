"""Constants and small helpers the tests share by name.

Fixtures live in conftest.py; what a test imports lives here (pytest puts ``tests/`` on
``sys.path``, as it does for ``meeting_calendar.py``). Expected values stay literal in the
tests: these are the inputs they pin, not answers.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
import time_machine

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

# --- the pinned clock: all on Tuesday 24 November 2026 -----------------------------------

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # midday UTC: conftest's clock_at_noon
TODAY = date(2026, 11, 24)  # NOW's day
TEN_AM = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # the log and date-parsing tests
NINE_THIRTY = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # screen snapshots and screenshots


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Time stands still at ``moment`` inside the block (time-machine, no ticking)."""
    with time_machine.travel(moment, tick=False):
        yield


# --- the TUI under Textual's Pilot, at the sizes every screen must hold ------------------

SIZE = (120, 40)  # a roomy terminal, the one most TUI tests run at
SMALL = (80, 24)  # a laptop's default terminal


async def settled(pilot: Pilot) -> None:
    """Until the app's workers are done and the screen has caught up with them."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: App) -> str:
    """What is on the screen, as text (from Textual's own SVG export)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


# --- the installed console script, as a user runs it -------------------------------------

TEMPCHECK = Path(sys.executable).with_name("tempcheck")


def tc(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``tempcheck --db DB ARGS`` as a real process in a bare environment: UTC, a home
    beside the database, nothing of the caller's (no TEMPCHECK_DB, no NO_COLOR)."""
    return subprocess.run(
        [str(TEMPCHECK), "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "TZ": "UTC", "HOME": str(db.parent)},
    )


# --- files and folders, looked at from outside the program -------------------------------


def integrity(path: Path) -> str:
    """SQLite's own verdict on the file ("ok" when sound), from a connection of our own."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


# Property tests make many small databases; in memory they do not wait on fsync.
MEMORY_DIR = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` with its content hash: proves nothing was created or changed."""
    return {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file()}


# --- a tool a test needs is not installed ------------------------------------------------


def missing(reason: str) -> NoReturn:
    """Skip on a developer's machine; fail in CI, whose .ci/run installs everything."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI must install it: see .ci/run)", pytrace=False)
    pytest.skip(reason)
