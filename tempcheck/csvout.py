"""CSV that spreadsheet programs open safely: one header, UTF-8, formulas neutralised.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return
could run as a formula in a spreadsheet; it gets a leading ``'``. Real numbers
are written as numbers and left alone.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix a formula-like text cell with ``'``; leave numbers, None and booleans be."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return neutralise(value)


def write_rows(
    stream: IO[str],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    excel: bool = False,
) -> int:
    """Stream ``rows`` as CSV under ``header``; returns the number of data rows."""
    if excel:
        stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n" if excel else "\n")
    writer.writerow(header)
    written = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        written += 1
    return written


def write_records(stream: IO[str], records: Sequence[Mapping[str, Any]]) -> int:
    """Write dicts sharing the same keys, the keys as the header."""
    if not records:
        return 0
    header = list(records[0])
    return write_rows(stream, header, ([record[key] for key in header] for record in records))
