"""Issue 15: every stored value reads back, every failure is one clear line.

Each test here failed before its fix; expected values are written out by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import TEMPCHECK

from tempcheck.domain.text import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\u202eRTL Ltd", "\ufffdRTL Ltd"),
        ("a\u202ab\u202bc\u202cd\u202de", "a\ufffdb\ufffdc\ufffdd\ufffde"),
        ("iso\u2066late\u2067d\u2068x\u2069", "iso\ufffdlate\ufffdd\ufffdx\ufffd"),
        ("mark\u200e\u200f\u061c", "mark\ufffd\ufffd\ufffd"),
        ("Zero\u200bWidth", "Zero\u200bWidth"),  # invisible but harmless: kept
        ("Café 🎉 [/]", "Café 🎉 [/]"),
    ],
)
def test_printable_neutralises_bidi_controls(raw: str, shown: str) -> None:
    assert printable(raw) == shown


# --- bounds on what the shell accepts ----------------------------------------------------------

TOO_BIG = "99999999999999999999999"


@pytest.fixture
def book(run_tc, db_path):
    assert run_tc("add-customer", "Acme Corp").exit_code == 0
    return db_path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["issue", "close", TOO_BIG, "--resolution", "x"],
            f"Invalid value for 'ISSUE_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["promise", "keep", TOO_BIG],
            f"Invalid value for 'PROMISE_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["promise", "break", TOO_BIG],
            f"Invalid value for 'PROMISE_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["followups", "done", TOO_BIG],
            f"Invalid value for 'FOLLOWUP_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["followups", "snooze", TOO_BIG, "fri"],
            f"Invalid value for 'FOLLOWUP_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["concern", "confirm", TOO_BIG],
            f"Invalid value for 'CONCERN_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["concern", "drop", TOO_BIG],
            f"Invalid value for 'CONCERN_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["log", "acme", "3", "x", "--issue", TOO_BIG],
            f"Invalid value for '--issue': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["issue", "close", "9223372036854775808", "--resolution", "x"],
            "Invalid value for 'ISSUE_ID': '9223372036854775808' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["followups", "--days", "99999999"],
            "Invalid value for '--days': 99999999 is not in the range 0<=x<=36500.",
        ),
        (
            ["export", "checkins", "--customer", ""],
            "Invalid value for '--customer': must not be empty",
        ),
        (["issue", "list", "--customer", " "], "Invalid value for '--customer': must not be empty"),
        (["report", "", "-o", "r.html"], "Invalid value for '[CUSTOMER]': must not be empty"),
    ],
)
def test_out_of_range_and_empty_values_are_usage_errors(run_tc, book, args, expected) -> None:
    result = run_tc(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"tempcheck: {expected} (see '")
    assert result.stderr.count("\n") == 1


def test_the_largest_id_is_simply_not_found(run_tc, book) -> None:
    result = run_tc("issue", "close", "9223372036854775807", "--resolution", "x")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.stderr.startswith("tempcheck: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("where", ["group", "command"])
def test_an_empty_db_is_refused_not_the_default_database(run_tc, tmp_path, where) -> None:
    args = ["--db", "", "list"] if where == "group" else ["list", "--db", ""]
    result = run_tc(*args, db=None)
    assert result.exit_code == 2
    assert "Invalid value for '--db': must not be empty" in result.stderr
    assert not (tmp_path / "env.db").exists()  # TEMPCHECK_DB was not used either
    assert not (tmp_path / "home" / ".local").exists()


def test_demo_with_too_many_checkins_leaves_no_file(run_tc, tmp_path) -> None:
    target = tmp_path / "big.db"
    result = run_tc("demo", "--customers", "3", "--checkins", "99999999999999999999", db=target)
    assert result.exit_code == 2
    assert "Invalid value for '--checkins'" in result.stderr
    assert not target.exists()
    result = run_tc("demo", "--checkins", "3", db=target)
    assert result.stderr == "tempcheck: --checkins needs --customers\n"
    assert not target.exists()


def test_demo_twice_says_the_sample_is_already_there(run_tc, db_path, row_counts) -> None:
    assert run_tc("demo").exit_code == 0
    before = row_counts(db_path)
    result = run_tc("demo", "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        "tempcheck: the sample is already here (25 of its customers, such as 'Acme Corp');"
        " nothing was written\n"
    )
    assert row_counts(db_path) == before


# --- stored times: checked on the way in, read back whatever is stored --------------------------


def test_stored_times_have_four_digit_years() -> None:
    from datetime import UTC, datetime

    from tempcheck.domain import clock

    assert clock.to_stored(datetime(500, 6, 1, 10, tzinfo=UTC)) == "0500-06-01T10:00:00.000000Z"
    assert clock.to_stored(datetime(2026, 11, 24, 9, 5, 7, 12, tzinfo=UTC)) == (
        "2026-11-24T09:05:07.000012Z"
    )


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        ("500-06-01T10:00:00.000000Z", "0500-06-01T10:00:00+00:00"),
        ("2026-11-24T09:05:07.000000Z", "2026-11-24T09:05:07+00:00"),
        ("0001-01-01T00:00:00+01:00", "0001-01-03T00:00:00+00:00"),
        ("9999-12-31T23:59:59-05:00", "9999-12-29T00:00:00+00:00"),
        ("not a time", "1970-01-01T00:00:00+00:00"),
    ],
)
def test_any_stored_time_reads_back(stored: str, read: str) -> None:
    from tempcheck.domain import clock

    moment = clock.from_stored(stored)
    assert moment.isoformat() == read
    clock.local(moment)  # and local time exists for it


IMPORT_DATES = [
    ("0500-06-01T10:00:00Z", "at: '0500-06-01T10:00:00Z': the date 0500-06-01 is outside the"
     " years 1900-2999"),
    ("0001-01-01T00:00:00+01:00", "at: '0001-01-01T00:00:00+01:00' is outside the calendar"),
    ("9999-12-31T23:59:59-05:00", "at: '9999-12-31T23:59:59-05:00' is outside the calendar"),
    ("1899-12-31", "at: '1899-12-31': the date 1899-12-31 is outside the years 1900-2999"),
]  # fmt: skip


@pytest.mark.parametrize(("at", "problem"), IMPORT_DATES)
def test_import_refuses_checkins_outside_the_years(run_tc, book, tmp_path, at, problem) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        f"customer,at,temperature\nAcme Corp,2026-01-05T10:00:00Z,3\nAcme Corp,{at},3\n"
    )
    result = run_tc("import", "checkins", str(source))
    assert result.exit_code == 1
    assert f"in.csv:3: {problem}\n" in result.stderr
    assert "nothing was imported" in result.stderr


def test_import_refuses_a_follow_up_outside_the_years(run_tc, book, tmp_path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("customer,at,temperature,follow_up\nAcme Corp,2026-01-05,3,9999-12-31\n")
    result = run_tc("import", "checkins", str(source))
    assert result.exit_code == 1
    assert "in.csv:2: follow_up 9999-12-31 is outside the years 1900-2999\n" in result.stderr


def test_import_customers_refuses_an_early_created_at(run_tc, db_path, tmp_path) -> None:
    source = tmp_path / "c.csv"
    source.write_text("name,created_at\nOld Ltd,0500-06-01T10:00:00Z\n")
    result = run_tc("import", "customers", str(source))
    assert result.exit_code == 1
    assert (
        "c.csv:2: created_at: '0500-06-01T10:00:00Z': the date 0500-06-01 is outside the years"
        " 1900-2999\n"
    ) in result.stderr


def test_log_at_before_1900_is_refused_in_words(run_tc, book) -> None:
    result = run_tc("log", "acme", "3", "x", "--at", "0001-01-02T00:00Z")
    assert result.exit_code == 1
    assert result.stderr == (
        "tempcheck: a check-in cannot be dated before 1900-01-01 (--at said 0001-01-02)\n"
    )


@pytest.fixture
def bad_values_db(run_tc, db_path):
    """What an older version's import could leave behind: short years and edge times."""
    import sqlite3

    assert run_tc("demo").exit_code == 0
    raw = sqlite3.connect(db_path)
    with raw:
        raw.execute(
            "UPDATE checkins SET at = '500-06-01T10:00:00.000000Z'"
            " WHERE id = (SELECT min(id) FROM checkins WHERE customer_id = 1)"
        )
        raw.execute("UPDATE customers SET created_at = '500-06-01T10:00:00.000000Z' WHERE id = 2")
        raw.execute(
            "INSERT INTO checkins (customer_id, at, temperature, channel, initiated_by, note,"
            " created_at) VALUES (3, '0001-01-01T00:00:00.000000Z', 3, 'call', 'us', 'edge',"
            " 'garbage')"
        )
    raw.close()
    return db_path


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--format", "json"],
        ["today"],
        ["show", "acme"],
        ["show", "globex"],
        ["export", "checkins"],
        ["export", "customers"],
        ["export", "dashboard"],
        ["report", "-o", "r.html"],
    ],
)
def test_every_reader_survives_a_bad_stored_time(run_tc, bad_values_db, tmp_path, args) -> None:
    import os

    os.chdir(tmp_path)
    result = run_tc(*args)
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


