"""``tempcheck log CUSTOMER TEMP [NOTE...]``: matching, temperatures, notes, every date form,
``--at`` in UTC, and every error leaving the database exactly as it was."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from helpers import TEMPCHECK
from helpers import TEN_AM as NOW

from tempcheck.store import connection as connection_module
from tempcheck.store import open_db

CUSTOMERS = ["Acme Corp", "Globex Logistics", "Initech", "Initrode", "Umbrella Health"]


@pytest.fixture
def book(db_path: Path, local_tz) -> Path:
    local_tz("UTC")
    connection = open_db(db_path)
    from tempcheck.store.customers import add_customer

    for name in CUSTOMERS:
        add_customer(connection, name)
    connection.close()
    return db_path


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def checkins(path: Path) -> list[dict]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return [
            dict(row)
            for row in connection.execute(
                "SELECT c.name, k.at, k.temperature, k.channel, k.initiated_by, k.note,"
                " k.fell_short, k.follow_up FROM checkins k JOIN customers c"
                " ON c.id = k.customer_id ORDER BY k.id"
            )
        ]
    finally:
        connection.close()


def followups(path: Path) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            "SELECT c.name, f.due, f.checkin_id FROM followups f JOIN customers c"
            " ON c.id = f.customer_id ORDER BY f.id"
        ).fetchall()
    finally:
        connection.close()


def assert_one_clean_line(result, exit_code: int) -> str:
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("tempcheck: ") and result.stderr.count("\n") == 1
    assert result.stdout == ""
    return result.stderr


# --- matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Initech", "Initech"),  # exact, though also a prefix of nothing else
        ("initech", "Initech"),
        ("ACME CORP", "Acme Corp"),
        ("acme", "Acme Corp"),  # unique prefix
        ("glob", "Globex Logistics"),
        ("health", "Umbrella Health"),  # a unique whole word
        ("brella", "Umbrella Health"),  # a unique substring
    ],
)
def test_customer_matching(run_tc, book: Path, typed: str, meant: str) -> None:
    result = run_tc("log", typed, "4")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Logged {meant}: 4 content")
    assert [c["name"] for c in checkins(book)] == [meant]


def test_ambiguous_customer_exits_2_listing_candidates(run_tc, book: Path, row_counts) -> None:
    before = row_counts(book)
    message = assert_one_clean_line(run_tc("log", "init", "4", "hello"), 2)
    assert "Initech" in message and "Initrode" in message
    assert row_counts(book) == before


def test_unknown_customer_exits_2_naming_the_closest_and_suggesting_create(
    run_tc, book: Path, row_counts
) -> None:
    before = row_counts(book)
    message = assert_one_clean_line(run_tc("log", "Initial Holdings", "4"), 2)
    assert "no customer matches 'Initial Holdings'" in message
    assert "Did you mean Initrode or Initech?" in message
    assert message.endswith(f"run: tempcheck --db {book} log Initrode 4\n")
    assert "--create" in message
    assert row_counts(book) == before
    nothing_close = assert_one_clean_line(run_tc("log", "Zzyzx", "4"), 2)
    assert "--create" in nothing_close


def test_create_adds_the_customer_and_the_checkin(run_tc, book: Path) -> None:
    result = run_tc("log", "Wayne Foundation", "5", "great", "start", "--create")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Logged Wayne Foundation: 5 delighted")
    assert checkins(book)[-1]["name"] == "Wayne Foundation"
    assert checkins(book)[-1]["note"] == "great start"
    again = run_tc("log", "Wayne Foundation", "4", "--create")  # existing: no duplicate
    assert again.exit_code == 0
    twin = run_tc("log", "wayne foundation", "4", "--create")  # a case twin: refused
    assert twin.exit_code == 2 and "only by case or spacing" in twin.stderr
    connection = sqlite3.connect(book)
    assert connection.execute("SELECT count(*) FROM customers").fetchone()[0] == 6
    connection.close()


def test_create_writes_nothing_when_the_checkin_fails(run_tc, book: Path, row_counts) -> None:
    before = row_counts(book)
    result = run_tc("log", "Brand New Co", "4", "--create", "--issue", "999")
    assert_one_clean_line(result, 1)
    assert row_counts(book) == before


# --- temperature and note --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("temp", "value", "word"),
    [
        ("1", 1, "frustrated"),
        ("2", 2, "uneasy"),
        ("3", 3, "neutral"),
        ("4", 4, "content"),
        ("5", 5, "delighted"),
        ("content", 4, "content"),
        ("Delighted", 5, "delighted"),
        ("UNEASY", 2, "uneasy"),
    ],
)
def test_temperature_as_digit_and_word(run_tc, book, temp: str, value: int, word: str) -> None:
    result = run_tc("log", "acme", temp)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Logged Acme Corp: {value} {word}")
    assert checkins(book)[0]["temperature"] == value


@pytest.mark.parametrize("temp", ["0", "6", "x", "", "10", "4.5", "hot"])
def test_bad_temperatures_write_nothing(run_tc, book: Path, row_counts, temp: str) -> None:
    before = row_counts(book)
    message = assert_one_clean_line(run_tc("log", "acme", temp, "note"), 1)
    assert "temperature must be 1-5" in message
    assert row_counts(book) == before


def test_note_as_several_words(run_tc, book: Path) -> None:
    result = run_tc("log", "acme", "4", "replacement", "order", "was", "fine")
    assert result.exit_code == 0
    assert checkins(book)[0]["note"] == "replacement order was fine"


def test_note_keeps_its_own_spacing_when_quoted(run_tc, book: Path) -> None:
    assert run_tc("log", "acme", "4", "two  spaces\tand tab").exit_code == 0
    assert checkins(book)[0]["note"] == "two  spaces\tand tab"


def test_note_dash_reads_standard_input(run_tc, book: Path) -> None:
    text = "Called about the renewal.\nThey want a second site.\n"
    result = run_tc("log", "acme", "4", "-", stdin=text)
    assert result.exit_code == 0, result.output
    assert checkins(book)[0]["note"] == "Called about the renewal.\nThey want a second site."


def test_no_note_is_an_empty_note(run_tc, book: Path) -> None:
    assert run_tc("log", "acme", "3").exit_code == 0
    assert checkins(book)[0]["note"] == ""


# --- follow-up dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "due"),
    [
        ("today", "2026-11-24"),
        ("tomorrow", "2026-11-25"),
        ("fri", "2026-11-27"),
        ("friday", "2026-11-27"),
        ("tue", "2026-12-01"),  # never today itself
        ("next week", "2026-11-30"),  # next Monday
        ("+3d", "2026-11-27"),
        ("2w", "2026-12-08"),
        ("1m", "2026-12-24"),
        ("in 3 days", "2026-11-27"),
        ("2026-12-01", "2026-12-01"),
        ("1 dec", "2026-12-01"),
        ("dec 1", "2026-12-01"),
        ("1 Jan", "2027-01-01"),
    ],
)
def test_follow_up_in_every_date_form(run_tc, book: Path, pinned, typed: str, due: str) -> None:
    result = run_tc("log", "acme", "4", "note", "--follow-up", typed)
    assert result.exit_code == 0, result.output
    assert "follow up " in result.stdout and f"({due})" in result.stdout
    [row] = checkins(book)
    assert row["follow_up"] == due
    connection = sqlite3.connect(book)
    checkin_id = connection.execute("SELECT id FROM checkins").fetchone()[0]
    connection.close()
    assert followups(book) == [("Acme Corp", due, checkin_id)]


@pytest.mark.parametrize("typed", ["yesterday", "2026-11-01", "last fri", "-3d", "3 days ago"])
def test_a_past_follow_up_is_refused(run_tc, book: Path, row_counts, pinned, typed: str) -> None:
    before = row_counts(book)
    message = assert_one_clean_line(run_tc("log", "acme", "4", f"--follow-up={typed}"), 1)
    assert "in the past" in message
    if typed == "2026-11-01":
        assert message == "tempcheck: --follow-up '2026-11-01' is in the past (2026-11-01)\n"
    assert row_counts(book) == before


@pytest.mark.parametrize("typed", ["someday", "2026-02-30", "32 dec", "thu 4 dec", "x" * 300])
def test_an_unreadable_follow_up_is_refused(run_tc, book, row_counts, pinned, typed) -> None:
    before = row_counts(book)
    message = assert_one_clean_line(run_tc("log", "acme", "4", "--follow-up", typed), 1)
    assert "cannot read" in message and len(message) < 200
    assert row_counts(book) == before


# --- when, who, channel, what fell short ----------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "now", "typed", "stored"),
    [
        ("Europe/Berlin", NOW, "yesterday 14:30", "2026-11-23T13:30:00.000000Z"),  # CET +1
        (
            "Europe/Berlin",
            dt.datetime(2026, 7, 15, 10, 0, tzinfo=dt.UTC),
            "yesterday 14:30",
            "2026-07-14T12:30:00.000000Z",  # CEST +2
        ),
        ("America/New_York", NOW, "yesterday 14:30", "2026-11-23T19:30:00.000000Z"),
        ("UTC", NOW, "2026-11-20T09:15", "2026-11-20T09:15:00.000000Z"),
        ("Asia/Tokyo", NOW, "2026-11-20T09:15Z", "2026-11-20T09:15:00.000000Z"),
        ("Asia/Tokyo", NOW, "mon 9:15", "2026-11-23T00:15:00.000000Z"),
    ],
)
def test_at_is_stored_in_utc(run_tc, book, local_tz, zone, now, typed, stored) -> None:
    local_tz(zone)
    # time-machine sets TZ to the destination's zone while travelling, so give it ours.
    with time_machine.travel(now.astimezone(ZoneInfo(zone)), tick=False):
        assert (
            dt.datetime.now().astimezone().utcoffset() == now.astimezone(ZoneInfo(zone)).utcoffset()
        )
        result = run_tc("log", "acme", "3", "--at", typed)
    assert result.exit_code == 0, result.output
    assert checkins(book)[0]["at"] == stored
    local = dt.datetime.fromisoformat(stored).astimezone()
    assert f"at {local:%Y-%m-%d %H:%M}" in result.stdout


def test_at_in_the_future_is_refused(run_tc, book: Path, row_counts, pinned) -> None:
    before = row_counts(book)
    assert "in the future" in assert_one_clean_line(
        run_tc("log", "acme", "3", "--at", "tomorrow 9:00"), 1
    )
    assert "cannot read" in assert_one_clean_line(run_tc("log", "acme", "3", "--at", "whenever"), 1)
    assert row_counts(book) == before


def test_by_channel_and_short_are_stored(run_tc, book: Path, pinned) -> None:
    result = run_tc(
        "log",
        "acme",
        "2",
        "late",
        "again",
        "--by",
        "them",
        "--channel",
        "call",
        "--short",
        "Report came three days late",
    )
    assert result.exit_code == 0, result.output
    [row] = checkins(book)
    assert row["initiated_by"] == "them" and row["channel"] == "call"
    assert row["fell_short"] == "Report came three days late"
    assert row["note"] == "late again"
    assert row["at"] == "2026-11-24T10:00:00.000000Z"


def test_defaults_are_hallway_and_us(run_tc, book: Path) -> None:
    assert run_tc("log", "acme", "4").exit_code == 0
    [row] = checkins(book)
    assert (row["channel"], row["initiated_by"], row["fell_short"], row["follow_up"]) == (
        "hallway",
        "us",
        "",
        None,
    )


@pytest.mark.parametrize(
    "args", [["--channel", "pigeon"], ["--by", "nobody"], ["--issue", "abc"], ["--bogus"]]
)
def test_bad_options_write_nothing(run_tc, book: Path, row_counts, args) -> None:
    before = row_counts(book)
    result = run_tc("log", "acme", "4", *args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert row_counts(book) == before


def test_the_one_line_success_output(run_tc, book: Path, pinned) -> None:
    result = run_tc("log", "acme", "content", "fine", "--follow-up", "fri")
    assert result.exit_code == 0
    assert re.fullmatch(
        r"Logged Acme Corp: 4 content, follow up Fri 27 Nov \(2026-11-27\) \[check-in \d+\]\n",
        result.stdout,
    ), result.stdout
    assert result.stderr == ""
    plain = run_tc("log", "glob", "1")
    assert re.fullmatch(r"Logged Globex Logistics: 1 frustrated \[check-in \d+\]\n", plain.stdout)


def test_the_dashboard_sees_the_new_checkin(run_tc, book: Path, pinned) -> None:
    assert run_tc("log", "umbrella", "1", "outage").exit_code == 0
    connection = open_db(book)
    try:
        from tempcheck.store.dashboard import dashboard_rows

        rows = dashboard_rows(connection, now=NOW)
    finally:
        connection.close()
    umbrella = next(r for r in rows if r.name == "Umbrella Health")
    assert umbrella.last_temperature == 1 and umbrella.staleness.value == "fresh"
    assert umbrella.days_since == pytest.approx(0, abs=1e-6)


# --- a database that cannot be written -------------------------------------------------------


def test_a_read_only_database_gives_one_line_and_writes_nothing(
    book: Path, plain_user, row_counts
) -> None:
    book.chmod(0o400)
    before = row_counts(book)
    for args in (["acme", "4", "note"], ["Brand New", "4", "--create"]):
        result = subprocess.run(
            [str(TEMPCHECK), "--db", str(book), "log", *args],
            capture_output=True,
            text=True,
            preexec_fn=plain_user,
            env=os.environ.copy(),
            timeout=60,
        )
        assert result.returncode == 1, result
        assert result.stderr == "tempcheck: the database is read-only; nothing was written\n"
        assert result.stdout == ""
    assert row_counts(book) == before


@pytest.fixture
def held_lock(book: Path, monkeypatch: pytest.MonkeyPatch):
    """Another program holding the write lock; our busy timeout cut to half a second."""
    monkeypatch.setattr(connection_module, "BUSY_TIMEOUT_S", 0.5)
    other = sqlite3.connect(book, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


@pytest.mark.parametrize(
    "args",
    [["acme", "4", "note"], ["Brand New", "4", "--create"], ["acme", "2", "--follow-up", "fri"]],
)
def test_a_locked_database_gives_one_line_and_writes_nothing(
    run_tc, book: Path, held_lock, row_counts, args
) -> None:
    before = row_counts(book)  # readers are not blocked in WAL mode
    started = time.monotonic()
    result = run_tc("log", *args)
    waited = time.monotonic() - started
    message = assert_one_clean_line(result, 1)
    assert "locked by another program" in message and "nothing was written" in message
    assert 0.4 <= waited < 5
    held_lock.execute("ROLLBACK")
    assert row_counts(book) == before
    assert checkins(book) == [] and followups(book) == []


def test_a_lock_released_within_the_timeout_is_waited_for(
    run_tc, book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    monkeypatch.setattr(connection_module, "BUSY_TIMEOUT_S", 5)
    other = sqlite3.connect(book, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    timer = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    timer.start()
    try:
        result = run_tc("log", "acme", "4")
    finally:
        timer.join()
        other.close()
    assert result.exit_code == 0, result.output
    assert len(checkins(book)) == 1
