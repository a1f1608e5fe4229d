"""Sample data: a believable portfolio for trying tempcheck, and synthetic data at scale.

The sample is placed relative to "now" so that every staleness state shows up
whenever it is generated. The synthetic generator writes in one transaction
with bulk inserts (timestamps formatted by SQLite) to make 1M check-ins quickly.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

from tempcheck.domain import clock
from tempcheck.domain.matching import key
from tempcheck.store import write
from tempcheck.store.summary import bulk_checkins

# name, kind, cadence days, contact, days since last contact (None: never), mood (base temperature)
SAMPLE_CUSTOMERS: list[tuple[str, str, int, str, float | None, int]] = [
    ("Acme Corp", "relationship", 14, "Dana", 2, 4),
    ("Globex Logistics", "relationship", 7, "Hank", 6, 2),
    ("Initech", "transactional", 30, "Bill", 40, 3),
    ("Umbrella Health", "relationship", 14, "Alice", 45, 2),
    ("Stark Renewables", "relationship", 21, "Pepper", 3, 5),
    ("Wayne Foundation", "relationship", 30, "Lucius", 24, 4),
    ("Hooli Cloud", "transactional", 30, "Gavin", 70, 3),
    ("Vandelay Imports", "transactional", 21, "Art", 18, 3),
    ("Soylent Foods", "relationship", 14, "Sol", 15, 3),
    ("Cyberdyne Systems", "relationship", 7, "Miles", 1, 4),
    ("Wonka Confections", "relationship", 14, "Charlie", 11, 5),
    ("Tyrell Biotech", "relationship", 21, "Rachael", 30, 2),
    ("Oscorp Labs", "transactional", 30, "Norman", 12, 3),
    ("Gringotts Finance", "relationship", 14, "Griphook", 20, 4),
    ("Pied Piper", "relationship", 7, "Richard", 9, 3),
    ("Dunder Mifflin Paper", "transactional", 30, "Michael", 5, 4),
    ("Monarch Analytics", "relationship", 14, "Emma", None, 3),
    ("Nakatomi Trading", "relationship", 21, "Takagi", None, 3),
    ("Massive Dynamic", "relationship", 14, "Nina", 8, 4),
    ("Prestige Worldwide", "transactional", 30, "Brennan", 95, 2),
    ("Aperture Science", "relationship", 10, "Caroline", 7, 3),
    ("Blue Sun Mining", "relationship", 21, "Mal", 16, 4),
    ("Oceanic Airlines", "relationship", 14, "Jack", 28, 1),
    ("Sirius Cybernetics", "transactional", 21, "Marvin", 0.1, 4),
    ("Zorg Industries", "relationship", 30, "Jean-Baptiste", 33, 3),
]

# The people at some sample customers: (name, role); the first is the primary contact
# (the contact above). Customers not listed have only their primary contact.
SAMPLE_PEOPLE: dict[str, list[tuple[str, str]]] = {
    "Acme Corp": [("Dana", "project lead"), ("Raj Patel", "CFO"), ("Mia Chen", "sponsor")],
    "Globex Logistics": [("Hank", "operations director"), ("Lena Ortiz", "IT manager")],
    "Umbrella Health": [("Alice", "CIO"), ("Dr. Brandt", "clinical lead")],
    "Stark Renewables": [("Pepper", "COO"), ("Happy", "facilities")],
    "Wayne Foundation": [("Lucius", "CTO"), ("Barbara", "programme manager")],
    "Cyberdyne Systems": [("Miles", "engineering lead"), ("Sarah", "security officer")],
    "Tyrell Biotech": [("Rachael", "head of research"), ("Eldon", "CEO")],
}
# Tags, owner and renewal (days from today) for some sample customers.
SAMPLE_ACCOUNTS: dict[str, tuple[tuple[str, ...], str, int | None]] = {
    "Acme Corp": (("manufacturing", "tier-1"), "Sam", 25),
    "Globex Logistics": (("logistics", "tier-1"), "Sam", 40),
    "Umbrella Health": (("healthcare", "tier-1"), "Priya", 50),
    "Stark Renewables": (("energy", "tier-2"), "Priya", 150),
    "Wayne Foundation": (("nonprofit", "tier-2"), "Sam", None),
    "Cyberdyne Systems": (("tech", "tier-1"), "Priya", 90),
    "Tyrell Biotech": (("healthcare", "tier-2"), "Sam", 20),
    "Initech": (("tech", "tier-3"), "Priya", None),
}

NOTES = {
    1: [
        "Escalated the outage to their CIO; very unhappy with our response time",
        "Invoice dispute again, threatened to move to a competitor",
        "Migration slipped a second time and they found out from their own team",
    ],
    2: [
        "Frustrated that the report was late again",
        "Worried the new team does not know their setup",
        "Asked twice for the roadmap, still waiting",
        "Support tickets bouncing between teams",
    ],
    3: [
        "Routine status call, nothing new",
        "Quick hello in the hallway after the steering meeting",
        "Busy quarter for them, short call",
        "Reviewed the open tickets, all on track",
    ],
    4: [
        "Replacement order was fine",
        "Liked the new dashboard, asked for a demo for their board",
        "Happy with the migration weekend",
        "Good lunch, talked about next year's budget",
        "Thanked us for the quick fix",
    ],
    5: [
        "Delighted with the go-live, sent a thank-you note to the team",
        "Wants to expand the contract to two more sites",
        "Named us in their all-hands as the partner that made it happen",
    ],
}
SHORTFALLS = [
    "Report came three days late",
    "Nobody told them about the maintenance window",
    "Same bug reopened twice",
]
CHANNELS = ["hallway", "call", "video", "email", "meeting", "social"]
CHANNEL_WEIGHTS = [3, 5, 4, 3, 2, 1]


def _insert_customer(
    conn: sqlite3.Connection, name: str, kind: str, cadence: int, contact: str, created: datetime
) -> int:
    return conn.execute(
        "INSERT INTO customers (name, name_key, kind, cadence_days, contact, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (name, key(name), kind, cadence, contact, clock.to_stored(created)),
    ).lastrowid


def sample_names_taken(conn: sqlite3.Connection) -> list[str]:
    """Stored names the sample would add again (a second sample cannot be written)."""
    taken = []
    for entry in SAMPLE_CUSTOMERS:
        row = conn.execute(
            "SELECT name FROM customers WHERE name_key = ?", (key(entry[0]),)
        ).fetchone()
        if row is not None:
            taken.append(row[0])
    return taken


def write_sample(conn: sqlite3.Connection, *, now: datetime | None = None, seed: int = 7) -> int:
    """Write the sample portfolio (25 customers, six months of check-ins). Returns check-ins."""
    now = now or clock.now()
    rng = random.Random(seed)
    written = 0
    with write(conn):
        for name, kind, cadence, contact, last_days, mood in SAMPLE_CUSTOMERS:
            created = now - timedelta(days=200)
            cid = _insert_customer(conn, name, kind, cadence, contact, created)
            people = _sample_people(conn, cid, name, contact, created)
            if last_days is None:
                continue
            moments = []
            moment = now - timedelta(days=last_days)
            while moment > now - timedelta(days=182):
                moments.append(moment)
                moment -= timedelta(days=cadence * rng.uniform(0.6, 1.4), hours=rng.uniform(0, 8))
            for index, at in enumerate(reversed(moments)):
                recent = index >= len(moments) - 3
                temp = mood if recent else min(5, max(1, mood + rng.choice([-1, 0, 0, 1, 1])))
                if index == len(moments) - 1:
                    temp = mood
                note = rng.choice(NOTES[temp])
                conn.execute(
                    "INSERT INTO checkins (customer_id, at, temperature, channel, initiated_by,"
                    " note, fell_short, created_at, contact_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        cid,
                        clock.to_stored(at),
                        temp,
                        rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
                        rng.choice(["us", "us", "them"]),
                        note,
                        rng.choice(SHORTFALLS) if temp <= 2 else "",
                        clock.to_stored(at),
                        _person(people, index, (now - at).days),
                    ),
                )
                written += 1
        _sample_relationship_records(conn, now)
        _sample_accounts(conn, now)
    return written


def _sample_people(
    conn: sqlite3.Connection, cid: int, name: str, contact: str, created: datetime
) -> list[int]:
    """The customer's people as contact rows; returns their ids, primary first."""
    ids = []
    for index, (person, role) in enumerate(SAMPLE_PEOPLE.get(name, [(contact, "")])):
        ids.append(
            conn.execute(
                "INSERT INTO contacts (customer_id, name, name_key, role, is_primary, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (cid, person, key(person), role, int(index == 0), clock.to_stored(created)),
            ).lastrowid
        )
    return ids


