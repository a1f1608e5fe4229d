"""Time in one place: stored in UTC as fixed-width ISO-8601 text, shown in local time.

Fixed width keeps stored timestamps sortable as plain text, which the
dashboard query relies on.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta, timezone

# The days tempcheck stores and computes with: a check-in, a due date or an export range
# outside these years is a typing mistake, and near year 1 or 9999 the calendar arithmetic
# (a day later, local time) runs off the end.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
# A stored value that cannot be read at all is shown as this moment rather than stopping
# every screen and command that reads it.
UNREADABLE = datetime(1970, 1, 1, tzinfo=UTC)
# Readable values are kept inside this range, so local time and a day either side exist.
_LOWEST = datetime(1, 1, 3, tzinfo=UTC)
_HIGHEST = datetime(9999, 12, 29, tzinfo=UTC)
_SHORT_YEAR = re.compile(r"(-?)(\d{1,3})-")


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the local time zone."""
    return datetime.now().astimezone().date()


def to_stored(moment: datetime) -> str:
    """Format an aware datetime for storage (UTC, microseconds, ``Z``, a four-digit year)."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    # isoformat pads the year to four digits; strftime("%Y") does not on every platform,
    # and "500-06-01T…" is text fromisoformat refuses (and that sorts after "2026-…").
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_stored(text: str) -> datetime:
    """Parse a stored timestamp back into an aware UTC datetime, whatever is stored.

    Values written by older versions or imported before they were checked (a year
    written with fewer than four digits, a year at the calendar's edge) are read as
    well as they can be; one bad value never stops the rest of the data being shown.
    """
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        padded = _SHORT_YEAR.sub(lambda m: f"{m[2]:0>4}-", str(text), count=1)
        try:
            moment = datetime.fromisoformat(padded)
        except ValueError:
            return UNREADABLE
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        return _LOWEST if moment.year < 5000 else _HIGHEST
    return min(max(moment, _LOWEST), _HIGHEST)


def not_past(day: date, what: str) -> date:
    """``day`` if it is today or later, else ValueError "<what> is in the past (<day>)": the
    one rule for every date something falls due on (follow-ups, promises, issues), which the
    store enforces and both shells check before saving."""
    if day < today():
        raise ValueError(f"{what} is in the past ({day.isoformat()})")
    return day


def check_day(day: date, what: str) -> date:
    """``day`` if it lies within :data:`EARLIEST_DAY`..:data:`LATEST_DAY`, else ValueError."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(
            f"{what} {day.isoformat()} is outside the years {EARLIEST_DAY.year}-{LATEST_DAY.year}"
        )
    return day


def local(moment: datetime) -> datetime:
    """The same instant in the local time zone."""
    return moment.astimezone()


def local_iso(moment: datetime) -> str:
    """``local(moment).isoformat(timespec="seconds")``, about twice as fast, for listings
    of thousands of rows: the offset comes from ``time.localtime`` of the same second, as
    ``astimezone()`` itself finds it, and each offset's fixed zone is made only once."""
    if moment.tzinfo is None:
        return local(moment).isoformat(timespec="seconds")
    offset = time.localtime(moment.timestamp()).tm_gmtoff
    zone = _ZONES.get(offset)
    if zone is None:
        zone = _ZONES[offset] = timezone(timedelta(seconds=offset))
    return moment.astimezone(zone).isoformat(timespec="seconds")


_ZONES: dict[int, timezone] = {}


def days_between(earlier: datetime, later: datetime) -> float:
    """Fractional days from ``earlier`` to ``later``."""
    return (later - earlier) / timedelta(days=1)


def calendar_days(earlier: datetime, later: datetime) -> int:
    """Whole days from ``earlier`` to ``later`` as the calendar on the wall counts them
    (local dates): something at noon 40 days ago is 40 days ago all day today."""
    return (local(later).date() - local(earlier).date()).days


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
    days = calendar_days(moment, reference)
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
