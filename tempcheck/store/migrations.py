"""The schema, as an ordered list of migrations keyed by ``PRAGMA user_version``.

Each migration runs in one exclusive transaction with the version bump, so a
failure leaves the file exactly as it was. Append new steps; never edit one
that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from tempcheck.domain.matching import key as name_key

# A random (version 4) UUID made by SQLite itself, so bulk inserts need no Python per row.
UUID_SQL = (
    "(lower(printf('%s-%s-4%s-%s%s-%s', hex(randomblob(4)), hex(randomblob(2)),"
    " substr(hex(randomblob(2)), 2), substr('89ab', 1 + (abs(random()) % 4), 1),"
    " substr(hex(randomblob(2)), 2), hex(randomblob(6)))))"
)
UID = f"uid TEXT NOT NULL UNIQUE DEFAULT {UUID_SQL}"

V1_CUSTOMERS_AND_CHECKINS = f"""
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    {UID},
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL DEFAULT 'relationship' CHECK (kind IN ('relationship', 'transactional')),
    cadence_days INTEGER NOT NULL DEFAULT 14 CHECK (cadence_days > 0),
    contact TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'ended')),
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX customers_status ON customers (status);
CREATE TABLE checkins (
    id INTEGER PRIMARY KEY,
    {UID},
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    at TEXT NOT NULL,
    temperature INTEGER NOT NULL CHECK (temperature BETWEEN 1 AND 5),
    channel TEXT NOT NULL DEFAULT 'hallway'
        CHECK (channel IN ('hallway', 'call', 'video', 'email', 'meeting', 'social')),
    initiated_by TEXT NOT NULL DEFAULT 'us' CHECK (initiated_by IN ('us', 'them')),
    note TEXT NOT NULL DEFAULT '',
    fell_short TEXT NOT NULL DEFAULT '',
    follow_up TEXT,
    created_at TEXT NOT NULL
);
-- Covering index: the dashboard reads last contact and recent temperatures per
-- customer from the index alone, without touching the table.
CREATE INDEX checkins_customer_at ON checkins (customer_id, at, temperature, initiated_by);

-- Last contact and the newest temperatures per customer, kept current by the
-- triggers below so the dashboard reads one row per customer instead of
-- searching check-ins. Always derivable: see store.summary.rebuild().
CREATE TABLE contact_summary (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    last_at TEXT,
    recent TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER checkins_summary_insert AFTER INSERT ON checkins BEGIN
    INSERT OR REPLACE INTO contact_summary (customer_id, last_at, recent)
    SELECT NEW.customer_id, max(at), coalesce(group_concat(temperature, ''), '') FROM
        (SELECT at, temperature FROM checkins WHERE customer_id = NEW.customer_id
         ORDER BY at DESC LIMIT 8);
END;
CREATE TRIGGER checkins_summary_delete AFTER DELETE ON checkins BEGIN
    INSERT OR REPLACE INTO contact_summary (customer_id, last_at, recent)
    SELECT OLD.customer_id, max(at), coalesce(group_concat(temperature, ''), '') FROM
        (SELECT at, temperature FROM checkins WHERE customer_id = OLD.customer_id
         ORDER BY at DESC LIMIT 8);
END;
CREATE TRIGGER checkins_summary_update AFTER UPDATE OF customer_id, at, temperature ON checkins
BEGIN
    INSERT OR REPLACE INTO contact_summary (customer_id, last_at, recent)
    SELECT OLD.customer_id, max(at), coalesce(group_concat(temperature, ''), '') FROM
        (SELECT at, temperature FROM checkins WHERE customer_id = OLD.customer_id
         ORDER BY at DESC LIMIT 8);
    INSERT OR REPLACE INTO contact_summary (customer_id, last_at, recent)
    SELECT NEW.customer_id, max(at), coalesce(group_concat(temperature, ''), '') FROM
        (SELECT at, temperature FROM checkins WHERE customer_id = NEW.customer_id
         ORDER BY at DESC LIMIT 8);
END;
"""

V2_RELATIONSHIP_SYSTEMS = f"""
ALTER TABLE customers ADD COLUMN paused_until TEXT;
ALTER TABLE customers ADD COLUMN calibration_days INTEGER;
ALTER TABLE checkins ADD COLUMN issue_id INTEGER REFERENCES issues (id);

-- Status changes are kept as rows; customers.status caches the newest one.
CREATE TABLE customer_events (
    id INTEGER PRIMARY KEY,
    {UID},
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'ended')),
    until TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX customer_events_customer ON customer_events (customer_id, at);

