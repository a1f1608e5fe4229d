"""The store: private files, the connection's settings, write transactions, error sentences,
customers and check-ins, and the contact summary the dashboard reads."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from helpers import MEMORY_DIR, NOW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tempcheck.domain import clock
from tempcheck.store import StoreError, describe, open_db, summary, write
from tempcheck.store import checkins as checkin_store
from tempcheck.store import customers as customer_store
from tempcheck.store import sample as demo
from tempcheck.store import settings as settings_store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """Run with umask 0, so only tempcheck's own choice of mode protects the files."""
    old = os.umask(0)
    yield
    os.umask(old)


# --- files and connection --------------------------------------------------------------------


def test_database_wal_and_shm_files_are_owner_only(tmp_path: Path, open_umask) -> None:
    path = tmp_path / "private.db"
    connection = open_db(path)
    try:
        customer_store.add_customer(connection, "Acme")  # a write makes the -wal grow
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert wal.exists() and shm.exists()
        assert mode(path) == 0o600
        assert mode(wal) == 0o600
        assert mode(shm) == 0o600
    finally:
        connection.close()


def test_a_folder_the_store_creates_is_owner_only(tmp_path: Path, open_umask) -> None:
    path = tmp_path / "made" / "private" / "tempcheck.db"
    open_db(path).close()
    assert path.parent.is_dir()
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


def test_an_existing_folder_is_left_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    open_db(folder / "x.db").close()
    assert mode(folder) == 0o755


def test_open_db_without_create_refuses_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(StoreError, match="no database at"):
        open_db(path, create=False)
    assert not path.exists()


def test_connection_settings(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.isolation_level is None  # autocommit; writes are grouped with write()


def test_busy_timeout_follows_the_module_setting(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tempcheck.store import connection as connection_module

    monkeypatch.setattr(connection_module, "BUSY_TIMEOUT_S", 0.5)
    connection = open_db(db_path)
    try:
        assert connection.execute("PRAGMA busy_timeout").fetchone()[0] == 500
    finally:
        connection.close()


def test_write_takes_the_write_lock_up_front(conn: sqlite3.Connection, db_path: Path) -> None:
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        with write(conn):
            assert conn.in_transaction
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once committed
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_write_rolls_back_everything_on_error(conn: sqlite3.Connection) -> None:
    with pytest.raises(RuntimeError), write(conn):
        customer_store.add_customer(conn, "Acme")  # joins the outer transaction
        raise RuntimeError("boom")
    assert not conn.in_transaction
    assert customer_store.count(conn) == 0


@pytest.mark.parametrize(
    ("sqlite_message", "expected"),
    [
        ("database is locked", "locked by another program"),
        ("attempt to write a readonly database", "read-only; nothing was written"),
        ("database or disk is full", "disk is full; nothing was written"),
        ("unable to open database file", "is its folder writable"),
        ("no such table: x", "database error"),
    ],
)
def test_describe_turns_sqlite_errors_into_one_sentence(sqlite_message: str, expected: str) -> None:
    error = describe(sqlite3.OperationalError(sqlite_message), "/data/t.db")
    assert isinstance(error, StoreError)
    assert expected in str(error)
    assert "/data/t.db" in str(error)
    assert "\n" not in str(error)


# --- customers -------------------------------------------------------------------------------


def test_add_customer_defaults_and_trimming(conn: sqlite3.Connection) -> None:
    customer = customer_store.add_customer(conn, "  Acme Corp  ", contact="  Dana ")
    assert customer.name == "Acme Corp"
    assert customer.contact == "Dana"
    assert customer.cadence_days == 14
    assert customer.kind == "relationship" and customer.status == "active"
    assert len(customer.uid) == 36
    stored = conn.execute("SELECT name, name_key FROM customers").fetchone()
    assert stored == ("Acme Corp", "acme corp")


def test_default_cadence_comes_from_settings(conn: sqlite3.Connection) -> None:
    settings_store.put(conn, "cadence.default", "21")
    assert customer_store.add_customer(conn, "Acme").cadence_days == 21


@pytest.mark.parametrize("clash", ["acme corp", "ACME CORP", "Acme  Corp", " acme corp "])
def test_names_are_unique_regardless_of_case_and_spacing(
    conn: sqlite3.Connection, clash: str
) -> None:
    customer_store.add_customer(conn, "Acme Corp")
    with pytest.raises(StoreError, match="already exists"):
        customer_store.add_customer(conn, clash)
    assert customer_store.count(conn) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "   "}, "needs a name"),
        ({"name": "x" * 201}, "at most 200"),
        ({"name": "Acme", "cadence_days": 0}, "at least 1 day"),
        ({"name": "Acme", "kind": "friendship"}, "kind must be"),
    ],
)
def test_bad_customers_are_refused_and_nothing_is_written(
    conn: sqlite3.Connection, kwargs: dict, message: str
) -> None:
    with pytest.raises(StoreError, match=message):
        customer_store.add_customer(conn, **kwargs)
    assert customer_store.count(conn) == 0


