"""Issue 15: every stored value reads back, every failure is one clear line.

Each test here failed before its fix; expected values are written out by hand.
"""

from __future__ import annotations

import pytest

from tempcheck.domain.text import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\u202eRTL Ltd", "\ufffdRTL Ltd"),
        ("a\u202ab\u202bc\u202cd\u202de", "a\ufffdb\ufffdc\ufffdd\ufffde"),
        ("iso\u2066late\u2067d\u2068x\u2069", "iso\ufffdlate\ufffdd\ufffdx\ufffd"),
        ("mark\u200e\u200f\u061c", "mark\ufffd\ufffd\ufffd"),
        ("Zero\u200bWidth", "Zero\u200bWidth"),  # invisible but harmless: kept
        ("Café 🎉 [/]", "Café 🎉 [/]"),
    ],
)
def test_printable_neutralises_bidi_controls(raw: str, shown: str) -> None:
    assert printable(raw) == shown


# --- bounds on what the shell accepts ----------------------------------------------------------

TOO_BIG = "99999999999999999999999"


@pytest.fixture
def book(run_tc, db_path):
    assert run_tc("add-customer", "Acme Corp").exit_code == 0
    return db_path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["issue", "close", TOO_BIG, "--resolution", "x"],
            f"Invalid value for 'ISSUE_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["promise", "keep", TOO_BIG],
            f"Invalid value for 'PROMISE_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["promise", "break", TOO_BIG],
            f"Invalid value for 'PROMISE_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["followups", "done", TOO_BIG],
            f"Invalid value for 'FOLLOWUP_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["followups", "snooze", TOO_BIG, "fri"],
            f"Invalid value for 'FOLLOWUP_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["concern", "confirm", TOO_BIG],
            f"Invalid value for 'CONCERN_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["concern", "drop", TOO_BIG],
            f"Invalid value for 'CONCERN_ID': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["log", "acme", "3", "x", "--issue", TOO_BIG],
            f"Invalid value for '--issue': '{TOO_BIG}' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["issue", "close", "9223372036854775808", "--resolution", "x"],
            "Invalid value for 'ISSUE_ID': '9223372036854775808' is not an id"
            " (ids run from 1 to 9223372036854775807)",
        ),
        (
            ["followups", "--days", "99999999"],
            "Invalid value for '--days': 99999999 is not in the range 0<=x<=36500.",
        ),
        (
            ["export", "checkins", "--customer", ""],
            "Invalid value for '--customer': must not be empty",
        ),
        (["issue", "list", "--customer", " "], "Invalid value for '--customer': must not be empty"),
        (["report", "", "-o", "r.html"], "Invalid value for '[CUSTOMER]': must not be empty"),
    ],
)
def test_out_of_range_and_empty_values_are_usage_errors(run_tc, book, args, expected) -> None:
    result = run_tc(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"tempcheck: {expected} (see '")
    assert result.stderr.count("\n") == 1


def test_the_largest_id_is_simply_not_found(run_tc, book) -> None:
    result = run_tc("issue", "close", "9223372036854775807", "--resolution", "x")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.stderr.startswith("tempcheck: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("where", ["group", "command"])
def test_an_empty_db_is_refused_not_the_default_database(run_tc, tmp_path, where) -> None:
    args = ["--db", "", "list"] if where == "group" else ["list", "--db", ""]
    result = run_tc(*args, db=None)
    assert result.exit_code == 2
    assert "Invalid value for '--db': must not be empty" in result.stderr
    assert not (tmp_path / "env.db").exists()  # TEMPCHECK_DB was not used either
    assert not (tmp_path / "home" / ".local").exists()


def test_demo_with_too_many_checkins_leaves_no_file(run_tc, tmp_path) -> None:
    target = tmp_path / "big.db"
    result = run_tc("demo", "--customers", "3", "--checkins", "99999999999999999999", db=target)
    assert result.exit_code == 2
    assert "Invalid value for '--checkins'" in result.stderr
    assert not target.exists()
    result = run_tc("demo", "--checkins", "3", db=target)
    assert result.stderr == "tempcheck: --checkins needs --customers\n"
    assert not target.exists()


def test_demo_twice_says_the_sample_is_already_there(run_tc, db_path, row_counts) -> None:
    assert run_tc("demo").exit_code == 0
    before = row_counts(db_path)
    result = run_tc("demo", "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        "tempcheck: the sample is already here (25 of its customers, such as 'Acme Corp');"
        " nothing was written\n"
    )
    assert row_counts(db_path) == before
