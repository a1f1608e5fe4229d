"""The workbook writer without a spreadsheet program: constant memory, sheets that
continue past a sheet's row limit, and the XML every cell becomes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tempcheck.exchange import export, xlsx
from tempcheck.store.checkins import add_checkin
from tempcheck.store.customers import add_customer

pytest.importorskip("xlsxwriter")


def peak_mb(command: list[str]) -> float:
    """Peak resident megabytes of one child process (``wait4``: only that process counts)."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, child.stderr.read() if child.stderr else ""
    return usage.ru_maxrss / 1024


@pytest.mark.slow
def test_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    """Constant-memory mode: 60,000 check-ins take no more memory than 2,000.

    Holding the rows (XlsxWriter's default) would add about 100 MB at 60,000;
    the full million is measured in bench/bench_xlsx.py.
    """
    tempcheck = [sys.executable, "-m", "tempcheck"]
    peaks = {}
    for count in (2_000, 60_000):
        db = tmp_path / f"{count}.db"
        subprocess.run(
            [*tempcheck, "--db", str(db), "demo", "--customers", "200", "--checkins", str(count)],
            check=True,
            capture_output=True,
        )
        target = tmp_path / f"{count}.xlsx"
        peaks[count] = peak_mb(
            [*tempcheck, "--db", str(db), "export", "checkins", "-o", str(target)]
        )
        with zipfile.ZipFile(target) as book:
            assert book.getinfo("xl/worksheets/sheet1.xml").file_size > count * 300
    assert peaks[60_000] - peaks[2_000] < 15, peaks


def test_a_kind_longer_than_a_sheet_continues_on_the_next(conn, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)  # 4 rows and the header per sheet
    customer = add_customer(conn, "Acme")
    for hour in range(10):
        add_checkin(
            conn, customer.id, 3, note=f"n{hour}", at=datetime(2026, 5, 1, hour, tzinfo=UTC)
        )
    target = tmp_path / "long.xlsx"
    assert export.export_to_path(conn, "checkins", target) == 10
    with zipfile.ZipFile(target) as book:
        names = re.findall(r'<sheet name="([^"]+)"', book.read("xl/workbook.xml").decode())
        sheets = [book.read(f"xl/worksheets/sheet{i}.xml").decode() for i in (1, 2, 3)]
    assert names == ["Check-ins", "Check-ins (2)", "Check-ins (3)"]
    assert [sheet.count("<row ") for sheet in sheets] == [5, 5, 3]
    assert all("<t>customer</t>" in sheet and 'state="frozen"' in sheet for sheet in sheets)
    assert '<autoFilter ref="A1:M3"/>' in sheets[2]


def test_cells_are_typed_and_text_is_never_a_formula(conn, tmp_path) -> None:
    customer = add_customer(conn, "=cmd|' /C calc'!A0")
    add_checkin(
        conn,
        customer.id,
        5,
        note="\x1b[31mred\x1b[0m and tab\tand  spaces  ",
        at=datetime(2026, 5, 31, 21, 13, 34, tzinfo=UTC),
    )
    target = tmp_path / "typed.xlsx"
    export.export_to_path(conn, "checkins", target)
    with zipfile.ZipFile(target) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    # The name is an inline string exactly as typed (XML-escaped), without a ' prefix.
    assert "<is><t>=cmd|&apos; /C calc&apos;!A0</t></is>" in sheet or (
        "<is><t>=cmd|' /C calc'!A0</t></is>" in sheet
    )
    # Temperature is a number cell: no t="inlineStr" and the value 5.
    assert re.search(r'<c r="D2"[^>]*><v>5</v></c>', sheet)
    # The escape character is kept as the _x001B_ escape, never raw.
    assert "_x001B_[31mred" in sheet and "\x1b" not in sheet


def test_empty_kinds_still_get_a_sheet_with_its_header(conn, tmp_path) -> None:
    target = tmp_path / "empty.xlsx"
    assert export.export_to_path(conn, "review", target) == 0
    with zipfile.ZipFile(target) as book:
        names = re.findall(r'<sheet name="([^"]+)"', book.read("xl/workbook.xml").decode())
        issues = book.read("xl/worksheets/sheet3.xml").decode()
    assert names == ["Dashboard", "Check-ins", "Issues", "Promises", "Follow-ups"]
    assert "<t>title</t>" in issues and '<autoFilter ref="A1:L1"/>' in issues


def test_text_longer_than_a_cell_is_cut_and_says_so(conn, tmp_path) -> None:
    customer = add_customer(conn, "Acme")
    add_checkin(conn, customer.id, 3, note="😀" * 20_000)  # 40,000 UTF-16 units
    target = tmp_path / "long.xlsx"
    export.export_to_path(conn, "checkins", target)
    with zipfile.ZipFile(target) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    cell = re.search(r"<t>(😀+… \[[^\]]*\])</t>", sheet)
    assert cell is not None
    assert cell.group(1).endswith("… [3,667 more characters: a cell holds 32,767]")
    assert len(cell.group(1).encode("utf-16-le")) // 2 <= 32_767
