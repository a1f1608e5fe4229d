"""``tempcheck today``, ``spread`` and ``snooze``: the morning brief from the shell.

All stored text goes through :func:`tempcheck.domain.text.printable` (text) or the
Markdown escaper (md) before it is printed.
"""

from __future__ import annotations

import click

from tempcheck.cli.common import Failure, command, fail_cleanly, find_customer, open_store
from tempcheck.cli.output import emit_json
from tempcheck.cli.tables import day, safe
from tempcheck.domain import clock
from tempcheck.domain.brief import as_record, text_lines
from tempcheck.domain.dates import parse_date
from tempcheck.report.review import brief_markdown
from tempcheck.services.brief import brief
from tempcheck.store import reminders
from tempcheck.store.accounts import check_tag_filter
from tempcheck.store.reminders import spread as spread_baselines


@command("today")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "md"]),
    default="text",
    show_default=True,
    help="text for the terminal, json for scripts, md for notes.",
)
@click.option("--tag", "tag_filter", metavar="TAG", help="Only customers with this tag.")
@click.pass_context
def today(ctx: click.Context, db: str | None, fmt: str, tag_filter: str | None) -> None:
    """What to do today: calls first, promises and follow-ups due, who has gone cold."""
    conn = open_store(ctx, db)
    now = clock.now()
    with fail_cleanly():
        items = brief(conn, now=now)
        if tag_filter is not None:
            tagged = check_tag_filter(conn, tag_filter)
            items = [item for item in items if item.customer_id in tagged]
    if fmt == "json":
        emit_json([as_record(item) for item in items])
    elif fmt == "md":
        click.echo(brief_markdown(items, now), nl=False)
    else:
        click.echo("\n".join(text_lines(items, now)))


@command("spread")
@click.pass_context
def spread(ctx: click.Context, db: str | None) -> None:
    """Stagger never-contacted customers' first contact over their cadence (after an import)."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        count = spread_baselines(conn)
    if count == 0:
        click.echo("Nothing to spread: every active customer has a check-in or a baseline.")
    else:
        who = "customer" if count == 1 else "customers"
        click.echo(f"Spread the first contact of {count} never-contacted {who} over their cadence.")


@command("snooze")
@click.argument("customer")
@click.argument("until", required=False)
@click.option("--off", is_flag=True, help="End the snooze now.")
@click.pass_context
def snooze(ctx: click.Context, db: str | None, customer: str, until: str | None, off: bool) -> None:
    """Snooze CUSTOMER's contact reminder until a day (fri, +2w, 2026-12-01); the cadence
    stays as it is. Promises, issues and follow-ups due still show."""
    if off == (until is not None):
        raise Failure("give a date to snooze until, or --off to end a snooze", 2)
    new_until = None
    if until is not None:
        with fail_cleanly():
            new_until = parse_date(until)
        if new_until <= clock.today():
            raise Failure(f"snooze to a day after today, not {until!r} ({new_until.isoformat()})")
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = find_customer(conn, customer, verb="Snooze")
        if new_until is None:
            woke = reminders.wake_reminder(conn, found.id)
        else:
            reminders.snooze_reminder(conn, found.id, new_until)
    name = safe(found.name)
    if new_until is None:
        click.echo(f"Reminder for {name} is on again." if woke else f"{name} was not snoozed.")
    else:
        click.echo(
            f"Snoozed the reminder for {name} until {day(new_until)} ({new_until.isoformat()});"
            " the cadence is unchanged."
        )
