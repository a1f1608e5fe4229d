"""Choose the SQLite engine before anything imports :mod:`sqlite3`.

A team database is a Doltlite file (it starts with ``CTLD``, not with SQLite's
``SQLite format 3``). Doltlite replaces SQLite's engine process-wide and only
cleanly when it is loaded before the first ``import sqlite3``, so the shell
decides here, from the command line alone, whether this run needs it:

- ``tempcheck team …`` and ``tempcheck sync`` always do (they may create one);
- any other run does when its database file (``--db``, ``TEMPCHECK_DB`` or the
  default) is a team database.

Solo runs on plain SQLite files never import Doltlite. This module imports
nothing heavy and nothing that imports :mod:`sqlite3`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tempcheck.domain.fileformat import INSTALL_HINT, engine_loaded, is_team_file

ENGINE_COMMANDS = frozenset({"team", "sync"})


class TeamEngineMissing(Exception):
    """A team database or command, but the ``team`` extra is not installed."""


def db_from_argv(argv: Sequence[str], environ: Mapping[str, str]) -> Path:
    """The database this command line names, as :func:`resolve_db_path` would find it."""
    chosen: str | None = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--db" and index + 1 < len(argv):
            chosen = argv[index + 1]  # the last --db wins, like the subcommand's over the group's
        elif arg.startswith("--db="):
            chosen = arg.split("=", 1)[1]
    if chosen:
        return Path(chosen).expanduser()
    if from_env := environ.get("TEMPCHECK_DB"):
        return Path(from_env).expanduser()
    import platformdirs  # lazy: keeps tempcheck log fast

    return platformdirs.user_data_path("tempcheck", appauthor=False) / "tempcheck.db"


def first_command(argv: Sequence[str]) -> str | None:
    """The subcommand's name: the first word that is neither an option nor its value."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--db":
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg
    return None


def needs_team_engine(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Does this run need Doltlite loaded?"""
    if first_command(argv) in ENGINE_COMMANDS:
        return True
    return is_team_file(db_from_argv(argv, environ))


def load_team_engine() -> None:
    """Load Doltlite as this process's SQLite engine; one clear error if it is missing."""
    try:
        import doltlite  # noqa: F401  (importing it swaps the engine in)
    except ImportError:
        raise TeamEngineMissing(f"team mode needs the team extra: {INSTALL_HINT}") from None


def prepare(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> None:
    """Called first thing by the shell entry point: load Doltlite when this run needs it.

    When the engine is missing, only team commands fail; opening a team file
    without it fails later, in the store, with the same hint.
    """
    argv = sys.argv[1:] if argv is None else argv
    environ = os.environ if environ is None else environ
    if "sqlite3" in sys.modules or engine_loaded():
        return  # too late to choose (in-process callers such as tests), or already chosen
    if needs_team_engine(argv, environ):
        try:
            load_team_engine()
        except TeamEngineMissing:
            pass  # reported by the command or the store, in one line
