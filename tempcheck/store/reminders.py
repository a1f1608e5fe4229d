"""Facts behind the morning brief, reminder snoozes and ``tempcheck spread``.

Snoozing a customer's reminder and spreading first contacts are both rows
(``reminder_snoozes``, ``contact_baselines``), never edits of the customer:
the cadence stays what it is, and the record shows what was done when.
The brief itself is assembled by :func:`tempcheck.services.brief.brief` from
these facts and the dashboard rows.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from tempcheck.domain import clock
from tempcheck.store.connection import StoreError, write
from tempcheck.store.fragments import customer_params

if TYPE_CHECKING:
    from tempcheck.domain.brief import LastCheckin

# One or a few customers' rows (store.dashboard.THEIRS; written out for the SQL checker).
_THEIRS = " IN (SELECT value FROM json_each(:customer_id))"


def last_checkins(
    conn: sqlite3.Connection, *, customer_id: int | None = None
) -> dict[int, LastCheckin]:
    """Each customer's newest check-in, found through the contact summary.

    CROSS JOIN keeps the summary as the outer loop (SQLite does not reorder
    it), so this is one index lookup per customer, never a scan of check-ins.
    """
    # Imported here: the brief's module (and its records and meetings) is not needed by
    # the dashboard query, which imports this module for the snoozes and baselines.
    from tempcheck.domain.brief import LastCheckin

    found: dict[int, LastCheckin] = {}
    only = "" if customer_id is None else " WHERE s.customer_id = :customer_id"
    for cid, at, temp, note, fell_short in conn.execute(
        "SELECT k.customer_id, k.at, k.temperature, k.note, k.fell_short"
        " FROM contact_summary s CROSS JOIN checkins k"
        f" ON k.customer_id = s.customer_id AND k.at = s.last_at{only} ORDER BY k.id",
        {"customer_id": customer_id},
    ):
        found[cid] = LastCheckin(clock.from_stored(at), temp, note or "", fell_short or "")
    return found


def last_confirmations(
    conn: sqlite3.Connection, *, customer_id: int | None = None
) -> dict[int, datetime]:
    """When each customer last confirmed a concern or priority (the dashboard's rule)."""
    only = "" if customer_id is None else " AND q.customer_id = :customer_id"
    return {
        cid: clock.from_stored(at)
        for cid, at in conn.execute(
            "SELECT q.customer_id, max(e.at) FROM concerns q"
            f" JOIN concern_events e ON e.concern_id = q.id WHERE e.kind = 'confirmed'{only}"
            " GROUP BY q.customer_id",
            {"customer_id": customer_id},
        )
    }


# --- snoozing a customer's contact reminder -------------------------------------------


def snooze_reminder(conn: sqlite3.Connection, customer_id: int, until: date) -> None:
    """Hide the customer from the brief's contact reminders until ``until`` (after today).

    The cadence and staleness are untouched; on ``until`` the reminder is back.
    """
    if until <= clock.today():
        raise StoreError(f"snooze to a day after today, not {until.isoformat()}")
    _add_snooze(conn, customer_id, until)


def wake_reminder(conn: sqlite3.Connection, customer_id: int) -> bool:
    """End a snooze early (a new row that runs out today); False if it was not snoozed."""
    today = clock.today()
    if customer_id not in snoozed(conn, today):
        return False
    _add_snooze(conn, customer_id, today)
    return True


def _add_snooze(conn: sqlite3.Connection, customer_id: int, until: date) -> None:
    with write(conn):
        if conn.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is None:
            raise StoreError(f"no customer with id {customer_id}")
        conn.execute(
            "INSERT INTO reminder_snoozes (customer_id, until, created_at) VALUES (?, ?, ?)",
            (customer_id, until.isoformat(), clock.to_stored(clock.now())),
        )


def snoozed(conn: sqlite3.Connection, today: date, *, customer_id=None) -> dict[int, date]:  # noqa: ANN001
    """Customers whose newest snooze still runs after ``today``, with the day it ends
    (only ``customer_id``'s when given: an id or a collection of ids)."""
    only = "" if customer_id is None else f" AND r.customer_id{_THEIRS}"
    params = customer_params(customer_id)
    return {
        cid: date.fromisoformat(until)
        for cid, until in conn.execute(
            "SELECT r.customer_id, r.until FROM reminder_snoozes r"
            " WHERE r.id = (SELECT max(id) FROM reminder_snoozes x"
            f" WHERE x.customer_id = r.customer_id) AND r.until > :today{only}",
            {"today": today.isoformat(), **params},
        )
    }


# --- spreading first contacts after a bulk import -----------------------------------


def spread(conn: sqlite3.Connection, *, now: datetime | None = None) -> int:
    """Stagger a baseline over one cadence for active customers never contacted.

    Customer ``i`` of ``n``, counted from the newest added (so the first added falls due
    first), gets
    ``now - cadence * i / n``: their first contacts fall due one after another
    over the next cadence instead of all at once. Customers with a check-in or
    a baseline are skipped, so running it again does nothing. Returns how many
    got a baseline.
    """
    now = now or clock.now()
    with write(conn):
        waiting = conn.execute(
            "SELECT c.id, c.cadence_days FROM customers c WHERE c.status = 'active'"
            " AND NOT EXISTS (SELECT 1 FROM checkins k WHERE k.customer_id = c.id)"
            " AND NOT EXISTS (SELECT 1 FROM contact_baselines b WHERE b.customer_id = c.id)"
            " ORDER BY c.id DESC"
        ).fetchall()
        count = len(waiting)
        stamp = clock.to_stored(now)
        conn.executemany(
            "INSERT INTO contact_baselines (customer_id, baseline_at, created_at) VALUES (?, ?, ?)",
            (
                (cid, clock.to_stored(now - timedelta(days=cadence) * index / count), stamp)
                for index, (cid, cadence) in enumerate(waiting)
            ),
        )
    return count


def baselines(conn: sqlite3.Connection, *, customer_id=None) -> dict[int, datetime]:  # noqa: ANN001
    """Each spread customer's baseline: their last contact until the first check-in
    (only ``customer_id``'s when given: an id or a collection of ids)."""
    only = "" if customer_id is None else f" AND customer_id{_THEIRS}"
    params = customer_params(customer_id)
    return {
        cid: clock.from_stored(at)
        for cid, at in conn.execute(
            f"SELECT customer_id, baseline_at FROM contact_baselines WHERE 1{only}", params
        )
    }
