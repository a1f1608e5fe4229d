"""Issue 7: nothing lost under concurrency, crashes and a full or unwritable disk.

Real processes write into one real file; each test checks the rows that reached the disk,
``PRAGMA integrity_check``, and that the next start still works.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import TEMPCHECK, integrity

from tempcheck.store import StoreError, open_db
from tempcheck.store import checkins as checkin_store
from tempcheck.store import customers as customer_store
from tempcheck.store import migrations as migrations_module

# Logs ``count`` check-ins through the store, one transaction each, printing each id
# only after add_checkin has returned (that is, after COMMIT).
WRITER = textwrap.dedent(
    """
    import sys
    from tempcheck.store import open_db
    from tempcheck.store.checkins import add_checkin

    path, customer, count, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    conn = open_db(path)
    for n in range(count):
        saved = add_checkin(conn, customer, 1 + n % 5, note=f"{tag} {n}")
        print(saved.id, flush=True)
    conn.close()
    """
)

# Runs the real ``tempcheck log`` command ``count`` times in a row, as a shell script would.
CLI_LOOP = textwrap.dedent(
    """
    import subprocess, sys
    exe, path, customer, count, tag = sys.argv[1:6]
    failures = 0
    for n in range(int(count)):
        done = subprocess.run([exe, "--db", path, "log", customer, "4", tag, str(n)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            failures += 1
            sys.stderr.write(done.stderr)
    sys.exit(1 if failures else 0)
    """
)


def fresh_book(path: Path, names: tuple[str, ...] = ("Acme", "Globex")) -> list[int]:
    connection = open_db(path)
    try:
        return [customer_store.add_customer(connection, name).id for name in names]
    finally:
        connection.close()


def notes(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [r[0] for r in connection.execute("SELECT note FROM checkins ORDER BY id")]
    finally:
        connection.close()


# --- concurrency -----------------------------------------------------------------------------


# Like WRITER, but each waits on stdin for "go" (a barrier the test releases once both are
# ready) and prints, per check-in, its id and how long add_checkin took, lock wait included.
# A commit takes well under a millisecond, so without the short pause between check-ins one
# writer finishes all 200 within a single sleep of the other's busy handler.
BARRIER_WRITER = textwrap.dedent(
    """
    import sys, time
    from tempcheck.store import open_db
    from tempcheck.store.checkins import add_checkin

    path, customer, count, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    conn = open_db(path)
    print("ready", flush=True)
    assert sys.stdin.readline() == "go\\n"
    for n in range(count):
        started = time.perf_counter()
        saved = add_checkin(conn, customer, 1 + n % 5, note=f"{tag} {n}")
        print(saved.id, f"{time.perf_counter() - started:.6f}", flush=True)
        time.sleep(0.002)  # a breath between check-ins, as any real caller has
    conn.close()
    """
)


def test_two_processes_logging_200_each_at_once_store_400(db_path: Path, record_property) -> None:
    acme, globex = fresh_book(db_path)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", BARRIER_WRITER, str(db_path), str(customer), "200", tag],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for customer, tag in ((acme, "first"), (globex, "second"))
    ]
    for writer in writers:  # both are started and have the database open ...
        assert writer.stdout.readline() == "ready\n", writer.stderr.read()
    for writer in writers:  # ... then both are let go together
        writer.stdin.write("go\n")
        writer.stdin.flush()
    outputs = [writer.communicate(timeout=120) for writer in writers]
    waits = []
    reported = set()
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
        lines = [line.split() for line in out.splitlines()]
        assert len(lines) == 200
        reported |= {int(i) for i, _ in lines}
        waits += [float(w) for _, w in lines]
    stored = notes(db_path)
    assert len(stored) == 400
    assert sorted(stored) == sorted(
        [f"first {n}" for n in range(200)] + [f"second {n}" for n in range(200)]
    )
    connection = sqlite3.connect(db_path)
    assert reported == {r[0] for r in connection.execute("SELECT id FROM checkins")}
    # The writers really ran at the same time: in commit order their rows interleave.
    order = [r[0] for r in connection.execute("SELECT customer_id FROM checkins ORDER BY id")]
    switches = sum(1 for a, b in zip(order, order[1:], strict=False) if a != b)
    summary = dict(connection.execute("SELECT customer_id, length(recent) FROM contact_summary"))
    connection.close()
    longest = max(waits)
    record_property("writer_switches", switches)
    record_property("longest_wait_s", round(longest, 4))
    print(f"rows switched writer {switches} times in 399; longest wait {longest * 1000:.1f} ms")
    assert switches >= 50, switches  # measured 320-361 on two busy cores
    assert longest < 5.0  # well inside the 10 s busy timeout
    assert summary == {acme: 8, globex: 8}
    assert integrity(db_path) == "ok"


@pytest.mark.slow
def test_two_shell_loops_of_real_tempcheck_log(db_path: Path) -> None:
    fresh_book(db_path)
    loops = [
        subprocess.Popen(
            [sys.executable, "-c", CLI_LOOP, str(TEMPCHECK), str(db_path), name, "20", tag],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, tag in (("acme", "a"), ("glob", "g"))
    ]
    errors = [loop.communicate(timeout=120)[1] for loop in loops]
    assert [loop.returncode for loop in loops] == [0, 0], errors
    assert not any("locked" in e for e in errors)
    stored = notes(db_path)
    assert sorted(stored) == sorted([f"a {n}" for n in range(20)] + [f"g {n}" for n in range(20)])
    assert integrity(db_path) == "ok"


def test_a_second_process_creating_the_schema_meanwhile_is_no_problem(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic replay of the race: the other process commits the schema right after
    this one has read ``user_version = 0``."""
    from tempcheck.store import connection as connection_module

    real = connection_module.version_and_tables
    calls = []

    def version_then_other_process_migrates(conn: sqlite3.Connection) -> tuple[int, set[str]]:
        found = real(conn)
        if not calls:
            calls.append(found)
            other = sqlite3.connect(db_path, isolation_level=None)
            migrations_module.migrate(other)
            other.close()
        return found

    monkeypatch.setattr(
        connection_module, "version_and_tables", version_then_other_process_migrates
    )
    connection = open_db(db_path)
    try:
        assert calls == [(0, set())]  # the race really happened: we read before the other wrote
        assert migrations_module.schema_version(connection) == migrations_module.LATEST
    finally:
        connection.close()


def test_migration_by_two_connections_in_turn_runs_each_step_once(db_path: Path) -> None:
    """The version is re-read inside the lock, so a step already applied is skipped."""
    first = sqlite3.connect(db_path, isolation_level=None)
    second = sqlite3.connect(db_path, isolation_level=None)
    try:
        assert migrations_module.migrate(first) == migrations_module.LATEST
        assert migrations_module.migrate(second) == 0
        assert migrations_module.schema_version(second) == migrations_module.LATEST
    finally:
        first.close()
        second.close()


# --- crashes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kill_after", [1, 57, 150])
def test_sigkill_in_a_burst_of_writes_loses_nothing_reported(
    db_path: Path, tmp_path: Path, kill_after: int
) -> None:
    (acme,) = fresh_book(db_path, ("Acme",))
    errors = (tmp_path / "stderr.txt").open("w+")
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), str(acme), "100000", "burst"],
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    reported: list[int] = []
    try:
        while len(reported) < kill_after:
            line = child.stdout.readline()
            assert line, Path(errors.name).read_text()
            reported.append(int(line))
        child.send_signal(signal.SIGKILL)
        rest = child.stdout.read()  # what it printed before dying, including our read buffer
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        errors.close()
    assert child.returncode == -signal.SIGKILL
    # Lines already in the pipe were printed after their commit too; a torn last line is not.
    complete = rest.split("\n")[:-1]
    reported += [int(x) for x in complete]
    assert integrity(db_path) == "ok"
    connection = open_db(db_path)  # the next start works
    try:
        stored = {r[0] for r in connection.execute("SELECT id FROM checkins")}
        assert set(reported) <= stored
        assert len(stored) - len(reported) <= 1  # at most the one committed but not yet printed
        after = checkin_store.add_checkin(connection, acme, 4, note="after the crash")
        assert after.id > max(stored)
        last_at = connection.execute("SELECT last_at FROM contact_summary").fetchone()[0]
        assert last_at == connection.execute("SELECT max(at) FROM checkins").fetchone()[0]
    finally:
        connection.close()


