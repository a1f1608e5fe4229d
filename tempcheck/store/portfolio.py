"""Queries behind the portfolio figures, the detail chart and the review pack.

Check-ins are grouped by local day inside SQLite (``date(at, 'localtime')``
uses the same C library time zone as Python), so a period's figures cost one
pass over the check-in index and a few hundred rows back, not one per check-in.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time

from tempcheck.domain import clock


def start_of(day: date) -> datetime:
    """Local midnight at the start of ``day``, aware."""
    return datetime.combine(day, time.min).astimezone()


def daily_temperatures(
    conn: sqlite3.Connection, start: datetime, end: datetime
) -> list[tuple[date, int, int]]:
    """Per local day in [start, end]: (day, sum of temperatures, check-ins)."""
    return [
        (date.fromisoformat(day), total, count)
        for day, total, count in conn.execute(
            "SELECT date(at, 'localtime') AS day, sum(temperature), count(*) FROM checkins"
            " WHERE at >= ? AND at <= ? GROUP BY day ORDER BY day",
            (clock.to_stored(start), clock.to_stored(end)),
        )
    ]


def contact_counts(
    conn: sqlite3.Connection, start: datetime, end: datetime
) -> list[tuple[str, int]]:
    """Active customers with their check-ins in [start, end] (each an index range count)."""
    return conn.execute(
        "SELECT c.name, (SELECT count(*) FROM checkins k WHERE k.customer_id = c.id"
        " AND k.at >= ? AND k.at <= ?) FROM customers c WHERE c.status = 'active'",
        (clock.to_stored(start), clock.to_stored(end)),
    ).fetchall()


def settled_promises(
    conn: sqlite3.Connection, since: date, until: date
) -> list[tuple[date, date, str]]:
    """(due, settled on, outcome) of promises settled between the two days, inclusive."""
    return [
        (date.fromisoformat(due), date.fromisoformat(on), outcome)
        for due, on, outcome in conn.execute(
            "SELECT p.due, s.settled_on, s.outcome FROM promise_settlements s"
            " JOIN promises p ON p.id = s.promise_id WHERE s.settled_on >= ? AND s.settled_on <= ?",
            (since.isoformat(), until.isoformat()),
        )
    ]


def closed_issues_with_due(
    conn: sqlite3.Connection, start: datetime, end: datetime
) -> list[tuple[date, date]]:
    """(due, local day closed) of issues with a due date closed in [start, end]."""
    return [
        (date.fromisoformat(due), clock.local(clock.from_stored(closed_at)).date())
        for due, closed_at in conn.execute(
            "SELECT i.due, x.closed_at FROM issue_closures x JOIN issues i ON i.id = x.issue_id"
            " WHERE i.due IS NOT NULL AND x.closed_at >= ? AND x.closed_at <= ?",
            (clock.to_stored(start), clock.to_stored(end)),
        )
    ]


def checkin_times(
    conn: sqlite3.Connection,
    customer_id: int,
    start: datetime | None,
    end: datetime | None = None,
) -> list[tuple[datetime, int]]:
    """A customer's (time, temperature) from ``start`` (to ``end``), oldest first."""
    sql = "SELECT at, temperature FROM checkins WHERE customer_id = ?"
    params: list[object] = [customer_id]
    if start is not None:
        sql += " AND at >= ?"
        params.append(clock.to_stored(start))
    if end is not None:
        sql += " AND at <= ?"
        params.append(clock.to_stored(end))
    return [
        (clock.from_stored(at), temp) for at, temp in conn.execute(sql + " ORDER BY at, id", params)
    ]


def chart_marks(
    conn: sqlite3.Connection,
    customer_id: int,
    start: datetime | None,
    end: datetime | None = None,
) -> list[tuple[datetime, str, str]]:
    """Issues opened and closed and promises made and settled, as chart marks, oldest first."""
    rows = conn.execute(
        """
        SELECT i.opened_at, 'issue opened', i.title FROM issues i WHERE i.customer_id = :cid
        UNION ALL
        SELECT x.closed_at, 'issue closed', i.title || ' (' || x.resolution || ')'
        FROM issue_closures x JOIN issues i ON i.id = x.issue_id WHERE i.customer_id = :cid
        UNION ALL
        SELECT p.made_at, 'promise', 'promised: ' || p.text FROM promises p
        WHERE p.customer_id = :cid
        UNION ALL
        SELECT s.settled_at, 'promise', s.outcome || ': ' || p.text
        FROM promise_settlements s JOIN promises p ON p.id = s.promise_id
        WHERE p.customer_id = :cid
        ORDER BY 1
        """,
        {"cid": customer_id},
    )
    lower = clock.to_stored(start) if start is not None else ""
    upper = clock.to_stored(end) if end is not None else None
    return [
        (clock.from_stored(at), kind, label)
        for at, kind, label in rows
        if at >= lower and (upper is None or at <= upper)
    ]


def activity(
    conn: sqlite3.Connection, start: datetime, end: datetime, *, limit: int = 300
) -> tuple[list[tuple[datetime, str, str, str, int | None]], int]:
    """The portfolio's timeline in [start, end], newest first: (at, customer, kind, text,
    temperature) up to ``limit``, and how many entries there are in all."""
    union = """
        SELECT k.at AS at, c.name AS name, 'check-in' AS kind, k.note AS text,
            k.temperature AS temperature
        FROM checkins k JOIN customers c ON c.id = k.customer_id WHERE k.at >= :s AND k.at <= :e
        UNION ALL
        SELECT i.opened_at, c.name, 'issue opened', i.title, NULL
        FROM issues i JOIN customers c ON c.id = i.customer_id
        WHERE i.opened_at >= :s AND i.opened_at <= :e
        UNION ALL
        SELECT x.closed_at, c.name, 'issue closed', i.title || ' — ' || x.resolution, NULL
        FROM issue_closures x JOIN issues i ON i.id = x.issue_id
        JOIN customers c ON c.id = i.customer_id WHERE x.closed_at >= :s AND x.closed_at <= :e
        UNION ALL
        SELECT p.made_at, c.name, 'promise made', p.text, NULL
        FROM promises p JOIN customers c ON c.id = p.customer_id
        WHERE p.made_at >= :s AND p.made_at <= :e
        UNION ALL
        SELECT s.settled_at, c.name, 'promise ' || s.outcome, p.text, NULL
        FROM promise_settlements s JOIN promises p ON p.id = s.promise_id
        JOIN customers c ON c.id = p.customer_id WHERE s.settled_at >= :s AND s.settled_at <= :e
    """
    params = {"s": clock.to_stored(start), "e": clock.to_stored(end), "limit": limit}
    total = conn.execute(f"SELECT count(*) FROM ({union})", params).fetchone()[0]
    rows = conn.execute(f"{union} ORDER BY at DESC LIMIT :limit", params).fetchall()
    return [
        (clock.from_stored(at), name, kind, text or "", temp) for at, name, kind, text, temp in rows
    ], total
