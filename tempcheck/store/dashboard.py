"""The dashboard query: one row per customer without scanning all check-ins.

Last contact and recent temperatures come from ``contact_summary`` (kept by
triggers). Issues, promises, follow-ups and concerns are small tables, each
read once and grouped by customer. The trust trend's count of contacts we
started walks the covering index per customer.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta

from tempcheck.domain import clock, trust
from tempcheck.domain.attention import DashboardRow, in_attention_order
from tempcheck.domain.staleness import Staleness
from tempcheck.store import settings
from tempcheck.store.fragments import (
    EFFECTIVE_DUE,
    FOLLOWUP_DONE,
    OPEN_ISSUE,
    WE_REACHED_OUT_SINCE,
    Customers,
    customer_params,
)
from tempcheck.store.reminders import baselines, snoozed

_NEVER_RATIO = float("inf")
# The filter to one or a few customers, by index; see customer_params.
THEIRS = " IN (SELECT value FROM json_each(:customer_id))"
OPEN_FOLLOWUPS = f"""
SELECT f.id, f.customer_id, {EFFECTIVE_DUE} AS due, f.note, f.checkin_id, f.issue_id
FROM followups f
WHERE NOT {FOLLOWUP_DONE}
"""

_CUSTOMERS = """
SELECT c.id, c.name, c.kind, c.cadence_days, c.contact, c.status, c.calibration_days,
    s.last_at, s.recent, julianday(:now) - julianday(s.last_at)
