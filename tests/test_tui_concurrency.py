"""The dashboard stays open and keeps logging while another program hammers the same file:
nothing is lost, nobody sees "database is locked", and the screen catches up within 2 s."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time

import pytest

from tempcheck.store.customers import add_customer
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.dashboard import DashboardScreen
from tempcheck.tui.widgets.customer_table import CustomerTable

SIZE = (120, 40)
RUNS = 100


@pytest.mark.slow
async def test_dashboard_open_while_the_shell_logs_100_check_ins(db_path, conn):
    add_customer(conn, "Acme Corp")
    add_customer(conn, "Globex")
    python = shlex.quote(sys.executable)
    db = shlex.quote(str(db_path))
    loop = (
        f"for i in $(seq 1 {RUNS}); do "
        f'{python} -m tempcheck --db {db} log acme $(( i % 5 + 1 )) "shell $i" '
        '|| echo "FAILED $i" >&2; done'
    )
    app = TempcheckApp(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.workers.wait_for_complete()
        table = app.screen.query_one(CustomerTable)
        shell = subprocess.Popen(
            ["bash", "-c", loop], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        logged_here = 0
        while shell.poll() is None:  # meanwhile, log from the dashboard too
            table.focus()
            table.cursor = next(i for i, r in enumerate(table.rows) if r.name == "Globex")
            await pilot.press("l", "3", *f"ui {logged_here}", "enter")
            await pilot.pause(0.05)
            assert isinstance(app.screen, DashboardScreen), "the form did not save"
            logged_here += 1
        out, err = shell.communicate()
        finished = time.monotonic()
        expected_last = RUNS % 5 + 1
        while time.monotonic() - finished < 2.0:
            acme = next(r for r in table.rows if r.name == "Acme Corp")
            if acme.last_temperature == expected_last:
                break
            await pilot.pause(0.05)
        assert acme.last_temperature == expected_last
        assert time.monotonic() - finished < 2.0
    assert "FAILED" not in err and "locked" not in err, err
    assert out.count("Logged Acme Corp") == RUNS
    notes = {row[0] for row in conn.execute("SELECT note FROM checkins")}
    assert {f"shell {i}" for i in range(1, RUNS + 1)} <= notes
    assert {f"ui {i}" for i in range(logged_here)} <= notes
    assert logged_here > 0
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == RUNS + logged_here
