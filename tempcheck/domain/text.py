"""Make stored text safe to show: no terminal control sequences reach the screen.

Neither Rich nor Textual strips ESC, so a note containing ``\\x1b[2J`` could
clear the user's terminal from a CLI listing. Text is stored byte for byte;
this is applied only when displaying it.
"""

from __future__ import annotations

import re

# C0 controls except tab/newline, DEL, C1 controls, and the bidirectional controls
# (embeddings, overrides, isolates, marks) that reorder the text around them and so
# misalign a table or disguise a name: U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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


def safe_json(value: object) -> str:
    """JSON with the exact text, readable UTF-8, and no raw control character left.

    ``json.dumps`` escapes C0 controls but not DEL or the C1 range (U+0080 to
    U+009F, e.g. CSI), which some terminals obey; those become ``\\u`` escapes
    too, so the JSON still decodes to the stored text byte for byte.
    """
    import json

    text = json.dumps(value, ensure_ascii=False, indent=2)
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)