def test_resolve_finds_exact_prefix_and_fuzzy(conn: sqlite3.Connection) -> None:
    for name in ("Acme", "Acme Corp", "Globex Logistics", "Initech"):
        customer_store.add_customer(conn, name)
    assert customer_store.resolve(conn, "ACME").name == "Acme"  # exact beats prefix
    assert customer_store.resolve(conn, "glob").name == "Globex Logistics"
    assert customer_store.resolve(conn, "logistics").name == "Globex Logistics"  # a word
    with pytest.raises(customer_store.CustomerNotFound) as near:  # a typo is only suggested
        customer_store.resolve(conn, "Inittech")
    assert near.value.suggestions == ["Initech"]
    with pytest.raises(customer_store.AmbiguousCustomer) as ambiguous:
        customer_store.resolve(conn, "acm")
    assert ambiguous.value.candidates == ["Acme", "Acme Corp"]
    with pytest.raises(customer_store.CustomerNotFound):
        customer_store.resolve(conn, "Zebra Holdings")


def test_status_changes_are_kept_as_events(conn: sqlite3.Connection) -> None:
    customer = customer_store.add_customer(conn, "Acme")
    customer_store.set_status(conn, customer.id, "paused", until=dt.date(2026, 12, 1))
    customer_store.set_status(conn, customer.id, "ended", note="contract over")
    events = conn.execute("SELECT status, until, note FROM customer_events ORDER BY id").fetchall()
    assert events == [("paused", "2026-12-01", ""), ("ended", None, "contract over")]
    assert customer_store.get_customer(conn, customer.id).status == "ended"


# --- check-ins -------------------------------------------------------------------------------


def test_add_checkin_stores_every_field_and_its_follow_up(conn: sqlite3.Connection) -> None:
    customer = customer_store.add_customer(conn, "Acme")
    at = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC)
    saved = checkin_store.add_checkin(
        conn,
        customer.id,
        2,
        note="late report",
        channel="call",
        initiated_by="them",
        at=at,
        fell_short="report came late",
        follow_up=dt.date(2026, 12, 1),
    )
    row = conn.execute(
        "SELECT customer_id, at, temperature, channel, initiated_by, note, fell_short, follow_up"
        " FROM checkins WHERE id = ?",
        (saved.id,),
    ).fetchone()
    assert row == (
        customer.id,
        "2026-11-23T14:30:00.000000Z",
        2,
        "call",
        "them",
        "late report",
        "report came late",
        "2026-12-01",
    )
    followup = conn.execute("SELECT customer_id, due, checkin_id FROM followups").fetchall()
    assert followup == [(customer.id, "2026-12-01", saved.id)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temperature": 0}, "temperature must be 1-5"),
        ({"temperature": 6}, "temperature must be 1-5"),
        ({"temperature": 3, "channel": "pigeon"}, "channel must be"),
        ({"temperature": 3, "initiated_by": "nobody"}, "who reached out"),
        ({"temperature": 3, "issue_id": 12345}, "not one of this customer's issues"),
    ],
)
def test_bad_checkins_are_refused_and_nothing_is_written(
    conn: sqlite3.Connection, kwargs: dict, message: str
) -> None:
    customer = customer_store.add_customer(conn, "Acme")
    with pytest.raises(StoreError, match=message):
        checkin_store.add_checkin(conn, customer.id, **kwargs)
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM followups").fetchone()[0] == 0


def test_checkin_for_a_missing_customer_is_refused(conn: sqlite3.Connection) -> None:
    with pytest.raises(StoreError, match="no customer"):
        checkin_store.add_checkin(conn, 999, 3)
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


def test_undo_removes_the_checkin_and_its_follow_up(conn: sqlite3.Connection) -> None:
    customer = customer_store.add_customer(conn, "Acme")
    saved = checkin_store.add_checkin(conn, customer.id, 4, follow_up=dt.date(2026, 12, 1))
    checkin_store.undo_checkin(conn, saved.id)
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM followups").fetchone()[0] == 0


# --- the contact summary ---------------------------------------------------------------------


def computed_summary(connection: sqlite3.Connection) -> dict[int, tuple[str | None, str]]:
    """Last contact and newest 8 temperatures per customer, worked out from the check-ins."""
    result = {}
    for (cid,) in connection.execute("SELECT id FROM customers"):
        found = connection.execute(
            "SELECT at, temperature FROM checkins WHERE customer_id = ? ORDER BY at DESC",
            (cid,),
        ).fetchall()
        result[cid] = (found[0][0] if found else None, "".join(str(t) for _, t in found[:8]))
    return result


def stored_summary(connection: sqlite3.Connection) -> dict[int, tuple[str | None, str]]:
    stored = {
        cid: (last, recent)
        for cid, last, recent in connection.execute("SELECT * FROM contact_summary")
    }
    return {
        cid: stored.get(cid, (None, ""))
        for (cid,) in connection.execute("SELECT id FROM customers")
    }


def at(days_ago: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days_ago)


