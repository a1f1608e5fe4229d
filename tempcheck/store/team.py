"""Team mode: one portfolio shared through a Doltlite remote.

Every member keeps a local copy (a Doltlite file: SQLite's API with Dolt's
commits, push, pull and merge). ``sync`` commits the member's work, fetches,
merges and pushes, all with Doltlite's own operations; this module only
decides what the merge does where Doltlite stops and asks:

- **New rows never conflict.** Rows carry a uid beside their integer key; when
  two members add rows offline that got the same integer key, the rows this
  member has not published yet move to fresh keys (with every reference to
  them) before the merge, so both sides' rows arrive intact.
- **Same-row edits** merge field by field: a field only one side changed takes
  that change. A field both sides changed to different values keeps the value
  that reached the team first (the one already on the remote), and the other
  value is set aside in ``team_conflicts``, listed by ``tempcheck team
  conflicts`` and restorable with ``tempcheck team resolve ID --ours``.
- **Derived tables** (the contact summary, full-text indexes) are recomputed after the merge.
- Anything else (a constraint the merge would break) stops the sync with the
  merge rolled back, so nothing is lost.

Only run this with Doltlite loaded (see :mod:`tempcheck.engine`).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tempcheck.domain import clock
from tempcheck.domain.fileformat import INSTALL_HINT, engine_loaded, is_team_file
from tempcheck.domain.matching import key as name_key
from tempcheck.store import identity, summary
from tempcheck.store.connection import StoreError, _create_private_file, open_db
from tempcheck.store.migrations import UUID_SQL

REMOTE = "origin"
BRANCH = "main"
TRACKING = f"{REMOTE}/{BRANCH}"
DERIVED_TABLES = frozenset({"contact_summary", "attention"})
MAX_URL = 2000
PUSH_ATTEMPTS = 3
URL_RE = re.compile(r"^https?://[^\s/?#]+(:\d{1,5})?/[A-Za-z0-9._-]+\.db$")

CONFLICTS_DDL = f"""
CREATE TABLE IF NOT EXISTS {{schema}}.team_conflicts (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE DEFAULT {UUID_SQL},
    at TEXT NOT NULL,
    synced_by TEXT NOT NULL,
    table_name TEXT NOT NULL,
    key_column TEXT NOT NULL,
    row_key TEXT NOT NULL,
    column_name TEXT NOT NULL,
    kept TEXT,
    set_aside TEXT,
    resolved_at TEXT,
    resolution TEXT
)
"""


class TeamError(StoreError):
    """A team operation that could not be done; the message says why and what to do."""


class Offline(TeamError):
    """The team remote could not be reached; local work is unaffected."""


@dataclass
class SyncReport:
    committed: str | None = None  # the commit message of local work, if any
    pulled: bool = False
    pushed: bool = False
    renumbered: int = 0
    conflicts: list[int] = field(default_factory=list)  # team_conflicts ids set aside now
    seconds: float = 0.0


@dataclass
class Status:
    url: str
    member: str
    ahead: int
    behind: int
    local_changes: int
    last_sync: str | None
    open_conflicts: int
    online: bool


@dataclass
class Conflict:
    id: int
    at: str
    synced_by: str
    table: str
    row: str
    column: str
    kept: Any
    set_aside: Any
    resolved_at: str | None
    resolution: str | None


# --- helpers -------------------------------------------------------------------------------


def require_engine() -> None:
    if not engine_loaded():
        raise TeamError(f"team mode needs the team extra: {INSTALL_HINT}")


def check_url(url: str) -> str:
    """A team remote address: http(s)://HOST[:PORT]/NAME.db."""
    url = url.strip()
    if len(url) > MAX_URL or not URL_RE.match(url):
        raise TeamError(
            f"not a team remote address: {url[:80]!r} (expected http://HOST:PORT/NAME.db)"
        )
    return url


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def q(name: str) -> str:
    """A table or column name read from the schema, checked and double-quoted for SQL."""
    if not _IDENT.match(name):
        raise TeamError(f"unexpected name in the schema: {name[:40]!r}")
    return f'"{name}"'


def _exec(
    conn: sqlite3.Connection, template: str, params: Any = (), **names: str | list[str]
) -> sqlite3.Cursor:
    """Run SQL whose only non-literal parts are schema names: each ``{name}`` of the
    literal ``template`` becomes the checked, quoted identifier (a list: comma-separated).
    Values always go as parameters."""
    quoted = {
        key: ", ".join(q(v) for v in value) if isinstance(value, list) else q(value)
        for key, value in names.items()
    }
    sql = template.format(**quoted)
    return conn.execute(sql, params)


def _one(conn: sqlite3.Connection, template: str, *args: Any, **names: str) -> Any:
    row = _exec(conn, template, args, **names).fetchone()
    return row[0] if row else None


