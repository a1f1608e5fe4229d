"""``tempcheck config``: show and change settings such as the staleness thresholds."""

from __future__ import annotations

import click

from tempcheck.cli.common import command, fail_cleanly, open_store


@command("config")
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.pass_context
def config(ctx: click.Context, db: str | None, key: str | None, value: str | None) -> None:
    """Show all settings, one setting (KEY), or set one (KEY VALUE)."""
    from tempcheck.domain.settings import SETTINGS, validate
    from tempcheck.store import settings, write

    conn = open_store(ctx, db)
    with fail_cleanly():
        if key is None:
            values = settings.read_all(conn)
            width = max(len(k) for k in values)
            for name, current in values.items():
                click.echo(f"{name.ljust(width)}  {current:>6}  {SETTINGS[name].help}")
            return
        if value is None:
            validate(key, SETTINGS[key].default if key in SETTINGS else "0")
            click.echo(settings.get(conn, key))
            return
        with write(conn):
            stored = settings.set_checked(conn, key, value)
        click.echo(f"{key} = {stored}")
