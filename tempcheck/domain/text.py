"""Make stored text safe to show: no terminal control sequences reach the screen.

Neither Rich nor Textual strips ESC, so a note containing ``\\x1b[2J`` could
clear the user's terminal from a CLI listing. Text is stored byte for byte;
this is applied only when displaying it.
"""

from __future__ import annotations

import re

# The bidirectional controls (embeddings, overrides, isolates, marks) that reorder the
# text around them and so misalign a table or disguise a name.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"

# For the screens: C0 controls except tab/newline, DEL, C1 controls, and the bidi controls.
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")

# What must never reach a terminal raw: C0 controls but tab and newline (a carriage
# return only as part of CRLF), ESC, DEL, the C1 range (U+009B is a one-byte CSI), and
# the same bidi controls. Shared by the shell's writer and the CSV stream for terminals.
TERMINAL_UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]|\r(?!\n)")


def for_terminal(text: str) -> str:
    """Text made safe to write to a terminal: every unsafe character becomes ``\ufffd``."""
    if not may_be_unsafe(text):
        return text
    return TERMINAL_UNSAFE.sub("\ufffd", text)


def may_be_unsafe(text: str) -> bool:
    """Whether ``text`` holds a character that can start a :data:`TERMINAL_UNSAFE` match.

    One character class is searched several times faster than the pattern with
    its alternative, so megabytes of clean output cost a few milliseconds.
    """
    return _CONTROL.search(text) is not None


def printable(text: str | None, *, single_line: bool = False) -> str:
    """Show control characters, bidi controls included, as ``\N{REPLACEMENT CHARACTER}``."""
    if not text:
        return ""
    cleaned = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)
    if single_line:
        cleaned = cleaned.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return cleaned


def clip(text: str, width: int) -> str:
    """Shorten ``text`` to ``width`` characters with an ellipsis."""
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"
