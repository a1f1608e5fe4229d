"""Reading and writing settings rows; what the keys mean is in :mod:`tempcheck.domain.settings`."""

from __future__ import annotations

import sqlite3

from tempcheck.domain.settings import SETTINGS, ConfigError, bounded, validate
from tempcheck.domain.staleness import Thresholds


def read_all(conn: sqlite3.Connection) -> dict[str, str]:
    """Every known setting with its current value (stored or default), within its range."""
    stored = dict(conn.execute("SELECT key, value FROM settings").fetchall())
    return {
        key: bounded(key, stored[key]) if key in stored else setting.default
        for key, setting in SETTINGS.items()
    }


def get(conn: sqlite3.Connection, key: str) -> str:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    if key not in SETTINGS:
        return row[0] if row is not None else ""
    return bounded(key, row[0]) if row is not None else SETTINGS[key].default


def get_int(conn: sqlite3.Connection, key: str) -> int:
    return int(get(conn, key))


def put(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Store a raw value (the caller validated it)."""
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def set_checked(conn: sqlite3.Connection, key: str, value: str) -> str:
    """Validate and store a user-facing setting; staleness thresholds must stay ordered."""
    normalised = validate(key, value)
    if key.startswith("staleness."):
        values = read_all(conn) | {key: normalised}
        try:
            thresholds_from(values)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    put(conn, key, normalised)
    return normalised


def thresholds(conn: sqlite3.Connection) -> Thresholds:
    return safe_thresholds(read_all(conn))


def thresholds_from(values: dict[str, str]) -> Thresholds:
    return Thresholds(
        float(values["staleness.due"]),
        float(values["staleness.overdue"]),
        float(values["staleness.cold"]),
    )


def safe_thresholds(values: dict[str, str]) -> Thresholds:
    """The stored thresholds, or the defaults if what is stored is out of order."""
    try:
        return thresholds_from(values)
    except ValueError:
        return Thresholds()
