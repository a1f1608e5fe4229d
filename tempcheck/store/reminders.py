"""Queries behind the morning brief, reminder snoozes and ``tempcheck spread``.

Snoozing a customer's reminder and spreading first contacts are both rows
(``reminder_snoozes``, ``contact_baselines``), never edits of the customer:
the cadence stays what it is, and the record shows what was done when.

:mod:`tempcheck.store.dashboard` is imported inside the functions that need
it, so the dashboard query can import :func:`baselines` and :func:`snoozed`
from here without an import cycle.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

from tempcheck.domain import clock
from tempcheck.domain.brief import BriefItem, LastCheckin, assemble
from tempcheck.store.connection import StoreError, write


def brief(conn: sqlite3.Connection, *, now: datetime | None = None) -> list[BriefItem]:
    """Today's brief for the active customers, in :data:`tempcheck.domain.brief.ORDER`.

    Staleness comes from the dashboard's own query (with spread baselines
    applied, so the two always agree); snoozed customers are left out of the
    contact reminders but not out of what is due.
    """
    from tempcheck.store import settings
    from tempcheck.store.accounts import renewals_within
    from tempcheck.store.contacts import key_people
    from tempcheck.store.dashboard import dashboard_rows
    from tempcheck.store.followups import open_followups
    from tempcheck.store.issues import list_issues
    from tempcheck.store.promises import list_promises

    now = now or clock.now()
    today = clock.local(now).date()
    stand_ins = baselines(conn)
    rows = dashboard_rows(conn, now=now, with_trust=False)  # spread baselines included
    return assemble(
        issues=list_issues(conn, today=today),
        promises=list_promises(conn, today=today),
        followups=open_followups(conn, due_within_days=0, today=today),
        rows=rows,
        last_checkins=last_checkins(conn),
        baselines=stand_ins,
        last_confirmed=last_confirmations(conn),
        snoozed=snoozed(conn, today),
        now=now,
        renewals=renewals_within(conn, today, settings.get_int(conn, "renewal.window_days")),
        people=key_people(conn),
        quiet_ratio=float(settings.get(conn, "staleness.cold")),
    )


def last_checkins(conn: sqlite3.Connection) -> dict[int, LastCheckin]:
    """Each customer's newest check-in, found through the contact summary.

    CROSS JOIN keeps the summary as the outer loop (SQLite does not reorder
    it), so this is one index lookup per customer, never a scan of check-ins.
    """
    found: dict[int, LastCheckin] = {}
    for cid, at, temp, note, fell_short in conn.execute(
        "SELECT k.customer_id, k.at, k.temperature, k.note, k.fell_short"
        " FROM contact_summary s CROSS JOIN checkins k"
        " ON k.customer_id = s.customer_id AND k.at = s.last_at ORDER BY k.id"
    ):
        found[cid] = LastCheckin(clock.from_stored(at), temp, note or "", fell_short or "")
    return found


def last_confirmations(conn: sqlite3.Connection) -> dict[int, datetime]:
    """When each customer last confirmed a concern or priority (the dashboard's rule)."""
    return {
        cid: clock.from_stored(at)
        for cid, at in conn.execute(
            "SELECT q.customer_id, max(e.at) FROM concerns q"
            " JOIN concern_events e ON e.concern_id = q.id WHERE e.kind = 'confirmed'"
            " GROUP BY q.customer_id"
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


def snoozed(conn: sqlite3.Connection, today: date) -> dict[int, date]:
    """Customers whose newest snooze still runs after ``today``, with the day it ends."""
    return {
        cid: date.fromisoformat(until)
        for cid, until in conn.execute(
            "SELECT r.customer_id, r.until FROM reminder_snoozes r"
            " WHERE r.id = (SELECT max(id) FROM reminder_snoozes x"
            " WHERE x.customer_id = r.customer_id) AND r.until > ?",
            (today.isoformat(),),
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


def baselines(conn: sqlite3.Connection) -> dict[int, datetime]:
    """Each spread customer's baseline: their last contact until the first check-in."""
    return {
        cid: clock.from_stored(at)
        for cid, at in conn.execute("SELECT customer_id, baseline_at FROM contact_baselines")
    }