def _network(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "connect" in text or "timed out" in text or "timeout" in text or "resolve" in text


def _remote_error(exc: sqlite3.Error, url: str | None = None) -> TeamError:
    where = f" at {url}" if url else ""
    if "unauthorized" in str(exc).lower():
        return TeamError(
            f"the team remote{where} refused this member: no credential it knows "
            "(run 'tempcheck team key' and give the key file to whoever runs it)"
        )
    if _network(exc):
        return Offline(
            f"offline: the team remote{where} cannot be reached; your work is kept "
            "locally, sync again later"
        )
    return TeamError(f"team remote{where}: {exc}")


def author(member: str) -> str:
    safe = re.sub(r"[<>\n\r]", "", member).strip() or "unknown"
    email = re.sub(r"[^a-z0-9._-]+", ".", safe.lower()).strip(".") or "member"
    return f"{safe} <{email}@tempcheck>"


def remote_url(conn: sqlite3.Connection) -> str | None:
    try:
        return _one(conn, "SELECT url FROM dolt_remotes WHERE name = ?", REMOTE)
    except sqlite3.Error:
        return None


def _user_tables(conn: sqlite3.Connection, schema: str = "main") -> list[tuple[str, str]]:
    """(name, sql) of the ordinary tables, without SQLite's, Doltlite's or FTS shadows."""
    rows = _exec(
        conn,
        "SELECT name, sql FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name",
        schema=schema,
    ).fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    out = []
    for name, sql in rows:
        if name.startswith(("sqlite_", "dolt_")) or name in virtual:
            continue
        if any(name.startswith(v + "_") for v in virtual):
            continue  # an FTS shadow table: rebuilt from its content, never copied
        out.append((name, sql or ""))
    return out


def _virtual_tables(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return [
        (name, sql or "")
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        if (sql or "").upper().startswith("CREATE VIRTUAL")
    ]


def derived_tables(conn: sqlite3.Connection) -> set[str]:
    """Tables recomputed from others after a merge: the contact summary, the dashboard's
    attention index and the full-text indexes' own tables. Their conflicts say nothing
    about people's work."""
    virtual = [name for name, _ in _virtual_tables(conn)]
    shadows = {
        name
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if any(name.startswith(v + "_") for v in virtual)
    }
    return set(DERIVED_TABLES) | shadows


# The summary's rows, computed by the same SELECT the solo store uses.
_SUMMARY_ROWS = "SELECT * FROM (" + summary.REBUILD_SQL.split("recent)", 1)[1] + ")"


def rebuild_derived(
    conn: sqlite3.Connection,
    customer_ids: set[int] | None = None,
    indexes: set[str] | None = None,
) -> None:
    """Recompute the contact summary (all of it, or these customers') and the full-text
    indexes (all of them, or these).

    The summary is read first and written as values: inside a merge, Doltlite refuses
    an INSERT … SELECT into contact_summary ("constraint failed") that works as two steps.
    """
    conn.execute("DELETE FROM contact_summary WHERE customer_id NOT IN (SELECT id FROM customers)")
    if customer_ids is None:
        rows = conn.execute(_SUMMARY_ROWS).fetchall()
    else:
        rows = [
            row
            for cid in sorted(customer_ids)
            for row in conn.execute(_SUMMARY_ROWS + " WHERE id = ?", (cid,)).fetchall()
        ]
    conn.executemany("DELETE FROM contact_summary WHERE customer_id = ?", [r[:1] for r in rows])
    conn.executemany(
        "INSERT INTO contact_summary (customer_id, last_at, recent) VALUES (?, ?, ?)", rows
    )
    _reconcile_attention(conn)
    for name, sql in _virtual_tables(conn):
        if "FTS5" in sql.upper() and (indexes is None or name in indexes):
            _exec(conn, "INSERT INTO {t}({t}) VALUES ('rebuild')", t=name)
            summary.search_index_whole(conn)


# The attention index's rows as its triggers keep them (see migrations.V5_ATTENTION_INDEX).
_ATTENTION_ROWS = """
SELECT c.id, c.status, c.paused_until, c.cadence_days,
    coalesce(substr(s.recent, 1, 1) IN ('1', '2'), 0), coalesce(s.last_at, b.baseline_at)
FROM customers c LEFT JOIN contact_summary s ON s.customer_id = c.id
LEFT JOIN contact_baselines b ON b.customer_id = c.id"""


def _reconcile_attention(conn: sqlite3.Connection) -> None:
    """Make the attention index match the tables it copies. A merge writes rows without
    running triggers, and moving a customer to a free key changes no column they watch,
    so after either the index is checked row by row; only rows that differ are written."""
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attention'"
    ).fetchone():
        return  # a file older than the index
    want = {row[0]: tuple(row) for row in conn.execute(_ATTENTION_ROWS)}
    have = {
        row[0]: tuple(row)
        for row in conn.execute(
            "SELECT customer_id, status, paused_until, cadence_days, low, last_at FROM attention"
        )
    }
    gone = [(cid,) for cid in have if cid not in want]
    changed = [row for cid, row in want.items() if have.get(cid) != row]
    conn.executemany("DELETE FROM attention WHERE customer_id = ?", gone)
    conn.executemany("DELETE FROM attention WHERE customer_id = ?", [r[:1] for r in changed])
    conn.executemany(
        "INSERT INTO attention (customer_id, status, paused_until, cadence_days, low, last_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        changed,
    )


def _index_of(conn: sqlite3.Connection, shadow: str) -> str | None:
    """The full-text index a shadow table belongs to."""
    for name, _ in _virtual_tables(conn):
        if shadow.startswith(name + "_"):
            return name
    return None


def _columns(conn: sqlite3.Connection, table: str, schema: str = "main") -> list[str]:
    return [
        row[1] for row in _exec(conn, "PRAGMA {schema}.table_info({t})", schema=schema, t=table)
    ]


def _pk(conn: sqlite3.Connection, table: str) -> str | None:
    keys = [row[1] for row in _exec(conn, "PRAGMA table_info({t})", t=table) if row[5]]
    return keys[0] if len(keys) == 1 else None


@contextlib.contextmanager
def _foreign_keys_off(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def copy_tables(conn: sqlite3.Connection, src: str, dst: str) -> dict[str, int]:
    """Copy every tempcheck table from schema ``src`` to ``dst`` (both attached to ``conn``).

    Returns the row count per table copied. Full-text indexes are rebuilt, not copied.
    """
    counts: dict[str, int] = {}
    dst_tables = {name for name, _ in _user_tables(conn, dst)}
    # Derived tables last, the attention index after the summary: copying the tables they
    # come from runs the destination's triggers, which would overwrite copied rows.
    tables = sorted(
        _user_tables(conn, src), key=lambda t: (t[0] in DERIVED_TABLES, t[0] == "attention")
    )
    for name, _sql in tables:
        if name not in dst_tables:
            if name == "team_conflicts":
                _exec(conn, CONFLICTS_DDL, schema=dst)
            else:
                continue
        src_cols = _columns(conn, name, src)
        dst_cols = set(_columns(conn, name, dst))
        cols = [c for c in src_cols if c in dst_cols]
        _exec(conn, "DELETE FROM {dst}.{t}", dst=dst, t=name)
        _exec(
            conn,
            "INSERT OR REPLACE INTO {dst}.{t} ({cols}) SELECT {cols} FROM {src}.{t}",
            dst=dst,
            src=src,
            t=name,
            cols=cols,
        )
        counts[name] = _one(conn, "SELECT count(*) FROM {dst}.{t}", dst=dst, t=name)
    for name, sql in _exec(
        conn, "SELECT name, sql FROM {dst}.sqlite_master WHERE type = 'table'", dst=dst
    ).fetchall():
        if (sql or "").upper().startswith("CREATE VIRTUAL") and "FTS5" in (sql or "").upper():
            with contextlib.suppress(sqlite3.Error):
                _exec(conn, "INSERT INTO {dst}.{t}({t}) VALUES ('rebuild')", dst=dst, t=name)
                # The whole index is built: nothing is left waiting for it.
                _exec(
                    conn,
                    "DELETE FROM {dst}.settings WHERE key IN (?, ?)",
                    summary.SEARCH_KEYS,
                    dst=dst,
                )
    return counts


# --- changes and commits -------------------------------------------------------------------

_NOUNS = {
    "checkins": "check-in",
    "customers": "customer",
    "issues": "issue",
    "issue_closures": "issue closure",
    "promises": "promise",
    "promise_settlements": "promise settlement",
    "followups": "follow-up",
    "followup_events": "follow-up event",
    "concerns": "concern",
    "concern_events": "concern event",
    "customer_events": "customer status change",
    "settings": "setting",
    "reminder_snoozes": "snooze",
    "contact_baselines": "contact baseline",
    "team_conflicts": "team conflict",
}


def local_changes(conn: sqlite3.Connection) -> list[tuple[str, int, int, int]]:
    """(table, added, modified, deleted) for each table changed since the last commit."""
    try:
        rows = conn.execute(
            "SELECT table_name, rows_added, rows_modified, rows_deleted"
            " FROM dolt_diff_stat('HEAD', 'WORKING')"
        ).fetchall()
    except sqlite3.Error:
        return []
    derived = derived_tables(conn)
    return [r for r in rows if r[0] not in derived and (r[1] or r[2] or r[3])]


def describe_changes(changes: list[tuple[str, int, int, int]]) -> str:
    """'2 check-ins added, 1 customer edited': what a commit carries, in words."""
    parts = []
    for table, added, modified, deleted in changes:
        noun = _NOUNS.get(table, table)
        for count, verb in ((added, "added"), (modified, "edited"), (deleted, "removed")):
            if count:
                parts.append(f"{count} {noun}{'' if count == 1 else 's'} {verb}")
    return ", ".join(parts) or "schema changes"


def commit_local(conn: sqlite3.Connection, member: str) -> str | None:
    """Commit the member's uncommitted work; returns the message, or None if there was none."""
    status = conn.execute("SELECT count(*) FROM dolt_status").fetchone()[0]
    if not status:
        return None
    message = f"{member}: {describe_changes(local_changes(conn))}"
    conn.execute("SELECT dolt_commit('-A', '-m', ?, '--author', ?)", (message, author(member)))
    return message


# --- the remote server ---------------------------------------------------------------------


class _ServeOpts(ctypes.Structure):
    """Doltlite's DoltliteServeOpts (doltlite_remotesrv.h)."""

    _fields_ = [
        ("zDir", ctypes.c_char_p),
        ("port", ctypes.c_int),
        ("zBindAddr", ctypes.c_char_p),
        ("certFile", ctypes.c_char_p),
        ("keyFile", ctypes.c_char_p),
        ("authKeysDir", ctypes.c_char_p),
        ("audience", ctypes.c_char_p),
        ("timeoutMs", ctypes.c_int),
        ("zVfsName", ctypes.c_char_p),
    ]


@dataclass
class Guard:
    """TLS and member credentials for a remote reachable from other machines."""

    cert: Path
    key: Path
    auth_keys: Path
    audience: str  # the host name members put in the URL


class Server:
    """Doltlite's remote server, running inside this process on its own threads."""

    def __init__(self, directory: Path, host: str, port: int, guard: Guard | None = None) -> None:
        require_engine()
        import doltlite

        self._lib = ctypes.CDLL(doltlite.libdoltlite_path())
        self._lib.doltliteServeAsyncOpts.argtypes = [ctypes.POINTER(_ServeOpts)]
        self._lib.doltliteServeAsyncOpts.restype = ctypes.c_void_p
        self._lib.doltliteServerPort.argtypes = [ctypes.c_void_p]
        self._lib.doltliteServerPort.restype = ctypes.c_int
        self._lib.doltliteServerStop.argtypes = [ctypes.c_void_p]
        self._lib.doltliteServerStop.restype = None
        self._opts = _ServeOpts(
            str(directory).encode(),
            int(port),
            host.encode(),
            str(guard.cert).encode() if guard else None,
            str(guard.key).encode() if guard else None,
            str(guard.auth_keys).encode() if guard else None,
            guard.audience.encode() if guard else None,
            0,
            None,
        )
        self._handle = self._lib.doltliteServeAsyncOpts(ctypes.byref(self._opts))
        if not self._handle:
            why = "in use, or not an address here"
            if guard:
                why += "; or the certificate, key or member keys could not be read"
            raise TeamError(f"cannot serve on {host}:{port} ({why})")
        self.host = host
        self.port = int(self._lib.doltliteServerPort(self._handle))
        self.scheme = "https" if guard else "http"

    def stop(self) -> None:
        if self._handle:
            self._lib.doltliteServerStop(self._handle)
            self._handle = None


def creds_dir() -> Path:
    """Where Doltlite keeps this user's credentials."""
    if from_env := os.environ.get("DOLTLITE_CREDS_DIR"):
        return Path(from_env).expanduser()
    return Path.home() / ".doltlite" / "creds"


def member_key(export_dir: Path) -> tuple[str, Path, bool]:
    """This user's credential for team remotes (made on first use), with its public half
    exported to ``export_dir`` for whoever runs the remote. Returns (id, file, created)."""
    require_engine()
    folder = creds_dir()
    found = sorted(folder.glob("*.jwk")) if folder.is_dir() else []
    conn = sqlite3.connect(":memory:")
    try:
        created = False
        if not found:
            conn.execute("SELECT dolt_creds_new()")
            created = True
            found = sorted(folder.glob("*.jwk"))
        chosen = os.environ.get("DOLTLITE_CREDS_KID")
        if chosen:
            found = [f for f in found if f.stem == chosen]
        if len(found) != 1:
            raise TeamError(
                f"{folder} holds {len(found)} credentials; choose one with DOLTLITE_CREDS_KID"
            )
        kid = found[0].stem
        export_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        conn.execute("SELECT dolt_creds('export', ?, ?)", (kid, str(export_dir.resolve())))
    except sqlite3.Error as exc:
        raise TeamError(f"cannot make or export the credential: {exc}") from None
    finally:
        conn.close()
    return kid, export_dir / f"{kid}.jwk", created


# --- init, clone ---------------------------------------------------------------------------


def init(path: Path, url: str, member: str) -> tuple[Path, SyncReport | None]:
    """Turn the solo database at ``path`` into a team database and publish it at ``url``.

    The solo file is kept beside it as ``<name>.solo-backup-<time><suffix>``.
    Returns the backup path and the publishing sync (None when offline: publish later).
    """
    require_engine()
    url = check_url(url)
    if is_team_file(path):
        raise TeamError(f"{path} is already a team database")
    if not path.exists():
        _make_plain(path)  # a new, empty portfolio, as a solo file first
    solo = open_db(path)  # plain SQLite, brought up to the current schema
    with contextlib.suppress(sqlite3.Error):
        solo.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        solo.execute("PRAGMA journal_mode = DELETE")
    solo.close()
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.solo-backup-{stamp}{path.suffix}")
    os.replace(path, backup)
    for side in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{side}")
    try:
        conn = open_db(path)
        try:
            conn.execute("ATTACH DATABASE ? AS solo", (str(backup),))
            with _foreign_keys_off(conn):
                conn.execute("BEGIN")
                copy_tables(conn, "solo", "main")
                _exec(conn, CONFLICTS_DDL, schema="main")
                conn.execute("COMMIT")
            conn.execute("DETACH DATABASE solo")
            conn.execute(
                "SELECT dolt_commit('-A', '-m', ?, '--author', ?)",
                (f"{member}: team portfolio made from {path.name}", author(member)),
            )
            conn.execute("SELECT dolt_remote('add', ?, ?)", (REMOTE, url))
        finally:
            conn.close()
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(path)
        os.replace(backup, path)
        raise
    identity.write_local(path, team_url=url)
    conn = open_db(path)
    try:
        try:
            conn.execute("SELECT dolt_push(?, ?)", (REMOTE, BRANCH))
        except sqlite3.Error as exc:
            error = _remote_error(exc, url)
            if isinstance(error, Offline):
                return backup, None
            raise error from None
        identity.write_local(path, last_sync=clock.to_stored(clock.now()))
        return backup, SyncReport(pushed=True)
    finally:
        conn.close()


def clone(url: str, path: Path) -> None:
    """Make a new member's copy of the team portfolio at ``path``."""
    require_engine()
    url = check_url(url)
    if path.exists() and path.stat().st_size > 0:
        raise TeamError(f"{path} already exists; clone into a new file")
    _create_private_file(path)
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("SELECT dolt_clone(?)", (url,))
        finally:
            conn.close()
        if not is_team_file(path):
            raise TeamError(f"nothing was cloned from {url}")
        open_db(path).close()  # a tempcheck database, upgraded if the team's is older
    except sqlite3.Error as exc:
        _remove_copy(path)
        raise _remote_error(exc, url) from None
    except BaseException:
        _remove_copy(path)
        raise
    identity.write_local(path, team_url=url, last_sync=clock.to_stored(clock.now()))


def _remove_copy(path: Path) -> None:
    for leftover in (path, path.with_name(f".{path.name}-lock")):
        with contextlib.suppress(OSError):
            os.remove(leftover)


# --- sync ----------------------------------------------------------------------------------


def sync(conn: sqlite3.Connection, member: str) -> SyncReport:
    """Commit local work, fetch, merge by the rule, push. Raises :class:`Offline` offline."""
    require_engine()
    started = time.perf_counter()
    report = SyncReport()
    url = remote_url(conn)
    if url is None:
        raise TeamError("this team database has no remote; see 'tempcheck team init'")
    if conn.in_transaction:
        raise TeamError("a write is in progress; sync again in a moment")
    report.committed = commit_local(conn, member)
    for _attempt in range(PUSH_ATTEMPTS):
        try:
            conn.execute("SELECT dolt_fetch(?, ?)", (REMOTE, BRANCH))
        except sqlite3.Error as exc:
            raise _remote_error(exc, url) from None
        theirs = _tracking_hash(conn)
        if theirs is not None:
            head = _one(conn, "SELECT dolt_hashof(?)", BRANCH)
            base = _one(conn, "SELECT dolt_merge_base(?, ?)", BRANCH, TRACKING)
            if theirs not in (head, base):
                report.pulled = True
                if head == base:
                    conn.execute("SELECT dolt_merge(?)", (TRACKING,))  # a fast-forward
                else:
                    report.renumbered += _renumber_unpublished(conn, base, member)
                    report.conflicts += _merge(conn, member, base)
        if theirs is not None and not _ahead(conn):
            report.pushed = False
            break
        try:
            conn.execute("SELECT dolt_push(?, ?)", (REMOTE, BRANCH))
        except sqlite3.Error as exc:
            if "fast-forward" in str(exc):
                continue  # someone pushed meanwhile: fetch and merge again
            raise _remote_error(exc, url) from None
        report.pushed = True
        break
    else:
        raise TeamError("the team remote kept moving while syncing; sync again")
    path = identity.db_file(conn)
    if path:
        identity.write_local(path, last_sync=clock.to_stored(clock.now()))
    report.seconds = time.perf_counter() - started
    return report


def _tracking_hash(conn: sqlite3.Connection) -> str | None:
    try:
        return _one(conn, "SELECT dolt_hashof(?)", TRACKING)
    except sqlite3.Error:
        return None  # nothing published yet


def _ahead(conn: sqlite3.Connection) -> int:
    return _one(conn, "SELECT count(*) FROM dolt_log(?)", f"{TRACKING}..{BRANCH}") or 0


def _behind(conn: sqlite3.Connection) -> int:
    return _one(conn, "SELECT count(*) FROM dolt_log(?)", f"{BRANCH}..{TRACKING}") or 0


def _added(conn: sqlite3.Connection, table: str, revisions: str) -> dict[Any, Any]:
    """{integer key: uid} of the rows ``table`` gained over ``revisions`` ('A..B')."""
    uid = "uid" if "uid" in _columns(conn, table) else "id"
    try:
        return dict(
            _exec(
                conn,
                "SELECT to_id, {uid} FROM {diff}(?) WHERE diff_type = 'added'",
                (revisions,),
                uid=f"to_{uid}",
                diff=f"dolt_diff_{table}",
            )
        )
    except sqlite3.Error:
        return {}  # the table is new in this range: its keys cannot clash with older rows


def _renumber_unpublished(conn: sqlite3.Connection, base: str, member: str) -> int:
    """Move this member's unpublished rows off integer keys the remote has used meanwhile.

    Both members' new rows got the next free integer; the remote's are published,
    ours are not, so ours move (with every reference to them). Returns rows moved.
    """
    tables = [name for name, _ in _user_tables(conn) if _pk(conn, name) == "id"]
    children: dict[str, list[tuple[str, str]]] = {}
    for name, _ in _user_tables(conn):
        for fk in _exec(conn, "PRAGMA foreign_key_list({t})", t=name):
            children.setdefault(fk[2], []).append((name, fk[3]))
    plan: list[tuple[str, list[Any], int]] = []
    for table in tables:
        ours = _added(conn, table, f"{base}..{BRANCH}")
        if not ours:
            continue
        theirs = _added(conn, table, f"{base}..{TRACKING}")
        clash = sorted(key for key, uid in ours.items() if key in theirs and theirs[key] != uid)
        if clash:
            top = max(_one(conn, "SELECT coalesce(max(id), 0) FROM {t}", t=table), max(theirs))
            plan.append((table, clash, top))
    if not plan:
        return 0
    moved = 0
    derived = derived_tables(conn)
    moved_customers: set[int] = set()
    with _foreign_keys_off(conn):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table, clash, top in plan:
                for old in clash:
                    top += 1
                    _exec(conn, "UPDATE {t} SET id = ? WHERE id = ?", (top, old), t=table)
                    if table == "customers":
                        moved_customers.add(top)
                    for child, column in children.get(table, []):
                        if child in derived:
                            continue  # recomputed below (triggers have already moved some)
                        _exec(
                            conn,
                            "UPDATE {t} SET {c} = ? WHERE {c} = ?",
                            (top, old),
                            t=child,
                            c=column,
                        )
                    moved += 1
            # full-text triggers follow the moved rows; only summaries need recomputing
            rebuild_derived(conn, moved_customers, indexes=set())
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    conn.execute(
        "SELECT dolt_commit('-A', '-m', ?, '--author', ?)",
        (f"{member}: {moved} new row(s) moved to free keys before merging", author(member)),
    )
    return moved


def _merge(conn: sqlite3.Connection, member: str, base: str) -> list[int]:
    """Merge the remote into ours inside one transaction, resolving by the rule."""
    recorded: list[tuple[str, str, str, str, Any, Any]] = []
    conn.execute("BEGIN")
    try:
        try:
            conn.execute("SELECT dolt_merge(?)", (TRACKING,))
        except sqlite3.Error as exc:
            if "conflict" not in str(exc).lower():
                raise
        derived = derived_tables(conn)
        stale: set[int] = set()
        stale_indexes: set[str] = set()
        for (table,) in conn.execute('SELECT "table" FROM dolt_conflicts').fetchall():
            if table == "contact_summary":
                for ours, theirs in conn.execute(
                    "SELECT our_customer_id, their_customer_id FROM dolt_conflicts_contact_summary"
                ):
                    stale |= {cid for cid in (ours, theirs) if cid is not None}
            index = _index_of(conn, table)
            if index is not None:
                stale_indexes.add(index)  # both sides wrote to it: rebuild from its table
            if table in derived:
                conn.execute("SELECT dolt_conflicts_resolve('--ours', ?)", (table,))
            else:
                recorded += _resolve_rows(conn, table)
        violations = conn.execute("SELECT * FROM dolt_constraint_violations").fetchall()
        for table, count in violations:
            if count:
                recorded += _settle_violations(conn, str(table), base, member)
        violations = conn.execute("SELECT * FROM dolt_constraint_violations").fetchall()
        violations = [v for v in violations if v[1]]
        if violations:
            tables = ", ".join(sorted({str(v[0]) for v in violations}))
            raise TeamError(
                f"merging the team's changes would break a rule in {tables} (for example "
                "two customers with the same name); nothing was merged, rename yours and sync "
                "again"
            )
        if ("customers", "contact") in _mirrored_columns(conn):
            conn.execute(_MIRROR_CONTACT)  # the primary contact's name, as its trigger keeps it
        rebuild_derived(conn, stale, stale_indexes)
        now = clock.to_stored(clock.now())
        _exec(conn, CONFLICTS_DDL, schema="main")
        ids = []
        for table, key_column, row_key, column, kept, aside in recorded:
            cursor = conn.execute(
                "INSERT INTO team_conflicts (at, synced_by, table_name, key_column, row_key,"
                " column_name, kept, set_aside) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    member,
                    table,
                    key_column,
                    row_key,
                    column,
                    json.dumps(kept),
                    json.dumps(aside),
                ),
            )
            ids.append(cursor.lastrowid)
        message = f"{member}: merged the team's changes"
        if ids:
            message += f" ({len(ids)} field(s) edited on both sides set aside)"
        try:
            conn.execute(
                "SELECT dolt_commit('-A', '-m', ?, '--author', ?)", (message, author(member))
            )
        except sqlite3.Error as exc:
            if "nothing to commit" not in str(exc):
                raise  # else the merge committed itself (a clean merge, or the same changes)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return ids


def _mirrored_columns(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """Columns that triggers keep equal to another table: merged from their source."""
    tables = {name for name, _ in _user_tables(conn)}
    return {("customers", "contact")} if "contacts" in tables else set()


_MIRROR_CONTACT = """
UPDATE customers SET contact = coalesce((SELECT p.name FROM contacts p
    WHERE p.customer_id = customers.id AND p.is_primary = 1 AND p.gone_at IS NULL), '')
WHERE id IN (SELECT customer_id FROM contacts)
"""


def _settle_violations(
    conn: sqlite3.Connection, table: str, base: str, member: str
) -> list[tuple[str, str, str, str, Any, Any]]:
    """Two members' new rows that break a uniqueness rule together: theirs stays as it is,
    ours gives way by a documented rule, recorded like a field set aside.

    - a second primary (an index ``… WHERE is_primary = 1``): ours stops being primary;
    - the same name twice (an index on ``name_key``): ours is renamed "NAME (member)".

    Anything else is left for the caller to refuse.
    """
    cursor = _exec(conn, "SELECT * FROM {v}", v=f"dolt_constraint_violations_{table}")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    ours = set(_added(conn, table, f"{base}..{BRANCH}"))
    recorded = []
    settled = False
    for row in rows:
        if row.get("violation_type") != "unique index" or row.get("id") not in ours:
            continue
        try:
            info = json.loads(row.get("violation_info") or "{}")
        except ValueError:
            info = {}
        index_sql = (
            _one(
                conn,
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                info.get("Name", ""),
            )
            or ""
        )
        row_key = str(row.get("uid", row["id"]))
        if "is_primary" in index_sql and row.get("is_primary") == 1:
            _exec(conn, "UPDATE {t} SET is_primary = 0 WHERE id = ?", (row["id"],), t=table)
            recorded.append((table, "uid", row_key, "is_primary", 0, 1))
            settled = True
        elif "name_key" in info.get("Columns", []) and isinstance(row.get("name"), str):
            renamed = f"{row['name']} ({member})"
            _exec(
                conn,
                "UPDATE {t} SET name = ?, name_key = ? WHERE id = ?",
                (renamed, name_key(renamed), row["id"]),
                t=table,
            )
            recorded.append((table, "uid", row_key, "name", renamed, row["name"]))
            settled = True
    if settled:
        _exec(conn, "DELETE FROM {v}", v=f"dolt_constraint_violations_{table}")
    return recorded


def _resolve_rows(
    conn: sqlite3.Connection, table: str
) -> list[tuple[str, str, str, str, Any, Any]]:
    """Field by field: one side's change wins over no change; both changed: theirs, ours aside."""
    cursor = _exec(conn, "SELECT * FROM {v}", v=f"dolt_conflicts_{table}")
    names = [d[0] for d in cursor.description]
    cols = [n[5:] for n in names if n.startswith("base_")]
    key = _pk(conn, table) or cols[0]
    label_column = "uid" if "uid" in cols else key
    mirrors = _mirrored_columns(conn)
    recorded = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        base = {c: row[f"base_{c}"] for c in cols}
        ours = {c: row[f"our_{c}"] for c in cols}
        theirs = {c: row[f"their_{c}"] for c in cols}
        our_kind, their_kind = row.get("our_diff_type"), row.get("their_diff_type")
        if their_kind == "removed" and our_kind != "removed":
            merged = ours  # edited here, removed there: keep the edit, nothing is lost
        elif our_kind == "removed" and their_kind != "removed":
            merged = theirs
        else:
            merged = {}
            for c in cols:
                b, o, t = base[c], ours[c], theirs[c]
                if o == t or o == b:
                    merged[c] = t
                elif t == b:
                    merged[c] = o
                else:
                    merged[c] = t
                    if (table, c) not in mirrors:
                        recorded.append((table, label_column, str(theirs[label_column]), c, t, o))
        present = _exec(
            conn, "SELECT 1 FROM {t} WHERE {k} = ?", (merged[key],), t=table, k=key
        ).fetchone()
        others = [c for c in cols if c != key]
        if present:
            # UPDATE t SET (a, b) = (?, ?): one row value, so no SQL is built per column
            _exec(
                conn,
                "UPDATE {t} SET ({cols}) = (" + ", ".join("?" * len(others)) + ") WHERE {k} = ?",
                [merged[c] for c in others] + [merged[key]],
                t=table,
                cols=others,
                k=key,
            )
        else:
            _exec(
                conn,
                "INSERT INTO {t} ({cols}) VALUES (" + ", ".join("?" * len(cols)) + ")",
                [merged[c] for c in cols],
                t=table,
                cols=cols,
            )
        _exec(
            conn,
            "DELETE FROM {v} WHERE dolt_conflict_id = ?",
            (row["dolt_conflict_id"],),
            v=f"dolt_conflicts_{table}",
        )
    return recorded


# --- status, conflicts, export -------------------------------------------------------------


def status(conn: sqlite3.Connection, *, fetch: bool = True) -> Status:
    require_engine()
    path = identity.db_file(conn)
    local = identity.read_local(path) if path else {}
    online = False
    if fetch:
        try:
            conn.execute("SELECT dolt_fetch(?, ?)", (REMOTE, BRANCH))
            online = True
        except sqlite3.Error:
            online = False
    has_tracking = _tracking_hash(conn) is not None
    ahead = _ahead(conn) if has_tracking else _one(conn, "SELECT count(*) FROM dolt_log")
    behind = _behind(conn) if has_tracking else 0
    changes = sum(a + m + d for _t, a, m, d in local_changes(conn))
    return Status(
        url=remote_url(conn) or "",
        member=identity.name_for_path(path),
        ahead=ahead,
        behind=behind,
        local_changes=changes,
        last_sync=local.get("last_sync"),
        open_conflicts=len(conflicts(conn, open_only=True)),
        online=online,
    )


def conflicts(conn: sqlite3.Connection, *, open_only: bool = False) -> list[Conflict]:
    try:
        rows = conn.execute(
            "SELECT id, at, synced_by, table_name, row_key, column_name, kept, set_aside,"
            " resolved_at, resolution FROM team_conflicts"
            + (" WHERE resolved_at IS NULL" if open_only else "")
            + " ORDER BY id"
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    return [
        Conflict(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), json.loads(r[7]), r[8], r[9])
        for r in rows
    ]


def describe_row(conn: sqlite3.Connection, conflict: Conflict) -> str:
    """A readable name for the conflicting row: the customer's name where there is one."""
    if conflict.table == "customers":
        name = _one(conn, "SELECT name FROM customers WHERE uid = ?", conflict.row)
        if name:
            return f"customer {name}"
    if conflict.table == "settings":
        return f"setting {conflict.row}"
    if conflict.table == "contacts":
        found = conn.execute(
            "SELECT p.name, c.name FROM contacts p JOIN customers c ON c.id = p.customer_id"
            " WHERE p.uid = ?",
            (conflict.row,),
        ).fetchone()
        if found:
            return f"contact {found[0]} of {found[1]}"
    return f"{conflict.table} {conflict.row[:8]}"


def resolve(conn: sqlite3.Connection, conflict_id: int, side: str) -> Conflict:
    """Keep the value that reached the team first (theirs) or restore the one set aside (ours)."""
    if side not in ("ours", "theirs"):
        raise TeamError("resolve with --ours or --theirs")
    found = [c for c in conflicts(conn) if c.id == conflict_id]
    if not found:
        raise TeamError(f"no conflict with id {conflict_id} (see 'tempcheck team conflicts')")
    conflict = found[0]
    if conflict.resolved_at:
        raise TeamError(f"conflict {conflict_id} was already resolved ({conflict.resolution})")
    key_column = _one(conn, "SELECT key_column FROM team_conflicts WHERE id = ?", conflict_id)
    if conflict.column not in _columns(conn, conflict.table):
        raise TeamError(f"{conflict.table}.{conflict.column} no longer exists")
    conn.execute("BEGIN IMMEDIATE")
    try:
        if side == "ours":
            try:
                if conflict.column == "is_primary" and conflict.set_aside == 1:
                    # one primary per customer: the other one steps down first
                    _exec(
                        conn,
                        "UPDATE {t} SET is_primary = 0 WHERE is_primary = 1 AND"
                        " customer_id = (SELECT customer_id FROM {t} WHERE {k} = ?)",
                        (conflict.row,),
                        t=conflict.table,
                        k=key_column,
                    )
                _exec(
                    conn,
                    "UPDATE {t} SET {c} = ? WHERE {k} = ?",
                    (conflict.set_aside, conflict.row),
                    t=conflict.table,
                    c=conflict.column,
                    k=key_column,
                )
            except sqlite3.IntegrityError as exc:
                raise TeamError(
                    f"cannot restore {conflict.column} of conflict {conflict_id}: it would "
                    f"break a rule in {conflict.table} ({exc}); change the other one first"
                ) from None
        conn.execute(
            "UPDATE team_conflicts SET resolved_at = ?, resolution = ? WHERE id = ?",
            (clock.to_stored(clock.now()), side, conflict_id),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return [c for c in conflicts(conn) if c.id == conflict_id][0]


PLAIN_CHILD = "import sys\nfrom tempcheck.store import open_db\nopen_db(sys.argv[1]).close()\n"


def _make_plain(dest: Path) -> None:
    """A new, empty plain SQLite tempcheck database, made by a child without Doltlite."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LD_PRELOAD", "_DOLTLITE_BOOTSTRAPPED", "DYLD_INSERT_LIBRARIES")
    }
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_CHILD, str(dest)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or is_team_file(dest):
        with contextlib.suppress(OSError):
            os.remove(dest)
        tail = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise TeamError(f"cannot create {dest}: {tail}")


def export(conn: sqlite3.Connection, dest: Path) -> dict[str, int]:
    """Write everything to a new plain SQLite tempcheck database at ``dest``.

    The plain file is created by a child process without Doltlite (this process's
    engine would make a Doltlite file), then filled from here through ATTACH:
    Doltlite opens plain SQLite files with SQLite's own engine.
    """
    require_engine()
    if dest.exists():
        raise TeamError(f"{dest} already exists; export to a new file")
    _make_plain(dest)
    conn.execute("ATTACH DATABASE ? AS plain", (str(dest),))
    try:
        with _foreign_keys_off(conn):
            conn.execute("BEGIN")
            try:
                counts = copy_tables(conn, "main", "plain")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
    finally:
        conn.execute("DETACH DATABASE plain")
    return counts
