"""An import into a database without check-ins copies whole tables in its transaction
(tempcheck.exchange.transfer); the database it leaves is the one the row-by-row copy
leaves, and its derived tables are what the ordinary write path computes."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine

from tempcheck.exchange import transfer
from tempcheck.exchange.importing import import_checkins
from tempcheck.store import open_db
from tempcheck.store.checkins import add_checkin
from tempcheck.store.contacts import add_contact
from tempcheck.store.customers import add_customer
from tempcheck.store.issues import open_issue
from tempcheck.store.search import search

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
EXISTING = ("Acme Corp", "Globex", "Initech", "Umbrella [/] Ltd")
NEW = ("Hooli", "Stark Industries")
ISSUE_UID = "issue-0000-globex-1"
NOTES = ("renewal talk went well", "worried about the migration", "asked for a demo", "")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def start(path: Path) -> None:
    """Four customers, one contact at Acme, one issue at Globex; no check-ins."""
    conn = open_db(path)
    ids = [add_customer(conn, name).id for name in EXISTING]
    add_contact(conn, ids[0], "Ann Lee")
    issue = open_issue(conn, ids[1], "Slow exports")
    conn.execute("UPDATE issues SET uid = ? WHERE id = ?", (ISSUE_UID, issue.id))
    conn.close()


def rows() -> list[dict[str, str]]:
    """A few hundred check-ins over six customers, with what an import has to get right:
    people old and new (two spellings of one), follow-ups past and future, repeated uids,
    rows without a uid, the same instant at several customers, an issue of the right
    customer and one this database does not have."""
    names = EXISTING + NEW
    out = []
    for n in range(360):
        name = names[n % len(names)]
        row = {
            "customer": name.upper() if n % 17 == 0 else name,
            "at": f"2026-{1 + n % 10:02d}-{1 + (n * 7) % 28:02d}"
            f"T{8 + n % 9:02d}:{n % 4 * 15:02d}:00+0{n % 3}:00",
            "temperature": str(1 + (n * 3) % 5),
            "channel": ("call", "email", "meeting", "video")[n % 4],
            "initiated_by": "them" if n % 5 == 0 else "us",
            "note": NOTES[n % 4] + (f" #{n}" if n % 4 != 3 else ""),
            "fell_short": "the budget" if n % 9 == 0 else "",
            "follow_up": "",
            "person": "",
            "issue_uid": "",
            "uid": f"import-row-{n:05d}" if n % 10 else "",
        }
        if n % 11 == 0:
            row["follow_up"] = "2027-01-15" if n % 22 == 0 else "2026-03-01"
        if name == "Acme Corp" and n % 4 == 0:
            row["person"] = "ann lee" if n % 8 == 0 else "Bob Stone"
        if name == "Hooli" and n % 3 == 0:
            row["person"] = "Carla Díaz" if n % 2 else "CARLA DÍAZ"
        if name == "Globex" and n % 5 == 0:
            row["issue_uid"] = ISSUE_UID if n % 60 == 25 else "issue-0000-elsewhere"
        out.append(row)
    out[200]["uid"] = out[101]["uid"] = "import-row-repeat"  # the second one is skipped
    for n in (30, 31, 32, 33):  # one instant, four customers, logged in file order
        out[n]["at"] = "2026-06-01T12:00:00+00:00"
    out[42]["at"] = out[48]["at"] = "2026-07-01"  # a bare date, twice at Acme
    return out


def write_csv(path: Path, records: list[dict[str, str]]) -> Path:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return path


def table_rows(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows in rowid order (FTS5's own tables included); the uids SQLite
    makes up for rows without one are replaced by a mark."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE"
                " 'CREATE VIRTUAL%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        out = {}
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            found = []
            for row in cursor:
                found.append(
                    tuple(
                        "<made up>"
                        if column == "uid" and isinstance(value, str) and len(value) == 36
                        else value
                        for column, value in zip(columns, row, strict=True)
                    )
                )
            out[table] = found
        return out
    finally:
        conn.close()


@pytest.fixture
def transfers(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records what each table transfer returned (None: it gave way to the row copy)."""
    seen: list[object] = []
    copy = transfer.copy

    def spy(*args, **kwargs):
        result = copy(*args, **kwargs)
        seen.append(result)
        return result

    monkeypatch.setattr(transfer, "copy", spy)
    return seen


