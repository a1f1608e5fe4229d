"""Team mode end to end: a real team remote on a loopback port, three members, real files.

Every member is the real shell in its own process (Doltlite must load before
sqlite3, so nothing team-related runs inside pytest's process); the copies are
compared through ``tempcheck team export``, which writes plain SQLite files
this process can read. Needs the team extra: ``pip install '.[test,team]'``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("doltlite") is None,
    reason="team mode needs the team extra: pip install '.[test,team]'",
)

TIMEOUT = 60


def tc(
    *args: str | Path, db: Path | None = None, check: bool = True, env: dict | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "tempcheck"]
    if db is not None:
        argv += ["--db", str(db)]
    done = subprocess.run(
        argv + [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, **(env or {})},
    )
    if check:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


class Remote:
    """``tempcheck team serve`` in its own process; stop and start again on the same port."""

    def __init__(self, directory: Path, *options: str | Path) -> None:
        self.directory = directory
        self.options = [str(o) for o in options]
        self.scheme = "https" if options else "http"
        self.port = 0
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tempcheck",
                "team",
                "serve",
                str(self.directory),
                "--port",
                str(self.port),
                *self.options,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        match = re.search(rf"{self.scheme}://127\.0\.0\.1:(\d+)/", line)
        assert match, (line, self.process.stderr.read() if self.process.poll() else "")
        self.port = int(match.group(1))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/portfolio.db"


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[Remote]:
    server = Remote(tmp_path / "remote")
    server.start()
    yield server
    server.stop()


def export(db: Path, dest: Path) -> sqlite3.Connection:
    """A member's whole copy as a plain SQLite file, opened read-only here."""
    done = tc("team", "export", dest, db=db)
    assert done.stdout.startswith(f"wrote {dest}: a plain SQLite tempcheck database")
    assert dest.read_bytes()[:16] == b"SQLite format 3\x00"
    return sqlite3.connect(f"file:{dest}?mode=ro", uri=True)


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}


def uids(conn: sqlite3.Connection, table: str) -> set[str]:
    return {uid for (uid,) in conn.execute(f"SELECT uid FROM {table}")}


def team_of_three(tmp_path: Path, remote: Remote) -> tuple[Path, Path, Path]:
    ann, bob, cara = (tmp_path / f"{name}.db" for name in ("ann", "bob", "cara"))
    tc("add-customer", "Acme Corp", "--cadence", "14d", db=ann)
    tc("add-customer", "Globex", db=ann)
    tc("config", "user.name", "Ann", db=ann)
    tc("log", "Acme Corp", "3", "kickoff", db=ann)
    done = tc("team", "init", remote.url, db=ann)
    assert f"published to {remote.url}" in done.stdout
    backups = list(tmp_path.glob("ann.solo-backup-*.db"))
    assert len(backups) == 1 and backups[0].read_bytes()[:16] == b"SQLite format 3\x00"
    assert ann.read_bytes()[:4] == b"CTLD"  # the team copy is a Doltlite file now
    for member, name in ((bob, "Bob"), (cara, "Cara")):
        done = tc("team", "clone", remote.url, db=member)
        assert f"into {member}: 2 customer(s)" in done.stdout
        tc("config", "user.name", name, db=member)
    return ann, bob, cara


