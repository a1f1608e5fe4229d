"""``tempcheck contact add|list|edit|gone``: the people at each customer."""

from __future__ import annotations

import click

from tempcheck.cli.commands.contact_import import import_contacts
from tempcheck.cli.common import Failure, command, fail_cleanly, open_store
from tempcheck.cli.output import emit_records
from tempcheck.cli.tables import people_table, person_records, safe
from tempcheck.store import contacts, customers

PEOPLE_FIELDS = (
    "customer",
    "name",
    "role",
    "email",
    "phone",
    "primary",
    "gone",
    "last_checkin",
    "last_temperature",
    "notes",
    "uid",
)


@click.group("contact", context_settings={"help_option_names": ["-h", "--help"]})
def contact() -> None:
    """The people at each customer: roles, email, phone, who is primary, who left."""


@command("add")
@click.argument("customer")
@click.argument("name")
@click.option("--role", default="", help="Their role: CFO, sponsor, project lead.")
@click.option("--email", default="", help="Email address.")
@click.option("--phone", default="", help="Phone number.")
@click.option("--notes", default="", help="Free-text notes about them.")
@click.option("--primary", is_flag=True, help="Make them the primary contact.")
@click.pass_context
def add(
    ctx: click.Context,
    db: str | None,
    customer: str,
    name: str,
    role: str,
    email: str,
    phone: str,
    notes: str,
    primary: bool,
) -> None:
    """Add NAME as a contact at CUSTOMER (the first one becomes primary)."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = customers.resolve(conn, customer)
        person = contacts.add_contact(
            conn,
            found.id,
            name,
            role=role,
            email=email,
            phone=phone,
            notes=notes,
            primary=primary,
        )
    extra = " (primary)" if person.is_primary else ""
    click.echo(f"Added {safe(person.label)} at {safe(found.name)}{extra}.")


@command("list")
@click.argument("customer", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("--all", "include_gone", is_flag=True, help="Include people marked gone.")
@click.pass_context
def list_(
    ctx: click.Context, db: str | None, customer: str | None, fmt: str, include_gone: bool
) -> None:
    """List the people at CUSTOMER (or at every customer), primary first."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        if customer is not None:
            found = customers.resolve(conn, customer)
            owners = {found.id: found.name}
        else:
            owners = dict(conn.execute("SELECT id, name FROM customers").fetchall())
        records = []
        for cid in sorted(owners, key=lambda i: owners[i].casefold()):
            records += [
                r for r in person_records(conn, cid, owners[cid]) if include_gone or not r["gone"]
            ]
    if fmt in ("json", "csv"):
        emit_records(records, fmt, PEOPLE_FIELDS)
    else:
        if not records:
            where = "there" if customer else "anywhere"
            click.echo(f"Nobody recorded {where} yet: tempcheck contact add CUSTOMER NAME")
            return
        click.echo(people_table(records, with_customer=customer is None))


@command("edit")
@click.argument("customer")
@click.argument("name")
@click.option("--rename", help="A new name.")
@click.option("--role", help="Their role.")
@click.option("--email", help="Email address ('' clears it).")
@click.option("--phone", help="Phone number ('' clears it).")
@click.option("--notes", help="Replace the notes.")
@click.option("--primary", is_flag=True, help="Make them the primary contact.")
@click.pass_context
def edit(
    ctx: click.Context,
    db: str | None,
    customer: str,
    name: str,
    rename: str | None,
    role: str | None,
    email: str | None,
    phone: str | None,
    notes: str | None,
    primary: bool,
) -> None:
    """Change a contact NAME at CUSTOMER (matched exactly, by prefix or by a unique part)."""
    if not primary and all(v is None for v in (rename, role, email, phone, notes)):
        raise Failure(
            "nothing to change: give --rename, --role, --email, --phone, --notes or --primary", 2
        )
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = customers.resolve(conn, customer)
        person = contacts.resolve_contact(conn, found.id, name, customer_name=found.name)
        changed = contacts.edit_contact(
            conn,
            person.id,
            name=rename,
            role=role,
            email=email,
            phone=phone,
            notes=notes,
            primary=True if primary else None,
        )
    extra = " (primary)" if changed.is_primary else ""
    click.echo(f"Updated {safe(changed.label)} at {safe(found.name)}{extra}.")


@command("gone")
@click.argument("customer")
@click.argument("name")
@click.pass_context
def gone(ctx: click.Context, db: str | None, customer: str, name: str) -> None:
    """Mark NAME at CUSTOMER as gone (left, moved on); their check-ins keep the name."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = customers.resolve(conn, customer)
        person = contacts.resolve_contact(conn, found.id, name, customer_name=found.name)
        contacts.mark_gone(conn, person.id)
        now_primary = contacts.primary_contact(conn, found.id)
    line = f"Marked {safe(person.name)} at {safe(found.name)} as gone; their history is kept."
    if person.is_primary:
        who = safe(now_primary.name) if now_primary else "nobody"
        line += f" Primary contact now: {who}."
    click.echo(line)


contact.add_command(add)
contact.add_command(list_)
contact.add_command(edit)
contact.add_command(gone)


def _add_import() -> None:
    contact.add_command(import_contacts)


_add_import()
