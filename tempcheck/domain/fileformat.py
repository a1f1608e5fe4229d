"""How a tempcheck database file says which engine it needs.

A team database is a Doltlite file: it starts with ``CTLD``, not with SQLite's
``SQLite format 3``. Nothing here imports :mod:`sqlite3`, so the shell can ask
before choosing the engine.
"""

from __future__ import annotations

import os
import sys

TEAM_MAGIC = b"CTLD"
SQLITE_MAGIC = b"SQLite format 3\x00"
INSTALL_HINT = "pip install 'tempcheck[team]'"


def is_team_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is an existing Doltlite (team) database."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(TEAM_MAGIC)) == TEAM_MAGIC
    except OSError:
        return False


def engine_loaded() -> bool:
    """Is Doltlite this process's SQLite engine?"""
    return sys.modules.get("doltlite") is not None
