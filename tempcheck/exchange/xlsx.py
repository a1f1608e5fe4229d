"""Workbooks (.xlsx) for account reviews: typed cells, one sheet per kind, streamed.

XlsxWriter runs in constant-memory mode: each row goes to a temporary file
(unlinked, so nobody else can open it) as soon as the next one starts, so a
million check-ins cost the memory of one row. The rows come from
:func:`tempcheck.exchange.export.values`: times as local date-times (day
numbers with a date-time format) followed by their UTC offset, dates as
dates, numbers as numbers. Text is always written with ``write_string``, so
a name like ``=HYPERLINK(…)`` is a text cell, never a formula, and needs no
``'`` prefix. Every sheet has its header frozen, an autofilter on every
column and widths fitted to what it holds; the dashboard's rows are coloured
by staleness as in the app, and keep the state word in their own column.

A sheet holds at most 1,048,576 rows; longer kinds continue on
``Check-ins (2)`` and so on. XlsxWriter is imported here only, when a
workbook is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

from tempcheck.store.connection import StoreError

SHEET_NAMES = {
    "dashboard": "Dashboard",
    "checkins": "Check-ins",
    "customers": "Customers",
    "contacts": "People",
    "issues": "Issues",
    "promises": "Promises",
    "followups": "Follow-ups",
}
# The review workbook: the sheets an account review goes through, in order.
REVIEW = ("dashboard", "checkins", "issues", "promises", "followups")
DATED = {"checkins", "issues", "promises", "followups"}

MAX_ROWS = 1_048_576  # a sheet's rows, the header included
MAX_WIDTH = 60  # characters; longer text wraps nowhere but stays readable
MAX_TEXT = 32_767  # a cell's text, in UTF-16 code units (what spreadsheets count)
_NUMBER_FORMATS = {"date": "yyyy-mm-dd", "time": "yyyy-mm-dd hh:mm:ss"}
_FORMAT_WIDTH = {"date": 10, "time": 19}
# Row colours by staleness, after the app's (muted, error, warning, primary, success):
# a light fill with dark text of the same hue, readable in print and on screen.
STALENESS_COLOURS = {
    "never": ("#EDEDED", "#4D4D4D"),
    "cold": ("#F8D7DA", "#842029"),
    "overdue": ("#FFE8CC", "#7A4100"),
    "due": ("#DCEBFA", "#0B4F8A"),
    "fresh": ("#DFF0D8", "#1E5631"),
}


Sheet = tuple[str, Sequence[str], Sequence[str | None], Iterable[Sequence[object]]]


def write_workbook(handle: IO[bytes], sheets: Iterable[Sheet]) -> dict[str, int]:
    """Write each ``(kind, header, number formats, rows)`` as its sheet(s) to ``handle``.

    Returns the rows written per kind. The dashboard sheet's rows are coloured
    by their staleness column.
    """
    import xlsxwriter
    from xlsxwriter.exceptions import XlsxWriterException

    workbook = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    styles = _Styles(workbook)
    counts: dict[str, int] = {}
    try:
        for kind, header, formats, rows in sheets:
            colour_by = list(header).index("staleness") if kind == "dashboard" else None
            counts[kind] = _write_sheets(
                workbook, styles, SHEET_NAMES[kind], header, formats, rows, colour_by
            )
        workbook.close()
    except XlsxWriterException as exc:
        raise StoreError(f"cannot write the workbook: {exc}") from None
    return counts


class _Styles:
    """The workbook's cell formats, made once (XlsxWriter keeps one per distinct look)."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self.header = workbook.add_format(
            {"bold": True, "bottom": 1, "bg_color": "#D9D9D9", "font_color": "#000000"}
        )
        self.plain = {
            name: workbook.add_format({"num_format": f}) for name, f in _NUMBER_FORMATS.items()
        }
        self._rows: dict[tuple[str, str | None], Any] = {}

    def number(self, number_format: str | None) -> Any:
        return self.plain[number_format] if number_format else None

    def row(self, state: str, number_format: str | None) -> Any:
        """A cell on a row coloured for staleness ``state``."""
        key = (state, number_format)
        if key not in self._rows:
            fill, ink = STALENESS_COLOURS[state]
            spec: dict[str, object] = {"bg_color": fill, "font_color": ink, "pattern": 1}
            if number_format:
                spec["num_format"] = _NUMBER_FORMATS[number_format]
            self._rows[key] = self._workbook.add_format(spec)
        return self._rows[key]