async def test_the_dashboard_opens_on_bad_stored_times(bad_values_db) -> None:
    from tempcheck.tui.app import TempcheckApp
    from tempcheck.tui.widgets.customer_table import CustomerTable

    app = TempcheckApp(bad_values_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(CustomerTable)
        assert len(table.rows) == 25
        table.cursor = next(i for i, row in enumerate(table.rows) if row.name == "Acme Corp")
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running


async def test_the_chart_axis_of_a_single_day_spans_days_not_a_century(db_path, conn) -> None:
    import html
    import re
    from datetime import date, timedelta

    from tempcheck.store.checkins import add_checkin
    from tempcheck.store.customers import add_customer
    from tempcheck.tui.app import TempcheckApp
    from tempcheck.tui.screens.customer_detail import CustomerDetailScreen

    acme = add_customer(conn, "Acme Corp")
    add_checkin(conn, acme.id, 2, note="morning")
    add_checkin(conn, acme.id, 4, note="afternoon")
    app = TempcheckApp(db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerDetailScreen)
        svg = html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot()))
    days = {date.fromisoformat(day) for day in re.findall(r"\d{4}-\d{2}-\d{2}", svg)}
    today = date.today()
    assert len(days) >= 3  # the axis has its ticks
    assert all(abs(day - today) <= timedelta(days=3) for day in days), sorted(days)


