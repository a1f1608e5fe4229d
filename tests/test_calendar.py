"""Meetings from a real CalDAV server (Radicale on a loopback port) and from the same
calendar as an .ics file: expansion in the event's time zone across a daylight-saving
change, idempotent reads, moved and cancelled meetings, matching, privacy, log --meeting."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import time_machine
from meeting_calendar import NOW, SINCE, ics_file, objects

from tempcheck.store import calendar as store
from tempcheck.store import contacts, customers, open_db, settings

USER, PASSWORD = "alice", "s3cret pass"


@pytest.fixture
def utc(local_tz):
    """Local time is UTC, so local times in the output are literal."""
    local_tz("UTC")


@pytest.fixture
def at_now(utc):
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(conn, at_now) -> dict[str, int]:
    """Acme Corp (contact Dana Ruiz, dana@acme.example), Globex (domain globex.example),
    Initech (matched by its name in a title), Umbrella (domain umbrella.example)."""
    ids = {
        name: customers.add_customer(conn, name).id
        for name in ("Acme Corp", "Globex", "Initech", "Umbrella")
    }
    contacts.add_contact(conn, ids["Acme Corp"], "Dana Ruiz", role="CFO", email="dana@acme.example")
    customers.set_domain(conn, ids["Globex"], "globex.example")
    customers.set_domain(conn, ids["Umbrella"], "https://www.Umbrella.example/")
    settings.put(conn, "calendar.prompt_days", "30")  # the calendar reaches back to 8 Oct
    return ids


def rows(conn) -> list[tuple]:
    return conn.execute(
        "SELECT event_uid, recurrence_id, starts_at, ends_at, title, withdrawn_at IS NOT NULL"
        " FROM calendar_events ORDER BY starts_at"
    ).fetchall()


# What both the .ics file and the CalDAV calendar must give (times in UTC): the weekly
# 10:00 Berlin meeting is at 08:00 UTC before 25 Oct and at 09:00 UTC after.
FIRST_READ = [
    (
        "globex-weekly@test",
        "2026-10-08T08:00:00.000000Z",
        "2026-10-08T08:00:00.000000Z",
        "2026-10-08T08:30:00.000000Z",
        "Weekly sync",
        0,
    ),
    (
        "globex-weekly@test",
        "2026-10-22T08:00:00.000000Z",
        "2026-10-23T13:00:00.000000Z",
        "2026-10-23T13:30:00.000000Z",
        "Weekly sync (moved to Friday)",
        0,
    ),
    (
        "acme-review@test",
        "",
        "2026-10-27T13:00:00.000000Z",
        "2026-10-27T14:00:00.000000Z",
        "Quarterly review",
        0,
    ),
    (
        "globex-weekly@test",
        "2026-10-29T09:00:00.000000Z",
        "2026-10-29T09:00:00.000000Z",
        "2026-10-29T09:30:00.000000Z",
        "Weekly sync",
        0,
    ),
    (
        "initech-kickoff@test",
        "",
        "2026-11-02T09:00:00.000000Z",
        "2026-11-02T10:00:00.000000Z",
        "Initech kickoff",
        0,
    ),
    ("lunch@test", "", "2026-11-03T12:00:00.000000Z", "2026-11-03T13:00:00.000000Z", "Lunch", 0),
    (
        "partners@test",
        "",
        "2026-11-03T16:00:00.000000Z",
        "2026-11-03T17:00:00.000000Z",
        "Partner call",
        0,
    ),
    (
        "globex-weekly@test",
        "2026-11-05T09:00:00.000000Z",
        "2026-11-05T09:00:00.000000Z",
        "2026-11-05T09:30:00.000000Z",
        "Weekly sync",
        0,
    ),
]
# After the changes: the review moved to Wednesday 28 Oct 10:00 Berlin (09:00 UTC), the
# 29 Oct occurrence cancelled, the kickoff deleted from the calendar.
SECOND_READ = [
    FIRST_READ[0],
    FIRST_READ[1],
    (
        "acme-review@test",
        "",
        "2026-10-28T09:00:00.000000Z",
        "2026-10-28T10:00:00.000000Z",
        "Quarterly review",
        0,
    ),
    FIRST_READ[3][:5] + (1,),
    FIRST_READ[4][:5] + (1,),
    *FIRST_READ[5:],
]
PENDING_TABLE = """\
ID  WHEN                   CUSTOMER                 CHANNEL  TITLE
1   Thu 8 Oct 08:00–08:30  Globex                   meeting  Weekly sync
2   Fri 23 Oct 13:00–13:30 Globex                   meeting  Weekly sync (moved to Friday)
3   Tue 27 Oct 13:00–14:00 Acme Corp (with Dana Ruiz) video    Quarterly review
4   Thu 29 Oct 09:00–09:30 Globex                   meeting  Weekly sync
5   Mon 2 Nov 09:00–10:00  Initech                  meeting  Initech kickoff
"""


def write_ics(tmp_path: Path, version: int) -> Path:
    path = tmp_path / f"calendar-v{version}.ics"
    path.write_text(ics_file(version), encoding="utf-8", newline="")
    return path


# --- the .ics file -----------------------------------------------------------------------


def test_ics_import_expands_in_the_events_time_zone_and_reads_idempotently(
    run_tc, conn, people, tmp_path
):
    first = run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    assert first.exit_code == 0, first.output
    assert first.output == (
        "calendar-v1.ics: meetings 8 new, 0 updated, 0 unchanged, 1 all-day skipped;"
        " 6 matched to a customer, 2 waiting\n"
    )
    assert rows(conn) == FIRST_READ
    again = run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    assert "meetings 0 new, 0 updated, 8 unchanged" in again.output
    assert rows(conn) == FIRST_READ

    changed = run_tc("calendar", "import", write_ics(tmp_path, 2), "--since", SINCE)
    assert changed.output == (
        "calendar-v2.ics: meetings 0 new, 1 updated, 5 unchanged,"
        " 2 withdrawn (cancelled or removed), 1 all-day skipped;"
        " 4 matched to a customer, 2 waiting\n"
    )
    assert rows(conn) == SECOND_READ
    assert conn.execute("SELECT count(*) FROM calendar_events").fetchone()[0] == 8


def test_pending_lists_ended_matched_meetings_with_nothing_logged(run_tc, people, tmp_path):
    run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    listed = run_tc("calendar", "pending")
    assert listed.exit_code == 0
    assert listed.output.replace(" ", "") == PENDING_TABLE.replace(" ", "")
    data = json.loads(run_tc("calendar", "pending", "--format", "json").output)
    assert [(m["id"], m["customer"], m["contact"], m["channel"]) for m in data] == [
        (1, "Globex", None, "meeting"),
        (2, "Globex", None, "meeting"),
        (3, "Acme Corp", "Dana Ruiz", "video"),
        (4, "Globex", None, "meeting"),
        (5, "Initech", None, "meeting"),
    ]
    assert data[2]["end"] == "2026-10-27T14:00+00:00"
    assert data[2]["attendees"] == ["dana@acme.example"]
    waiting = json.loads(run_tc("calendar", "pending", "--unmatched", "--format", "json").output)
    assert [(m["title"], m["match"], m["customer"]) for m in waiting] == [
        ("Lunch", "unmatched", None),
        ("Partner call", "ambiguous", None),
    ]


def test_only_time_title_location_and_matching_addresses_are_kept(
    run_tc, conn, people, tmp_path, db_path
):
    run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    stored = dict(
        conn.execute("SELECT event_uid, attendees FROM calendar_events WHERE recurrence_id = ''")
    )
    assert stored == {
        "acme-review@test": "dana@acme.example",
        "initech-kickoff@test": "",
        "lunch@test": "",
        "partners@test": "pat@globex.example\nlee@umbrella.example",
    }
    dump = "\n".join(conn.iterdump())
    for secret in (
        "budget",
        "me@consultancy.example",
        "someone@elsewhere.example",
        "offsite",
        "Acme Corp sync",
    ):
        assert secret not in dump


def test_a_check_in_since_the_meeting_started_answers_the_prompt(run_tc, conn, people, tmp_path):
    from tempcheck.store.checkins import add_checkin

    run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    # Before the review started: still pending. After it started: answered.
    add_checkin(conn, people["Acme Corp"], 4, at=NOW.replace(month=10, day=27, hour=12))
    assert 3 in [m.id for m in store.met_not_logged(conn)]
    add_checkin(conn, people["Acme Corp"], 4, at=NOW.replace(month=10, day=27, hour=13, minute=5))
    assert 3 not in [m.id for m in store.met_not_logged(conn)]


def test_log_meeting_takes_the_meetings_end_channel_and_contact(run_tc, conn, people, tmp_path):
    run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    logged = run_tc("log", "--meeting", "3", "4", "budget", "approved")
    assert logged.exit_code == 0, logged.output
    assert logged.output == (
        "Logged Acme Corp: 4 content, at 2026-10-27 14:00,"
        " meeting 3 with Dana Ruiz, video [check-in 1]\n"
    )
    row = conn.execute(
        "SELECT k.at, k.channel, k.note, p.name FROM checkins k"
        " JOIN contacts p ON p.id = k.contact_id WHERE k.id = 1"
    ).fetchone()
    assert row == ("2026-10-27T14:00:00.000000Z", "video", "budget approved", "Dana Ruiz")
    assert [m.id for m in store.met_not_logged(conn)] == [1, 2, 4, 5]
    # --channel given wins over the meeting's.
    run_tc("log", "--meeting", "5", "3", "--channel", "call")
    assert conn.execute("SELECT channel FROM checkins WHERE id = 2").fetchone()[0] == "call"


def test_unmatched_meetings_wait_until_assigned(run_tc, conn, people, tmp_path):
    run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    refused = run_tc("log", "--meeting", "7", "4")
    assert refused.exit_code == 1
    assert refused.output == (
        "tempcheck: meeting 7 is not matched to one customer; assign it first:"
        " tempcheck calendar assign 7 CUSTOMER\n"
    )
    assigned = run_tc("calendar", "assign", "7", "umbrella")
    assert assigned.output == "Meeting 7 ('Partner call') is now with Umbrella.\n"
    assert [m.title for m in store.unmatched(conn)] == ["Lunch"]
    assert "Partner call" in [m.title for m in store.met_not_logged(conn)]
    # A later read keeps the hand-made assignment.
    run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    assert store.get_meeting(conn, 7).customer_name == "Umbrella"
    assert run_tc("calendar", "assign", "7", "nobody-like-this").exit_code == 2
    bad = run_tc("calendar", "assign", "x7", "umbrella")
    assert (bad.exit_code, bad.output) == (
        2,
        "tempcheck: 'x7' is not a meeting id (see: tempcheck calendar pending)\n",
    )


def test_dismissed_stays_dismissed_across_reads(run_tc, conn, people, tmp_path):
    run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    assert run_tc("calendar", "dismiss", "5").output == "Dismissed meeting 5 ('Initech kickoff').\n"
    run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    assert [m.id for m in store.met_not_logged(conn)] == [1, 2, 3, 4]


def test_the_setting_turns_the_calendar_off(run_tc, conn, people, tmp_path):
    from tempcheck.services.brief import brief

    run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    assert run_tc("config", "calendar.enabled", "off").output == "calendar.enabled = off\n"
    assert not [i for i in brief(conn) if i.reason == "met, not logged"]
    for args in (("calendar", "import", write_ics(tmp_path, 1)), ("calendar", "pending")):
        result = run_tc(*args)
        assert (result.exit_code, result.output) == (
            1,
            "tempcheck: the calendar features are off; turn them on with:"
            " tempcheck config calendar.enabled on\n",
        )
    assert run_tc("config", "calendar.enabled", "maybe").exit_code == 1
    run_tc("config", "calendar.enabled", "on")
    assert len([i for i in brief(conn) if i.reason == "met, not logged"]) == 5
    forgot = run_tc("calendar", "forget", "--yes")
    assert forgot.output == "Deleted 8 stored meetings.\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello", "is not an iCalendar file (no BEGIN:VCALENDAR)"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nonsense\r\n", "no complete VCALENDAR"),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:nonsense\r\n"
            b"END:VEVENT\r\nEND:VCALENDAR\r\n",
            "cannot expand the calendar's events: Cannot access 'dt' on broken property",
        ),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:y\r\nDTSTART:20261101T100000Z\r\n"
            b"RRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "cannot expand the calendar's events",
        ),
    ],
)
def test_a_bad_file_is_one_line(run_tc, people, tmp_path, content, message):
    path = tmp_path / "bad.ics"
    path.write_bytes(content)
    result = run_tc("calendar", "import", path)
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("since", ["0d", "400d", "soon", "-3d"])
def test_since_is_bounded(run_tc, tmp_path, since):
    result = run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", since)
    assert result.exit_code == 2
    assert result.output.startswith(f"tempcheck: --since {since!r}")


def test_meetings_match_by_contact_then_domain_then_title():
    from tempcheck.domain.meetings import Directory, match_meeting

    people = Directory(
        contact_emails={"dana@acme.example": [(1, 11)], "sam@acme.example": [(1, 12)]},
        domains={"globex.example": [2], "shared.example": [3, 4]},
        names={1: "Acme Corp", 2: "Globex", 3: "Initech", 4: "Init"},
    )
    with_dana = match_meeting(
        "Globex sync", ["mailto:sam@acme.example", "DANA@acme.example"], people
    )
    assert (with_dana.state, with_dana.customer_id, with_dana.contact_id, with_dana.rule) == (
        "matched",
        1,
        12,
        "contact",
    )
    by_domain = match_meeting("Acme Corp", ["mailto:x@globex.example"], people)
    assert (by_domain.state, by_domain.customer_id, by_domain.rule) == ("matched", 2, "domain")
    assert match_meeting("Hi", ["a@shared.example"], people).state == "ambiguous"
    assert match_meeting("Initech kickoff", [], people).customer_id == 3  # "Init" is no word
    assert match_meeting("Acme Corporation call", [], people).state == "unmatched"
    assert match_meeting("acme corp: review", [], people).customer_id == 1


def test_video_links_are_recognised():
    from tempcheck.domain.meetings import is_video_link

    assert is_video_link("https://acme.zoom.us/j/1")
    assert is_video_link(None, "Join: https://teams.microsoft.com/l/meetup-join/x")
    assert not is_video_link("Room 4", "https://zoom.us.evil.example/j/1")
    assert not is_video_link("zoom.us")  # a word, not a link


# --- a real CalDAV server -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def radicale(tmp_path):
    """Radicale on a free loopback port with user alice and an empty calendar "work"."""
    root = tmp_path / "radicale"
    (root / "collections" / "collection-root" / USER / "work").mkdir(parents=True)
    (root / "collections" / "collection-root" / USER / "work" / ".Radicale.props").write_text(
        json.dumps({"tag": "VCALENDAR", "D:displayname": "Work"})
    )
    (root / "users").write_text(f"{USER}:{PASSWORD}\n")
    port = free_port()
    config = root / "config"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        f"[auth]\ntype = htpasswd\nhtpasswd_filename = {root / 'users'}\n"
        "htpasswd_encryption = plain\n"
        f"[storage]\nfilesystem_folder = {root / 'collections'}\n"
        "[rights]\ntype = owner_only\n[logging]\nlevel = warning\n"
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/{USER}/work/"
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"Radicale did not start: {server.stderr.read().decode()[-500:]}")
            time.sleep(0.1)
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def dav(method: str, url: str, body: str | None = None) -> int:
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(
        url,
        data=body.encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Basic {token}", "Content-Type": "text/calendar"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def publish(url: str, version: int) -> None:
    """Put the calendar's objects on the server as a calendar app would (one per UID)."""
    wanted = objects(version)
    for uid, text in wanted.items():
        assert dav("PUT", f"{url}{uid.replace('@', '-')}.ics", text) in (201, 204)
    for uid in set(objects(1)) - set(wanted):
        try:
            dav("DELETE", f"{url}{uid.replace('@', '-')}.ics")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404