def test_sigkill_during_a_big_bulk_load_leaves_the_old_data(db_path: Path) -> None:
    fresh_book(db_path, ("Acme",))
    script = (
        "import sys\n"
        "from tempcheck.store import sample as demo\n"
        "from tempcheck.store import open_db\n"
        "conn = open_db(sys.argv[1])\n"
        "print('start', flush=True)\n"
        "demo.write_synthetic(conn, 10000, 1000000, seed=1)\n"
        "print('done', flush=True)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(db_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline() == "start\n"
        import time

        # Inside the transaction: it holds the write lock (its rows wait in a 200 MB cache,
        # so unlike the import nothing reaches the -wal before the commit).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if write_lock_is_held(db_path):
                time.sleep(0.3)  # well into the load, which takes several seconds
                break
            time.sleep(0.02)
        else:
            raise AssertionError("the load finished or never began its transaction")
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert integrity(db_path) == "ok"
    connection = open_db(db_path)
    try:
        assert [r[0] for r in connection.execute("SELECT name FROM customers")] == ["Acme"]
        assert connection.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0
        triggers = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'checkins'"
        ).fetchone()[0]
        # The bulk load's dropped triggers (summary and search index) came back with the rollback.
        assert triggers == 6
    finally:
        connection.close()


# --- a file size limit ---------------------------------------------------------------------


