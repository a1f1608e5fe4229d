"""Plain records passed between the store, the rules and the screens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

CHANNELS = ("hallway", "call", "video", "email", "meeting", "social")
KINDS = ("relationship", "transactional")
STATUSES = ("active", "paused", "ended")
REACHED_OUT = ("us", "them")


@dataclass(frozen=True)
class Customer:
    id: int
    uid: str
    name: str
    kind: str
    cadence_days: int
    contact: str
    status: str
    notes: str
    created_at: datetime
    paused_until: date | None = None
    calibration_days: int | None = None
    owner: str = ""  # the consultant responsible
    renewal_on: date | None = None  # renewal or contract end
    domain: str = ""  # the customer's email domain


@dataclass(frozen=True)
class CheckIn:
    id: int
    uid: str
    customer_id: int
    at: datetime
    temperature: int
    channel: str
    initiated_by: str
    note: str
    fell_short: str = ""
    follow_up: date | None = None
    issue_id: int | None = None
    contact_id: int | None = None  # the person it was with
    logged_by: str = ""

RAISED_BY = ("customer", "us")
OUTCOMES = ("kept", "broken")
CONCERN_KINDS = ("concern", "priority")


@dataclass(frozen=True)
class Issue:
    """An issue with its derived flags, judged against one ``today``."""

    id: int
    uid: str
    customer_id: int
    customer_name: str
    title: str
    detail: str
    due: date | None
    raised_by: str
    opened_at: datetime
    closed_at: datetime | None
    resolution: str
    at_risk: bool
    call_first: bool
    from_checkin_id: int | None = None
    closing_checkin_id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def flags(self) -> list[str]:
        """The words shown beside the issue: ``at risk``, ``call first``."""
        found = []
        if self.at_risk:
            found.append("at risk")
        if self.call_first:
            found.append("call first")
        return found


@dataclass(frozen=True)
class Promise:
    """A promise; ``timing`` says how it ended (``''`` while open)."""

    id: int
    uid: str
    customer_id: int
    customer_name: str
    text: str
    due: date
    made_at: datetime
    settled_on: date | None
    outcome: str | None  # None (open), 'kept' or 'broken'
    note: str
    timing: str  # '' | 'early' | 'on time' | 'late' | 'broken'
    overdue: bool

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    @property
    def state(self) -> str:
        """``open``, ``overdue``, ``kept early``, ``kept on time``, ``kept late`` or ``broken``."""
        if self.outcome is None:
            return "overdue" if self.overdue else "open"
        return "broken" if self.outcome == "broken" else f"kept {self.timing}"


@dataclass(frozen=True)
class PromiseRecord:
    """A customer's record of promises: how reliably we deliver."""

    kept: int = 0
    kept_early: int = 0
    kept_on_time: int = 0
    kept_late: int = 0
    broken: int = 0
    open: int = 0
    on_time_rate: float | None = None  # (early + on time) / settled; None with nothing settled

    @property
    def settled(self) -> int:
        return self.kept + self.broken

    @property
    def summary(self) -> str:
        """One line, e.g. ``3 kept (2 on time or early), 1 broken, 1 open · 50% on time``."""
        if not self.settled and not self.open:
            return "no promises yet"
        parts = [f"{self.kept} kept"]
        if self.kept:
            parts[0] += f" ({self.kept_early + self.kept_on_time} on time or early)"
        parts.append(f"{self.broken} broken")
        if self.open:
            parts.append(f"{self.open} open")
        text = ", ".join(parts)
        if self.on_time_rate is not None:
            text += f" · {round(self.on_time_rate * 100)}% on time"
        return text


@dataclass(frozen=True)
class FollowUp:
    """A follow-up; ``due`` is the effective date (the newest snooze, else the original)."""

    id: int
    uid: str
    customer_id: int
    customer_name: str
    due: date
    original_due: date
    note: str
    checkin_id: int | None
    issue_id: int | None
    done: bool
    overdue: bool

    @property
    def snoozed(self) -> bool:
        return self.due != self.original_due


@dataclass(frozen=True)
class Concern:
    """A concern or priority of the customer's, assumed until confirmed with them."""

    id: int
    uid: str
    customer_id: int
    kind: str  # 'concern' | 'priority'
    text: str
    rank: int
    confirmed_at: datetime | None  # the newest confirmation
    dropped: bool

    @property
    def state(self) -> str:
        return "confirmed" if self.confirmed_at is not None else "assumed"


@dataclass(frozen=True)
class TimelineItem:
    """One thing that happened with a customer, for the newest-first timeline.

    ``kind`` is one of: checkin, issue opened, issue closed, promise made,
    promise kept, promise broken, follow-up, follow-up done, follow-up snoozed,
    concern, concern confirmed, concern dropped, paused, ended, reactivated.
    ``ref_id`` is the id of the check-in, issue, promise, follow-up, concern or
    status event it is about.
    """

    at: datetime
    kind: str
    text: str
    temperature: int | None = None
    detail: str = ""
    ref_id: int | None = None
