"""Copying a check-in import into the database in a short lock.

Inserting a million rows one by one puts each row's entries into the unique ``uid``
index, the customer index and the search index at scattered places: most of the
time a large import spent holding the write lock went there. When the database has
no check-ins yet (the first import, moving over from another tool), all of that is
done beforehand, without the lock, in the staging database:

- a table of exactly the shape of ``checkins`` (the same columns, constraints and
  indexes) with every row as it will be stored, final ids included;
- the check-ins' full-text index, built there with the same definition.

The locked part then is SQLite's transfer of a whole table (``INSERT INTO t SELECT *
FROM s`` between tables of the same shape copies rows and index entries in order,
as VACUUM does), copying the search index's tables, the follow-ups and the contact
summary: the same rows and figures the row-by-row copy writes, in a few seconds.

Into a database that has check-ins, SQLite copies whole tables no more; there every
row is laid out beforehand all the same, its customer, person and issue found and its
uid made (time-ordered, so new uids go into their index side by side), and the lock
covers inserting the rows, their follow-ups and the contact summary of the customers
they are for. Their search index follows after the commit, in short transactions of
its own (:func:`tempcheck.store.summary.catch_up_search_index`); a search, or a change
to a check-in, meanwhile finishes it first.

The ids of the customers and people the import creates are foreseen while staging
and checked inside the lock; if another program changed what they depend on
meanwhile, :func:`copy` gives up before writing and the caller copies row by row.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from datetime import date

from tempcheck.store.connection import StoreError
from tempcheck.store.migrations import UUID_SQL
from tempcheck.store.summary import bulk_checkins, search_index_whole

STAGE = "tempcheck_import"  # the staging database's schema name, as importing attaches it
FTS = "checkins_fts"
# FTS5's own tables behind checkins_fts (external content: no _content table).
_SHADOWS = ("checkins_fts_data", "checkins_fts_idx", "checkins_fts_docsize", "checkins_fts_config")


class Plan:
    """What staging foresaw: the largest customer and contact ids, the rows to copy,
    whether any row names a person, from which day on a follow-up is an open one, and
    whether the rows go after check-ins already there."""

    def __init__(
        self,
        max_customer: int,
        max_contact: int,
        rows: int,
        people: bool,
        today: date,
        *,
        append: bool = False,
    ) -> None:
        self.max_customer = max_customer
        self.max_contact = max_contact
        self.rows = rows
        self.people = people
        self.append = append
        self.today = today


def applicable(conn: sqlite3.Connection) -> bool:
    """No check-ins: the only case SQLite's table transfer covers, and one where the
    search index to have afterwards is exactly the one built from the imported rows
    (whatever the index held, say a bulk load's index left for the first search)."""
    return _searchable(conn) and _empty(conn)


def mode(conn: sqlite3.Connection) -> str | None:
    """How an import goes in: "transfer" (no check-ins yet: whole tables), "append"
    (after the check-ins there: the rows, references resolved beforehand), None (a
    database without the search index this module knows: row by row)."""
    if not _searchable(conn):
        return None
    return "transfer" if _empty(conn) else "append"


def _searchable(conn: sqlite3.Connection) -> bool:
    names = {name for (name,) in conn.execute("SELECT name FROM main.sqlite_master")}
    return FTS in names and names.issuperset(_SHADOWS)


def _empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM main.checkins LIMIT 1").fetchone() is None


def ordered_uid_sql(line: str) -> str:
    """SQL for a new version 7 UUID (RFC 9562) per row: this millisecond, then ``line``
    (the row's number in the file) as the counter, then 48 random bits. The uids of one
    import thus sort in file order and go into the uid index side by side, where random
    ones would land all over it (a second or two more in the lock per million rows)."""
    now = f"{int(time.time() * 1000) & (1 << 48) - 1:012x}"
    return (
        f"printf('{now[:8]}-{now[8:]}-7%03x-%04x-%s', ({line} >> 14) & 4095,"
        f" 32768 | ({line} & 16383), lower(hex(randomblob(6))))"
    )


def refuse_lost_rows(conn: sqlite3.Connection, customers: str) -> None:
    """Raise StoreError when staged rows name a customer the table ``customers`` (with a
    ``name_key`` column) does not have: another program renamed or removed it while the
    file was read. Rows must never be dropped as if they were already there."""
    first, lost = conn.execute(
        f"SELECT min(r.line), count(*) FROM {STAGE}.rows r WHERE NOT EXISTS"
        f" (SELECT 1 FROM {customers} c WHERE c.name_key = r.customer_key)"
    ).fetchone()
    if lost:
        raise StoreError(
            f"{lost} check-in(s) name a customer another program renamed or removed while"
            f" the file was read (the first on line {first}); nothing was written, try again"
        )


def _max_ids(conn: sqlite3.Connection) -> tuple[int, int]:
    return conn.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM main.customers),"
        " (SELECT coalesce(max(id), 0) FROM main.contacts)"
    ).fetchone()


