"""How often a customer should hear from us, as people write it: ``14``, ``2w``, ``1m``.

One reading for the shell commands, the customer form and CSV import.
"""

from __future__ import annotations

import re

_CADENCE = re.compile(r"(\d{1,4}) ?(d|days?|w|wks?|weeks?|m|months?)?", re.IGNORECASE)
_UNITS = {"d": 1, "w": 7, "m": 30}
MAX_CADENCE = 3650  # ten years


def parse_cadence(text: str, what: str = "cadence") -> int:
    """A cadence in days from ``14``, ``14d``, ``2w`` or ``1m`` (30 days); ValueError else.

    ``what`` names the value in the message (the calibration interval reads the same way).
    """
    found = _CADENCE.fullmatch(text.strip())
    if found is not None:
        days = int(found[1]) * _UNITS[(found[2] or "d")[0].lower()]
        if 1 <= days <= MAX_CADENCE:
            return days
    raise ValueError(
        f"{what} must look like 14, 14d, 2w or 1m (1 day to {MAX_CADENCE // 365} years),"
        f" not {text!r}"
    )
