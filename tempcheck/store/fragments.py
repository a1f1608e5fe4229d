"""SQL fragments several queries share, so one rule is written once.

Each is a fixed expression from our own code (never user input) with the
table aliases named in its comment; callers put them into their SQL text.
"""

from __future__ import annotations

import json
from collections.abc import Collection

# A follow-up's due date: its newest snooze's ``until``, else its own ``due``. Alias ``f``.
EFFECTIVE_DUE = (
    "coalesce((SELECT e.until FROM followup_events e WHERE e.followup_id = f.id"
    " AND e.kind = 'snoozed' ORDER BY e.id DESC LIMIT 1), f.due)"
)

# A follow-up marked done. Alias ``f``.
FOLLOWUP_DONE = (
    "EXISTS (SELECT 1 FROM followup_events e WHERE e.followup_id = f.id AND e.kind = 'done')"
)

# An issue nobody has closed. Alias ``i``.
OPEN_ISSUE = "NOT EXISTS (SELECT 1 FROM issue_closures x WHERE x.issue_id = i.id)"

# Someone from our side reached out to the issue's customer since it was opened. Alias ``i``.
WE_REACHED_OUT_SINCE = (
    "EXISTS (SELECT 1 FROM checkins k WHERE k.customer_id = i.customer_id"
    " AND k.at >= i.opened_at AND k.initiated_by = 'us')"
)

# A promise not yet kept or broken. Alias ``p``.
OPEN_PROMISE = "NOT EXISTS (SELECT 1 FROM promise_settlements s WHERE s.promise_id = p.id)"

# Whose records to read: everyone (None), one customer, or a few.
Customers = int | Collection[int] | None


def customer_params(customer_id: Customers) -> dict[str, object]:
    """The ``:customer_id`` parameter of a ``column IN (SELECT value FROM
    json_each(:customer_id))`` filter: one customer or several, as a JSON list (the
    queries leave the filter out for everyone)."""
    if customer_id is None:
        return {}
    ids = [customer_id] if isinstance(customer_id, int) else sorted(customer_id)
    return {"customer_id": json.dumps(ids)}