@pytest.mark.parametrize("first", ["Ann", "Bob"])
def test_three_members_converge_without_losing_a_row(
    tmp_path: Path, remote: Remote, first: str
) -> None:
    ann, bob, cara = team_of_three(tmp_path, remote)
    remote.stop()

    # Both write while the remote is down, including new customers that get the same keys.
    tc("log", "Acme Corp", "4", "ann: went well", db=ann)
    tc("add-customer", "Hooli", db=ann)
    tc("log", "Hooli", "5", "ann: hooli first call", db=ann)
    tc("edit", "Acme Corp", "--contact", "Ann's contact", "--cadence", "7d", db=ann)
    tc("log", "Acme Corp", "2", "bob: worried about the invoice", db=bob)
    tc("add-customer", "Initech", db=bob)
    tc("log", "Initech", "3", "bob: initech intro", db=bob)
    tc("edit", "Acme Corp", "--contact", "Bob's contact", "--notes", "Bob's notes", db=bob)
    tc("add-customer", "Umbrella", db=ann)  # the same new customer, added by both
    tc("add-customer", "Umbrella", db=bob)

    offline = tc("sync", db=ann, check=False)
    assert offline.returncode == 3
    assert offline.stdout == ""
    assert offline.stderr.count("\n") == 1 and offline.stderr.startswith("tempcheck: offline")
    assert "Hooli" in tc("list", db=ann).stdout  # local work goes on

    before = set()
    for member in (ann, bob):
        before |= uids(export(member, tmp_path / f"{member.stem}-before.db"), "checkins")
    assert len(before) == 5  # kickoff + Ann's two + Bob's two

    remote.start()
    order = [ann, bob] if first == "Ann" else [bob, ann]
    second_name = "Bob" if first == "Ann" else "Ann"
    for member in (*order, order[0], cara):
        tc("sync", db=member)

    copies = {m.stem: export(m, tmp_path / f"{m.stem}-after.db") for m in (ann, bob, cara)}
    shots = {name: snapshot(conn) for name, conn in copies.items()}
    assert shots["ann"] == shots["bob"] == shots["cara"]  # same rows, same keys, everywhere
    for conn in copies.values():
        assert uids(conn, "checkins") == before

    conn = copies["cara"]
    notes = dict(
        conn.execute(
            "SELECT k.note, c.name || ' / ' || k.logged_by FROM checkins k"
            " JOIN customers c ON c.id = k.customer_id"
        )
    )
    assert notes == {
        "kickoff": "Acme Corp / Ann",
        "ann: went well": "Acme Corp / Ann",
        "ann: hooli first call": "Hooli / Ann",
        "bob: worried about the invoice": "Acme Corp / Bob",
        "bob: initech intro": "Initech / Bob",
    }
    # Another member's check-in says who logged it; one's own does not.
    for viewer, others, own in ((cara, ("Ann", "Bob"), "Cara"), (bob, ("Ann",), "Bob")):
        shown = tc("show", "Acme Corp", db=viewer).stdout
        assert all(f"we reached out; logged by {name}" in shown for name in others), shown
        assert f"logged by {own}" not in shown
    # Full-text search finds the other members' words after the merge.
    for member, word, found in (
        (ann, "invoice", "worried about the «invoice»"),
        (bob, "hooli", "ann: «hooli» first call"),
        (cara, "initech", "bob: «initech» intro"),
    ):
        assert found in tc("search", word, db=member).stdout
    # The dashboard's summary is recomputed after the merge: newest temperature first.
    recent = dict(
        conn.execute(
            "SELECT c.name, coalesce(s.recent, '') FROM customers c"
            " LEFT JOIN contact_summary s ON s.customer_id = c.id"
        )
    )
    assert recent == {
        "Acme Corp": "243",
        "Globex": "",
        "Hooli": "5",
        "Initech": "3",
        "Umbrella": "",
        f"Umbrella ({second_name})": "",
    }
    # So is the dashboard's attention index, one row per customer under its own key,
    # even for the customer moved to a free key: (cadence, low temperature, contacted).
    attention = dict(
        conn.execute(
            "SELECT c.name, a.cadence_days || ' ' || a.low || ' ' || (a.last_at IS NOT NULL)"
            " FROM customers c LEFT JOIN attention a ON a.customer_id = c.id"
        )
    )
    assert attention == {
        "Acme Corp": "7 1 1",
        "Globex": "14 0 0",
        "Hooli": "14 0 1",
        "Initech": "14 0 1",
        "Umbrella": "14 0 0",
        f"Umbrella ({second_name})": "14 0 0",
    }
    assert conn.execute("SELECT count(*) FROM attention").fetchone() == (6,)
    # Field by field: each side's only change arrives; the field both changed keeps the
    # value that reached the team first and sets the other aside, never dropping it.
    kept, aside = (
        ("Ann's contact", "Bob's contact") if first == "Ann" else ("Bob's contact", "Ann's contact")
    )
    acme = conn.execute(
        "SELECT contact, cadence_days, notes FROM customers WHERE name = 'Acme Corp'"
    ).fetchone()
    assert acme == (kept, 7, "Bob's notes")
    rows = conn.execute(
        "SELECT id, synced_by, table_name, column_name, kept, set_aside, resolved_at"
        " FROM team_conflicts"
    ).fetchall()
    # Both added a primary contact: the first to reach the team stays primary, the other
    # person stays as a contact and their being primary is set aside.
    assert rows == [
        (1, second_name, "contacts", "is_primary", "0", "1", None),
        (
            2,
            second_name,
            "customers",
            "name",
            json.dumps(f"Umbrella ({second_name})"),
            json.dumps("Umbrella"),
            None,
        ),
    ]
    people = conn.execute(
        "SELECT p.name, p.is_primary FROM contacts p JOIN customers c ON c.id = p.customer_id"
        " WHERE c.name = 'Acme Corp' ORDER BY p.name"
    ).fetchall()
    assert people == sorted([(kept, 1), (aside, 0)])
    listed = tc("team", "conflicts", db=cara).stdout
    assert listed == (
        f"   1  contact {aside} of Acme Corp, primary: theirs (kept) no"
        f" · ours (set aside by {second_name}) yes  [open]\n"
        f'   2  customer Umbrella ({second_name}), name: theirs (kept) "Umbrella ({second_name})"'
        f' · ours (set aside by {second_name}) "Umbrella"  [open]\n'
    )

    status = tc("team", "status", db=cara).stdout
    assert "ahead       0 commit(s) to push" in status
    assert "behind      0 commit(s) to pull" in status
    assert "conflicts   2 open" in status

    # The member whose value was set aside takes it back; everyone gets it on their next sync.
    loser = bob if first == "Ann" else ann
    done = tc("team", "resolve", "1", "--ours", db=loser)
    assert done.stdout.startswith("conflict 1 resolved: primary = yes (ours)")
    tc("sync", db=loser)
    tc("sync", db=cara)
    final = export(cara, tmp_path / "cara-final.db")
    assert final.execute("SELECT contact FROM customers WHERE name = 'Acme Corp'").fetchone() == (
        aside,
    )
    assert final.execute("SELECT resolution FROM team_conflicts").fetchall() == [("ours",), (None,)]
    assert "conflicts   1 open" in tc("team", "status", db=cara).stdout


