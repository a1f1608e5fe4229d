"""The exact bytes of a CSV export and of the shell's JSON for hostile stored text.

Formula starts, quotes, commas, line breaks, a lone CR, NUL, ESC, DEL, C1, a bidi
override, markup-like names and non-ASCII text, written out by hand: the fast paths
(SQLite's printf per line, the C JSON encoder) must give these bytes and no others.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tempcheck.cli.output import json_text
from tempcheck.store import open_db
from tempcheck.store.checkins import add_checkin
from tempcheck.store.contacts import add_contact
from tempcheck.store.customers import add_customer
from tempcheck.store.issues import open_issue

HEADER = (
    b"customer,at,temperature,temperature_word,channel,initiated_by,note,fell_short,"
    b"follow_up,person,issue_uid,uid"
)
# One line per check-in, oldest first; the local zone is UTC.
LINES = [
    b"'=SUM(A1),2026-01-02T03:04:05+00:00,4,content,call,us,'=1+1,,,,'+i1,u-1",
    b'[/] Corp,2026-01-02T03:04:06+00:00,2,uneasy,email,them,"say ""hi"", then\nleave",'
    b'\'\'-already,,"Bob, ""the boss""",,u-2',
    "[/] Corp,2026-01-02T03:04:07+00:00,3,neutral,hallway,us,"
    "esc\x1b[2J del\x7f c1\x9b bidi\u202e,\"'\tTab\rCR\",,,,'-u3".encode(),
    b'Null\x00Name,2026-01-02T03:04:08+00:00,5,delighted,video,us,"nul\x00, inside",'
    b'"lone\rCR",,,,u-4',
    "'=SUM(A1),2026-01-02T03:04:09+00:00,1,frustrated,meeting,them,ü 日本 🎉,'@x,,,,'=u5".encode(),
]


def at(second: int) -> datetime:
    return datetime(2026, 1, 2, 3, 4, second, tzinfo=UTC)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("golden") / "golden.db"
    conn = open_db(path)
    a = add_customer(conn, "A").id
    b = add_customer(conn, "B").id
    c = add_customer(conn, "C").id
    bob = add_contact(conn, b, "Bob").id
    issue = open_issue(conn, a, "broken").id
    rows = [
        (a, 5, 4, "call", "us", "=1+1", "", "u-1", None, issue),
        (b, 6, 2, "email", "them", 'say "hi", then\nleave', "'-already", "u-2", bob, None),
        (b, 7, 3, "hallway", "us", "esc\x1b[2J del\x7f c1\x9b bidi\u202e", "\tTab\rCR", "-u3")
        + (None, None),
        (c, 8, 5, "video", "us", "nul\x00, inside", "lone\rCR", "u-4", None, None),
        (a, 9, 1, "meeting", "them", "ü 日本 🎉", "@x", "=u5", None, None),
    ]
    for customer, second, temp, channel, who, note, short, uid, person, linked in rows:
        done = add_checkin(
            conn,
            customer,
            temp,
            note="placeholder",
            channel=channel,
            initiated_by=who,
            at=at(second),
            contact_id=person,
            issue_id=linked,
        )
        # Stored text as an import or another program could leave it.
        conn.execute(
            "UPDATE checkins SET note = ?, fell_short = ?, uid = ? WHERE id = ?",
            (note, short, uid, done.id),
        )
    for customer, name in ((a, "=SUM(A1)"), (b, "[/] Corp"), (c, "Null\x00Name")):
        conn.execute("UPDATE customers SET name = ? WHERE id = ?", (name, customer))
    conn.execute("UPDATE contacts SET name = ? WHERE id = ?", ('Bob, "the boss"', bob))
    conn.execute("UPDATE issues SET uid = '+i1' WHERE id = ?", (issue,))
    conn.close()
    return path