def _person(people: list[int], index: int, days_ago: int) -> int:
    """Who a sample check-in was with: by turns, except that a third person (a sponsor,
    say) has not been in a check-in for the last 70 days."""
    if len(people) > 2 and days_ago < 70:
        return people[index % 2]
    return people[index % len(people)]


def _sample_accounts(conn: sqlite3.Connection, now: datetime) -> None:
    today = clock.local(now).date()
    for name, (tags, owner, renewal_days) in SAMPLE_ACCOUNTS.items():
        cid = conn.execute("SELECT id FROM customers WHERE name = ?", (name,)).fetchone()[0]
        renewal = (today + timedelta(days=renewal_days)).isoformat() if renewal_days else None
        conn.execute(
            "UPDATE customers SET owner = ?, renewal_on = ? WHERE id = ?", (owner, renewal, cid)
        )
        conn.executemany(
            "INSERT INTO customer_tags (customer_id, tag) VALUES (?, ?)",
            [(cid, tag) for tag in tags],
        )


def _sample_relationship_records(conn: sqlite3.Connection, now: datetime) -> None:
    """Issues, promises, follow-ups and concerns so every screen has something to show."""
    today = clock.local(now).date()

    def cid(name: str) -> int:
        return conn.execute("SELECT id FROM customers WHERE name = ?", (name,)).fetchone()[0]

    stamp = clock.to_stored

    def issue(name: str, title: str, opened_days: int, due_days: int | None, raised: str) -> int:
        due = (today + timedelta(days=due_days)).isoformat() if due_days is not None else None
        return conn.execute(
            "INSERT INTO issues (customer_id, title, due, raised_by, opened_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (cid(name), title, due, raised, stamp(now - timedelta(days=opened_days))),
        ).lastrowid

    issue("Globex Logistics", "Weekly report arrives late", 10, 1, "customer")
    issue("Umbrella Health", "Data export fails for large clinics", 20, -3, "customer")
    issue("Oceanic Airlines", "Booking sync drops records", 5, 0, "customer")
    issue("Acme Corp", "Renew TLS certificates before expiry", 3, 12, "us")
    issue("Tyrell Biotech", "Access request stuck in approval", 8, 2, "customer")
    closed = issue("Stark Renewables", "Dashboard slow on Mondays", 30, -10, "customer")
    conn.execute(
        "INSERT INTO issue_closures (issue_id, closed_at, resolution) VALUES (?, ?, ?)",
        (closed, stamp(now - timedelta(days=14)), "Moved the Monday batch job to Sunday night"),
    )

    def promise(name: str, text: str, made_days: int, due_days: int) -> int:
        return conn.execute(
            "INSERT INTO promises (customer_id, text, due, made_at) VALUES (?, ?, ?, ?)",
            (
                cid(name),
                text,
                (today + timedelta(days=due_days)).isoformat(),
                stamp(now - timedelta(days=made_days)),
            ),
        ).lastrowid

    def settle(promise_id: int, days_ago: int, outcome: str, note: str = "") -> None:
        conn.execute(
            "INSERT INTO promise_settlements (promise_id, settled_at, settled_on, outcome, note)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                promise_id,
                stamp(now - timedelta(days=days_ago)),
                (today - timedelta(days=days_ago)).isoformat(),
                outcome,
                note,
            ),
        )

    promise("Acme Corp", "Send the capacity report", 2, 3)
    promise("Wayne Foundation", "Quote for the second site", 10, 0)
    promise("Globex Logistics", "Root-cause write-up of the late reports", 6, -1)
    settle(promise("Stark Renewables", "Training plan for the new hires", 20, -5), 8, "kept")
    settle(promise("Cyberdyne Systems", "Security review summary", 15, -2), 2, "kept")
    settle(
        promise("Tyrell Biotech", "Fix the export before month end", 40, -20),
        18,
        "broken",
        "Vendor patch slipped",
    )

    def followup(name: str, due_days: int, note: str) -> None:
        conn.execute(
            "INSERT INTO followups (customer_id, due, note, created_at) VALUES (?, ?, ?, ?)",
            (cid(name), (today + timedelta(days=due_days)).isoformat(), note, stamp(now)),
        )

    followup("Soylent Foods", 0, "Check the pilot numbers")
    followup("Pied Piper", -2, "Ask how the compression rollout went")
    followup("Wonka Confections", 4, "Invite to the product preview")

    def concern(name: str, kind: str, text: str, rank: int, confirmed_days: int | None) -> None:
        concern_id = conn.execute(
            "INSERT INTO concerns (customer_id, kind, text, rank, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (cid(name), kind, text, rank, stamp(now - timedelta(days=150))),
        ).lastrowid
        if confirmed_days is not None:
            conn.execute(
                "INSERT INTO concern_events (concern_id, at, kind) VALUES (?, ?, 'confirmed')",
                (concern_id, stamp(now - timedelta(days=confirmed_days))),
            )

    concern("Acme Corp", "priority", "Cut cloud spend by 15% this year", 1, 20)
    concern("Acme Corp", "concern", "Key engineer leaving in Q1", 2, None)
    concern("Umbrella Health", "priority", "Pass the compliance audit", 1, 120)
    concern("Wayne Foundation", "priority", "Open the second site on time", 1, 40)


