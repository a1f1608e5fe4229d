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
