"""A large import reads and checks its file without the write lock: the shell and the
dashboard keep writing meanwhile, and the import still lands all at once or not at all."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tempcheck.store import open_db
from tempcheck.store.customers import add_customer

ROWS = 200_000


def tempcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "tempcheck", *args]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def big_file(path: Path, rows: int, *, bad_last_row: bool = False) -> None:
    lines = ["customer,at,temperature,channel,initiated_by,note"]
    for n in range(rows):
        day = 1 + n % 28
        lines.append(
            f"Bulk {n % 50},2026-0{1 + n % 9}-{day:02d}T10:{n % 60:02d}:00+00:00,4,call,us,n{n}"
        )
    if bad_last_row:
        lines.append("Bulk 1,2026-01-01T10:00:00+00:00,9,call,us,too hot")
    path.write_text("\n".join(lines) + "\n")


def bulk_customers(db_path: Path, *more: str) -> None:
    """Customers "Bulk 0" … "Bulk 49" (the big file's), then ``more``."""
    conn = open_db(db_path)
    for name in [f"Bulk {n}" for n in range(50)] + list(more):
        add_customer(conn, name)
    conn.close()


def start_import(db_path: Path, source: Path) -> subprocess.Popen[str]:
    """``tempcheck import checkins SOURCE`` in its own process, its output kept."""
    return subprocess.Popen(
        tempcheck("--db", str(db_path), "import", "checkins", str(source)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_tempcheck_log_succeeds_while_a_large_import_runs(db_path: Path, tmp_path: Path) -> None:
    bulk_customers(db_path, "Acme Corp")
    source = tmp_path / "big.csv"
    big_file(source, ROWS)
    importer = start_import(db_path, source)
    try:
        while cpu_seconds(importer.pid) < 1.0:  # past start-up, well into reading the rows
            assert importer.poll() is None, importer.communicate()
            time.sleep(0.05)
        started = time.perf_counter()
        logged = subprocess.run(
            tempcheck("--db", str(db_path), "log", "Acme", "4", "during the import"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        took = time.perf_counter() - started
        still_importing = importer.poll() is None
        out, err = importer.communicate(timeout=300)
    finally:
        importer.kill()
    assert logged.returncode == 0, logged.stderr
    assert "Logged Acme Corp: 4 content" in logged.stdout
    assert still_importing  # the check-in was written while the import was reading
    assert took < 5.0
    assert importer.returncode == 0, err
    check = sqlite3.connect(db_path)
    assert check.execute("SELECT count(*) FROM checkins").fetchone()[0] == ROWS + 1
    assert check.execute("SELECT note FROM checkins WHERE note = 'during the import'").fetchall()
    check.close()


def test_a_bad_row_at_the_end_of_a_large_file_imports_nothing(
    db_path: Path, tmp_path: Path
) -> None:
    bulk_customers(db_path)
    source = tmp_path / "big.csv"
    big_file(source, 20_000, bad_last_row=True)
    done = subprocess.run(
        tempcheck("--db", str(db_path), "import", "checkins", str(source)),
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "big.csv:20002: temperature must be 1-5" in done.stderr
    check = sqlite3.connect(db_path)
    assert check.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0
    assert (
        check.execute("SELECT count(*) FROM contact_summary WHERE last_at IS NOT NULL").fetchone()[
            0
        ]
        == 0
    )
    check.close()


def wait_for_the_write_lock(db_path: Path, importer: subprocess.Popen) -> float:
    """Poll until the importer holds the write lock (its copy has begun); the time then."""
    probe = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        while True:
            assert importer.poll() is None, importer.communicate()
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
            except sqlite3.OperationalError:
                return time.perf_counter()
            time.sleep(0.001)
    finally:
        probe.close()


def log_during_the_copy(db_path: Path, tmp_path: Path) -> None:
    """Import ROWS check-ins in another process and, once it holds the write lock, log one
    for Acme Corp ("during the copy") from a third; both succeed."""
    source = tmp_path / "big.csv"
    big_file(source, ROWS)
    importer = start_import(db_path, source)
    try:
        wait_for_the_write_lock(db_path, importer)
        logged = subprocess.run(
            tempcheck("--db", str(db_path), "log", "Acme", "4", "during the copy"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        out, err = importer.communicate(timeout=300)
    finally:
        importer.kill()
    assert importer.returncode == 0, err
    assert f"{ROWS} check-ins (0 already present)" in out
    assert logged.returncode == 0, logged.stderr
    assert "Logged Acme Corp: 4 content" in logged.stdout


def test_tempcheck_log_waits_only_for_the_short_copy(db_path: Path, tmp_path: Path) -> None:
    """Logged while the import holds the write lock (copying into a database without
    check-ins): the check-in waits for the copy, then lands beside the imported rows."""
    bulk_customers(db_path, "Acme Corp")
    log_during_the_copy(db_path, tmp_path)
    check = sqlite3.connect(db_path)
    # The import's rows came first (ids 1…ROWS, in file order), the logged one after them.
    assert check.execute("SELECT max(id), count(*) FROM checkins").fetchone() == (
        ROWS + 1,
        ROWS + 1,
    )
    assert check.execute("SELECT note FROM checkins WHERE id = ?", (ROWS + 1,)).fetchone() == (
        "during the copy",
    )
    assert check.execute("SELECT note FROM checkins WHERE id = 1").fetchone() == ("n0",)
    check.close()


def test_an_import_killed_while_copying_leaves_the_database_as_it_was(
    db_path: Path, tmp_path: Path
) -> None:
    bulk_customers(db_path)

    def state() -> list[list[tuple]]:
        check = sqlite3.connect(db_path)
        try:
            return [
                check.execute(sql).fetchall()
                for sql in (
                    "SELECT * FROM customers ORDER BY id",
                    "SELECT * FROM contact_summary ORDER BY customer_id",
                    "SELECT * FROM attention ORDER BY customer_id",
                    "SELECT * FROM settings ORDER BY key",
                    "SELECT count(*) FROM checkins",
                    "SELECT count(*) FROM checkins_fts_docsize",
                    "SELECT * FROM checkins_fts_data ORDER BY id",
                    "SELECT type, name, sql FROM sqlite_master ORDER BY name",
                )
            ]
        finally:
            check.close()

    before = state()
    source = tmp_path / "big.csv"
    big_file(source, ROWS)
    importer = subprocess.Popen(
        tempcheck("--db", str(db_path), "import", "checkins", str(source), "--create-customers"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_the_write_lock(db_path, importer)
        time.sleep(0.02)  # inside the copy (it must not have finished: see below)
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=30)
    finally:
        importer.kill()
    assert importer.returncode == -signal.SIGKILL  # it did not finish first
    assert state() == before
    assert before[4] == [(0,)]
    conn = open_db(db_path)
    conn.execute("INSERT INTO checkins_fts (checkins_fts, rank) VALUES ('integrity-check', 1)")
    conn.close()
    done = subprocess.run(
        tempcheck("--db", str(db_path), "import", "checkins", str(source)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"{ROWS} check-ins (0 already present)" in done.stdout


def test_tempcheck_log_succeeds_during_an_import_after_check_ins(
    db_path: Path, tmp_path: Path
) -> None:
    """Into a database that has check-ins SQLite copies no whole tables: the rows go in one
    by one, every reference resolved before the lock and their search index caught up in
    short transactions after it. A check-in logged during the copy waits for it and lands
    after the imported rows; the search finds every row."""
    bulk_customers(db_path, "Acme Corp")
    first = tmp_path / "first.csv"
    big_file(first, 1_000)
    assert start_import(db_path, first).wait(timeout=120) == 0
    log_during_the_copy(db_path, tmp_path)
    check = sqlite3.connect(db_path)
    assert check.execute("SELECT max(id), count(*) FROM checkins").fetchone() == (
        1_000 + ROWS + 1,
        1_000 + ROWS + 1,
    )
    assert check.execute("SELECT note FROM checkins WHERE id = ?", (1_001 + ROWS,)).fetchone() == (
        "during the copy",
    )
    assert check.execute("SELECT note FROM checkins WHERE id = 1001").fetchone() == ("n0",)
    assert check.execute("SELECT count(*) FROM settings WHERE key LIKE 'search.%'").fetchone() == (
        0,
    )
    # n123 is in both files; n12345 only in the big one; the logged note once.
    for word, hits in (("n123", 2), ("n12345", 1), ("copy", 1)):
        found = check.execute(
            "SELECT count(*) FROM checkins_fts WHERE checkins_fts MATCH ?", (word,)
        ).fetchone()
        assert found == (hits,), word
    check.execute("INSERT INTO checkins_fts (checkins_fts, rank) VALUES ('integrity-check', 1)")
    check.close()
