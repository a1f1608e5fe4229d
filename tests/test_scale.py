"""Fast paths give the same answers as the full computations they stand in for.

One customer's row, the incremental dashboard and brief updates after a save, the
first page read through the attention index: each is compared, figure for figure,
with the full recompute on a portfolio that has every kind of record.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from helpers import NOW

from tempcheck.store import checkins as checkin_store
from tempcheck.store.dashboard import customer_row, dashboard_rows, first_page, trust_changes
from tempcheck.store.reminders import snooze_reminder, spread
from tempcheck.store.sample import write_sample

pytestmark = pytest.mark.usefixtures("clock_at_noon")


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
    from tempcheck.services.brief import brief, customer_brief

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

    from tempcheck.cli.output import _flat_records_json
    from tempcheck.domain.attention import as_record

    records = [as_record(row) for row in dashboard_rows(rich, include_inactive=True)]
    records[0]["name"] = 'Quote " back\\slash \n tab\t é [/] \x1b[2J \u0085 \u2028'
    records[1]["days_since_contact"] = 1e-7
    assert _flat_records_json(records) == json.dumps(records, ensure_ascii=False, indent=2)
    assert _flat_records_json([{"nested": [1]}]) is None  # left to the standard encoder


# --- the first page through the attention index ---------------------------------------------

ATTENTION_FROM_SOURCES = """
SELECT c.id, c.status, c.paused_until, c.cadence_days,
    coalesce(substr(s.recent, 1, 1) IN ('1', '2'), 0), coalesce(s.last_at, b.baseline_at)
FROM customers c LEFT JOIN contact_summary s ON s.customer_id = c.id
LEFT JOIN contact_baselines b ON b.customer_id = c.id ORDER BY c.id
"""


def attention_table(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT customer_id, status, paused_until, cadence_days, low, last_at FROM attention"
        " ORDER BY customer_id"
    ).fetchall()


@pytest.fixture
def varied(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Many groups: cadences, low and not, never contacted (more than a page, names in
    mixed case), spread baselines, exact ties, paused (run out and not) and ended."""
    from tempcheck.store import customers

    moments = [NOW - dt.timedelta(days=d, hours=h) for d in (0, 3, 9, 20, 45) for h in (0, 5)]
    cadences = (7, 14, 30, 3)
    n = 0
    for cadence in cadences:
        for index, at in enumerate(moments):
            for temp in (2, 4):
                n += 1
                c = customers.add_customer(
                    conn, f"{'abc'[n % 3]}Cust {n:03d}", cadence_days=cadence
                )
                checkin_store.add_checkin(conn, c.id, temp, at=at)
                if index == 2:  # an exact tie: same moment, same cadence, same temperature
                    twin = customers.add_customer(conn, f"Twin {n:03d}", cadence_days=cadence)
                    checkin_store.add_checkin(conn, twin.id, temp, at=at)
    for m in range(30):  # never contacted, more than any page below
        customers.add_customer(conn, f"{'Zz' if m % 2 else 'aa'} Never {m:02d}", cadence_days=14)
    spread(conn, now=NOW - dt.timedelta(days=10))  # gives every never-contacted one a baseline
    for m in range(12):
        customers.add_customer(conn, f"{'bAc'[m % 3]} fresh {m:02d}", cadence_days=7 + m % 2)
    ids = [cid for (cid,) in conn.execute("SELECT id FROM customers ORDER BY id")]
    conn.execute(
        "UPDATE customers SET status = 'paused', paused_until = '2026-11-01' WHERE id = ?",
        (ids[5],),
    )
    conn.execute(
        "UPDATE customers SET status = 'paused', paused_until = '2027-01-01' WHERE id = ?",
        (ids[6],),
    )
    conn.execute("UPDATE customers SET status = 'ended' WHERE id = ?", (ids[7],))
    return conn


@pytest.mark.parametrize("limit", [1, 2, 7, 25, 60, 500])
def test_first_page_is_the_start_of_the_full_dashboard(
    varied: sqlite3.Connection, limit: int
) -> None:
    full = dashboard_rows(varied, now=NOW)
    assert len(full) == 128  # 130 customers, one ended, one still paused
    assert first_page(varied, limit, now=NOW) == full[:limit]


def test_the_attention_table_follows_every_change(varied: sqlite3.Connection) -> None:
    from tempcheck.store import customers

    assert attention_table(varied) == varied.execute(ATTENTION_FROM_SOURCES).fetchall()
    ids = [cid for (cid,) in varied.execute("SELECT id FROM customers ORDER BY id")]
    saved = checkin_store.add_checkin(varied, ids[0], 1, at=NOW - dt.timedelta(minutes=1))
    checkin_store.add_checkin(varied, ids[-1], 5, at=NOW - dt.timedelta(minutes=2))  # first contact
    customers.edit(varied, ids[1], cadence_days=60)
    customers.set_status(varied, ids[2], "paused", until=NOW.date() + dt.timedelta(days=3))
    customers.set_status(varied, ids[6], "active")
    assert attention_table(varied) == varied.execute(ATTENTION_FROM_SOURCES).fetchall()
    checkin_store.undo_checkin(varied, saved.id)
    varied.execute("DELETE FROM contact_baselines WHERE customer_id = ?", (ids[-20],))
    new = customers.add_customer(varied, "Brand New", cadence_days=5)
    assert attention_table(varied) == varied.execute(ATTENTION_FROM_SOURCES).fetchall()
    assert (new.id, "active", None, 5, 0, None) in attention_table(varied)
    for limit in (1, 10, 80):
        assert first_page(varied, limit, now=NOW) == dashboard_rows(varied, now=NOW)[:limit]


def test_bulk_loads_keep_the_attention_table(conn: sqlite3.Connection) -> None:
    from tempcheck.store.sample import write_synthetic

    write_synthetic(conn, 300, 3000, now=NOW)
    assert attention_table(conn) == conn.execute(ATTENTION_FROM_SOURCES).fetchall()
    assert first_page(conn, 40, now=NOW) == dashboard_rows(conn, now=NOW)[:40]


def test_never_contacted_customers_on_the_first_page_go_by_name(conn: sqlite3.Connection) -> None:
    from tempcheck.store import customers

    for m in range(40):  # binary order and the dashboard's (case-folded) order differ
        customers.add_customer(conn, f"{'aBc'[m % 3]} never {m:02d}", cadence_days=14)
    fresh = customers.add_customer(conn, "Fresh", cadence_days=14)
    checkin_store.add_checkin(conn, fresh.id, 4, at=NOW - dt.timedelta(days=1))
    full = dashboard_rows(conn, now=NOW)
    assert [r.name for r in full[:3]] == ["a never 00", "a never 03", "a never 06"]
    for limit in (1, 5, 20):
        assert first_page(conn, limit, now=NOW) == full[:limit]


def test_upgrading_a_version_4_file_fills_the_attention_table(tmp_path) -> None:  # noqa: ANN001
    import shutil
    from pathlib import Path

    from tempcheck.store import open_db

    path = tmp_path / "v4.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "schema_v4.db", path)
    upgraded = open_db(path)
    rows = attention_table(upgraded)
    assert rows == upgraded.execute(ATTENTION_FROM_SOURCES).fetchall()
    assert [row[0] for row in rows] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert rows[2][1:3] == ("paused", "2027-01-01")
    assert rows[3][5] == "2026-10-25T00:00:00.000000Z"  # the spread baseline
    upgraded.close()
