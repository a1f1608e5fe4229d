"""Pausing and ending: who leaves the daily view, who comes back on their own."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine

from tempcheck.domain import clock
from tempcheck.store.customers import add_customer, set_status
from tempcheck.store.dashboard import dashboard_rows


def names(conn, **kwargs) -> list[str]:
    return sorted(row.name for row in dashboard_rows(conn, **kwargs))


def test_paused_until_a_date_returns_on_that_date(conn):
    acme = add_customer(conn, "Acme")
    add_customer(conn, "Globex")
    until = clock.today() + timedelta(days=10)
    set_status(conn, acme.id, "paused", until=until, note="budget freeze")
    assert names(conn) == ["Globex"]
    with time_machine.travel(clock.now() + timedelta(days=9), tick=False):
        assert names(conn) == ["Globex"]
    with time_machine.travel(clock.now() + timedelta(days=10, hours=1), tick=False):
        assert names(conn) == ["Acme", "Globex"]
        assert {row.status for row in dashboard_rows(conn)} == {"active"}


def test_paused_indefinitely_and_ended_stay_out_until_reactivated(conn):
    acme = add_customer(conn, "Acme")
    globex = add_customer(conn, "Globex")
    set_status(conn, acme.id, "paused")
    set_status(conn, globex.id, "ended", note="contract finished")
    with time_machine.travel(date.today() + timedelta(days=400), tick=False):
        assert names(conn) == []
    assert names(conn, include_inactive=True) == ["Acme", "Globex"]
    set_status(conn, globex.id, "active", note="new project")
    assert names(conn) == ["Globex"]
    history = conn.execute("SELECT status, note FROM customer_events ORDER BY id").fetchall()
    assert history == [("paused", ""), ("ended", "contract finished"), ("active", "new project")]