def test_caldav_sync_reads_the_same_calendar_and_follows_its_changes(
    run_tc, conn, people, radicale, monkeypatch
):
    publish(radicale, 1)
    monkeypatch.setenv("TEMPCHECK_CALDAV_PASSWORD", PASSWORD)
    first = run_tc("calendar", "sync", radicale, "--user", USER, "--since", SINCE)
    assert first.exit_code == 0, first.output
    assert first.output.endswith(
        "meetings 8 new, 0 updated, 0 unchanged, 1 all-day skipped;"
        " 6 matched to a customer, 2 waiting\n"
    )
    assert rows(conn) == FIRST_READ
    again = run_tc("calendar", "sync", radicale, "--user", USER, "--since", SINCE)
    assert "meetings 0 new, 0 updated, 8 unchanged" in again.output
    assert rows(conn) == FIRST_READ

    publish(radicale, 2)
    changed = run_tc("calendar", "sync", radicale, "--user", USER, "--since", SINCE)
    assert "meetings 0 new, 1 updated, 5 unchanged, 2 withdrawn" in changed.output
    assert rows(conn) == SECOND_READ
    settled = run_tc("calendar", "sync", radicale, "--user", USER, "--since", SINCE)
    assert "meetings 0 new, 0 updated, 6 unchanged, 1 all-day skipped;" in settled.output
    assert conn.execute("SELECT count(*) FROM calendar_events").fetchone()[0] == 8
    assert [m.title for m in store.met_not_logged(conn)] == [
        "Weekly sync",
        "Weekly sync (moved to Friday)",
        "Quarterly review",
    ]


