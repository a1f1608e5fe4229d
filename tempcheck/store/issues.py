"""Issues: opened with a due date (the SLA), closed by adding a closure row.

"Check off each issue, then ask": closing needs a resolution and can take a
temperature (saved as a check-in linked to the issue) and a follow-up date.
The issue row is never rewritten; closing adds an ``issue_closures`` row.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

from tempcheck.domain import clock
from tempcheck.domain.records import RAISED_BY, Issue
from tempcheck.store import settings
from tempcheck.store.checkins import add_checkin
from tempcheck.store.connection import StoreError, not_past, write
from tempcheck.store.fragments import WE_REACHED_OUT_SINCE

MAX_TITLE = 500

_SELECT = f"""
SELECT i.id, i.uid, i.customer_id, c.name, i.title, i.detail, i.due, i.raised_by, i.opened_at,
    x.closed_at, x.resolution, i.from_checkin_id, x.checkin_id,
    {WE_REACHED_OUT_SINCE} AS contacted
FROM issues i
JOIN customers c ON c.id = i.customer_id
LEFT JOIN issue_closures x ON x.issue_id = i.id
"""


def _issue(row: tuple, risk_until: date) -> Issue:
    (
        issue_id,
        uid,
        customer_id,
        name,
        title,
        detail,
        due,
        raised_by,
        opened_at,
        closed_at,
        resolution,
        from_checkin_id,
        closing_checkin_id,
        contacted,
    ) = row
    due_day = date.fromisoformat(due) if due else None
    at_risk = closed_at is None and due_day is not None and due_day <= risk_until
    return Issue(
        id=issue_id,
        uid=uid,
        customer_id=customer_id,
        customer_name=name,
        title=title,
        detail=detail,
        due=due_day,
        raised_by=raised_by,
        opened_at=clock.from_stored(opened_at),
        closed_at=clock.from_stored(closed_at) if closed_at else None,
        resolution=resolution or "",
        at_risk=at_risk,
        call_first=at_risk and not contacted,
        from_checkin_id=from_checkin_id,
        closing_checkin_id=closing_checkin_id,
    )


def risk_horizon(conn: sqlite3.Connection, today: date | None = None) -> date:
    """The last due date that counts as at risk: today plus ``issues.at_risk_days``."""
    return (today or clock.today()) + timedelta(days=settings.get_int(conn, "issues.at_risk_days"))


def open_issue(
    conn: sqlite3.Connection,
    customer_id: int,
    title: str,
    *,
    detail: str = "",
    due: date | None = None,
    raised_by: str = "customer",
    from_checkin_id: int | None = None,
) -> Issue:
    """Open an issue for a customer; a due date, if given, must not be in the past."""
    title = title.strip()
    if not title:
        raise StoreError("an issue needs a title")
    if len(title) > MAX_TITLE:
        raise StoreError(f"an issue title is at most {MAX_TITLE} characters")
    if raised_by not in RAISED_BY:
        raise StoreError(f"raised by must be 'customer' or 'us', not {raised_by!r}")
    if due is not None:
        not_past(due, "the due date")
    with write(conn):
        if conn.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is None:
            raise StoreError(f"no customer with id {customer_id}")
        if from_checkin_id is not None:
            owner = conn.execute(
                "SELECT customer_id FROM checkins WHERE id = ?", (from_checkin_id,)
            ).fetchone()
            if owner is None or owner[0] != customer_id:
                raise StoreError(f"check-in {from_checkin_id} is not one of this customer's")
        cursor = conn.execute(
            "INSERT INTO issues (customer_id, title, detail, due, raised_by, opened_at,"
            " from_checkin_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                customer_id,
                title,
                detail.strip(),
                due.isoformat() if due else None,
                raised_by,
                clock.to_stored(clock.now()),
                from_checkin_id,
            ),
        )
        return get_issue(conn, cursor.lastrowid)


def close_issue(
    conn: sqlite3.Connection,
    issue_id: int,
    resolution: str,
    *,
    temperature: int | None = None,
    follow_up: date | None = None,
    channel: str = "call",
) -> Issue:
    """Close an issue with how it was solved; optionally ask how they feel and plan a follow-up.

    The temperature becomes a check-in by us linked to the issue; the
    follow-up a follow-up row linked to the issue (and to that check-in).
    All of it is one transaction: on any error nothing is written.
    """
    resolution = resolution.strip()
    if not resolution:
        raise StoreError("closing an issue needs a resolution: how was it solved?")
    if follow_up is not None:
        not_past(follow_up, "the follow-up date")
    with write(conn):
        issue = get_issue(conn, issue_id)
        if not issue.is_open:
            raise StoreError(f"issue {issue_id} is already closed")
        now = clock.now()
        checkin_id = None
        if temperature is not None:
            checkin_id = add_checkin(
                conn,
                issue.customer_id,
                temperature,
                note=f"Closed: {resolution}",
                channel=channel,
                initiated_by="us",
                at=now,
                issue_id=issue_id,
            ).id
        conn.execute(
            "INSERT INTO issue_closures (issue_id, closed_at, resolution, checkin_id)"
            " VALUES (?, ?, ?, ?)",
            (issue_id, clock.to_stored(now), resolution, checkin_id),
        )
        if follow_up is not None:
            conn.execute(
                "INSERT INTO followups (customer_id, due, note, created_at, checkin_id, issue_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    issue.customer_id,
                    follow_up.isoformat(),
                    f"After closing: {issue.title}",
                    clock.to_stored(now),
                    checkin_id,
                    issue_id,
                ),
            )
        return get_issue(conn, issue_id)


def get_issue(conn: sqlite3.Connection, issue_id: int, *, today: date | None = None) -> Issue:
    row = conn.execute(_SELECT + " WHERE i.id = ?", (issue_id,)).fetchone()
    if row is None:
        raise StoreError(f"no issue with id {issue_id}")
    return _issue(row, risk_horizon(conn, today))


def list_issues(
    conn: sqlite3.Connection,
    *,
    customer_id: int | None = None,
    include_closed: bool = False,
    today: date | None = None,
) -> list[Issue]:
    """Open issues by due date (undated last), then, if asked, closed ones newest first."""
    where, params = [], []
    if customer_id is not None:
        where.append("i.customer_id = ?")
        params.append(customer_id)
    if not include_closed:
        where.append("x.id IS NULL")
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    horizon = risk_horizon(conn, today)
    found = [_issue(row, horizon) for row in conn.execute(sql, params)]
    open_ = sorted(
        (i for i in found if i.is_open), key=lambda i: (i.due is None, i.due or date.max, i.id)
    )
    closed = sorted(
        (i for i in found if not i.is_open),
        key=lambda i: (i.closed_at or datetime.min, i.id),
        reverse=True,
    )
    return open_ + closed
