"""``tempcheck export``: columns, local times with the right offset across DST, formula
neutralisation on every text column, filters, files created 0600, and export → import →
export giving the same file."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tempcheck.domain import clock
from tempcheck.exchange import export
from tempcheck.store import open_db
from tempcheck.store import sample as demo
from tempcheck.store.checkins import add_checkin
from tempcheck.store.customers import add_customer


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def exported(conn: sqlite3.Connection, kind: str, **options) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    export.write_export(conn, kind, out, **options)
    header, *rows = rows_of(out.getvalue())
    return [dict(zip(header, row, strict=True)) for row in rows]


def one_line_error(result) -> str:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.startswith("tempcheck: ") and result.stderr.count("\n") == 1
    return result.stderr


# --- the API the dashboard dialog uses -------------------------------------------------------


def test_kinds_and_default_file_names() -> None:
    assert list(export.KINDS) == [
        "dashboard",
        "checkins",
        "customers",
        "contacts",
        "issues",
        "promises",
        "followups",
        "review",
        "ics",
    ]
    assert all(kind.description for kind in export.KINDS.values())
    day = date(2026, 11, 24)
    assert export.default_filename("checkins", day) == "tempcheck-checkins-2026-11-24.csv"
    assert export.default_filename("ics", day) == "tempcheck-ics-2026-11-24.ics"
    assert export.KINDS["checkins"].count(1) == "1 check-in"
    assert export.KINDS["checkins"].count(3) == "3 check-ins"


def test_checkin_columns(conn: sqlite3.Connection, local_tz) -> None:
    local_tz("Europe/Berlin")
    acme = add_customer(conn, "Acme Corp")
    at = datetime(2026, 11, 24, 13, 5, 0, 123456, tzinfo=UTC)
    saved = add_checkin(
        conn,
        acme.id,
        2,
        note="late again",
        channel="call",
        initiated_by="them",
        at=at,
        fell_short="report",
        follow_up=date(2026, 12, 1),
    )
    (row,) = exported(conn, "checkins")
    assert row == {
        "customer": "Acme Corp",
        "at": "2026-11-24T14:05:00+01:00",
        "temperature": "2",
        "temperature_word": "uneasy",
        "channel": "call",
        "initiated_by": "them",
        "note": "late again",
        "fell_short": "report",
        "follow_up": "2026-12-01",
        "person": "",
        "issue_uid": "",
        "uid": saved.uid,
    }


@pytest.mark.parametrize(
    "name",
    [
        "Europe/Berlin",
        "America/New_York",
        "America/St_Johns",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "UTC",
    ],
)
def test_every_row_has_its_own_offset_across_dst(conn: sqlite3.Connection, local_tz, name) -> None:
    """A year of check-ins every 7 h 13 min: each `at` equals Python's local ISO time."""
    local_tz(name)
    cid = add_customer(conn, "Acme").id
    start = datetime(2025, 12, 20, 0, 59, 59, 999_999, tzinfo=UTC)
    moments = [start + timedelta(minutes=433 * n) for n in range(1300)]
    conn.executemany(
        "INSERT INTO checkins (customer_id, at, temperature, created_at) VALUES (?, ?, 3, ?)",
        [(cid, clock.to_stored(m), clock.to_stored(m)) for m in moments],
    )
    rows = exported(conn, "checkins")
    expected = [clock.local(m).isoformat(timespec="seconds") for m in moments]
    assert [row["at"] for row in rows] == expected
    if name not in ("UTC", "Asia/Kathmandu"):
        assert len({row["at"][19:] for row in rows}) == 2  # both offsets show up


def test_offsets_at_the_exact_transition(local_tz) -> None:
    local_tz("Europe/Berlin")
    spring = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 CET becomes 03:00 CEST
    found = export.local_zone(spring - timedelta(days=2), spring + timedelta(days=2))
    assert found.segments == ((None, 3600), ("2026-03-29T01:00:00.000000Z", 7200))
    assert export.offset_text(-(3 * 3600 + 1800)) == "-03:30"
    assert export.offset_text(3208) == "+00:53:28"


