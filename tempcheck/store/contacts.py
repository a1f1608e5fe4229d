"""Contact rows: the people at each customer, their roles, and who is primary.

Contacts are never deleted, only marked gone, so check-ins keep their names.
One active contact per customer is primary; the first one added becomes it.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from tempcheck.domain import clock
from tempcheck.domain.brief import PersonFacts
from tempcheck.domain.matching import key
from tempcheck.domain.people import (
    MAX_CONTACT_FIELD,
    MAX_CONTACT_NAME,
    MAX_CONTACT_NOTES,
    Contact,
    safe_match,
)
from tempcheck.store.connection import StoreError, write

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_control_chars(text: str) -> bool:
    return _CONTROL.search(text) is not None


_COLUMNS = "id, uid, customer_id, name, role, email, phone, notes, is_primary, gone_at, created_at"


class ContactNotFound(StoreError):
    """Nobody at the customer matches; ``names`` lists who is there."""

    def __init__(self, query: str, customer: str, names: list[str]) -> None:
        self.query = query
        self.names = names
        hint = f" People there: {', '.join(names)}." if names else " Nobody is recorded there yet."
        super().__init__(f"nobody at {customer} matches {query!r}.{hint}")


class AmbiguousContact(StoreError):
    def __init__(self, query: str, candidates: list[str]) -> None:
        self.query = query
        self.candidates = candidates
        super().__init__(f"{query!r} matches several people: {', '.join(candidates)}")


@dataclass(frozen=True)
class Person:
    """A contact with the newest check-in that names them."""

    contact: Contact
    last_at: datetime | None
    last_temperature: int | None
    checkins: int


def _row(row: tuple) -> Contact:
    return Contact(
        id=row[0],
        uid=row[1],
        customer_id=row[2],
        name=row[3],
        role=row[4],
        email=row[5],
        phone=row[6],
        notes=row[7],
        is_primary=bool(row[8]),
        gone_at=clock.from_stored(row[9]) if row[9] else None,
        created_at=clock.from_stored(row[10]),
    )


def check_name(name: str) -> str:
    """A name is required, trimmed and bounded; otherwise kept exactly as typed."""
    cleaned = name.strip()
    if not cleaned:
        raise StoreError("a contact needs a name")
    if len(cleaned) > MAX_CONTACT_NAME:
        raise StoreError(f"a contact name is at most {MAX_CONTACT_NAME} characters")
    return cleaned


def _check_field(label: str, value: str, limit: int = MAX_CONTACT_FIELD) -> str:
    value = value.strip()
    if len(value) > limit:
        raise StoreError(f"a contact's {label} is at most {limit} characters")
    if label in ("email", "phone") and has_control_chars(value):
        raise StoreError(f"a contact's {label} cannot contain control characters")
    return value


def check_email(email: str) -> str:
    email = _check_field("email", email)
    if email and (
        email.count("@") != 1 or " " in email or email.startswith("@") or email.endswith("@")
    ):
        raise StoreError(f"{email!r} is not an email address")
    return email


def add_contact(
    conn: sqlite3.Connection,
    customer_id: int,
    name: str,
    *,
    role: str = "",
    email: str = "",
    phone: str = "",
    notes: str = "",
    primary: bool = False,
    created_at: datetime | None = None,
    uid: str | None = None,
    gone_at: datetime | None = None,
) -> Contact:
    """Add a person; the first active one at a customer becomes primary."""
    name = check_name(name)
    role = _check_field("role", role)
    email = check_email(email)
    phone = _check_field("phone", phone)
    notes = _check_field("notes", notes, MAX_CONTACT_NOTES)
    with write(conn):
        if conn.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is None:
            raise StoreError(f"no customer with id {customer_id}")
        clash = conn.execute(
            "SELECT name, gone_at FROM contacts WHERE customer_id = ? AND name_key = ?",
            (customer_id, key(name)),
        ).fetchone()
        if clash is not None:
            gone = " (marked gone)" if clash[1] else ""
            raise StoreError(f"{clash[0]!r}{gone} is already a contact there")
        has_primary = conn.execute(
            "SELECT 1 FROM contacts WHERE customer_id = ? AND is_primary = 1 AND gone_at IS NULL",
            (customer_id,),
        ).fetchone()
        make_primary = gone_at is None and (primary or has_primary is None)
        if make_primary:
            conn.execute("UPDATE contacts SET is_primary = 0 WHERE customer_id = ?", (customer_id,))
        cursor = conn.execute(
            "INSERT INTO contacts (customer_id, name, name_key, role, email, phone, notes,"
            " is_primary, gone_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                customer_id,
                name,
                key(name),
                role,
                email,
                phone,
                notes,
                int(make_primary),
                clock.to_stored(gone_at) if gone_at else None,
                clock.to_stored(created_at or clock.now()),
            ),
        )
        if uid:  # an imported contact keeps its globally unique id
            conn.execute("UPDATE contacts SET uid = ? WHERE id = ?", (uid, cursor.lastrowid))
        return get_contact(conn, cursor.lastrowid)


def get_contact(conn: sqlite3.Connection, contact_id: int) -> Contact:
    row = conn.execute(f"SELECT {_COLUMNS} FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    if row is None:
        raise StoreError(f"no contact with id {contact_id}")
    return _row(row)


def list_contacts(
    conn: sqlite3.Connection, customer_id: int | None = None, *, include_gone: bool = True
) -> list[Contact]:
    """A customer's people (or everyone's): primary first, then by name; gone ones last."""
    where, params = [], []
    if customer_id is not None:
        where.append("customer_id = ?")
        params.append(customer_id)
    if not include_gone:
        where.append("gone_at IS NULL")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM contacts{clause}"
        " ORDER BY customer_id, gone_at IS NOT NULL, is_primary DESC, name_key",
        params,
    )
    return [_row(row) for row in rows]


def find_by_email(conn: sqlite3.Connection, email: str) -> list[Contact]:
    """Contacts with this email address (case-insensitive), active ones first."""
    email = email.strip()
    if not email:
        return []
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM contacts WHERE email = ? COLLATE NOCASE AND email != ''"
        " ORDER BY gone_at IS NOT NULL, id",
        (email,),
    )
    return [_row(row) for row in rows]


def primary_contact(conn: sqlite3.Connection, customer_id: int) -> Contact | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM contacts WHERE customer_id = ? AND is_primary = 1"
        " AND gone_at IS NULL",
        (customer_id,),
    ).fetchone()
    return _row(row) if row else None


def resolve_contact(
    conn: sqlite3.Connection,
    customer_id: int,
    query: str,
    *,
    include_gone: bool = False,
    customer_name: str = "the customer",
) -> Contact:
    """The one person at the customer ``query`` means: exact, unique prefix, unique substring."""
    people = list_contacts(conn, customer_id, include_gone=include_gone)
    result = safe_match(query, [person.name for person in people])
    if result.found is not None:
        return next(p for p in people if p.name == result.found)
    if result.ambiguous:
        raise AmbiguousContact(query, result.candidates)
    raise ContactNotFound(query, customer_name, [p.name for p in people])


def edit_contact(
    conn: sqlite3.Connection,
    contact_id: int,
    *,
    name: str | None = None,
    role: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    notes: str | None = None,
    primary: bool | None = None,
) -> Contact:
    """Change the given fields; ``primary=True`` makes this the customer's primary contact."""
    changes: dict[str, object] = {}
    if name is not None:
        name = check_name(name)
        changes |= {"name": name, "name_key": key(name)}
    if role is not None:
        changes["role"] = _check_field("role", role)
    if email is not None:
        changes["email"] = check_email(email)
    if phone is not None:
        changes["phone"] = _check_field("phone", phone)
    if notes is not None:
        changes["notes"] = _check_field("notes", notes, MAX_CONTACT_NOTES)
    with write(conn):
        current = get_contact(conn, contact_id)
        if "name_key" in changes:
            clash = conn.execute(
                "SELECT name FROM contacts WHERE customer_id = ? AND name_key = ? AND id != ?",
                (current.customer_id, changes["name_key"], contact_id),
            ).fetchone()
            if clash:
                raise StoreError(f"{clash[0]!r} is already a contact there")
        if primary:
            if current.gone:
                raise StoreError(f"{current.name} is marked gone and cannot be primary")
            conn.execute(
                "UPDATE contacts SET is_primary = 0 WHERE customer_id = ?", (current.customer_id,)
            )
            changes["is_primary"] = 1
        elif primary is False:
            changes["is_primary"] = 0
        for column, value in changes.items():
            # Column names come from the fixed set above, never from user input.
            conn.execute(f"UPDATE contacts SET {column} = ? WHERE id = ?", (value, contact_id))
        return get_contact(conn, contact_id)


