"""tempcheck's benchmarks: one command, one table of figures against their targets.

    python bench/run.py [--quick] [--large] [--rebuild] [--no-cache] [--json PATH]

Every figure is a median of several runs, shown with its target and with the ratio
against a baseline measured in the same run (the machine is shared and noisy, so
absolute numbers drift; ratios drift less). Benchmarks report, they never fail:
the exit status is 0 whatever the figures say. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.util
import inspect
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
DATA = BENCH / ".data"
PYTHON = sys.executable
CACHE_MAX_AGE_DAYS = 7  # synthetic data is placed relative to "now"; older files drift
LARGE_BUDGET_S = 300.0  # skip generating the large database if it would take longer
LARGE_GROWTH = 1.1  # 10x the rows take about 11x the time (46 s against 4.3 s here)
SEED = 1
# The floor under `tempcheck log`: Python, sqlite3 and one check-in written, nothing else.
FLOOR_INSERT = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
    ' c.execute("INSERT INTO checkins (customer_id, at, temperature, note, created_at)'
    " VALUES (1, strftime('%Y-%m-%dT%H:%M:%f000Z'), 4, 'bench note',"
    " strftime('%Y-%m-%dT%H:%M:%f000Z'))\"); c.close()"
)
LOG_CUSTOMER = "Customer 000001"

# A trivial Textual app: the floor every Textual program pays before its first frame.
BARE_APP = """
import os, time
T0 = float(os.environ["BENCH_T0"])
from textual.app import App
from textual.widgets import Footer, Header, Static
IMPORTED = time.time() - T0

class Bare(App[None]):
    def compose(self):
        yield Header()
        yield Static("Hello")
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.first_frame)

    def first_frame(self):
        self.seconds = time.time() - T0
        self.exit()

app = Bare()
app.run(headless=True, size=(120, 40))
print('{"seconds": %r, "imported": %r}' % (app.seconds, IMPORTED))
"""


class BenchError(Exception):
    """A measurement could not be taken; the figure is reported as failed."""


# --- sizes and repetitions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    """A synthetic database: customers and check-ins."""

    customers: int
    checkins: int

    @property
    def label(self) -> str:
        return f"{_count(self.customers)}/{_count(self.checkins)}"

    @property
    def stem(self) -> str:
        return f"tc-{self.customers}x{self.checkins}"


@dataclass(frozen=True)
class Reps:
    """How many timed runs each kind of figure gets (after one warm-up)."""

    startup: int
    query: int
    command: int
    repaint: int
    listing: int
    export: int


FULL, QUICK, LARGE = Size(10_000, 1_000_000), Size(2_000, 100_000), Size(100_000, 10_000_000)
FULL_REPS, QUICK_REPS = Reps(5, 10, 10, 5, 5, 3), Reps(3, 5, 5, 3, 3, 1)


def _count(n: int) -> str:
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if n >= scale and n % (scale // 10) == 0:
            value = n / scale
            return f"{value:g}{unit}"
    return str(n)


# The brief's numbering, which bench/README.md follows.
NUMBERS = {
    "generation": "1",
    "bare_first_frame": "2",
    "first_frame_demo": "3a",
    "first_frame_base": "3b",
    "first_frame": "3",
    "query_page": "4a",
    "query_fast": "4d",
    "trust_changes": "4b",
    "query_with_trust": "4c",
    "log": "5a",
    "python_pass": "5b",
    "python_sqlite3": "5c",
    "save_to_repaint": "6",
    "save_idle": "6b",
    "export": "7",
    "list_json": "8",
    "one_customer": "11",
    "import_lock": "10",
    "import_lock_after": "10b",
    "import_lock_uids": "10c",
    "log_floor": "5d",
    "xlsx": "9",
    "large": "L",
}

# --- figures -----------------------------------------------------------------------------------


@dataclass
class Figure:
    """One line of the table. Times are seconds; ``ratio`` is value / baseline."""

    key: str
    label: str
    value: float | None
    target: str = "—"
    ok: bool | None = None
    baseline: str = ""
    baseline_value: float | None = None
    ratio: float | None = None
    note: str = ""
    samples: list[float] = field(default_factory=list)

    @property
    def number(self) -> str:
        """The figure's number in bench/README.md ("L": at the large size)."""
        base = self.key.removesuffix("_large")
        return NUMBERS.get(base, "?") + ("L" if base != self.key else "")

    @property
    def status(self) -> str:
        if self.value is None:
            return "n/a"
        return {True: "ok", False: "MISS", None: "—"}[self.ok]


def figure(
    key: str,
    label: str,
    samples: Sequence[float],
    *,
    baseline: tuple[str, float | None] = ("", None),
    limit: float | None = None,
    on_ratio: bool = False,
    target: str = "—",
    note: str = "",
) -> Figure:
    """A figure from its samples: median, ratio to the baseline, and the target check."""
    value = statistics.median(samples)
    name, base = baseline
    ratio = value / base if base else None
    ok = None
    if limit is not None:
        measured = ratio if on_ratio else value
        ok = None if measured is None else measured <= limit
    return Figure(key, label, value, target, ok, name, base, ratio, note, list(samples))


def failed(key: str, label: str, why: object, target: str = "—") -> Figure:
    """A figure that could not be measured (the run goes on)."""
    return Figure(key, label, None, target, note=f"not measured: {why}")


def guarded(key: str, label: str, target: str = "—") -> Callable[..., Any]:
    """Decorator: turn any exception into a failed figure, so one broken figure never ends
    the run."""

    def wrap(func: Callable[..., list[Figure]]) -> Callable[..., list[Figure]]:
        def run(*args: Any, **kwargs: Any) -> list[Figure]:
            try:
                return func(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - reported in the table
                return [failed(key, label, _one_line(exc), target)]

        return run

    return wrap


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1] if text else ''}"


