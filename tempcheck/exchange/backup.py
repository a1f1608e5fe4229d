"""Online backups: a consistent copy of the database while the dashboard stays open.

SQLite's backup API copies the pages inside one read transaction of the
source (a single ``step(-1)``), so in WAL mode writers carry on undisturbed
and the copy is the database exactly as it was at one moment, never a mix.
The copy is created readable by its owner only, before any data is in it,
and an existing file is never overwritten.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tempcheck.domain import clock
from tempcheck.store.connection import StoreError, describe


@dataclass(frozen=True)
class BackupResult:
    """Where the copy went and what it holds."""

    path: Path
    size: int  # bytes
    customers: int
    checkins: int


def default_backup_path(db_path: str | os.PathLike[str], now: datetime | None = None) -> Path:
    """``tempcheck-backup-YYYYmmdd-HHMMSS.db`` beside the database (local time)."""
    moment = clock.local(now or clock.now())
    return Path(db_path).expanduser().parent / f"tempcheck-backup-{moment:%Y%m%d-%H%M%S}.db"


def backup(conn: sqlite3.Connection, target: str | os.PathLike[str]) -> BackupResult:
    """Copy the open database ``conn`` to a new file ``target`` (mode 0600).

    Refuses an existing file; removes a half-written copy if anything fails.
    """
    path = Path(target).expanduser()
    if path.exists():
        raise StoreError(f"{path} already exists; choose another name (nothing was written)")
    if not path.parent.is_dir():
        raise StoreError(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        raise StoreError(f"{path} already exists; choose another name") from None
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, 0o600)  # whatever the umask said
        os.close(fd)
        _copy(conn, path)
        copy = sqlite3.connect(path)
        try:
            customers = copy.execute("SELECT count(*) FROM customers").fetchone()[0]
            checkins = copy.execute("SELECT count(*) FROM checkins").fetchone()[0]
        finally:
            copy.close()
    except BaseException:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    return BackupResult(path, path.stat().st_size, customers, checkins)


def _copy(conn: sqlite3.Connection, path: Path) -> None:
    """All pages in one step, then make the copy a single self-contained file."""
    copy = sqlite3.connect(path, isolation_level=None)
    try:
        try:
            conn.backup(copy, pages=-1)
        except sqlite3.OperationalError as exc:
            raise describe(exc) from None
        # The pages say WAL; a backup is better as one file that needs no -wal/-shm.
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
