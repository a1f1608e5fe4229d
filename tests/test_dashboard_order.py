"""Attention order at a pinned clock: never/cold, then overdue, due, fresh; the stalest first
within a state; a last temperature of 1 or 2 moves a customer up one state. ``tempcheck list``
prints exactly that order."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import pytest
import time_machine
from helpers import NOW

from tempcheck.domain.attention import DashboardRow, attention_key, in_attention_order
from tempcheck.domain.staleness import Staleness
from tempcheck.store import checkins as checkin_store
from tempcheck.store import customers as customer_store
from tempcheck.store import open_db
from tempcheck.store.dashboard import dashboard_rows

# name: (cadence, [(days ago, temperature), ...] oldest first)
PORTFOLIO: dict[str, tuple[int, list[tuple[float, int]]]] = {
    "Fresh Older": (10, [(5, 3)]),
    "Due Mild": (10, [(8, 3)]),
    "Overdue Mild": (10, [(15, 3)]),
    "Never Met": (10, []),
    "Cold Mild": (10, [(25, 3)]),
    "Fresh Newest": (10, [(2, 4)]),
    "Cold Coldest": (10, [(60, 2), (30, 4)]),
    "Due Stalest": (10, [(9.5, 5)]),
    "Overdue Stalest": (20, [(38, 4)]),  # ratio 1.9
    "Fresh But Frustrated": (10, [(6, 5), (1, 1)]),
}
EXPECTED = [
    "Never Met",  # never: infinitely stale
    "Cold Coldest",  # cold, ratio 3.0
    "Cold Mild",  # cold, ratio 2.5
    "Overdue Stalest",  # overdue, ratio 1.9
    "Overdue Mild",  # overdue, ratio 1.5
    "Fresh But Frustrated",  # fresh, but a last temperature of 1 moves it up to "due"
    "Due Stalest",  # due, ratio 0.95
    "Due Mild",  # due, ratio 0.8
    "Fresh Older",  # fresh, ratio 0.5
    "Fresh Newest",  # fresh, ratio 0.2
]


def build(connection: sqlite3.Connection, portfolio=PORTFOLIO) -> None:
    for name, (cadence, history) in portfolio.items():
        customer = customer_store.add_customer(connection, name, cadence_days=cadence)
        for days_ago, temp in history:
            moment = NOW - dt.timedelta(days=days_ago)
            checkin_store.add_checkin(connection, customer.id, temp, at=moment)


@pytest.fixture
def portfolio_db(db_path: Path) -> Path:
    connection = open_db(db_path)
    build(connection)
    connection.close()
    return db_path


def names(rows) -> list[str]:
    return [row.name for row in rows]


def test_attention_order_at_a_pinned_clock(portfolio_db: Path) -> None:
    connection = open_db(portfolio_db)
    try:
        rows = dashboard_rows(connection, now=NOW)
    finally:
        connection.close()
    assert names(rows) == EXPECTED
    by_name = {row.name: row for row in rows}
    assert by_name["Fresh But Frustrated"].staleness is Staleness.FRESH  # the state is unchanged
    assert by_name["Fresh But Frustrated"].last_temperature == 1
    assert by_name["Cold Coldest"].recent == [2, 4]
    assert by_name["Never Met"].staleness is Staleness.NEVER


def test_states_come_in_blocks(portfolio_db: Path) -> None:
    connection = open_db(portfolio_db)
    try:
        rows = [r for r in dashboard_rows(connection, now=NOW) if r.last_temperature not in (1, 2)]
    finally:
        connection.close()
    ranks = [row.staleness.rank for row in rows]
    assert ranks == sorted(ranks)


def test_a_low_temperature_moves_up_exactly_one_state(db_path: Path) -> None:
    connection = open_db(db_path)
    try:
        build(
            connection,
            {
                "Cold": (10, [(25, 4)]),
                "Overdue": (10, [(12, 3)]),
                "Overdue Uneasy": (10, [(11, 2)]),
                "Due": (10, [(9, 3)]),
                "Due Uneasy": (10, [(8, 2)]),
                "Fresh": (10, [(1, 4)]),
                "Fresh Uneasy": (10, [(1, 2)]),
                "Fresh Warmed Up": (10, [(3, 1), (1, 4)]),  # only the last temperature counts
            },
        )
        order = names(dashboard_rows(connection, now=NOW))
    finally:
        connection.close()
    # An uneasy overdue customer joins the cold group; uneasy due joins overdue; and so on.
    assert order.index("Overdue Uneasy") < order.index("Overdue")
    assert order.index("Due Uneasy") < order.index("Overdue")
    assert order.index("Due Uneasy") > order.index("Cold")
    assert order.index("Fresh Uneasy") < order.index("Due")
    assert order.index("Fresh Uneasy") > order.index("Overdue")
    assert order.index("Fresh Warmed Up") > order.index("Due")


def test_order_does_not_depend_on_insertion_order(tmp_path: Path) -> None:
    orders = []
    for index, portfolio in enumerate(
        (PORTFOLIO, dict(reversed(list(PORTFOLIO.items()))), dict(sorted(PORTFOLIO.items())))
    ):
        connection = open_db(tmp_path / f"p{index}.db")
        try:
            build(connection, portfolio)
            orders.append(names(dashboard_rows(connection, now=NOW)))
        finally:
            connection.close()
    assert orders == [EXPECTED] * 3


def test_equal_ratios_are_ordered_by_name_case_insensitively() -> None:
    def row(name: str) -> DashboardRow:
        return DashboardRow(
            customer_id=0,
            name=name,
            kind="relationship",
            cadence_days=10,
            contact="",
            last_at=None,
            days_since=5.0,
            staleness=Staleness.FRESH,
            recent_newest_first="3",
        )

    assert names(in_attention_order([row("beta"), row("Alpha"), row("gamma")])) == [
        "Alpha",
        "beta",
        "gamma",
    ]
    assert attention_key(row("x"))[0] == Staleness.FRESH.rank


def test_paused_and_ended_customers_leave_the_daily_view(portfolio_db: Path) -> None:
    connection = open_db(portfolio_db)
    try:
        cold = customer_store.resolve(connection, "Cold Mild")
        due = customer_store.resolve(connection, "Due Mild")
        customer_store.set_status(connection, cold.id, "paused")
        customer_store.set_status(connection, due.id, "ended", note="moved on")
        active = names(dashboard_rows(connection, now=NOW))
        everyone = names(dashboard_rows(connection, now=NOW, include_inactive=True))
    finally:
        connection.close()
    assert active == [n for n in EXPECTED if n not in ("Cold Mild", "Due Mild")]
    assert everyone == EXPECTED


def test_list_prints_the_dashboard_order_in_every_format(portfolio_db: Path, run_tc) -> None:
    with time_machine.travel(NOW, tick=False):
        as_json = run_tc("list", "--format", "json")
        as_csv = run_tc("list", "--format", "csv")
        as_table = run_tc("list")
    for result in (as_json, as_csv, as_table):
        assert result.exit_code == 0, result.output
    assert [record["name"] for record in json.loads(as_json.stdout)] == EXPECTED
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [record["name"] for record in parsed] == EXPECTED
    lines = as_table.stdout.splitlines()
    assert lines[0].startswith("Customer")
    assert [line.split("  ")[0] for line in lines[1:]] == EXPECTED
    states = [record["staleness"] for record in json.loads(as_json.stdout)]
    assert states == [
        "never",
        "cold",
        "cold",
        "overdue",
        "overdue",
        "fresh",
        "due",
        "due",
        "fresh",
        "fresh",
    ]


def test_list_all_includes_inactive_customers_with_their_status(portfolio_db: Path, run_tc) -> None:
    connection = open_db(portfolio_db)
    try:
        customer_store.set_status(
            connection, customer_store.resolve(connection, "Due Mild").id, "ended", note="x"
        )
    finally:
        connection.close()
    with time_machine.travel(NOW, tick=False):
        active = json.loads(run_tc("list", "--format", "json").stdout)
        everyone = json.loads(run_tc("list", "--format", "json", "--all").stdout)
    assert "Due Mild" not in [r["name"] for r in active]
    assert [r["name"] for r in everyone] == EXPECTED
    assert {r["name"]: r["status"] for r in everyone}["Due Mild"] == "ended"
