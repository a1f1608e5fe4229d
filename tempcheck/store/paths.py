"""Where the database lives: ``--db``, else ``TEMPCHECK_DB``, else the user data folder.

Nothing here touches the disk at import time; folders are made on demand by
the store, private to their owner.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs

ENV_VAR = "TEMPCHECK_DB"
FILENAME = "tempcheck.db"


def default_db_path() -> Path:
    """The database path when no ``--db`` is given."""
    if from_env := os.environ.get(ENV_VAR):
        return Path(from_env).expanduser()

    return platformdirs.user_data_path("tempcheck", appauthor=False) / FILENAME


def fresh_demo_path() -> Path:
    """A new, private folder for a throwaway demo database, away from the user's own."""
    return Path(tempfile.mkdtemp(prefix="tempcheck-demo-")) / "demo.db"