TUI_SCRIPT = textwrap.dedent(
    """
    import doltlite  # noqa: F401  (first, as the shell does for a team database)
    import asyncio, sys, time
    from pathlib import Path
    from tempcheck.tui.app import TempcheckApp

    def globex(app):
        table = app.screen.query_one("CustomerTable")
        index = next(i for i, r in enumerate(table.rows) if r.name == "Globex")
        row = table.rows[index]
        text = " ".join("".join(table._row_cells(index)[0]).split())
        return f"{row.recent_newest_first or '-'}|{text}"

    async def main():
        app = TempcheckApp(sys.argv[1])
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            print("START", app.sub_title, globex(app), flush=True)
            go = Path(sys.argv[2])
            deadline = time.monotonic() + 30
            while not go.exists() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await pilot.press("S")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            print("AFTER", app.sub_title, globex(app), flush=True)
            gone = Path(sys.argv[2] + "-offline")
            deadline = time.monotonic() + 30
            while not gone.exists() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await pilot.press("S")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("slash", *"glo")  # the dashboard still answers
            print("OFFLINE", app.sub_title, [r.name for r in
                  app.screen.query_one("CustomerTable").rows], flush=True)

    asyncio.run(main())
    """
)


def test_dashboard_shows_another_members_checkin_after_a_sync(
    tmp_path: Path, remote: Remote
) -> None:
    ann, bob, cara = team_of_three(tmp_path, remote)
    go = tmp_path / "go"
    script = tmp_path / "tui.py"
    script.write_text(TUI_SCRIPT)
    tui = subprocess.Popen(
        [sys.executable, str(script), str(cara), str(go)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        start = tui.stdout.readline()
        assert "team: synced" in start, (start, tui.stderr.read() if tui.poll() else "")
        assert "-|Globex ○ never" in start, start

        tc("log", "Globex", "5", "bob: globex delighted", db=bob)
        tc("sync", db=bob)
        go.touch()
        after = tui.stdout.readline()
        assert "team: synced" in after, (after, tui.stderr.read() if tui.poll() else "")
        assert "5|Globex ✓ fresh just now 5 delighted" in after, after

        remote.stop()
        Path(str(go) + "-offline").touch()
        offline = tui.stdout.readline()
        assert offline.startswith("OFFLINE v"), offline
        assert "team: offline, work kept locally ['Globex']" in offline, offline
        tui.wait(timeout=TIMEOUT)
    finally:
        if tui.poll() is None:
            tui.kill()
            tui.wait()


def test_solo_database_never_loads_the_team_engine(tmp_path: Path) -> None:
    """A plain file stays plain, and the shell leaves Doltlite out of the process."""
    db = tmp_path / "solo.db"
    tc("add-customer", "Acme Corp", db=db)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv = ['tempcheck', '--db', sys.argv[1], 'list'];"
            "import tempcheck.cli.main as m;"
            "print('doltlite' in sys.modules, 'sqlite3' in sys.modules)",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert probe.stdout.split() == ["False", "True"], probe.stderr
    assert db.read_bytes()[:16] == b"SQLite format 3\x00"
    assert "is a solo database" in tc("sync", db=db, check=False).stderr


def test_off_loopback_serving_is_refused_with_the_way_to_do_it(tmp_path: Path) -> None:
    done = tc("team", "serve", tmp_path / "r", "--host", "0.0.0.0", check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("tempcheck: refusing to serve on 0.0.0.0:")
    assert "SSH tunnel" in done.stderr and "TLS" in done.stderr
    assert not (tmp_path / "r").exists()


def test_team_commands_name_bad_input_in_one_line(tmp_path: Path, remote: Remote) -> None:
    db = tmp_path / "x.db"
    bad = tc("team", "init", "ftp://nowhere/x.db", db=db, check=False)
    assert bad.returncode == 1
    assert (
        bad.stderr == "tempcheck: not a team remote address: 'ftp://nowhere/x.db' "
        "(expected http://HOST:PORT/NAME.db)\n"
    )
    assert not db.exists()
    gone = tc("team", "clone", "http://127.0.0.1:9/none.db", db=db, check=False)
    assert gone.returncode == 3 and gone.stderr.startswith("tempcheck: offline")
    assert not db.exists()
    assert os.listdir(tmp_path / "remote") == []


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl for a certificate")
def test_a_remote_with_tls_lets_in_only_members_whose_key_it_holds(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    keys = tmp_path / "member-keys"
    ann_env = {"DOLTLITE_CREDS_DIR": str(tmp_path / "ann-creds"), "DOLTLITE_CA_FILE": str(cert)}
    bob_env = {"DOLTLITE_CREDS_DIR": str(tmp_path / "bob-creds"), "DOLTLITE_CA_FILE": str(cert)}
    made = tc("team", "key", "--out", keys, env=ann_env).stdout
    assert made.startswith("made your credential ")
    assert "for its --auth-keys folder" in made
    assert len(list(keys.glob("*.jwk"))) == 1
    assert '"d"' not in next(keys.glob("*.jwk")).read_text()  # the public half only

    server = Remote(tmp_path / "remote", "--cert", cert, "--key", key, "--auth-keys", keys)
    server.start()
    try:
        ann, bob = tmp_path / "ann.db", tmp_path / "bob.db"
        tc("add-customer", "Acme Corp", db=ann)
        done = tc("team", "init", server.url, db=ann, env=ann_env)
        assert f"published to {server.url}" in done.stdout

        refused = tc("team", "clone", server.url, db=bob, env=bob_env, check=False)
        assert refused.returncode == 1
        assert refused.stderr.startswith(f"tempcheck: the team remote at {server.url} refused")
        assert not bob.exists()

        tc("team", "key", "--out", keys, env=bob_env)  # the admin adds Bob's key
        done = tc("team", "clone", server.url, db=bob, env=bob_env)
        assert "1 customer(s)" in done.stdout
        tc("log", "Acme Corp", "4", "bob over tls", db=bob)
        assert "pushed" in tc("sync", db=bob, env=bob_env).stdout
        assert "pulled the team's changes" in tc("sync", db=ann, env=ann_env).stdout
        assert "bob over tls" in tc("show", "Acme Corp", db=ann).stdout
    finally:
        server.stop()


def test_round_after_round_of_edits_on_both_sides_still_converges(
    tmp_path: Path, remote: Remote
) -> None:
    ann, bob, _cara = team_of_three(tmp_path, remote)
    for round_ in range(1, 4):
        tc("log", "Acme Corp", "3", f"ann {round_}", db=ann)
        tc("edit", "Acme Corp", "--notes", f"ann's notes {round_}", db=ann)
        tc("sync", db=ann)
        tc("log", "Acme Corp", "5", f"bob {round_}", db=bob)
        tc("edit", "Acme Corp", "--notes", f"bob's notes {round_}", db=bob)
        tc("sync", db=bob)
    tc("sync", db=ann)
    a = export(ann, tmp_path / "ann-out.db")
    b = export(bob, tmp_path / "bob-out.db")
    assert snapshot(a) == snapshot(b)
    assert a.execute(
        "SELECT s.recent, c.notes FROM contact_summary s JOIN customers c ON c.id = s.customer_id"
        " WHERE c.name = 'Acme Corp'"
    ).fetchone() == ("5353533", "ann's notes 3")
    assert [r[0] for r in a.execute("SELECT set_aside FROM team_conflicts ORDER BY id")] == [
        json.dumps(f"bob's notes {n}") for n in (1, 2, 3)
    ]


def test_without_the_team_extra_a_team_database_says_what_to_install(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import doltlite, sqlite3, sys;"
            "sqlite3.connect(sys.argv[1]).execute('CREATE TABLE t (a)')",
            str(db),
        ],
        check=True,
        timeout=TIMEOUT,
    )
    assert db.read_bytes()[:4] == b"CTLD"
    blocked = (
        "import sys; sys.modules['doltlite'] = None; sys.argv = ['tempcheck', *sys.argv[1:]];"
        "from tempcheck.cli.main import main; main()"
    )
    for args, message in (
        (
            ["--db", str(db), "list"],
            f"tempcheck: {db} is a team database; open it with the team "
            "extra installed (pip install 'tempcheck[team]')\n",
        ),
        (
            ["--db", str(db), "sync"],
            "tempcheck: team mode needs the team extra: pip install 'tempcheck[team]'\n",
        ),
    ):
        done = subprocess.run(
            [sys.executable, "-c", blocked, *args], capture_output=True, text=True, timeout=TIMEOUT
        )
        assert (done.returncode, done.stderr) == (1, message)


def test_offline_work_on_different_customers_merges_cleanly(tmp_path: Path, remote: Remote) -> None:
    ann, bob, cara = team_of_three(tmp_path, remote)
    remote.stop()
    tc("log", "Acme Corp", "4", "ann on acme", db=ann)
    tc("log", "Globex", "2", "bob on globex", db=bob)
    remote.start()
    for member in (ann, bob, ann, cara):
        tc("sync", db=member)
    shots = [snapshot(export(m, tmp_path / f"{m.stem}-out.db")) for m in (ann, bob, cara)]
    assert shots[0] == shots[1] == shots[2]
    notes = {row[7] for row in shots[2]["checkins"]}
    assert {"kickoff", "ann on acme", "bob on globex"} <= notes
    assert shots[2]["team_conflicts"] == []
