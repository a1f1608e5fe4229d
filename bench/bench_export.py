"""Export throughput: ``tempcheck export checkins`` against the sqlite3 tool, same run, same query.

Both sides run as separate processes writing CSV to a file: our command
(``python -m tempcheck export checkins -o FILE``, start-up included) and
``sqlite3 DB`` with ``.mode csv`` running the exact SQL our export uses
(``tempcheck.exchange.export.query``), local-time conversion and neutralisation
included. The requirement is a ratio of at least 0.8.

Usage: python bench/bench_export.py DB [--repeat N]   (exit status 1 below the target)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 0.8


def bench_export(db_path: str | os.PathLike[str], *, repeat: int = 3) -> dict[str, object]:
    """Time both exporters, alternating, best of ``repeat``; rows/s for each and their ratio.

    ``ratio`` is tempcheck's rows/s over sqlite3's by wall-clock time (1.0: as
    fast as the C tool); ``cpu_ratio`` uses each process's CPU time, which a
    busy machine disturbs less.
    """
    from tempcheck.exchange.export import query
    from tempcheck.store import open_db

    db = Path(db_path).expanduser()
    if not db.exists():
        raise FileNotFoundError(f"no database at {db}")
    conn = open_db(db, create=False)
    try:
        rows = conn.execute("SELECT count(*) FROM checkins").fetchone()[0]
        sql, params = query(conn, "checkins")
    finally:
        conn.close()
    assert not params, "the unfiltered export has no parameters"
    tool = shutil.which("sqlite3") or "/usr/bin/sqlite3"
    if not Path(tool).exists():
        return {"rows": rows, "ratio": None, "note": "sqlite3 command-line tool not found"}
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="tempcheck-bench-") as folder:
        out = Path(folder) / "export.csv"
        command = [sys.executable, "-m", "tempcheck", "--db", str(db), "export", "checkins"]
        script = f".headers on\n.mode csv\n.output {out}\n{sql};\n"
        for _ in range(max(repeat, 1)):
            ours.append(_timed([*command, "-o", str(out)], None, out))
            theirs.append(_timed([tool, "-batch", str(db)], script, out))
    ours_s, ours_cpu = min(t for t, _ in ours), min(c for _, c in ours)
    theirs_s, theirs_cpu = min(t for t, _ in theirs), min(c for _, c in theirs)
    ratio = theirs_s / ours_s
    return {
        "rows": rows,
        "repeat": repeat,
        "tempcheck_s": round(ours_s, 3),
        "tempcheck_rows_per_s": round(rows / ours_s),
        "tempcheck_cpu_s": round(ours_cpu, 3),
        "sqlite3_s": round(theirs_s, 3),
        "sqlite3_rows_per_s": round(rows / theirs_s),
        "sqlite3_cpu_s": round(theirs_cpu, 3),
        "ratio": round(ratio, 3),
        "cpu_ratio": round(theirs_cpu / ours_cpu, 3),
        "target_ratio": TARGET_RATIO,
        "ok": ratio >= TARGET_RATIO,
    }


def _timed(command: list[str], stdin: str | None, out: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one run writing ``out``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, input=stdin, text=True, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.unlink()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="a database, e.g. from: tempcheck demo --customers 10000 ...")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the best counts")
    args = parser.parse_args(argv)
    result = bench_export(args.db, repeat=max(args.repeat, 1))
    print(json.dumps(result, indent=2))
    return 0 if result.get("ok", True) else 1


if __name__ == "__main__":
    sys.exit(main())
