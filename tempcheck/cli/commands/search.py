"""``tempcheck search``: find anything said, across every customer."""

from __future__ import annotations

from datetime import datetime

import click

from tempcheck.cli.common import command, fail_cleanly, open_store
from tempcheck.cli.output import emit_json
from tempcheck.cli.tables import local_day, safe, text_table
from tempcheck.domain import clock
from tempcheck.domain.dates import parse_date
from tempcheck.store import customers
from tempcheck.store.search import search as find


@command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--customer", help="Only this customer's records.")
@click.option("--since", "since_text", help="Only from this day on: 2026-01-01, -4w, last month.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--limit", type=click.IntRange(1, 500), default=50, show_default=True, help="At most this many."
)
@click.pass_context
def search(
    ctx: click.Context,
    db: str | None,
    query: tuple[str, ...],
    customer: str | None,
    since_text: str | None,
    fmt: str,
    limit: int,
) -> None:
    """Search check-in notes, what fell short, issues and resolutions, promises,
    concerns and people for QUERY (every word must appear; the last may be a prefix).
    Newest first; the match is marked «like this».

    Example: tempcheck search budget --customer acme --since -3m
    """

    text = " ".join(query)
    conn = open_store(ctx, db)
    with fail_cleanly():
        since = None
        if since_text:
            day = parse_date(since_text, past=True)
            since = datetime.combine(day, datetime.min.time()).astimezone()
        customer_id = customers.resolve(conn, customer).id if customer else None
        hits = find(conn, text, customer_id=customer_id, since=since, limit=limit)
    if fmt == "json":
        emit_json(
            [
                {
                    "customer": hit.customer_name,
                    "customer_id": hit.customer_id,
                    "date": clock.local(hit.at).isoformat(timespec="seconds"),
                    "kind": hit.kind,
                    "ref_id": hit.ref_id,
                    "snippet": hit.marked(),
                }
                for hit in hits
            ]
        )
        return
    if not hits:
        click.echo(f"Nothing found for {text!r}.")
        return

    rows = [
        [safe(hit.customer_name, 28), local_day(hit.at), hit.kind, safe(hit.marked(), 90)]
        for hit in hits
    ]
    click.echo(text_table(["Customer", "Date", "Kind", "Found"], rows))
    if len(hits) == limit:
        click.echo(f"(the newest {limit}; narrow with --customer or --since, or raise --limit)")