# --- measuring helpers -------------------------------------------------------------------------


def tempcheck_exe() -> str:
    """The ``tempcheck`` script next to this Python, else the one on PATH."""
    beside = Path(PYTHON).with_name("tempcheck")
    if beside.exists():
        return str(beside)
    found = shutil.which("tempcheck")
    if not found:
        raise SystemExit("bench: cannot find the tempcheck command; run with the venv's python")
    return found


def run_timed(argv: Sequence[str], *, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run a command to completion; wall seconds and its stdout. Raises on a non-zero exit."""
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise BenchError(f"{Path(argv[0]).name} exited {done.returncode}: {lines[-1:] or ''}")
    return seconds, done.stdout


def spawn_reporting(argv: Sequence[str]) -> dict[str, Any]:
    """Run a child that reports ``time.time() - BENCH_T0`` itself; its JSON result."""
    env = dict(os.environ, BENCH_T0=repr(time.time()))
    _, out = run_timed(argv, env=env)
    lines = out.strip().splitlines()
    if not lines:
        raise BenchError("the child printed nothing")
    result = json.loads(lines[-1])
    if "error" in result:
        raise BenchError(result["error"])
    return result


def interleaved(jobs: dict[str, Callable[[], Any]], reps: int, warmup: int = 1) -> dict[str, list]:
    """Run each job ``reps`` times, round-robin, so noise hits them all alike."""
    for _ in range(warmup):
        for job in jobs.values():
            job()
    results: dict[str, list] = {name: [] for name in jobs}
    for _ in range(reps):
        for name, job in jobs.items():
            results[name].append(job())
    return results


def time_call(func: Callable[[], Any]) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


# --- databases ---------------------------------------------------------------------------------


def generate(path: Path, size: Size) -> float:
    """``tempcheck demo`` at ``size`` into a new file; wall seconds."""
    remove_db(path)
    argv = [tempcheck_exe(), "demo", "--db", str(path)]
    argv += ["--customers", str(size.customers), "--checkins", str(size.checkins)]
    seconds, _ = run_timed([*argv, "--seed", str(SEED)])
    return seconds


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".json"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def db_counts(path: Path) -> tuple[int, int, int]:
    """Customers, check-ins and schema version of a database file."""
    conn = sqlite3.connect(path)
    try:
        customers, checkins = conn.execute(
            "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM checkins)"
        ).fetchone()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    return customers, checkins, version


def cached_meta(path: Path, size: Size) -> dict[str, Any] | None:
    """The metadata of a reusable cached database, or None if it must be (re)built."""
    meta_path = Path(f"{path}.json")
    if not path.exists() or not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text())
        born = dt.datetime.fromisoformat(meta["generated_at"])
        counts = db_counts(path)
    except (OSError, ValueError, KeyError, sqlite3.Error):
        return None
    from tempcheck.store.migrations import LATEST

    age = dt.datetime.now(dt.UTC) - born
    if counts != (size.customers, size.checkins, LATEST) or age.days >= CACHE_MAX_AGE_DAYS:
        return None
    return meta


def write_meta(path: Path, size: Size, seconds: float | None) -> dict[str, Any]:
    meta = {
        "customers": size.customers,
        "checkins": size.checkins,
        "seed": SEED,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "generation_seconds": seconds,
    }
    Path(f"{path}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def copy_db(source: Path, target: Path) -> None:
    """Copy a closed database file (and any WAL left behind)."""
    remove_db(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
            os.chmod(f"{target}{suffix}", 0o600)  # owner-only, like every tempcheck file


def sqlite_floor(schema_from: Path, path: Path, size: Size) -> float:
    """SQLite alone (the sqlite3 CLI) writing as many check-ins into the same table and
    indexes, one transaction, no Python: the floor under ``tempcheck demo``."""
    sqlite = shutil.which("sqlite3")
    if not sqlite:
        raise BenchError("no sqlite3 command")
    conn = sqlite3.connect(schema_from)
    try:
        schema = [
            sql
            for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'checkins'"
                " AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC"
            )
        ]
    finally:
        conn.close()
    remove_db(path)
    per = max(size.checkins // max(size.customers, 1), 1)
    step = 180 * 86400 // per
    moment = f"1700000000 + (n.i % {per}) * {step}"
    stamp = f"strftime('%Y-%m-%dT%H:%M:%S.000000Z', {moment}, 'unixepoch')"
    script = "\n".join(
        [
            "PRAGMA journal_mode = WAL;",
            "PRAGMA synchronous = NORMAL;",
            *(f"{sql};" for sql in schema),
            "BEGIN;",
            f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < "
            f"{size.checkins - 1})",
            "INSERT INTO checkins (uid, customer_id, at, temperature, channel, initiated_by,"
            " note, created_at)",
            f"SELECT printf('bench-floor-%019x', n.i), n.i / {per} + 1, {stamp}, 1 + n.i % 5,"
            " 'call', CASE WHEN n.i % 10 < 7 THEN 'us' ELSE 'them' END,"
            f" 'Reviewed the open tickets, all on track', {stamp} FROM n;",
            "COMMIT;",
        ]
    )
    started = time.perf_counter()
    done = subprocess.run([sqlite, str(path)], input=script, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or "Error" in done.stderr:
        raise BenchError(f"sqlite3: {done.stderr.strip()[:200]}")
    remove_db(path)
    return seconds


# --- the figures -------------------------------------------------------------------------------


@dataclass
class Context:
    """What the figures share: sizes, repetitions, paths and earlier results."""

    size: Size
    reps: Reps
    tmp: Path
    data: Path
    rebuild: bool
    fresh: Path = Path()  # generated in this run; the mutable copy (log, save-to-repaint)
    base: Path | None = None  # the read-only copy, cached in bench/.data
    demo: Path = Path()
    generation_s: float | None = None
    bare_s: float | None = None
    query_with_trust_s: float | None = None
    data_note: str = ""


def generation_figures(ctx: Context) -> list[Figure]:
    """Figure 1: ``tempcheck demo`` at the base size, against SQLite's own floor."""
    label = f"generation {ctx.size.label} (tempcheck demo)"
    ctx.fresh = ctx.tmp / "fresh.db"
    ctx.generation_s = generate(ctx.fresh, ctx.size)
    try:
        floor = sqlite_floor(ctx.fresh, ctx.tmp / "floor.db", ctx.size)
        note = ""
    except BenchError as exc:
        floor, note = None, f"no SQLite floor: {exc}"
    result = figure(
        "generation",
        label,
        [ctx.generation_s],
        baseline=("sqlite3 CLI, same rows", floor),
        limit=10.0 if ctx.size == FULL else None,
        target="≤ 10 s" if ctx.size == FULL else "—",
        note=note or "one run (each run writes a new file)",
    )
    # The read-only copy the other figures use, reused between runs when it is still good.
    ctx.base = ctx.data / f"{ctx.size.stem}.db"
    meta = None if ctx.rebuild else cached_meta(ctx.base, ctx.size)
    if meta is None:
        copy_db(ctx.fresh, ctx.base)
        meta = write_meta(ctx.base, ctx.size, ctx.generation_s)
    ctx.data_note = f"{ctx.base} (generated {meta['generated_at']})"
    return [result]


def startup_figures(ctx: Context) -> list[Figure]:
    """Figures 2 and 3: first frame of a bare Textual app and of tempcheck."""
    first_frame = str(BENCH / "first_frame.py")
    jobs = {
        "bare": lambda: spawn_reporting([PYTHON, "-c", BARE_APP]),
        "pass": lambda: {"seconds": run_timed([PYTHON, "-c", "pass"])[0]},
        "demo": lambda: spawn_reporting([PYTHON, first_frame, str(ctx.demo)]),
        "base": lambda: spawn_reporting([PYTHON, first_frame, str(ctx.base)]),
    }
    runs = interleaved(jobs, ctx.reps.startup)
    seconds = {name: [r["seconds"] for r in results] for name, results in runs.items()}
    bare = statistics.median(seconds["bare"])
    ctx.bare_s = bare
    imported = statistics.median(r["imported"] for r in runs["bare"])
    figures = [
        figure(
            "bare_first_frame",
            "bare Textual app: spawn to first frame",
            seconds["bare"],
            baseline=("python -c pass", statistics.median(seconds["pass"])),
            note=f"textual imported at {_ms(imported)}",
        )
    ]
    for name, label, limit in (("demo", "demo (25)", 1.5), ("base", ctx.size.label, 2.0)):
        results = runs[name]
        rows = {r["rows"] for r in results}
        phases = ", ".join(
            f"{phase} {_ms(statistics.median(r[phase] for r in results))}"
            for phase in ("imported", "opened", "mounted", "settled")
        )
        figures.append(
            figure(
                f"first_frame_{name}",
                f"tempcheck first frame, {label}",
                seconds[name],
                baseline=("bare app (2)", bare),
                limit=limit,
                on_ratio=True,
                target=f"≤ {limit:g}x bare",
                note=f"{'/'.join(map(str, sorted(rows)))} rows, {results[0]['painted_lines']}"
                f" painted, {results[0].get('reloads', '?')} dashboard reloads before the frame;"
                f" phases: {phases}"
                + (
                    ""
                    if all(r["hooked"] for r in results)
                    else " (frame hook missing: settled time used)"
                ),
            )
        )
    return figures


def query_figures(ctx: Context, db: Path, size: Size, suffix: str = "") -> list[Figure]:
    """Figure 4: the dashboard query in-process, with and without the trust trend."""
    from tempcheck.store import open_db
    from tempcheck.store.dashboard import dashboard_rows, first_page, trust_changes
    from tempcheck.tui.screens.dashboard import DashboardScreen

    page = DashboardScreen.FIRST_PAGE
    conn = open_db(db)
    try:
        raw_sql = (
            "SELECT c.id, c.name, c.kind, c.cadence_days, c.contact, c.status,"
            " c.calibration_days, s.last_at, s.recent FROM customers c"
            " LEFT JOIN contact_summary s ON s.customer_id = c.id WHERE c.status = 'active'"
        )
        jobs = {
            "raw": lambda: time_call(lambda: conn.execute(raw_sql).fetchall()),
            "page": lambda: time_call(lambda: first_page(conn, page)),
            "fast": lambda: time_call(lambda: dashboard_rows(conn, with_trust=False)),
            "trust": lambda: time_call(lambda: trust_changes(conn)),
            "full": lambda: time_call(lambda: dashboard_rows(conn)),
        }
        runs = interleaved(jobs, ctx.reps.query)
        rows = len(dashboard_rows(conn, with_trust=False))
    finally:
        conn.close()
    raw = ("raw customer SELECT", statistics.median(runs["raw"]))
    full = figure(
        f"query_with_trust{suffix}",
        f"dashboard_rows() with trust, {size.label}",
        runs["full"],
        baseline=raw,
    )
    if not suffix:
        ctx.query_with_trust_s = full.value
    return [
        figure(
            f"query_page{suffix}",
            f"dashboard query: first page (first_page), {size.label}",
            runs["page"],
            baseline=raw,
            limit=0.050,  # at 10k and at 100k customers
            target="≤ 50 ms",
            note=f"the first {page} of {rows} rows, trust trend included, through the"
            " attention index: what the first frame shows (from"
            f" {DashboardScreen.FIRST_PAGE_FROM:,} active customers; every row follows"
            " from a thread); in-process, after one warm-up",
        ),
        figure(
            f"query_fast{suffix}",
            f"dashboard_rows(with_trust=False), {size.label}",
            runs["fast"],
            baseline=raw,
            note="every row, in the thread that follows the first page",
        ),
        figure(
            f"trust_changes{suffix}",
            f"trust_changes() (after first paint), {size.label}",
            runs["trust"],
            baseline=raw,
        ),
        full,
    ]


def one_customer_figures(ctx: Context, db: Path, size: Size, suffix: str = "") -> list[Figure]:
    """Figure 9: one customer's view (the row `show` and the detail screen start from, and
    the whole `show` text), against the full dashboard query it used to take."""
    from tempcheck.cli.commands.show import render
    from tempcheck.store import open_db
    from tempcheck.store.dashboard import customer_row, dashboard_rows

    conn = open_db(db)
    try:
        cid = size.customers // 2
        jobs = {
            "row": lambda: time_call(lambda: customer_row(conn, cid)),
            "show": lambda: time_call(lambda: render(conn, cid)),
            "full": lambda: time_call(lambda: dashboard_rows(conn)),
        }
        runs = interleaved(jobs, max(ctx.reps.query // 2, 3))
    finally:
        conn.close()
    full = ("full dashboard query (4c)", statistics.median(runs["full"]))
    return [
        figure(
            f"one_customer{suffix}",
            f"one customer's row (customer_row), {size.label}",
            runs["row"],
            baseline=full,
            limit=0.005,
            target="≤ 5 ms",
            note=f"customer {cid}, trust trend included; the whole `show` text"
            f" (timeline, trust bank, promises…) {_ms(statistics.median(runs['show']))}",
        )
    ]


def import_figures(ctx: Context) -> list[Figure]:
    """Figure 10: how long an import of every check-in (1M at full size) keeps others from
    writing, while this process tries to take the write lock (``BEGIN IMMEDIATE``, no
    waiting) every 5 ms; the longest stretch it could not is the figure, the import's wall
    time the baseline. 10: the export of the cached database into a new one with the same
    customers and no check-ins. 10b: the same rows without their uid column (as from another
    tool) into a copy of the cached database, after its check-ins. 10c: as 10b with new
    random uids (as from another tempcheck database)."""
    csv_path = ctx.tmp / "checkins.csv"
    run_timed([tempcheck_exe(), "--db", str(ctx.base), "export", "checkins", "-o", str(csv_path)])
    figures = []
    try:
        target = ctx.tmp / "import.db"
        remove_db(target)
        run_timed(
            [tempcheck_exe(), "demo", "--db", str(target), "--customers", str(ctx.size.customers)]
            + ["--checkins", "0", "--seed", str(SEED)]
        )
        figures.append(_import_lock(ctx, "import_lock", target, csv_path, "into no check-ins"))
        for key, uids, how in (
            ("import_lock_after", "none", "no uid column, after the check-ins there"),
            ("import_lock_uids", "random", "new random uids, after the check-ins there"),
        ):
            source = ctx.tmp / f"checkins-{uids}.csv"
            _rewrite_uids(csv_path, source, uids)
            remove_db(target)
            shutil.copy(ctx.base, target)
            figures.append(_import_lock(ctx, key, target, source, how))
            source.unlink()
    finally:
        csv_path.unlink(missing_ok=True)
    return figures


def _rewrite_uids(source: Path, target: Path, uids: str) -> None:
    """``source`` (an export of check-ins, uid last) without its uid column, or with new
    random uids."""
    import csv
    import uuid

    with (
        open(source, newline="", encoding="utf-8") as rows,
        open(target, "w", newline="", encoding="utf-8") as out,
    ):
        reader, writer = csv.reader(rows), csv.writer(out)
        header = next(reader)
        if header[-1] != "uid":
            raise BenchError(f"the export's last column is {header[-1]!r}, not uid")
        if uids == "none":
            writer.writerow(header[:-1])
            writer.writerows(row[:-1] for row in reader)
        else:
            writer.writerow(header)
            writer.writerows([*row[:-1], str(uuid.uuid4())] for row in reader)


def _import_lock(ctx: Context, key: str, target: Path, csv_path: Path, how: str) -> Figure:
    probe = sqlite3.connect(target, timeout=0, isolation_level=None)
    before = probe.execute("SELECT count(*) FROM checkins").fetchone()[0]
    argv = [tempcheck_exe(), "--db", str(target), "import", "checkins", str(csv_path)]
    longest = blocked_since = 0.0
    tries = refused = 0
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while child.poll() is None:
            tries += 1
            now = time.perf_counter()
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                if blocked_since:
                    longest = max(longest, now - blocked_since)
                blocked_since = 0.0
            except sqlite3.OperationalError:
                refused += 1
                blocked_since = blocked_since or now
            time.sleep(0.005)
        wall = time.perf_counter() - started
        if blocked_since:
            longest = max(longest, time.perf_counter() - blocked_since)
        errors = child.stderr.read() if child.stderr else ""
    finally:
        probe.close()
    if child.returncode != 0:
        raise BenchError(f"import exited {child.returncode}: {errors.strip()[-200:]}")
    rows = sqlite3.connect(target).execute("SELECT count(*) FROM checkins").fetchone()[0] - before
    remove_db(target)
    return figure(
        key,
        f"import {_count(rows)} check-ins{', after ' + _count(before) if before else ''}:"
        f" write lock held, {ctx.size.label}",
        [longest],
        baseline=("the whole import", wall),
        limit=5.0,
        target="≤ 5 s",
        note=f"{how}: {rows} check-ins imported; the lock was refused {refused} of {tries}"
        " tries (one every 5 ms)",
    )


def log_figures(ctx: Context) -> list[Figure]:
    """Figure 5: ``tempcheck log`` as a subprocess, against the bare app and Python floors."""
    argv = [tempcheck_exe(), "--db", str(ctx.fresh), "log", LOG_CUSTOMER, "4", "bench", "note"]
    jobs = {
        "log": lambda: run_timed(argv)[0],
        "pass": lambda: run_timed([PYTHON, "-c", "pass"])[0],
        "sqlite3": lambda: run_timed([PYTHON, "-c", "import sqlite3"])[0],
        "insert": lambda: run_timed([PYTHON, "-c", FLOOR_INSERT, str(ctx.fresh)])[0],
    }
    runs = interleaved(jobs, ctx.reps.command)
    bare = ("bare app (2)", ctx.bare_s)
    floor = ("floor 5d", statistics.median(runs["insert"]))
    return [
        figure(
            "log",
            f"tempcheck log (subprocess), {ctx.size.label}",
            runs["log"],
            baseline=floor,
            limit=2.0,
            on_ratio=True,
            target="≤ 2x floor",
            note=f"{statistics.median(runs['log']) / ctx.bare_s:.2f}x the bare app (2)"
            if ctx.bare_s
            else "",
        ),
        figure("python_pass", "  floor: python -c pass", runs["pass"], baseline=bare),
        figure(
            "python_sqlite3", '  floor: python -c "import sqlite3"', runs["sqlite3"], baseline=bare
        ),
        figure(
            "log_floor",
            "  floor: python, sqlite3, one check-in inserted",
            runs["insert"],
            baseline=bare,
            note="python -c: import sqlite3, open the database, one INSERT into checkins"
            " (its triggers included), commit",
        ),
    ]


def repaint_figures(ctx: Context) -> list[Figure]:
    """Figure 6: in the dashboard, from Enter on a check-in to the frame whose row shows it."""
    return _repaint_figures(ctx.fresh, ctx.size, ctx.reps.repaint, "")


def _repaint_figures(db: Path, size: Size, reps: int, suffix: str) -> list[Figure]:
    result = asyncio.run(_repaint(db, reps))
    how = "" if result.hooked else " (frame hook missing: idle times used)"
    cursor = ("cursor key, same method", statistics.median(result.cursor_frame))
    return [
        figure(
            f"save_to_repaint{suffix}",
            f"save-to-repaint (Pilot), {size.label}",
            result.save_frame,
            baseline=cursor,
            limit=0.030,
            target="≤ 30 ms",
            note="Enter in the check-in form until the first frame whose current row says"
            f" 'just now'{how} ({result.reloads:g} full dashboard reloads per save)",
        ),
        figure(
            f"save_idle{suffix}",
            f"save until the app is idle, {size.label}",
            result.save_settled,
            baseline=cursor,
            limit=0.150,
            target="≤ 150 ms",
            note="Enter until the app's last message handled or frame painted for it (no"
            f" worker running, then {QUIET * 1000:g} ms with nothing to do); Today panel shown",
        ),
    ]


QUIET = 0.3  # seconds with nothing to do: the app has settled after a key
KEY_CHARACTERS = {"enter": "\r"}  # the character a terminal sends with a key, if any


@dataclass
class RepaintResult:
    """Seconds from a key press to the first frame showing its effect, and to idle."""

    cursor_frame: list[float] = field(default_factory=list)
    save_frame: list[float] = field(default_factory=list)
    save_settled: list[float] = field(default_factory=list)
    reloads: float = 0.0
    hooked: bool = True


async def _repaint(db: Path, reps: int) -> RepaintResult:
    """Time a cursor move (the floor of this method) and Enter-to-frame for ``reps`` check-ins.

    A wrapper around the dashboard's compositor refresh (Textual 8: the step that renders
    and writes a frame) notes the first frame after the key in which the change shows, and
    one around message dispatch the end of the last message handled after it. The timed
    keys are sent as the terminal driver sends them: ``pilot.press`` returns only once
    the app is idle and posts messages of its own meanwhile.
    """
    from tempcheck.domain import clock
    from tempcheck.tui.app import TempcheckApp
    from tempcheck.tui.screens.dashboard import DashboardScreen
    from tempcheck.tui.widgets.customer_table import CustomerTable

    result = RepaintResult()
    from textual import events
    from textual.message import Message
    from textual.message_pump import MessagePump

    watch: dict[str, Any] = {"shows": None, "at": None, "reloads": 0, "busy_until": 0.0}
    dispatch = MessagePump._dispatch_message
    had_refresh = "_compositor_refresh" in vars(DashboardScreen)
    had_reload = "reload" in vars(DashboardScreen)
    refresh, reload = DashboardScreen._compositor_refresh, DashboardScreen.reload

    def timed_refresh(screen: DashboardScreen) -> None:
        refresh(screen)
        watch["busy_until"] = time.perf_counter()
        shows = watch["shows"]
        if shows is not None and watch["at"] is None and screen is app.screen and shows():
            watch["at"] = watch["busy_until"]

    async def noted_dispatch(pump: MessagePump, message: Message) -> Any:
        try:
            return await dispatch(pump, message)
        finally:
            watch["busy_until"] = time.perf_counter()
            watch["last_message"] = type(message).__name__

    def counted_reload(screen: DashboardScreen, *args: Any, **kwargs: Any) -> None:
        watch["reloads"] += 1
        reload(screen, *args, **kwargs)

    async def until(done: Callable[[], bool], limit: float = 30.0, poll: float = 0.01) -> None:
        deadline = time.perf_counter() + limit
        while not done():
            if time.perf_counter() > deadline:
                raise BenchError("timed out waiting for the dashboard")
            await pilot.pause(poll)

    def busy() -> bool:
        return any(worker.is_running for worker in app.workers)

    async def timed(keys: Sequence[str], shows: Callable[[], bool]) -> tuple[float, float]:
        """Press ``keys``; seconds to the first frame where ``shows()``, and to the end of
        the last piece of work the app does in response (a message handled or a frame
        painted), once nothing has happened for QUIET seconds and no worker runs.

        Not Pilot's own idle wait: it sleeps in 20 ms steps until the process's CPU time
        stops growing, and so adds up to some 80 ms of its own to what it measures."""
        watch.update(shows=shows, at=None)
        started = time.perf_counter()
        for key in keys:  # as the terminal driver sends them (pilot.press waits and posts)
            event = events.Key(key, KEY_CHARACTERS.get(key))
            event.set_sender(app)
            app._driver.send_message(event)
        await until(lambda: shows() and not busy(), poll=0.002)
        deadline = time.perf_counter() + 30.0
        while busy() or time.perf_counter() - watch["busy_until"] <= QUIET:
            if time.perf_counter() > deadline:
                raise BenchError(f"the app kept working ({watch['last_message']})")
            await asyncio.sleep(0.005)  # not pilot.pause(): that posts messages of its own
        settled = watch["busy_until"] - started
        if watch["at"] is None:
            result.hooked = False
        frame = settled if watch["at"] is None else watch["at"] - started
        watch["shows"] = None
        return frame, settled

    DashboardScreen._compositor_refresh = timed_refresh  # type: ignore[method-assign]
    DashboardScreen.reload = counted_reload  # type: ignore[method-assign]
    MessagePump._dispatch_message = noted_dispatch  # type: ignore[method-assign]
    app = TempcheckApp(db)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(lambda: isinstance(app.screen, DashboardScreen))
            table = app.screen.query_one(CustomerTable)
            # The brief and every row have loaded (at 100k/10M on a busy machine: > 30 s).
            await until(lambda: bool(table.rows) and not busy(), limit=180.0)
            for n in range(reps + 1):  # the first of each is a warm-up
                before = table.cursor
                frame, _ = await timed(["down"], lambda before=before: table.cursor != before)
                result.cursor_frame += [frame] if n else []
                await pilot.press("up")
            for n in range(reps + 1):
                row = table.current_row
                if row is None:
                    raise BenchError("no customer under the cursor")
                customer, last_at = row.customer_id, row.last_at

                def shows_checkin(customer: int = customer, last_at: str | None = last_at) -> bool:
                    current = table.current_row
                    return (
                        isinstance(app.screen, DashboardScreen)
                        and current is not None
                        and current.customer_id == customer
                        and current.last_at != last_at
                        and clock.ago(current.last_contact) == "just now"
                    )

                await pilot.press("l")
                await until(lambda: not isinstance(app.screen, DashboardScreen))
                await pilot.press("4", *"bench")
                note = app.screen.query_one("#note").value
                if note != "bench":
                    raise BenchError(f"the note field holds {note!r}, not 'bench'")
                watch["reloads"] = 0
                frame, settled = await timed(["enter"], shows_checkin)
                if n:
                    result.save_frame.append(frame)
                    result.save_settled.append(settled)
                    result.reloads += watch["reloads"] / reps
                await pilot.press("u")  # undo, so every round starts from the same data
                await until(lambda last_at=last_at: table.current_row.last_at == last_at)
    finally:
        MessagePump._dispatch_message = dispatch  # type: ignore[method-assign]
        for name, had, original in (
            ("_compositor_refresh", had_refresh, refresh),
            ("reload", had_reload, reload),
        ):
            if had:
                setattr(DashboardScreen, name, original)
            else:
                delattr(DashboardScreen, name)
    return result


def export_figures(ctx: Context) -> list[Figure]:
    """Figure 7: CSV export against the sqlite3 CLI, via bench/bench_export.py if present."""
    key, label, target = "export", f"CSV export vs sqlite3 CLI, {ctx.size.label}", "≥ 0.8x sqlite3"
    path = BENCH / "bench_export.py"
    if not path.exists():
        print("bench: bench/bench_export.py is not there: the export figure is unavailable")
        return [failed(key, label, "bench/bench_export.py not found (figure unavailable)", target)]
    spec = importlib.util.spec_from_file_location("bench_export", path)
    if spec is None or spec.loader is None:
        raise BenchError("cannot load bench/bench_export.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    kwargs: dict[str, Any] = {}
    if "repeat" in inspect.signature(module.bench_export).parameters:
        kwargs["repeat"] = ctx.reps.export
    result: dict[str, Any] = module.bench_export(str(ctx.base), **kwargs)
    return [export_figure(key, label, target, result)]


def xlsx_figures(ctx: Context) -> list[Figure]:
    """Figure 9: the .xlsx export of every check-in, its time and peak memory (one run)."""
    path = BENCH / "bench_xlsx.py"
    spec = importlib.util.spec_from_file_location("bench_xlsx", path)
    if spec is None or spec.loader is None:
        raise BenchError("cannot load bench/bench_xlsx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result: dict[str, Any] = module.bench_xlsx(str(ctx.base))
    bound = result["memory_bound_mb"]
    return [
        Figure(
            "xlsx",
            f"xlsx export (constant memory), {ctx.size.label}",
            result["xlsx_s"],
            f"peak ≤ {bound} MB",
            result["ok"],
            "CSV export, same rows",
            result["csv_s"],
            result["xlsx_s"] / result["csv_s"],
            note=(
                f"{result['rows']} check-ins, {result['xlsx_rows_per_s']:,} rows/s;"
                f" peak RSS {result['xlsx_peak_mb']} MB (CSV {result['csv_peak_mb']} MB);"
                f" file {result['xlsx_file_mb']} MB; one run (bench/bench_xlsx.py)"
            ),
            samples=[result["xlsx_s"]],
        )
    ]


def export_figure(key: str, label: str, target: str, result: dict[str, Any]) -> Figure:
    """Read ``bench_export``'s dict: our seconds, the CLI's seconds, and throughput ratio."""
    ours = _find(result, ("tempcheck_s", "tempcheck_seconds", "seconds"))
    theirs = _find(result, ("sqlite3_s", "sqlite3_seconds", "sqlite_s"))
    ratio = _find(result, ("ratio", "throughput_ratio"))
    if ratio is None and ours and theirs:
        ratio = theirs / ours  # throughput ratio: same rows, so the inverse time ratio
    known = {"rows", "repeat", "tempcheck_rows_per_s", "sqlite3_rows_per_s"}
    if known <= result.keys():
        extra = (
            f"{result['rows']} check-ins; tempcheck {result['tempcheck_rows_per_s']:,} rows/s,"
            f" sqlite3 {result['sqlite3_rows_per_s']:,} rows/s (best of {result['repeat']},"
            " bench/bench_export.py)"
        )
    else:
        extra = ", ".join(f"{k}={_short(v)}" for k, v in result.items() if not isinstance(v, dict))
    if ours is None:
        return Figure(key, label, None, target, note=f"bench_export returned {extra}")
    return Figure(
        key,
        label,
        ours,
        target,
        None if ratio is None else ratio >= 0.8,
        "sqlite3 CLI (throughput ratio)",
        theirs,
        ratio,
        note=extra,
        samples=[ours],
    )


def _find(result: dict[str, Any], names: Sequence[str]) -> float | None:
    for name in names:
        value = result.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def _short(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def listing_figures(ctx: Context) -> list[Figure]:
    """Figure 8: ``tempcheck list --format json`` as a subprocess, for growth."""
    argv = [tempcheck_exe(), "list", "--db", str(ctx.base), "--format", "json"]
    sizes: list[int] = []

    def once() -> float:
        seconds, out = run_timed(argv)
        sizes.append(len(out))
        return seconds

    runs = interleaved({"list": once}, ctx.reps.listing)
    return [
        figure(
            "list_json",
            f"tempcheck list --format json, {ctx.size.label}",
            runs["list"],
            baseline=("in-process query (4c)", ctx.query_with_trust_s),
            limit=2.0,
            on_ratio=True,
            target="≤ 2x query",
            note=f"{sizes[-1] / 1e6:.1f} MB of JSON to a pipe",
        )
    ]


def large_figures(ctx: Context) -> list[Figure]:
    """With --large: generation and the dashboard query at 100k/10M."""
    label = f"generation {LARGE.label} (tempcheck demo)"
    path = ctx.data / f"{LARGE.stem}.db"
    meta = None if ctx.rebuild else cached_meta(path, LARGE)
    figures: list[Figure] = []
    if meta is not None:
        seconds = meta.get("generation_seconds")
        figures.append(
            Figure(
                "generation_large",
                label,
                seconds,
                "≤ 60 s",
                None if seconds is None else seconds <= 60,
                note=f"cached file from {meta['generated_at']} (--rebuild to measure again)",
                samples=[seconds] if seconds else [],
            )
        )
    else:
        scale = LARGE.checkins / ctx.size.checkins
        estimate = (ctx.generation_s or 0) * scale * LARGE_GROWTH
        if not ctx.generation_s or estimate > LARGE_BUDGET_S:
            why = f"estimated {estimate:.0f} s from the {ctx.size.label} run > {LARGE_BUDGET_S:g} s"
            return [failed("generation_large", label, f"skipped: {why}")]
        building = ctx.data / f"{LARGE.stem}.building.db"
        seconds = generate(building, LARGE)
        remove_db(path)
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{building}{suffix}").exists():
                os.replace(f"{building}{suffix}", f"{path}{suffix}")
        write_meta(path, LARGE, seconds)
        figures.append(
            Figure(
                "generation_large",
                label,
                seconds,
                "≤ 60 s",
                seconds <= 60,
                note=f"estimated {estimate:.0f} s from the {ctx.size.label} run",
                samples=[seconds],
            )
        )
    figures += guarded("query_fast_large", f"dashboard query, {LARGE.label}")(query_figures)(
        ctx, path, LARGE, "_large"
    )
    figures += guarded("first_frame_large", f"tempcheck first frame, {LARGE.label}")(
        _large_first_frame
    )(ctx, path)
    figures += guarded("one_customer_large", f"one customer's row, {LARGE.label}")(
        one_customer_figures
    )(ctx, path, LARGE, "_large")
    # Each check-in is undone again, so the cached file keeps its rows.
    figures += guarded("save_to_repaint_large", f"save-to-repaint, {LARGE.label}")(
        _repaint_figures
    )(path, LARGE, ctx.reps.repaint, "_large")
    return figures


def _large_first_frame(ctx: Context, db: Path) -> list[Figure]:
    """The first frame at 100k/10M, for growth (the table is virtual: it should not grow)."""
    first_frame = str(BENCH / "first_frame.py")
    runs = interleaved(
        {"large": lambda: spawn_reporting([PYTHON, first_frame, str(db)])}, ctx.reps.startup
    )
    return [
        figure(
            "first_frame_large",
            f"tempcheck first frame, {LARGE.label}",
            [r["seconds"] for r in runs["large"]],
            baseline=("bare app (2)", ctx.bare_s),
            limit=2.0,
            on_ratio=True,
            target="≤ 2x bare",
            note=f"{runs['large'][0]['rows']} rows in the table,"
            f" {runs['large'][0].get('reloads', '?')} dashboard reloads before the frame",
        )
    ]


def compile_bytecode() -> str:
    """Byte-compile the tempcheck package, as ``pip install`` does; the line for the header.

    Every child then loads tempcheck's modules from ``.pyc`` files, as an installed copy
    does, like the standard library and the other packages its floors load. Without this,
    on a machine that sets PYTHONDONTWRITEBYTECODE no ``.pyc`` is ever written for an
    editable install, and every ``tempcheck`` started compiles each module it imports.
    """
    spec = importlib.util.find_spec("tempcheck")
    if spec is None or not spec.submodule_search_locations:
        return "bytecode: tempcheck not found from this Python; not compiled"
    package = Path(next(iter(spec.submodule_search_locations)))
    done = subprocess.run(
        [PYTHON, "-m", "compileall", "-q", str(package)], capture_output=True, text=True
    )
    if done.returncode != 0:
        return f"bytecode: compileall failed ({(done.stderr or done.stdout).strip()[-200:]})"
    return f"bytecode: {package} compiled to .pyc before timing, as pip install does"


# --- report ------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import textual

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH
    ).stdout.strip()
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual.__version__,
        "commit": commit or "unknown",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.01:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds * 1000:.2f} ms"


def table(figures: Sequence[Figure]) -> str:
    """The figures as a plain-text table, notes below it."""
    head = ["#", "figure", "median", "target", "baseline (same run)", "ratio", "status"]
    rows = []
    for fig in figures:
        base = f"{fig.baseline} {_ms(fig.baseline_value)}" if fig.baseline else ""
        rows.append(
            [
                fig.number,
                fig.label,
                _ms(fig.value),
                fig.target,
                base,
                f"{fig.ratio:.2f}x" if fig.ratio is not None else "",
                fig.status,
            ]
        )
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    right = {2, 5}

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    out = [line(head), line(["-" * w for w in widths]), *map(line, rows)]
    notes = [f"  {fig.number:>3}  {fig.note}" for fig in figures if fig.note]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2k/100k and fewer runs (CI smoke)")
    parser.add_argument("--large", action="store_true", help="also 100k customers/10M check-ins")
    parser.add_argument("--rebuild", action="store_true", help="regenerate cached databases")
    parser.add_argument(
        "--no-cache", action="store_true", help="keep every database in a temp dir, not .data/"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument(
        "--only",
        metavar="KEYS",
        help="comma-separated steps to run after generation (first_frame, query_fast,"
        " one_customer, log, save_to_repaint, export, list_json, import_lock, xlsx, large)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure everything, print the table, exit 0."""
    args = parse_args(argv)
    size, reps = (QUICK, QUICK_REPS) if args.quick else (FULL, FULL_REPS)
    info = machine()
    print(f"tempcheck benchmarks  {info['date']}  (commit {info['commit']})")
    print(f"machine: {info['platform']}; {info['cpu']}; {info['cores']} cores")
    print(f"python {info['python']}; SQLite {info['sqlite']}; Textual {info['textual']}")
    print(compile_bytecode())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tempcheck-bench-") as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "data" if args.no_cache else DATA
        data.mkdir(parents=True, exist_ok=True)
        ctx = Context(size, reps, tmp, data, args.rebuild)
        figures = guarded("generation", f"generation {size.label}", "≤ 10 s")(generation_figures)(
            ctx
        )
        if ctx.base is None or not ctx.base.exists():
            print(table(figures))
            print("bench: no database to measure on; stopping here")
            return 0
        ctx.demo = tmp / "demo.db"
        run_timed([tempcheck_exe(), "demo", "--db", str(ctx.demo)])
        steps: list[tuple[str, str, Callable[[Context], list[Figure]]]] = [
            ("first_frame", "first frame", startup_figures),
            ("query_fast", "dashboard query", lambda c: query_figures(c, c.base, c.size)),
            ("one_customer", "one customer", lambda c: one_customer_figures(c, c.base, c.size)),
            ("log", "tempcheck log", log_figures),
            ("save_to_repaint", "save-to-repaint", repaint_figures),
            ("export", "CSV export", export_figures),
            ("list_json", "tempcheck list --format json", listing_figures),
            ("import_lock", "import", import_figures),
            ("xlsx", "workbook export", xlsx_figures),
        ]
        if args.large:
            steps.append(("large", f"{LARGE.label}", large_figures))
        if args.only:
            wanted = {key.strip() for key in args.only.split(",")}
            unknown = wanted - {key for key, _, _ in steps}
            if unknown:
                print(f"bench: unknown step(s) {', '.join(sorted(unknown))}", file=sys.stderr)
                return 2
            steps = [step for step in steps if step[0] in wanted]
        for key, label, step in steps:
            print(f"bench: {label}…", file=sys.stderr, flush=True)
            figures += guarded(key, label)(step)(ctx)
    print(f"data: {ctx.data_note}")
    print()
    print(table(figures))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    if args.json:
        payload = {
            "machine": info,
            "quick": args.quick,
            "large": args.large,
            "size": asdict(size),
            "figures": [asdict(fig) | {"status": fig.status} for fig in figures],
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