def test_filters_since_until_and_customer(conn: sqlite3.Connection, run_tc) -> None:
    acme, globex = add_customer(conn, "Acme"), add_customer(conn, "Globex")
    now = clock.now()
    for days, cid in [(200, acme.id), (60, acme.id), (10, globex.id), (1, acme.id)]:
        add_checkin(conn, cid, 4, note=f"{days} days ago", at=now - timedelta(days=days))
    notes = lambda result: [row[6] for row in rows_of(result.stdout)[1:]]  # noqa: E731
    assert notes(run_tc("export", "checkins", "--since", "3m")) == [
        "60 days ago",
        "10 days ago",
        "1 days ago",
    ]
    until = (clock.local(now) - timedelta(days=5)).date().isoformat()
    result = run_tc("export", "checkins", "--since", "3m", "--until", until)
    assert notes(result) == ["60 days ago", "10 days ago"]
    result = run_tc("export", "checkins", "--customer", "acme", "--since", "1y")
    assert notes(result) == ["200 days ago", "60 days ago", "1 days ago"]


def test_empty_ranges_give_the_header_only(conn: sqlite3.Connection, run_tc) -> None:
    for kind in ("checkins", "issues", "promises", "followups"):
        result = run_tc("export", kind, "--since", "2001-01-01", "--until", "2001-01-31")
        assert result.exit_code == 0, result.output
        assert rows_of(result.stdout) == [list(export.HEADERS[kind])]
    result = run_tc("export", "dashboard")
    assert rows_of(result.stdout) == [export.dashboard_header()]


# --- formula neutralisation, quoting, non-ASCII ------------------------------------------------

FORMULAS = ['=HYPERLINK("x")', "+49 30", "-2 days", "@SUM(A1)", "\tindent", "\rreturn"]


def _hostile(conn: sqlite3.Connection) -> None:
    """A customer and one row of every kind whose every text column starts a formula."""
    now = clock.to_stored(clock.now())
    today = clock.today().isoformat()
    cid = conn.execute(
        "INSERT INTO customers (name, name_key, contact, notes, created_at)"
        " VALUES ('=cmd|calc', '=cmd|calc', '+49 30 123', '@notes', ?)",
        (now,),
    ).lastrowid
    checkin = conn.execute(
        "INSERT INTO checkins (customer_id, at, temperature, note, fell_short, created_at)"
        " VALUES (?, ?, 1, '-1+1', '\tshort', ?)",
        (cid, now, now),
    ).lastrowid
    issue = conn.execute(
        "INSERT INTO issues (customer_id, title, detail, opened_at) VALUES (?, '=title', ?, ?)",
        (cid, "\rdetail", now),
    ).lastrowid
    conn.execute(
        "INSERT INTO issue_closures (issue_id, closed_at, resolution) VALUES (?, ?, '@fixed')",
        (issue, now),
    )
    promise = conn.execute(
        "INSERT INTO promises (customer_id, text, due, made_at) VALUES (?, '+promise', ?, ?)",
        (cid, today, now),
    ).lastrowid
    conn.execute(
        "INSERT INTO promise_settlements (promise_id, settled_at, settled_on, outcome, note)"
        " VALUES (?, ?, ?, 'broken', '-sorry')",
        (promise, now, today),
    )
    conn.execute(
        "INSERT INTO followups (customer_id, due, note, created_at, checkin_id)"
        " VALUES (?, ?, '=follow', ?, ?)",
        (cid, today, now, checkin),
    )


TEXT_COLUMNS = {
    "checkins": ["customer", "note", "fell_short"],
    "customers": ["name", "contact", "notes"],
    "issues": ["customer", "title", "detail", "resolution"],
    "promises": ["customer", "text", "settlement_note"],
    "followups": ["customer", "note"],
    "dashboard": ["name", "contact"],
}
NUMBER_COLUMNS = {
    "checkins": ["temperature"],
    "customers": ["cadence_days", "last_temperature"],
    "dashboard": ["cadence_days", "last_temperature", "open_issues"],
}


