"""Hand open follow-ups and promises to a calendar app as an iCalendar file.

Each becomes an all-day event whose UID is the row's own uid, so importing a
newer export updates the same events instead of duplicating them. icalendar
is imported here, and this module is imported only by the export command.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from tempcheck.domain import clock
from tempcheck.domain.text import printable
from tempcheck.store.fragments import EFFECTIVE_DUE, FOLLOWUP_DONE, OPEN_PROMISE

PRODID = "-//tempcheck//tempcheck//EN"

_ITEMS = f"""
SELECT f.uid, 'follow-up', c.name, f.note,
    {EFFECTIVE_DUE} AS due
FROM followups f JOIN customers c ON c.id = f.customer_id
WHERE NOT {FOLLOWUP_DONE}
    AND (:cid IS NULL OR f.customer_id = :cid)
UNION ALL
SELECT p.uid, 'promise', c.name, p.text, p.due
FROM promises p JOIN customers c ON c.id = p.customer_id
WHERE {OPEN_PROMISE}
    AND (:cid IS NULL OR p.customer_id = :cid)
ORDER BY due, 1
"""


def calendar_bytes(conn: sqlite3.Connection, *, customer_id: int | None = None) -> bytes:
    """Open follow-ups and open promises (all customers, or one) as an iCalendar file."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "tempcheck")
    stamp = clock.now()
    for uid, kind, name, text, due in conn.execute(_ITEMS, {"cid": customer_id}):
        day = date.fromisoformat(due)
        name = printable(name, single_line=True)
        text = printable(text)
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        if day < date.max:  # an all-day event ends the next day, if the calendar has one
            event.add("dtend", day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        if kind == "follow-up":
            event.add("summary", f"Follow up: {name}")
            if text:
                event.add("description", text)
        else:
            event.add("summary", f"Promise due: {name} — {printable(text, single_line=True)}")
            event.add("description", f"We promised {name}: {text}")
        calendar.add_component(event)
    return calendar.to_ical()
