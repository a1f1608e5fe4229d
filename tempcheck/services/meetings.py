"""Logging a check-in for a meeting: the defaults both ``tempcheck log --meeting`` and the
Today panel's ``l`` take, so the two never disagree.

The time is the meeting's end, the channel is meeting (video when the meeting
had a video-call link), and "with" is the contact the meeting was matched to.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from tempcheck.domain.meetings import Meeting
from tempcheck.store import calendar
from tempcheck.store.connection import StoreError, write


@dataclass(frozen=True)
class MeetingDefaults:
    meeting: Meeting
    customer_id: int
    at: datetime
    channel: str
    contact_id: int | None
    contact_name: str | None


def defaults_for(conn: sqlite3.Connection, event_id: int) -> MeetingDefaults:
    """What a check-in for meeting ``event_id`` starts from; a clear error when the meeting
    cannot be logged (turned off, unknown, cancelled, or not matched to one customer)."""
    calendar.require_enabled(conn)
    meeting = calendar.get_meeting(conn, event_id)
    if meeting.withdrawn:
        raise StoreError(f"meeting {event_id} was cancelled or removed from the calendar")
    if meeting.customer_id is None:
        raise StoreError(
            f"meeting {event_id} is not matched to one customer; assign it first: "
            f"tempcheck calendar assign {event_id} CUSTOMER"
        )
    return MeetingDefaults(
        meeting=meeting,
        customer_id=meeting.customer_id,
        at=meeting.ends_at,
        channel=meeting.channel,
        contact_id=meeting.contact_id,
        contact_name=meeting.contact_name,
    )


def note_with(conn: sqlite3.Connection, checkin_id: int, defaults: MeetingDefaults) -> None:
    """Record who the check-in was with (the meeting's contact) unless it already says."""
    if defaults.contact_id is None:
        return
    with write(conn):
        conn.execute(
            "UPDATE checkins SET contact_id = ? WHERE id = ? AND contact_id IS NULL"
            " AND customer_id = ?",
            (defaults.contact_id, checkin_id, defaults.customer_id),
        )