@pytest.mark.parametrize("kind", list(TEXT_COLUMNS))
def test_every_text_column_is_neutralised(conn: sqlite3.Connection, kind: str) -> None:
    _hostile(conn)
    (row,) = exported(conn, kind)
    for column in TEXT_COLUMNS[kind]:
        assert row[column].startswith("'"), (column, row[column])
        assert row[column][1] in "=+-@\t\r", (column, row[column])
    for column in NUMBER_COLUMNS.get(kind, []):
        assert row[column].lstrip("-").isdigit(), (column, row[column])


def test_negative_numbers_stay_numbers(conn: sqlite3.Connection) -> None:
    demo.write_sample(conn)
    trust = [row["trust_change_30d"] for row in exported(conn, "dashboard")]
    assert any(value.startswith("-") for value in trust)
    assert all(value.lstrip("-").isdigit() for value in trust)


def test_non_ascii_commas_quotes_and_newlines_survive(conn: sqlite3.Connection) -> None:
    names = ["Müller GmbH", "日本商事", "Party 🎉 Ltd"]
    notes = ['said "fine, thanks"\nthen left', "a,b,c", "crlf\r\nline", "lone\rcr"]
    for name in names:
        cid = add_customer(conn, name).id
        for note in notes:
            add_checkin(conn, cid, 3, note=note)
    rows = exported(conn, "checkins")
    assert sorted({row["customer"] for row in rows}) == sorted(names)
    assert sorted(row["note"] for row in rows) == sorted(notes * 3)


# --- files, stdout, errors ---------------------------------------------------------------------


def test_output_file_is_private_and_never_silently_overwritten(
    conn: sqlite3.Connection, run_tc, tmp_path: Path
) -> None:
    demo.write_sample(conn)
    count = conn.execute("SELECT count(*) FROM checkins").fetchone()[0]
    target = tmp_path / "review.csv"
    result = run_tc("export", "checkins", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"Wrote {count} check-ins to {target}\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert len(rows_of(target.read_text(encoding="utf-8"))) == count + 1

    target.write_text("keep me")
    assert "already exists" in one_line_error(run_tc("export", "issues", "-o", str(target)))
    assert target.read_text() == "keep me"
    target.chmod(0o644)
    result = run_tc("export", "issues", "-o", str(target), "--force")
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("customer,title,")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".review")] == []


def test_export_to_path_for_the_dialog(conn: sqlite3.Connection, tmp_path: Path) -> None:
    demo.write_sample(conn)
    target = tmp_path / export.default_filename("customers")
    assert export.export_to_path(conn, "customers", target) == 25
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(export.StoreError, match="already exists"):
        export.export_to_path(conn, "customers", target)
    with pytest.raises(export.StoreError, match="does not exist"):
        export.export_to_path(conn, "customers", tmp_path / "missing" / "x.csv")


def test_excel_flag_writes_bom_and_crlf(conn: sqlite3.Connection, run_tc) -> None:
    cid = add_customer(conn, "Müller").id
    add_checkin(conn, cid, 5, note="two\nlines")
    data = run_tc("export", "checkins", "--excel").stdout_bytes
    assert data.startswith(b"\xef\xbb\xbfcustomer,at,")
    assert data.count(b"\r\n") == 2 and data.endswith(b"\r\n")
    assert b'"two\nlines"' in data
    plain = run_tc("export", "checkins").stdout_bytes
    assert not plain.startswith(b"\xef\xbb\xbf") and b"\r" not in plain


def test_bad_options_fail_with_one_line(conn: sqlite3.Connection, run_tc) -> None:
    add_customer(conn, "Acme")
    assert "no date range" in one_line_error(run_tc("export", "customers", "--since", "3m"))
    assert "ends" in one_line_error(
        run_tc("export", "checkins", "--since", "2026-02-01", "--until", "2026-01-01")
    )
    one_line_error(run_tc("export", "checkins", "--since", "someday"))
    assert run_tc("export", "checkins", "--customer", "Nobody").exit_code == 2
    assert "--excel" in one_line_error(run_tc("export", "ics", "--excel"))


