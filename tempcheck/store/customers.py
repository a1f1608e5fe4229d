"""Customer rows: add, find by what someone typed, edit, pause, end."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from tempcheck.domain import clock
from tempcheck.domain.matching import key, match
from tempcheck.domain.records import KINDS, STATUSES, Customer
from tempcheck.store.connection import StoreError, write

_COLUMNS = (
    "id, uid, name, kind, cadence_days, contact, status, notes, created_at,"
    " paused_until, calibration_days, owner, renewal_on, domain"
)
MAX_NAME = 200


class CustomerNotFound(StoreError):
    """Nobody matches; ``suggestions`` holds close spellings, never acted on."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f" Did you mean {' or '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no customer matches {query!r}.{hint}")


class AmbiguousCustomer(StoreError):
    """Several customers match; ``candidates`` lists them."""

    def __init__(self, query: str, candidates: list[str]) -> None:
        self.query = query
        self.candidates = candidates
        super().__init__(f"{query!r} matches several customers: {', '.join(candidates)}")


def _row(row: tuple) -> Customer:
    return Customer(
        id=row[0],
        uid=row[1],
        name=row[2],
        kind=row[3],
        cadence_days=row[4],
        contact=row[5],
        status=row[6],
        notes=row[7],
        created_at=clock.from_stored(row[8]),
        paused_until=date.fromisoformat(row[9]) if row[9] else None,
        calibration_days=row[10],
        owner=row[11],
        renewal_on=date.fromisoformat(row[12]) if row[12] else None,
        domain=row[13],
    )


def check_name(name: str) -> str:
    """A name is required, trimmed and at most 200 characters."""
    cleaned = name.strip()
    if not cleaned:
        raise StoreError("a customer needs a name")
    if len(cleaned) > MAX_NAME:
        raise StoreError(f"a customer name is at most {MAX_NAME} characters")
    return cleaned


def add_customer(
    conn: sqlite3.Connection,
    name: str,
    *,
    cadence_days: int | None = None,
    kind: str = "relationship",
    contact: str = "",
    notes: str = "",
    created_at: datetime | None = None,
) -> Customer:
    """Add a customer; names are unique regardless of case."""
    from tempcheck.store import settings  # lazy: keeps tempcheck log fast

    name = check_name(name)
    if kind not in KINDS:
        raise StoreError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    with write(conn):
        if cadence_days is None:
            cadence_days = settings.get_int(conn, "cadence.default")
        if cadence_days < 1:
            raise StoreError("cadence must be at least 1 day")
        clash = conn.execute("SELECT name FROM customers WHERE name_key = ?", (key(name),))
        if (existing := clash.fetchone()) is not None:
            raise StoreError(f"a customer named {existing[0]!r} already exists")
        cursor = conn.execute(
            "INSERT INTO customers (name, name_key, kind, cadence_days, contact, notes,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                key(name),
                kind,
                cadence_days,
                contact.strip(),
                notes,
                clock.to_stored(created_at or clock.now()),
            ),
        )
        if contact.strip():  # the person becomes the primary contact (and the cached name)
            from tempcheck.store.contacts import set_primary_name  # lazy: keeps tempcheck log fast

            set_primary_name(conn, cursor.lastrowid, contact)
        return get_customer(conn, cursor.lastrowid)


def get_customer(conn: sqlite3.Connection, customer_id: int) -> Customer:
    row = conn.execute(f"SELECT {_COLUMNS} FROM customers WHERE id = ?", (customer_id,)).fetchone()
    if row is None:
        raise StoreError(f"no customer with id {customer_id}")
    return _row(row)


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM customers").fetchone()[0]


def by_key(conn: sqlite3.Connection, name: str) -> Customer | None:
    """The customer whose name equals ``name`` once normalised (case, spacing, Unicode)."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM customers WHERE name_key = ?", (key(name),)
    ).fetchone()
    return _row(row) if row is not None else None


def names(conn: sqlite3.Connection, *, include_inactive: bool = True) -> list[str]:
    sql = "SELECT name FROM customers"
    if not include_inactive:
        sql += " WHERE status = 'active'"
    return [row[0] for row in conn.execute(sql)]


def resolve(conn: sqlite3.Connection, query: str) -> Customer:
    """The one customer ``query`` means: exact, else a unique prefix, whole word or
    substring (see :func:`tempcheck.domain.matching.match`); a near miss raises."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM customers WHERE name_key = ?", (key(query),)
    ).fetchone()
    if row is not None:
        return _row(row)
    result = match(query, names(conn))
    if result.found is not None:
        found = conn.execute(
            f"SELECT {_COLUMNS} FROM customers WHERE name_key = ?", (key(result.found),)
        ).fetchone()
        return _row(found)
    if result.ambiguous:
        raise AmbiguousCustomer(query, result.candidates)
    raise CustomerNotFound(query, result.candidates)


