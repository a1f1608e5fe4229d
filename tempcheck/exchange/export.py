"""Export for reviews: the dashboard, check-ins, customers, issues, promises, follow-ups.

Each CSV kind is one SQL query whose rows go from the cursor straight into
the C ``csv`` writer: formula neutralisation, temperature words and the
conversion of stored UTC times to local ISO-8601 with offset all happen in
SQLite, so a million check-ins never become a list in Python or a Python
call per row.

Local times: the offsets the local zone uses over the exported time range
are worked out once in Python (``time.localtime``, the same source
``datetime.astimezone`` uses), and the query picks each row's offset with a
``CASE`` on the stored UTC text. An export spanning a DST change therefore
shows every row with its own offset, as :func:`tempcheck.domain.clock.local` would.

The CLI (``tempcheck export``) and the dashboard's export dialog both call
:func:`write_export` or :func:`export_to_path`.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, NamedTuple

from tempcheck.domain import clock, temperature
from tempcheck.domain.attention import DashboardRow, as_record
from tempcheck.domain.matching import key
from tempcheck.domain.staleness import Staleness
from tempcheck.domain.temperature import WORDS
from tempcheck.exchange.csvformat import (
    Cell,
    line_end,
    line_sql,
    neutralise_sql,
    nul_sql,
    plain_cell,
    text_cell,
    text_cell_sql,
    write_lines,
    write_records,
)
from tempcheck.exchange.ical import calendar_bytes
from tempcheck.exchange.xlsx import DATED, REVIEW, write_workbook
from tempcheck.store.accounts import customers_tagged
from tempcheck.store.connection import StoreError
from tempcheck.store.dashboard import dashboard_rows
from tempcheck.store.fragments import EFFECTIVE_DUE


class FileExists(StoreError):
    """The export's file is already there; nothing was written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} already exists; use --force to overwrite it")


@dataclass(frozen=True)
class Kind:
    """One kind of export, as the CLI and the export dialog offer it."""

    name: str
    description: str
    noun: str  # plural, for "Wrote 12 check-ins to …"
    singular: str
    dated: bool  # whether --since/--until apply
    suffix: str = ".csv"

    def count(self, n: int) -> str:
        """``1 check-in``, ``12 check-ins``."""
        return f"{n} {self.singular if n == 1 else self.noun}"


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "dashboard",
            "The dashboard as it stands: one row per active customer, in its order",
            "dashboard rows",
            "dashboard row",
            dated=False,
        ),
        Kind(
            "checkins",
            "Check-ins in the date range, oldest first (re-importable)",
            "check-ins",
            "check-in",
            dated=True,
        ),
        Kind(
            "customers",
            "Every customer with profile, status and last contact",
            "customers",
            "customer",
            dated=False,
        ),
        Kind(
            "contacts",
            "The people at each customer: role, email, phone, primary, gone (re-importable)",
            "contacts",
            "contact",
            dated=False,
        ),
        Kind(
            "issues",
            "Issues open at any time in the date range, with resolutions",
            "issues",
            "issue",
            dated=True,
        ),
        Kind(
            "promises",
            "Promises open at any time in the date range, kept or broken",
            "promises",
            "promise",
            dated=True,
        ),
        Kind(
            "followups",
            "Follow-ups due in the date range, open or done",
            "follow-ups",
            "follow-up",
            dated=True,
        ),
        Kind(
            "review",
            "A workbook for one customer's review (or everyone's): dashboard, check-ins,"
            " issues, promises and follow-ups, one sheet each",
            "rows",
            "row",
            dated=True,
            suffix=".xlsx",
        ),
        Kind(
            "ics",
            "Open follow-ups and promises as an iCalendar file for your calendar",
            "calendar events",
            "calendar event",
            dated=False,
            suffix=".ics",
        ),
    )
}

HEADERS: dict[str, tuple[str, ...]] = {
    "checkins": (
        "customer",
        "at",
        "temperature",
        "temperature_word",
        "channel",
        "initiated_by",
        "note",
        "fell_short",
        "follow_up",
        "person",
        "issue_uid",
        "uid",
    ),
    "customers": (
        "name",
        "kind",
        "status",
        "cadence_days",
        "contact",
        "notes",
        "paused_until",
        "created_at",
        "last_contact",
        "last_temperature",
        "last_temperature_word",
        "owner",
        "renewal_on",
        "tags",
        "uid",
    ),
    "contacts": (
        "customer",
        "name",
        "role",
        "email",
        "phone",
        "primary",
        "notes",
        "gone_at",
        "created_at",
        "uid",
    ),
    "issues": (
        "customer",
        "title",
        "detail",
        "raised_by",
        "opened_at",
        "due",
        "status",
        "closed_at",
        "resolution",
        "uid",
    ),
    "promises": (
        "customer",
        "text",
        "made_at",
        "due",
        "status",
        "settled_on",
        "settlement_note",
        "uid",
    ),
    "followups": (
        "customer",
        "due",
        "original_due",
        "note",
        "status",
        "done_at",
        "created_at",
        "uid",
    ),
}
# Columns the dashboard export adds after tempcheck.domain.attention.as_record's.
DASHBOARD_EXTRA = ("last_temperature_word", "uid")
# Columns holding a moment (stored in UTC): spreadsheet styles give each an offset column.
TIME_COLUMNS = frozenset(
    {"at", "created_at", "last_contact", "opened_at", "closed_at", "made_at", "done_at", "gone_at"}
)