def write_synthetic(
    conn: sqlite3.Connection,
    customers: int,
    checkins: int,
    *,
    seed: int = 1,
    now: datetime | None = None,
) -> None:
    """Write ``customers`` customers and ``checkins`` check-ins spread over 180 days."""
    now = now or clock.now()
    rng = random.Random(seed)
    end = int(now.timestamp())
    span = 180 * 86400
    created = clock.to_stored(now - timedelta(days=200))
    run = str(uuid.uuid4())[:24]  # one random prefix per run, a counter after it
    # The search index is built by the first search: generation stays a pure load.
    with (
        _rollback_journal_if_empty(conn),
        write(conn),
        bulk_checkins(conn, defer_search_index=True),
    ):
        conn.execute("PRAGMA cache_size = -200000")
        first_id = (conn.execute("SELECT coalesce(max(id), 0) FROM customers").fetchone()[0]) + 1
        conn.executemany(
            "INSERT INTO customers (id, name, name_key, kind, cadence_days, contact, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    first_id + n,
                    name := f"Customer {first_id + n:06d}",
                    key(name),
                    "relationship" if n % 3 else "transactional",
                    rng.choice((7, 14, 14, 21, 30)),
                    "",
                    created,
                )
                for n in range(customers)
            ),
        )
        if not customers or not checkins:
            return
        channels = CHANNELS
        temps = (1, 2, 3, 3, 4, 4, 4, 5)
        notes = [note for pool in NOTES.values() for note in pool]

        def rows():
            serial = 0
            per, extra = divmod(checkins, customers)
            n_notes = len(notes)
            for n in range(customers):
                count = per + (1 if n < extra else 0)
                # Whole draws per customer: far fewer Python calls than one per field.
                moments = sorted(rng.choices(range(end - span, end), k=count))
                temps_drawn = rng.choices(temps, k=count)
                channels_drawn = rng.choices(channels, k=count)
                who = rng.choices(("us", "them"), weights=(7, 3), k=count)
                note_drawn = rng.choices(range(n_notes), k=count)
                cid = first_id + n
                for i, moment in enumerate(moments):
                    serial += 1
                    yield (
                        f"{run}{serial:012x}",
                        cid,
                        moment,
                        temps_drawn[i],
                        channels_drawn[i],
                        who[i],
                        notes[note_drawn[i]],
                        "%Y-%m-%dT%H:%M:%S.000000Z",
                    )

        conn.executemany(
            "INSERT INTO checkins (uid, customer_id, at, temperature, channel, initiated_by,"
            " note, created_at) VALUES (?1, ?2, strftime(?8, ?3, 'unixepoch'), ?4, ?5, ?6, ?7,"
            " strftime(?8, ?3, 'unixepoch'))",
            rows(),
        )


@contextlib.contextmanager
def _rollback_journal_if_empty(conn: sqlite3.Connection) -> Iterator[None]:
    """Load a new database without the write-ahead log, then switch WAL back on.

    A bulk load into WAL writes every page twice (log, then checkpoint). When
    nobody else has the file open the journal mode can change; otherwise this
    quietly keeps WAL.
    """
    empty = conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0
    switched = False
    if empty:
        try:
            switched = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
        except sqlite3.OperationalError:
            switched = False
    try:
        yield
    finally:
        if switched:
            conn.execute("PRAGMA journal_mode = WAL")
