"""Staleness: days since contact over cadence, with each boundary belonging to the later state,
checked in the pure rule, through the dashboard query, and with thresholds set by
``tempcheck config``."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from helpers import NOW
from hypothesis import given
from hypothesis import strategies as st

from tempcheck.domain.staleness import Staleness, Thresholds, classify
from tempcheck.store import checkins as checkin_store
from tempcheck.store import customers as customer_store
from tempcheck.store import open_db
from tempcheck.store import settings as settings_store
from tempcheck.store.dashboard import dashboard_rows

DEFAULT = Thresholds()


@pytest.mark.parametrize(
    ("days", "cadence", "expected"),
    [
        (None, 14, Staleness.NEVER),
        (0, 14, Staleness.FRESH),
        (10.49, 14, Staleness.FRESH),
        (10.5, 14, Staleness.DUE),  # exactly 0.75
        (13.99, 14, Staleness.DUE),
        (14, 14, Staleness.OVERDUE),  # exactly 1.0
        (27.99, 14, Staleness.OVERDUE),
        (28, 14, Staleness.COLD),  # exactly 2.0
        (3, 4, Staleness.DUE),
        (4, 4, Staleness.OVERDUE),
        (8, 4, Staleness.COLD),
        (0.75, 1, Staleness.DUE),
        (1, 1, Staleness.OVERDUE),
        (2, 1, Staleness.COLD),
        (1000, 30, Staleness.COLD),
    ],
)
def test_boundaries_belong_to_the_later_state(days, cadence, expected) -> None:
    assert classify(days, cadence, DEFAULT) is expected


def test_every_state_reads_without_colour() -> None:
    words = {state.value for state in Staleness}
    symbols = {state.symbol for state in Staleness}
    assert words == {"never", "cold", "overdue", "due", "fresh"}
    assert len(symbols) == len(Staleness)
    for state in Staleness:
        assert state.label == f"{state.symbol} {state.value}"


@pytest.mark.parametrize(
    ("due", "overdue", "cold"), [(0, 1, 2), (-1, 1, 2), (1.5, 1, 2), (0.5, 3, 2), (2, 2, 1)]
)
def test_thresholds_out_of_order_are_refused(due, overdue, cold) -> None:
    with pytest.raises(ValueError, match="0 < due <= overdue <= cold"):
        Thresholds(due, overdue, cold)


def test_equal_thresholds_are_allowed_and_the_later_state_wins() -> None:
    same = Thresholds(1.0, 1.0, 1.0)
    assert classify(14, 14, same) is Staleness.COLD
    assert classify(13.9, 14, same) is Staleness.FRESH


ordered = st.tuples(st.floats(0.01, 5), st.floats(0, 5), st.floats(0, 5)).map(
    lambda t: Thresholds(t[0], t[0] + t[1], t[0] + t[1] + t[2])
)


@given(ordered, st.integers(1, 400), st.floats(0, 5000), st.floats(0, 5000))
def test_property_more_days_never_makes_a_customer_fresher(thresholds, cadence, a, b) -> None:
    early, late = sorted((a, b))
    assert classify(late, cadence, thresholds).rank <= classify(early, cadence, thresholds).rank
    assert classify(None, cadence, thresholds) is Staleness.NEVER


# --- through the store: the dashboard query computes days since contact ----------------------


def customer_at(conn: sqlite3.Connection, name: str, cadence: int, days_ago: float | None) -> None:
    customer = customer_store.add_customer(conn, name, cadence_days=cadence)
    if days_ago is not None:
        checkin_store.add_checkin(conn, customer.id, 3, at=NOW - dt.timedelta(days=days_ago))


def states(conn: sqlite3.Connection) -> dict[str, str]:
    return {row.name: row.staleness.value for row in dashboard_rows(conn, now=NOW)}


def test_boundaries_through_the_dashboard_query(conn: sqlite3.Connection) -> None:
    cases = {
        "never": (14, None, "never"),
        "fresh-just-under": (4, 2.999, "fresh"),
        "due-exact": (4, 3, "due"),
        "due-exact-14": (14, 10.5, "due"),
        "overdue-exact": (4, 4, "overdue"),
        "overdue-exact-30": (30, 30, "overdue"),
        "cold-exact": (4, 8, "cold"),
        "cold-exact-7": (7, 14, "cold"),
        "overdue-just-under-cold": (7, 13.999, "overdue"),
    }
    for name, (cadence, days, _) in cases.items():
        customer_at(conn, name, cadence, days)
    assert states(conn) == {name: expected for name, (_, _, expected) in cases.items()}
    rows = {row.name: row for row in dashboard_rows(conn, now=NOW)}
    assert rows["due-exact"].days_since == pytest.approx(3, abs=1e-6)
    assert rows["never"].days_since is None


def test_boundaries_hold_at_many_times_of_day(tmp_path) -> None:
    """Exact ratios stay exact whatever the clock reads (no float drift below a boundary)."""
    expected = {}
    for cadence in (3, 4, 7, 10, 14, 21, 30):
        for ratio, state in ((0.75, "due"), (1.0, "overdue"), (2.0, "cold")):
            expected[(cadence, ratio)] = state
    for round_ in range(12):
        now = NOW + dt.timedelta(minutes=round_ * 131, microseconds=round_ * 7919)
        connection = open_db(tmp_path / f"round{round_}.db")
        try:
            for (cadence, ratio), _ in expected.items():
                customer = customer_store.add_customer(
                    connection, f"c{cadence}-{ratio}", cadence_days=cadence
                )
                moment = now - dt.timedelta(days=cadence * ratio)
                checkin_store.add_checkin(connection, customer.id, 3, at=moment)
            found = {r.name: r.staleness.value for r in dashboard_rows(connection, now=now)}
        finally:
            connection.close()
        assert found == {f"c{c}-{r}": state for (c, r), state in expected.items()}, now


# --- thresholds set with ``tempcheck config`` -----------------------------------------------


def test_custom_thresholds_from_the_cli_move_the_boundaries(db_path, run_tc) -> None:
    for key, value in (
        ("staleness.cold", "3"),
        ("staleness.overdue", "1.5"),
        ("staleness.due", "0.5"),
    ):
        result = run_tc("config", key, value)
        assert result.exit_code == 0, result.output
    connection = open_db(db_path)
    try:
        cases = {
            "fresh": (10, 4.99, "fresh"),
            "due": (10, 5, "due"),
            "still-due": (10, 14.99, "due"),
            "overdue": (10, 15, "overdue"),
            "still-overdue": (10, 29.99, "overdue"),
            "cold": (10, 30, "cold"),
        }
        for name, (cadence, days, _) in cases.items():
            customer_at(connection, name, cadence, days)
        assert settings_store.thresholds(connection) == Thresholds(0.5, 1.5, 3.0)
        assert states(connection) == {n: state for n, (_, _, state) in cases.items()}
    finally:
        connection.close()
    listed = run_tc("config", "staleness.due")
    assert listed.exit_code == 0 and listed.stdout.strip() == "0.5"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("staleness.due", "1.5"),  # above overdue (1.0)
        ("staleness.overdue", "0.5"),  # below due (0.75)
        ("staleness.overdue", "2.5"),  # above cold (2.0)
        ("staleness.cold", "0.9"),  # below overdue
        ("staleness.due", "0"),
        ("staleness.due", "abc"),
        ("staleness.cold", "nan"),
        ("staleness.due", "inf"),
    ],
)
def test_invalid_threshold_orders_are_refused_and_nothing_changes(
    db_path, run_tc, row_counts, key: str, value: str
) -> None:
    assert run_tc("config").exit_code == 0  # creates the database
    before = run_tc("config").stdout
    result = run_tc("config", key, value)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("tempcheck: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert run_tc("config").stdout == before
    assert row_counts(db_path)["settings"] == 0