def test_a_file_size_limit_gives_a_clear_line_and_half_writes_nothing(db_path: Path) -> None:
    """RLIMIT_FSIZE (``ulimit -f``) in the child: SQLite sees an I/O error, not a full disk.
    A really full disk is in test_disk_full.py."""
    fresh_book(db_path, ("Acme",))
    connection = open_db(db_path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    limit = db_path.stat().st_size + 40_000  # room for the -shm file, not for the note

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [str(TEMPCHECK), "--db", str(db_path), "log", "acme", "4", "-"],
        input="a long note " * 40_000,
        capture_output=True,
        text=True,
        preexec_fn=small_disk,
        timeout=60,
    )
    assert result.returncode == 1, result
    assert result.stderr.startswith("tempcheck: ") and result.stderr.count("\n") == 1
    assert "disk" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert integrity(db_path) == "ok"
    assert notes(db_path) == []
    connection = open_db(db_path)  # with room again, writing works
    try:
        checkin_store.add_checkin(connection, 1, 4, note="room again")
    finally:
        connection.close()
    assert notes(db_path) == ["room again"]


# --- unwritable places -----------------------------------------------------------------------


def run_plain(args: list[str], preexec) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TEMPCHECK), *args],
        capture_output=True,
        text=True,
        preexec_fn=preexec,
        env=os.environ.copy(),
        timeout=60,
    )


def test_a_new_database_in_a_folder_that_is_not_writable(tmp_path: Path, plain_user) -> None:
    folder = tmp_path / "readonly-folder"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        for target in (folder / "new.db", folder / "sub" / "new.db"):
            result = run_plain(["--db", str(target), "add-customer", "Acme"], plain_user)
            assert result.returncode == 1, result
            assert result.stderr.startswith("tempcheck: cannot create ")
            assert "Permission denied" in result.stderr and result.stderr.count("\n") == 1
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_an_existing_database_in_a_folder_that_is_not_writable(tmp_path: Path, plain_user) -> None:
    folder = tmp_path / "frozen"
    folder.mkdir()
    path = folder / "t.db"
    fresh_book(path, ("Acme",))
    folder.chmod(0o500)
    try:
        result = run_plain(["--db", str(path), "log", "acme", "4"], plain_user)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1
        assert "not a tempcheck database" not in result.stderr
        assert "folder" in result.stderr or "read-only" in result.stderr
    finally:
        folder.chmod(0o700)
    assert notes(path) == []


