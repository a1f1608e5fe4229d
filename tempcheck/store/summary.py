"""The per-customer contact summary the dashboard reads, and bulk loading around it.

Triggers keep ``contact_summary`` current on every check-in write. A bulk load
of a million rows would pay for those triggers a million times, so
:func:`bulk_checkins` lifts them for the duration of one transaction and
rebuilds the summary once at the end; other processes never see the gap.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

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


def rebuild(conn: sqlite3.Connection) -> None:
    """Recompute every customer's summary from the check-ins."""
    conn.execute(REBUILD_SQL)


# A settings row saying the check-in search index waits for a rebuild (see bulk_checkins).
SEARCH_STALE_KEY = "search.checkins_stale"


@contextlib.contextmanager
def bulk_checkins(conn: sqlite3.Connection, *, defer_search_index: bool = False) -> Iterator[None]:
    """Inside an open write transaction: drop the check-in triggers (summary and
    full-text index), then restore them and bring up to date what they would have kept.

    Rows added meanwhile are added to the search index (bulk loads only insert).
    ``defer_search_index`` leaves that to the first search instead, which rebuilds
    the index once (a million generated check-ins load without waiting for it).
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
        rebuild(conn)
        if indexed and defer_search_index:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, '1')"
                " ON CONFLICT (key) DO UPDATE SET value = '1'",
                (SEARCH_STALE_KEY,),
            )
        elif indexed:
            conn.execute(
                "INSERT INTO checkins_fts (rowid, note, fell_short)"
                " SELECT id, note, fell_short FROM checkins WHERE id > ?",
                (last_id,),
            )


def ensure_search_index(conn: sqlite3.Connection) -> None:
    """Rebuild the check-in search index if a bulk load left it for later."""
    stale = conn.execute("SELECT 1 FROM settings WHERE key = ?", (SEARCH_STALE_KEY,)).fetchone()
    if stale is None:
        return

    with write(conn):
        if conn.execute("SELECT 1 FROM settings WHERE key = ?", (SEARCH_STALE_KEY,)).fetchone():
            conn.execute("INSERT INTO checkins_fts (checkins_fts) VALUES ('rebuild')")
            conn.execute("DELETE FROM settings WHERE key = ?", (SEARCH_STALE_KEY,))