FORMATS = ("csv", "xlsx")
# The kinds a workbook can hold: each CSV table kind as one sheet, and the review.
WORKBOOK_KINDS = frozenset({*HEADERS, "dashboard", "review"})


def default_filename(kind: str, today: date | None = None, fmt: str | None = None) -> str:
    """A sensible file name: ``tempcheck-checkins-2026-11-24.csv`` (``.xlsx`` for a workbook)."""
    spec = _kind(kind)
    day = today or clock.today()
    suffix = ".xlsx" if fmt == "xlsx" else spec.suffix
    return f"tempcheck-{spec.name}-{day.isoformat()}{suffix}"


def output_format(kind: str, path: str | os.PathLike[str] | None, fmt: str | None = None) -> str:
    """What to write: ``csv``, ``xlsx`` or ``ics``, from ``--format``, else the file name.

    A file name ending in ``.xlsx`` means a workbook; so does the review kind.
    A format that contradicts the kind or the file name is refused.
    """
    spec = _kind(kind)
    suffix = Path(path).suffix.lower() if path and str(path) != "-" else ""
    if spec.suffix == ".ics":
        if fmt not in (None, "ics"):
            raise StoreError("the ics export is a calendar file; --format does not apply")
        return "ics"
    if fmt is not None and fmt not in FORMATS:
        raise StoreError(f"unknown format {fmt!r}: choose csv or xlsx")
    chosen = fmt or ("xlsx" if suffix == ".xlsx" or spec.suffix == ".xlsx" else "csv")
    if chosen == "csv" and spec.suffix == ".xlsx":
        raise StoreError(f"the {spec.name} export is a workbook: write it as xlsx")
    if chosen == "xlsx" and kind not in WORKBOOK_KINDS:
        raise StoreError(f"the {spec.name} export cannot be a workbook")
    if chosen == "csv" and suffix == ".xlsx":
        raise StoreError(f"{Path(str(path)).name} ends in .xlsx but the format is csv")
    if chosen == "xlsx" and suffix in (".csv", ".ics") and spec.suffix == ".xlsx":
        raise StoreError(f"the {spec.name} export is a workbook: name the file NAME.xlsx")
    if chosen == "xlsx" and suffix in (".csv", ".ics"):
        raise StoreError(f"{Path(str(path)).name} ends in {suffix} but the format is xlsx")
    return chosen


def write_export(
    conn: sqlite3.Connection,
    kind: str,
    stream: IO[str],
    *,
    since: date | None = None,
    until: date | None = None,
    customer_id: int | None = None,
    matching: str | None = None,
    excel: bool = False,
    tag: str | None = None,
) -> int:
    """Write one export to a text stream (opened with ``newline=""``); returns rows written.

    ``since``/``until`` are inclusive local dates and apply to the dated kinds
    only; ``customer_id`` narrows any kind to one customer, ``matching`` to the
    customers whose name contains it (as the dashboard's filter does), ``tag``
    to the customers carrying that tag. For ``ics`` the count is the number of
    calendar events.
    """
    spec = _kind(kind)
    check_options(kind, since=since, until=until, excel=excel)
    if spec.suffix == ".xlsx":
        raise StoreError(f"the {spec.name} export is a workbook: give a file, -o NAME.xlsx")
    name_part = key(matching) if matching and matching.strip() else None
    if (name_part or tag) and spec.name == "ics":
        raise StoreError("the calendar export is for all customers or one (--customer)")
    with _snapshot(conn):
        if spec.name == "ics":
            return _write_ics(conn, stream, customer_id)
        if spec.name == "dashboard":
            return _write_dashboard(conn, stream, customer_id, excel, name_part, tag)
        return _write_table(conn, kind, stream, since, until, customer_id, excel, name_part, tag)


def check_options(
    kind: str,
    *,
    since: date | None = None,
    until: date | None = None,
    excel: bool = False,
    fmt: str | None = None,
) -> None:
    """Refuse options that mean nothing for ``kind``, in words a user can act on."""
    spec = _kind(kind)
    if (since is not None or until is not None) and not spec.dated:
        raise StoreError(f"the {spec.name} export takes no date range (--since/--until)")
    for name, day in (("--since", since), ("--until", until)):
        if day is not None:
            try:
                clock.check_day(day, name)
            except ValueError as exc:
                raise StoreError(str(exc)) from None
    if since is not None and until is not None and until < since:
        raise StoreError(f"the range ends ({until}) before it starts ({since})")
    if excel and (spec.suffix != ".csv" or fmt == "xlsx"):
        target = "a workbook" if fmt == "xlsx" or spec.suffix == ".xlsx" else spec.name
        raise StoreError(f"--excel applies to CSV exports, not {target}")


