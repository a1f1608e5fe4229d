"""The customer's temperature: 1 frustrated … 5 delighted, and how it is trending."""

from __future__ import annotations

from collections.abc import Sequence

WORDS: dict[int, str] = {
    1: "frustrated",
    2: "uneasy",
    3: "neutral",
    4: "content",
    5: "delighted",
}
LOW = 2  # a temperature at or below this asks "where did we fall short?"
_BY_WORD = {word: value for value, word in WORDS.items()}
_SPARK = "▁▂▄▆█"


class TemperatureError(ValueError):
    """A temperature that is not 1-5 or one of the words."""


def parse_temperature(text: str | int) -> int:
    """Read a temperature typed as a digit 1-5 or a word (``content``, ``Delighted``)."""
    raw = str(text).strip().lower()
    if raw.isdigit() and raw.isascii() and len(raw) == 1 and 1 <= int(raw) <= 5:
        return int(raw)
    if raw in _BY_WORD:
        return _BY_WORD[raw]
    matches = [value for word, value in _BY_WORD.items() if raw and word.startswith(raw)]
    if len(matches) == 1 and len(raw) >= 3:
        return matches[0]
    choices = ", ".join(f"{value} {word}" for value, word in WORDS.items())
    raise TemperatureError(f"temperature must be 1-5 or a word ({choices}), not {str(text)!r}")


def word(value: int | None) -> str:
    """The word for a temperature, or an empty string for none."""
    return WORDS.get(value or 0, "")


def label(value: int | None) -> str:
    """Digit and word, e.g. ``4 content``; ``—`` when there is none."""
    return f"{value} {WORDS[value]}" if value in WORDS else "—"


def is_low(value: int | None) -> bool:
    """True for frustrated and uneasy."""
    return value is not None and value <= LOW


def sparkline(oldest_first: Sequence[int]) -> str:
    """Block characters for the recent temperatures, readable without colour."""
    return "".join(_SPARK[t - 1] for t in oldest_first if 1 <= t <= 5)


def trend(oldest_first: Sequence[int]) -> str:
    """``↑`` warming, ``↓`` cooling, ``→`` steady, empty with fewer than two readings.

    Compares the newest reading with the mean of the ones before it.
    """
    if len(oldest_first) < 2:
        return ""
    *earlier, newest = oldest_first
    mean = sum(earlier) / len(earlier)
    if newest - mean >= 0.5:
        return "↑"
    if mean - newest >= 0.5:
        return "↓"
    return "→"