CREATE TABLE issues (
    id INTEGER PRIMARY KEY,
    {UID},
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    due TEXT,
    raised_by TEXT NOT NULL DEFAULT 'customer' CHECK (raised_by IN ('customer', 'us')),
    opened_at TEXT NOT NULL,
    from_checkin_id INTEGER REFERENCES checkins (id)
);
CREATE INDEX issues_customer ON issues (customer_id);
-- Closing an issue adds a row; the issue row itself is never rewritten.
CREATE TABLE issue_closures (
    id INTEGER PRIMARY KEY,
    {UID},
    issue_id INTEGER NOT NULL UNIQUE REFERENCES issues (id),
    closed_at TEXT NOT NULL,
    resolution TEXT NOT NULL,
    checkin_id INTEGER REFERENCES checkins (id)
);

CREATE TABLE promises (
    id INTEGER PRIMARY KEY,
    {UID},
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    text TEXT NOT NULL,
    due TEXT NOT NULL,
    made_at TEXT NOT NULL
);
CREATE INDEX promises_customer ON promises (customer_id);
CREATE TABLE promise_settlements (
    id INTEGER PRIMARY KEY,
    {UID},
    promise_id INTEGER NOT NULL UNIQUE REFERENCES promises (id),
    settled_at TEXT NOT NULL,
    settled_on TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('kept', 'broken')),
    note TEXT NOT NULL DEFAULT ''
);

CREATE TABLE followups (
    id INTEGER PRIMARY KEY,
    {UID},
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    due TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    checkin_id INTEGER REFERENCES checkins (id),
    issue_id INTEGER REFERENCES issues (id)
);
CREATE INDEX followups_customer ON followups (customer_id, due);
-- Done and snoozed are recorded as events; the newest snooze sets the due date.
CREATE TABLE followup_events (
    id INTEGER PRIMARY KEY,
    {UID},
    followup_id INTEGER NOT NULL REFERENCES followups (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('done', 'snoozed')),
    until TEXT
);
CREATE INDEX followup_events_followup ON followup_events (followup_id, id);

