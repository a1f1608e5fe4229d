"""Concerns and priorities: assumed or confirmed, ranked, and the calibration interval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import NOW

from tempcheck.store import StoreError, customers, settings
from tempcheck.store.concerns import (
    add_concern,
    calibration,
    confirm_concern,
    drop_concern,
    get_concern,
    list_concerns,
)


def test_add_assumed_then_confirm(conn, acme):
    concern = add_concern(conn, acme, " Budget freeze ")
    assert (concern.kind, concern.text, concern.rank) == ("concern", "Budget freeze", 1)
    assert concern.state == "assumed" and concern.confirmed_at is None and not concern.dropped
    confirmed = confirm_concern(conn, concern.id)
    assert confirmed.state == "confirmed" and confirmed.confirmed_at == NOW


def test_add_confirmed_priority_with_rank(conn, acme):
    priority = add_concern(conn, acme, "Cut spend", kind="priority", rank=3, confirmed=True)
    assert (priority.kind, priority.rank, priority.state) == ("priority", 3, "confirmed")


def test_default_rank_goes_last_among_live_ones(conn, acme):
    first = add_concern(conn, acme, "a")
    second = add_concern(conn, acme, "b")
    assert (first.rank, second.rank) == (1, 2)
    drop_concern(conn, second.id)
    assert add_concern(conn, acme, "c").rank == 2
    other = customers.add_customer(conn, "Globex").id
    assert add_concern(conn, other, "d").rank == 1


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        (" ", {}, "needs a text"),
        ("x", {"kind": "worry"}, "'concern' or 'priority'"),
        ("x", {"rank": 0}, "rank must be 1 or more"),
    ],
)
def test_add_rejects_bad_input(conn, acme, db_path, text, kwargs, message, row_counts):
    with pytest.raises(StoreError, match=message):
        add_concern(conn, acme, text, **kwargs)
    assert row_counts(db_path)["concerns"] == 0


def test_list_by_rank_and_dropped(conn, acme):
    low = add_concern(conn, acme, "low", rank=5)
    top = add_concern(conn, acme, "top", kind="priority", rank=1)
    mid = add_concern(conn, acme, "mid", rank=2)
    drop_concern(conn, top.id)
    assert [c.id for c in list_concerns(conn, acme)] == [mid.id, low.id]
    every = list_concerns(conn, acme, include_dropped=True)
    assert [c.id for c in every] == [mid.id, low.id, top.id]
    assert every[-1].dropped


def test_drop_and_confirm_rules(conn, acme, db_path, row_counts):
    concern = add_concern(conn, acme, "x")
    drop_concern(conn, concern.id)
    before = row_counts(db_path)
    with pytest.raises(StoreError, match=f"concern {concern.id} is already dropped"):
        drop_concern(conn, concern.id)
    with pytest.raises(StoreError, match="was dropped"):
        confirm_concern(conn, concern.id)
    assert row_counts(db_path) == before


def test_reconfirming_is_a_newer_calibration(conn, acme, clock_at_noon):
    concern = add_concern(conn, acme, "x", confirmed=True)
    clock_at_noon.shift(timedelta(days=30))
    assert confirm_concern(conn, concern.id).confirmed_at == NOW + timedelta(days=30)


def test_unknown_concern(conn, clock_at_noon):
    with pytest.raises(StoreError, match="^no concern with id 3$"):
        get_concern(conn, 3)
    with pytest.raises(StoreError, match="no concern with id 3"):
        confirm_concern(conn, 3)


# --- calibration ---------------------------------------------------------------------


def test_no_concerns_means_nothing_to_recalibrate(conn, acme):
    assert calibration(conn, acme) == (False, None)


def test_never_confirmed_needs_calibration(conn, acme):
    add_concern(conn, acme, "x")
    assert calibration(conn, acme) == (True, None)


@pytest.mark.parametrize(("days", "shifted"), [(0, False), (90, False), (91, True)])
def test_calibration_interval_boundary(conn, acme, days, shifted):
    add_concern(conn, acme, "x", confirmed=True)
    assert calibration(conn, acme, now=NOW + timedelta(days=days)) == (shifted, NOW)


def test_calibration_interval_from_setting_and_customer(conn, acme):
    add_concern(conn, acme, "x", confirmed=True)
    later = NOW + timedelta(days=31)
    assert calibration(conn, acme, now=later)[0] is False
    settings.set_checked(conn, "calibration.days", "30")
    assert calibration(conn, acme, now=later)[0] is True
    customers.edit(conn, acme, calibration_days=60)
    assert calibration(conn, acme, now=later)[0] is False
    assert calibration(conn, acme, now=NOW + timedelta(days=61))[0] is True


def test_calibration_agrees_with_the_dashboard(conn, acme):
    from tempcheck.store.dashboard import dashboard_rows

    add_concern(conn, acme, "x", confirmed=True)
    add_concern(conn, acme, "y")
    for days in (90, 91):
        now = NOW + timedelta(days=days)
        row = dashboard_rows(conn, customer_id=acme, now=now, with_trust=False)[0]
        assert row.recalibrate is calibration(conn, acme, now=now)[0]


def test_calibration_unknown_customer(conn):
    with pytest.raises(StoreError, match="no customer with id 5"):
        calibration(conn, 5)


# --- the shell commands --------------------------------------------------------------


def test_cli_add_confirm_drop_list(conn, acme, db_path, clock_at_noon, run_tc):
    result = run_tc("concern", "add", "acme", "Cut cloud spend", "--priority", "--rank", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Added priority 1 for Acme Corp (#1, assumed): Cut cloud spend\n"
    result = run_tc("concern", "add", "acme", "Key engineer leaving", "--confirmed")
    assert result.stdout == "Added concern 2 for Acme Corp (#2, confirmed): Key engineer leaving\n"

    listed = run_tc("concern", "list", "acme").stdout.splitlines()
    assert listed[0].split() == ["ID", "Rank", "Kind", "Text", "State"]
    assert "assumed" in listed[1] and "confirmed Tue 24 Nov" in listed[2]
    assert len(listed) == 3

    confirmed = run_tc("concern", "confirm", "1")
    assert confirmed.exit_code == 0
    assert confirmed.stdout == "Confirmed priority 1 today: Cut cloud spend\n"
    dropped = run_tc("concern", "drop", "2")
    assert dropped.stdout == "Dropped concern 2: Key engineer leaving\n"
    assert len(run_tc("concern", "list", "acme").stdout.splitlines()) == 2
    assert "dropped" in run_tc("concern", "list", "acme", "--all").stdout

    clock_at_noon.shift(timedelta(days=91))
    stale = run_tc("concern", "list", "acme").stdout
    assert (
        stale.splitlines()[-1] == "! priorities may have shifted (last confirmed Tue 24 Nov 2026)"
    )


def test_cli_list_empty(conn, acme, db_path, run_tc):
    assert run_tc("concern", "list", "acme").stdout == (
        "No concerns or priorities recorded for Acme Corp.\n"
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["concern", "add", "nobody", "x"], 2, "no customer matches"),
        (["concern", "add", "acme", " "], 1, "needs a text"),
        (["concern", "confirm", "42"], 1, "no concern with id 42"),
        (["concern", "drop", "42"], 1, "no concern with id 42"),
        (["concern", "list", "nobody"], 2, "no customer matches"),
    ],
)
def test_cli_errors_change_nothing(conn, acme, db_path, args, code, message, row_counts, run_tc):
    add_concern(conn, acme, "existing")
    before = row_counts(db_path)
    result = run_tc(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert result.stderr.startswith("tempcheck: ") and result.stderr.count("\n") == 1
    assert row_counts(db_path) == before
