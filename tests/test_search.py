"""Full-text search: every kind of record is found, the match is marked, filters narrow it,
typed text is never FTS syntax, and the index follows writes made by any program."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import tc

from tempcheck.store import open_db
from tempcheck.store.checkins import add_checkin
from tempcheck.store.concerns import add_concern
from tempcheck.store.contacts import add_contact
from tempcheck.store.customers import add_customer
from tempcheck.store.issues import close_issue, open_issue
from tempcheck.store.promises import add_promise
from tempcheck.store.search import fts_query, search


@pytest.fixture
def book(db_path: Path) -> Path:
    conn = open_db(db_path)
    acme = add_customer(conn, "Acme Corp", notes="Invoices go to the Leeds office")
    globex = add_customer(conn, "Globex Logistics")
    add_contact(conn, acme.id, "Dana Ruiz", role="CFO")
    old = datetime.now(UTC) - timedelta(days=40)
    add_checkin(
        conn,
        acme.id,
        2,
        note="Budget worries for next year",
        at=old,
        fell_short="the invoice was wrong",
    )
    add_checkin(conn, globex.id, 4, note="Budget approved, happy")
    issue = open_issue(conn, acme.id, "Pallet scanner offline", detail="since Monday")
    close_issue(conn, issue.id, "Replaced the scanner firmware")
    add_promise(conn, globex.id, "Send the warehouse audit", datetime.now(UTC).date())
    add_concern(conn, globex.id, "Peak season staffing", kind="priority")
    conn.close()
    return db_path


def test_every_kind_of_record_is_found(book: Path) -> None:
    conn = open_db(book)
    try:
        found = {
            q: [(h.kind, h.customer_name) for h in search(conn, q)]
            for q in (
                "budget",
                "scanner",
                "firmware",
                "warehouse",
                "staffing",
                "dana",
                "leeds",
                "invoice",
            )
        }
    finally:
        conn.close()
    assert found == {
        "budget": [("check-in", "Globex Logistics"), ("check-in", "Acme Corp")],
        "scanner": [("resolution", "Acme Corp"), ("issue", "Acme Corp")],
        "firmware": [("resolution", "Acme Corp")],
        "warehouse": [("promise", "Globex Logistics")],
        "staffing": [("priority", "Globex Logistics")],
        "dana": [("contact", "Acme Corp")],
        "leeds": [("customer", "Acme Corp")],
        "invoice": [("customer", "Acme Corp"), ("check-in", "Acme Corp")],
    }


def test_cli_table_and_json_mark_the_match(book: Path) -> None:
    table = tc(book, "search", "budget")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["Customer", "Date", "Kind", "Found"]
    assert "check-in  «Budget» approved, happy" in lines[1]
    assert "«Budget» worries for next year" in lines[2]
    hits = json.loads(tc(book, "search", "worr", "--format", "json").stdout)
    assert [(h["customer"], h["kind"], h["snippet"]) for h in hits] == [
        ("Acme Corp", "check-in", "Budget «worries» for next year")
    ]
    # Every word must appear; stemming finds "worry" for "worries".
    assert [
        h["snippet"]
        for h in json.loads(tc(book, "search", "worry", "budget", "--format", "json").stdout)
    ] == ["«Budget» «worries» for next year"]


def test_cli_filters_by_customer_and_date(book: Path) -> None:
    only = json.loads(tc(book, "search", "budget", "--customer", "acme", "--format", "json").stdout)
    assert [h["customer"] for h in only] == ["Acme Corp"]
    recent = json.loads(tc(book, "search", "budget", "--since", "-7d", "--format", "json").stdout)
    assert [h["customer"] for h in recent] == ["Globex Logistics"]
    nobody = tc(book, "search", "budget", "--customer", "zzz")
    assert nobody.returncode == 2 and nobody.stderr.startswith("tempcheck: no customer matches")
    bad = tc(book, "search", "budget", "--since", "whenever")
    assert bad.returncode == 1 and "cannot read" in bad.stderr
    empty = tc(book, "search", "xylophone")
    assert empty.returncode == 0 and empty.stdout == "Nothing found for 'xylophone'.\n"
    limit = tc(book, "search", "budget", "--limit", "0")
    assert limit.returncode == 2


# (typed text, whether it finds the budget check-ins): every word typed must appear.
HOSTILE = [
    ('"', False),
    ('"unbalanced', False),
    ("budget*", True),
    ("*", False),
    ("NEAR(budget worries)", False),  # "near" is a word like any other: not in the note
    ("budget OR 1=1", False),
    ("'; DROP TABLE checkins; --", False),
    ("note:budget", False),
    ("^budget", True),
    ("(budget", True),
    ("budget)", True),
    ("-budget", True),
    ("AND", False),
    ("\x00\x1b[2J", False),
    ("[/] [URGENT]", False),
    ("🎉" * 50, False),
    ("budget " * 500, True),
]


@pytest.mark.parametrize(("text", "finds"), HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_never_syntax(book: Path, text: str, finds: bool) -> None:
    conn = open_db(book)
    try:
        hits = search(conn, text)  # never raises
    finally:
        conn.close()
    words = fts_query(text)
    assert "NEAR(" not in words and "(" not in words and ":" not in words
    assert any("Budget" in h.snippet for h in hits) is finds
    assert sqlite3.connect(book).execute("SELECT count(*) FROM checkins").fetchone() == (2,)


def test_hostile_stored_text_comes_back_safe_in_the_terminal(db_path: Path) -> None:
    conn = open_db(db_path)
    customer = add_customer(conn, "[/] Corp \x1b[31m")
    add_checkin(conn, customer.id, 3, note="alarm \x1b]0;pwned\x07 bell [bold]x[/bold]")
    conn.close()
    out = tc(db_path, "search", "alarm")
    assert out.returncode == 0
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
    assert "[/] Corp" in out.stdout and "[bold]x[/bold]" in out.stdout
    hits = json.loads(tc(db_path, "search", "alarm", "--format", "json").stdout)
    assert hits[0]["customer"] == "[/] Corp \x1b[31m"  # JSON keeps the exact text


def test_the_index_follows_writes_by_another_process(book: Path) -> None:
    reader = open_db(book)
    try:
        assert search(reader, "zeppelin") == []
        # tempcheck in another process
        assert tc(book, "log", "acme", "3", "talked about the zeppelin").returncode == 0
        assert [h.kind for h in search(reader, "zeppelin")] == ["check-in"]
        # any other program writing plain SQL: the triggers live in the file
        script = (
            "import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "c.execute(\"UPDATE checkins SET note = 'the airship is late' "
            "WHERE note LIKE '%zeppelin%'\")\n"
            'c.execute("INSERT INTO promises (customer_id, text, due, made_at) VALUES '
            "(2, 'Zeppelin tour', '2030-01-01', '2026-01-01T00:00:00.000000Z')\")\n"
            "c.commit()\n"
        )
        subprocess.run([sys.executable, "-c", script, str(book)], check=True, timeout=60)
        assert [h.kind for h in search(reader, "zeppelin")] == ["promise"]
        assert [h.marked() for h in search(reader, "airship")] == ["the «airship» is late"]
        deleting = (
            "import sqlite3,sys;c=sqlite3.connect(sys.argv[1]);"
            "c.execute(\"DELETE FROM promises WHERE text = 'Zeppelin tour'\");c.commit()"
        )
        subprocess.run([sys.executable, "-c", deleting, str(book)], check=True, timeout=60)
        assert search(reader, "zeppelin") == []
        # The index matches the rows exactly (FTS5 raises SQLITE_CORRUPT_VTAB otherwise).
        for table in ("checkins", "promises"):
            reader.execute(
                f"INSERT INTO {table}_fts ({table}_fts, rank) VALUES ('integrity-check', 1)"
            )
    finally:
        reader.close()


def test_fts_query_quotes_words_and_prefixes_the_last() -> None:
    assert fts_query("budget worr") == '"budget" "worr"*'
    assert fts_query("budget ") == '"budget"'
    assert fts_query('say "hi"') == '"say" "hi"'
    assert fts_query("  ") == ""
    assert fts_query("*()^:") == ""


def test_bulk_loads_are_searchable(db_path: Path, tmp_path: Path) -> None:
    from tempcheck.exchange.importing import import_checkins
    from tempcheck.store import sample

    conn = open_db(db_path)
    try:
        # Generated data leaves the index to the first search, which builds it once.
        sample.write_synthetic(conn, 5, 50, seed=3)
        stale = "SELECT count(*) FROM settings WHERE key = 'search.checkins_stale'"
        assert conn.execute(stale).fetchone() == (1,)
        generated = conn.execute(
            "SELECT count(*) FROM checkins WHERE note LIKE '%roadmap%'"
        ).fetchone()[0]
        assert generated > 0
        hits = search(conn, "roadmap", limit=500)
        assert len(hits) == generated
        assert conn.execute(stale).fetchone() == (0,)
        # An import indexes the rows it adds, at once.
        csv = tmp_path / "in.csv"
        csv.write_text(
            "customer,at,temperature,note\nCustomer 000001,2026-01-05,3,quokka sighting\n"
        )
        import_checkins(conn, csv)
        assert [h.marked() for h in search(conn, "quokka")] == ["«quokka» sighting"]
        conn.execute("INSERT INTO checkins_fts (checkins_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()