CREATE TABLE concerns (
    id INTEGER PRIMARY KEY,
    {UID},
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL DEFAULT 'concern' CHECK (kind IN ('concern', 'priority')),
    text TEXT NOT NULL,
    rank INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX concerns_customer ON concerns (customer_id);
CREATE TABLE concern_events (
    id INTEGER PRIMARY KEY,
    {UID},
    concern_id INTEGER NOT NULL REFERENCES concerns (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('confirmed', 'dropped'))
);
CREATE INDEX concern_events_concern ON concern_events (concern_id, kind, at);

-- Follow-ups asked for by check-ins made before this version become follow-up rows.
INSERT INTO followups (customer_id, due, note, created_at, checkin_id)
SELECT customer_id, follow_up, note, created_at, id FROM checkins WHERE follow_up IS NOT NULL;
"""

V3_BRIEF_SNOOZES_AND_BASELINES = f"""
-- A customer's contact reminder snoozed until a day, without touching the cadence.
-- A new row per snooze; the newest (highest id) wins; until <= today means awake.
CREATE TABLE reminder_snoozes (
    id INTEGER PRIMARY KEY,
    {UID},
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    until TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX reminder_snoozes_customer ON reminder_snoozes (customer_id, id);

-- `tempcheck spread`: a never-contacted customer's staggered stand-in for a last
-- contact, so a bulk import does not turn the whole first morning red.
CREATE TABLE contact_baselines (
    id INTEGER PRIMARY KEY,
    {UID},
    customer_id INTEGER NOT NULL UNIQUE REFERENCES customers (id),
    baseline_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""

_SUMMARY_BODY = """
    INSERT OR REPLACE INTO contact_summary (customer_id, last_at, recent)
    SELECT {who}.customer_id, max(at), coalesce(group_concat(temperature, ''), '') FROM
        (SELECT at, temperature FROM checkins WHERE customer_id = {who}.customer_id
         ORDER BY at DESC, id DESC LIMIT 8);"""

V4_NAME_KEYS_AND_SUMMARY_TIES = f"""
-- Names compare after Unicode normalisation (NFKC) as well as case folding.
UPDATE customers SET name_key = tempcheck_name_key(name);

-- Two check-ins at the same instant: the later-logged one is the last temperature.
DROP TRIGGER checkins_summary_insert;
DROP TRIGGER checkins_summary_delete;
DROP TRIGGER checkins_summary_update;
CREATE TRIGGER checkins_summary_insert AFTER INSERT ON checkins BEGIN
{_SUMMARY_BODY.format(who="NEW")}
END;
CREATE TRIGGER checkins_summary_delete AFTER DELETE ON checkins BEGIN
{_SUMMARY_BODY.format(who="OLD")}
END;
CREATE TRIGGER checkins_summary_update AFTER UPDATE OF customer_id, at, temperature ON checkins
BEGIN
{_SUMMARY_BODY.format(who="OLD")}
{_SUMMARY_BODY.format(who="NEW")}
END;
"""

_ATTENTION_LAST = """coalesce(
        (SELECT s.last_at FROM contact_summary s WHERE s.customer_id = {who}),
        (SELECT b.baseline_at FROM contact_baselines b WHERE b.customer_id = {who}))"""

V5_ATTENTION_INDEX = f"""
-- What the dashboard's order depends on, one row per customer, kept current by triggers:
-- for one status, last temperature low or not, and cadence, the order of last contact (or
-- spread baseline) is the dashboard's order, so its first page is read through the index
-- without computing every customer's row. Always derivable from the tables it copies.
CREATE TABLE attention (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    status TEXT NOT NULL,
    paused_until TEXT,
    cadence_days INTEGER NOT NULL,
    low INTEGER NOT NULL DEFAULT 0,
    last_at TEXT
);
CREATE INDEX attention_order ON attention (status, low, cadence_days, last_at);
INSERT INTO attention (customer_id, status, paused_until, cadence_days, low, last_at)
SELECT c.id, c.status, c.paused_until, c.cadence_days,
    coalesce(substr(s.recent, 1, 1) IN ('1', '2'), 0), coalesce(s.last_at, b.baseline_at)
FROM customers c LEFT JOIN contact_summary s ON s.customer_id = c.id
LEFT JOIN contact_baselines b ON b.customer_id = c.id;
CREATE TRIGGER attention_customer_insert AFTER INSERT ON customers BEGIN
    INSERT OR REPLACE INTO attention (customer_id, status, paused_until, cadence_days, low, last_at)
    VALUES (NEW.id, NEW.status, NEW.paused_until, NEW.cadence_days, 0,
        {_ATTENTION_LAST.format(who="NEW.id")});
END;
CREATE TRIGGER attention_customer_update AFTER UPDATE OF status, paused_until, cadence_days
ON customers BEGIN
    UPDATE attention SET status = NEW.status, paused_until = NEW.paused_until,
        cadence_days = NEW.cadence_days WHERE customer_id = NEW.id;
END;
CREATE TRIGGER attention_customer_delete AFTER DELETE ON customers BEGIN
    DELETE FROM attention WHERE customer_id = OLD.id;
END;
-- The summary is written with INSERT OR REPLACE: the insert trigger sees every change.
CREATE TRIGGER attention_summary_insert AFTER INSERT ON contact_summary BEGIN
    UPDATE attention SET low = coalesce(substr(NEW.recent, 1, 1) IN ('1', '2'), 0),
        last_at = coalesce(NEW.last_at, (SELECT b.baseline_at FROM contact_baselines b
            WHERE b.customer_id = NEW.customer_id))
    WHERE customer_id = NEW.customer_id;
END;
CREATE TRIGGER attention_summary_update AFTER UPDATE ON contact_summary BEGIN
    UPDATE attention SET low = coalesce(substr(NEW.recent, 1, 1) IN ('1', '2'), 0),
        last_at = coalesce(NEW.last_at, (SELECT b.baseline_at FROM contact_baselines b
            WHERE b.customer_id = NEW.customer_id))
    WHERE customer_id = NEW.customer_id;
END;
CREATE TRIGGER attention_summary_delete AFTER DELETE ON contact_summary BEGIN
    UPDATE attention SET low = 0, last_at = (SELECT b.baseline_at FROM contact_baselines b
        WHERE b.customer_id = OLD.customer_id)
    WHERE customer_id = OLD.customer_id;
END;
CREATE TRIGGER attention_baseline_insert AFTER INSERT ON contact_baselines BEGIN
    UPDATE attention SET last_at = {_ATTENTION_LAST.format(who="NEW.customer_id")}
    WHERE customer_id = NEW.customer_id;
END;
CREATE TRIGGER attention_baseline_delete AFTER DELETE ON contact_baselines BEGIN
    UPDATE attention SET last_at = {_ATTENTION_LAST.format(who="OLD.customer_id")}
    WHERE customer_id = OLD.customer_id;
END;
"""

_PRIMARY_BODY = """
    UPDATE customers SET contact = coalesce((SELECT name FROM contacts
        WHERE customer_id = {who}.customer_id AND is_primary = 1 AND gone_at IS NULL), '')
    WHERE id = {who}.customer_id;"""


V5_ACCOUNTS_SQL = f"""
-- The people at each account. Never deleted: a person who left is marked gone,
-- so the check-ins that name them keep their names.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    {UID},
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    gone_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (customer_id, name_key)
);
CREATE INDEX contacts_email ON contacts (email) WHERE email != '';
CREATE UNIQUE INDEX contacts_one_primary ON contacts (customer_id) WHERE is_primary = 1;

-- The single free-text contact of earlier versions becomes the primary contact.
INSERT INTO contacts (customer_id, name, name_key, is_primary, created_at)
SELECT id, trim(contact), tempcheck_name_key(contact), 1, created_at
FROM customers WHERE trim(contact) != '';

-- From now on customers.contact mirrors the primary contact's name, so every reader
-- of the old field (dashboard, export, report) sees the primary contact.
CREATE TRIGGER contacts_primary_insert AFTER INSERT ON contacts BEGIN
{_PRIMARY_BODY.format(who="NEW")}
END;
CREATE TRIGGER contacts_primary_update
AFTER UPDATE OF customer_id, name, is_primary, gone_at ON contacts BEGIN
{_PRIMARY_BODY.format(who="OLD")}
{_PRIMARY_BODY.format(who="NEW")}
END;

ALTER TABLE customers ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN renewal_on TEXT;
ALTER TABLE customers ADD COLUMN domain TEXT NOT NULL DEFAULT '';

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    tag TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
);
CREATE INDEX customer_tags_tag ON customer_tags (tag, customer_id);

ALTER TABLE checkins ADD COLUMN contact_id INTEGER REFERENCES contacts (id);
CREATE INDEX checkins_contact ON checkins (contact_id, at) WHERE contact_id IS NOT NULL;
"""

# What full-text search covers: table -> its searchable text columns.
SEARCHABLE: dict[str, tuple[str, ...]] = {
    "customers": ("name", "notes"),
    "contacts": ("name", "role", "notes"),
    "checkins": ("note", "fell_short"),
    "issues": ("title", "detail"),
    "issue_closures": ("resolution",),
    "promises": ("text",),
    "concerns": ("text",),
}


def build_search_index(conn: sqlite3.Connection) -> None:
    """Full-text indexes (FTS5, external content) with triggers, so every write by any
    program keeps them current. Runs inside the caller's transaction, whatever the
    sqlite-utils version does with scripts."""
    from sqlite_utils import Database

    class InTransaction(Database):
        """Scripts run statement by statement: ``sqlite3.executescript`` would COMMIT first."""

        def executescript(self, sql: str) -> sqlite3.Cursor:
            cursor = self.conn.cursor()
            for statement in _statements(sql):
                cursor.execute(statement)
            return cursor

    db = InTransaction(conn, recursive_triggers=False, execute_plugins=False)
    for table, columns in SEARCHABLE.items():
        db.table(table).enable_fts(columns, create_triggers=True, tokenize="porter", replace=True)


def v5_accounts(conn: sqlite3.Connection) -> None:
    """Contacts, tags, owner, renewal and domain; then the full-text search index."""
    for statement in _statements(V5_ACCOUNTS_SQL):
        conn.execute(statement)
    build_search_index(conn)


V7_CALENDAR_MEETINGS = f"""
-- Meetings read from the user's calendar (one row per occurrence), keyed by the event's
-- UID and recurrence id. Only time, title, location and the attendee addresses that
-- matched a customer are kept. Withdrawn = cancelled or gone from the calendar;
-- dismissed = "nothing to log"; assigned_at = the customer was chosen by hand.
CREATE TABLE calendar_events (
    id INTEGER PRIMARY KEY,
    {UID},
    event_uid TEXT NOT NULL,
    recurrence_id TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    video INTEGER NOT NULL DEFAULT 0 CHECK (video IN (0, 1)),
    attendees TEXT NOT NULL DEFAULT '',
    match_state TEXT NOT NULL DEFAULT 'unmatched'
        CHECK (match_state IN ('matched', 'unmatched', 'ambiguous')),
    customer_id INTEGER REFERENCES customers (id),
    contact_id INTEGER REFERENCES contacts (id),
    assigned_at TEXT,
    withdrawn_at TEXT,
    dismissed_at TEXT,
    seen_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (event_uid, recurrence_id)
);
CREATE INDEX calendar_events_customer ON calendar_events (customer_id, ends_at);
CREATE INDEX calendar_events_source ON calendar_events (source, starts_at);
"""

V8_LOGGED_BY = """
-- Who logged each check-in and settled each promise (the member's user.name; '' before this
-- version), so a team sees whose word each entry is.
ALTER TABLE checkins ADD COLUMN logged_by TEXT NOT NULL DEFAULT '';
ALTER TABLE promise_settlements ADD COLUMN logged_by TEXT NOT NULL DEFAULT '';
"""


# Each step is an SQL script, or a function run inside the step's transaction.
MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    V1_CUSTOMERS_AND_CHECKINS,
    V2_RELATIONSHIP_SYSTEMS,
    V3_BRIEF_SNOOZES_AND_BASELINES,
    V4_NAME_KEYS_AND_SUMMARY_TIES,
    V5_ATTENTION_INDEX,
    v5_accounts,
    V7_CALENDAR_MEETINGS,
    V8_LOGGED_BY,
]
LATEST = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's schema version (0 for a new, empty database)."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Bring the schema up to ``target``, one exclusive transaction per step.

    Returns the number of steps applied. The caller has already refused files
    that are newer than this program.
    """
    applied = 0
    while (version := schema_version(conn)) < target:
        script = MIGRATIONS[version]
        # Migrations may call back into Python for what SQL cannot do (Unicode folding).
        conn.create_function("tempcheck_name_key", 1, name_key, deterministic=True)
        conn.execute("BEGIN EXCLUSIVE")
        try:
            # Re-read inside the lock: another process may have migrated meanwhile.
            if schema_version(conn) != version:
                conn.execute("ROLLBACK")
                continue
            if callable(script):
                script(conn)
            else:
                for statement in _statements(script):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied += 1
    return applied


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit early)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