def mark_gone(conn: sqlite3.Connection, contact_id: int, *, at: datetime | None = None) -> Contact:
    """Mark a person as gone (left the company, moved on); they stay in the history.

    If they were primary, the longest-known remaining person becomes primary.
    """
    with write(conn):
        current = get_contact(conn, contact_id)
        if current.gone:
            raise StoreError(f"{current.name} is already marked gone")
        conn.execute(
            "UPDATE contacts SET gone_at = ?, is_primary = 0 WHERE id = ?",
            (clock.to_stored(at or clock.now()), contact_id),
        )
        if current.is_primary:
            conn.execute(
                "UPDATE contacts SET is_primary = 1 WHERE id = (SELECT id FROM contacts"
                " WHERE customer_id = ? AND gone_at IS NULL ORDER BY created_at, id LIMIT 1)",
                (current.customer_id,),
            )
        return get_contact(conn, contact_id)


def set_primary_name(conn: sqlite3.Connection, customer_id: int, name: str) -> Contact | None:
    """Make the person called ``name`` primary, adding them if new (the customer form's
    single contact field); an empty name changes nothing."""
    if not name.strip():
        return None
    with write(conn):
        row = conn.execute(
            "SELECT id FROM contacts WHERE customer_id = ? AND name_key = ?",
            (customer_id, key(check_name(name))),
        ).fetchone()
        if row is None:
            return add_contact(conn, customer_id, name, primary=True)
        contact = get_contact(conn, row[0])
        if contact.gone:
            conn.execute("UPDATE contacts SET gone_at = NULL WHERE id = ?", (contact.id,))
        return edit_contact(conn, contact.id, primary=True)


