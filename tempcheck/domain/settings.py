"""Settings a user can change with ``tempcheck config``: names, defaults, validation.

Values live in the database's ``settings`` table, so they travel with the data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    default: str
    kind: type
    help: str
    low: float  # the smallest value allowed
    high: float  # the largest value allowed
    low_open: bool = False  # True: ``low`` itself is not allowed (a ratio must exceed 0)


def _weight(default: str, text: str) -> Setting:
    return Setting(default, int, text, -100, 100)


def _ratio(default: str, text: str) -> Setting:
    return Setting(default, float, text, 0, 100, low_open=True)


SETTINGS: dict[str, Setting] = {
    "staleness.due": Setting(
        "0.75", float, "ratio of days since contact to cadence: due from", 0, 100, True
    ),
    "staleness.overdue": Setting(
        "1.0", float, "ratio at which a customer is overdue", 0, 100, True
    ),
    "staleness.cold": Setting(
        "2.0", float, "ratio at which a customer has gone cold", 0, 100, True
    ),
    "cadence.default": Setting("14", int, "contact cadence in days for new customers", 1, 3650),
    "issues.at_risk_days": Setting(
        "2", int, "an open issue due within this many days is at risk", 0, 365
    ),
    "calibration.days": Setting(
        "90", int, "confirm priorities at least this often (days)", 1, 3650
    ),
    "renewal.window_days": Setting(
        "60",
        int,
        "a renewal or contract end this many days ahead shows in Next due and the brief",
        0,
        3650,
    ),
    "trust.proactive_contact": _weight("1", "trust bank: contact we started"),
    "trust.promise_kept_early": _weight("3", "trust bank: promise kept before its due date"),
    "trust.promise_kept_on_time": _weight("2", "trust bank: promise kept on its due date"),
    "trust.promise_kept_late": _weight("-1", "trust bank: promise kept after its due date"),
    "trust.promise_broken": _weight("-3", "trust bank: promise broken"),
    "trust.issue_closed_before_due": _weight("2", "trust bank: issue closed by its due date"),
    "trust.due_missed_without_contact": _weight(
        "-2", "trust bank: issue due date passed with no contact from us"
    ),
    "trust.customer_raised_issue": _weight("-1", "trust bank: a problem the customer raised"),
}
CHANNEL_KEY = "capture.last_channel"  # remembered, not user-facing


class ConfigError(ValueError):
    """An unknown key or a value of the wrong kind."""


def validate(key: str, value: str) -> str:
    """Check ``value`` for ``key`` and return it normalised as text."""
    if key not in SETTINGS:
        known = ", ".join(SETTINGS)
        raise ConfigError(f"unknown setting {key!r}; known settings: {known}")
    setting = SETTINGS[key]
    text = value.strip()
    try:
        if len(text) > 40:  # int() of a huge digit run is slow, and no value needs it
            raise ValueError
        parsed = setting.kind(text)
    except ValueError:
        kind = "a whole number" if setting.kind is int else "a number"
        raise ConfigError(f"{key} must be {kind}, not {value[:40]!r}") from None
    if not _in_range(setting, parsed):
        raise ConfigError(f"{key} must be {describe_range(setting)}, not {text}")
    return str(parsed)


def describe_range(setting: Setting) -> str:
    """The allowed values in words: "from 1 to 3650", "greater than 0 and at most 100"."""
    low, high = _shown(setting.low), _shown(setting.high)
    if setting.low_open:
        return f"greater than {low} and at most {high}"
    return f"from {low} to {high}"


def bounded(key: str, stored: str) -> str:
    """A stored value made safe to compute with: clamped into range, or the default.

    A value stored by an older version (or edited into the file) must never stop the
    dashboard; ``config`` refuses such values for new ones.
    """
    setting = SETTINGS[key]
    try:
        parsed = setting.kind(str(stored).strip()[:40])
    except ValueError:
        return setting.default
    if parsed != parsed:  # NaN
        return setting.default
    if not _in_range(setting, parsed):
        if parsed <= setting.low:
            return setting.default if setting.low_open else str(setting.kind(setting.low))
        return str(setting.kind(setting.high))
    return str(parsed)


def _in_range(setting: Setting, value: float) -> bool:
    if value != value:  # NaN is in no range
        return False
    above = value > setting.low if setting.low_open else value >= setting.low
    return above and value <= setting.high


def _shown(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
