"""The morning brief ("Today"): what to do first, each line with what you need to act on it.

Plain records and rules only, no SQL: :func:`tempcheck.services.brief.brief`
gathers the facts and :func:`assemble` turns them into lines in the order the
brief promises: issues to call about first, promises due, follow-ups due,
customers gone cold or never contacted, unhappy customers nobody has spoken
to since, and priorities to recalibrate.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tempcheck.domain import clock, temperature
from tempcheck.domain.attention import DashboardRow
from tempcheck.domain.dates import day_month
from tempcheck.domain.meetings import Meeting, time_span
from tempcheck.domain.records import FollowUp, Issue, Promise
from tempcheck.domain.staleness import Staleness
from tempcheck.domain.text import printable

MET_NOT_LOGGED = "met, not logged"
CALL_FIRST = "call first"
PROMISE_DUE = "promise due"
FOLLOWUP_DUE = "follow-up due"
GONE_COLD = "gone cold"
NEVER_CONTACTED = "never contacted"
UNHAPPY = "unhappy, not contacted since"
RECALIBRATE = "recalibrate priorities"
RENEWAL = "renewal coming"
PERSON_UNHAPPY = "key person unhappy"
PERSON_QUIET = "key person quiet"

ORDER: tuple[str, ...] = (
    MET_NOT_LOGGED,
    CALL_FIRST,
    PROMISE_DUE,
    FOLLOWUP_DUE,
    RENEWAL,
    GONE_COLD,
    NEVER_CONTACTED,
    UNHAPPY,
    PERSON_UNHAPPY,
    PERSON_QUIET,
    RECALIBRATE,
)
# A symbol per kind of reason (an unhappy key person shares the unhappy face), so a
# line reads the same without colour.
SYMBOLS: dict[str, str] = {
    MET_NOT_LOGGED: "✎",
    CALL_FIRST: "☎",
    PROMISE_DUE: "⚑",
    FOLLOWUP_DUE: "↻",
    GONE_COLD: "❄",
    NEVER_CONTACTED: "○",
    UNHAPPY: "☹",
    RECALIBRATE: "⚖",
    RENEWAL: "◷",
    PERSON_UNHAPPY: "☹",
    PERSON_QUIET: "◌",
}


@dataclass(frozen=True)
class BriefItem:
    """One line of the brief: who, why, and the context to act without opening the detail."""

    customer_id: int
    customer_name: str
    reason: str  # one of ORDER
    detail: str  # e.g. "Data export fails for large clinics, due 21 Nov (3 days late)"
    last_note: str  # the customer's last check-in note ('' if none)
    last_contact: datetime | None  # the last check-in (never a spread baseline)
    ref_id: int | None = None  # the issue / promise / follow-up id when there is one
    due: date | None = None  # the issue / promise / follow-up due date when there is one
    last_temperature: int | None = None
    # Where the line sorts within its reason (see assemble); lets one customer's lines be
    # replaced in place (merge) without assembling the whole brief again.
    order: tuple = field(default=(), compare=False, repr=False)

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.reason]


@dataclass(frozen=True)
class PersonFacts:
    """A key person at a customer (the primary contact, or anyone with a role) and the
    newest check-in that names them. ``since`` is when their silence starts counting:
    their last check-in, else when they were added or when the customer's check-ins
    began naming people, whichever is later."""

    customer_id: int
    name: str
    role: str
    since: datetime
    last_at: datetime | None
    last_temperature: int | None


@dataclass(frozen=True)
class LastCheckin:
    """The newest check-in of a customer: the context every brief line carries."""

    at: datetime
    temperature: int
    note: str
    fell_short: str = ""


def assemble(
    *,
    issues: Sequence[Issue],
    promises: Sequence[Promise],
    followups: Sequence[FollowUp],
    rows: Sequence[DashboardRow],
    last_checkins: Mapping[int, LastCheckin],
    baselines: Mapping[int, datetime],
    last_confirmed: Mapping[int, datetime],
    snoozed: Mapping[int, date],
    now: datetime,
    meetings: Sequence[Meeting] = (),
    renewals: Mapping[int, date] | None = None,
    people: Sequence[PersonFacts] = (),
    quiet_ratio: float = 2.0,
) -> list[BriefItem]:
    """The brief in :data:`ORDER`, the most urgent first within each reason.

    ``rows`` are the customers the brief is about (the dashboard's, with
    baselines applied); issues, promises and follow-ups of anyone else are
    left out. A snoozed customer drops out of the contact reminders only.
    A customer is listed once among gone cold / never contacted / unhappy:
    gone cold wins and mentions a low last temperature. ``renewals`` (within
    the window) come unhappiest first. A key person is named when they were
    last unhappy, or have been quiet for ``quiet_ratio`` cadences, while the
    account as a whole is not already listed as cold or unhappy.
    """
    today = clock.local(now).date()
    by_id = {row.customer_id: row for row in rows}
    items: list[BriefItem] = []

    def item(
        cid: int,
        reason: str,
        detail: str,
        ref: int | None = None,
        due: date | None = None,
        *,
        order: tuple,
    ) -> None:
        last = last_checkins.get(cid)
        items.append(
            BriefItem(
                customer_id=cid,
                customer_name=by_id[cid].name,
                reason=reason,
                detail=detail,
                last_note=last.note if last else "",
                last_contact=last.at if last else None,
                ref_id=ref,
                due=due,
                last_temperature=last.temperature if last else None,
                order=order,
            )
        )

    for meeting in meetings:  # "how did it go?": ended, matched, nothing logged since
        if meeting.customer_id in by_id:
            detail = (
                f"{meeting.title or '(no title)'}, {time_span(meeting.starts_at, meeting.ends_at)}"
            )
            if meeting.contact_name:
                detail += f", with {meeting.contact_name}"
            item(
                meeting.customer_id,
                MET_NOT_LOGGED,
                detail,
                meeting.id,
                order=(meeting.ends_at, meeting.id),
            )

    def issue_order(i: Issue) -> tuple:
        return (i.due or date.max, i.id)

    for issue in sorted(issues, key=issue_order):
        if issue.call_first and issue.is_open and issue.customer_id in by_id:
            item(
                issue.customer_id,
                CALL_FIRST,
                f"{issue.title}, {due_phrase(issue.due, today)}" if issue.due else issue.title,
                issue.id,
                issue.due,
                order=issue_order(issue),
            )
    for promise in sorted(promises, key=lambda p: (p.due, p.id)):
        if promise.is_open and promise.due <= today and promise.customer_id in by_id:
            detail = f"{promise.text}, {due_phrase(promise.due, today)}"
            item(
                promise.customer_id,
                PROMISE_DUE,
                detail,
                promise.id,
                promise.due,
                order=(promise.due, promise.id),
            )
    for followup in sorted(followups, key=lambda f: (f.due, f.id)):
        if not followup.done and followup.due <= today and followup.customer_id in by_id:
            what = followup.note or "follow up"
            detail = f"{what}, {due_phrase(followup.due, today)}"
            item(
                followup.customer_id,
                FOLLOWUP_DUE,
                detail,
                followup.id,
                followup.due,
                order=(followup.due, followup.id),
            )

    def renewal_rank(pair: tuple[int, date]) -> tuple:
        last = last_checkins.get(pair[0])
        return (last.temperature if last else 3, pair[1], by_id[pair[0]].name.casefold())

    upcoming = [(cid, on) for cid, on in (renewals or {}).items() if cid in by_id]
    for cid, on in sorted(upcoming, key=renewal_rank):
        last = last_checkins.get(cid)
        feeling = (
            f"last temperature {temperature.label(last.temperature)}" if last else "no check-in yet"
        )
        detail = f"renewal {short_date(on, today)} ({clock.until(on, today)}); {feeling}"
        item(cid, RENEWAL, detail, None, on, order=renewal_rank((cid, on)))

    awake = [row for row in rows if row.customer_id not in snoozed]
    cold = [
        row for row in awake if row.customer_id in last_checkins and row.staleness is Staleness.COLD
    ]

    def cold_order(r: DashboardRow) -> tuple:
        return (-r.ratio, r.name.casefold())

    for row in sorted(cold, key=cold_order):
        last = last_checkins[row.customer_id]
        detail = f"no contact for {_days(row.days_since)}, {_cadence(row)}"
        if temperature.is_low(last.temperature):
            detail += f"; last temperature {temperature.label(last.temperature)}"
        item(row.customer_id, GONE_COLD, detail, order=cold_order(row))

    never = [
        row
        for row in awake
        if row.customer_id not in last_checkins
        and row.staleness in (Staleness.NEVER, Staleness.OVERDUE, Staleness.COLD)
    ]

    def never_order(r: DashboardRow) -> tuple:
        return (-r.ratio, r.cadence_days, r.name.casefold())

    for row in sorted(never, key=never_order):
        baseline = baselines.get(row.customer_id)
        if baseline is None:
            detail = f"no check-in yet, {_cadence(row)}"
        else:
            first_due = clock.local(baseline + timedelta(days=row.cadence_days)).date()
            detail = f"no check-in yet, first contact {due_phrase(first_due, today)}"
        item(row.customer_id, NEVER_CONTACTED, detail, order=never_order(row))

    listed_cold = {row.customer_id for row in cold}
    unhappy = [
        (row, last_checkins[row.customer_id])
        for row in awake
        if row.customer_id in last_checkins
        and row.customer_id not in listed_cold
        and temperature.is_low(last_checkins[row.customer_id].temperature)
    ]

    def unhappy_order(pair: tuple[DashboardRow, LastCheckin]) -> tuple:
        return (pair[1].temperature, pair[1].at, pair[0].name)

    for row, last in sorted(unhappy, key=unhappy_order):
        detail = f"last temperature {temperature.label(last.temperature)}"
        if last.fell_short:
            detail += f"; fell short: {last.fell_short}"
        item(row.customer_id, UNHAPPY, detail, order=unhappy_order((row, last)))

    listed = listed_cold | {row.customer_id for row, _ in unhappy}
    listed |= {row.customer_id for row in never}
    awake_ids = {row.customer_id for row in awake}
    quiet = []
    uneasy = []
    for person in people:
        cid = person.customer_id
        if cid not in awake_ids or cid in listed:
            continue
        row = by_id[cid]
        label = f"{person.name} ({person.role})" if person.role else person.name
        if person.last_temperature is not None and temperature.is_low(person.last_temperature):
            uneasy.append((person.last_temperature, row.name.casefold(), label.casefold(), person))
            continue
        days = clock.days_between(person.since, now)
        if days >= quiet_ratio * max(row.cadence_days, 1):
            shown = clock.calendar_days(person.since, now)
            quiet.append((-shown, row.name.casefold(), label.casefold(), row, person, label))
    for rank in sorted(uneasy, key=lambda u: u[:3]):
        person = rank[3]
        label = f"{person.name} ({person.role})" if person.role else person.name
        when = clock.ago(person.last_at, now) if person.last_at else ""
        detail = (
            f"{label} was {temperature.label(person.last_temperature)} {when}".rstrip()
            + "; the account's last temperature is "
            + _last_label(last_checkins.get(person.customer_id))
        )
        item(person.customer_id, PERSON_UNHAPPY, detail, order=rank[:3])
    for rank in sorted(quiet, key=lambda q: q[:3]):
        row, person, label = rank[3:]
        heard = (
            f"not in a check-in for {_days(-rank[0])}"
            if person.last_at is not None
            else f"in no check-in for {_days(-rank[0])}"
        )
        detail = f"{label}: {heard}, {_cadence(row)}"
        item(row.customer_id, PERSON_QUIET, detail, order=rank[:3])

    stale = [row for row in rows if row.recalibrate]
    oldest = datetime.min.replace(tzinfo=now.tzinfo)

    def recalibrate_order(r: DashboardRow) -> tuple:
        return (last_confirmed.get(r.customer_id) or oldest, r.name.casefold())

    for row in sorted(stale, key=recalibrate_order):
        confirmed = last_confirmed.get(row.customer_id)
        if confirmed is None:
            detail = "priorities may have shifted: never confirmed with the customer"
        else:
            detail = (
                "priorities may have shifted: last confirmed "
                f"{short_date(clock.local(confirmed).date(), today)}"
                f" ({clock.ago(confirmed, now)})"
            )
        item(row.customer_id, RECALIBRATE, detail, order=recalibrate_order(row))

    return in_order(items)


_RANK = {reason: index for index, reason in enumerate(ORDER)}


def in_order(items: Iterable[BriefItem]) -> list[BriefItem]:
    """Items sorted by reason in :data:`ORDER`, keeping their order within a reason."""
    return sorted(items, key=lambda i: _RANK[i.reason])


def merge(
    items: Sequence[BriefItem], customer_id: int, theirs: Iterable[BriefItem]
) -> list[BriefItem]:
    """``items`` with ``customer_id``'s lines replaced by ``theirs`` (that customer's
    brief, from :func:`assemble` on their records alone), each in its place.

    The same list as assembling everyone again, without touching anyone else.
    """
    merged = [i for i in items if i.customer_id != customer_id]
    for item in theirs:
        insort(merged, item, key=_merge_key)
    return merged


def _merge_key(item: BriefItem) -> tuple:
    return (_RANK[item.reason], item.order)


def short_date(day: date, today: date) -> str:
    """``21 Nov``, with the year when it is not this year's."""
    return day_month(day, today=today)