def export_to_path(
    conn: sqlite3.Connection,
    kind: str,
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    since: date | None = None,
    until: date | None = None,
    customer_id: int | None = None,
    matching: str | None = None,
    excel: bool = False,
    tag: str | None = None,
    fmt: str | None = None,
) -> int:
    """Write one export to a new file readable by its owner only; returns rows written.

    ``fmt`` "xlsx" (or a name ending in ``.xlsx``, or the review kind) writes a
    workbook, see :mod:`tempcheck.exchange.xlsx`; the count is then the rows
    of every sheet. An existing file raises :class:`FileExists` (the dialog can
    ask, then pass ``force``); with ``force`` it is replaced in one step, so a
    failed export never leaves half a file behind.
    """
    fmt = output_format(kind, path, fmt)
    check_options(kind, since=since, until=until, excel=excel, fmt=fmt)
    target = Path(path).expanduser()
    if fmt == "xlsx":
        kinds = REVIEW if kind == "review" else (kind,)
        sheets = (
            (
                each,
                *values(
                    conn,
                    each,
                    since=since if each in DATED else None,
                    until=until if each in DATED else None,
                    customer_id=customer_id,
                    matching=matching,
                    tag=tag,
                ),
            )
            for each in kinds
        )
        with private_file(target, force=force) as handle, _snapshot(conn):
            counts = write_workbook(handle, sheets)
        return sum(counts.values())
    with private_file(target, force=force) as handle:
        stream = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        try:
            written = write_export(
                conn,
                kind,
                stream,
                since=since,
                until=until,
                customer_id=customer_id,
                matching=matching,
                excel=excel,
                tag=tag,
            )
            stream.flush()
        finally:
            stream.detach()
    return written


