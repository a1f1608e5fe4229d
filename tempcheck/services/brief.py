"""The morning brief ("Today"): the store's facts assembled by the domain's rules."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from tempcheck.domain import clock
from tempcheck.domain.brief import BriefItem, assemble
from tempcheck.store import reminders, settings
from tempcheck.store.accounts import renewals_within
from tempcheck.store.contacts import key_people
from tempcheck.store.dashboard import dashboard_rows
from tempcheck.store.followups import open_followups
from tempcheck.store.issues import list_issues
from tempcheck.store.promises import list_promises


def brief(conn: sqlite3.Connection, *, now: datetime | None = None) -> list[BriefItem]:
    """Today's brief for the active customers, in :data:`tempcheck.domain.brief.ORDER`.

    Staleness comes from the dashboard's own query (with spread baselines
    applied, so the two always agree); snoozed customers are left out of the
    contact reminders but not out of what is due.
    """
    now = now or clock.now()
    today = clock.local(now).date()
    stand_ins = reminders.baselines(conn)
    rows = dashboard_rows(conn, now=now, with_trust=False)  # spread baselines included
    return assemble(
        issues=list_issues(conn, today=today),
        promises=list_promises(conn, today=today),
        followups=open_followups(conn, due_within_days=0, today=today),
        rows=rows,
        last_checkins=reminders.last_checkins(conn),
        baselines=stand_ins,
        last_confirmed=reminders.last_confirmations(conn),
        snoozed=reminders.snoozed(conn, today),
        now=now,
        renewals=renewals_within(conn, today, settings.get_int(conn, "renewal.window_days")),
        people=key_people(conn),
        quiet_ratio=float(settings.get(conn, "staleness.cold")),
    )


def customer_brief(
    conn: sqlite3.Connection, customer_id: int, *, now: datetime | None = None
) -> list[BriefItem]:
    """One customer's lines of :func:`brief`, reading only that customer's records.

    With :func:`tempcheck.domain.brief.merge` this updates a brief after a change to
    one customer; the result is the brief assembled again from scratch.
    """
    now = now or clock.now()
    today = clock.local(now).date()
    one = customer_id
    return assemble(
        issues=list_issues(conn, customer_id=one, today=today),
        promises=list_promises(conn, customer_id=one, today=today),
        followups=open_followups(conn, customer_id=one, due_within_days=0, today=today),
        rows=dashboard_rows(conn, now=now, customer_id=one, with_trust=False),
        last_checkins=reminders.last_checkins(conn, customer_id=one),
        baselines=reminders.baselines(conn, customer_id=one),
        last_confirmed=reminders.last_confirmations(conn, customer_id=one),
        snoozed=reminders.snoozed(conn, today, customer_id=one),
        now=now,
        renewals=renewals_within(
            conn, today, settings.get_int(conn, "renewal.window_days"), customer_id=one
        ),
        people=key_people(conn, customer_id=one),
        quiet_ratio=float(settings.get(conn, "staleness.cold")),
    )
