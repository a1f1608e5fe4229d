"""Staleness: days since last contact measured against the customer's cadence.

The ratio days/cadence maps onto five states. Each state has a word and a
symbol as well as a colour, so it reads without colour (NO_COLOR, colour-blind
users).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Staleness(Enum):
    """How long it has been, relative to how often the customer should hear from us."""

    NEVER = "never"
    COLD = "cold"
    OVERDUE = "overdue"
    DUE = "due"
    FRESH = "fresh"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def label(self) -> str:
        """Symbol and word, e.g. ``❄ cold``."""
        return f"{self.symbol} {self.value}"

    @property
    def rank(self) -> int:
        """Attention order: never and cold first, fresh last."""
        return _RANKS[self]


_SYMBOLS = {
    Staleness.NEVER: "○",
    Staleness.COLD: "❄",
    Staleness.OVERDUE: "!",
    Staleness.DUE: "◔",
    Staleness.FRESH: "✓",
}
_RANKS = {
    Staleness.NEVER: 0,
    Staleness.COLD: 0,
    Staleness.OVERDUE: 1,
    Staleness.DUE: 2,
    Staleness.FRESH: 3,
}


@dataclass(frozen=True)
class Thresholds:
    """Ratio boundaries; a ratio at a boundary belongs to the later state."""

    due: float = 0.75
    overdue: float = 1.0
    cold: float = 2.0

    def __post_init__(self) -> None:
        if not 0 < self.due <= self.overdue <= self.cold:
            raise ValueError(
                "staleness thresholds must satisfy 0 < due <= overdue <= cold, "
                f"got due={self.due}, overdue={self.overdue}, cold={self.cold}"
            )


def classify(days_since: float | None, cadence_days: int, thresholds: Thresholds) -> Staleness:
    """The staleness state for ``days_since`` last contact (``None``: never contacted)."""
    if days_since is None:
        return Staleness.NEVER
    ratio = days_since / max(cadence_days, 1)
    if ratio >= thresholds.cold:
        return Staleness.COLD
    if ratio >= thresholds.overdue:
        return Staleness.OVERDUE
    if ratio >= thresholds.due:
        return Staleness.DUE
    return Staleness.FRESH