def export(db: Path, *args: str) -> bytes:
    env = {**os.environ, "TZ": "UTC"}
    done = subprocess.run(
        [sys.executable, "-m", "tempcheck", "--db", str(db), "export", "checkins", *args],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_the_checkins_export_is_these_bytes(hostile: Path) -> None:
    assert export(hostile) == b"\n".join([HEADER, *LINES, b""])


def test_the_export_to_a_file_is_the_same_bytes(hostile: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    export(hostile, "-o", str(target))
    assert target.read_bytes() == b"\n".join([HEADER, *LINES, b""])


def test_the_spreadsheet_form_is_these_bytes(hostile: Path) -> None:
    lines = export(hostile, "--excel").split(b"\r\n")
    assert lines[0] == b"\xef\xbb\xbf" + HEADER.replace(b",at,", b",at,at_offset,")
    assert lines[1] == (
        b"'=SUM(A1),2026-01-02 03:04:05,UTC+00:00,4,content,call,us,'=1+1,,,,'+i1,u-1"
    )
    assert lines[4] == (
        b'Null\x00Name,2026-01-02 03:04:08,UTC+00:00,5,delighted,video,us,"nul\x00, inside",'
        b'"lone\rCR",,,,u-4'
    )
    assert len(lines) == 7 and lines[-1] == b""


def test_a_nul_anywhere_in_a_row_keeps_every_byte_of_it(hostile: Path, tmp_path: Path) -> None:
    """printf would end the line at the NUL; such rows are joined another way."""
    copy = tmp_path / "copy.db"
    with sqlite3.connect(hostile) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        target.execute("UPDATE checkins SET uid = ? WHERE uid = '=u5'", ("u\x00-5",))
    *_, last, end = export(copy).split(b"\n")
    assert (end, last) == (b"", LINES[-1].replace(b"'=u5", b"u\x00-5"))


# --- JSON --------------------------------------------------------------------------------------

RECORDS = [
    {
        "name": "=1+1 \x1b[2J Evil\x7f\x9b\u202e Corp",
        "contact": 'say "hi",\nback\\slash\ttab\r\x00',
        "cadence_days": 14,
        "days_since_contact": 2.5,
        "staleness": "overdue",
        "call_first": True,
        "recalibrate": False,
        "next_due": None,
    },
    {
        "name": "[/] Corp ü 日本 🎉 ↑",
        "contact": "",
        "cadence_days": -3,
        "days_since_contact": 1e-07,
        "staleness": "fresh",
        "call_first": False,
        "recalibrate": True,
        "next_due": "2026-12-01",
    },
]
RECORDS_JSON = """[
  {
    "name": "=1+1 \\u001b[2J Evil\\u007f\\u009b\\u202e Corp",
    "contact": "say \\"hi\\",\\nback\\\\slash\\ttab\\r\\u0000",
    "cadence_days": 14,
    "days_since_contact": 2.5,
    "staleness": "overdue",
    "call_first": true,
    "recalibrate": false,
    "next_due": null
  },
  {
    "name": "[/] Corp ü 日本 🎉 ↑",
    "contact": "",
    "cadence_days": -3,
    "days_since_contact": 1e-07,
    "staleness": "fresh",
    "call_first": false,
    "recalibrate": true,
    "next_due": "2026-12-01"
  }
]"""


def test_json_of_records_is_these_characters() -> None:
    assert json_text(RECORDS) == RECORDS_JSON


def test_json_of_clean_records_is_these_characters() -> None:
    clean = [{"a": "x, y", "b": 1}, {"a": "↑", "b": None}]
    assert (
        json_text(clean)
        == '[\n  {\n    "a": "x, y",\n    "b": 1\n  },\n  {\n    "a": "↑",\n    "b": null\n  }\n]'
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([], "[]"),
        ([{}], "[\n  {}\n]"),
        ([{"a": [1, "\u202e"]}], '[\n  {\n    "a": [\n      1,\n      "\\u202e"\n    ]\n  }\n]'),
        ({"k": "}, {"}, '{\n  "k": "}, {"\n}'),
        ("\x9b", '"\\u009b"'),
        ([{"a": 1}, {"b": "\u2066"}], '[\n  {\n    "a": 1\n  },\n  {\n    "b": "\\u2066"\n  }\n]'),
    ],
)
def test_json_of_other_shapes_is_these_characters(value: object, expected: str) -> None:
    assert json_text(value) == expected
