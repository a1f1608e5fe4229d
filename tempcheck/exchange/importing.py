"""CSV import of customers and check-ins: all or nothing, every bad row named by its line.

Files are read as UTF-8 (a byte-order mark is fine) with a header row matched
case-insensitively. Everything happens in one write transaction: if any row
is wrong, every problem is collected with its line number, the transaction
is rolled back and :class:`ImportFailed` carries the list, so a user fixes
the file once instead of once per error. ``dry_run`` runs the same checks
and writes, then rolls back.

``import_checkins`` reads what ``tempcheck export checkins`` writes (the
``'`` formula prefix is removed again) and skips rows whose ``uid`` is
already present, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from tempcheck.domain import clock
from tempcheck.domain.cadence import parse_cadence
from tempcheck.domain.fileformat import engine_loaded
from tempcheck.domain.matching import key
from tempcheck.domain.people import clean_tag
from tempcheck.domain.records import CHANNELS, KINDS, REACHED_OUT, STATUSES
from tempcheck.domain.temperature import WORDS, parse_temperature
from tempcheck.exchange import transfer
from tempcheck.exchange.csvformat import restore
from tempcheck.store import accounts, contacts, settings
from tempcheck.store.connection import StoreError, open_db, write
from tempcheck.store.contacts import add_contact
from tempcheck.store.contacts import check_name as check_person
from tempcheck.store.customers import MAX_NAME, check_name
from tempcheck.store.migrations import UUID_SQL
from tempcheck.store.summary import bulk_checkins, catch_up_search_index

CUSTOMER_COLUMNS = (
    "name",
    "cadence",
    "kind",
    "contact",
    "notes",
    "uid",
    "created_at",
    "status",
    "paused_until",
    "created_at_offset",
    "owner",
    "renewal_on",
    "tags",
)
CONTACT_COLUMNS = (
    "customer",
    "name",
    "role",
    "email",
    "phone",
    "primary",
    "notes",
    "gone_at",
    "gone_at_offset",
    "created_at",
    "created_at_offset",
    "uid",
)
CHECKIN_COLUMNS = (
    "customer",
    "at",
    "temperature",
    "temperature_word",
    "channel",
    "initiated_by",
    "note",
    "fell_short",
    "follow_up",
    "uid",
    "at_offset",
    "person",
    "issue_uid",
)
_ALIASES = {
    "cadence_days": "cadence",
    "temp": "temperature",
    "renewal": "renewal_on",
    "with": "person",
    "contact": "person",
}
_CUSTOMER_ALIASES = {"cadence_days": "cadence", "renewal": "renewal_on"}
# Columns our own exports write that an import deliberately leaves alone.
_EXPORT_ONLY = {
    "last_contact",
    "last_contact_offset",
    "last_temperature",
    "last_temperature_word",
}
_UID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{7,63}")
MAX_FIELD = 64 * 1024 * 1024  # one cell; far above any note a person writes


@dataclass(frozen=True)
class Problem:
    """Why one row (by its first line in the file) cannot be imported."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    kind: str
    added: int = 0
    updated: int = 0
    already_present: int = 0
    followups: int = 0
    created_customers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False


class ImportFailed(StoreError):
    """Some rows are wrong; nothing was imported. ``problems`` lists every one."""

    def __init__(self, path: Path, problems: list[Problem], warnings: list[str]) -> None:
        self.path = path
        self.problems = sorted(problems, key=lambda problem: problem.line)
        self.warnings = warnings
        rows = (
            "1 row has a problem" if len(problems) == 1 else f"{len(problems)} rows have problems"
        )
        super().__init__(f"{path}: {rows}; nothing was imported")


class _RowError(ValueError):
    """One row's reasons, joined; collected into a :class:`Problem`."""


class _Rollback(Exception):
    """Raised at the end of a dry run to undo its writes."""


# --- customers ----------------------------------------------------------------------------------


@dataclass
class _CustomerRow:
    line: int
    name: str
    cadence: int | None
    kind: str | None
    contact: str | None
    notes: str | None
    uid: str | None
    created_at: datetime | None
    owner: str | None = None
    renewal_on: date | None = None
    tags: list[str] | None = None
    status: str | None = None
    paused_until: date | None = None


