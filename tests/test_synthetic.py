"""Synthetic data at scale (``tempcheck demo --customers N --checkins M``).

The generator writes in bulk, around the triggers, into a file without a journal; these
tests hold it to what the normal write path would have left: the same summaries,
attention index, search index and dashboard, the same rows for the same seed, a
finished file or none at all.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from tempcheck.domain import clock
from tempcheck.store import StoreError, open_db, sample, write
from tempcheck.store import checkins as checkin_store
from tempcheck.store import customers as customer_store
from tempcheck.store.dashboard import dashboard_rows, first_page
from tempcheck.store.search import search
from tempcheck.store.summary import ensure_search_index

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def rows(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()


def replay(generated: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Write the generated customers and check-ins again, one at a time, through the
    store's normal functions (their triggers keep every derived table)."""
    for name, kind, cadence, created in rows(
        generated, "SELECT name, kind, cadence_days, created_at FROM customers ORDER BY id"
    ):
        customer_store.add_customer(
            target, name, kind=kind, cadence_days=cadence, created_at=clock.from_stored(created)
        )
    for cid, at, temperature, channel, who, note in rows(
        generated,
        "SELECT customer_id, at, temperature, channel, initiated_by, note FROM checkins"
        " ORDER BY id",
    ):
        checkin_store.add_checkin(
            target,
            cid,
            temperature,
            note=note,
            channel=channel,
            initiated_by=who,
            at=clock.from_stored(at),
        )


def test_derived_tables_equal_what_the_normal_write_path_leaves(tmp_path: Path) -> None:
    sample.write_synthetic_file(tmp_path / "gen.db", 50, 2000, seed=5, now=NOW)
    generated = open_db(tmp_path / "gen.db")
    normal = open_db(tmp_path / "normal.db")
    try:
        replay(generated, normal)
        same_rows = (
            "SELECT id, customer_id, at, temperature, channel, initiated_by, note, fell_short,"
            " follow_up, issue_id, contact_id FROM checkins ORDER BY id"
        )
        assert len(rows(generated, same_rows)) == 2000
        assert rows(generated, same_rows) == rows(normal, same_rows)
        for derived in (
            "SELECT * FROM contact_summary ORDER BY customer_id",
            "SELECT * FROM attention ORDER BY customer_id",
            "SELECT id, name, name_key, contact, status FROM customers ORDER BY id",
        ):
            assert rows(generated, derived) == rows(normal, derived), derived
        assert len(rows(generated, "SELECT * FROM contact_summary")) == 50
        assert dashboard_rows(generated, now=NOW) == dashboard_rows(normal, now=NOW)
        assert first_page(generated, 20, now=NOW) == first_page(normal, 20, now=NOW)
        # The check-in search index is built by the first search, then matches.
        for words in ("roadmap", "invoice dispute", "Customer 000007"):
            found = search(generated, words, limit=500)
            assert found == search(normal, words, limit=500)
            assert found, words
        assert rows(generated, "SELECT * FROM settings") == rows(normal, "SELECT * FROM settings")
    finally:
        generated.close()
        normal.close()


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_one_seed_gives_the_same_file_every_time(tmp_path: Path) -> None:
    paths = [tmp_path / f"run{n}.db" for n in range(3)]
    for path, seed in zip(paths, (11, 11, 12), strict=True):
        sample.write_synthetic_file(path, 30, 900, seed=seed, now=NOW)
    first, second, other = (dump(path) for path in paths)
    assert len(first) > 900
    assert first == second  # uids, timestamps, notes, summaries, indexes: all of it
    assert first != other
    conn = sqlite3.connect(paths[0])
    uids = rows(conn, "SELECT count(DISTINCT uid), min(length(uid)) FROM checkins")
    assert uids == [(900, 36)]
    conn.close()


def test_the_demo_command_gives_the_same_file_for_one_seed(run_tc, tmp_path: Path) -> None:
    paths = [tmp_path / "a" / "one.db", tmp_path / "two.db"]
    for path in paths:
        result = run_tc("demo", "--customers", "40", "--checkins", "1000", "--seed", "9", db=path)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("Wrote 40 customers and 1000 check-ins in ")
    assert dump(paths[0]) == dump(paths[1])


