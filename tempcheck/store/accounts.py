"""The account profile around a customer: tags, the owner, the renewal date.

Tags are a set per customer (``customer_tags``); adding one twice or removing
one that is not there changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date, timedelta

from tempcheck.domain.people import MAX_OWNER, clean_tag
from tempcheck.store.connection import StoreError, write

MAX_TAGS_PER_CUSTOMER = 50


def _clean(tags: list[str] | tuple[str, ...]) -> list[str]:
    cleaned: list[str] = []
    for raw in tags:
        try:
            tag = clean_tag(raw)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def add_tags(
    conn: sqlite3.Connection, customer_id: int, tags: list[str] | tuple[str, ...]
) -> list[str]:
    """Tag a customer; returns the tags that were new."""
    wanted = _clean(tags)
    with write(conn):
        _exists(conn, customer_id)
        have = set(tags_of(conn, customer_id))
        new = [tag for tag in wanted if tag not in have]
        if len(have) + len(new) > MAX_TAGS_PER_CUSTOMER:
            raise StoreError(f"a customer can have at most {MAX_TAGS_PER_CUSTOMER} tags")
        conn.executemany(
            "INSERT OR IGNORE INTO customer_tags (customer_id, tag) VALUES (?, ?)",
            [(customer_id, tag) for tag in new],
        )
    return new


def remove_tags(
    conn: sqlite3.Connection, customer_id: int, tags: list[str] | tuple[str, ...]
) -> list[str]:
    """Untag a customer; returns the tags that were there and are now gone."""
    wanted = _clean(tags)
    with write(conn):
        _exists(conn, customer_id)
        have = set(tags_of(conn, customer_id))
        gone = [tag for tag in wanted if tag in have]
        conn.executemany(
            "DELETE FROM customer_tags WHERE customer_id = ? AND tag = ?",
            [(customer_id, tag) for tag in gone],
        )
    return gone


def set_tags(conn: sqlite3.Connection, customer_id: int, tags: list[str]) -> None:
    """Replace a customer's tags (import)."""
    wanted = _clean(tags)
    with write(conn):
        conn.execute("DELETE FROM customer_tags WHERE customer_id = ?", (customer_id,))
        conn.executemany(
            "INSERT INTO customer_tags (customer_id, tag) VALUES (?, ?)",
            [(customer_id, tag) for tag in wanted],
        )


def tags_of(conn: sqlite3.Connection, customer_id: int) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag", (customer_id,)
        )
    ]


def all_tags(conn: sqlite3.Connection) -> dict[int, list[str]]:
    """Every customer's tags, sorted."""
    found: dict[int, list[str]] = defaultdict(list)
    for cid, tag in conn.execute("SELECT customer_id, tag FROM customer_tags ORDER BY tag"):
        found[cid].append(tag)
    return dict(found)


def tag_counts(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    return conn.execute(
        "SELECT tag, count(*) FROM customer_tags GROUP BY tag ORDER BY tag"
    ).fetchall()


def customers_tagged(conn: sqlite3.Connection, tag: str) -> set[int]:
    """The ids of the customers carrying ``tag`` (as typed, with or without ``#``)."""
    wanted = _clean([tag])[0]
    return {
        row[0]
        for row in conn.execute("SELECT customer_id FROM customer_tags WHERE tag = ?", (wanted,))
    }


def check_tag_filter(conn: sqlite3.Connection, tag: str) -> set[int]:
    """``--tag``: the customers with it, or a clear error naming the tags there are."""
    ids = customers_tagged(conn, tag)
    if not ids:
        known = ", ".join(t for t, _ in tag_counts(conn)) or "none yet"
        raise StoreError(f"no customer is tagged {clean_tag(tag)!r} (tags: {known})")
    return ids


def set_owner(conn: sqlite3.Connection, customer_id: int, owner: str) -> None:
    owner = " ".join(owner.split())
    if len(owner) > MAX_OWNER:
        raise StoreError(f"an owner name is at most {MAX_OWNER} characters")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in owner):
        raise StoreError("an owner name cannot contain control characters")
    with write(conn):
        _exists(conn, customer_id)
        conn.execute("UPDATE customers SET owner = ? WHERE id = ?", (owner, customer_id))


def set_renewal(conn: sqlite3.Connection, customer_id: int, renewal_on: date | None) -> None:
    """The renewal or contract end date; ``None`` clears it."""
    if renewal_on is not None and not date(1970, 1, 1) <= renewal_on <= date(2200, 12, 31):
        raise StoreError(f"a renewal date must be between 1970 and 2200, not {renewal_on}")
    with write(conn):
        _exists(conn, customer_id)
        conn.execute(
            "UPDATE customers SET renewal_on = ? WHERE id = ?",
            (renewal_on.isoformat() if renewal_on else None, customer_id),
        )


def renewals_within(
    conn: sqlite3.Connection, today: date, days: int, *, customer_id: int | None = None
) -> dict[int, date]:
    """Customers (or the one) whose renewal falls between today and ``days`` from now."""
    end = today + timedelta(days=days)
    one = "" if customer_id is None else " AND id = :cid"
    return {
        cid: date.fromisoformat(on)
        for cid, on in conn.execute(
            "SELECT id, renewal_on FROM customers WHERE renewal_on IS NOT NULL"
            f" AND renewal_on >= :today AND renewal_on <= :end{one}",
            {"today": today.isoformat(), "end": end.isoformat(), "cid": customer_id},
        )
    }


def _exists(conn: sqlite3.Connection, customer_id: int) -> None:
    if conn.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is None:
        raise StoreError(f"no customer with id {customer_id}")
