"""Who is using this copy of the database, and what this copy alone remembers.

A team database syncs every table, so what belongs to one member's copy (their
name, the time of their last sync) lives in a small private file beside the
database, ``<db>.local.json``, which never syncs. Solo databases use the same
file for the name, so check-ins say who logged them in either mode.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
from pathlib import Path
from typing import Any

from tempcheck.domain.text import printable

NAME_KEY = "user.name"
MAX_NAME = 80


def local_path(db_path: str | os.PathLike[str]) -> Path:
    path = Path(db_path)
    return path.with_name(path.name + ".local.json")


def read_local(db_path: str | os.PathLike[str]) -> dict[str, Any]:
    """This copy's local settings; an empty dict when there are none or the file is unreadable."""
    try:
        text = local_path(db_path).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return {}
    import json  # lazy: keeps tempcheck log fast (solo databases usually have no such file)

    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def write_local(db_path: str | os.PathLike[str], **values: Any) -> None:
    """Merge ``values`` into the local settings file, written privately and atomically."""
    import json  # lazy: keeps tempcheck log fast

    path = local_path(db_path)
    data = read_local(db_path)
    data.update(values)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)


def clean_name(name: str) -> str:
    """A member name as stored: one printable line, trimmed, bounded; ValueError if empty."""
    cleaned = printable(name, single_line=True).strip()
    if not cleaned:
        raise ValueError("user.name cannot be empty")
    if len(cleaned) > MAX_NAME:
        raise ValueError(f"user.name is at most {MAX_NAME} characters")
    return cleaned


def set_name(db_path: str | os.PathLike[str], name: str) -> str:
    cleaned = clean_name(name)
    write_local(db_path, **{NAME_KEY: cleaned})
    return cleaned


def name_for_path(db_path: str | os.PathLike[str] | None) -> str:
    """The member's name for this copy: ``user.name``, else the login name."""
    if db_path:
        stored = read_local(db_path).get(NAME_KEY)
        if isinstance(stored, str) and stored.strip():
            return stored
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def db_file(conn: sqlite3.Connection) -> str | None:
    """The main database file behind ``conn`` (None for an in-memory database)."""
    for _seq, schema, file in conn.execute("PRAGMA database_list").fetchall():
        if schema == "main":
            return file or None
    return None


def member(conn: sqlite3.Connection) -> str:
    """Who is logging through ``conn``."""
    return name_for_path(db_file(conn))


def my_customers(conn: sqlite3.Connection) -> set[int]:
    """Ids of the customers whose owner is this member (by ``user.name``, any case)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(customers)")}
    if "owner" not in columns:
        return set()
    me = member(conn).casefold()
    return {
        cid
        for cid, owner in conn.execute("SELECT id, owner FROM customers")
        if (owner or "").strip().casefold() == me
    }
