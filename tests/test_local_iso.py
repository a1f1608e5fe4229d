"""``clock.local_iso``: the fast local ISO-8601 text listings use, against literal values
and against ``local().isoformat()`` in zones with DST, half hours and odd historic offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tempcheck.domain import clock


@pytest.mark.parametrize(
    ("name", "moment", "expected"),
    [
        ("UTC", datetime(2026, 1, 2, 3, 4, 5, 999_999, tzinfo=UTC), "2026-01-02T03:04:05+00:00"),
        (
            "Europe/Berlin",
            datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),
            "2026-03-29T01:59:59+01:00",
        ),
        ("Europe/Berlin", datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC), "2026-03-29T03:00:00+02:00"),
        ("Asia/Kolkata", datetime(2026, 6, 1, 12, 0, tzinfo=UTC), "2026-06-01T17:30:00+05:30"),
        ("America/St_Johns", datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "2025-12-31T20:30:00-03:30"),
        (
            "Europe/Amsterdam",
            datetime(1900, 1, 1, 12, 0, tzinfo=UTC),
            "1900-01-01T12:19:32+00:19:32",
        ),
    ],
)
def test_local_iso_is_these_characters(
    local_tz, name: str, moment: datetime, expected: str
) -> None:
    local_tz(name)
    assert clock.local_iso(moment) == expected


@pytest.mark.parametrize(
    "name", ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]
)
def test_local_iso_agrees_with_local_isoformat_hour_by_hour(local_tz, name: str) -> None:
    local_tz(name)
    start = datetime(2025, 1, 1, 0, 0, 30, 500_000, tzinfo=UTC)
    for hour in range(0, 24 * 366, 7):
        moment = start + timedelta(hours=hour)
        assert clock.local_iso(moment) == clock.local(moment).isoformat(timespec="seconds")
