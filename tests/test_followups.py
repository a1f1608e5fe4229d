"""Follow-ups: made by hand, by check-ins and by closing issues; done and snoozed as events."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from helpers import TODAY

from tempcheck.cli.main import main
from tempcheck.store import StoreError, checkins, customers
from tempcheck.store.followups import (
    add_followup,
    get_followup,
    mark_done,
    open_followups,
    snooze,
)


def test_add_followup(conn, acme):
    made = add_followup(conn, acme, TODAY + timedelta(2), " ask about pilot ")
    assert (made.due, made.original_due, made.note) == (
        TODAY + timedelta(2),
        made.due,
        "ask about pilot",
    )
    assert made.customer_name == "Acme Corp"
    assert not made.done and not made.overdue and not made.snoozed
    assert made.checkin_id is None and made.issue_id is None


def test_add_followup_rejects_the_past_and_unknown_customers(conn, acme, db_path, row_counts):
    with pytest.raises(StoreError, match="in the past"):
        add_followup(conn, acme, TODAY - timedelta(1))
    with pytest.raises(StoreError, match="no customer with id 9"):
        add_followup(conn, 9, TODAY)
    assert row_counts(db_path)["followups"] == 0
    assert add_followup(conn, acme, TODAY).due == TODAY


def test_checkin_follow_up_is_listed(conn, acme):
    checkin = checkins.add_checkin(conn, acme, 4, note="demo went well", follow_up=TODAY)
    [followup] = open_followups(conn)
    assert followup.checkin_id == checkin.id and followup.note == ""  # not the note's copy
    checkins.add_checkin(
        conn, acme, 4, note="x", follow_up=TODAY, follow_up_note=" Ask how the rollout went "
    )
    assert open_followups(conn)[-1].note == "Ask how the rollout went"


def test_a_checkin_follow_up_in_the_past_is_refused_by_the_store(conn, acme, db_path, row_counts):
    before = row_counts(db_path)
    with pytest.raises(StoreError, match="in the past"):
        checkins.add_checkin(conn, acme, 4, follow_up=TODAY - timedelta(1))
    assert row_counts(db_path) == before


def test_due_within_days_boundaries(conn, acme, clock_at_noon):
    clock_at_noon.shift(timedelta(days=-3))
    overdue = add_followup(conn, acme, TODAY - timedelta(2))
    clock_at_noon.shift(timedelta(days=3))
    today = add_followup(conn, acme, TODAY)
    tomorrow = add_followup(conn, acme, TODAY + timedelta(1))
    in_three = add_followup(conn, acme, TODAY + timedelta(3))

    assert open_followups(conn)[-1].id == in_three.id
    assert [f.id for f in open_followups(conn, due_within_days=0)] == [overdue.id, today.id]
    assert [f.id for f in open_followups(conn, due_within_days=1)] == [
        overdue.id,
        today.id,
        tomorrow.id,
    ]
    assert len(open_followups(conn, due_within_days=2)) == 3
    assert len(open_followups(conn, due_within_days=3)) == 4
    assert len(open_followups(conn)) == 4
    found = {f.id: f for f in open_followups(conn)}
    assert found[overdue.id].overdue and not found[today.id].overdue
    # Seen from another day.
    assert len(open_followups(conn, due_within_days=0, today=TODAY + timedelta(3))) == 4


def test_snooze_moves_the_effective_due_date(conn, acme, db_path, row_counts):
    made = add_followup(conn, acme, TODAY, "x")
    row_before = conn.execute("SELECT * FROM followups").fetchall()
    snoozed = snooze(conn, made.id, TODAY + timedelta(3))
    assert (snoozed.due, snoozed.original_due) == (TODAY + timedelta(3), TODAY)
    assert snoozed.snoozed
    assert open_followups(conn, due_within_days=0) == []
    assert [f.id for f in open_followups(conn, due_within_days=3)] == [made.id]
    # The newest snooze wins, even to an earlier day.
    assert snooze(conn, made.id, TODAY + timedelta(1)).due == TODAY + timedelta(1)
    assert conn.execute("SELECT * FROM followups").fetchall() == row_before
    assert row_counts(db_path)["followup_events"] == 2


def test_snooze_order_follows_the_effective_date(conn, acme):
    first = add_followup(conn, acme, TODAY)
    second = add_followup(conn, acme, TODAY + timedelta(2))
    snooze(conn, first.id, TODAY + timedelta(5))
    assert [f.id for f in open_followups(conn)] == [second.id, first.id]


@pytest.mark.parametrize("days", [0, -1])
def test_snooze_must_be_after_today(conn, acme, db_path, days, row_counts):
    made = add_followup(conn, acme, TODAY)
    with pytest.raises(StoreError, match="after today"):
        snooze(conn, made.id, TODAY + timedelta(days))
    assert row_counts(db_path)["followup_events"] == 0


def test_done_once(conn, acme, db_path, row_counts):
    made = add_followup(conn, acme, TODAY)
    done = mark_done(conn, made.id)
    assert done.done and not done.overdue
    assert open_followups(conn) == []
    with pytest.raises(StoreError, match=f"follow-up {made.id} is already done"):
        mark_done(conn, made.id)
    with pytest.raises(StoreError, match="already done"):
        snooze(conn, made.id, TODAY + timedelta(2))
    assert row_counts(db_path)["followup_events"] == 1


def test_unknown_followup(conn, clock_at_noon):
    with pytest.raises(StoreError, match="^no follow-up with id 4$"):
        get_followup(conn, 4)
    with pytest.raises(StoreError, match="no follow-up with id 4"):
        mark_done(conn, 4)
    with pytest.raises(StoreError, match="no follow-up with id 4"):
        snooze(conn, 4, TODAY + timedelta(2))


def test_filter_by_customer(conn, acme):
    other = customers.add_customer(conn, "Globex").id
    add_followup(conn, acme, TODAY)
    theirs = add_followup(conn, other, TODAY)
    assert [f.id for f in open_followups(conn, customer_id=other)] == [theirs.id]


# --- the shell commands --------------------------------------------------------------


def test_cli_list_done_snooze_add(conn, acme, db_path, run_tc):
    added = run_tc("followups", "add", "acme", "today", "ask", "about", "pilot")
    assert added.exit_code == 0, added.output
    assert added.stdout == "Added follow-up 1 with Acme Corp on Tue 24 Nov (2026-11-24)\n"
    add_followup(conn, acme, TODAY + timedelta(2), "later")

    listed = run_tc("followups")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["ID", "Customer", "Due", "Note", "From"]
    assert "ask about pilot" in lines[1] and "(today)" in lines[1]
    assert len(lines) == 2
    assert len(run_tc("followups", "--days", "2").stdout.splitlines()) == 3
    rows = json.loads(run_tc("followups", "--days", "7", "--format", "json").stdout)
    assert [r["note"] for r in rows] == ["ask about pilot", "later"]
    assert run_tc("followups", "--customer", "acme").exit_code == 0

    snoozed = run_tc("followups", "snooze", "1", "fri")
    assert snoozed.exit_code == 0, snoozed.output
    assert snoozed.stdout == "Snoozed follow-up 1 with Acme Corp to Fri 27 Nov (2026-11-27)\n"
    assert run_tc("followups").stdout == "No follow-ups due today.\n"

    done = run_tc("followups", "done", "2")
    assert done.exit_code == 0, done.output
    assert done.stdout == "Done: follow-up 2 with Acme Corp: later\n"
    in_three = run_tc("followups", "--days", "3").stdout.splitlines()
    assert len(in_three) == 2 and "snoozed" in in_three[1] and "Fri 27 Nov" in in_three[1]
    assert "No follow-ups due within 1 day." in run_tc("followups", "--days", "1").stdout


def test_cli_db_option_on_the_group_and_subcommands(conn, acme, db_path):
    add_followup(conn, acme, TODAY)
    runner = CliRunner()
    listed = runner.invoke(main, ["followups", "--db", str(db_path)])
    assert listed.exit_code == 0 and "Acme Corp" in listed.stdout
    done = runner.invoke(main, ["followups", "--db", str(db_path), "done", "1"])
    assert done.exit_code == 0, done.output
    again = runner.invoke(main, ["followups", "done", "--db", str(db_path), "1"])
    assert again.exit_code == 1 and "already done" in again.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["followups", "done", "99"], 1, "no follow-up with id 99"),
        (["followups", "snooze", "99", "fri"], 1, "no follow-up with id 99"),
        (["followups", "snooze", "1", "today"], 1, "after today"),
        (["followups", "snooze", "1", "whenever"], 1, "cannot read"),
        (["followups", "add", "acme", "2020-01-01"], 1, "in the past"),
        (["followups", "add", "acme", "nope"], 1, "cannot read"),
        (["followups", "add", "nobody", "fri"], 2, "no customer matches"),
        (["followups", "--customer", "nobody"], 2, "no customer matches"),
    ],
)
def test_cli_errors_change_nothing(conn, acme, db_path, args, code, message, row_counts, run_tc):
    add_followup(conn, acme, TODAY)
    before = row_counts(db_path)
    result = run_tc(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert result.stderr.startswith("tempcheck: ") and result.stderr.count("\n") == 1
    assert row_counts(db_path) == before
