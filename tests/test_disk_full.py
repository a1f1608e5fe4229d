"""A really full disk: a small tmpfs filled up, then log, save, export, back up and import.

RLIMIT_FSIZE gives SQLite an I/O error, not "disk full", and a capped page count is not
a disk; these tests mount a 2 MiB tmpfs (root only, as the tests run in CI) and fill it.
Each one checks the message, that nothing partial is left, and ``integrity_check``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import TEMPCHECK, integrity

from tempcheck.store import open_db
from tempcheck.store.customers import add_customer

DISK_FULL = "the disk is full; nothing was written to the database"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs (room for a new database with its search index), unmounted again afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs the tests as root)")
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"cannot mount a tmpfs in CI: {mounted.stderr.strip()}")
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """Fill ``folder``'s file system up to ``leave`` bytes free; returns the filler."""
    filler = folder / "filler"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with filler.open("ab") as handle:
        handle.write(b"\0" * max(free - leave, 0))
    return filler


def free_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize


def rows(path: Path, sql: str) -> list[tuple]:
    raw = sqlite3.connect(path)
    try:
        return raw.execute(sql).fetchall()
    finally:
        raw.close()


def tempcheck(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TEMPCHECK), *args], input=stdin, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def full_book(small_disk: Path) -> Path:
    """A database with one customer and one check-in on the small disk, the disk then full."""
    path = small_disk / "t.db"
    conn = open_db(path)
    acme = add_customer(conn, "Acme Corp")
    from tempcheck.store.checkins import add_checkin

    add_checkin(conn, acme.id, 4, note="before the disk filled up")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    # Room to open the database (its -wal and 32 KiB -shm), not for a long note.
    fill(small_disk, leave=96 * 1024)
    return path


def test_log_on_a_full_disk(full_book: Path) -> None:
    result = tempcheck("--db", str(full_book), "log", "acme", "4", "-", stdin="note " * 40_000)
    assert result.returncode == 1, result
    assert result.stderr == f"tempcheck: {DISK_FULL}\n"
    assert result.stdout == ""
    assert integrity(full_book) == "ok"
    assert rows(full_book, "SELECT note FROM checkins") == [("before the disk filled up",)]
    (full_book.parent / "filler").unlink()  # room again: the same command works
    again = tempcheck("--db", str(full_book), "log", "acme", "4", "-", stdin="note " * 40_000)
    assert again.returncode == 0, again.stderr
    assert len(rows(full_book, "SELECT note FROM checkins")) == 2


def test_import_on_a_full_disk(full_book: Path, tmp_path: Path) -> None:
    source = tmp_path / "many.csv"  # on the big disk
    lines = ["customer,at,temperature,note"] + [
        f"Acme Corp,2026-01-{1 + n % 28:02d}T10:00:00Z,3,imported note {n} {'x' * 200}"
        for n in range(3000)
    ]
    source.write_text("\n".join(lines) + "\n")
    result = tempcheck("--db", str(full_book), "import", "checkins", str(source))
    assert result.returncode == 1, result
    assert result.stderr == f"tempcheck: {DISK_FULL}\n"
    assert integrity(full_book) == "ok"
    assert rows(full_book, "SELECT count(*) FROM checkins") == [(1,)]


def test_backup_onto_a_full_disk(small_disk: Path, tmp_path: Path) -> None:
    source = tmp_path / "big.db"  # on the big disk: only the copy runs out of room
    assert tempcheck("--db", str(source), "demo").returncode == 0
    fill(small_disk, leave=24 * 1024)
    target = small_disk / "copy.db"
    result = tempcheck("--db", str(source), "backup", str(target))
    assert result.returncode == 1, result
    assert result.stderr == f"tempcheck: {DISK_FULL}\n"
    assert result.stdout == ""
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # no half copy
    assert integrity(source) == "ok"


def test_export_onto_a_full_disk(small_disk: Path, tmp_path: Path) -> None:
    source = tmp_path / "big.db"
    assert tempcheck("--db", str(source), "demo").returncode == 0
    fill(small_disk, leave=8 * 1024)
    target = small_disk / "checkins.csv"
    result = tempcheck("--db", str(source), "export", "checkins", "-o", str(target))
    assert result.returncode == 1, result
    assert (
        result.stderr == f"tempcheck: the disk is full: cannot write {target}; nothing was kept\n"
    )
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # no half file
    # Replacing an existing file: the old one stays whole.
    (small_disk / "filler").unlink()
    target.write_text("the old export\n")
    fill(small_disk, leave=8 * 1024)
    result = tempcheck("--db", str(source), "export", "checkins", "-o", str(target), "--force")
    assert result.returncode == 1, result
    assert result.stderr == (
        f"tempcheck: the disk is full: cannot write {target}; the old file is unchanged\n"
    )
    assert target.read_text() == "the old export\n"
    assert sorted(p.name for p in small_disk.iterdir()) == ["checkins.csv", "filler"]


async def test_saving_a_check_in_in_the_dashboard_on_a_full_disk(full_book: Path) -> None:
    from textual.widgets import Input

    from tempcheck.tui.app import TempcheckApp
    from tempcheck.tui.screens.checkin_form import CheckInForm

    app = TempcheckApp(full_book)
    note = "a long note " * 20_000
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("4")
        app.screen.query_one("#note", Input).value = note
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CheckInForm)  # still open, nothing typed is lost
        assert app.screen.query_one("#note", Input).value == note
        messages = [(n.title, n.message) for n in app._notifications]
        assert messages == [("Not saved", DISK_FULL)]
        (full_book.parent / "filler").unlink()  # room again: Enter saves it
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, CheckInForm)
    assert integrity(full_book) == "ok"
    assert len(rows(full_book, "SELECT note FROM checkins")) == 2


def test_opening_on_a_full_disk_says_the_disk_is_full(small_disk: Path) -> None:
    path = small_disk / "t.db"
    conn = open_db(path)
    add_customer(conn, "Acme Corp")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    fill(small_disk, leave=4 * 1024)  # not even room for the -shm file
    result = tempcheck("--db", str(path), "log", "acme", "4", "x")
    assert result.returncode == 1, result
    assert result.stderr == f"tempcheck: {DISK_FULL} {path}\n"
    (small_disk / "filler").unlink()
    assert integrity(path) == "ok"
    assert rows(path, "SELECT count(*) FROM checkins") == [(0,)]
