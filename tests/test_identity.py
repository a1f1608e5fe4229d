"""Who logged it: user.name per copy of the database, logged_by on check-ins and
settlements, and "my accounts" (owner is my user.name) in the shell and the dashboard."""

from __future__ import annotations

import getpass
import json
import stat
from pathlib import Path

from tempcheck.store import sample as demo
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.widgets.customer_table import CustomerTable


def test_user_name_lives_beside_the_database_and_never_in_it(run_tc, db_path: Path, conn) -> None:
    run_tc("add-customer", "Acme Corp")
    done = run_tc("config", "user.name", "  Ann Smith ")
    assert done.exit_code == 0, done.output
    assert done.output == "user.name = Ann Smith\n"
    local = db_path.with_name(db_path.name + ".local.json")
    assert json.loads(local.read_text()) == {"user.name": "Ann Smith"}
    assert stat.S_IMODE(local.stat().st_mode) == 0o600
    assert conn.execute("SELECT count(*) FROM settings WHERE key LIKE 'user.%'").fetchone() == (0,)
    assert run_tc("config", "user.name").output == "Ann Smith\n"
    assert run_tc("config").output.endswith(
        "user.name  Ann Smith  (this copy only; never synced)\n"
    )


def test_user_name_refuses_empty_and_overlong_names(run_tc, db_path: Path) -> None:
    for bad, message in (
        ("   ", "user.name cannot be empty"),
        ("x" * 81, "user.name is at most 80 characters"),
    ):
        done = run_tc("config", "user.name", bad)
        assert done.exit_code == 1
        assert done.output == f"tempcheck: {message}\n"
    assert not db_path.with_name(db_path.name + ".local.json").exists()


def test_checkins_and_settlements_record_who_logged_them(run_tc, conn) -> None:
    run_tc("add-customer", "Acme Corp")
    run_tc("log", "Acme Corp", "4", "before a name was set")
    run_tc("config", "user.name", "Bob")
    run_tc("log", "Acme Corp", "2", "bob's call")
    added = run_tc("promise", "add", "Acme Corp", "Send the plan", "--due", "tomorrow")
    assert added.exit_code == 0, added.output
    assert run_tc("promise", "keep", "1").exit_code == 0

    assert conn.execute("SELECT note, logged_by FROM checkins ORDER BY id").fetchall() == [
        ("before a name was set", getpass.getuser()),
        ("bob's call", "Bob"),
    ]
    assert conn.execute("SELECT logged_by FROM promise_settlements").fetchall() == [("Bob",)]


def test_list_mine_shows_only_my_accounts(run_tc) -> None:
    for name in ("Acme Corp", "Globex", "Initech"):
        run_tc("add-customer", name)
    run_tc("edit", "Acme Corp", "--owner", "ann smith")
    run_tc("edit", "Globex", "--owner", "Bob")
    run_tc("config", "user.name", "Ann Smith")
    done = run_tc("list", "--mine", "--format", "json")
    assert [r["name"] for r in json.loads(done.output)] == ["Acme Corp"]


async def test_dashboard_filter_at_me_shows_my_accounts(db_path: Path, conn, run_tc) -> None:
    demo.write_sample(conn)
    run_tc("config", "user.name", "Zed Owner")
    conn.execute(
        "UPDATE customers SET owner = 'zed owner' WHERE name IN ('Acme Corp', 'Globex Logistics')"
    )
    app = TempcheckApp(db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"@me")
        table = app.screen.query_one(CustomerTable)
        assert sorted(row.name for row in table.rows) == ["Acme Corp", "Globex Logistics"]
        await pilot.press(*" glo")
        assert [row.name for row in table.rows] == ["Globex Logistics"]
