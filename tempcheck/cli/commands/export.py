"""``tempcheck export``: CSV (or iCalendar) for account reviews, to a file or standard output.

Standard output carries nothing but the export, so it can be piped; where a
file went is said on standard error.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from tempcheck.cli.common import (
    command,
    echo_err,
    fail_cleanly,
    find_customer,
    not_empty,
    open_store,
)
from tempcheck.domain.dates import parse_date
from tempcheck.domain.people import clean_tag
from tempcheck.exchange import export as exporting
from tempcheck.exchange.csvformat import TerminalSafe
from tempcheck.exchange.export import (
    KINDS,  # light: the domain module imports nothing heavy
    write_export,
)
from tempcheck.store.accounts import check_tag_filter
from tempcheck.store.connection import StoreError


@command("export")
@click.argument("kind", type=click.Choice(list(KINDS)), metavar="KIND")
@click.option("--since", "since_text", help="From this date on: 2026-09-01, 3m, last month.")
@click.option("--until", "until_text", help="Up to and including this date: 2026-11-30, today.")
@click.option("--customer", callback=not_empty, help="Only this customer.")
@click.option("--matching", help="Only customers whose name contains this (as the / filter).")
@click.option("--tag", "tag_filter", metavar="TAG", help="Only customers with this tag.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    help="Write to this file (created readable by you only) instead of standard output.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    help="csv, or xlsx for a workbook (the default for -o NAME.xlsx and for review).",
)
@click.option(
    "--excel",
    is_flag=True,
    help="CSV for spreadsheet programs: local date-times they read as dates, BOM, CRLF.",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@click.pass_context
def export(
    ctx: click.Context,
    db: str | None,
    kind: str,
    since_text: str | None,
    until_text: str | None,
    customer: str | None,
    matching: str | None,
    tag_filter: str | None,
    output: str | None,
    fmt: str | None,
    excel: bool,
    force: bool,
) -> None:
    """Export KIND as CSV: dashboard, checkins, customers, contacts, issues,
    promises, followups; review, a workbook with one sheet each for dashboard,
    check-ins, issues, promises and follow-ups; or ics, open follow-ups and
    promises for a calendar.

    Times are ISO-8601 in your local time with their offset (with --excel, a
    local date-time and the offset in a column of its own); text that a
    spreadsheet would run as a formula gets a leading '. A workbook (-o
    NAME.xlsx or --format xlsx) has typed date, number and text cells.

    Example: tempcheck export review --customer acme -o acme.xlsx
    """
    with fail_cleanly():
        since = until = None
        if since_text or until_text:
            since = parse_date(since_text, past=True) if since_text else None
            until = parse_date(until_text, past=True) if until_text else None
        try:
            chosen = exporting.output_format(kind, output, fmt)
        except StoreError as exc:
            raise click.UsageError(str(exc)) from None
        exporting.check_options(kind, since=since, until=until, excel=excel, fmt=chosen)
        if chosen == "xlsx" and (not output or output == "-"):
            raise click.UsageError("a workbook needs a file: add -o NAME.xlsx")
    conn = open_store(ctx, db)
    with fail_cleanly():
        customer_id = None
        if customer:
            customer_id = find_customer(conn, customer, verb="Export").id
        tag = None
        if tag_filter is not None:
            check_tag_filter(conn, tag_filter)
            tag = clean_tag(tag_filter)
        options = {
            "since": since,
            "until": until,
            "customer_id": customer_id,
            "matching": matching,
            "tag": tag,
            "excel": excel,
        }
        if output and output != "-":
            target = Path(output).expanduser().absolute()
            written = exporting.export_to_path(
                conn, kind, target, force=force, fmt=chosen, **options
            )
            echo_err(f"Wrote {exporting.KINDS[kind].count(written)} to {target}")
            return
        _to_stdout(conn, kind, options)


def _to_stdout(conn: sqlite3.Connection, kind: str, options: dict[str, Any]) -> None:
    """UTF-8 whatever the locale says, with the line ends the writer chose."""

    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    stream = io.TextIOWrapper(binary, encoding="utf-8", newline="") if binary else sys.stdout
    try:
        if sys.stdout.isatty():  # a person reads it: no escape sequences reach the terminal
            write_export(conn, kind, TerminalSafe(stream), **options)  # type: ignore[arg-type]
        else:
            write_export(conn, kind, stream, **options)
        stream.flush()
    except BrokenPipeError:
        # The reader stopped early (| head): not an error. Silence the final flush.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(141) from None
    finally:
        if binary:
            with contextlib.suppress(ValueError, OSError):
                stream.detach()
