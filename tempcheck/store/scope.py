"""A private in-memory copy of the database holding only some customers.

``tempcheck report --tag T`` reviews the customers carrying a tag with the
same code that reviews the whole portfolio, by running it on a copy from
which everyone else's rows were removed. The user's file is only read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from tempcheck.store.summary import bulk_checkins

# Rows to remove, children before parents: (table, how its rows belong to a customer).
_BELONGS = (
    ("followup_events", "followup_id IN (SELECT id FROM followups WHERE customer_id IN drop_ids)"),
    ("followups", "customer_id IN drop_ids"),
    ("concern_events", "concern_id IN (SELECT id FROM concerns WHERE customer_id IN drop_ids)"),
    ("concerns", "customer_id IN drop_ids"),
    (
        "promise_settlements",
        "promise_id IN (SELECT id FROM promises WHERE customer_id IN drop_ids)",
    ),
    ("promises", "customer_id IN drop_ids"),
    ("issue_closures", "issue_id IN (SELECT id FROM issues WHERE customer_id IN drop_ids)"),
    ("issues", "customer_id IN drop_ids"),
    ("checkins", "customer_id IN drop_ids"),
    ("contacts", "customer_id IN drop_ids"),
    ("customer_events", "customer_id IN drop_ids"),
    ("reminder_snoozes", "customer_id IN drop_ids"),
    ("contact_baselines", "customer_id IN drop_ids"),
    ("contact_summary", "customer_id IN drop_ids"),
    ("customer_tags", "customer_id IN drop_ids"),
    ("customers", "id IN drop_ids"),
)
_DELETES = tuple(
    "DELETE FROM " + table + " WHERE " + rule.replace("drop_ids", "temp.drop_ids")
    for table, rule in _BELONGS
)


def narrowed_copy(conn: sqlite3.Connection, keep: Iterable[int]) -> sqlite3.Connection:
    """An in-memory copy of ``conn``'s database with only the customers in ``keep``."""
    copy = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.backup(copy)
    copy.execute("PRAGMA foreign_keys = OFF")
    copy.execute("CREATE TEMP TABLE keep_ids (id INTEGER PRIMARY KEY)")
    copy.executemany("INSERT INTO temp.keep_ids VALUES (?)", [(cid,) for cid in set(keep)])
    copy.execute(
        "CREATE TEMP TABLE drop_ids AS SELECT id FROM customers"
        " WHERE id NOT IN (SELECT id FROM temp.keep_ids)"
    )
    copy.execute("BEGIN")
    with bulk_checkins(copy):  # without the per-row summary triggers
        for statement in _DELETES:
            copy.execute(statement)
    copy.execute("COMMIT")
    return copy
