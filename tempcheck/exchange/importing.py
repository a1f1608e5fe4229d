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
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from tempcheck.domain import clock
from tempcheck.domain.cadence import parse_cadence
from tempcheck.domain.matching import key
from tempcheck.domain.records import CHANNELS, KINDS, REACHED_OUT
from tempcheck.exchange.csvformat import restore
from tempcheck.store.connection import StoreError, write
from tempcheck.store.customers import MAX_NAME, check_name

CUSTOMER_COLUMNS = (
    "name",
    "cadence",
    "kind",
    "contact",
    "notes",
    "uid",
    "created_at",
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
    "created_at",
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
    "status",
    "paused_until",
    "last_contact",
    "last_temperature",
    "last_temperature_word",
}
_UID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{7,63}")


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
    from tempcheck.store import settings

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
    return report


def _account_fields(conn: sqlite3.Connection, row: _CustomerRow, customer_id: int) -> None:
    """The primary contact, owner, renewal date and tags a customer row gives."""
    from tempcheck.store import accounts, contacts

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
            from tempcheck.store.contacts import check_name as check_person

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
        from tempcheck.domain.people import clean_tag

        try:
            row.tags = [clean_tag(t) for t in text.replace(",", " ").split()]
        except ValueError as exc:
            reasons.append(str(exc))
    row.uid = _uid(cell("uid"), reasons)
    if text := cell("created_at").strip():
        try:
            row.created_at = parse_moment(text)
        except ValueError as exc:
            reasons.append(f"created_at: {exc}")
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
    from tempcheck.store import contacts

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
                            fields[name] = parse_moment(text)
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
    from tempcheck.store import contacts

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
    Streams the file: a million rows are never held in memory.
    """
    from tempcheck.store import settings
    from tempcheck.store.summary import bulk_checkins

    source = Path(path).expanduser()
    report = ImportReport("checkins", dry_run=dry_run)
    problems: list[Problem] = []
    today = today or clock.today()
    latest = clock.now() + timedelta(days=1)
    with _transaction(conn, dry_run), bulk_checkins(conn):
        records = _records(source)
        columns = _header(
            source, records, CHECKIN_COLUMNS, required=("customer", "at"), report=report
        )
        if "temperature" not in columns and "temperature_word" not in columns:
            raise StoreError(f"{source} has no temperature column")
        customers = dict(conn.execute("SELECT name_key, id FROM customers"))
        default_cadence = settings.get_int(conn, "cadence.default")
        now = clock.to_stored(clock.now())
        people: dict[tuple[int, str], int] = {
            (cid, name_key): pid
            for pid, cid, name_key in conn.execute("SELECT id, customer_id, name_key FROM contacts")
        }
        missing_issues = 0
        try:
            for line, cells in records:
                try:
                    row = _checkin_row(columns, cells, latest)
                except _RowError as exc:
                    problems.append(Problem(line, str(exc)))
                    continue
                name = row["customer"]
                customer_id = customers.get(key(name))
                if customer_id is None:
                    if not create_customers:
                        problems.append(
                            Problem(
                                line,
                                f"no customer named {name!r}"
                                " (add it first, or use --create-customers)",
                            )
                        )
                        continue
                    if problems:
                        continue  # nothing will be written; keep checking the rest
                    customer_id = _create_customer(conn, name, default_cadence, now)
                    customers[key(name)] = customer_id
                    report.created_customers.append(name)
                if problems:
                    continue
                row["issue_id"] = None
                if row["issue_uid"]:
                    issue = conn.execute(
                        "SELECT id, customer_id FROM issues WHERE uid = ?", (row["issue_uid"],)
                    ).fetchone()
                    if issue is None:
                        missing_issues += 1
                    elif issue[1] != customer_id:
                        problems.append(
                            Problem(line, f"issue {row['issue_uid']} is another customer's")
                        )
                        continue
                    else:
                        row["issue_id"] = issue[0]
                row["contact_id"] = None
                if row["person"]:
                    wanted = (customer_id, key(row["person"]))
                    if wanted not in people:
                        from tempcheck.store.contacts import add_contact

                        people[wanted] = add_contact(conn, customer_id, row["person"]).id
                    row["contact_id"] = people[wanted]
                _insert_checkin(conn, report, row, customer_id, now, today)
        except _Malformed as bad:
            problems.append(bad.problem)
        if problems:
            raise ImportFailed(source, problems, report.warnings)
        if missing_issues:
            report.warnings.append(
                f"{missing_issues} check-in(s) name an issue that is not in this database;"
                " they were imported without the link"
            )
    return report


def _checkin_row(columns: _Header, cells: list[str], latest: datetime) -> dict[str, Any]:
    from tempcheck.domain.temperature import WORDS, parse_temperature

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
            moment = parse_moment(text)
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
            row["follow_up"] = date.fromisoformat(text)
        except ValueError:
            reasons.append(f"follow_up must be a date like 2026-12-01, not {text!r}")
    row["uid"] = _uid(cell("uid"), reasons)
    row["person"] = None
    if text := restore(cell("person")).strip():
        from tempcheck.store.contacts import check_name as check_person

        try:
            row["person"] = check_person(text)
        except StoreError as exc:
            reasons.append(f"person: {exc}")
    row["issue_uid"] = _uid(cell("issue_uid"), reasons)
    if reasons:
        raise _RowError("; ".join(reasons))
    return row


def _create_customer(conn: sqlite3.Connection, name: str, cadence: int, now: str) -> int:
    name = check_name(name)
    return conn.execute(
        "INSERT INTO customers (name, name_key, cadence_days, created_at) VALUES (?, ?, ?, ?)",
        (name, key(name), cadence, now),
    ).lastrowid


_INSERT_CHECKIN = (
    "INSERT INTO checkins ({uid}customer_id, at, temperature, channel, initiated_by, note,"
    " fell_short, follow_up, contact_id, issue_id, created_at) VALUES ({uid_value}:customer_id,"
    " :at, :temperature, :channel, :initiated_by, :note, :fell_short, :follow_up, :contact_id,"
    " :issue_id, :created_at) ON CONFLICT (uid) DO NOTHING"
)
_WITH_UID = _INSERT_CHECKIN.format(uid="uid, ", uid_value=":uid, ")
_WITHOUT_UID = _INSERT_CHECKIN.format(uid="", uid_value="")


def _insert_checkin(
    conn: sqlite3.Connection,
    report: ImportReport,
    row: dict[str, Any],
    customer_id: int,
    now: str,
    today: date,
) -> None:
    follow_up = row["follow_up"]
    values = {
        **row,
        "customer_id": customer_id,
        "follow_up": follow_up.isoformat() if follow_up else None,
        "created_at": now,
    }
    cursor = conn.execute(_WITH_UID if row["uid"] else _WITHOUT_UID, values)
    if cursor.rowcount == 0:
        report.already_present += 1
        return
    report.added += 1
    if follow_up is not None and follow_up >= today:
        conn.execute(
            "INSERT INTO followups (customer_id, due, note, created_at, checkin_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (customer_id, follow_up.isoformat(), row["note"], now, cursor.lastrowid),
        )
        report.followups += 1


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
    with handle:
        reader = csv.reader(_decoded(handle, path))
        last = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _Malformed(Problem(last + 1, f"not valid CSV ({exc})")) from None
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


def parse_moment(text: str) -> datetime:
    """An ISO-8601 date and time, with offset or local; a bare date means 12:00 local."""
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(12)).astimezone()
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a time like 2026-11-24T14:05:00+01:00, not {text!r}") from None
    return moment if moment.tzinfo is not None else moment.astimezone()


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
