"""Every command that prints stored text, run as a real process, checked byte by byte.

The fixture stores terminal controls in every kind of text a command prints:
ESC sequences, BEL, DEL, carriage return, the one-byte CSI U+009B and the bidi
override U+202E. None of them may reach standard output raw, in any format;
JSON keeps them as escapes so it still decodes to the stored text.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tempcheck.domain.matching import key

HOSTILE = "Evil\x1b[2J\x07Corp\x7f\r\x9b31m\u202eroc\u202c\u2066x\u2069\u200e"
# The raw forms that must never appear in what a command prints (UTF-8 bytes).
FORBIDDEN = {
    "ESC": b"\x1b",
    "BEL": b"\x07",
    "DEL": b"\x7f",
    "CR": b"\r",
    "CSI U+009B": "\x9b".encode(),
    "RLO U+202E": "\u202e".encode(),
    "PDF U+202C": "\u202c".encode(),
    "LRI U+2066": "\u2066".encode(),
    "PDI U+2069": "\u2069".encode(),
    "LRM U+200E": "\u200e".encode(),
}


def tc(db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "TEMPCHECK_DB": str(db), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "tempcheck", "--db", str(db), *args],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "hostile.db"
    for args in [
        ("add-customer", "Target"),
        ("log", "Target", "2", "first", "--follow-up", "today"),
        ("issue", "open", "Target", "an issue", "--due", "today"),
        ("promise", "add", "Target", "a promise", "--due", "today"),
        ("concern", "add", "Target", "a concern"),
    ]:
        done = tc(db, *args)
        assert done.returncode == 0, done.stderr.decode()
    with sqlite3.connect(db) as conn:  # stored text as an import or another tool could leave it
        conn.execute(
            "UPDATE customers SET name = ?, name_key = ?, contact = ?, notes = ?",
            (HOSTILE, key(HOSTILE), HOSTILE, HOSTILE),
        )
        conn.execute("UPDATE checkins SET note = ?, fell_short = ?", (HOSTILE, HOSTILE))
        conn.execute("UPDATE issues SET title = ?", (HOSTILE,))
        conn.execute("UPDATE promises SET text = ?", (HOSTILE,))
        conn.execute("UPDATE followups SET note = ?", (HOSTILE,))
        conn.execute("UPDATE concerns SET text = ?", (HOSTILE,))
    return db


PRINTING = [
    ("list",),
    ("list", "--format", "csv"),
    ("list", "--format", "json"),
    ("show", "Evil"),
    ("today",),
    ("today", "--format", "json"),
    ("issue", "list"),
    ("issue", "list", "--format", "csv"),
    ("issue", "list", "--format", "json"),
    ("promise", "list"),
    ("promise", "list", "--format", "csv"),
    ("promise", "list", "--format", "json"),
    ("followups",),
    ("followups", "--format", "csv"),
    ("followups", "--format", "json"),
    ("concern", "list", "Evil"),
]


@pytest.mark.parametrize("args", PRINTING, ids=" ".join)
def test_no_stored_control_reaches_the_terminal_raw(hostile_db: Path, args: tuple) -> None:
    done = tc(hostile_db, *args)
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout + done.stderr
    assert b"Corp" in out  # the stored text is printed, only its controls are not
    found = [name for name, raw in FORBIDDEN.items() if raw in out]
    assert found == []


@pytest.mark.parametrize("args", [a for a in PRINTING if "json" in a], ids=" ".join)
def test_json_still_decodes_to_the_stored_text(hostile_db: Path, args: tuple) -> None:
    done = tc(hostile_db, *args)
    assert HOSTILE in strings(json.loads(done.stdout))


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def test_a_name_the_user_typed_is_neutralised_in_messages(hostile_db: Path) -> None:
    done = tc(hostile_db, "show", "No\x1b[2Jbody\u202e")
    assert done.returncode == 2
    assert b"\x1b" not in done.stderr
    assert "\u202e".encode() not in done.stderr
    assert b"No\xef\xbf\xbd[2Jbody" in done.stderr  # shown as typed, ESC as U+FFFD
