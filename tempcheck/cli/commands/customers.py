"""Customer commands: add, edit, pause, end, reactivate."""

from __future__ import annotations

import click

from tempcheck.cli.common import Failure, command, fail_cleanly, find_customer, open_store
from tempcheck.domain import clock
from tempcheck.domain.cadence import parse_cadence
from tempcheck.domain.dates import parse_date
from tempcheck.domain.records import KINDS
from tempcheck.domain.text import printable
from tempcheck.store import accounts, customers, write
from tempcheck.store.customers import add_customer as add

cadence_option = click.option(
    "--cadence", help="How often they should hear from us: 7d, 2w, 1m (default: 14d)."
)
kind_option = click.option("--kind", type=click.Choice(KINDS), help="Engagement kind.")
contact_option = click.option("--contact", help="Contact person at the customer.")


@command("add-customer")
@click.argument("name")
@cadence_option
@kind_option
@contact_option
@click.option("--notes", default="", help="Free-text notes.")
@click.pass_context
def add_customer(
    ctx: click.Context,
    db: str | None,
    name: str,
    cadence: str | None,
    kind: str | None,
    contact: str | None,
    notes: str,
) -> None:
    """Add a customer NAME."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        customer = add(
            conn,
            name,
            cadence_days=parse_cadence(cadence) if cadence else None,
            kind=kind or "relationship",
            contact=contact or "",
            notes=notes,
        )
    click.echo(
        f"Added {printable(customer.name, single_line=True)} "
        f"({customer.kind}, every {customer.cadence_days} days)."
    )


@command("edit")
@click.argument("customer")
@cadence_option
@kind_option
@contact_option
@click.option("--rename", help="A new name.")
@click.option("--notes", help="Replace the notes.")
@click.option("--calibration", help="Calibration interval: 90d, 12w, 3m.")
@click.option("--owner", help="The consultant responsible ('' clears it).")
@click.option(
    "--renewal", help="Renewal or contract end: 2027-03-31, +3m, next month ('' or none clears it)."
)
@click.option("--domain", help="The customer's email domain (acme.com), for matching meetings.")
@click.pass_context
def edit(
    ctx: click.Context,
    db: str | None,
    customer: str,
    cadence: str | None,
    kind: str | None,
    contact: str | None,
    rename: str | None,
    notes: str | None,
    calibration: str | None,
    owner: str | None,
    renewal: str | None,
    domain: str | None,
) -> None:
    """Change a customer's cadence, kind, contact, name, notes, owner, renewal date or
    email domain."""
    given = (cadence, kind, contact, rename, notes, calibration, owner, renewal, domain)
    if not any(v is not None for v in given):
        raise Failure(
            "nothing to change: give --cadence, --kind, --contact, --rename, --notes, "
            "--calibration, --owner, --renewal or --domain",
            2,
        )
    renewal_on = None
    if renewal is not None and renewal.strip().lower() not in ("", "none"):
        with fail_cleanly():
            renewal_on = parse_date(renewal)
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = find_customer(conn, customer, verb="Edit")
    with fail_cleanly(), write(conn):  # every change, or none
        if owner is not None or renewal is not None:
            if owner is not None:
                accounts.set_owner(conn, found.id, owner)
            if renewal is not None:
                accounts.set_renewal(conn, found.id, renewal_on)
        if domain is not None:
            domain = customers.set_domain(conn, found.id, domain)
        changed = customers.edit(
            conn,
            found.id,
            name=rename,
            cadence_days=parse_cadence(cadence) if cadence else None,
            kind=kind,
            contact=contact,
            notes=notes,
            calibration_days=(
                parse_cadence(calibration, "the calibration interval") if calibration else None
            ),
        )
    line = (
        f"{printable(changed.name, single_line=True)}: {changed.kind}, every "
        f"{changed.cadence_days} days, contact {printable(changed.contact) or '—'}"
    )
    if changed.owner or owner is not None:
        line += f", owner {printable(changed.owner, single_line=True) or '—'}"
    if changed.renewal_on or renewal is not None:
        line += f", renewal {changed.renewal_on.isoformat() if changed.renewal_on else '—'}"
    if domain is not None:
        line += f", email domain {domain or '—'}"
    click.echo(line + ".")


@command("pause")
@click.argument("customer")
@click.option("--until", "until_text", help="Reactivate on this date (e.g. 2026-12-01, 3m).")
@click.option("--note", default="", help="Why.")
@click.pass_context
def pause(
    ctx: click.Context, db: str | None, customer: str, until_text: str | None, note: str
) -> None:
    """Pause a customer: out of the daily view until a date, or until reactivated."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        until = None
        if until_text:
            until = parse_date(until_text)
            if until <= clock.today():
                raise Failure(f"--until must be in the future, not {until.isoformat()}")
        found = find_customer(conn, customer, verb="Pause")
        customers.set_status(conn, found.id, "paused", until=until, note=note)
    when = f" until {until.isoformat()}" if until else ""
    click.echo(f"Paused {printable(found.name, single_line=True)}{when}.")


@command("end")
@click.argument("customer")
@click.option("--note", required=True, help="A closing note: how the relationship ended.")
@click.pass_context
def end(ctx: click.Context, db: str | None, customer: str, note: str) -> None:
    """End a relationship with honour; the history is kept."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = find_customer(conn, customer, verb="End")
        customers.set_status(conn, found.id, "ended", note=note)
    click.echo(f"Ended {printable(found.name, single_line=True)}; its history is kept.")


@command("reactivate")
@click.argument("customer")
@click.pass_context
def reactivate(ctx: click.Context, db: str | None, customer: str) -> None:
    """Bring a paused or ended customer back into the daily view."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = find_customer(conn, customer, verb="Reactivate")
        customers.set_status(conn, found.id, "active", note="reactivated")
    click.echo(f"{printable(found.name, single_line=True)} is active again.")