def test_summary_follows_inserts_backdated_inserts_updates_and_deletes(
    conn: sqlite3.Connection,
) -> None:
    acme = customer_store.add_customer(conn, "Acme")
    other = customer_store.add_customer(conn, "Other")
    first = checkin_store.add_checkin(conn, acme.id, 4, at=at(10))
    assert stored_summary(conn)[acme.id] == (clock.to_stored(at(10)), "4")
    newest = checkin_store.add_checkin(conn, acme.id, 2, at=at(1))
    assert stored_summary(conn)[acme.id] == (clock.to_stored(at(1)), "24")
    # Backdated: older than the newest, so the last contact stays but the history fills in.
    checkin_store.add_checkin(conn, acme.id, 5, at=at(5))
    assert stored_summary(conn)[acme.id] == (clock.to_stored(at(1)), "254")
    assert stored_summary(conn) == computed_summary(conn)
    # Undo the newest: the previous one becomes the last contact.
    checkin_store.undo_checkin(conn, newest.id)
    assert stored_summary(conn)[acme.id] == (clock.to_stored(at(5)), "54")
    # Moving a check-in to another customer updates both.
    conn.execute("UPDATE checkins SET customer_id = ? WHERE id = ?", (other.id, first.id))
    assert stored_summary(conn) == computed_summary(conn)
    assert stored_summary(conn)[other.id] == (clock.to_stored(at(10)), "4")
    # Deleting a customer's only check-in makes them never contacted again.
    checkin_store.undo_checkin(conn, first.id)
    assert stored_summary(conn)[other.id] == (None, "")
    from tempcheck.store.dashboard import dashboard_rows

    row = next(r for r in dashboard_rows(conn, now=NOW) if r.name == "Other")
    assert row.staleness.value == "never" and row.last_at is None


def test_summary_keeps_only_the_eight_newest_temperatures(conn: sqlite3.Connection) -> None:
    acme = customer_store.add_customer(conn, "Acme")
    temps = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]
    for index, temp in enumerate(temps):
        checkin_store.add_checkin(conn, acme.id, temp, at=at(len(temps) - index))
    assert stored_summary(conn)[acme.id][1] == "".join(str(t) for t in reversed(temps))[:8]
    assert stored_summary(conn) == computed_summary(conn)


def test_summary_after_bulk_synthetic_load_matches_a_fresh_computation(
    conn: sqlite3.Connection,
) -> None:
    demo.write_sample(conn, now=NOW)
    demo.write_synthetic(conn, 200, 5000, seed=3, now=NOW)
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] > 5000
    assert stored_summary(conn) == computed_summary(conn)
    # The triggers are back after the bulk load and keep working.
    triggers = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'checkins'"
        " AND name LIKE 'checkins_summary_%'"
    ).fetchone()[0]
    assert triggers == 3
    customer_id = conn.execute("SELECT max(id) FROM customers").fetchone()[0]
    checkin_store.add_checkin(conn, customer_id, 1, at=NOW)
    last_at, recent = stored_summary(conn)[customer_id]
    assert last_at == clock.to_stored(NOW)
    assert recent == computed_summary(conn)[customer_id][1]
    assert stored_summary(conn)[customer_id][1].startswith("1")


def test_a_failed_bulk_load_leaves_triggers_and_rows_as_they_were(
    conn: sqlite3.Connection,
) -> None:
    acme = customer_store.add_customer(conn, "Acme")
    with pytest.raises(sqlite3.IntegrityError), write(conn), summary.bulk_checkins(conn):
        conn.execute(
            "INSERT INTO checkins (customer_id, at, temperature, created_at) VALUES (?, ?, 3, ?)",
            (acme.id, "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z"),
        )
        conn.execute(
            "INSERT INTO checkins (customer_id, at, temperature, created_at) VALUES (?, ?, 9, ?)",
            (acme.id, "2026-01-02T00:00:00.000000Z", "2026-01-02T00:00:00.000000Z"),
        )
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0
    triggers = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'checkins'"
        " AND name LIKE 'checkins_summary_%'"
    ).fetchone()[0]
    assert triggers == 3
    checkin_store.add_checkin(conn, acme.id, 4, at=NOW)
    assert stored_summary(conn)[acme.id] == (clock.to_stored(NOW), "4")


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 2), st.integers(0, 10_000), st.integers(1, 5)),
        st.tuples(st.just("undo"), st.integers(0, 50)),
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_property_summary_always_matches_the_checkins(ops) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(dir=MEMORY_DIR) as folder:
        connection = open_db(Path(folder) / "t.db")
        try:
            ids = [customer_store.add_customer(connection, f"C{n}").id for n in range(3)]
            used_minutes: set[int] = set()
            live: list[int] = []
            for op in ops:
                if op[0] == "add":
                    _, who, minute, temp = op
                    if minute in used_minutes:  # distinct times: the newest is well defined
                        continue
                    used_minutes.add(minute)
                    moment = NOW - dt.timedelta(minutes=minute)
                    live.append(checkin_store.add_checkin(connection, ids[who], temp, at=moment).id)
                elif live:
                    checkin_store.undo_checkin(connection, live.pop(op[1] % len(live)))
            assert stored_summary(connection) == computed_summary(connection)
        finally:
            connection.close()
