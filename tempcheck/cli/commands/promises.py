"""``tempcheck promise add|keep|break|list``: "under-promise, over-deliver", from the shell."""

from __future__ import annotations

import click

from tempcheck.cli.common import (
    ROW_ID,
    Failure,
    command,
    fail_cleanly,
    find_customer,
    future_date,
    not_empty,
    open_store,
)
from tempcheck.cli.output import FORMATS, emit_records
from tempcheck.cli.tables import PROMISE_FIELDS, day, promise_record, promise_table, safe
from tempcheck.domain.dates import parse_date
from tempcheck.services import settle
from tempcheck.store import promises


@click.group("promise", context_settings={"help_option_names": ["-h", "--help"]})
def promise() -> None:
    """Record promises and settle them as kept or broken."""


@command("add")
@click.argument("customer")
@click.argument("text")
@click.option("--due", "due_text", help="When it is due (required): fri, +3d, 2w, 2026-12-01.")
@click.pass_context
def add(ctx: click.Context, db: str | None, customer: str, text: str, due_text: str | None) -> None:
    """Record a promise to CUSTOMER: what, and by when."""
    if not due_text:
        raise Failure("a promise needs a due date: --due DATE (e.g. fri, +3d, 2026-12-01)")
    with fail_cleanly():
        due = future_date(due_text, "--due")
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = find_customer(conn, customer, verb="Record it for")
        made = promises.add_promise(conn, found.id, text, due)
    click.echo(
        f"Recorded promise {made.id} to {safe(found.name)}: {safe(made.text, 80)} "
        f"(due {day(made.due)})"
    )


@command("keep")
@click.argument("promise_id", type=ROW_ID)
@click.option("--on", "on_text", help="The day it was kept, if not today: yesterday, mon.")
@click.option("--note", default="", help="Anything worth remembering.")
@click.pass_context
def keep(
    ctx: click.Context, db: str | None, promise_id: int, on_text: str | None, note: str
) -> None:
    """Mark promise PROMISE_ID kept (early, on time or late follows from the dates)."""
    with fail_cleanly():
        on = None
        if on_text:
            on = parse_date(on_text, past=True)
    conn = open_store(ctx, db)
    with fail_cleanly():
        kept = settle.keep_promise(conn, promise_id, note=note, on=on).item
    click.echo(
        f"Kept promise {kept.id} to {safe(kept.customer_name)} {kept.timing}: {safe(kept.text, 80)}"
    )


@command("break")
@click.argument("promise_id", type=ROW_ID)
@click.option("--note", help="What happened (required).")
@click.pass_context
def break_(ctx: click.Context, db: str | None, promise_id: int, note: str | None) -> None:
    """Mark promise PROMISE_ID broken, with a note saying what happened."""
    if not note or not note.strip():
        raise Failure("breaking a promise needs --note TEXT: what happened?")
    conn = open_store(ctx, db)
    with fail_cleanly():
        broken = settle.break_promise(conn, promise_id, note).item
    click.echo(
        f"Broke promise {broken.id} to {safe(broken.customer_name)}: {safe(broken.text, 80)}"
    )


@command("list")
@click.option("--customer", callback=not_empty, help="Only this customer's promises.")
@click.option("--all", "include_settled", is_flag=True, help="Include kept and broken promises.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def list_(
    ctx: click.Context, db: str | None, customer: str | None, include_settled: bool, fmt: str
) -> None:
    """List open promises, soonest due first (with --customer, also the record)."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        customer_id = find_customer(conn, customer).id if customer else None
        found = promises.list_promises(
            conn, customer_id=customer_id, include_settled=include_settled
        )
        record = promises.promise_record(conn, customer_id) if customer_id else None
    if fmt != "table":
        emit_records([promise_record(p) for p in found], fmt, PROMISE_FIELDS)
        return
    if found:
        click.echo(promise_table(found))
    else:
        click.echo("No promises." if include_settled else "No open promises.")
    if record is not None:
        click.echo(f"Record: {record.summary}")


promise.add_command(add)
promise.add_command(keep)
promise.add_command(break_)
promise.add_command(list_)
