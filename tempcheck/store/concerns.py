"""Concerns and priorities: "calibrate" and "listen, then confirm".

Each is an assumption until confirmed with the customer; confirming and
dropping are ``concern_events`` rows, so the record shows when we last asked.
When the newest confirmation is older than the calibration interval, the
customer's priorities may have shifted.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from tempcheck.domain import clock
from tempcheck.domain.records import CONCERN_KINDS, Concern
from tempcheck.store import settings
from tempcheck.store.connection import StoreError, write
from tempcheck.store.dashboard import needs_recalibration

MAX_TEXT = 500

_SELECT = """
SELECT q.id, q.uid, q.customer_id, q.kind, q.text, q.rank,
    (SELECT max(e.at) FROM concern_events e WHERE e.concern_id = q.id AND e.kind = 'confirmed'),
    EXISTS (SELECT 1 FROM concern_events e WHERE e.concern_id = q.id AND e.kind = 'dropped')
FROM concerns q
"""


def _concern(row: tuple) -> Concern:
    concern_id, uid, customer_id, kind, text, rank, confirmed_at, dropped = row
    return Concern(
        id=concern_id,
        uid=uid,
        customer_id=customer_id,
        kind=kind,
        text=text,
        rank=rank,
        confirmed_at=clock.from_stored(confirmed_at) if confirmed_at else None,
        dropped=bool(dropped),
    )


def add_concern(
    conn: sqlite3.Connection,
    customer_id: int,
    text: str,
    *,
    kind: str = "concern",
    rank: int | None = None,
    confirmed: bool = False,
) -> Concern:
    """Note a concern or priority; without a rank it goes after the customer's current ones."""
    text = text.strip()
    if not text:
        raise StoreError(f"a {kind} needs a text")
    if len(text) > MAX_TEXT:
        raise StoreError(f"a {kind} is at most {MAX_TEXT} characters")
    if kind not in CONCERN_KINDS:
        raise StoreError(f"kind must be 'concern' or 'priority', not {kind!r}")
    if rank is not None and rank < 1:
        raise StoreError("rank must be 1 or more (1 matters most)")
    with write(conn):
        if conn.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is None:
            raise StoreError(f"no customer with id {customer_id}")
        if rank is None:
            rank = (
                1
                + conn.execute(
                    "SELECT coalesce(max(q.rank), 0) FROM concerns q WHERE q.customer_id = ?"
                    " AND NOT EXISTS (SELECT 1 FROM concern_events e WHERE e.concern_id = q.id"
                    " AND e.kind = 'dropped')",
                    (customer_id,),
                ).fetchone()[0]
            )
        now = clock.to_stored(clock.now())
        concern_id = conn.execute(
            "INSERT INTO concerns (customer_id, kind, text, rank, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (customer_id, kind, text, rank, now),
        ).lastrowid
        if confirmed:
            conn.execute(
                "INSERT INTO concern_events (concern_id, at, kind) VALUES (?, ?, 'confirmed')",
                (concern_id, now),
            )
        return get_concern(conn, concern_id)


def get_concern(conn: sqlite3.Connection, concern_id: int) -> Concern:
    row = conn.execute(_SELECT + " WHERE q.id = ?", (concern_id,)).fetchone()
    if row is None:
        raise StoreError(f"no concern with id {concern_id}")
    return _concern(row)


def confirm_concern(conn: sqlite3.Connection, concern_id: int) -> Concern:
    """Record that the customer confirmed it today ("Do I understand that correctly?").

    Confirming again is allowed: it is a newer calibration.
    """
    with write(conn):
        concern = get_concern(conn, concern_id)
        if concern.dropped:
            raise StoreError(f"{concern.kind} {concern_id} was dropped")
        conn.execute(
            "INSERT INTO concern_events (concern_id, at, kind) VALUES (?, ?, 'confirmed')",
            (concern_id, clock.to_stored(clock.now())),
        )
        return get_concern(conn, concern_id)


def drop_concern(conn: sqlite3.Connection, concern_id: int) -> Concern:
    """It no longer matters to the customer; the row stays in the history."""
    with write(conn):
        concern = get_concern(conn, concern_id)
        if concern.dropped:
            raise StoreError(f"{concern.kind} {concern_id} is already dropped")
        conn.execute(
            "INSERT INTO concern_events (concern_id, at, kind) VALUES (?, ?, 'dropped')",
            (concern_id, clock.to_stored(clock.now())),
        )
        return get_concern(conn, concern_id)


def list_concerns(
    conn: sqlite3.Connection, customer_id: int, *, include_dropped: bool = False
) -> list[Concern]:
    """The customer's concerns and priorities by rank (1 first); dropped ones last if asked."""
    found = [
        _concern(row)
        for row in conn.execute(_SELECT + " WHERE q.customer_id = ?", (customer_id,))
        if include_dropped or not row[7]
    ]
    return sorted(found, key=lambda c: (c.dropped, c.rank, c.id))


def calibration(
    conn: sqlite3.Connection, customer_id: int, *, now: datetime | None = None
) -> tuple[bool, datetime | None]:
    """(priorities may have shifted, the newest confirmation), by the dashboard's rule.

    The interval is the customer's own ``calibration_days``, else the setting
    ``calibration.days``.
    """
    row = conn.execute(
        "SELECT calibration_days FROM customers WHERE id = ?", (customer_id,)
    ).fetchone()
    if row is None:
        raise StoreError(f"no customer with id {customer_id}")
    interval = row[0] or settings.get_int(conn, "calibration.days")
    live, newest = conn.execute(
        """
        SELECT
            (SELECT count(*) FROM concerns q WHERE q.customer_id = :cid AND NOT EXISTS
                (SELECT 1 FROM concern_events e WHERE e.concern_id = q.id AND e.kind = 'dropped')),
            (SELECT max(e.at) FROM concerns q JOIN concern_events e ON e.concern_id = q.id
             WHERE q.customer_id = :cid AND e.kind = 'confirmed')
        """,
        {"cid": customer_id},
    ).fetchone()
    last_confirmed = clock.from_stored(newest) if newest else None
    return (
        needs_recalibration(live, last_confirmed, interval, now or clock.now()),
        last_confirmed,
    )
