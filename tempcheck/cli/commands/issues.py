"""``tempcheck issue open|close|list``: "check off each issue, then ask", from the shell."""

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
from tempcheck.cli.tables import ISSUE_FIELDS, day, issue_record, issue_table, safe
from tempcheck.domain import temperature
from tempcheck.domain.records import CHANNELS
from tempcheck.services import settle
from tempcheck.store import issues


@click.group("issue", context_settings={"help_option_names": ["-h", "--help"]})
def issue() -> None:
    """Open, close and list issues."""


@command("open")
@click.argument("customer")
@click.argument("title")
@click.option("--detail", default="", help="More about the issue.")
@click.option("--due", "due_text", help="Due date (the SLA): fri, +3d, 2w, 2026-12-01.")
@click.option(
    "--raised-by",
    type=click.Choice(["customer", "us"]),
    default="customer",
    show_default=True,
    help="Who brought it up.",
)
@click.pass_context
def open_(
    ctx: click.Context,
    db: str | None,
    customer: str,
    title: str,
    detail: str,
    due_text: str | None,
    raised_by: str,
) -> None:
    """Open an issue for CUSTOMER; prints its id."""
    with fail_cleanly():
        due = future_date(due_text, "--due") if due_text else None
    conn = open_store(ctx, db)
    with fail_cleanly():
        found = find_customer(conn, customer, verb="Open it for")
        opened = issues.open_issue(
            conn, found.id, title, detail=detail, due=due, raised_by=raised_by
        )
    when = f" (due {day(opened.due)})" if opened.due else ""
    click.echo(f"Opened issue {opened.id} for {safe(found.name)}: {safe(opened.title, 80)}{when}")


@command("close")
@click.argument("issue_id", type=ROW_ID)
@click.option("--resolution", help="How it was solved, in a sentence (required).")
@click.option("--temp", help="How the customer feels about it now: 1-5 or a word.")
@click.option("--follow-up", "follow_up", help="Follow up on: fri, +3d, 2w, 2026-12-01.")
@click.option(
    "--channel",
    type=click.Choice(CHANNELS),
    default="call",
    show_default=True,
    help="How the temperature was taken.",
)
@click.pass_context
def close(
    ctx: click.Context,
    db: str | None,
    issue_id: int,
    resolution: str | None,
    temp: str | None,
    follow_up: str | None,
    channel: str,
) -> None:
    """Close issue ISSUE_ID with its resolution, and optionally a temperature check."""
    if not resolution or not resolution.strip():
        raise Failure("closing an issue needs --resolution TEXT: how was it solved?")
    with fail_cleanly():
        value = temperature.parse_temperature(temp) if temp is not None else None
        due = future_date(follow_up, "--follow-up") if follow_up else None
    conn = open_store(ctx, db)
    with fail_cleanly():
        closed = settle.close_issue(
            conn, issue_id, resolution, temperature=value, follow_up=due, channel=channel
        ).item
    parts = [f"Closed issue {closed.id} for {safe(closed.customer_name)}: {safe(closed.title, 80)}"]
    if value is not None:
        parts.append(f"they feel {temperature.label(value)} [check-in {closed.closing_checkin_id}]")
    if due is not None:
        parts.append(f"follow up {day(due)} ({due.isoformat()})")
    click.echo(", ".join(parts))


@command("list")
@click.option("--customer", callback=not_empty, help="Only this customer's issues.")
@click.option("--all", "include_closed", is_flag=True, help="Include closed issues.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def list_(
    ctx: click.Context, db: str | None, customer: str | None, include_closed: bool, fmt: str
) -> None:
    """List open issues (at risk and call-them-first flagged), soonest due first."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        customer_id = find_customer(conn, customer).id if customer else None
        found = issues.list_issues(conn, customer_id=customer_id, include_closed=include_closed)
    if fmt != "table":
        emit_records([issue_record(i) for i in found], fmt, ISSUE_FIELDS)
    elif not found:
        click.echo("No issues." if include_closed else "No open issues.")
    else:
        click.echo(issue_table(found))


issue.add_command(open_)
issue.add_command(close)
issue.add_command(list_)