@contextlib.contextmanager
def private_file(target: Path, *, force: bool = False) -> Iterator[IO[bytes]]:
    """A new file at ``target`` with mode 0600, removed again if writing it fails.

    Without ``force`` an existing file is refused (atomically, by ``O_EXCL``);
    with it, a temporary file beside it replaces it once complete. A terminal, a
    pipe or a device such as ``/dev/stdout`` (or a link to one) is written
    through, never replaced or chmod-ed; only regular files are ever replaced.
    """
    if target.is_dir():
        raise StoreError(f"{target} is a folder; give a file name")
    if not target.parent.is_dir():
        raise StoreError(f"cannot write {target}: the folder {target.parent} does not exist")
    try:
        found = os.stat(target)  # through a link to what it points at
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror}") from None
    through_fd = found is not None and _names_a_descriptor(target)
    if found is not None and (through_fd or not stat.S_ISREG(found.st_mode)):
        if not (through_fd or stat.S_ISCHR(found.st_mode) or stat.S_ISFIFO(found.st_mode)):
            raise StoreError(f"{target} is not a regular file, a pipe or a terminal")
        with _written_through(target) as handle:
            yield handle
        return
    dangling = found is None and target.is_symlink()
    if dangling and not force:
        raise StoreError(
            f"{target} is a link to {os.readlink(target)}, which does not exist;"
            " use --force to replace the link with the file"
        )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        if force and (found is not None or dangling):
            fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            written_to = Path(temporary)
        else:
            fd = os.open(target, flags, 0o600)
            written_to = target
    except FileExistsError:
        raise FileExists(target) from None
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror}") from None
    try:
        os.fchmod(fd, 0o600)  # whatever the umask said
        with os.fdopen(fd, "wb", buffering=1 << 16) as handle:
            yield handle
            if written_to != target:  # the old file goes only once the new one is on disk
                handle.flush()
                os.fsync(handle.fileno())
        if written_to != target:
            os.replace(written_to, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            written_to.unlink()
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            kept = "the old file is unchanged" if written_to != target else "nothing was kept"
            raise StoreError(f"the disk is full: cannot write {target}; {kept}") from None
        raise


def _names_a_descriptor(target: Path) -> bool:
    """``/dev/stdout``, ``/dev/fd/3``, ``/proc/self/fd/1`` or a link to one: whatever the
    shell opened there (a pipe, a terminal, a file given with ``>``) is written into,
    never replaced."""
    path = os.path.abspath(target)
    for _ in range(40):  # links of links, as far as the kernel itself would follow
        parent = os.path.dirname(path)
        if parent == "/dev/fd" or _FD_FOLDER.fullmatch(parent):
            return True
        if not os.path.islink(path):
            return False
        path = os.path.normpath(os.path.join(parent, os.readlink(path)))
    return False


_FD_FOLDER = re.compile(r"/proc/(?:self|thread-self|\d+)(?:/task/\d+)?/fd")


@contextlib.contextmanager
def _written_through(target: Path) -> Iterator[IO[bytes]]:
    """Write into an existing pipe, terminal, device or open file as it is (appending,
    as ``>>`` asked, or after the shell's ``>`` emptied it)."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror}") from None
    with os.fdopen(fd, "wb", buffering=1 << 16) as handle:
        yield handle


# --- the queries -------------------------------------------------------------------------------


@dataclass
class _Filter:
    """What narrows an export; builders add their WHERE clauses and parameters."""

    since: date | None
    until: date | None
    customer_id: int | None
    name_part: str | None  # matching.key() of a name fragment, as the dashboard filters
    lo: str | None  # stored UTC text: local midnight starting ``since``
    hi: str | None  # stored UTC text: local midnight after ``until``
    tag: str | None = None  # a cleaned tag (tempcheck.domain.people.clean_tag)
    where: list[str] = field(default_factory=list)
    params: dict[str, object] = field(default_factory=dict)

    def add(self, clause: str, **params: object) -> None:
        self.where.append(clause)
        self.params.update(params)

    def for_customers(self, column: str) -> None:
        """Narrow ``column`` (a customer id) to the one customer or the matching names."""
        # ``column`` is one of the builders' constants, never user input.
        if self.customer_id is not None:
            self.add(f"{column} = :customer_id", customer_id=self.customer_id)
        if self.name_part:
            self.add(
                f"{column} IN (SELECT id FROM customers WHERE instr(name_key, :name_part) > 0)",
                name_part=self.name_part,
            )
        if self.tag:
            self.add(
                f"{column} IN (SELECT customer_id FROM customer_tags WHERE tag = :tag)",
                tag=self.tag,
            )

    @property
    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.where) if self.where else ""


class _Column(NamedTuple):
    """One column in three forms: a neutralised value (``as_columns``, what the
    sqlite3 tool is given in the benchmark), a finished CSV cell (``as_lines``,
    what the CSV export writes) and the plain typed value a workbook gets
    (``as_values``), with the number format it needs (:data:`DATE`, :data:`TIME`)."""

    value: str
    cell: Cell
    raw: str
    number_format: str | None = None


DATE = "date"  # a workbook cell holding a day number, shown as a date
TIME = "time"  # a workbook cell holding a local date-time, shown as one


@dataclass(frozen=True)
class _Select:
    """A kind's columns and the rest of its query."""

    columns: tuple[_Column, ...]
    tail: str  # FROM … WHERE … ORDER BY …
    prefix: str = ""  # WITH …

    def as_columns(self) -> str:
        return f"{self.prefix}SELECT {', '.join(c.value for c in self.columns)} {self.tail}"

    def as_lines(self) -> str:
        return f"{self.prefix}SELECT {line_sql([c.cell for c in self.columns])} {self.tail}"

    def as_values(self) -> str:
        return f"{self.prefix}SELECT {', '.join(c.raw for c in self.columns)} {self.tail}"


def _text(expression: str) -> _Column:
    """A free-text column: neutralised, and quoted when needed (a workbook gets it as is)."""
    return _Column(neutralise_sql(expression), text_cell(expression), expression)


def _plain(expression: str) -> _Column:
    """A column that never needs neutralising or quoting: numbers, fixed words."""
    return _Column(expression, plain_cell(expression), expression)


# Day numbers as spreadsheets count them: 1899-12-30 is day 0 (valid from 1900-03-01 on).
_SERIAL_FROM = "1900-03-01"
_JULIAN_DAY_ZERO = 2415018.5


def _day(expression: str) -> _Column:
    """A stored ``YYYY-MM-DD`` date: the text in CSV, a date cell in a workbook.

    A value that is not a date goes to the workbook as the text it is.
    """
    serial = (
        f"(CASE WHEN {expression} >= '{_SERIAL_FROM}'"
        f" THEN coalesce(julianday({expression}) - {_JULIAN_DAY_ZERO}, {expression})"
        f" ELSE {expression} END)"
    )
    return _Column(expression, plain_cell(expression), serial, DATE)


def _moment(zone: LocalZone, column: str) -> tuple[_Column, ...]:
    """A stored UTC time as its export style shows it: one ISO-8601 column, or
    (for spreadsheets) the local date-time and then its UTC offset in a column of its own."""
    if zone.style == "iso":
        return (_plain(zone.sql(column)),)
    wall = _plain(zone.sql(column, "wall"))
    offset = _plain(zone.sql(column, "offset"))
    serial = f"coalesce({zone.sql(column, 'serial')}, {wall.value})"
    return _Column(wall.value, wall.cell, serial, TIME), offset


# Customer names formatted once per customer, not once per check-in.
_NAMES = (
    f"WITH names AS MATERIALIZED (SELECT id, {neutralise_sql('name')} AS value,"
    f" {text_cell_sql('name')} AS cell, {nul_sql('name')} AS nul, name FROM customers) "
)


def header(kind: str, style: str = "iso") -> tuple[str, ...]:
    """A table kind's columns; the spreadsheet styles add ``<time>_offset`` after each time."""
    base = tuple(dashboard_header()) if kind == "dashboard" else HEADERS[kind]
    if style == "iso":
        return base
    out: list[str] = []
    for name in base:
        out.append(name)
        if name in TIME_COLUMNS:
            out.append(f"{name}_offset")
    return tuple(out)


def values(
    conn: sqlite3.Connection,
    kind: str,
    *,
    since: date | None = None,
    until: date | None = None,
    customer_id: int | None = None,
    matching: str | None = None,
    tag: str | None = None,
) -> tuple[tuple[str, ...], tuple[str | None, ...], Iterable[Sequence[object]]]:
    """A kind's header, number formats and rows of plain typed values, for a workbook.

    Times are local date-times as day numbers (formatted :data:`TIME`) followed
    by their UTC offset as text, dates day numbers (:data:`DATE`), numbers
    numbers, text exactly as stored (a workbook writes it as text, never a
    formula). Call inside one read transaction for a consistent picture.
    """
    name_part = key(matching) if matching and matching.strip() else None
    if kind == "dashboard":
        return _dashboard_values(conn, customer_id, name_part, tag)
    select, params = _select(
        conn, kind, since, until, customer_id, name_part, style="xlsx", tag=tag
    )
    formats = tuple(column.number_format for column in select.columns)
    return header(kind, "xlsx"), formats, conn.execute(select.as_values(), params)


def query(
    conn: sqlite3.Connection,
    kind: str,
    *,
    since: date | None = None,
    until: date | None = None,
    customer_id: int | None = None,
) -> tuple[str, dict[str, object]]:
    """The SQL and parameters giving a CSV kind's rows as columns, neutralised.

    The export itself runs the same query with each row already formatted as a
    CSV line; this column form is what the benchmark hands to the sqlite3 tool.
    """
    select, params = _select(conn, kind, since, until, customer_id)
    return select.as_columns(), params


def _select(
    conn: sqlite3.Connection,
    kind: str,
    since: date | None,
    until: date | None,
    customer_id: int | None,
    name_part: str | None = None,
    style: str = "iso",
    tag: str | None = None,
) -> tuple[_Select, dict[str, object]]:
    if kind not in HEADERS:
        raise StoreError(f"{kind} is not a CSV table export")
    lo = _day_start(since) if since else None
    hi = _day_start(until + timedelta(days=1)) if until else None
    narrow = _Filter(since, until, customer_id, name_part, lo, hi, tag)
    zone = replace(_zone_for(conn, kind, lo, hi, customer_id), style=style)
    select = _QUERIES[kind](zone, narrow)
    if len(select.columns) != len(header(kind, style)):
        raise AssertionError(f"the {kind} export's columns and header disagree")
    return select, narrow.params


def _write_table(
    conn: sqlite3.Connection,
    kind: str,
    stream: IO[str],
    since: date | None,
    until: date | None,
    customer_id: int | None,
    excel: bool,
    name_part: str | None = None,
    tag: str | None = None,
) -> int:
    style = "excel" if excel else "iso"
    select, params = _select(conn, kind, since, until, customer_id, name_part, style, tag)
    cursor = conn.execute(select.as_lines(), {**params, "eol": line_end(excel)})
    return write_lines(stream, header(kind, style), cursor, excel=excel)


def _checkins(zone: LocalZone, narrow: _Filter) -> _Select:
    narrow.for_customers("k.customer_id")
    if narrow.lo is not None:
        narrow.add("k.at >= :lo", lo=narrow.lo)
    if narrow.hi is not None:
        narrow.add("k.at < :hi", hi=narrow.hi)
    return _Select(
        (
            _Column("n.value", Cell("n.cell", "n.cell", "n.nul"), "n.name"),
            *_moment(zone, "k.at"),
            _plain("k.temperature"),
            _plain(_word_sql("k.temperature")),
            _plain("k.channel"),
            _plain("k.initiated_by"),
            _text("k.note"),
            _text("k.fell_short"),
            _day("k.follow_up"),
            _text("p.name"),
            _text("i.uid"),
            _text("k.uid"),
        ),
        # Joined on primary keys (at most one row each), so each is read once per row
        # however often the cell's expression names it.
        "FROM checkins k JOIN names n ON n.id = k.customer_id"
        " LEFT JOIN contacts p ON p.id = k.contact_id LEFT JOIN issues i ON i.id = k.issue_id"
        f"{narrow.sql} ORDER BY k.at, k.id",
        prefix=_NAMES,
    )


def _customers(zone: LocalZone, narrow: _Filter) -> _Select:
    narrow.for_customers("c.id")
    last = "(CASE WHEN s.recent <> '' THEN CAST(substr(s.recent, 1, 1) AS INTEGER) END)"
    return _Select(
        (
            _text("c.name"),
            _plain("c.kind"),
            _plain("c.status"),
            _plain("c.cadence_days"),
            _text("c.contact"),
            _text("c.notes"),
            _day("c.paused_until"),
            *_moment(zone, "c.created_at"),
            *_moment(zone, "s.last_at"),
            _plain(last),
            _plain(_word_sql(last)),
            _text("c.owner"),
            _day("c.renewal_on"),
            _text(
                "(SELECT group_concat(tag, ' ') FROM (SELECT t.tag FROM customer_tags t"
                " WHERE t.customer_id = c.id ORDER BY t.tag))"
            ),
            _text("c.uid"),
        ),
        "FROM customers c LEFT JOIN contact_summary s ON s.customer_id = c.id"
        f"{narrow.sql} ORDER BY c.name_key, c.id",
    )


def _contacts(zone: LocalZone, narrow: _Filter) -> _Select:
    narrow.for_customers("p.customer_id")
    return _Select(
        (
            _text("c.name"),
            _text("p.name"),
            _text("p.role"),
            _text("p.email"),
            _text("p.phone"),
            _plain("(CASE WHEN p.is_primary THEN 'yes' ELSE 'no' END)"),
            _text("p.notes"),
            *_moment(zone, "p.gone_at"),
            *_moment(zone, "p.created_at"),
            _text("p.uid"),
        ),
        "FROM contacts p JOIN customers c ON c.id = p.customer_id"
        f"{narrow.sql} ORDER BY c.name_key, c.id, p.is_primary DESC, p.name_key, p.id",
    )


def _issues(zone: LocalZone, narrow: _Filter) -> _Select:
    """Issues open at any moment of the range: opened before its end, not closed before it."""
    narrow.for_customers("i.customer_id")
    if narrow.hi is not None:
        narrow.add("i.opened_at < :hi", hi=narrow.hi)
    if narrow.lo is not None:
        narrow.add("(x.closed_at IS NULL OR x.closed_at >= :lo)", lo=narrow.lo)
    return _Select(
        (
            _text("c.name"),
            _text("i.title"),
            _text("i.detail"),
            _plain("i.raised_by"),
            *_moment(zone, "i.opened_at"),
            _day("i.due"),
            _plain("(CASE WHEN x.id IS NULL THEN 'open' ELSE 'closed' END)"),
            *_moment(zone, "x.closed_at"),
            _text("x.resolution"),
            _text("i.uid"),
        ),
        "FROM issues i JOIN customers c ON c.id = i.customer_id"
        " LEFT JOIN issue_closures x ON x.issue_id = i.id"
        f"{narrow.sql} ORDER BY i.opened_at, i.id",
    )


def _promises(zone: LocalZone, narrow: _Filter) -> _Select:
    """Promises open at any moment of the range: made before its end, not settled before it."""
    narrow.for_customers("p.customer_id")
    if narrow.hi is not None:
        narrow.add("p.made_at < :hi", hi=narrow.hi)
    if narrow.lo is not None:
        narrow.add("(s.settled_at IS NULL OR s.settled_at >= :lo)", lo=narrow.lo)
    return _Select(
        (
            _text("c.name"),
            _text("p.text"),
            *_moment(zone, "p.made_at"),
            _day("p.due"),
            _plain("(CASE WHEN s.id IS NULL THEN 'open' ELSE s.outcome END)"),
            _day("s.settled_on"),
            _text("s.note"),
            _text("p.uid"),
        ),
        "FROM promises p JOIN customers c ON c.id = p.customer_id"
        " LEFT JOIN promise_settlements s ON s.promise_id = p.id"
        f"{narrow.sql} ORDER BY p.due, p.id",
    )


def _followups(zone: LocalZone, narrow: _Filter) -> _Select:
    """Follow-ups whose (snoozed) due date falls in the range."""
    narrow.for_customers("f.customer_id")
    if narrow.since is not None:
        narrow.add("f.effective_due >= :since_day", since_day=narrow.since.isoformat())
    if narrow.until is not None:
        narrow.add("f.effective_due <= :until_day", until_day=narrow.until.isoformat())
    return _Select(
        (
            _text("c.name"),
            _day("f.effective_due"),
            _day("f.due"),
            _text("f.note"),
            _plain("(CASE WHEN d.at IS NULL THEN 'open' ELSE 'done' END)"),
            *_moment(zone, "d.at"),
            *_moment(zone, "f.created_at"),
            _text("f.uid"),
        ),
        "FROM f JOIN customers c ON c.id = f.customer_id"
        " LEFT JOIN (SELECT followup_id, min(at) AS at FROM followup_events"
        " WHERE kind = 'done' GROUP BY followup_id) d ON d.followup_id = f.id"
        f"{narrow.sql} ORDER BY f.effective_due, f.id",
        prefix=f"WITH f AS (SELECT f.*, {EFFECTIVE_DUE} AS effective_due FROM followups f) ",
    )


_QUERIES = {
    "checkins": _checkins,
    "customers": _customers,
    "contacts": _contacts,
    "issues": _issues,
    "promises": _promises,
    "followups": _followups,
}
# The stored-time columns each kind shows; their range decides which offsets the zone needs.
_TIME_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "checkins": (("checkins", "at"),),
    "customers": (("customers", "created_at"), ("contact_summary", "last_at")),
    "contacts": (("contacts", "created_at"), ("contacts", "gone_at")),
    "issues": (("issues", "opened_at"), ("issue_closures", "closed_at")),
    "promises": (("promises", "made_at"),),
    "followups": (("followups", "created_at"), ("followup_events", "at")),
}


