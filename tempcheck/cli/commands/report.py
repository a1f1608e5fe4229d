"""``tempcheck report``: the one-file review pack for an account review meeting.

The file holds confidential notes, so it is created readable by its owner
only (0600), and an existing file is never overwritten without ``--force``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from tempcheck.cli.common import (
    Failure,
    command,
    fail_cleanly,
    find_customer,
    not_empty,
    open_store,
)
from tempcheck.domain import clock
from tempcheck.domain.dates import parse_date
from tempcheck.domain.people import clean_tag
from tempcheck.domain.text import printable
from tempcheck.exchange.export import private_file
from tempcheck.report import review
from tempcheck.store.accounts import check_tag_filter
from tempcheck.store.scope import narrowed_copy

FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}


@command("report")
@click.argument("customer", required=False, callback=not_empty)
@click.option(
    "--since",
    "since_text",
    default="90d",
    show_default=True,
    help="Start of the period, looking back: 90d, 6w, 3m, 2026-09-01.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write: .html (charts as SVG) or .md (charts as tables).",
)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@click.option("--tag", "tag_filter", metavar="TAG", help="Review only the customers with this tag.")
@click.pass_context
def report(
    ctx: click.Context,
    db: str | None,
    customer: str | None,
    since_text: str,
    output: Path,
    force: bool,
    tag_filter: str | None,
) -> None:
    """Write a review of CUSTOMER (or of the whole portfolio, or of the customers
    with --tag TAG) to one self-contained file."""
    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise Failure(f"the output must end in .html or .md, not {printable(output.name)!r}")
    now = clock.now()
    today = clock.local(now).date()
    with fail_cleanly():
        since = parse_date(since_text, today, past=True)
    if since > today:
        raise Failure(f"--since {since_text!r} is in the future ({since.isoformat()})")
    if customer and tag_filter is not None:
        raise Failure("give a CUSTOMER or --tag, not both", 2)
    if output.exists() and not force:
        raise Failure(f"{printable(str(output))} exists; use --force to overwrite it")
    conn = open_store(ctx, db)
    with fail_cleanly():
        customer_id = find_customer(conn, customer).id if customer else None
        if tag_filter is not None:
            tagged = check_tag_filter(conn, tag_filter)
            scoped = narrowed_copy(conn, tagged)
            try:
                gathered = review.gather(scoped, since=since, now=now)
            finally:
                scoped.close()
            subject = f"Portfolio #{clean_tag(tag_filter)}"
            gathered = dataclasses.replace(gathered, title=f"Review: {subject}", subject=subject)
            shape = review.review_html if fmt == "html" else review.review_markdown
            text = shape(gathered)
        else:
            render = review.render_html if fmt == "html" else review.render_markdown
            text = render(conn, customer_id=customer_id, since=since, now=now)
        with private_file(output, force=force) as handle:
            handle.write(text.encode("utf-8"))
    click.echo(f"Wrote the review to {printable(str(output.resolve()))}")
