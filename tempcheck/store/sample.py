"""Sample data: a believable portfolio for trying tempcheck, and synthetic data at scale.

The sample is placed relative to "now" so that every staleness state shows up
whenever it is generated. The synthetic generator writes in one transaction with
bulk inserts, and a new file without a journal, to make 10M check-ins in a minute.
"""

from __future__ import annotations

import array
import contextlib
import functools
import hashlib
import os
import queue
import random
import secrets
import sqlite3
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from itertools import repeat
from operator import add, floordiv, mod
from pathlib import Path
from typing import Any, TypeVar

from tempcheck.domain import clock
from tempcheck.domain.matching import key
from tempcheck.store import write
from tempcheck.store.connection import StoreError, open_db
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


# --- synthetic data at scale ---------------------------------------------------------------------
#
# Millions of rows, and no Python runs per row. A batch draws its random numbers as whole
# byte strings and turns them into values with map() over C functions; SQLite reads the
# batch from one JSON object (json_each), so a single INSERT ... SELECT writes it: one
# statement per 100,000 rows keeps its cursors at the end of every b-tree, where
# executemany() would search each b-tree again for every row. The object's keys are the
# check-ins' timestamps (joined from cached day and time-of-day texts), its values pack
# the row's number in the batch with one draw that picks every small field at once.
# The same seed gives the same rows, uids included, on every platform.

SYNTHETIC_DAYS = 180  # check-ins fall in the last 180 days
_SPAN_S = SYNTHETIC_DAYS * 86400
_DAY_S = 86400
_CADENCES = (7, 14, 14, 21, 30)
# One draw below _COMBOS picks, each uniformly and independently: a temperature slot
# (% 8: the digits of _TEMPS, so 3 and 4 come up more often), a channel (/ 8 % 6), who
# reached out (/ 48 % 10: below 7 is us, 70 %) and a note (/ 480, one of 19).
_TEMPS = "12334445"
_NOTES = tuple(note for pool in NOTES.values() for note in pool)
_COMBOS = len(_TEMPS) * len(CHANNELS) * 10 * len(_NOTES)
_COMBO_BITS = 14  # a value is (row in batch << 14) | draw
_BATCH = 100_000  # check-ins per statement: about 4 MB of JSON
_CACHE_KIB = 500_000  # page cache while a new file is written

T = TypeVar("T")

_INSERT_CUSTOMERS = (
    "INSERT INTO customers (id, uid, name, name_key, kind, cadence_days, contact, created_at)"
    " VALUES (?1, ?7 || printf('%012x', ?1), ?2, ?3, ?4, ?5, '', ?6)"
)
# Customers before :cut have :per + 1 check-ins each, the rest :per; g counts the load's rows.
_INSERT_CHECKINS = (
    "INSERT INTO checkins (id, uid, customer_id, at, temperature, channel, initiated_by,"
    " note, created_at)"
    " SELECT :first_id + g, :uid || printf('%012x', :first_id + g),"
    " :first_customer + CASE WHEN g < :cut THEN g / (:per + 1) ELSE :extra + (g - :cut) / :per END,"
    " at, CAST(substr('12334445', 1 + draw % 8, 1) AS INTEGER),"
    " CASE draw / 8 % 6 WHEN 0 THEN :c0 WHEN 1 THEN :c1 WHEN 2 THEN :c2 WHEN 3 THEN :c3"
    " WHEN 4 THEN :c4 ELSE :c5 END,"
    " CASE WHEN draw / 48 % 10 < 7 THEN 'us' ELSE 'them' END,"
    " CASE draw / 480 WHEN 0 THEN :n0 WHEN 1 THEN :n1 WHEN 2 THEN :n2 WHEN 3 THEN :n3"
    " WHEN 4 THEN :n4 WHEN 5 THEN :n5 WHEN 6 THEN :n6 WHEN 7 THEN :n7 WHEN 8 THEN :n8"
    " WHEN 9 THEN :n9 WHEN 10 THEN :n10 WHEN 11 THEN :n11 WHEN 12 THEN :n12"
    " WHEN 13 THEN :n13 WHEN 14 THEN :n14 WHEN 15 THEN :n15 WHEN 16 THEN :n16"
    " WHEN 17 THEN :n17 ELSE :n18 END,"
    " at"
    " FROM (SELECT key AS at, :start + (value >> 14) AS g, value & 16383 AS draw"
    " FROM json_each(:rows))"
)
_CHOICES = {
    **{f"c{n}": channel for n, channel in enumerate(CHANNELS)},
    **{f"n{n}": note for n, note in enumerate(_NOTES)},
}