def test_rows_follow_the_documented_distribution(tmp_path: Path) -> None:
    sample.write_synthetic_file(tmp_path / "gen.db", 300, 60_001, seed=2, now=NOW)
    conn = sqlite3.connect(tmp_path / "gen.db")
    try:
        per_customer = Counter(
            dict(rows(conn, "SELECT customer_id, count(*) FROM checkins GROUP BY 1"))
        )
        assert per_customer[1] == 201 and per_customer[2] == 200 and per_customer[300] == 200
        assert sum(per_customer.values()) == 60_001 and len(per_customer) == 300
        lowest, highest = rows(conn, "SELECT min(at), max(at) FROM checkins")[0]
        assert lowest >= "2026-05-28T12:00:00.000000Z"  # 180 days before NOW
        assert highest < "2026-11-24T12:00:00.000000Z"
        # Ids follow time within each customer; created_at is the moment itself.
        assert rows(
            conn,
            "SELECT count(*) FROM checkins a JOIN checkins b ON b.id = a.id + 1"
            " AND b.customer_id = a.customer_id WHERE b.at < a.at OR a.created_at != a.at",
        ) == [(0,)]
        n = 60_001

        def shares(column: str) -> dict[object, float]:
            found = rows(conn, f"SELECT {column}, count(*) FROM checkins GROUP BY 1")
            return {value: count / n for value, count in found}

        temperatures = shares("temperature")
        for temperature, expected in {1: 0.125, 2: 0.125, 3: 0.25, 4: 0.375, 5: 0.125}.items():
            assert abs(temperatures[temperature] - expected) < 0.01, temperature
        channels = shares("channel")
        assert set(channels) == {"hallway", "call", "video", "email", "meeting", "social"}
        assert all(abs(share - 1 / 6) < 0.01 for share in channels.values())
        assert abs(shares("initiated_by")["us"] - 0.7) < 0.01
        notes = shares("note")
        assert len(notes) == 19 and all(abs(share - 1 / 19) < 0.006 for share in notes.values())
        cadences = Counter(c for (c,) in rows(conn, "SELECT cadence_days FROM customers"))
        assert set(cadences) == {7, 14, 21, 30} and cadences[14] > cadences[7]
        kinds = Counter(k for (k,) in rows(conn, "SELECT kind FROM customers"))
        assert kinds == {"relationship": 200, "transactional": 100}
    finally:
        conn.close()


