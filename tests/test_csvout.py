"""CSV writing: formula neutralisation that round-trips, minimal quoting the same in Python
and in SQL, BOM and CRLF for spreadsheets, numbers left as numbers."""

from __future__ import annotations

import csv
import io
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tempcheck.exchange.csvformat import (
    TerminalSafe,
    fast_text_cell_sql,
    for_terminal,
    line_end,
    line_sql,
    neutralise,
    neutralise_sql,
    plain_cell,
    restore,
    text_cell,
    text_cell_sql,
    write_lines,
    write_records,
    write_rows,
)

TRICKY = [
    "",
    "plain",
    "=1+1",
    "+49 30 1234",
    "-minus",
    "@SUM(A1)",
    "\tTab first",
    "\rCR first",
    "'=already quoted",
    "''+twice",
    "'just an apostrophe",
    "'",
    "'''",
    "a,b",
    'say "hi"',
    "line\nbreak",
    "lone\rcarriage return",
    "crlf\r\ninside",
    "ü 日本 🎉",
    "  leading spaces",
    "=",
    "-3",
]


@pytest.mark.parametrize("text", TRICKY)
def test_neutralise_then_restore_gives_the_text_back(text: str) -> None:
    shown = neutralise(text)
    assert restore(shown) == text
    assert not shown.startswith(("=", "+", "-", "@", "\t", "\r"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab,\"\n ü"), max_size=8))
def test_neutralise_round_trips_any_text(text: str) -> None:
    assert restore(neutralise(text)) == text
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_numbers_and_none_are_left_alone() -> None:
    assert neutralise(-3) == -3
    assert neutralise(-2.5) == -2.5
    assert neutralise(None) is None
    out = io.StringIO()
    write_rows(out, ["n", "f", "none", "flag", "text"], [[-3, -0.5, None, True, "-3"]])
    assert out.getvalue().splitlines()[1] == "-3,-0.5,,yes,'-3"


def _python_cell(text: str | None) -> str:
    out = io.StringIO()
    write_rows(out, ["a", "b"], [[text, "x"]])
    return out.getvalue().split("\n", 1)[1].removesuffix(",x\n")


@pytest.mark.parametrize("text", [*TRICKY, None])
def test_sql_cells_match_the_python_writer(text: str | None) -> None:
    """The fast SQL path and the csv module agree byte for byte on every tricky cell."""
    db = sqlite3.connect(":memory:")
    sql_cell = db.execute(f"WITH t(x) AS (SELECT ?) SELECT {text_cell_sql('x')} FROM t", (text,))
    assert sql_cell.fetchone()[0] == _python_cell(text)
    value = db.execute(f"WITH t(x) AS (SELECT ?) SELECT {neutralise_sql('x')} FROM t", (text,))
    assert value.fetchone()[0] == neutralise(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab,\"\n ü"), max_size=8))
def test_sql_cells_match_the_python_writer_for_any_text(text: str) -> None:
    db = sqlite3.connect(":memory:")
    sql_cell = db.execute(f"WITH t(x) AS (SELECT ?) SELECT {text_cell_sql('x')} FROM t", (text,))
    assert sql_cell.fetchone()[0] == _python_cell(text)


def _sql_cells(text: str | None) -> tuple[str, str]:
    db = sqlite3.connect(":memory:")
    exact, fast = db.execute(
        f"WITH t(x) AS (SELECT ?) SELECT {text_cell_sql('x')}, {fast_text_cell_sql('x')} FROM t",
        (text,),
    ).fetchone()
    return exact, fast


@pytest.mark.parametrize("text", TRICKY)
def test_the_fast_cell_matches_the_exact_one_without_nul(text: str) -> None:
    assert _sql_cells(text) == (_python_cell(text), _python_cell(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab,\"\n ü"), max_size=8))
def test_the_fast_cell_matches_the_exact_one_for_any_text_without_nul(text: str) -> None:
    exact, fast = _sql_cells(text)
    assert fast == exact


def test_a_row_with_nul_is_joined_byte_for_byte() -> None:
    db = sqlite3.connect(":memory:")
    line = line_sql([text_cell("a"), plain_cell("n"), text_cell("b")])
    rows = [("x\x00,y", 1, "=z"), ("p", None, "q\x00"), ("p", 2.5, "q")]
    query = f"WITH t(a, n, b) AS (SELECT :a, :n, :b) SELECT {line} FROM t"
    got = [
        db.execute(query, {"a": a, "n": n, "b": b, "eol": "\n"}).fetchone()[0] for a, n, b in rows
    ]
    assert got == ['"x\x00,y",1,\'=z\n', "p,,q\x00\n", "p,2.5,q\n"]


def test_a_lone_carriage_return_is_quoted_even_with_lf_line_ends() -> None:
    out = io.StringIO()
    write_rows(out, ["note"], [["a\rb"], ["c"]])
    assert out.getvalue() == 'note\n"a\rb"\nc\n'
    assert list(csv.reader(io.StringIO(out.getvalue(), newline=""))) == [["note"], ["a\rb"], ["c"]]


def test_excel_gets_a_bom_and_crlf() -> None:
    out = io.StringIO()
    write_rows(out, ["name"], [["Müller"], ["x\ny"]], excel=True)
    assert out.getvalue() == '\ufeffname\r\nMüller\r\n"x\ny"\r\n'


def test_header_only_when_there_are_no_rows() -> None:
    out = io.StringIO()
    assert write_rows(out, ["a", "b"], []) == 0
    assert out.getvalue() == "a,b\n"
    out = io.StringIO()
    assert write_records(out, [], header=["a"]) == 0
    assert out.getvalue() == "a\n"
    assert write_records(io.StringIO(), []) == 0


def test_many_rows_are_written_in_batches_and_counted() -> None:
    out = io.StringIO()
    assert write_rows(out, ["n"], ([n] for n in range(10_000))) == 10_000
    lines = out.getvalue().splitlines()
    assert len(lines) == 10_001 and lines[-1] == "9999"


@pytest.mark.parametrize("excel", [False, True])
def test_write_lines_from_sqlite(excel: bool) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (n INTEGER, s TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(1, "=x"), (-2, "a,b"), (None, None)])
    line = line_sql([plain_cell("n"), text_cell("s")])
    cursor = db.execute(f"SELECT {line} FROM t ORDER BY rowid", {"eol": line_end(excel)})
    out = io.StringIO()
    assert write_lines(out, ["n", "s"], cursor, excel=excel) == 3
    eol = "\r\n" if excel else "\n"
    expected = eol.join(["n,s", "1,'=x", '-2,"a,b"', ",", ""])
    assert out.getvalue() == ("\ufeff" if excel else "") + expected


def test_for_terminal_hides_control_characters_but_keeps_line_ends() -> None:
    text = 'a\x1b[2J,"b\x07\r\nc",d\re\x9b\r\n'
    assert for_terminal(text) == 'a\ufffd[2J,"b\ufffd\r\nc",d\ufffde\ufffd\r\n'
    out = io.StringIO()
    TerminalSafe(out).write("x\x1b]0;t\x07\n")
    assert out.getvalue() == "x\ufffd]0;t\ufffd\n"
