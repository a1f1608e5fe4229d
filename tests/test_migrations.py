"""Schema versions: a new file gets the latest schema, older files upgrade keeping every row,
and files tempcheck must not touch (newer, foreign, not SQLite, a directory) are refused
without a single byte changing."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from helpers import MEMORY_DIR, sha256, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tempcheck.domain.matching import key
from tempcheck.store import StoreError, open_db
from tempcheck.store import migrations as migrations_module
from tempcheck.store.migrations import LATEST, MIGRATIONS, migrate, schema_version

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "schema_v1.db"

TABLES_V1 = {"settings", "customers", "checkins", "contact_summary"}
TABLES_V2 = TABLES_V1 | {
    "customer_events",
    "issues",
    "issue_closures",
    "promises",
    "promise_settlements",
    "followups",
    "followup_events",
    "concerns",
    "concern_events",
}
SUMMARY_TRIGGERS = {"checkins_summary_insert", "checkins_summary_delete", "checkins_summary_update"}


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def tables(connection: sqlite3.Connection) -> set[str]:
    return {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def rows(connection: sqlite3.Connection, table: str, columns: str = "*") -> list[tuple]:
    return connection.execute(f"SELECT {columns} FROM {table} ORDER BY 1").fetchall()


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    """A private copy of the committed v1 fixture (the original must never be opened for write)."""
    target = tmp_path / "upgrade" / "v1.db"
    target.parent.mkdir()
    shutil.copyfile(FIXTURE_V1, target)
    return target


# --- a new, empty database -------------------------------------------------------------------


def test_new_database_gets_the_latest_schema_with_every_table(db_path: Path) -> None:
    connection = open_db(db_path)
    try:
        assert LATEST == len(MIGRATIONS) >= 2
        assert schema_version(connection) == LATEST
        assert TABLES_V2 <= tables(connection)
        triggers = {
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
        assert SUMMARY_TRIGGERS <= triggers
        indexes = {
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='index'")
        }
        assert "checkins_customer_at" in indexes
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert connection.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()


def test_a_zero_byte_file_is_initialised_like_a_new_one(db_path: Path) -> None:
    db_path.touch(mode=0o600)
    connection = open_db(db_path)
    try:
        assert schema_version(connection) == LATEST
        assert TABLES_V2 <= tables(connection)
    finally:
        connection.close()


def test_opening_twice_does_not_migrate_again(db_path: Path) -> None:
    open_db(db_path).close()
    connection = open_db(db_path)
    try:
        assert migrate(connection) == 0
        assert schema_version(connection) == LATEST
    finally:
        connection.close()


def test_migrate_steps_one_version_at_a_time(db_path: Path) -> None:
    connection = raw(db_path)
    try:
        assert migrate(connection, target=1) == 1
        assert schema_version(connection) == 1
        assert tables(connection) == TABLES_V1
        assert migrate(connection) == LATEST - 1
        assert TABLES_V2 <= tables(connection)
    finally:
        connection.close()


def test_a_failing_migration_step_leaves_the_file_as_it_was(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_db(db_path).close()
    broken = "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n"
    monkeypatch.setattr(migrations_module, "MIGRATIONS", [*MIGRATIONS, broken])
    connection = raw(db_path)
    try:
        with pytest.raises(sqlite3.OperationalError):
            migrate(connection, target=LATEST + 1)
        assert schema_version(connection) == LATEST
        assert "half_done" not in tables(connection)
        assert not connection.in_transaction
    finally:
        connection.close()


# --- upgrading the committed v1 file ---------------------------------------------------------


def test_v1_fixture_is_really_version_1() -> None:
    connection = sqlite3.connect(f"file:{FIXTURE_V1}?mode=ro", uri=True)
    try:
        assert schema_version(connection) == 1
        assert tables(connection) == TABLES_V1
    finally:
        connection.close()


def test_v1_upgrade_keeps_every_row_and_value(v1_copy: Path) -> None:
    original_hash = sha256(FIXTURE_V1)
    before = raw(v1_copy)
    old = {table: rows(before, table) for table in TABLES_V1}
    v1_columns = {
        table: ", ".join(r[1] for r in before.execute(f"PRAGMA table_info({table})"))
        for table in TABLES_V1
    }
    before.close()
    assert len(old["customers"]) == 3 and len(old["checkins"]) == 3
    assert old["settings"] == [("staleness.cold", "2.5")]

    connection = open_db(v1_copy)
    try:
        assert schema_version(connection) == LATEST
        for table in TABLES_V1:
            assert rows(connection, table, v1_columns[table]) == old[table], table
        # New columns start empty rather than inventing values.
        assert rows(connection, "customers", "paused_until, calibration_days") == [(None, None)] * 3
        assert rows(connection, "checkins", "issue_id") == [(None,)] * 3
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        # The exact unicode name survives, and still resolves case-insensitively.
        names = [r[0] for r in connection.execute("SELECT name FROM customers ORDER BY id")]
        assert names == ["Acme Corp", "Globex Ümlaut 日本", "Never Called Ltd"]
        assert key("GLOBEX ÜMLAUT 日本") == "globex ümlaut 日本"
    finally:
        connection.close()
    assert sha256(FIXTURE_V1) == original_hash, "the committed fixture must never be written"


def test_v1_follow_up_becomes_a_followups_row(v1_copy: Path) -> None:
    connection = open_db(v1_copy)
    try:
        followups = connection.execute(
            "SELECT customer_id, due, note, created_at, checkin_id, issue_id FROM followups"
        ).fetchall()
        checkin = connection.execute(
            "SELECT id, created_at FROM checkins WHERE follow_up = '2026-12-01'"
        ).fetchone()
        assert followups == [(1, "2026-12-01", "fine", checkin[1], checkin[0], None)]
        uid = connection.execute("SELECT uid FROM followups").fetchone()[0]
        assert len(uid) == 36 and uid.count("-") == 4
        # It shows as the customer's next follow-up on the dashboard.
        from tempcheck.store.dashboard import dashboard_rows

        acme = next(r for r in dashboard_rows(connection) if r.name == "Acme Corp")
        assert str(acme.next_due) == "2026-12-01" and acme.next_due_kind == "follow-up"
    finally:
        connection.close()
    again = open_db(v1_copy)  # re-opening must not copy the follow-up a second time
    try:
        assert again.execute("SELECT count(*) FROM followups").fetchone()[0] == 1
    finally:
        again.close()


def test_v1_upgrade_keeps_settings_working(v1_copy: Path) -> None:
    from tempcheck.store import settings as settings_store

    connection = open_db(v1_copy)
    try:
        assert settings_store.thresholds(connection).cold == 2.5
    finally:
        connection.close()


def test_v1_upgrade_through_the_cli(v1_copy: Path, run_tc) -> None:
    import json

    result = run_tc("list", "--format", "json", db=v1_copy)
    assert result.exit_code == 0, result.output
    names = {record["name"] for record in json.loads(result.stdout)}
    assert names == {"Acme Corp", "Globex Ümlaut 日本", "Never Called Ltd"}


# --- files that must be refused untouched ----------------------------------------------------


def make_tempcheck_db(path: Path, version: int | None = None) -> None:
    connection = open_db(path)
    connection.execute(
        "INSERT INTO customers (name, name_key, created_at) VALUES ('Acme', 'acme', '2026-01-01')"
    )
    connection.close()
    if version is not None:
        connection = raw(path)
        connection.execute(f"PRAGMA user_version = {version}")
        connection.execute("PRAGMA journal_mode = DELETE")  # fold the WAL into the file
        connection.close()


def test_newer_schema_is_refused_with_a_clear_message_and_not_written(tmp_path: Path) -> None:
    folder = tmp_path / "newer"
    folder.mkdir()
    path = folder / "future.db"
    make_tempcheck_db(path, version=999)
    before = snapshot(folder)
    with pytest.raises(StoreError) as refused:
        open_db(path)
    message = str(refused.value)
    assert "newer" in message and "999" in message and str(LATEST) in message
    assert "\n" not in message
    assert snapshot(folder) == before


def test_newer_schema_is_refused_by_every_command(tmp_path: Path, run_tc) -> None:
    folder = tmp_path / "newer"
    folder.mkdir()
    path = folder / "future.db"
    make_tempcheck_db(path, version=LATEST + 1)
    before = snapshot(folder)
    for args in (
        ["list"],
        ["log", "Acme", "4", "note"],
        ["add-customer", "Other"],
        ["config", "staleness.due", "0.5"],
        ["demo", "--force"],
    ):
        result = run_tc(*args, db=path)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.count("\n") == 1 and "newer tempcheck" in result.stderr, args
        assert "Traceback" not in result.output
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    "content",
    [
        b"hello, this is a text file\n" * 200,
        bytes(range(256)) * 64,
        b"SQLite format 3\x00" + b"\xff" * 4000,
    ],
    ids=["text", "binary", "bad-sqlite-header"],
)
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    folder = tmp_path / "notdb"
    folder.mkdir()
    path = folder / "notes.txt"
    path.write_bytes(content)
    before = snapshot(folder)
    with pytest.raises(StoreError, match="not a tempcheck database|damaged"):
        open_db(path)
    assert snapshot(folder) == before


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    with pytest.raises(StoreError, match="is a directory"):
        open_db(folder)
    assert list(folder.iterdir()) == []


def make_foreign_db(path: Path, user_version: int) -> None:
    connection = raw(path)
    connection.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)")
    connection.execute("INSERT INTO recipes (title) VALUES ('pancakes')")
    connection.execute(f"PRAGMA user_version = {user_version}")
    connection.close()


def test_a_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "foreign"
    folder.mkdir()
    path = folder / "recipes.db"
    make_foreign_db(path, 0)
    before = snapshot(folder)
    with pytest.raises(StoreError, match="not a tempcheck one"):
        open_db(path)
    assert snapshot(folder) == before


@pytest.mark.parametrize("user_version", [1, 2])
def test_a_foreign_database_with_a_user_version_is_refused_untouched(
    tmp_path: Path, user_version: int
) -> None:
    folder = tmp_path / "foreign"
    folder.mkdir()
    path = folder / "other-app.db"
    make_foreign_db(path, user_version)
    before = snapshot(folder)
    with pytest.raises(StoreError, match="not a tempcheck"):
        open_db(path)
    assert snapshot(folder) == before


# --- property: any v1 content survives the upgrade -------------------------------------------

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip())
stamps = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2099, 12, 31),
).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
notes = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60
)
checkin = st.tuples(
    st.integers(0, 50),  # which customer (modulo the number of customers)
    stamps,
    st.integers(1, 5),
    st.sampled_from(["hallway", "call", "video", "email", "meeting", "social"]),
    st.sampled_from(["us", "them"]),
    notes,
    notes,
    st.one_of(st.none(), st.dates().map(lambda d: d.isoformat())),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    customers=st.lists(
        st.tuples(names, st.sampled_from(["relationship", "transactional"]), st.integers(1, 400)),
        min_size=1,
        max_size=8,
        unique_by=lambda c: key(c[0]),
    ),
    checkins=st.lists(checkin, max_size=25),
)
def test_property_migrating_v1_keeps_every_row(customers, checkins) -> None:
    with tempfile.TemporaryDirectory(dir=MEMORY_DIR) as folder:
        path = Path(folder) / "v1.db"
        connection = raw(path)
        migrate(connection, target=1)
        for name, kind, cadence in customers:
            connection.execute(
                "INSERT INTO customers (name, name_key, kind, cadence_days, created_at)"
                " VALUES (?, ?, ?, ?, '2025-01-01T00:00:00.000000Z')",
                (name, key(name), kind, cadence),
            )
        for which, at, temp, channel, by, note, short, follow_up in checkins:
            connection.execute(
                "INSERT INTO checkins (customer_id, at, temperature, channel, initiated_by, note,"
                " fell_short, follow_up, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (1 + which % len(customers), at, temp, channel, by, note, short, follow_up, at),
            )
        old = {table: rows(connection, table) for table in TABLES_V1}
        connection.close()

        upgraded = open_db(path)
        try:
            assert schema_version(upgraded) == LATEST
            assert (
                rows(
                    upgraded,
                    "customers",
                    "id, uid, name, name_key, kind, cadence_days,"
                    " contact, status, notes, created_at",
                )
                == old["customers"]
            )
            assert (
                rows(
                    upgraded,
                    "checkins",
                    "id, uid, customer_id, at, temperature, channel,"
                    " initiated_by, note, fell_short, follow_up, created_at",
                )
                == old["checkins"]
            )
            assert rows(upgraded, "settings") == old["settings"]
            assert rows(upgraded, "contact_summary") == old["contact_summary"]
            expected_followups = sorted(
                (r[2], r[9], r[7], r[0]) for r in old["checkins"] if r[9] is not None
            )
            assert (
                sorted(
                    upgraded.execute(
                        "SELECT customer_id, due, note, checkin_id FROM followups"
                    ).fetchall()
                )
                == expected_followups
            )
        finally:
            upgraded.close()


# --- every earlier version's file upgrades keeping every row ---------------------------------

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("schema_v*.db"))


def _all_rows(path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE '%\\_fts%' ESCAPE '\\'"  # full-text indexes: derived
            )
        ]
        found = {}
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
            found[table] = ([d[0] for d in cursor.description], cursor.fetchall())
        return found
    finally:
        conn.close()


def test_there_is_a_fixture_for_every_earlier_version() -> None:
    versions = sorted(int(path.stem.removeprefix("schema_v")) for path in FIXTURES)
    assert versions == list(range(1, LATEST))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_each_earlier_version_upgrades_keeping_every_row_and_value(
    fixture: Path, tmp_path: Path
) -> None:
    path = tmp_path / fixture.name
    shutil.copyfile(fixture, path)
    before = _all_rows(path)
    assert sum(len(rows) for _, rows in before.values()) > 5
    open_db(path).close()
    after = _all_rows(path)
    for table, (columns, rows) in before.items():
        if table == "contact_summary":
            continue  # derived from check-ins; checked by the summary tests
        upgraded_columns, upgraded_rows = after[table]
        keep = [upgraded_columns.index(column) for column in columns]
        assert [tuple(row[i] for i in keep) for row in upgraded_rows] == rows, table
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
