"""``tempcheck calendar``: read meetings from a calendar and ask how they went.

``import FILE.ics`` and ``sync URL`` read the calendar; ``pending`` lists the
meetings that ended with nothing logged (or, with ``--unmatched``, the ones
waiting to be assigned); ``assign`` and ``dismiss`` settle one meeting.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from tempcheck.cli.common import Failure, command, fail_cleanly, open_store
from tempcheck.cli.output import emit_json
from tempcheck.domain import clock
from tempcheck.domain.meetings import time_span
from tempcheck.domain.text import clip, printable
from tempcheck.exchange.calendar import import_file, sync_caldav
from tempcheck.store import calendar as store
from tempcheck.store import customers

PASSWORD_ENV = "TEMPCHECK_CALDAV_PASSWORD"
MAX_SINCE_DAYS = 366
_SINCE = re.compile(r"^\s*(\d{1,4})\s*([dw]?)\s*$", re.IGNORECASE)


def parse_since(text: str) -> int:
    """``14d``, ``2w`` or ``30`` → days (1-366)."""
    found = _SINCE.match(text or "")
    if not found:
        raise Failure(f"--since {text!r}: give days or weeks, such as 14d or 2w", 2)
    days = int(found.group(1)) * (7 if found.group(2).lower() == "w" else 1)
    if not 1 <= days <= MAX_SINCE_DAYS:
        raise Failure(f"--since {text!r}: between 1 day and {MAX_SINCE_DAYS} days", 2)
    return days


def _since_option(func):  # noqa: ANN001, ANN202 - a click decorator
    return click.option(
        "--since",
        default="14d",
        show_default=True,
        help="How far back to read: 14d, 2w (up to 366 days). Meetings up to tomorrow are read.",
    )(func)


@click.group("calendar", context_settings={"help_option_names": ["-h", "--help"]})
def calendar() -> None:
    """Meetings from your calendar become check-in prompts ("met, not logged")."""


@command("import")
@click.argument("file", type=click.Path(dir_okay=True, path_type=str))
@_since_option
@click.pass_context
def import_(ctx: click.Context, file: str, since: str, db: str | None) -> None:
    """Read the meetings of an iCalendar FILE (.ics from Outlook, Google or Apple Calendar).

    Run it again with a newer export: moved meetings are updated, cancelled ones withdrawn,
    nothing is duplicated.
    """

    days = parse_since(since)
    conn = open_store(ctx, db)
    with fail_cleanly():
        outcome = import_file(conn, Path(file), since_days=days)
    click.echo(outcome.summary(printable(Path(file).name, single_line=True)))


@command("sync")
@click.argument("url")
@click.option("--user", help="User name on the CalDAV server.")
@_since_option
@click.pass_context
def sync(ctx: click.Context, url: str, user: str | None, since: str, db: str | None) -> None:
    """Read the meetings of a CalDAV calendar at URL (Nextcloud, Fastmail, iCloud, Radicale).

    The password is read from $TEMPCHECK_CALDAV_PASSWORD, else asked for (never given on
    the command line). For iCloud and Fastmail use an app-specific password.
    """
    days = parse_since(since)
    password = os.environ.get(PASSWORD_ENV)
    if user and password is None:
        password = click.prompt(f"Password for {user}", hide_input=True, err=True)
    conn = open_store(ctx, db)
    with fail_cleanly():
        outcome = sync_caldav(conn, url, user=user, password=password, since_days=days)
    click.echo(outcome.summary(printable(url, single_line=True)))


@command("pending")
@click.option("--unmatched", is_flag=True, help="Meetings matching no customer, or several.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@click.pass_context
def pending(ctx: click.Context, unmatched: bool, fmt: str, db: str | None) -> None:
    """Meetings that ended with nothing logged for the customer since they started.

    Log one with: tempcheck log --meeting ID TEMP [NOTE]; dismiss it with
    tempcheck calendar dismiss ID.
    """
    conn = open_store(ctx, db)
    with fail_cleanly():
        store.require_enabled(conn)
        meetings = store.unmatched(conn) if unmatched else store.met_not_logged(conn)
    if fmt == "json":
        emit_json([record(m) for m in meetings])
        return
    if not meetings:
        if unmatched:
            click.echo("No meetings waiting to be assigned.")
        else:
            click.echo("Nothing to log: every meeting that ended has a check-in or was dismissed.")
        return
    click.echo("\n".join(table(meetings, unmatched=unmatched)))


def record(meeting) -> dict[str, object]:  # noqa: ANN001 - a Meeting

    return {
        "id": meeting.id,
        "title": meeting.title,
        "start": clock.local(meeting.starts_at).isoformat(timespec="minutes"),
        "end": clock.local(meeting.ends_at).isoformat(timespec="minutes"),
        "location": meeting.location,
        "channel": meeting.channel,
        "match": meeting.state,
        "customer_id": meeting.customer_id,
        "customer": meeting.customer_name,
        "contact_id": meeting.contact_id,
        "contact": meeting.contact_name,
        "attendees": list(meeting.attendees),
        "event_uid": meeting.event_uid,
        "recurrence_id": meeting.recurrence_id or None,
    }


def table(meetings, *, unmatched: bool) -> list[str]:  # noqa: ANN001 - Meetings

    rows = []
    for m in meetings:
        who = "several customers" if m.state == "ambiguous" else "no customer"
        if not unmatched:
            who = printable(m.customer_name, single_line=True)
            if m.contact_name:
                who += f" (with {printable(m.contact_name, single_line=True)})"
        rows.append(
            (
                str(m.id),
                time_span(m.starts_at, m.ends_at),
                clip(who, 40),
                m.channel,
                clip(printable(m.title, single_line=True) or "(no title)", 50),
            )
        )
    header = ("ID", "WHEN", "MATCH" if unmatched else "CUSTOMER", "CHANNEL", "TITLE")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip()
        for r in [header, *rows]
    ]


def _meeting_id(text: str) -> int:
    cleaned = text.strip().lstrip("#")
    if not cleaned.isdigit() or len(cleaned) > 18:
        raise Failure(f"{text!r} is not a meeting id (see: tempcheck calendar pending)", 2)
    return int(cleaned)


@command("assign")
@click.argument("event")
@click.argument("customer")
@click.pass_context
def assign(ctx: click.Context, event: str, customer: str, db: str | None) -> None:
    """Say whose meeting EVENT was (its id from calendar pending --unmatched)."""
    event_id = _meeting_id(event)
    conn = open_store(ctx, db)
    with fail_cleanly():
        store.require_enabled(conn)
        found = customers.resolve(conn, customer)
        meeting = store.assign(conn, event_id, found.id)
    click.echo(
        f"Meeting {meeting.id} ({printable(meeting.title, single_line=True)!r}) is now with "
        f"{printable(found.name, single_line=True)}."
    )


@command("dismiss")
@click.argument("event")
@click.pass_context
def dismiss(ctx: click.Context, event: str, db: str | None) -> None:
    """Nothing to log for meeting EVENT: it leaves the prompts for good."""
    event_id = _meeting_id(event)
    conn = open_store(ctx, db)
    with fail_cleanly():
        meeting = store.dismiss(conn, event_id)
    click.echo(f"Dismissed meeting {meeting.id} ({printable(meeting.title, single_line=True)!r}).")


@command("forget")
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.pass_context
def forget(ctx: click.Context, yes: bool, db: str | None) -> None:
    """Delete every meeting read from calendars (check-ins stay)."""
    conn = open_store(ctx, db)
    if not yes:
        click.confirm("Delete every stored meeting?", abort=True, err=True)
    with fail_cleanly():
        count = store.forget_all(conn)
    click.echo(f"Deleted {count} stored meeting{'s' if count != 1 else ''}.")


for _sub in (import_, sync, pending, assign, dismiss, forget):
    calendar.add_command(_sub)
