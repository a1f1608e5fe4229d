"""Fast paths give the same answers as the full computations they stand in for.

One customer's row, the incremental dashboard and brief updates after a save, the
first page read through the attention index: each is compared, figure for figure,
with the full recompute on a portfolio that has every kind of record.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator

import pytest
import time_machine

from tempcheck.store import checkins as checkin_store
from tempcheck.store.dashboard import customer_row, dashboard_rows, trust_changes
from tempcheck.store.reminders import snooze_reminder, spread
from tempcheck.store.sample import write_sample

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rich(conn: sqlite3.Connection) -> sqlite3.Connection:
    """The sample portfolio (issues, promises, follow-ups, concerns), a snooze, a paused
    and an ended customer, and a spread baseline for a never-contacted one."""
    write_sample(conn, now=NOW)
    ids = dict(conn.execute("SELECT name, id FROM customers"))
    snooze_reminder(conn, ids["Initech"], NOW.date() + dt.timedelta(days=5))
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


def _changes(conn: sqlite3.Connection) -> list[tuple[str, object]]:
    """One change to one customer each: the kinds of save the dashboard updates in place."""
    from tempcheck.store import concerns, followups, issues, promises

    ids = dict(conn.execute("SELECT name, id FROM customers"))
    at = NOW - dt.timedelta(minutes=5)
    return [
        (
            "Umbrella Health",
            lambda: checkin_store.add_checkin(conn, ids["Umbrella Health"], 4, at=at),
        ),
        ("Acme Corp", lambda: checkin_store.add_checkin(conn, ids["Acme Corp"], 1, at=at)),
        (
            "Monarch Analytics",
            lambda: checkin_store.add_checkin(conn, ids["Monarch Analytics"], 3, at=at),
        ),
        (
            "Oceanic Airlines",
            lambda: issues.close_issue(conn, _open_issue(conn, "Oceanic Airlines"), "Fixed"),
        ),
        (
            "Wayne Foundation",
            lambda: promises.add_promise(conn, ids["Wayne Foundation"], "Call back", NOW.date()),
        ),
        (
            "Initech",
            lambda: followups.add_followup(conn, ids["Initech"], NOW.date(), "Ask about Q1"),
        ),
        (
            "Umbrella Health",
            lambda: concerns.confirm_concern(conn, _concern(conn, "Umbrella Health")),
        ),
        (
            "Prestige Worldwide",
            lambda: conn.execute(
                "UPDATE customers SET status = 'ended' WHERE name = 'Prestige Worldwide'"
            ),
        ),
    ]


def _open_issue(conn: sqlite3.Connection, name: str) -> int:
    return conn.execute(
        "SELECT i.id FROM issues i JOIN customers c ON c.id = i.customer_id WHERE c.name = ?"
        " AND NOT EXISTS (SELECT 1 FROM issue_closures x WHERE x.issue_id = i.id)",
        (name,),
    ).fetchone()[0]


def _concern(conn: sqlite3.Connection, name: str) -> int:
    return conn.execute(
        "SELECT q.id FROM concerns q JOIN customers c ON c.id = q.customer_id WHERE c.name = ?",
        (name,),
    ).fetchone()[0]


def test_brief_updated_for_one_customer_equals_the_brief_assembled_again(
    rich: sqlite3.Connection,
) -> None:
    from tempcheck.domain.brief import merge
    from tempcheck.store.reminders import brief, customer_brief

    shown = brief(rich, now=NOW)
    reasons = {item.reason for item in shown}
    assert len(reasons) >= 6  # every kind of line is there to be kept in its place
    for name, change in _changes(rich):
        cid = rich.execute("SELECT id FROM customers WHERE name = ?", (name,)).fetchone()[0]
        change()
        shown = merge(shown, cid, customer_brief(rich, cid, now=NOW))
        assert shown == brief(rich, now=NOW), name
        assert [i.order for i in shown] == [i.order for i in brief(rich, now=NOW)], name


def test_list_json_is_the_standard_encoders_output_character_for_character(
    rich: sqlite3.Connection,
) -> None:
    import json

    from tempcheck.domain.attention import as_record
    from tempcheck.domain.text import _flat_records_json

    records = [as_record(row) for row in dashboard_rows(rich, include_inactive=True)]
    records[0]["name"] = 'Quote " back\\slash \n tab\t é [/] \x1b[2J \u0085 \u2028'
    records[1]["days_since_contact"] = 1e-7
    assert _flat_records_json(records) == json.dumps(records, ensure_ascii=False, indent=2)
    assert _flat_records_json([{"nested": [1]}]) is None  # left to the standard encoder
