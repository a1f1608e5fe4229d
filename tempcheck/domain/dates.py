"""Read the dates people type ("fri", "+3d", "2w", "1 dec") in one place.

The TUI form and the shell CLI both accept natural dates; parsing them here
keeps the two in agreement and keeps the domain layer free of UI code.
Calendar arithmetic is pendulum's (imported lazily so importing this module
stays cheap). Whether a past date is acceptable is the caller's decision.
"""

from __future__ import annotations

import datetime
import re

from tempcheck.domain import clock

__all__ = [
    "MONTHS",
    "WEEKDAYS",
    "DateParseError",
    "day_month",
    "format_short",
    "iso_day",
    "parse_date",
    "parse_datetime",
    "stamp",
]

_DATE_EXAMPLES = "try fri, +3d, 2w, 2026-12-01"
_DATETIME_EXAMPLES = "try now, yesterday 14:30, fri 9:15, 2d, 2026-11-20T14:30"

_WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# "Jan" … "Dec" and "Mon" … "Sun" for dates shown anywhere, whatever the locale
# (strftime's %b and %a follow LC_TIME).
MONTHS = tuple(name[:3] for name in _MONTH_NAMES)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = {name.lower(): number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3].lower(): number for number, name in enumerate(_MONTH_NAMES, start=1)})
_MONTHS["sept"] = 9
# Most days each month can have (February in a leap year).
_MONTH_MAX_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

_UNITS = {
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "wk": "weeks",
    "wks": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "m": "months",
    "mo": "months",
    "mos": "months",
    "month": "months",
    "months": "months",
    "y": "years",
    "yr": "years",
    "yrs": "years",
    "year": "years",
    "years": "years",
}
# A longer amount cannot land inside years 1..9999 (and int() of huge digit runs is slow).
_MAX_AMOUNT_DIGITS = 7

# All patterns run on normalised text: lower case, commas dropped, single spaces.
_A = re.ASCII
_RELATIVE = re.compile(
    r"(?P<in>in )?(?P<sign>[+-])? ?(?:(?P<n>\d+) ?|(?P<a>an?) )(?P<unit>[a-z]+)(?P<ago> ago)?", _A
)
_NEXT_LAST = re.compile(r"(?P<which>next|last) (?P<what>[a-z]+)", _A)
_ISO_DATE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})", _A)
_DAY_MONTH = re.compile(
    r"(?:(?P<wd>[a-z]+)\.? )?"
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)? (?P<m1>[a-z]+)\.?"
    r"|(?P<m2>[a-z]+)\.? (?P<d2>\d{1,2})(?:st|nd|rd|th)?)"
    r"(?: (?P<y>\d{4}))?",
    _A,
)
_ISO_DATETIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})[t ]"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<frac>\d{1,9}))?)?"
    r" ?(?P<tz>z|[+-]\d{2}(?::?\d{2})?)?",
    _A,
)
_TIME_SUFFIX = re.compile(
    r"(?:(?P<date>.+?) )??(?:at )?(?P<h>\d{1,2})(?::(?P<mi>\d{2}))? ?(?P<ampm>am|pm)?", _A
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class DateParseError(ValueError):
    """Raised with a human message, e.g. 'cannot read "blah" as a date (try fri, +3d, ...)'."""


class _Unrecognised(DateParseError):
    """The text matched no form at all (as opposed to naming an impossible date)."""


def parse_date(
    text: str, today: datetime.date | None = None, *, past: bool = False
) -> datetime.date:
    """Read a typed date relative to ``today`` (default: the local date).

    Ambiguous forms (a weekday, "3d", "1 dec") resolve forwards, or
    backwards when ``past`` is true. Raises DateParseError for anything else.
    """
    today = _as_date(today) if today is not None else datetime.date.today()
    try:
        return _parse_date(_normalise(text), today, past, text)
    except DateParseError:
        raise
    except (OverflowError, OSError, ValueError):  # date arithmetic past year 1 or 9999
        raise DateParseError(f"cannot read {_shown(text)} as a date: too far away") from None


def parse_datetime(text: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """Read a typed moment (for ``--at``) and return an aware datetime.

    Accepts "now", ISO datetimes (naive ones are local time), and any
    parse_date form read backwards ("fri" is last Friday), optionally followed
    by a time ("yesterday 14:30", "mon 9:15"); a date alone means 12:00 local.
    """
    try:
        if now is None:
            now = datetime.datetime.now().astimezone()
        elif now.tzinfo is None or now.utcoffset() is None:
            now = now.astimezone()
        return _parse_datetime(_normalise(text), now, text)
    except DateParseError:
        raise
    except (OverflowError, OSError, ValueError):  # also local-time conversion at the extremes
        raise DateParseError(
            f"cannot read {_shown(text)} as a date and time: too far away"
        ) from None


# --- showing dates: the one set of formats every screen, report and command uses --------


def format_short(
    d: datetime.date, *, today: datetime.date | None = None, year: bool | None = None
) -> str:
    """Show a date briefly, "Fri 27 Nov", adding the year when it isn't ``today``'s year
    (or always, with ``year=True``)."""
    short = f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]}"
    if year is None:
        today = _as_date(today) if today is not None else datetime.date.today()
        year = d.year != today.year
    return f"{short} {d.year}" if year else short


