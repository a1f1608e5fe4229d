"""Portfolio figures and the per-customer series, on fixed data at a pinned clock."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest
from helpers import NOW

from tempcheck.domain import clock
from tempcheck.services.portfolio import (
    cadence_per_week,
    chart_marks,
    portfolio,
    temperature_series,
    week_start,
    weekly_contacts,
    weeks_between,
)
from tempcheck.store import write
from tempcheck.store.reminders import spread

SINCE = date(2026, 11, 2)  # a Monday


def noon(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 12, 0, tzinfo=UTC)


def add_customer(conn: sqlite3.Connection, name: str, cadence: int, status: str = "active") -> int:
    return conn.execute(
        "INSERT INTO customers (name, name_key, cadence_days, status, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (name, name.casefold(), cadence, status, clock.to_stored(noon(1, 6))),
    ).lastrowid


def add_checkin(conn: sqlite3.Connection, cid: int, at: datetime, temp: int) -> None:
    conn.execute(
        "INSERT INTO checkins (customer_id, at, temperature, note, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (cid, clock.to_stored(at), temp, f"note {temp}", clock.to_stored(at)),
    )


def add_promise(conn, cid, due: date, settled: date | None = None, outcome: str = "kept") -> None:
    pid = conn.execute(
        "INSERT INTO promises (customer_id, text, due, made_at) VALUES (?, ?, ?, ?)",
        (cid, f"promise due {due}", due.isoformat(), clock.to_stored(noon(1, 10))),
    ).lastrowid
    if settled is not None:
        conn.execute(
            "INSERT INTO promise_settlements (promise_id, settled_at, settled_on, outcome, note)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                pid,
                clock.to_stored(noon(settled.day, settled.month)),
                settled.isoformat(),
                outcome,
                "n",
            ),
        )


def add_issue(conn, cid, due: date | None, closed: datetime | None, opened: datetime) -> None:
    iid = conn.execute(
        "INSERT INTO issues (customer_id, title, due, opened_at) VALUES (?, ?, ?, ?)",
        (cid, f"issue due {due}", due.isoformat() if due else None, clock.to_stored(opened)),
    ).lastrowid
    if closed is not None:
        conn.execute(
            "INSERT INTO issue_closures (issue_id, closed_at, resolution) VALUES (?, ?, 'fixed')",
            (iid, clock.to_stored(closed)),
        )


@pytest.fixture
def book(conn: sqlite3.Connection) -> dict[str, int]:
    with write(conn):
        ids = {
            "Able": add_customer(conn, "Able", 14),  # fresh, last 3
            "Baker": add_customer(conn, "Baker", 14),  # overdue, last 5
            "Charlie": add_customer(conn, "Charlie", 7),  # cold, last 3
            "Dog": add_customer(conn, "Dog", 30),  # never contacted
            "Easy": add_customer(conn, "Easy", 14, status="ended"),  # ended: period figures only
            "Fox": add_customer(conn, "Fox", 10),  # due, last 4
        }
        add_checkin(conn, ids["Able"], noon(3), 4)
        add_checkin(conn, ids["Able"], noon(10), 2)
        add_checkin(conn, ids["Able"], noon(20), 3)
        add_checkin(conn, ids["Baker"], noon(1, 10), 1)  # before the period
        add_checkin(conn, ids["Baker"], noon(4), 5)
        add_checkin(conn, ids["Charlie"], noon(3), 3)
        add_checkin(conn, ids["Easy"], noon(5), 1)
        add_checkin(conn, ids["Fox"], noon(16), 4)
        able = ids["Able"]
        add_promise(conn, able, date(2026, 11, 10), date(2026, 11, 9))  # kept early
        add_promise(conn, able, date(2026, 11, 12), date(2026, 11, 12))  # kept on time
        add_promise(conn, able, date(2026, 11, 12), date(2026, 11, 15))  # kept late
        add_promise(conn, able, date(2026, 11, 14), date(2026, 11, 16), "broken")
        add_promise(conn, able, date(2026, 10, 20), date(2026, 10, 20))  # settled before
        add_promise(conn, able, date(2026, 12, 1))  # open
        add_issue(conn, able, date(2026, 11, 10), noon(9), noon(1))  # closed before due
        add_issue(conn, able, date(2026, 11, 10), noon(10), noon(1))  # on the due day
        add_issue(conn, able, date(2026, 11, 10), noon(12), noon(1))  # late
        add_issue(conn, able, None, noon(12), noon(1))  # no due date: not counted
        add_issue(conn, able, date(2026, 10, 1), noon(2, 10), noon(1, 9))  # closed before
        add_issue(conn, able, date(2026, 12, 1), None, noon(18))  # open
    return ids


def test_counts_by_staleness_and_last_temperature(conn, book):
    figures = portfolio(conn, since=SINCE, now=NOW)
    assert figures.by_staleness == {"never": 1, "cold": 1, "overdue": 1, "due": 1, "fresh": 1}
    assert list(figures.by_staleness) == ["never", "cold", "overdue", "due", "fresh"]
    assert figures.by_temperature == {1: 0, 2: 0, 3: 2, 4: 1, 5: 1, None: 1}
    assert figures.active_customers == 5


def test_weekly_average_temperature(conn, book):
    figures = portfolio(conn, since=SINCE, now=NOW)
    assert figures.weekly_average_temperature == [
        (date(2026, 11, 2), (4 + 5 + 3 + 1) / 4),  # the ended customer's check-in counts
        (date(2026, 11, 9), 2.0),
        (date(2026, 11, 16), 3.5),
        (date(2026, 11, 23), None),
    ]
    assert figures.checkins == 7
    assert figures.average_temperature == pytest.approx((4 + 2 + 3 + 5 + 3 + 1 + 4) / 7)


def test_most_and_least_contacted(conn, book):
    figures = portfolio(conn, since=SINCE, now=NOW)
    assert figures.most_contacted == [("Able", 3), ("Baker", 1), ("Charlie", 1), ("Fox", 1)]
    assert figures.least_contacted == [
        ("Dog", 0),
        ("Baker", 1),
        ("Charlie", 1),
        ("Fox", 1),
        ("Able", 3),
    ]


def test_most_contacted_stops_at_five(conn):
    with write(conn):
        for n in range(7):
            cid = add_customer(conn, f"C{n}", 14)
            for k in range(n):
                add_checkin(conn, cid, noon(10 + k), 3)
    figures = portfolio(conn, since=SINCE, now=NOW)
    assert [name for name, _ in figures.most_contacted] == ["C6", "C5", "C4", "C3", "C2"]
    assert [name for name, _ in figures.least_contacted] == ["C0", "C1", "C2", "C3", "C4"]


def test_promise_and_issue_rates(conn, book):
    figures = portfolio(conn, since=SINCE, now=NOW)
    assert figures.promises_kept_rate == 3 / 4
    assert figures.promises_on_time_rate == 2 / 4
    assert figures.issues_closed_before_due_rate == pytest.approx(2 / 3)


def test_the_period_moves_the_figures(conn, book):
    figures = portfolio(conn, since=date(2026, 11, 13), now=NOW)
    assert figures.promises_kept_rate == 1 / 2  # kept late on the 15th, broken on the 16th
    assert figures.promises_on_time_rate == 0
    assert figures.issues_closed_before_due_rate is None
    assert figures.weekly_average_temperature[0] == (date(2026, 11, 9), None)


def test_an_empty_book_has_no_rates(conn):
    figures = portfolio(conn, now=NOW)
    assert figures.since == date(2026, 11, 24) - timedelta(days=90)
    assert set(figures.by_staleness.values()) == {0}
    assert figures.by_temperature == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0, None: 0}
    assert figures.most_contacted == [] and figures.least_contacted == []
    assert figures.promises_kept_rate is None
    assert figures.promises_on_time_rate is None
    assert figures.issues_closed_before_due_rate is None
    assert figures.average_temperature is None
    assert all(mean is None for _, mean in figures.weekly_average_temperature)
    assert len(figures.weekly_average_temperature) == 14


def test_spread_baselines_count_in_the_staleness(conn, book):
    spread(conn, now=NOW)
    assert portfolio(conn, since=SINCE, now=NOW).by_staleness["never"] == 0


def test_weekly_contacts_for_the_detail_chart(conn, book):
    assert weekly_contacts(conn, book["Able"], weeks=4, now=NOW) == [
        (date(2026, 11, 2), 1),
        (date(2026, 11, 9), 1),
        (date(2026, 11, 16), 1),
        (date(2026, 11, 23), 0),
    ]
    fox = weekly_contacts(conn, book["Fox"], now=NOW)
    assert len(fox) == 26 and fox[0] == (date(2026, 6, 1), 0)
    assert fox[-2:] == [(date(2026, 11, 16), 1), (date(2026, 11, 23), 0)]
    assert cadence_per_week(14) == 0.5


def test_temperature_series(conn, book):
    able = book["Able"]
    assert temperature_series(conn, able) == [(noon(3), 4), (noon(10), 2), (noon(20), 3)]
    assert temperature_series(conn, able, since=date(2026, 11, 5)) == [(noon(10), 2), (noon(20), 3)]
    assert temperature_series(conn, book["Dog"]) == []


def test_chart_marks(conn, book):
    marks = chart_marks(conn, book["Able"], since=date(2026, 11, 9), now=NOW)
    kinds = [kind for _, kind, _ in marks]
    assert kinds.count("issue closed") == 4  # the 9th, 10th and two on the 12th
    assert kinds.count("issue opened") == 1  # opened on the 18th; the others before the 9th
    assert kinds.count("promise") == 4  # four settlements in the window
    assert [at for at, _, _ in marks] == sorted(at for at, _, _ in marks)
    assert any(label == "broken: promise due 2026-11-14" for _, _, label in marks)


def test_week_helpers():
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    assert weeks_between(date(2026, 11, 4), date(2026, 11, 24)) == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