def prepare(
    conn: sqlite3.Connection, new_customers: dict[str, str], today: date, now: str
) -> Plan | None:
    """Lay the staged rows out as ``stage.checkins`` and build their search index there,
    holding no lock on the user's file. None: this import is not for a table transfer.

    ``conn`` must have foreign keys off (the staged table's references point at tables
    the staging database does not have).
    """
    conn.execute("BEGIN")  # reads the user's file, writes only the staging database
    try:
        plan = _prepare(conn, new_customers, today, now)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return plan


def _prepare(
    conn: sqlite3.Connection, new_customers: dict[str, str], today: date, now: str
) -> Plan | None:
    how = mode(conn)
    if how is None:
        return None
    append = how == "append"
    max_customer, max_contact = _max_ids(conn)
    # Every customer by name key, with the id the copy will find or give.
    conn.execute(f"CREATE TABLE {STAGE}.keys (name_key TEXT PRIMARY KEY, id INTEGER NOT NULL)")
    conn.execute(f"INSERT INTO {STAGE}.keys SELECT name_key, id FROM main.customers")
    try:
        conn.executemany(
            f"INSERT INTO {STAGE}.keys VALUES (?, ?)",
            [(name_key, max_customer + n) for n, name_key in enumerate(new_customers, 1)],
        )
    except sqlite3.IntegrityError:  # another program added one of them meanwhile
        return None
    refuse_lost_rows(conn, f"{STAGE}.keys")
    # The people the rows name: the contact each is, new ones numbered in the order the
    # copy adds them (first line first).
    conn.execute(
        f"CREATE TABLE {STAGE}.named (customer_id INTEGER NOT NULL, person_key TEXT NOT NULL,"
        " first_line INTEGER NOT NULL)"
    )
    named = conn.execute(
        f"INSERT INTO {STAGE}.named SELECT k.id, r.person_key, min(r.line) FROM {STAGE}.rows r"
        f" JOIN {STAGE}.keys k ON k.name_key = r.customer_key WHERE r.person_key IS NOT NULL"
        " GROUP BY k.id, r.person_key"
    ).rowcount
    conn.execute(
        f"CREATE TABLE {STAGE}.people (customer_id INTEGER NOT NULL, person_key TEXT NOT NULL,"
        " id INTEGER NOT NULL, PRIMARY KEY (customer_id, person_key))"
    )
    conn.execute(
        f"INSERT INTO {STAGE}.people SELECT n.customer_id, n.person_key, p.id FROM {STAGE}.named n"
        " JOIN main.contacts p ON p.customer_id = n.customer_id AND p.name_key = n.person_key"
    )
    new_people = conn.execute(
        f"SELECT customer_id, person_key FROM {STAGE}.named n WHERE NOT EXISTS (SELECT 1"
        " FROM main.contacts p WHERE p.customer_id = n.customer_id"
        " AND p.name_key = n.person_key) ORDER BY first_line"
    ).fetchall()
    conn.executemany(
        f"INSERT INTO {STAGE}.people VALUES (?, ?, ?)",
        [(cid, key, max_contact + n) for n, (cid, key) in enumerate(new_people, 1)],
    )
    conn.execute(
        f"CREATE TABLE {STAGE}.issue_refs (issue_uid TEXT NOT NULL, customer_id INTEGER NOT NULL,"
        " id INTEGER, PRIMARY KEY (issue_uid, customer_id))"
    )
    conn.execute(
        f"INSERT INTO {STAGE}.issue_refs SELECT DISTINCT r.issue_uid, k.id,"
        " (SELECT i.id FROM main.issues i WHERE i.uid = r.issue_uid AND i.customer_id = k.id)"
        f" FROM {STAGE}.rows r JOIN {STAGE}.keys k ON k.name_key = r.customer_key"
        " WHERE r.issue_uid IS NOT NULL"
    )
    schema = _schema(conn)
    if schema is None:
        return None
    table_sql, index_sql, fts_sql = schema
    conn.execute(table_sql)
    if append:
        return _prepare_append(conn, max_customer, max_contact, named > 0, today, now)
    # In file order, so the ids are the ones the row-by-row copy gives (1, 2, …); a uid
    # that repeats keeps its first row, as there. (The uid index grows row by row here:
    # SQLite transfers a UNIQUE column's index only into one made by the same constraint.)
    added = conn.execute(
        f"INSERT INTO {STAGE}.checkins (uid, customer_id, at, temperature, channel,"
        " initiated_by, note, fell_short, follow_up, contact_id, issue_id, created_at)"
        f" SELECT coalesce(r.uid, {UUID_SQL}), k.id, r.at, r.temperature, r.channel,"
        " r.initiated_by, r.note, r.fell_short, r.follow_up, p.id, x.id, :now"
        f" FROM {STAGE}.rows r JOIN {STAGE}.keys k ON k.name_key = r.customer_key"
        f" LEFT JOIN {STAGE}.people p ON p.customer_id = k.id AND p.person_key = r.person_key"
        f" LEFT JOIN {STAGE}.issue_refs x ON x.issue_uid = r.issue_uid AND x.customer_id = k.id"
        " WHERE true ORDER BY r.line ON CONFLICT (uid) DO NOTHING",
        {"now": now},
    ).rowcount
    conn.execute(
        f"CREATE TABLE {STAGE}.due AS SELECT id, customer_id, follow_up, note"
        f" FROM {STAGE}.checkins WHERE follow_up >= ? ORDER BY id",
        (today.isoformat(),),
    )
    for sql in index_sql:  # built after the rows: sorted once instead of grown at random
        conn.execute(sql)
    conn.execute(fts_sql)
    conn.execute(
        f"INSERT INTO {STAGE}.{FTS} (rowid, note, fell_short) SELECT id, note, fell_short"
        f" FROM {STAGE}.checkins ORDER BY id"
    )
    ours = conn.execute(f"SELECT k, v FROM main.{FTS}_config ORDER BY k").fetchall()
    if ours != conn.execute(f"SELECT k, v FROM {STAGE}.{FTS}_config ORDER BY k").fetchall():
        return None  # the user's index has options of its own: build it the usual way
    return Plan(max_customer, max_contact, added, named > 0, today)


