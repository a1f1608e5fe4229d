"""Follow-ups: "rinse and repeat". Done and snoozed are events, never rewrites.

A follow-up's effective due date is its newest snooze's ``until``, else the
date it was made with; a ``done`` event closes it.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from tempcheck.domain import clock
from tempcheck.domain.records import FollowUp
from tempcheck.store.connection import StoreError, not_past, write
from tempcheck.store.fragments import EFFECTIVE_DUE, FOLLOWUP_DONE

MAX_NOTE = 1000

_SELECT = f"""
SELECT f.id, f.uid, f.customer_id, c.name,
    {EFFECTIVE_DUE} AS effective_due,
    f.due, f.note, f.checkin_id, f.issue_id,
    {FOLLOWUP_DONE} AS done
FROM followups f
JOIN customers c ON c.id = f.customer_id
"""


def _followup(row: tuple, today: date) -> FollowUp:
    followup_id, uid, customer_id, name, due, original, note, checkin_id, issue_id, done = row
    effective = date.fromisoformat(due)
    return FollowUp(
        id=followup_id,
        uid=uid,
        customer_id=customer_id,
        customer_name=name,
        due=effective,
        original_due=date.fromisoformat(original),
        note=note,
        checkin_id=checkin_id,
        issue_id=issue_id,
        done=bool(done),
        overdue=not done and effective < today,
    )


def add_followup(conn: sqlite3.Connection, customer_id: int, due: date, note: str = "") -> FollowUp:
    """Plan a follow-up with a customer on ``due`` (today or later)."""
    not_past(due, "the follow-up date")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise StoreError(f"a follow-up note is at most {MAX_NOTE} characters")
    with write(conn):
        if conn.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is None:
            raise StoreError(f"no customer with id {customer_id}")
        cursor = conn.execute(
            "INSERT INTO followups (customer_id, due, note, created_at) VALUES (?, ?, ?, ?)",
            (customer_id, due.isoformat(), note, clock.to_stored(clock.now())),
        )
        return get_followup(conn, cursor.lastrowid)


def get_followup(
    conn: sqlite3.Connection, followup_id: int, *, today: date | None = None
) -> FollowUp:
    row = conn.execute(_SELECT + " WHERE f.id = ?", (followup_id,)).fetchone()
    if row is None:
        raise StoreError(f"no follow-up with id {followup_id}")
    return _followup(row, today or clock.today())


def open_followups(
    conn: sqlite3.Connection,
    *,
    customer_id: int | None = None,
    due_within_days: int | None = None,
    today: date | None = None,
) -> list[FollowUp]:
    """Follow-ups not yet done, by effective due date.

    ``due_within_days=0`` keeps those due today or overdue, ``3`` adds the next
    three days; ``None`` keeps all.
    """
    today = today or clock.today()
    sql = f"SELECT * FROM ({_SELECT}) WHERE NOT done"
    params: list[object] = []
    if customer_id is not None:
        sql += " AND customer_id = ?"
        params.append(customer_id)
    if due_within_days is not None:
        sql += " AND effective_due <= ?"
        params.append((today + timedelta(days=due_within_days)).isoformat())
    sql += " ORDER BY effective_due, id"
    return [_followup(row, today) for row in conn.execute(sql, params)]


def mark_done(conn: sqlite3.Connection, followup_id: int) -> FollowUp:
    """Record that the follow-up happened (a ``done`` event)."""
    with write(conn):
        followup = get_followup(conn, followup_id)
        if followup.done:
            raise StoreError(f"follow-up {followup_id} is already done")
        conn.execute(
            "INSERT INTO followup_events (followup_id, at, kind) VALUES (?, ?, 'done')",
            (followup_id, clock.to_stored(clock.now())),
        )
        return get_followup(conn, followup_id)


def snooze(conn: sqlite3.Connection, followup_id: int, until: date) -> FollowUp:
    """Move an open follow-up to a later day (a ``snoozed`` event); ``until`` is after today."""
    today = clock.today()
    if until <= today:
        raise StoreError(f"snooze to a day after today, not {until.isoformat()}")
    with write(conn):
        followup = get_followup(conn, followup_id)
        if followup.done:
            raise StoreError(f"follow-up {followup_id} is already done")
        conn.execute(
            "INSERT INTO followup_events (followup_id, at, kind, until)"
            " VALUES (?, ?, 'snoozed', ?)",
            (followup_id, clock.to_stored(clock.now()), until.isoformat()),
        )
        return get_followup(conn, followup_id)