def import_customers(
    conn: sqlite3.Connection,
    path: str | os.PathLike[str],
    *,
    update: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Add the customers in a CSV file (name, cadence, kind, contact, notes).

    A name that already exists (ignoring case) is a problem unless ``update``,
    which then overwrites the fields the file gives (empty cells change nothing).
    Raises :class:`ImportFailed` listing every bad row, or StoreError for a bad file.
    """
    source = Path(path).expanduser()
    report = ImportReport("customers", dry_run=dry_run)
    problems: list[Problem] = []
    with _transaction(conn, dry_run):
        rows = _read_customers(source, report, problems)
        writes = _match_existing(conn, rows, update, problems)
        if problems:
            raise ImportFailed(source, problems, report.warnings)
        default_cadence = settings.get_int(conn, "cadence.default")
        now = clock.to_stored(clock.now())
        for row, customer_id in writes:
            if customer_id is None:
                customer_id = _insert_customer(conn, row, default_cadence, now)
                report.added += 1
            else:
                _update_customer(conn, row, customer_id)
                report.updated += 1
            _account_fields(conn, row, customer_id)
            _import_status(conn, row, customer_id, now)
    return report


def _account_fields(conn: sqlite3.Connection, row: _CustomerRow, customer_id: int) -> None:
    """The primary contact, owner, renewal date and tags a customer row gives."""
    if row.contact:
        contacts.set_primary_name(conn, customer_id, row.contact)
    if row.owner is not None:
        accounts.set_owner(conn, customer_id, row.owner)
    if row.renewal_on is not None:
        accounts.set_renewal(conn, customer_id, row.renewal_on)
    if row.tags is not None:
        accounts.set_tags(conn, customer_id, row.tags)


def _read_customers(
    source: Path, report: ImportReport, problems: list[Problem]
) -> list[_CustomerRow]:
    """The file's valid rows; bad ones and repeats within the file go to ``problems``."""
    records = _records(source)
    columns = _header(
        source,
        records,
        CUSTOMER_COLUMNS,
        required=("name",),
        report=report,
        aliases=_CUSTOMER_ALIASES,
    )
    rows: list[_CustomerRow] = []
    names: dict[str, int] = {}  # name key -> line
    uids: dict[str, int] = {}
    try:
        for line, cells in records:
            try:
                row = _customer_row(line, columns, cells)
            except _RowError as exc:
                problems.append(Problem(line, str(exc)))
                continue
            if (earlier := names.get(key(row.name))) is not None:
                problems.append(Problem(line, f"{row.name!r} is already on line {earlier}"))
            elif row.uid is not None and (earlier := uids.get(row.uid)) is not None:
                problems.append(Problem(line, f"uid {row.uid} is already on line {earlier}"))
            else:
                names[key(row.name)] = line
                if row.uid is not None:
                    uids[row.uid] = line
                rows.append(row)
    except _Malformed as bad:
        problems.append(bad.problem)
    return rows


def _match_existing(
    conn: sqlite3.Connection, rows: list[_CustomerRow], update: bool, problems: list[Problem]
) -> list[tuple[_CustomerRow, int | None]]:
    """Each row with the id of the customer it updates (None: a new one), or a problem."""
    writes: list[tuple[_CustomerRow, int | None]] = []
    for row in rows:
        existing = conn.execute(
            "SELECT id, name, uid FROM customers WHERE name_key = ?", (key(row.name),)
        ).fetchone()
        owner = None
        if row.uid is not None:
            owner = conn.execute("SELECT name FROM customers WHERE uid = ?", (row.uid,)).fetchone()
        if existing is None and owner is not None:
            problems.append(Problem(row.line, f"uid {row.uid} already belongs to {owner[0]!r}"))
        elif existing is None:
            writes.append((row, None))
        elif not update:
            message = f"a customer named {existing[1]!r} already exists (use --update to update it)"
            problems.append(Problem(row.line, message))
        elif row.uid is not None and row.uid != existing[2]:
            problems.append(Problem(row.line, f"uid {row.uid} is not {existing[1]!r}'s uid"))
        else:
            writes.append((row, existing[0]))
    return writes


def _customer_row(line: int, columns: _Header, cells: list[str]) -> _CustomerRow:
    reasons: list[str] = []
    cell = columns.cells(cells, reasons)
    name = restore(cell("name")).strip()
    row = _CustomerRow(line, name, None, None, None, None, None, None)
    if not name:
        reasons.append("the name is empty")
    else:
        try:
            row.name = check_name(name)
        except StoreError as exc:
            reasons.append(str(exc))
    if text := cell("cadence").strip():
        try:
            row.cadence = parse_cadence(text)
        except ValueError as exc:
            reasons.append(str(exc))
    if text := cell("kind").strip():
        if text.lower() in KINDS:
            row.kind = text.lower()
        else:
            reasons.append(f"kind must be {' or '.join(KINDS)}, not {text!r}")
    if text := restore(cell("contact")).strip():
        try:
            row.contact = check_person(text)
        except StoreError as exc:
            reasons.append(f"contact: {exc}")
    if text := restore(cell("notes")):
        row.notes = text
    if text := restore(cell("owner")).strip():
        row.owner = text
    if text := cell("renewal_on").strip():
        try:
            row.renewal_on = date.fromisoformat(text)
        except ValueError:
            reasons.append(f"renewal_on must be a date like 2027-03-31, not {text[:40]!r}")
    if text := restore(cell("tags")).strip():
        try:
            row.tags = [clean_tag(t) for t in text.replace(",", " ").split()]
        except ValueError as exc:
            reasons.append(str(exc))
    row.uid = _uid(cell("uid"), reasons)
    if text := cell("created_at").strip():
        try:
            row.created_at = parse_moment(text, cell("created_at_offset"))
        except ValueError as exc:
            reasons.append(f"created_at: {exc}")
    if text := cell("status").strip().lower():
        if text in STATUSES:
            row.status = text
        else:
            reasons.append(f"status must be {', '.join(STATUSES)}, not {text!r}")
    if text := cell("paused_until").strip():
        try:
            row.paused_until = clock.check_day(date.fromisoformat(text), "paused_until")
        except ValueError as exc:
            shown = str(exc) if str(exc).startswith("paused_until") else None
            reasons.append(shown or f"paused_until must be a date like 2026-12-01, not {text!r}")
        if row.status not in (None, "paused"):
            reasons.append(f"paused_until goes with status paused, not {row.status}")
        row.status = "paused"
    if reasons:
        raise _RowError("; ".join(reasons))
    return row


def _insert_customer(
    conn: sqlite3.Connection, row: _CustomerRow, default_cadence: int, now: str
) -> int:
    values = {
        "name": row.name,
        "name_key": key(row.name),
        "kind": row.kind or "relationship",
        "cadence_days": row.cadence or default_cadence,
        "notes": row.notes or "",
        "created_at": clock.to_stored(row.created_at) if row.created_at else now,
    }
    if row.uid is not None:
        values["uid"] = row.uid
    # Column names are the fixed keys above; the values are parameters.
    return conn.execute(
        f"INSERT INTO customers ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
        tuple(values.values()),
    ).lastrowid


def _import_status(conn: sqlite3.Connection, row: _CustomerRow, customer_id: int, now: str) -> None:
    """A paused or ended customer stays so, with the change kept as a customer event."""
    if row.status is None:
        return
    status, until = conn.execute(
        "SELECT status, paused_until FROM customers WHERE id = ?", (customer_id,)
    ).fetchone()
    wanted = row.paused_until.isoformat() if row.paused_until else None
    if status == row.status and (status != "paused" or until == wanted):
        return
    conn.execute(
        "INSERT INTO customer_events (customer_id, at, status, until, note) VALUES (?, ?, ?, ?, ?)",
        (customer_id, now, row.status, wanted, "imported"),
    )
    conn.execute(
        "UPDATE customers SET status = ?, paused_until = ? WHERE id = ?",
        (row.status, wanted if row.status == "paused" else None, customer_id),
    )


def _update_customer(conn: sqlite3.Connection, row: _CustomerRow, customer_id: int) -> None:
    conn.execute(
        "UPDATE customers SET kind = coalesce(?, kind), cadence_days = coalesce(?, cadence_days),"
        " notes = coalesce(?, notes) WHERE id = ?",
        (row.kind, row.cadence, row.notes, customer_id),
    )


# --- contacts -----------------------------------------------------------------------------------


def import_contacts(
    conn: sqlite3.Connection, path: str | os.PathLike[str], *, dry_run: bool = False
) -> ImportReport:
    """Add the people in a CSV file such as ``tempcheck export contacts`` writes.

    The customer must exist (exact name, ignoring case). A row whose uid is
    present is skipped; a person of the same name at the customer (say, made
    from the customers file's contact column) takes the row's fields and uid.
    """
    source = Path(path).expanduser()
    report = ImportReport("contacts", dry_run=dry_run)
    problems: list[Problem] = []
    with _transaction(conn, dry_run):
        records = _records(source)
        columns = _header(
            source,
            records,
            CONTACT_COLUMNS,
            required=("customer", "name"),
            report=report,
            aliases={},
        )
        customers = dict(conn.execute("SELECT name_key, id FROM customers"))
        seen: dict[tuple[int, str], int] = {}
        try:
            for line, cells in records:
                reasons: list[str] = []
                cell = columns.cells(cells, reasons)
                customer = restore(cell("customer")).strip()
                customer_id = customers.get(key(customer))
                if customer_id is None:
                    reasons.append(f"no customer named {customer!r} (import customers first)")
                fields: dict[str, Any] = {}
                try:
                    fields["name"] = contacts.check_name(restore(cell("name")))
                except StoreError as exc:
                    reasons.append(str(exc))
                for name in ("role", "email", "phone", "notes"):
                    fields[name] = restore(cell(name))
                primary = cell("primary").strip().lower()
                if primary not in ("", "yes", "no", "true", "false", "1", "0"):
                    reasons.append(f"primary must be yes or no, not {primary[:20]!r}")
                fields["primary"] = primary in ("yes", "true", "1")
                for name in ("gone_at", "created_at"):
                    fields[name] = None
                    if text := cell(name).strip():
                        try:
                            fields[name] = parse_moment(text, cell(f"{name}_offset"))
                        except ValueError as exc:
                            reasons.append(f"{name}: {exc}")
                uid = _uid(cell("uid"), reasons)
                if customer_id is not None and "name" in fields:
                    where = (customer_id, key(fields["name"]))
                    if where in seen:
                        reasons.append(f"{fields['name']!r} is already on line {seen[where]}")
                    seen[where] = line
                if reasons:
                    problems.append(Problem(line, "; ".join(reasons)))
                    continue
                if problems:
                    continue
                try:
                    _write_contact(conn, report, customer_id, fields, uid)
                except StoreError as exc:
                    problems.append(Problem(line, str(exc)))
        except _Malformed as bad:
            problems.append(bad.problem)
        if problems:
            raise ImportFailed(source, problems, report.warnings)
    return report


def _write_contact(
    conn: sqlite3.Connection,
    report: ImportReport,
    customer_id: int,
    fields: dict[str, Any],
    uid: str | None,
) -> None:
    if uid is not None:
        owner = conn.execute("SELECT customer_id FROM contacts WHERE uid = ?", (uid,)).fetchone()
        if owner is not None:
            if owner[0] != customer_id:
                raise StoreError(f"uid {uid} belongs to a contact at another customer")
            report.already_present += 1
            return
    existing = conn.execute(
        "SELECT id FROM contacts WHERE customer_id = ? AND name_key = ?",
        (customer_id, key(fields["name"])),
    ).fetchone()
    if existing is None:
        contacts.add_contact(
            conn,
            customer_id,
            fields["name"],
            role=fields["role"],
            email=fields["email"],
            phone=fields["phone"],
            notes=fields["notes"],
            primary=fields["primary"] and fields["gone_at"] is None,
            created_at=fields["created_at"],
            uid=uid,
            gone_at=fields["gone_at"],
        )
        report.added += 1
        return
    contact_id = existing[0]
    contacts.edit_contact(
        conn,
        contact_id,
        role=fields["role"],
        email=fields["email"],
        phone=fields["phone"],
        notes=fields["notes"],
        primary=True if fields["primary"] and fields["gone_at"] is None else None,
    )
    conn.execute(
        "UPDATE contacts SET gone_at = ?, created_at = coalesce(?, created_at),"
        " uid = coalesce(?, uid) WHERE id = ?",
        (
            clock.to_stored(fields["gone_at"]) if fields["gone_at"] else None,
            clock.to_stored(fields["created_at"]) if fields["created_at"] else None,
            uid,
            contact_id,
        ),
    )
    if fields["gone_at"] is not None:
        conn.execute("UPDATE contacts SET is_primary = 0 WHERE id = ?", (contact_id,))
    report.updated += 1


# --- check-ins ----------------------------------------------------------------------------------


def import_checkins(
    conn: sqlite3.Connection,
    path: str | os.PathLike[str],
    *,
    create_customers: bool = False,
    dry_run: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Add the check-ins in a CSV file such as ``tempcheck export checkins`` writes.

    Customers are matched by exact name (ignoring case); an unknown one is a
    problem unless ``create_customers``. A row whose ``uid`` is already in the
    database is skipped and counted in ``already_present``. A follow-up date
    today or later also becomes an open follow-up, as when logging.

    Streams the file: a million rows are never held in memory. They are read and
    checked into a private temporary database first, without the write lock, so the
    dashboard and ``tempcheck log`` keep working meanwhile; then one short
    transaction copies them in, all or nothing.
    """
    source = Path(path).expanduser()
    report = ImportReport("checkins", dry_run=dry_run)
    if conn.in_transaction:
        raise StoreError("an import needs its own transaction; finish the current one first")
    today = today or clock.today()
    with _own_connection(conn) as work, _staging(work):
        staged, new_customers = _stage_checkins(work, source, report, create_customers)
        if work is conn or not _transfer(work, report, staged, new_customers, dry_run, today):
            _copy_checkins(work, report, staged, new_customers, dry_run, today)
    return report


@contextlib.contextmanager
def _own_connection(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A private connection to the same file for the import, closed afterwards: the
    table transfer switches foreign keys off for its transaction and writes the search
    index's tables directly, which the caller's connection must not have cached (it
    sees the commit as another connection's). The caller's own connection for a team
    database (another engine) or one without a file."""
    path = conn.execute("SELECT file FROM pragma_database_list WHERE name = 'main'").fetchone()
    if engine_loaded() or not path or not path[0]:
        yield conn
        return
    work = open_db(path[0], create=False)
    try:
        yield work
    finally:
        work.close()


def _transfer(
    conn: sqlite3.Connection,
    report: ImportReport,
    staged: int,
    new_customers: dict[str, str],
    dry_run: bool,
    today: date,
) -> bool:
    """Lay the rows out beforehand, every reference resolved, and in the lock copy whole
    tables (into a database without check-ins) or the rows alone, their search index
    following in short transactions after it (see :mod:`tempcheck.exchange.transfer`).
    False: nothing was written, copy row by row.

    Ctrl-C waits from the copy on: the rows are then written or not, never in doubt; after
    a copy it stops the search index's catch-up (the first search finishes it)."""
    now = clock.to_stored(clock.now())
    # The staged table's references point at tables the staging database does not have.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        # The layout grows a unique index at random places in the staging database: room
        # for it while laying out, then for the user's file while copying (one at a time).
        with _cache(conn, _STAGE, 256):
            plan = transfer.prepare(conn, new_customers, today, now)
        if plan is None:
            return False
        created: list[str] = []

        def create_referenced(conn: sqlite3.Connection) -> None:
            created.extend(_create_referenced(conn, new_customers, now, people=plan.people))

        with _interrupts_held() as pressed:
            with _cache(conn, "main", 512):
                followups = transfer.copy(conn, plan, create_referenced, now, dry_run=dry_run)
            if followups is None:
                if pressed:
                    raise KeyboardInterrupt  # nothing written: stop, as asked
                return False
            report.created_customers.extend(created)
            report.added = plan.rows
            report.already_present = staged - plan.rows
            report.followups = followups
            if plan.append and not dry_run:
                try:
                    finished = catch_up_search_index(conn, stop=lambda: bool(pressed))
                except sqlite3.OperationalError:  # another program held the lock too long
                    finished = False
                if not finished:
                    report.warnings.append(
                        "the search index of these check-ins is not finished yet; the first"
                        " search finishes it"
                    )
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return True


@contextlib.contextmanager
def _interrupts_held() -> Iterator[list[bool]]:
    """Ctrl-C (SIGINT) during the block is noted in the list instead of raised at once.
    Only in the main thread, where Python handles signals (the dashboard imports in a
    worker thread)."""
    pressed: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield pressed
        return
    previous = signal.signal(signal.SIGINT, lambda *_: pressed.append(True))
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


_STAGE = "tempcheck_import"  # the schema name of the attached temporary database (transfer.STAGE)


@contextlib.contextmanager
def _staging(conn: sqlite3.Connection) -> Iterator[None]:
    """A private temporary database on disk (SQLite deletes it on detach) for the rows."""
    conn.execute(f"ATTACH DATABASE '' AS {_STAGE}")
    try:
        conn.execute(
            f"CREATE TABLE {_STAGE}.rows (line INTEGER PRIMARY KEY, uid TEXT,"
            " customer_key TEXT NOT NULL, at TEXT NOT NULL, temperature INTEGER NOT NULL,"
            " channel TEXT NOT NULL, initiated_by TEXT NOT NULL, note TEXT NOT NULL,"
            " fell_short TEXT NOT NULL, follow_up TEXT, person TEXT, person_key TEXT,"
            " issue_uid TEXT)"
        )
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.execute(f"DETACH DATABASE {_STAGE}")


def _stage_checkins(
    conn: sqlite3.Connection, source: Path, report: ImportReport, create_customers: bool
) -> tuple[int, dict[str, str]]:
    """Read and check every row into the staging table, holding no lock on the user's
    file (a WAL reader never blocks a writer). Returns the number of rows staged and the
    customers to create (name key -> name); raises ImportFailed listing every problem."""
    problems: list[Problem] = []
    latest = clock.now() + timedelta(days=1)
    insert = (
        f"INSERT INTO {_STAGE}.rows (line, uid, customer_key, at, temperature, channel,"
        " initiated_by, note, fell_short, follow_up, person, person_key, issue_uid)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    staged = 0
    batch: list[tuple] = []
    new_customers: dict[str, str] = {}
    missing_issues = 0
    conn.execute("BEGIN")  # writes only the staging database: no lock on the user's file
    records = _records(source)
    columns = _header(source, records, CHECKIN_COLUMNS, required=("customer", "at"), report=report)
    if "temperature" not in columns and "temperature_word" not in columns:
        raise StoreError(f"{source} has no temperature column")
    customers = {name_key for (name_key,) in conn.execute("SELECT name_key FROM main.customers")}
    try:
        for line, cells in records:
            try:
                row = _checkin_row(columns, cells, latest)
            except _RowError as exc:
                problems.append(Problem(line, str(exc)))
                continue
            name = row["customer"]
            name_key = key(name)
            if name_key not in customers and name_key not in new_customers:
                if not create_customers:
                    problems.append(
                        Problem(
                            line,
                            f"no customer named {name!r} (add it first, or use --create-customers)",
                        )
                    )
                    continue
                if problems:
                    continue  # nothing will be written; keep checking the rest
                new_customers[name_key] = check_name(name)
            if problems:
                continue
            if row["issue_uid"]:
                owner = conn.execute(
                    "SELECT c.name_key FROM main.issues i JOIN main.customers c"
                    " ON c.id = i.customer_id WHERE i.uid = ?",
                    (row["issue_uid"],),
                ).fetchone()
                if owner is None:
                    missing_issues += 1
                elif owner[0] != name_key:
                    wrong = f"issue {row['issue_uid']} is another customer's"
                    problems.append(Problem(line, wrong))
                    continue
            follow_up = row["follow_up"]
            person = row["person"]
            batch.append(
                (
                    line,
                    row["uid"],
                    name_key,
                    row["at"],
                    row["temperature"],
                    row["channel"],
                    row["initiated_by"],
                    row["note"],
                    row["fell_short"],
                    follow_up.isoformat() if follow_up else None,
                    person,
                    key(person) if person else None,
                    row["issue_uid"],
                )
            )
            if len(batch) >= 10_000:
                conn.executemany(insert, batch)
                staged += len(batch)
                batch.clear()
    except _Malformed as bad:
        problems.append(bad.problem)
    if problems:
        raise ImportFailed(source, problems, report.warnings)
    if missing_issues:
        report.warnings.append(
            f"{missing_issues} check-in(s) name an issue that is not in this database;"
            " they were imported without the link"
        )
    conn.executemany(insert, batch)
    staged += len(batch)
    conn.execute("COMMIT")
    return staged, new_customers


def _copy_checkins(
    conn: sqlite3.Connection,
    report: ImportReport,
    staged: int,
    new_customers: dict[str, str],
    dry_run: bool,
    today: date,
) -> None:
    """The one short write transaction: new customers, the check-ins in file order,
    their follow-ups, the contact summary rebuilt once."""
    with _cache(conn, "main", 512):
        _copy(conn, report, staged, new_customers, dry_run, today)


@contextlib.contextmanager
def _cache(conn: sqlite3.Connection, schema: str, mib: int) -> Iterator[None]:
    """Up to ``mib`` MiB of page cache for ``schema`` (main or the staging database)
    during the block, then SQLite's default 2 MB again, which open_db keeps. Rows arrive
    in file order, so their index entries land all over the tree: with the default cache
    most pages would be written many times."""
    conn.execute(f"PRAGMA {schema}.cache_size = {-1024 * mib}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA {schema}.cache_size = -2000")


def _copy(
    conn: sqlite3.Connection,
    report: ImportReport,
    staged: int,
    new_customers: dict[str, str],
    dry_run: bool,
    today: date,
) -> None:
    with _transaction(conn, dry_run), bulk_checkins(conn):
        now = clock.to_stored(clock.now())
        report.created_customers.extend(_create_referenced(conn, new_customers, now))
        transfer.refuse_lost_rows(conn, "main.customers")
        before = conn.execute("SELECT coalesce(max(id), 0) FROM checkins").fetchone()[0]
        # WHERE true: an upsert after a SELECT with a join needs it to parse.
        report.added = conn.execute(
            "INSERT INTO checkins (uid, customer_id, at, temperature, channel, initiated_by,"
            " note, fell_short, follow_up, contact_id, issue_id, created_at)"
            f" SELECT coalesce(r.uid, {UUID_SQL}), c.id, r.at, r.temperature, r.channel,"
            " r.initiated_by, r.note, r.fell_short, r.follow_up,"
            " (SELECT p.id FROM contacts p WHERE p.customer_id = c.id"
            " AND p.name_key = r.person_key),"
            " (SELECT i.id FROM issues i WHERE i.uid = r.issue_uid AND i.customer_id = c.id),"
            " :now"
            f" FROM {_STAGE}.rows r JOIN customers c ON c.name_key = r.customer_key"
            " WHERE true ORDER BY r.line ON CONFLICT (uid) DO NOTHING",
            {"now": now},
        ).rowcount
        report.already_present = staged - report.added
        report.followups = transfer.open_followups(conn, before, today, now)


def _checkin_row(columns: _Header, cells: list[str], latest: datetime) -> dict[str, Any]:
    reasons: list[str] = []
    cell = columns.cells(cells, reasons)
    row: dict[str, Any] = {}
    row["customer"] = name = restore(cell("customer")).strip()
    if not name:
        reasons.append("the customer is empty")
    elif len(name) > MAX_NAME:
        reasons.append(f"a customer name is at most {MAX_NAME} characters")
    text = cell("at").strip()
    if not text:
        reasons.append("at (when it happened) is empty")
    else:
        try:
            moment = parse_moment(text, cell("at_offset"))
        except ValueError as exc:
            reasons.append(f"at: {exc}")
        else:
            if moment > latest:
                reasons.append(f"at {text!r} is in the future")
            row["at"] = clock.to_stored(moment)
    number, word = cell("temperature").strip(), cell("temperature_word").strip()
    try:
        value = parse_temperature(number or word)
        if number and word and WORDS[value] != word.lower():
            reasons.append(f"temperature {number} is {WORDS[value]!r}, not {word!r}")
        row["temperature"] = value
    except ValueError as exc:
        reasons.append(str(exc) if (number or word) else "the temperature is empty")
    channel = cell("channel").strip().lower() or "hallway"
    if channel not in CHANNELS:
        reasons.append(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
    row["channel"] = channel
    by = cell("initiated_by").strip().lower() or "us"
    if by not in REACHED_OUT:
        reasons.append(f"initiated_by must be us or them, not {by!r}")
    row["initiated_by"] = by
    row["note"] = restore(cell("note"))
    row["fell_short"] = restore(cell("fell_short"))
    row["follow_up"] = None
    if text := cell("follow_up").strip():
        try:
            row["follow_up"] = clock.check_day(date.fromisoformat(text), "follow_up")
        except ValueError as exc:
            if str(exc).startswith("follow_up"):
                reasons.append(str(exc))
            else:
                reasons.append(f"follow_up must be a date like 2026-12-01, not {text!r}")
    row["uid"] = _uid(cell("uid"), reasons)
    row["person"] = None
    if text := restore(cell("person")).strip():
        try:
            row["person"] = check_person(text)
        except StoreError as exc:
            reasons.append(f"person: {exc}")
    row["issue_uid"] = _uid(cell("issue_uid"), reasons)
    if reasons:
        raise _RowError("; ".join(reasons))
    return row


def _create_referenced(
    conn: sqlite3.Connection, new_customers: dict[str, str], now: str, *, people: bool = True
) -> list[str]:
    """Inside the copy's transaction: the new customers the rows name (those another
    program has not added meanwhile) and, unless no row names one, the new people.
    Returns the customers' names."""
    default_cadence = settings.get_int(conn, "cadence.default")
    existing = {name_key for (name_key,) in conn.execute("SELECT name_key FROM customers")}
    created = []
    for name_key, name in new_customers.items():
        if name_key not in existing:  # another program may have added them meanwhile
            _create_customer(conn, name, default_cadence, now)
            created.append(name)
    if people:
        _add_people(conn)
    return created


def _create_customer(conn: sqlite3.Connection, name: str, cadence: int, now: str) -> int:
    name = check_name(name)
    return conn.execute(
        "INSERT INTO customers (name, name_key, cadence_days, created_at) VALUES (?, ?, ?, ?)",
        (name, key(name), cadence, now),
    ).lastrowid


def _add_people(conn: sqlite3.Connection) -> None:
    """The people the staged check-ins name who are not yet contacts of their customer,
    added once each (the first spelling in the file wins), as ``add_contact`` adds them."""
    for customer_id, person, _ in conn.execute(
        f"SELECT c.id, r.person, min(r.line) FROM {_STAGE}.rows r"
        " JOIN customers c ON c.name_key = r.customer_key WHERE r.person IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM contacts p WHERE p.customer_id = c.id"
        " AND p.name_key = r.person_key)"
        " GROUP BY c.id, r.person_key ORDER BY min(r.line)"
    ).fetchall():
        add_contact(conn, customer_id, person)


# --- reading the file ---------------------------------------------------------------------------


class _Malformed(Exception):
    """The CSV itself is broken at some line; reading cannot go on."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """``(first line, cells)`` for every non-blank record, decoding line by line."""
    try:
        handle = open(path, "rb")  # closed by the generator's with
    except FileNotFoundError:
        raise StoreError(f"no file at {path}") from None
    except IsADirectoryError:
        raise StoreError(f"{path} is a folder, not a CSV file") from None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    # Our own export writes notes of any length; the csv module's default limit is 128 KiB.
    csv.field_size_limit(MAX_FIELD)
    with handle:
        # strict: a quote left open swallows the rest of the file into one cell; say so.
        reader = csv.reader(_decoded(handle, path), strict=True)
        last = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                message = f"not valid CSV ({exc})"
                if "unexpected end of data" in str(exc):
                    message = (
                        'a quote (") opened in this row is never closed,'
                        " so the rest of the file would be one cell"
                    )
                raise _Malformed(Problem(last + 1, message)) from None
            start, last = last + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells


def _decoded(handle: Iterator[bytes], path: Path) -> Iterator[str]:
    """Lines as text; bytes that are not UTF-8 stop the import with the line they are on."""
    for number, raw in enumerate(handle, 1):
        if number == 1:
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise StoreError(f"{path} is UTF-16 text; save it as UTF-8 CSV and try again")
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StoreError(
                f"{path} is not UTF-8 text (line {number}, byte {exc.start + 1} of the line);"
                " save it as UTF-8 CSV and try again; nothing was imported"
            ) from None


def _header(
    path: Path,
    records: Iterator[tuple[int, list[str]]],
    known: tuple[str, ...],
    *,
    required: tuple[str, ...],
    report: ImportReport,
    aliases: dict[str, str] | None = None,
) -> _Header:
    """Column name → index from the first record; unknown columns become warnings."""
    try:
        _, cells = next(records)
    except StopIteration:
        raise StoreError(
            f"{path} is empty: it needs a header row ({','.join(known[:5])}) and rows below"
        ) from None
    except _Malformed as bad:
        raise StoreError(f"{path}: the header is not valid CSV ({bad.problem.message})") from None
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, raw in enumerate(cells):
        name = "_".join(raw.strip().casefold().replace("-", " ").split())
        name = (_ALIASES if aliases is None else aliases).get(name, name)
        if not name:
            continue
        if name in columns:
            raise StoreError(f"{path}: the column {raw.strip()!r} appears twice in the header")
        if name in known:
            columns[name] = index
        elif name not in _EXPORT_ONLY:
            unknown.append(raw.strip())
    missing = [name for name in required if name not in columns]
    if missing:
        shown = ", ".join(repr(cell.strip()) for cell in cells[:6])
        raise StoreError(
            f"{path} has no {' or '.join(missing)} column; the first row must be a header"
            f" with the columns {', '.join(known)} (it has {shown}); nothing was imported"
        )
    if unknown:
        report.warnings.append(f"ignoring unknown columns: {', '.join(unknown)}")
    return _Header(columns, len(cells))


@dataclass(frozen=True)
class _Header:
    index: dict[str, int]  # known column name -> position
    width: int

    def __contains__(self, name: str) -> bool:
        return name in self.index

    def cells(self, cells: list[str], reasons: list[str]) -> Callable[[str], str]:
        """A getter for one row's cells by column name (missing trailing cells are empty)."""
        if len(cells) > self.width and any(cell.strip() for cell in cells[self.width :]):
            reasons.append(f"{len(cells)} cells, more than the header's {self.width} columns")

        def get(name: str) -> str:
            position = self.index.get(name)
            if position is None or position >= len(cells):
                return ""
            return cells[position]

        return get


def parse_moment(text: str, offset: str = "") -> datetime:
    """An ISO-8601 date and time, with offset or local; a bare date means 12:00 local.

    ``offset`` is the ``<column>_offset`` cell of spreadsheet exports (``UTC+01:00``),
    which write ``2026-11-24 14:05:00`` and the offset beside it.
    """
    text = text.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(12))
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"expected a time like 2026-11-24T14:05:00+01:00 or 2026-11-24 14:05:00, not {text!r}"
        ) from None
    if zone := _utc_offset(offset):
        if moment.tzinfo is not None and moment.utcoffset() != zone.utcoffset(None):
            raise ValueError(f"{text!r} does not have the offset {offset.strip()!r}")
        moment = moment.replace(tzinfo=zone)
    try:
        moment = moment if moment.tzinfo is not None else moment.astimezone()
        clock.check_day(moment.astimezone(UTC).date(), "the date")
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before the calendar in UTC
        raise ValueError(f"{text!r} is outside the calendar") from None
    except ValueError as exc:
        raise ValueError(f"{text!r}: {exc}") from None
    return moment


_OFFSET = re.compile(r"(?:UTC|GMT)?\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?", re.IGNORECASE)


def _utc_offset(text: str) -> timezone | None:
    """``UTC+01:00``, ``+0100``, ``-03:30``, ``UTC``, ``Z`` as a zone; empty: None."""
    text = text.strip()
    if not text:
        return None
    if text.upper() == "Z":
        return UTC
    match = _OFFSET.fullmatch(text)
    if match is None or not match.group(0).strip():
        raise ValueError(f"the offset {text[:20]!r} is not like UTC+01:00")
    sign, hours, minutes = match.groups()
    if sign is None:
        return UTC
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta >= timedelta(hours=24):
        raise ValueError(f"the offset {text[:20]!r} is not like UTC+01:00")
    return timezone(-delta if sign == "-" else delta)


def _uid(text: str, reasons: list[str]) -> str | None:
    text = text.strip()
    if not text:
        return None
    if not _UID.fullmatch(text):
        reasons.append(f"uid {text[:70]!r} is not a UUID or ULID")
        return None
    return text


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection, dry_run: bool) -> Iterator[None]:
    """One write transaction for the whole import; a dry run rolls it back at the end."""
    if conn.in_transaction:
        raise StoreError("an import needs its own transaction; finish the current one first")
    try:
        with write(conn):
            yield
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
