"""``tempcheck followups``: "rinse and repeat". Lists what is due; done, snooze, add."""

from __future__ import annotations

import click

from tempcheck.cli.common import (
    ROW_ID,
    Failure,
    command,
    db_option,
    fail_cleanly,
    find_customer,
    future_date,
    not_empty,
    open_store,
)
from tempcheck.cli.output import FORMATS, emit_records
from tempcheck.cli.tables import FOLLOWUP_FIELDS, day, followup_record, followup_table, safe
from tempcheck.domain import clock
from tempcheck.domain.dates import parse_date
from tempcheck.services import settle
from tempcheck.store import followups as store
from tempcheck.store.followups import add_followup, open_followups


def _db(ctx: click.Context, db: str | None) -> str | None:
    """The subcommand's --db, else the one given to ``followups`` itself."""
    if db:
        return db
    parent = ctx.parent
    return parent.params.get("db") if parent is not None else None


@click.group(
    "followups",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@db_option
@click.option(
    "--days",
    type=click.IntRange(0, 36500),  # a hundred years
    default=0,
    show_default=True,
    help="Also list those due within this many days (0: due today or overdue).",
)
@click.option("--customer", callback=not_empty, help="Only this customer's follow-ups.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def followups(
    ctx: click.Context, db: str | None, days: int, customer: str | None, fmt: str
) -> None:
    """List follow-ups that are due or overdue, soonest first; or done/snooze/add one."""
    if ctx.invoked_subcommand is not None:
        return

    conn = open_store(ctx, db)
    with fail_cleanly():
        customer_id = find_customer(conn, customer).id if customer else None
        found = open_followups(conn, customer_id=customer_id, due_within_days=days)
    if fmt != "table":
        emit_records([followup_record(f) for f in found], fmt, FOLLOWUP_FIELDS)
    elif not found:
        window = "today" if days == 0 else f"within {days} day{'s' if days != 1 else ''}"
        click.echo(f"No follow-ups due {window}.")
    else:
        click.echo(followup_table(found))


@command("done")
@click.argument("followup_id", type=ROW_ID)
@click.pass_context
def done(ctx: click.Context, db: str | None, followup_id: int) -> None:
    """Mark follow-up FOLLOWUP_ID done."""
    conn = open_store(ctx, _db(ctx, db))
    with fail_cleanly():
        finished = settle.followup_done(conn, followup_id).item
    note = f": {safe(finished.note, 80)}" if finished.note else ""
    click.echo(f"Done: follow-up {finished.id} with {safe(finished.customer_name)}{note}")


@command("snooze")
@click.argument("followup_id", type=ROW_ID)
@click.argument("until")
@click.pass_context
def snooze(ctx: click.Context, db: str | None, followup_id: int, until: str) -> None:
    """Move follow-up FOLLOWUP_ID to a later day: tomorrow, mon, +3d, 2026-12-01."""
    with fail_cleanly():
        new_due = parse_date(until)
        if new_due <= clock.today():
            raise Failure(f"snooze to a day after today, not {until!r} ({new_due.isoformat()})")
    conn = open_store(ctx, _db(ctx, db))
    with fail_cleanly():
        moved = store.snooze(conn, followup_id, new_due)
    click.echo(
        f"Snoozed follow-up {moved.id} with {safe(moved.customer_name)} to {day(moved.due)}"
        f" ({moved.due.isoformat()})"
    )


@command("add")
@click.argument("customer")
@click.argument("due_text", metavar="DATE")
@click.argument("note", nargs=-1)
@click.pass_context
def add(
    ctx: click.Context, db: str | None, customer: str, due_text: str, note: tuple[str, ...]
) -> None:
    """Plan a follow-up with CUSTOMER on DATE, with an optional NOTE."""
    with fail_cleanly():
        due = future_date(due_text, "the date")
    conn = open_store(ctx, _db(ctx, db))
    with fail_cleanly():
        found = find_customer(conn, customer, verb="Add it for")
        made = add_followup(conn, found.id, due, " ".join(note))
    click.echo(
        f"Added follow-up {made.id} with {safe(found.name)} on {day(made.due)}"
        f" ({made.due.isoformat()})"
    )


followups.add_command(done)
followups.add_command(snooze)
followups.add_command(add)