def edit(
    conn: sqlite3.Connection,
    customer_id: int,
    *,
    name: str | None = None,
    cadence_days: int | None = None,
    kind: str | None = None,
    contact: str | None = None,
    notes: str | None = None,
    calibration_days: int | None = None,
) -> Customer:
    """Change a customer's profile fields; only the given ones change."""
    changes: dict[str, object] = {}
    if name is not None:
        name = check_name(name)
        changes |= {"name": name, "name_key": key(name)}
    if cadence_days is not None:
        if cadence_days < 1:
            raise StoreError("cadence must be at least 1 day")
        changes["cadence_days"] = cadence_days
    if kind is not None:
        if kind not in KINDS:
            raise StoreError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        changes["kind"] = kind
    if notes is not None:
        changes["notes"] = notes
    if calibration_days is not None:
        if calibration_days < 1:
            raise StoreError("calibration interval must be at least 1 day")
        changes["calibration_days"] = calibration_days
    with write(conn):
        get_customer(conn, customer_id)
        if "name_key" in changes:
            clash = conn.execute(
                "SELECT name FROM customers WHERE name_key = ? AND id != ?",
                (changes["name_key"], customer_id),
            ).fetchone()
            if clash:
                raise StoreError(f"a customer named {clash[0]!r} already exists")
        for column, value in changes.items():
            # Column names come from the fixed set above, never from user input.
            conn.execute(f"UPDATE customers SET {column} = ? WHERE id = ?", (value, customer_id))
        if contact is not None:  # the primary contact; customers.contact mirrors its name
            # lazy: keeps tempcheck log fast
            from tempcheck.store.contacts import clear_primary, set_primary_name

            if contact.strip():
                set_primary_name(conn, customer_id, contact)
            else:
                clear_primary(conn, customer_id)
        return get_customer(conn, customer_id)


def set_status(
    conn: sqlite3.Connection,
    customer_id: int,
    status: str,
    *,
    until: date | None = None,
    note: str = "",
) -> Customer:
    """Pause, end or reactivate; the change is kept as a ``customer_events`` row."""
    if status not in STATUSES:
        raise StoreError(f"status must be one of {', '.join(STATUSES)}")
    with write(conn):
        current = get_customer(conn, customer_id)
        if current.status == status and status != "paused":
            raise StoreError(f"{current.name} is already {status}")
        conn.execute(
            "INSERT INTO customer_events (customer_id, at, status, until, note)"
            " VALUES (?, ?, ?, ?, ?)",
            (customer_id, clock.to_stored(clock.now()), status, _iso(until), note),
        )
        conn.execute(
            "UPDATE customers SET status = ?, paused_until = ? WHERE id = ?",
            (status, _iso(until) if status == "paused" else None, customer_id),
        )
        return get_customer(conn, customer_id)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def set_domain(conn: sqlite3.Connection, customer_id: int, domain: str) -> str:
    """Set the customer's email domain (meetings with someone at it are theirs); '' clears it.

    Returns the domain as stored (``acme.com`` from ``@ACME.com`` or ``https://www.acme.com``).
    """
    from tempcheck.domain.meetings import normalise_domain  # lazy: keeps tempcheck log fast

    value = normalise_domain(domain) if domain.strip() else ""
    if domain.strip() and not value:
        raise StoreError(f"{domain!r} is not a domain such as acme.com")
    if len(value) > 253:
        raise StoreError("a domain is at most 253 characters")
    with write(conn):
        get_customer(conn, customer_id)
        if value:
            clash = conn.execute(
                "SELECT name FROM customers WHERE domain = ? AND id != ? AND status != 'ended'",
                (value, customer_id),
            ).fetchone()
            if clash:
                raise StoreError(
                    f"{clash[0]} already has the domain {value}: meetings at it would match both"
                )
        conn.execute("UPDATE customers SET domain = ? WHERE id = ?", (value, customer_id))
    return value