def _prepare_append(
    conn: sqlite3.Connection,
    max_customer: int,
    max_contact: int,
    people: bool,
    today: date,
    now: str,
) -> Plan:
    """Into a database with check-ins: every row as it will be stored, in file order, but
    for its id (given in the lock, after the last check-in there is then). Rows whose uid
    the database has are left out, a uid that repeats keeps its first row."""
    added = conn.execute(
        f"INSERT INTO {STAGE}.checkins (uid, customer_id, at, temperature, channel,"
        " initiated_by, note, fell_short, follow_up, contact_id, issue_id, created_at)"
        f" SELECT coalesce(r.uid, {ordered_uid_sql('r.line')}), k.id, r.at, r.temperature,"
        " r.channel, r.initiated_by, r.note, r.fell_short, r.follow_up, p.id, x.id, :now"
        f" FROM {STAGE}.rows r JOIN {STAGE}.keys k ON k.name_key = r.customer_key"
        f" LEFT JOIN {STAGE}.people p ON p.customer_id = k.id AND p.person_key = r.person_key"
        f" LEFT JOIN {STAGE}.issue_refs x ON x.issue_uid = r.issue_uid AND x.customer_id = k.id"
        " WHERE r.uid IS NULL OR NOT EXISTS (SELECT 1 FROM main.checkins m WHERE m.uid = r.uid)"
        " ORDER BY r.line ON CONFLICT (uid) DO NOTHING",
        {"now": now},
    ).rowcount
    conn.execute(
        f"CREATE TABLE {STAGE}.touched AS SELECT DISTINCT customer_id FROM {STAGE}.checkins"
    )
    return Plan(max_customer, max_contact, added, people, today, append=True)


def _schema(conn: sqlite3.Connection) -> tuple[str, list[str], str] | None:
    """The SQL of ``checkins``, its indexes and its search index, aimed at ``stage``;
    None if the table is not the shape this module knows."""
    rows = conn.execute(
        "SELECT type, name, sql FROM main.sqlite_master WHERE sql IS NOT NULL"
        " AND (tbl_name = 'checkins' AND type IN ('table', 'index') OR name = ?)",
        (FTS,),
    ).fetchall()
    table = fts = None
    index_sql: list[str] = []
    for kind, name, sql in rows:
        if kind == "table" and name == "checkins":
            table = re.sub(r'^CREATE TABLE\s+"?checkins"?', f"CREATE TABLE {STAGE}.checkins", sql)
        elif kind == "table":
            fts = re.sub(
                rf'^CREATE VIRTUAL TABLE\s+"?{FTS}"?', f"CREATE VIRTUAL TABLE {STAGE}.{FTS}", sql
            )
        else:
            head = re.match(rf'CREATE (UNIQUE )?INDEX\s+"?{re.escape(name)}"?', sql)
            if head is None:
                return None
            unique = head.group(1) or ""
            index_sql.append(f'CREATE {unique}INDEX {STAGE}."{name}"' + sql[head.end() :])
    if table is None or fts is None:
        return None
    return table, index_sql, fts