def _word_sql(expression: str) -> str:
    """The temperature word for a 1-5 expression (words are our constants, not input)."""
    cases = " ".join(f"WHEN {value} THEN '{word}'" for value, word in WORDS.items())
    return f"(CASE {expression} {cases} END)"


def _day_start(day: date) -> str:
    """Local midnight at the start of ``day``, as stored UTC text."""
    return clock.to_stored(datetime.combine(day, datetime.min.time()).astimezone())


# --- local time in SQL -------------------------------------------------------------------------

_STAMP = "%Y-%m-%dT%H:%M:%S"
_SCAN_STEP = 6 * 3600  # no real zone changes its offset twice within six hours
_SCAN_FROM = datetime(1800, 1, 1, tzinfo=UTC)
_SCAN_TO = datetime(2200, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class LocalZone:
    """The local zone's offsets over a time range: ``(from, offset seconds)`` pairs.

    ``from`` is stored UTC text (the first segment has ``None``: since ever).
    """

    segments: tuple[tuple[str | None, int], ...]
    # How the builders show times: "iso" (one ISO-8601 column), "excel" (local
    # ``2026-05-31 23:13:34`` and a ``UTC+01:00`` column) or "xlsx" (a day number
    # and the offset column).
    style: str = "iso"

    def sql(self, column: str, form: str = "iso") -> str:
        """SQL turning stored UTC ``column`` into local time (NULL stays NULL).

        ``form``: "iso" ISO-8601 with offset; "wall" ``2026-05-31 23:13:34``;
        "offset" ``UTC+01:00``; "serial" the spreadsheet day number of the local time.
        """
        first, *later = self.segments
        if not later:
            return _shifted(column, first[1], form)
        branches = " ".join(
            f"WHEN {column} >= '{start}' THEN {_shifted(column, offset, form)}"
            for start, offset in reversed(later)  # newest first: most rows are recent
        )
        return f"(CASE {branches} ELSE {_shifted(column, first[1], form)} END)"


_WALL = "%Y-%m-%d %H:%M:%S"


def _shifted(column: str, offset: int, form: str = "iso") -> str:
    # substr drops the fraction: SQLite would round .9996 s up, Python truncates.
    stamp = f"substr({column}, 1, 19)"
    shift = f"'{offset:+d} seconds'"
    if form == "offset":
        return f"(CASE WHEN {column} IS NOT NULL THEN 'UTC{offset_text(offset)}' END)"
    if form == "wall":
        return f"strftime('{_WALL}', {stamp}{f', {shift}' if offset else ''})"
    if form == "serial":
        seconds = f"(CAST(strftime('%s', {stamp}) AS INTEGER) + {offset})"
        return (
            f"(CASE WHEN {column} >= '{_SERIAL_FROM}'"
            f" THEN {seconds} / 86400.0 + {_UNIX_DAY_ZERO} END)"
        )
    if not offset:  # UTC: the stored text already is the wall time
        return f"({stamp} || '+00:00')"
    return f"(strftime('{_STAMP}', {stamp}, {shift}) || '{offset_text(offset)}')"


_UNIX_DAY_ZERO = 25569  # 1970-01-01 as a spreadsheet day number


def offset_text(seconds: int) -> str:
    """An offset as ``datetime.isoformat`` writes it: ``+01:00``, ``-03:30``, ``+00:53:28``."""
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def local_zone(lo: datetime | None, hi: datetime | None) -> LocalZone:
    """The local offsets in force between ``lo`` and ``hi`` (aware datetimes)."""
    if lo is None or hi is None:
        now = clock.now()
        lo, hi = lo or hi or now, hi or lo or now
    lo, hi = max(lo, _SCAN_FROM), min(max(hi, lo), _SCAN_TO)
    start, end = int(lo.timestamp()) - 1, int(hi.timestamp()) + 1
    offset = _gmtoff(start)
    segments: list[tuple[str | None, int]] = [(None, offset)]
    moment = start
    while moment < end:
        step = min(moment + _SCAN_STEP, end)
        if _gmtoff(step) == offset:
            moment = step
            continue
        before, after = moment, step  # offset(before) == offset != offset(after)
        while after - before > 1:
            middle = (before + after) // 2
            if _gmtoff(middle) == offset:
                before = middle
            else:
                after = middle
        offset = _gmtoff(after)
        segments.append((clock.to_stored(datetime.fromtimestamp(after, UTC)), offset))
        moment = after
    return LocalZone(tuple(segments))


def _gmtoff(timestamp: int) -> int:
    return time.localtime(timestamp).tm_gmtoff


def _zone_for(
    conn: sqlite3.Connection,
    kind: str,
    lo: str | None,
    hi: str | None,
    customer_id: int | None,
) -> LocalZone:
    """The zone over the stored times this export can show (one min/max query at most)."""
    if kind == "checkins" and lo is not None and hi is not None:
        first, last = lo, hi
    else:
        parts, params = [], []
        for table, column in _TIME_COLUMNS[kind]:
            # Table and column names are our constants above.
            sql = f"SELECT min({column}) AS a, max({column}) AS b FROM {table}"
            if kind == "checkins" and customer_id is not None:
                sql += " WHERE customer_id = ?"
                params.append(customer_id)
            parts.append(sql)
        first, last = conn.execute(
            f"SELECT min(a), max(b) FROM ({' UNION ALL '.join(parts)})", params
        ).fetchone()
        if kind == "checkins":
            first, last = lo or first, hi or last
    return local_zone(
        clock.from_stored(first) if first else None, clock.from_stored(last) if last else None
    )


# --- dashboard and calendar --------------------------------------------------------------------


def dashboard_header() -> list[str]:
    """The dashboard export's columns: ``tempcheck list --format csv``'s, then the extras."""
    blank = DashboardRow(
        customer_id=0,
        name="",
        kind="",
        cadence_days=1,
        contact="",
        last_at=None,
        days_since=None,
        staleness=next(iter(Staleness)),
    )
    return [*as_record(blank), *DASHBOARD_EXTRA]


def _dashboard_records(
    conn: sqlite3.Connection,
    customer_id: int | None,
    name_part: str | None,
    tag: str | None = None,
) -> list[tuple[object, dict[str, object]]]:
    """The dashboard's rows in its order, each with its export record (ISO-8601 times)."""
    # One customer asked for by name is shown even when paused or ended.
    rows = dashboard_rows(conn, include_inactive=customer_id is not None, customer_id=customer_id)
    if name_part:
        rows = [row for row in rows if name_part in key(row.name)]
    if tag:
        tagged = customers_tagged(conn, tag)
        rows = [row for row in rows if row.customer_id in tagged]
    uids = dict(conn.execute("SELECT id, uid FROM customers"))
    return [
        (
            row,
            {
                **as_record(row),
                "last_temperature_word": temperature.word(row.last_temperature) or None,
                "uid": uids.get(row.customer_id),
            },
        )
        for row in rows
    ]


def _write_dashboard(
    conn: sqlite3.Connection,
    stream: IO[str],
    customer_id: int | None,
    excel: bool,
    name_part: str | None = None,
    tag: str | None = None,
) -> int:
    records = [record for _, record in _dashboard_records(conn, customer_id, name_part, tag)]
    if excel:  # local date-time and its offset in a column of its own
        columns = header("dashboard", "excel")
        for record in records:
            wall, offset = _wall_and_offset(record["last_contact"])
            record.update(last_contact=wall, last_contact_offset=offset)
        records = [{name: record[name] for name in columns} for record in records]
        return write_records(stream, records, header=columns, excel=True)
    return write_records(stream, records, header=dashboard_header(), excel=excel)


def _wall_and_offset(iso: object) -> tuple[str | None, str | None]:
    """``2026-05-31T23:13:34+01:00`` as ``("2026-05-31 23:13:34", "UTC+01:00")``."""
    if not isinstance(iso, str):
        return None, None
    moment = datetime.fromisoformat(iso)
    offset = moment.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    return moment.strftime(_WALL), f"UTC{offset_text(seconds)}"


def _dashboard_values(
    conn: sqlite3.Connection,
    customer_id: int | None,
    name_part: str | None,
    tag: str | None = None,
) -> tuple[tuple[str, ...], tuple[str | None, ...], list[list[object]]]:
    """The dashboard for a workbook: day numbers for dates and times, numbers as numbers."""
    columns = header("dashboard", "xlsx")
    formats = tuple(
        TIME if name == "last_contact" else DATE if name == "next_due" else None for name in columns
    )
    rows: list[list[object]] = []
    for row, record in _dashboard_records(conn, customer_id, name_part, tag):
        wall, offset = _wall_and_offset(record["last_contact"])
        record["last_contact"] = _serial(datetime.strptime(wall, _WALL)) if wall else None
        record["last_contact_offset"] = offset
        due = getattr(row, "next_due", None)
        record["next_due"] = _serial(datetime.combine(due, datetime.min.time())) if due else None
        for flag in ("call_first", "recalibrate"):
            if isinstance(record[flag], bool):
                record[flag] = "yes" if record[flag] else "no"
        rows.append([record[name] for name in columns])
    return columns, formats, rows


def _serial(moment: datetime) -> float | str:
    """A naive local date-time as a spreadsheet day number (text before 1900-03-01)."""
    if moment < datetime(1900, 3, 1):
        return moment.strftime(_WALL)
    delta = moment - datetime(1899, 12, 30)
    return delta.days + delta.seconds / 86400


def _write_ics(conn: sqlite3.Connection, stream: IO[str], customer_id: int | None) -> int:
    data = calendar_bytes(conn, customer_id=customer_id)
    stream.write(data.decode("utf-8"))
    return data.count(b"BEGIN:VEVENT")


SORT_THREADS = 4  # at most, and no more than there are cores


@contextlib.contextmanager
def _snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction, so the zone range and the rows come from the same moment.

    Meanwhile SQLite may sort with helper threads (the rows of a big export are sorted
    in pieces that are then merged: with a second core, in half the time)."""
    threads = conn.execute("PRAGMA threads").fetchone()[0]
    conn.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, SORT_THREADS)}")
    try:
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")
    finally:
        conn.execute(f"PRAGMA threads = {int(threads)}")


def _kind(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise StoreError(f"unknown export {kind!r}: choose one of {', '.join(KINDS)}") from None