# --- import: what the file says, or a clear refusal ------------------------------------------

UNBALANCED = (
    'a quote (") opened in this row is never closed, so the rest of the file would be one cell'
)


def test_an_unbalanced_quote_in_checkins_is_refused_with_its_line(
    run_tc, book, tmp_path, row_counts
) -> None:
    source = tmp_path / "q.csv"
    source.write_text(
        "customer,at,temperature,note\n"
        "Acme Corp,2026-01-01T10:00:00Z,3,fine\n"
        'Acme Corp,2026-01-02T10:00:00Z,3,"unbalanced\n'
        "Acme Corp,2026-01-03T10:00:00Z,3,x\n"
        "Acme Corp,2026-01-04T10:00:00Z,3,y\n"
    )
    before = row_counts(book)
    result = run_tc("import", "checkins", str(source))
    assert result.exit_code == 1
    assert f"q.csv:3: {UNBALANCED}\n" in result.stderr
    assert result.stderr.endswith("1 row has a problem; nothing was imported\n")
    assert row_counts(book) == before


def test_an_unbalanced_quote_in_customers_is_refused_with_its_line(
    run_tc, db_path, tmp_path
) -> None:
    source = tmp_path / "c.csv"
    source.write_text('name,notes\nA Ltd,"open\nB Ltd,x\nC Ltd,y\n')
    result = run_tc("import", "customers", str(source))
    assert result.exit_code == 1
    assert f"c.csv:2: {UNBALANCED}\n" in result.stderr


def test_a_note_over_128_kib_round_trips_through_export_and_import(run_tc, book, tmp_path) -> None:
    import sqlite3

    note = "n" * 200_000 + " end"
    assert run_tc("log", "acme", "4", "-", stdin=note).exit_code == 0
    exported = tmp_path / "out.csv"
    assert run_tc("export", "checkins", "-o", str(exported)).exit_code == 0
    other = tmp_path / "other.db"
    assert run_tc("add-customer", "Acme Corp", db=other).exit_code == 0
    result = run_tc("import", "checkins", str(exported), db=other)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Imported 1 check-in")
    raw = sqlite3.connect(other)
    assert raw.execute("SELECT note FROM checkins").fetchall() == [(note,)]
    raw.close()


