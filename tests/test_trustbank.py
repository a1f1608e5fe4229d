"""The trust bank per customer: each kind of entry, its weight, and the balance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import NOW, TODAY

from tempcheck.domain import trust
from tempcheck.store import checkins, customers, settings
from tempcheck.store.issues import close_issue, open_issue
from tempcheck.store.promises import add_promise, settle_promise
from tempcheck.store.trustbank import trust_balance, trust_entries


def kinds(conn, customer_id, **kwargs) -> list[tuple[date, str, int, str]]:
    return [(e.on, e.kind, e.amount, e.what) for e in trust_entries(conn, customer_id, **kwargs)]


def test_nothing_yet(conn, acme):
    assert trust_entries(conn, acme) == []
    assert trust_balance(conn, acme) == 0


def test_proactive_contact_is_a_deposit_each(conn, acme):
    checkins.add_checkin(conn, acme, 4, note="called them", initiated_by="us")
    checkins.add_checkin(conn, acme, 4, note="they called", initiated_by="them")
    checkins.add_checkin(conn, acme, 3, note="", initiated_by="us", at=NOW - timedelta(days=3))
    assert kinds(conn, acme) == [
        (TODAY, trust.PROACTIVE, 1, "called them"),
        (TODAY - timedelta(3), trust.PROACTIVE, 1, ""),
    ]
    assert trust_balance(conn, acme) == 2


@pytest.mark.parametrize(
    ("settle_day", "outcome", "kind", "amount"),
    [
        (1, "kept", trust.KEPT_EARLY, 3),
        (2, "kept", trust.KEPT_ON_TIME, 2),
        (3, "kept", trust.KEPT_LATE, -1),
        (1, "broken", trust.BROKEN, -3),
    ],
)
def test_promise_entries(conn, acme, clock_at_noon, settle_day, outcome, kind, amount):
    promise = add_promise(conn, acme, "send the deck", TODAY + timedelta(2))
    assert trust_entries(conn, acme) == []  # an open promise is neither
    clock_at_noon.shift(timedelta(days=5))
    on = TODAY + timedelta(settle_day)
    settle_promise(conn, promise.id, outcome, on=on, note="why")
    assert kinds(conn, acme) == [(on, kind, amount, "send the deck")]
    assert trust_balance(conn, acme) == amount


def test_issue_the_customer_raised_is_a_withdrawal(conn, acme):
    open_issue(conn, acme, "report late", raised_by="customer")
    open_issue(conn, acme, "we spotted it", raised_by="us")
    assert kinds(conn, acme) == [(TODAY, trust.CUSTOMER_RAISED, -1, "report late")]


@pytest.mark.parametrize("closed_after_days", [0, 2])
def test_issue_closed_by_its_due_date(conn, acme, clock_at_noon, closed_after_days):
    issue = open_issue(conn, acme, "certs", due=TODAY + timedelta(2), raised_by="us")
    clock_at_noon.shift(timedelta(days=closed_after_days))
    close_issue(conn, issue.id, "renewed")
    closed_on = TODAY + timedelta(closed_after_days)
    assert kinds(conn, acme) == [(closed_on, trust.CLOSED_BEFORE_DUE, 2, "certs")]


def test_due_missed_without_contact(conn, acme, clock_at_noon):
    open_issue(conn, acme, "certs", due=TODAY + timedelta(1), raised_by="us")
    # On the due date itself nothing is missed yet.
    assert kinds(conn, acme, today=TODAY + timedelta(1)) == []
    missed = [(TODAY + timedelta(1), trust.DUE_MISSED, -2, "certs")]
    assert kinds(conn, acme, today=TODAY + timedelta(2)) == missed
    # A check-in by them is no contact from us.
    checkins.add_checkin(conn, acme, 2, initiated_by="them", at=NOW + timedelta(hours=1))
    assert kinds(conn, acme, today=TODAY + timedelta(2)) == missed


def test_due_passed_with_contact_is_no_withdrawal(conn, acme):
    open_issue(conn, acme, "certs", due=TODAY + timedelta(1), raised_by="us")
    checkins.add_checkin(conn, acme, 3, note="update", at=NOW + timedelta(hours=1))
    assert kinds(conn, acme, today=TODAY + timedelta(5)) == [
        (TODAY, trust.PROACTIVE, 1, "update"),
    ]


def test_closed_late_without_contact_is_a_missed_due_date(conn, acme, clock_at_noon):
    issue = open_issue(conn, acme, "certs", due=TODAY + timedelta(1), raised_by="us")
    clock_at_noon.shift(timedelta(days=3))
    close_issue(conn, issue.id, "renewed late")
    assert kinds(conn, acme) == [(TODAY + timedelta(1), trust.DUE_MISSED, -2, "certs")]


def test_contact_with_another_customer_does_not_count(conn, acme):
    other = customers.add_customer(conn, "Globex").id
    open_issue(conn, acme, "certs", due=TODAY, raised_by="us")
    checkins.add_checkin(conn, other, 4, at=NOW + timedelta(minutes=1))
    assert kinds(conn, acme, today=TODAY + timedelta(1)) == [(TODAY, trust.DUE_MISSED, -2, "certs")]
    assert trust_balance(conn, other) == 1


def test_weights_come_from_the_settings(conn, acme):
    checkins.add_checkin(conn, acme, 4, note="hi")
    open_issue(conn, acme, "problem")
    assert trust_balance(conn, acme) == 0  # +1 -1
    settings.set_checked(conn, "trust.proactive_contact", "5")
    settings.set_checked(conn, "trust.customer_raised_issue", "-2")
    assert sorted(e.amount for e in trust_entries(conn, acme)) == [-2, 5]
    assert trust_balance(conn, acme) == 3


def test_entries_newest_first_and_balance_sums_them(conn, acme, clock_at_noon):
    checkins.add_checkin(conn, acme, 4, note="old", at=NOW - timedelta(days=10))
    issue = open_issue(conn, acme, "late report", due=TODAY + timedelta(3))
    clock_at_noon.shift(timedelta(days=1))
    close_issue(conn, issue.id, "sent", temperature=4)
    entries = trust_entries(conn, acme)
    assert [e.on for e in entries] == sorted((e.on for e in entries), reverse=True)
    assert {e.kind for e in entries} == {
        trust.PROACTIVE,
        trust.CUSTOMER_RAISED,
        trust.CLOSED_BEFORE_DUE,
    }
    assert trust_balance(conn, acme) == trust.balance(entries) == 1 - 1 + 2 + 1
    assert entries[-1].what == "old" and entries[-1].description == "we reached out"


def test_recent_entries_agree_with_the_dashboard_trend(conn, acme, clock_at_noon):
    from tempcheck.store.dashboard import trust_changes

    checkins.add_checkin(conn, acme, 4, at=NOW - timedelta(days=2))
    promise = add_promise(conn, acme, "deck", TODAY)
    settle_promise(conn, promise.id, "kept")
    open_issue(conn, acme, "problem")
    assert trust_changes(conn)[acme] == trust_balance(conn, acme) == 1 + 2 - 1
