"""``tempcheck show``: a customer's detail screen, printed; and the plain-text tables
the issue, promise, follow-up and concern listings share with it.

Every piece of stored text goes through :func:`tempcheck.domain.text.printable`
before it reaches the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import click

from tempcheck.cli.common import command, fail_cleanly, find_customer, open_store
from tempcheck.domain import clock, temperature
from tempcheck.domain.dates import format_short
from tempcheck.domain.text import clip, printable
from tempcheck.domain.trust import balance, trend_symbol
from tempcheck.store import concerns, contacts, customers, followups, issues, promises
from tempcheck.store.accounts import tags_of
from tempcheck.store.dashboard import customer_row
from tempcheck.store.timeline import timeline
from tempcheck.store.trustbank import trust_entries

DEFAULT_LIMIT = 20


# --- shared rendering ----------------------------------------------------------------


def safe(text: str | None, width: int | None = None) -> str:
    """User text for one table cell: no control characters, one line, maybe clipped."""
    cleaned = printable(text, single_line=True)
    return clip(cleaned, width) if width else cleaned


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, indent: str = "") -> str:
    """Columns padded to their widest cell; no colour codes, so it reads the same anywhere."""
    lines = [list(header), *[list(row) for row in rows]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        indent + "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def day(d: date | None, *, relative: bool = False) -> str:
    """``Fri 27 Nov`` (with the year if not this year), optionally ``(in 3 days)``."""
    if d is None:
        return "—"

    text = format_short(d)
    return f"{text} ({clock.until(d)})" if relative else text


def local_day(moment: datetime | None) -> str:
    return day(clock.local(moment).date()) if moment else "—"


def local_iso(moment: datetime | None) -> str | None:
    return clock.local(moment).isoformat(timespec="seconds") if moment else None


def issue_table(issues: Sequence[Any], *, with_customer: bool = True) -> str:
    header = ["ID", "Customer", "Title", "Due", "Flags", "State"]
    rows = []
    for issue in issues:
        rows.append(
            [
                str(issue.id),
                safe(issue.customer_name, 28),
                safe(issue.title, 48),
                day(issue.due, relative=issue.is_open),
                ", ".join(issue.flags) or "—",
                "open" if issue.is_open else f"closed {local_day(issue.closed_at)}",
            ]
        )
    if not with_customer:
        header.pop(1)
        for row in rows:
            row.pop(1)
    return text_table(header, rows)


ISSUE_FIELDS = (
    "id",
    "uid",
    "customer",
    "title",
    "detail",
    "due",
    "raised_by",
    "opened_at",
    "state",
    "closed_at",
    "resolution",
    "at_risk",
    "call_first",
)


def issue_record(issue: Any) -> dict[str, object]:
    return {
        "id": issue.id,
        "uid": issue.uid,
        "customer": issue.customer_name,
        "title": issue.title,
        "detail": issue.detail,
        "due": issue.due.isoformat() if issue.due else None,
        "raised_by": issue.raised_by,
        "opened_at": local_iso(issue.opened_at),
        "state": "open" if issue.is_open else "closed",
        "closed_at": local_iso(issue.closed_at),
        "resolution": issue.resolution or None,
        "at_risk": issue.at_risk,
        "call_first": issue.call_first,
    }


def promise_table(promises: Sequence[Any], *, with_customer: bool = True) -> str:
    header = ["ID", "Customer", "Promise", "Due", "State", "Note"]
    rows = []
    for promise in promises:
        state = promise.state
        if not promise.is_open:
            state += f" {day(promise.settled_on)}"
        rows.append(
            [
                str(promise.id),
                safe(promise.customer_name, 28),
                safe(promise.text, 48),
                day(promise.due, relative=promise.is_open),
                state,
                safe(promise.note, 40),
            ]
        )
    if not with_customer:
        header.pop(1)
        for row in rows:
            row.pop(1)
    return text_table(header, rows)


PROMISE_FIELDS = (
    "id",
    "uid",
    "customer",
    "text",
    "due",
    "made_at",
    "state",
    "outcome",
    "timing",
    "settled_on",
    "note",
    "overdue",
)


def promise_record(promise: Any) -> dict[str, object]:
    return {
        "id": promise.id,
        "uid": promise.uid,
        "customer": promise.customer_name,
        "text": promise.text,
        "due": promise.due.isoformat(),
        "made_at": local_iso(promise.made_at),
        "state": promise.state,
        "outcome": promise.outcome,
        "timing": promise.timing or None,
        "settled_on": promise.settled_on.isoformat() if promise.settled_on else None,
        "note": promise.note or None,
        "overdue": promise.overdue,
    }


def followup_origin(followup: Any) -> str:
    if followup.issue_id is not None:
        return f"issue {followup.issue_id}"
    if followup.checkin_id is not None:
        return f"check-in {followup.checkin_id}"
    return ""


def followup_table(followups: Sequence[Any], *, with_customer: bool = True) -> str:
    header = ["ID", "Customer", "Due", "Note", "From"]
    rows = []
    for followup in followups:
        due = day(followup.due, relative=True)
        if followup.snoozed:
            due += " · snoozed"
        rows.append(
            [
                str(followup.id),
                safe(followup.customer_name, 28),
                due,
                safe(followup.note, 48),
                followup_origin(followup),
            ]
        )
    if not with_customer:
        header.pop(1)
        for row in rows:
            row.pop(1)
    return text_table(header, rows)


FOLLOWUP_FIELDS = (
    "id",
    "uid",
    "customer",
    "due",
    "original_due",
    "note",
    "overdue",
    "checkin_id",
    "issue_id",
)


def followup_record(followup: Any) -> dict[str, object]:
    return {
        "id": followup.id,
        "uid": followup.uid,
        "customer": followup.customer_name,
        "due": followup.due.isoformat(),
        "original_due": followup.original_due.isoformat(),
        "note": followup.note,
        "overdue": followup.overdue,
        "checkin_id": followup.checkin_id,
        "issue_id": followup.issue_id,
    }


def concern_state(concern: Any) -> str:
    if concern.dropped:
        return "dropped"
    if concern.confirmed_at is None:
        return "assumed"
    return f"confirmed {local_day(concern.confirmed_at)}"


def concern_table(concerns: Sequence[Any]) -> str:
    rows = [[str(c.id), f"#{c.rank}", c.kind, safe(c.text, 60), concern_state(c)] for c in concerns]
    return text_table(["ID", "Rank", "Kind", "Text", "State"], rows)


def person_records(conn: object, customer_id: int, customer_name: str) -> list[dict]:
    """Each person at the customer as plain values (local ISO times), primary first."""
    records = []
    for person in contacts.people(conn, customer_id):  # type: ignore[arg-type]
        c = person.contact
        records.append(
            {
                "customer": customer_name,
                "name": c.name,
                "role": c.role,
                "email": c.email,
                "phone": c.phone,
                "primary": c.is_primary,
                "gone": clock.local(c.gone_at).date().isoformat() if c.gone_at else None,
                "last_checkin": (
                    clock.local(person.last_at).isoformat(timespec="seconds")
                    if person.last_at
                    else None
                ),
                "last_temperature": person.last_temperature,
                "notes": c.notes,
                "uid": c.uid,
            }
        )
    return records


def people_table(records: list[dict], *, with_customer: bool = True, indent: str = "") -> str:
    """People as an aligned plain-text table."""

    header = (["Customer"] if with_customer else []) + [
        "Name",
        "Role",
        "Email",
        "Phone",
        "Last check-in",
        "Temperature",
    ]
    rows = []
    for r in records:
        name = safe(r["name"], 40) + (" ★" if r["primary"] else "")
        if r["gone"]:
            name += f" (gone {r['gone']})"
        last = r["last_checkin"]
        when = clock.ago(datetime.fromisoformat(last)) if last else "never"
        line = [
            safe(r["role"], 24) or "—",
            safe(r["email"], 40) or "—",
            safe(r["phone"], 20) or "—",
            when,
            temperature.label(r["last_temperature"]),
        ]
        rows.append(([safe(r["customer"], 28)] if with_customer else []) + [name, *line])
    return text_table(header, rows, indent=indent)


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
        exact = clock.local(last).strftime("%a %d %b %Y %H:%M")
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
            clock.local(item.at).strftime("%Y-%m-%d %H:%M"),
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
