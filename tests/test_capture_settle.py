"""The capture and settle services: one transaction each, the shell and the form alike;
closing the loop from the shell; every write can be taken back, and only whole."""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import TODAY

from tempcheck.services import settle
from tempcheck.services.capture import Draft, capture, due_items
from tempcheck.services.undo import undo
from tempcheck.store import StoreError
from tempcheck.store.customers import add_customer
from tempcheck.store.followups import add_followup, get_followup, snooze
from tempcheck.store.issues import get_issue, open_issue
from tempcheck.store.promises import add_promise, get_promise


@pytest.fixture
def loose_ends(conn, acme, clock_at_noon):
    """Acme has a follow-up and a promise due today (made two days ago), and Globex one."""
    clock_at_noon.shift(timedelta(days=-2))
    followup = add_followup(conn, acme, TODAY, "Ask how the compression rollout went")
    promise = add_promise(conn, acme, "Send the capacity plan", TODAY)
    globex = add_customer(conn, "Globex Logistics").id
    theirs = add_followup(conn, globex, TODAY, "Globex's own")
    clock_at_noon.shift(timedelta(days=2))
    return {"followup": followup.id, "promise": promise.id, "globex": globex, "theirs": theirs.id}


def test_due_items_are_what_the_form_offers(conn, acme, loose_ends):
    due = due_items(conn, acme)
    assert [f.note for f in due.followups] == ["Ask how the compression rollout went"]
    assert [p.text for p in due.promises] == ["Send the capacity plan"]


def test_capture_closes_the_loop_in_one_transaction(conn, acme, loose_ends, db_path, row_counts):
    captured = capture(
        conn,
        Draft(
            customer_id=acme,
            temperature=2,
            note="the rollout went fine, but the invoice is wrong",
            fell_short="Invoice was wrong",
            open_issue=True,
            follow_up=TODAY + timedelta(days=7),
            follow_up_note="Check the corrected invoice arrived",
            done=(loose_ends["followup"],),
            kept=(loose_ends["promise"],),
            channel="call",
        ),
    )
    assert get_followup(conn, loose_ends["followup"]).done
    assert get_promise(conn, loose_ends["promise"]).outcome == "kept"
    assert get_issue(conn, captured.issue_id).title == "Invoice was wrong"
    assert get_followup(conn, captured.followup_id).note == "Check the corrected invoice arrived"
    assert conn.execute(
        "SELECT value FROM settings WHERE key = 'capture.last_channel'"
    ).fetchone() == ("call",)
    # u: every row of it goes, and nothing else.
    before_undo = row_counts(db_path)
    undo(conn, captured.undo)
    after = row_counts(db_path)
    assert before_undo["checkins"] - after["checkins"] == 1
    assert before_undo["issues"] - after["issues"] == 1
    assert before_undo["followups"] - after["followups"] == 1
    assert before_undo["followup_events"] - after["followup_events"] == 1
    assert before_undo["promise_settlements"] - after["promise_settlements"] == 1
    assert not get_followup(conn, loose_ends["followup"]).done
    assert get_promise(conn, loose_ends["promise"]).is_open


@pytest.mark.parametrize(
    "bad",
    [
        {"kept": (999,)},
        {"done": (999,)},
        {"follow_up": TODAY - timedelta(days=1)},
        {"open_issue": True},  # with no answer to open it from
        {"issue_id": 999},
    ],
)
def test_any_error_writes_nothing(conn, acme, loose_ends, db_path, row_counts, bad):
    before = row_counts(db_path)
    with pytest.raises(StoreError):
        fields = {"customer_id": acme, "temperature": 4, "done": (loose_ends["followup"],)}
        capture(conn, Draft(**(fields | bad)))
    assert row_counts(db_path) == before


def test_another_customers_follow_up_is_refused(conn, acme, loose_ends, db_path, row_counts):
    before = row_counts(db_path)
    with pytest.raises(StoreError, match="is not one of Acme Corp's"):
        capture(conn, Draft(customer_id=acme, temperature=4, done=(loose_ends["theirs"],)))
    assert row_counts(db_path) == before


def test_settling_names_the_item_and_the_customer_and_undoes(conn, acme, loose_ends):
    kept = settle.keep_promise(conn, loose_ends["promise"])
    assert kept.notice == 'Kept promise #1 "Send the capacity plan" (Acme Corp)'
    undo(conn, kept.undo)
    assert get_promise(conn, loose_ends["promise"]).is_open
    done = settle.followup_done(conn, loose_ends["followup"])
    assert done.notice == 'Done follow-up #1 "Ask how the compression rollout went" (Acme Corp)'
    undo(conn, done.undo)
    assert not get_followup(conn, loose_ends["followup"]).done


