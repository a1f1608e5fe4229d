"""``tempcheck concern add|confirm|drop|list``: "calibrate" and "listen, then confirm"."""

from __future__ import annotations

import click

from tempcheck.cli.common import ROW_ID, command, fail_cleanly, find_customer, open_store
from tempcheck.cli.tables import concern_table, local_day, safe
from tempcheck.services import settle
from tempcheck.store import concerns


@click.group("concern", context_settings={"help_option_names": ["-h", "--help"]})
def concern() -> None:
    """Keep each customer's concerns and priorities, assumed or confirmed with them."""


@command("add")
@click.argument("customer")
@click.argument("text")
@click.option("--priority", is_flag=True, help="A priority of theirs rather than a concern.")
@click.option("--rank", type=click.IntRange(min=1), help="1 matters most (default: last).")
@click.option("--confirmed", is_flag=True, help="Confirmed with the customer today.")
@click.pass_context
def add(
    ctx: click.Context,
    db: str | None,
    customer: str,
    text: str,
    priority: bool,
    rank: int | None,
    confirmed: bool,
) -> None:
    """Note a concern (or --priority) of CUSTOMER's."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = find_customer(conn, customer, verb="Add it for")
        made = concerns.add_concern(
            conn,
            found.id,
            text,
            kind="priority" if priority else "concern",
            rank=rank,
            confirmed=confirmed,
        )
    click.echo(
        f"Added {made.kind} {made.id} for {safe(found.name)} (#{made.rank}, {made.state}): "
        f"{safe(made.text, 80)}"
    )


@command("confirm")
@click.argument("concern_id", type=ROW_ID)
@click.pass_context
def confirm(ctx: click.Context, db: str | None, concern_id: int) -> None:
    """Record that the customer confirmed CONCERN_ID today."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        done = settle.confirm_concern(conn, concern_id).item
    click.echo(f"Confirmed {done.kind} {done.id} today: {safe(done.text, 80)}")


@command("drop")
@click.argument("concern_id", type=ROW_ID)
@click.pass_context
def drop(ctx: click.Context, db: str | None, concern_id: int) -> None:
    """Drop CONCERN_ID: it no longer matters to the customer (history is kept)."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        done = settle.drop_concern(conn, concern_id).item
    click.echo(f"Dropped {done.kind} {done.id}: {safe(done.text, 80)}")


@command("list")
@click.argument("customer")
@click.option("--all", "include_dropped", is_flag=True, help="Include dropped ones.")
@click.pass_context
def list_(ctx: click.Context, db: str | None, customer: str, include_dropped: bool) -> None:
    """List CUSTOMER's concerns and priorities by rank, and whether to recalibrate."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = find_customer(conn, customer, verb="List them for")
        listed = concerns.list_concerns(conn, found.id, include_dropped=include_dropped)
        shifted, last = concerns.calibration(conn, found.id)
    if not listed:
        click.echo(f"No concerns or priorities recorded for {safe(found.name)}.")
        return
    click.echo(concern_table(listed))
    if shifted:
        since = f"last confirmed {local_day(last)}" if last else "never confirmed"
        click.echo(f"! priorities may have shifted ({since})")


concern.add_command(add)
concern.add_command(confirm)
concern.add_command(drop)
concern.add_command(list_)
