"""Opening the database file safely: owner-only mode, WAL, busy timeout, migrations.

Every way in (dashboard, shell command, tests) goes through :func:`open_db`, so
the checks for a wrong path, a foreign or newer file and a locked database
live in one place and always give one clear sentence.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from tempcheck.domain import clock
from tempcheck.domain.fileformat import INSTALL_HINT, engine_loaded, is_team_file
from tempcheck.store.migrations import LATEST, migrate

BUSY_TIMEOUT_S = 10.0


class StoreError(Exception):
    """A problem with the database a user can act on; the message says what and where."""


def not_past(day: date, what: str) -> date:
    """The domain's past-date rule (:func:`clock.not_past`) as a :class:`StoreError`."""
    try:
        return clock.not_past(day, what)
    except ValueError as exc:
        raise StoreError(str(exc)) from None


def open_db(path: str | os.PathLike[str], *, create: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) and upgrade the tempcheck database at ``path``.

    The connection is in autocommit mode; group writes with :func:`write`.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file")
    if not path.exists():
        if not create:
            raise StoreError(f"no database at {path}")
        _create_private_file(path)
    elif not os.access(path, os.R_OK):
        raise StoreError(f"cannot read {path}: permission denied")
    elif not stat.S_ISREG(path.stat().st_mode):
        # /dev/null and friends: SQLite would put a journal file beside it in /dev.
        raise StoreError(f"{path} is not a file (a device, pipe or socket); nothing was written")
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from None
    try:
        _prepare(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only, before SQLite touches it.

    SQLite gives the -wal and -shm files the database file's mode, so they are
    private too.
    """
    parent = path.parent
    missing = [folder for folder in (parent, *parent.parents) if not folder.exists()]
    for folder in reversed(missing):  # each folder we create is private, not only the last
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise StoreError(f"cannot create the folder {folder}: {exc.strerror}") from None
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(f"cannot create {path}: {exc.strerror}") from None
    os.close(fd)


# Tables every tempcheck schema since version 1 has; a file without them is someone else's.
_OUR_TABLES = frozenset({"settings", "customers", "checkins"})


def version_and_tables(conn: sqlite3.Connection) -> tuple[int, set[str]]:
    """The schema version and table names, read in one statement (one snapshot), so a
    schema that another process is creating right now is seen whole or not at all."""
    version, names = conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version),"
        " (SELECT group_concat(name, char(10)) FROM sqlite_master WHERE type = 'table')"
    ).fetchone()
    return version, set(names.split("\n")) if names else set()


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    try:
        version, tables = version_and_tables(conn)
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
            if is_team_file(path) and not engine_loaded():
                raise StoreError(
                    f"{path} is a team database; open it with the team extra "
                    f"installed ({INSTALL_HINT})"
                ) from None
            raise StoreError(f"{path} is not a tempcheck database ({exc})") from None
        raise describe(exc, path) from None
    if version > LATEST:
        raise StoreError(
            f"{path} was written by a newer tempcheck (schema {version}, this one knows "
            f"{LATEST}); upgrade tempcheck to open it. Nothing was changed."
        )
    if (version == 0 and tables) or (version > 0 and not _OUR_TABLES <= tables):
        raise StoreError(f"{path} is an SQLite database, but not a tempcheck one")
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal" and os.access(path, os.W_OK):
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        if version < LATEST:
            migrate(conn)
    except sqlite3.OperationalError as exc:
        raise describe(exc, path) from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is damaged or not a tempcheck database ({exc})") from None


def describe(exc: sqlite3.Error, path: str | os.PathLike[str] | None = None) -> StoreError:
    """Turn an SQLite error into one sentence a user can act on."""
    where = f" {path}" if path else ""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(
            f"the database{where} is locked by another program "
            f"(waited {BUSY_TIMEOUT_S:g} s); nothing was written, try again"
        )
    if ("readonly" in text or "read-only" in text or "unable to open" in text) and path:
        folder = Path(path).parent
        if folder.is_dir() and not os.access(folder, os.W_OK):
            return StoreError(
                f"the folder {folder} is not writable: SQLite keeps its lock files beside "
                "the database; nothing was written"
            )
    if "readonly" in text or "read-only" in text:
        return StoreError(f"the database{where} is read-only; nothing was written")
    if "full" in text:
        return StoreError(f"the disk is full; nothing was written to the database{where}")
    if "disk I/O error" in text and path and _nearly_full(Path(path).parent):
        # A full disk while SQLite makes its -wal or -shm file shows as an I/O error.
        return StoreError(f"the disk is full; nothing was written to the database{where}")
    if "disk I/O error" in text:
        return StoreError(
            f"could not write to the disk (is it full?); nothing was written to the database{where}"
        )
    if "unable to open" in text:
        return StoreError(f"cannot open the database{where} (is its folder writable?)")
    return StoreError(f"database error{where}: {text}")


def _nearly_full(folder: Path) -> bool:
    """Less than 1 MiB free where the database lives (what SQLite cannot tell us)."""
    try:
        found = os.statvfs(folder)
    except OSError:
        return False
    return found.f_bavail * found.f_frsize < 1 << 20


@contextlib.contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction that takes the write lock up front (``BEGIN IMMEDIATE``).

    A deferred transaction that reads then writes can fail with SQLITE_BUSY at
    once; taking the lock first lets the busy timeout do its work.
    """
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
