"""A large import reads and checks its file without the write lock: the shell and the
dashboard keep writing meanwhile, and the import still lands all at once or not at all."""

from __future__ import annotations

import os
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


def test_tempcheck_log_succeeds_while_a_large_import_runs(db_path: Path, tmp_path: Path) -> None:
    conn = open_db(db_path)
    for n in range(50):
        add_customer(conn, f"Bulk {n}")
    add_customer(conn, "Acme Corp")
    conn.close()
    source = tmp_path / "big.csv"
    big_file(source, ROWS)
    importer = subprocess.Popen(
        tempcheck("--db", str(db_path), "import", "checkins", str(source)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
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
    conn = open_db(db_path)
    for n in range(50):
        add_customer(conn, f"Bulk {n}")
    conn.close()
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
