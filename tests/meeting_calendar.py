"""One test calendar, served by Radicale and written as an .ics file: single meetings, a
weekly series across the end of summer time in Berlin (25 Oct 2026) with a moved and a
cancelled occurrence, an all-day event, a cancelled meeting, and meetings matching nobody
or several customers. ``version=2`` is the same calendar after changes: the review moved,
one occurrence of the series cancelled, the kickoff deleted."""

from __future__ import annotations

from datetime import UTC, datetime

# "Now" for these tests: Wednesday 4 Nov 2026, midday UTC.
NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
SINCE = "28d"  # from 7 Oct

BERLIN = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def _event(body: str) -> str:
    return "BEGIN:VEVENT\nDTSTAMP:20261001T000000Z\n" + body.strip() + "\nEND:VEVENT\n"


def objects(version: int = 1) -> dict[str, str]:
    """Calendar objects by UID, each a VCALENDAR as a CalDAV server stores them."""
    review_start, review_end = (
        ("20261027T140000", "20261027T150000")
        if version == 1
        else ("20261028T100000", "20261028T110000")
    )
    review = _event(f"""
UID:acme-review@test
DTSTART;TZID=Europe/Berlin:{review_start}
DTEND;TZID=Europe/Berlin:{review_end}
SUMMARY:Quarterly review
LOCATION:https://acme.zoom.us/j/123456
DESCRIPTION:Confidential: their budget is 2M
ATTENDEE;CN=Dana Ruiz:mailto:Dana@Acme.example
ATTENDEE;CN=Me:mailto:me@consultancy.example
ORGANIZER:mailto:me@consultancy.example
""")
    exdate = "\nEXDATE;TZID=Europe/Berlin:20261029T100000" if version == 2 else ""
    weekly = (
        _event(f"""
UID:globex-weekly@test
DTSTART;TZID=Europe/Berlin:20261008T100000
DTEND;TZID=Europe/Berlin:20261008T103000
RRULE:FREQ=WEEKLY;COUNT=5
SUMMARY:Weekly sync
LOCATION:Room 4
ATTENDEE:mailto:pat@globex.example
ATTENDEE:mailto:someone@elsewhere.example{exdate}
""")
        + _event("""
UID:globex-weekly@test
RECURRENCE-ID;TZID=Europe/Berlin:20261015T100000
DTSTART;TZID=Europe/Berlin:20261015T100000
DTEND;TZID=Europe/Berlin:20261015T103000
STATUS:CANCELLED
SUMMARY:Weekly sync
ATTENDEE:mailto:pat@globex.example
""")
        + _event("""
UID:globex-weekly@test
RECURRENCE-ID;TZID=Europe/Berlin:20261022T100000
DTSTART;TZID=Europe/Berlin:20261023T150000
DTEND;TZID=Europe/Berlin:20261023T153000
SUMMARY:Weekly sync (moved to Friday)
LOCATION:Room 4
ATTENDEE:mailto:pat@globex.example
""")
    )
    found = {
        "acme-review@test": BERLIN + review,
        "globex-weekly@test": BERLIN + weekly,
        "initech-kickoff@test": _event("""
UID:initech-kickoff@test
DTSTART:20261102T090000Z
DTEND:20261102T100000Z
SUMMARY:Initech kickoff
"""),
        "offsite@test": _event("""
UID:offsite@test
DTSTART;VALUE=DATE:20261028
DTEND;VALUE=DATE:20261029
SUMMARY:Acme Corp offsite
"""),
        "cancelled@test": _event("""
UID:cancelled@test
DTSTART:20261102T150000Z
DTEND:20261102T160000Z
STATUS:CANCELLED
SUMMARY:Acme Corp sync
ATTENDEE:mailto:dana@acme.example
"""),
        "partners@test": _event("""
UID:partners@test
DTSTART:20261103T160000Z
DTEND:20261103T170000Z
SUMMARY:Partner call
ATTENDEE:mailto:pat@globex.example
ATTENDEE:mailto:lee@umbrella.example
"""),
        "lunch@test": _event("""
UID:lunch@test
DTSTART:20261103T120000Z
DTEND:20261103T130000Z
SUMMARY:Lunch
"""),
    }
    if version == 2:
        del found["initech-kickoff@test"]
    return {uid: wrap(body) for uid, body in found.items()}


def wrap(body: str) -> str:
    text = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//tempcheck tests//EN\n" + body + "END:VCALENDAR\n"
    )
    return text.replace("\n", "\r\n")


def ics_file(version: int = 1) -> str:
    """The whole calendar in one file, as Outlook, Google or Apple Calendar export it."""
    body = BERLIN
    for text in objects(version).values():
        inner = text.replace("\r\n", "\n")
        start = inner.index("BEGIN:VEVENT")
        body += inner[start : inner.rindex("END:VCALENDAR")]
    return wrap(body).replace(
        "PRODID:-//tempcheck tests//EN", "PRODID:-//tempcheck tests//EN\r\nX-WR-CALNAME:Work"
    )
