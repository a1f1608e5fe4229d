"""Taking back the last write: every capture and settle returns an :class:`Undo`.

A write in tempcheck adds rows (a check-in, a settlement, a done event); undoing
it deletes exactly those rows, newest first, in one transaction. If anything was
built on them since (a follow-up snoozed, an issue closed), the foreign keys
refuse and nothing changes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from tempcheck.store.connection import StoreError, write

# The tables an undo may delete from; names never come from user input.
UNDOABLE = frozenset(
    {
        "checkins",
        "followups",
        "followup_events",
        "promise_settlements",
        "issues",
        "issue_closures",
        "concern_events",
        "promises",
        "concerns",
    }
)


@dataclass(frozen=True)
class Undo:
    """What to delete to take a write back, and the words for the notice."""

    what: str  # "the check-in for Acme Corp", "kept: Send the plan (Acme Corp)"
    customer_id: int
    rows: tuple[tuple[str, int], ...]  # (table, id), deleted in this order


def undo(conn: sqlite3.Connection, token: Undo) -> None:
    """Delete the rows of ``token``, all or none."""
    try:
        with write(conn):
            for table, row_id in token.rows:
                if table not in UNDOABLE:
                    raise StoreError(f"cannot undo a change to {table}")
                # Table names come from the fixed set above.
                conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))  # noqa: S608
    except sqlite3.IntegrityError:
        raise StoreError(f"{token.what} has changed since; it cannot be undone") from None
