"""Read meetings from an iCalendar file or a CalDAV calendar.

Recurring events are expanded over the window by ``recurring-ical-events`` in
the event's own time zone, so a weekly 10:00 meeting stays at 10:00 local time
across a daylight-saving change. Each occurrence is keyed by the event's UID
and its recurrence id (the original start of that occurrence; empty for a
single event), so importing the same calendar again updates rows instead of
adding them, a moved occurrence keeps its key and a cancelled one is withdrawn.

icalendar, recurring-ical-events and caldav are imported inside the functions:
only these commands pay for them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from tempcheck.domain import clock
from tempcheck.domain.meetings import MAX_LOCATION, MAX_TITLE, Occurrence, Outcome, is_video_link
from tempcheck.store import calendar as store
from tempcheck.store.connection import StoreError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_OCCURRENCES = 100_000


class CalendarError(StoreError):
    """A calendar that cannot be read; the message says why, in one line."""


def window(since_days: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """From ``since_days`` ago (start of that local day) to the end of tomorrow."""
    now = now or clock.now()
    local_now = clock.local(now)
    first = datetime.combine(local_now.date() - timedelta(days=since_days), time())
    last = datetime.combine(local_now.date() + timedelta(days=2), time())
    tz = local_now.tzinfo
    return first.replace(tzinfo=tz).astimezone(UTC), last.replace(tzinfo=tz).astimezone(UTC)


def _as_utc(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating time: the user's own clock
            value = value.astimezone()
        return value.astimezone(UTC)
    return datetime.combine(value, time()).astimezone().astimezone(UTC)


def _recurrence_key(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return clock.to_stored(_as_utc(value))
    return value.isoformat()


def occurrences(
    calendars: Iterable[bytes | str], start: datetime, end: datetime
) -> tuple[list[Occurrence], int]:
    """Every meeting of ``calendars`` that overlaps [start, end), and how many all-day
    events were skipped (holidays, travel, out of office: not meetings)."""
    import recurring_ical_events
    from icalendar import Calendar

    found: list[Occurrence] = []
    all_day = 0
    parsed = []
    for number, data in enumerate(calendars, 1):
        try:
            # Some exports hold several VCALENDARs one after another: read them all.
            read = Calendar.from_ical(data, multiple=True)
        except (ValueError, IndexError, KeyError) as exc:
            where = f" (object {number})" if number > 1 else ""
            raise CalendarError(f"not an iCalendar file{where}: {_short(exc)}") from None
        if not read:
            where = f" (object {number})" if number > 1 else ""
            raise CalendarError(f"not an iCalendar file{where}: no complete VCALENDAR")
        parsed += read
    for calendar in parsed:
        recurring = {
            str(event.get("UID", ""))
            for event in calendar.walk("VEVENT")
            if "RRULE" in event or "RDATE" in event or "RECURRENCE-ID" in event
        }
        try:
            query = recurring_ical_events.of(calendar, keep_recurrence_attributes=True)
            expanded = query.between(start, end)
            for event in expanded:
                if len(found) >= MAX_OCCURRENCES:
                    raise CalendarError(
                        f"more than {MAX_OCCURRENCES} meetings in the window; use a shorter --since"
                    )
                begins = event.get("DTSTART")
                if begins is None or not isinstance(begins.dt, datetime):
                    all_day += 1
                    continue
                found.append(_occurrence(event, recurring))
        except CalendarError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken series: say which, never a traceback
            raise CalendarError(f"cannot expand the calendar's events: {_short(exc)}") from None
    found.sort(key=lambda o: (o.starts_at, o.event_uid, o.recurrence_id))
    return found, all_day


def _occurrence(event, recurring: set[str]) -> Occurrence:  # noqa: ANN001 - an icalendar Event
    uid = str(event.get("UID", "")).strip()
    starts = _as_utc(event["DTSTART"].dt)
    if "DTEND" in event:
        ends = _as_utc(event["DTEND"].dt)
    elif "DURATION" in event:
        ends = starts + event["DURATION"].dt
    else:
        ends = starts
    if ends < starts:
        ends = starts
    if not uid:  # no UID (rare, hand-written files): the start and title make one
        uid = f"no-uid:{clock.to_stored(starts)}:{event.get('SUMMARY', '')}"
    recurrence_id = ""
    if uid in recurring and event.get("RECURRENCE-ID") is not None:
        recurrence_id = _recurrence_key(event["RECURRENCE-ID"].dt)
    title = str(event.get("SUMMARY", "")).strip()[:MAX_TITLE]
    location = str(event.get("LOCATION", "")).strip()[:MAX_LOCATION]
    description = str(event.get("DESCRIPTION", ""))
    extra = " ".join(
        str(event.get(name, ""))
        for name in ("URL", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL")
    )
    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    organizer = event.get("ORGANIZER")
    addresses = [str(a) for a in attendees] + ([str(organizer)] if organizer else [])
    return Occurrence(
        event_uid=uid[:1000],
        recurrence_id=recurrence_id,
        starts_at=starts,
        ends_at=ends,
        title=title,
        location=location,
        video=is_video_link(location, description, extra),
        attendees=tuple(addresses),
        cancelled=str(event.get("STATUS", "")).upper() == "CANCELLED",
    )


def _calendar_name(data: bytes) -> str:
    """The exported calendar's own name (X-WR-CALNAME, written by Google, Outlook and Apple),
    so a newer export under another file name still counts as the same calendar."""
    found = re.search(rb"^X-WR-CALNAME[^:\r\n]*:([^\r\n]*)", data[:65536], re.MULTILINE)
    return found.group(1).decode("utf-8", "replace").strip()[:200] if found else ""


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


# --- the two ways in ------------------------------------------------------------------------


def import_file(
    conn: sqlite3.Connection, path: Path, *, since_days: int, now: datetime | None = None
) -> Outcome:
    """Import the meetings of an .ics file from ``since_days`` ago to tomorrow."""
    store.require_enabled(conn)
    path = Path(path).expanduser()
    if path.is_dir():
        raise CalendarError(f"{path} is a folder, not an iCalendar file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CalendarError(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MB")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CalendarError(f"no such file: {path}") from None
    except OSError as exc:
        raise CalendarError(f"cannot read {path}: {exc.strerror}") from None
    if b"BEGIN:VCALENDAR" not in data[:4096].upper():
        raise CalendarError(f"{path} is not an iCalendar file (no BEGIN:VCALENDAR)")
    start, end = window(since_days, now)
    found, all_day = occurrences([data], start, end)
    source = f"ics:{_calendar_name(data) or path.resolve()}"
    outcome = store.save_occurrences(conn, found, source=source, start=start, end=end)
    outcome.skipped_all_day = all_day
    return outcome


def sync_caldav(
    conn: sqlite3.Connection,
    url: str,
    *,
    user: str | None,
    password: str | None,
    since_days: int,
    now: datetime | None = None,
    timeout: float = 30.0,
) -> Outcome:
    """Read a CalDAV calendar (the URL of one calendar) over the window and store it."""
    store.require_enabled(conn)
    if not url.lower().startswith(("http://", "https://")):
        raise CalendarError(f"{url!r} is not an http(s) URL of a CalDAV calendar")
    start, end = window(since_days, now)
    objects = fetch_caldav(url, user=user, password=password, start=start, end=end, timeout=timeout)
    found, all_day = occurrences(objects, start, end)
    outcome = store.save_occurrences(conn, found, source=f"caldav:{url}", start=start, end=end)
    outcome.skipped_all_day = all_day
    return outcome


def fetch_caldav(
    url: str,
    *,
    user: str | None,
    password: str | None,
    start: datetime,
    end: datetime,
    timeout: float = 30.0,
) -> list[str]:
    """The raw calendar objects (each a VCALENDAR with its series and exceptions) that
    the server says overlap the window; expansion happens here, not on the server."""
    import caldav
    from caldav.lib import error as dav_error

    try:
        client = caldav.DAVClient(url=url, username=user, password=password, timeout=timeout)
        with client:
            calendar = client.calendar(url=url)
            found = calendar.search(start=start, end=end, event=True, expand=False)
            return [item.data for item in found]
    except dav_error.AuthorizationError:
        raise CalendarError(f"{url}: the server refused the user name or password") from None
    except dav_error.NotFoundError:
        raise CalendarError(f"{url}: no calendar at this address") from None
    except dav_error.DAVError as exc:
        raise CalendarError(f"{url}: the CalDAV server answered: {_short(exc)}") from None
    except OSError as exc:
        raise CalendarError(f"{url}: cannot reach the server ({_short(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - network libraries raise their own kinds
        name = type(exc).__name__
        if "Connection" in name or "Timeout" in name or "SSL" in name:
            raise CalendarError(f"{url}: cannot reach the server ({_short(exc)})") from None
        raise
