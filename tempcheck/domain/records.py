"""Plain records passed between the store, the rules and the screens."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

CHANNELS = ("hallway", "call", "video", "email", "meeting", "social")
KINDS = ("relationship", "transactional")
STATUSES = ("active", "paused", "ended")
REACHED_OUT = ("us", "them")


class Customer(NamedTuple):
    """A customer relationship as stored (its check-ins and issues live elsewhere)."""

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


class CheckIn(NamedTuple):
    """One conversation: how the customer felt, when, how, and who reached out."""

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

# The other records live in tracking.py, built on first use: ``tempcheck log`` needs
# only the two above (named tuples: a tenth of a millisecond each to create, where a
# dataclass takes more than half a millisecond).
_TRACKING = frozenset({"Issue", "Promise", "PromiseRecord", "FollowUp", "Concern", "TimelineItem"})

if TYPE_CHECKING:  # what type checkers see; at run time, __getattr__ below
    from tempcheck.domain.tracking import Concern as Concern
    from tempcheck.domain.tracking import FollowUp as FollowUp
    from tempcheck.domain.tracking import Issue as Issue
    from tempcheck.domain.tracking import Promise as Promise
    from tempcheck.domain.tracking import PromiseRecord as PromiseRecord
    from tempcheck.domain.tracking import TimelineItem as TimelineItem


def __getattr__(name: str) -> Any:
    if name in _TRACKING:
        from tempcheck.domain import tracking  # lazy: keeps tempcheck log fast

        return getattr(tracking, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
