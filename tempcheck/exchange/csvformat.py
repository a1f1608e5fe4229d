"""CSV that spreadsheet programs open safely: one header, UTF-8, formulas neutralised.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return
could run as a formula in a spreadsheet; it gets a leading ``'``. Text that
already starts with apostrophes before such a character gets one more, so
:func:`restore` can undo the prefix exactly and export → import round-trips.
Real numbers are written as numbers and left alone.

Two ways to write: :func:`write_rows` for Python values (the C ``csv`` writer,
in batches), and :func:`write_lines` for big exports whose lines SQLite has
already formatted with :func:`text_cell_sql`, :func:`plain_cell_sql` and
:func:`line_sql`, so a million rows cost Python a string join per batch.
Both quote minimally, the same way.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import IO, Any, NamedTuple

from tempcheck.domain.text import for_terminal

BOM = "\ufeff"
_NEEDS_PREFIX = re.compile(r"'*[=+\-@\t\r]")
_PREFIXED = re.compile(r"'+[=+\-@\t\r]")
_BATCH = 4096  # rows per write to the stream
# Code points of the formula starts, and of the apostrophe that may precede them.
_FORMULA_CODES = "(9, 13, 43, 45, 61, 64)"
_APOSTROPHE = 39
_FORMULA_OR_APOSTROPHE = "(9, 13, 39, 43, 45, 61, 64)"


def neutralise(value: Any) -> Any:
    """Prefix a formula-like text cell with ``'``; leave numbers, None and booleans be."""
    if isinstance(value, str) and _NEEDS_PREFIX.match(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """Undo :func:`neutralise` on a cell read back from one of our CSV files."""
    if _PREFIXED.match(text):
        return text[1:]
    return text


def cell(value: Any) -> Any:
    """One Python value as a CSV cell: None empty, booleans yes/no, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return neutralise(value)


# Control characters that would drive a terminal (a CR not ending a line included).
class TerminalSafe:
    """A text stream wrapper applying :func:`for_terminal` to everything written."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(for_terminal(text))

    def flush(self) -> None:
        self._stream.flush()


def line_end(excel: bool) -> str:
    """CRLF for spreadsheet programs (and RFC 4180), LF otherwise."""
    return "\r\n" if excel else "\n"


# --- SQL: the same rules, evaluated by SQLite -----------------------------------------------
# Every ``expression`` below is a fixed column expression from our own code, never user input.


def neutralise_sql(expression: str) -> str:
    """The SQL form of :func:`neutralise` (the value stays a column; NULL stays NULL)."""
    return f"CASE WHEN {_formula_sql(expression)} THEN '''' || {expression} ELSE {expression} END"


def _formula_sql(x: str) -> str:
    """True when text ``x`` needs the ``'`` prefix: one ``unicode()`` call for most text,
    more only when it starts with a formula character or an apostrophe."""
    return (
        f"(unicode({x}) IN {_FORMULA_OR_APOSTROPHE} AND (unicode({x}) <> {_APOSTROPHE}"
        f" OR unicode(ltrim({x}, '''')) IN {_FORMULA_CODES}))"
    )


def text_cell_sql(expression: str) -> str:
    """One finished CSV cell of text: neutralised, quoted only when needed, NULL empty.

    Quoting follows the ``csv`` module's minimal rule: a cell containing a quote,
    a comma, CR or LF is quoted, with quotes doubled.
    """
    x = expression
    prefix = f"CASE WHEN {_formula_sql(x)} THEN '''' ELSE '' END"
    special = f"instr({x}, '\"') OR instr({x}, ',') OR instr({x}, char(10)) OR instr({x}, char(13))"
    return (
        f"(CASE WHEN {x} IS NULL THEN ''"
        f" WHEN {special} THEN '\"' || {prefix} || replace({x}, '\"', '\"\"') || '\"'"
        f" ELSE {prefix} || {x} END)"
    )


def plain_cell_sql(expression: str) -> str:
    """A cell that never needs quoting or neutralising: numbers, dates, times, fixed words."""
    return f"coalesce({expression}, '')"


def fast_text_cell_sql(expression: str) -> str:
    """:func:`text_cell_sql` for text that holds no NUL character; NULL stays NULL.

    ``GLOB '*,*'`` looks for a character with one ``strcspn`` where ``instr``
    compares at every position, and ``printf``'s ``%w`` doubles the quotes in the
    same step that writes the cell; but both stop at a NUL, so this form is only
    used in rows :func:`line_sql` has checked. The comma, the likeliest, is tested first.
    """
    x = expression
    special = " OR ".join(f"{x} GLOB '*{c}*'" for c in (",", '"', "\n", "\r"))
    prefix = f"CASE WHEN {_formula_sql(x)} THEN '''' ELSE '' END"
    return (
        f"(CASE WHEN {special} THEN printf('\"%s%w\"', {prefix}, {x})"
        f" WHEN {_formula_sql(x)} THEN '''' || {x} ELSE {x} END)"
    )


def nul_sql(expression: str) -> str:
    """True when text ``expression`` holds a NUL character (see :func:`line_sql`)."""
    return f"instr({expression}, char(0))"


class Cell(NamedTuple):
    """One CSV cell as SQL, in the two forms :func:`line_sql` chooses between per row.

    ``exact`` is right for any stored text; ``fast`` only where no text in the
    row holds a NUL, which ``nul`` tests (None: the cell holds no free text).
    """

    exact: str
    fast: str
    nul: str | None = None


def text_cell(expression: str) -> Cell:
    """A free-text cell: neutralised, quoted when needed."""
    return Cell(text_cell_sql(expression), fast_text_cell_sql(expression), nul_sql(expression))


def plain_cell(expression: str) -> Cell:
    """A cell that never needs quoting or neutralising: numbers, dates, times, fixed words."""
    return Cell(plain_cell_sql(expression), expression)


def line_sql(cells: Sequence[Cell]) -> str:
    """One CSV line from cells, ended by the ``:eol`` parameter.

    ``printf`` builds the line in one step, where a chain of ``||`` copies the
    growing line once per piece (with ``instr``'s tests, half of a big
    export's time). Its ``%s`` ends a value at a NUL character, though, and so
    does ``GLOB``: a row whose text holds a NUL is joined from the exact cells
    with ``||`` instead, which keeps every byte. ``printf`` shows NULL as empty.
    """
    fast = ", ".join(c.fast for c in cells)
    formatted = f"printf('{','.join(['%s'] * len(cells))}' || :eol, {fast})"
    checks = [c.nul for c in cells if c.nul]
    if not checks:
        return formatted
    joined = " || ',' || ".join(c.exact for c in cells) + " || :eol"
    return f"(CASE WHEN {' OR '.join(checks)} THEN {joined} ELSE {formatted} END)"


# --- writing ---------------------------------------------------------------------------------


def write_lines(
    stream: IO[str], header: Sequence[str], lines: Iterable[tuple[str]], *, excel: bool = False
) -> int:
    """Write a header, then one-column rows of lines SQLite already formatted.

    The query must have been run with ``{"eol": line_end(excel)}``. Returns the
    number of lines after the header. The stream should use ``newline=""``.
    """
    if excel:
        stream.write(BOM)
    stream.write(",".join(header) + line_end(excel))
    fetch = getattr(lines, "fetchmany", None)
    batches: Iterable[list[tuple[str]]]
    if fetch is not None:
        batches = iter(lambda: fetch(_BATCH), [])
    else:
        batches = _batches(iter(lines))
    first = itemgetter(0)
    written = 0
    for batch in batches:
        stream.write("".join(map(first, batch)))
        written += len(batch)
    return written


def _batches(rows: Iterator[tuple[str]]) -> Iterator[list[tuple[str]]]:
    while batch := list(itertools.islice(rows, _BATCH)):
        yield batch


class _Sink:
    """A ``write`` that appends to a list, so the C writer never calls back into Python."""

    __slots__ = ("write",)

    def __init__(self, buffer: list[str]) -> None:
        self.write = buffer.append


def write_rows(
    stream: IO[str],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    excel: bool = False,
    prepared: bool = False,
) -> int:
    """Stream ``rows`` as CSV under ``header``; returns the number of data rows.

    ``excel`` adds a byte-order mark and CRLF line ends. ``prepared`` says the
    rows are already safe (neutralised in SQL, None for empty), so they go
    straight to the C writer; otherwise each value passes through :func:`cell`.
    The stream should be opened with ``newline=""``.
    """
    if not prepared:
        rows = ([cell(value) for value in row] for row in rows)
    buffer: list[str] = []
    # Python 3.11's writer quotes a lone CR only when it is part of the line
    # terminator, so always write CRLF and turn it into LF afterwards if asked.
    writer = csv.writer(_Sink(buffer), lineterminator="\r\n")
    if excel:
        stream.write(BOM)
    writer.writerow(header)
    written = -1
    iterator = iter(rows)
    while buffer:
        written += len(buffer)
        stream.write(_join(buffer, excel))
        buffer.clear()
        writer.writerows(itertools.islice(iterator, _BATCH))
    return written


def _join(lines: list[str], crlf: bool) -> str:
    """Lines that each end in CRLF, as one string ending in CRLF or LF."""
    text = "".join(lines)
    if crlf:
        return text
    if text.count("\r") == len(lines):  # no CR inside any cell: a plain replace is exact
        return text.replace("\r\n", "\n")
    return "".join(line[:-2] + "\n" for line in lines)


def write_records(
    stream: IO[str],
    records: Sequence[Mapping[str, Any]],
    *,
    header: Sequence[str] | None = None,
    excel: bool = False,
) -> int:
    """Write dicts sharing the same keys, the keys as the header.

    Without records nothing is written unless ``header`` is given.
    """
    if header is None:
        if not records:
            return 0
        header = list(records[0])
    return write_rows(
        stream, header, ([record[key] for key in header] for record in records), excel=excel
    )
