"""iCalendar export: open follow-ups and promises as all-day events calendar apps import."""

from __future__ import annotations

from datetime import date, timedelta

from helpers import TODAY
from icalendar import Calendar

from tempcheck.exchange.ical import calendar_bytes
from tempcheck.store import customers
from tempcheck.store.followups import add_followup, mark_done, snooze
from tempcheck.store.promises import add_promise, settle_promise


def events(data: bytes) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(data)
    return {
        str(event["UID"]): {
            "summary": str(event["SUMMARY"]),
            "description": str(event.get("DESCRIPTION", "")),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
        }
        for event in calendar.walk("VEVENT")
    }


def test_empty_calendar_is_valid(conn, acme):
    calendar = Calendar.from_ical(calendar_bytes(conn))
    assert str(calendar["VERSION"]) == "2.0"
    assert "tempcheck" in str(calendar["PRODID"])
    assert calendar.walk("VEVENT") == []


def test_open_followups_and_promises_become_all_day_events(conn, acme):
    followup = add_followup(conn, acme, TODAY + timedelta(3), "Ask about the pilot")
    promise = add_promise(conn, acme, "Send the report", TODAY + timedelta(2))
    found = events(calendar_bytes(conn))
    assert found[followup.uid] == {
        "summary": "Follow up: Acme Corp",
        "description": "Ask about the pilot",
        "start": date(2026, 11, 27),
        "end": date(2026, 11, 28),
    }
    assert found[promise.uid]["summary"] == "Promise due: Acme Corp — Send the report"
    assert found[promise.uid]["start"] == date(2026, 11, 26)
    assert found[promise.uid]["end"] == date(2026, 11, 27)
    assert len(found) == 2


def test_done_and_settled_are_left_out_and_snoozes_move(conn, acme):
    done = add_followup(conn, acme, TODAY)
    mark_done(conn, done.id)
    moved = add_followup(conn, acme, TODAY)
    snooze(conn, moved.id, TODAY + timedelta(7))
    kept = add_promise(conn, acme, "x", TODAY)
    settle_promise(conn, kept.id, "kept")
    found = events(calendar_bytes(conn))
    assert list(found) == [moved.uid]
    assert found[moved.uid]["start"] == TODAY + timedelta(7)


def test_one_customer_only(conn, acme):
    other = customers.add_customer(conn, "Globex").id
    mine = add_followup(conn, acme, TODAY)
    theirs = add_promise(conn, other, "y", TODAY)
    assert list(events(calendar_bytes(conn, customer_id=acme))) == [mine.uid]
    assert list(events(calendar_bytes(conn, customer_id=other))) == [theirs.uid]
    assert len(events(calendar_bytes(conn))) == 2


def test_awkward_text_survives_the_round_trip(conn, acme):
    note = "Call Dana, re: budget; bring\nthe slides \x1b[2J"
    followup = add_followup(conn, acme, TODAY, note)
    data = calendar_bytes(conn)
    assert b"\x1b" not in data
    description = events(data)[followup.uid]["description"]
    assert description.startswith("Call Dana, re: budget; bring\nthe slides ")