def test_a_new_file_is_private_in_wal_mode_and_nothing_else_is_left(run_tc, tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "big.db"
    result = run_tc("demo", "--customers", "20", "--checkins", "500", db=target)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.parent.iterdir()) == ["big.db"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    conn = sqlite3.connect(target)
    try:
        assert rows(conn, "PRAGMA journal_mode") == [("wal",)]
        assert rows(conn, "PRAGMA integrity_check") == [("ok",)]
        assert rows(conn, "PRAGMA foreign_key_check") == []
        assert rows(conn, "SELECT count(*) FROM checkins") == [(500,)]
        indexes = {
            name for (name,) in rows(conn, "SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        assert {"checkins_customer_at", "checkins_contact", "attention_order"} <= indexes
        triggers = rows(
            conn,
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'checkins'",
        )
        assert triggers == [(6,)]  # summary (3) and search index (3)
    finally:
        conn.close()
    listed = run_tc("list", "--format", "json", db=target)
    assert listed.exit_code == 0 and listed.stdout.count('"name"') == 20


def test_a_failed_load_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = sample._batches

    def failing(*args: object, **kwargs: object) -> Iterator[tuple[str, int, int]]:
        batches = made(*args, **kwargs)
        yield next(batches)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sample, "_BATCH", 1000)
    monkeypatch.setattr(sample, "_batches", failing)
    target = tmp_path / "gen.db"
    with pytest.raises(OSError, match="No space left"):
        sample.write_synthetic_file(target, 10, 5000, now=NOW)
    assert list(tmp_path.iterdir()) == [tmp_path / "home"]


def test_a_file_that_appears_meanwhile_is_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "gen.db"
    target.write_text("someone else's file")
    with pytest.raises(StoreError, match="created by another program meanwhile"):
        sample.write_synthetic_file(target, 5, 50, now=NOW)
    assert target.read_text() == "someone else's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen.db", "home"]


def test_the_demo_adds_to_an_existing_file_in_one_transaction(run_tc, db_path: Path) -> None:
    assert run_tc("add-customer", "Acme").exit_code == 0
    result = run_tc("demo", "--customers", "10", "--checkins", "100", "--force")
    assert result.exit_code == 0, result.output
    again = run_tc("demo", "--customers", "10", "--checkins", "100", "--force")
    assert again.exit_code == 0, again.output  # the same seed again: new ids, new uids
    conn = sqlite3.connect(db_path)
    try:
        assert rows(conn, "SELECT count(*), count(DISTINCT uid) FROM checkins") == [(200, 200)]
        assert rows(conn, "SELECT count(*) FROM customers") == [(21,)]
        assert rows(conn, "SELECT min(name), max(name) FROM customers WHERE id > 1") == [
            ("Customer 000002", "Customer 000021")
        ]
        assert rows(conn, "PRAGMA journal_mode") == [("wal",)]
    finally:
        conn.close()
    assert os.path.exists(db_path)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_stopped_demo_leaves_no_file(tmp_path: Path, signum: int) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "big.db"
    tempcheck = Path(sys.executable).with_name("tempcheck")
    child = subprocess.Popen(
        [str(tempcheck), "demo", "--db", str(target), "--customers", "2000"]
        + ["--checkins", "2000000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(folder.glob("big.db.*.partial")):  # the load has begun
            assert time.monotonic() < deadline and child.poll() is None, child.stderr
            time.sleep(0.02)
        time.sleep(0.5)
        child.send_signal(signum)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == (143 if signum == signal.SIGTERM else 1), err
    assert "Traceback" not in err
    assert list(folder.iterdir()) == []


def test_a_later_load_never_reuses_the_uids_of_deleted_rows(conn: sqlite3.Connection) -> None:
    sample.write_synthetic(conn, 5, 50, seed=4, now=NOW)
    gone = {uid for (uid,) in rows(conn, "SELECT uid FROM checkins WHERE id > 40")}
    ensure_search_index(conn)  # as after the first search: the index has the rows to drop
    with write(conn):
        conn.execute("DELETE FROM checkins WHERE id > 40")  # the newest ten, undone
    sample.write_synthetic(conn, 5, 50, seed=4, now=NOW)
    assert rows(conn, "SELECT min(id), max(id), count(DISTINCT uid) FROM checkins") == [(1, 90, 90)]
    assert not gone & {uid for (uid,) in rows(conn, "SELECT uid FROM checkins")}
    assert rows(conn, "SELECT count(DISTINCT uid) FROM customers") == [(10,)]


def test_a_path_that_cannot_be_created_fails_in_one_line(run_tc, tmp_path: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("")
    result = run_tc("demo", "--customers", "5", "--checkins", "10", db=blocker / "x.db")
    assert result.exit_code == 1
    assert result.stderr == f"tempcheck: cannot create {blocker / 'x.db'}: Not a directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "plain-file"]


@pytest.mark.parametrize("change", ["undo_checkin", "undo", "note_with"])
def test_generated_check_ins_can_be_undone_and_linked_before_any_search(
    tmp_path: Path, change: str
) -> None:
    """The search index of generated check-ins waits for the first search; taking one back
    or noting who it was with before then brings the index up first, never corrupts it."""
    from tempcheck.services.meetings import MeetingDefaults, note_with
    from tempcheck.services.undo import Undo, undo
    from tempcheck.store.contacts import add_contact

    path = tmp_path / "gen.db"
    sample.write_synthetic_file(path, 3, 30, seed=1)
    conn = open_db(path)
    try:
        first, customer_id = conn.execute(
            "SELECT id, customer_id FROM checkins ORDER BY id LIMIT 1"
        ).fetchone()
        if change == "undo_checkin":
            checkin_store.undo_checkin(conn, first)
        elif change == "undo":
            undo(conn, Undo("the check-in", customer_id, (("checkins", first),)))
        else:
            person = add_contact(conn, customer_id, "Dana Ruiz").id
            meeting = MeetingDefaults(
                meeting=None,  # note_with reads only who and which customer
                customer_id=customer_id,
                at=clock.now(),
                channel="video",
                contact_id=person,
                contact_name="Dana Ruiz",
            )
            note_with(conn, first, meeting)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.execute("INSERT INTO checkins_fts (checkins_fts) VALUES ('integrity-check')")
        left = 30 if change == "note_with" else 29
        assert conn.execute("SELECT count(*) FROM checkins").fetchone() == (left,)
    finally:
        conn.close()
