"""``tempcheck demo``: sample data to try tempcheck with, or synthetic data at scale."""

from __future__ import annotations

import time

import click

from tempcheck.cli.common import Failure, command, fail_cleanly, open_store
from tempcheck.store import customers as customer_store
from tempcheck.store import sample as sample


@command("demo")
@click.option("--force", is_flag=True, help="Write even if the database already has customers.")
@click.option(
    "--customers", type=click.IntRange(0, 10_000_000), default=None, help="Synthetic customers."
)
@click.option(
    "--checkins", type=click.IntRange(0, 1_000_000_000), default=None, help="Synthetic check-ins."
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed for synthetic data.")
@click.pass_context
def demo(
    ctx: click.Context,
    db: str | None,
    force: bool,
    customers: int | None,
    checkins: int | None,
    seed: int,
) -> None:
    """Write about 25 sample customers with six months of history.

    With --customers N --checkins M, write synthetic data at scale instead,
    reproducible with --seed.
    """
    if (customers is None and checkins is not None) or (checkins and not customers):
        raise Failure("--checkins needs --customers")  # before the database file is made
    conn = open_store(ctx, db)
    with fail_cleanly():
        existing = customer_store.count(conn)
        if existing and not force:
            raise Failure(
                f"the database already has {existing} customers; "
                "use --force to add demo data anyway"
            )
        started = time.perf_counter()
        if customers is None and checkins is None:
            taken = sample.sample_names_taken(conn)
            if taken:
                raise Failure(
                    f"the sample is already here ({len(taken)} of its customers, such as"
                    f" {taken[0]!r}); nothing was written"
                )
            written = sample.write_sample(conn)
            click.echo(f"Wrote {len(sample.SAMPLE_CUSTOMERS)} customers and {written} check-ins.")
            return
        if customers is None:
            raise Failure("--checkins needs --customers")
        sample.write_synthetic(conn, customers, checkins or 0, seed=seed)
        elapsed = time.perf_counter() - started
        click.echo(f"Wrote {customers} customers and {checkins or 0} check-ins in {elapsed:.1f} s.")
