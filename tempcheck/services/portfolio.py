"""Portfolio figures: how the whole book of customers is doing, for the portfolio screen
and the review pack; and the per-customer series behind the detail chart.

Figures about *now* (staleness, last temperature, least contacted) count
active customers. Figures about the *period* (temperature trend, kept rates)
count everything that happened in it, including with customers since ended.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tempcheck.domain import clock
from tempcheck.domain.staleness import Staleness
from tempcheck.store import portfolio as queries
from tempcheck.store.dashboard import dashboard_rows
from tempcheck.store.promises import timing

DEFAULT_DAYS = 90
TOP = 5


@dataclass(frozen=True)
class Portfolio:
    """The figures of the portfolio screen and the review pack's summary."""

    by_staleness: dict[str, int]  # state value -> count (active customers), every state listed
    by_temperature: dict[int | None, int]  # last temperature -> count (None = no check-in)
    weekly_average_temperature: list[tuple[date, float | None]]  # week start (Monday) -> mean
    most_contacted: list[tuple[str, int]]  # top 5 in the period (only those contacted)
    least_contacted: list[tuple[str, int]]  # bottom 5 active in the period (0 counts)
    promises_kept_rate: float | None  # kept / settled in the period
    promises_on_time_rate: float | None  # (early + on time) / settled in the period
    issues_closed_before_due_rate: float | None  # closed by due / closed with a due date
    since: date | None = None
    until: date | None = None
    checkins: int = 0  # check-ins in the period
    average_temperature: float | None = None  # mean of the period's check-ins
    active_customers: int = 0


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def weeks_between(first: date, last: date) -> list[date]:
    """Every Monday from ``first``'s week to ``last``'s, oldest first."""
    monday, end = week_start(first), week_start(last)
    found = []
    while monday <= end:
        found.append(monday)
        monday += timedelta(weeks=1)
    return found


def rate(part: int, whole: int) -> float | None:
    """``part / whole``, or ``None`` when there is nothing to divide."""
    return part / whole if whole else None


def portfolio(
    conn: sqlite3.Connection, *, since: date | None = None, now: datetime | None = None
) -> Portfolio:
    """Every portfolio figure for the period from ``since`` (default 90 days ago) to now."""
    now = now or clock.now()
    today = clock.local(now).date()
    since = since or today - timedelta(days=DEFAULT_DAYS)
    start = queries.start_of(since)

    rows = dashboard_rows(conn, now=now, with_trust=False)
    by_staleness = {state.value: 0 for state in Staleness}
    by_temperature: dict[int | None, int] = {value: 0 for value in (1, 2, 3, 4, 5)}
    by_temperature[None] = 0
    for row in rows:
        by_staleness[row.staleness.value] += 1
        by_temperature[row.last_temperature] += 1

    sums: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day, total, count in queries.daily_temperatures(conn, start, now):
        bucket = sums[week_start(day)]
        bucket[0] += total
        bucket[1] += count
    weekly = [
        (monday, sums[monday][0] / sums[monday][1] if sums[monday][1] else None)
        for monday in weeks_between(since, today)
    ]
    checkins = sum(count for _, count in sums.values())
    average = rate(sum(total for total, _ in sums.values()), checkins)

    counts = queries.contact_counts(conn, start, now)
    most = sorted((c for c in counts if c[1] > 0), key=lambda c: (-c[1], c[0].casefold()))
    least = sorted(counts, key=lambda c: (c[1], c[0].casefold()))

    settled = queries.settled_promises(conn, since, today)
    kept = sum(1 for _, _, outcome in settled if outcome == "kept")
    on_time = sum(1 for due, on, outcome in settled if timing(due, on, outcome) in _ON_TIME)
    closed = queries.closed_issues_with_due(conn, start, now)
    before_due = sum(1 for due, closed_on in closed if closed_on <= due)

    return Portfolio(
        by_staleness=by_staleness,
        by_temperature=by_temperature,
        weekly_average_temperature=weekly,
        most_contacted=most[:TOP],
        least_contacted=least[:TOP],
        promises_kept_rate=rate(kept, len(settled)),
        promises_on_time_rate=rate(on_time, len(settled)),
        issues_closed_before_due_rate=rate(before_due, len(closed)),
        since=since,
        until=today,
        checkins=checkins,
        average_temperature=average,
        active_customers=len(rows),
    )


_ON_TIME = ("early", "on time")


def weekly_contacts(
    conn: sqlite3.Connection, customer_id: int, *, weeks: int = 26, now: datetime | None = None
) -> list[tuple[date, int]]:
    """Check-ins per week (Monday starts) for the last ``weeks`` weeks including this one,
    oldest first; compare with :func:`cadence_per_week`."""
    now = now or clock.now()
    today = clock.local(now).date()
    first = week_start(today) - timedelta(weeks=max(weeks, 1) - 1)
    counts: dict[date, int] = defaultdict(int)
    for at, _ in queries.checkin_times(conn, customer_id, queries.start_of(first), now):
        counts[week_start(clock.local(at).date())] += 1
    return [(monday, counts[monday]) for monday in weeks_between(first, today)]


def cadence_per_week(cadence_days: int) -> float:
    """How many contacts a week the cadence asks for (14 days: 0.5)."""
    return 7 / max(cadence_days, 1)


def temperature_series(
    conn: sqlite3.Connection, customer_id: int, *, since: date | None = None
) -> list[tuple[datetime, int]]:
    """A customer's temperatures (UTC times), oldest first; all of them without ``since``."""
    return queries.checkin_times(conn, customer_id, queries.start_of(since) if since else None)


def chart_marks(
    conn: sqlite3.Connection,
    customer_id: int,
    *,
    since: date | None = None,
    now: datetime | None = None,
) -> list[tuple[datetime, str, str]]:
    """Marks for :func:`tempcheck.report.charts.temperature_chart_svg`: issues opened and closed,
    promises made and settled (kinds ``issue opened``, ``issue closed``, ``promise``)."""
    start = queries.start_of(since) if since else None
    return queries.chart_marks(conn, customer_id, start, now)
