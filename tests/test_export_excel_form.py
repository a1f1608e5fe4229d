"""``--excel`` CSV: local date-times a spreadsheet reads as dates, each with its UTC
offset in the next column; import reads that form as well as ISO-8601."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tempcheck.exchange import export
from tempcheck.exchange.importing import parse_moment
from tempcheck.store import sample as demo
from tempcheck.store.checkins import add_checkin
from tempcheck.store.customers import add_customer


@pytest.fixture
def berlin(local_tz) -> None:
    local_tz("Europe/Berlin")


def table(text: str) -> list[dict[str, str]]:
    header, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_each_time_has_its_offset_across_dst(conn: sqlite3.Connection, run_tc, berlin) -> None:
    acme = add_customer(conn, "Acme", created_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    add_checkin(conn, acme.id, 4, at=datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC))  # +01:00
    add_checkin(conn, acme.id, 2, at=datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC))  # +02:00
    result = run_tc("export", "checkins", "--excel")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("\ufeffcustomer,at,at_offset,temperature,")
    rows = table(result.stdout)
    assert [(r["at"], r["at_offset"], r["temperature"]) for r in rows] == [
        ("2026-03-29 01:59:59", "UTC+01:00", "4"),
        ("2026-03-29 03:00:00", "UTC+02:00", "2"),
    ]
    customers = table(run_tc("export", "customers", "--excel").stdout)
    assert customers[0]["created_at"] == "2026-03-29 01:30:00"
    assert customers[0]["created_at_offset"] == "UTC+01:00"
    assert customers[0]["last_contact"] == "2026-03-29 03:00:00"
    assert customers[0]["last_contact_offset"] == "UTC+02:00"
    dashboard = table(run_tc("export", "dashboard", "--excel").stdout)
    assert (dashboard[0]["last_contact"], dashboard[0]["last_contact_offset"]) == (
        "2026-03-29 03:00:00",
        "UTC+02:00",
    )
    plain = table(run_tc("export", "checkins").stdout)
    assert [r["at"] for r in plain] == ["2026-03-29T01:59:59+01:00", "2026-03-29T03:00:00+02:00"]
    assert "at_offset" not in plain[0]


@pytest.mark.parametrize("kind", ["checkins", "customers", "issues", "promises", "followups"])
def test_every_time_column_is_followed_by_its_offset(kind: str) -> None:
    names = export.header(kind, "excel")
    for name in export.HEADERS[kind]:
        if name in export.TIME_COLUMNS:
            assert names[names.index(name) + 1] == f"{name}_offset"
    assert len(names) > len(export.HEADERS[kind])


def test_every_kind_has_as_many_cells_as_header_columns(conn, run_tc, berlin) -> None:
    demo.write_sample(conn)
    for kind in ("dashboard", "checkins", "customers", "issues", "promises", "followups"):
        result = run_tc("export", kind, "--excel")
        assert result.exit_code == 0, result.output
        rows = table(result.stdout)
        assert rows, kind  # zip(strict=True) checked every row's width


def test_excel_files_import_back_to_the_same_moments(conn, run_tc, tmp_path, berlin) -> None:
    demo.write_sample(conn)
    odd = add_customer(conn, "=Zürich 日本 🎉", contact="@dana").id
    add_checkin(conn, odd, 1, note="=1+1", at=datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    add_checkin(conn, odd, 2, note="+x", at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    iso = {kind: run_tc("export", kind).stdout_bytes for kind in ("customers", "checkins")}
    for kind in ("customers", "checkins"):
        path = tmp_path / f"{kind}.csv"
        assert run_tc("export", kind, "--excel", "-o", str(path)).exit_code == 0
    fresh = tmp_path / "fresh.db"
    for kind in ("customers", "checkins"):
        result = run_tc("import", kind, str(tmp_path / f"{kind}.csv"), db=fresh)
        assert result.exit_code == 0, result.output
        assert "ignoring" not in result.output  # every column was understood
    for kind in ("customers", "checkins"):
        assert run_tc("export", kind, db=fresh).stdout_bytes == iso[kind], kind


def test_parse_moment_reads_both_forms(berlin) -> None:
    expected = datetime(2026, 5, 31, 21, 13, 34, tzinfo=UTC)
    assert parse_moment("2026-05-31T23:13:34+02:00") == expected
    assert parse_moment("2026-05-31 23:13:34", "UTC+02:00") == expected
    assert parse_moment("2026-05-31 23:13:34", "+0200") == expected
    assert parse_moment("2026-05-31 21:13:34", "UTC") == expected
    assert parse_moment("2026-05-31 21:13:34", "Z") == expected
    assert parse_moment("2026-05-31 23:13:34") == expected  # no offset: local time
    assert parse_moment("2026-05-31 18:43:34", "UTC-02:30") == expected
    moment = parse_moment("2026-05-31 23:13:34", "UTC+05:30")
    assert moment.utcoffset() == timedelta(hours=5, minutes=30)
    assert moment.tzinfo == timezone(timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        ("2026-05-31T23:13:34+02:00", "UTC+01:00", "does not have the offset"),
        ("2026-05-31 23:13:34", "two hours", "is not like UTC+01:00"),
        ("2026-05-31 23:13:34", "UTC+25:00", "is not like UTC+01:00"),
        ("31/05/2026 23:13", "UTC+02:00", "expected a time like"),
    ],
)
def test_parse_moment_refuses_what_does_not_fit(text: str, offset: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_moment(text, offset)


def test_a_bad_offset_is_reported_with_its_line(conn, run_tc, tmp_path) -> None:
    add_customer(conn, "Acme")
    path = tmp_path / "in.csv"
    path.write_text(
        "customer,at,at_offset,temperature\n"
        "Acme,2026-05-31 23:13:34,UTC+02:00,4\n"
        "Acme,2026-05-31 23:13:34,soon,4\n",
        encoding="utf-8",
    )
    result = run_tc("import", "checkins", str(path))
    assert result.exit_code != 0
    assert "in.csv:3: at: the offset 'soon' is not like UTC+01:00" in result.output
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0
