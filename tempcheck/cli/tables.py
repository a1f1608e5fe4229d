"""The shell's tables and records: one customer's issues, promises, follow-ups, concerns
and people as text tables (``show``, ``issue list``, ``promise list``, ``followups``…) and
as the records CSV/JSON listings print. Cells hold stored text made printable; the one
writer (:mod:`tempcheck.cli.output`) still guards every byte."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from tempcheck.domain import clock, temperature
from tempcheck.domain.dates import format_short
from tempcheck.domain.text import clip, printable
from tempcheck.store import contacts


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
    return clock.local_iso(moment) if moment else None


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