def copy(
    conn: sqlite3.Connection,
    plan: Plan,
    create_referenced: Callable[[sqlite3.Connection], None],
    now: str,
    *,
    dry_run: bool,
) -> int | None:
    """The one write transaction: customers and people (``create_referenced``, as the
    row-by-row copy makes them), the staged check-ins, their follow-ups, the contact
    summary, and (into a database without check-ins) their search index. Returns the
    number of open follow-ups added, or None without writing anything when the staged
    layout no longer fits the database. After check-ins already there, ``plan.rows``
    becomes the rows added (a uid another program added meanwhile is skipped, as the row
    copy skips it) and the search index is left to :func:`catch_up_search_index`.

    ``conn`` must have foreign keys off: SQLite transfers a table only then (every
    reference was resolved above, against this very database).
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        fits = plan.append or applicable(conn)
        if not fits or _max_ids(conn) != (plan.max_customer, plan.max_contact):
            conn.execute("ROLLBACK")
            return None
        create_referenced(conn)
        if _foreseen_wrongly(conn):
            conn.execute("ROLLBACK")
            return None
        followups = _append_rows(conn, plan, now) if plan.append else _copy_tables(conn, now)
    except _NoTransfer:
        conn.execute("ROLLBACK")
        return None
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("ROLLBACK" if dry_run else "COMMIT")
    return followups


def _copy_tables(conn: sqlite3.Connection, now: str) -> int:
    """Into no check-ins: whole tables, the search index's included."""
    # Without the check-in triggers (a table with triggers is copied row by row); the
    # summary is rebuilt after, and the search index is the one built while staging.
    with bulk_checkins(conn, defer_search_index=True):
        insert = f"INSERT INTO main.checkins SELECT * FROM {STAGE}.checkins"
        # SQLite transfers silently or not at all; without it (the two tables differ
        # in some detail) this would be the slow copy: leave the work to that instead.
        if "RowData" not in {row[1] for row in conn.execute(f"EXPLAIN {insert}")}:
            raise _NoTransfer
        conn.execute(insert)
    followups = conn.execute(
        "INSERT INTO main.followups (customer_id, due, note, created_at, checkin_id)"
        f" SELECT customer_id, follow_up, note, ?, id FROM {STAGE}.due ORDER BY id",
        (now,),
    ).rowcount
    for table in _SHADOWS:
        conn.execute(f"DELETE FROM main.{table}")
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM {STAGE}.{table}")
    search_index_whole(conn)  # the index now holds every check-in
    return followups


def _append_rows(conn: sqlite3.Connection, plan: Plan, now: str) -> int:
    """After the check-ins there: the rows one by one (SQLite transfers whole tables only
    into empty ones), every reference resolved already; their search index afterwards."""
    before = conn.execute("SELECT coalesce(max(id), 0) FROM main.checkins").fetchone()[0]
    columns = (
        "uid, customer_id, at, temperature, channel, initiated_by, note, fell_short,"
        " follow_up, contact_id, issue_id, created_at"
    )
    touched = f"SELECT customer_id FROM {STAGE}.touched"
    with bulk_checkins(conn, index_later=True, customers=touched):
        plan.rows = conn.execute(
            f"INSERT INTO main.checkins ({columns}) SELECT {columns}"
            f" FROM {STAGE}.checkins WHERE true ORDER BY id ON CONFLICT (uid) DO NOTHING"
        ).rowcount
    return open_followups(conn, before, plan.today, now)


def open_followups(conn: sqlite3.Connection, before: int, today: date, now: str) -> int:
    """The open follow-ups of the check-ins after id ``before`` (a follow-up date today or
    later), as logging one makes them; returns how many."""
    return conn.execute(
        "INSERT INTO main.followups (customer_id, due, note, created_at, checkin_id)"
        " SELECT customer_id, follow_up, note, :now, id FROM main.checkins"
        " WHERE id > :before AND follow_up >= :today ORDER BY id",
        {"now": now, "before": before, "today": today.isoformat()},
    ).rowcount


class _NoTransfer(Exception):
    """SQLite would not transfer the table: nothing is written, the row copy does it."""


def _foreseen_wrongly(conn: sqlite3.Connection) -> bool:
    """Does any customer, person or issue the staged rows point at have another id now?"""
    return bool(
        conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM {STAGE}.keys k LEFT JOIN main.customers c"
            " ON c.name_key = k.name_key WHERE c.id IS NOT k.id)"
            f" OR EXISTS (SELECT 1 FROM {STAGE}.people p LEFT JOIN main.contacts c"
            " ON c.customer_id = p.customer_id AND c.name_key = p.person_key"
            " WHERE c.id IS NOT p.id)"
            f" OR EXISTS (SELECT 1 FROM {STAGE}.issue_refs x LEFT JOIN main.issues i"
            " ON i.uid = x.issue_uid AND i.customer_id = x.customer_id WHERE i.id IS NOT x.id)"
        ).fetchone()[0]
    )
