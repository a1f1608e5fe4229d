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

from tempcheck.store import StoreError, open_db
from tempcheck.store import checkins as checkin_store
from tempcheck.store import customers as customer_store
from tempcheck.store import migrations as migrations_module

TEMPCHECK = Path(sys.executable).with_name("tempcheck")

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


def integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def notes(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [r[0] for r in connection.execute("SELECT note FROM checkins ORDER BY id")]
    finally:
        connection.close()


# --- concurrency -----------------------------------------------------------------------------


def test_two_processes_logging_200_each_store_400(db_path: Path) -> None:
    acme, globex = fresh_book(db_path)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), str(customer), "200", tag],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for customer, tag in ((acme, "first"), (globex, "second"))
    ]
    outputs = [writer.communicate(timeout=120) for writer in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
        assert len(out.split()) == 200
    stored = notes(db_path)
    assert len(stored) == 400
    assert sorted(stored) == sorted(
        [f"first {n}" for n in range(200)] + [f"second {n}" for n in range(200)]
    )
    reported = {int(i) for out, _ in outputs for i in out.split()}
    connection = sqlite3.connect(db_path)
    assert reported == {r[0] for r in connection.execute("SELECT id FROM checkins")}
    summary = dict(connection.execute("SELECT customer_id, length(recent) FROM contact_summary"))
    connection.close()
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

        # No event marks "half-way through one transaction"; the load takes several seconds,
        # so a short pause lands inside it (and the assertions hold wherever it lands).
        time.sleep(0.5)
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


# --- a full disk -----------------------------------------------------------------------------


def test_a_full_disk_gives_a_clear_line_and_half_writes_nothing(db_path: Path) -> None:
    """RLIMIT_FSIZE in the child: any write past the limit fails like a full disk would."""
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


def test_a_full_database_says_the_disk_is_full(
    run_tc, db_path: Path, monkeypatch: pytest.MonkeyPatch, row_counts
) -> None:
    """SQLITE_FULL (what ENOSPC gives), simulated by capping the page count."""
    import tempcheck.cli.commands.capture as capture

    fresh_book(db_path, ("Acme",))
    real_open_store = capture.open_store

    def capped(ctx, db=None):
        conn = real_open_store(ctx, db)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(capture, "open_store", capped)
    before = row_counts(db_path)
    result = run_tc("log", "acme", "4", "-", stdin="x" * 200_000)
    assert result.exit_code == 1, result.output
    assert result.stderr == "tempcheck: the disk is full; nothing was written to the database\n"
    assert row_counts(db_path) == before
    assert integrity(db_path) == "ok"


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
