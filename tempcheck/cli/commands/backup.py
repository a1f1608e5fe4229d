"""``tempcheck backup [PATH]``: a consistent copy of the database, safe while it is in use."""

from __future__ import annotations

from pathlib import Path

import click

from tempcheck.cli.common import Failure, command, fail_cleanly, resolve_db_path
from tempcheck.exchange import backup as backups
from tempcheck.store import open_db


@command("backup")
@click.argument("path", required=False, type=click.Path(path_type=str))
@click.pass_context
def backup(ctx: click.Context, db: str | None, path: str | None) -> None:
    """Copy the database to PATH (default: tempcheck-backup-YYYYmmdd-HHMMSS.db
    beside it, or inside PATH if it is a folder).

    Safe while the dashboard is open and other commands write: the copy is
    the database as it was at one moment. It is readable by you only, and an
    existing file is never overwritten.
    """

    with fail_cleanly():
        source = resolve_db_path(ctx, db)
        conn = open_db(source, create=False)
        try:
            target = backups.default_backup_path(source)
            unique = True  # the timestamped name: a second backup within the second gets -2
            if path:
                chosen = Path(path).expanduser()
                unique = chosen.is_dir()
                target = chosen / target.name if unique else chosen
            result = backups.backup(conn, target.absolute(), unique=unique)
        finally:
            conn.close()
    size = (
        f"{result.size / 1_000_000:.1f} MB"
        if result.size >= 100_000
        else f"{result.size // 1000} kB"
    )
    click.echo(
        f"Backed up {plural(result.customers, 'customer')} and "
        f"{plural(result.checkins, 'check-in')} "
        f"to {result.path} ({size})."
    )
    if result.problems:
        raise Failure(
            "the database fails its integrity check"
            f" ({backups.describe_problems(result.problems)}); the copy holds it as it is."
            " Keep both files and restore from an earlier backup if you have one"
        )


def plural(count: int, noun: str) -> str:
    """``1 customer``, ``2 customers``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
