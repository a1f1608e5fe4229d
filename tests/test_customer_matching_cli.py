"""One matching rule for every shell command that names a customer: exact (normalised),
unique prefix, unique whole word or substring act; a near miss is refused with exit 2,
"did you mean …?" and the command to run, and the database file is left byte for byte
as it was."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tempcheck.store import open_db
from tempcheck.store.customers import add_customer, by_key, set_status

NAMES = ["Globex Logistics", "Pied Piper", "Zorg Industries", "Oscorp Labs", "Acme Corp"]

# Every command that names a customer; {c} is where the customer goes.
COMMANDS = [
    ["log", "{c}", "3", "test"],
    ["issue", "open", "{c}", "Reports late"],
    ["issue", "list", "--customer", "{c}"],
    ["promise", "add", "{c}", "Send the plan", "--due", "+3d"],
    ["promise", "list", "--customer", "{c}"],
    ["concern", "add", "{c}", "Cloud spend"],
    ["concern", "list", "{c}"],
    ["followups", "--customer", "{c}"],
    ["followups", "add", "{c}", "+3d", "ask about the pilot"],
    ["show", "{c}"],
    ["edit", "{c}", "--contact", "Dana"],
    ["pause", "{c}"],
    ["end", "{c}", "--note", "parted as friends"],
    ["reactivate", "{c}"],
    ["snooze", "{c}", "+3d"],
    ["export", "checkins", "--customer", "{c}"],
    ["report", "{c}", "-o", "{out}"],
]
IDS = [" ".join(c[:2]) for c in COMMANDS]


@pytest.fixture
def book(db_path: Path) -> Path:
    conn = open_db(db_path)
    for name in NAMES:
        add_customer(conn, name)
    conn.close()
    return db_path


def tc(db: Path, args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    out = str(tmp_path / "review.md")
    argv = [a.replace("{out}", out) for a in args]
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "tempcheck", "--db", str(db), *argv],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=60,
    )


def digest(db: Path) -> str:
    sha = hashlib.sha256(db.read_bytes())
    wal = db.with_name(db.name + "-wal")
    if wal.exists():
        sha.update(wal.read_bytes())
    return sha.hexdigest()


def with_customer(command: list[str], customer: str) -> list[str]:
    return [customer if a == "{c}" else a for a in command]


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
@pytest.mark.parametrize(
    "typed",
    ["Globex Logistics", "  globex   LOGISTICS ", "glob", "logistics", "obex log"],
    ids=["exact", "normalised", "prefix", "whole word", "substring"],
)
def test_what_names_one_customer_acts_on_it(book, tmp_path, command, typed) -> None:
    if command[0] == "reactivate":  # only a paused customer can be reactivated
        conn = open_db(book)
        set_status(conn, by_key(conn, "Globex Logistics").id, "paused")
        conn.close()
    result = tc(book, with_customer(command, typed), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    if command[0] in ("log", "show", "edit", "pause", "end", "reactivate", "snooze"):
        assert "Globex Logistics" in result.stdout
    if command[0] == "log":
        conn = sqlite3.connect(book)
        assert conn.execute(
            "SELECT c.name FROM checkins k JOIN customers c ON c.id = k.customer_id"
        ).fetchall() == [("Globex Logistics",)]
        conn.close()


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Globex Logistcs", "Globex Logistics"),  # a typo
        ("Pied Pipper", "Pied Piper"),
        ("Zorg Industreis", "Zorg Industries"),
    ],
)
def test_a_near_miss_is_only_suggested_and_nothing_changes(
    book, tmp_path, command, typed, meant
) -> None:
    before = digest(book)
    result = tc(book, with_customer(command, typed), tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"no customer matches {typed!r}. Did you mean {meant}" in result.stderr
    # The exact command to run, with the name put right.
    fixed = " ".join(f"'{a}'" if " " in a else a for a in with_customer(command, meant)).replace(
        "{out}", str(tmp_path / "review.md")
    )
    assert result.stderr.rstrip().endswith(f"run: tempcheck --db {book} {fixed}")
    assert digest(book) == before


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
@pytest.mark.parametrize("typed", ["Stark Industries", "Oscorp Industries"])
def test_an_unknown_name_that_shares_a_word_is_refused(book, tmp_path, command, typed) -> None:
    """The reported case: these went to Zorg Industries."""
    before = digest(book)
    result = tc(book, with_customer(command, typed), tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"no customer matches {typed!r}" in result.stderr
    assert "Logged" not in result.stdout
    assert digest(book) == before


def test_create_adds_a_new_name_even_when_it_extends_an_existing_one(book, tmp_path) -> None:
    result = tc(book, ["log", "Acme Corp UK", "3", "confidential", "--create"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Logged Acme Corp UK: 3 neutral")
    conn = sqlite3.connect(book)
    assert conn.execute(
        "SELECT c.name, k.note FROM checkins k JOIN customers c ON c.id = k.customer_id"
    ).fetchall() == [("Acme Corp UK", "confidential")]
    conn.close()


def test_create_with_the_exact_name_logs_for_it(book, tmp_path) -> None:
    result = tc(book, ["log", "Acme Corp", "4", "--create"], tmp_path)
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(book)
    assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == len(NAMES)
    conn.close()


@pytest.mark.parametrize("twin", ["acme corp", "ACME  CORP", " Acme   Corp"])
def test_create_refuses_a_case_or_spacing_twin(book, tmp_path, twin) -> None:
    before = digest(book)
    result = tc(book, ["log", twin, "3", "x", "--create"], tmp_path)
    assert result.returncode == 2
    assert "only by case or spacing" in result.stderr and "'Acme Corp'" in result.stderr
    assert digest(book) == before


def test_ambiguous_is_refused_listing_the_candidates(book, tmp_path) -> None:
    before = digest(book)
    result = tc(book, ["log", "s", "3"], tmp_path)  # inside three names
    assert result.returncode == 2
    assert (
        "'s' matches several customers: Globex Logistics, Oscorp Labs, Zorg Industries."
        in result.stderr
    )
    assert digest(book) == before
