"""Shared fixtures: a real SQLite file per test, and no test touches a real user's files.

What a test imports by name (the pinned clock, terminal sizes, the console script, small
helpers) lives in helpers.py: a conftest is pytest's to load, not a module to import.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from helpers import NOW, missing

from tempcheck.store import open_db


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the data folder and TEMPCHECK_DB into the test's own temporary folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("TEMPCHECK_DB", str(tmp_path / "env.db"))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tempcheck.db"


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_db(db_path)
    yield connection
    connection.close()


@pytest.fixture
def sample_db(db_path: Path, conn: sqlite3.Connection) -> Path:
    """The database file, holding the sample data ``tempcheck demo`` writes."""
    from tempcheck.store import sample

    sample.write_sample(conn)
    return db_path


@pytest.fixture
def local_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Set the process's local time zone for one test (``local_tz("Europe/Berlin")``);
    the zone the test started with is back afterwards."""
    with monkeypatch.context() as patch:

        def use(name: str) -> None:
            patch.setenv("TZ", name)
            time.tzset()

        yield use
    time.tzset()


# --- Added for the store, CLI and reliability tests (test engineer) -------------------------


@pytest.fixture
def run_tc(db_path: Path):
    """Run ``tempcheck --db <db_path> ARGS...`` in-process and return click's Result.

    ``db=None`` leaves --db out (for TEMPCHECK_DB and default-path tests);
    ``color=True`` stops click from stripping ANSI sequences, as on a terminal.
    """
    from click.testing import CliRunner

    from tempcheck.cli.main import main

    def run(*args: str, stdin: str | None = None, db: Path | str | None = db_path, color=False):
        argv = (["--db", str(db)] if db is not None else []) + [str(a) for a in args]
        return CliRunner().invoke(main, argv, input=stdin, color=color, catch_exceptions=True)

    return run


@pytest.fixture
def plain_user():
    """A ``preexec_fn`` making a child process obey file permissions even when we are root.

    Root ignores chmod; dropping CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
    child's bounding set (before exec) makes it behave like an ordinary owner.
    Returns None when not root (permissions already apply); skips if impossible.
    """
    import ctypes
    import os
    import subprocess
    import sys

    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def drop() -> None:
        for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    probe = subprocess.run(
        [sys.executable, "-c", "open('/proc/self/status').read()"], preexec_fn=drop
    )
    if probe.returncode != 0:
        pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE to honour file modes")
    return drop


@pytest.fixture
def row_counts():
    """Row counts of every table in a database, read without writing to it."""

    def counts(path: Path | str) -> dict[str, int]:
        uri = f"file:{path}?mode=ro"
        connection = sqlite3.connect(uri, uri=True)
        try:
            tables = [
                r[0]
                for r in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    # Full-text indexes are derived from the rows; their pages are not rows.
                    " AND name NOT LIKE '%\\_fts%' ESCAPE '\\' ORDER BY name"
                )
            ]
            query = 'SELECT count(*) FROM "{}"'
            return {t: connection.execute(query.format(t)).fetchone()[0] for t in tables}
        finally:
            connection.close()

    return counts


# --- a pinned clock and one customer, for the relationship-system tests ----------------------

PINNED_NOW = NOW  # Tuesday 24 November 2026, midday UTC (see helpers.py)


@pytest.fixture
def clock_at_noon():
    """Time stands still at :data:`PINNED_NOW` (pinned with time-machine)."""
    with time_machine.travel(PINNED_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def acme(conn: sqlite3.Connection, clock_at_noon) -> int:
    """The id of a customer "Acme Corp", added at the pinned time."""
    from tempcheck.store.customers import add_customer

    return add_customer(conn, "Acme Corp").id


# --- a real headless browser, for the serve test and the review report ----------------------

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium waits on the network at start on a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium():
    """Debian's Chromium driven by Playwright (never Playwright's own download)."""
    import os
    import shutil

    try:
        from playwright import sync_api
    except ImportError:
        missing("playwright is not installed (pip install -e '.[test]')")
    candidates = (os.environ.get("TEMPCHECK_CHROMIUM"), "chromium", "chromium-browser")
    executable = next((shutil.which(c) for c in candidates if c and shutil.which(c)), None)
    if executable is None:
        missing("no Chromium binary (apt-get install chromium, or set TEMPCHECK_CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