def test_ics_export(conn: sqlite3.Connection, run_tc, tmp_path: Path) -> None:
    pytest.importorskip("tempcheck.exchange.ical")
    demo.write_sample(conn)
    result = run_tc("export", "ics")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("BEGIN:VCALENDAR")
    target = tmp_path / "calendar.ics"
    result = run_tc("export", "ics", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "calendar event" in result.stderr


def test_dashboard_columns_start_with_list_csv(conn: sqlite3.Connection, run_tc) -> None:
    demo.write_sample(conn)
    listed = rows_of(run_tc("list", "--format", "csv").stdout)
    dashboard = rows_of(run_tc("export", "dashboard").stdout)
    width = len(listed[0])
    assert dashboard[0][:width] == listed[0]
    assert dashboard[0][width:] == list(export.DASHBOARD_EXTRA)
    assert [row[0] for row in dashboard] == [row[0] for row in listed]


# --- round trip -------------------------------------------------------------------------------


def test_export_import_export_gives_the_same_files(
    conn: sqlite3.Connection, run_tc, tmp_path: Path, local_tz
) -> None:
    local_tz("Europe/Berlin")
    demo.write_sample(conn)
    odd = add_customer(conn, "=Zürich 日本 🎉", notes="line one\nline, two", contact="@dana").id
    for note in ["=1+1", "'=quoted", '"quoted", and commas', "\ttab", "multi\r\nline"]:
        add_checkin(conn, odd, 1, note=note, fell_short="-late", channel="video")
    first = {kind: tmp_path / f"first-{kind}.csv" for kind in ("customers", "checkins")}
    for kind, path in first.items():
        assert run_tc("export", kind, "-o", str(path)).exit_code == 0

    fresh = tmp_path / "fresh.db"
    result = run_tc("import", "customers", str(first["customers"]), db=fresh)
    assert result.exit_code == 0, result.output
    result = run_tc("import", "checkins", str(first["checkins"]), db=fresh)
    assert result.exit_code == 0, result.output
    assert "already present" in result.stdout
    for kind, path in first.items():
        again = run_tc("export", kind, db=fresh)
        assert again.stdout_bytes == path.read_bytes(), kind
    imported = open_db(fresh)
    notes = {r[0] for r in imported.execute("SELECT note FROM checkins WHERE note LIKE '%1+1'")}
    assert notes == {"=1+1"}
    imported.close()


def test_stdout_on_a_terminal_shows_no_escape_sequences(conn: sqlite3.Connection, db_path) -> None:
    """Piped or redirected output is the exact data; a terminal gets control characters hidden."""
    import pty
    import subprocess
    import sys

    add_customer(conn, "Evil\x1b[2J\x1b]0;pwned\x07 Corp", notes="ok")
    command = [sys.executable, "-m", "tempcheck", "--db", str(db_path), "export", "customers"]
    piped = subprocess.run(command, capture_output=True, check=True).stdout
    assert b"Evil\x1b[2J\x1b]0;pwned\x07 Corp" in piped
    leader, follower = pty.openpty()
    try:
        subprocess.run(command, stdout=follower, check=True)
        shown = os.read(leader, 65536)
    finally:
        os.close(leader)
        os.close(follower)
    assert b"\x1b" not in shown and b"\x07" not in shown
    assert "Evil\ufffd[2J\ufffd]0;pwned\ufffd Corp".encode() in shown


def test_matching_narrows_every_table_kind_to_the_customers_whose_name_contains_it(conn):
    import io

    from tempcheck.exchange.export import write_export
    from tempcheck.store import sample as demo

    demo.write_sample(conn)
    wanted = {
        name for (name,) in conn.execute("SELECT name FROM customers") if "co" in name.casefold()
    }
    for kind, column in (("checkins", "customer"), ("customers", "name"), ("dashboard", "name")):
        stream = io.StringIO()
        write_export(conn, kind, stream, matching="CO")
        stream.seek(0)
        got = {row[column] for row in csv.DictReader(stream)}
        assert got and got <= wanted, kind
