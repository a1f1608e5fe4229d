"""Hostile text through the shell commands: markup, terminal escapes, bidi and zero-width
characters, emoji and huge notes are stored byte for byte and never reach the terminal raw.

CliRunner is run with ``color=True`` so click does not strip ANSI sequences the way it does
for a pipe: the output is what a terminal would receive.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

ESC, BEL, CSI = "\x1b", "\x07", "\x9b"

HOSTILE = {
    "markup-bold": "[bold]Bold Corp",
    "markup-close": "Close [/] Co",
    "markup-red": "[red]x[/red] Reds",
    "markup-click": "[@click=app.quit]hi[/]",
    "clear-screen": "Clear\x1b[2J Screen Ltd",
    "set-title": "Title\x1b]0;title\x07 Inc",
    "rtl": "Right\u202eto left",
    "zero-width": "Zero\u200bWidth",
    "emoji": "Emoji 🎉👍🏽 Café",
    "c1-csi": "Csi\x9b31m Corp",
}
LONG_NOTE = ("Ten thousand characters, " * 400)[:10_000]


def raw_bytes(text: str) -> bytes:
    return text.encode("utf-8")


def stored(path: Path, sql: str) -> list:
    connection = sqlite3.connect(path)
    connection.text_factory = bytes  # compare bytes, not decoded text
    try:
        return [r[0] for r in connection.execute(sql)]
    finally:
        connection.close()


def assert_terminal_safe(output: str, *, c1: bool = True) -> None:
    assert ESC not in output, repr(output)
    assert BEL not in output, repr(output)
    if c1:  # tempcheck.domain.text.printable treats C1 controls (U+0080-U+009F) as unsafe too
        assert CSI not in output, repr(output)


@pytest.fixture
def hostile_db(run_tc, db_path: Path) -> Path:
    for text in HOSTILE.values():
        result = run_tc("add-customer", text, "--contact", text, "--notes", text, color=True)
        assert result.exit_code == 0, result.output
        assert_terminal_safe(result.output)
    return db_path


@pytest.mark.parametrize("label", list(HOSTILE))
def test_names_contacts_and_notes_are_stored_byte_for_byte(hostile_db: Path, label: str) -> None:
    text = HOSTILE[label]
    rows = stored(hostile_db, "SELECT name || '|' || contact || '|' || notes FROM customers")
    assert raw_bytes(f"{text}|{text}|{text}") in rows


@pytest.mark.parametrize("label", list(HOSTILE))
def test_log_stores_the_note_byte_for_byte_and_prints_safely(
    run_tc, hostile_db: Path, label: str
) -> None:
    text = HOSTILE[label]
    result = run_tc("log", text, "4", text, "--short", text, color=True)
    assert result.exit_code == 0, result.output
    assert_terminal_safe(result.output)
    assert result.stdout.startswith("Logged ") and result.stdout.count("\n") == 1
    notes = stored(hostile_db, "SELECT note || '|' || fell_short FROM checkins")
    assert notes == [raw_bytes(f"{text}|{text}")]


def test_a_10000_character_note_from_stdin_and_from_arguments(run_tc, db_path: Path) -> None:
    assert run_tc("add-customer", "Acme").exit_code == 0
    assert run_tc("log", "acme", "4", "-", stdin=LONG_NOTE).exit_code == 0
    assert run_tc("log", "acme", "4", LONG_NOTE).exit_code == 0
    notes = stored(db_path, "SELECT note FROM checkins ORDER BY id")
    assert notes == [raw_bytes(LONG_NOTE)] * 2
    listed = run_tc("list")
    assert listed.exit_code == 0
    assert max(len(line) for line in listed.stdout.splitlines()) < 200  # layout intact


def test_list_table_shows_hostile_names_safely(run_tc, hostile_db: Path) -> None:
    result = run_tc("list", color=True)
    assert result.exit_code == 0
    assert_terminal_safe(result.stdout)
    for label in ("markup-bold", "markup-close", "markup-red", "markup-click", "emoji"):
        assert HOSTILE[label] in result.stdout, label  # markup shown literally, not rendered
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + len(HOSTILE)  # nothing split a row in two


def test_list_json_keeps_the_exact_text_escaped(run_tc, hostile_db: Path) -> None:
    result = run_tc("list", "--format", "json", color=True)
    assert result.exit_code == 0
    assert_terminal_safe(result.stdout, c1=False)
    records = json.loads(result.stdout)
    assert sorted(r["name"] for r in records) == sorted(HOSTILE.values())
    assert sorted(r["contact"] for r in records) == sorted(HOSTILE.values())


def test_list_json_escapes_c1_controls_too(run_tc, hostile_db: Path) -> None:
    result = run_tc("list", "--format", "json", color=True)
    assert_terminal_safe(result.stdout)
    assert HOSTILE["c1-csi"] in [r["name"] for r in json.loads(result.stdout)]


def test_list_csv_shows_hostile_names_safely(run_tc, hostile_db: Path) -> None:
    result = run_tc("list", "--format", "csv", color=True)
    assert result.exit_code == 0
    assert_terminal_safe(result.stdout)


def test_list_csv_parses_with_one_row_per_customer(run_tc, hostile_db: Path) -> None:
    result = run_tc("list", "--format", "csv", color=True)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(HOSTILE)
    safe_labels = ("markup-bold", "markup-close", "markup-red", "markup-click", "emoji")
    names = {row["name"] for row in rows}
    for label in safe_labels:
        assert HOSTILE[label] in names, label
    # A bidi override would reorder the terminal line: it is shown as U+FFFD.
    assert "Right\ufffdto left" in names


@pytest.mark.parametrize(
    "query", ["set", "Title Inc", "Set One X"], ids=["ambiguous", "closest", "closest-two"]
)
def test_error_messages_listing_names_are_terminal_safe(run_tc, db_path, query) -> None:
    for text in ("Set\x1b]0;pwned\x07 One", "Set\x1b]0;pwned\x07 Two", HOSTILE["set-title"]):
        assert run_tc("add-customer", text).exit_code == 0
    result = run_tc("log", query, "4", color=True)
    assert result.exit_code == 2
    assert_terminal_safe(result.stderr)


def test_a_hostile_query_is_echoed_safely(run_tc, db_path: Path) -> None:
    assert run_tc("add-customer", "Acme").exit_code == 0
    result = run_tc("log", "\x1b[2J\x07nobody", "4", color=True)
    assert result.exit_code == 2
    assert_terminal_safe(result.stderr)


def test_duplicate_name_message_is_terminal_safe(run_tc, hostile_db: Path) -> None:
    result = run_tc("add-customer", HOSTILE["clear-screen"].upper(), color=True)
    assert result.exit_code == 1
    assert_terminal_safe(result.stderr)


def test_edit_and_status_commands_print_hostile_names_safely(run_tc, hostile_db: Path) -> None:
    text = HOSTILE["set-title"]
    for args in (
        ["edit", text, "--contact", HOSTILE["clear-screen"]],
        ["pause", text],
        ["reactivate", text],
        ["end", text, "--note", HOSTILE["clear-screen"]],
    ):
        result = run_tc(*args, color=True)
        assert result.exit_code == 0, (args, result.output)
        assert_terminal_safe(result.output)
    notes = stored(hostile_db, "SELECT note FROM customer_events ORDER BY id")
    assert notes[-1] == raw_bytes(HOSTILE["clear-screen"])


def test_markup_in_a_name_matches_literally(run_tc, hostile_db: Path) -> None:
    result = run_tc("log", "[red]x[/red] reds", "3")
    assert result.exit_code == 0 and result.stdout.startswith("Logged [red]x[/red] Reds: ")