def fast_and_slow(
    tmp_path: Path,
    begin: Callable[[Path], None],
    transfers: list[object],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Path, dict[str, list[tuple]]]:
    """The database :func:`rows` leave after ``begin``, through the transfer and row by row,
    checked alike (tables and reports); the first one's path and tables."""
    base = tmp_path / "base.db"
    begin(base)
    fast, slow = tmp_path / "fast.db", tmp_path / "slow.db"
    shutil.copy(base, fast)
    shutil.copy(base, slow)
    source = write_csv(tmp_path / "rows.csv", rows())

    conn = open_db(fast)
    report = import_checkins(conn, source, create_customers=True)
    conn.close()
    assert transfers == [17]  # the transfer ran: 17 open follow-ups (every 22nd row)
    assert (report.added, report.already_present, report.followups) == (359, 1, 17)
    assert report.created_customers == ["Hooli", "Stark Industries"]

    monkeypatch.setattr(transfer, "mode", lambda conn: None)
    conn = open_db(slow)
    slow_report = import_checkins(conn, source, create_customers=True)
    conn.close()
    assert transfers == [17]  # not called again: the row-by-row copy
    assert vars(slow_report) == vars(report)

    fast_rows, slow_rows = table_rows(fast), table_rows(slow)
    assert fast_rows.keys() == slow_rows.keys()
    for table in fast_rows:
        assert fast_rows[table] == slow_rows[table], table
    return fast, fast_rows