def test_import_customers_keeps_paused_and_ended(run_tc, db_path, tmp_path) -> None:
    import sqlite3

    for args in (
        ["add-customer", "Acme Corp"],
        ["add-customer", "Initech"],
        ["add-customer", "Globex"],
        ["pause", "initech", "--until", "2027-01-15"],
        ["end", "globex", "--note", "contract over"],
    ):
        assert run_tc(*args).exit_code == 0, args
    exported = tmp_path / "customers.csv"
    assert run_tc("export", "customers", "-o", str(exported)).exit_code == 0
    other = tmp_path / "other.db"
    result = run_tc("import", "customers", str(exported), db=other)
    assert result.exit_code == 0, result.output
    raw = sqlite3.connect(other)
    rows = raw.execute("SELECT name, status, paused_until FROM customers ORDER BY name").fetchall()
    events = raw.execute("SELECT status, until, note FROM customer_events ORDER BY id").fetchall()
    raw.close()
    assert rows == [
        ("Acme Corp", "active", None),
        ("Globex", "ended", None),
        ("Initech", "paused", "2027-01-15"),
    ]
    assert sorted(events) == [("ended", None, "imported"), ("paused", "2027-01-15", "imported")]


def test_import_customers_refuses_an_unknown_status(run_tc, db_path, tmp_path) -> None:
    source = tmp_path / "c.csv"
    source.write_text("name,status,paused_until\nA Ltd,sleeping,\nB Ltd,ended,2027-01-01\n")
    result = run_tc("import", "customers", str(source))
    assert result.exit_code == 1
    assert "c.csv:2: status must be active, paused, ended, not 'sleeping'\n" in result.stderr
    assert "c.csv:3: paused_until goes with status paused, not ended\n" in result.stderr


# --- settings: bounded when set, survivable when stored ----------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "issues.at_risk_days",
            "99999999",
            "issues.at_risk_days must be from 0 to 365, not 99999999",
        ),
        (
            "cadence.default",
            "99999999999",
            "cadence.default must be from 1 to 3650, not 99999999999",
        ),
        ("cadence.default", "0", "cadence.default must be from 1 to 3650, not 0"),
        ("calibration.days", "4000", "calibration.days must be from 1 to 3650, not 4000"),
        ("staleness.cold", "inf", "staleness.cold must be greater than 0 and at most 100, not inf"),
        ("staleness.due", "nan", "staleness.due must be greater than 0 and at most 100, not nan"),
        ("staleness.due", "0", "staleness.due must be greater than 0 and at most 100, not 0"),
        (
            "trust.promise_kept_early",
            "1000",
            "trust.promise_kept_early must be from -100 to 100, not 1000",
        ),
        (
            "cadence.default",
            "9" * 5000,
            "cadence.default must be a whole number, not '" + "9" * 40 + "'",
        ),
    ],
)
def test_config_refuses_values_out_of_range(run_tc, db_path, key, value, message) -> None:
    result = run_tc("config", key, value)
    assert result.exit_code == 1
    assert result.stderr == f"tempcheck: {message}\n"


@pytest.fixture
def wild_settings_db(run_tc, db_path):
    import sqlite3

    assert run_tc("demo").exit_code == 0
    raw = sqlite3.connect(db_path)
    with raw:
        raw.executemany(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
            [
                ("issues.at_risk_days", "99999999"),
                ("cadence.default", "99999999999"),
                ("calibration.days", "99999999999999"),
                ("staleness.cold", "inf"),
                ("staleness.due", "5"),
                ("trust.promise_broken", "not a number"),
            ],
        )
    raw.close()
    return db_path


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["today"],
        ["show", "acme"],
        ["export", "dashboard"],
        ["export", "issues"],
        ["issue", "list"],
        ["config"],
        ["add-customer", "Newco"],
    ],
)
def test_out_of_range_stored_settings_are_survived(run_tc, wild_settings_db, args) -> None:
    result = run_tc(*args)
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_stored_settings_are_read_within_their_range(wild_settings_db) -> None:
    from tempcheck.store import open_db, settings

    conn = open_db(wild_settings_db)
    try:
        values = settings.read_all(conn)
        assert values["issues.at_risk_days"] == "365"
        assert values["cadence.default"] == "3650"
        assert values["calibration.days"] == "3650"
        assert values["staleness.cold"] == "100.0"
        assert values["trust.promise_broken"] == "-3"  # unreadable: the default
        assert settings.get_int(conn, "cadence.default") == 3650
        # due 5 > overdue 1: out of order, so the dashboard uses the default thresholds
        assert settings.thresholds(conn) == settings.Thresholds(0.75, 1.0, 2.0)
    finally:
        conn.close()


