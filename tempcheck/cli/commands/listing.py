"""``tempcheck list``: the dashboard's rows, in its order, for scripts."""

from __future__ import annotations

import click

from tempcheck.cli.common import command, fail_cleanly, open_store
from tempcheck.cli.output import emit_json, emit_records
from tempcheck.domain import clock
from tempcheck.domain.attention import RECORD_FIELDS, as_record, issues_label, temperature_label
from tempcheck.domain.text import clip, printable
from tempcheck.domain.trust import trend_symbol
from tempcheck.store.accounts import check_tag_filter
from tempcheck.store.dashboard import dashboard_rows
from tempcheck.store.identity import my_customers


@command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("--all", "include_all", is_flag=True, help="Include paused and ended customers.")
@click.option("--tag", "tag_filter", metavar="TAG", help="Only customers with this tag.")
@click.option("--mine", is_flag=True, help="Only my accounts: owner is my user.name.")
@click.pass_context
def list_customers(
    ctx: click.Context,
    db: str | None,
    fmt: str,
    include_all: bool,
    tag_filter: str | None,
    mine: bool,
) -> None:
    """Print the dashboard's rows in the dashboard's order."""
    conn = open_store(ctx, db)
    with fail_cleanly():
        rows = dashboard_rows(conn, include_inactive=include_all)
        if tag_filter is not None:
            tagged = check_tag_filter(conn, tag_filter)
            rows = [row for row in rows if row.customer_id in tagged]
        if mine:
            owned = my_customers(conn)
            rows = [row for row in rows if row.customer_id in owned]
    records = [as_record(row) for row in rows]
    if fmt == "json":
        emit_json(records)
    elif fmt == "csv":
        emit_records(records, "csv", RECORD_FIELDS)
    else:
        click.echo(table(rows, include_all))


def table(rows: list, include_all: bool = False) -> str:
    """A plain-text table (no colour codes) that reads the same in any terminal."""
    header = [
        "Customer",
        "Last contact",
        "Temperature",
        "Open issues",
        "Next due",
        "Trust",
        "State",
    ]
    if include_all:
        header.append("Status")
    lines = [header]
    for row in rows:
        due = f"{row.next_due_kind} {clock.until(row.next_due)}" if row.next_due else "—"
        line = [
            clip(printable(row.name, single_line=True), 32),
            clock.ago(row.last_contact),
            temperature_label(row),
            issues_label(row),
            due,
            trend_symbol(row.trust_change or 0),
            row.staleness.label + (" · recalibrate" if row.recalibrate else ""),
        ]
        if include_all:
            line.append(row.status)
        lines.append(line)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    if not rows:
        out.append("(no customers yet: tempcheck add-customer NAME, or tempcheck demo)")
    return "\n".join(out)
