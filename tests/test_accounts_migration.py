"""Upgrading to the accounts schema: the old single contact field becomes a primary
contact (every value kept), and the full-text index is built for what is already there."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tempcheck.store import open_db
from tempcheck.store.migrations import LATEST, migrate

FIXTURES = Path(__file__).parent / "fixtures"


def _copy(name: str, tmp_path: Path) -> Path:
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)
    return path


def test_v4_contact_field_becomes_primary_contacts_keeping_every_value(tmp_path: Path) -> None:
    path = _copy("schema_v4.db", tmp_path)
    conn = open_db(path)
    try:
        contacts = conn.execute(
            "SELECT customer_id, name, name_key, role, email, is_primary, gone_at"
            " FROM contacts ORDER BY customer_id"
        ).fetchall()
        assert contacts == [
            (1, "Dana", "dana", "", "", 1, None),
            (2, "Dana", "dana", "", "", 1, None),
            (3, "Dana", "dana", "", "", 1, None),
            (7, "Jo  Baker", "jo baker", "", "", 1, None),
            (
                8,
                "[URGENT] Sam <sam@example.com>",
                "[urgent] sam <sam@example.com>",
                "",
                "",
                1,
                None,
            ),
            (9, "Zoë Ärger, CFO", "zoë ärger, cfo", "", "", 1, None),
        ]
        # The old column is left exactly as it was.
        old = conn.execute("SELECT id, contact FROM customers ORDER BY id").fetchall()
        assert old == [
            (1, "Dana"),
            (2, "Dana"),
            (3, "Dana"),
            (4, ""),
            (5, ""),
            (6, "   "),
            (7, "  Jo  Baker "),
            (8, "[URGENT] Sam <sam@example.com>"),
            (9, "Zoë Ärger, CFO"),
        ]
        # Each migrated contact took the customer's creation time.
        assert {r[0] for r in conn.execute("SELECT created_at FROM contacts")} == {
            "2026-09-01T09:00:00.000000Z"
        }
        assert conn.execute("SELECT count(DISTINCT uid) FROM contacts").fetchone()[0] == 6
        new_columns = conn.execute(
            "SELECT owner, renewal_on, domain FROM customers WHERE id = 1"
        ).fetchone()
        assert new_columns == ("", None, "")
        assert conn.execute("SELECT contact_id FROM checkins").fetchall() == [(None,)] * 3
    finally:
        conn.close()


@pytest.mark.parametrize("fixture", ["schema_v1.db", "schema_v2.db", "schema_v3.db"])
def test_every_older_version_gets_contacts_and_search(fixture: str, tmp_path: Path) -> None:
    path = _copy(fixture, tmp_path)
    conn = open_db(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        before = sqlite3.connect(FIXTURES / fixture)
        expected = before.execute(
            "SELECT id, trim(contact) FROM customers WHERE trim(contact) != '' ORDER BY id"
        ).fetchall()
        before.close()
        assert expected  # the fixture has contacts to migrate
        got = conn.execute(
            "SELECT customer_id, name FROM contacts WHERE is_primary = 1 ORDER BY customer_id"
        ).fetchall()
        assert got == expected
    finally:
        conn.close()


def test_search_index_is_built_for_rows_written_before_the_upgrade(tmp_path: Path) -> None:
    path = _copy("schema_v3.db", tmp_path)
    conn = open_db(path)
    try:
        hits = conn.execute(
            "SELECT rowid FROM checkins_fts WHERE checkins_fts MATCH 'report'"
        ).fetchall()
        assert hits == [(1,)]  # "late report"
        titles = conn.execute(
            "SELECT rowid FROM issue_closures_fts WHERE issue_closures_fts MATCH 'automated'"
        ).fetchall()
        assert titles == [(1,)]
        people = conn.execute(
            "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'dana'"
        ).fetchone()
        assert people == (3,)
    finally:
        conn.close()


def test_the_accounts_step_is_all_or_nothing(tmp_path: Path) -> None:
    """A failure inside the step (here: a clashing table) leaves version 5 intact."""
    path = _copy("schema_v5.db", tmp_path)
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        raw.execute("CREATE TABLE promises_fts (x)")  # makes the index step fail part-way
        with pytest.raises(sqlite3.OperationalError):
            migrate(raw, target=6)
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 5
        names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
        assert "contacts" not in names and "checkins_fts" not in names
        assert not raw.in_transaction
    finally:
        raw.close()
