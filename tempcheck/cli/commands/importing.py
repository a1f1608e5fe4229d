"""``tempcheck import customers|checkins FILE.csv``: bring data in from a spreadsheet or export.

Every bad row is listed on standard error as ``FILE:LINE: reason`` and
nothing is written; a clean file is imported in one transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from tempcheck.cli.common import Failure, command, echo_err, fail_cleanly, open_store
from tempcheck.exchange.importing import (
    ImportFailed,
    import_checkins,
    import_contacts,
    import_customers,
)

if TYPE_CHECKING:
    from tempcheck.exchange.importing import ImportReport

CONTEXT = {"help_option_names": ["-h", "--help"]}


@click.group("import", context_settings=CONTEXT)
def import_() -> None:
    """Import customers, contacts or check-ins from a CSV file (UTF-8, header row).

    \b
    tempcheck import customers customers.csv [--dry-run] [--update]
    tempcheck import contacts contacts.csv [--dry-run]
    tempcheck import checkins checkins.csv [--dry-run] [--create-customers]
    """


file_argument = click.argument(
    "file", type=click.Path(exists=False, dir_okay=True, path_type=str), metavar="FILE.csv"
)
dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Check everything and say what would happen; write nothing."
)


@command("customers")
@file_argument
@dry_run_option
@click.option("--update", is_flag=True, help="Update customers that already exist (by name).")
@click.pass_context
def customers(ctx: click.Context, db: str | None, file: str, dry_run: bool, update: bool) -> None:
    """Add customers from FILE.csv with columns name (required), cadence (14, 2w, 1m),
    kind (relationship or transactional), contact (the primary contact), notes,
    owner, renewal_on (2027-03-31), tags (space-separated).

    Names already in the database (ignoring case) are reported, or updated
    with --update: then non-empty cells overwrite.
    """
    conn = open_store(ctx, db)
    with _reporting(file):
        report = import_customers(conn, file, update=update, dry_run=dry_run)
    _warn(report)
    changed = [f"{report.added} new customer{'s' * (report.added != 1)}"]
    if update or report.updated:
        changed.append(f"{report.updated} updated")
    _done(report, ", ".join(changed))


@command("checkins")
@file_argument
@dry_run_option
@click.option("--create-customers", is_flag=True, help="Add customers that do not exist yet.")
@click.pass_context
def checkins(
    ctx: click.Context, db: str | None, file: str, dry_run: bool, create_customers: bool
) -> None:
    """Add check-ins from FILE.csv, as written by `tempcheck export checkins`.

    Columns: customer, at, temperature (1-5 or a word), channel, initiated_by,
    note, fell_short, follow_up, person (a contact's name; new names are added),
    issue_uid, uid. Rows whose uid is already present are skipped, so
    importing a file twice adds nothing the second time.
    """
    conn = open_store(ctx, db)
    with _reporting(file):
        report = import_checkins(conn, file, create_customers=create_customers, dry_run=dry_run)
    _warn(report)
    noun = "check-in" if report.added == 1 else "check-ins"
    summary = f"{report.added} {noun} ({report.already_present} already present)"
    if report.created_customers:
        names = ", ".join(report.created_customers[:5])
        more = len(report.created_customers) - 5
        summary += f"; added {len(report.created_customers)} customers: {names}"
        summary += f" and {more} more" if more > 0 else ""
    if report.followups:
        summary += f"; {report.followups} open follow-ups"
    _done(report, summary)


@command("contacts")
@file_argument
@dry_run_option
@click.pass_context
def contacts(ctx: click.Context, db: str | None, file: str, dry_run: bool) -> None:
    """Add people from FILE.csv, as written by `tempcheck export contacts`.

    Columns: customer, name (both required), role, email, phone, primary
    (yes/no), notes, gone_at, created_at, uid. Rows whose uid is already
    present are skipped.
    """
    conn = open_store(ctx, db)
    with _reporting(file):
        report = import_contacts(conn, file, dry_run=dry_run)
    _warn(report)
    noun = "contact" if report.added == 1 else "contacts"
    summary = f"{report.added} {noun}, {report.updated} updated"
    _done(report, f"{summary} ({report.already_present} already present)")


import_.add_command(customers)
import_.add_command(contacts)
import_.add_command(checkins)


@contextlib.contextmanager
def _reporting(file: str) -> Iterator[None]:
    """List every bad row as FILE:LINE: reason, then fail with one summary line."""
    with fail_cleanly():
        try:
            yield
        except ImportFailed as failed:
            for warning in failed.warnings:
                echo_err(f"{file}: warning: {warning}")
            for problem in failed.problems:
                echo_err(f"{file}:{problem.line}: {problem.message}")
            raise Failure(str(failed)) from None


def _warn(report: ImportReport) -> None:
    for warning in report.warnings:
        echo_err(f"warning: {warning}")


def _done(report: ImportReport, summary: str) -> None:
    if report.dry_run:
        click.echo(f"Dry run: would import {summary}. Nothing was written.")
    else:
        click.echo(f"Imported {summary}.")
