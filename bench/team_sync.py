"""Team mode: how long init, clone and sync take over a loopback team remote.

    .venv/bin/python bench/team_sync.py            # the demo (25 customers) and 2k / 100k
    .venv/bin/python bench/team_sync.py --quick    # the demo only

Every figure is the wall time of the real shell command (process start included,
as a member feels it) and, for sync, the time the sync itself reports. Needs the
team extra. Reports, never fails.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5


def tc(*args: str | Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tempcheck", *map(str, args)], capture_output=True, text=True
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{args}: {done.stderr.strip()}")
    return took, done.stdout


def inner(stdout: str) -> float:
    match = re.search(r"synced in ([0-9.]+) s", stdout)
    return float(match.group(1)) if match else float("nan")


def measure(label: str, root: Path, demo_args: list[str]) -> list[tuple[str, str, str]]:
    server = subprocess.Popen(
        [sys.executable, "-m", "tempcheck", "team", "serve", str(root / "remote"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = re.search(r":(\d+)/", server.stdout.readline()).group(1)
        url = f"http://127.0.0.1:{port}/bench.db"
        ann, bob = root / "ann.db", root / "bob.db"
        tc("--db", ann, "demo", *demo_args)
        rows = []
        took, _ = tc("--db", ann, "team", "init", url)
        rows.append((f"{label}: team init (convert + publish)", f"{took:.2f} s", ""))
        took, _ = tc("--db", bob, "team", "clone", url)
        rows.append((f"{label}: team clone", f"{took:.2f} s", ""))
        customer = tc("--db", ann, "list", "--format", "csv")[1].splitlines()[1].split(",")[0]

        def series(name: str, before: list[list[str | Path]], db: Path) -> None:
            walls, syncs = [], []
            for _ in range(RUNS):
                for args in before:
                    tc(*args)
                wall, out = tc("--db", db, "sync")
                walls.append(wall)
                syncs.append(inner(out))
            rows.append(
                (
                    f"{label}: {name}",
                    f"{statistics.median(walls):.2f} s",
                    f"{statistics.median(syncs) * 1000:.0f} ms",
                )
            )

        series("sync, nothing new", [], ann)
        series("sync pushing 1 check-in", [["--db", ann, "log", customer, "4", "bench"]], ann)
        series(
            "sync pulling 1 check-in",
            [["--db", ann, "log", customer, "4", "bench"], ["--db", ann, "sync"]],
            bob,
        )
        series(
            "sync merging both sides' check-ins and a same-field edit",
            [
                ["--db", ann, "log", customer, "3", "ann"],
                ["--db", ann, "edit", customer, "--notes", f"ann {time.time()}"],
                ["--db", ann, "sync"],
                ["--db", bob, "log", customer, "5", "bob"],
                ["--db", bob, "edit", customer, "--notes", f"bob {time.time()}"],
            ],
            bob,
        )
        return rows
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args()
    sizes = [("demo 25 / 263", [])]
    if not options.quick:
        sizes.append(("2k / 100k", ["--customers", "2000", "--checkins", "100000", "--seed", "1"]))
    rows = []
    for label, demo_args in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            rows += measure(label, Path(tmp), demo_args)
    print(f"| figure (median of {RUNS}) | wall, shell command | sync itself |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
