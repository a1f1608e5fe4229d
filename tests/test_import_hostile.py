"""An import into a database that already has check-ins, under what can go wrong: its
rows are committed first and their search index follows in short transactions afterwards
(tempcheck.exchange.transfer, tempcheck.store.summary.catch_up_search_index).

Everything here is real: files in tmp_path, the shell in its own process, SIGKILL, Ctrl-C
and a lock held by another connection."""

from __future__ import annotations

import csv
import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

PENDING = "SELECT value FROM settings WHERE key = 'search.checkins_pending'"
INTEGRITY = "INSERT INTO checkins_fts (checkins_fts, rank) VALUES ('integrity-check', 1)"
ROWS = 120_000  # enough for the search index to take more than one 50,000-row batch


def tc(*args: str | Path, db: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "tempcheck", "--db", str(db), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def write_rows(path: Path, count: int, word: str = "bulk") -> Path:
    """``count`` check-ins for two customers, without uids (as exported by another tool)."""
    fields = ["customer", "at", "temperature", "channel", "initiated_by", "note", "uid"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for n in range(count):
            writer.writerow(
                {
                    "customer": ("Acme Corp", "Globex")[n % 2],
                    "at": f"2026-0{1 + n % 9}-1{n % 10}T09:00:00+00:00",
                    "temperature": str(1 + n % 5),
                    "channel": "call",
                    "initiated_by": "us",
                    "note": f"{word} note {n}",
                    "uid": "",
                }
            )
    return path


def portfolio(path: Path) -> None:
    """Two customers and one check-in: the next import takes the append path."""
    tc("add-customer", "Acme Corp", db=path)
    tc("add-customer", "Globex", db=path)
    tc("log", "Acme Corp", "3", "kickoff", db=path)


def watch_pending(
    db: Path, source: Path, timeout: float = 90
) -> tuple[subprocess.Popen[str], sqlite3.Connection]:
    """Start ``tempcheck import checkins`` and return as soon as its commit is visible
    (the pending search-index range is in settings), with a connection of our own."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tempcheck", "--db", str(db), "import", "checkins", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if conn.execute(PENDING).fetchone():
                return process, conn
        except sqlite3.OperationalError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.002)
    process.kill()
    process.communicate()
    pytest.fail("the import's commit was never seen with its search index pending")


def killed_after_commit(db: Path, source: Path) -> None:
    """An import SIGKILLed after its commit, before its search index caught up."""
    process, conn = watch_pending(db, source)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert conn.execute(PENDING).fetchone() is not None, "the catch-up ended before the kill"
    assert conn.execute("SELECT count(*) FROM checkins").fetchone() == (1 + ROWS,)
    conn.close()


@pytest.mark.skipif(
    importlib.util.find_spec("doltlite") is None, reason="team mode needs the team extra"
)
def test_a_team_made_after_a_killed_import_indexes_each_check_in_once(
    tmp_path: Path,
) -> None:
    """An import killed after its commit leaves its rows' search index pending; ``team
    init`` rebuilds the whole index, and with it nothing is pending any more: the first
    search does not index those rows a second time, and the index passes FTS5's check."""
    db = tmp_path / "portfolio.db"
    portfolio(db)
    killed_after_commit(db, write_rows(tmp_path / "rows.csv", ROWS))

    done = tc("team", "init", "http://127.0.0.1:9/portfolio.db", db=db, check=False)
    assert done.returncode in (0, 3), done.stderr  # 3: offline, publish later
    assert "is now a team database" in done.stdout
    tc("search", "kickoff", db=db)

    check = subprocess.run(  # Doltlite must load before sqlite3: a process of its own
        [
            sys.executable,
            "-c",
            "import doltlite, sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "try:\n"
            f"    c.execute({INTEGRITY!r})\n"
            "    print('ok')\n"
            "except sqlite3.DatabaseError as exc:\n"
            "    print(exc)\n",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.strip() == "ok", check.stdout + check.stderr


def test_a_lock_held_during_the_search_catch_up_leaves_a_successful_import(
    tmp_path: Path,
) -> None:
    """Another program holds the write lock longer than the busy timeout (10 s) while the
    search index catches up after the commit: the import still says what it imported (not
    "nothing was written", which would have the user import every row again) and that the
    first search finishes the index, which it does."""
    db = tmp_path / "portfolio.db"
    portfolio(db)
    source = write_rows(tmp_path / "rows.csv", ROWS)
    process, conn = watch_pending(db, source)
    conn.execute("BEGIN IMMEDIATE")  # e.g. another program's long write
    time.sleep(11)
    conn.execute("COMMIT")
    out, err = process.communicate(timeout=120)
    assert conn.execute("SELECT count(*) FROM checkins").fetchone() == (1 + ROWS,)
    assert (process.returncode, err) == (
        0,
        "warning: the search index of these check-ins is not finished yet; the first search"
        " finishes it\n",
    ), out
    assert f"Imported {ROWS} check-ins (0 already present)" in out
    assert conn.execute(PENDING).fetchone() is not None
    found = tc("search", "bulk note 119999", db=db)
    assert "Globex" in found.stdout
    assert conn.execute(PENDING).fetchone() is None
    conn.execute(INTEGRITY)
    conn.close()


def test_ctrl_c_after_the_copy_says_what_was_imported(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) once the rows are committed, while the search index catches up:
    the import stops the catch-up and says how many check-ins it added (not "aborted",
    which would have the user import every row again)."""
    db = tmp_path / "portfolio.db"
    portfolio(db)
    process, conn = watch_pending(db, write_rows(tmp_path / "rows.csv", ROWS))
    os.kill(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=120)
    committed = conn.execute("SELECT count(*) FROM checkins").fetchone()[0]
    conn.close()
    assert committed == 1 + ROWS
    assert f"Imported {ROWS} check-ins" in out + err, (process.returncode, out, err)


def test_the_append_path_leaves_the_contact_summary_the_row_copy_leaves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row copy rebuilds every customer's summary, so a customer without check-ins
    gets a row (customer_id, NULL, ''); the append path rebuilds the customers the rows
    are for and gives the others that row too: the same rows both ways."""
    import shutil

    from tempcheck.exchange import transfer

    base = tmp_path / "base.db"
    portfolio(base)
    tc("add-customer", "Zed Without Check-ins", db=base)
    source = write_rows(tmp_path / "rows.csv", 10)
    fast, slow = tmp_path / "fast.db", tmp_path / "slow.db"
    shutil.copy(base, fast)
    shutil.copy(base, slow)

    from tempcheck.exchange.importing import import_checkins
    from tempcheck.store import open_db

    conn = open_db(fast)
    import_checkins(conn, source)
    conn.close()
    monkeypatch.setattr(transfer, "mode", lambda conn: None)
    conn = open_db(slow)
    import_checkins(conn, source)
    conn.close()

    def summary(path: Path) -> list[tuple]:
        with sqlite3.connect(path) as c:
            return c.execute(
                "SELECT customer_id, last_at IS NULL, recent FROM contact_summary ORDER BY 1"
            ).fetchall()

    assert summary(slow) == [(1, 0, "342531"), (2, 0, "31425"), (3, 1, "")]
    assert summary(fast) == summary(slow)


def test_a_customer_renamed_while_the_file_is_read_stops_the_import_or_keeps_every_row(
    tmp_path: Path,
) -> None:
    """Another program renames a customer while the import reads its file: the rows for
    that name find no customer any more. All or nothing: every row imported, or a clear
    error and nothing written (never the renamed customer's rows dropped as "already
    present")."""
    db = tmp_path / "portfolio.db"
    portfolio(db)
    source = write_rows(tmp_path / "rows.csv", ROWS)
    process = subprocess.Popen(
        [sys.executable, "-m", "tempcheck", "--db", str(db), "import", "checkins", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.5)  # reading 120,000 rows into the staging database takes about 1.5 s
    conn = sqlite3.connect(db, timeout=30)
    assert process.poll() is None and conn.execute("SELECT count(*) FROM checkins").fetchone() == (
        1,
    ), "the import was done before the rename"
    tc("edit", "Globex", "--rename", "Globex Renamed", db=db)
    out, err = process.communicate(timeout=120)
    per_customer = conn.execute(
        "SELECT customer_id, count(*) FROM checkins GROUP BY 1 ORDER BY 1"
    ).fetchall()
    conn.close()
    assert (process.returncode, per_customer) in (
        (0, [(1, 1 + ROWS // 2), (2, ROWS // 2)]),  # all imported
        (1, [(1, 1)]),  # refused, nothing written
    ), (out, err)