def test_undoing_a_close_takes_back_its_check_in_and_follow_up(conn, acme, db_path, row_counts):
    issue = open_issue(conn, acme, "Weekly report arrives late", due=TODAY + timedelta(days=2))
    before = row_counts(db_path)
    closed = settle.close_issue(
        conn, issue.id, "Automated the report", temperature=4, follow_up=TODAY + timedelta(14)
    )
    assert closed.notice == 'Closed issue #1 "Weekly report arrives late" (Acme Corp)'
    assert row_counts(db_path) != before
    undo(conn, closed.undo)
    after = row_counts(db_path)
    # (the contact summary keeps its row, emptied, as after any removed check-in)
    assert {k: v for k, v in after.items() if k != "contact_summary"} == {
        k: v for k, v in before.items() if k != "contact_summary"
    }
    assert get_issue(conn, issue.id).is_open


def test_an_undo_refuses_when_something_was_built_on_it(conn, acme, db_path, row_counts):
    captured = capture(
        conn, Draft(customer_id=acme, temperature=4, follow_up=TODAY + timedelta(days=3))
    )
    snooze(conn, captured.followup_id, TODAY + timedelta(days=9))
    before = row_counts(db_path)
    with pytest.raises(StoreError, match="cannot be undone"):
        undo(conn, captured.undo)
    assert row_counts(db_path) == before


# --- the shell ---------------------------------------------------------------------------------


def test_log_closes_the_loop_from_the_shell(run_tc, conn, acme, loose_ends):
    result = run_tc(
        "log",
        "acme",
        "4",
        "went fine",
        "--done",
        str(loose_ends["followup"]),
        "--kept",
        str(loose_ends["promise"]),
        "--follow-up",
        "fri",
        "--follow-up-note",
        "Ask about phase two",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Logged Acme Corp: 4 content, follow up Fri 27 Nov (2026-11-27),"
        " follow-up 1 done, promise 1 kept on time [check-in 1]\n"
    )
    assert get_followup(conn, loose_ends["followup"]).done
    assert get_promise(conn, loose_ends["promise"]).outcome == "kept"
    assert conn.execute("SELECT note FROM followups WHERE checkin_id = 1").fetchone() == (
        "Ask about phase two",
    )


def test_log_with_a_wrong_done_id_writes_nothing(run_tc, acme, loose_ends, db_path, row_counts):
    before = row_counts(db_path)
    result = run_tc("log", "acme", "4", "x", "--done", str(loose_ends["theirs"]))
    assert result.exit_code == 1
    assert "follow-up 2 is not one of Acme Corp's" in result.stderr
    assert row_counts(db_path) == before


def test_log_opens_an_issue_from_the_answer(run_tc, conn, acme):
    result = run_tc(
        "log", "acme", "2", "late again", "--short", "Nobody warned them", "--open-issue"
    )
    assert result.exit_code == 0, result.output
    assert "opened issue 1" in result.stdout
    assert conn.execute("SELECT title, from_checkin_id FROM issues").fetchall() == [
        ("Nobody warned them", 1)
    ]


def test_a_near_miss_on_a_terminal_asks_and_defaults_to_no(db_path, tmp_path: Path) -> None:
    from tempcheck.store import open_db

    conn = open_db(db_path)
    add_customer(conn, "Gringotts Finance")
    conn.close()

    def at_terminal(answer: bytes) -> tuple[int, str]:
        primary, secondary = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "tempcheck", "--db", str(db_path), "log", "Gringots", "4"],
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
            env={**os.environ, "NO_COLOR": "1"},
        )
        os.close(secondary)
        os.write(primary, answer)
        output = b""
        try:
            while chunk := os.read(primary, 4096):
                output += chunk
        except OSError:
            pass
        os.close(primary)
        return process.wait(timeout=30), output.decode()

    code, said = at_terminal(b"\n")  # Enter: the default, no
    assert "Log for Gringotts Finance? [y/N]" in said
    assert code == 2
    checkins = sqlite3.connect(db_path)
    assert checkins.execute("SELECT count(*) FROM checkins").fetchone() == (0,)
    code, said = at_terminal(b"y\n")
    assert code == 0 and "Logged Gringotts Finance: 4 content" in said
    assert checkins.execute("SELECT count(*) FROM checkins").fetchone() == (1,)
    checkins.close()
