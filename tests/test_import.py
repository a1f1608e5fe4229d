"""``tempcheck import``: headers matched loosely, every bad row reported by line, nothing
written unless everything is right, idempotent check-ins, --dry-run and --update."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tempcheck.domain import clock
from tempcheck.exchange.importing import (
    ImportFailed,
    import_checkins,
    import_customers,
    parse_cadence,
)
from tempcheck.store import StoreError, open_db
from tempcheck.store.customers import add_customer

TABLES = ("customers", "checkins", "followups")


def contents(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of the tables an import writes, to prove a failed import changed nothing."""
    connection = sqlite3.connect(db_path)
    try:
        return {t: connection.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}
    finally:
        connection.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def seeded(conn: sqlite3.Connection, db_path: Path) -> Path:
    add_customer(conn, "Acme Corp", cadence_days=7)
    add_customer(conn, "Globex")
    return db_path


# --- customers --------------------------------------------------------------------------------


def test_customers_with_a_loose_header_bom_and_cadence_forms(
    seeded: Path, tmp_path: Path, run_tc
) -> None:
    source = write(
        tmp_path / "c.csv",
        "\ufeffName , CADENCE,Kind,contact,Notes,Region\n"
        "Initech,14,transactional,Bill,,north\n"
        "Hooli,2w,,Gavin,'=not a formula,\n"
        'Umbrella,1m,Relationship,,"multi\nline",\n'
        "Wonka,10d,,,,\n",
    )
    result = run_tc("import", "customers", str(source), db=seeded)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 4 new customers.\n"
    assert "ignoring unknown columns: Region" in result.stderr
    connection = open_db(seeded)
    got = connection.execute(
        "SELECT name, cadence_days, kind, contact, notes FROM customers ORDER BY id"
    ).fetchall()
    assert got[2:] == [
        ("Initech", 14, "transactional", "Bill", ""),
        ("Hooli", 14, "relationship", "Gavin", "=not a formula"),
        ("Umbrella", 30, "relationship", "", "multi\nline"),
        ("Wonka", 10, "relationship", "", ""),
    ]
    connection.close()


def test_dry_run_writes_nothing(seeded: Path, tmp_path: Path, run_tc) -> None:
    source = write(tmp_path / "c.csv", "name\nInitech\nHooli\n")
    before = contents(seeded)
    result = run_tc("import", "customers", str(source), "--dry-run", db=seeded)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Dry run: would import 2 new customers")
    assert contents(seeded) == before
    source = write(tmp_path / "k.csv", "customer,at,temperature\nAcme Corp,2026-01-05T10:00,4\n")
    result = run_tc("import", "checkins", str(source), "--dry-run", db=seeded)
    assert result.exit_code == 0, result.output
    assert "would import 1 check-in (0 already present)" in result.stdout
    assert contents(seeded) == before


def test_every_bad_row_is_reported_and_nothing_is_written(
    seeded: Path, tmp_path: Path, run_tc
) -> None:
    source = write(
        tmp_path / "c.csv",
        "name,cadence,kind\n"
        "Initech,14,relationship\n"  # line 2: fine
        ",14,\n"  # 3: no name
        "Hooli,often,\n"  # 4: bad cadence
        "acme corp,7,\n"  # 5: exists already (case-insensitive)
        "INITECH,7,\n"  # 6: duplicate of line 2
        "Wonka,0,partner\n",  # 7: cadence and kind both wrong
    )
    before = contents(seeded)
    result = run_tc("import", "customers", str(source), db=seeded)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(":")[1] for line in lines[:-1]] == ["3", "4", "5", "6", "7"]
    assert "the name is empty" in lines[0]
    assert "cadence must look like" in lines[1]
    assert "already exists" in lines[2] and "--update" in lines[2]
    assert "'INITECH' is already on line 2" in lines[3]
    assert "cadence" in lines[4] and "kind must be" in lines[4]
    assert lines[-1] == f"tempcheck: {source}: 5 rows have problems; nothing was imported"
    assert contents(seeded) == before


