"""Full-text search over everything said: check-in notes and what fell short, issues
and their resolutions, promises, concerns, people and customers.

The FTS5 indexes are kept by triggers (see the accounts migration), so a row
written by any program is found at once. What someone types is never passed
to FTS5 as syntax: it is cut into words, each quoted, the last one a prefix,
so ``budget worr`` finds "budget worries" and ``"; DROP`` is just two words.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from tempcheck.domain import clock
from tempcheck.store.connection import StoreError
from tempcheck.store.summary import ensure_search_index

MARK_START = "\ue000"  # private-use characters around each match in a snippet
MARK_END = "\ue001"
MAX_QUERY = 200
MAX_WORDS = 12
MAX_LIMIT = 500
SNIPPET_WORDS = 12
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    """One match: which customer, when, what kind of record, and the words around it."""

    kind: str  # check-in, issue, resolution, promise, concern, priority, contact, customer
    customer_id: int
    customer_name: str
    at: datetime
    ref_id: int  # the check-in, issue, promise, concern or contact id (customer id for customer)
    snippet: str  # with MARK_START / MARK_END around each match

    def marked(self, start: str = "«", end: str = "»") -> str:
        """The snippet with the matches between ``start`` and ``end``, on one line."""
        text = " ".join(self.snippet.split())
        return text.replace(MARK_START, start).replace(MARK_END, end)

    def parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, is_match) pieces, for a screen to style."""
        pieces: list[tuple[str, bool]] = []
        for chunk in " ".join(self.snippet.split()).split(MARK_START):
            if MARK_END in chunk:
                match, rest = chunk.split(MARK_END, 1)
                pieces.append((match, True))
                if rest:
                    pieces.append((rest, False))
            elif chunk:
                pieces.append((chunk, False))
        return pieces


def fts_query(text: str) -> str:
    """The typed text as a safe FTS5 query ('' when it holds no word)."""
    words = _WORD.findall(text[:MAX_QUERY])[:MAX_WORDS]
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]  # \w+ holds no quote, so nothing to escape
    if not text[:MAX_QUERY].endswith((" ", '"')):
        quoted[-1] += "*"  # still typing the last word: it is a prefix
    return " ".join(quoted)


_SNIP = "snippet({t}, -1, char(57344), char(57345), '…', " + str(SNIPPET_WORDS) + ")"

# (kind, SQL) for each index; each SELECT gives customer_id, name, at, ref, snippet, kind
# (named by the first one).
_SOURCES: tuple[tuple[str, str], ...] = (
    (
        "check-in",
        "SELECT k.customer_id AS customer_id, c.name AS name, k.at AS at, k.id AS ref, "
        + _SNIP.format(t="checkins_fts")
        + " AS snip, 'check-in' AS kind"
        " FROM checkins_fts JOIN checkins k ON k.id = checkins_fts.rowid"
        " JOIN customers c ON c.id = k.customer_id WHERE checkins_fts MATCH :q",
    ),
    (
        "issue",
        "SELECT i.customer_id, c.name, i.opened_at, i.id, "
        + _SNIP.format(t="issues_fts")
        + ", 'issue'"
        " FROM issues_fts JOIN issues i ON i.id = issues_fts.rowid"
        " JOIN customers c ON c.id = i.customer_id WHERE issues_fts MATCH :q",
    ),
    (
        "resolution",
        "SELECT i.customer_id, c.name, x.closed_at, i.id, "
        + _SNIP.format(t="issue_closures_fts")
        + ", 'resolution' FROM issue_closures_fts"
        " JOIN issue_closures x ON x.id = issue_closures_fts.rowid"
        " JOIN issues i ON i.id = x.issue_id JOIN customers c ON c.id = i.customer_id"
        " WHERE issue_closures_fts MATCH :q",
    ),
    (
        "promise",
        "SELECT p.customer_id, c.name, p.made_at, p.id, "
        + _SNIP.format(t="promises_fts")
        + ", 'promise'"
        " FROM promises_fts JOIN promises p ON p.id = promises_fts.rowid"
        " JOIN customers c ON c.id = p.customer_id WHERE promises_fts MATCH :q",
    ),
    (
        "concern",
        "SELECT q.customer_id, c.name, q.created_at, q.id, "
        + _SNIP.format(t="concerns_fts")
        + ", q.kind"
        " FROM concerns_fts JOIN concerns q ON q.id = concerns_fts.rowid"
        " JOIN customers c ON c.id = q.customer_id WHERE concerns_fts MATCH :q",
    ),
    (
        "contact",
        "SELECT p.customer_id, c.name, p.created_at, p.id, "
        + _SNIP.format(t="contacts_fts")
        + ", 'contact'"
        " FROM contacts_fts JOIN contacts p ON p.id = contacts_fts.rowid"
        " JOIN customers c ON c.id = p.customer_id WHERE contacts_fts MATCH :q",
    ),
    (
        "customer",
        "SELECT c.id, c.name, c.created_at, c.id, "
        + _SNIP.format(t="customers_fts")
        + ", 'customer'"
        " FROM customers_fts JOIN customers c ON c.id = customers_fts.rowid"
        " WHERE customers_fts MATCH :q",
    ),
)
KINDS = tuple(kind for kind, _ in _SOURCES)
_SEARCH_SQL = (
    "SELECT * FROM (" + " UNION ALL ".join(sql for _, sql in _SOURCES) + ")"
    " WHERE (:customer_id IS NULL OR customer_id = :customer_id)"
    " AND (:since IS NULL OR at >= :since)"
    " ORDER BY at DESC, kind, ref DESC LIMIT :limit"
)


def search(
    conn: sqlite3.Connection,
    text: str,
    *,
    customer_id: int | None = None,
    since: datetime | None = None,
    limit: int = 50,
) -> list[Hit]:
    """Everything matching ``text``, newest first (at most ``limit``, up to 500)."""
    query = fts_query(text)
    if not query:
        return []
    _catch_up(conn)
    limit = max(1, min(int(limit), MAX_LIMIT))
    rows = conn.execute(
        _SEARCH_SQL,
        {
            "q": query,
            "customer_id": customer_id,
            "since": clock.to_stored(since) if since else None,
            "limit": limit,
        },
    )
    return [
        Hit(kind, cid, name, clock.from_stored(at), ref, snip or "")
        for cid, name, at, ref, snip, kind in rows
    ]


def _catch_up(conn: sqlite3.Connection) -> None:
    """A bulk load may have left the check-in index to the first search (read-only files
    are searched as they are)."""
    try:
        ensure_search_index(conn)
    except (sqlite3.Error, StoreError):
        pass


def matching_customers(conn: sqlite3.Connection, text: str) -> set[int]:
    """Customers with a contact whose name matches ``text`` (the dashboard filter)."""
    query = fts_query(text)
    if not query:
        return set()
    return {
        row[0]
        for row in conn.execute(
            "SELECT p.customer_id FROM contacts_fts JOIN contacts p ON p.id = contacts_fts.rowid"
            " WHERE contacts_fts MATCH :q",
            {"q": "name : (" + query + ")"},
        )
    }
