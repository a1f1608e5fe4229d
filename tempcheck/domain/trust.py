"""The trust bank: a balance per customer derived from the record, never typed in.

Deposits: contact we started, promises kept (more for early), issues closed by
their due date. Withdrawals: promises broken or kept late, issue due dates that
passed with no contact from us, problems the customer had to raise. The
weights are settings (``trust.*``); this module is the one place the rules live.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

# Entry kinds, each weighted by the setting ``trust.<kind>``.
PROACTIVE = "proactive_contact"
KEPT_EARLY = "promise_kept_early"
KEPT_ON_TIME = "promise_kept_on_time"
KEPT_LATE = "promise_kept_late"
BROKEN = "promise_broken"
CLOSED_BEFORE_DUE = "issue_closed_before_due"
DUE_MISSED = "due_missed_without_contact"
CUSTOMER_RAISED = "customer_raised_issue"
KINDS = (
    PROACTIVE,
    KEPT_EARLY,
    KEPT_ON_TIME,
    KEPT_LATE,
    BROKEN,
    CLOSED_BEFORE_DUE,
    DUE_MISSED,
    CUSTOMER_RAISED,
)
DESCRIPTIONS = {
    PROACTIVE: "we reached out",
    KEPT_EARLY: "promise kept early",
    KEPT_ON_TIME: "promise kept on time",
    KEPT_LATE: "promise kept late",
    BROKEN: "promise broken",
    CLOSED_BEFORE_DUE: "issue closed by its due date",
    DUE_MISSED: "issue due date passed without contact",
    CUSTOMER_RAISED: "customer had to raise a problem",
}
TREND_DAYS = 30


@dataclass(frozen=True)
class Entry:
    """One line behind the balance."""

    on: date
    kind: str
    amount: int
    what: str

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.kind]


def weights_from(settings: Mapping[str, str]) -> dict[str, int]:
    """The weight of each entry kind from the ``trust.*`` settings."""
    return {kind: int(settings[f"trust.{kind}"]) for kind in KINDS}


def promise_outcome(due: date, settled_on: date, outcome: str) -> str:
    """The entry kind for a settled promise: early, on time, late or broken."""
    if outcome == "broken":
        return BROKEN
    if settled_on < due:
        return KEPT_EARLY
    if settled_on == due:
        return KEPT_ON_TIME
    return KEPT_LATE


@dataclass(frozen=True)
class IssueFacts:
    """What the trust rules need to know about one issue."""

    title: str
    opened_on: date
    raised_by: str
    due: date | None
    closed_on: date | None
    contacted_by_due: bool  # a check-in by us between opening and the due date


@dataclass(frozen=True)
class PromiseFacts:
    text: str
    due: date
    settled_on: date | None
    outcome: str | None


def entries(
    proactive_contacts: Iterable[tuple[date, str]],
    promises: Iterable[PromiseFacts],
    issues: Iterable[IssueFacts],
    weights: Mapping[str, int],
    today: date,
) -> list[Entry]:
    """Every entry behind the balance, newest first."""
    found: list[Entry] = []
    for on, note in proactive_contacts:
        found.append(Entry(on, PROACTIVE, weights[PROACTIVE], note))
    for promise in promises:
        if promise.settled_on is not None and promise.outcome is not None:
            kind = promise_outcome(promise.due, promise.settled_on, promise.outcome)
            found.append(Entry(promise.settled_on, kind, weights[kind], promise.text))
    for issue in issues:
        if issue.raised_by == "customer":
            found.append(
                Entry(issue.opened_on, CUSTOMER_RAISED, weights[CUSTOMER_RAISED], issue.title)
            )
        if issue.due is None:
            continue
        if issue.closed_on is not None and issue.closed_on <= issue.due:
            found.append(
                Entry(issue.closed_on, CLOSED_BEFORE_DUE, weights[CLOSED_BEFORE_DUE], issue.title)
            )
        elif issue.due < today and not issue.contacted_by_due:
            found.append(Entry(issue.due, DUE_MISSED, weights[DUE_MISSED], issue.title))
    found.sort(key=lambda entry: entry.on, reverse=True)
    return found


def balance(found: Iterable[Entry]) -> int:
    return sum(entry.amount for entry in found)


def trend_symbol(change: int) -> str:
    """The dashboard's 30-day trend: ``▲`` rising, ``▼`` falling, ``▬`` flat."""
    if change > 0:
        return f"▲ +{change}"
    if change < 0:
        return f"▼ {change}"
    return "▬ 0"