def day_month(
    d: datetime.date, *, today: datetime.date | None = None, year: bool | None = None
) -> str:
    """ "21 Nov"; with the year ("21 Nov 2025") when ``year`` is True, or when it is None
    (the default) and the date is not in ``today``'s year; never when ``year`` is False."""
    text = f"{d.day} {MONTHS[d.month - 1]}"
    if year is None:
        today = _as_date(today) if today is not None else datetime.date.today()
        year = d.year != today.year
    return f"{text} {d.year}" if year else text


def stamp(moment: datetime.datetime) -> str:
    """A moment in local time, "2026-11-21 14:05" (tables, notices, the detail screen)."""
    local = clock.local(moment)
    return f"{local.date().isoformat()} {local:%H:%M}"


def iso_day(moment: datetime.datetime) -> str:
    """The local calendar day of a moment, "2026-11-21" (the year always four digits)."""
    return clock.local(moment).date().isoformat()


# --- parsing -----------------------------------------------------------------


def _parse_date(s: str, today: datetime.date, past: bool, original: str) -> datetime.date:
    if s == "today":
        return today
    if s == "tomorrow":
        return today + datetime.timedelta(days=1)
    if s == "yesterday":
        return today - datetime.timedelta(days=1)
    if s in _WEEKDAYS:
        return _weekday(today, _WEEKDAYS[s], back=past)
    if m := _NEXT_LAST.fullmatch(s):
        if (found := _next_last(today, m["which"], m["what"])) is not None:
            return found
    if m := _RELATIVE.fullmatch(s):
        if (found := _relative(today, m, past, original)) is not None:
            return found
    if m := _ISO_DATE.fullmatch(s):
        return _make_date(int(m["y"]), int(m["m"]), int(m["d"]), original)
    if m := _DAY_MONTH.fullmatch(s):
        if (found := _day_month(today, m, past, original)) is not None:
            return found
    raise _Unrecognised(f"cannot read {_shown(original)} as a date ({_DATE_EXAMPLES})")


def _weekday(today: datetime.date, weekday: int, *, back: bool) -> datetime.date:
    """The next (or previous) such weekday, never today itself."""
    if back:
        return today - datetime.timedelta(days=(today.weekday() - weekday) % 7 or 7)
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _next_last(today: datetime.date, which: str, what: str) -> datetime.date | None:
    if what in _WEEKDAYS:
        return _weekday(today, _WEEKDAYS[what], back=which == "last")
    step = 1 if which == "next" else -1
    if what == "week":
        monday = today - datetime.timedelta(days=today.weekday())
        return monday + datetime.timedelta(weeks=step)
    if what == "month":
        return _shift(today.replace(day=1), "months", step)
    return None


def _relative(
    today: datetime.date, m: re.Match[str], past: bool, original: str
) -> datetime.date | None:
    unit = _UNITS.get(m["unit"])
    if unit is None or (m["a"] and len(m["unit"]) < 3):
        return None
    if sum(1 for marker in (m["in"], m["sign"], m["ago"]) if marker) > 1:
        return None  # "in -3d", "+3d ago": contradictory or doubled
    forward_marked = bool(m["in"]) or m["sign"] == "+"
    back_marked = bool(m["ago"]) or m["sign"] == "-"
    if m["n"] is not None and len(m["n"].lstrip("0")) > _MAX_AMOUNT_DIGITS:
        raise DateParseError(f"cannot read {_shown(original)} as a date: too far away")
    amount = int(m["n"]) if m["n"] is not None else 1
    back = back_marked or (past and not forward_marked)
    return _shift(today, unit, -amount if back else amount)


def _shift(day: datetime.date, unit: str, amount: int) -> datetime.date:
    """``day`` moved by ``amount`` units, with pendulum's calendar rules (31 Jan + 1m = 28 Feb)."""
    import pendulum

    moved = pendulum.Date(day.year, day.month, day.day).add(**{unit: amount})
    return datetime.date(moved.year, moved.month, moved.day)


