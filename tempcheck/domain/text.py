"""Make stored text safe to show: no terminal control sequences reach the screen.

Neither Rich nor Textual strips ESC, so a note containing ``\\x1b[2J`` could
clear the user's terminal from a CLI listing. Text is stored byte for byte;
this is applied only when displaying it.
"""

from __future__ import annotations

import re

# C0 controls except tab/newline, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str | None, *, single_line: bool = False) -> str:
    """Replace control characters with a visible placeholder (U+FFFD-like ``�``)."""
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

    text = _flat_records_json(value)
    if text is None:
        text = json.dumps(value, ensure_ascii=False, indent=2)
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)


def _flat_records_json(value: object) -> str | None:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` for a list of flat records
    (dicts of strings, numbers, booleans and None), character for character; None for
    anything else. The standard encoder drops to pure Python when it indents, about
    ten times slower than this for ``tempcheck list --format json`` at 10,000 rows.
    """
    from json.encoder import encode_basestring

    if not isinstance(value, list) or not value:
        return None
    keys: dict[str, str] = {}
    records = []
    for record in value:
        if type(record) is not dict:
            return None
        fields = []
        for name, item in record.items():
            if type(name) is not str:
                return None
            label = keys.get(name)
            if label is None:
                label = keys[name] = f"    {encode_basestring(name)}: "
            kind = type(item)
            if kind is str:
                fields.append(label + encode_basestring(item))
            elif item is None:
                fields.append(label + "null")
            elif kind is bool:
                fields.append(label + ("true" if item else "false"))
            elif kind is int:
                fields.append(label + int.__repr__(item))
            elif kind is float and item == item and item not in (_INF, -_INF):
                fields.append(label + float.__repr__(item))
            else:
                return None
        records.append("  {\n" + ",\n".join(fields) + "\n  }" if fields else "  {}")
    return "[\n" + ",\n".join(records) + "\n]"


_INF = float("inf")
