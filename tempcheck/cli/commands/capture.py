"""``tempcheck log``: record how a customer felt, from the shell, in one line.

Kept lean on purpose: it imports neither Textual nor pendulum unless a date
needs reading, so it returns before the next meeting starts.
"""

from __future__ import annotations

import sys

import click

from tempcheck.cli.common import (
    EXIT_NOT_FOUND,
    ROW_ID,
    Failure,
    command,
    fail_cleanly,
    find_customer,
    future_date,
    open_store,
)
from tempcheck.domain import clock, temperature
from tempcheck.domain.records import CHANNELS, REACHED_OUT
from tempcheck.domain.text import printable
from tempcheck.services import capture
from tempcheck.store import customers, write


@command("log")
@click.argument("customer", required=False)
@click.argument("temp", required=False)
@click.argument("note", nargs=-1)
@click.option(
    "--channel",
    type=click.Choice(CHANNELS),
    help="hallway (default), call, video, email, meeting, social; given, it is remembered.",
)
@click.option(
    "--by",
    "initiated_by",
    type=click.Choice(REACHED_OUT),
    default="us",
    show_default=True,
    help="Who reached out.",
)
@click.option("--follow-up", "follow_up", help="Follow up on: fri, +3d, 2w, 2026-12-01.")
@click.option("--follow-up-note", default="", help="What to follow up on (with --follow-up).")
@click.option("--short", "fell_short", default="", help="Where did we fall short? (temp 1-2)")
@click.option("--open-issue", is_flag=True, help="Open an issue from the --short answer.")
@click.option("--issue", "issue_id", type=ROW_ID, help="The related issue's id.")
@click.option(
    "--done", "done", type=ROW_ID, multiple=True, help="A follow-up this check-in settles (id)."
)
@click.option(
    "--kept", "kept", type=ROW_ID, multiple=True, help="A promise this check-in shows kept (id)."
)
@click.option(
    "--with", "with_person", help="Who it was with: a contact's name (exact, prefix or part)."
)
@click.option("--at", "at_text", help="When it happened, if not now: yesterday 14:30, mon 9:15.")
@click.option("--create", is_flag=True, help="Add the customer unless one has exactly this name.")
@click.option(
    "--meeting",
    "meeting_id",
    type=click.IntRange(1),
    help="Log a meeting from `calendar pending`: then the arguments are TEMP [NOTE...] and the "
    "time, channel and contact come from the meeting.",
)
@click.pass_context
def log(
    ctx: click.Context,
    db: str | None,
    customer: str,
    temp: str,
    note: tuple[str, ...],
    channel: str | None,
    initiated_by: str,
    follow_up: str | None,
    follow_up_note: str,
    fell_short: str,
    open_issue: bool,
    issue_id: int | None,
    with_person: str | None,
    done: tuple[int, ...],
    kept: tuple[int, ...],
    at_text: str | None,
    create: bool,
    meeting_id: int | None,
) -> None:
    """Log a check-in: CUSTOMER TEMP [NOTE...]. TEMP is 1-5 or a word
    (frustrated, uneasy, neutral, content, delighted). NOTE '-' reads standard input.

    Example: tempcheck log "Acme Corp" 4 replacement order was fine --follow-up fri

    CUSTOMER is matched exactly, by a unique prefix, whole word or substring; a near
    miss is only suggested. --create adds CUSTOMER unless a customer has exactly
    this name (a name that differs only by case or spacing is refused).
    """
    if meeting_id is not None:  # the customer comes from the meeting: shift the arguments
        words = [w for w in (customer, temp) if w is not None] + list(note)
        customer, temp, note = "", (words[0] if words else None), tuple(words[1:])
    if customer is None or temp is None:
        usage = "--meeting ID TEMP [NOTE...]" if meeting_id else "CUSTOMER TEMP [NOTE...]"
        missing = "TEMP" if customer is not None else "CUSTOMER"
        raise click.UsageError(f"missing {missing}: tempcheck log {usage}", ctx)
    with fail_cleanly():
        value = temperature.parse_temperature(temp)
        text = " ".join(note)
        if text == "-":
            text = sys.stdin.read().rstrip("\n")
        due = None
        if follow_up:
            from tempcheck.domain.dates import format_short  # lazy: keeps tempcheck log fast

            due = future_date(follow_up, "--follow-up")
        if follow_up_note.strip() and due is None:
            raise Failure("--follow-up-note needs --follow-up DATE", EXIT_NOT_FOUND)
        if open_issue and not fell_short.strip():
            raise Failure("--open-issue needs --short TEXT: where did we fall short?", 2)
        at = None
        if at_text:
            from tempcheck.domain.dates import parse_datetime  # lazy: keeps tempcheck log fast

            at = parse_datetime(at_text)
            if at > clock.now():
                raise Failure(f"--at {at_text!r} is in the future")
    conn = open_store(ctx, db)

    meeting = None
    if meeting_id is not None:
        from tempcheck.services.meetings import defaults_for  # lazy: keeps tempcheck log fast

        with fail_cleanly():
            meeting = defaults_for(conn, meeting_id)
        customer = customers.get_customer(conn, meeting.customer_id).name  # an exact name
        at = at or min(meeting.at, clock.now())
        if ctx.get_parameter_source("channel") is not click.core.ParameterSource.COMMANDLINE:
            channel = meeting.channel
    found = None
    if not create:  # asked (on a terminal) before the write lock is taken
        with fail_cleanly():
            found = find_customer(conn, customer, verb="Log for", can_create=True)
    with fail_cleanly(), write(conn):  # a new customer and its check-in, or neither
        if found is None:
            found = customers.by_key(conn, customer)
            if found is not None and found.name != customer.strip():
                raise Failure(
                    f"{printable(customer, single_line=True)!r} differs from the customer "
                    f"{printable(found.name, single_line=True)!r} only by case or spacing; "
                    f"use that name, or drop --create",
                    EXIT_NOT_FOUND,
                )
            if found is None:
                found = customers.add_customer(conn, customer)
        person = None
        if with_person is not None:
            from tempcheck.store.contacts import resolve_contact  # lazy: keeps tempcheck log fast

            person = resolve_contact(conn, found.id, with_person, customer_name=found.name)
        captured = capture.capture(
            conn,
            capture.Draft(
                customer_id=found.id,
                temperature=value,
                note=text,
                channel=channel or "hallway",
                initiated_by=initiated_by,
                at=at,
                fell_short=fell_short,
                open_issue=open_issue,
                follow_up=due,
                follow_up_note=follow_up_note,
                issue_id=issue_id,
                contact_id=person.id if person else None,
                done=done,
                kept=kept,
                remember_channel=channel is not None,
            ),
        )
        saved = captured.checkin
        if meeting is not None:
            from tempcheck.services.meetings import note_with  # lazy: keeps tempcheck log fast

            note_with(conn, saved.id, meeting)
    parts = [f"Logged {printable(found.name, single_line=True)}: {temperature.label(value)}"]
    if person is not None:
        parts[0] += f" with {printable(person.name, single_line=True)}"
    if due:
        parts.append(f"follow up {format_short(due)} ({due.isoformat()})")
    if at:
        from tempcheck.domain.dates import stamp  # lazy: keeps tempcheck log fast

        parts.append(f"at {stamp(at)}")
    if captured.issue_id is not None:
        parts.append(f"opened issue {captured.issue_id}")
    parts += [f"follow-up {f.id} done" for f in captured.done]
    parts += [f"promise {p.id} kept {p.timing}" for p in captured.kept]
    if meeting is not None:
        with_whom = ""
        if meeting.contact_name and person is None:
            with_whom = f" with {printable(meeting.contact_name, single_line=True)}"
        parts.append(f"meeting {meeting_id}{with_whom}, {channel}")
    click.echo(", ".join(parts) + f" [check-in {saved.id}]")
