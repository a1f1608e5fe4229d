"""Promises: recorded with a due date, settled once as kept (early/on time/late) or broken."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from helpers import NOW, TODAY

from tempcheck.domain.records import PromiseRecord
from tempcheck.store import StoreError
from tempcheck.store.promises import (
    add_promise,
    get_promise,
    list_promises,
    promise_record,
    settle_promise,
)


def test_add_promise(conn, acme):
    promise = add_promise(conn, acme, " Send the report ", TODAY + timedelta(3))
    assert promise.text == "Send the report"
    assert promise.due == date(2026, 11, 27)
    assert promise.made_at == NOW
    assert promise.customer_name == "Acme Corp"
    assert promise.is_open and promise.outcome is None and promise.timing == ""
    assert promise.state == "open" and not promise.overdue


@pytest.mark.parametrize(
    ("text", "due", "message"),
    [
        ("  ", TODAY, "needs a text"),
        ("x", None, "needs a due date"),
        ("x", TODAY - timedelta(1), "in the past"),
    ],
)
def test_add_promise_rejects_bad_input(conn, acme, db_path, text, due, message, row_counts):
    with pytest.raises(StoreError, match=message):
        add_promise(conn, acme, text, due)
    assert row_counts(db_path)["promises"] == 0


def test_add_promise_for_unknown_customer(conn, clock_at_noon):
    with pytest.raises(StoreError, match="no customer with id 3"):
        add_promise(conn, 3, "x", TODAY)


@pytest.mark.parametrize(
    ("kept_on", "timing", "state"),
    [
        (TODAY + timedelta(1), "early", "kept early"),
        (TODAY + timedelta(2), "on time", "kept on time"),
        (TODAY + timedelta(3), "late", "kept late"),
    ],
)
def test_kept_early_on_time_late(conn, acme, clock_at_noon, kept_on, timing, state):
    promise = add_promise(conn, acme, "x", TODAY + timedelta(2))
    clock_at_noon.shift(timedelta(days=5))
    kept = settle_promise(conn, promise.id, "kept", on=kept_on)
    assert (kept.outcome, kept.timing, kept.state) == ("kept", timing, state)
    assert kept.settled_on == kept_on
    assert not kept.overdue


def test_kept_today_by_default(conn, acme):
    promise = add_promise(conn, acme, "x", TODAY)
    kept = settle_promise(conn, promise.id, "kept")
    assert kept.settled_on == TODAY and kept.timing == "on time"


def test_broken_needs_a_note(conn, acme, db_path):
    promise = add_promise(conn, acme, "x", TODAY + timedelta(1))
    with pytest.raises(StoreError, match="needs a note"):
        settle_promise(conn, promise.id, "broken", note=" ")
    broken = settle_promise(conn, promise.id, "broken", note="vendor slipped")
    assert (broken.outcome, broken.timing, broken.state) == ("broken", "broken", "broken")
    assert broken.note == "vendor slipped"


def test_settling_twice_is_refused(conn, acme, db_path, row_counts):
    promise = add_promise(conn, acme, "x", TODAY)
    settle_promise(conn, promise.id, "kept")
    before = row_counts(db_path)
    with pytest.raises(StoreError, match=f"promise {promise.id} is already settled"):
        settle_promise(conn, promise.id, "broken", note="oops")
    assert row_counts(db_path) == before


@pytest.mark.parametrize(
    ("outcome", "on", "message"),
    [
        ("forgotten", None, "'kept' or 'broken'"),
        ("kept", TODAY + timedelta(1), "in the future"),
        ("kept", TODAY - timedelta(1), "cannot be settled on"),
    ],
)
def test_settle_rejects_bad_input(conn, acme, db_path, outcome, on, message):
    promise = add_promise(conn, acme, "x", TODAY)
    with pytest.raises(StoreError, match=message):
        settle_promise(conn, promise.id, outcome, on=on)
    assert get_promise(conn, promise.id).is_open


def test_unknown_promise(conn, clock_at_noon):
    with pytest.raises(StoreError, match="^no promise with id 8$"):
        get_promise(conn, 8)
    with pytest.raises(StoreError, match="no promise with id 8"):
        settle_promise(conn, 8, "kept")


def test_overdue_and_list_order(conn, acme, clock_at_noon):
    later = add_promise(conn, acme, "later", TODAY + timedelta(5))
    sooner = add_promise(conn, acme, "sooner", TODAY + timedelta(1))
    settled = add_promise(conn, acme, "settled", TODAY + timedelta(1))
    settle_promise(conn, settled.id, "kept")
    clock_at_noon.shift(timedelta(days=2))
    found = list_promises(conn)
    assert [p.id for p in found] == [sooner.id, later.id]
    assert found[0].overdue and found[0].state == "overdue"
    assert not found[1].overdue
    every = list_promises(conn, include_settled=True, customer_id=acme)
    assert [p.id for p in every] == [sooner.id, later.id, settled.id]
    assert list_promises(conn, customer_id=acme + 1) == []


def test_promise_record(conn, acme, clock_at_noon):
    assert promise_record(conn, acme) == PromiseRecord()
    assert promise_record(conn, acme).on_time_rate is None
    assert promise_record(conn, acme).summary == "no promises yet"
    ids = [add_promise(conn, acme, f"p{n}", TODAY + timedelta(2)).id for n in range(6)]
    clock_at_noon.shift(timedelta(days=4))
    settle_promise(conn, ids[0], "kept", on=TODAY + timedelta(1))  # early
    settle_promise(conn, ids[1], "kept", on=TODAY + timedelta(2))  # on time
    settle_promise(conn, ids[2], "kept", on=TODAY + timedelta(3))  # late
    settle_promise(conn, ids[3], "broken", note="no")
    record = promise_record(conn, acme)
    assert record == PromiseRecord(
        kept=3, kept_early=1, kept_on_time=1, kept_late=1, broken=1, open=2, on_time_rate=0.5
    )
    assert record.summary == "3 kept (2 on time or early), 1 broken, 2 open · 50% on time"


# --- the shell commands --------------------------------------------------------------


def test_cli_add_keep_break_list(conn, acme, db_path, run_tc):
    result = run_tc("promise", "add", "acme", "Send the report", "--due", "fri")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Recorded promise 1 to Acme Corp: Send the report (due Fri 27 Nov)\n"
    run_tc("promise", "add", "acme", "Call back", "--due", "tomorrow")

    kept = run_tc("promise", "keep", "1")
    assert kept.exit_code == 0, kept.output
    assert kept.stdout == "Kept promise 1 to Acme Corp early: Send the report\n"

    broken = run_tc("promise", "break", "2", "--note", "forgot")
    assert broken.exit_code == 0, broken.output
    assert broken.stdout == "Broke promise 2 to Acme Corp: Call back\n"

    assert run_tc("promise", "list").stdout == "No open promises.\n"
    table = run_tc("promise", "list", "--all", "--customer", "acme").stdout
    assert "kept early Tue 24 Nov" in table and "forgot" in table
    assert table.splitlines()[-1] == "Record: 1 kept (1 on time or early), 1 broken · 50% on time"

    rows = json.loads(run_tc("promise", "list", "--all", "--format", "json").stdout)
    assert {r["state"] for r in rows} == {"kept early", "broken"}
    csv_text = run_tc("promise", "list", "--all", "--format", "csv").stdout
    assert csv_text.startswith("id,uid,customer,text,due")


def test_cli_keep_on_a_past_day(conn, acme, db_path, clock_at_noon, run_tc):
    add_promise(conn, acme, "x", TODAY + timedelta(1))
    clock_at_noon.shift(timedelta(days=3))
    result = run_tc("promise", "keep", "1", "--on", "yesterday")
    assert result.exit_code == 0, result.output
    assert "late" in result.stdout
    assert get_promise(conn, 1).settled_on == TODAY + timedelta(2)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["promise", "add", "acme", "x"], 1, "needs a due date: --due DATE"),
        (["promise", "add", "acme", "x", "--due", "2020-02-02"], 1, "in the past"),
        (["promise", "add", "acme", "x", "--due", "someday"], 1, "cannot read"),
        (["promise", "add", "nobody", "x", "--due", "fri"], 2, "no customer matches"),
        (["promise", "add", "acme", " ", "--due", "fri"], 1, "needs a text"),
        (["promise", "keep", "77"], 1, "no promise with id 77"),
        (["promise", "keep", "1", "--on", "tomorrow"], 1, "in the future"),
        (["promise", "break", "1"], 1, "needs --note"),
        (["promise", "break", "77", "--note", "x"], 1, "no promise with id 77"),
        (["promise", "list", "--customer", "nobody"], 2, "no customer matches"),
    ],
)
def test_cli_errors_change_nothing(conn, acme, db_path, args, code, message, row_counts, run_tc):
    add_promise(conn, acme, "existing", TODAY + timedelta(2))
    before = row_counts(db_path)
    result = run_tc(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert result.stderr.startswith("tempcheck: ") and result.stderr.count("\n") == 1
    assert row_counts(db_path) == before


def test_cli_settling_twice(conn, acme, db_path, row_counts, run_tc):
    add_promise(conn, acme, "x", TODAY)
    assert run_tc("promise", "keep", "1").exit_code == 0
    before = row_counts(db_path)
    result = run_tc("promise", "break", "1", "--note", "x")
    assert result.exit_code == 1
    assert result.stderr == "tempcheck: promise 1 is already settled (kept on time)\n"
    assert row_counts(db_path) == before