FROM customers c LEFT JOIN contact_summary s ON s.customer_id = c.id
"""


def dashboard_rows(
    conn: sqlite3.Connection,
    *,
    include_inactive: bool = False,
    now: datetime | None = None,
    customer_id: Customers = None,
    with_trust: bool = True,
) -> list[DashboardRow]:
    """Rows for the daily view in attention order (active customers unless asked).

    ``with_trust=False`` leaves ``trust_change`` as ``None`` for a fast first
    paint; :func:`trust_changes` fills it in afterwards.
    """
    now = now or clock.now()
    today = clock.local(now).date()
    values = settings.read_all(conn)
    thresholds = settings.safe_thresholds(values)
    risk_until = today + timedelta(days=int(values["issues.at_risk_days"]))
    calibration_default = int(values["calibration.days"])

    where: list[str] = []
    params: dict[str, object] = {"now": clock.to_stored(now)[:-1]}
    if not include_inactive:
        # A pause that has run out counts as active; nothing needs to be written for it.
        # With customers given, the unary + keeps SQLite on their ids, not the status index.
        column = "c.status" if customer_id is None else "+c.status"
        where.append(f"({column} = 'active' OR ({column} = 'paused' AND c.paused_until <= :today))")
        params["today"] = today.isoformat()
    if customer_id is not None:
        where.append(f"c.id{THEIRS}")
        params.update(customer_params(customer_id))
    sql = _CUSTOMERS + (" WHERE " + " AND ".join(where) if where else "")

    # One customer: every per-customer read goes through its index, so the cost does not
    # grow with the number of customers (`show`, the detail screen, a saved check-in).
    one = customer_id
    first_contact_baselines = baselines(conn, customer_id=one)
    asleep = snoozed(conn, today, customer_id=one)
    issues = _issue_counts(conn, risk_until, customer_id=one)
    next_due = _next_due(conn, today, int(values["renewal.window_days"]), customer_id=one)
    calibration = _calibration(conn, customer_id=one)
    changes = (
        trust_changes(conn, now=now, settings_values=values, customer_id=one) if with_trust else {}
    )
    rows = []
    due_at, overdue_at, cold_at = thresholds.due, thresholds.overdue, thresholds.cold
    no_issues, no_due, no_concerns = (0, 0, 0), (None, ""), (0, None)
    keep_paused = include_inactive
    for (
        cid,
        name,
        kind,
        cadence,
        contact,
        status,
        interval,
        last_at,
        recent,
        days_since,
    ) in conn.execute(sql, params):
        # The staleness rule of tempcheck.domain.staleness.classify, inlined: this loop runs
        # once per customer on every dashboard load.
        if days_since is None and cid in first_contact_baselines:
            # `tempcheck spread` gave this never-contacted customer a starting point.
            days_since = clock.days_between(first_contact_baselines[cid], now)
        if days_since is None:
            ratio, state = _NEVER_RATIO, Staleness.NEVER
        else:
            ratio = days_since / (cadence if cadence > 0 else 1)
            if ratio >= cold_at:
                state = Staleness.COLD
            elif ratio >= overdue_at:
                state = Staleness.OVERDUE
            elif ratio >= due_at:
                state = Staleness.DUE
            else:
                state = Staleness.FRESH
        open_issues, at_risk, call_first = issues.get(cid, no_issues)
        due, due_kind = next_due.get(cid, no_due)
        concerns, last_confirmed = calibration.get(cid, no_concerns)
        rows.append(
            DashboardRow(
                cid,
                name,
                kind,
                cadence,
                contact,
                last_at,
                days_since,
                state,
                recent or "",
                open_issues,
                at_risk,
                call_first,
                due,
                due_kind,
                changes.get(cid, 0) if with_trust else None,
                bool(concerns)
                and needs_recalibration(
                    concerns, last_confirmed, interval or calibration_default, now
                ),
                status if keep_paused or status != "paused" else "active",
                ratio,
                asleep.get(cid),
            )
        )
    return in_attention_order(rows)


def customer_row(
    conn: sqlite3.Connection,
    customer_id: int,
    *,
    now: datetime | None = None,
    with_trust: bool = True,
) -> DashboardRow | None:
    """One customer's dashboard row, whatever their status, without reading anyone else's.

    The same figures as that customer's row in :func:`dashboard_rows` (None if there is
    no such customer).
    """
    rows = dashboard_rows(
        conn, include_inactive=True, now=now, customer_id=customer_id, with_trust=with_trust
    )
    return rows[0] if rows else None


def first_page(
    conn: sqlite3.Connection,
    limit: int,
    *,
    now: datetime | None = None,
    with_trust: bool = True,
) -> list[DashboardRow]:
    """``dashboard_rows(conn)[:limit]``, the same rows in the same order, read through the
    ``attention`` index instead of computing every active customer's row.

    For one status, low-or-not last temperature and cadence, the dashboard's order is the
    order of last contact (a later contact: a smaller ratio, a later state), so the first
    ``limit`` of each such group, plus whoever ties with the last of them, holds the first
    page. Never-contacted customers all tie and go by name. Their rows are computed and
    sorted by the dashboard's own key, and the trust trend only for the page.
    """
    now = now or clock.now()
    today = clock.local(now).date()
    candidates: set[int] = set()
    for low in (1, 0):
        cadence = 0
        while True:
            (cadence,) = conn.execute(
                "SELECT min(cadence_days) FROM attention WHERE status = 'active' AND low = :low"
                " AND cadence_days > :cadence",
                {"low": low, "cadence": cadence},
            ).fetchone()
            if cadence is None:
                break
            params = {"low": low, "cadence": cadence, "limit": limit}
            found = conn.execute(
                "SELECT customer_id, last_at FROM attention WHERE status = 'active'"
                " AND low = :low AND cadence_days = :cadence ORDER BY last_at LIMIT :limit",
                params,
            ).fetchall()
            candidates.update(cid for cid, _ in found)
            if len(found) < limit:
                continue
            boundary = found[-1][1]
            if boundary is not None:
                candidates.update(
                    cid
                    for (cid,) in conn.execute(
                        "SELECT customer_id FROM attention WHERE status = 'active'"
                        " AND low = :low AND cadence_days = :cadence AND last_at = :last",
                        {**params, "last": boundary},
                    )
                )
                continue
            # Never contacted, every one of them: they tie, and the name decides.
            never = conn.execute(
                "SELECT a.customer_id, c.name FROM attention a JOIN customers c"
                " ON c.id = a.customer_id WHERE a.status = 'active' AND a.low = :low"
                " AND a.cadence_days = :cadence AND a.last_at IS NULL",
                params,
            ).fetchall()
            candidates.update(
                cid for cid, _ in heapq.nsmallest(limit, never, key=lambda n: n[1].casefold())
            )
    # A pause that has run out counts as active (see dashboard_rows): always a candidate.
    candidates.update(
        cid
        for (cid,) in conn.execute(
            "SELECT customer_id FROM attention WHERE status = 'paused' AND paused_until <= ?",
            (today.isoformat(),),
        )
    )
    if not candidates:
        return []
    rows = dashboard_rows(conn, now=now, customer_id=candidates, with_trust=False)[:limit]
    if with_trust and rows:
        values = settings.read_all(conn)
        changes = trust_changes(
            conn, now=now, settings_values=values, customer_id=[r.customer_id for r in rows]
        )
        for row in rows:
            row.trust_change = changes.get(row.customer_id, 0)
    return rows


def needs_recalibration(
    concerns: int, last_confirmed: datetime | None, interval_days: int, now: datetime
) -> bool:
    """Priorities may have shifted: concerns exist and none was confirmed within the interval."""
    if not concerns:
        return False
    return last_confirmed is None or (now - last_confirmed).days > interval_days


def _issue_counts(
    conn: sqlite3.Connection, risk_until: date, *, customer_id: Customers = None
) -> dict[int, tuple[int, int, int]]:
    """Open, at-risk and call-them-first issue counts per customer."""
    counts: dict[int, tuple[int, int, int]] = {}
    only = "" if customer_id is None else f" AND i.customer_id{THEIRS}"
    params = customer_params(customer_id)
    for cid, open_issues, at_risk, call_first in conn.execute(
        f"""
        SELECT i.customer_id, count(*),
            sum(i.due IS NOT NULL AND i.due <= :risk_until),
            sum(i.due IS NOT NULL AND i.due <= :risk_until AND NOT {WE_REACHED_OUT_SINCE})
        FROM issues i WHERE {OPEN_ISSUE}{only} GROUP BY i.customer_id
        """,
        {"risk_until": risk_until.isoformat(), **params},
    ):
        counts[cid] = (open_issues, at_risk, call_first)
    return counts


def _next_due(
    conn: sqlite3.Connection, today: date, renewal_days: int, *, customer_id: Customers = None
) -> dict[int, tuple[date, str]]:
    """The nearest open follow-up, promise, or renewal within the window, per customer."""
    nearest: dict[int, tuple[date, str]] = {}
    followups = "" if customer_id is None else f" AND f.customer_id{THEIRS}"
    promises = "" if customer_id is None else f" AND p.customer_id{THEIRS}"
    renewals = "" if customer_id is None else f" AND c.id{THEIRS}"
    params = customer_params(customer_id)
    candidates = conn.execute(
        f"SELECT customer_id, min(due), 'follow-up' FROM ({OPEN_FOLLOWUPS}{followups})"
        " GROUP BY customer_id"
        " UNION ALL SELECT p.customer_id, min(p.due), 'promise' FROM promises p"
        " WHERE NOT EXISTS (SELECT 1 FROM promise_settlements s WHERE s.promise_id = p.id)"
        f"{promises} GROUP BY p.customer_id"
        " UNION ALL SELECT c.id, c.renewal_on, 'renewal' FROM customers c"
        f" WHERE c.renewal_on >= :today AND c.renewal_on <= :until{renewals}",
        {
            **params,
            "today": today.isoformat(),
            "until": (today + timedelta(days=renewal_days)).isoformat(),
        },
    )
    for cid, due, kind in candidates:
        day = date.fromisoformat(due)
        if cid not in nearest or day < nearest[cid][0]:
            nearest[cid] = (day, kind)
    return nearest


def _calibration(
    conn: sqlite3.Connection, *, customer_id: Customers = None
) -> dict[int, tuple[int, datetime | None]]:
    """Per customer: how many live concerns, and the newest confirmation."""
    found: dict[int, tuple[int, datetime | None]] = {}
    only = "" if customer_id is None else f" AND q.customer_id{THEIRS}"
    params = customer_params(customer_id)
    for cid, live, confirmed in conn.execute(
        f"""
        SELECT q.customer_id, count(*),
            (SELECT max(e.at) FROM concerns q2 JOIN concern_events e ON e.concern_id = q2.id
             WHERE q2.customer_id = q.customer_id AND e.kind = 'confirmed')
        FROM concerns q WHERE NOT EXISTS
            (SELECT 1 FROM concern_events e WHERE e.concern_id = q.id AND e.kind = 'dropped')
            {only}
        GROUP BY q.customer_id
        """,
        params,
    ):
        found[cid] = (live, clock.from_stored(confirmed) if confirmed else None)
    return found


def trust_changes(
    conn: sqlite3.Connection,
    *,
    now: datetime | None = None,
    settings_values: dict[str, str] | None = None,
    customer_id: Customers = None,
) -> dict[int, int]:
    """Each customer's trust-bank change over the last 30 days (customers with none left out).

    ``customer_id`` limits every read to that one customer.

    Judged by the rules in :mod:`tempcheck.domain.trust`, the same ones the detail
    screen's entries come from. Counting our contacts walks the check-in
    index once per customer, which is why the dashboard can defer this.
    """
    now = now or clock.now()
    today = clock.local(now).date()
    weights = trust.weights_from(settings_values or settings.read_all(conn))
    trend_since = now - timedelta(days=trust.TREND_DAYS)
    since = clock.local(trend_since).date()
    changes: dict[int, int] = defaultdict(int)
    only = "" if customer_id is None else f" AND c.id{THEIRS}"
    params = customer_params(customer_id)
    for cid, proactive in conn.execute(
        "SELECT c.id, (SELECT count(*) FROM checkins k WHERE k.customer_id = c.id"
        f" AND k.at >= :since AND k.initiated_by = 'us') FROM customers c WHERE 1{only}",
        {"since": clock.to_stored(trend_since), **params},
    ):
        if proactive:
            changes[cid] += proactive * weights[trust.PROACTIVE]
    for cid, facts in promise_facts(conn, settled_since=since, customer_id=customer_id):
        for entry in trust.entries([], [facts], [], weights, today):
            changes[cid] += entry.amount
    for cid, facts in issue_facts(conn, since=since, customer_id=customer_id):
        for entry in trust.entries([], [], [facts], weights, today):
            if entry.on >= since:
                changes[cid] += entry.amount
    return changes


def promise_facts(
    conn: sqlite3.Connection, *, settled_since: date | None = None, customer_id: Customers = None
) -> list[tuple[int, trust.PromiseFacts]]:
    """Promises as the trust rules see them."""
    sql = (
        "SELECT p.customer_id, p.text, p.due, s.settled_on, s.outcome FROM promises p"
        " LEFT JOIN promise_settlements s ON s.promise_id = p.id"
    )
    where, params = [], []
    if settled_since is not None:
        where.append("s.settled_on >= ?")
        params.append(settled_since.isoformat())
    if customer_id is not None:
        where.append("p.customer_id IN (SELECT value FROM json_each(?))")
        params.append(customer_params(customer_id)["customer_id"])
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [
        (
            cid,
            trust.PromiseFacts(
                text,
                date.fromisoformat(due),
                date.fromisoformat(settled_on) if settled_on else None,
                outcome,
            ),
        )
        for cid, text, due, settled_on, outcome in conn.execute(sql, params)
    ]


def issue_facts(
    conn: sqlite3.Connection, *, since: date | None = None, customer_id: Customers = None
) -> list[tuple[int, trust.IssueFacts]]:
    """Issues as the trust rules see them; ``since`` keeps those that can yield a recent entry."""
    sql = """
    SELECT i.customer_id, i.title, i.opened_at, i.raised_by, i.due, x.closed_at,
        i.due IS NOT NULL AND EXISTS (SELECT 1 FROM checkins k
            WHERE k.customer_id = i.customer_id AND k.initiated_by = 'us'
            AND k.at >= i.opened_at
            AND k.at <= strftime('%Y-%m-%dT%H:%M:%S.999999Z', i.due || ' 23:59:59', 'utc'))
    FROM issues i LEFT JOIN issue_closures x ON x.issue_id = i.id
    """
    # The due date ends at local midnight; SQLite's 'utc' modifier converts from local time.
    where: list[str] = []
    params: list[object] = []
    if since is not None:
        start = clock.to_stored(datetime.combine(since, datetime.min.time()).astimezone())
        where.append("(i.opened_at >= ? OR i.due >= ? OR x.closed_at >= ?)")
        params += [start, since.isoformat(), start]
    if customer_id is not None:
        where.append("i.customer_id IN (SELECT value FROM json_each(?))")
        params.append(customer_params(customer_id)["customer_id"])
    if where:
        sql += " WHERE " + " AND ".join(where)
    found = []
    for cid, title, opened_at, raised_by, due, closed_at, contacted in conn.execute(sql, params):
        facts = trust.IssueFacts(
            title=title,
            opened_on=clock.local(clock.from_stored(opened_at)).date(),
            raised_by=raised_by,
            due=date.fromisoformat(due) if due else None,
            closed_on=clock.local(clock.from_stored(closed_at)).date() if closed_at else None,
            contacted_by_due=bool(contacted),
        )
        found.append((cid, facts))
    return found