def test_caldav_password_is_asked_for_when_not_in_the_environment(
    run_tc, conn, people, radicale, monkeypatch
):
    publish(radicale, 1)
    monkeypatch.delenv("TEMPCHECK_CALDAV_PASSWORD", raising=False)
    asked = run_tc(
        "calendar", "sync", radicale, "--user", USER, "--since", SINCE, stdin=PASSWORD + "\n"
    )
    assert asked.exit_code == 0, asked.output
    assert "meetings 8 new" in asked.output
    assert "--password" not in run_tc("calendar", "sync", "--help").output


def test_caldav_refusals_are_one_line_from_the_shell(radicale, db_path, tmp_path):
    publish(radicale, 1)
    env = {**os.environ, "TEMPCHECK_CALDAV_PASSWORD": "wrong"}
    wrong = subprocess.run(
        [
            sys.executable,
            "-m",
            "tempcheck",
            "--db",
            str(db_path),
            "calendar",
            "sync",
            radicale,
            "--user",
            USER,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert wrong.returncode == 1
    assert wrong.stderr == (
        f"tempcheck: {radicale}: the server refused the user name or password\n"
    )
    closed = f"http://127.0.0.1:{free_port()}/alice/work/"
    unreachable = subprocess.run(
        [sys.executable, "-m", "tempcheck", "--db", str(db_path), "calendar", "sync", closed],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert unreachable.returncode == 1
    assert unreachable.stderr.startswith(f"tempcheck: {closed}: cannot reach the server")
    assert unreachable.stderr.count("\n") == 1
    conn = open_db(db_path)
    assert conn.execute("SELECT count(*) FROM calendar_events").fetchone()[0] == 0
    conn.close()


def test_edit_domain_normalises_and_refuses_a_clash(run_tc, conn, people):
    result = run_tc("edit", "initech", "--domain", "https://www.Initech.example/")
    assert result.exit_code == 0, result.output
    assert result.output.endswith(", email domain initech.example.\n")
    assert conn.execute("SELECT domain FROM customers WHERE name = 'Initech'").fetchone()[0] == (
        "initech.example"
    )
    clash = run_tc("edit", "acme", "--domain", "@globex.example")
    assert (clash.exit_code, clash.output) == (
        1,
        "tempcheck: Globex already has the domain globex.example: meetings at it would match"
        " both\n",
    )
    assert run_tc("edit", "acme", "--domain", "not a domain").output == (
        "tempcheck: 'not a domain' is not a domain such as acme.com\n"
    )
    assert run_tc("edit", "initech", "--domain", "").output.endswith(", email domain —.\n")


def test_a_file_of_several_calendars_one_after_another(run_tc, conn, people, tmp_path):
    path = tmp_path / "concatenated.ics"
    path.write_text("".join(objects(1).values()), encoding="utf-8", newline="")
    result = run_tc("calendar", "import", path, "--since", SINCE)
    assert result.exit_code == 0, result.output
    assert rows(conn) == FIRST_READ


def test_prompts_reach_back_calendar_prompt_days(run_tc, conn, people, tmp_path):
    run_tc("calendar", "import", write_ics(tmp_path, 1), "--since", SINCE)
    assert run_tc("config", "calendar.prompt_days", "7").exit_code == 0
    # 4 Nov midday minus 7 days: the meetings that ended from 28 Oct 12:00 on.
    assert [m.title for m in store.met_not_logged(conn)] == ["Weekly sync", "Initech kickoff"]
    assert run_tc("config", "calendar.prompt_days", "0").exit_code == 1
    assert run_tc("config", "calendar.prompt_days", "367").exit_code == 1
