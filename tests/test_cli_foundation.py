"""The shell command: version and help, where the database is, demo data, add-customer,
list for scripts, config, and bad databases refused with one clear line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
import time_machine
from helpers import NOW, TEMPCHECK, sha256, snapshot

from tempcheck import __version__
from tempcheck.cli.main import COMMANDS, main
from tempcheck.store import open_db
from tempcheck.store.dashboard import dashboard_rows


def existing_commands() -> list[str]:
    ctx = click.Context(main)
    return [name for name in sorted(COMMANDS) if main.get_command(ctx, name) is not None]


def assert_one_clean_line(result, exit_code: int | None = None) -> str:
    """A failure shown as ``tempcheck: <sentence>`` on stderr, nothing else, no traceback."""
    assert result.exit_code != 0, result.output
    if exit_code is not None:
        assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("tempcheck: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""
    return result.stderr


# --- version and help ------------------------------------------------------------------------


def test_version_in_process(run_tc) -> None:
    result = run_tc("--version", db=None)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"tempcheck, version {__version__}"
    assert run_tc("-V", db=None).stdout == result.stdout


@pytest.mark.parametrize(
    "argv",
    [[str(TEMPCHECK), "--version"], [sys.executable, "-m", "tempcheck", "--version"]],
    ids=["entry-point", "python-m"],
)
def test_version_as_a_real_process(argv: list[str], tmp_path: Path) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"tempcheck, version {__version__}"
    assert not (tmp_path / "env.db").exists()  # --version opens no database


def test_python_m_runs_a_command_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    env = {**os.environ, "TEMPCHECK_DB": str(path)}
    added = subprocess.run(
        [sys.executable, "-m", "tempcheck", "add-customer", "Acme"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    logged = subprocess.run(
        [str(TEMPCHECK), "log", "acme", "4", "fine"], capture_output=True, text=True, env=env
    )
    assert logged.returncode == 0, logged.stderr
    assert logged.stdout.startswith("Logged Acme: 4 content")
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT note FROM checkins").fetchall() == [("fine",)]
    connection.close()


def test_root_help_lists_every_built_command(run_tc) -> None:
    result = run_tc("--help", db=None)
    assert result.exit_code == 0
    for name in existing_commands():
        assert f"  {name} " in result.stdout or f"  {name}\n" in result.stdout, name
    assert "--db" in result.stdout and "--demo" in result.stdout and "--version" in result.stdout


def test_the_core_commands_exist() -> None:
    built = set(existing_commands())
    expected = {"log", "list", "demo", "config", "add-customer", "edit", "pause", "end"}
    assert expected | {"reactivate"} <= built


def command_paths() -> list[list[str]]:
    """Every built command, and every subcommand of the ones that are groups."""
    ctx = click.Context(main)
    paths = []
    for name in existing_commands():
        command = main.get_command(ctx, name)
        paths.append([name])
        if isinstance(command, click.Group):
            paths += [[name, sub] for sub in command.list_commands(ctx)]
    return paths


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_help_on_every_command(path: list[str], run_tc, tmp_path: Path) -> None:
    ctx = click.Context(main)
    command = main.get_command(ctx, path[0])
    if len(path) > 1:
        command = command.get_command(ctx, path[1])
    for flag in ("--help", "-h"):
        result = run_tc(*path, flag, db=None)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"Usage: main {' '.join(path)}"), result.stdout[:80]
        # every command that touches data takes --db (a team remote and a member's key are
        # not tempcheck files)
        if not isinstance(command, click.Group) and path not in (
            ["team", "serve"],
            ["team", "key"],
        ):
            assert "--db" in result.stdout
    assert not (tmp_path / "env.db").exists()  # help never opens the database


def test_unknown_command_and_option_fail_without_traceback(run_tc) -> None:
    for args in (["bogus"], ["list", "--bogus"], ["log"], ["list", "--format", "xml"]):
        result = run_tc(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert result.stderr.startswith("tempcheck: ") and "--help" in result.stderr


def test_an_unknown_option_gives_one_line(run_tc) -> None:
    result = run_tc("list", "--bogus")
    assert result.stderr.count("\n") == 1, result.stderr


def test_non_tui_commands_do_not_import_textual(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from tempcheck.cli.main import main\n"
        "for argv in sys.argv[2:]:\n"
        "    try:\n"
        "        main(['--db', sys.argv[1], *argv.split('|')], standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    commands = [
        "add-customer|Acme",
        "log|acme|4|fine|--follow-up|fri",
        "list",
        "list|--format|json",
        "list|--format|csv",
        "config",
        "config|staleness.due|0.7",
        "demo|--customers|3|--checkins|9|--force",
        "edit|acme|--cadence|3w",
        "pause|acme",
        "reactivate|acme",
    ]
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "t.db"), *commands],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


# What a plain `tempcheck log CUSTOMER TEMP NOTE` must not import: it has to return at
# once, so everything only another option or command needs is imported when it is used.
NOT_ON_THE_LOG_PATH = [
    "textual",
    "rich",
    "pendulum",
    "icalendar",
    "recurring_ical_events",
    "caldav",
    "aiohttp",
    "textual_serve",
    "xlsxwriter",
    "sqlite_utils",
    "plotext",
    "doltlite",
    "json",
    "difflib",
    "tempcheck.domain.tracking",  # issues, promises, follow-ups, concerns, timeline records
    "tempcheck.domain.settings",  # only --channel remembers one
    "tempcheck.domain.dates",  # only --follow-up and --at read a date
    "tempcheck.domain.trust",
    "tempcheck.domain.staleness",
    "tempcheck.store.followups",  # only --done
    "tempcheck.store.promises",  # only --kept
    "tempcheck.store.issues",  # only --open-issue
    "tempcheck.store.settings",
    "tempcheck.store.contacts",  # only --with
    "tempcheck.store.dashboard",
    "tempcheck.services.meetings",  # only --meeting
    "tempcheck.exchange",
    "tempcheck.report",
    "tempcheck.tui",
]


def test_log_imports_only_what_a_plain_check_in_needs(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    made = subprocess.run(
        [str(TEMPCHECK), "--db", str(db), "add-customer", "Acme Corp"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    script = (
        "import sys\n"
        "from tempcheck.cli.main import main\n"
        "try:\n"
        "    main(['--db', sys.argv[1], 'log', 'Acme Corp', '4', 'all', 'good'])\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(db)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    logged, loaded = result.stdout.strip().splitlines()
    assert logged.startswith("Logged Acme Corp: 4 content [check-in 1]")
    loaded_names = set(loaded.split())
    assert "tempcheck.services.capture" in loaded_names  # the one capture path, as the form's
    heavy = sorted(
        name
        for name in loaded_names
        for unwanted in NOT_ON_THE_LOG_PATH
        if name == unwanted or name.startswith(unwanted + ".")
    )
    assert heavy == []


# --- where the database is -------------------------------------------------------------------


def test_tempcheck_db_is_honoured(run_tc, tmp_path: Path, row_counts) -> None:
    env_db = Path(os.environ["TEMPCHECK_DB"])
    assert not env_db.exists()
    assert run_tc("add-customer", "Acme", db=None).exit_code == 0
    assert env_db.exists()
    assert row_counts(env_db)["customers"] == 1


def test_db_option_beats_the_environment_on_the_group_and_the_command(
    run_tc, tmp_path: Path
) -> None:
    env_db = Path(os.environ["TEMPCHECK_DB"])
    group_db, command_db = tmp_path / "group.db", tmp_path / "command.db"
    assert run_tc("add-customer", "A", db=group_db).exit_code == 0
    assert run_tc("add-customer", "B", "--db", str(command_db), db=None).exit_code == 0
    assert group_db.exists() and command_db.exists()
    assert not env_db.exists()


def test_default_database_lives_in_the_user_data_folder(
    run_tc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEMPCHECK_DB")
    assert run_tc("add-customer", "Acme", db=None).exit_code == 0
    expected = Path(os.environ["XDG_DATA_HOME"]) / "tempcheck" / "tempcheck.db"
    assert expected.exists()
    assert stat.S_IMODE(expected.stat().st_mode) == 0o600
    assert stat.S_IMODE(expected.parent.stat().st_mode) == 0o700


def test_db_path_with_tilde_is_expanded(run_tc, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_tc("add-customer", "Acme", db="~/data/mine.db").exit_code == 0
    assert (Path(os.environ["HOME"]) / "data" / "mine.db").exists()


def test_demo_flag_never_touches_the_users_database(
    run_tc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    import tempcheck.tui.app

    opened: list[Path] = []
    seen: list[tuple[int, int, int]] = []

    def fake_run(path) -> None:  # what the dashboard would open, looked at while it is open
        path = Path(path)
        opened.append(path)
        connection = sqlite3.connect(path)
        customers = connection.execute("SELECT count(*) FROM customers").fetchone()[0]
        connection.close()
        seen.append(
            (
                stat.S_IMODE(path.parent.stat().st_mode),
                stat.S_IMODE(path.stat().st_mode),
                customers,
            )
        )

    monkeypatch.setattr(tempcheck.tui.app, "run", fake_run)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    env_db = Path(os.environ["TEMPCHECK_DB"])
    user_db = tmp_path / "mine.db"
    for db in (None, user_db):
        result = run_tc("--demo", db=db)
        assert result.exit_code == 0, result.output
    assert not env_db.exists() and not user_db.exists()
    assert len(opened) == 2 and opened[0] != opened[1]
    assert seen == [(0o700, 0o600, 25), (0o700, 0o600, 25)]
    for path in opened:
        assert path.is_relative_to(tmp_path / "tmp")
        assert not path.parent.exists()  # the demo leaves nothing behind


def test_bare_tempcheck_opens_the_dashboard_on_the_chosen_database(
    run_tc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempcheck.tui.app

    opened: list[Path] = []
    monkeypatch.setattr(tempcheck.tui.app, "run", lambda path: opened.append(Path(path)))
    assert run_tc(db=None).exit_code == 0
    assert opened == [Path(os.environ["TEMPCHECK_DB"])]
    folder = tmp_path / "adir"
    folder.mkdir()
    failed = run_tc(db=folder)
    assert_one_clean_line(failed, 1)
    assert len(opened) == 1  # the dashboard never started on a bad path


# --- bad database paths ----------------------------------------------------------------------

COMMAND_LINES = [
    ["list"],
    ["log", "Acme", "4", "note"],
    ["add-customer", "Acme"],
    ["config"],
    ["demo"],
]


@pytest.mark.parametrize("args", COMMAND_LINES, ids=lambda a: a[0])
def test_a_directory_as_db(args: list[str], run_tc, tmp_path: Path) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep")
    before = snapshot(folder)
    message = assert_one_clean_line(run_tc(*args, db=folder), 1)
    assert "is a directory" in message
    assert snapshot(folder) == before and [p.name for p in folder.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("args", COMMAND_LINES, ids=lambda a: a[0])
def test_a_non_sqlite_file_as_db(args: list[str], run_tc, tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    path = folder / "notes.txt"
    path.write_text("Dear diary,\n" * 500)
    before = snapshot(folder)
    message = assert_one_clean_line(run_tc(*args, db=path), 1)
    assert "not a tempcheck database" in message
    assert snapshot(folder) == before


def test_a_corrupt_tempcheck_database(run_tc, tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    path = folder / "corrupt.db"
    connection = open_db(path)
    from tempcheck.store import sample as demo

    demo.write_sample(connection)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data), 3 * page):  # scribble over every third page
        data[offset : offset + page] = b"\xa5" * page
    path.write_bytes(bytes(data))
    before = snapshot(folder)
    for args in (["list"], ["log", "Acme", "4"]):
        result = run_tc(*args, db=path)
        message = assert_one_clean_line(result, 1)
        assert "malformed" in message or "damaged" in message or "not a database" in message
    assert snapshot(folder) == before


def run_as_plain_user(args: list[str], preexec, env_db: Path | None = None):
    env = {**os.environ}
    if env_db is not None:
        env["TEMPCHECK_DB"] = str(env_db)
    return subprocess.run(
        [str(TEMPCHECK), *args],
        capture_output=True,
        text=True,
        preexec_fn=preexec,
        env=env,
        timeout=60,
    )


@pytest.fixture
def unreadable_db(tmp_path: Path) -> Path:
    path = tmp_path / "locked-away.db"
    open_db(path).close()
    path.chmod(0o000)
    return path


@pytest.mark.parametrize("args", [["list"], ["log", "Acme", "4"], ["config"]], ids=lambda a: a[0])
def test_an_unreadable_database_from_the_environment(unreadable_db, plain_user, args) -> None:
    before = sha256(unreadable_db)
    result = run_as_plain_user(args, plain_user, env_db=unreadable_db)
    assert result.returncode == 1, result
    assert result.stderr == f"tempcheck: cannot read {unreadable_db}: permission denied\n"
    assert result.stdout == ""
    assert sha256(unreadable_db) == before


@pytest.mark.parametrize("args", [["list"], ["log", "Acme", "4"], ["config"]], ids=lambda a: a[0])
def test_an_unreadable_database_given_with_db(unreadable_db, plain_user, args) -> None:
    before = sha256(unreadable_db)
    result = run_as_plain_user(["--db", str(unreadable_db), *args], plain_user)
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert "not readable" in result.stderr or "permission denied" in result.stderr
    assert sha256(unreadable_db) == before


def test_an_unreadable_database_given_with_db_gives_one_line(unreadable_db, plain_user) -> None:
    result = run_as_plain_user(["--db", str(unreadable_db), "list"], plain_user)
    assert result.returncode == 1
    assert result.stderr == f"tempcheck: cannot read {unreadable_db}: permission denied\n"


# --- demo ------------------------------------------------------------------------------------


def test_demo_writes_a_believable_portfolio(run_tc, db_path: Path) -> None:
    result = run_tc("demo")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Wrote 25 customers and ")
    connection = open_db(db_path)
    try:
        rows = dashboard_rows(connection)
        assert len(rows) == 25
        assert {row.staleness.value for row in rows} == {"fresh", "due", "overdue", "cold", "never"}
        assert {row.kind for row in rows} == {"relationship", "transactional"}
        cadences = {row.cadence_days for row in rows}
        assert min(cadences) == 7 and max(cadences) == 30
        oldest, temps, channels, notes, by = connection.execute(
            "SELECT min(at), count(DISTINCT temperature), count(DISTINCT channel),"
            " count(DISTINCT note), count(DISTINCT initiated_by) FROM checkins"
        ).fetchone()
        assert temps == 5 and channels >= 5 and notes >= 10 and by == 2
        span = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(oldest)
        assert dt.timedelta(days=150) < span <= dt.timedelta(days=183)
    finally:
        connection.close()


def test_demo_refuses_a_database_with_customers(run_tc, db_path: Path, row_counts) -> None:
    assert run_tc("add-customer", "Mine").exit_code == 0
    before = row_counts(db_path)
    message = assert_one_clean_line(run_tc("demo"), 1)
    assert "--force" in message and "1 customers" in message
    assert row_counts(db_path) == before
    forced = run_tc("demo", "--force")
    assert forced.exit_code == 0, forced.output
    assert row_counts(db_path)["customers"] == 26


def test_demo_force_twice_fails_cleanly_without_half_writing(run_tc, db_path, row_counts) -> None:
    assert run_tc("demo").exit_code == 0
    before = row_counts(db_path)
    result = run_tc("demo", "--force")
    # The sample's names are taken: one line saying so, and nothing half-written.
    message = assert_one_clean_line(result, 1)
    assert message == (
        "tempcheck: the sample is already here (25 of its customers, such as 'Acme Corp');"
        " nothing was written\n"
    )
    assert row_counts(db_path) == before


def synthetic_rows(path: Path) -> dict[str, list[tuple]]:
    connection = sqlite3.connect(path)
    try:
        return {
            "customers": connection.execute(
                "SELECT id, name, name_key, kind, cadence_days, contact, status, created_at"
                " FROM customers ORDER BY id"
            ).fetchall(),
            "checkins": connection.execute(
                "SELECT id, customer_id, at, temperature, channel, initiated_by, note, created_at"
                " FROM checkins ORDER BY id"
            ).fetchall(),
            "summary": connection.execute("SELECT * FROM contact_summary ORDER BY 1").fetchall(),
        }
    finally:
        connection.close()


def test_synthetic_demo_is_reproducible_with_a_seed(run_tc, tmp_path: Path) -> None:
    args = ("demo", "--customers", "200", "--checkins", "5000")
    paths = [tmp_path / f"s{n}.db" for n in range(3)]
    with time_machine.travel(NOW, tick=False):
        for path, seed in zip(paths, ("3", "3", "4"), strict=True):
            result = run_tc(*args, "--seed", seed, db=path)
            assert result.exit_code == 0, result.output
            assert result.stdout.startswith("Wrote 200 customers and 5000 check-ins in ")
    first, second, other = (synthetic_rows(p) for p in paths)
    assert len(first["customers"]) == 200 and len(first["checkins"]) == 5000
    assert first == second
    assert first["checkins"] != other["checkins"]
    uids = sqlite3.connect(paths[0]).execute("SELECT count(DISTINCT uid) FROM checkins").fetchone()
    assert uids == (5000,)


def test_synthetic_demo_needs_customers_for_checkins(run_tc, db_path: Path) -> None:
    assert_one_clean_line(run_tc("demo", "--checkins", "10"), 1)
    assert_one_clean_line(run_tc("demo", "--customers", "0", "--checkins", "10"), 1)


# --- add-customer ----------------------------------------------------------------------------


def customers_in(path: Path) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            "SELECT name, kind, cadence_days, contact, notes FROM customers ORDER BY id"
        ).fetchall()
    finally:
        connection.close()


def test_add_customer_with_options(run_tc, db_path: Path) -> None:
    result = run_tc(
        "add-customer",
        "Acme Corp",
        "--cadence",
        "2w",
        "--kind",
        "transactional",
        "--contact",
        "Dana",
        "--notes",
        "Met at the fair",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "Added Acme Corp (transactional, every 14 days).\n"
    assert customers_in(db_path) == [("Acme Corp", "transactional", 14, "Dana", "Met at the fair")]


@pytest.mark.parametrize(
    ("cadence", "days"), [("14d", 14), ("2w", 14), ("1m", 30), ("10", 10), ("3D", 3), ("1w", 7)]
)
def test_add_customer_cadence_forms(run_tc, db_path: Path, cadence: str, days: int) -> None:
    assert run_tc("add-customer", "Acme", "--cadence", cadence).exit_code == 0
    assert customers_in(db_path)[0][2] == days


@pytest.mark.parametrize("cadence", ["0", "0d", "abc", "2x", "w", "99999d", "1.5w", "-3d"])
def test_add_customer_bad_cadence_is_refused(run_tc, db_path: Path, cadence: str) -> None:
    open_db(db_path).close()
    assert_one_clean_line(run_tc("add-customer", "Acme", "--cadence", cadence), 1)
    assert customers_in(db_path) == []


@pytest.mark.parametrize("duplicate", ["acme corp", "ACME CORP", "Acme  Corp", "  Acme Corp"])
def test_add_customer_refuses_a_duplicate_name(run_tc, db_path: Path, duplicate: str) -> None:
    assert run_tc("add-customer", "Acme Corp").exit_code == 0
    message = assert_one_clean_line(run_tc("add-customer", duplicate), 1)
    assert "already exists" in message and "Acme Corp" in message
    assert len(customers_in(db_path)) == 1


def test_add_customer_default_cadence_follows_config(run_tc, db_path: Path) -> None:
    assert run_tc("config", "cadence.default", "21").exit_code == 0
    assert run_tc("add-customer", "Acme").stdout == "Added Acme (relationship, every 21 days).\n"


def test_add_customer_refuses_a_blank_or_huge_name(run_tc, db_path: Path) -> None:
    assert_one_clean_line(run_tc("add-customer", "   "), 1)
    assert_one_clean_line(run_tc("add-customer", "x" * 201), 1)
    assert run_tc("add-customer", "x" * 200).exit_code == 0


# --- list ------------------------------------------------------------------------------------


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    connection = open_db(db_path)
    from tempcheck.store import sample as demo

    demo.write_sample(connection, now=NOW)
    connection.close()
    return db_path


def test_list_json_has_the_required_keys_and_types(run_tc, demo_db: Path) -> None:
    with time_machine.travel(NOW, tick=False):
        result = run_tc("list", "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert isinstance(records, list) and len(records) == 25
    for record in records:
        assert isinstance(record["name"], str) and record["name"]
        assert isinstance(record["cadence_days"], int) and record["cadence_days"] > 0
        assert record["staleness"] in {"fresh", "due", "overdue", "cold", "never"}
        assert isinstance(record["open_issues"], int) and record["open_issues"] >= 0
        if record["staleness"] == "never":
            assert record["last_contact"] is None
            assert record["days_since_contact"] is None
            assert record["last_temperature"] is None
        else:
            last = dt.datetime.fromisoformat(record["last_contact"])
            assert last.tzinfo is not None and last <= NOW
            assert isinstance(record["days_since_contact"], int | float)
            assert not isinstance(record["days_since_contact"], bool)
            assert record["days_since_contact"] == pytest.approx(
                (NOW - last).total_seconds() / 86400, abs=0.01
            )
            assert record["last_temperature"] in {1, 2, 3, 4, 5}
    assert sum(r["open_issues"] for r in records) >= 1


def test_list_csv_parses_and_matches_json(run_tc, demo_db: Path) -> None:
    with time_machine.travel(NOW, tick=False):
        as_csv = run_tc("list", "--format", "csv")
        as_json = run_tc("list", "--format", "json")
    assert as_csv.exit_code == 0, as_csv.output
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    records = json.loads(as_json.stdout)
    assert [r["name"] for r in parsed] == [r["name"] for r in records]
    assert list(parsed[0]) == list(records[0])  # one header row, same columns
    for row, record in zip(parsed, records, strict=True):
        assert row["staleness"] == record["staleness"]
        assert row["cadence_days"] == str(record["cadence_days"])
        assert row["last_temperature"] == (
            "" if record["last_temperature"] is None else str(record["last_temperature"])
        )


def test_list_table_on_an_empty_database(run_tc) -> None:
    result = run_tc("list")
    assert result.exit_code == 0
    assert "no customers yet" in result.stdout
    assert run_tc("list", "--format", "json").stdout.strip() == "[]"
    from tempcheck.domain.attention import RECORD_FIELDS

    assert run_tc("list", "--format", "csv").stdout == ",".join(RECORD_FIELDS) + "\n"


# --- config ----------------------------------------------------------------------------------


def test_config_show_get_set(run_tc, db_path: Path) -> None:
    shown = run_tc("config")
    assert shown.exit_code == 0
    for key in ("staleness.due", "staleness.overdue", "staleness.cold", "cadence.default"):
        assert key in shown.stdout
    assert run_tc("config", "staleness.overdue").stdout == "1.0\n"
    changed = run_tc("config", "staleness.overdue", "1.2")
    assert changed.exit_code == 0 and changed.stdout == "staleness.overdue = 1.2\n"
    assert run_tc("config", "staleness.overdue").stdout == "1.2\n"
    connection = sqlite3.connect(db_path)
    stored = connection.execute("SELECT key, value FROM settings").fetchall()
    connection.close()
    assert stored == [("staleness.overdue", "1.2")]


@pytest.mark.parametrize(
    "args",
    [
        ["nope"],
        ["nope", "1"],
        ["cadence.default", "soon"],
        ["cadence.default", "0"],
        ["cadence.default", "1.5"],
        ["issues.at_risk_days", "x"],
        ["staleness.cold", ""],
    ],
)
def test_config_invalid_is_refused(run_tc, db_path: Path, args: list[str], row_counts) -> None:
    open_db(db_path).close()
    assert_one_clean_line(run_tc("config", *args), 1)
    assert row_counts(db_path)["settings"] == 0
