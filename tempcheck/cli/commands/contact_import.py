"""``tempcheck contact import FILE.vcf``: the people at each account from an address book."""

from __future__ import annotations

from pathlib import Path

import click

from tempcheck.cli.common import Failure, command, fail_cleanly, open_store
from tempcheck.domain.text import printable
from tempcheck.exchange.vcard import VCardError, import_cards, read_file


@command("import")
@click.argument("file", type=click.Path(dir_okay=True, path_type=str))
@click.option("--create", is_flag=True, help="Add unknown organisations as customers.")
@click.pass_context
def import_contacts(ctx: click.Context, db: str | None, file: str, create: bool) -> None:
    """Import contacts from a vCard FILE (3.0 or 4.0, as address books export them).

    Each card's ORG is matched to a customer (exact name, unique prefix or unique part);
    unknown organisations are listed, or added with --create. Importing the same cards
    again updates them (by UID). One bad card and nothing is imported.
    """

    try:
        cards = read_file(Path(file))
    except VCardError as exc:
        for problem in exc.problems:
            click.echo(f"tempcheck: {printable(problem, single_line=True)}", err=True)
        raise Failure(str(exc)) from None
    conn = open_store(ctx, db)
    with fail_cleanly():
        result = import_cards(conn, cards, create=create)
    name = printable(Path(file).name, single_line=True)
    click.echo(
        f"{name}: contacts {result.added} new, {result.updated} updated,"
        f" {result.unchanged} unchanged"
    )
    for customer in result.customers_created:
        click.echo(f"  added customer {printable(customer, single_line=True)}")
    if result.unknown:
        click.echo("Unknown organisations (not imported; --create adds them as customers):")
        for org, count in sorted(result.unknown.items(), key=lambda p: p[0].casefold()):
            cards_word = "card" if count == 1 else "cards"
            click.echo(f"  {printable(org, single_line=True)} ({count} {cards_word})")
    for org, candidates in result.ambiguous.items():
        names = ", ".join(printable(c, single_line=True) for c in candidates)
        click.echo(
            f"Not imported: {printable(org, single_line=True)!r} matches several customers"
            f" ({names}); rename the ORG or a customer"
        )
    if result.without_organisation:
        count = result.without_organisation
        click.echo(
            f"Skipped {count} card{'s' if count != 1 else ''} without an organisation (ORG)."
        )
