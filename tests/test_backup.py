"""``tempcheck backup``: a consistent, private copy, even while another connection writes."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tempcheck.domain import clock
from tempcheck.exchange.backup import backup, default_backup_path
from tempcheck.store import StoreError, open_db, write
from tempcheck.store import sample as demo


def test_default_name_beside_the_database(tmp_path: Path) -> None:
    moment = datetime(2026, 11, 24, 13, 5, 9, tzinfo=UTC)
    name = default_backup_path(tmp_path / "tempcheck.db", moment)
    assert name.parent == tmp_path
    assert name.name == f"tempcheck-backup-{clock.local(moment):%Y%m%d-%H%M%S}.db"


def test_backup_command(conn: sqlite3.Connection, run_tc, tmp_path: Path) -> None:
    demo.write_sample(conn)
    result = run_tc("backup")
    assert result.exit_code == 0, result.output
    (copy,) = tmp_path.glob("tempcheck-backup-*.db")
    assert result.stdout.startswith("Backed up 25 customers and ")
    assert str(copy) in result.stdout
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    copied = open_db(copy, create=False)
    assert copied.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copied.execute("SELECT count(*) FROM customers").fetchone() == (25,)
    copied.close()

    folder = tmp_path / "backups"
    folder.mkdir()
    result = run_tc("backup", str(folder))
    assert result.exit_code == 0, result.output
    assert len(list(folder.glob("tempcheck-backup-*.db"))) == 1


def test_never_overwrites_and_leaves_nothing_behind(
    conn: sqlite3.Connection, run_tc, tmp_path: Path
) -> None:
    target = tmp_path / "mine.db"
    target.write_text("precious")
    result = run_tc("backup", str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith("tempcheck: ") and "already exists" in result.stderr
    assert target.read_text() == "precious"
    result = run_tc("backup", str(tmp_path / "no" / "such" / "copy.db"))
    assert result.exit_code == 1 and "does not exist" in result.stderr
    assert run_tc("backup", db=tmp_path / "missing.db").exit_code == 1
    assert not (tmp_path / "missing.db").exists()


def test_backup_while_another_connection_writes(
    conn: sqlite3.Connection, db_path: Path, tmp_path: Path
) -> None:
    """A writer commits in a loop throughout; the copy is whole and consistent."""
    demo.write_synthetic(conn, 200, 20_000)
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []

    def writer() -> None:
        other = open_db(db_path)
        try:
            while not stop.is_set():
                with write(other):
                    now = clock.to_stored(clock.now())
                    other.executemany(
                        "INSERT INTO checkins (customer_id, at, temperature, created_at)"
                        " VALUES (?, ?, 3, ?)",
                        [(1 + n % 200, now, now) for n in range(50)],
                    )
                written.append(50)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            other.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 3:  # the writer is really going
            stop.wait(0.01)
        copies = [backup(conn, tmp_path / f"copy-{n}.db") for n in range(3)]
        while len(written) < 6:  # and kept going during the backups
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join()
    assert not failures
    for result in copies:
        copy = open_db(result.path, create=False)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        checkins = copy.execute("SELECT count(*) FROM checkins").fetchone()[0]
        assert checkins == result.checkins
        assert (checkins - 20_000) % 50 == 0  # whole transactions only
        assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
        copy.close()
    final = conn.execute("SELECT count(*) FROM checkins").fetchone()[0]
    assert final == 20_000 + sum(written)


def test_backup_refuses_an_existing_file(conn: sqlite3.Connection, tmp_path: Path) -> None:
    target = tmp_path / "taken.db"
    target.touch()
    with pytest.raises(StoreError, match="already exists"):
        backup(conn, target)
    assert target.read_bytes() == b""
