"""``tempcheck log``: record how a customer felt, from the shell, in one line.

Kept lean on purpose: it imports neither Textual nor pendulum unless a date
needs reading, so it returns before the next meeting starts.
"""

from __future__ import annotations

import sys

import click

from tempcheck.cli.common import Failure, command, fail_cleanly, open_store
from tempcheck.domain.records import CHANNELS, REACHED_OUT


@command("log")
@click.argument("customer")
@click.argument("temp")
@click.argument("note", nargs=-1)
@click.option("--channel", type=click.Choice(CHANNELS), default="hallway", show_default=True)
@click.option(
    "--by",
    "initiated_by",
    type=click.Choice(REACHED_OUT),
    default="us",
    show_default=True,
    help="Who reached out.",
)
@click.option("--follow-up", "follow_up", help="Follow up on: fri, +3d, 2w, 2026-12-01.")
@click.option("--short", "fell_short", default="", help="Where did we fall short? (temp 1-2)")
@click.option("--issue", "issue_id", type=int, help="The related issue's id.")
@click.option(
    "--with", "with_person", help="Who it was with: a contact's name (exact, prefix or part)."
)
@click.option("--at", "at_text", help="When it happened, if not now: yesterday 14:30, mon 9:15.")
@click.option("--create", is_flag=True, help="Add the customer if nobody matches.")
@click.pass_context
def log(
    ctx: click.Context,
    db: str | None,
    customer: str,
    temp: str,
    note: tuple[str, ...],
    channel: str,
    initiated_by: str,
    follow_up: str | None,
    fell_short: str,
    issue_id: int | None,
    with_person: str | None,
    at_text: str | None,
    create: bool,
) -> None:
    """Log a check-in: CUSTOMER TEMP [NOTE...]. TEMP is 1-5 or a word
    (frustrated, uneasy, neutral, content, delighted). NOTE '-' reads standard input.

    Example: tempcheck log "Acme Corp" 4 replacement order was fine --follow-up fri
    """
    from tempcheck.domain import clock, temperature
    from tempcheck.domain.text import printable
    from tempcheck.store import checkins, customers

    with fail_cleanly():
        value = temperature.parse_temperature(temp)
        text = " ".join(note)
        if text == "-":
            text = sys.stdin.read().rstrip("\n")
        due = None
        if follow_up:
            from tempcheck.domain.dates import format_short, parse_date

            due = parse_date(follow_up)
            if due < clock.today():
                raise Failure(f"--follow-up {follow_up!r} is in the past ({due.isoformat()})")
        at = None
        if at_text:
            from tempcheck.domain.dates import parse_datetime

            at = parse_datetime(at_text)
            if at > clock.now():
                raise Failure(f"--at {at_text!r} is in the future")
    conn = open_store(ctx, db)
    from tempcheck.store import write

    with fail_cleanly(), write(conn):  # a new customer and its check-in, or neither
        try:
            found = customers.resolve(conn, customer)
        except customers.CustomerNotFound as missing:
            if not create:
                names = ", ".join(printable(n, single_line=True) for n in missing.suggestions)
                hint = f" Closest: {names}." if names else ""
                raise Failure(
                    f"no customer matches {customer!r}.{hint} Use --create to add it.", 2
                ) from None
            found = customers.add_customer(conn, customer)
        person = None
        if with_person is not None:
            from tempcheck.store.contacts import resolve_contact

            person = resolve_contact(conn, found.id, with_person, customer_name=found.name)
        saved = checkins.add_checkin(
            conn,
            found.id,
            value,
            note=text,
            channel=channel,
            initiated_by=initiated_by,
            at=at,
            fell_short=fell_short,
            follow_up=due,
            issue_id=issue_id,
            contact_id=person.id if person else None,
        )
    parts = [f"Logged {printable(found.name, single_line=True)}: {temperature.label(value)}"]
    if person is not None:
        parts[0] += f" with {printable(person.name, single_line=True)}"
    if due:
        parts.append(f"follow up {format_short(due)} ({due.isoformat()})")
    if at:
        parts.append(f"at {clock.local(at).strftime('%Y-%m-%d %H:%M')}")
    click.echo(", ".join(parts) + f" [check-in {saved.id}]")
