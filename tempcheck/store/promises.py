"""Promises: "under-promise, over-deliver", recorded with a due date and settled once.

Settling adds a ``promise_settlements`` row (kept or broken, on a date); the
promise row is never rewritten. Whether a kept promise was early, on time or
late is derived from the dates by :func:`tempcheck.domain.trust.promise_outcome`.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from tempcheck.domain import clock, trust
from tempcheck.domain.records import OUTCOMES, Promise, PromiseRecord
from tempcheck.store import identity
from tempcheck.store.connection import StoreError, not_past, write

MAX_TEXT = 500

_TIMING = {
    trust.KEPT_EARLY: "early",
    trust.KEPT_ON_TIME: "on time",
    trust.KEPT_LATE: "late",
    trust.BROKEN: "broken",
}

_SELECT = """
SELECT p.id, p.uid, p.customer_id, c.name, p.text, p.due, p.made_at,
    s.settled_on, s.outcome, s.note
FROM promises p
JOIN customers c ON c.id = p.customer_id
LEFT JOIN promise_settlements s ON s.promise_id = p.id
"""


def timing(due: date, settled_on: date | None, outcome: str | None) -> str:
    """``''`` while open, else ``early``, ``on time``, ``late`` or ``broken``."""
    if settled_on is None or outcome is None:
        return ""
    return _TIMING[trust.promise_outcome(due, settled_on, outcome)]


def _promise(row: tuple, today: date) -> Promise:
    promise_id, uid, customer_id, name, text, due, made_at, settled_on, outcome, note = row
    due_day = date.fromisoformat(due)
    settled_day = date.fromisoformat(settled_on) if settled_on else None
    return Promise(
        id=promise_id,
        uid=uid,
        customer_id=customer_id,
        customer_name=name,
        text=text,
        due=due_day,
        made_at=clock.from_stored(made_at),
        settled_on=settled_day,
        outcome=outcome,
        note=note or "",
        timing=timing(due_day, settled_day, outcome),
        overdue=outcome is None and due_day < today,
    )


def add_promise(conn: sqlite3.Connection, customer_id: int, text: str, due: date) -> Promise:
    """Record a promise; it needs words and a due date that is not in the past."""
    text = text.strip()
    if not text:
        raise StoreError("a promise needs a text: what did we promise?")
    if len(text) > MAX_TEXT:
        raise StoreError(f"a promise is at most {MAX_TEXT} characters")
    if due is None:
        raise StoreError("a promise needs a due date")
    not_past(due, "the due date")
    with write(conn):
        if conn.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is None:
            raise StoreError(f"no customer with id {customer_id}")
        cursor = conn.execute(
            "INSERT INTO promises (customer_id, text, due, made_at) VALUES (?, ?, ?, ?)",
            (customer_id, text, due.isoformat(), clock.to_stored(clock.now())),
        )
        return get_promise(conn, cursor.lastrowid)


def settle_promise(
    conn: sqlite3.Connection,
    promise_id: int,
    outcome: str,
    *,
    note: str = "",
    on: date | None = None,
) -> Promise:
    """Settle a promise as kept or broken, once; a broken promise needs a note saying why.

    ``on`` (default today) is the day it was kept or broken: not in the
    future, not before the promise was made.
    """
    if outcome not in OUTCOMES:
        raise StoreError(f"a promise is settled as 'kept' or 'broken', not {outcome!r}")
    note = note.strip()
    if outcome == "broken" and not note:
        raise StoreError("breaking a promise needs a note: what happened?")
    today = clock.today()
    on = on or today
    if on > today:
        raise StoreError(f"{on.isoformat()} is in the future; settle a promise on or before today")
    with write(conn):
        promise = get_promise(conn, promise_id)
        if not promise.is_open:
            raise StoreError(f"promise {promise_id} is already settled ({promise.state})")
        made_on = clock.local(promise.made_at).date()
        if on < made_on:
            raise StoreError(
                f"promise {promise_id} was made on {made_on.isoformat()}; "
                f"it cannot be settled on {on.isoformat()}"
            )
        conn.execute(
            "INSERT INTO promise_settlements (promise_id, settled_at, settled_on, outcome, note,"
            " logged_by) VALUES (?, ?, ?, ?, ?, ?)",
            (
                promise_id,
                clock.to_stored(clock.now()),
                on.isoformat(),
                outcome,
                note,
                identity.member(conn),
            ),
        )
        return get_promise(conn, promise_id)


def get_promise(conn: sqlite3.Connection, promise_id: int, *, today: date | None = None) -> Promise:
    row = conn.execute(_SELECT + " WHERE p.id = ?", (promise_id,)).fetchone()
    if row is None:
        raise StoreError(f"no promise with id {promise_id}")
    return _promise(row, today or clock.today())


def list_promises(
    conn: sqlite3.Connection,
    *,
    customer_id: int | None = None,
    include_settled: bool = False,
    today: date | None = None,
) -> list[Promise]:
    """Open promises by due date, then, if asked, settled ones newest first."""
    where, params = [], []
    if customer_id is not None:
        where.append("p.customer_id = ?")
        params.append(customer_id)
    if not include_settled:
        where.append("s.id IS NULL")
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    today = today or clock.today()
    found = [_promise(row, today) for row in conn.execute(sql, params)]
    open_ = sorted((p for p in found if p.is_open), key=lambda p: (p.due, p.id))
    settled = sorted(
        (p for p in found if not p.is_open),
        key=lambda p: (p.settled_on or date.min, p.id),
        reverse=True,
    )
    return open_ + settled


def promise_record(conn: sqlite3.Connection, customer_id: int) -> PromiseRecord:
    """How a customer's promises ended: kept early/on time/late, broken, still open."""
    counts = dict.fromkeys((*_TIMING.values(), ""), 0)
    for due, settled_on, outcome in conn.execute(
        "SELECT p.due, s.settled_on, s.outcome FROM promises p"
        " LEFT JOIN promise_settlements s ON s.promise_id = p.id WHERE p.customer_id = ?",
        (customer_id,),
    ):
        settled_day = date.fromisoformat(settled_on) if settled_on else None
        counts[timing(date.fromisoformat(due), settled_day, outcome)] += 1
    kept = counts["early"] + counts["on time"] + counts["late"]
    settled = kept + counts["broken"]
    return PromiseRecord(
        kept=kept,
        kept_early=counts["early"],
        kept_on_time=counts["on time"],
        kept_late=counts["late"],
        broken=counts["broken"],
        open=counts[""],
        on_time_rate=(counts["early"] + counts["on time"]) / settled if settled else None,
    )
