"""The morning brief: its lines and their order, reminder snoozes, and spreading first contacts."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from helpers import NOW, TODAY, at

from tempcheck.domain.brief import (
    CALL_FIRST,
    FOLLOWUP_DUE,
    GONE_COLD,
    NEVER_CONTACTED,
    ORDER,
    PROMISE_DUE,
    RECALIBRATE,
    UNHAPPY,
    in_order,
    text_lines,
)
from tempcheck.domain.staleness import Staleness
from tempcheck.services.brief import brief
from tempcheck.store import StoreError, checkins, concerns, customers, followups, issues, promises
from tempcheck.store import sample as demo
from tempcheck.store.dashboard import dashboard_rows
from tempcheck.store.reminders import (
    baselines,
    snooze_reminder,
    snoozed,
    spread,
    wake_reminder,
)

HOSTILE = "<script>alert(1)</script> [bold]x[/bold] \x1b[2J \x9b31m"


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def world(conn: sqlite3.Connection) -> dict[str, int]:
    """One customer per kind of brief line, written at known times."""
    ids: dict[str, int] = {}
    with at(days_ago(200)):
        for name, cadence in [
            ("Alpha", 14),
            ("Bravo", 14),
            ("Charlie", 21),
            ("Delta", 14),
            ("Echo", 30),
            ("Foxtrot", 14),
        ]:
            ids[name] = customers.add_customer(conn, name, cadence_days=cadence).id
    # Alpha: gone cold (40 days, cadence 14), content; a promise that fell due yesterday.
    checkins.add_checkin(conn, ids["Alpha"], 4, note="Fine, busy quarter", at=days_ago(40))
    with at(days_ago(10)):
        promises.add_promise(conn, ids["Alpha"], "Send the roadmap", TODAY - timedelta(days=1))
        promises.add_promise(conn, ids["Alpha"], "Send the invoice", TODAY + timedelta(days=5))
    # Bravo: they called, unhappy; then two issues we have not called about, one due first.
    checkins.add_checkin(
        conn,
        ids["Bravo"],
        2,
        note=HOSTILE,
        fell_short="Report late",
        initiated_by="them",
        at=days_ago(3),
    )
    with at(days_ago(1)):
        late = issues.open_issue(conn, ids["Bravo"], "Export broken", due=TODAY + timedelta(1))
        first = issues.open_issue(conn, ids["Bravo"], "Login fails", due=TODAY)
        issues.open_issue(conn, ids["Bravo"], "Someday", due=TODAY + timedelta(days=30))
    ids["issue_late"], ids["issue_first"] = late.id, first.id
    # Charlie: never contacted. Delta: fresh, with a follow-up due today and one next week.
    checkins.add_checkin(conn, ids["Delta"], 3, note="Routine", at=days_ago(2))
    with at(days_ago(5)):
        ids["followup"] = followups.add_followup(conn, ids["Delta"], TODAY, "Pilot numbers").id
        followups.add_followup(conn, ids["Delta"], TODAY + timedelta(days=7), "Later")
    # Echo: fresh, but its priorities were last confirmed 100 days ago.
    checkins.add_checkin(conn, ids["Echo"], 5, note="Delighted", at=days_ago(1))
    with at(days_ago(100)):
        concerns.add_concern(conn, ids["Echo"], "Cut costs", kind="priority", confirmed=True)
    # Foxtrot: gone cold and frustrated: listed once, as gone cold.
    checkins.add_checkin(conn, ids["Foxtrot"], 1, note="Angry", at=days_ago(60))
    return ids


def test_the_brief_lists_each_reason_in_order(conn, world):
    items = brief(conn, now=NOW)
    assert [(i.reason, i.customer_name) for i in items] == [
        (CALL_FIRST, "Bravo"),
        (CALL_FIRST, "Bravo"),
        (PROMISE_DUE, "Alpha"),
        (FOLLOWUP_DUE, "Delta"),
        (GONE_COLD, "Foxtrot"),
        (GONE_COLD, "Alpha"),
        (NEVER_CONTACTED, "Charlie"),
        (UNHAPPY, "Bravo"),
        (RECALIBRATE, "Echo"),
    ]
    assert [ORDER.index(i.reason) for i in items] == sorted(ORDER.index(i.reason) for i in items)


def test_within_a_reason_the_most_urgent_comes_first(conn, world):
    calls = [i for i in brief(conn, now=NOW) if i.reason == CALL_FIRST]
    assert [i.ref_id for i in calls] == [world["issue_first"], world["issue_late"]]
    assert calls[0].detail == "Login fails, due 24 Nov (today)"
    assert calls[1].detail == "Export broken, due 25 Nov (tomorrow)"
    assert calls[0].due == TODAY


def test_each_line_carries_the_last_note_and_when(conn, world):
    by_reason = {i.reason: i for i in brief(conn, now=NOW)}
    promise = by_reason[PROMISE_DUE]
    assert promise.detail == "Send the roadmap, due 23 Nov (1 day late)"
    assert promise.last_note == "Fine, busy quarter"
    assert promise.last_contact == days_ago(40)
    assert promise.ref_id is not None and promise.last_temperature == 4
    followup = by_reason[FOLLOWUP_DUE]
    assert followup.detail == "Pilot numbers, due 24 Nov (today)"
    assert followup.ref_id == world["followup"]
    never = by_reason[NEVER_CONTACTED]
    assert never.last_note == "" and never.last_contact is None
    assert never.detail == "no check-in yet, cadence 21 days"
    unhappy = by_reason[UNHAPPY]
    assert unhappy.detail == "last temperature 2 uneasy; fell short: Report late"
    assert unhappy.last_note == HOSTILE
    recalibrate = by_reason[RECALIBRATE]
    assert recalibrate.detail == "priorities may have shifted: last confirmed 16 Aug (3 months ago)"


def test_gone_cold_mentions_a_low_temperature_and_is_not_repeated_as_unhappy(conn, world):
    cold = [i for i in brief(conn, now=NOW) if i.customer_name == "Foxtrot"]
    assert [i.reason for i in cold] == [GONE_COLD]
    assert (
        cold[0].detail == "no contact for 60 days, cadence 14 days; last temperature 1 frustrated"
    )


def test_contacting_the_customer_clears_the_call_and_the_unhappy_line(conn, world):
    with at(NOW - timedelta(minutes=5)):
        checkins.add_checkin(conn, world["Bravo"], 4, note="Called them", initiated_by="us")
    reasons = {i.reason for i in brief(conn, now=NOW) if i.customer_name == "Bravo"}
    assert reasons == set()


def test_ended_customers_leave_the_brief(conn, world):
    with at(NOW):
        customers.set_status(conn, world["Alpha"], "ended", note="contract over")
    assert "Alpha" not in {i.customer_name for i in brief(conn, now=NOW)}


def test_an_empty_brief_says_so_in_one_line(conn):
    assert brief(conn, now=NOW) == []
    assert text_lines([], NOW) == [
        "Nothing in today's brief: no calls, promises or follow-ups due, nobody cold."
    ]


def test_in_order_keeps_order_within_a_reason(conn, world):
    items = brief(conn, now=NOW)
    assert in_order(reversed(items))[0].reason == CALL_FIRST
    assert in_order(items) == items


# --- snooze ------------------------------------------------------------------------------


def test_snooze_hides_gone_cold_but_not_the_promise_due(conn, world):
    with at(NOW):
        snooze_reminder(conn, world["Alpha"], TODAY + timedelta(days=7))
    assert snoozed(conn, TODAY) == {world["Alpha"]: TODAY + timedelta(days=7)}
    alpha = [i.reason for i in brief(conn, now=NOW) if i.customer_name == "Alpha"]
    assert alpha == [PROMISE_DUE]
    # The cadence and the dashboard's staleness are untouched.
    assert customers.get_customer(conn, world["Alpha"]).cadence_days == 14
    row = dashboard_rows(conn, now=NOW, customer_id=world["Alpha"])[0]
    assert row.staleness is Staleness.COLD
    # On the day the snooze runs out, the reminder is back.
    later = NOW + timedelta(days=7)
    assert snoozed(conn, TODAY + timedelta(days=7)) == {}
    assert GONE_COLD in [i.reason for i in brief(conn, now=later) if i.customer_name == "Alpha"]


def test_snooze_hides_never_contacted_and_unhappy_but_not_calls(conn, world):
    with at(NOW):
        snooze_reminder(conn, world["Charlie"], TODAY + timedelta(days=3))
        snooze_reminder(conn, world["Bravo"], TODAY + timedelta(days=3))
    names = {(i.reason, i.customer_name) for i in brief(conn, now=NOW)}
    assert (NEVER_CONTACTED, "Charlie") not in names
    assert (UNHAPPY, "Bravo") not in names
    assert (CALL_FIRST, "Bravo") in names


def test_the_newest_snooze_wins_and_waking_ends_it(conn, world):
    alpha = world["Alpha"]
    with at(NOW):
        snooze_reminder(conn, alpha, TODAY + timedelta(days=10))
        snooze_reminder(conn, alpha, TODAY + timedelta(days=2))
        assert snoozed(conn, TODAY) == {alpha: TODAY + timedelta(days=2)}
        assert wake_reminder(conn, alpha) is True
        assert snoozed(conn, TODAY) == {}
        assert wake_reminder(conn, alpha) is False
    rows = conn.execute("SELECT count(*) FROM reminder_snoozes WHERE customer_id = ?", (alpha,))
    assert rows.fetchone()[0] == 3  # every change is a row


def test_snooze_must_end_after_today_and_name_a_customer(conn, world):
    with at(NOW), pytest.raises(StoreError, match="after today"):
        snooze_reminder(conn, world["Alpha"], TODAY)
    with at(NOW), pytest.raises(StoreError, match="no customer"):
        snooze_reminder(conn, 9999, TODAY + timedelta(days=1))
    assert snoozed(conn, TODAY) == {}


# --- spread ------------------------------------------------------------------------------


@pytest.fixture
def imported(conn: sqlite3.Connection) -> list[int]:
    """Four never-contacted customers with a 28-day cadence, and one already contacted."""
    with at(days_ago(1)):
        ids = [customers.add_customer(conn, f"Import {n}", cadence_days=28).id for n in range(4)]
        contacted = customers.add_customer(conn, "Known", cadence_days=28).id
    checkins.add_checkin(conn, contacted, 3, at=days_ago(1))
    return ids


def test_spread_staggers_baselines_over_the_cadence(conn, imported):
    assert spread(conn, now=NOW) == 4
    found = baselines(conn)
    assert set(found) == set(imported)
    # Customer i of n, counted from the newest added, gets now - cadence * i / n.
    expected = {cid: NOW - timedelta(days=28) * i / 4 for i, cid in enumerate(reversed(imported))}
    assert found == expected
    assert sorted(NOW - b for b in found.values()) == [timedelta(days=d) for d in (0, 7, 14, 21)]


def test_spread_is_idempotent_and_skips_contacted_customers(conn, imported):
    assert spread(conn, now=NOW) == 4
    first = baselines(conn)
    assert spread(conn, now=NOW + timedelta(days=3)) == 0
    assert baselines(conn) == first
    with at(NOW):
        late = customers.add_customer(conn, "Late import", cadence_days=10).id
    assert spread(conn, now=NOW + timedelta(days=1)) == 1
    assert baselines(conn)[late] == NOW + timedelta(days=1)


def test_a_baseline_stands_in_for_the_first_contact(conn, imported):
    spread(conn, now=NOW)
    # Right after spreading nobody is red: the first contacts fall due one after another.
    assert [i for i in brief(conn, now=NOW) if i.reason == NEVER_CONTACTED] == []
    states = {row.customer_id: row.staleness for row in dashboard_rows(conn, now=NOW)}
    assert {states[cid] for cid in imported} == {Staleness.FRESH, Staleness.DUE}
    # A week later the oldest baseline has reached the cadence: one line, with its due date.
    week = NOW + timedelta(days=7)
    listed = [i for i in brief(conn, now=week) if i.reason == NEVER_CONTACTED]
    assert [i.customer_name for i in listed] == ["Import 0"]
    assert listed[0].detail == "no check-in yet, first contact due 1 Dec (today)"
    assert listed[0].last_contact is None


def test_the_dashboard_uses_a_baseline_but_keeps_last_contact_honest(conn, imported):
    spread(conn, now=NOW)
    rows = dashboard_rows(conn, now=NOW)
    spread_rows = [r for r in rows if r.customer_id in imported]
    assert all(r.last_at is None and r.last_contact is None for r in spread_rows)
    assert sorted(round(r.days_since, 6) for r in spread_rows) == [0, 7, 14, 21]


# --- the shell commands --------------------------------------------------------------------


def test_today_text_lines(run_tc, conn, world, clock_at_noon):
    result = run_tc("today")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 9
    assert lines[0].startswith("☎ call first")
    assert "Bravo — Login fails, due 24 Nov (today) · last: " in lines[0]
    assert "(3 days ago)" in lines[0]
    assert "\x1b" not in result.output and "\N{REPLACEMENT CHARACTER}[2J" in result.output
    assert "\x9b" not in result.output
    assert lines[6].endswith("Charlie — no check-in yet, cadence 21 days")


def test_today_json(run_tc, conn, world, clock_at_noon):
    result = run_tc("today", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x9b" not in result.output
    records = json.loads(result.output)
    assert [r["reason"] for r in records][:3] == [CALL_FIRST, CALL_FIRST, PROMISE_DUE]
    assert records[0]["customer"] == "Bravo" and records[0]["due"] == "2026-11-24"
    assert records[0]["ref_id"] == world["issue_first"]
    assert records[0]["last_note"] == HOSTILE and records[0]["last_temperature"] == 2


def test_today_markdown_escapes_user_text(run_tc, conn, world, clock_at_noon):
    result = run_tc("today", "--format", "md")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("# Today, Tue 24 Nov 2026")
    assert "## ☎ Call first" in text and "## ⚖ Recalibrate priorities" in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\\[bold\\]" in text and "\x1b" not in text and "\x9b" not in text


def test_today_on_an_empty_database(run_tc, clock_at_noon):
    result = run_tc("today")
    assert result.exit_code == 0
    assert result.output.count("\n") == 1 and "Nothing in today's brief" in result.output


def test_today_on_demo_data(run_tc, conn, clock_at_noon):
    demo.write_sample(conn, now=NOW)
    result = run_tc("today")
    assert result.exit_code == 0, result.output
    assert (
        "☎ call first                    Umbrella Health — Data export fails for large clinics,"
        ' due 21 Nov (3 days late) · last: "' in result.output
    )


def test_spread_command(run_tc, conn, imported, clock_at_noon):
    first = run_tc("spread")
    assert first.exit_code == 0
    assert (
        first.output
        == "Spread the first contact of 4 never-contacted customers over their cadence.\n"
    )
    again = run_tc("spread")
    assert again.output.startswith("Nothing to spread")


def test_snooze_command(db_path, conn, world):
    from tempcheck.cli.commands.today import snooze

    def invoke(*args: str):
        with at(NOW):
            return CliRunner().invoke(snooze, ["--db", str(db_path), *args])

    done = invoke("alpha", "+3d")
    assert done.exit_code == 0, done.output
    assert "Snoozed the reminder for Alpha until Fri 27 Nov (2026-11-27)" in done.output
    assert snoozed(conn, TODAY) == {world["Alpha"]: date(2026, 11, 27)}
    assert invoke("alpha", "today").exit_code == 1
    assert invoke("alpha", "blah").exit_code == 1
    assert invoke("nobody-like-this", "+3d").exit_code == 2
    assert invoke("alpha").exit_code == 2
    off = invoke("alpha", "--off")
    assert off.exit_code == 0 and "on again" in off.output
    assert snoozed(conn, TODAY) == {}