async def test_the_dashboard_opens_with_out_of_range_settings(wild_settings_db) -> None:
    from tempcheck.tui.app import TempcheckApp
    from tempcheck.tui.widgets.customer_table import CustomerTable

    app = TempcheckApp(wild_settings_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.screen.query_one(CustomerTable).rows) == 25
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running


def test_edit_calibration_zero_names_the_calibration_interval(run_tc, book) -> None:
    result = run_tc("edit", "acme", "--calibration", "0")
    assert result.exit_code == 1
    assert result.stderr == (
        "tempcheck: the calibration interval must look like 14, 14d, 2w or 1m"
        " (1 day to 10 years), not '0'\n"
    )


# --- export -o: write through devices and pipes, replace only regular files ---------------------


def run_cli(*args: str, **kwargs: Any) -> Any:
    import subprocess

    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [str(TEMPCHECK), *args], stderr=subprocess.PIPE, text=True, timeout=60, **kwargs
    )


HEADER = "customer,title,detail,raised_by,opened_at,due,status,closed_at,resolution,uid"


def test_export_to_dev_stdout_writes_into_the_pipe(run_tc, book) -> None:
    assert run_tc("issue", "open", "acme", "Late report").exit_code == 0
    result = run_cli("--db", str(book), "export", "issues", "-o", "/dev/stdout")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == HEADER
    assert result.stdout.splitlines()[1].startswith("Acme Corp,Late report,")
    assert result.stderr == "Wrote 1 issue to /dev/stdout\n"


def test_export_force_through_a_link_to_stdout_keeps_the_link(run_tc, book, tmp_path) -> None:
    # A link of our own to /proc/self/fd/1 stands in for /dev/stdout, which a broken
    # build would replace for the whole machine.
    assert run_tc("issue", "open", "acme", "Late report").exit_code == 0
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    result = run_cli("--db", str(book), "export", "issues", "-o", str(link), "--force")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == HEADER
    assert len(result.stdout.splitlines()) == 2
    assert link.is_symlink() and str(link.readlink()) == "/proc/self/fd/1"


def test_export_to_stdout_redirected_into_a_file(run_tc, book, tmp_path) -> None:
    assert run_tc("issue", "open", "acme", "Late report").exit_code == 0
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    out = tmp_path / "out.csv"
    with out.open("w") as handle:
        result = run_cli(
            "--db", str(book), "export", "issues", "-o", str(link), "--force", stdout=handle
        )
    assert result.returncode == 0, result.stderr
    assert out.read_text().splitlines()[0] == HEADER
    assert len(out.read_text().splitlines()) == 2
    assert link.is_symlink()


