"""A customer's timeline: everything that happened, newest first, one page at a time.

One ``UNION ALL`` query ordered by time with a ``LIMIT``: SQLite merges the
per-table streams (check-ins come straight off their ``(customer_id, at)``
index), so a page costs the same with ten or ten thousand entries. Page on
with ``before=<the last item's at>``.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from tempcheck.domain import clock
from tempcheck.domain.dates import format_short
from tempcheck.domain.records import TimelineItem
from tempcheck.store import identity
from tempcheck.store.promises import timing

# Every arm yields: at, kind, text, temperature, a, b, c, ref (a/b/c depend on the kind).
_TIMELINE = """
SELECT k.at AS at, 'checkin' AS kind, k.note AS text, k.temperature AS temperature,
    k.channel || coalesce(' with ' || (SELECT p.name FROM contacts p WHERE p.id = k.contact_id),
        '') || CASE WHEN k.logged_by NOT IN ('', :me) THEN char(31) || k.logged_by ELSE '' END
        AS a,
    k.initiated_by AS b, k.fell_short AS c, k.id AS ref
FROM checkins k WHERE k.customer_id = :cid AND k.at < :before {same}
UNION ALL
SELECT i.opened_at, 'issue opened', i.title, NULL, i.detail, i.due, i.raised_by, i.id
FROM issues i WHERE i.customer_id = :cid AND i.opened_at < :before {same_i}
UNION ALL
SELECT x.closed_at, 'issue closed', i.title, NULL, x.resolution, i.due, NULL, i.id
FROM issue_closures x JOIN issues i ON i.id = x.issue_id
WHERE i.customer_id = :cid AND x.closed_at < :before {same_x}
UNION ALL
SELECT p.made_at, 'promise made', p.text, NULL, NULL, p.due, NULL, p.id
FROM promises p WHERE p.customer_id = :cid AND p.made_at < :before {same_p}
UNION ALL
SELECT s.settled_at, 'promise ' || s.outcome, p.text, NULL, s.note, p.due, s.settled_on, p.id
FROM promise_settlements s JOIN promises p ON p.id = s.promise_id
WHERE p.customer_id = :cid AND s.settled_at < :before {same_s}
UNION ALL
SELECT f.created_at, 'follow-up', f.note, NULL, NULL, f.due, NULL, f.id
FROM followups f WHERE f.customer_id = :cid AND f.created_at < :before {same_f}
UNION ALL
SELECT e.at, CASE e.kind WHEN 'done' THEN 'follow-up done' ELSE 'follow-up snoozed' END,
    f.note, NULL, NULL, e.until, NULL, f.id
FROM followup_events e JOIN followups f ON f.id = e.followup_id
WHERE f.customer_id = :cid AND e.at < :before {same_e}
UNION ALL
SELECT q.created_at, 'concern', q.text, NULL, q.kind, q.rank, NULL, q.id
FROM concerns q WHERE q.customer_id = :cid AND q.created_at < :before {same_q}
UNION ALL
SELECT e.at, 'concern ' || e.kind, q.text, NULL, q.kind, q.rank, NULL, q.id
FROM concern_events e JOIN concerns q ON q.id = e.concern_id
WHERE q.customer_id = :cid AND e.at < :before {same_ce}
UNION ALL
SELECT e.at, CASE e.status WHEN 'active' THEN 'reactivated' ELSE e.status END, e.note, NULL,
    e.until, NULL, NULL, e.id
FROM customer_events e WHERE e.customer_id = :cid AND e.at < :before {same_ev}
ORDER BY at DESC
"""
_ALIASES = {
    "same": "k.at",
    "same_i": "i.opened_at",
    "same_x": "x.closed_at",
    "same_p": "p.made_at",
    "same_s": "s.settled_at",
    "same_f": "f.created_at",
    "same_e": "e.at",
    "same_q": "q.created_at",
    "same_ce": "e.at",
    "same_ev": "e.at",
}
# A page's query, and the query that completes a page ending amid entries sharing one time.
PAGE_SQL = _TIMELINE.format(**dict.fromkeys(_ALIASES, "")) + " LIMIT :limit"
SAME_TIME_SQL = _TIMELINE.format(**{key: f"AND {col} = :at" for key, col in _ALIASES.items()})
_END_OF_TIME = "9999-12-31T23:59:59.999999Z"
# Order within one instant: things begun (0), check-ins (1), then what settles them (2).
_STEP = {"issue opened": 0, "promise made": 0, "follow-up": 0, "concern": 0, "checkin": 1}


def timeline(
    conn: sqlite3.Connection,
    customer_id: int,
    *,
    limit: int | None = None,
    before: datetime | None = None,
) -> list[TimelineItem]:
    """Up to ``limit`` items strictly before ``before`` (default: all), newest first.

    A page never splits entries that share a timestamp (it may run a little
    over ``limit`` instead), so paging with the last item's ``at`` loses none.
    """
    params = {
        "cid": customer_id,
        "before": clock.to_stored(before) if before else _END_OF_TIME,
        "limit": -1 if limit is None else max(limit, 0),
        "me": identity.member(conn),  # another member's check-in says who logged it
    }
    rows = conn.execute(PAGE_SQL, params).fetchall()
    if limit is not None and rows and len(rows) == limit:
        last = rows[-1][0]
        rows = [row for row in rows if row[0] != last]
        rows += conn.execute(SAME_TIME_SQL, params | {"at": last}).fetchall()
    # Entries made in one transaction share a time; show the later step first
    # (confirmed above added, closed above its check-in). The sort is stable.
    rows.sort(key=lambda row: (row[0], _STEP.get(row[1], 2)), reverse=True)
    return [_item(row) for row in rows]


def _item(row: tuple) -> TimelineItem:
    at, kind, text, temperature, a, b, c, ref = row
    return TimelineItem(
        at=clock.from_stored(at),
        kind=kind,
        text=text or "",
        temperature=temperature,
        detail=_detail(kind, a, b, c),
        ref_id=ref,
    )


def _day(text: str | None) -> str:
    return format_short(date.fromisoformat(text)) if text else ""


def _detail(kind: str, a: object, b: object, c: object) -> str:
    """The secondary line for an item, in words."""
    parts: list[str] = []
    if kind == "checkin":
        how, _, logged_by = str(a).partition("\x1f")
        parts.append(f"{how}, {'we' if b == 'us' else 'they'} reached out")
        if logged_by:
            parts.append(f"logged by {logged_by}")
        if c:
            parts.append(f"fell short: {c}")
    elif kind == "issue opened":
        parts.append("raised by the customer" if c == "customer" else "raised by us")
        if b:
            parts.append(f"due {_day(str(b))}")
        if a:
            parts.append(str(a))
    elif kind == "issue closed":
        parts.append(f"resolution: {a}")
    elif kind == "promise made":
        parts.append(f"due {_day(str(b))}")
    elif kind in ("promise kept", "promise broken"):
        if kind == "promise kept" and b and c:
            parts.append(timing(date.fromisoformat(str(b)), date.fromisoformat(str(c)), "kept"))
        if a:
            parts.append(str(a))
    elif kind == "follow-up":
        parts.append(f"due {_day(str(b))}")
    elif kind == "follow-up snoozed":
        parts.append(f"to {_day(str(b))}")
    elif kind.startswith("concern"):
        parts.append(f"{a} #{b}")
    elif kind == "paused" and a:
        parts.append(f"until {_day(str(a))}")
    return "; ".join(part for part in parts if part)
