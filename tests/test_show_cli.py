"""``tempcheck show``: the customer's detail in the terminal, every section, safe text."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from helpers import NOW, TODAY

from tempcheck.cli.commands.show import render
from tempcheck.store import checkins, customers
from tempcheck.store import sample as demo
from tempcheck.store.concerns import add_concern
from tempcheck.store.followups import add_followup
from tempcheck.store.issues import open_issue
from tempcheck.store.promises import add_promise, settle_promise

SECTIONS = (
    "Open issues",
    "Promises",
    "Follow-ups",
    "Concerns and priorities",
    "Trust bank",
    "Timeline (newest first)",
)


@pytest.fixture
def acme(conn: sqlite3.Connection, clock_at_noon) -> int:
    return customers.add_customer(conn, "Acme Corp", contact="Dana").id


def test_show_prints_header_and_every_section(conn, acme, run_tc, clock_at_noon):
    clock_at_noon.shift(timedelta(days=-120))
    add_concern(conn, acme, "Cut cloud spend", kind="priority", confirmed=True)
    add_concern(conn, acme, "Key engineer leaving")
    clock_at_noon.shift(timedelta(days=120))
    checkins.add_checkin(conn, acme, 4, note="Happy with the migration", at=NOW - timedelta(days=2))
    open_issue(conn, acme, "Weekly report late", due=TODAY + timedelta(1))
    kept = add_promise(conn, acme, "Send the capacity report", TODAY)
    settle_promise(conn, kept.id, "kept")
    add_promise(conn, acme, "Quote for site two", TODAY + timedelta(5))
    add_followup(conn, acme, TODAY, "Ask about the pilot")

    result = run_tc("show", "acme")
    assert result.exit_code == 0, result.output
    out = result.stdout
    lines = out.splitlines()
    assert lines[:2] == ["Acme Corp", "========="]
    assert "Contact: Dana · relationship, every 14 days · active" in out
    assert "Last contact: 2 days ago (Sun 22 Nov 2026 " in out
    assert "Temperature: 4 content" in out
    assert "Trust balance: +2 (30 days: ▲ +2)" in out  # +1 contact, +2 kept, -1 raised
    assert "Promises: 1 kept (1 on time or early), 0 broken, 1 open · 100% on time" in out
    assert "! priorities may have shifted (last confirmed Mon 27 Jul)" in out
    for section in SECTIONS:
        assert any(line.startswith(section) for line in lines), section
    assert "Open issues (1) — 1 at risk, 1 call them first" in out
    assert "at risk, call first" in out
    assert "kept on time Tue 24 Nov" in out and "Quote for site two" in out
    assert "Ask about the pilot" in out
    assert "confirmed Mon 27 Jul" in out and "assumed" in out
    assert "promise kept on time: Send the capacity report" in out
    assert "customer had to raise a problem: Weekly report late" in out
    assert "we reached out: Happy with the migration" in out
    timeline = out[out.index("Timeline (newest first)") :]
    assert timeline.index("issue opened") < timeline.index("Happy with the migration")
    assert "4 content" in timeline


def test_show_with_nothing_recorded(conn, acme, run_tc):
    out = run_tc("show", "Acme Corp").stdout
    assert "Last contact: never · ○ never" in out
    assert "Trust balance: 0" in out
    assert "Promises: no promises yet" in out
    assert "priorities may have shifted" not in out
    for section in SECTIONS:
        assert section in out
    assert out.count("  none") >= 2 and "  nothing yet" in out


def test_show_limit(conn, acme, run_tc):
    for n in range(5):
        checkins.add_checkin(conn, acme, 3, note=f"note {n}", at=NOW - timedelta(days=n))
    out = run_tc("show", "acme", "--limit", "2").stdout
    timeline = out[out.index("Timeline (newest first)") :]
    assert "note 0" in timeline and "note 1" in timeline and "note 2" not in timeline
    default = run_tc("show", "acme").stdout
    assert "note 4" in default[default.index("Timeline") :]


def test_show_paused_customer(conn, acme, run_tc):
    customers.set_status(conn, acme, "paused", until=TODAY + timedelta(10), note="holiday")
    out = run_tc("show", "acme").stdout
    assert "paused until Fri 4 Dec" in out
    assert "paused" in out[out.index("Timeline") :]


def test_show_unknown_customer(conn, acme, run_tc):
    result = run_tc("show", "nobody")
    assert result.exit_code == 2
    assert result.stderr.startswith("tempcheck: no customer matches 'nobody'")
    assert result.stdout == ""


def test_hostile_text_never_reaches_the_terminal(conn, acme, run_tc):
    hostile = "[bold]x[/] \x1b[2J"
    open_issue(conn, acme, hostile, detail="\x1b]0;pwned\x07")
    checkins.add_checkin(conn, acme, 2, note="\x1b[31mred", fell_short="\x9b2J")
    add_promise(conn, acme, hostile, TODAY + timedelta(1))
    add_followup(conn, acme, TODAY, hostile)
    add_concern(conn, acme, hostile)
    customers.edit(conn, acme, contact="\x1b[2J")
    for args in (("show", "acme"), ("issue", "list"), ("promise", "list"), ("followups",)):
        result = run_tc(*args)
        assert result.exit_code == 0, result.output
        assert (
            "\x1b" not in result.stdout
            and "\x9b" not in result.stdout
            and "\x07" not in result.stdout
        )
        assert "[bold]x[/]" in result.stdout
    assert "\x1b" not in run_tc("concern", "list", "acme").stdout


def test_render_every_sample_customer(conn, clock_at_noon):
    demo.write_sample(conn, now=NOW)
    for (customer_id,) in conn.execute("SELECT id FROM customers").fetchall():
        text = render(conn, customer_id, limit=5)
        assert all(section in text for section in SECTIONS)


def test_show_limit_applies_to_trust_entries(conn, acme, run_tc):
    for n in range(4):
        checkins.add_checkin(conn, acme, 3, note=f"call {n}", at=NOW - timedelta(days=n))
    out = run_tc("show", "acme", "--limit", "1").stdout
    trust = out[out.index("Trust bank (+4)") : out.index("Timeline")]
    assert "call 0" in trust and "call 1" not in trust
    assert "… and 3 older (--limit N shows more)" in trust
    nothing = run_tc("show", "acme", "--limit", "0").stdout
    assert "… and 4 older" in nothing
