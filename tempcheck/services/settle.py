"""Settling: closing an issue, keeping or breaking a promise, a follow-up done, a concern
confirmed or dropped. The one path the shell commands and the TUI take.

Each returns the settled record and an :class:`~tempcheck.services.undo.Undo`
naming the customer and the item, so a screen can say what happened and take it
back.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from tempcheck.domain.records import Concern, FollowUp, Issue, Promise
from tempcheck.domain.text import clip, printable
from tempcheck.services.undo import Undo
from tempcheck.store import concerns, followups, issues, promises
from tempcheck.store.connection import write
from tempcheck.store.customers import get_customer

T = TypeVar("T")


@dataclass(frozen=True)
class Settled(Generic[T]):
    item: T
    undo: Undo

    @property
    def notice(self) -> str:
        """One line for the screen: what happened, to which item, for which customer."""
        return self.undo.what[:1].upper() + self.undo.what[1:]


def _item(text: str, limit: int = 60) -> str:
    return clip(printable(text, single_line=True), limit)


def _q(text: str) -> str:
    return f'"{_item(text)}"'


def close_issue(
    conn: sqlite3.Connection,
    issue_id: int,
    resolution: str,
    *,
    temperature: int | None = None,
    follow_up: date | None = None,
    channel: str = "call",
) -> Settled[Issue]:
    """Close with the resolution; the temperature becomes a check-in, the date a follow-up."""
    with write(conn):
        (before,) = conn.execute("SELECT coalesce(max(id), 0) FROM followups").fetchone()
        closed = issues.close_issue(
            conn,
            issue_id,
            resolution,
            temperature=temperature,
            follow_up=follow_up,
            channel=channel,
        )
        rows: list[tuple[str, int]] = [
            ("followups", row[0])
            for row in conn.execute(
                "SELECT id FROM followups WHERE issue_id = ? AND id > ?", (issue_id, before)
            )
        ]
        (closure,) = conn.execute(
            "SELECT id FROM issue_closures WHERE issue_id = ?", (issue_id,)
        ).fetchone()
        rows.append(("issue_closures", closure))
        if closed.closing_checkin_id is not None:
            rows.append(("checkins", closed.closing_checkin_id))
    what = f"closed issue #{closed.id} {_q(closed.title)} ({_item(closed.customer_name)})"
    return Settled(closed, Undo(what, closed.customer_id, tuple(rows)))


def keep_promise(
    conn: sqlite3.Connection, promise_id: int, *, note: str = "", on: date | None = None
) -> Settled[Promise]:
    return _settle_promise(conn, promise_id, "kept", note=note, on=on)


def break_promise(conn: sqlite3.Connection, promise_id: int, note: str) -> Settled[Promise]:
    return _settle_promise(conn, promise_id, "broken", note=note)


def _settle_promise(
    conn: sqlite3.Connection, promise_id: int, outcome: str, *, note: str, on: date | None = None
) -> Settled[Promise]:
    with write(conn):
        settled = promises.settle_promise(conn, promise_id, outcome, note=note, on=on)
        (row,) = conn.execute(
            "SELECT id FROM promise_settlements WHERE promise_id = ?", (promise_id,)
        ).fetchone()
    what = f"{outcome} promise #{settled.id} {_q(settled.text)} ({_item(settled.customer_name)})"
    return Settled(settled, Undo(what, settled.customer_id, (("promise_settlements", row),)))


def followup_done(conn: sqlite3.Connection, followup_id: int) -> Settled[FollowUp]:
    with write(conn):
        done = followups.mark_done(conn, followup_id)
        (row,) = conn.execute(
            "SELECT max(id) FROM followup_events WHERE followup_id = ? AND kind = 'done'",
            (followup_id,),
        ).fetchone()
    about = _q(done.note) if done.note else f"due {done.due.isoformat()}"
    what = f"done follow-up #{done.id} {about} ({_item(done.customer_name)})"
    return Settled(done, Undo(what, done.customer_id, (("followup_events", row),)))


def confirm_concern(conn: sqlite3.Connection, concern_id: int) -> Settled[Concern]:
    return _concern_event(conn, concern_id, "confirmed")


def drop_concern(conn: sqlite3.Connection, concern_id: int) -> Settled[Concern]:
    return _concern_event(conn, concern_id, "dropped")


def _concern_event(conn: sqlite3.Connection, concern_id: int, kind: str) -> Settled[Concern]:
    with write(conn):
        if kind == "confirmed":
            changed = concerns.confirm_concern(conn, concern_id)
        else:
            changed = concerns.drop_concern(conn, concern_id)
        (row,) = conn.execute(
            "SELECT max(id) FROM concern_events WHERE concern_id = ? AND kind = ?",
            (concern_id, kind),
        ).fetchone()
        name = get_customer(conn, changed.customer_id).name
    what = f"{kind} {changed.kind} #{changed.id} {_q(changed.text)} ({_item(name)})"
    return Settled(changed, Undo(what, changed.customer_id, (("concern_events", row),)))
