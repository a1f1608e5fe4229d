"""``tempcheck tag`` and ``untag``: industry, tier, region, whatever groups customers."""

from __future__ import annotations

import click

from tempcheck.cli.common import command, fail_cleanly, open_store
from tempcheck.cli.tables import safe
from tempcheck.store import accounts, customers


@command("tag")
@click.argument("customer")
@click.argument("tags", nargs=-1)
@click.pass_context
def tag(ctx: click.Context, db: str | None, customer: str, tags: tuple[str, ...]) -> None:
    """Tag CUSTOMER with TAG... (e.g. fintech tier-1 emea). Without TAG, list its tags."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = customers.resolve(conn, customer)
        new = accounts.add_tags(conn, found.id, tags) if tags else []
        now = accounts.tags_of(conn, found.id)
    shown = " ".join(f"#{t}" for t in now) or "no tags"
    if tags:
        added = f"added {len(new)}" if new else "nothing new"
        click.echo(f"{safe(found.name)}: {safe(shown)} ({added}).")
    else:
        click.echo(f"{safe(found.name)}: {safe(shown)}")


@command("untag")
@click.argument("customer")
@click.argument("tags", nargs=-1, required=True)
@click.pass_context
def untag(ctx: click.Context, db: str | None, customer: str, tags: tuple[str, ...]) -> None:
    """Remove TAG... from CUSTOMER."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = customers.resolve(conn, customer)
        gone = accounts.remove_tags(conn, found.id, tags)
        now = accounts.tags_of(conn, found.id)
    shown = " ".join(f"#{t}" for t in now) or "no tags"
    removed = f"removed {len(gone)}" if gone else "none of those tags were there"
    click.echo(f"{safe(found.name)}: {safe(shown)} ({removed}).")


tag_option = click.option(
    "--tag", "tag_filter", metavar="TAG", help="Only customers with this tag."
)
