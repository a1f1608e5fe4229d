"""Issues: open, close with a resolution, the at-risk and call-them-first rules, and the CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from helpers import NOW, TODAY

from tempcheck.cli.main import main
from tempcheck.store import StoreError, checkins, customers, settings
from tempcheck.store.issues import close_issue, get_issue, list_issues, open_issue

# --- opening -------------------------------------------------------------------------


def test_open_issue_records_everything(conn, acme):
    issue = open_issue(
        conn, acme, "  Late report ", detail="weekly", due=TODAY + timedelta(5), raised_by="us"
    )
    assert (issue.title, issue.detail, issue.raised_by) == ("Late report", "weekly", "us")
    assert issue.customer_name == "Acme Corp"
    assert issue.due == date(2026, 11, 29)
    assert issue.opened_at == NOW
    assert issue.is_open and issue.closed_at is None and issue.resolution == ""
    assert len(issue.uid) == 36


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "   "}, "needs a title"),
        ({"title": "x", "due": TODAY - timedelta(1)}, "in the past"),
        ({"title": "x", "raised_by": "them"}, "raised by"),
        ({"title": "x" * 501}, "at most 500"),
    ],
)
def test_open_issue_rejects_bad_input(conn, acme, kwargs, message):
    with pytest.raises(StoreError, match=message):
        open_issue(conn, acme, **kwargs)
    assert list_issues(conn, include_closed=True) == []


def test_open_issue_due_today_is_allowed(conn, acme):
    assert open_issue(conn, acme, "x", due=TODAY).due == TODAY


def test_open_issue_for_unknown_customer(conn, clock_at_noon):
    with pytest.raises(StoreError, match="no customer with id 42"):
        open_issue(conn, 42, "x")


def test_open_issue_from_another_customers_checkin_is_refused(conn, acme):
    other = customers.add_customer(conn, "Globex").id
    theirs = checkins.add_checkin(conn, other, 2)
    with pytest.raises(StoreError, match="not one of this customer's"):
        open_issue(conn, acme, "x", from_checkin_id=theirs.id)
    mine = checkins.add_checkin(conn, acme, 2)
    assert open_issue(conn, acme, "x", from_checkin_id=mine.id).from_checkin_id == mine.id


def test_get_unknown_issue(conn):
    with pytest.raises(StoreError, match="^no issue with id 99$"):
        get_issue(conn, 99)


# --- at risk and call them first -----------------------------------------------------


@pytest.mark.parametrize(
    ("due_in", "at_risk"),
    [(-1, True), (0, True), (1, True), (2, True), (3, False), (None, False)],
)
def test_at_risk_window_is_two_days_by_default(conn, acme, due_in, at_risk):
    due = TODAY + timedelta(5) if due_in is not None else None
    issue = open_issue(conn, acme, "x", due=due)
    looking_on = TODAY + timedelta(5 - (due_in or 0))  # so that the due date is due_in away
    assert get_issue(conn, issue.id, today=looking_on).at_risk is at_risk
    assert list_issues(conn, today=looking_on)[0].at_risk is at_risk


def test_overdue_issue_is_at_risk(conn, acme, clock_at_noon):
    issue = open_issue(conn, acme, "x", due=TODAY + timedelta(10))
    assert not issue.at_risk
    clock_at_noon.shift(timedelta(days=11))
    assert get_issue(conn, issue.id).at_risk


def test_at_risk_window_follows_the_setting(conn, acme):
    issue = open_issue(conn, acme, "x", due=TODAY + timedelta(3))
    assert not issue.at_risk
    settings.set_checked(conn, "issues.at_risk_days", "3")
    assert get_issue(conn, issue.id).at_risk
    settings.set_checked(conn, "issues.at_risk_days", "0")
    assert not get_issue(conn, issue.id).at_risk
    assert get_issue(conn, issue.id, today=TODAY + timedelta(3)).at_risk


def test_closed_issue_is_never_at_risk(conn, acme):
    issue = open_issue(conn, acme, "x", due=TODAY)
    closed = close_issue(conn, issue.id, "fixed")
    assert not closed.at_risk and not closed.call_first


def test_call_first_until_we_reach_out(conn, acme, clock_at_noon):
    issue = open_issue(conn, acme, "x", due=TODAY + timedelta(1))
    assert issue.at_risk and issue.call_first
    assert issue.flags == ["at risk", "call first"]
    # They called us: still ours to call.
    checkins.add_checkin(conn, acme, 3, initiated_by="them", at=NOW + timedelta(minutes=5))
    assert get_issue(conn, issue.id).call_first
    # We reached out before the issue was opened: does not count.
    checkins.add_checkin(conn, acme, 3, initiated_by="us", at=NOW - timedelta(minutes=5))
    assert get_issue(conn, issue.id).call_first
    # We reached out after opening: cleared, still at risk.
    checkins.add_checkin(conn, acme, 3, initiated_by="us", at=NOW + timedelta(minutes=10))
    again = get_issue(conn, issue.id)
    assert again.at_risk and not again.call_first
    assert again.flags == ["at risk"]


def test_call_first_needs_at_risk(conn, acme):
    issue = open_issue(conn, acme, "x", due=TODAY + timedelta(3))
    assert not issue.at_risk and not issue.call_first


def test_other_customers_checkins_do_not_clear_call_first(conn, acme, clock_at_noon):
    other = customers.add_customer(conn, "Globex").id
    issue = open_issue(conn, acme, "x", due=TODAY)
    checkins.add_checkin(conn, other, 4, initiated_by="us", at=NOW + timedelta(minutes=1))
    assert get_issue(conn, issue.id).call_first


def test_flags_agree_with_the_dashboard(conn, acme, clock_at_noon):
    from tempcheck.store.dashboard import dashboard_rows

    open_issue(conn, acme, "a", due=TODAY)
    open_issue(conn, acme, "b", due=TODAY + timedelta(2))
    open_issue(conn, acme, "c", due=TODAY + timedelta(3))
    found = list_issues(conn, customer_id=acme)
    row = dashboard_rows(conn, customer_id=acme, with_trust=False)[0]
    assert row.open_issues == len(found) == 3
    assert row.at_risk == sum(i.at_risk for i in found) == 2
    assert row.call_first == sum(i.call_first for i in found) == 2


# --- closing -------------------------------------------------------------------------


def test_close_adds_a_closure_row_and_keeps_the_issue_row(conn, acme, db_path, row_counts):
    issue = open_issue(conn, acme, "Late report", due=TODAY + timedelta(3))
    before = conn.execute("SELECT * FROM issues WHERE id = ?", (issue.id,)).fetchone()
    closed = close_issue(conn, issue.id, "  Sent it by courier ")
    assert conn.execute("SELECT * FROM issues WHERE id = ?", (issue.id,)).fetchone() == before
    assert not closed.is_open
    assert closed.closed_at == NOW
    assert closed.resolution == "Sent it by courier"
    assert closed.closing_checkin_id is None
    assert row_counts(db_path)["checkins"] == 0 and row_counts(db_path)["followups"] == 0


def test_close_with_temperature_logs_a_linked_checkin_by_us(conn, acme):
    issue = open_issue(conn, acme, "Late report")
    closed = close_issue(conn, issue.id, "Sent it", temperature=4, channel="email")
    checkin = checkins.get_checkin(conn, closed.closing_checkin_id)
    assert checkin.issue_id == issue.id
    assert checkin.initiated_by == "us"
    assert checkin.temperature == 4 and checkin.channel == "email"
    assert checkin.note == "Closed: Sent it"
    stored = conn.execute(
        "SELECT checkin_id FROM issue_closures WHERE issue_id = ?", (issue.id,)
    ).fetchone()
    assert stored == (checkin.id,)


def test_close_with_follow_up_makes_a_followup_for_the_issue(conn, acme):
    from tempcheck.store.followups import open_followups

    issue = open_issue(conn, acme, "Late report")
    close_issue(conn, issue.id, "Sent it", temperature=3, follow_up=TODAY + timedelta(7))
    [followup] = open_followups(conn)
    assert followup.issue_id == issue.id
    assert followup.due == TODAY + timedelta(7)
    assert followup.checkin_id == get_issue(conn, issue.id).closing_checkin_id


def test_close_without_resolution_is_refused(conn, acme):
    issue = open_issue(conn, acme, "x")
    with pytest.raises(StoreError, match="needs a resolution"):
        close_issue(conn, issue.id, "   ")
    assert get_issue(conn, issue.id).is_open


def test_closing_a_closed_issue_is_refused(conn, acme):
    issue = open_issue(conn, acme, "x")
    close_issue(conn, issue.id, "done")
    with pytest.raises(StoreError, match=f"^issue {issue.id} is already closed$"):
        close_issue(conn, issue.id, "again", temperature=4)
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


@pytest.mark.parametrize(
    "kwargs",
    [{"temperature": 9}, {"temperature": 4, "channel": "pigeon"}],
)
def test_a_failed_close_writes_nothing(conn, acme, db_path, kwargs, row_counts):
    issue = open_issue(conn, acme, "x")
    before = row_counts(db_path)
    with pytest.raises(StoreError):
        close_issue(conn, issue.id, "done", follow_up=TODAY + timedelta(1), **kwargs)
    assert row_counts(db_path) == before
    assert get_issue(conn, issue.id).is_open


def test_close_with_a_past_follow_up_is_refused(conn, acme, db_path, row_counts):
    issue = open_issue(conn, acme, "x")
    before = row_counts(db_path)
    with pytest.raises(StoreError, match="in the past"):
        close_issue(conn, issue.id, "done", follow_up=TODAY - timedelta(1))
    assert row_counts(db_path) == before


def test_close_unknown_issue(conn, clock_at_noon):
    with pytest.raises(StoreError, match="no issue with id 5"):
        close_issue(conn, 5, "done")


# --- listing -------------------------------------------------------------------------


def test_list_open_by_due_then_closed_newest_first(conn, acme, clock_at_noon):
    other = customers.add_customer(conn, "Globex").id
    undated = open_issue(conn, acme, "undated")
    late = open_issue(conn, acme, "later", due=TODAY + timedelta(9))
    soon = open_issue(conn, other, "soon", due=TODAY + timedelta(1))
    first_closed = open_issue(conn, acme, "closed first")
    second_closed = open_issue(conn, acme, "closed second")
    close_issue(conn, first_closed.id, "ok")
    clock_at_noon.shift(timedelta(hours=1))
    close_issue(conn, second_closed.id, "ok")

    assert [i.id for i in list_issues(conn)] == [soon.id, late.id, undated.id]
    assert [i.id for i in list_issues(conn, include_closed=True)] == [
        soon.id,
        late.id,
        undated.id,
        second_closed.id,
        first_closed.id,
    ]
    assert [i.id for i in list_issues(conn, customer_id=other)] == [soon.id]


# --- the shell commands --------------------------------------------------------------


def test_cli_open_prints_the_id(conn, acme, db_path, run_tc):
    result = run_tc("issue", "open", "acme", "Late report", "--due", "fri")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Opened issue 1 for Acme Corp: Late report (due Fri 27 Nov)\n"
    issue = get_issue(conn, 1)
    assert (issue.due, issue.raised_by) == (date(2026, 11, 27), "customer")


def test_cli_open_with_options_and_own_db_option(conn, acme, db_path):
    result = CliRunner().invoke(
        main,
        ["issue", "open", "--db", str(db_path), "Acme Corp", "TLS", "--raised-by", "us"]
        + ["--detail", "renew certs"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Opened issue 1 for Acme Corp: TLS\n")
    assert get_issue(conn, 1).detail == "renew certs"
    assert get_issue(conn, 1).raised_by == "us"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["issue", "open", "nobody", "x"], 2, "no customer matches 'nobody'"),
        (["issue", "open", "acme", "x", "--due", "2020-01-01"], 1, "in the past"),
        (["issue", "open", "acme", "x", "--due", "blursday"], 1, "cannot read"),
        (["issue", "open", "acme", "  "], 1, "needs a title"),
        (["issue", "close", "99", "--resolution", "x"], 1, "no issue with id 99"),
        (["issue", "close", "1", "--resolution", "x", "--temp", "9"], 1, "temperature"),
        (["issue", "close", "1"], 1, "needs --resolution"),
        (["issue", "close", "1", "--resolution", "x", "--follow-up", "yesterday"], 1, "past"),
        (["issue", "list", "--customer", "nobody"], 2, "no customer matches"),
    ],
)
def test_cli_errors_are_one_line_and_change_nothing(
    conn, acme, db_path, args, code, message, row_counts, run_tc
):
    open_issue(conn, acme, "existing")
    before = row_counts(db_path)
    result = run_tc(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert result.stderr.startswith("tempcheck: ") and result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert row_counts(db_path) == before


def test_cli_close_closed_issue(conn, acme, db_path, row_counts, run_tc):
    open_issue(conn, acme, "x")
    assert run_tc("issue", "close", "1", "--resolution", "fixed").exit_code == 0
    before = row_counts(db_path)
    result = run_tc("issue", "close", "1", "--resolution", "again", "--temp", "4")
    assert result.exit_code == 1
    assert result.stderr == "tempcheck: issue 1 is already closed\n"
    assert row_counts(db_path) == before


def test_cli_close_with_temperature_and_follow_up(conn, acme, db_path, row_counts, run_tc):
    open_issue(conn, acme, "Late report")
    result = run_tc(
        "issue",
        "close",
        "1",
        "--resolution",
        "Sent it",
        "--temp",
        "content",
        "--follow-up",
        "+1w",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Closed issue 1 for Acme Corp: Late report, they feel 4 content [check-in 1],"
        " follow up Tue 1 Dec (2026-12-01)\n"
    )
    assert row_counts(db_path)["followups"] == 1


def test_cli_list_table_csv_json(conn, acme, db_path, run_tc):
    open_issue(conn, acme, "Due soon", due=TODAY + timedelta(1))
    closed = open_issue(conn, acme, "Old one")
    close_issue(conn, closed.id, "fixed")

    table = run_tc("issue", "list")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["ID", "Customer", "Title", "Due", "Flags", "State"]
    assert "Due soon" in lines[1] and "at risk, call first" in lines[1] and "open" in lines[1]
    assert len(lines) == 2

    everything = run_tc("issue", "list", "--all").stdout
    assert "closed Tue 24 Nov" in everything

    rows = json.loads(run_tc("issue", "list", "--all", "--format", "json").stdout)
    assert [r["title"] for r in rows] == ["Due soon", "Old one"]
    assert rows[0]["at_risk"] is True and rows[0]["due"] == "2026-11-25"
    assert rows[1]["state"] == "closed" and rows[1]["resolution"] == "fixed"

    csv_text = run_tc("issue", "list", "--format", "csv", "--customer", "acme").stdout
    assert csv_text.splitlines()[0].startswith("id,uid,customer,title")
    assert len(csv_text.splitlines()) == 2


def test_cli_list_empty(conn, acme, db_path, run_tc):
    assert run_tc("issue", "list").stdout == "No open issues.\n"
    assert run_tc("issue", "list", "--format", "csv").stdout.startswith("id,uid,")


def test_cli_list_neutralises_hostile_text(conn, acme, db_path, run_tc):
    open_issue(conn, acme, "[bold]x[/] \x1b[2J")
    result = run_tc("issue", "list")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "[bold]x[/]" in result.stdout