def test_update_changes_existing_customers(seeded: Path, tmp_path: Path, run_tc) -> None:
    source = write(
        tmp_path / "c.csv", "name,cadence,contact,notes\nACME CORP,3w,Dana,\nNew Co,,,\n"
    )
    result = run_tc("import", "customers", str(source), "--update", db=seeded)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 1 new customer, 1 updated.\n"
    connection = open_db(seeded)
    assert connection.execute(
        "SELECT name, cadence_days, contact, notes FROM customers WHERE name = 'Acme Corp'"
    ).fetchone() == ("Acme Corp", 21, "Dana", "")
    connection.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\xef\xbb\xbf\n\n", "is empty"),
        (b"Acme Corp,14,relationship\nGlobex,7,relationship\n", "has no name column"),
        (b"name\nM\xfcller GmbH\n", "is not UTF-8 text (line 2"),
        ("name\nMüller\n".encode("utf-16"), "UTF-16"),
        (b"name,Name\nx,y\n", "appears twice"),
    ],
)
def test_bad_files_fail_cleanly(
    seeded: Path, tmp_path: Path, content: bytes, message: str, run_tc
) -> None:
    source = tmp_path / "bad.csv"
    source.write_bytes(content)
    before = contents(seeded)
    result = run_tc("import", "customers", str(source), db=seeded)
    assert result.exit_code == 1
    assert result.stderr.startswith("tempcheck: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert contents(seeded) == before


def test_missing_file(seeded: Path, tmp_path: Path, run_tc) -> None:
    result = run_tc("import", "customers", str(tmp_path / "nope.csv"), db=seeded)
    assert result.exit_code == 1 and "no file at" in result.stderr


def test_cadence_forms() -> None:
    assert [parse_cadence(t) for t in ("14", "14d", "2w", "1m", "3 weeks")] == [14, 14, 14, 30, 21]
    for bad in ("0", "", "often", "-3", "9999d"):
        with pytest.raises(ValueError):
            parse_cadence(bad)


# --- check-ins --------------------------------------------------------------------------------


CHECKINS_HEADER = (
    "customer,at,temperature,temperature_word,channel,initiated_by,note,fell_short,follow_up,uid\n"  # noqa: E501
)


def test_a_bad_temperature_on_line_7_is_reported_as_line_7(
    seeded: Path, tmp_path: Path, run_tc
) -> None:
    good = "Acme Corp,2026-01-0{}T10:00:00+01:00,4,content,call,us,fine,,,\n"
    source = write(
        tmp_path / "k.csv",
        CHECKINS_HEADER
        + good.format(1)
        + 'Acme Corp,2026-01-02T10:00:00+01:00,3,,email,them,"two\nlines",,,\n'  # lines 3-4
        + good.format(3)
        + good.format(4)
        + "Acme Corp,2026-01-05T10:00:00+01:00,hot,,call,us,,,,\n"  # line 7
        + "Nobody Inc,2026-01-06T10:00:00+01:00,3,,call,us,,,,\n"  # line 8
        + "Globex,yesterday-ish,4,uneasy,fax,maybe,,,someday,not a uid\n",  # line 9
    )
    before = contents(seeded)
    result = run_tc("import", "checkins", str(source), db=seeded)
    assert result.exit_code == 1
    problems = result.stderr.splitlines()[:-1]
    assert problems[0].startswith(f"{source}:7: temperature must be 1-5")
    assert problems[1].startswith(f"{source}:8: no customer named 'Nobody Inc'")
    assert problems[2].startswith(f"{source}:9: at: ")
    for part in ("is 'content', not 'uneasy'", "channel", "initiated_by", "follow_up", "uid"):
        assert part in problems[2]
    assert len(problems) == 3
    assert contents(seeded) == before
    with pytest.raises(ImportFailed) as failed:
        import_checkins(open_db(seeded), source)
    assert [p.line for p in failed.value.problems] == [7, 8, 9]


def test_checkins_are_idempotent_by_uid(seeded: Path, tmp_path: Path, run_tc) -> None:
    uid = "0b9f3b7e-6f0e-4b53-9a55-0d0f4c1c8f11"
    source = write(
        tmp_path / "k.csv",
        CHECKINS_HEADER
        + f"Acme Corp,2026-01-01T10:00:00+01:00,4,,call,us,'=1+1,'-late,,{uid}\n"
        + "acme corp,2026-01-02 09:30,delighted,,,,'plain,,,\n",
    )
    first = run_tc("import", "checkins", str(source), db=seeded)
    assert first.exit_code == 0, first.output
    assert first.stdout == "Imported 2 check-ins (0 already present).\n"
    second = run_tc("import", "checkins", str(source), db=seeded)
    assert second.stdout == "Imported 1 check-in (1 already present).\n"  # the row without uid
    connection = open_db(seeded)
    rows = connection.execute(
        "SELECT uid, at, temperature, channel, note, fell_short FROM checkins ORDER BY id"
    ).fetchall()
    assert rows[0] == (uid, "2026-01-01T09:00:00.000000Z", 4, "call", "=1+1", "-late")
    assert rows[1][2:] == (5, "hallway", "'plain", "")
    summary = connection.execute(
        "SELECT recent FROM contact_summary s JOIN customers c ON c.id = s.customer_id"
        " WHERE c.name = 'Acme Corp'"
    ).fetchone()
    assert summary == ("554",)  # newest first, kept by the rebuild after the bulk load
    connection.close()


def test_unknown_customers_can_be_created(seeded: Path, tmp_path: Path, run_tc) -> None:
    source = write(
        tmp_path / "k.csv",
        "Customer,At,Temp\nNew Co,2026-01-01T10:00:00Z,3\nnew co,2026-01-02T10:00:00Z,4\n",
    )
    result = run_tc("import", "checkins", str(source), "--create-customers", db=seeded)
    assert result.exit_code == 0, result.output
    assert "Imported 2 check-ins (0 already present); added 1 customers: New Co" in result.stdout
    connection = open_db(seeded)
    assert connection.execute("SELECT count(*) FROM customers").fetchone() == (3,)
    connection.close()


def test_a_future_follow_up_becomes_an_open_follow_up(
    conn: sqlite3.Connection, seeded: Path, tmp_path: Path
) -> None:
    today = clock.today()
    source = write(
        tmp_path / "k.csv",
        "customer,at,temperature,follow_up\n"
        f"Globex,2026-01-01T10:00:00Z,2,{today.replace(year=today.year + 1).isoformat()}\n"
        "Globex,2025-01-01T10:00:00Z,2,2025-01-08\n",
    )
    report = import_checkins(conn, source, today=today)
    assert (report.added, report.followups) == (2, 1)
    assert conn.execute("SELECT count(*) FROM followups").fetchone() == (1,)


def test_headers_without_temperature_or_customer(conn: sqlite3.Connection, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no temperature column"):
        import_checkins(conn, write(tmp_path / "a.csv", "customer,at\nX,2026-01-01\n"))
    with pytest.raises(StoreError, match="no customer column"):
        import_checkins(conn, write(tmp_path / "b.csv", "name,at,temperature\n"))
    with pytest.raises(StoreError, match="has no name column"):
        import_customers(conn, write(tmp_path / "c.csv", "customer\nAcme\n"))


def test_bad_bytes_after_good_rows_roll_everything_back(
    seeded: Path, tmp_path: Path, run_tc
) -> None:
    good = b"Acme Corp,2026-01-01T10:00:00Z,4\n" * 500
    source = tmp_path / "k.csv"
    source.write_bytes(b"customer,at,temperature\n" + good + b"Globex,2026-01-02,3,caf\xe9\n")
    before = contents(seeded)
    result = run_tc("import", "checkins", str(source), db=seeded)
    assert result.exit_code == 1
    assert "not UTF-8 text (line 502" in result.stderr
    assert contents(seeded) == before


def test_customer_uids_must_not_clash(seeded: Path, tmp_path: Path, run_tc) -> None:
    connection = open_db(seeded)
    acme_uid = connection.execute("SELECT uid FROM customers WHERE name = 'Acme Corp'").fetchone()[
        0
    ]
    connection.close()
    uid = "4f9b2c1e-0d3a-4c5b-8e6f-7a8b9c0d1e2f"
    source = write(
        tmp_path / "c.csv",
        f"name,uid\nNew One,{acme_uid}\nNew Two,{uid}\nNew Three,{uid}\n",
    )
    result = run_tc("import", "customers", str(source), db=seeded)
    assert result.exit_code == 1
    problems = result.stderr.splitlines()[:-1]
    assert problems[0].endswith(f":2: uid {acme_uid} already belongs to 'Acme Corp'")
    assert problems[1].endswith(f":4: uid {uid} is already on line 3")
