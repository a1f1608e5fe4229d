"""Time in one place: stored in UTC as fixed-width ISO-8601 text, shown in local time.

Fixed width keeps stored timestamps sortable as plain text, which the
dashboard query relies on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

_STORED = "%Y-%m-%dT%H:%M:%S.%fZ"


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the local time zone."""
    return datetime.now().astimezone().date()


def to_stored(moment: datetime) -> str:
    """Format an aware datetime for storage (UTC, microseconds, ``Z``)."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(UTC).strftime(_STORED)


def from_stored(text: str) -> datetime:
    """Parse a stored timestamp back into an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def local(moment: datetime) -> datetime:
    """The same instant in the local time zone."""
    return moment.astimezone()


def days_between(earlier: datetime, later: datetime) -> float:
    """Fractional days from ``earlier`` to ``later``."""
    return (later - earlier) / timedelta(days=1)


def ago(moment: datetime | None, reference: datetime | None = None) -> str:
    """Say how long ago ``moment`` was, the way people say it: "3 days ago"."""
    if moment is None:
        return "never"
    reference = reference or now()
    seconds = (reference - moment).total_seconds()
    if seconds < -60:
        return "in the future"
    if seconds < 90:
        return "just now"
    minutes = seconds / 60
    if minutes < 60:
        return f"{int(minutes)} min ago"
    hours = minutes / 60
    if hours < 24:
        return f"{int(hours)} h ago"
    days = (local(reference).date() - local(moment).date()).days
    if days <= 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 63:
        return f"{days // 7} weeks ago"
    if days < 365:
        return f"{round(days / 30.4)} months ago"
    years = days / 365.25
    return "1 year ago" if years < 2 else f"{int(years)} years ago"


def until(day: date, reference: date | None = None, *, compact: bool = False) -> str:
    """Say when a due date falls relative to today: "today", "in 3 days", "2 days late".

    ``compact`` gives "in 3d" and "2d late" for narrow table columns.
    """
    reference = reference or today()
    delta = (day - reference).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if compact:
        return f"{-delta}d late" if delta < 0 else f"in {delta}d"
    if delta == -1:
        return "1 day late"
    if delta < 0:
        return f"{-delta} days late"
    return f"in {delta} days"