def test_transfer_leaves_the_database_the_row_copy_leaves(
    tmp_path: Path, transfers: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, fast_rows = fast_and_slow(tmp_path, start, transfers, monkeypatch)
    assert len(fast_rows["checkins"]) == 359
    assert len(fast_rows["checkins_fts_docsize"]) == 359


def test_derived_tables_match_the_ordinary_write_path(
    tmp_path: Path, transfers: list[object]
) -> None:
    """The same check-ins logged one by one through the store (its triggers keeping the
    summary, the attention keys, the primary contact and the search index) give the same
    derived rows as the import."""
    base = tmp_path / "base.db"
    start(base)
    imported, logged = tmp_path / "imported.db", tmp_path / "logged.db"
    shutil.copy(base, imported)
    shutil.copy(base, logged)
    records = rows()
    conn = open_db(imported)
    import_checkins(conn, write_csv(tmp_path / "rows.csv", records), create_customers=True)
    conn.close()
    assert transfers == [17]

    conn = open_db(logged)
    customers: dict[str, int] = {}
    seen_uids = set()
    for record in records:
        if record["uid"] and record["uid"] in seen_uids:
            continue
        seen_uids.add(record["uid"])
        name = record["customer"]
        if name.casefold() not in customers:
            row = conn.execute(
                "SELECT id FROM customers WHERE name_key = ?", (name.casefold(),)
            ).fetchone()
            customers[name.casefold()] = row[0] if row else add_customer(conn, name).id
        cid = customers[name.casefold()]
        contact_id = None
        if record["person"]:
            row = conn.execute(
                "SELECT id FROM contacts WHERE customer_id = ? AND name_key = ?",
                (cid, record["person"].casefold()),
            ).fetchone()
            contact_id = row[0] if row else add_contact(conn, cid, record["person"]).id
        issue = conn.execute(
            "SELECT id FROM issues WHERE uid = ? AND customer_id = ?", (record["issue_uid"], cid)
        ).fetchone()
        text = record["at"]
        at = (
            datetime.combine(date.fromisoformat(text), datetime.min.time().replace(hour=12))
            if len(text) == 10
            else datetime.fromisoformat(text)
        ).astimezone()
        add_checkin(
            conn,
            cid,
            int(record["temperature"]),
            note=record["note"],
            channel=record["channel"],
            initiated_by=record["initiated_by"],
            at=at,
            fell_short=record["fell_short"],
            issue_id=issue[0] if issue else None,
            contact_id=contact_id,
        )
    conn.close()

    derived = (
        "SELECT c.name, s.last_at, s.recent FROM contact_summary s"
        " JOIN customers c ON c.id = s.customer_id ORDER BY c.name",
        "SELECT c.name, a.status, a.cadence_days, a.low, a.last_at FROM attention a"
        " JOIN customers c ON c.id = a.customer_id ORDER BY c.name",
        "SELECT name, contact FROM customers ORDER BY name",
        "SELECT c.name, p.name, p.is_primary FROM contacts p"
        " JOIN customers c ON c.id = p.customer_id ORDER BY c.name, p.name",
        "SELECT k.id, c.name, k.at, k.temperature, k.contact_id, k.issue_id FROM checkins k"
        " JOIN customers c ON c.id = k.customer_id ORDER BY k.id",
    )
    results = {}
    for path in (imported, logged):
        conn = sqlite3.connect(path)
        results[path] = [conn.execute(sql).fetchall() for sql in derived]
        conn.execute("INSERT INTO checkins_fts (checkins_fts, rank) VALUES ('integrity-check', 1)")
        conn.close()
    for got, want in zip(results[imported], results[logged], strict=True):
        assert got == want
    summary = dict((name, recent) for name, _, recent in results[imported][0])
    # Acme is every 6th row; its newest (September: rows 18, 78, …) all say 5.
    assert summary["Acme Corp"] == "55555555"
    assert summary["Hooli"] != ""
    for path in (imported, logged):
        conn = open_db(path)
        hits = {(hit.ref_id, hit.customer_name) for hit in search(conn, "migration", limit=500)}
        assert len(hits) == 90
        assert (2, "Globex") in hits
        conn.close()


def test_rows_at_an_unknown_issue_or_a_repeated_uid(tmp_path: Path) -> None:
    base = tmp_path / "base.db"
    start(base)
    source = write_csv(tmp_path / "rows.csv", rows())
    conn = open_db(base)
    report = import_checkins(conn, source, create_customers=True)
    assert any("not in this database" in warning for warning in report.warnings)
    linked = conn.execute(
        "SELECT count(*) FROM checkins k JOIN issues i ON i.id = k.issue_id"
    ).fetchone()[0]
    assert linked == 6
    assert conn.execute(
        "SELECT count(*) FROM checkins WHERE uid = 'import-row-repeat'"
    ).fetchone() == (1,)
    again = import_checkins(conn, source, create_customers=True)  # now row by row
    # Rows 0, 10, 20, … have no uid (row 200 took one): added again, the rest skipped.
    assert (again.added, again.already_present) == (35, 325)
    conn.close()


def test_an_index_left_for_the_first_search_is_replaced_by_a_complete_one(
    tmp_path: Path, transfers: list[object]
) -> None:
    """``tempcheck demo`` leaves the check-in index to the first search; an import into
    such a database without check-ins builds the whole index and clears the mark."""
    from tempcheck.store.summary import SEARCH_STALE_KEY

    base = tmp_path / "base.db"
    start(base)
    conn = open_db(base)
    conn.execute("INSERT INTO settings (key, value) VALUES (?, '1')", (SEARCH_STALE_KEY,))
    import_checkins(conn, write_csv(tmp_path / "rows.csv", rows()), create_customers=True)
    assert transfers == [17]
    assert (
        conn.execute("SELECT 1 FROM settings WHERE key = ?", (SEARCH_STALE_KEY,)).fetchone() is None
    )
    conn.execute("INSERT INTO checkins_fts (checkins_fts, rank) VALUES ('integrity-check', 1)")
    assert len(search(conn, "budget", limit=500)) == 40  # every 9th row, repeat skipped
    conn.close()


def test_a_dry_run_through_the_transfer_writes_nothing(
    tmp_path: Path, transfers: list[object]
) -> None:
    base = tmp_path / "base.db"
    start(base)
    before = table_rows(base)
    conn = open_db(base)
    report = import_checkins(
        conn, write_csv(tmp_path / "rows.csv", rows()), create_customers=True, dry_run=True
    )
    conn.close()
    assert transfers == [17]
    assert (report.added, report.already_present, report.followups) == (359, 1, 17)
    assert report.created_customers == ["Hooli", "Stark Industries"]
    assert table_rows(base) == before


def test_both_modules_name_the_staging_database_alike() -> None:
    from tempcheck.exchange import importing

    assert transfer.STAGE == importing._STAGE == "tempcheck_import"


def test_when_sqlite_would_not_transfer_the_rows_are_copied_one_by_one(
    tmp_path: Path, transfers: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A staged table that differs from ``checkins`` in a detail (here a column's default)
    is not transferred by SQLite: the copy gives way before writing, and the ordinary copy
    leaves the same database as ever."""
    base = tmp_path / "base.db"
    start(base)
    odd, plain = tmp_path / "odd.db", tmp_path / "plain.db"
    shutil.copy(base, odd)
    shutil.copy(base, plain)
    source = write_csv(tmp_path / "rows.csv", rows())
    schema = transfer._schema

    def different(conn):
        table, indexes, fts = schema(conn)
        return table.replace("DEFAULT 'hallway'", "DEFAULT 'call'"), indexes, fts

    monkeypatch.setattr(transfer, "_schema", different)
    conn = open_db(odd)
    report = import_checkins(conn, source, create_customers=True)
    conn.close()
    assert transfers == [None]
    monkeypatch.setattr(transfer, "mode", lambda conn: None)
    conn = open_db(plain)
    assert vars(import_checkins(conn, source, create_customers=True)) == vars(report)
    conn.close()
    assert transfers == [None]
    assert table_rows(odd) == table_rows(plain)
    assert report.added == 359


def with_checkins(path: Path) -> None:
    """The four customers of :func:`start`, each with two check-ins logged already."""
    start(path)
    conn = open_db(path)
    for n, name in enumerate(EXISTING * 2):
        cid = conn.execute("SELECT id FROM customers WHERE name = ?", (name,)).fetchone()[0]
        add_checkin(
            conn,
            cid,
            1 + n % 5,
            note=f"before the import {n}",
            at=datetime(2026, 5, 1 + n, tzinfo=UTC),
        )
    conn.close()


def test_after_check_ins_the_import_leaves_the_database_the_row_copy_leaves(
    tmp_path: Path, transfers: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into a database that has check-ins: every reference resolved before the lock, the
    rows appended in file order after the eight there, their search index caught up after
    the commit; the same tables as the row-by-row copy, search index included."""
    from tempcheck.store.summary import SEARCH_PENDING_KEY

    fast, fast_rows = fast_and_slow(tmp_path, with_checkins, transfers, monkeypatch)
    assert len(fast_rows["checkins"]) == 8 + 359
    assert [row[0] for row in fast_rows["checkins"]] == list(range(1, 368))
    conn = open_db(fast)
    assert (
        conn.execute("SELECT 1 FROM settings WHERE key = ?", (SEARCH_PENDING_KEY,)).fetchone()
        is None
    )
    conn.execute("INSERT INTO checkins_fts (checkins_fts, rank) VALUES ('integrity-check', 1)")
    assert len(search(conn, "budget", limit=500)) == 40  # every 9th row, repeat skipped
    assert len(search(conn, "before the import", limit=500)) == 8
    # Rows without a uid got version 7 ones, in file order (rows 0, 10, 20, … but 200: 35).
    made = [
        uid
        for (uid,) in conn.execute(
            "SELECT uid FROM checkins WHERE id > 8 AND uid NOT LIKE 'import-row-%' ORDER BY id"
        )
    ]
    assert len(made) == 35
    assert all(
        re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uid)
        for uid in made
    )
    assert made == sorted(made)
    conn.close()


@pytest.mark.parametrize("first", ["search", "undo", "catch up"])
def test_check_ins_left_for_the_search_index_are_indexed_before_anything_reads_it(
    tmp_path: Path, first: str
) -> None:
    """As a killed import leaves them (committed, the index not yet caught up): a search,
    or taking one of them back, indexes them first; the catch-up goes in small batches."""
    from tempcheck.store import write
    from tempcheck.store.checkins import undo_checkin
    from tempcheck.store.summary import SEARCH_PENDING_KEY, bulk_checkins, catch_up_search_index

    path = tmp_path / "pending.db"
    with_checkins(path)
    conn = open_db(path)
    with write(conn), bulk_checkins(conn, index_later=True):
        for n in range(5):
            conn.execute(
                "INSERT INTO checkins (customer_id, at, temperature, note, created_at)"
                " VALUES (1, ?, 3, ?, ?)",
                (
                    f"2026-06-0{n + 1}T09:00:00+00:00",
                    f"left pending {n}",
                    "2026-06-10T09:00:00+00:00",
                ),
            )
    pending = "SELECT value FROM settings WHERE key = ?"
    assert conn.execute(pending, (SEARCH_PENDING_KEY,)).fetchone() == ("9 13",)
    if first == "search":
        assert len(search(conn, "pending", limit=50)) == 5
    elif first == "undo":
        undo_checkin(conn, 11)
        assert len(search(conn, "pending", limit=50)) == 4
    else:
        catch_up_search_index(conn, batch=2)
        assert len(search(conn, "pending", limit=50)) == 5
    assert conn.execute(pending, (SEARCH_PENDING_KEY,)).fetchone() is None
    conn.execute("INSERT INTO checkins_fts (checkins_fts, rank) VALUES ('integrity-check', 1)")
    assert len(search(conn, "before the import", limit=50)) == 8
    conn.close()