def due_phrase(due: date, today: date) -> str:
    """``due 21 Nov (3 days late)``, ``due 24 Nov (today)``."""
    return f"due {short_date(due, today)} ({clock.until(due, today)})"


def _last_label(last: LastCheckin | None) -> str:
    return temperature.label(last.temperature) if last else "unknown"


def _days(days: float | None) -> str:
    whole = int(days or 0)
    return "1 day" if whole == 1 else f"{whole} days"


def _cadence(row: DashboardRow) -> str:
    return "cadence every day" if row.cadence_days == 1 else f"cadence {row.cadence_days} days"


# --- rendering for the shell and for documents -------------------------------------


def last_words(item: BriefItem, now: datetime) -> str:
    """``last: "Asked twice for the roadmap" (6 weeks ago)``, or ``no check-in yet``."""
    if item.last_contact is None:
        return "no check-in yet"
    when = clock.ago(item.last_contact, now)
    if not item.last_note:
        return f"last contact {when}"
    return f'last: "{printable(item.last_note, single_line=True)}" ({when})'


def text_line(item: BriefItem, now: datetime, *, reason_width: int = 0) -> str:
    """One terminal line; every piece of user text made printable."""
    reason = item.reason.ljust(reason_width)
    name = printable(item.customer_name, single_line=True)
    detail = printable(item.detail, single_line=True)
    line = f"{item.symbol} {reason}  {name} — {detail}"
    if item.reason == NEVER_CONTACTED and item.last_contact is None:
        return line  # the detail already says there is no check-in
    return f"{line} · {last_words(item, now)}"


def text_lines(items: Sequence[BriefItem], now: datetime) -> list[str]:
    """The brief as aligned terminal lines, or one line saying there is nothing to do."""
    if not items:
        return ["Nothing in today's brief: no calls, promises or follow-ups due, nobody cold."]
    width = max(len(i.reason) for i in items)
    return [text_line(i, now, reason_width=width) for i in items]


def as_record(item: BriefItem) -> dict[str, object]:
    """The item as plain values for JSON (ISO-8601 dates, local times with offset)."""
    return {
        "reason": item.reason,
        "customer_id": item.customer_id,
        "customer": item.customer_name,
        "detail": item.detail,
        "due": item.due.isoformat() if item.due else None,
        "ref_id": item.ref_id,
        "last_note": item.last_note,
        "last_contact": (
            clock.local(item.last_contact).isoformat(timespec="seconds")
            if item.last_contact
            else None
        ),
        "last_temperature": item.last_temperature,
    }
