"""The customer timeline: every kind of entry, newest first, and keyset paging."""

from __future__ import annotations

import time
from datetime import timedelta

from helpers import NOW, TODAY

from tempcheck.store import checkins, customers
from tempcheck.store import sample as demo
from tempcheck.store.concerns import add_concern, confirm_concern, drop_concern
from tempcheck.store.followups import add_followup, mark_done, snooze
from tempcheck.store.issues import close_issue, open_issue
from tempcheck.store.promises import add_promise, settle_promise
from tempcheck.store.timeline import timeline


def test_empty(conn, acme):
    assert timeline(conn, acme) == []


def test_every_kind_newest_first(conn, acme, clock_at_noon):
    def tick() -> None:
        clock_at_noon.shift(timedelta(minutes=1))

    checkins.add_checkin(conn, acme, 2, note="report late", channel="call", fell_short="slow")
    tick()
    issue = open_issue(conn, acme, "Late report", detail="weekly", due=TODAY + timedelta(3))
    tick()
    close_issue(conn, issue.id, "Sent it", temperature=4)
    tick()
    kept = add_promise(conn, acme, "Send the deck", TODAY + timedelta(2))
    tick()
    broken = add_promise(conn, acme, "Call back", TODAY + timedelta(2))
    tick()
    settle_promise(conn, kept.id, "kept")
    tick()
    settle_promise(conn, broken.id, "broken", note="forgot")
    tick()
    followup = add_followup(conn, acme, TODAY + timedelta(1), "ask again")
    tick()
    snooze(conn, followup.id, TODAY + timedelta(4))
    tick()
    mark_done(conn, followup.id)
    tick()
    concern = add_concern(conn, acme, "Budget", kind="priority")
    tick()
    confirm_concern(conn, concern.id)
    tick()
    drop_concern(conn, concern.id)
    tick()
    customers.set_status(conn, acme, "paused", until=TODAY + timedelta(30), note="holidays")
    tick()
    customers.set_status(conn, acme, "active", note="back")
    tick()
    customers.set_status(conn, acme, "ended", note="contract over")

    items = timeline(conn, acme)
    got = [(i.kind, i.text, i.temperature, i.detail) for i in items]
    assert got == [
        ("ended", "contract over", None, ""),
        ("reactivated", "back", None, ""),
        ("paused", "holidays", None, "until Thu 24 Dec"),
        ("concern dropped", "Budget", None, "priority #1"),
        ("concern confirmed", "Budget", None, "priority #1"),
        ("concern", "Budget", None, "priority #1"),
        ("follow-up done", "ask again", None, ""),
        ("follow-up snoozed", "ask again", None, "to Sat 28 Nov"),
        ("follow-up", "ask again", None, "due Wed 25 Nov"),
        ("promise broken", "Call back", None, "forgot"),
        ("promise kept", "Send the deck", None, "early"),
        ("promise made", "Call back", None, "due Thu 26 Nov"),
        ("promise made", "Send the deck", None, "due Thu 26 Nov"),
        ("issue closed", "Late report", None, "resolution: Sent it"),
        ("checkin", "Closed: Sent it", 4, "call, we reached out"),
        ("issue opened", "Late report", None, "raised by the customer; due Fri 27 Nov; weekly"),
        ("checkin", "report late", 2, "call, we reached out; fell short: slow"),
    ]
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)
    assert items[-1].at == NOW
    assert items[-1].ref_id == 1
    assert items[-2].ref_id == issue.id and items[-4].ref_id == issue.id


def test_checkin_by_them(conn, acme):
    checkins.add_checkin(conn, acme, 5, note="thanks!", channel="email", initiated_by="them")
    [item] = timeline(conn, acme)
    assert (item.kind, item.temperature, item.detail) == ("checkin", 5, "email, they reached out")


def test_only_this_customer(conn, acme):
    other = customers.add_customer(conn, "Globex").id
    checkins.add_checkin(conn, other, 3)
    open_issue(conn, other, "theirs")
    assert timeline(conn, acme) == []
    assert len(timeline(conn, other)) == 2


def test_same_instant_shows_the_later_step_first(conn, acme):
    concern = add_concern(conn, acme, "Budget", confirmed=True)
    issue = open_issue(conn, acme, "x")
    close_issue(conn, issue.id, "fixed", temperature=3, follow_up=TODAY + timedelta(1))
    kinds = [i.kind for i in timeline(conn, acme)]
    assert kinds.index("concern confirmed") < kinds.index("concern")
    assert kinds.index("issue closed") < kinds.index("checkin") < kinds.index("issue opened")
    assert concern.confirmed_at == NOW


def test_limit_and_keyset_paging_lose_nothing(conn, acme):
    for n in range(25):
        checkins.add_checkin(conn, acme, 3, note=f"n{n}", at=NOW - timedelta(hours=n))
    # Three entries sharing one instant straddle the first page boundary.
    for note in ("t1", "t2", "t3"):
        checkins.add_checkin(conn, acme, 3, note=note, at=NOW - timedelta(hours=8, minutes=30))
    everything = timeline(conn, acme)
    assert len(everything) == 28

    pages, before = [], None
    while True:
        page = timeline(conn, acme, limit=10, before=before)
        if not page:
            break
        pages.append(page)
        before = page[-1].at
    seen = [item for page in pages for item in page]
    assert sorted(i.text for i in seen) == sorted(i.text for i in everything)
    assert len(seen) == len(everything)
    assert [i.at for i in seen] == [i.at for i in everything]
    assert len(pages[0]) == 12  # 10 would have split the three that share a time
    assert timeline(conn, acme, limit=0) == []
    assert [i.text for i in timeline(conn, acme, limit=3)] == ["n0", "n1", "n2"]


def test_a_page_of_thousands_stays_fast(conn):
    demo.write_synthetic(conn, 2, 20_000, now=NOW)
    customer_id = conn.execute("SELECT min(id) FROM customers").fetchone()[0]
    start = time.perf_counter()
    page = timeline(conn, customer_id, limit=50)
    for _ in range(20):
        page = timeline(conn, customer_id, limit=50, before=page[-1].at)
    elapsed = time.perf_counter() - start
    assert len(page) == 50
    assert elapsed < 1.0, f"21 pages took {elapsed:.2f} s"
