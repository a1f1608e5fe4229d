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


@contextlib.contextmanager
def bulk_checkins(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside an open write transaction: drop the check-in triggers (summary and
    full-text index), then restore them and rebuild what they would have kept."""
    if not conn.in_transaction:
        raise RuntimeError("bulk_checkins needs an open write transaction")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'checkins'"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        for _, sql in triggers:
            conn.execute(sql)
        rebuild(conn)
        if any(name == "checkins_ai" for name, _ in triggers):
            # The full-text index missed the rows loaded without its triggers.
            conn.execute("INSERT INTO checkins_fts (checkins_fts) VALUES ('rebuild')")
