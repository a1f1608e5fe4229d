"""Taking back the last write: every capture and settle returns an :class:`Undo`.

A write in tempcheck adds rows (a check-in, a settlement, a done event); undoing
it deletes exactly those rows, newest first, in one transaction. If anything was
built on them since (a follow-up snoozed, an issue closed), the foreign keys
refuse and nothing changes.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from tempcheck.store.connection import StoreError, write
from tempcheck.store.summary import ensure_search_index

# The tables an undo may delete from, each with its one statement.
_DELETE = {
    "checkins": "DELETE FROM checkins WHERE id = ?",
    "followups": "DELETE FROM followups WHERE id = ?",
    "followup_events": "DELETE FROM followup_events WHERE id = ?",
    "promise_settlements": "DELETE FROM promise_settlements WHERE id = ?",
    "issues": "DELETE FROM issues WHERE id = ?",
    "issue_closures": "DELETE FROM issue_closures WHERE id = ?",
    "concern_events": "DELETE FROM concern_events WHERE id = ?",
    "promises": "DELETE FROM promises WHERE id = ?",
    "concerns": "DELETE FROM concerns WHERE id = ?",
    "customers": "DELETE FROM customers WHERE id = ?",
}
UNDOABLE = frozenset(_DELETE)


class Undo(NamedTuple):
    """What to delete to take a write back, and the words for the notice."""

    what: str  # "the check-in for Acme Corp", "kept: Send the plan (Acme Corp)"
    customer_id: int
    rows: tuple[tuple[str, int], ...]  # (table, id), deleted in this order


def undo(conn: sqlite3.Connection, token: Undo) -> None:
    """Delete the rows of ``token``, all or none."""
    try:
        with write(conn):
            ensure_search_index(conn)  # the search triggers must find every row indexed
            for table, row_id in token.rows:
                if table not in _DELETE:
                    raise StoreError(f"cannot undo a change to {table}")
                conn.execute(_DELETE[table], (row_id,))
    except sqlite3.IntegrityError:
        raise StoreError(f"{token.what} has changed since; it cannot be undone") from None
