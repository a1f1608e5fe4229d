"""Tests for tempcheck.domain.dates: the natural-date parser shared by the TUI and the CLI."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import TEN_AM as NOW
from hypothesis import given, settings
from hypothesis import strategies as st

from tempcheck.domain.dates import DateParseError, format_short, parse_date, parse_datetime

D = dt.date
TUE = D(2026, 11, 24)  # a Tuesday
BERLIN = ZoneInfo("Europe/Berlin")
PROPERTY = settings(max_examples=200, deadline=None)


@pytest.fixture
def berlin(local_tz):
    local_tz("Europe/Berlin")
    return BERLIN


# --- parse_date: keywords and weekdays -----------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("today", TUE, TUE),
        ("tomorrow", TUE, D(2026, 11, 25)),
        ("yesterday", TUE, D(2026, 11, 23)),
        ("  TODAY ", TUE, TUE),
        ("Tomorrow", D(2026, 12, 31), D(2027, 1, 1)),
        ("yesterday", D(2027, 1, 1), D(2026, 12, 31)),
        ("tomorrow", D(2028, 2, 28), D(2028, 2, 29)),
    ],
)
def test_keywords(text, today, expected):
    assert parse_date(text, today) == expected
    assert parse_date(text, today, past=True) == expected


@pytest.mark.parametrize(
    ("text", "expected", "expected_past"),
    [
        ("mon", D(2026, 11, 30), D(2026, 11, 23)),
        ("monday", D(2026, 11, 30), D(2026, 11, 23)),
        ("tue", D(2026, 12, 1), D(2026, 11, 17)),
        ("tues", D(2026, 12, 1), D(2026, 11, 17)),
        ("Tuesday", D(2026, 12, 1), D(2026, 11, 17)),
        ("wed", D(2026, 11, 25), D(2026, 11, 18)),
        ("wednesday", D(2026, 11, 25), D(2026, 11, 18)),
        ("thu", D(2026, 11, 26), D(2026, 11, 19)),
        ("thur", D(2026, 11, 26), D(2026, 11, 19)),
        ("thurs", D(2026, 11, 26), D(2026, 11, 19)),
        ("thursday", D(2026, 11, 26), D(2026, 11, 19)),
        ("fri", D(2026, 11, 27), D(2026, 11, 20)),
        ("FRIDAY", D(2026, 11, 27), D(2026, 11, 20)),
        ("sat", D(2026, 11, 28), D(2026, 11, 21)),
        ("saturday", D(2026, 11, 28), D(2026, 11, 21)),
        ("sun", D(2026, 11, 29), D(2026, 11, 22)),
        ("sunday", D(2026, 11, 29), D(2026, 11, 22)),
        ("next fri", D(2026, 11, 27), D(2026, 11, 27)),
        ("last fri", D(2026, 11, 20), D(2026, 11, 20)),
    ],
)
def test_weekdays(text, expected, expected_past):
    assert parse_date(text, TUE) == expected
    assert parse_date(text, TUE, past=True) == expected_past


@pytest.mark.parametrize("today", [TUE + dt.timedelta(days=i) for i in range(7)])
@pytest.mark.parametrize("name", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
def test_weekday_is_never_today(today, name):
    ahead = parse_date(name, today)
    back = parse_date(name, today, past=True)
    assert 1 <= (ahead - today).days <= 7
    assert 1 <= (today - back).days <= 7
    assert (
        ahead.weekday()
        == back.weekday()
        == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].index(name)
    )


def test_weekday_across_year_end():
    assert parse_date("fri", D(2026, 12, 30)) == D(2027, 1, 1)
    assert parse_date("wed", D(2027, 1, 1), past=True) == D(2026, 12, 30)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("next week", TUE, D(2026, 11, 30)),
        ("next week", D(2026, 11, 30), D(2026, 12, 7)),  # a Monday: never today
        ("next week", D(2026, 11, 29), D(2026, 11, 30)),  # a Sunday
        ("next week", D(2026, 12, 30), D(2027, 1, 4)),
        ("next month", TUE, D(2026, 12, 1)),
        ("next month", D(2026, 12, 1), D(2027, 1, 1)),
        ("next month", D(2027, 1, 31), D(2027, 2, 1)),
        ("last week", TUE, D(2026, 11, 16)),
        ("last week", D(2026, 11, 23), D(2026, 11, 16)),
        ("last week", D(2027, 1, 1), D(2026, 12, 21)),
        ("last month", TUE, D(2026, 10, 1)),
        ("last month", D(2027, 1, 15), D(2026, 12, 1)),
    ],
)
def test_next_and_last_week_and_month(text, today, expected):
    assert parse_date(text, today) == expected
    assert parse_date(text, today, past=True) == expected


# --- parse_date: relative amounts --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "expected_past"),
    [
        ("+3d", D(2026, 11, 27), D(2026, 11, 27)),  # an explicit + always looks ahead
        ("3d", D(2026, 11, 27), D(2026, 11, 21)),
        ("0d", TUE, TUE),
        ("3 d", D(2026, 11, 27), D(2026, 11, 21)),
        ("1 day", D(2026, 11, 25), D(2026, 11, 23)),
        ("3 days", D(2026, 11, 27), D(2026, 11, 21)),
        ("2w", D(2026, 12, 8), D(2026, 11, 10)),
        ("2wk", D(2026, 12, 8), D(2026, 11, 10)),
        ("2 week", D(2026, 12, 8), D(2026, 11, 10)),
        ("2 weeks", D(2026, 12, 8), D(2026, 11, 10)),
        ("1m", D(2026, 12, 24), D(2026, 10, 24)),
        ("3m", D(2027, 2, 24), D(2026, 8, 24)),
        ("1mo", D(2026, 12, 24), D(2026, 10, 24)),
        ("1 month", D(2026, 12, 24), D(2026, 10, 24)),
        ("2 months", D(2027, 1, 24), D(2026, 9, 24)),
        ("1y", D(2027, 11, 24), D(2025, 11, 24)),
        ("1yr", D(2027, 11, 24), D(2025, 11, 24)),
        ("1 year", D(2027, 11, 24), D(2025, 11, 24)),
        ("2 years", D(2028, 11, 24), D(2024, 11, 24)),
        ("in 3 days", D(2026, 11, 27), D(2026, 11, 27)),  # "in" always looks ahead
        ("in 2 weeks", D(2026, 12, 8), D(2026, 12, 8)),
        ("in 1 month", D(2026, 12, 24), D(2026, 12, 24)),
        ("in 1 year", D(2027, 11, 24), D(2027, 11, 24)),
        ("in 3d", D(2026, 11, 27), D(2026, 11, 27)),
        ("in a week", D(2026, 12, 1), D(2026, 12, 1)),
        ("-3d", D(2026, 11, 21), D(2026, 11, 21)),  # "-" always looks back
        ("-2w", D(2026, 11, 10), D(2026, 11, 10)),
        ("3 days ago", D(2026, 11, 21), D(2026, 11, 21)),  # "ago" always looks back
        ("2w ago", D(2026, 11, 10), D(2026, 11, 10)),
        ("a month ago", D(2026, 10, 24), D(2026, 10, 24)),
        ("  +3D  ", D(2026, 11, 27), D(2026, 11, 27)),
    ],
)
def test_relative_amounts(text, expected, expected_past):
    assert parse_date(text, TUE) == expected
    assert parse_date(text, TUE, past=True) == expected_past


@pytest.mark.parametrize(
    ("text", "today", "past", "expected"),
    [
        ("1m", D(2027, 1, 31), False, D(2027, 2, 28)),
        ("1m", D(2028, 1, 31), False, D(2028, 2, 29)),
        ("1m", D(2026, 3, 31), False, D(2026, 4, 30)),
        ("1m", D(2026, 3, 31), True, D(2026, 2, 28)),
        ("3m", D(2026, 5, 31), True, D(2026, 2, 28)),
        ("1y", D(2028, 2, 29), False, D(2029, 2, 28)),
        ("1y", D(2028, 2, 29), True, D(2027, 2, 28)),
        ("4y", D(2028, 2, 29), False, D(2032, 2, 29)),
        ("+1d", D(2026, 12, 31), False, D(2027, 1, 1)),
        ("1m", D(2026, 12, 15), False, D(2027, 1, 15)),
    ],
)
def test_calendar_edges(text, today, past, expected):
    assert parse_date(text, today, past=past) == expected


# --- parse_date: calendar dates ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "expected_past"),
    [
        ("2026-12-01", D(2026, 12, 1), D(2026, 12, 1)),
        ("2026-12-1", D(2026, 12, 1), D(2026, 12, 1)),
        ("2020-02-29", D(2020, 2, 29), D(2020, 2, 29)),
        ("1 dec", D(2026, 12, 1), D(2025, 12, 1)),
        ("dec 1", D(2026, 12, 1), D(2025, 12, 1)),
        ("1 december", D(2026, 12, 1), D(2025, 12, 1)),
        ("December 1", D(2026, 12, 1), D(2025, 12, 1)),
        ("1st dec", D(2026, 12, 1), D(2025, 12, 1)),
        ("dec. 1", D(2026, 12, 1), D(2025, 12, 1)),
        ("1 dec 2027", D(2027, 12, 1), D(2027, 12, 1)),
        ("dec 1 2027", D(2027, 12, 1), D(2027, 12, 1)),
        ("dec 1, 2027", D(2027, 12, 1), D(2027, 12, 1)),
        ("1 dec 2020", D(2020, 12, 1), D(2020, 12, 1)),
        ("24 nov", TUE, TUE),  # on or after today / on or before today
        ("23 nov", D(2027, 11, 23), D(2026, 11, 23)),
        ("25 nov", D(2026, 11, 25), D(2025, 11, 25)),
        ("3 sept", D(2027, 9, 3), D(2026, 9, 3)),
        ("29 feb", D(2028, 2, 29), D(2024, 2, 29)),
        ("Fri 27 Nov", D(2026, 11, 27), None),  # looking back, 27 Nov is 2025: a Thursday
        ("fri, 27 nov 2026", D(2026, 11, 27), D(2026, 11, 27)),
        ("Fri 26 Nov 2027", D(2027, 11, 26), D(2027, 11, 26)),
    ],
)
def test_calendar_dates(text, expected, expected_past):
    assert parse_date(text, TUE) == expected
    if expected_past is None:
        with pytest.raises(DateParseError, match="Thursday, not a Friday"):
            parse_date(text, TUE, past=True)
    else:
        assert parse_date(text, TUE, past=True) == expected_past


@pytest.mark.parametrize(
    ("text", "today", "past", "expected"),
    [
        ("1 jan", D(2026, 12, 31), False, D(2027, 1, 1)),
        ("dec 1", D(2026, 12, 2), False, D(2027, 12, 1)),
        ("dec 1", D(2026, 12, 1), False, D(2026, 12, 1)),
        ("31 dec", D(2027, 1, 1), True, D(2026, 12, 31)),
        ("dec 1", D(2026, 11, 30), True, D(2025, 12, 1)),
        ("29 feb", D(2096, 3, 1), False, D(2104, 2, 29)),  # 2100 is not a leap year
    ],
)
def test_year_less_dates_at_year_end(text, today, past, expected):
    assert parse_date(text, today, past=past) == expected


# --- parse_date: errors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "try"),
        ("   ", "try"),
        ("blah", "try fri"),
        ("31 feb", "February"),
        ("30 february 2027", "February 2027"),
        ("29 feb 2027", "February 2027"),
        ("2026-13-01", "month 13"),
        ("2026-02-30", "February 2026"),
        ("2026-00-10", "month 0"),
        ("0000-01-01", "year 0"),
        ("0 dec", "December"),
        ("+99999999d", "too far"),
        ("99999999999999999999999999y", "too far"),
        ("mon 27 nov", "Friday, not a Monday"),
        ("in 3 days ago", "try"),
        ("+3d ago", "try"),
        ("in -3d", "try"),
        ("3 mon", "try"),
        ("ad", "try"),
        ("next tuesdayy", "try"),
        ("fri 9:15", "try"),
        ("dec 1 27", "try"),
        ("2026/12/01", "try"),
    ],
)
def test_errors_name_the_input(text, detail):
    with pytest.raises(DateParseError) as caught:
        parse_date(text, TUE)
    message = str(caught.value)
    assert f'"{text.strip()}"' in message
    assert detail in message


def test_error_is_a_value_error():
    assert issubclass(DateParseError, ValueError)


@pytest.mark.parametrize(
    ("text", "today"),
    [
        ("tomorrow", D.max),
        ("fri", D.max),
        ("next month", D.max),
        ("1 jan", D.max),
        ("yesterday", D.min),
        ("last week", D.min),
        ("1 dec", D(1, 1, 1) + dt.timedelta(days=1)),
        ("3m", D(1, 2, 1)),
    ],
)
def test_out_of_range_is_a_parse_error(text, today):
    with pytest.raises(DateParseError, match="too far"):
        parse_date(text, today, past=text in {"3m", "1 dec"})


def test_control_characters_are_not_echoed():
    with pytest.raises(DateParseError) as caught:
        parse_date("\x1b[2Jnope", TUE)
    assert "\x1b" not in str(caught.value)


def test_today_defaults_to_the_local_date():
    assert parse_date("today") == D.today()
    assert parse_date("tomorrow") == D.today() + dt.timedelta(days=1)


def test_datetime_as_today_is_read_as_its_date():
    assert parse_date("tomorrow", dt.datetime(2026, 11, 24, 23, 59)) == D(2026, 11, 25)


# --- format_short ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 11, 27), "Fri 27 Nov"),
        (D(2026, 1, 1), "Thu 1 Jan"),
        (D(2027, 11, 26), "Fri 26 Nov 2027"),
        (D(2025, 12, 31), "Wed 31 Dec 2025"),
    ],
)
def test_format_short(day, expected):
    assert format_short(day, today=TUE) == expected


def test_format_short_defaults_to_this_year():
    assert format_short(D.today()).count(" ") == 2
    assert format_short(D.today().replace(year=2001, day=1)).endswith(" 2001")


# --- parse_datetime ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T14:30", dt.datetime(2026, 11, 20, 14, 30)),
        ("2026-11-20 14:30", dt.datetime(2026, 11, 20, 14, 30)),
        ("2026-11-20t14:30:15", dt.datetime(2026, 11, 20, 14, 30, 15)),
        ("2026-11-20T14:30:15.25", dt.datetime(2026, 11, 20, 14, 30, 15, 250000)),
        ("2026-11-2T9:05", dt.datetime(2026, 11, 2, 9, 5)),
        ("yesterday", dt.datetime(2026, 11, 23, 12, 0)),
        ("today", dt.datetime(2026, 11, 24, 12, 0)),
        ("fri", dt.datetime(2026, 11, 20, 12, 0)),
        ("tue", dt.datetime(2026, 11, 17, 12, 0)),
        ("2d", dt.datetime(2026, 11, 22, 12, 0)),
        ("1 dec", dt.datetime(2025, 12, 1, 12, 0)),
        ("2026-11-01", dt.datetime(2026, 11, 1, 12, 0)),
        ("yesterday 14:30", dt.datetime(2026, 11, 23, 14, 30)),
        ("yesterday at 14:30", dt.datetime(2026, 11, 23, 14, 30)),
        ("mon 9:15", dt.datetime(2026, 11, 23, 9, 15)),
        ("fri 2:30pm", dt.datetime(2026, 11, 20, 14, 30)),
        ("2d 08:00", dt.datetime(2026, 11, 22, 8, 0)),
        ("nov 20 9am", dt.datetime(2026, 11, 20, 9, 0)),
        ("14:30", dt.datetime(2026, 11, 24, 14, 30)),
        ("at 9am", dt.datetime(2026, 11, 24, 9, 0)),
        ("12am", dt.datetime(2026, 11, 24, 0, 0)),
        ("12pm", dt.datetime(2026, 11, 24, 12, 0)),
    ],
)
def test_parse_datetime_local_forms(local_tz, text, expected):
    local_tz("UTC")
    result = parse_datetime(text, NOW)
    assert result.tzinfo is not None
    assert result == expected.replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T14:30Z", dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC)),
        (
            "2026-11-20T14:30:00+01:00",
            dt.datetime(2026, 11, 20, 13, 30, tzinfo=dt.UTC),
        ),
        ("2026-11-20 14:30-0530", dt.datetime(2026, 11, 20, 20, 0, tzinfo=dt.UTC)),
        ("2026-11-20T14:30+02", dt.datetime(2026, 11, 20, 12, 30, tzinfo=dt.UTC)),
    ],
)
def test_parse_datetime_with_offset(berlin, text, expected):
    result = parse_datetime(text, NOW)
    assert result == expected
    assert result.utcoffset() is not None


def test_parse_datetime_now():
    assert parse_datetime("now", NOW) == NOW
    assert parse_datetime(" NOW ", NOW) == NOW


def test_parse_datetime_now_defaults_to_current_time():
    before = dt.datetime.now(dt.UTC)
    result = parse_datetime("now")
    assert result.tzinfo is not None
    assert before <= result <= dt.datetime.now(dt.UTC)


def test_naive_iso_is_local_time(berlin):
    assert parse_datetime("2026-11-20T14:30", NOW) == dt.datetime(
        2026, 11, 20, 14, 30, tzinfo=berlin
    )
    assert parse_datetime("2026-07-20T14:30", NOW).utcoffset() == dt.timedelta(hours=2)


def test_relative_day_uses_the_local_date_of_now(berlin):
    late_utc = dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC)  # already 25 Nov in Berlin
    assert parse_datetime("yesterday", late_utc) == dt.datetime(2026, 11, 24, 12, tzinfo=berlin)


@pytest.mark.parametrize(
    ("now", "text", "expected", "offset_hours"),
    [
        # Spring forward: 2026-03-29 02:00 CET -> 03:00 CEST.
        (dt.datetime(2026, 3, 30, 9, 0), "yesterday 14:30", dt.datetime(2026, 3, 29, 14, 30), 2),
        (dt.datetime(2026, 3, 29, 12, 0), "yesterday 14:30", dt.datetime(2026, 3, 28, 14, 30), 1),
        (dt.datetime(2026, 3, 30, 9, 0), "yesterday", dt.datetime(2026, 3, 29, 12, 0), 2),
        (dt.datetime(2026, 3, 30, 9, 0), "yesterday 1:30", dt.datetime(2026, 3, 29, 1, 30), 1),
        # Fall back: 2026-10-25 03:00 CEST -> 02:00 CET.
        (dt.datetime(2026, 10, 26, 9, 0), "yesterday 14:30", dt.datetime(2026, 10, 25, 14, 30), 1),
        (dt.datetime(2026, 10, 25, 12, 0), "yesterday 14:30", dt.datetime(2026, 10, 24, 14, 30), 2),
        (dt.datetime(2026, 10, 26, 9, 0), "yesterday 1:30", dt.datetime(2026, 10, 25, 1, 30), 2),
        (dt.datetime(2026, 10, 27, 9, 0), "sun 14:30", dt.datetime(2026, 10, 25, 14, 30), 1),
    ],
)
def test_parse_datetime_across_dst(berlin, now, text, expected, offset_hours):
    result = parse_datetime(text, now.replace(tzinfo=berlin))
    assert result == expected.replace(tzinfo=berlin)
    assert result.utcoffset() == dt.timedelta(hours=offset_hours)
    assert result.replace(tzinfo=None) == expected  # the wall clock time asked for


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "try now"),
        ("blah", "try now"),
        ("blah 14:30", "try now"),
        ("25:00", "not a time"),
        ("yesterday 9:75", "not a time"),
        ("yesterday 13pm", "not a time"),
        ("2026-11-20T24:00", "not a time"),
        ("2026-02-30T10:00", "February 2026"),
        ("2026-11-20T14:30+25:00", "offset"),
        ("31 feb 10:00", "February"),
        ("+99999999d", "too far"),
    ],
)
def test_parse_datetime_errors(text, detail):
    with pytest.raises(DateParseError) as caught:
        parse_datetime(text, NOW)
    assert f'"{text}"' in str(caught.value)
    assert detail in str(caught.value)


def test_parse_datetime_out_of_range():
    with pytest.raises(DateParseError, match="too far"):
        parse_datetime("yesterday", dt.datetime(1, 1, 1, 12, tzinfo=dt.UTC))


# --- import cost ---------------------------------------------------------------------


def test_module_import_does_not_load_pendulum():
    code = "import sys, tempcheck.domain.dates; print('pendulum' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"


# --- properties ----------------------------------------------------------------------

_TOKENS = [
    "+", "-", "in", "ago", "a", "an", "at", "next", "last", ",", ".", "0", "1", "29", "31",
    "99999999", "2027", "0000", "9999-12-31", "0001-01-01", "2026-02-30", "d", "w", "m", "y",
    "days", "weeks", "month", "years", "jan", "feb", "dec", "sept", "fri", "mon", "tues",
    "today", "tomorrow", "yesterday", "week", "now", "14:30", "9am", "12pm", "1st", "z",
    "2026-11-20t14:30", "+01:00", "\x00", "\u00e9", "\U0001f600", "\u0663", "\u212a",
]  # fmt: skip
token_soup = st.lists(st.sampled_from(_TOKENS), max_size=5).map(" ".join) | st.lists(
    st.sampled_from(_TOKENS), max_size=4
).map("".join)
any_text = st.text() | token_soup


@PROPERTY
@given(text=any_text, today=st.dates(), past=st.booleans())
def test_parse_date_returns_a_date_or_raises_parse_error(text, today, past):
    try:
        result = parse_date(text, today, past=past)
    except DateParseError as exc:
        assert str(exc)
    else:
        assert type(result) is dt.date


@PROPERTY
@given(
    text=any_text,
    now=st.datetimes(timezones=st.sampled_from([dt.UTC, BERLIN, ZoneInfo("Pacific/Kiritimati")])),
)
def test_parse_datetime_returns_aware_or_raises_parse_error(text, now):
    try:
        result = parse_datetime(text, now)
    except DateParseError as exc:
        assert str(exc)
    else:
        assert isinstance(result, dt.datetime)
        assert result.utcoffset() is not None


@PROPERTY
@given(
    n=st.integers(0, 3650),
    unit=st.sampled_from(["d", "w"]),
    today=st.dates(D(1900, 1, 1), D(2100, 1, 1)),
)
def test_plus_amount_adds_days_or_weeks(n, unit, today):
    days = n if unit == "d" else 7 * n
    assert parse_date(f"+{n}{unit}", today) == today + dt.timedelta(days=days)
    assert parse_date(f"in {n} {unit}", today) == today + dt.timedelta(days=days)
    assert parse_date(f"{n}{unit}", today, past=True) == today - dt.timedelta(days=days)
    assert parse_date(f"-{n}{unit}", today) == today - dt.timedelta(days=days)


@PROPERTY
@given(day=st.dates(), today=st.dates())
def test_iso_round_trip(day, today):
    assert parse_date(day.isoformat(), today) == day
    assert parse_date(day.isoformat(), today, past=True) == day


@PROPERTY
@given(day=st.dates(D(1000, 1, 1), D(9999, 12, 31)), today=st.dates(D(1000, 1, 1), D(9999, 1, 1)))
def test_format_short_round_trips(day, today):
    shown = format_short(day, today=today)
    past = day < today  # without a year, "27 Nov" is read forwards (or backwards if past)
    assert parse_date(shown[4:], today, past=past) == day
    assert parse_date(shown, today, past=past) == day


def test_the_shared_date_formats_spell_every_date_alike(local_tz) -> None:
    """One set of formats for every screen, report and command (literal expectations)."""
    from datetime import UTC, date, datetime

    local_tz("UTC")

    from tempcheck.domain.dates import day_month, format_short, iso_day, stamp

    assert format_short(date(2026, 11, 27), today=date(2026, 1, 1)) == "Fri 27 Nov"
    assert format_short(date(2025, 11, 27), today=date(2026, 1, 1)) == "Thu 27 Nov 2025"
    assert format_short(date(2026, 3, 5), year=True) == "Thu 5 Mar 2026"
    assert day_month(date(2026, 11, 21), today=date(2026, 1, 1)) == "21 Nov"
    assert day_month(date(2025, 11, 21), today=date(2026, 1, 1)) == "21 Nov 2025"
    assert day_month(date(2026, 11, 21), year=True) == "21 Nov 2026"
    assert day_month(date(2025, 3, 2), year=False) == "2 Mar"
    assert stamp(datetime(2026, 1, 2, 3, 4, tzinfo=UTC)) == "2026-01-02 03:04"
    # The year keeps four digits, even where strftime("%Y") would drop them.
    assert stamp(datetime(500, 6, 1, 12, 0, tzinfo=UTC)) == "0500-06-01 12:00"
    assert iso_day(datetime(500, 6, 1, 12, 0, tzinfo=UTC)) == "0500-06-01"
