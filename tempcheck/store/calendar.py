"""Meetings read from calendars: kept per occurrence, matched to customers, asked about.

A meeting row is keyed by its event's UID and recurrence id, so reading the
same calendar again updates it. A meeting gone from the calendar (or
cancelled) is withdrawn, not deleted, and comes back if it reappears. Its
customer is matched again on every read unless it was assigned by hand.
Dismissing ("nothing to log") is for good.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta

from tempcheck.domain import clock
from tempcheck.domain.meetings import (
    AMBIGUOUS,
    MATCHED,
    UNMATCHED,
    Directory,
    Meeting,
    Occurrence,
    Outcome,
    match_meeting,
)
from tempcheck.domain.settings import is_on
from tempcheck.store import settings
from tempcheck.store.connection import StoreError, write

SETTING = "calendar.enabled"
PROMPT_DAYS = "calendar.prompt_days"

_COLUMNS = """e.id, e.event_uid, e.recurrence_id, e.starts_at, e.ends_at, e.title, e.location,
    e.video, e.attendees, e.match_state, e.customer_id, c.name, e.contact_id, p.name,
    e.assigned_at IS NOT NULL, e.withdrawn_at IS NOT NULL, e.dismissed_at IS NOT NULL"""
_FROM = """calendar_events e LEFT JOIN customers c ON c.id = e.customer_id
    LEFT JOIN contacts p ON p.id = e.contact_id"""


class CalendarOff(StoreError):
    """The calendar features are turned off in the settings."""


def enabled(conn: sqlite3.Connection) -> bool:
    return is_on(settings.get(conn, SETTING))


def require_enabled(conn: sqlite3.Connection) -> None:
    if not enabled(conn):
        raise CalendarOff(
            "the calendar features are off; turn them on with: tempcheck config calendar.enabled on"
        )


def _meeting(row: tuple) -> Meeting:
    return Meeting(
        id=row[0],
        event_uid=row[1],
        recurrence_id=row[2],
        starts_at=clock.from_stored(row[3]),
        ends_at=clock.from_stored(row[4]),
        title=row[5],
        location=row[6],
        video=bool(row[7]),
        attendees=tuple(a for a in row[8].split("\n") if a),
        state=row[9],
        customer_id=row[10],
        customer_name=row[11],
        contact_id=row[12],
        contact_name=row[13],
        assigned=bool(row[14]),
        withdrawn=bool(row[15]),
        dismissed=bool(row[16]),
    )


def directory(conn: sqlite3.Connection) -> Directory:
    """Contacts' addresses, customers' domains and names of every customer not ended."""
    emails: dict[str, list[tuple[int, int]]] = {}
    for email, customer_id, contact_id in conn.execute(
        "SELECT lower(trim(p.email)), p.customer_id, p.id FROM contacts p"
        " JOIN customers c ON c.id = p.customer_id"
        " WHERE p.gone_at IS NULL AND c.status != 'ended' AND trim(p.email) != ''"
        " ORDER BY p.is_primary DESC, p.id"
    ):
        emails.setdefault(email, []).append((customer_id, contact_id))
    domains: dict[str, list[int]] = {}
    names: dict[int, str] = {}
    for customer_id, name, domain in conn.execute(
        "SELECT id, name, coalesce(domain, '') FROM customers WHERE status != 'ended'"
    ):
        names[customer_id] = name
        if domain.strip():
            domains.setdefault(domain.strip().lower(), []).append(customer_id)
    return Directory(emails, domains, names)


def save_occurrences(
    conn: sqlite3.Connection,
    found: Sequence[Occurrence],
    *,
    source: str,
    start: datetime,
    end: datetime,
) -> Outcome:
    """Store what one read of a calendar found over [start, end), in one transaction.

    Meetings of the same source in that window that the calendar no longer has
    are withdrawn; cancelled ones too. Running it twice changes nothing.
    """
    outcome = Outcome()
    now = clock.to_stored(clock.now())
    with write(conn):
        people = directory(conn)
        seen: set[int] = set()
        for occurrence in found:
            existing = conn.execute(
                "SELECT id, starts_at, ends_at, title, location, video, attendees, match_state,"
                " customer_id, contact_id, assigned_at, withdrawn_at, source"
                " FROM calendar_events WHERE event_uid = ? AND recurrence_id = ?",
                (occurrence.event_uid, occurrence.recurrence_id),
            ).fetchone()
            if existing is None and occurrence.cancelled:
                continue  # never stored, nothing to withdraw: keep nothing of it
            result = match_meeting(occurrence.title, occurrence.attendees, people)
            state, customer_id, contact_id = result.state, result.customer_id, result.contact_id
            if existing is not None and existing[10] is not None:  # assigned by hand: kept
                state, customer_id, contact_id = MATCHED, existing[8], existing[9]
            withdrawn = now if occurrence.cancelled else None
            values = (
                clock.to_stored(occurrence.starts_at),
                clock.to_stored(occurrence.ends_at),
                occurrence.title,
                occurrence.location,
                int(occurrence.video),
                "\n".join(result.addresses),
                state,
                customer_id,
                contact_id,
            )
            if existing is None:
                cursor = conn.execute(
                    "INSERT INTO calendar_events (starts_at, ends_at, title, location, video,"
                    " attendees, match_state, customer_id, contact_id, event_uid, recurrence_id,"
                    " source, seen_at, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, occurrence.event_uid, occurrence.recurrence_id, source, now, now),
                )
                event_id = cursor.lastrowid
                outcome.added += 1
            else:
                event_id = existing[0]
                if event_id in seen:
                    continue  # the same occurrence twice in one calendar: the first counts
                was_withdrawn = existing[11] is not None
                changed = tuple(existing[1:10]) != values or was_withdrawn != bool(withdrawn)
                conn.execute(
                    "UPDATE calendar_events SET starts_at = ?, ends_at = ?, title = ?,"
                    " location = ?, video = ?, attendees = ?, match_state = ?, customer_id = ?,"
                    " contact_id = ?, source = ?, seen_at = ?,"
                    " withdrawn_at = CASE WHEN ? IS NULL THEN NULL"
                    " ELSE coalesce(withdrawn_at, ?) END WHERE id = ?",
                    (*values, source, now, withdrawn, withdrawn, event_id),
                )
                if withdrawn and not was_withdrawn:
                    outcome.withdrawn += 1
                elif changed:
                    outcome.updated += 1
                else:
                    outcome.unchanged += 1
            seen.add(event_id)
            outcome.events.append(event_id)
            if not withdrawn:
                if state == MATCHED:
                    outcome.matched += 1
                else:
                    outcome.unmatched += 1
        gone = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM calendar_events WHERE source = ? AND starts_at >= ?"
                " AND starts_at < ? AND withdrawn_at IS NULL",
                (source, clock.to_stored(start), clock.to_stored(end)),
            )
            if row[0] not in seen
        ]
        for event_id in gone:
            conn.execute(
                "UPDATE calendar_events SET withdrawn_at = ? WHERE id = ?", (now, event_id)
            )
        outcome.withdrawn += len(gone)
    return outcome


# --- reading ---------------------------------------------------------------------------------


def get_meeting(conn: sqlite3.Connection, event_id: int) -> Meeting:
    row = conn.execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE e.id = ?", (event_id,)).fetchone()
    if row is None:
        raise StoreError(f"no meeting with id {event_id} (see: tempcheck calendar pending)")
    return _meeting(row)


def met_not_logged(
    conn: sqlite3.Connection, *, now: datetime | None = None, customer_id: int | None = None
) -> list[Meeting]:
    """Matched meetings that ended within ``calendar.prompt_days``, with no check-in for
    their customer since they started, neither withdrawn nor dismissed; the oldest first.
    Empty when turned off."""
    if not enabled(conn):
        return []

    now = now or clock.now()
    oldest = now - timedelta(days=settings.get_int(conn, PROMPT_DAYS))
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM {_FROM}"
        " WHERE e.customer_id IS NOT NULL AND e.match_state = 'matched'"
        " AND e.withdrawn_at IS NULL AND e.dismissed_at IS NULL"
        " AND e.ends_at <= :now AND e.ends_at >= :oldest"
        " AND c.status = 'active'"
        " AND NOT EXISTS (SELECT 1 FROM checkins k WHERE k.customer_id = e.customer_id"
        " AND k.at >= e.starts_at)"
        f"{'' if customer_id is None else ' AND e.customer_id = :cid'}"
        " ORDER BY e.ends_at, e.id",
        {"now": clock.to_stored(now), "oldest": clock.to_stored(oldest), "cid": customer_id},
    )
    return [_meeting(row) for row in rows]


def unmatched(conn: sqlite3.Connection) -> list[Meeting]:
    """Meetings that match no customer or several, waiting to be assigned (or dismissed)."""
    if not enabled(conn):
        return []
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM {_FROM}"
        " WHERE e.customer_id IS NULL AND e.withdrawn_at IS NULL AND e.dismissed_at IS NULL"
        " ORDER BY e.starts_at, e.id"
    )
    return [_meeting(row) for row in rows]


# --- acting on one meeting -------------------------------------------------------------------


def assign(conn: sqlite3.Connection, event_id: int, customer_id: int) -> Meeting:
    """Say by hand whose meeting it was; later reads of the calendar keep it."""
    with write(conn):
        meeting = get_meeting(conn, event_id)
        if meeting.withdrawn:
            raise StoreError(f"meeting {event_id} was cancelled or removed from the calendar")
        if conn.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is None:
            raise StoreError(f"no customer with id {customer_id}")
        contact = meeting.contact_id if meeting.customer_id == customer_id else None
        conn.execute(
            "UPDATE calendar_events SET customer_id = ?, contact_id = ?, match_state = ?,"
            " assigned_at = ? WHERE id = ?",
            (customer_id, contact, MATCHED, clock.to_stored(clock.now()), event_id),
        )
        return get_meeting(conn, event_id)


def dismiss(conn: sqlite3.Connection, event_id: int) -> Meeting:
    """ "Nothing to log": the meeting leaves the prompts for good."""
    with write(conn):
        meeting = get_meeting(conn, event_id)
        if not meeting.dismissed:
            conn.execute(
                "UPDATE calendar_events SET dismissed_at = ? WHERE id = ?",
                (clock.to_stored(clock.now()), event_id),
            )
        return get_meeting(conn, event_id)


def forget_all(conn: sqlite3.Connection) -> int:
    """Delete every stored meeting (for people turning the calendar features off)."""
    with write(conn):
        return conn.execute("DELETE FROM calendar_events").rowcount


__all__ = [
    "AMBIGUOUS",
    "MATCHED",
    "UNMATCHED",
    "CalendarOff",
    "assign",
    "dismiss",
    "forget_all",
    "get_meeting",
    "met_not_logged",
    "save_occurrences",
    "unmatched",
]