def test_a_read_only_database_can_still_be_listed_but_not_written(
    db_path: Path, plain_user, row_counts
) -> None:
    fresh_book(db_path, ("Acme",))
    db_path.chmod(0o400)
    before = row_counts(db_path)
    listed = run_plain(["--db", str(db_path), "list", "--format", "json"], plain_user)
    assert listed.returncode == 0, listed.stderr
    assert '"name": "Acme"' in listed.stdout
    for args in (["add-customer", "B"], ["config", "cadence.default", "7"], ["demo", "--force"]):
        result = run_plain(["--db", str(db_path), *args], plain_user)
        assert result.returncode == 1, (args, result)
        assert result.stderr == "tempcheck: the database is read-only; nothing was written\n"
    assert row_counts(db_path) == before


def test_a_read_only_old_version_is_refused_without_a_half_upgrade(
    tmp_path: Path, plain_user
) -> None:
    import shutil

    path = tmp_path / "v1.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "schema_v1.db", path)
    path.chmod(0o400)
    before = path.read_bytes()
    result = run_plain(["--db", str(path), "list"], plain_user)
    assert result.returncode == 1, result
    assert result.stderr.count("\n") == 1 and "read-only" in result.stderr
    assert path.read_bytes() == before


def test_open_db_refuses_a_missing_file_without_create(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_db(tmp_path / "nothing-here.db", create=False)


def write_lock_is_held(path: Path) -> bool:
    """True while another connection is inside a write transaction on ``path``."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc), exc
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def test_sigkill_inside_a_bulk_import_leaves_the_old_data(db_path: Path, tmp_path: Path) -> None:
    import time

    fresh_book(db_path, ("Acme Corp",))
    connection = open_db(db_path)
    checkin_store.add_checkin(connection, 1, 4, note="before the import")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    source = tmp_path / "big.csv"
    with source.open("w") as handle:
        handle.write("customer,at,temperature,note\n")
        for n in range(100_000):
            handle.write(f"Acme Corp,2026-{1 + n % 9:02d}-{1 + n % 28:02d}T10:00:00Z,3,bulk {n}\n")
    child = subprocess.Popen(
        [str(TEMPCHECK), "--db", str(db_path), "import", "checkins", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wal = Path(f"{db_path}-wal")
    try:
        # The sign that the kill lands inside the transaction: the import holds the write
        # lock and has already spilled rows into the -wal file, uncommitted.
        deadline = time.monotonic() + 60
        inside = False
        while time.monotonic() < deadline and child.poll() is None:
            if wal.exists() and wal.stat().st_size > 512 * 1024 and write_lock_is_held(db_path):
                inside = True
                break
            time.sleep(0.02)
        assert inside, "the import finished or never began its transaction"
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert integrity(db_path) == "ok"
    assert notes(db_path) == ["before the import"]
    connection = open_db(db_path)  # the next start works, and so does the import
    try:
        triggers = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'checkins'"
        ).fetchone()[0]
        # The bulk path's dropped triggers (summary and search index) came back with the rollback.
        assert triggers == 6
        last_at = connection.execute("SELECT last_at FROM contact_summary").fetchone()[0]
        assert last_at == connection.execute("SELECT max(at) FROM checkins").fetchone()[0]
    finally:
        connection.close()
    again = subprocess.run(
        [str(TEMPCHECK), "--db", str(db_path), "import", "checkins", str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert len(notes(db_path)) == 100_001
