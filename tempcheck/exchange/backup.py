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
    problems: tuple[str, ...] = ()  # what the integrity check found; empty when sound


_SHOWN_PROBLEMS = 3  # of the integrity check's lines, in a message
_CHECK_LIMIT = 100  # PRAGMA integrity_check stops after this many


def default_backup_path(db_path: str | os.PathLike[str], now: datetime | None = None) -> Path:
    """``tempcheck-backup-YYYYmmdd-HHMMSS.db`` beside the database (local time)."""
    moment = clock.local(now or clock.now())
    return Path(db_path).expanduser().parent / f"tempcheck-backup-{moment:%Y%m%d-%H%M%S}.db"


def backup(
    conn: sqlite3.Connection, target: str | os.PathLike[str], *, unique: bool = False
) -> BackupResult:
    """Copy the open database ``conn`` to a new file ``target`` (mode 0600).

    Refuses an existing file, or with ``unique`` (for the default, timestamped
    name) picks the next free ``-2``, ``-3``… name instead. Removes a half-written
    copy if anything fails. The copy is checked with ``PRAGMA integrity_check``;
    what it finds is in :attr:`BackupResult.problems` (the copy is kept: it is
    the database as it is, damage included).
    """
    path = Path(target).expanduser()
    if path.exists() and not unique:
        raise StoreError(f"{path} already exists; choose another name (nothing was written)")
    if not path.parent.is_dir():
        raise StoreError(f"cannot write {path}: the folder {path.parent} does not exist")
    fd, path = _create(path, unique)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask said
        os.close(fd)
        _copy(conn, path)
        copy = sqlite3.connect(path)
        try:
            customers = copy.execute("SELECT count(*) FROM customers").fetchone()[0]
            checkins = copy.execute("SELECT count(*) FROM checkins").fetchone()[0]
            found = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        finally:
            copy.close()
    except BaseException:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    problems = () if found == ["ok"] else tuple(found)
    return BackupResult(path, path.stat().st_size, customers, checkins, problems)


def describe_problems(problems: tuple[str, ...]) -> str:
    """The integrity check's findings in one line: the first few, and how many in all."""
    shown = "; ".join(problems[:_SHOWN_PROBLEMS])
    more = len(problems) - _SHOWN_PROBLEMS
    if more > 0 and len(problems) >= _CHECK_LIMIT:  # the check stopped counting there
        return f"{shown}; and more"
    return shown + (f"; and {more} more" if more > 0 else "")


def _create(path: Path, unique: bool) -> tuple[int, Path]:
    """Create ``path`` (or, with ``unique``, the first free ``name-N.db``) exclusively."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    candidate = path
    for number in range(2, 1000):
        try:
            return os.open(candidate, flags, 0o600), candidate
        except FileExistsError:
            if not unique:
                raise StoreError(f"{path} already exists; choose another name") from None
            candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        except OSError as exc:
            raise StoreError(f"cannot write {candidate}: {exc.strerror}") from None
    raise StoreError(f"{path} and 998 more names beside it exist; choose another name")


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