def write_synthetic(
    conn: sqlite3.Connection,
    customers: int,
    checkins: int,
    *,
    seed: int = 1,
    now: datetime | None = None,
) -> None:
    """Add ``customers`` customers and ``checkins`` check-ins spread over 180 days, in one
    transaction (the database may already hold data; see :func:`write_synthetic_file`
    for a new file)."""
    now = now or clock.now()
    # The search index is built by the first search: generation stays a pure load.
    with (
        _rollback_journal_if_empty(conn),
        write(conn),
        bulk_checkins(conn, defer_search_index=True),
    ):
        conn.execute("PRAGMA cache_size = -200000")
        _load_synthetic(conn, customers, checkins, seed, now)


def write_synthetic_file(
    path: str | os.PathLike[str],
    customers: int,
    checkins: int,
    *,
    seed: int = 1,
    now: datetime | None = None,
) -> None:
    """Write synthetic data into a new database file at ``path``, all or nothing.

    The file is built beside ``path`` under a temporary name that nothing else opens,
    so it is written without a journal and without waiting for the disk; then it is
    switched to WAL, flushed to disk and moved into place. A failure or an interrupt
    deletes it and leaves ``path`` absent, as it was.
    """
    path = Path(path).expanduser()
    partial = path.with_name(f"{path.name}.{secrets.token_hex(4)}.partial")
    now = now or clock.now()
    try:
        try:
            conn = open_db(partial)  # the schema, in a private file (folders made as needed)
        except StoreError as exc:  # say it of the file the user named
            raise StoreError(str(exc).replace(str(partial), str(path))) from None
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA foreign_keys = OFF")  # every id below is made here
            conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
            # The indexes stay: rows arrive in the order of each (ids, uids, customer and
            # time), so every insert lands at an index's end, cheaper than sorting after.
            with write(conn), bulk_checkins(conn, defer_search_index=True):
                _load_synthetic(conn, customers, checkins, seed, now)
            # Hand over the file as every other one is: write-ahead log, normal sync.
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
                raise StoreError(f"could not switch {partial} to WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        finally:
            conn.close()
        _flush_to_disk(partial)
        _move_into_place(partial, path)
    except BaseException:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{partial}{suffix}")
        raise


def _load_synthetic(
    conn: sqlite3.Connection, customers: int, checkins: int, seed: int, now: datetime
) -> None:
    """Insert the customers, then the check-ins customer by customer, each customer's in
    time order (so ids follow time and every index grows at its end)."""
    rng = random.Random(seed)
    created = clock.to_stored(now - timedelta(days=200))
    first_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM customers").fetchone()[0]
    ids = range(first_id, first_id + customers)
    names = [f"Customer {cid:06d}" for cid in ids]
    kinds = ["relationship" if n % 3 else "transactional" for n in range(customers)]
    cadences = [rng.choice(_CADENCES) for _ in range(customers)]
    conn.executemany(
        _INSERT_CUSTOMERS,
        zip(
            ids,
            names,
            map(key, names),
            kinds,
            cadences,
            repeat(created),
            repeat(_uid_prefix(seed, "customers", first_id)),
        ),
    )
    if not customers or not checkins:
        return
    per, extra = divmod(checkins, customers)
    members = _Members(int(now.timestamp()) - _SPAN_S)
    first_checkin = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM checkins").fetchone()[0]
    fixed = {
        **_CHOICES,
        "uid": _uid_prefix(seed, "checkins", first_checkin),
        "first_id": first_checkin,
        "first_customer": first_id,
        "per": per,
        "extra": extra,
        "cut": extra * (per + 1),
    }
    # The next batch is drawn in a helper thread while SQLite writes this one.
    for rows, start, total in _made_ahead(_batches(rng, customers, per, extra, members)):
        written = conn.execute(_INSERT_CHECKINS, {**fixed, "rows": rows, "start": start}).rowcount
        if written != total:  # a JSON reader that merged equal keys (equal timestamps)
            raise RuntimeError(f"synthetic check-ins: {written} of {total} written")


def _batches(
    rng: random.Random, customers: int, per: int, extra: int, members: _Members
) -> Iterator[tuple[str, int, int]]:
    """The check-ins in batches of whole customers: (JSON object, number of the batch's
    first row in the load, rows)."""
    step = max(1, _BATCH // max(per, 1))  # customers per batch
    done = 0
    for first in range(0, customers, step):
        counts = [per + (n < extra) for n in range(first, min(customers, first + step))]
        total = sum(counts)
        if not total:
            return  # only customers without check-ins are left
        # Each customer's moments in time order, so ids follow time.
        offsets = list(map(mod, _draws(rng, total), repeat(_SPAN_S)))
        seconds: list[int] = []
        used = 0
        for count in counts:
            seconds.extend(sorted(offsets[used : used + count]))
            used += count
        draws = map(mod, _draws(rng, total), repeat(_COMBOS))
        values = map(add, draws, range(0, total << _COMBO_BITS, 1 << _COMBO_BITS))
        yield members.text(seconds, values), done, total
        done += total


def _made_ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``items``, produced by a helper thread up to ``depth`` ahead of the caller (the
    sqlite3 module lets other threads run while SQLite works). The helper's exceptions
    reach the caller; when the caller stops early, the helper stops too."""
    ready: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    with contextlib.suppress(queue.Full):
                        ready.put((True, item), timeout=0.05)
                        break
                if stop.is_set():
                    return
            ready.put((False, None))
        except BaseException as exc:  # handed to the caller
            ready.put((False, exc))

    helper = threading.Thread(target=produce, name="synthetic-batches", daemon=True)
    helper.start()
    try:
        while True:
            more, item = ready.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        helper.join()


def _uid_prefix(seed: int, table: str, first_id: int) -> str:
    """The first 24 characters of a version 4 UUID made from the seed, the table and the
    load's first id; the row id in twelve hex digits completes it. The same seed gives
    the same uids in a new file, and a later load into the same file (ids go on from
    there, even if the newest rows were deleted meanwhile) gives others."""
    digest = hashlib.sha256(f"tempcheck synthetic {seed} {table} {first_id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))[:24]


def _draws(rng: random.Random, count: int) -> array.array[int]:
    """``count`` uniform 64-bit integers, the same on every platform."""
    values = array.array("Q", rng.randbytes(8 * count))
    if sys.byteorder == "big":
        values.byteswap()
    return values


class _Cache(dict[int, str]):
    """Texts made on first use by ``make``."""

    def __init__(self, make: Callable[[int], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, number: int) -> str:
        text = self[number] = self.make(number)
        return text


class _Members:
    """The batch's JSON object members, ``"<stored timestamp>":<value>``, each joined from a
    cached day text, a time-of-day text and the value's digits. The timestamps read as
    :func:`clock.to_stored` writes them."""

    def __init__(self, base: int) -> None:
        epoch = datetime(1970, 1, 1)
        self.base = base  # the seconds are counted from here
        self.days = _Cache(lambda day: f'"{(epoch + timedelta(days=day)).date().isoformat()}T')
        self.times = _times_of_day()

    def text(self, seconds: list[int], values: Iterable[int]) -> str:
        moments = list(map(add, seconds, repeat(self.base)))
        days = map(self.days.__getitem__, map(floordiv, moments, repeat(_DAY_S)))
        times = map(self.times.__getitem__, map(mod, moments, repeat(_DAY_S)))
        return "{" + ",".join(map(add, map(add, days, times), map(str, values))) + "}"


@functools.cache
def _times_of_day() -> list[str]:
    """``HH:MM:SS.000000Z":`` for each second of a day (a list: faster to index than a dict)."""
    return [f'{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000Z":' for s in range(_DAY_S)]


def _flush_to_disk(path: Path) -> None:
    """Wait until the file's data is on the disk (it was written without syncing)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _move_into_place(partial: Path, path: Path) -> None:
    """Give the finished file its name, never replacing a file that appeared meanwhile."""
    try:
        os.link(partial, path)
    except FileExistsError:
        raise StoreError(
            f"{path} was created by another program meanwhile; the demo data was not written"
        ) from None
    except OSError:  # a file system without hard links
        if os.path.lexists(path):
            raise StoreError(
                f"{path} was created by another program meanwhile; the demo data was not written"
            ) from None
        os.rename(partial, path)
        return
    os.unlink(partial)
    with contextlib.suppress(OSError):  # the new name survives a crash too
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
