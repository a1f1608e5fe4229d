"""The per-customer contact summary the dashboard reads, and bulk loading around it.

Triggers keep ``contact_summary`` current on every check-in write. A bulk load
of a million rows would pay for those triggers a million times, so
:func:`bulk_checkins` lifts them for the duration of one transaction and
rebuilds the summary once at the end; other processes never see the gap.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator

from tempcheck.store.connection import write

RECENT = 8  # temperatures kept per customer, newest first

REBUILD_SQL = f"""
INSERT OR REPLACE INTO contact_summary (customer_id, last_at, recent)
SELECT c.id,
    (SELECT k.at FROM checkins k WHERE k.customer_id = c.id ORDER BY k.at DESC, k.id DESC LIMIT 1),
    coalesce((SELECT group_concat(t, '') FROM (SELECT k.temperature AS t FROM checkins k
        WHERE k.customer_id = c.id ORDER BY k.at DESC, k.id DESC LIMIT {RECENT})), '')
FROM customers c
"""


def rebuild(conn: sqlite3.Connection, customers: str | None = None) -> None:
    """Recompute the summary from the check-ins: every customer's, or those whose ids
    the SQL subquery ``customers`` selects (the others' are kept up to date by the
    triggers; those without check-ins get the empty row a full rebuild gives them)."""
    if customers is None:
        conn.execute(REBUILD_SQL)
        return
    conn.execute(REBUILD_SQL + f" WHERE c.id IN ({customers})")
    conn.execute(
        "INSERT OR IGNORE INTO contact_summary (customer_id, last_at, recent)"
        " SELECT c.id, NULL, '' FROM customers c"
        " WHERE NOT EXISTS (SELECT 1 FROM checkins k WHERE k.customer_id = c.id)"
    )


# A settings row saying the check-in search index waits for a rebuild (see bulk_checkins).
SEARCH_STALE_KEY = "search.checkins_stale"
# A settings row "FIRST LAST": the check-ins with ids from FIRST to LAST are not in the
# search index yet (see bulk_checkins and catch_up_search_index).
SEARCH_PENDING_KEY = "search.checkins_pending"
SEARCH_KEYS = (SEARCH_STALE_KEY, SEARCH_PENDING_KEY)  # gone once the whole index is built
CATCH_UP_BATCH = 50_000  # check-ins indexed per transaction: a short lock each
# Between two of them the lock is free this long: a writer waiting in SQLite's busy
# handler (which sleeps up to 100 ms between tries) gets its turn.
CATCH_UP_PAUSE_S = 0.1


@contextlib.contextmanager
def bulk_checkins(
    conn: sqlite3.Connection,
    *,
    defer_search_index: bool = False,
    index_later: bool = False,
    customers: str | None = None,
) -> Iterator[None]:
    """Inside an open write transaction: drop the check-in triggers (summary and
    full-text index), then restore them and bring up to date what they would have kept.

    Rows added meanwhile are added to the search index (bulk loads only insert).
    ``defer_search_index`` leaves that to the first search instead, which rebuilds
    the index once (a million generated check-ins load without waiting for it).
    ``index_later`` notes the added rows as pending instead: whoever commits then calls
    :func:`catch_up_search_index`, which indexes them in short transactions of their
    own (unless rows are already pending: then they are indexed here). ``customers``:
    SQL selecting the ids of the only customers the rows are for (their summaries alone
    are rebuilt).
    """
    if not conn.in_transaction:
        raise RuntimeError("bulk_checkins needs an open write transaction")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'checkins'"
    ).fetchall()
    indexed = any(name == "checkins_ai" for name, _ in triggers)
    last_id = conn.execute("SELECT coalesce(max(id), 0) FROM checkins").fetchone()[0]
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        for _, sql in triggers:
            conn.execute(sql)
        rebuild(conn, customers)
        if indexed and defer_search_index:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, '1')"
                " ON CONFLICT (key) DO UPDATE SET value = '1'",
                (SEARCH_STALE_KEY,),
            )
        elif indexed and index_later and _pending(conn) is None:
            last = conn.execute("SELECT coalesce(max(id), 0) FROM checkins").fetchone()[0]
            if last > last_id:
                conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?)",
                    (SEARCH_PENDING_KEY, f"{last_id + 1} {last}"),
                )
        elif indexed:
            conn.execute(
                "INSERT INTO checkins_fts (rowid, note, fell_short)"
                " SELECT id, note, fell_short FROM checkins WHERE id > ?",
                (last_id,),
            )


def _pending(conn: sqlite3.Connection) -> tuple[int, int] | None:
    """The ids of the check-ins waiting for the search index (first, last), if any."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (SEARCH_PENDING_KEY,)).fetchone()
    if row is None:
        return None
    first, _, last = str(row[0]).partition(" ")
    return int(first), int(last)


def _index_pending(conn: sqlite3.Connection, batch: int | None) -> bool:
    """Inside a write transaction: index up to ``batch`` pending check-ins (None: all).
    True when none are left."""
    pending = _pending(conn)
    if pending is None:
        return True
    first, last = pending
    upto = last if batch is None else min(last, first + batch - 1)
    conn.execute(
        "INSERT INTO checkins_fts (rowid, note, fell_short)"
        " SELECT id, note, fell_short FROM checkins WHERE id BETWEEN ? AND ?",
        (first, upto),
    )
    if upto >= last:
        conn.execute("DELETE FROM settings WHERE key = ?", (SEARCH_PENDING_KEY,))
        return True
    conn.execute(
        "UPDATE settings SET value = ? WHERE key = ?", (f"{upto + 1} {last}", SEARCH_PENDING_KEY)
    )
    return False


def catch_up_search_index(
    conn: sqlite3.Connection,
    batch: int = CATCH_UP_BATCH,
    stop: Callable[[], bool] | None = None,
) -> bool:
    """Index the check-ins a bulk load left pending, ``batch`` at a time, each batch in a
    write transaction of its own, so other programs write in between. ``stop`` is asked
    between batches; False when it said stop with some left (the first search, or the
    next change to a check-in, indexes them)."""
    while True:
        with write(conn):
            if _index_pending(conn, batch):
                return True
        if stop is not None and stop():
            return False
        time.sleep(CATCH_UP_PAUSE_S)


def ensure_search_index(conn: sqlite3.Connection) -> None:
    """Bring the check-in search index up to date if a bulk load left it for later:
    before a search, and before a check-in changes (the index's triggers must find every
    row they take out)."""
    waiting = conn.execute(
        "SELECT 1 FROM settings WHERE key IN (?, ?)", (SEARCH_STALE_KEY, SEARCH_PENDING_KEY)
    ).fetchone()
    if waiting is None:
        return

    with write(conn):
        if conn.execute("SELECT 1 FROM settings WHERE key = ?", (SEARCH_STALE_KEY,)).fetchone():
            conn.execute("INSERT INTO checkins_fts (checkins_fts) VALUES ('rebuild')")
            search_index_whole(conn)
        _index_pending(conn, None)


def search_index_whole(conn: sqlite3.Connection) -> None:
    """After the check-in search index was built from every check-in: nothing waits for
    it any more (a row still noted as pending would be indexed a second time)."""
    conn.execute("DELETE FROM main.settings WHERE key IN (?, ?)", SEARCH_KEYS)
