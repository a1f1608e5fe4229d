"""Workbook export: ``tempcheck export checkins -o FILE.xlsx`` time and peak memory.

The command runs as a child process (start-up included) writing every
check-in of the database to a new ``.xlsx``; its peak resident set size comes
from ``wait4``, so only that process counts. XlsxWriter's constant-memory mode
keeps one row in memory: the bound below holds whatever the number of rows.
The same run times the CSV export of the same rows as the baseline.

Usage: python bench/bench_xlsx.py DB   (exit status 1 over the memory bound)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEMORY_BOUND_MB = 150  # peak RSS of the whole command, Python and SQLite included


def bench_xlsx(db_path: str | os.PathLike[str]) -> dict[str, object]:
    """One workbook export and one CSV export of every check-in: seconds and peak MB."""
    import sqlite3

    db = Path(db_path).expanduser()
    if not db.exists():
        raise FileNotFoundError(f"no database at {db}")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT count(*) FROM checkins").fetchone()[0]
    command = [sys.executable, "-m", "tempcheck", "--db", str(db), "export", "checkins", "-o"]
    with tempfile.TemporaryDirectory(prefix="tempcheck-bench-") as folder:
        xlsx = Path(folder) / "export.xlsx"
        xlsx_s, xlsx_mb = _run([*command, str(xlsx)])
        size_mb = xlsx.stat().st_size / 1e6
        csv = Path(folder) / "export.csv"
        csv_s, csv_mb = _run([*command, str(csv)])
    return {
        "rows": rows,
        "xlsx_s": round(xlsx_s, 3),
        "xlsx_rows_per_s": round(rows / xlsx_s),
        "xlsx_peak_mb": round(xlsx_mb, 1),
        "xlsx_file_mb": round(size_mb, 1),
        "csv_s": round(csv_s, 3),
        "csv_peak_mb": round(csv_mb, 1),
        "memory_bound_mb": MEMORY_BOUND_MB,
        "ok": xlsx_mb <= MEMORY_BOUND_MB,
    }


def _run(command: list[str]) -> tuple[float, float]:
    """Wall-clock seconds and peak resident megabytes of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])} failed: {error.strip()}")
    return elapsed, usage.ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="a database, e.g. from: tempcheck demo --customers 10000 ...")
    args = parser.parse_args(argv)
    result = bench_xlsx(args.db)
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
