"""``tempcheck config``: show and change settings such as the staleness thresholds."""

from __future__ import annotations

import click

from tempcheck.cli.common import command, fail_cleanly, open_store, resolve_db_path
from tempcheck.domain.settings import SETTINGS, validate
from tempcheck.store import identity, settings, write


@command("config")
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.pass_context
def config(ctx: click.Context, db: str | None, key: str | None, value: str | None) -> None:
    """Show all settings, one setting (KEY), or set one (KEY VALUE)."""
    if key == identity_key():
        _user_name(ctx, db, value)
        return
    conn = open_store(ctx, db)
    with fail_cleanly():
        if key is None:
            values = settings.read_all(conn)
            width = max(len(k) for k in values)
            for name, current in values.items():
                click.echo(f"{name.ljust(width)}  {current:>6}  {SETTINGS[name].help}")

            member = identity.name_for_path(resolve_db_path(ctx, db))
            click.echo(f"{identity.NAME_KEY}  {member}  (this copy only; never synced)")
            return
        if value is None:
            validate(key, SETTINGS[key].default if key in SETTINGS else "0")
            click.echo(settings.get(conn, key))
            return
        with write(conn):
            stored = settings.set_checked(conn, key, value)
        click.echo(f"{key} = {stored}")


def identity_key() -> str:
    return "user.name"


def _user_name(ctx: click.Context, db: str | None, value: str | None) -> None:
    """``user.name``: who logs check-ins from this copy; kept beside the database, never synced."""
    path = resolve_db_path(ctx, db)
    with fail_cleanly():
        if value is None:
            click.echo(identity.name_for_path(path))
            return
        stored = identity.set_name(path, value)
    click.echo(f"user.name = {stored}")
