"""The daily view's rows and the order that puts who needs attention first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from tempcheck.domain import clock, temperature
from tempcheck.domain.staleness import Staleness


@dataclass(slots=True)
class DashboardRow:
    """One active customer as the dashboard shows it."""

    customer_id: int
    name: str
    kind: str
    cadence_days: int
    contact: str
    last_at: str | None  # stored UTC text; see last_contact
    days_since: float | None
    staleness: Staleness
    recent_newest_first: str = ""  # temperature digits as stored in the summary
    open_issues: int = 0
    at_risk: int = 0
    call_first: int = 0
    next_due: date | None = None
    next_due_kind: str = ""
    trust_change: int | None = None  # None until computed
    recalibrate: bool = False
    status: str = "active"
    ratio: float | None = None  # days since contact over cadence; never contacted: infinite
    snoozed_until: date | None = None  # reminders snoozed; staleness and order unchanged

    def __post_init__(self) -> None:
        if self.ratio is None:
            self.ratio = (
                float("inf")
                if self.days_since is None
                else self.days_since / max(self.cadence_days, 1)
            )

    @property
    def last_contact(self) -> datetime | None:
        return clock.from_stored(self.last_at) if self.last_at else None

    @property
    def recent(self) -> list[int]:
        """The recent temperatures, oldest first."""
        return [int(t) for t in reversed(self.recent_newest_first)]

    @property
    def last_temperature(self) -> int | None:
        return int(self.recent_newest_first[0]) if self.recent_newest_first else None


def attention_key(row: DashboardRow) -> tuple:
    """Never contacted and cold first, then overdue, due, fresh; the stalest first
    within a state. A last temperature of 1 or 2 moves a customer up one state."""
    low = row.recent_newest_first[:1] in ("1", "2")
    return (_RANK[row.staleness] - low, not low, -row.ratio, row.name.casefold())


_RANK = {state: state.rank for state in Staleness}


def in_attention_order(rows: Iterable[DashboardRow]) -> list[DashboardRow]:
    return sorted(rows, key=attention_key)


RECORD_FIELDS = (
    "name",
    "kind",
    "status",
    "contact",
    "cadence_days",
    "last_contact",
    "days_since_contact",
    "staleness",
    "last_temperature",
    "temperature_trend",
    "open_issues",
    "issues_at_risk",
    "call_first",
    "next_due",
    "next_due_kind",
    "trust_change_30d",
    "recalibrate",
)


def as_record(row: DashboardRow) -> dict[str, object]:
    """The row as plain values for JSON and CSV (ISO-8601 local times with offset);
    the keys are :data:`RECORD_FIELDS`, in that order."""
    last = row.last_contact
    return {
        "name": row.name,
        "kind": row.kind,
        "status": row.status,
        "contact": row.contact,
        "cadence_days": row.cadence_days,
        "last_contact": clock.local_iso(last) if last else None,
        "days_since_contact": round(row.days_since, 2) if row.days_since is not None else None,
        "staleness": row.staleness.value,
        "last_temperature": row.last_temperature,
        "temperature_trend": temperature.trend(row.recent),
        "open_issues": row.open_issues,
        "issues_at_risk": row.at_risk,
        "call_first": row.call_first,
        "next_due": row.next_due.isoformat() if row.next_due else None,
        "next_due_kind": row.next_due_kind or None,
        "trust_change_30d": row.trust_change,
        "recalibrate": row.recalibrate,
    }


def issues_label(row: DashboardRow) -> str:
    """Open issues with their flags, e.g. ``3 (1 at risk, call first)``."""
    if not row.open_issues:
        return "0"
    flags = []
    if row.at_risk:
        flags.append(f"{row.at_risk} at risk")
    if row.call_first:
        flags.append("call first")
    return f"{row.open_issues} ({', '.join(flags)})" if flags else str(row.open_issues)


def temperature_label(row: DashboardRow) -> str:
    """``4 content ↑`` — digit, word and direction."""
    value = row.last_temperature
    if value is None:
        return "—"
    arrow = temperature.trend(row.recent)
    return f"{temperature.label(value)} {arrow}".rstrip()
