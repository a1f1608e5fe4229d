"""Logging a check-in: the one path both ``tempcheck log`` and the check-in form take.

One transaction holds the check-in and everything it brings along: the channel
remembered for next time, the issue opened from "where did we fall short?", the
follow-up (with its own text), and closing the loop on what was due: follow-ups
ticked done and promises ticked kept. On any error nothing is written.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from tempcheck.domain import clock
from tempcheck.domain.records import CheckIn
from tempcheck.domain.text import printable
from tempcheck.services.undo import Undo
from tempcheck.store import checkins
from tempcheck.store.connection import StoreError, write
from tempcheck.store.customers import get_customer

if TYPE_CHECKING:
    from tempcheck.domain.tracking import FollowUp, Promise


class Draft(NamedTuple):
    """What someone typed, already parsed; the service checks the rest against the store."""

    customer_id: int
    temperature: int
    note: str = ""
    channel: str = "hallway"
    initiated_by: str = "us"
    at: datetime | None = None
    fell_short: str = ""
    open_issue: bool = False  # open an issue from the fell-short answer
    follow_up: date | None = None
    follow_up_note: str = ""  # what to follow up on
    issue_id: int | None = None
    contact_id: int | None = None  # the person it was with
    done: tuple[int, ...] = ()  # follow-up ids this check-in settles
    kept: tuple[int, ...] = ()  # promise ids this check-in shows kept
    remember_channel: bool = True


class Captured(NamedTuple):
    """What :func:`capture` saved, and the :class:`Undo` that takes it all back."""

    checkin: CheckIn
    customer_name: str
    issue_id: int | None = None
    followup_id: int | None = None
    done: list[FollowUp] = []  # never changed in place
    kept: list[Promise] = []  # never changed in place
    undo: Undo | None = None


class DueItems(NamedTuple):
    """The customer's loose ends a check-in can close: offered as tick-boxes."""

    followups: list[FollowUp]
    promises: list[Promise]


def due_items(conn: sqlite3.Connection, customer_id: int, *, today: date | None = None) -> DueItems:
    """Open follow-ups due today or earlier, and open promises due today or earlier."""
    from tempcheck.store.followups import open_followups  # lazy: keeps tempcheck log fast
    from tempcheck.store.promises import list_promises  # lazy: keeps tempcheck log fast

    today = today or clock.today()
    return DueItems(
        followups=open_followups(conn, customer_id=customer_id, due_within_days=0, today=today),
        promises=[
            p
            for p in list_promises(conn, customer_id=customer_id, today=today)
            if p.is_open and p.due <= today
        ],
    )


def capture(conn: sqlite3.Connection, draft: Draft) -> Captured:
    """Save ``draft`` and its side effects in one transaction; return what was saved."""
    if draft.open_issue and not draft.fell_short.strip():
        raise StoreError("say what fell short to open an issue from it")
    with write(conn):
        customer = get_customer(conn, draft.customer_id)
        saved = checkins.add_checkin(
            conn,
            customer.id,
            draft.temperature,
            note=draft.note,
            channel=draft.channel,
            initiated_by=draft.initiated_by,
            at=draft.at,
            fell_short=draft.fell_short,
            follow_up=draft.follow_up,
            follow_up_note=draft.follow_up_note,
            issue_id=draft.issue_id,
            contact_id=draft.contact_id,
        )
        rows: list[tuple[str, int]] = []
        done: list[FollowUp] = []
        for followup_id in dict.fromkeys(draft.done):
            from tempcheck.store import followups  # lazy: keeps tempcheck log fast

            if followups.get_followup(conn, followup_id).customer_id != customer.id:
                raise StoreError(f"follow-up {followup_id} is not one of {customer.name}'s")
            done.append(followups.mark_done(conn, followup_id))
            rows.append(("followup_events", _done_event(conn, followup_id)))
        kept: list[Promise] = []
        for promise_id in dict.fromkeys(draft.kept):
            from tempcheck.store import promises  # lazy: keeps tempcheck log fast

            if promises.get_promise(conn, promise_id).customer_id != customer.id:
                raise StoreError(f"promise {promise_id} is not one of {customer.name}'s")
            kept.append(promises.settle_promise(conn, promise_id, "kept"))
            rows.append(("promise_settlements", _settlement(conn, promise_id)))
        issue_id = None
        if draft.open_issue:
            from tempcheck.store import issues  # lazy: keeps tempcheck log fast

            issue_id = issues.open_issue(
                conn,
                customer.id,
                draft.fell_short,
                raised_by="customer" if draft.initiated_by == "them" else "us",
                from_checkin_id=saved.id,
            ).id
            rows.append(("issues", issue_id))
        followup_id = None
        if draft.follow_up is not None:
            followup_id = conn.execute(
                "SELECT id FROM followups WHERE checkin_id = ?", (saved.id,)
            ).fetchone()[0]
            rows.append(("followups", followup_id))
        rows.append(("checkins", saved.id))
        if draft.remember_channel:
            from tempcheck.domain.settings import CHANNEL_KEY  # lazy: keeps tempcheck log fast
            from tempcheck.store import settings  # lazy: keeps tempcheck log fast

            settings.put(conn, CHANNEL_KEY, draft.channel)
    return Captured(
        checkin=saved,
        customer_name=customer.name,
        issue_id=issue_id,
        followup_id=followup_id,
        done=done,
        kept=kept,
        undo=Undo(
            f"the check-in for {printable(customer.name, single_line=True)}",
            customer.id,
            tuple(rows),
        ),
    )


def _done_event(conn: sqlite3.Connection, followup_id: int) -> int:
    return conn.execute(
        "SELECT max(id) FROM followup_events WHERE followup_id = ? AND kind = 'done'",
        (followup_id,),
    ).fetchone()[0]


def _settlement(conn: sqlite3.Connection, promise_id: int) -> int:
    return conn.execute(
        "SELECT id FROM promise_settlements WHERE promise_id = ?", (promise_id,)
    ).fetchone()[0]
