"""The account commands from the shell, run as a user runs them (a real process on a real
file): contact add/list/edit/gone, log --with, tag/untag, --tag filters, edit --owner
--renewal, show, and the brief's renewal and key-person lines."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from helpers import tc

from tempcheck.store import open_db
from tempcheck.store.customers import add_customer


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def book(db_path: Path) -> Path:
    conn = open_db(db_path)
    add_customer(conn, "Acme Corp", contact="Jo Baker")
    add_customer(conn, "Globex Logistics")
    add_customer(conn, "[/] Corp")
    conn.close()
    return db_path


def test_contact_add_list_edit_gone(book: Path) -> None:
    done = tc(book, "contact", "add", "acme", "Dana Ruiz", "--role", "CFO", "--email", "d@acme.io")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Added Dana Ruiz (CFO) at Acme Corp.\n"
    assert tc(book, "contact", "add", "acme", "Sam Lee", "--role", "sponsor").returncode == 0
    # The first contact (migrated from --contact) stays primary until asked otherwise.
    listed = json.loads(tc(book, "contact", "list", "acme", "--format", "json").stdout)
    assert [(p["name"], p["role"], p["primary"]) for p in listed] == [
        ("Jo Baker", "", True),
        ("Dana Ruiz", "CFO", False),
        ("Sam Lee", "sponsor", False),
    ]
    table = tc(book, "contact", "list").stdout.splitlines()
    assert table[0].split() == [
        "Customer",
        "Name",
        "Role",
        "Email",
        "Phone",
        "Last",
        "check-in",
        "Temperature",
    ]
    assert "Jo Baker ★" in table[1]
    csv_out = tc(book, "contact", "list", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == (
        "customer,name,role,email,phone,primary,gone,last_checkin,last_temperature,notes,uid"
    )
    assert csv_out[2].startswith("Acme Corp,Dana Ruiz,CFO,d@acme.io,,no,,,,,")

    edited = tc(book, "contact", "edit", "acme", "sam", "--primary", "--phone", "+1 555")
    assert edited.returncode == 0, edited.stderr
    assert edited.stdout == "Updated Sam Lee (sponsor) at Acme Corp (primary).\n"
    assert rows(book, "SELECT contact FROM customers WHERE name = 'Acme Corp'") == [("Sam Lee",)]

    gone = tc(book, "contact", "gone", "acme", "Sam Lee")
    assert gone.stdout == (
        "Marked Sam Lee at Acme Corp as gone; their history is kept. "
        "Primary contact now: Jo Baker.\n"
    )
    assert rows(book, "SELECT name FROM contacts WHERE gone_at IS NOT NULL") == [("Sam Lee",)]
    assert [
        p["name"]
        for p in json.loads(tc(book, "contact", "list", "acme", "--format", "json").stdout)
    ] == ["Jo Baker", "Dana Ruiz"]
    every = json.loads(tc(book, "contact", "list", "acme", "--all", "--format", "json").stdout)
    assert [p["gone"] is not None for p in every] == [False, False, True]


def test_contact_errors_are_one_line_and_write_nothing(book: Path) -> None:
    tc(book, "contact", "add", "acme", "Dana Ruiz")
    tc(book, "contact", "add", "acme", "Dana Smith")
    before = rows(book, "SELECT * FROM contacts ORDER BY id")
    duplicate = tc(book, "contact", "add", "acme", "dana  ruiz")
    assert duplicate.returncode == 1
    assert duplicate.stderr == "tempcheck: 'Dana Ruiz' is already a contact there\n"
    ambiguous = tc(book, "contact", "edit", "acme", "dana", "--role", "CEO")
    assert ambiguous.returncode == 2
    assert ambiguous.stderr == ("tempcheck: 'dana' matches several people: Dana Ruiz, Dana Smith\n")
    # "Dnaa" is close to Dana but not a prefix or part: never acted on.
    fuzzy = tc(book, "contact", "gone", "acme", "Dnaa Ruiz")
    assert fuzzy.returncode == 2
    assert "nobody at Acme Corp matches 'Dnaa Ruiz'" in fuzzy.stderr
    bad_email = tc(book, "contact", "add", "acme", "Kim", "--email", "not-an-address")
    assert bad_email.returncode == 1
    assert bad_email.stderr == "tempcheck: 'not-an-address' is not an email address\n"
    nothing = tc(book, "contact", "edit", "acme", "Dana Ruiz")
    assert nothing.returncode == 2 and "nothing to change" in nothing.stderr
    assert rows(book, "SELECT * FROM contacts ORDER BY id") == before
    assert "Traceback" not in duplicate.stderr + ambiguous.stderr + fuzzy.stderr


def test_log_with_names_the_person_by_the_safe_rule(book: Path) -> None:
    tc(book, "contact", "add", "acme", "Dana Ruiz", "--role", "CFO")
    logged = tc(book, "log", "acme", "2", "budget worries", "--with", "ruiz")
    assert logged.returncode == 0, logged.stderr
    assert logged.stdout.startswith("Logged Acme Corp: 2 uneasy with Dana Ruiz [check-in ")
    assert rows(
        book,
        "SELECT k.note, p.name FROM checkins k JOIN contacts p ON p.id = k.contact_id",
    ) == [("budget worries", "Dana Ruiz")]
    missing = tc(book, "log", "acme", "4", "fine", "--with", "Nobody")
    assert missing.returncode == 2
    assert missing.stderr == (
        "tempcheck: nobody at Acme Corp matches 'Nobody'. People there: Jo Baker, Dana Ruiz.\n"
    )
    assert rows(book, "SELECT count(*) FROM checkins") == [(1,)]
    listed = json.loads(tc(book, "contact", "list", "acme", "--format", "json").stdout)
    assert [(p["name"], p["last_temperature"]) for p in listed] == [
        ("Jo Baker", None),
        ("Dana Ruiz", 2),
    ]
    shown = tc(book, "show", "acme").stdout
    assert "People (2)" in shown
    assert "Dana Ruiz   CFO" in shown and "2 uneasy" in shown


def test_tag_untag_and_tag_filters(book: Path, tmp_path: Path) -> None:
    tagged = tc(book, "tag", "acme", "FinTech", "#Tier 1", "emea")
    assert tagged.returncode == 0, tagged.stderr
    # "#Tier 1" in one argument is one tag, spaces as dashes; "FinTech" folds to lower case.
    assert tagged.stdout == "Acme Corp: #emea #fintech #tier-1 (added 3).\n"
    assert tc(book, "tag", "globex", "emea").returncode == 0
    assert tc(book, "untag", "acme", "EMEA").stdout == "Acme Corp: #fintech #tier-1 (removed 1).\n"
    assert tc(book, "tag", "acme").stdout == "Acme Corp: #fintech #tier-1\n"
    assert rows(
        book,
        "SELECT c.name, t.tag FROM customer_tags t JOIN customers c"
        " ON c.id = t.customer_id ORDER BY 1, 2",
    ) == [
        ("Acme Corp", "fintech"),
        ("Acme Corp", "tier-1"),
        ("Globex Logistics", "emea"),
    ]
    listed = json.loads(tc(book, "list", "--tag", "#EMEA", "--format", "json").stdout)
    assert [r["name"] for r in listed] == ["Globex Logistics"]
    unknown = tc(book, "list", "--tag", "nope")
    assert unknown.returncode == 1
    assert (
        unknown.stderr == "tempcheck: no customer is tagged 'nope' (tags: emea, fintech, tier-1)\n"
    )
    bad = tc(book, "tag", "acme", "a,b")
    assert bad.returncode == 1 and "cannot contain commas" in bad.stderr

    tc(book, "log", "acme", "2", "unhappy")
    tc(book, "log", "globex", "1", "angry")
    today = json.loads(tc(book, "today", "--tag", "fintech", "--format", "json").stdout)
    assert {item["customer"] for item in today} == {"Acme Corp"}
    exported = tc(book, "export", "checkins", "--tag", "emea").stdout.splitlines()
    assert len(exported) == 2 and exported[1].startswith("Globex Logistics,")
    report = tmp_path / "fintech.md"
    made = tc(book, "report", "--tag", "fintech", "-o", str(report))
    assert made.returncode == 0, made.stderr
    text = report.read_text()
    assert text.startswith("# Review: Portfolio \\#fintech")
    assert "| Active customers | 1 |" in text
    assert "Globex" not in text and "Acme Corp" in text
    both = tc(book, "report", "acme", "--tag", "fintech", "-o", str(tmp_path / "x.md"))
    assert both.returncode == 2


def test_owner_and_renewal(book: Path) -> None:
    renewal = (date.today() + timedelta(days=30)).isoformat()
    done = tc(book, "edit", "acme", "--owner", "Kim Novak", "--renewal", renewal)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"Acme Corp: relationship, every 14 days, contact Jo Baker, owner Kim Novak, "
        f"renewal {renewal}.\n"
    )
    assert rows(book, "SELECT owner, renewal_on FROM customers WHERE name = 'Acme Corp'") == [
        ("Kim Novak", renewal)
    ]
    natural = tc(book, "edit", "globex", "--renewal", "+10d")
    assert natural.returncode == 0
    assert rows(book, "SELECT renewal_on FROM customers WHERE name = 'Globex Logistics'") == [
        ((date.today() + timedelta(days=10)).isoformat(),)
    ]
    bad = tc(book, "edit", "acme", "--renewal", "someday")
    assert bad.returncode == 1 and bad.stderr.startswith('tempcheck: cannot read "someday"')
    listed = tc(book, "list").stdout
    assert "renewal in 30 days" in listed and "renewal in 10 days" in listed
    # Outside the window (default 60 days) it is not due yet; the window is a setting.
    tc(book, "edit", "acme", "--renewal", (date.today() + timedelta(days=90)).isoformat())
    assert "renewal in 90 days" not in tc(book, "list").stdout
    assert tc(book, "config", "renewal.window_days", "120").returncode == 0
    assert "renewal in 90 days" in tc(book, "list").stdout
    assert tc(book, "config", "renewal.window_days", "99999").returncode != 0
    shown = tc(book, "show", "acme").stdout
    assert "Owner: Kim Novak · Renewal: " in shown
    cleared = tc(book, "edit", "acme", "--renewal", "none", "--owner", "")
    assert cleared.returncode == 0
    assert rows(book, "SELECT owner, renewal_on FROM customers WHERE name = 'Acme Corp'") == [
        ("", None)
    ]


def test_brief_puts_an_unhappy_customer_about_to_renew_first_among_renewals(book: Path) -> None:
    soon = date.today() + timedelta(days=20)
    later = date.today() + timedelta(days=40)
    tc(book, "edit", "acme", "--renewal", soon.isoformat())
    tc(book, "edit", "globex", "--renewal", later.isoformat())
    tc(book, "log", "acme", "5", "delighted")
    tc(book, "log", "globex", "2", "worried")
    items = json.loads(tc(book, "today", "--format", "json").stdout)
    renewals = [(i["customer"], i["detail"]) for i in items if i["reason"] == "renewal coming"]
    assert [name for name, _ in renewals] == ["Globex Logistics", "Acme Corp"]
    assert renewals[0][1].endswith("(in 40 days); last temperature 2 uneasy")
    text = tc(book, "today").stdout
    assert "◷ renewal coming" in text


def test_brief_names_a_key_person_last_unhappy_while_the_account_is_fine(book: Path) -> None:
    tc(book, "contact", "add", "acme", "Dana Ruiz", "--role", "CFO")
    tc(book, "log", "acme", "2", "budget", "--with", "Dana", "--at", "3 days ago")
    tc(book, "log", "acme", "5", "great demo", "--with", "Jo")
    items = json.loads(tc(book, "today", "--format", "json").stdout)
    people = [
        (i["customer"], i["reason"], i["detail"]) for i in items if i["reason"] != "never contacted"
    ]
    assert people == [
        (
            "Acme Corp",
            "key person unhappy",
            "Dana Ruiz (CFO) was 2 uneasy 3 days ago; the account's last temperature is "
            "5 delighted",
        )
    ]


def test_brief_names_a_key_person_gone_quiet(book: Path) -> None:
    tc(book, "contact", "add", "acme", "Sam Lee", "--role", "sponsor")
    tc(book, "log", "acme", "4", "kickoff", "--with", "Sam", "--at", "40 days ago")
    tc(book, "log", "acme", "4", "weekly", "--with", "Jo")
    items = json.loads(tc(book, "today", "--format", "json").stdout)
    quiet = [i["detail"] for i in items if i["reason"] == "key person quiet"]
    assert quiet == ["Sam Lee (sponsor): not in a check-in for 40 days, cadence 14 days"]


@pytest.mark.parametrize("hour", [0, 8, 23])
def test_quiet_days_are_calendar_days_at_any_hour(book: Path, run_tc, local_tz, hour: int) -> None:
    """A check-in dated "40 days ago" (stored at that day's midday) is 40 days ago all day,
    in the early morning as late at night."""
    import time_machine

    local_tz("UTC")
    with time_machine.travel(datetime(2026, 3, 10, hour, 30, tzinfo=UTC), tick=False):
        assert run_tc("contact", "add", "acme", "Sam Lee", "--role", "sponsor").exit_code == 0
        assert (
            run_tc("log", "acme", "4", "kickoff", "--with", "Sam", "--at", "40 days ago").exit_code
            == 0
        )
        assert run_tc("log", "acme", "4", "weekly", "--with", "Jo").exit_code == 0
        items = json.loads(run_tc("today", "--format", "json").output)
    quiet = [i["detail"] for i in items if i["reason"] == "key person quiet"]
    assert quiet == ["Sam Lee (sponsor): not in a check-in for 40 days, cadence 14 days"]
