"""One customer's trust bank: every entry behind the balance, from the record.

The rules and weights live in :mod:`tempcheck.domain.trust`; this module only
gathers the facts they need for one customer (the same facts the dashboard's
30-day trend reads, so the two always agree).
"""

from __future__ import annotations

import sqlite3
from datetime import date

from tempcheck.domain import clock, trust
from tempcheck.store import settings
from tempcheck.store.dashboard import issue_facts, promise_facts


def proactive_contacts(conn: sqlite3.Connection, customer_id: int) -> list[tuple[date, str]]:
    """Check-ins we started, newest first, as (local date, note)."""
    return [
        (clock.local(clock.from_stored(at)).date(), note)
        for at, note in conn.execute(
            "SELECT at, note FROM checkins WHERE customer_id = ? AND initiated_by = 'us'"
            " ORDER BY at DESC, id DESC",
            (customer_id,),
        )
    ]


def trust_entries(
    conn: sqlite3.Connection, customer_id: int, *, today: date | None = None
) -> list[trust.Entry]:
    """Every deposit and withdrawal for the customer, newest first."""
    return trust.entries(
        proactive_contacts(conn, customer_id),
        [facts for _, facts in promise_facts(conn, customer_id=customer_id)],
        [facts for _, facts in issue_facts(conn, customer_id=customer_id)],
        trust.weights_from(settings.read_all(conn)),
        today or clock.today(),
    )


def trust_balance(conn: sqlite3.Connection, customer_id: int, *, today: date | None = None) -> int:
    """The sum of the customer's entries."""
    return trust.balance(trust_entries(conn, customer_id, today=today))