def test_export_through_a_link_to_a_fifo(run_tc, book, tmp_path) -> None:
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    link.symlink_to(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # so the writer never waits
    try:
        result = run_tc("export", "issues", "-o", str(link), "--force")
        try:
            received = os.read(reader, 1 << 16)
        except BlockingIOError:
            received = b""
    finally:
        os.close(reader)
    assert result.exit_code == 0, result.output
    assert received.decode().splitlines() == [HEADER]
    assert link.is_symlink() and fifo.exists()


def test_export_does_not_chmod_a_device(run_tc, book) -> None:
    import os

    before = os.stat("/dev/null").st_mode
    result = run_tc("export", "issues", "-o", "/dev/null")
    assert result.exit_code == 0, result.output
    assert os.stat("/dev/null").st_mode == before


def test_export_to_a_dangling_link(run_tc, book, tmp_path) -> None:
    link = tmp_path / "dangling.csv"
    link.symlink_to(tmp_path / "nowhere" / "x.csv")
    result = run_tc("export", "issues", "-o", str(link))
    assert result.exit_code == 1
    assert result.stderr == (
        f"tempcheck: {link} is a link to {tmp_path / 'nowhere' / 'x.csv'}, which does not exist;"
        " use --force to replace the link with the file\n"
    )
    result = run_tc("export", "issues", "-o", str(link), "--force")
    assert result.exit_code == 0, result.output
    assert not link.is_symlink()
    assert link.read_text().splitlines() == [HEADER]
    assert oct(link.stat().st_mode & 0o777) == "0o600"


# --- misleading messages ---------------------------------------------------------------------


def test_a_device_as_the_database_is_named_and_left_alone() -> None:
    import os

    result = run_cli("--db", "/dev/null", "list")
    assert result.returncode == 1
    assert result.stderr == (
        "tempcheck: /dev/null is not a file (a device, pipe or socket); nothing was written\n"
    )
    assert not os.path.exists("/dev/null-journal")
    assert not os.path.exists("/dev/null-wal")


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (b"\xff", "argument 6 is not UTF-8 text (byte 0xff at character 1); nothing was done"),
        (b"caf\xc3", "argument 6 is not UTF-8 text (byte 0xc3 at character 4); nothing was done"),
    ],
)
def test_bytes_that_are_not_utf8_are_named(run_tc, book, note: bytes, message: str) -> None:
    import subprocess

    result = subprocess.run(
        [str(TEMPCHECK).encode(), b"--db", str(book).encode(), b"log", b"acme", b"3", note],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.decode() == f"tempcheck: {message}\n"
    assert run_tc("list", "--format", "json").stdout.count('"last_temperature": null') == 1


# --- backup ------------------------------------------------------------------------------------


def damage_an_index(path) -> None:
    """Point an index at another column: every row is then missing from it."""
    import sqlite3

    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA writable_schema = ON")
    raw.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX checkins_customer_at ON checkins"
        " (customer_id, note, temperature, initiated_by)' WHERE name = 'checkins_customer_at'"
    )
    raw.execute("PRAGMA writable_schema = OFF")
    raw.close()


def test_backup_of_a_damaged_database_says_so(run_tc, book, tmp_path) -> None:
    for n in range(2):
        assert run_tc("log", "acme", "4", f"note {n}").exit_code == 0
    damage_an_index(book)
    target = tmp_path / "copy.db"
    result = run_tc("backup", str(target))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"Backed up 1 customer and 2 check-ins to {target} (")
    assert result.stderr == (
        "tempcheck: the database fails its integrity check (row 1 missing from index"
        " checkins_customer_at; row 2 missing from index checkins_customer_at); the copy holds"
        " it as it is. Keep both files and restore from an earlier backup if you have one\n"
    )
    assert target.exists()


def test_two_backups_in_the_same_second_get_two_names(run_tc, book, tmp_path) -> None:
    import time_machine

    with time_machine.travel("2026-11-24 09:30:15 +00:00", tick=False):
        first = run_tc("backup", str(tmp_path))
        second = run_tc("backup", str(tmp_path))
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    import re

    names = sorted(p.name for p in tmp_path.glob("tempcheck-backup-*.db"))
    assert len(names) == 2
    first_name = re.fullmatch(r"tempcheck-backup-(\d{8}-\d{6})\.db", names[1])
    assert first_name is not None, names  # local time, whatever the zone
    assert names[0] == f"tempcheck-backup-{first_name[1]}-2.db"
    assert f"/{names[0]} (" in second.stdout


def test_an_explicit_backup_name_is_never_reused(run_tc, book, tmp_path) -> None:
    target = tmp_path / "mine.db"
    assert run_tc("backup", str(target)).exit_code == 0
    result = run_tc("backup", str(target))
    assert result.exit_code == 1
    assert result.stderr == (
        f"tempcheck: {target} already exists; choose another name (nothing was written)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "checkins", "--until", "9999-12-31"], "--until 9999-12-31"),
        (["export", "followups", "--since", "1000-01-01"], "--since 1000-01-01"),
        (["export", "checkins", "--since", "0001-01-01"], "--since 0001-01-01"),
    ],
)
def test_export_ranges_beyond_the_years_are_refused(run_tc, book, args, message) -> None:
    result = run_tc(*args)
    assert result.exit_code == 1
    assert result.stderr == f"tempcheck: {message} is outside the years 1900-2999\n"


def test_a_calendar_export_survives_the_last_day_of_the_calendar(run_tc, book) -> None:
    assert run_tc("promise", "add", "acme", "Someday", "--due", "9999-12-31").exit_code == 0
    result = run_tc("export", "ics")
    assert result.exit_code == 0, result.output
    assert "DTSTART;VALUE=DATE:99991231" in result.stdout
