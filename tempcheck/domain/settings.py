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


SETTINGS: dict[str, Setting] = {
    "staleness.due": Setting("0.75", float, "ratio of days since contact to cadence: due from"),
    "staleness.overdue": Setting("1.0", float, "ratio at which a customer is overdue"),
    "staleness.cold": Setting("2.0", float, "ratio at which a customer has gone cold"),
    "cadence.default": Setting("14", int, "contact cadence in days for new customers"),
    "issues.at_risk_days": Setting("2", int, "an open issue due within this many days is at risk"),
    "calibration.days": Setting("90", int, "confirm priorities at least this often (days)"),
    "renewal.window_days": Setting(
        "60", int, "a renewal or contract end this many days ahead shows in Next due and the brief"
    ),
    "trust.proactive_contact": Setting("1", int, "trust bank: contact we started"),
    "trust.promise_kept_early": Setting("3", int, "trust bank: promise kept before its due date"),
    "trust.promise_kept_on_time": Setting("2", int, "trust bank: promise kept on its due date"),
    "trust.promise_kept_late": Setting("-1", int, "trust bank: promise kept after its due date"),
    "trust.promise_broken": Setting("-3", int, "trust bank: promise broken"),
    "trust.issue_closed_before_due": Setting("2", int, "trust bank: issue closed by its due date"),
    "trust.due_missed_without_contact": Setting(
        "-2", int, "trust bank: issue due date passed with no contact from us"
    ),
    "trust.customer_raised_issue": Setting("-1", int, "trust bank: a problem the customer raised"),
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
    try:
        parsed = setting.kind(value.strip())
    except ValueError:
        kind = "a whole number" if setting.kind is int else "a number"
        raise ConfigError(f"{key} must be {kind}, not {value!r}") from None
    if key.startswith(("cadence.", "calibration.")) and parsed <= 0:
        raise ConfigError(f"{key} must be at least 1")
    if key == "renewal.window_days" and not 0 <= parsed <= 3650:
        raise ConfigError(f"{key} must be between 0 and 3650")
    if key == "issues.at_risk_days" and parsed < 0:
        raise ConfigError(f"{key} must be 0 or more")
    if key.startswith("staleness.") and parsed <= 0:
        raise ConfigError(f"{key} must be greater than 0")
    return str(parsed)