def clear_primary(conn: sqlite3.Connection, customer_id: int) -> None:
    """Nobody is the primary contact any more (the people stay)."""
    with write(conn):
        conn.execute(
            "UPDATE contacts SET is_primary = 0 WHERE customer_id = ? AND is_primary = 1",
            (customer_id,),
        )


def people(conn: sqlite3.Connection, customer_id: int) -> list[Person]:
    """Each person at the customer with their last check-in and its temperature."""
    result = []
    for contact in list_contacts(conn, customer_id):
        row = conn.execute(
            "SELECT at, temperature, (SELECT count(*) FROM checkins WHERE contact_id = :id)"
            " FROM checkins WHERE contact_id = :id ORDER BY at DESC, id DESC LIMIT 1",
            {"id": contact.id},
        ).fetchone()
        if row is None:
            result.append(Person(contact, None, None, 0))
        else:
            result.append(Person(contact, clock.from_stored(row[0]), row[1], row[2]))
    return result


def names_by_id(conn: sqlite3.Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = conn.execute(
        "SELECT id, name FROM contacts WHERE id IN (" + ", ".join("?" * len(ids)) + ")",
        sorted(ids),
    )
    return dict(rows.fetchall())


def key_people(conn: sqlite3.Connection, *, customer_id: int | None = None) -> list[PersonFacts]:
    """The key people (primary, or with a role) at customers whose check-ins name people.

    Customers that have never named anyone in a check-in are left out: their
    people cannot have gone quiet, the record just does not say who was there.
    """
    found = []
    one = "" if customer_id is None else " AND customer_id = :cid"
    for cid, name, role, created, first_named, last_at, last_temp in conn.execute(
        f"""
        SELECT p.customer_id, p.name, p.role, p.created_at, f.first_named,
            (SELECT k.at FROM checkins k WHERE k.contact_id = p.id
             ORDER BY k.at DESC, k.id DESC LIMIT 1),
            (SELECT k.temperature FROM checkins k WHERE k.contact_id = p.id
             ORDER BY k.at DESC, k.id DESC LIMIT 1)
        FROM contacts p
        JOIN (SELECT customer_id, min(at) AS first_named FROM checkins
              WHERE contact_id IS NOT NULL{one} GROUP BY customer_id) f
            ON f.customer_id = p.customer_id
        WHERE p.gone_at IS NULL AND (p.is_primary = 1 OR p.role != '')
        ORDER BY p.customer_id, p.id
        """,
        {"cid": customer_id},
    ):
        last = clock.from_stored(last_at) if last_at else None
        since = last or max(clock.from_stored(created), clock.from_stored(first_named))
        found.append(PersonFacts(cid, name, role, since, last, last_temp))
    return found
