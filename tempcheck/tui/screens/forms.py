"""The small forms, each a FormDialog with its fields and the store call that saves it."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from tempcheck.domain import clock, temperature
from tempcheck.domain.dates import DateParseError, format_short, parse_date
from tempcheck.domain.records import Customer
from tempcheck.domain.text import clip, printable
from tempcheck.services import settle
from tempcheck.services.undo import Undo
from tempcheck.store.concerns import add_concern
from tempcheck.store.contacts import add_contact
from tempcheck.store.customers import set_status
from tempcheck.store.followups import snooze
from tempcheck.store.issues import open_issue
from tempcheck.store.promises import add_promise
from tempcheck.store.reminders import snooze_reminder
from tempcheck.tui.screens.form_dialog import FormDialog, FormField
from tempcheck.tui.screens.notices import Wrote


def _future_date(text: str) -> date:
    return clock.not_past(parse_date(text), "the date")


def _later_date(text: str) -> date:
    day = _future_date(text)
    if day <= clock.today():
        raise ValueError("pick a date after today")
    return day


def _date_hint(text: str) -> str:
    try:
        return format_short(parse_date(text))
    except DateParseError:
        return "…"


def _temperature(text: str) -> int:
    return temperature.parse_temperature(text)


def _temperature_hint(text: str) -> str:
    try:
        return temperature.label(temperature.parse_temperature(text))
    except ValueError:
        return "1-5"


def _name(customer: Customer) -> str:
    return printable(customer.name, single_line=True)


def _q(text: str) -> str:
    return f'"{clip(printable(text, single_line=True), 60)}"'


def issue_form(
    conn: sqlite3.Connection,
    customer: Customer,
    *,
    title: str = "",
    from_checkin_id: int | None = None,
) -> FormDialog:
    """Open an issue: title, detail, due date (the SLA), who raised it."""

    def save(values: dict[str, Any]) -> Wrote:
        opened = open_issue(
            conn,
            customer.id,
            values["title"],
            detail=values["detail"] or "",
            due=values["due"],
            raised_by=values["raised_by"],
            from_checkin_id=from_checkin_id,
        )
        what = f"opened issue #{opened.id} {_q(opened.title)} ({_name(customer)})"
        return Wrote(what[:1].upper() + what[1:], Undo(what, customer.id, (("issues", opened.id),)))

    return FormDialog(
        f"Open an issue · {_name(customer)}",
        [
            FormField("title", "Title", "What is wrong, in a line", value=title, required=True),
            FormField("detail", "Detail", "More context"),
            FormField(
                "due",
                "Due (SLA)",
                "fri, +3d, 2w, 2026-12-01",
                parse=_future_date,
                hint=_date_hint,
                short=True,
            ),
            FormField(
                "raised_by", "Raised by", choices=[("the customer", "customer"), ("us", "us")]
            ),
        ],
        save,
    )


def promise_form(conn: sqlite3.Connection, customer: Customer) -> FormDialog:
    """Record a promise with its due date."""

    def save(values: dict[str, Any]) -> Wrote:
        made = add_promise(conn, customer.id, values["text"], values["due"])
        what = f"promise #{made.id} {_q(made.text)}, due {made.due.isoformat()} ({_name(customer)})"
        return Wrote(f"Made {what}", Undo(what, customer.id, (("promises", made.id),)))

    return FormDialog(
        f"Make a promise · {_name(customer)}",
        [
            FormField("text", "Promise", "Report by Friday", required=True),
            FormField(
                "due",
                "Due",
                "fri, +3d, 2026-12-01",
                required=True,
                parse=_future_date,
                hint=_date_hint,
                short=True,
            ),
        ],
        save,
        note="Under-promise, over-deliver: pick a date you will beat.",
    )


def close_issue_form(
    conn: sqlite3.Connection, issue_id: int, title: str, due: date | None = None
) -> FormDialog:
    """Close an issue: the resolution first, then how the customer feels about it."""

    def save(values: dict[str, Any]) -> Wrote:
        settled = settle.close_issue(
            conn,
            issue_id,
            values["resolution"],
            temperature=values["temperature"],
            follow_up=values["follow_up"],
        )
        return Wrote(settled.notice, settled.undo)

    when = f" (due {due.isoformat()})" if due else ""
    return FormDialog(
        f"Close issue #{issue_id} · {printable(title, single_line=True)}{when}",
        [
            FormField(
                "resolution", "Resolution", "How it was solved, in a sentence", required=True
            ),
            FormField(
                "temperature",
                "How do they feel about it now? (1-5)",
                "1-5",
                parse=_temperature,
                hint=_temperature_hint,
                short=True,
            ),
            FormField(
                "follow_up",
                "Follow up on",
                "fri, +3d, 2w",
                parse=_future_date,
                hint=_date_hint,
                short=True,
            ),
        ],
        save,
        note="Check off the issue, then ask: a temperature check is saved as a check-in.",
        step_by_step=True,
    )


def break_promise_form(
    conn: sqlite3.Connection, promise_id: int, text: str, due: date | None = None
) -> FormDialog:
    def save(values: dict[str, Any]) -> Wrote:
        settled = settle.break_promise(conn, promise_id, values["note"])
        return Wrote(settled.notice, settled.undo)

    when = f" (due {due.isoformat()})" if due else ""
    return FormDialog(
        f"Promise #{promise_id} broken · {printable(text, single_line=True)}{when}",
        [FormField("note", "What happened", "Be honest; it goes on the record", required=True)],
        save,
    )


def snooze_form(conn: sqlite3.Connection, followup_id: int) -> FormDialog:
    def save(values: dict[str, Any]) -> Wrote:
        moved = snooze(conn, followup_id, values["until"])
        about = f" {_q(moved.note)}" if moved.note else ""
        return Wrote(
            f"Snoozed follow-up #{moved.id}{about} to {moved.due.isoformat()}"
            f" ({printable(moved.customer_name, single_line=True)})"
        )

    return FormDialog(
        "Snooze follow-up",
        [
            FormField(
                "until",
                "Until",
                "mon, +3d, 2w",
                required=True,
                parse=_later_date,
                hint=_date_hint,
                short=True,
            )
        ],
        save,
    )


def concern_form(conn: sqlite3.Connection, customer: Customer) -> FormDialog:
    def save(values: dict[str, Any]) -> Wrote:
        made = add_concern(
            conn,
            customer.id,
            values["text"],
            kind=values["kind"],
            confirmed=values["confirmed"] == "yes",
        )
        events = conn.execute(
            "SELECT id FROM concern_events WHERE concern_id = ?", (made.id,)
        ).fetchall()
        rows = (*(("concern_events", e[0]) for e in events), ("concerns", made.id))
        what = f"{made.kind} #{made.id} {_q(made.text)} ({_name(customer)})"
        return Wrote(f"Added {what}", Undo(what, customer.id, rows))

    return FormDialog(
        f"Concern or priority · {_name(customer)}",
        [
            FormField("text", "What matters to them", "Cut cloud spend by 15%", required=True),
            FormField("kind", "Kind", choices=[("concern", "concern"), ("priority", "priority")]),
            FormField(
                "confirmed",
                "Confirmed with the customer?",
                choices=[("no, an assumption", "no"), ("yes, they confirmed it", "yes")],
            ),
        ],
        save,
        note='Listen, then confirm: "Do I understand that correctly?"',
    )


def pause_form(conn: sqlite3.Connection, customer: Customer) -> FormDialog:
    def save(values: dict[str, Any]) -> int:
        set_status(conn, customer.id, "paused", until=values["until"], note=values["note"] or "")
        until = f" until {values['until'].isoformat()}" if values["until"] else ""
        return Wrote(f"Paused {_name(customer)}{until}")

    return FormDialog(
        f"Pause · {_name(customer)}",
        [
            FormField(
                "until",
                "Until",
                "3m, 2027-01-15 (empty: until reactivated)",
                parse=_later_date,
                hint=_date_hint,
                short=True,
            ),
            FormField("note", "Why", "Project on hold until budget is approved"),
        ],
        save,
    )


def end_form(conn: sqlite3.Connection, customer: Customer) -> FormDialog:
    def save(values: dict[str, Any]) -> int:
        set_status(conn, customer.id, "ended", note=values["note"])
        return Wrote(f"Ended {_name(customer)}; the history is kept")

    return FormDialog(
        f"End the relationship · {_name(customer)}",
        [FormField("note", "Closing note", "How it ended, and what to remember", required=True)],
        save,
        note="End with honour: the customer leaves the daily view; the history is kept.",
    )


def snooze_reminder_form(conn: sqlite3.Connection, customer: Customer) -> FormDialog:
    """Quiet a customer's contact reminders until a date; the cadence stays as it is."""

    def save(values: dict[str, Any]) -> int:
        snooze_reminder(conn, customer.id, values["until"])
        return Wrote(f"Snoozed reminders for {_name(customer)} until {values['until'].isoformat()}")

    return FormDialog(
        f"Snooze reminders · {_name(customer)}",
        [
            FormField(
                "until",
                "Until",
                "mon, +1w, 2026-12-01",
                required=True,
                parse=_later_date,
                hint=_date_hint,
                short=True,
            )
        ],
        save,
        note="The customer stays on the dashboard, marked ☾; the morning brief leaves out "
        "'gone cold' and 'unhappy' for them until then. Issues and promises still show.",
    )


def contact_form(conn: sqlite3.Connection, customer: Customer) -> FormDialog:
    """Add a person at the customer: name, role, email, phone, notes, primary or not."""

    def save(values: dict[str, Any]) -> int:
        return add_contact(
            conn,
            customer.id,
            values["name"],
            role=values["role"] or "",
            email=values["email"] or "",
            phone=values["phone"] or "",
            notes=values["notes"] or "",
            primary=values["primary"] == "yes",
        ).id

    return FormDialog(
        f"Add a person · {_name(customer)}",
        [
            FormField("name", "Name", "Dana Ruiz", required=True),
            FormField("role", "Role", "CFO, sponsor, project lead"),
            FormField("email", "Email", "dana@example.com"),
            FormField("phone", "Phone", "+44 20 7946 0000", short=True),
            FormField("notes", "Notes", "What to remember about them"),
            FormField(
                "primary",
                "Primary contact",
                choices=[("no", "no"), ("yes, the primary contact", "yes")],
            ),
        ],
        save,
    )