def _write_sheets(
    workbook: Any,
    styles: _Styles,
    name: str,
    header: Sequence[str],
    formats: Sequence[str | None],
    rows: Iterable[Sequence[object]],
    colour_by: int | None,
) -> int:
    """One kind's rows on as many sheets as they need; returns the rows written."""
    total = 0
    part = 1
    sheet = _Sheet(workbook, styles, name, header, formats)
    for row in rows:
        if sheet.full:
            sheet.close()
            part += 1
            sheet = _Sheet(workbook, styles, f"{name} ({part})", header, formats)
        state = row[colour_by] if colour_by is not None else None
        sheet.write(row, state if state in STALENESS_COLOURS else None)
        total += 1
    sheet.close()
    return total


class _Sheet:
    """One worksheet being streamed: the header, then rows in order, then its settings."""

    def __init__(
        self,
        workbook: Any,
        styles: _Styles,
        name: str,
        header: Sequence[str],
        formats: Sequence[str | None],
    ) -> None:
        self._sheet = workbook.add_worksheet(name)
        self._styles = styles
        self._formats = list(formats)
        self._number = [styles.number(f) for f in formats]
        self._width = [
            max(len(title) + 3, _FORMAT_WIDTH.get(f or "", 0))  # + room for the filter button
            for title, f in zip(header, formats, strict=True)
        ]
        self._row = 0
        for column, title in enumerate(header):
            self._sheet.write_string(0, column, title, styles.header)

    @property
    def full(self) -> bool:
        return self._row + 1 >= MAX_ROWS

    def write(self, values: Sequence[object], state: str | None = None) -> None:
        self._row += 1
        row, sheet, width = self._row, self._sheet, self._width
        if state is not None:
            self._write_coloured(values, state)
            return
        for column, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                if len(value) > MAX_TEXT // 2:
                    value = fit(value)
                sheet.write_string(row, column, value)
                if len(value) > width[column] and width[column] < MAX_WIDTH:
                    width[column] = max(width[column], min(_text_width(value), MAX_WIDTH))
            else:
                sheet.write_number(row, column, value, self._number[column])
                if self._formats[column] is None and len(text := str(value)) > width[column]:
                    width[column] = len(text)

    def _write_coloured(self, values: Sequence[object], state: str) -> None:
        row, sheet, width = self._row, self._sheet, self._width
        for column, value in enumerate(values):
            look = self._styles.row(state, self._formats[column])
            if value is None:
                sheet.write_blank(row, column, None, look)
            elif isinstance(value, str):
                value = fit(value)
                sheet.write_string(row, column, value, look)
                width[column] = max(width[column], min(_text_width(value), MAX_WIDTH))
            else:
                sheet.write_number(row, column, value, look)
                if self._formats[column] is None:
                    width[column] = max(width[column], len(str(value)))

    def close(self) -> None:
        """Header frozen, a filter on every column, the widths that fit."""
        last = len(self._width) - 1
        self._sheet.freeze_panes(1, 0)
        self._sheet.autofilter(0, 0, self._row, last)
        for column, width in enumerate(self._width):
            self._sheet.set_column(column, column, width + 1)


def fit(text: str) -> str:
    """Text cut to what a cell holds, saying so at the end (the CSV export has it all)."""
    units = len(text.encode("utf-16-le")) // 2
    if units <= MAX_TEXT:
        return text
    cut = text[: MAX_TEXT - 100]
    while len(cut.encode("utf-16-le")) // 2 > MAX_TEXT - 100:
        cut = cut[:-1]
    return f"{cut}… [{len(text) - len(cut):,} more characters: a cell holds {MAX_TEXT:,}]"


def _text_width(text: str) -> int:
    """The longest line of ``text``, in characters."""
    if "\n" in text:
        return max(len(line) for line in text.splitlines()) if text.strip() else 0
    return len(text)
