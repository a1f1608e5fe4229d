"""Check-in rows: how the customer felt, when, through which channel, who reached out."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from tempcheck.domain import clock
from tempcheck.domain.records import CHANNELS, REACHED_OUT, CheckIn
from tempcheck.store import identity
from tempcheck.store.connection import StoreError, not_past, write

MAX_FOLLOW_UP_NOTE = 1000  # as tempcheck.store.followups.MAX_NOTE
_COLUMNS = (
    "id, uid, customer_id, at, temperature, channel, initiated_by, note, fell_short,"
    " follow_up, issue_id, contact_id, logged_by"
)


def _row(row: tuple) -> CheckIn:
    return CheckIn(
        id=row[0],
        uid=row[1],
        customer_id=row[2],
        at=clock.from_stored(row[3]),
        temperature=row[4],
        channel=row[5],
        initiated_by=row[6],
        note=row[7],
        fell_short=row[8],
        follow_up=date.fromisoformat(row[9]) if row[9] else None,
        issue_id=row[10],
        contact_id=row[11],
        logged_by=row[12],
    )


def add_checkin(
    conn: sqlite3.Connection,
    customer_id: int,
    temperature: int,
    *,
    note: str = "",
    channel: str = "hallway",
    initiated_by: str = "us",
    at: datetime | None = None,
    fell_short: str = "",
    follow_up: date | None = None,
    follow_up_note: str = "",
    issue_id: int | None = None,
    contact_id: int | None = None,
) -> CheckIn:
    """Record a check-in, and its follow-up as an open follow-up row.

    The follow-up is never in the past, and carries its own text (what to follow
    up on), not a copy of the check-in's note.
    """
    if not 1 <= int(temperature) <= 5:
        raise StoreError(f"temperature must be 1-5, not {temperature}")
    if channel not in CHANNELS:
        raise StoreError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
    if initiated_by not in REACHED_OUT:
        raise StoreError(f"who reached out must be 'us' or 'them', not {initiated_by!r}")
    if at is not None and at < clock.EARLIEST:
        raise StoreError(
            f"a check-in cannot be dated before {clock.EARLIEST_DAY.isoformat()}"
            f" (--at said {at.date().isoformat()})"
        )
    if follow_up is not None:
        not_past(follow_up, "the follow-up date")
    follow_up_note = follow_up_note.strip()
    if len(follow_up_note) > MAX_FOLLOW_UP_NOTE:
        raise StoreError(f"a follow-up note is at most {MAX_FOLLOW_UP_NOTE} characters")
    now = clock.to_stored(clock.now())
    with write(conn):
        exists = conn.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone()
        if exists is None:
            raise StoreError(f"no customer with id {customer_id}")
        if issue_id is not None:
            owner = conn.execute(
                "SELECT customer_id FROM issues WHERE id = ?", (issue_id,)
            ).fetchone()
            if owner is None or owner[0] != customer_id:
                raise StoreError(f"issue {issue_id} is not one of this customer's issues")
        if contact_id is not None:
            person = conn.execute(
                "SELECT customer_id FROM contacts WHERE id = ?", (contact_id,)
            ).fetchone()
            if person is None or person[0] != customer_id:
                raise StoreError(f"contact {contact_id} is not one of this customer's people")
        cursor = conn.execute(
            "INSERT INTO checkins (customer_id, at, temperature, channel, initiated_by, note,"
            " fell_short, follow_up, issue_id, contact_id, created_at, logged_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                customer_id,
                clock.to_stored(at) if at else now,
                int(temperature),
                channel,
                initiated_by,
                note,
                fell_short,
                follow_up.isoformat() if follow_up else None,
                issue_id,
                contact_id,
                now,
                identity.member(conn),
            ),
        )
        checkin_id = cursor.lastrowid
        if follow_up is not None:
            conn.execute(
                "INSERT INTO followups (customer_id, due, note, created_at, checkin_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (customer_id, follow_up.isoformat(), follow_up_note, now, checkin_id),
            )
        return get_checkin(conn, checkin_id)


def get_checkin(conn: sqlite3.Connection, checkin_id: int) -> CheckIn:
    row = conn.execute(f"SELECT {_COLUMNS} FROM checkins WHERE id = ?", (checkin_id,)).fetchone()
    if row is None:
        raise StoreError(f"no check-in with id {checkin_id}")
    return _row(row)


def undo_checkin(conn: sqlite3.Connection, checkin_id: int) -> None:
    """Take back a check-in logged by mistake moments ago, with the follow-up it made."""
    with write(conn):
        get_checkin(conn, checkin_id)
        in_use = conn.execute(
            "SELECT 1 FROM issues WHERE from_checkin_id = ?"
            " UNION ALL SELECT 1 FROM issue_closures WHERE checkin_id = ?",
            (checkin_id, checkin_id),
        ).fetchone()
        if in_use:
            raise StoreError("this check-in has an issue attached; it cannot be undone")
        followups = [
            r[0]
            for r in conn.execute("SELECT id FROM followups WHERE checkin_id = ?", (checkin_id,))
        ]
        for followup_id in followups:
            conn.execute("DELETE FROM followup_events WHERE followup_id = ?", (followup_id,))
            conn.execute("DELETE FROM followups WHERE id = ?", (followup_id,))
        conn.execute("DELETE FROM checkins WHERE id = ?", (checkin_id,))