def _day_month(
    today: datetime.date, m: re.Match[str], past: bool, original: str
) -> datetime.date | None:
    month = _MONTHS.get(m["m1"] or m["m2"])
    weekday = None
    if m["wd"] is not None:
        weekday = _WEEKDAYS.get(m["wd"])
        if weekday is None:
            return None
    if month is None:
        return None
    day = int(m["d1"] or m["d2"])
    if m["y"] is not None:
        found = _make_date(int(m["y"]), month, day, original)
    else:
        found = _without_year(today, month, day, past, original)
    if weekday is not None and found.weekday() != weekday:
        raise DateParseError(
            f"cannot read {_shown(original)} as a date: {format_short(found, today=today)}"
            f" is a {_WEEKDAY_NAMES[found.weekday()]}, not a {_WEEKDAY_NAMES[weekday]}"
        )
    return found


def _without_year(
    today: datetime.date, month: int, day: int, past: bool, original: str
) -> datetime.date:
    """The next such date on or after today (latest on or before, if ``past``)."""
    name = _MONTH_NAMES[month - 1]
    if day < 1 or day > _MONTH_MAX_DAYS[month - 1]:
        raise DateParseError(f"cannot read {_shown(original)} as a date: {name} has no day {day}")
    step = -1 if past else 1
    # 29 Feb can be up to eight years away (1896 -> 1904).
    for offset in range(9):
        year = today.year + step * offset
        if not 1 <= year <= 9999:
            break
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if (candidate <= today) if past else (candidate >= today):
            return candidate
    raise DateParseError(f"cannot read {_shown(original)} as a date: too far away")


def _make_date(year: int, month: int, day: int, original: str) -> datetime.date:
    """A calendar date, or a DateParseError saying what is wrong with it."""
    problem = None
    if not 1 <= year <= 9999:
        problem = f"there is no year {year}"
    elif not 1 <= month <= 12:
        problem = f"there is no month {month}"
    else:
        try:
            return datetime.date(year, month, day)
        except ValueError:
            name = _MONTH_NAMES[month - 1]
            problem = f"{name} {year} has no day {day}"
    raise DateParseError(f"cannot read {_shown(original)} as a date: {problem}")


def _parse_datetime(s: str, now: datetime.datetime, original: str) -> datetime.datetime:
    if s == "now":
        return now
    if m := _ISO_DATETIME.fullmatch(s):
        return _iso_datetime(m, original)
    today = now.astimezone().date()
    clock = datetime.time(12, 0)  # a bare date means midday: safely inside that day
    if (m := _TIME_SUFFIX.fullmatch(s)) and (m["mi"] is not None or m["ampm"] is not None):
        clock = _clock(m, original)
        s = m["date"] or "today"
    try:
        day = _parse_date(s, today, True, original)
    except _Unrecognised:
        raise _Unrecognised(
            f"cannot read {_shown(original)} as a date and time ({_DATETIME_EXAMPLES})"
        ) from None
    return _local(datetime.datetime.combine(day, clock))


def _clock(m: re.Match[str], original: str) -> datetime.time:
    hour, minute = int(m["h"]), int(m["mi"] or 0)
    twelve_hour = m["ampm"] is not None
    if minute > 59 or hour > 23 or (twelve_hour and not 1 <= hour <= 12):
        raise DateParseError(f"cannot read {_shown(original)}: that is not a time of day")
    if twelve_hour:
        hour = hour % 12 + (12 if m["ampm"] == "pm" else 0)
    return datetime.time(hour, minute)


def _iso_datetime(m: re.Match[str], original: str) -> datetime.datetime:
    day = _make_date(int(m["y"]), int(m["mo"]), int(m["d"]), original)
    hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise DateParseError(f"cannot read {_shown(original)}: that is not a time of day")
    micro = int((m["frac"] or "0").ljust(6, "0")[:6])
    moment = datetime.datetime.combine(day, datetime.time(hour, minute, second, micro))
    zone = m["tz"]
    if zone is None:
        return _local(moment)
    if zone == "z":
        return moment.replace(tzinfo=datetime.UTC)
    digits = zone[1:].replace(":", "")
    offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    if offset >= datetime.timedelta(hours=24) or int(digits[2:] or 0) > 59:
        raise DateParseError(f"cannot read {_shown(original)}: bad UTC offset {zone}")
    tz = datetime.timezone(-offset if zone[0] == "-" else offset)
    return moment.replace(tzinfo=tz)


def _local(moment: datetime.datetime) -> datetime.datetime:
    """Attach the system's local time zone (honouring DST) to a naive local datetime."""
    return moment.astimezone()


# --- helpers -----------------------------------------------------------------


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace(",", " ").split())


def _as_date(day: datetime.date) -> datetime.date:
    return day.date() if isinstance(day, datetime.datetime) else day


def _shown(text: str) -> str:
    """The user's text, quoted, made safe and short enough for a message."""
    cleaned = _CONTROL.sub("?", text.strip())
    if len(cleaned) > 40:
        cleaned = cleaned[:39] + "…"
    return f'"{cleaned}"'
