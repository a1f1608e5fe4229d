"""``tempcheck show``: a customer's detail screen, printed; and the plain-text tables
the issue, promise, follow-up and concern listings share with it.

Every piece of stored text goes through :func:`tempcheck.domain.text.printable`
before it reaches the terminal.
"""

from __future__ import annotations

from typing import Any

import click

from tempcheck.cli.common import command, fail_cleanly, find_customer, open_store
from tempcheck.cli.tables import (
    concern_table,
    day,
    followup_table,
    issue_table,
    local_day,
    people_table,
    person_records,
    promise_table,
    safe,
    text_table,
)
from tempcheck.domain import clock, temperature
from tempcheck.domain.dates import format_short, stamp
from tempcheck.domain.trust import balance, trend_symbol
from tempcheck.store import concerns, customers, followups, issues, promises
from tempcheck.store.accounts import tags_of
from tempcheck.store.dashboard import customer_row
from tempcheck.store.timeline import timeline
from tempcheck.store.trustbank import trust_entries

DEFAULT_LIMIT = 20


def account_line(conn: Any, customer: Any) -> str:
    """``Owner: Kim · Renewal: Tue 29 Dec (in 30 days) · Tags: #fintech #tier-1``."""
    tags = " ".join(f"#{t}" for t in tags_of(conn, customer.id))
    return (
        f"Owner: {safe(customer.owner) or '—'} · "
        f"Renewal: {day(customer.renewal_on, relative=True)} · Tags: {safe(tags) or '—'}"
    )


def signed(amount: int) -> str:
    return f"+{amount}" if amount > 0 else str(amount)


# --- the command ---------------------------------------------------------------------


@command("show")
@click.argument("customer")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="How many timeline and trust-bank entries to print.",
)
@click.pass_context
def show(ctx: click.Context, db: str | None, customer: str, limit: int) -> None:
    """Print a customer's detail: header, open issues, promises, follow-ups, concerns,
    trust-bank entries and the timeline (newest first)."""

    conn = open_store(ctx, db)
    with fail_cleanly():
        found = find_customer(conn, customer, verb="Show")
        text = render(conn, found.id, limit=limit)
    click.echo(text)


def render(conn: Any, customer_id: int, *, limit: int = DEFAULT_LIMIT) -> str:
    """The whole detail as text: what ``tempcheck show`` prints."""
    customer = customers.get_customer(conn, customer_id)
    row = customer_row(conn, customer_id)
    assert row is not None  # the customer was just read
    entries = trust_entries(conn, customer_id)
    record = promises.promise_record(conn, customer_id)
    shifted, last_confirmed = concerns.calibration(conn, customer_id)
    open_issues = issues.list_issues(conn, customer_id=customer_id)
    promise_list = promises.list_promises(conn, customer_id=customer_id, include_settled=True)
    followup_list = followups.open_followups(conn, customer_id=customer_id)
    concern_list = concerns.list_concerns(conn, customer_id)
    items = timeline(conn, customer_id, limit=limit)

    out: list[str] = []
    name = safe(customer.name)
    out += [name, "=" * len(name)]
    status = customer.status
    if customer.status == "paused" and customer.paused_until:
        status += f" until {day(customer.paused_until)}"
    out.append(
        f"Contact: {safe(customer.contact) or '—'} · {customer.kind}, "
        f"every {customer.cadence_days} days · {status}"
    )
    out.append(account_line(conn, customer))
    last = row.last_contact
    if last is None:
        out.append(f"Last contact: never · {row.staleness.label}")
    else:
        local = clock.local(last)
        exact = f"{format_short(local.date(), year=True)} {local:%H:%M}"
        out.append(f"Last contact: {clock.ago(last)} ({exact}) · {row.staleness.label}")
    if row.last_temperature is not None:
        arrow = temperature.trend(row.recent)
        out.append(f"Temperature: {temperature.label(row.last_temperature)} {arrow}".rstrip())
    trend = trend_symbol(row.trust_change or 0)
    out.append(f"Trust balance: {signed(balance(entries))} (30 days: {trend})")
    out.append(f"Promises: {record.summary}")
    if shifted:
        since = f" (last confirmed {local_day(last_confirmed)})" if last_confirmed else ""
        out.append(f"! priorities may have shifted{since}")

    def section(title: str, body: str, empty: str) -> None:
        out.extend(["", title, body if body else f"  {empty}"])

    people = person_records(conn, customer_id, customer.name)
    section(
        f"People ({sum(1 for p in people if not p['gone'])})",
        people_table(people, with_customer=False, indent="  ") if people else "",
        "nobody recorded yet (tempcheck contact add CUSTOMER NAME)",
    )

    at_risk = [i for i in open_issues if i.at_risk]
    flags = ""
    if at_risk:
        calls = sum(1 for i in at_risk if i.call_first)
        flags = f" — {len(at_risk)} at risk" + (f", {calls} call them first" if calls else "")
    section(
        f"Open issues ({len(open_issues)}){flags}",
        issue_table(open_issues, with_customer=False) if open_issues else "",
        "none",
    )
    section(
        "Promises",
        promise_table(promise_list, with_customer=False) if promise_list else "",
        "none",
    )
    section(
        "Follow-ups",
        followup_table(followup_list, with_customer=False) if followup_list else "",
        "none open",
    )
    section(
        "Concerns and priorities",
        concern_table(concern_list) if concern_list else "",
        "none recorded",
    )
    trust_rows = [
        [day(e.on), signed(e.amount), e.description + (f": {safe(e.what, 60)}" if e.what else "")]
        for e in entries[:limit]
    ]
    trust_body = text_table(["Date", "+/-", "What"], trust_rows) if trust_rows else ""
    if len(entries) > limit:
        trust_body += f"\n… and {len(entries) - limit} older (--limit N shows more)"
    section(f"Trust bank ({signed(balance(entries))})", trust_body.lstrip("\n"), "no entries yet")
    timeline_rows = [
        [
            stamp(item.at),
            item.kind,
            temperature.label(item.temperature) if item.temperature else "",
            safe(item.text, 60),
            safe(item.detail, 60),
        ]
        for item in items
    ]
    section(
        "Timeline (newest first)",
        text_table(["When", "What", "Temperature", "Text", "Detail"], timeline_rows)
        if timeline_rows
        else "",
        "nothing yet",
    )
    return "\n".join(out)
