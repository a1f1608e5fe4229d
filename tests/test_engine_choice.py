"""The shell picks the SQLite engine from the command line alone, before sqlite3 loads."""

from __future__ import annotations

from pathlib import Path

from tempcheck.cli import engine


def test_the_database_is_found_as_the_shell_finds_it(tmp_path: Path) -> None:
    env = {"TEMPCHECK_DB": str(tmp_path / "env.db")}
    assert engine.db_from_argv(["list"], env) == tmp_path / "env.db"
    assert engine.db_from_argv(["--db", "/x/a.db", "list"], env) == Path("/x/a.db")
    assert engine.db_from_argv(["--db=/x/b.db", "list"], env) == Path("/x/b.db")
    # the subcommand's --db wins over the group's, as in resolve_db_path
    assert engine.db_from_argv(["--db", "/x/a.db", "log", "--db", "/x/c.db"], env) == Path(
        "/x/c.db"
    )
    assert engine.db_from_argv(["log", "--", "--db", "/x/d.db"], env) == tmp_path / "env.db"


def test_team_commands_and_team_files_need_the_engine(tmp_path: Path) -> None:
    env = {"TEMPCHECK_DB": str(tmp_path / "missing.db")}
    assert engine.first_command(["--db", "x.db", "sync"]) == "sync"
    assert engine.first_command(["--demo"]) is None
    assert engine.needs_team_engine(["team", "serve", "dir"], env)
    assert engine.needs_team_engine(["--db", "x.db", "sync"], env)
    assert not engine.needs_team_engine(["list"], env)
    solo, team, empty = tmp_path / "solo.db", tmp_path / "team.db", tmp_path / "empty.db"
    solo.write_bytes(b"SQLite format 3\x00" + bytes(84))
    team.write_bytes(b"CTLD\x0c" + bytes(60))
    empty.write_bytes(b"")
    assert engine.needs_team_engine(["--db", str(team), "list"], env)
    assert not engine.needs_team_engine(["--db", str(solo), "list"], env)
    assert not engine.needs_team_engine(["--db", str(empty)], env)
    assert not engine.needs_team_engine(["--db", str(tmp_path)], env)  # a folder: not a file
