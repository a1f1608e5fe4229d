"""The records of what is tracked with a customer beyond check-ins: issues, promises,
follow-ups, concerns and the timeline that shows them all.

They are re-exported by :mod:`tempcheck.domain.records` (``from
tempcheck.domain.records import Issue`` works as before) but defined here, so a
command that needs only customers and check-ins, such as ``tempcheck log``, does not
pay for building these classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


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
